// Cloud Monitoring for the metric gate: projects.timeSeries.list as REST JSON through the signed-in auth
// client (no client library). Three task-shaped reads of Cloud Run revision metrics, each answered as data,
// no data (an empty `{}`: never a zero), denied (the optional roles/monitoring.viewer is missing) or error,
// with the query in words for the job summary (docs/platform.md "Monitoring timeSeries.list over REST").
import type { AuthClient } from 'google-auth-library';
import type { Observed, OpenStreamSample, RequestCounts } from '../core/metric-gate';
import { API_RETRY, isTransient, retryDelayMs, type RetryPolicy } from '../core/retry-policy';
import { redactTokens } from '../core/request-redaction';
import { StepError } from '../errors';
import { toRestError, type RestError } from './run-rest';

/** The part of the auth client the observability adapters use: one authorised HTTP request. */
export type Requester = Pick<AuthClient, 'request'>;

export interface ObservabilityClientOptions {
  /** The signed-in auth client (GoogleAuth.client()). */
  client: Requester;
  /** Base URL without the version: https://monitoring.googleapis.com, or a loopback fake in tests. */
  baseUrl: string;
  /** Retries of 429 and 5xx answers; API_RETRY by default. */
  retry?: RetryPolicy;
  sleep?: (ms: number) => Promise<void>;
  /** In [0, 1), for the retry jitter. */
  random?: () => number;
}

/** Which revisions of which service, over which window (epoch ms). */
export interface RevisionQuery {
  project: string;
  region: string;
  service: string;
  revisions: readonly string[];
  start: number;
  end: number;
}

/** The Monitoring reads the metric gate needs. */
export interface Monitoring {
  /** Requests per revision by response_code_class in the window; a stream counts once, when it ends. */
  requestCounts(query: RevisionQuery): Promise<Observed<Record<string, RequestCounts>>>;
  /** Per revision and minute, the sum over instances of their peak concurrent requests: open streams, at most. */
  openStreams(query: RevisionQuery): Promise<Observed<Record<string, OpenStreamSample[]>>>;
  /** Bytes sent per revision in the window (container/network/sent_bytes_count). */
  sentBytes(query: RevisionQuery): Promise<Observed<Record<string, number>>>;
}

/** Pages read at most per query: a step's few revisions fit in one. */
const MAX_PAGES = 20;

type Json = Record<string, unknown>;

/** What one call of an observability API came to: the parsed body, or why there is none. */
export type CallOutcome = { ok: true; body: Json } | { ok: false; kind: 'denied' | 'error'; message: string };

/**
 * One GET or POST with retries of throttling and server errors (core/retry-policy.ts); a 403 is `denied`
 * with the role to grant (or the API to enable), anything else left after the retries an `error`. Never throws.
 */
export async function callGoogleApi(
  options: ObservabilityClientOptions,
  request: { url: string; method: 'GET' | 'POST'; body?: Json },
  deniedHint: string,
): Promise<CallOutcome> {
  const policy = options.retry ?? API_RETRY;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const random = options.random ?? Math.random;
  for (let attempt = 1; ; attempt++) {
    let error: RestError;
    try {
      const res = await options.client.request<Json>({
        url: request.url,
        method: request.method,
        ...(request.body !== undefined && {
          data: request.body,
          headers: { 'content-type': 'application/json' },
        }),
        responseType: 'json',
      });
      const body = res.data;
      return { ok: true, body: body && typeof body === 'object' ? body : {} };
    } catch (err) {
      // Signing in failed: the auth adapter explained it; another try would fail the same way.
      const cause = err instanceof StepError ? err : (err as { cause?: unknown }).cause;
      if (cause instanceof StepError)
        return { ok: false, kind: 'error', message: redactTokens(cause.message) };
      error = toRestError(err);
    }
    const message = redactTokens(error.message);
    // An API not enabled is a 403 PERMISSION_DENIED too, told apart by its ErrorInfo reason
    // SERVICE_DISABLED (cloud.google.com/apis/design/errors, "Error info"): no role would help there.
    if (error.httpStatus === 403 || error.code === 7) {
      const hint =
        error.reason === 'SERVICE_DISABLED'
          ? `enable ${error.metadata.service ?? 'the API'} in the project (optional: the gate is skipped without it)`
          : deniedHint;
      return { ok: false, kind: 'denied', message: `${message}; ${hint}` };
    }
    const delay = isTransient(error.code) ? retryDelayMs(policy, attempt, random()) : undefined;
    if (delay === undefined) return { ok: false, kind: 'error', message };
    await sleep(delay);
  }
}

/** The Monitoring adapter on `baseUrl` (docs/platform.md "Monitoring timeSeries.list over REST"). */
export function createMonitoring(options: ObservabilityClientOptions): Monitoring {
  const base = options.baseUrl.replace(/\/+$/, '');
  const denied =
    'grant roles/monitoring.viewer on the project to read Cloud Run metrics (optional: the metric gate is skipped without it)';

  /** All series of one query, every page; or why not. */
  const listSeries = async (
    q: RevisionQuery,
    metric: string,
    reduce: { aligner: string; groupBy: string[] },
  ): Promise<{ series: Json[]; query: string } | { failed: Observed<never> }> => {
    const filter = [
      `metric.type="run.googleapis.com/${metric}"`,
      'resource.type="cloud_run_revision"',
      `resource.labels.service_name="${q.service}"`,
      `resource.labels.location="${q.region}"`,
      q.revisions.length === 1
        ? `resource.labels.revision_name="${q.revisions[0]}"`
        : `resource.labels.revision_name=one_of(${q.revisions.map((r) => `"${r}"`).join(',')})`,
    ].join(' AND ');
    const startTime = new Date(q.start).toISOString();
    const endTime = new Date(q.end).toISOString();
    const query = `timeSeries.list projects/${q.project} ${filter}; interval ${startTime}..${endTime}; ${reduce.aligner} 60s, REDUCE_SUM by ${reduce.groupBy.join(', ')}`;
    const series: Json[] = [];
    let pageToken: string | undefined;
    for (let page = 0; page < MAX_PAGES; page++) {
      const params = new URLSearchParams();
      params.set('filter', filter);
      params.set('interval.startTime', startTime);
      params.set('interval.endTime', endTime);
      params.set('aggregation.alignmentPeriod', '60s');
      params.set('aggregation.perSeriesAligner', reduce.aligner);
      params.set('aggregation.crossSeriesReducer', 'REDUCE_SUM');
      for (const field of reduce.groupBy) params.append('aggregation.groupByFields', field);
      if (pageToken) params.set('pageToken', pageToken);
      const url = `${base}/v3/projects/${encodeURIComponent(q.project)}/timeSeries?${params.toString()}`;
      const outcome = await callGoogleApi(options, { url, method: 'GET' }, denied);
      if (!outcome.ok) return { failed: { kind: outcome.kind, message: outcome.message, query } };
      if (Array.isArray(outcome.body.timeSeries)) series.push(...(outcome.body.timeSeries as Json[]));
      pageToken = typeof outcome.body.nextPageToken === 'string' ? outcome.body.nextPageToken : undefined;
      if (!pageToken) break;
    }
    return { series, query };
  };

  return {
    async requestCounts(q) {
      const got = await listSeries(q, 'request_count', {
        aligner: 'ALIGN_SUM',
        groupBy: ['resource.labels.revision_name', 'metric.labels.response_code_class'],
      });
      if ('failed' in got) return got.failed;
      const counts: Record<string, RequestCounts> = {};
      for (const s of got.series) {
        const revision = labelOf(s, 'resource', 'revision_name');
        if (!revision) continue;
        const cls = labelOf(s, 'metric', 'response_code_class') ?? 'unknown';
        const n = pointsOf(s).reduce((sum, p) => sum + numberOf(p), 0);
        const c = (counts[revision] ??= { total: 0, byClass: {} });
        c.total += n;
        c.byClass[cls] = (c.byClass[cls] ?? 0) + n;
      }
      return Object.keys(counts).length === 0
        ? { kind: 'no-data', query: got.query }
        : { kind: 'data', value: counts, query: got.query };
    },

    async openStreams(q) {
      // A DELTA DISTRIBUTION (docs/platform.md "Aligners valid for distributions"): ALIGN_MAX is
      // numeric-only, ALIGN_SUM keeps the distribution (one value per instance and minute), so count × mean
      // is the sum of the instances' peaks.
      const got = await listSeries(q, 'container/max_request_concurrencies', {
        aligner: 'ALIGN_SUM',
        groupBy: ['resource.labels.revision_name'],
      });
      if ('failed' in got) return got.failed;
      const open: Record<string, OpenStreamSample[]> = {};
      for (const s of got.series) {
        const revision = labelOf(s, 'resource', 'revision_name');
        if (!revision) continue;
        for (const p of pointsOf(s)) {
          const at = Date.parse(String((p.interval as Json | undefined)?.endTime ?? ''));
          const d = (p.value as Json | undefined)?.distributionValue as Json | undefined;
          if (!Number.isFinite(at) || !d) continue;
          const streams = Math.round(Number(d.count ?? 0) * Number(d.mean ?? 0));
          (open[revision] ??= []).push({ at, streams });
        }
      }
      for (const list of Object.values(open)) list.sort((a, b) => a.at - b.at);
      return Object.keys(open).length === 0
        ? { kind: 'no-data', query: got.query }
        : { kind: 'data', value: open, query: got.query };
    },

    async sentBytes(q) {
      const got = await listSeries(q, 'container/network/sent_bytes_count', {
        aligner: 'ALIGN_SUM',
        groupBy: ['resource.labels.revision_name'],
      });
      if ('failed' in got) return got.failed;
      const bytes: Record<string, number> = {};
      for (const s of got.series) {
        const revision = labelOf(s, 'resource', 'revision_name');
        if (!revision) continue;
        bytes[revision] = (bytes[revision] ?? 0) + pointsOf(s).reduce((sum, p) => sum + numberOf(p), 0);
      }
      return Object.keys(bytes).length === 0
        ? { kind: 'no-data', query: got.query }
        : { kind: 'data', value: bytes, query: got.query };
    },
  };
}

function labelOf(series: Json, part: 'resource' | 'metric', key: string): string | undefined {
  const labels = (series[part] as Json | undefined)?.labels as Json | undefined;
  const value = labels?.[key];
  return typeof value === 'string' ? value : undefined;
}

function pointsOf(series: Json): Json[] {
  return Array.isArray(series.points) ? (series.points as Json[]) : [];
}

/** A numeric point: int64Value arrives as a JSON string (proto3 JSON mapping), doubleValue as a number. */
function numberOf(point: Json): number {
  const value = (point.value as Json | undefined) ?? {};
  const raw = value.int64Value ?? value.doubleValue;
  const n = Number(raw);
  return raw === undefined || !Number.isFinite(n) ? 0 : n;
}
