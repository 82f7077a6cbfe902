// Traffic in people's words and as the gcloud command that sets it: case tables, no I/O.
import type { TrafficTarget } from '../../src/core/cloud-run-types';
import { describeManualFix, describeTraffic } from '../../src/core/traffic-format';

const REV = 'TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION' as const;
const LATEST = 'TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST' as const;
const NAME = 'projects/p-1234/locations/us-central1/services/api';
const BASELINE: TrafficTarget[] = [
  { type: REV, revision: 'api-00001', percent: 70 },
  { type: REV, revision: 'api-00002', percent: 30, tag: 'blue' },
];

describe('describeTraffic', () => {
  it.each<[TrafficTarget[], string]>([
    [BASELINE, 'api-00001 70 %, api-00002 30 % (tag blue)'],
    [[{ type: LATEST, percent: 100 }], 'LATEST 100 %'],
    [
      [
        { type: LATEST, percent: 100 },
        { type: REV, revision: 'api-00003', percent: 0, tag: 'pr-1' },
      ],
      'LATEST 100 %, tag pr-1 -> api-00003',
    ],
    [[], '(none)'],
  ])('describes %j', (traffic, text) => {
    expect(describeTraffic(traffic)).toBe(text);
  });
});

describe('describeManualFix', () => {
  it('names LATEST as gcloud does', () => {
    expect(describeManualFix(NAME, [{ type: LATEST, percent: 100 }])).toBe(
      'gcloud run services update-traffic api --region=us-central1 --project=p-1234 --to-revisions=LATEST=100',
    );
  });

  it('sets the tags with the split', () => {
    expect(describeManualFix(NAME, BASELINE)).toBe(
      'gcloud run services update-traffic api --region=us-central1 --project=p-1234 --to-revisions=api-00001=70,api-00002=30 --set-tags=blue=api-00002',
    );
  });
});
