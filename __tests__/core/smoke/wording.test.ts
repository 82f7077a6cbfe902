import { formatMs } from '../../../src/core/smoke/wording';

describe('formatMs', () => {
  it.each([
    [0, '0 ms'],
    [850, '850 ms'],
    [999.6, '1 s'],
    [1000, '1 s'],
    [1250, '1.3 s'],
    [3950, '4 s'],
    [59_940, '59.9 s'],
    [60_000, '1 min'],
    [125_000, '2 min 5 s'],
  ])('%d -> %s', (ms, text) => {
    expect(formatMs(ms)).toBe(text);
  });
});
