// The panel's count test (src/core/panel-counts.ts): the binomial tail against values worked by hand and
// by direct summation, and the conditional comparison of two arms' counts.
import { binomialUpperTail, compareCounts, formatP } from '../../src/core/panel-counts';

/** P(X >= x) summed term by term with exact binomial coefficients (small n only). */
function direct(x: number, n: number, q: number): number {
  let choose = 1;
  let sum = 0;
  for (let i = 0; i <= n; i++) {
    if (i >= x) sum += choose * q ** i * (1 - q) ** (n - i);
    choose = (choose * (n - i)) / (i + 1);
  }
  return sum;
}

describe('binomialUpperTail', () => {
  test.each<[number, number, number, number]>([
    [3, 3, 0.5, 0.125],
    [10, 10, 0.5, 1 / 1024],
    [0, 5, 0.3, 1],
    [6, 5, 0.3, 0],
    [1, 20, 0.1, 1 - 0.9 ** 20],
  ])('P(X >= %d | n=%d, q=%d) = %d', (x, n, q, want) => {
    expect(binomialUpperTail(x, n, q)).toBeCloseTo(want, 10);
  });

  test('agrees with direct summation over a grid', () => {
    for (const n of [1, 7, 30, 60])
      for (const q of [0.01, 0.2, 0.5, 0.9])
        for (let x = 0; x <= n; x += Math.max(1, Math.floor(n / 6)))
          expect(binomialUpperTail(x, n, q)).toBeCloseTo(direct(x, n, q), 9);
  });

  test('stays finite and in [0, 1] for thousands of trials', () => {
    const p = binomialUpperTail(120, 3000, 0.03);
    expect(p).toBeGreaterThan(0);
    expect(p).toBeLessThan(0.05);
    expect(binomialUpperTail(40, 3000, 0.5)).toBeCloseTo(1, 9);
  });
});

describe('compareCounts', () => {
  test('equal exposure: each event is a coin toss between the arms', () => {
    expect(compareCounts(10, 300, 0, 300)).toEqual({ count: 10, expected: 5, p: 1 / 1024 });
  });

  test('the exposure sets the share: twice the tries, twice the expected events', () => {
    const compared = compareCounts(4, 200, 2, 100)!;
    expect(compared.expected).toBeCloseTo(4, 10);
    expect(compared.p).toBeCloseTo(direct(4, 6, 2 / 3), 10);
  });

  test('nothing seen on either arm is no evidence; an arm without exposure is not compared', () => {
    expect(compareCounts(0, 300, 0, 300)).toEqual({ count: 0, expected: 0, p: 1 });
    expect(compareCounts(3, 0, 0, 300)).toBeUndefined();
    expect(compareCounts(3, 300, 0, 0)).toBeUndefined();
  });
});

test('formatP', () => {
  expect([formatP(0.00001), formatP(0.0031), formatP(0.04), formatP(0.5)]).toEqual([
    'p<0.0001',
    'p=0.003',
    'p=0.04',
    'p=0.50',
  ]);
});
