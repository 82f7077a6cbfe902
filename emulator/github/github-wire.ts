// GitHub REST v3 on the wire: JSON bodies, GitHub's response headers, error bodies and Link pagination.
// Shapes follow docs.github.com/rest ("Using pagination in the REST API", "Troubleshooting the REST API",
// "Rate limits for the REST API").
import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';

/** The REST API version GitHub serves when a request names none (`x-github-api-version-selected`). */
export const API_VERSION = '2022-11-28';
/** Requests per hour of a GITHUB_TOKEN on github.com, reported in `x-ratelimit-limit`. */
export const RATE_LIMIT = 1000;

/** An answer other than success, thrown inside handlers and rendered once. */
export class GitHubError extends Error {
  constructor(
    readonly httpStatus: number,
    readonly body: Record<string, unknown>,
    readonly headers: Record<string, string> = {},
  ) {
    super(String(body.message));
  }
}

/** One entry of a 422's `errors` array, as GitHub's model validations report it. */
export interface ValidationProblem {
  resource: string;
  code: 'missing_field' | 'invalid' | 'custom' | 'unprocessable' | 'already_exists';
  field: string;
  message?: string;
}

/** 422 `Validation Failed` with the model's problems (docs: "Validation failed, or the endpoint has been spammed"). */
export function validationFailed(docs: string, ...errors: ValidationProblem[]): GitHubError {
  return new GitHubError(422, {
    message: 'Validation Failed',
    errors,
    documentation_url: docs,
    status: '422',
  });
}

/** 422 from the request schema check that runs before the models: a missing or mistyped parameter. */
export function invalidRequest(docs: string, detail: string): GitHubError {
  return new GitHubError(422, {
    message: `Invalid request.\n\n${detail}`,
    documentation_url: docs,
    status: '422',
  });
}

export function notFound(docs = 'https://docs.github.com/rest'): GitHubError {
  return new GitHubError(404, { message: 'Not Found', documentation_url: docs, status: '404' });
}

/** Reads a JSON object body; GitHub answers `400 Problems parsing JSON` to anything else. */
export async function readBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new GitHubError(400, {
      message: 'Problems parsing JSON',
      documentation_url: 'https://docs.github.com/rest',
      status: '400',
    });
  }
  return parsed as Record<string, unknown>;
}

/** The headers GitHub puts on every REST answer, with this token's rate-limit counters. */
export function commonHeaders(remaining: number, resetEpochSeconds: number): Record<string, string> {
  return {
    'content-type': 'application/json; charset=utf-8',
    'x-github-api-version-selected': API_VERSION,
    'x-github-media-type': 'github.v3; format=json',
    'x-github-request-id': randomBytes(8).toString('hex').toUpperCase(),
    'x-ratelimit-limit': String(RATE_LIMIT),
    'x-ratelimit-remaining': String(Math.max(0, remaining)),
    'x-ratelimit-used': String(RATE_LIMIT - Math.max(0, remaining)),
    'x-ratelimit-reset': String(resetEpochSeconds),
    'x-ratelimit-resource': 'core',
  };
}

export function sendGitHub(
  res: ServerResponse,
  httpStatus: number,
  body: unknown,
  headers: Record<string, string>,
): void {
  if (httpStatus === 204) {
    const { 'content-type': _omit, ...rest } = headers;
    void _omit;
    res.writeHead(204, rest);
    res.end();
    return;
  }
  const text = JSON.stringify(body);
  res.writeHead(httpStatus, { ...headers, 'content-length': String(Buffer.byteLength(text)) });
  res.end(text);
}

/** A page of `items` by `per_page` (default 30, at most 100) and `page`, with GitHub's `Link` header. */
export function paginate<T>(
  items: T[],
  query: URLSearchParams,
  selfUrl: string,
): { page: T[]; link?: string } {
  const perPage = Math.min(100, Math.max(1, Number(query.get('per_page')) || 30));
  const page = Math.max(1, Math.floor(Number(query.get('page')) || 1));
  const last = Math.max(1, Math.ceil(items.length / perPage));
  const slice = items.slice((page - 1) * perPage, page * perPage);
  const at = (n: number) => {
    const u = new URL(selfUrl);
    u.searchParams.set('per_page', String(perPage));
    u.searchParams.set('page', String(n));
    return u.toString();
  };
  const rels: string[] = [];
  if (page > 1) rels.push(`<${at(page - 1)}>; rel="prev"`);
  if (page < last) rels.push(`<${at(page + 1)}>; rel="next"`, `<${at(last)}>; rel="last"`);
  if (page > 1) rels.push(`<${at(1)}>; rel="first"`);
  return { page: slice, link: rels.length ? rels.join(', ') : undefined };
}

/** GitHub's timestamps: ISO 8601 in UTC without milliseconds. */
export function formatTime(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
