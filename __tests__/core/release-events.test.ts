// The release record and the report as folds of the release's events: case tables, no I/O.
import type { TrafficTarget } from '../../src/core/cloud-run-types';
import {
  changedNothing,
  foldRecord,
  foldReport,
  recordAfter,
  reportChange,
  type ReleaseEvent,
} from '../../src/core/release-events';
import type { SmokeResult } from '../../src/core/smoke-types';

const REV = 'TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION' as const;
const BASELINE: TrafficTarget[] = [{ type: REV, revision: 'api-1', percent: 100 }];
const STEP_50: TrafficTarget[] = [
  { type: REV, revision: 'api-1', percent: 50 },
  { type: REV, revision: 'api-2', percent: 50, tag: 'pr-1' },
];
const FINAL: TrafficTarget[] = [{ type: REV, revision: 'api-2', percent: 100, tag: 'pr-1' }];
const T0 = '2026-12-02T10:00:00.000Z';
const T1 = '2026-12-02T10:01:00.000Z';
const T2 = '2026-12-02T10:02:00.000Z';

const planned = (kept = true): ReleaseEvent => ({
  type: 'planned',
  at: T0,
  ...(kept && {
    record: {
      version: 1,
      service: 'projects/p/locations/r/services/api',
      candidate: 'api-2',
      tag: 'pr-1',
      restoreTraffic: BASELINE,
      finalTraffic: FINAL,
      stepPercents: [50, 100],
      startedAt: T0,
      origin: 'acme/api@0123abc run 9 attempt 1',
    },
  }),
  report: {
    revision: 'api-2',
    findings: [],
    steps: [
      { percent: 50, status: 'pending' },
      { percent: 100, status: 'pending' },
    ],
  },
});
const PASS: SmokeResult = { verdict: 'pass', checks: [] } as unknown as SmokeResult;
const deployed: ReleaseEvent[] = [
  planned(),
  { type: 'deploy-sent', at: T0, generation: 4 },
  { type: 'deployed', serviceUrl: 'https://api', tagUrl: 'https://pr-1---api', traffic: BASELINE },
  { type: 'smoke-judged', smoke: PASS },
];
const step0: ReleaseEvent = { type: 'step-set', index: 0, at: T1, traffic: STEP_50, generation: 5 };

describe('foldRecord: the record says only what the events say has landed', () => {
  const phase = (events: ReleaseEvent[]) => {
    const r = foldRecord(events);
    return r && [r.phase, r.step, r.verifiedStep, r.generation ?? null, r.writtenAt];
  };

  it.each<[string, ReleaseEvent[], unknown]>([
    ['nothing planned yet', [], undefined],
    ['a first deploy keeps no record', [planned(false), { type: 'deploy-sent', at: T0 }], undefined],
    ['planned: deploying, nothing sent', [planned()], ['deploying', -1, -1, null, T0]],
    ['deploy sent: its base generation', deployed.slice(0, 2), ['deploying', -1, -1, 4, T0]],
    ['deployed and smoke-tested: still deploying', deployed, ['deploying', -1, -1, 4, T0]],
    ['step 1 landed', [...deployed, step0], ['rolling-out', 0, -1, 5, T1]],
    [
      'step 1 judged',
      [...deployed, step0, { type: 'step-judged', index: 0, passed: true }],
      ['rolling-out', 0, 0, 5, T1],
    ],
    [
      'a failed gate does not verify its step',
      [...deployed, step0, { type: 'step-judged', index: 0, passed: false, detail: 'x' }],
      ['rolling-out', 0, -1, 5, T1],
    ],
    [
      'a rollback that failed leaves the rollout unfinished',
      [...deployed, step0, { type: 'rollback-failed', problem: '503' }],
      ['rolling-out', 0, -1, 5, T1],
    ],
    [
      'a rollback that landed',
      [...deployed, step0, { type: 'rollback-landed', at: T2, generation: 6, traffic: BASELINE }],
      ['rolled-back', 0, -1, 6, T2],
    ],
    [
      'a promotion whose write failed still reads rolling out, last step verified',
      [
        ...deployed,
        step0,
        { type: 'step-judged', index: 0, passed: true },
        { type: 'step-set', index: 1, at: T2, traffic: FINAL, generation: 6 },
        { type: 'step-judged', index: 1, passed: true },
        { type: 'promotion-unrecorded' },
      ],
      ['rolling-out', 1, 1, 6, T2],
    ],
    [
      'a promotion that landed',
      [...deployed, step0, { type: 'promoted', at: T2, generation: 6, traffic: FINAL }],
      ['promoted', 0, -1, 6, T2],
    ],
    [
      'someone else moved the traffic',
      [...deployed, step0, { type: 'abandoned' }],
      ['abandoned', 0, -1, 5, T1],
    ],
    [
      'a revision that failed, its tag taken off',
      [...deployed.slice(0, 2), { type: 'deploy-failed', restored: true }],
      ['rolled-back', -1, -1, 4, T0],
    ],
    [
      'a revision that failed, its tag perhaps left',
      [...deployed.slice(0, 2), { type: 'deploy-failed', restored: false }],
      ['deploying', -1, -1, 4, T0],
    ],
    [
      'a preview that ends with its candidate',
      [...deployed, { type: 'candidate-kept' }],
      ['deployed', -1, -1, 4, T0],
    ],
    [
      'a failed smoke test, tag off',
      [...deployed, { type: 'candidate-settled', outcome: 'restored', traffic: BASELINE }],
      ['rolled-back', -1, -1, 4, T0],
    ],
    [
      'a failed smoke test, removing the tag failed',
      [...deployed, { type: 'candidate-settled', outcome: 'tag-left', traffic: BASELINE }],
      ['deploying', -1, -1, 4, T0],
    ],
  ])('%s', (_case, events, expected) => {
    expect(phase(events)).toEqual(expected);
  });

  it('the record a write carries is the fold with that write landed, and the fold itself is unchanged', () => {
    const events = [...deployed];
    expect(recordAfter(events, step0)).toMatchObject({ phase: 'rolling-out', step: 0, generation: 5 });
    expect(foldRecord(events)?.phase).toBe('deploying');
  });
});

describe('foldReport: the report follows the events', () => {
  it('walks planned -> candidate up -> smoke tested -> steps -> promoted', () => {
    const events: ReleaseEvent[] = [
      ...deployed,
      step0,
      { type: 'step-judged', index: 0, passed: true, detail: 'share 49 %' },
      { type: 'promoted', at: T2, traffic: FINAL },
      { type: 'ended', verdict: 'promoted', drainsBy: T2, traffic: FINAL },
    ];
    const report = foldReport(events);
    expect(report).toMatchObject({
      phase: 'promoted',
      tagUrl: 'https://pr-1---api',
      smoke: PASS,
      traffic: FINAL,
      drainsBy: T2,
      steps: [
        { percent: 50, status: 'verified', at: T1, detail: 'share 49 %' },
        { percent: 100, status: 'pending' },
      ],
    });
    expect(report.changedNothing).toBeUndefined();
  });

  it('a failure before any write says nothing changed; after the deploy was sent it does not', () => {
    const before = foldReport([planned(), { type: 'ended', verdict: 'failed', failure: 'lint' }]);
    expect(before).toMatchObject({ phase: 'failed', failure: 'lint', changedNothing: true });
    const after = foldReport([...deployed.slice(0, 2), { type: 'ended', verdict: 'failed', failure: 'x' }]);
    expect(after.changedNothing).toBeUndefined();
    expect(changedNothing(deployed)).toBe(false);
    expect(changedNothing([{ type: 'earlier-settled', traffic: BASELINE }])).toBe(false);
  });

  it('reportChange keeps only what an event changed', () => {
    const before = foldReport(deployed);
    const after = foldReport([...deployed, step0]);
    expect(Object.keys(reportChange(before, after)).sort()).toEqual(['phase', 'steps', 'traffic']);
    expect(reportChange(after, after)).toEqual({});
  });
});
