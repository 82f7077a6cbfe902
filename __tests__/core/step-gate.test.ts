import { fitToWindow, judgeCandidateErrors, judgeSampleErrors, planGate } from '../../src/core/step-gate';
import type { SmokeCriteria } from '../../src/core/smoke-types';

const SSE: SmokeCriteria = {
  protocol: 'sse',
  path: '/events',
  healthPath: '/health',
  healthTimeoutMs: 60_000,
  durationMs: 10_000,
  firstEventTimeoutMs: 5000,
  minEvents: 3,
  maxGapMs: 5000,
  connections: 3,
  checkReconnect: true,
};
const urls = { serviceUrl: 'https://api.run.app', tagUrl: 'https://pr-1---api.run.app' };

describe('planGate: what a step probes follows the release settings', () => {
  test('default: light tests on the tag and service URLs, the share sampled on the health path', () => {
    const gate = planGate({ smoke: SSE }, urls);
    expect(gate.probes.map((p) => p.label)).toEqual(['tag URL', 'service URL']);
    expect(gate.sample).toEqual({ url: urls.serviceUrl, path: '/health' });
    expect(gate.notes).toEqual([]);
  });

  test('no health path: the stream path is sampled (by its headers)', () => {
    expect(planGate({ smoke: { ...SSE, healthPath: '' } }, urls).sample?.path).toBe('/events');
  });

  test.each<[string, Parameters<typeof planGate>[0], string[], boolean, RegExp]>([
    ['smoke_protocol: none probes nothing', { smoke: undefined }, [], false, /smoke_protocol: none/],
    [
      'smoke_url is the only URL probed; no share',
      { smoke: SSE, smokeUrl: 'https://lb.example.com' },
      ['smoke URL'],
      false,
      /share not checked/,
    ],
    [
      'internal ingress without smoke_url: the runner cannot reach it',
      { smoke: SSE, ingress: 'internal' },
      [],
      false,
      /ingress `internal`/,
    ],
  ])('%s', (_name, config, labels, sampled, note) => {
    const gate = planGate(config, urls);
    expect(gate.probes.map((p) => p.label)).toEqual(labels);
    expect(Boolean(gate.sample)).toBe(sampled);
    expect(gate.notes.join('\n')).toMatch(note);
  });
});

test.each<[number, number, number, number]>([
  // minEvents, duration, window → expected minEvents
  [3, 10_000, 2000, 1],
  [30, 10_000, 2000, 6],
  [3, 1000, 2000, 3],
  [0, 10_000, 2000, 0],
])(
  'fitToWindow: %i events in %i ms within a %i ms window asks for %i',
  (minEvents, durationMs, window, expected) => {
    const fitted = fitToWindow({ ...SSE, minEvents, durationMs }, window);
    expect(fitted.minEvents).toBe(expected);
    expect(fitted.durationMs).toBe(Math.min(durationMs, window));
    expect([fitted.connections, fitted.checkReconnect, fitted.healthPath]).toEqual([1, false, '']);
  },
);

test.each<[number, number, boolean]>([
  [40, 0, true],
  [39, 1, true], // one lost request never fails a round
  [38, 2, true],
  [37, 3, false], // 3 of 40 = 7.5 %
  [10, 3, true], // too small a sample to say
  [100, 4, true], // 3.8 %
])('judgeSampleErrors: %i answered, %i failed -> ok %s', (total, errors, ok) => {
  expect(judgeSampleErrors({ total, errors }).ok).toBe(ok);
});

describe('judgeCandidateErrors', () => {
  test('an app that names its revision: failures no revision signed are shown, not judged', () => {
    // 30 answered (20 by the candidate), 10 timed out or answered by the front end: not the candidate's.
    const judged = judgeCandidateErrors({ total: 30, candidate: 20, unidentified: 0, errors: 10 });
    expect(judged.ok).toBe(true);
    expect(judged.detail).toMatch(/^10 of 40 sampled requests failed without the candidate's X-Revision/);
  });

  test("the candidate's own failures are judged over its own answers", () => {
    const own = { total: 30, candidate: 18, unidentified: 0, errors: 3, candidateErrors: 3 };
    expect(judgeCandidateErrors(own)).toEqual({
      ok: false,
      detail: '3 of 21 sampled requests failed (14.3 %)',
    });
  });

  test('an app that does not name its revision is judged on every failure, as before', () => {
    expect(judgeCandidateErrors({ total: 30, candidate: 0, unidentified: 30, errors: 10 }).ok).toBe(false);
  });
});

test('gRPC: light tests on both URLs, no HTTP share sample', () => {
  const gate = planGate({ smoke: { ...SSE, protocol: 'grpc', healthPath: '' } }, urls);
  expect(gate.probes.map((p) => p.label)).toEqual(['tag URL', 'service URL']);
  expect(gate.sample).toBeUndefined();
  expect(gate.notes.join('\n')).toMatch(/share not checked/);
});
