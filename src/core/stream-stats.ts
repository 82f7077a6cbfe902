// The statistics of the stream-health panel and the smoke test's readings: percentiles (by rank and by
// time), and whether an SSE server resumed after a Last-Event-ID. Pure.

/** Nearest-rank percentile (`p` from 0 to 100); undefined for no values. */
export function percentile(values: readonly number[], p: number): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((Math.min(100, Math.max(0, p)) / 100) * sorted.length);
  return sorted[Math.max(0, rank - 1)];
}

/**
 * The gap a listener is in at `p` % of the moments: each gap weighs its length, so one stream silent for
 * most of the window outweighs many short gaps, and a stall of the client that splits or merges gaps
 * differently on the two arms moves both alike. Undefined for no gaps.
 */
export function timeWeightedPercentile(gaps: readonly number[], p: number): number | undefined {
  const sorted = gaps.filter((g) => g > 0).sort((a, b) => a - b);
  const total = sorted.reduce((sum, g) => sum + g, 0);
  if (total === 0) return gaps.length > 0 ? 0 : undefined;
  let seen = 0;
  for (const gap of sorted) {
    seen += gap;
    if (seen >= (Math.min(100, Math.max(0, p)) / 100) * total) return gap;
  }
  return sorted[sorted.length - 1];
}

/**
 * Whether an SSE server resumed after `lastId`: the first event after reconnecting carries an id that
 * is neither the last one nor the stream's first (a replay); numeric ids must grow.
 */
export function resumedAfter(lastId: string, gotId: string | undefined, firstIdOfStream?: string): boolean {
  if (gotId === undefined) return false;
  const integer = /^\d{1,15}$/;
  if (integer.test(lastId.trim()) && integer.test(gotId.trim())) return Number(gotId) > Number(lastId);
  return gotId !== lastId && gotId !== firstIdOfStream;
}
