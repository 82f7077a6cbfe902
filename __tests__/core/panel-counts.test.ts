// The panel's count test (src/core/panel-counts.ts): the binomial tail against values worked by hand and
// by direct summation, and the conditional comparison of two arms' counts.
import {
  binomialUpperTail,
  compareCounts,
  compareTrials,
  formatP,
  hypergeometricUpperTail,
} from '../../src/core/panel-counts';

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

describe('compareTrials (Fisher exact, one-sided)', () => {
  /** C(n, k) with exact integer steps (small n only). */
  const choose = (n: number, k: number) => {
    let r = 1;
    for (let i = 1; i <= k; i++) r = (r * (n - k + i)) / i;
    return r;
  };

  test('the hypergeometric tail against the tables worked term by term', () => {
    // 20 tries with 5 failures among them; draw 8: P(X >= 3).
    let want = 0;
    for (let i = 3; i <= 5; i++) want += (choose(5, i) * choose(15, 8 - i)) / choose(20, 8);
    expect(hypergeometricUpperTail(3, 20, 5, 8)).toBeCloseTo(want, 12);
    expect(hypergeometricUpperTail(0, 20, 5, 8)).toBe(1);
    expect(hypergeometricUpperTail(6, 20, 5, 8)).toBe(0);
  });

  test('a candidate whose every probe ends early fails against a clean baseline with far fewer probes', () => {
    // Its probes end at once and free their slots, so it watches 50 to the baseline's 6 (the panel test's
    // case under load): the rate test reads the lopsided exposure as the explanation, Fisher's test does not.
    const rate = compareCounts(50, 50, 0, 6)!;
    const trials = compareTrials(50, 50, 0, 6)!;
    expect(rate.p).toBeGreaterThan(0.001);
    expect(trials.p).toBeCloseTo(1 / choose(56, 6), 15);
    expect(trials.p).toBeLessThan(1e-6);
    expect(trials.expected).toBeCloseTo((50 * 50) / 56, 10);
  });

  test('rare failures on equal tries read about as the rate test does', () => {
    const rate = compareCounts(10, 300, 0, 300)!;
    const trials = compareTrials(10, 300, 0, 300)!;
    expect(trials.expected).toBe(5);
    expect(trials.p).toBeLessThan(rate.p);
    expect(trials.p).toBeGreaterThan(rate.p / 2);
  });

  test('the same failure rate on both arms is no evidence; no tries is not compared', () => {
    expect(compareTrials(5, 100, 5, 100)!.p).toBeGreaterThan(0.5);
    expect(compareTrials(0, 100, 0, 100)).toEqual({ count: 0, expected: 0, p: 1 });
    expect(compareTrials(3, 0, 0, 100)).toBeUndefined();
    expect(compareTrials(3, 100, 0, 0)).toBeUndefined();
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
