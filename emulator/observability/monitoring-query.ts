// The parts of a Cloud Monitoring timeSeries.list query the fake understands: the filter subset, the
// aligners and reducers valid for each value type (with Google's refusal text), and distributions.
import { ApiError } from '../api/google-errors';

/** One `field = "value"` or `field = one_of("a", "b")` clause of a monitoring filter. */
export interface FilterClause {
  field: string;
  values: string[];
}

const FILTER_FIELDS = /^(metric\.type|resource\.type|resource\.labels?\.[a-z_]+|metric\.labels?\.[a-z_]+)$/;

/**
 * Parses the subset of the monitoring filter language the fake serves: clauses joined by AND, each a field,
 * `=`, and a quoted string or `one_of(...)` of quoted strings. Anything else is 400 INVALID_ARGUMENT.
 */
export function parseMonitoringFilter(filter: string): FilterClause[] {
  const refuse = (why: string): never => {
    throw new ApiError('INVALID_ARGUMENT', `Field filter had an invalid value of "${filter}": ${why}`);
  };
  const clauses: FilterClause[] = [];
  const clause =
    /\s*([A-Za-z_.]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|one_of\(\s*((?:"(?:[^"\\]|\\.)*"\s*,?\s*)+)\))\s*/y;
  let at = 0;
  while (at < filter.length) {
    clause.lastIndex = at;
    const m = clause.exec(filter);
    if (!m) refuse(`the emulator cannot parse the filter at character ${at}.`);
    const field = m![1].replace(/^(resource|metric)\.label\./, '$1.labels.');
    if (!FILTER_FIELDS.test(field)) refuse(`unknown field "${m![1]}".`);
    const values =
      m![2] !== undefined ? [m![2]] : [...m![3].matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((v) => v[1]);
    clauses.push({ field, values: values.map((v) => v.replace(/\\(.)/g, '$1')) });
    at = clause.lastIndex;
    if (at >= filter.length) break;
    const and = /AND\s+/iy;
    and.lastIndex = at;
    if (!and.exec(filter)) refuse(`expected AND at character ${at}.`);
    at = and.lastIndex;
  }
  const types = clauses.filter((c) => c.field === 'metric.type');
  if (types.length !== 1 || types[0].values.length !== 1)
    refuse('the filter must specify exactly one metric type.');
  return clauses;
}

/** A DELTA distribution's samples (ms, or requests), kept raw so merging and percentiles stay exact. */
export type Samples = number[];

/** Bucket layout of the fake's distributions (Google's exact layout per metric is not documented). */
export const BUCKETS = { numFiniteBuckets: 64, growthFactor: 1.4, scale: 1 };

function bucketOf(value: number): number {
  const { numFiniteBuckets, growthFactor, scale } = BUCKETS;
  if (value < scale) return 0;
  const i = Math.floor(Math.log(value / scale) / Math.log(growthFactor)) + 1;
  return Math.min(i, numFiniteBuckets + 1);
}

function bucketBounds(i: number): [number, number] {
  const { numFiniteBuckets, growthFactor, scale } = BUCKETS;
  if (i === 0) return [0, scale];
  const lower = scale * growthFactor ** (i - 1);
  return [lower, i > numFiniteBuckets ? lower : scale * growthFactor ** i];
}

/** A google.api.Distribution in REST JSON: int64 counts as strings, exponential buckets. */
export function distributionValue(samples: Samples): Record<string, unknown> {
  const count = samples.length;
  const mean = count ? samples.reduce((a, b) => a + b, 0) / count : 0;
  const ssd = samples.reduce((a, b) => a + (b - mean) ** 2, 0);
  const counts = new Array<number>(BUCKETS.numFiniteBuckets + 2).fill(0);
  for (const s of samples) counts[bucketOf(s)]++;
  let last = counts.length;
  while (last > 0 && counts[last - 1] === 0) last--;
  return {
    count: String(count),
    mean,
    sumOfSquaredDeviation: ssd,
    bucketOptions: { exponentialBuckets: BUCKETS },
    bucketCounts: counts.slice(0, last).map(String),
  };
}

/** The p-th percentile (0..100) from the histogram, interpolated inside its bucket as Monitoring does. */
export function percentile(samples: Samples, p: number): number {
  const counts = new Array<number>(BUCKETS.numFiniteBuckets + 2).fill(0);
  for (const s of samples) counts[bucketOf(s)]++;
  const rank = (p / 100) * samples.length;
  let seen = 0;
  for (let i = 0; i < counts.length; i++) {
    if (counts[i] === 0) continue;
    if (seen + counts[i] >= rank) {
      const [lo, hi] = bucketBounds(i);
      return lo + (hi - lo) * ((rank - seen) / counts[i]);
    }
    seen += counts[i];
  }
  return 0;
}

export type ValueType = 'INT64' | 'DISTRIBUTION';

/** Aligners by what they accept, and what they make of it. */
const ALIGNERS = new Set([
  'ALIGN_NONE',
  'ALIGN_DELTA',
  'ALIGN_RATE',
  'ALIGN_INTERPOLATE',
  'ALIGN_NEXT_OLDER',
  'ALIGN_MIN',
  'ALIGN_MAX',
  'ALIGN_MEAN',
  'ALIGN_COUNT',
  'ALIGN_SUM',
  'ALIGN_STDDEV',
  'ALIGN_COUNT_TRUE',
  'ALIGN_COUNT_FALSE',
  'ALIGN_FRACTION_TRUE',
  'ALIGN_PERCENTILE_99',
  'ALIGN_PERCENTILE_95',
  'ALIGN_PERCENTILE_50',
  'ALIGN_PERCENTILE_05',
  'ALIGN_PERCENT_CHANGE',
]);
const FOR_INT64 = [
  'ALIGN_DELTA',
  'ALIGN_RATE',
  'ALIGN_MIN',
  'ALIGN_MAX',
  'ALIGN_MEAN',
  'ALIGN_COUNT',
  'ALIGN_SUM',
];
const FOR_DISTRIBUTION = [
  'ALIGN_DELTA',
  'ALIGN_SUM',
  'ALIGN_PERCENTILE_99',
  'ALIGN_PERCENTILE_95',
  'ALIGN_PERCENTILE_50',
  'ALIGN_PERCENTILE_05',
];
const REDUCERS = new Set([
  'REDUCE_NONE',
  'REDUCE_MEAN',
  'REDUCE_MIN',
  'REDUCE_MAX',
  'REDUCE_SUM',
  'REDUCE_STDDEV',
  'REDUCE_COUNT',
  'REDUCE_COUNT_TRUE',
  'REDUCE_COUNT_FALSE',
  'REDUCE_FRACTION_TRUE',
  'REDUCE_PERCENTILE_99',
  'REDUCE_PERCENTILE_95',
  'REDUCE_PERCENTILE_50',
  'REDUCE_PERCENTILE_05',
]);
/** Reducers the fake computes; others are refused as not emulated. */
const EMULATED_REDUCERS = ['REDUCE_NONE', 'REDUCE_SUM', 'REDUCE_MAX', 'REDUCE_MIN', 'REDUCE_MEAN'];

/** The query's aggregation, checked. */
export interface Aggregation {
  aligner: string;
  periodMs: number;
  reducer: string;
  groupBy: string[];
}

function enumError(field: string, type: string, value: string): ApiError {
  return new ApiError(
    'INVALID_ARGUMENT',
    `Invalid value at '${field}' (type.googleapis.com/google.monitoring.v3.Aggregation.${type}), "${value}"`,
  );
}

/** Reads and checks aggregation.* against the metric's kind and value type, as Monitoring refuses them. */
export function checkAggregation(q: URLSearchParams, valueType: ValueType): Aggregation {
  const get = (camel: string, snake: string): string | null => q.get(camel) ?? q.get(snake);
  const aligner = get('aggregation.perSeriesAligner', 'aggregation.per_series_aligner') ?? 'ALIGN_NONE';
  const reducer = get('aggregation.crossSeriesReducer', 'aggregation.cross_series_reducer') ?? 'REDUCE_NONE';
  const period = get('aggregation.alignmentPeriod', 'aggregation.alignment_period');
  const groupBy = [...q.getAll('aggregation.groupByFields'), ...q.getAll('aggregation.group_by_fields')];
  if (!ALIGNERS.has(aligner)) throw enumError('aggregation.per_series_aligner', 'Aligner', aligner);
  if (!REDUCERS.has(reducer)) throw enumError('aggregation.cross_series_reducer', 'Reducer', reducer);
  const kindText = `The aligner cannot be applied to metrics with kind DELTA and value type ${valueType}.`;
  const valid = valueType === 'INT64' ? FOR_INT64 : FOR_DISTRIBUTION;
  if (aligner !== 'ALIGN_NONE' && !valid.includes(aligner)) {
    throw new ApiError(
      'INVALID_ARGUMENT',
      `Field aggregation.perSeriesAligner had an invalid value of "${aligner}": ${kindText}`,
    );
  }
  let periodMs = 0;
  if (aligner !== 'ALIGN_NONE') {
    const m = /^(\d+)(?:\.(\d{1,9}))?s$/.exec(period ?? '');
    periodMs = m ? Number(m[1]) * 1000 + Number((m[2] ?? '0').padEnd(3, '0').slice(0, 3)) : 0;
    if (!m || periodMs < 60_000) {
      throw new ApiError(
        'INVALID_ARGUMENT',
        `Field aggregation.alignmentPeriod had an invalid value of "${period ?? ''}": The alignment period must be at least 60 seconds when a per-series aligner other than ALIGN_NONE is specified.`,
      );
    }
  }
  if (reducer !== 'REDUCE_NONE') {
    if (aligner === 'ALIGN_NONE') {
      throw new ApiError(
        'INVALID_ARGUMENT',
        'Field aggregation.perSeriesAligner had an invalid value of "ALIGN_NONE": A per-series aligner must be specified when a cross-series reducer is specified.',
      );
    }
    const alignedType = alignedValueType(aligner, valueType);
    if (
      !EMULATED_REDUCERS.includes(reducer) ||
      (alignedType === 'DISTRIBUTION' && reducer !== 'REDUCE_SUM')
    ) {
      throw new ApiError(
        'INVALID_ARGUMENT',
        `Field aggregation.crossSeriesReducer had an invalid value of "${reducer}": The reducer cannot be applied to metrics with kind ${alignedKind(aligner)} and value type ${alignedType}.`,
      );
    }
  }
  return { aligner, periodMs, reducer, groupBy };
}

/** The value type an aligner produces from `valueType`. */
export function alignedValueType(aligner: string, valueType: ValueType): 'INT64' | 'DOUBLE' | 'DISTRIBUTION' {
  if (aligner === 'ALIGN_RATE' || aligner === 'ALIGN_MEAN' || aligner.startsWith('ALIGN_PERCENTILE'))
    return 'DOUBLE';
  return valueType;
}

/** The metric kind an aligner produces from a DELTA metric (rates, extremes and percentiles are gauges). */
export function alignedKind(aligner: string): 'DELTA' | 'GAUGE' {
  return ['ALIGN_NONE', 'ALIGN_DELTA', 'ALIGN_SUM', 'ALIGN_COUNT'].includes(aligner) ? 'DELTA' : 'GAUGE';
}
