// Cloud Logging for the fast path of a step's gate: entries.list as REST JSON through the signed-in auth
// client. Within seconds of a problem (metrics lag minutes), the candidate's ERROR lines, 5xx request logs
// and system logs (crashes) since the step began, newest first, tokens redacted; denied when the optional
// roles/logging.viewer is missing (docs/platform.md "Logging entries.list and its filter").
import type { LogProblem, Observed } from '../core/metric-gate';
import { redactTokens } from '../core/request-redaction';
import { callGoogleApi, type ObservabilityClientOptions } from './monitoring';

/** Which revision, since when (epoch ms), how many lines at most. */
export interface LogQuery {
  project: string;
  region: string;
  service: string;
  revision: string;
  since: number;
  limit: number;
}

/** The problem lines of one revision, and whether there were more than `limit`. */
export interface LogProblems {
  entries: LogProblem[];
  truncated: boolean;
}

/** The Logging read the log gate needs. */
export interface CloudLogging {
  /** The candidate's ERROR lines, 5xx request logs and system warnings since `since`, newest first. */
  recentProblems(query: LogQuery): Promise<Observed<LogProblems>>;
  /** The entries a filter selects, newest first, at most `limit`. */
  entries(query: { project: string; filter: string; limit: number }): Promise<Observed<LogProblems>>;
}

/** Pages read at most: Logging may answer a slow query with an empty page and a nextPageToken. */
const MAX_PAGES = 5;
/**
 * The largest pageSize entries.list accepts: "If the value is negative or exceeds 1000, the request is
 * rejected" (cloud.google.com/logging/docs/reference/v2/rest/v2/entries/list).
 */
const LIST_PAGE_MAX = 1000;
/** A log line in the report is cut here. */
const MAX_TEXT = 300;

type Json = Record<string, unknown>;

/** A string literal of the Logging query language. */
const quote = (value: string) => `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;

/** The filter of `recentProblems` (docs/platform.md "Logging entries.list and its filter"). */
export function problemFilter(q: Omit<LogQuery, 'limit'>): string {
  const system = `projects/${q.project}/logs/run.googleapis.com%2Fvarlog%2Fsystem`;
  return [
    'resource.type="cloud_run_revision"',
    `resource.labels.service_name=${quote(q.service)}`,
    `resource.labels.revision_name=${quote(q.revision)}`,
    `resource.labels.location=${quote(q.region)}`,
    `timestamp>=${quote(new Date(q.since).toISOString())}`,
    `(severity>=ERROR OR httpRequest.status>=500 OR (logName=${quote(system)} AND severity>=WARNING))`,
  ].join(' AND ');
}

/** The Logging adapter on `baseUrl` (https://logging.googleapis.com, or a loopback fake in tests). */
export function createCloudLogging(options: ObservabilityClientOptions): CloudLogging {
  const base = options.baseUrl.replace(/\/+$/, '');
  const denied =
    "grant roles/logging.viewer on the project to read the candidate's logs (optional: the log gate is skipped without it)";
  const entries: CloudLogging['entries'] = async (q) => {
    const query = `entries.list projects/${q.project} ${q.filter}; newest ${q.limit}`;
    const found: LogProblem[] = [];
    let pageToken: string | undefined;
    for (let page = 0; page < MAX_PAGES && found.length < q.limit; page++) {
      const outcome = await callGoogleApi(
        options,
        {
          url: `${base}/v2/entries:list`,
          method: 'POST',
          body: {
            resourceNames: [`projects/${q.project}`],
            filter: q.filter,
            orderBy: 'timestamp desc',
            // entries.list refuses a pageSize above 1000 (LIST_PAGE_MAX) with 400.
            pageSize: Math.min(q.limit - found.length, LIST_PAGE_MAX),
            ...(pageToken && { pageToken }),
          },
        },
        denied,
      );
      if (!outcome.ok) return { kind: outcome.kind, message: outcome.message, query };
      const got = Array.isArray(outcome.body.entries) ? (outcome.body.entries as Json[]) : [];
      found.push(...got.map((e) => toProblem(e, q.project)));
      pageToken = typeof outcome.body.nextPageToken === 'string' ? outcome.body.nextPageToken : undefined;
      if (!pageToken) break;
    }
    if (found.length === 0) return { kind: 'no-data', query };
    return {
      kind: 'data',
      value: { entries: found.slice(0, q.limit), truncated: pageToken !== undefined },
      query,
    };
  };
  return {
    entries,
    recentProblems: (q) => entries({ project: q.project, filter: problemFilter(q), limit: q.limit }),
  };
}

/** One LogEntry as a report line: request logs by method, URL and status; others by their payload. */
function toProblem(entry: Json, project: string): LogProblem {
  const http = entry.httpRequest as Json | undefined;
  const status = http?.status === undefined ? undefined : Number(http.status);
  const logName = typeof entry.logName === 'string' ? entry.logName : '';
  const source: LogProblem['source'] =
    logName === `projects/${project}/logs/run.googleapis.com%2Fvarlog%2Fsystem`
      ? 'system'
      : http
        ? 'request'
        : 'app';
  let text: string;
  if (typeof entry.textPayload === 'string') text = entry.textPayload;
  else if (entry.jsonPayload && typeof entry.jsonPayload === 'object') {
    const payload = entry.jsonPayload as Json;
    text = typeof payload.message === 'string' ? payload.message : JSON.stringify(payload);
  } else if (http) text = `${String(http.requestMethod ?? '')} ${String(http.requestUrl ?? '')}`.trim();
  else text = '';
  if (http && source === 'request' && typeof entry.textPayload !== 'string' && !entry.jsonPayload)
    text = `${text} -> ${status ?? '?'}${http.latency ? ` after ${String(http.latency)}` : ''}`;
  text = redactTokens(text.replace(/\s+/g, ' ').trim());
  if (text.length > MAX_TEXT) text = `${text.slice(0, MAX_TEXT - 1)}…`;
  return {
    time: typeof entry.timestamp === 'string' ? entry.timestamp : '',
    severity: typeof entry.severity === 'string' ? entry.severity : 'DEFAULT',
    text,
    ...(status !== undefined && Number.isFinite(status) && { status }),
    source,
  };
}

/** One task of a job's execution, for its last ERROR lines. */
export interface TaskQuery {
  project: string;
  region: string;
  job: string;
  /** The execution's short name. */
  execution: string;
  index: number;
}

/** The filter of `jobTaskErrors` (docs/platform.md "Cloud Run Jobs": job logs and their labels). */
export function taskErrorFilter(q: TaskQuery): string {
  return [
    'resource.type="cloud_run_job"',
    `resource.labels.job_name=${quote(q.job)}`,
    `resource.labels.location=${quote(q.region)}`,
    `labels."run.googleapis.com/execution_name"=${quote(q.execution)}`,
    `labels."run.googleapis.com/task_index"=${quote(String(q.index))}`,
    'severity>=ERROR',
  ].join(' AND ');
}

/** A failed task's last ERROR lines, oldest first, through the same entries.list reads as the log gate. */
export async function jobTaskErrors(
  logging: CloudLogging,
  q: TaskQuery,
  limit = 20,
): Promise<Observed<string[]>> {
  const got = await logging.entries({ project: q.project, filter: taskErrorFilter(q), limit });
  if (got.kind !== 'data') return got;
  return { ...got, value: got.value.entries.map((e) => e.text).reverse() };
}
