// Judging the SSE smoke test: N connections (handshake, content type, events, gaps, buffering, staying
// open) and the Last-Event-ID reconnect, from timelines in ms from the probe's start. No I/O, no clock.

import type {
  ObservedEvent,
  ReconnectObservation,
  SmokeCheck,
  SmokeCriteria,
  SseObservation,
} from '../smoke-types';
import { judgeBuffering } from './buffering';
import {
  findLargestGap,
  finishStream,
  foldConnections,
  judgeConnectionsHeld,
  judgeFirstEvent,
  judgeMaxGap,
  judgeMinEvents,
  judgeStreamStatus,
  type ConnectionJudgement,
  type GradedCheck,
} from './connection';
import type { StreamJudgement } from './verdict';
import { CANNOT_JUDGE, explainError, explainStatus, formatMs, isOutsideApp, plural } from './wording';

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
