// The panel's counts that should stay near zero (failed opens, probe streams ended early, disconnects,
// unexpected close codes), judged as a comparison of two rates: the candidate's count against what the
// baseline's rate predicts for the candidate's exposure (tries, or stream time). The test is exact and
// conditional: given the k events both arms saw together, each event falls on the candidate with the
// candidate's share of the exposure when the two rates are equal, so P(X >= c) under Binomial(k, share)
// is how likely the candidate's count is by chance. A failure needs both that chance under the panel's
// `countP` and an excess of events, so noise shared by both arms (a front end's 503s, a loaded runner)
// never fails a release and a handful of events never does either. Counts of tries that each fail at
// most once (failed opens, probes ended early) use Fisher's exact test instead (compareTrials). Pure: no
// I/O, no clock.

/** How a count compares: the chance of the candidate's count if both arms had the same rate. */
export interface CountComparison {
  /** The candidate's count and the number the baseline's rate predicts for it. */
  count: number;
  expected: number;
  /** One-sided: P(candidate count >= count | both arms' rates equal); 1 when nothing was seen. */
  p: number;
}

/** A chance under this, with at least 2 events, marks a count worth a longer look (panel `suspect`). */
export const SUSPECT_P = 0.05;

/**
 * Compares `c` events over `exposureC` on the candidate with `b` over `exposureB` on the baseline;
 * undefined when either arm had no exposure (nothing to compare).
 */
export function compareCounts(
  c: number,
  exposureC: number,
  b: number,
  exposureB: number,
): CountComparison | undefined {
  if (!(exposureC > 0) || !(exposureB > 0)) return undefined;
  const share = exposureC / (exposureC + exposureB);
  const k = b + c;
  return { count: c, expected: k * share, p: k === 0 ? 1 : binomialUpperTail(c, k, share) };
}

/**
 * Compares `c` failures in `triesC` tries on the candidate with `b` in `triesB` on the baseline, for
 * counts where each try fails at most once (failed opens of tries, probes ended early of probes watched):
 * Fisher's exact test, one-sided. Given the k failures both arms saw, the candidate's share of them is
 * hypergeometric when the two failure rates are equal. For rare failures this is the rate test above; when
 * most of the candidate's tries fail it is much sharper: a candidate whose probes all end early frees its
 * probe slots sooner, watches several times the baseline's probes, and the rate test would read its
 * larger share of the exposure as the explanation. Undefined when either arm had no tries.
 */
export function compareTrials(
  c: number,
  triesC: number,
  b: number,
  triesB: number,
): CountComparison | undefined {
  if (!(triesC > 0) || !(triesB > 0)) return undefined;
  const nC = Math.round(triesC);
  const nB = Math.round(triesB);
  const failC = Math.min(Math.max(0, Math.round(c)), nC);
  const failB = Math.min(Math.max(0, Math.round(b)), nB);
  const k = failC + failB;
  const expected = (k * nC) / (nC + nB);
  return { count: failC, expected, p: k === 0 ? 1 : hypergeometricUpperTail(failC, nC + nB, k, nC) };
}

/** P(X >= x) for X ~ Hypergeometric(population, successes, draws), summed in log space. */
export function hypergeometricUpperTail(
  x: number,
  population: number,
  successes: number,
  draws: number,
): number {
  const low = Math.max(0, draws - (population - successes));
  const high = Math.min(successes, draws);
  if (x <= low) return 1;
  if (x > high) return 0;
  const logTotal = logChooseOf(population, draws);
  let sum = 0;
  for (let i = x; i <= high; i++)
    sum += Math.exp(logChooseOf(successes, i) + logChooseOf(population - successes, draws - i) - logTotal);
  return Math.min(1, sum);
}

/** P(X >= x) for X ~ Binomial(n, q), summed in log space so a few thousand trials stay exact enough. */
export function binomialUpperTail(x: number, n: number, q: number): number {
  if (x <= 0) return 1;
  if (x > n) return 0;
  if (q <= 0) return 0;
  if (q >= 1) return 1;
  const logQ = Math.log(q);
  const logNotQ = Math.log1p(-q);
  let logChoose = logChooseOf(n, x);
  let sum = 0;
  for (let i = x; i <= n; i++) {
    sum += Math.exp(logChoose + i * logQ + (n - i) * logNotQ);
    // C(n, i + 1) = C(n, i) * (n - i) / (i + 1)
    logChoose += Math.log(n - i) - Math.log(i + 1);
  }
  return Math.min(1, sum);
}

function logChooseOf(n: number, k: number): number {
  k = Math.min(k, n - k);
  let sum = 0;
  for (let i = 1; i <= k; i++) sum += Math.log(n - k + i) - Math.log(i);
  return sum;
}

/** A probability for a table cell: `p=0.003`, `p<0.0001`. */
export function formatP(p: number): string {
  if (p < 0.0001) return 'p<0.0001';
  if (p >= 0.1) return `p=${p.toFixed(2)}`;
  return `p=${p.toPrecision(1)}`;
}
