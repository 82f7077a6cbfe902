import { renderComment } from '../../src/core/report';
import { OUTCOME_TEXT, trafficOutcome } from '../../src/core/report-traffic';
import type { ReleaseReport } from '../../src/core/report-types';
import { report, REV } from '../support/release-report';

describe('trafficOutcome: where the release left traffic, in words the fault suite reads back', () => {
  const LATEST = 'TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST' as const;
  const found = [{ type: LATEST, percent: 100 }];
  const pinned = [{ type: REV, revision: 'api-00041', percent: 100 }];
  const planned = [{ type: REV, revision: 'api-00042', percent: 100, tag: 'pr-12' }];
  const at = (traffic: ReleaseReport['traffic']) =>
    report({ traffic, baselineTraffic: found, restoreTraffic: pinned, plannedTraffic: planned });

  test.each([
    ['as found (nothing changed)', found, 'baseline'],
    ['with LATEST pinned (a rollback)', pinned, 'baseline'],
    ['the planned final state', planned, 'planned'],
    [
      'the baseline split with the candidate kept behind its tag',
      [...pinned, { type: REV, revision: 'api-00042', percent: 0, tag: 'pr-12' }],
      'baseline-percentages',
    ],
    [
      'half-way',
      [
        { type: REV, revision: 'api-00041', percent: 50 },
        { type: REV, revision: 'api-00042', percent: 50, tag: 'pr-12' },
      ],
      'between',
    ],
  ] as const)('%s -> %s', (_label, traffic, outcome) => {
    expect(trafficOutcome(at([...traffic]))).toBe(outcome);
    expect(renderComment(at([...traffic]))).toContain(OUTCOME_TEXT[outcome]);
  });

  test('unknown until the report has both the traffic and the baseline', () => {
    expect(trafficOutcome(report({ traffic: pinned }))).toBeUndefined();
    expect(trafficOutcome(report({ traffic: undefined, baselineTraffic: found }))).toBeUndefined();
  });
});
