import type { HealthObservation } from '../../../src/core/smoke-types';
import { judgeHealth, judgeHttp } from '../../../src/core/smoke/http-health';
import { CANNOT_JUDGE } from '../../../src/core/smoke/wording';
import { criteria } from '../../support/smoke-observations';

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
