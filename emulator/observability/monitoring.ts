// The Cloud Monitoring fake: `GET /v3/projects/{project}/timeSeries` (projects.timeSeries.list) over the
// Cloud Run metrics the action reads, computed from the router's request records. A point exists only
// where there was data (never zero-filled: no data is `{}`), and only once the ingestion delay
// (faults.settings.monitoringDelayMs) has passed since the request it counts ended.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiError, sendError, sendJson } from '../api/google-errors';
import { gate, parseRfc3339, rfc3339, type GateOptions } from './gate';
import {
  alignedKind,
  alignedValueType,
  checkAggregation,
  distributionValue,
  parseMonitoringFilter,
  percentile,
  type Aggregation,
  type FilterClause,
  type ValueType,
} from './monitoring-query';
import { serviceParts, type RequestLog, type RequestRecord } from './request-log';

const MONITORING_API = 'monitoring.googleapis.com';
const RESOURCE_TYPE = 'cloud_run_revision';
const SAMPLE_MS = 60_000;

/** The Cloud Run metrics the fake serves: all DELTA, sampled every 60 s. */
const METRICS: Record<string, { valueType: ValueType; unit: string }> = {
  'run.googleapis.com/request_count': { valueType: 'INT64', unit: '1' },
  'run.googleapis.com/request_latencies': { valueType: 'DISTRIBUTION', unit: 'ms' },
  'run.googleapis.com/container/max_request_concurrencies': { valueType: 'DISTRIBUTION', unit: '1' },
  'run.googleapis.com/container/network/sent_bytes_count': { valueType: 'INT64', unit: 'By' },
};

type Labels = Record<string, string>;
/** One series' data in one window: its labels and its samples (counts, ms, bytes or per-instance maxima). */
interface SeriesData {
  metric: Labels;
  resource: Labels;
  samples: Array<{ at: number; value: number }>;
}
type Value = { int64: number } | { double: number } | { dist: number[] };
interface OutSeries {
  metric: Labels;
  resource: Labels;
  points: Array<{ start: number; end: number; value: Value }>;
}

/** Serves timeSeries.list from `log`; resolves false for other paths. */
export function createMonitoringFake(
  log: RequestLog,
  opts: GateOptions & { project: string; now?: () => number },
): (req: IncomingMessage, res: ServerResponse) => boolean {
  const now = opts.now ?? Date.now;
  return (req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const m = /^\/v3\/projects\/([^/]+)\/timeSeries$/.exec(url.pathname);
    if (!m) return false;
    try {
      if (req.method !== 'GET') throw new ApiError('NOT_FOUND', `No route for ${req.method} ${url.pathname}`);
      gate(opts, req, {
        api: MONITORING_API,
        permission: 'monitoring.timeSeries.list',
        role: 'monitoring.viewer',
        project: m[1],
        message: 'Permission monitoring.timeSeries.list denied (or the resource may not exist).',
      });
      sendJson(
        res,
        200,
        list(log, opts.project, url.searchParams, now() - opts.faults.settings.monitoringDelayMs, now()),
      );
    } catch (err) {
      sendError(res, err instanceof ApiError ? err : new ApiError('INTERNAL', (err as Error).message));
    }
    return true;
  };
}

function list(
  log: RequestLog,
  project: string,
  q: URLSearchParams,
  visibleUntil: number,
  nowMs: number,
): Record<string, unknown> {
  const filter = q.get('filter') ?? '';
  if (!filter)
    throw new ApiError(
      'INVALID_ARGUMENT',
      'Field filter had an invalid value of "": The filter must be specified.',
    );
  const clauses = parseMonitoringFilter(filter);
  const type = clauses.find((c) => c.field === 'metric.type')!.values[0];
  const metric = METRICS[type];
  if (!metric) throw new ApiError('NOT_FOUND', `Cannot find metric(s) that match type = "${type}".`);
  const endText = q.get('interval.endTime') ?? q.get('interval.end_time');
  const startText = q.get('interval.startTime') ?? q.get('interval.start_time') ?? endText;
  const end = parseRfc3339(endText);
  const start = parseRfc3339(startText);
  if (end === undefined || start === undefined || start > end) {
    throw new ApiError(
      'INVALID_ARGUMENT',
      `Field interval had an invalid value: startTime "${startText ?? ''}" and endTime "${endText ?? ''}" must be RFC 3339 timestamps with startTime <= endTime.`,
    );
  }
  const agg = checkAggregation(q, metric.valueType);
  const data = (from: number, to: number): SeriesData[] =>
    select(type, log, project, from, Math.min(to, visibleUntil), clauses);

  const windows: Array<[number, number]> = [];
  if (agg.aligner === 'ALIGN_NONE') {
    for (let w = Math.floor(start / SAMPLE_MS) * SAMPLE_MS; w <= end; w += SAMPLE_MS)
      windows.push([w, w + SAMPLE_MS]);
  } else {
    for (let w = end; w > start || windows.length === 0; w -= agg.periodMs)
      windows.push([w - agg.periodMs, w]);
  }
  const series = new Map<string, OutSeries>();
  for (const [from, to] of windows) {
    for (const s of data(from, to)) {
      if (s.samples.length === 0) continue;
      const key = JSON.stringify([s.metric, s.resource]);
      const out = series.get(key) ?? { metric: s.metric, resource: s.resource, points: [] };
      series.set(key, out);
      out.points.push({
        start: from,
        end: Math.min(to, nowMs),
        value: align(agg, metric.valueType, s, to - from),
      });
    }
  }
  const reduced = reduce(agg, [...series.values()]);
  return render(type, metric, agg, reduced, q);
}

/** The series of metric `type` with their samples in (from, to], after the filter's resource and label clauses. */
function select(
  type: string,
  log: RequestLog,
  project: string,
  from: number,
  to: number,
  clauses: FilterClause[],
): SeriesData[] {
  const bySeries = new Map<string, SeriesData>();
  const add = (service: string, revision: string, metric: Labels, at: number, value: number): void => {
    const { location, serviceId } = serviceParts(service);
    const resource = {
      project_id: project,
      service_name: serviceId,
      revision_name: revision,
      location,
      configuration_name: serviceId,
    };
    if (!matches(clauses, metric, resource)) return;
    const key = JSON.stringify([metric, resource]);
    const entry: SeriesData = bySeries.get(key) ?? { metric, resource, samples: [] };
    bySeries.set(key, entry);
    entry.samples.push({ at, value });
  };
  if (type.endsWith('/max_request_concurrencies')) {
    for (const peak of instancePeaks(log, from, to)) add(peak.service, peak.revision, {}, to, peak.max);
  } else {
    for (const r of log.requests) {
      if (r.endMs <= from || r.endMs > to) continue;
      // The front end's own answers (an unauthorised request, a reserved path) never reached a revision:
      // Cloud Run's request metrics do not count them (docs/platform.md "Request count is captured at the
      // end of the request"); the request log still has them.
      if (!r.revision) continue;
      add(r.service, r.revision, metricLabels(type, r), r.endMs, metricValue(type, r));
    }
  }
  return [...bySeries.values()];
}

function metricLabels(type: string, r: RequestRecord): Labels {
  if (type.endsWith('/sent_bytes_count')) return {};
  return {
    response_code: String(r.status),
    response_code_class: `${Math.floor(r.status / 100)}xx`,
    route: '',
  };
}

function metricValue(type: string, r: RequestRecord): number {
  if (type.endsWith('/request_latencies')) return r.endMs - r.startMs;
  if (type.endsWith('/sent_bytes_count')) return r.bytesSent;
  return 1;
}

/** Each instance's highest in-flight count in (from, to], counting what it carried into the window. */
function instancePeaks(
  log: RequestLog,
  from: number,
  to: number,
): Array<{ service: string; revision: string; max: number }> {
  const peaks = new Map<string, { service: string; revision: string; max: number; seen: boolean }>();
  for (const s of log.samples) {
    if (s.at > to) break;
    const key = `${s.service}\n${s.revision}\n${s.instance}`;
    const peak = peaks.get(key) ?? { service: s.service, revision: s.revision, max: 0, seen: false };
    peaks.set(key, peak);
    if (s.at <= from) peak.max = s.inFlight;
    else {
      peak.max = Math.max(peak.max, s.inFlight);
      peak.seen = true;
    }
  }
  return [...peaks.values()].filter((p) => p.seen || p.max > 0);
}

function matches(clauses: FilterClause[], metric: Labels, resource: Labels): boolean {
  return clauses.every((c) => {
    if (c.field === 'metric.type') return true;
    if (c.field === 'resource.type') return c.values.includes(RESOURCE_TYPE);
    const [scope, , name] = c.field.split('.');
    const value = scope === 'resource' ? resource[name] : metric[name];
    return value !== undefined && c.values.includes(value);
  });
}

/** One window of one series, aligned. */
function align(agg: Aggregation, valueType: ValueType, s: SeriesData, periodMs: number): Value {
  const values = s.samples.map((x) => x.value);
  const sum = values.reduce((a, b) => a + b, 0);
  if (valueType === 'DISTRIBUTION') {
    const p = /^ALIGN_PERCENTILE_(\d\d)$/.exec(agg.aligner);
    return p ? { double: percentile(values, Number(p[1])) } : { dist: values };
  }
  // Extremes, means and counts act on the 60 s samples a DELTA metric is stored as.
  const minutes = new Map<number, number>();
  for (const x of s.samples)
    minutes.set(Math.floor(x.at / SAMPLE_MS), (minutes.get(Math.floor(x.at / SAMPLE_MS)) ?? 0) + x.value);
  const perMinute = [...minutes.values()];
  switch (agg.aligner) {
    case 'ALIGN_RATE':
      return { double: sum / (periodMs / 1000) };
    case 'ALIGN_MAX':
      return { int64: Math.max(...perMinute) };
    case 'ALIGN_MIN':
      return { int64: Math.min(...perMinute) };
    case 'ALIGN_MEAN':
      return { double: sum / perMinute.length };
    case 'ALIGN_COUNT':
      return { int64: perMinute.length };
    default:
      return { int64: sum };
  }
}

/** Cross-series reduction: series grouped by `groupBy`, points of equal windows combined. */
function reduce(agg: Aggregation, series: OutSeries[]): OutSeries[] {
  if (agg.reducer === 'REDUCE_NONE') return series;
  const groups = new Map<string, OutSeries>();
  const windows = new Map<string, Map<number, { start: number; end: number; values: Value[] }>>();
  for (const s of series) {
    const metric: Labels = {};
    const resource: Labels = {};
    for (const field of agg.groupBy) {
      const m = /^(metric|resource)\.labels?\.([a-z_]+)$/.exec(field);
      if (!m) {
        if (field === 'resource.type' || field === 'metric.type') continue;
        throw new ApiError(
          'INVALID_ARGUMENT',
          `Field aggregation.groupByFields had an invalid value of "${field}".`,
        );
      }
      const source = m[1] === 'metric' ? s.metric : s.resource;
      if (source[m[2]] !== undefined) (m[1] === 'metric' ? metric : resource)[m[2]] = source[m[2]];
    }
    const key = JSON.stringify([metric, resource]);
    if (!groups.has(key)) groups.set(key, { metric, resource, points: [] });
    const byEnd = windows.get(key) ?? new Map();
    windows.set(key, byEnd);
    for (const p of s.points) {
      const w = byEnd.get(p.end) ?? { start: p.start, end: p.end, values: [] };
      byEnd.set(p.end, w);
      w.values.push(p.value);
    }
  }
  for (const [key, group] of groups) {
    for (const w of windows.get(key)!.values())
      group.points.push({ start: w.start, end: w.end, value: combine(agg.reducer, w.values) });
  }
  return [...groups.values()];
}

function combine(reducer: string, values: Value[]): Value {
  if ('dist' in values[0]) return { dist: values.flatMap((v) => ('dist' in v ? v.dist : [])) };
  const nums = values.map((v) => ('int64' in v ? v.int64 : 'double' in v ? v.double : 0));
  const isInt = 'int64' in values[0];
  const pick = (n: number): Value => (isInt ? { int64: n } : { double: n });
  if (reducer === 'REDUCE_MAX') return pick(Math.max(...nums));
  if (reducer === 'REDUCE_MIN') return pick(Math.min(...nums));
  if (reducer === 'REDUCE_MEAN') return { double: nums.reduce((a, b) => a + b, 0) / nums.length };
  return pick(nums.reduce((a, b) => a + b, 0));
}

/** The REST answer: newest point first, paged by points (`pageSize`, default and most 100,000). */
function render(
  type: string,
  metric: { valueType: ValueType; unit: string },
  agg: Aggregation,
  series: OutSeries[],
  q: URLSearchParams,
): Record<string, unknown> {
  const kind = alignedKind(agg.aligner);
  let valueType: string = alignedValueType(agg.aligner, metric.valueType);
  if (agg.reducer === 'REDUCE_MEAN') valueType = 'DOUBLE';
  const unit = agg.aligner === 'ALIGN_RATE' ? `${metric.unit}/s` : metric.unit;
  const headersOnly = (q.get('view') ?? 'FULL') === 'HEADERS';
  const size = Math.min(Number(q.get('pageSize') ?? 0) || 100_000, 100_000);
  let skip = Number(q.get('pageToken') ?? 0) || 0;
  let room = size;
  let consumed = skip;
  const out: Array<Record<string, unknown>> = [];
  const ordered = series
    .filter((s) => s.points.length > 0)
    .sort((a, b) =>
      JSON.stringify([a.resource, a.metric]).localeCompare(JSON.stringify([b.resource, b.metric])),
    );
  for (const s of ordered) {
    const points = [...s.points].sort((a, b) => b.end - a.end);
    const count = headersOnly ? 1 : points.length;
    if (skip >= count) {
      skip -= count;
      continue;
    }
    if (room === 0) break;
    const taken = headersOnly ? [] : points.slice(skip, skip + room);
    const used = headersOnly ? 1 : taken.length;
    room -= used;
    consumed += used;
    skip = 0;
    out.push({
      metric: { type, labels: s.metric },
      resource: { type: RESOURCE_TYPE, labels: s.resource },
      metricKind: kind,
      valueType,
      ...(headersOnly ? {} : { points: taken.map((p) => renderPoint(p, kind)) }),
      unit,
    });
  }
  if (out.length === 0) return {};
  const total = ordered.reduce((n, s) => n + (headersOnly ? 1 : s.points.length), 0);
  return { timeSeries: out, unit, ...(consumed < total ? { nextPageToken: String(consumed) } : {}) };
}

function renderPoint(p: OutSeries['points'][number], kind: 'DELTA' | 'GAUGE'): Record<string, unknown> {
  const interval =
    kind === 'DELTA'
      ? { startTime: rfc3339(p.start), endTime: rfc3339(p.end) }
      : { startTime: rfc3339(p.end), endTime: rfc3339(p.end) };
  const v = p.value;
  const value =
    'int64' in v
      ? { int64Value: String(v.int64) }
      : 'double' in v
        ? { doubleValue: v.double }
        : { distributionValue: distributionValue(v.dist) };
  return { interval, value };
}
