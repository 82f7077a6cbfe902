// Judging the WebSocket smoke test: N connections (upgrade, echo, server messages, ping/pong, staying
// open, clean close), from timelines in ms from the probe's start. No I/O, no clock.

import type { SmokeCriteria, WebSocketObservation } from '../smoke-types';
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
import { explainError, formatMs, plural, quote } from './wording';

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
