import type { SseObservation } from '../../../src/core/smoke-types';
import { judgeSse } from '../../../src/core/smoke/sse';
import { CANNOT_JUDGE } from '../../../src/core/smoke/wording';
import { checkNamed, criteria, every, resumed, sse, ticks } from '../../support/smoke-observations';

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
