import { decodeTags, planTagCleanup, recordTag } from '../../src/core/release-tags';
import type { TrafficTarget } from '../../src/core/cloud-run-types';

const R = 'TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION' as const;

test.each<[string, string | undefined, string[]]>([
  ['absent', undefined, []],
  ['not JSON', 'sha-1', []],
  ['not an array', '{"a":1}', []],
  ['strings kept, the rest dropped', '["sha-1", 3, "", "pr-2"]', ['sha-1', 'pr-2']],
])('decodeTags: %s', (_name, value, tags) => {
  expect(decodeTags(value)).toEqual(tags);
});

test('recordTag moves a re-used tag to the end', () => {
  expect(recordTag(['pr-1', 'sha-a', 'sha-b'], 'pr-1')).toEqual(['sha-a', 'sha-b', 'pr-1']);
});

describe('planTagCleanup (docs/platform.md "Min instances and tags")', () => {
  const traffic: TrafficTarget[] = [
    { type: R, revision: 'api-5', percent: 100, tag: 'sha-5' },
    { type: R, revision: 'api-4', percent: 0, tag: 'sha-4' },
    { type: R, revision: 'api-3', percent: 0, tag: 'sha-3' },
    { type: R, revision: 'api-2', percent: 0, tag: 'staging' },
    { type: R, revision: 'api-1', percent: 0, tag: 'sha-1' },
  ];

  test.each<[number, string[], string[]]>([
    [1, ['sha-5'], ['sha-4', 'sha-3', 'sha-1']],
    [2, ['sha-4', 'sha-5'], ['sha-3', 'sha-1']],
    [10, ['sha-1', 'sha-3', 'sha-4', 'sha-5'], []],
  ])('keep %i', (keep, kept, removed) => {
    const out = planTagCleanup(traffic, ['sha-1', 'sha-3', 'sha-4'], 'sha-5', keep);
    expect(out.kept).toEqual(kept);
    expect(out.removed).toEqual(removed);
    // A tag this action did not make is never touched.
    expect(out.traffic.find((t) => t.tag === 'staging')).toBeDefined();
    expect(out.traffic.map((t) => t.tag).filter((t) => removed.includes(t ?? ''))).toEqual([]);
  });

  test('tags recorded but no longer on the service do not take a place among the kept', () => {
    const out = planTagCleanup(traffic, ['sha-0', 'sha-1', 'sha-3', 'gone', 'sha-4'], 'sha-5', 2);
    expect(out.kept).toEqual(['sha-4', 'sha-5']);
    expect(out.removed).toEqual(['sha-3', 'sha-1']);
  });

  test('an old tag on a revision that serves loses the tag, not the share', () => {
    const out = planTagCleanup(
      [
        { type: R, revision: 'api-2', percent: 90, tag: 'sha-1' },
        { type: R, revision: 'api-3', percent: 10, tag: 'sha-3' },
      ],
      ['sha-1', 'sha-2'],
      'sha-3',
      1,
    );
    expect(out.traffic).toEqual([
      { type: R, revision: 'api-2', percent: 90 },
      { type: R, revision: 'api-3', percent: 10, tag: 'sha-3' },
    ]);
  });
});
