import type { SmokeCriteria, WebSocketObservation } from '../../../src/core/smoke-types';
import { judgeWebSocket, matchesExpectation } from '../../../src/core/smoke/websocket';
import { checkNamed, criteria, every } from '../../support/smoke-observations';

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
