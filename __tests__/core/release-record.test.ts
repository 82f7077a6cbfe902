// The release record (what main saves in the runner state and a service annotation) and the decision of
// what to do with a release found unfinished: the post step, a rerun, `stream-deploy rollback`.
import {
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

  it('keeps the annotation key out of the reserved prefixes (FACTS.md "reserved labels")', () => {
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
