// The health probe: GET the health path until it answers 2xx or the deadline passes, backing off while a
// fresh instance starts, and record every attempt for the verdict.
import type { HealthObservation } from '../core/smoke-types';
import { openGet, timeoutError, toProbeError, type Elapsed } from './http-probe';

type Attempt = HealthObservation['attempts'][number];

export interface HealthProbeOptions {
  headers: Record<string, string>;
  /** Retries stop once this much time has passed since the first attempt. */
  timeoutMs: number;
  elapsed: Elapsed;
  /** First pause between attempts; it doubles up to `maxBackoffMs`. Default 250 ms. */
  initialBackoffMs?: number;
  /** Longest pause between attempts. Default 2 s. */
  maxBackoffMs?: number;
  /** Longest wait for one attempt's answer. Default 5 s (capped by what is left of `timeoutMs`). */
  attemptTimeoutMs?: number;
  /**
   * How long 401/403 answers are retried. They come from Cloud Run's IAM check, not from an instance that
   * is still starting, so waiting helps only while a just-made IAM change spreads. Default 10 s.
   */
  authRetryMs?: number;
}

/** Below this much time left, another attempt could not get an answer: stop instead. */
const MIN_ATTEMPT_MS = 100;

/** Always makes at least one attempt; stops at the first 2xx. */
export async function probeHealth(url: string, options: HealthProbeOptions): Promise<HealthObservation> {
  const { elapsed } = options;
  const deadline = elapsed() + options.timeoutMs;
  const maxBackoff = options.maxBackoffMs ?? 2000;
  let backoff = options.initialBackoffMs ?? 250;
  const attempts: Attempt[] = [];
  const started = elapsed();
  const authRetryMs = options.authRetryMs ?? 10_000;
  for (;;) {
    const left = deadline - elapsed();
    if (attempts.length > 0 && left < MIN_ATTEMPT_MS) break;
    const attempt = await attemptHealth(
      url,
      options.headers,
      Math.max(1, Math.min(options.attemptTimeoutMs ?? 5000, left)),
      elapsed,
    );
    attempts.push(attempt);
    if (attempt.status !== undefined && attempt.status >= 200 && attempt.status < 300) break;
    if ((attempt.status === 401 || attempt.status === 403) && elapsed() - started >= authRetryMs) break;
    const pause = Math.min(backoff, deadline - elapsed());
    if (pause <= 0) break;
    await new Promise((resolve) => setTimeout(resolve, pause));
    backoff = Math.min(backoff * 2, maxBackoff);
  }
  return { url, attempts };
}

// One GET: resolves with the status as soon as headers arrive; the small body is drained, then closed.
function attemptHealth(
  url: string,
  headers: Record<string, string>,
  timeoutMs: number,
  elapsed: Elapsed,
): Promise<Attempt> {
  return new Promise((resolve) => {
    const atMs = elapsed();
    const get = openGet(url, headers);
    let answered = false;
    const settle = (attempt: Attempt): void => {
      if (answered) return;
      answered = true;
      resolve(attempt);
    };
    // Also bounds the body: a health path that streams forever must not keep its socket open.
    const timer = setTimeout(() => {
      settle({ atMs, error: timeoutError(get.connected() ? 'response' : 'connect', 'no answer', timeoutMs) });
      get.request.destroy();
    }, timeoutMs);
    get.request.on('error', (error) => {
      clearTimeout(timer);
      settle({ atMs, error: toProbeError(error, get.connected() ? 'response' : 'connect') });
    });
    get.request.on('response', (res) => {
      settle({ atMs, status: res.statusCode });
      res.on('error', () => undefined);
      res.on('end', () => clearTimeout(timer));
      res.resume();
    });
  });
}
