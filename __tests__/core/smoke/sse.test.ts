import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ReconnectObservation, SseObservation } from '../../../src/core/smoke-types';
import { judgeSse } from '../../../src/core/smoke/sse';
import { CANNOT_JUDGE } from '../../../src/core/smoke/wording';
import { checkNamed, criteria, every, judgeOne, resumed, sse, ticks } from '../../support/smoke-observations';

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

// Timelines recorded from examples/stream-app over real HTTP on 127.0.0.1 (TICK_MS=200, HEARTBEAT_MS=300,
// STREAM_APP_BUFFER_EVENTS=5, STREAM_APP_STALL_AFTER=2, watched 2.5 s, parsed with createSseParser), one
// per fault switch: each must fail exactly the checks that fault is about.
describe('judgeSse on timelines recorded from the sample app', () => {
  const fixtures = fileURLToPath(new URL('../fixtures/', import.meta.url));
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

  it('the reconnect check says it cannot when the id could not be sent', () => {
    const conn = sse();
    const result = judgeSse([conn], { lastEventId: 'a\u0001', notSent: 'a control character' }, criteria());
    const check = checkNamed(result.checks, 'reconnect');
    expect(check.ok).toBe(false);
    expect(check.detail).toMatch(new RegExp(`^${CANNOT_JUDGE}no reconnect sent: a control character`));
  });
});
