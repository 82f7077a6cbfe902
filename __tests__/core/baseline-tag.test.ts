import { chooseBaselineTag, withBaselineTag, withoutBaselineTag } from '../../src/core/baseline-tag';
import type { TrafficTarget } from '../../src/core/cloud-run-types';

const R = 'TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION';
const entry = (revision: string, percent: number, tag?: string): TrafficTarget => ({
  type: R,
  revision,
  percent,
  ...(tag && { tag }),
});

describe('chooseBaselineTag', () => {
  test('the revision with the largest share gets CANDIDATE-base', () => {
    expect(chooseBaselineTag([entry('a', 30), entry('b', 70, 'stable')], 'pr-12', 'api')).toEqual({
      revision: 'b',
      tag: 'pr-12-base',
    });
  });

  test('a tag already on the service is never taken: the next form is', () => {
    expect(chooseBaselineTag([entry('a', 100), entry('x', 0, 'pr-12-base')], 'pr-12', 'api')).toEqual({
      revision: 'a',
      tag: 'pr-12b',
    });
  });

  test('a long service name gets the shortest form that fits 46 characters with it', () => {
    const service = 'a'.repeat(42);
    expect(chooseBaselineTag([entry('a', 100)], 'pr-12', service)).toEqual({ revision: 'a', tag: 'base' });
    const full = chooseBaselineTag([entry('a', 100)], 'pr-12', 'a'.repeat(45));
    expect(full).toEqual({ none: expect.stringMatching(/no free tag fits/) });
  });

  test('a first deploy has no baseline', () => {
    expect(chooseBaselineTag([], 'pr-12', 'api')).toEqual({
      none: expect.stringMatching(/no revision serves/),
    });
    expect(chooseBaselineTag([entry('a', 0, 'old')], 'pr-12', 'api')).toHaveProperty('none');
  });
});

describe('withBaselineTag / withoutBaselineTag', () => {
  const baseline = { revision: 'a', tag: 'pr-12-base' };

  test('adds a 0 % tag-only entry beside the percent entries, and takes it off again exactly', () => {
    const step = [entry('a', 90), entry('c', 10, 'pr-12')];
    const tagged = withBaselineTag(step, baseline);
    expect(tagged).toEqual([...step, entry('a', 0, 'pr-12-base')]);
    expect(withoutBaselineTag(tagged, 'pr-12-base')).toEqual(step);
  });

  test('is idempotent: adding twice leaves one entry', () => {
    const once = withBaselineTag([entry('a', 100)], baseline);
    expect(withBaselineTag(once, baseline)).toEqual(once);
  });

  test('a serving entry carrying the tag keeps its percent and loses the tag', () => {
    expect(withoutBaselineTag([entry('a', 100, 'pr-12-base')], 'pr-12-base')).toEqual([entry('a', 100)]);
  });
});
