// What a failed GitHub call means, in one place: a refusal (a missing permission), a rate limit with the
// wait GitHub asks for, or a passing failure. The reporter and the cleanup both decide from it. Pure.

/** The wait GitHub asks for when a rate limit names none: "wait at least one minute" (docs/platform.md "Secondary rate limits"). */
export const DEFAULT_RATE_LIMIT_WAIT_MS = 60_000;

/** How a failed call is treated: a refusal, a rate limit (with the wait GitHub asks for), or a passing failure. */
export type CallFailure =
  { kind: 'denied' } | { kind: 'rate-limited'; secondary: boolean; retryAt: number } | { kind: 'transient' };

/**
 * Classifies a GitHub error (an Octokit RequestError). The primary rate limit is a 403 (or 429) with
 * `x-ratelimit-remaining: 0`, wait until `x-ratelimit-reset`; a secondary one says so in its message, wait
 * `retry-after` seconds; either without a header: at least one minute (docs/platform.md "Secondary rate
 * limits"). Any other 401 or 403 is a refusal. `now` is epoch ms.
 */
export function classifyFailure(err: unknown, now: number): CallFailure {
  const e = err as { status?: number; message?: string; response?: { headers?: Record<string, string> } };
  const headers = e.response?.headers ?? {};
  const message = e.message ?? '';
  const secondary = /secondary rate limit/i.test(message);
  const primary = headers['x-ratelimit-remaining'] === '0' || /rate limit/i.test(message);
  if (e.status === 429 || secondary || ((e.status === 403 || e.status === undefined) && primary)) {
    const after = Number(headers['retry-after']);
    const reset = Number(headers['x-ratelimit-reset']);
    const retryAt =
      Number.isFinite(after) && headers['retry-after'] !== undefined
        ? now + after * 1000
        : headers['x-ratelimit-remaining'] === '0' && Number.isFinite(reset) && reset > 0
          ? Math.max(now, reset * 1000)
          : now + DEFAULT_RATE_LIMIT_WAIT_MS;
    return { kind: 'rate-limited', secondary: secondary || e.status === 429, retryAt };
  }
  if (e.status === 401 || e.status === 403) return { kind: 'denied' };
  return { kind: 'transient' };
}
