import { previewTag, TAG_PATTERN } from '../../src/core/tag-rules';

describe('previewTag', () => {
  test.each([
    [12, 46 - 'api'.length, 'pr-12'],
    [12, 4, 'pr12'],
    [12, 3, 'p12'],
    [12, 2, undefined],
    [12345, 6, 'p12345'],
  ])('pull request %i with room %i -> %s', (n, room, tag) => {
    expect(previewTag(n, room)).toBe(tag);
  });
});

describe('TAG_PATTERN', () => {
  test.each([
    ['pr-12', true],
    ['canary', true],
    ['a', true],
    ['12', false],
    ['pr-', false],
    ['PR-12', false],
    ['pr_12', false],
  ])('%s -> %s', (tag, valid) => {
    expect(TAG_PATTERN.test(tag)).toBe(valid);
  });
});
