// When and how long to wait before calling the Cloud Run API again after it failed. Pure: the adapter
// supplies the error's code and a random number; no clock, no I/O.

/** gRPC status codes as google-gax reports them (google/rpc/code.proto). */
export const GRPC_CODE_NAMES: Readonly<Record<number, string>> = {
  1: 'CANCELLED',
  2: 'UNKNOWN',
  3: 'INVALID_ARGUMENT',
  4: 'DEADLINE_EXCEEDED',
  5: 'NOT_FOUND',
  6: 'ALREADY_EXISTS',
  7: 'PERMISSION_DENIED',
  8: 'RESOURCE_EXHAUSTED',
  9: 'FAILED_PRECONDITION',
  10: 'ABORTED',
  11: 'OUT_OF_RANGE',
  12: 'UNIMPLEMENTED',
  13: 'INTERNAL',
  14: 'UNAVAILABLE',
  15: 'DATA_LOSS',
  16: 'UNAUTHENTICATED',
};

/** The HTTP status Google's REST front end sends with each code (google/rpc/code.proto's mapping). */
const HTTP_OF_CODE: Readonly<Record<number, number>> = {
  1: 499,
  2: 500,
  3: 400,
  4: 504,
  5: 404,
  6: 409,
  7: 403,
  8: 429,
  9: 400,
  10: 409,
  11: 400,
  12: 501,
  13: 500,
  14: 503,
  15: 500,
  16: 401,
};

/**
 * Codes worth another try: the request was throttled (429 RESOURCE_EXHAUSTED), the front end or backend
 * failed (500 INTERNAL/UNKNOWN, 503 UNAVAILABLE) or timed out (504 DEADLINE_EXCEEDED). Google's own
 * guidance: retry these with truncated exponential backoff and jitter
 * (cloud.google.com/storage/docs/retry-strategy, cloud.google.com/apis/design/errors#retrying_errors).
 */
const TRANSIENT = new Set([2, 4, 8, 13, 14]);

export interface RetryPolicy {
  /** Tries in all, the first included. */
  attempts: number;
  /** Pause before the second try; it grows by `multiplier` up to `maxDelayMs`. */
  initialDelayMs: number;
  multiplier: number;
  maxDelayMs: number;
}

/** Five tries over about 7 s (0.5 + 1 + 2 + 4 s, each with up to half taken off by jitter). */
export const API_RETRY: RetryPolicy = { attempts: 5, initialDelayMs: 500, multiplier: 2, maxDelayMs: 8000 };

/** True for errors another identical request may not hit. */
export function isTransient(code: number | undefined): boolean {
  return code !== undefined && TRANSIENT.has(code);
}

/** e.g. `UNAVAILABLE (HTTP 503)` for messages people can match against the docs. */
export function describeCode(code: number | undefined): string {
  if (code === undefined) return 'an error';
  const name = GRPC_CODE_NAMES[code] ?? `code ${code}`;
  const http = HTTP_OF_CODE[code];
  return http ? `${name} (HTTP ${http})` : name;
}

/**
 * The pause after failed try number `attempt` (1-based), or undefined when no try is left.
 * "Equal jitter": half the exponential delay plus a random share of the other half, so many runners
 * throttled at once do not come back in step. `random` is in [0, 1).
 */
export function retryDelayMs(policy: RetryPolicy, attempt: number, random: number): number | undefined {
  if (attempt >= policy.attempts) return undefined;
  const base = Math.min(policy.initialDelayMs * policy.multiplier ** (attempt - 1), policy.maxDelayMs);
  return Math.round(base / 2 + (base / 2) * Math.min(Math.max(random, 0), 1));
}
