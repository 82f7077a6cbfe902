// The smoke-probe port: runs one whole smoke test against a URL (health, `connections` streams at once,
// the SSE reconnect) on one clock, then hands the observations to the pure judge in core. The ID token
// goes only to the service's own URLs (docs/platform.md "Private smoke requests").
import { performance } from 'node:perf_hooks';
import type {
  HealthObservation,
  ReconnectObservation,
  SmokeCheck,
  SmokeCriteria,
  SmokeResult,
} from '../core/smoke-types';
import {
  judgeHealth,
  judgeHttp,
  judgeSmoke,
  judgeSse,
  judgeWebSocket,
  type StreamJudgement,
} from '../core/smoke';
import { probeHealth } from './health-probe';
import { probeHttp, type Elapsed } from './http-probe';
import { reconnectSse, watchSse, type RecordedSse } from './sse-probe';
import { watchWebSocket } from './websocket-probe';

export interface SmokeProbe {
  /** Never rejects for what the service does: every failure is in the result's checks and verdict. */
  run(url: string, criteria: SmokeCriteria, auth?: { idToken: string }): Promise<SmokeResult>;
}

export interface SmokeProbeOptions {
  /** The service's own URLs (service URL, tag URLs): only these origins ever receive the ID token. */
  allowedOrigins: string[];
  /** Send the ID token to any smoke URL (the caller's explicit opt-in for a URL outside the service). */
  sendTokenAnywhere?: boolean;
  /** A monotonic clock in ms; default performance.now. */
  now?: () => number;
  /** Progress lines; never given a token. */
  log?: (line: string) => void;
}

/** A probe that records on one clock from the run's start and judges with src/core/smoke/. */
export function createSmokeProbe(options: SmokeProbeOptions): SmokeProbe {
  const now = options.now ?? (() => performance.now());
  const log = options.log ?? (() => undefined);
  const allowed = new Set(options.allowedOrigins.map(originOf));

  return {
    async run(url, criteria, auth) {
      const start = now();
      const elapsed: Elapsed = () => now() - start;
      const headers: Record<string, string> = {};
      if (auth) {
        if (options.sendTokenAnywhere || allowed.has(originOf(url))) {
          headers.Authorization = `Bearer ${auth.idToken}`;
        } else {
          log(
            `Not sending the ID token to ${originOf(url)}: not one of the service's URLs (opt in to send it anywhere).`,
          );
        }
      }
      const scrub = (obs: unknown): void => {
        if (auth) scrubToken(obs, auth.idToken);
      };

      let healthCheck: SmokeCheck | undefined;
      if (criteria.healthPath !== '') {
        const health = await probeHealth(joinUrl(url, criteria.healthPath), {
          headers,
          timeoutMs: criteria.healthTimeoutMs,
          elapsed,
        });
        scrub(health);
        log(`Health ${health.url}: ${describeHealth(health)}`);
        healthCheck = judgeHealth(health, criteria);
      }

      const target = joinUrl(url, criteria.path);
      const count = Math.max(1, criteria.connections);
      const watch = {
        headers,
        durationMs: criteria.durationMs,
        firstEventTimeoutMs: criteria.firstEventTimeoutMs,
        elapsed,
      };
      let stream: StreamJudgement;
      switch (criteria.protocol) {
        case 'sse': {
          log(`SSE ${target}: ${count} connection(s) for ${criteria.durationMs} ms`);
          const conns = await openRamped(count, () =>
            watchSse(target, {
              ...watch,
              acceptEncoding: criteria.acceptEncoding,
              commentsAreLiveness: criteria.minEventsIsDefault === true,
            }),
          );
          let reconnect: ReconnectObservation | undefined;
          const lastEventId = conns.find((c) => c.lastEventId !== undefined)?.lastEventId;
          if (criteria.checkReconnect && lastEventId !== undefined) {
            log(`SSE ${target}: reconnecting with Last-Event-ID ${lastEventId}`);
            reconnect = await reconnectSse(target, lastEventId, {
              headers,
              acceptEncoding: criteria.acceptEncoding,
              timeoutMs: criteria.firstEventTimeoutMs,
              elapsed,
            });
          }
          conns.forEach(scrub);
          scrub(reconnect);
          log(`SSE ${target}: ${describeSse(conns)}`);
          stream = judgeSse(conns, reconnect, criteria);
          break;
        }
        case 'websocket': {
          log(`WebSocket ${target}: ${count} connection(s) for ${criteria.durationMs} ms`);
          const conns = await openRamped(count, () =>
            watchWebSocket(target, { ...watch, send: criteria.send }),
          );
          conns.forEach(scrub);
          stream = judgeWebSocket(conns, criteria);
          break;
        }
        case 'grpc': {
          // grpc.health.v1 Check and Watch on the service itself: the path plays no part.
          log(`gRPC ${url}: Health/Check and Watch for ${criteria.durationMs} ms`);
          const { probeGrpc } = await import('./grpc-probe');
          const { judgeGrpc } = await import('../core/grpc-verdict');
          const obs = await probeGrpc(url, {
            durationMs: criteria.durationMs,
            deadlineMs: criteria.firstEventTimeoutMs,
            idToken: headers.Authorization ? auth?.idToken : undefined,
            elapsed,
          });
          scrub(obs);
          stream = judgeGrpc(obs, criteria);
          break;
        }
        case 'http': {
          const obs = await probeHttp(target, {
            headers,
            timeoutMs: Math.max(criteria.durationMs, criteria.firstEventTimeoutMs),
            elapsed,
          });
          scrub(obs);
          stream = judgeHttp(obs, criteria);
          break;
        }
      }
      const result = judgeSmoke(url, criteria, healthCheck, stream);
      log(`Smoke ${url}: ${result.verdict}`);
      return result;
    },
  };
}

/** `url` + `path`, with exactly one slash between them; `path` may carry a query. */
export function joinUrl(url: string, path: string): string {
  return `${url.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`;
}

function originOf(url: string): string {
  return new URL(url).origin;
}

// Node puts no header values in its error messages, but a token in an observation would reach the
// result's details and the log, so every string field is checked anyway.
function scrubToken(value: unknown, token: string): void {
  if (value === null || typeof value !== 'object' || token === '') return;
  const record = value as Record<string, unknown>;
  for (const [key, field] of Object.entries(record)) {
    if (typeof field === 'string' && field.includes(token)) record[key] = field.split(token).join('***');
    else if (typeof field === 'object') scrubToken(field, token);
  }
}

function describeHealth(health: HealthObservation): string {
  const last = health.attempts[health.attempts.length - 1];
  const outcome = last?.status !== undefined ? `HTTP ${last.status}` : (last?.error?.message ?? 'no attempt');
  return `${outcome} after ${health.attempts.length} attempt(s)`;
}

function describeSse(conns: RecordedSse[]): string {
  const events = conns.reduce((sum, c) => sum + c.events.length + c.eventsNotStored, 0);
  const open = conns.filter((c) => c.status === 200 && c.endedMs === undefined && !c.error).length;
  return `${events} event(s), ${open}/${conns.length} still open at the end`;
}

/** Streams opened per batch, and the pause between batches: see bench/RESULTS.md. */
const RAMP_BATCH = 20;
const RAMP_PAUSE_MS = 20;

/**
 * Opens `count` streams in batches of 20 every 20 ms instead of all at once: with 1,000 at once the burst of
 * connection set-ups stalls the event loop and first events wait unread (p95 error 143 ms SSE / 252 ms
 * WebSocket), ramped they are read within ~10 ms (bench/RESULTS.md). Each stream's own timeline starts at its
 * request, so judging is unchanged; they all still overlap for the watch.
 */
async function openRamped<T>(count: number, open: () => Promise<T>): Promise<T[]> {
  const pending: Array<Promise<T>> = [];
  for (let i = 0; i < count; i++) {
    if (i > 0 && i % RAMP_BATCH === 0) await new Promise((resolve) => setTimeout(resolve, RAMP_PAUSE_MS));
    pending.push(open());
  }
  return Promise.all(pending);
}
