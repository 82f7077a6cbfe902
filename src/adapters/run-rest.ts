// The Cloud Run Admin API v2 as REST JSON through the signed-in auth client. Not the @google-cloud/run
// client: its REST decoder drops every JSON key its protos lack, and the API is ahead of the protos, so a
// read-modify-write through it erases fields (docs/platform.md "Client library and REST wire"). Here a
// service is read and written as the server sent it, enums as names, unknown fields kept.
import type { AuthClient } from 'google-auth-library';
import { GRPC_CODE_NAMES } from '../core/retry-policy';
import { StepError } from '../errors';

/** A Google API error as the REST front end sends it (AIP-193), with the gRPC code as a number. */
export class RestError extends Error {
  constructor(
    message: string,
    /** gRPC code (google/rpc/code.proto); 14 for a network failure with no answer. */
    readonly code: number,
    /** HTTP status, 0 when nothing answered. */
    readonly httpStatus: number,
    /** `error.details[]` as sent (ErrorInfo, Help, …). */
    readonly details: ReadonlyArray<Record<string, unknown>> = [],
  ) {
    super(message);
    this.name = 'RestError';
  }

  /** The `reason` of the error's google.rpc.ErrorInfo, e.g. SERVICE_DISABLED. */
  get reason(): string | undefined {
    const info = this.details.find((d) => String(d['@type'] ?? '').endsWith('google.rpc.ErrorInfo'));
    return typeof info?.reason === 'string' ? info.reason : undefined;
  }

  /** The ErrorInfo's metadata (for SERVICE_DISABLED: `service`, `consumer`, `activationUrl`). */
  get metadata(): Record<string, string> {
    const info = this.details.find((d) => String(d['@type'] ?? '').endsWith('google.rpc.ErrorInfo'));
    return (info?.metadata as Record<string, string> | undefined) ?? {};
  }
}

export interface RunRestOptions {
  authClient: AuthClient;
  /** Base URL without `/v2`: `https://run.googleapis.com` in production, the emulator in tests. */
  baseUrl: string;
}

export type Json = Record<string, unknown>;

/** One REST call: `path` starts with `v2/`; query values are sent as given. */
export type RunRest = (
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
  path: string,
  query?: Record<string, string | undefined>,
  body?: Json,
) => Promise<Json>;

const CODE_OF_NAME: Readonly<Record<string, number>> = Object.fromEntries(
  Object.entries(GRPC_CODE_NAMES).map(([code, name]) => [name, Number(code)]),
);

/** gRPC code for an HTTP status when the body names none (google/rpc/code.proto's mapping, inverted). */
function codeOfHttp(status: number): number {
  const table: Record<number, number> = { 400: 3, 401: 16, 403: 7, 404: 5, 409: 10, 429: 8, 499: 1 };
  if (table[status] !== undefined) return table[status];
  if (status === 501) return 12;
  if (status === 503) return 14;
  if (status === 504) return 4;
  return status >= 500 ? 13 : 2;
}

/** Builds the REST caller. */
export function createRunRest({ authClient, baseUrl }: RunRestOptions): RunRest {
  const base = baseUrl.replace(/\/+$/, '');
  return async (method, path, query, body) => {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined) params.set(k, v);
    const qs = params.toString();
    const url = `${base}/${path}${qs ? `?${qs}` : ''}`;
    try {
      const res = await authClient.request<Json>({
        url,
        method,
        ...(body !== undefined && { data: body, headers: { 'content-type': 'application/json' } }),
        responseType: 'json',
      });
      return (res.data ?? {}) as Json;
    } catch (err) {
      // Signing in failed: the auth adapter already explained it.
      if (err instanceof StepError) throw err;
      const cause = (err as { cause?: unknown }).cause;
      if (cause instanceof StepError) throw cause;
      throw toRestError(err);
    }
  };
}

/** Any failure of a call as a RestError: Google's error body when there is one, else the HTTP status or the network error. */
export function toRestError(err: unknown): RestError {
  if (err instanceof RestError) return err;
  const e = err as {
    message?: string;
    status?: number;
    response?: { status?: number; data?: unknown };
    code?: unknown;
  };
  const status = e.response?.status ?? (typeof e.status === 'number' ? e.status : 0);
  let data = e.response?.data as unknown;
  if (typeof data === 'string') {
    try {
      data = JSON.parse(data);
    } catch {
      // Not JSON (an HTML page from a proxy): keep the HTTP status.
    }
  }
  const body = (data as { error?: Json } | undefined)?.error;
  if (body && typeof body === 'object') {
    const name = typeof body.status === 'string' ? body.status : undefined;
    const code = (name !== undefined ? CODE_OF_NAME[name] : undefined) ?? codeOfHttp(status);
    const details = Array.isArray(body.details) ? (body.details as Json[]) : [];
    const message = typeof body.message === 'string' ? body.message : `HTTP ${status}`;
    return new RestError(`${code} ${GRPC_CODE_NAMES[code] ?? ''}: ${message}`, code, status, details);
  }
  if (status > 0) {
    const code = codeOfHttp(status);
    return new RestError(`${code} ${GRPC_CODE_NAMES[code] ?? ''}: HTTP ${status}`, code, status);
  }
  // No answer at all (connection refused or reset, DNS, timeout): worth another try like a 503.
  return new RestError(`14 UNAVAILABLE: ${e.message ?? String(err)}`, 14, 0);
}
