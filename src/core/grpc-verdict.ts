// Judging the gRPC smoke test: what the probe saw of `grpc.health.v1.Health` (Check, and the
// server-streaming Watch, as timelines in ms from the probe's start) to the checks `grpc-health` and
// `grpc-watch`, metrics and a verdict, in the shapes of src/core/smoke-types.ts. Pure: no I/O, no clock.

import type { SmokeCheck, SmokeMetrics, Verdict } from './smoke-types';
import { CANNOT_JUDGE, formatMs, type StreamJudgement } from './smoke';

/** grpc.health.v1.HealthCheckResponse.ServingStatus, by name. */
export type GrpcHealthStatus = 'UNKNOWN' | 'SERVING' | 'NOT_SERVING' | 'SERVICE_UNKNOWN';

/** A call that ended with a gRPC status other than OK. */
export interface GrpcCallError {
  /** The gRPC status code, e.g. 14. */
  code: number;
  /** Its name, e.g. `UNAVAILABLE`. */
  codeName: string;
  details: string;
  /** The HTTP status when the answer was not gRPC and grpc-js mapped it to a code (404 -> UNIMPLEMENTED). */
  httpStatus?: number;
  /** Response headers arrived: the call reached a server, whatever it said. */
  answered: boolean;
}

/** `Health/Check`, retried while nothing answers (a fresh instance starting) until the deadline. */
export interface GrpcCheckObservation {
  attempts: number;
  /** When the last attempt ended. */
  atMs?: number;
  status?: GrpcHealthStatus;
  error?: GrpcCallError;
  /** The response's `content-type`, when headers came (`application/grpc…` for a gRPC server). */
  contentType?: string;
  /** The `x-revision` response metadata, when the app names its revision. */
  revision?: string;
}

/** `Health/Watch`, watched for `durationMs` (longer while its first message is still due). */
export interface GrpcWatchObservation {
  startMs: number;
  contentType?: string;
  revision?: string;
  /** Every status the server streamed, with its arrival. */
  messages: Array<{ atMs: number; status: GrpcHealthStatus }>;
  /** When the server ended the stream (OK or an error) before the probe stopped watching. */
  endedMs?: number;
  error?: GrpcCallError;
  /** When the probe stopped watching. */
  stoppedMs: number;
  /** Open, without an end from the server, for the whole `durationMs`. */
  stayedOpen: boolean;
}

export interface GrpcObservation {
  url: string;
  /** `host:port` the channel dialled. */
  target: string;
  /** TLS (https URL) or h2c (http URL). */
  tls: boolean;
  /** The `service` field sent: `''` asks about the whole server. */
  service: string;
  startMs: number;
  check: GrpcCheckObservation;
  watch: GrpcWatchObservation;
  /** The probe's overall deadline cut it short. */
  deadlineHit: boolean;
  stoppedMs: number;
}

/** What `judgeGrpc` needs of the smoke criteria (a `SmokeCriteria` fits). */
export interface GrpcCriteria {
  /** How long Watch must stay open. */
  durationMs: number;
  /** Watch's first status must arrive within this of the call. */
  firstEventTimeoutMs: number;
}

export interface GrpcJudgement extends StreamJudgement {
  /** One line: the verdict, the statuses seen and the timings. */
  summary: string;
}

const HEALTH_HINT =
  'the app has no gRPC health service: register the standard grpc.health.v1.Health service (Node: the `grpc-health-check` package; Go: google.golang.org/grpc/health; Java: io.grpc:grpc-services HealthStatusManager; Python: grpcio-health-checking) and set it SERVING';

// The checks `grpc-health` (Check says SERVING) and `grpc-watch` (a first status in time, all SERVING, and
// the stream held for the watch); connection failures that never reached the service are cannot-judge.
export function judgeGrpc(obs: GrpcObservation, criteria: GrpcCriteria): GrpcJudgement {
  const health = judgeCheck(obs);
  const watch = judgeWatch(obs, criteria);
  const checks = [health, watch];
  const failed = checks.filter((c) => !c.ok);
  const verdict: Verdict =
    failed.length === 0
      ? 'pass'
      : failed.every((c) => c.detail.startsWith(CANNOT_JUDGE))
        ? 'inconclusive'
        : 'fail';
  const first = obs.watch.messages[0];
  const metrics: SmokeMetrics = {
    connectMs:
      obs.check.atMs !== undefined && obs.check.status !== undefined
        ? obs.check.atMs - obs.startMs
        : undefined,
    firstEventMs: first ? first.atMs - obs.watch.startMs : undefined,
    events: obs.watch.messages.length,
    buffered: false,
    connectionsHeld: obs.watch.stayedOpen ? 1 : 0,
    connectionsTried: 1,
  };
  return { checks, metrics, verdict, summary: summarize(obs, verdict, checks) };
}

// ---------------------------------------------------------------------------------------------------
// Check

function judgeCheck(obs: GrpcObservation): SmokeCheck {
  const check = obs.check;
  const name = 'grpc-health';
  const call = `Health/Check${obs.service ? ` for service "${obs.service}"` : ''}`;
  const tries = check.attempts > 1 ? ` on attempt ${check.attempts}` : '';
  const at = check.atMs !== undefined ? ` at ${formatMs(check.atMs - obs.startMs)}` : '';
  const rev = check.revision ? ` (revision ${check.revision})` : '';
  if (check.status === 'SERVING') {
    return { name, ok: true, detail: `${call} answered SERVING${at}${tries}${rev}` };
  }
  if (check.status !== undefined) {
    const why =
      check.status === 'NOT_SERVING'
        ? 'the app reports itself not ready to serve'
        : check.status === 'SERVICE_UNKNOWN'
          ? 'the health service does not know this service name'
          : 'the app has not set a status';
    return {
      name,
      ok: false,
      detail: `${call} answered ${check.status}${at}${rev}: ${why}; expected SERVING`,
    };
  }
  if (!check.error) return { name, ok: false, detail: `${call} got no answer` };
  const tried = check.attempts > 1 ? ` after ${check.attempts} attempts` : '';
  return {
    name,
    ok: false,
    detail: describeCallError(check.error, check.contentType, `${call}${tried}`, obs),
  };
}

// ---------------------------------------------------------------------------------------------------
// Watch

function judgeWatch(obs: GrpcObservation, criteria: GrpcCriteria): SmokeCheck {
  const w = obs.watch;
  const name = 'grpc-watch';
  const first = w.messages[0];
  if (!first) {
    if (w.error) {
      if (w.error.codeName === 'UNIMPLEMENTED' && !isNonGrpc(w.error, w.contentType)) {
        const detail =
          obs.check.status !== undefined
            ? `Health/Watch is UNIMPLEMENTED although Check answered: the health service implements Check only; use a current grpc.health.v1 implementation, which streams Watch`
            : `Health/Watch is UNIMPLEMENTED too: ${HEALTH_HINT}`;
        return { name, ok: false, detail };
      }
      return { name, ok: false, detail: describeCallError(w.error, w.contentType, 'Health/Watch', obs) };
    }
    const lasted = formatMs(w.stoppedMs - w.startMs);
    return {
      name,
      ok: false,
      detail:
        w.endedMs !== undefined
          ? `Health/Watch ended after ${formatMs(w.endedMs - w.startMs)} without sending a status; expected one within ${formatMs(criteria.firstEventTimeoutMs)} and the stream held open`
          : `Health/Watch sent no status in ${lasted}; expected the current status within ${formatMs(criteria.firstEventTimeoutMs)}`,
    };
  }
  const firstMs = first.atMs - w.startMs;
  const statuses = describeStatuses(w);
  if (firstMs > criteria.firstEventTimeoutMs) {
    return {
      name,
      ok: false,
      detail: `the first status (${first.status}) came ${formatMs(firstMs)} after the call; expected within ${formatMs(criteria.firstEventTimeoutMs)}`,
    };
  }
  const notServing = w.messages.find((m) => m.status !== 'SERVING');
  if (notServing) {
    return {
      name,
      ok: false,
      detail: `Health/Watch streamed ${statuses}; expected SERVING throughout the ${formatMs(criteria.durationMs)} watch`,
    };
  }
  if (!w.stayedOpen) {
    const endedMs = (w.endedMs ?? w.stoppedMs) - w.startMs;
    const how = w.error
      ? `broke off at ${formatMs(endedMs)}: ${w.error.codeName}: ${w.error.details}`
      : `was ended by the server at ${formatMs(endedMs)}`;
    return {
      name,
      ok: false,
      detail: `Health/Watch sent ${statuses}, then ${how}; expected the stream to stay open for the ${formatMs(criteria.durationMs)} watch (a Watch stream stays open until the client cancels it)`,
    };
  }
  return {
    name,
    ok: true,
    detail: `Health/Watch sent SERVING ${formatMs(firstMs)} after the call and stayed open for the ${formatMs(criteria.durationMs)} watch`,
  };
}

function describeStatuses(w: GrpcWatchObservation): string {
  return w.messages
    .slice(0, 6)
    .map((m) => `${m.status} at ${formatMs(m.atMs - w.startMs)}`)
    .join(', ')
    .concat(w.messages.length > 6 ? `, … (${w.messages.length} in all)` : '');
}

// ---------------------------------------------------------------------------------------------------
// Wording

/** The answer was not gRPC: an HTTP status grpc-js mapped, or headers whose content type is not gRPC. */
function isNonGrpc(error: GrpcCallError, contentType: string | undefined): boolean {
  return (
    error.httpStatus !== undefined ||
    (contentType !== undefined && !contentType.startsWith('application/grpc'))
  );
}

function describeCallError(
  error: GrpcCallError,
  contentType: string | undefined,
  call: string,
  obs: GrpcObservation,
): string {
  const raw = `${error.codeName}: ${error.details}`;
  if (isNonGrpc(error, contentType)) {
    const answer = `${error.httpStatus !== undefined ? `HTTP ${error.httpStatus}` : 'a response'}${contentType ? ` with content-type ${contentType}` : ''}`;
    return `${call} got ${answer}, not a gRPC answer (${raw}): ${explainNonGrpc(error.httpStatus, obs)}`;
  }
  switch (error.codeName) {
    case 'UNIMPLEMENTED':
      return `${call} is UNIMPLEMENTED: ${HEALTH_HINT}`;
    case 'NOT_FOUND':
      return `${call} is NOT_FOUND: the health service has no status for "${obs.service}"; register that name or probe the whole server (empty service)`;
    case 'UNAVAILABLE':
      if (/protocol error/i.test(error.details)) {
        return `${call} reached ${obs.target} but it does not speak HTTP/2 (${raw}): point the probe at a gRPC server; on Cloud Run name the container port h2c (docs/platform.md, end-to-end HTTP/2)`;
      }
      if (!error.answered) {
        return `${CANNOT_JUDGE}${call} never reached the service at ${obs.target} (${raw}); the network, DNS, TLS or the URL is at fault, not the app`;
      }
      return `${call} failed: ${raw}`;
    case 'DEADLINE_EXCEEDED':
      if (!error.answered && /LB pick|waiting for|name resolution/i.test(error.details)) {
        return `${CANNOT_JUDGE}${call} could not connect to ${obs.target} before the deadline (${raw}); the network, DNS, TLS or the URL is at fault, not the app`;
      }
      return `${call} got no answer before the deadline (${raw}): the app accepted the call but never answered`;
    case 'UNAUTHENTICATED':
      return `${call} is UNAUTHENTICATED (${raw}): a private service needs an ID token whose audience is the service URL (docs/platform.md "Private smoke requests")`;
    case 'PERMISSION_DENIED':
      return `${call} is PERMISSION_DENIED (${raw}): grant roles/run.invoker to the identity, or check the ID token's audience`;
    default:
      return `${call} failed: ${raw}`;
  }
}

function explainNonGrpc(httpStatus: number | undefined, obs: GrpcObservation): string {
  const h2c = obs.tls
    ? 'the app must speak gRPC and the Cloud Run container port be named h2c (docs/platform.md, end-to-end HTTP/2)'
    : 'the app must speak gRPC over h2c';
  if (httpStatus === 401)
    return 'the request carried no valid ID token; a private service needs one whose audience is the service URL (docs/platform.md "Private smoke requests")';
  if (httpStatus === 403)
    return 'the identity may not invoke the service (grant roles/run.invoker) or the ID token audience is not the service URL';
  if (httpStatus === 404) return `check the URL, the tag and the ingress setting; ${h2c}`;
  if (httpStatus === 429) return 'no instance was free to take the call; raise concurrency or max instances';
  if (httpStatus !== undefined && httpStatus >= 500)
    return 'the service failed (the app crashed, failed to start, or timed out); see the revision logs';
  return h2c;
}

function summarize(obs: GrpcObservation, verdict: Verdict, checks: SmokeCheck[]): string {
  const what = `gRPC smoke test of ${obs.url}`;
  const failed = checks.filter((c) => !c.ok).map((c) => c.name);
  const head =
    verdict === 'pass'
      ? `${what} passed (${checks.length} checks)`
      : verdict === 'fail'
        ? `${what} failed ${failed.length} of ${checks.length} checks (${failed.join(', ')})`
        : `${what} was inconclusive: it could not reach the service (${failed.join(', ')})`;
  const facts: string[] = [];
  const c = obs.check;
  if (c.status !== undefined)
    facts.push(`Check ${c.status}${c.atMs !== undefined ? ` in ${formatMs(c.atMs - obs.startMs)}` : ''}`);
  else if (c.error) facts.push(`Check ${c.error.codeName}`);
  const w = obs.watch;
  const first = w.messages[0];
  if (first) facts.push(`Watch ${first.status} after ${formatMs(first.atMs - w.startMs)}`);
  else if (w.error) facts.push(`Watch ${w.error.codeName}`);
  facts.push(w.stayedOpen ? `held ${formatMs(w.stoppedMs - w.startMs)}` : 'not held');
  const revision = c.revision ?? w.revision;
  if (revision) facts.push(`revision ${revision}`);
  return `${head}: ${facts.join(', ')}`;
}
