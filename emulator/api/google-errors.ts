// Google API error bodies and JSON over node:http, shared by the emulator's control-plane handlers.
// REST errors are `{ error: { code, message, status } }` with the HTTP status (docs/platform.md "REST error envelope").
import type { IncomingMessage, ServerResponse } from 'node:http';

export type GoogleStatus =
  | 'INVALID_ARGUMENT'
  | 'FAILED_PRECONDITION'
  | 'UNAUTHENTICATED'
  | 'PERMISSION_DENIED'
  | 'NOT_FOUND'
  | 'ALREADY_EXISTS'
  | 'ABORTED'
  | 'RESOURCE_EXHAUSTED'
  | 'INTERNAL'
  | 'UNAVAILABLE'
  | 'DEADLINE_EXCEEDED'
  | 'UNKNOWN';

const HTTP_OF: Record<GoogleStatus, number> = {
  INVALID_ARGUMENT: 400,
  FAILED_PRECONDITION: 400,
  UNAUTHENTICATED: 401,
  PERMISSION_DENIED: 403,
  NOT_FOUND: 404,
  ALREADY_EXISTS: 409,
  ABORTED: 409,
  RESOURCE_EXHAUSTED: 429,
  INTERNAL: 500,
  UNAVAILABLE: 503,
  DEADLINE_EXCEEDED: 504,
  UNKNOWN: 500,
};

/** google.rpc.Code numbers, used inside LRO `error` payloads. */
export const RPC_CODE: Record<GoogleStatus, number> = {
  INVALID_ARGUMENT: 3,
  FAILED_PRECONDITION: 9,
  UNAUTHENTICATED: 16,
  PERMISSION_DENIED: 7,
  NOT_FOUND: 5,
  ALREADY_EXISTS: 6,
  ABORTED: 10,
  RESOURCE_EXHAUSTED: 8,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  DEADLINE_EXCEEDED: 4,
  UNKNOWN: 2,
};

/** An error the API answers with; thrown inside handlers and rendered once by the server. */
export class ApiError extends Error {
  constructor(
    readonly status: GoogleStatus,
    message: string,
    /** `error.details[]` (google.rpc.ErrorInfo, Help, …), when Google sends any. */
    readonly details?: Array<Record<string, unknown>>,
  ) {
    super(message);
  }
  get httpStatus(): number {
    return HTTP_OF[this.status];
  }
}

/** The Google status name for an HTTP status, for injected faults given as numbers. */
export function statusOfHttp(http: number): GoogleStatus {
  const found = (Object.keys(HTTP_OF) as GoogleStatus[]).find((s) => HTTP_OF[s] === http);
  return found ?? (http >= 500 ? 'INTERNAL' : 'INVALID_ARGUMENT');
}

export function sendJson(res: ServerResponse, httpStatus: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(httpStatus, {
    'content-type': 'application/json; charset=UTF-8',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

export function sendError(res: ServerResponse, err: ApiError, httpStatus = err.httpStatus): void {
  sendJson(res, httpStatus, {
    error: {
      code: httpStatus,
      message: err.message,
      status: err.status,
      ...(err.details ? { details: err.details } : {}),
    },
  });
}

/** Reads a JSON body; an empty body is `{}`; malformed JSON is the API's INVALID_ARGUMENT. */
export async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') return {};
  try {
    return JSON.parse(text);
  } catch {
    throw new ApiError(
      'INVALID_ARGUMENT',
      `Invalid JSON payload received. Unexpected token.\n${text.slice(0, 40)}`,
    );
  }
}
