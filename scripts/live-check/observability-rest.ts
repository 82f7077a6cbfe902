// Cloud Monitoring timeSeries.list and Cloud Logging entries.list over REST JSON, through the same
// authorised client as the Cloud Run calls and with the query shapes the action uses
// (src/adapters/monitoring.ts, src/adapters/cloud-logging.ts). Answers come back raw, a 403 included, so
// a denied or disabled API becomes a row's observation instead of ending the run.
import type { AuthClient } from 'google-auth-library';
import { describeError, requestJson, type ApiAnswer, type Json } from './cloud-run-rest';

export const GOOGLE_MONITORING_BASE = 'https://monitoring.googleapis.com';
export const GOOGLE_LOGGING_BASE = 'https://logging.googleapis.com';

export interface ObservabilityRestOptions {
  authClient: Pick<AuthClient, 'request'>;
  /** Base URL without the version: GOOGLE_MONITORING_BASE, or the emulator's monitoringApi. */
  monitoringBase: string;
  /** Base URL without the version: GOOGLE_LOGGING_BASE, or the emulator's loggingApi. */
  loggingBase: string;
}

/** Which revision's requests to count, over which window (epoch ms). */
export interface CountQuery {
  project: string;
  region: string;
  service: string;
  revision: string;
  start: number;
  end: number;
}

/** Pages read at most per listing: Logging may answer an empty page with a nextPageToken. */
const MAX_PAGES = 5;

export class ObservabilityRest {
  private readonly monitoring: string;
  private readonly logging: string;

  constructor(private readonly opts: ObservabilityRestOptions) {
    this.monitoring = opts.monitoringBase.replace(/\/+$/, '');
    this.logging = opts.loggingBase.replace(/\/+$/, '');
  }

  /** GET …/v3/projects/P/timeSeries with the metric gate's request_count query; never throws for a status. */
  requestCount(q: CountQuery): Promise<ApiAnswer> {
    const params = new URLSearchParams();
    params.set(
      'filter',
      [
        'metric.type="run.googleapis.com/request_count"',
        'resource.type="cloud_run_revision"',
        `resource.labels.service_name="${q.service}"`,
        `resource.labels.location="${q.region}"`,
        `resource.labels.revision_name="${q.revision}"`,
      ].join(' AND '),
    );
    params.set('interval.startTime', new Date(q.start).toISOString());
    params.set('interval.endTime', new Date(q.end).toISOString());
    params.set('aggregation.alignmentPeriod', '60s');
    params.set('aggregation.perSeriesAligner', 'ALIGN_SUM');
    params.set('aggregation.crossSeriesReducer', 'REDUCE_SUM');
    params.append('aggregation.groupByFields', 'resource.labels.revision_name');
    params.append('aggregation.groupByFields', 'metric.labels.response_code_class');
    const url = `${this.monitoring}/v3/projects/${encodeURIComponent(q.project)}/timeSeries?${params.toString()}`;
    return requestJson(this.opts.authClient, 'GET', url, undefined);
  }

  /** POST …/v2/entries:list, newest first, every page up to MAX_PAGES; or the first answer that was not 200. */
  async entries(
    project: string,
    filter: string,
    pageSize = 200,
  ): Promise<{ entries: Json[] } | { refused: ApiAnswer }> {
    const entries: Json[] = [];
    let pageToken: string | undefined;
    for (let page = 0; page < MAX_PAGES; page++) {
      const answer = await requestJson(this.opts.authClient, 'POST', `${this.logging}/v2/entries:list`, {
        resourceNames: [`projects/${project}`],
        filter,
        orderBy: 'timestamp desc',
        pageSize,
        ...(pageToken ? { pageToken } : {}),
      });
      if (answer.status !== 200) return { refused: answer };
      if (Array.isArray(answer.body.entries)) entries.push(...(answer.body.entries as Json[]));
      pageToken = typeof answer.body.nextPageToken === 'string' ? answer.body.nextPageToken : undefined;
      if (!pageToken) break;
    }
    return { entries };
  }
}

/** A Logging string literal. */
const quote = (value: string) => `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;

/** The request logs of `services` (ids) since `since`: the fields the action's log filter uses. */
export function requestLogFilter(project: string, region: string, services: string[], since: number): string {
  return [
    `logName=${quote(`projects/${project}/logs/run.googleapis.com%2Frequests`)}`,
    'resource.type="cloud_run_revision"',
    `resource.labels.location=${quote(region)}`,
    `(${services.map((s) => `resource.labels.service_name=${quote(s)}`).join(' OR ')})`,
    `timestamp>=${quote(new Date(since).toISOString())}`,
  ].join(' AND ');
}

/** The sum of every int64 point in a timeSeries.list answer (int64Value is a JSON string). */
export function pointSum(body: Json): number {
  let sum = 0;
  for (const series of (body.timeSeries ?? []) as Json[])
    for (const point of (series.points ?? []) as Json[]) {
      const n = Number(((point.value ?? {}) as Json).int64Value ?? 0);
      if (Number.isFinite(n)) sum += n;
    }
  return sum;
}

/** Epoch ms of an RFC 3339 time (Logging gives up to nanoseconds), or undefined. */
export function parseTime(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const ms = Date.parse(value.replace(/(\.\d{3})\d+/, '$1'));
  return Number.isNaN(ms) ? undefined : ms;
}

/**
 * A refused call as a row's observation: status, the ErrorInfo reason (SERVICE_DISABLED tells a disabled
 * API from a missing role, docs/platform.md "A disabled API is a 403 too") and Google's message.
 */
export function refusal(api: string, answer: ApiAnswer): string {
  const details = (((answer.body.error ?? {}) as Json).details ?? []) as Json[];
  const reason = details.map((d) => d.reason).find((r) => typeof r === 'string');
  const why = `HTTP ${answer.status}${reason ? ` ${String(reason)}` : ''}: ${describeError(answer)}`;
  return `not observed: ${api} refused: ${why}`.slice(0, 300);
}
