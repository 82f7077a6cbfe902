// A release left unfinished, for the tests of its recovery (__tests__/recover.test.ts and
// recover.emulator.test.ts): a canary stopped at 50 % over a half-way baseline, its runner-state record,
// and a log that keeps its lines.
import type { Log } from '../../src/ports';
import type { TrafficTarget } from '../../src/core/cloud-run-types';
import type { ReleaseRecord } from '../../src/core/release-record';

export const REV = 'TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION' as const;
export const NAME = 'projects/p-1234/locations/us-central1/services/api';

// A previous canary left half-way, with a user tag: the baseline as found.
export const BASELINE: TrafficTarget[] = [
  { type: REV, revision: 'api-00001', percent: 70 },
  { type: REV, revision: 'api-00002', percent: 30, tag: 'blue' },
];
// Step 2 of 3: the candidate at 50 %, the baseline sharing the rest in its proportions.
export const AT_50: TrafficTarget[] = [
  { type: REV, revision: 'api-00003', percent: 50 },
  { type: REV, revision: 'api-00001', percent: 35 },
  { type: REV, revision: 'api-00002', percent: 15, tag: 'blue' },
  { type: REV, revision: 'api-00003', percent: 0, tag: 'candidate' },
];
export const FINAL: TrafficTarget[] = [
  { type: REV, revision: 'api-00003', percent: 100 },
  { type: REV, revision: 'api-00002', percent: 0, tag: 'blue' },
  { type: REV, revision: 'api-00003', percent: 0, tag: 'candidate' },
];

export function record(overrides: Partial<ReleaseRecord> = {}): ReleaseRecord {
  return {
    version: 1,
    service: NAME,
    candidate: 'api-00003',
    tag: 'candidate',
    restoreTraffic: BASELINE,
    finalTraffic: FINAL,
    stepPercents: [10, 50, 100],
    step: 1,
    verifiedStep: 0,
    phase: 'rolling-out',
    startedAt: '2025-01-01T00:00:00.000Z',
    origin: 'acme/streams@0123abc run 1001 attempt 1',
    ...overrides,
  };
}

export function memoryLog(): Log & { lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    info: (l) => lines.push(l),
    warning: (l) => lines.push(`warning: ${l}`),
    error: (l) => lines.push(`error: ${l}`),
    debug: () => undefined,
    group: (_title, fn) => fn(),
  };
}
