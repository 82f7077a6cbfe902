// The release record (what main saves in the runner state and a service annotation) and the decision of
// what to do with a release found unfinished: the post step, a rerun, `stream-deploy rollback`.
import {
  checkRecord,
  decodeRecord,
  encodeRecord,
  planRecovery,
  RECORD_ANNOTATION,
  type ReleaseRecord,
} from '../../src/core/release-record';
import type { TrafficTarget } from '../../src/core/cloud-run-types';

const REV = 'TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION' as const;

// A split baseline (a previous canary left half-way) with a user tag, as in the issue.
const BASELINE: TrafficTarget[] = [
  { type: REV, revision: 'api-00001', percent: 70 },
  { type: REV, revision: 'api-00002', percent: 30, tag: 'blue' },
];
const FINAL: TrafficTarget[] = [
  { type: REV, revision: 'api-00003', percent: 100 },
  { type: REV, revision: 'api-00002', percent: 0, tag: 'blue' },
];

function record(overrides: Partial<ReleaseRecord> = {}): ReleaseRecord {
  return {
    version: 1,
    service: 'projects/p/locations/us-central1/services/api',
    candidate: 'api-00003',
    tag: 'candidate',
    restoreTraffic: BASELINE,
    finalTraffic: FINAL,
    stepPercents: [10, 50, 100],
    step: -1,
    verifiedStep: -1,
    phase: 'rolling-out',
    startedAt: '2025-01-01T00:00:00.000Z',
    origin: 'acme/streams@0123abc run 1001 attempt 1',
    ...overrides,
  };
}

describe('encodeRecord / decodeRecord', () => {
  it('round-trips a record unchanged', () => {
    const r = record({ step: 1, verifiedStep: 0 });
    expect(decodeRecord(encodeRecord(r))).toEqual(r);
  });

  it('keeps the annotation key out of the reserved prefixes (docs/platform.md "Labels")', () => {
    for (const reserved of [
      'run.googleapis.com',
      'cloud.googleapis.com',
      'serving.knative.dev',
      'autoscaling.knative.dev',
    ])
      expect(RECORD_ANNOTATION.split('/')[0].endsWith(reserved)).toBe(false);
  });

  const valid = record() as unknown as Record<string, unknown>;
  const without = (key: string) => JSON.stringify({ ...valid, [key]: undefined });
  it.each<[string, string | undefined]>([
    ['absent (undefined)', undefined],
    ['absent (empty runner state)', ''],
    ['corrupt JSON', '{"version":1,'],
    ['JSON but not an object', '42'],
    ['JSON null', 'null'],
    ['another version', JSON.stringify({ ...valid, version: 2 })],
    ['no service', without('service')],
    ['no candidate', without('candidate')],
    ['restoreTraffic not a list', JSON.stringify({ ...valid, restoreTraffic: 'api-00001' })],
    [
      'restoreTraffic entry without a percent',
      JSON.stringify({ ...valid, restoreTraffic: [{ revision: 'x' }] }),
    ],
    ['finalTraffic missing', without('finalTraffic')],
    ['stepPercents missing', without('stepPercents')],
    ['step not a number', JSON.stringify({ ...valid, step: '1' })],
    ['verifiedStep missing', without('verifiedStep')],
    ['unknown phase', JSON.stringify({ ...valid, phase: 'paused' })],
  ])('decodes %s as no record', (_case, text) => {
    expect(decodeRecord(text)).toBeUndefined();
  });
});

describe('planRecovery', () => {
  it.each<
    [
      string,
      'auto' | 'rollback',
      ReturnType<typeof planRecovery>['action'],
      ReleaseRecord | undefined,
      RegExp,
    ]
  >([
    ['no record', 'auto', 'nothing', undefined, /no release record/],
    ['no record', 'rollback', 'nothing', undefined, /no release record/],
    ['rolling out, before any step', 'auto', 'restore', record(), /before the first traffic step/],
    [
      'rolling out, at step 2 of 3, verified through step 1',
      'auto',
      'restore',
      record({ step: 1, verifiedStep: 0 }),
      /at step 2 of 3 \(50 %\), verified through step 1/,
    ],
    [
      'rolling out, step 1 sent, none verified',
      'auto',
      'restore',
      record({ step: 0, verifiedStep: -1 }),
      /at step 1 of 3 \(10 %\), verified through no step/,
    ],
    [
      'rolling out, last step sent but not verified',
      'auto',
      'restore',
      record({ step: 2, verifiedStep: 1 }),
      /at step 3 of 3 \(100 %\)/,
    ],
    [
      'rolling out, last step verified',
      'auto',
      'finish',
      record({ step: 2, verifiedStep: 2 }),
      /last step \(100 %\) had passed/,
    ],
    [
      'partial canary, last (25 %) step verified',
      'auto',
      'finish',
      record({ stepPercents: [5, 25], step: 1, verifiedStep: 1 }),
      /last step \(25 %\)/,
    ],
    [
      'promoted',
      'auto',
      'nothing',
      record({ phase: 'promoted', step: 2, verifiedStep: 2 }),
      /already ended \(promoted\)/,
    ],
    [
      'rolled back',
      'auto',
      'nothing',
      record({ phase: 'rolled-back', step: 1 }),
      /already ended \(rolled-back\)/,
    ],
    [
      'promoted',
      'rollback',
      'restore',
      record({ phase: 'promoted', step: 2, verifiedStep: 2 }),
      /restoring the baseline/,
    ],
    ['rolled back', 'rollback', 'restore', record({ phase: 'rolled-back' }), /restoring the baseline/],
    [
      'abandoned (someone else changed the traffic)',
      'auto',
      'nothing',
      record({ phase: 'abandoned', step: 1 }),
      /already ended \(abandoned\)/,
    ],
    ['abandoned', 'rollback', 'restore', record({ phase: 'abandoned', step: 1 }), /restoring the baseline/],
    [
      'stopped while deploying (the tag may be on the candidate)',
      'auto',
      'restore',
      record({ phase: 'deploying' }),
      /while .* was being deployed, before any traffic moved/,
    ],
    [
      'deployed with no rollout (a preview)',
      'auto',
      'nothing',
      record({ phase: 'deployed' }),
      /already ended \(deployed\)/,
    ],
    [
      'last step verified',
      'rollback',
      'restore',
      record({ step: 2, verifiedStep: 2 }),
      /restoring the baseline/,
    ],
  ])('%s, mode %s: %s', (_case, mode, action, r, reason) => {
    const recovery = planRecovery(r, mode);
    expect(recovery.action).toBe(action);
    expect(recovery.reason).toMatch(reason);
    if (recovery.action === 'restore') expect(recovery.traffic).toEqual(BASELINE);
    if (recovery.action === 'finish') expect(recovery.traffic).toEqual(FINAL);
  });

  it('names the candidate and whose release it was when rolling back by hand', () => {
    const recovery = planRecovery(record(), 'rollback');
    expect(recovery.reason).toContain('api-00003');
    expect(recovery.reason).toContain('acme/streams@0123abc run 1001 attempt 1');
  });
});

describe('checkRecord: a record found on the service is settled only while its traffic still serves', () => {
  const LATEST = 'TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST' as const;
  // What the rollout's steps set from BASELINE (70:30, user tag blue) for candidate api-00003, tag candidate.
  const STEP_10: TrafficTarget[] = [
    { type: REV, revision: 'api-00001', percent: 63 },
    { type: REV, revision: 'api-00002', percent: 27, tag: 'blue' },
    { type: REV, revision: 'api-00003', percent: 10, tag: 'candidate' },
  ];
  const STEP_50: TrafficTarget[] = [
    { type: REV, revision: 'api-00001', percent: 35 },
    { type: REV, revision: 'api-00002', percent: 15, tag: 'blue' },
    { type: REV, revision: 'api-00003', percent: 50, tag: 'candidate' },
  ];
  const STEP_100_LATEST: TrafficTarget[] = [
    { type: REV, revision: 'api-00002', percent: 0, tag: 'blue' },
    { type: REV, revision: 'api-00003', percent: 0, tag: 'candidate' },
    { type: LATEST, percent: 100 },
  ];
  const BY_HAND: TrafficTarget[] = [{ type: REV, revision: 'api-00001', percent: 100 }];

  it.each<[string, ReleaseRecord, TrafficTarget[], 'settle' | 'stale', RegExp]>([
    [
      'the first step, as it set it',
      record({ step: 0 }),
      STEP_10,
      'settle',
      /still serves .* step 1 of 3 \(10 %\)/,
    ],
    [
      "the first step with the stable revision's temporary panel tag, as it set it",
      record({ step: 0, baselineTag: { revision: 'api-00001', tag: 'candidate-base' } }),
      [...STEP_10, { type: REV, revision: 'api-00001', percent: 0, tag: 'candidate-base' }],
      'settle',
      /still serves .* step 1 of 3 \(10 %\)/,
    ],
    [
      'the first step without the temporary tag its record says every step carries',
      record({ step: 0, baselineTag: { revision: 'api-00001', tag: 'candidate-base' } }),
      STEP_10,
      'stale',
      /someone changed the service's traffic since/,
    ],
    [
      'the same split in another order, with an empty tag',
      record({ step: 1, verifiedStep: 0 }),
      [STEP_50[2], { ...STEP_50[0], tag: '' }, STEP_50[1]],
      'settle',
      /still serves/,
    ],
    [
      'the last step with LATEST (`follow_latest`)',
      record({ step: 2, verifiedStep: 1 }),
      STEP_100_LATEST,
      'settle',
      /still serves .* step 3 of 3 \(100 %\)/,
    ],
    [
      'traffic set by hand to the old revision',
      record({ step: 1, verifiedStep: 0 }),
      BY_HAND,
      'stale',
      /written by acme\/streams@0123abc run 1001 attempt 1\) set the traffic of step 2 of 3 \(50 %\), but someone changed the service's traffic since/,
    ],
    [
      'the baseline put back by hand',
      record({ step: 0 }),
      BASELINE,
      'stale',
      /someone changed the service's traffic since/,
    ],
    [
      'the split of another step than the recorded one',
      record({ step: 1, verifiedStep: 0 }),
      STEP_10,
      'stale',
      /someone changed/,
    ],
    [
      'the same percents with a tag moved',
      record({ step: 0 }),
      [STEP_10[0], { ...STEP_10[1], tag: 'green' }, STEP_10[2]],
      'stale',
      /someone changed/,
    ],
    [
      'a record no traffic write carries (before the first step)',
      record({ step: -1 }),
      BASELINE,
      'stale',
      /does not say which traffic it left \(rolling-out, step 0\)/,
    ],
    ['a step beyond the plan', record({ step: 3 }), STEP_10, 'stale', /does not say which traffic it left/],
  ])('%s', (_case, r, traffic, verdict, reason) => {
    const check = checkRecord(r, { traffic }, Date.parse(r.startedAt) + 60_000);
    expect(check.verdict).toBe(verdict);
    expect(check.reason).toMatch(reason);
  });

  // A record expires with the longest a job can run; the service's generation says whether anyone wrote since.
  const WRITTEN = '2025-01-01T10:00:00.000Z';
  const at = (hours: number) => Date.parse(WRITTEN) + hours * 3_600_000;
  it.each<[string, Partial<ReleaseRecord>, number | undefined, number, 'settle' | 'stale', RegExp]>([
    ['written a minute ago, nothing since', { generation: 7 }, 8, at(0.02), 'settle', /still serves/],
    ['just inside the job limit', {}, undefined, at(5.9), 'settle', /still serves/],
    ['older than any job runs', {}, undefined, at(6.1), 'stale', /6 h ago.*expired.*stream-deploy rollback/],
    ['older by days', { generation: 7 }, 8, at(72), 'stale', /72 h ago.*expired/],
    [
      'the service written since',
      { generation: 7 },
      10,
      at(0.5),
      'stale',
      /generation 8.*since \(generation 10\)/,
    ],
    ['a generation the record does not know', {}, 10, at(0.5), 'settle', /still serves/],
  ])('%s', (_case, fields, generation, now, verdict, reason) => {
    const r = record({ step: 0, writtenAt: WRITTEN, ...fields });
    const check = checkRecord(r, { traffic: STEP_10, generation }, now);
    expect(check.verdict).toBe(verdict);
    expect(check.reason).toMatch(reason);
  });
});
