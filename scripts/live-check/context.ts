// The one thing the checks run against: Cloud Run, Monitoring and Logging REST plus plain HTTP to service
// URLs, an ID token minter and a clock. scripts/live-check.ts builds it for Google (Application Default Credentials) or for
// the local emulator; the checks cannot tell the difference.
import type { CloudRunRest, Operation } from './cloud-run-rest';
import { ApiCallError } from './cloud-run-rest';
import type { ObservabilityRest } from './observability-rest';

/** One answer from a service URL. */
export interface HttpAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Bounds on every wait, so a check that never settles ends with a row saying so. */
export interface Timing {
  /** Operation polling interval. */
  pollMs: number;
  /** Longest wait for one operation. */
  operationMs: number;
  /** Longest time one group of checks may take, clean-up not included. */
  groupMs: number;
  /** Check 5: longest wait for 100 consecutive answers from the new target. */
  settleMs: number;
  /** Check 6: longest wait for a public service to answer without a token. */
  publicMs: number;
  /** Pause between probe requests while waiting for a change to show. */
  probeEveryMs: number;
  /** Timeout of one request to a service URL. */
  requestMs: number;
  /** Check 10a: how long the stream whose request log is read stays open. */
  streamHoldMs: number;
  /** Check 10: longest wait for a request log to be listed. */
  logsMs: number;
  /** Check 10d: longest wait for request_count to count a request. */
  metricsMs: number;
  /** Check 10: pause between Logging or Monitoring reads (Logging allows 60 reads a minute per project). */
  observeEveryMs: number;
}

/** Google timings: revisions take tens of seconds, IAM up to 7 minutes (docs/platform.md "IAM propagation"). */
export const GOOGLE_TIMING: Timing = {
  pollMs: 2000,
  operationMs: 10 * 60_000,
  groupMs: 25 * 60_000,
  settleMs: 5 * 60_000,
  publicMs: 10 * 60_000,
  probeEveryMs: 1000,
  requestMs: 20_000,
  streamHoldMs: 20_000,
  logsMs: 10 * 60_000,
  metricsMs: 10 * 60_000,
  observeEveryMs: 10_000,
};

/** Emulator timings: everything is local, so short bounds keep a broken check from hanging the test. */
export const EMULATOR_TIMING: Timing = {
  pollMs: 50,
  operationMs: 60_000,
  groupMs: 150_000,
  settleMs: 20_000,
  publicMs: 20_000,
  probeEveryMs: 50,
  requestMs: 5_000,
  streamHoldMs: 600,
  logsMs: 20_000,
  metricsMs: 20_000,
  observeEveryMs: 100,
};

export interface LiveContext {
  /** Where the checks run; only the report header uses it. */
  target: 'google' | 'emulator';
  project: string;
  region: string;
  image: string;
  /** Prefix of every resource this run creates, `sd-live-<random>`; nothing else is ever touched. */
  prefix: string;
  run: CloudRunRest;
  /** Cloud Monitoring and Cloud Logging reads (check 10), through the same authorised client as `run`. */
  observability: ObservabilityRest;
  /** GET `url`; with `idToken` as the bearer; `timeoutMs` replaces timing.requestMs. Never throws for an HTTP status. */
  get(
    url: string,
    options?: { idToken?: string; signal?: AbortSignal; timeoutMs?: number },
  ): Promise<HttpAnswer>;
  /** An ID token whose audience is `audience` (docs/platform.md "Private smoke requests"). */
  idToken(audience: string): Promise<string>;
  /** Also time the `allUsers` IAM binding route to a public service (check 6b). */
  checkIamBinding: boolean;
  timing: Timing;
  now(): number;
  /** Waits `ms`, or rejects when `signal` aborts. */
  sleep(ms: number): Promise<void>;
  log(line: string): void;
  /** Aborted on SIGINT or when a group's time is up. */
  signal: AbortSignal;
}

/** A copy of `ctx` whose waits also end when `signal` aborts. */
export function withSignal(ctx: LiveContext, signal: AbortSignal): LiveContext {
  return {
    ...ctx,
    signal,
    sleep: (ms) => sleepFor(ms, signal),
    get: (url, options) => ctx.get(url, { ...options, signal }),
  };
}

/** setTimeout as a promise that rejects with the abort reason. */
export function sleepFor(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason as Error);
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason as Error);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** GET over fetch with a timeout; headers lower-cased, body as text. */
export async function fetchAnswer(
  url: string,
  idToken: string | undefined,
  timeoutMs: number,
  signal: AbortSignal,
): Promise<HttpAnswer> {
  const res = await fetch(url, {
    headers: idToken ? { authorization: `Bearer ${idToken}` } : {},
    redirect: 'manual',
    signal: AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]),
  });
  const headers: Record<string, string> = {};
  res.headers.forEach((value, key) => (headers[key] = value));
  return { status: res.status, headers, body: await res.text() };
}

/** Caches ID tokens per audience for 30 minutes (they live an hour). */
export function cachedIdTokens(mint: (audience: string) => Promise<string>, now: () => number) {
  const cache = new Map<string, { token: string; at: number }>();
  return async (audience: string): Promise<string> => {
    const hit = cache.get(audience);
    if (hit && now() - hit.at < 30 * 60_000) return hit.token;
    const token = await mint(audience);
    cache.set(audience, { token, at: now() });
    return token;
  };
}

/** Services this run created; clean-up deletes exactly these and nothing else. */
export class Resources {
  private readonly names = new Set<string>();

  /** Records a service name before the call that creates it, so an interrupted create is still cleaned up. */
  track(name: string): void {
    this.names.add(name);
  }

  list(): string[] {
    return [...this.names];
  }

  /**
   * Deletes every tracked service, retrying while Google refuses (an operation still running), within
   * `timeoutMs`; a 404 counts as deleted. Returns the names that could not be deleted.
   */
  async deleteAll(run: CloudRunRest, timing: Timing, log: (line: string) => void): Promise<string[]> {
    const signal = AbortSignal.timeout(timing.operationMs);
    const results = await Promise.all(
      this.list().map(async (name) => {
        for (;;) {
          try {
            const answer = await run.deleteService(name);
            if (answer.status === 404) return undefined;
            if (answer.status === 200) {
              const op = await run.awaitOperation(
                answer.body as unknown as Operation,
                timing.operationMs,
                signal,
              );
              if (!op.error) {
                log(`deleted ${name}`);
                return undefined;
              }
              log(`deleting ${name}: operation error ${op.error.code} ${op.error.message}; retrying`);
            } else {
              log(`deleting ${name}: ${new ApiCallError('DELETE', answer).message}; retrying`);
            }
          } catch (err) {
            if (signal.aborted) {
              log(`deleting ${name}: gave up: ${(err as Error).message}`);
              return name;
            }
            log(`deleting ${name}: ${(err as Error).message}; retrying`);
          }
          try {
            await sleepFor(Math.max(timing.pollMs, 1000), signal);
          } catch {
            return name;
          }
        }
      }),
    );
    return results.filter((n): n is string => n !== undefined);
  }
}
