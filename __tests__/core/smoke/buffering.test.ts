import { checkNamed, every, judgeOne, sse, ticks } from '../../support/smoke-observations';

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

describe('issue 12: event-driven SSE and compression', () => {
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
});
