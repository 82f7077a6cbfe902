// The SSE not-buffered check: events the server spaced out must not arrive in one late burst, judged by
// their send timestamps when the data carries them, else by arrival times alone. Pure: no I/O, no clock.

import type { SseObservation } from '../smoke-types';
import { spreadOf, type GradedCheck } from './connection';
import { formatMs, plural } from './wording';

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

interface TimedEvent {
  atMs: number;
  sentMs: number;
}

// Events the server spaced out must not arrive in one late burst (the classic buffering-proxy failure).
export function judgeBuffering(conn: SseObservation): GradedCheck {
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
