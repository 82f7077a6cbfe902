// Judging the streaming smoke test: pure functions from what the probes saw (timelines in ms from the
// probe's start, src/core/smoke-types.ts) and the criteria to named checks, metrics and a verdict.
// A failed smoke test is data that drives rollback, not an exception. No I/O, no clock.

import type {
  HealthObservation,
  HttpObservation,
  ObservedEvent,
  ProbeError,
  ReconnectObservation,
  SmokeCheck,
  SmokeCriteria,
  SmokeMetrics,
  SmokeProtocol,
  SmokeResult,
  SseObservation,
  Verdict,
  WebSocketObservation,
} from './smoke-types';

/** What one stream probe judged: the checks (worst of N connections), the metrics and the verdict. */
export interface StreamJudgement {
  checks: SmokeCheck[];
  metrics: SmokeMetrics;
  verdict: Verdict;
}

/**
 * Details of checks that could not be judged for a reason outside the app (nothing reached the service)
 * start with this, so the overall verdict can tell "the app failed" from "we could not look".
 */
export const CANNOT_JUDGE = 'cannot judge: ';

/** Arrivals this close together count as one burst (one read from the socket, or nearly). */
const BURST_WINDOW_MS = 50;
/** A burst counts as held back when the server spread its events over at least this long... */
const HELD_MIN_MS = 250;
/** ...and they arrived in at most this fraction of that spread. */
const HELD_MAX_ARRIVAL_FRACTION = 0.25;
/** Without send timestamps: a single burst after this share of the stream's life is a late burst. */
const LATE_BURST_SHARE = 0.8;
/**
 * A hold shorter than this that bunches only a minority of the events is what a busy machine's scheduling
 * stall (the probe's, or anything on the path) looks like; a buffering proxy holds most of the stream, or
 * holds it for seconds. Such bursts are not judged buffering: a loaded runner must not fail a healthy app.
 */
const STALL_MAX_MS = 1000;
/** Fewest events in a burst for it to say anything about buffering (two can meet by network chance). */
const MIN_BURST_EVENTS = 3;
/** Message text quoted in details is cut to this many characters. */
const QUOTE_MAX = 80;

// ---------------------------------------------------------------------------------------------------
// Health and plain HTTP

// Healthy when some attempt answered 2xx; the detail lists the attempts and the last answer.
export function judgeHealth(obs: HealthObservation, criteria: SmokeCriteria): SmokeCheck {
  const attempts = obs.attempts;
  if (attempts.length === 0) {
    return { name: 'health', ok: false, detail: `no health request was made to ${obs.url}` };
  }
  const answers = attempts.map((a) => (a.status !== undefined ? String(a.status) : errorLabel(a.error)));
  const list = listAttempts(answers);
  const okIndex = attempts.findIndex((a) => a.status !== undefined && isSuccess(a.status));
  if (okIndex >= 0) {
    const hit = attempts[okIndex];
    const earlier = okIndex > 0 ? ` (earlier: ${listAttempts(answers.slice(0, okIndex))})` : '';
    return {
      name: 'health',
      ok: true,
      detail: `${criteria.healthPath || obs.url} answered ${hit.status} on attempt ${okIndex + 1} of ${attempts.length}, at ${formatMs(hit.atMs)}${earlier}`,
    };
  }
  const last = attempts[attempts.length - 1];
  const span = `${attempts.length} ${plural(attempts.length, 'attempt')} over ${formatMs(last.atMs - attempts[0].atMs)}`;
  const expected = `expected a 2xx within ${formatMs(criteria.healthTimeoutMs)}`;
  if (attempts.every((a) => a.status === undefined && isOutsideApp(a.error))) {
    return {
      name: 'health',
      ok: false,
      detail: `${CANNOT_JUDGE}no health request reached ${obs.url} in ${span} (${list}); ${explainError(last.error)}`,
    };
  }
  const why = last.status !== undefined ? explainStatus(last.status, 'health') : explainError(last.error);
  return {
    name: 'health',
    ok: false,
    detail: `no 2xx from ${criteria.healthPath || obs.url} in ${span} (${list}); last: ${why}; ${expected}`,
  };
}

// A plain GET: a 2xx status and a body; the content type is not judged.
export function judgeHttp(obs: HttpObservation, criteria: SmokeCriteria): StreamJudgement {
  const checks: SmokeCheck[] = [];
  const connectMs = obs.headersMs;
  let unreachable = false;
  if (obs.status === undefined) {
    unreachable = isOutsideApp(obs.error);
    checks.push({
      name: 'handshake',
      ok: false,
      detail: describeNoAnswer(obs.error, 'GET ' + criteria.path),
    });
  } else if (!isSuccess(obs.status)) {
    checks.push({ name: 'handshake', ok: false, detail: explainStatus(obs.status, 'http', criteria.path) });
  } else {
    checks.push({
      name: 'handshake',
      ok: true,
      detail: `answered ${obs.status}${connectMs !== undefined ? ` after ${formatMs(connectMs)}` : ''}`,
    });
    checks.push(
      obs.bodyBytes > 0
        ? { name: 'body', ok: true, detail: `${obs.bodyBytes} bytes of body arrived` }
        : {
            name: 'body',
            ok: false,
            detail: obs.error
              ? `the body broke off before any byte arrived: ${explainError(obs.error)}`
              : 'the response had an empty body; expected some content',
          },
    );
  }
  const held = checks.every((c) => c.ok) ? 1 : 0;
  const metrics: SmokeMetrics = {
    connectMs,
    events: 0,
    buffered: false,
    connectionsHeld: held,
    connectionsTried: 1,
  };
  return {
    checks,
    metrics,
    verdict: unreachable ? 'inconclusive' : checks.every((c) => c.ok) ? 'pass' : 'fail',
  };
}

// ---------------------------------------------------------------------------------------------------
// SSE

/** One connection's verdict on one check, with how bad it was so the worst of N can be reported. */
interface GradedCheck extends SmokeCheck {
  /** Larger is worse (e.g. the gap in ms); compares passing checks of the same name. */
  severity: number;
}

/** What one connection showed, before N connections are folded into one report. */
interface ConnectionJudgement {
  checks: GradedCheck[];
  /** Nothing reached the service: a connect-stage network failure. */
  unreachable: boolean;
  held: boolean;
  connectMs?: number;
  firstEventMs?: number;
  events: number;
  largestGapMs?: number;
  buffered: boolean;
}

const SSE_CHECK_ORDER = [
  'handshake',
  'content-type',
  'first-event',
  'min-events',
  'max-gap',
  'not-buffered',
  'stays-open',
];

// Judges N SSE connections (worst one reported per check) and the Last-Event-ID reconnect.
export function judgeSse(
  conns: SseObservation[],
  reconnect: ReconnectObservation | undefined,
  criteria: SmokeCriteria,
): StreamJudgement {
  const judged = conns.map((conn) => judgeSseConnection(conn, criteria));
  const checks = foldConnections(judged, SSE_CHECK_ORDER);
  // Resumption is only worth judging once some stream opened.
  const streamed = judged.some((j) => j.checks.some((c) => c.name === 'handshake' && c.ok));
  if (criteria.checkReconnect && streamed) checks.push(judgeReconnect(conns, reconnect));
  if (criteria.connections > 1 || conns.length > 1) {
    checks.push(judgeConnectionsHeld(judged, criteria));
  }
  return finishStream(judged, checks);
}

function judgeSseConnection(conn: SseObservation, criteria: SmokeCriteria): ConnectionJudgement {
  const checks: GradedCheck[] = [];
  const connectMs = conn.headersMs !== undefined ? conn.headersMs - conn.startMs : undefined;
  const handshake = judgeStreamStatus(conn.status, conn.error, 200, 'stream', criteria.path, connectMs);
  checks.push(handshake.check);
  const base = { unreachable: handshake.unreachable, connectMs, events: 0, buffered: false };
  if (!handshake.check.ok) return { ...base, checks, held: false };

  checks.push(judgeContentType(conn.contentType));

  const events = conn.events;
  const endMs = conn.endedMs ?? conn.stoppedMs;
  // Event-driven APIs: with the default minimum, heartbeat comments prove the stream alive.
  const liveness = criteria.minEventsIsDefault === true && conn.comments.length > 0;
  const arrivals = liveness
    ? [...events.map((e) => e.atMs), ...conn.comments.map((c) => c.atMs)].sort((a, b) => a - b)
    : events.map((e) => e.atMs);
  const noun = liveness ? 'event or heartbeat' : 'event';
  const firstEventMs = arrivals.length > 0 ? arrivals[0] - conn.startMs : undefined;
  checks.push(judgeFirstEvent(firstEventMs, noun, conn, criteria));
  checks.push(
    liveness
      ? {
          name: 'min-events',
          ok: true,
          detail: `${events.length} ${plural(events.length, 'event')} and ${conn.comments.length} heartbeat ${plural(conn.comments.length, 'comment')} in the ${formatMs(criteria.durationMs)} watch; no event required: the heartbeats kept the stream alive and \`smoke_min_events\` was not given (set it to require events)`,
          severity: 0,
        }
      : judgeMinEvents(events.length, 'event', criteria),
  );

  const gap = findLargestGap(conn.headersMs ?? conn.startMs, arrivals, endMs);
  // Strictly inside the gap: heartbeats flushed in the same burst as the next event prove nothing.
  const heartbeats = liveness
    ? 0
    : conn.comments.filter((c) => c.atMs > gap.fromMs && c.atMs < gap.toMs).length;
  checks.push(
    judgeMaxGap(
      gap,
      conn.startMs,
      criteria,
      heartbeats > 0 ? `${heartbeats} heartbeat ${plural(heartbeats, 'comment')}` : '',
      noun,
    ),
  );

  const buffering = judgeBuffering(conn);
  checks.push(buffering);

  const staysOpen = judgeStaysOpen(conn, events.length, criteria);
  checks.push(staysOpen);

  return {
    ...base,
    checks,
    held: staysOpen.ok,
    firstEventMs,
    events: events.length,
    largestGapMs: gap.ms,
    buffered: !buffering.ok,
  };
}

function judgeContentType(contentType: string | undefined): GradedCheck {
  const mediaType = (contentType ?? '').split(';')[0].trim().toLowerCase();
  if (mediaType === 'text/event-stream') {
    return { name: 'content-type', ok: true, detail: `Content-Type: ${contentType}`, severity: 0 };
  }
  const seen = contentType === undefined ? 'no Content-Type header' : `Content-Type: ${contentType}`;
  return {
    name: 'content-type',
    ok: false,
    detail: `${seen}; expected text/event-stream (proxies and clients buffer or reject other types)`,
    severity: 1,
  };
}

function judgeStaysOpen(conn: SseObservation, events: number, criteria: SmokeCriteria): GradedCheck {
  const watch = `the whole ${formatMs(criteria.durationMs)} watch`;
  const after = `after ${events} ${plural(events, 'event')}`;
  if (conn.error && conn.error.stage === 'stream') {
    const at = conn.endedMs !== undefined ? ` at ${formatMs(conn.endedMs - conn.startMs)}` : '';
    return {
      name: 'stays-open',
      ok: false,
      detail: `the stream broke${at}, ${after}: ${explainError(conn.error)}; expected it open for ${watch}`,
      severity: 1,
    };
  }
  if (conn.endedMs !== undefined) {
    return {
      name: 'stays-open',
      ok: false,
      detail: `the server ended the stream at ${formatMs(conn.endedMs - conn.startMs)}, ${after}; expected it open for ${watch} (a request timeout, a crash, or the app closing it)`,
      severity: 1,
    };
  }
  return {
    name: 'stays-open',
    ok: true,
    detail: `open for ${formatMs(conn.stoppedMs - conn.startMs)} until the probe stopped watching`,
    severity: 0,
  };
}

// ---- buffering

interface TimedEvent {
  atMs: number;
  sentMs: number;
}

// Events the server spaced out must not arrive in one late burst (the classic buffering-proxy failure).
function judgeBuffering(conn: SseObservation): GradedCheck {
  const check = judgeBufferingOfEvents(conn);
  const compressed = conn.contentEncoding;
  if (compressed === undefined) return check;
  const cause = `the response is ${compressed}-compressed, and compression that does not flush after each event (middleware such as \`compression()\` without \`res.flush()\`) is the likely cause; confirm with \`smoke_accept_encoding: identity\``;
  if (!check.ok) return { ...check, detail: `${check.detail}; ${cause}` };
  // Compression holding everything: nothing decoded until the stream ended, or nothing in the whole watch.
  const firsts = [conn.events[0]?.atMs, conn.comments[0]?.atMs].filter((t): t is number => t !== undefined);
  const first = firsts.length > 0 ? Math.min(...firsts) : undefined;
  const endMs = conn.endedMs ?? conn.stoppedMs;
  const openMs = endMs - conn.startMs;
  const wire = conn.chunks.reduce((sum, c) => sum + c.bytes, 0);
  if (first === undefined && openMs >= HELD_MIN_MS) {
    return {
      name: 'not-buffered',
      ok: false,
      detail: `buffered: nothing could be decoded in the ${formatMs(openMs)} the stream was open (${wire} compressed ${plural(wire, 'byte')} arrived); ${cause}`,
      severity: openMs,
    };
  }
  if (
    first !== undefined &&
    conn.endedMs !== undefined &&
    conn.endedMs - first <= BURST_WINDOW_MS &&
    first - conn.startMs >= HELD_MIN_MS
  ) {
    return {
      name: 'not-buffered',
      ok: false,
      detail: `buffered: the first event or comment was decoded only as the stream ended, at ${formatMs(first - conn.startMs)}; ${cause}`,
      severity: first - conn.startMs,
    };
  }
  return { ...check, detail: `${check.detail}; ${compressed}-compressed, decoded as it came` };
}

function judgeBufferingOfEvents(conn: SseObservation): GradedCheck {
  const events = conn.events;
  const stamped: TimedEvent[] = [];
  for (const e of events) {
    const sentMs = readSendTime(e.data);
    if (sentMs !== undefined) stamped.push({ atMs: e.atMs, sentMs });
  }
  if (stamped.length >= MIN_BURST_EVENTS) return judgeBufferingBySendTimes(conn, stamped);
  return judgeBufferingByArrivals(conn);
}

// With send timestamps: compare each burst's arrival spread with its send spread (spreads only, so the
// probe's and the server's clocks need not agree).
function judgeBufferingBySendTimes(conn: SseObservation, stamped: TimedEvent[]): GradedCheck {
  const firstArrival = conn.events[0].atMs;
  const firstLatency = firstArrival - conn.startMs;
  let worst: { held: number; burst: TimedEvent[] } | undefined;
  let batchAtStart: TimedEvent[] | undefined;
  const stalls: TimedEvent[][] = [];
  for (const burst of splitBursts(stamped)) {
    if (burst.length < MIN_BURST_EVENTS) continue;
    const sendSpread = spreadOf(burst.map((e) => e.sentMs));
    const arrivalSpread = spreadOf(burst.map((e) => e.atMs));
    const held = sendSpread - arrivalSpread;
    if (sendSpread < HELD_MIN_MS || arrivalSpread > sendSpread * HELD_MAX_ARRIVAL_FRACTION) continue;
    if (held < STALL_MAX_MS && burst.length * 2 < stamped.length) {
      stalls.push(burst);
      continue;
    }
    // A server may send a batch (e.g. history) at once: fine when it came promptly, i.e. sooner than
    // the hold would explain.
    if (burst[0].atMs === firstArrival && firstLatency < held / 2) {
      batchAtStart = burst;
      continue;
    }
    if (!worst || held > worst.held) worst = { held, burst };
  }
  const sendSpread = spreadOf(stamped.map((e) => e.sentMs));
  const arrivalSpread = spreadOf(stamped.map((e) => e.atMs));
  if (worst) {
    const burst = worst.burst;
    const chunks = countChunks(conn, burst[0].atMs, burst[burst.length - 1].atMs);
    return {
      name: 'not-buffered',
      ok: false,
      detail:
        `buffered: ${burst.length} events the server sent over ${formatMs(spreadOf(burst.map((e) => e.sentMs)))} ` +
        `(by their send timestamps) arrived within ${formatMs(spreadOf(burst.map((e) => e.atMs)))}` +
        `${chunks > 0 ? ` in ${chunks} ${plural(chunks, 'chunk')}` : ''}, at ${formatMs(burst[0].atMs - conn.startMs)}: ` +
        'something between the app and the client held them back (a buffering proxy, compression, or a missing flush)',
      severity: worst.held,
    };
  }
  const batch = batchAtStart
    ? `; a batch of ${batchAtStart.length} events arrived together at the start, but the first event came promptly (${formatMs(firstLatency)} after the request), so the server sent them together`
    : '';
  const stall = stalls.length
    ? `; ${stalls.map((b) => `${b.length} events held ${formatMs(spreadOf(b.map((e) => e.sentMs)) - spreadOf(b.map((e) => e.atMs)))} at ${formatMs(b[0].atMs - conn.startMs)}`).join(', ')}: a short stall of a minority of the events, as a busy machine gives, not buffering`
    : '';
  return {
    name: 'not-buffered',
    ok: true,
    detail: `events arrived spaced as sent: send spread ${formatMs(sendSpread)}, arrival spread ${formatMs(arrivalSpread)} over ${stamped.length} timestamped events${batch}${stall}`,
    severity: Math.max(0, sendSpread - arrivalSpread),
  };
}

// Without send timestamps: ≥3 events arriving together at the very end of a long-open stream.
function judgeBufferingByArrivals(conn: SseObservation): GradedCheck {
  const events = conn.events;
  if (events.length < MIN_BURST_EVENTS) {
    return {
      name: 'not-buffered',
      ok: true,
      detail: `not judged: only ${events.length} ${plural(events.length, 'event')} (a burst needs ${MIN_BURST_EVENTS} or more)`,
      severity: 0,
    };
  }
  const first = events[0].atMs;
  const last = events[events.length - 1].atMs;
  const openMs = (conn.endedMs ?? conn.stoppedMs) - conn.startMs;
  const waitMs = first - conn.startMs;
  const arrivalSpread = last - first;
  const late = waitMs > openMs * LATE_BURST_SHARE && waitMs >= HELD_MIN_MS;
  const basis = 'no send timestamps in the data, so judged from arrival times alone';
  if (arrivalSpread <= BURST_WINDOW_MS && late) {
    const chunks = countChunks(conn, first, last);
    return {
      name: 'not-buffered',
      ok: false,
      detail:
        `buffered: all ${events.length} events arrived within ${formatMs(arrivalSpread)}${chunks > 0 ? ` in ${chunks} ${plural(chunks, 'chunk')}` : ''} ` +
        `at ${formatMs(waitMs)}, after ${Math.round((waitMs / openMs) * 100)}% of the ${formatMs(openMs)} the stream was open: ` +
        `something between the app and the client held them back (${basis})`,
      severity: waitMs,
    };
  }
  const why =
    arrivalSpread <= BURST_WINDOW_MS
      ? `all ${events.length} events arrived together, but early (first at ${formatMs(waitMs)} of ${formatMs(openMs)}), so the server sent them as a batch`
      : `${events.length} events arrived spread over ${formatMs(arrivalSpread)} of the ${formatMs(openMs)} the stream was open`;
  return { name: 'not-buffered', ok: true, detail: `${why} (${basis})`, severity: 0 };
}

/** Splits events (in arrival order) into runs whose consecutive arrivals are within the burst window. */
function splitBursts(events: TimedEvent[]): TimedEvent[][] {
  const bursts: TimedEvent[][] = [];
  for (const e of events) {
    const current = bursts[bursts.length - 1];
    if (current && e.atMs - current[current.length - 1].atMs <= BURST_WINDOW_MS) current.push(e);
    else bursts.push([e]);
  }
  return bursts;
}

function countChunks(conn: SseObservation, fromMs: number, toMs: number): number {
  return conn.chunks.filter((c) => c.atMs >= fromMs && c.atMs <= toMs).length;
}

/** Send time carried in JSON event data (`sentAt`, `ts`, `timestamp`, `time`: epoch ms, epoch s, or ISO). */
function readSendTime(data: string): number | undefined {
  if (!data.startsWith('{')) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(data);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const record = parsed as Record<string, unknown>;
  for (const key of ['sentAt', 'ts', 'timestamp', 'time']) {
    const value = record[key];
    if (typeof value === 'number' && Number.isFinite(value)) {
      if (value >= 1e11) return value;
      if (value >= 1e8) return value * 1000;
    }
    if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(value)) {
      const ms = Date.parse(value);
      if (Number.isFinite(ms)) return ms;
    }
  }
  return undefined;
}

// ---- reconnect

// A reconnect with Last-Event-ID must resume after that id, not replay the stream (WHATWG resumption).
function judgeReconnect(conns: SseObservation[], reconnect: ReconnectObservation | undefined): SmokeCheck {
  const sentIds = conns.some((c) => c.events.some((e) => e.id !== undefined));
  if (!sentIds) {
    return {
      name: 'reconnect',
      ok: true,
      detail: 'not checked: the server sends no ids, so there is nothing to resume from',
    };
  }
  if (!reconnect) {
    return {
      name: 'reconnect',
      ok: true,
      detail: 'not checked: no reconnect was made (the first stream did not get far enough)',
    };
  }
  const last = reconnect.lastEventId;
  if (reconnect.notSent !== undefined) {
    return {
      name: 'reconnect',
      ok: false,
      detail: `${CANNOT_JUDGE}no reconnect sent: ${reconnect.notSent} (set \`smoke_reconnect: false\` if the server does not resume)`,
    };
  }
  const asked = `reconnecting with Last-Event-ID: ${last}`;
  if (reconnect.status === undefined) {
    const prefix = isOutsideApp(reconnect.error) ? CANNOT_JUDGE : '';
    return {
      name: 'reconnect',
      ok: false,
      detail: `${prefix}${asked} got no answer: ${explainError(reconnect.error)}`,
    };
  }
  if (reconnect.status !== 200) {
    return {
      name: 'reconnect',
      ok: false,
      detail: `${asked} got ${explainStatus(reconnect.status, 'stream')}`,
    };
  }
  if (reconnect.firstEventMs === undefined) {
    return {
      name: 'reconnect',
      ok: false,
      detail: `${asked} got 200 but no event followed; expected the stream to resume`,
    };
  }
  const got = reconnect.firstEventId;
  if (got === undefined) {
    return {
      name: 'reconnect',
      ok: false,
      detail: `${asked}: the first event after reconnecting carried no id; expected ids to continue after ${last}`,
    };
  }
  const origin = conns.find((c) => lastIdOf(c.events) === last) ?? conns[0];
  const firstSeen = origin.events.find((e) => e.id !== undefined)?.id;
  const lastNum = readInteger(last);
  const gotNum = readInteger(got);
  if (lastNum !== undefined && gotNum !== undefined) {
    if (gotNum > lastNum) {
      return { name: 'reconnect', ok: true, detail: `${asked} resumed at id ${got}` };
    }
    const replay = got === firstSeen ? ` (the stream started over from id ${got})` : '';
    return {
      name: 'reconnect',
      ok: false,
      detail: `${asked} got id ${got} first${replay}; expected an id after ${last}: the server ignores Last-Event-ID, so clients see events twice after every reconnect`,
    };
  }
  if (got === last || (got === firstSeen && firstSeen !== undefined)) {
    const what = got === last ? 'repeated the last event' : `started over from id ${got}`;
    return {
      name: 'reconnect',
      ok: false,
      detail: `${asked}: the server ${what}; expected it to resume after ${last}: the server ignores Last-Event-ID`,
    };
  }
  return { name: 'reconnect', ok: true, detail: `${asked} resumed at id ${got}` };
}

function lastIdOf(events: ObservedEvent[]): string | undefined {
  return events.length > 0 ? events[events.length - 1].id : undefined;
}

function readInteger(text: string): number | undefined {
  return /^\d{1,15}$/.test(text.trim()) ? Number(text.trim()) : undefined;
}

// ---------------------------------------------------------------------------------------------------
// WebSocket

const WS_CHECK_ORDER = [
  'handshake',
  'echo',
  'first-event',
  'min-events',
  'max-gap',
  'ping-pong',
  'stays-open',
  'clean-close',
];

// Judges N WebSocket connections: upgrade, echo, server messages or ping/pong, staying open, clean close.
export function judgeWebSocket(conns: WebSocketObservation[], criteria: SmokeCriteria): StreamJudgement {
  const judged = conns.map((conn) => judgeWebSocketConnection(conn, criteria));
  const checks = foldConnections(judged, WS_CHECK_ORDER);
  if (criteria.connections > 1 || conns.length > 1) {
    checks.push(judgeConnectionsHeld(judged, criteria));
  }
  return finishStream(judged, checks);
}

function judgeWebSocketConnection(conn: WebSocketObservation, criteria: SmokeCriteria): ConnectionJudgement {
  const checks: GradedCheck[] = [];
  const connectMs = conn.openMs !== undefined ? conn.openMs - conn.startMs : undefined;
  const handshake = judgeStreamStatus(
    conn.upgradeStatus,
    conn.error,
    101,
    'websocket',
    criteria.path,
    connectMs,
  );
  checks.push(handshake.check);
  const base = { unreachable: handshake.unreachable, connectMs, events: 0, buffered: false };
  if (!handshake.check.ok) return { ...base, checks, held: false };

  let pushed = conn.messages;
  if (criteria.send !== undefined) {
    const echo = judgeEcho(conn, criteria);
    checks.push(echo.check);
    if (echo.reply) pushed = pushed.filter((m) => m !== echo.reply);
  }

  const firstEventMs = pushed.length > 0 ? pushed[0].atMs - conn.startMs : undefined;
  const endMs = conn.close && conn.close.by !== 'client' ? conn.close.atMs : conn.stoppedMs;
  const gap = findLargestGap(
    conn.openMs ?? conn.startMs,
    pushed.map((m) => m.atMs),
    endMs,
  );
  if (criteria.minEvents > 0) {
    checks.push(judgeFirstEvent(firstEventMs, 'message', conn, criteria));
    checks.push(judgeMinEvents(pushed.length, 'message', criteria));
    const pongs = conn.pongsMs.filter((t) => t > gap.fromMs && t < gap.toMs).length;
    checks.push(
      judgeMaxGap(
        gap,
        conn.startMs,
        criteria,
        pongs > 0 ? `${pongs} ${plural(pongs, 'pong')}` : '',
        'message',
      ),
    );
  } else {
    const seen = `${pushed.length} server ${plural(pushed.length, 'message')}`;
    checks.push({
      name: 'min-events',
      ok: true,
      detail: `${seen}; none required (smoke_min_events is 0)`,
      severity: 0,
    });
  }

  checks.push(judgePingPong(conn, criteria));
  const staysOpen = judgeSocketStaysOpen(conn, pushed.length, criteria);
  checks.push(staysOpen);
  const cleanClose = judgeCleanClose(conn);
  if (cleanClose) checks.push(cleanClose);

  return {
    ...base,
    checks,
    held: staysOpen.ok,
    firstEventMs,
    events: pushed.length,
    largestGapMs: criteria.minEvents > 0 || pushed.length > 0 ? gap.ms : undefined,
  };
}

function judgeEcho(
  conn: WebSocketObservation,
  criteria: SmokeCriteria,
): { check: GradedCheck; reply?: { atMs: number; data: string } } {
  const sent = JSON.stringify(criteria.send);
  if (conn.sentMs === undefined) {
    return {
      check: {
        name: 'echo',
        ok: false,
        detail: `${sent} was never sent: the socket was not open long enough`,
        severity: 1,
      },
    };
  }
  const sentMs = conn.sentMs;
  const after = conn.messages.filter((m) => m.atMs >= sentMs);
  const expect = criteria.expect;
  const wanted = expect === undefined ? 'any reply' : describeExpectation(expect);
  const reply = after.find((m) => expect === undefined || matchesExpectation(m.data, expect));
  const deadline = formatMs(criteria.firstEventTimeoutMs);
  if (reply && reply.atMs - sentMs <= criteria.firstEventTimeoutMs) {
    return {
      check: {
        name: 'echo',
        ok: true,
        detail: `sent ${sent}, got ${quote(reply.data)} after ${formatMs(reply.atMs - sentMs)}`,
        severity: reply.atMs - sentMs,
      },
      reply,
    };
  }
  if (reply) {
    return {
      check: {
        name: 'echo',
        ok: false,
        detail: `sent ${sent}; ${wanted} came only after ${formatMs(reply.atMs - sentMs)}; expected within ${deadline}`,
        severity: reply.atMs - sentMs,
      },
      reply,
    };
  }
  const instead =
    after.length === 0
      ? 'nothing came back'
      : `got instead: ${after
          .slice(0, 3)
          .map((m) => quote(m.data))
          .join(', ')}${after.length > 3 ? ` and ${after.length - 3} more` : ''}`;
  return {
    check: {
      name: 'echo',
      ok: false,
      detail: `wrong echo: sent ${sent}, expected ${wanted} within ${deadline}; ${instead}`,
      severity: Number.MAX_SAFE_INTEGER,
    },
  };
}

// `smoke_expect` is plain text that must be contained, or `/pattern/flags` for a regular expression.
export function matchesExpectation(text: string, expect: string): boolean {
  const pattern = readPattern(expect);
  return pattern ? pattern.test(text) : text.includes(expect);
}

function readPattern(expect: string): RegExp | undefined {
  const match = /^\/(.+)\/([a-z]*)$/s.exec(expect);
  if (!match) return undefined;
  try {
    return new RegExp(match[1], match[2].replace(/[gy]/g, ''));
  } catch {
    return undefined;
  }
}

function describeExpectation(expect: string): string {
  return readPattern(expect) ? `a reply matching ${expect}` : `a reply containing ${JSON.stringify(expect)}`;
}

function judgePingPong(conn: WebSocketObservation, criteria: SmokeCriteria): GradedCheck {
  const pings = conn.pingsSentMs.length;
  if (pings === 0)
    return { name: 'ping-pong', ok: true, detail: 'not checked: no pings were sent', severity: 0 };
  const end = conn.close ? Math.min(conn.close.atMs, conn.stoppedMs) : conn.stoppedMs;
  // A ping sent just before the end may not have had time for its pong.
  const due = conn.pingsSentMs.filter((t) => t + criteria.firstEventTimeoutMs <= end).length;
  const pongs = conn.pongsMs.length;
  const answered = `${Math.min(pongs, pings)} of ${pings} ${plural(pings, 'ping')} answered`;
  if (pongs >= due && (pongs > 0 || due === 0)) {
    return { name: 'ping-pong', ok: true, detail: answered, severity: pings - pongs };
  }
  return {
    name: 'ping-pong',
    ok: false,
    detail: `${answered}; expected a pong for each ping within ${formatMs(criteria.firstEventTimeoutMs)}`,
    severity: pings - pongs + 1,
  };
}

function judgeSocketStaysOpen(
  conn: WebSocketObservation,
  messages: number,
  criteria: SmokeCriteria,
): GradedCheck {
  const watch = `the whole ${formatMs(criteria.durationMs)} watch`;
  const after = `after ${messages} ${plural(messages, 'message')}`;
  const close = conn.close;
  if (close && close.by !== 'client') {
    const who = close.by === 'server' ? 'the server closed the socket' : 'the connection dropped';
    const code =
      close.code !== undefined ? ` with code ${close.code}${close.reason ? ` (${close.reason})` : ''}` : '';
    const error = conn.error && conn.error.stage === 'stream' ? `: ${explainError(conn.error)}` : '';
    return {
      name: 'stays-open',
      ok: false,
      detail: `${who} at ${formatMs(close.atMs - conn.startMs)}${code}, ${after}${error}; expected it open for ${watch}`,
      severity: 1,
    };
  }
  if (conn.error && conn.error.stage === 'stream') {
    return {
      name: 'stays-open',
      ok: false,
      detail: `the socket broke ${after}: ${explainError(conn.error)}; expected it open for ${watch}`,
      severity: 1,
    };
  }
  return {
    name: 'stays-open',
    ok: true,
    detail: `open for ${formatMs((close?.atMs ?? conn.stoppedMs) - conn.startMs)} until the probe closed it`,
    severity: 0,
  };
}

/** Our close must be answered with a close frame, code 1000; nothing to judge if the server closed first. */
function judgeCleanClose(conn: WebSocketObservation): GradedCheck | undefined {
  const close = conn.close;
  if (close && close.by !== 'client') return undefined;
  if (!close) {
    return {
      name: 'clean-close',
      ok: false,
      detail: 'no close was recorded: the probe never saw the socket close',
      severity: 1,
    };
  }
  if (close.clean && close.code === 1000) {
    return {
      name: 'clean-close',
      ok: true,
      detail: 'our close was answered with a close frame, code 1000',
      severity: 0,
    };
  }
  const what = close.clean
    ? `answered with code ${close.code ?? 'none'}${close.reason ? ` (${close.reason})` : ''}`
    : 'not answered with a close frame (the connection was cut)';
  return {
    name: 'clean-close',
    ok: false,
    detail: `our close was ${what}; expected a close frame with code 1000`,
    severity: 1,
  };
}

// ---------------------------------------------------------------------------------------------------
// Shared per-connection checks

function judgeStreamStatus(
  status: number | undefined,
  error: ProbeError | undefined,
  expected: 200 | 101,
  kind: 'stream' | 'websocket',
  path: string,
  connectMs: number | undefined,
): { check: GradedCheck; unreachable: boolean } {
  if (status === undefined) {
    const unreachable = isOutsideApp(error);
    return {
      check: {
        name: 'handshake',
        ok: false,
        detail: describeNoAnswer(error, kind === 'websocket' ? `upgrade ${path}` : `GET ${path}`),
        severity: 2,
      },
      unreachable,
    };
  }
  if (status !== expected) {
    return {
      check: { name: 'handshake', ok: false, detail: explainStatus(status, kind, path), severity: 1 },
      unreachable: false,
    };
  }
  const what = expected === 101 ? 'upgraded (101)' : 'answered 200';
  return {
    check: {
      name: 'handshake',
      ok: true,
      detail: `${what}${connectMs !== undefined ? ` after ${formatMs(connectMs)}` : ''}`,
      severity: connectMs ?? 0,
    },
    unreachable: false,
  };
}

function judgeFirstEvent(
  firstEventMs: number | undefined,
  noun: string,
  conn: { startMs: number; stoppedMs: number; endedMs?: number; close?: { atMs: number; by: string } },
  criteria: SmokeCriteria,
): GradedCheck {
  const expected = `expected within ${formatMs(criteria.firstEventTimeoutMs)}`;
  if (firstEventMs === undefined) {
    const endedAt = conn.endedMs ?? (conn.close && conn.close.by !== 'client' ? conn.close.atMs : undefined);
    const how =
      endedAt !== undefined
        ? `the stream ended at ${formatMs(endedAt - conn.startMs)} with none`
        : `none in ${formatMs(conn.stoppedMs - conn.startMs)}`;
    return {
      name: 'first-event',
      ok: false,
      detail: `no ${noun}: ${how}; ${expected}`,
      severity: Number.MAX_SAFE_INTEGER,
    };
  }
  const ok = firstEventMs <= criteria.firstEventTimeoutMs;
  return {
    name: 'first-event',
    ok,
    detail: `first ${noun} ${formatMs(firstEventMs)} after the request${ok ? '' : `; ${expected}`}`,
    severity: firstEventMs,
  };
}

function judgeMinEvents(count: number, noun: 'event' | 'message', criteria: SmokeCriteria): GradedCheck {
  const ok = count >= criteria.minEvents;
  const seen = `${count} ${plural(count, noun)} in the ${formatMs(criteria.durationMs)} watch`;
  return {
    name: 'min-events',
    ok,
    detail: ok
      ? `${seen} (at least ${criteria.minEvents} required)`
      : `${seen}; expected at least ${criteria.minEvents}`,
    severity: -count,
  };
}

interface Gap {
  ms: number;
  fromMs: number;
  toMs: number;
  kind: 'before-first' | 'between' | 'after-last';
}

/** The longest silence: from the start to the first arrival, between arrivals, or from the last to the end. */
function findLargestGap(startMs: number, arrivals: number[], endMs: number): Gap {
  const points = [startMs, ...arrivals, Math.max(endMs, arrivals[arrivals.length - 1] ?? startMs)];
  let best: Gap = { ms: 0, fromMs: startMs, toMs: startMs, kind: 'before-first' };
  for (let i = 1; i < points.length; i += 1) {
    const ms = points[i] - points[i - 1];
    if (ms > best.ms) {
      const kind = i === 1 ? 'before-first' : i === points.length - 1 ? 'after-last' : 'between';
      best = { ms, fromMs: points[i - 1], toMs: points[i], kind };
    }
  }
  return best;
}

function judgeMaxGap(
  gap: Gap,
  startMs: number,
  criteria: SmokeCriteria,
  keepalives: string,
  noun = 'event',
): GradedCheck {
  const from = formatMs(gap.fromMs - startMs);
  const to = formatMs(gap.toMs - startMs);
  const where =
    gap.kind === 'before-first'
      ? `before the first ${noun} (${from} to ${to})`
      : gap.kind === 'after-last'
        ? `after the last ${noun}, from ${from} to the end at ${to}`
        : `between ${pluralNoun(noun)} at ${from} and ${to}`;
  const ok = gap.ms <= criteria.maxGapMs;
  const alive = keepalives
    ? `; ${keepalives} kept arriving in that gap, so the connection was alive but the ${pluralNoun(noun)} stalled`
    : '';
  return {
    name: 'max-gap',
    ok,
    detail: ok
      ? `largest gap ${formatMs(gap.ms)} ${where} (at most ${formatMs(criteria.maxGapMs)} allowed)`
      : `largest gap ${formatMs(gap.ms)} ${where}; expected at most ${formatMs(criteria.maxGapMs)}${alive}`,
    severity: gap.ms,
  };
}

// ---------------------------------------------------------------------------------------------------
// N connections

/** One check per name: the worst connection's (failed before passed, then by severity). */
function foldConnections(judged: ConnectionJudgement[], order: string[]): SmokeCheck[] {
  const total = judged.length;
  if (total === 0) {
    return [{ name: 'handshake', ok: false, detail: `${CANNOT_JUDGE}no connection was attempted` }];
  }
  const checks: SmokeCheck[] = [];
  for (const name of order) {
    const candidates: Array<{ index: number; check: GradedCheck }> = [];
    judged.forEach((j, index) => {
      const check = j.checks.find((c) => c.name === name);
      if (check) candidates.push({ index, check });
    });
    if (candidates.length === 0) continue;
    if (total === 1) {
      const { check } = candidates[0];
      checks.push({ name, ok: check.ok, detail: check.detail });
      continue;
    }
    const failed = candidates.filter((c) => !c.check.ok);
    const pool = failed.length > 0 ? failed : candidates;
    const worst = pool.reduce((a, b) => (b.check.severity > a.check.severity ? b : a));
    if (name === 'handshake' && failed.length === total && judged.every((j) => j.unreachable)) {
      checks.push({
        name,
        ok: false,
        detail: `${CANNOT_JUDGE}none of the ${total} connections reached the service; connection ${worst.index + 1}: ${stripCannotJudge(worst.check.detail)}`,
      });
      continue;
    }
    const prefix =
      failed.length > 0
        ? `${failed.length} of ${candidates.length === total ? '' : 'the '}${candidates.length} connections${candidates.length === total ? '' : ' that streamed'} failed; worst, connection ${worst.index + 1}: `
        : candidates.length === total
          ? `all ${total} connections passed; worst, connection ${worst.index + 1}: `
          : `passed on the ${candidates.length} connections that streamed; worst, connection ${worst.index + 1}: `;
    checks.push({ name, ok: failed.length === 0, detail: prefix + worst.check.detail });
  }
  return checks;
}

function judgeConnectionsHeld(judged: ConnectionJudgement[], criteria: SmokeCriteria): SmokeCheck {
  const total = judged.length;
  const held = judged.filter((j) => j.held).length;
  const firsts = judged.map((j) => j.firstEventMs).filter((t): t is number => t !== undefined);
  const timing =
    firsts.length > 0
      ? `; first events ${formatMs(Math.min(...firsts))} to ${formatMs(Math.max(...firsts))} after the request (spread ${formatMs(spreadOf(firsts))})`
      : '; no connection got an event';
  const asked = total < criteria.connections ? ` (${criteria.connections} were asked for)` : '';
  const summary = `${held} of ${total} connections${asked} held for the whole ${formatMs(criteria.durationMs)} watch${timing}`;
  const failures = judged
    .map((j, i) => ({ j, i }))
    .filter(({ j }) => !j.held)
    .slice(0, 3)
    .map(({ j, i }) => `connection ${i + 1}: ${whyNotHeld(j)}`);
  const ok = held === total && total >= criteria.connections;
  if (ok) return { name: 'connections', ok, detail: summary };
  const prefix = total > 0 && judged.every((j) => j.unreachable) ? CANNOT_JUDGE : '';
  const more = total - held > 3 ? `; and ${total - held - 3} more` : '';
  const tail = failures.length > 0 ? `; ${failures.join('; ')}${more}` : '';
  return { name: 'connections', ok, detail: `${prefix}${summary}${tail}` };
}

/** Why a connection did not hold: its failed handshake or its early end. */
function whyNotHeld(j: ConnectionJudgement): string {
  const failed = j.checks.find((c) => !c.ok && (c.name === 'handshake' || c.name === 'stays-open'));
  return failed ? `${failed.name}: ${stripCannotJudge(failed.detail)}` : 'did not hold';
}

function finishStream(judged: ConnectionJudgement[], checks: SmokeCheck[]): StreamJudgement {
  const connects = judged.map((j) => j.connectMs).filter((t): t is number => t !== undefined);
  const firsts = judged.map((j) => j.firstEventMs).filter((t): t is number => t !== undefined);
  const gaps = judged.map((j) => j.largestGapMs).filter((t): t is number => t !== undefined);
  const metrics: SmokeMetrics = {
    connectMs: median(connects),
    firstEventMs: median(firsts),
    firstEventSpreadMs: firsts.length > 1 ? spreadOf(firsts) : undefined,
    events: judged.reduce((sum, j) => sum + j.events, 0),
    largestGapMs: gaps.length > 0 ? Math.max(...gaps) : undefined,
    buffered: judged.some((j) => j.buffered),
    connectionsHeld: judged.filter((j) => j.held).length,
    connectionsTried: judged.length,
  };
  return { checks, metrics, verdict: decideVerdict(checks) };
}

/** Fail when a check failed for the app; inconclusive when every failure is a cannot-judge. */
function decideVerdict(checks: SmokeCheck[]): Verdict {
  const failed = checks.filter((c) => !c.ok);
  if (failed.length === 0) return 'pass';
  return failed.every((c) => c.detail.startsWith(CANNOT_JUDGE)) ? 'inconclusive' : 'fail';
}

// ---------------------------------------------------------------------------------------------------
// The overall result and its text

// Health first, then the stream: the overall result (an unhealthy app fails even if streaming was skipped).
export function judgeSmoke(
  url: string,
  criteria: SmokeCriteria,
  health: SmokeCheck | undefined,
  stream: StreamJudgement,
): SmokeResult {
  const checks = health ? [health, ...stream.checks] : [...stream.checks];
  let verdict = decideVerdict(checks);
  if (stream.verdict === 'fail') verdict = 'fail';
  else if (verdict === 'pass' && stream.verdict === 'inconclusive') verdict = 'inconclusive';
  return { url, protocol: criteria.protocol, verdict, checks, metrics: stream.metrics };
}

// One line per failed check, for the action's failure message.
export function describeFailures(result: SmokeResult): string {
  return result.checks
    .filter((c) => !c.ok)
    .map((c) => `${c.name}: ${c.detail}`)
    .join('\n');
}

// One line: the verdict, the failed checks by name, and the headline metrics.
export function summarizeSmoke(result: SmokeResult): string {
  const m = result.metrics;
  const what = `${PROTOCOL_LABELS[result.protocol]} smoke test of ${result.url}`;
  const failed = result.checks.filter((c) => !c.ok).map((c) => c.name);
  const head =
    result.verdict === 'pass'
      ? `${what} passed (${result.checks.length} ${plural(result.checks.length, 'check')})`
      : result.verdict === 'fail'
        ? `${what} failed ${failed.length} of ${result.checks.length} checks (${failed.join(', ')})`
        : `${what} was inconclusive: it could not reach the service (${failed.join(', ')})`;
  const facts: string[] = [];
  if (m.connectionsTried > 0)
    facts.push(
      `${m.connectionsHeld} of ${m.connectionsTried} ${plural(m.connectionsTried, 'connection')} held`,
    );
  if (result.protocol !== 'http')
    facts.push(`${m.events} ${plural(m.events, result.protocol === 'sse' ? 'event' : 'message')}`);
  if (m.connectMs !== undefined) facts.push(`connect ${formatMs(m.connectMs)}`);
  if (m.firstEventMs !== undefined) facts.push(`first event ${formatMs(m.firstEventMs)}`);
  if (m.largestGapMs !== undefined) facts.push(`largest gap ${formatMs(m.largestGapMs)}`);
  if (result.protocol === 'sse') facts.push(m.buffered ? 'BUFFERED' : 'not buffered');
  return facts.length > 0 ? `${head}: ${facts.join(', ')}` : head;
}

const PROTOCOL_LABELS: Record<SmokeProtocol, string> = {
  sse: 'SSE',
  websocket: 'WebSocket',
  http: 'HTTP',
  grpc: 'gRPC',
};

// ---------------------------------------------------------------------------------------------------
// Wording

/** A connect-stage failure (DNS, TCP, TLS) never reached the app: its verdict is not the app's. */
function isOutsideApp(error: ProbeError | undefined): boolean {
  return error !== undefined && error.stage === 'connect';
}

function describeNoAnswer(error: ProbeError | undefined, request: string): string {
  if (!error) return `${request} got no answer`;
  if (isOutsideApp(error)) {
    return `${CANNOT_JUDGE}${request} never reached the service: ${explainError(error)} (the network, DNS, TLS or the URL is at fault, not the app)`;
  }
  if (error.stage === 'response')
    return `${request} got no response headers: ${explainError(error)} (the app accepted the request but never answered)`;
  return `${request} failed: ${explainError(error)}`;
}

function explainError(error: ProbeError | undefined): string {
  if (!error) return 'no answer';
  const known: Record<string, string> = {
    ECONNREFUSED: 'connection refused',
    ENOTFOUND: 'the host name does not resolve',
    EAI_AGAIN: 'DNS lookup failed (temporary)',
    ETIMEDOUT: 'timed out',
    ECONNRESET: 'the connection was reset',
    EHOSTUNREACH: 'host unreachable',
    ENETUNREACH: 'network unreachable',
    EPIPE: 'the connection was closed while writing',
  };
  const meaning = error.code ? known[error.code] : undefined;
  const tls =
    error.code && /^(ERR_TLS|ERR_SSL|CERT_|UNABLE_TO_|DEPTH_ZERO|SELF_SIGNED|EPROTO)/.test(error.code);
  const label = meaning ?? (tls ? 'TLS failed' : undefined);
  const code = error.code ? `${error.code}, ` : '';
  return label ? `${label} (${code}${error.message})` : `${code}${error.message}`;
}

function errorLabel(error: ProbeError | undefined): string {
  return error?.code ?? (error ? error.message : 'no answer');
}

// What an unexpected status most likely means on Cloud Run, in the user's terms.
function explainStatus(status: number, kind: 'stream' | 'websocket' | 'health' | 'http', path = ''): string {
  const at = path ? ` for ${path}` : '';
  if (status === 401) {
    return `401 Unauthorized${at}: the request carried no valid ID token; a private service needs an ID token whose audience is the service URL (FACTS.md, Private services)`;
  }
  if (status === 403) {
    return `403 Forbidden${at}: the identity is not allowed to invoke the service (grant roles/run.invoker) or the ID token's audience is not the service URL`;
  }
  if (status === 404) {
    const which = kind === 'health' ? 'health_path' : 'smoke_path';
    return `404 Not Found${at}: check the path (\`${which}\`), that the tag URL is right, and the service's ingress setting`;
  }
  if (status === 429) {
    return `429 Too Many Requests${at}: no instance was free to take the ${kind === 'websocket' ? 'socket' : 'request'}; raise concurrency or max instances`;
  }
  if (status === 200 && kind === 'websocket') {
    return `200 instead of 101${at}: the upgrade was not performed; the app does not speak WebSocket on this path, or end-to-end HTTP/2 is on (WebSockets need HTTP/1.1: FACTS.md, Streaming on Cloud Run)`;
  }
  if (status >= 500) {
    return `${status}${at}: the service failed (the app crashed, failed to start, or timed out); see the revision's logs`;
  }
  if (status >= 300 && status < 400)
    return `${status} redirect${at}: the probe does not follow redirects; point it at the final URL`;
  const expected = kind === 'websocket' ? '101 Switching Protocols' : kind === 'stream' ? '200' : 'a 2xx';
  return `${status}${at}; expected ${expected}`;
}

function isSuccess(status: number): boolean {
  return status >= 200 && status < 300;
}

function stripCannotJudge(detail: string): string {
  return detail.startsWith(CANNOT_JUDGE) ? detail.slice(CANNOT_JUDGE.length) : detail;
}

function listAttempts(answers: string[]): string {
  return answers.length > 8
    ? `${answers.slice(0, 3).join(', ')}, …, ${answers.slice(-4).join(', ')}`
    : answers.join(', ');
}

/** Milliseconds as people read them: `850 ms`, `1.2 s`, `2 min 5 s`. */
export function formatMs(ms: number): string {
  const rounded = Math.round(ms);
  if (Math.abs(rounded) < 1000) return `${rounded} ms`;
  if (Math.abs(rounded) < 60_000) return `${Math.round(rounded / 100) / 10} s`;
  const minutes = Math.floor(rounded / 60_000);
  const seconds = Math.round((rounded % 60_000) / 1000);
  return seconds > 0 ? `${minutes} min ${seconds} s` : `${minutes} min`;
}

/** `event` -> `events`, `event or heartbeat` -> `events or heartbeats`. */
function pluralNoun(noun: string): string {
  return noun
    .split(' or ')
    .map((w) => `${w}s`)
    .join(' or ');
}

function plural(n: number, word: string): string {
  return n === 1 ? word : `${word}s`;
}

function quote(text: string): string {
  const cut = text.length > QUOTE_MAX ? `${text.slice(0, QUOTE_MAX)}…` : text;
  return JSON.stringify(cut);
}

function spreadOf(values: number[]): number {
  return values.length === 0 ? 0 : Math.max(...values) - Math.min(...values);
}

function median(values: number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : Math.round((sorted[mid - 1] + sorted[mid]) / 2);
}
