import type { SmokeCheck } from '../../../src/core/smoke-types';
import { judgeHealth } from '../../../src/core/smoke/http-health';
import { judgeSse } from '../../../src/core/smoke/sse';
import { describeFailures, judgeSmoke, summarizeSmoke } from '../../../src/core/smoke/verdict';
import { criteria, every, judgeOne, resumed, sse, ticks, URL_ } from '../../support/smoke-observations';

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
