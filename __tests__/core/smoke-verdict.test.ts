import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type {
  HealthObservation,
  ObservedEvent,
  ReconnectObservation,
  SmokeCheck,
  SmokeCriteria,
  SseObservation,
  WebSocketObservation,
} from '../../src/core/smoke-types';
import {
  CANNOT_JUDGE,
  describeFailures,
  formatMs,
  judgeHealth,
  judgeHttp,
  judgeSmoke,
  judgeSse,
  judgeWebSocket,
  matchesExpectation,
  summarizeSmoke,
} from '../../src/core/smoke-verdict';

// Recorded timelines built by hand: times in ms from the probe's start, as the probes record them.

const URL_ = 'https://pr-12---api-abc123-uc.a.run.app/events';
/** The server's clock, deliberately an hour off the probe's: only spreads of send times may be compared. */
const SERVER_EPOCH = 1_760_000_000_000 + 3_600_000;

function criteria(overrides: Partial<SmokeCriteria> = {}): SmokeCriteria {
  return {
    protocol: 'sse',
    path: '/events',
    healthPath: '/health',
    healthTimeoutMs: 30_000,
    durationMs: 10_000,
    firstEventTimeoutMs: 5_000,
    minEvents: 3,
    maxGapMs: 3_000,
    connections: 1,
    checkReconnect: true,
    ...overrides,
  };
}

interface TickOptions {
  /** When the server sent each event (server clock offset added); omit for no send timestamps. */
  sentAt?: number[];
  /** Numeric ids from this number up; omit for no ids. */
  firstId?: number;
  /** Use this key instead of `sentAt`, and ISO strings when `iso` is set. */
  key?: string;
  iso?: boolean;
}

/** Events arriving at the given times, like the sample app's ticks. */
function ticks(arrivals: number[], options: TickOptions = {}): ObservedEvent[] {
  return arrivals.map((atMs, i) => {
    const payload: Record<string, unknown> = { seq: i + 1 };
    if (options.sentAt) {
      const sent = SERVER_EPOCH + options.sentAt[i];
      payload[options.key ?? 'sentAt'] = options.iso ? new Date(sent).toISOString() : sent;
    }
    const event: ObservedEvent = { atMs, event: 'tick', data: JSON.stringify(payload) };
    if (options.firstId !== undefined) event.id = String(options.firstId + i);
    return event;
  });
}

/** Times from `from`, every `every` ms, `count` of them. */
function every(every: number, count: number, from = 100): number[] {
  return Array.from({ length: count }, (_, i) => from + i * every);
}

/** An SSE connection: 200, text/event-stream, headers at 50 ms, watched to 10 s; one chunk per arrival time. */
function sse(overrides: Partial<SseObservation> = {}): SseObservation {
  const events = overrides.events ?? ticks(every(1000, 10), { sentAt: every(1000, 10, 0), firstId: 1 });
  const arrivals = [...new Set(events.map((e) => e.atMs))];
  return {
    url: URL_,
    startMs: 0,
    headersMs: 50,
    status: 200,
    contentType: 'text/event-stream',
    chunks: arrivals.map((atMs) => ({ atMs, bytes: 60 * events.filter((e) => e.atMs === atMs).length })),
    events,
    comments: [],
    stoppedMs: 10_000,
    ...overrides,
  };
}

function checkNamed(checks: SmokeCheck[], name: string): SmokeCheck {
  const found = checks.find((c) => c.name === name);
  if (!found) throw new Error(`no ${name} check in ${checks.map((c) => c.name).join(', ')}`);
  return found;
}

function judgeOne(
  conn: SseObservation,
  reconnect?: ReconnectObservation,
  overrides: Partial<SmokeCriteria> = {},
) {
  return judgeSse([conn], reconnect, criteria(overrides));
}

const resumed: ReconnectObservation = {
  lastEventId: '10',
  status: 200,
  firstEventId: '11',
  firstEventMs: 10_200,
};

describe('judgeSse: a good stream', () => {
  it('passes every check, in a stable order, with metrics', () => {
    const result = judgeOne(sse(), resumed);
    expect(result.checks.map((c) => [c.name, c.ok])).toEqual([
      ['handshake', true],
      ['content-type', true],
      ['first-event', true],
      ['min-events', true],
      ['max-gap', true],
      ['not-buffered', true],
      ['stays-open', true],
      ['reconnect', true],
    ]);
    expect(result.verdict).toBe('pass');
    expect(result.metrics).toEqual({
      connectMs: 50,
      firstEventMs: 100,
      firstEventSpreadMs: undefined,
      events: 10,
      largestGapMs: 1000,
      buffered: false,
      connectionsHeld: 1,
      connectionsTried: 1,
    });
  });
});

describe('judgeSse: handshake', () => {
  const cases: Array<[string, Partial<SseObservation>, RegExp]> = [
    ['401 names the ID token', { status: 401 }, /401.*ID token.*audience/],
    ['403 names the invoker role', { status: 403 }, /403.*roles\/run\.invoker/],
    ['404 names the path and ingress', { status: 404 }, /404.*smoke_path.*ingress/],
    [
      '429 names concurrency and max instances',
      { status: 429 },
      /429.*no instance was free.*concurrency or max instances/,
    ],
    ['503 names the app', { status: 503 }, /503.*service failed/],
    ['302 says redirects are not followed', { status: 302 }, /302 redirect/],
    [
      'no response headers says the app never answered',
      {
        status: undefined,
        headersMs: undefined,
        error: { stage: 'response', code: 'ETIMEDOUT', message: 'no headers in 5 s' },
      },
      /never answered/,
    ],
  ];
  it.each(cases)('%s', (_name, overrides, detail) => {
    const result = judgeOne(sse({ ...overrides, events: [] }), undefined);
    expect(result.verdict).toBe('fail');
    // Nothing streamed: only the handshake is reported, not a cascade of consequences.
    expect(result.checks.map((c) => c.name)).toEqual(['handshake']);
    expect(result.checks[0].ok).toBe(false);
    expect(result.checks[0].detail).toMatch(detail);
    expect(result.metrics.connectionsHeld).toBe(0);
  });
});

describe('judgeSse: content-type', () => {
  const cases: Array<[string | undefined, boolean]> = [
    ['text/event-stream', true],
    ['text/event-stream; charset=utf-8', true],
    ['Text/Event-Stream ;charset=UTF-8', true],
    ['text/plain', false],
    ['application/json', false],
    [undefined, false],
  ];
  it.each(cases)('%s -> ok %s', (contentType, ok) => {
    const check = checkNamed(judgeOne(sse({ contentType })).checks, 'content-type');
    expect(check.ok).toBe(ok);
    if (!ok) expect(check.detail).toMatch(/expected text\/event-stream/);
  });
});

describe('judgeSse: first-event and min-events', () => {
  it('fails a first event later than the timeout, saying when it came', () => {
    const check = checkNamed(judgeOne(sse({ events: ticks(every(500, 8, 6200)) })).checks, 'first-event');
    expect(check).toEqual({
      name: 'first-event',
      ok: false,
      detail: 'first event 6.2 s after the request; expected within 5 s',
    });
  });

  it('fails a stream with no events at all', () => {
    const result = judgeOne(sse({ events: [] }));
    expect(checkNamed(result.checks, 'first-event').detail).toBe(
      'no event: none in 10 s; expected within 5 s',
    );
    expect(checkNamed(result.checks, 'min-events')).toEqual({
      name: 'min-events',
      ok: false,
      detail: '0 events in the 10 s watch; expected at least 3',
    });
  });

  it('passes exactly the minimum and fails one fewer', () => {
    expect(checkNamed(judgeOne(sse({ events: ticks([100, 1100, 2100]) })).checks, 'min-events').ok).toBe(
      true,
    );
    expect(checkNamed(judgeOne(sse({ events: ticks([100, 1100]) })).checks, 'min-events').ok).toBe(false);
  });
});

describe('judgeSse: max-gap (stalls)', () => {
  it('fails a stall where heartbeats kept flowing, and says so', () => {
    const heartbeats = every(1000, 9, 1000).map((atMs) => ({ atMs, text: 'heartbeat' }));
    const conn = sse({ events: ticks([100, 1100], { sentAt: [0, 1000] }), comments: heartbeats });
    const check = checkNamed(judgeOne(conn).checks, 'max-gap');
    expect(check.ok).toBe(false);
    expect(check.detail).toBe(
      'largest gap 8.9 s after the last event, from 1.1 s to the end at 10 s; expected at most 3 s; ' +
        '8 heartbeat comments kept arriving in that gap, so the connection was alive but the events stalled',
    );
  });

  it('does not count heartbeats as events', () => {
    const heartbeats = every(500, 19, 500).map((atMs) => ({ atMs, text: 'heartbeat' }));
    const result = judgeOne(sse({ events: ticks([100]), comments: heartbeats }));
    expect(checkNamed(result.checks, 'min-events').ok).toBe(false);
    expect(result.metrics.events).toBe(1);
  });

  it('fails a silent gap between events without mentioning heartbeats', () => {
    const check = checkNamed(
      judgeOne(sse({ events: ticks([100, 1100, 5600, 6600, 7600, 8600, 9600]) })).checks,
      'max-gap',
    );
    expect(check.ok).toBe(false);
    expect(check.detail).toBe('largest gap 4.5 s between events at 1.1 s and 5.6 s; expected at most 3 s');
  });

  it('counts the silence from the response headers to the first event', () => {
    const result = judgeOne(sse({ headersMs: 50, events: ticks(every(1000, 6, 4000)) }));
    expect(checkNamed(result.checks, 'max-gap').detail).toBe(
      'largest gap 4 s before the first event (50 ms to 4 s); expected at most 3 s',
    );
    expect(checkNamed(result.checks, 'max-gap').ok).toBe(false);
    expect(result.metrics.largestGapMs).toBe(3950);
  });

  it('passes a gap equal to the maximum', () => {
    const check = checkNamed(judgeOne(sse({ events: ticks([100, 3100, 6100, 9100]) })).checks, 'max-gap');
    expect(check.ok).toBe(true);
    expect(check.detail).toMatch(/largest gap 3 s .*\(at most 3 s allowed\)/);
  });
});

describe('judgeSse: not-buffered', () => {
  const steady = every(1000, 10, 0);

  it('passes a steady stream whose send timestamps match its arrivals', () => {
    const check = checkNamed(
      judgeOne(sse({ events: ticks(every(1000, 10, 100), { sentAt: steady }) })).checks,
      'not-buffered',
    );
    expect(check).toEqual({
      name: 'not-buffered',
      ok: true,
      detail: 'events arrived spaced as sent: send spread 9 s, arrival spread 9 s over 10 timestamped events',
    });
  });

  it('fails events sent 1 s apart that arrived in one late burst (with sentAt; clocks an hour apart)', () => {
    // Like the sample app's `buffer` fault: 5 events held and written at once when the stream ends.
    const conn = sse({
      events: ticks([4010, 4010, 4010, 4010, 4010], { sentAt: every(1000, 5, 0), firstId: 1 }),
      endedMs: 4012,
    });
    const result = judgeOne(conn);
    const check = checkNamed(result.checks, 'not-buffered');
    expect(check.ok).toBe(false);
    expect(check.detail).toBe(
      'buffered: 5 events the server sent over 4 s (by their send timestamps) arrived within 0 ms in 1 chunk, at 4 s: ' +
        'something between the app and the client held them back (a buffering proxy, compression, or a missing flush)',
    );
    expect(result.metrics.buffered).toBe(true);
    expect(checkNamed(result.checks, 'stays-open').ok).toBe(false);
  });

  it('fails periodic bursts mid-stream, as a proxy flushing every few events gives', () => {
    const arrivals = [3020, 3021, 3022, 3023, 7020, 7021, 7022, 7023];
    const check = checkNamed(
      judgeOne(sse({ events: ticks(arrivals, { sentAt: every(1000, 8, 0) }) })).checks,
      'not-buffered',
    );
    expect(check.ok).toBe(false);
    expect(check.detail).toMatch(
      /^buffered: 4 events the server sent over 3 s .* arrived within 3 ms in 4 chunks, at 3 s/,
    );
  });

  it('accepts a short stall that bunches a minority of the events (a busy runner), saying so', () => {
    // Seen in CI under load: ten events 100 ms apart, four of them read together after a 416 ms gap.
    const arrivals = [34, 133, 550, 550, 550, 550, 650, 750, 850, 950];
    const check = checkNamed(
      judgeOne(sse({ events: ticks(arrivals, { sentAt: every(100, 10, 0) }) })).checks,
      'not-buffered',
    );
    expect(check.ok).toBe(true);
    expect(check.detail).toMatch(/4 events held \d+ ms at 550 ms: a short stall of a minority of the events/);
  });

  it('still fails a short hold of most of the stream', () => {
    const arrivals = [34, 700, 700, 700, 700, 700, 700, 750, 850, 950];
    const check = checkNamed(
      judgeOne(sse({ events: ticks(arrivals, { sentAt: every(100, 10, 0) }) })).checks,
      'not-buffered',
    );
    expect(check.ok).toBe(false);
  });

  it('accepts a batch the server sent at once when the first event came promptly', () => {
    // A history replay: the events were stamped over 5 minutes but all sent on connect.
    const conn = sse({
      events: ticks([60, 60, 60, 60, 1060, 2060], {
        sentAt: [0, 60_000, 120_000, 300_000, 301_000, 302_000],
      }),
    });
    const check = checkNamed(judgeOne(conn).checks, 'not-buffered');
    expect(check.ok).toBe(true);
    expect(check.detail).toMatch(
      /a batch of 4 events arrived together at the start, but the first event came promptly \(60 ms/,
    );
  });

  it('accepts events sent together and arriving together', () => {
    const conn = sse({ events: ticks([8000, 8000, 8000], { sentAt: [7950, 7950, 7951] }) });
    expect(checkNamed(judgeOne(conn).checks, 'not-buffered').ok).toBe(true);
  });

  it.each([
    ['ts', false],
    ['timestamp', false],
    ['time', true],
  ])('reads the send time from `%s` (ISO %s)', (key, iso) => {
    const conn = sse({ events: ticks([4000, 4000, 4000, 4000], { sentAt: every(1000, 4, 0), key, iso }) });
    expect(checkNamed(judgeOne(conn).checks, 'not-buffered').detail).toMatch(/by their send timestamps/);
  });

  it('fails, without send timestamps, all events arriving in one burst at the very end', () => {
    const check = checkNamed(
      judgeOne(sse({ events: ticks([9900, 9900, 9910, 9930]) })).checks,
      'not-buffered',
    );
    expect(check).toEqual({
      name: 'not-buffered',
      ok: false,
      detail:
        'buffered: all 4 events arrived within 30 ms in 3 chunks at 9.9 s, after 99% of the 10 s the stream was open: ' +
        'something between the app and the client held them back (no send timestamps in the data, so judged from arrival times alone)',
    });
  });

  it('passes, without send timestamps, a burst that came promptly', () => {
    const check = checkNamed(judgeOne(sse({ events: ticks([80, 80, 80, 80, 80]) })).checks, 'not-buffered');
    expect(check.ok).toBe(true);
    expect(check.detail).toMatch(/arrived together, but early \(first at 80 ms of 10 s\)/);
  });

  it('passes, without send timestamps, events spread over the stream', () => {
    expect(checkNamed(judgeOne(sse({ events: ticks(every(1000, 10)) })).checks, 'not-buffered').ok).toBe(
      true,
    );
  });

  it('does not judge fewer than 3 events without send timestamps', () => {
    const check = checkNamed(judgeOne(sse({ events: ticks([9900, 9900]) })).checks, 'not-buffered');
    expect(check).toEqual({
      name: 'not-buffered',
      ok: true,
      detail: 'not judged: only 2 events (a burst needs 3 or more)',
    });
  });
});

describe('judgeSse: stays-open', () => {
  it('fails a stream the server ended early, saying when and after how many events', () => {
    const check = checkNamed(judgeOne(sse({ events: ticks([100]), endedMs: 1200 })).checks, 'stays-open');
    expect(check.ok).toBe(false);
    expect(check.detail).toMatch(
      /^the server ended the stream at 1.2 s, after 1 event; expected it open for the whole 10 s watch/,
    );
  });

  it('fails a stream reset mid-way', () => {
    const conn = sse({
      endedMs: 5000,
      error: { stage: 'stream', code: 'ECONNRESET', message: 'socket hang up' },
    });
    const check = checkNamed(judgeOne(conn).checks, 'stays-open');
    expect(check.ok).toBe(false);
    expect(check.detail).toMatch(
      /broke at 5 s, after 10 events: the connection was reset \(ECONNRESET, socket hang up\)/,
    );
  });

  it('passes a stream open until the probe stopped', () => {
    expect(checkNamed(judgeOne(sse()).checks, 'stays-open').ok).toBe(true);
  });
});

describe('judgeSse: reconnect with Last-Event-ID', () => {
  const cases: Array<[string, SseObservation, ReconnectObservation | undefined, boolean, RegExp]> = [
    ['resumes after the last id', sse(), resumed, true, /resumed at id 11/],
    [
      'replays from 1',
      sse(),
      { lastEventId: '10', status: 200, firstEventId: '1', firstEventMs: 10_200 },
      false,
      /got id 1 first \(the stream started over from id 1\); expected an id after 10/,
    ],
    [
      'repeats the last id',
      sse(),
      { lastEventId: '10', status: 200, firstEventId: '10', firstEventMs: 10_200 },
      false,
      /expected an id after 10/,
    ],
    [
      'no ids sent: not checked, not failed',
      sse({ events: ticks(every(1000, 10)) }),
      undefined,
      true,
      /^not checked: the server sends no ids/,
    ],
    ['reconnect refused', sse(), { lastEventId: '10', status: 503 }, false, /Last-Event-ID: 10 got 503/],
    ['reconnect with no event', sse(), { lastEventId: '10', status: 200 }, false, /no event followed/],
    [
      'non-numeric ids: a new id resumes',
      sse({ events: ticks(every(1000, 3)).map((e, i) => ({ ...e, id: `ev-${'abc'[i]}` })) }),
      { lastEventId: 'ev-c', status: 200, firstEventId: 'ev-d', firstEventMs: 10_100 },
      true,
      /resumed at id ev-d/,
    ],
    [
      'non-numeric ids: starting over fails',
      sse({ events: ticks(every(1000, 3)).map((e, i) => ({ ...e, id: `ev-${'abc'[i]}` })) }),
      { lastEventId: 'ev-c', status: 200, firstEventId: 'ev-a', firstEventMs: 10_100 },
      false,
      /started over from id ev-a/,
    ],
  ];
  it.each(cases)('%s', (_name, conn, reconnect, ok, detail) => {
    const check = checkNamed(judgeOne(conn, reconnect).checks, 'reconnect');
    expect(check.ok).toBe(ok);
    expect(check.detail).toMatch(detail);
  });

  it('is left out when checkReconnect is off', () => {
    expect(judgeOne(sse(), undefined, { checkReconnect: false }).checks.map((c) => c.name)).not.toContain(
      'reconnect',
    );
  });
});

describe('judgeSse: N connections', () => {
  const three = criteria({ connections: 3 });

  it('reports how many held and the spread of first-event times', () => {
    const conns = [120, 180, 480].map((first) =>
      sse({ events: ticks(every(1000, 10, first), { sentAt: every(1000, 10, 0) }) }),
    );
    const result = judgeSse(conns, resumed, three);
    expect(result.verdict).toBe('pass');
    expect(checkNamed(result.checks, 'connections')).toEqual({
      name: 'connections',
      ok: true,
      detail:
        '3 of 3 connections held for the whole 10 s watch; first events 120 ms to 480 ms after the request (spread 360 ms)',
    });
    expect(checkNamed(result.checks, 'first-event').detail).toBe(
      'all 3 connections passed; worst, connection 3: first event 480 ms after the request',
    );
    expect(result.metrics).toMatchObject({
      firstEventMs: 180,
      firstEventSpreadMs: 360,
      events: 30,
      connectionsHeld: 3,
      connectionsTried: 3,
    });
  });

  it('fails when one of three got 429, reporting the worst connection per check', () => {
    const conns = [sse(), sse(), sse({ status: 429, headersMs: 30, events: [] })];
    const result = judgeSse(conns, resumed, three);
    expect(result.verdict).toBe('fail');
    expect(checkNamed(result.checks, 'handshake').detail).toMatch(
      /^1 of 3 connections failed; worst, connection 3: 429 Too Many Requests/,
    );
    expect(checkNamed(result.checks, 'first-event').ok).toBe(true);
    const held = checkNamed(result.checks, 'connections');
    expect(held.ok).toBe(false);
    expect(held.detail).toMatch(/^2 of 3 connections held .*; connection 3: handshake: 429/);
    expect(result.metrics.connectionsHeld).toBe(2);
  });

  it('fails when fewer connections were tried than asked for', () => {
    const held = checkNamed(judgeSse([sse(), sse()], resumed, three).checks, 'connections');
    expect(held.ok).toBe(false);
    expect(held.detail).toMatch(/^2 of 2 connections \(3 were asked for\)/);
  });

  it('marks the stream buffered if any connection was', () => {
    const burst = sse({ events: ticks([9000, 9000, 9000, 9000], { sentAt: every(1000, 4, 0) }) });
    const result = judgeSse([sse(), burst], resumed, criteria({ connections: 2 }));
    expect(result.metrics.buffered).toBe(true);
    expect(checkNamed(result.checks, 'not-buffered').detail).toMatch(
      /^1 of 2 connections failed; worst, connection 2: buffered/,
    );
  });
});

describe('judgeSse: inconclusive when nothing reached the service', () => {
  const unreachable = (code: string): SseObservation =>
    sse({
      status: undefined,
      headersMs: undefined,
      events: [],
      error: { stage: 'connect', code, message: `connect ${code}` },
    });

  it.each(['ECONNREFUSED', 'ENOTFOUND', 'ETIMEDOUT', 'ERR_TLS_CERT_ALTNAME_INVALID'])(
    '%s on every connection',
    (code) => {
      const result = judgeSse(
        [unreachable(code), unreachable(code)],
        undefined,
        criteria({ connections: 2 }),
      );
      expect(result.verdict).toBe('inconclusive');
      const handshake = checkNamed(result.checks, 'handshake');
      expect(handshake.detail.startsWith(CANNOT_JUDGE)).toBe(true);
      expect(handshake.detail).toMatch(/none of the 2 connections reached the service/);
      expect(handshake.detail).toContain(code);
    },
  );

  it('is a failure when some connections got through', () => {
    expect(
      judgeSse([sse(), unreachable('ECONNREFUSED')], resumed, criteria({ connections: 2 })).verdict,
    ).toBe('fail');
  });

  it('is inconclusive when no connection was attempted', () => {
    const result = judgeSse([], undefined, criteria());
    expect(result.verdict).toBe('inconclusive');
    expect(result.checks).toEqual([
      { name: 'handshake', ok: false, detail: `${CANNOT_JUDGE}no connection was attempted` },
    ]);
  });
});

// ---------------------------------------------------------------------------------------------------

const wsCriteria = (overrides: Partial<SmokeCriteria> = {}) =>
  criteria({
    protocol: 'websocket',
    path: '/ws',
    send: 'hello',
    expect: 'echo:hello',
    checkReconnect: false,
    ...overrides,
  });

/** A WebSocket that upgraded at 40 ms, ticked every second, echoed `hello`, answered pings, closed cleanly. */
function ws(overrides: Partial<WebSocketObservation> = {}): WebSocketObservation {
  return {
    url: 'wss://pr-12---api-abc123-uc.a.run.app/ws',
    startMs: 0,
    upgradeStatus: 101,
    openMs: 40,
    messages: [
      ...every(1000, 10, 50).map((atMs, i) => ({ atMs, data: JSON.stringify({ type: 'tick', seq: i + 1 }) })),
      { atMs: 75, data: 'echo:hello' },
    ].sort((a, b) => a.atMs - b.atMs),
    sentMs: 45,
    pingsSentMs: [2000, 4000, 6000, 8000],
    pongsMs: [2003, 4003, 6003, 8003],
    close: { atMs: 10_000, by: 'client', code: 1000, reason: '', clean: true },
    stoppedMs: 10_000,
    ...overrides,
  };
}

describe('judgeWebSocket', () => {
  it('passes a good socket, in a stable order, not counting the echo as a server message', () => {
    const result = judgeWebSocket([ws()], wsCriteria());
    expect(result.checks.map((c) => [c.name, c.ok])).toEqual([
      ['handshake', true],
      ['echo', true],
      ['first-event', true],
      ['min-events', true],
      ['max-gap', true],
      ['ping-pong', true],
      ['stays-open', true],
      ['clean-close', true],
    ]);
    expect(result.verdict).toBe('pass');
    expect(result.metrics).toMatchObject({
      connectMs: 40,
      firstEventMs: 50,
      events: 10,
      buffered: false,
      connectionsHeld: 1,
    });
    expect(checkNamed(result.checks, 'echo').detail).toBe('sent "hello", got "echo:hello" after 30 ms');
  });

  const upgrades: Array<[number, RegExp]> = [
    [403, /403 Forbidden for \/ws: .*roles\/run\.invoker/],
    [404, /404 Not Found for \/ws: check the path \(`smoke_path`\)/],
    [429, /429 .*no instance was free to take the socket/],
    [200, /200 instead of 101.*HTTP\/2/],
    [426, /426 for \/ws; expected 101 Switching Protocols/],
  ];
  it.each(upgrades)('fails an upgrade answered %d', (status, detail) => {
    const result = judgeWebSocket(
      [ws({ upgradeStatus: status, openMs: undefined, messages: [], close: undefined })],
      wsCriteria(),
    );
    expect(result.verdict).toBe('fail');
    expect(result.checks).toHaveLength(1);
    expect(result.checks[0].detail).toMatch(detail);
  });

  it('fails a wrong echo, showing what came instead, truncated', () => {
    const long = 'x'.repeat(200);
    const conn = ws({
      messages: [
        { atMs: 50, data: 'tick 1' },
        { atMs: 80, data: 'HELLO' },
        { atMs: 1050, data: long },
        { atMs: 2050, data: 'tick 3' },
        { atMs: 3050, data: 'tick 4' },
      ],
    });
    const check = checkNamed(judgeWebSocket([conn], wsCriteria()).checks, 'echo');
    expect(check.ok).toBe(false);
    expect(check.detail).toBe(
      `wrong echo: sent "hello", expected a reply containing "echo:hello" within 5 s; got instead: "tick 1", "HELLO", "${'x'.repeat(80)}…" and 2 more`,
    );
  });

  it('fails when nothing comes back, and when the reply is late', () => {
    const silent = ws({ messages: every(1000, 10, 50).map((atMs) => ({ atMs, data: 'tick' })) });
    expect(checkNamed(judgeWebSocket([silent], wsCriteria()).checks, 'echo').detail).toMatch(
      /got instead: "tick", "tick", "tick" and 7 more/,
    );
    const nothing = ws({ messages: [] });
    expect(checkNamed(judgeWebSocket([nothing], wsCriteria({ minEvents: 0 })).checks, 'echo').detail).toMatch(
      /nothing came back$/,
    );
    const late = ws({ messages: [{ atMs: 6045, data: 'echo:hello' }] });
    expect(checkNamed(judgeWebSocket([late], wsCriteria({ minEvents: 0 })).checks, 'echo')).toEqual({
      name: 'echo',
      ok: false,
      detail: 'sent "hello"; a reply containing "echo:hello" came only after 6 s; expected within 5 s',
    });
  });

  it.each([
    ['/^echo:h.+o$/', 'echo:hello', true],
    ['/^ECHO:HELLO$/i', 'echo:hello', true],
    ['/^ECHO:HELLO$/', 'echo:hello', false],
    ['/"seq":\\d+/', '{"seq":12}', true],
    ['hello', 'echo:hello', true],
    ['/not closed', 'a /not closed b', true],
  ])('expect %s against %s -> %s', (expect_, text, ok) => {
    expect(matchesExpectation(text, expect_)).toBe(ok);
  });

  it('judges a /regex/ expectation in the echo check', () => {
    const ok = checkNamed(judgeWebSocket([ws()], wsCriteria({ expect: '/^echo:\\w+$/' })).checks, 'echo');
    expect(ok.ok).toBe(true);
    const bad = checkNamed(judgeWebSocket([ws()], wsCriteria({ expect: '/^pong$/' })).checks, 'echo');
    expect(bad.ok).toBe(false);
    expect(bad.detail).toMatch(/expected a reply matching \/\^pong\$\//);
  });

  it('passes a socket whose server pushes nothing when ping/pong works and no messages are required', () => {
    const result = judgeWebSocket(
      [ws({ messages: [] })],
      wsCriteria({ send: undefined, expect: undefined, minEvents: 0 }),
    );
    expect(result.verdict).toBe('pass');
    expect(checkNamed(result.checks, 'min-events').detail).toBe(
      '0 server messages; none required (smoke_min_events is 0)',
    );
    expect(result.checks.map((c) => c.name)).not.toContain('first-event');
  });

  it('fails pings left unanswered', () => {
    const check = checkNamed(judgeWebSocket([ws({ pongsMs: [2003] })], wsCriteria()).checks, 'ping-pong');
    expect(check).toEqual({
      name: 'ping-pong',
      ok: false,
      detail: '1 of 4 pings answered; expected a pong for each ping within 5 s',
    });
  });

  it('does not require a pong for a ping sent just before the end', () => {
    const conn = ws({ pingsSentMs: [2000, 9800], pongsMs: [2003] });
    expect(checkNamed(judgeWebSocket([conn], wsCriteria()).checks, 'ping-pong').ok).toBe(true);
  });

  it('fails a socket the server closed, with code and reason, and skips clean-close', () => {
    const conn = ws({
      messages: every(1000, 3, 50)
        .map((atMs) => ({ atMs, data: 'tick' }))
        .concat({ atMs: 75, data: 'echo:hello' }),
      close: { atMs: 3200, by: 'server', code: 1001, reason: 'server shutting down', clean: true },
    });
    const result = judgeWebSocket([conn], wsCriteria());
    expect(checkNamed(result.checks, 'stays-open').detail).toBe(
      'the server closed the socket at 3.2 s with code 1001 (server shutting down), after 3 messages; expected it open for the whole 10 s watch',
    );
    expect(result.checks.map((c) => c.name)).not.toContain('clean-close');
    expect(result.metrics.connectionsHeld).toBe(0);
  });

  it('fails a close we started that got no close frame back', () => {
    const conn = ws({ close: { atMs: 10_000, by: 'client', code: 1006, clean: false } });
    const check = checkNamed(judgeWebSocket([conn], wsCriteria()).checks, 'clean-close');
    expect(check.ok).toBe(false);
    expect(check.detail).toMatch(/not answered with a close frame/);
  });

  it('fails a message stall and mentions that pongs kept coming', () => {
    const conn = ws({
      messages: [
        { atMs: 50, data: 'tick' },
        { atMs: 75, data: 'echo:hello' },
        { atMs: 1050, data: 'tick' },
        { atMs: 2050, data: 'tick' },
      ],
    });
    const check = checkNamed(judgeWebSocket([conn], wsCriteria()).checks, 'max-gap');
    expect(check.ok).toBe(false);
    expect(check.detail).toMatch(
      /after the last message, from 2.1 s to the end at 10 s; .*3 pongs kept arriving/,
    );
  });

  it('reports N connections with some failing', () => {
    const conns = [ws(), ws({ upgradeStatus: 429, openMs: undefined, messages: [], close: undefined }), ws()];
    const result = judgeWebSocket(conns, wsCriteria({ connections: 3 }));
    expect(result.verdict).toBe('fail');
    expect(checkNamed(result.checks, 'connections').detail).toMatch(
      /^2 of 3 connections held .*connection 2: handshake: 429/,
    );
  });

  it('is inconclusive when no upgrade reached the service', () => {
    const down = ws({
      upgradeStatus: undefined,
      openMs: undefined,
      messages: [],
      close: undefined,
      error: { stage: 'connect', code: 'ENOTFOUND', message: 'getaddrinfo ENOTFOUND x' },
    });
    const result = judgeWebSocket([down], wsCriteria());
    expect(result.verdict).toBe('inconclusive');
    expect(result.checks[0].detail).toMatch(
      /^cannot judge: upgrade \/ws never reached the service: the host name does not resolve/,
    );
  });
});

// ---------------------------------------------------------------------------------------------------

describe('judgeHttp', () => {
  const http = criteria({ protocol: 'http', path: '/' });
  it.each([
    ['200 with a body passes', { status: 200, bodyBytes: 120 }, 'pass'],
    ['204 without a body fails the body check', { status: 204, bodyBytes: 0 }, 'fail'],
    ['500 fails', { status: 500, bodyBytes: 20 }, 'fail'],
    [
      'ENOTFOUND is inconclusive',
      { bodyBytes: 0, error: { stage: 'connect', code: 'ENOTFOUND', message: 'x' } },
      'inconclusive',
    ],
  ] as const)('%s', (_name, obs, verdict) => {
    expect(judgeHttp({ url: 'https://x/', headersMs: 30, ...obs }, http).verdict).toBe(verdict);
  });
});

describe('judgeHealth', () => {
  const health = (attempts: HealthObservation['attempts']) =>
    judgeHealth({ url: 'https://x/health', attempts }, criteria());
  const refused = { stage: 'connect', code: 'ECONNREFUSED', message: 'connect ECONNREFUSED' } as const;

  it('passes when a later attempt answers 2xx, listing the earlier ones', () => {
    expect(
      health([
        { atMs: 0, status: 503 },
        { atMs: 1000, error: refused },
        { atMs: 2000, status: 200 },
      ]),
    ).toEqual({
      name: 'health',
      ok: true,
      detail: '/health answered 200 on attempt 3 of 3, at 2 s (earlier: 503, ECONNREFUSED)',
    });
  });

  it('fails when no attempt answers 2xx, with the last answer explained', () => {
    const check = health([
      { atMs: 0, status: 503 },
      { atMs: 15_000, status: 503 },
      { atMs: 30_000, status: 503 },
    ]);
    expect(check.ok).toBe(false);
    expect(check.detail).toBe(
      "no 2xx from /health in 3 attempts over 30 s (503, 503, 503); last: 503: the service failed (the app crashed, failed to start, or timed out); see the revision's logs; expected a 2xx within 30 s",
    );
  });

  it('cannot judge when no attempt reached the service', () => {
    const check = health([
      { atMs: 0, error: refused },
      { atMs: 1000, error: refused },
    ]);
    expect(check.ok).toBe(false);
    expect(check.detail.startsWith(CANNOT_JUDGE)).toBe(true);
  });

  it('fails when no attempt was made', () => {
    expect(health([]).ok).toBe(false);
  });
});

// ---------------------------------------------------------------------------------------------------

describe('judgeSmoke, describeFailures, summarizeSmoke', () => {
  const healthy: SmokeCheck = {
    name: 'health',
    ok: true,
    detail: '/health answered 200 on attempt 1 of 1, at 40 ms',
  };
  const c = criteria();

  it('passes when health and stream pass, with a one-line summary', () => {
    const result = judgeSmoke(URL_, c, healthy, judgeOne(sse(), resumed));
    expect(result.verdict).toBe('pass');
    expect(result.checks[0]).toBe(healthy);
    expect(describeFailures(result)).toBe('');
    expect(summarizeSmoke(result)).toBe(
      `SSE smoke test of ${URL_} passed (9 checks): 1 of 1 connection held, 10 events, connect 50 ms, first event 100 ms, largest gap 1 s, not buffered`,
    );
  });

  it('fails with one line per failed check and the names in the summary', () => {
    const buffered = sse({
      events: ticks([4010, 4010, 4010, 4010, 4010], { sentAt: every(1000, 5, 0), firstId: 1 }),
      endedMs: 4012,
    });
    const result = judgeSmoke(
      URL_,
      c,
      healthy,
      judgeOne(buffered, { lastEventId: '5', status: 200, firstEventId: '6', firstEventMs: 4100 }),
    );
    expect(result.verdict).toBe('fail');
    const lines = describeFailures(result).split('\n');
    expect(lines.map((l) => l.split(':')[0])).toEqual(['max-gap', 'not-buffered', 'stays-open']);
    expect(lines[1]).toMatch(/^not-buffered: buffered: 5 events/);
    expect(summarizeSmoke(result)).toMatch(
      /failed 3 of 9 checks \(max-gap, not-buffered, stays-open\): .*BUFFERED$/,
    );
  });

  it('fails an unhealthy app even when streaming was skipped', () => {
    const sick: SmokeCheck = { name: 'health', ok: false, detail: 'no 2xx from /health …' };
    const result = judgeSmoke(URL_, c, sick, judgeSse([], undefined, c));
    expect(result.verdict).toBe('fail');
  });

  it('is inconclusive when neither health nor stream reached the service', () => {
    const unreachable = judgeHealth(
      {
        url: 'https://x/health',
        attempts: [{ atMs: 0, error: { stage: 'connect', code: 'ETIMEDOUT', message: 't' } }],
      },
      c,
    );
    const result = judgeSmoke(URL_, c, unreachable, judgeSse([], undefined, c));
    expect(result.verdict).toBe('inconclusive');
    expect(summarizeSmoke(result)).toMatch(
      /was inconclusive: it could not reach the service \(health, handshake\)/,
    );
    expect(describeFailures(result).split('\n')).toHaveLength(2);
  });

  it('fails when health could not be reached but the stream failed for the app', () => {
    const unreachable = judgeHealth(
      {
        url: 'https://x/health',
        attempts: [{ atMs: 0, error: { stage: 'connect', code: 'ETIMEDOUT', message: 't' } }],
      },
      c,
    );
    expect(judgeSmoke(URL_, c, unreachable, judgeOne(sse({ status: 500, events: [] }))).verdict).toBe('fail');
  });
});

describe('formatMs', () => {
  it.each([
    [0, '0 ms'],
    [850, '850 ms'],
    [999.6, '1 s'],
    [1000, '1 s'],
    [1250, '1.3 s'],
    [3950, '4 s'],
    [59_940, '59.9 s'],
    [60_000, '1 min'],
    [125_000, '2 min 5 s'],
  ])('%d -> %s', (ms, text) => {
    expect(formatMs(ms)).toBe(text);
  });
});

// Timelines recorded from examples/stream-app over real HTTP on 127.0.0.1 (TICK_MS=200, HEARTBEAT_MS=300,
// STREAM_APP_BUFFER_EVENTS=5, STREAM_APP_STALL_AFTER=2, watched 2.5 s, parsed with createSseParser), one
// per fault switch: each must fail exactly the checks that fault is about.
describe('judgeSse on timelines recorded from the sample app', () => {
  const fixtures = fileURLToPath(new URL('./fixtures/', import.meta.url));
  const recorded = criteria({
    durationMs: 2500,
    firstEventTimeoutMs: 1000,
    maxGapMs: 600,
    checkReconnect: false,
  });
  const load = (name: string) =>
    JSON.parse(readFileSync(`${fixtures}sse-${name}.json`, 'utf8')) as SseObservation;

  it.each([
    ['good', 'pass', []],
    ['buffer', 'fail', ['max-gap', 'not-buffered', 'stays-open']],
    ['stall', 'fail', ['min-events', 'max-gap']],
    ['close-after-first-event', 'fail', ['min-events', 'stays-open']],
    ['wrong-content-type', 'fail', ['content-type']],
  ])('%s -> %s, failing %j', (name, verdict, failed) => {
    const result = judgeSse([load(name)], undefined, recorded);
    expect(result.verdict).toBe(verdict);
    expect(result.checks.filter((c) => !c.ok).map((c) => c.name)).toEqual(failed);
  });

  it('reports the recorded buffering as buffering, judged by the send timestamps', () => {
    const result = judgeSse([load('buffer')], undefined, recorded);
    expect(result.metrics.buffered).toBe(true);
    expect(checkNamed(result.checks, 'not-buffered').detail).toMatch(
      /^buffered: 5 events the server sent over .* arrived within 0 ms in 1 chunk/,
    );
  });

  it('finds the same buffering verdicts when the send timestamps are stripped (arrival times alone)', () => {
    const strip = (obs: SseObservation): SseObservation => ({
      ...obs,
      events: obs.events.map((e) => ({ ...e, data: 'tick' })),
    });
    expect(judgeSse([strip(load('good'))], undefined, recorded).metrics.buffered).toBe(false);
    expect(judgeSse([strip(load('buffer'))], undefined, recorded).metrics.buffered).toBe(true);
  });
});

describe('issue 12: event-driven SSE and compression', () => {
  const heartbeats = (step: number, from = 50) =>
    every(step, Math.floor((10_000 - from) / step) + 1, from).map((atMs) => ({ atMs, text: 'heartbeat' }));

  it.each([
    ['passes a heartbeat-only stream with the default minimum', true, 2000, true],
    ['fails it when the minimum was given', false, 2000, false],
    ['fails a heartbeat slower than the max gap even with the default minimum', true, 4000, false],
  ])('%s', (_name, isDefault, step, ok) => {
    const conn = sse({ events: [], comments: heartbeats(step) });
    const result = judgeOne(conn, undefined, {
      minEventsIsDefault: isDefault,
      maxGapMs: 3000,
      checkReconnect: false,
    });
    expect(result.verdict).toBe(ok ? 'pass' : 'fail');
  });

  it('says why no event was required', () => {
    const result = judgeOne(sse({ events: [], comments: heartbeats(1000) }), undefined, {
      minEventsIsDefault: true,
    });
    expect(checkNamed(result.checks, 'min-events').detail).toContain('`smoke_min_events` was not given');
    expect(checkNamed(result.checks, 'first-event').detail).toBe(
      'first event or heartbeat 50 ms after the request',
    );
  });

  it('names compression when a gzip stream decodes nothing until it ends', () => {
    const conn = sse({
      events: ticks([9000, 9000, 9000, 9000]),
      chunks: [{ atMs: 9000, bytes: 120 }],
      endedMs: 9000,
      contentEncoding: 'gzip',
    });
    const check = checkNamed(judgeOne(conn).checks, 'not-buffered');
    expect(check.ok).toBe(false);
    expect(check.detail).toContain('gzip-compressed');
    expect(check.detail).toContain('smoke_accept_encoding: identity');
  });

  it('names compression when a gzip stream decodes nothing at all', () => {
    const conn = sse({ events: [], chunks: [], contentEncoding: 'gzip' });
    const check = checkNamed(judgeOne(conn).checks, 'not-buffered');
    expect(check.ok).toBe(false);
    expect(check.detail).toMatch(/^buffered: nothing could be decoded/);
  });

  it('passes a gzip stream decoded as it came', () => {
    const check = checkNamed(judgeOne(sse({ contentEncoding: 'gzip' })).checks, 'not-buffered');
    expect(check.ok).toBe(true);
    expect(check.detail).toContain('decoded as it came');
  });

  it('the reconnect check says it cannot when the id could not be sent', () => {
    const conn = sse();
    const result = judgeSse([conn], { lastEventId: 'a\u0001', notSent: 'a control character' }, criteria());
    const check = checkNamed(result.checks, 'reconnect');
    expect(check.ok).toBe(false);
    expect(check.detail).toMatch(new RegExp(`^${CANNOT_JUDGE}no reconnect sent: a control character`));
  });
});
