// The Cloud Logging fake: `POST /v2/entries:list` over what a Cloud Run service writes: request logs
// (run.googleapis.com/requests, one entry per request when it ends, with httpRequest), the instances'
// stdout and stderr (plain lines as textPayload, JSON lines as jsonPayload with their `severity`), and
// platform lines in varlog/system. An entry is listed only loggingDelayMs after it was received.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createHash } from 'node:crypto';
import { ApiError, readJson, sendError, sendJson } from '../api/google-errors';
import { gate, parseRfc3339, rfc3339, type GateOptions } from './gate';
import { serviceParts, type InstanceOutput, type RequestLog, type RequestRecord } from './request-log';
import { taskEntry } from './job-logging';

const LOGGING_API = 'logging.googleapis.com';

/** google.logging.type.LogSeverity, by rank. */
const SEVERITIES = [
  'DEFAULT',
  'DEBUG',
  'INFO',
  'NOTICE',
  'WARNING',
  'ERROR',
  'CRITICAL',
  'ALERT',
  'EMERGENCY',
];
const rank = (severity: string): number => SEVERITIES.indexOf(severity.toUpperCase());

type Json = Record<string, unknown>;
/** A LogEntry in REST JSON, with what filtering needs beside it. */
export interface Entry {
  json: Json;
  at: number;
  received: number;
  severity: string;
  status?: number;
}

/** Serves entries:list from `log`; resolves false for other paths. */
export function createLoggingFake(
  log: RequestLog,
  opts: GateOptions & { project: string; now?: () => number },
): (req: IncomingMessage, res: ServerResponse) => Promise<boolean> {
  const now = opts.now ?? Date.now;
  const built = new WeakMap<object, Entry>();
  return async (req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (path !== '/v2/entries:list') return false;
    try {
      if (req.method !== 'POST') throw new ApiError('NOT_FOUND', `No route for ${req.method} ${path}`);
      const body = (await readJson(req)) as Json;
      const names = [
        ...((body.resourceNames as string[] | undefined) ?? []),
        ...((body.projectIds as string[] | undefined) ?? []).map((id) => `projects/${id}`),
      ];
      if (names.length === 0) {
        throw new ApiError(
          'INVALID_ARGUMENT',
          'Field resourceNames had an invalid value: at least one resource name is required.',
        );
      }
      for (const name of names) {
        const project = /^projects\/([^/]+)$/.exec(name)?.[1];
        if (!project)
          throw new ApiError('INVALID_ARGUMENT', `Field resourceNames had an invalid value of "${name}".`);
        gate(opts, req, {
          api: LOGGING_API,
          permission: 'logging.logEntries.list',
          role: 'logging.viewer',
          project,
          message: "Permission 'logging.logEntries.list' denied on resource (or it may not exist).",
        });
      }
      const visibleUntil = now() - opts.faults.settings.loggingDelayMs;
      sendJson(res, 200, list(entries(log, opts.project, visibleUntil, built), body, opts.project));
    } catch (err) {
      sendError(res, err instanceof ApiError ? err : new ApiError('INTERNAL', (err as Error).message));
    }
    return true;
  };
}

function list(all: Entry[], body: Json, project: string): Json {
  const pageSize = body.pageSize === undefined ? 50 : Number(body.pageSize);
  if (!Number.isInteger(pageSize) || pageSize < 0 || pageSize > 1000) {
    throw new ApiError(
      'INVALID_ARGUMENT',
      `Field pageSize had an invalid value of "${String(body.pageSize)}": it must be between 0 and 1000.`,
    );
  }
  const orderBy = String(body.orderBy ?? '')
    .trim()
    .replace(/\s+/g, ' ')
    .toLowerCase();
  if (!['', 'timestamp asc', 'timestamp desc'].includes(orderBy)) {
    throw new ApiError(
      'INVALID_ARGUMENT',
      `Field orderBy had an invalid value of "${String(body.orderBy)}": only "timestamp asc" and "timestamp desc" are permitted.`,
    );
  }
  const filter = parseLoggingFilter(String(body.filter ?? ''));
  const matching = all.filter(
    (e) => e.json.logName && String(e.json.logName).startsWith(`projects/${project}/`) && filter(e),
  );
  const byInsert = (a: Entry, b: Entry): number =>
    String(a.json.insertId).localeCompare(String(b.json.insertId));
  matching.sort((a, b) => a.at - b.at || byInsert(a, b));
  if (orderBy === 'timestamp desc') matching.reverse();
  const token = String(body.pageToken ?? '');
  const offset = token === '' ? 0 : Number(/^o(\d+)$/.exec(token)?.[1] ?? NaN);
  if (Number.isNaN(offset))
    throw new ApiError('INVALID_ARGUMENT', `Field pageToken had an invalid value of "${token}".`);
  const page = matching.slice(offset, offset + (pageSize || 50));
  if (page.length === 0) return {};
  const next = offset + page.length;
  return {
    entries: page.map((e) => e.json),
    ...(next < matching.length ? { nextPageToken: `o${next}` } : {}),
  };
}

/**
 * Every entry received by `visibleUntil`, built from the request records and the instances' output. A
 * record is logged once it is complete and never changes after, so its entry is built once (`built`): a
 * query then costs a filter over the log, not a rebuild of every entry in it.
 */
function entries(
  log: RequestLog,
  project: string,
  visibleUntil: number,
  built: WeakMap<object, Entry>,
): Entry[] {
  const out: Entry[] = [];
  const add = <T extends object>(record: T, received: number, build: (r: T) => Entry): void => {
    if (received > visibleUntil) return;
    let entry = built.get(record);
    if (!entry) built.set(record, (entry = build(record)));
    out.push(entry);
  };
  for (const r of log.requests) add(r, r.endMs + 1, (x) => requestEntry(x, project, x.endMs + 1));
  for (const line of log.output) add(line, line.at + 1, (x) => outputEntry(x, project, x.at + 1));
  for (const line of log.taskOutput) add(line, line.at + 1, (x) => taskEntry(x, project, x.at + 1));
  return out;
}

function resourceOf(service: string, revision: string | undefined, project: string): Json {
  const { location, serviceId } = serviceParts(service);
  return {
    type: 'cloud_run_revision',
    labels: {
      project_id: project,
      service_name: serviceId,
      revision_name: revision ?? '',
      location,
      configuration_name: serviceId,
    },
  };
}

function insertId(seq: number | undefined, salt: string): string {
  return createHash('sha1')
    .update(`${salt}:${seq ?? 0}`)
    .digest('hex')
    .slice(0, 16);
}

/** The request log of one finished request: timestamp = its start, written when it ended. */
function requestEntry(r: RequestRecord, project: string, received: number): Entry {
  const severity = r.status >= 500 ? 'ERROR' : r.status >= 400 ? 'WARNING' : 'INFO';
  const httpRequest: Json = {
    requestMethod: r.method,
    requestUrl: r.url,
    status: r.status,
    responseSize: String(r.bytesSent),
    ...(r.userAgent ? { userAgent: r.userAgent } : {}),
    ...(r.remoteIp ? { remoteIp: r.remoteIp } : {}),
    latency: duration(r.endMs - r.startMs),
    protocol: r.protocol,
  };
  return {
    at: r.startMs,
    received,
    severity,
    status: r.status,
    json: {
      insertId: insertId(r.seq, 'request'),
      httpRequest,
      resource: resourceOf(r.service, r.revision, project),
      timestamp: rfc3339(r.startMs),
      severity,
      logName: `projects/${project}/logs/run.googleapis.com%2Frequests`,
      receiveTimestamp: rfc3339(received),
    },
  };
}

/** A container line: JSON with `severity` is structured (jsonPayload), anything else textPayload, severity DEFAULT. */
function outputEntry(line: InstanceOutput, project: string, received: number): Entry {
  let severity = line.severity ?? 'DEFAULT';
  let payload: Json = { textPayload: line.text };
  if (line.stream !== 'system' && line.text.trim().startsWith('{')) {
    try {
      const parsed = JSON.parse(line.text) as unknown;
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) {
        const { severity: given, ...rest } = parsed as Json;
        if (typeof given === 'string' && rank(given) >= 0) severity = given.toUpperCase();
        payload = { jsonPayload: rest };
      }
    } catch {
      // Not JSON after all: a plain line.
    }
  }
  const logName = line.stream === 'system' ? 'varlog%2Fsystem' : line.stream;
  return {
    at: line.at,
    received,
    severity,
    json: {
      insertId: insertId(line.seq, 'output'),
      ...payload,
      resource: resourceOf(line.service, line.revision, project),
      timestamp: rfc3339(line.at),
      // DEFAULT is the enum's zero value: proto3 JSON leaves it out, as real entries show.
      ...(severity === 'DEFAULT' ? {} : { severity }),
      labels: { instanceId: createHash('sha1').update(`${line.revision}#${line.instance}`).digest('hex') },
      logName: `projects/${project}/logs/run.googleapis.com%2F${logName}`,
      receiveTimestamp: rfc3339(received),
    },
  };
}

/** A google.protobuf.Duration in JSON: seconds with 0, 3, 6 or 9 fractional digits. */
function duration(ms: number): string {
  const whole = Math.floor(ms / 1000);
  const frac = Math.round(ms % 1000);
  return frac === 0 ? `${whole}s` : `${whole}.${String(frac).padStart(3, '0')}s`;
}

type Clause = (e: Entry) => boolean;

/**
 * The subset of the Logging query language the fake serves (cloud.google.com/logging/docs/view/
 * logging-query-language, "Boolean operators"): comparisons joined by AND, OR and NOT (upper case only),
 * `-` for NOT, parentheses, and juxtaposition as AND. NOT binds tightest, then OR, then AND — Logging's
 * order, not SQL's: `a OR NOT b AND NOT c OR d` is `(a OR (NOT b)) AND ((NOT c) OR d)`. Fields:
 * resource.type, resource.labels.*, logName, severity, timestamp, httpRequest.status, textPayload and
 * jsonPayload.message; an unknown field matches nothing, as in Logging. What cannot be parsed (bare words
 * or lower-case `and` included: real Logging reads those as free-text searches, the fake does not) is 400.
 */
export function parseLoggingFilter(filter: string): Clause {
  let at = 0;
  const fail = (): never => {
    throw new ApiError(
      'INVALID_ARGUMENT',
      `Unparseable filter: syntax error at character ${at + 1}: ${filter.slice(at, at + 20)}`,
    );
  };
  const skip = (): void => {
    while (at < filter.length && /\s/.test(filter[at])) at++;
  };
  /** Consumes an upper-case operator word followed by a space, a parenthesis or the end. */
  const word = (w: 'AND' | 'OR' | 'NOT'): boolean => {
    skip();
    const re = new RegExp(`${w}(?=[\\s()]|$)`, 'y');
    re.lastIndex = at;
    if (!re.test(filter)) return false;
    at = re.lastIndex;
    return true;
  };
  const comparison = /([A-Za-z_][\w.]*(?:"[^"]*")?)\s*(>=|<=|!=|=|>|<|:)\s*("(?:[^"\\]|\\.)*"|[^\s"()]+)/y;
  // expression := disjunction { [AND] disjunction }   (juxtaposition is AND)
  const conjunction = (): Clause => {
    const parts = [disjunction()];
    for (skip(); at < filter.length && filter[at] !== ')'; skip()) {
      word('AND');
      parts.push(disjunction());
    }
    return (e) => parts.every((p) => p(e));
  };
  // disjunction := unary { OR unary }
  const disjunction = (): Clause => {
    const parts = [unary()];
    while (word('OR')) parts.push(unary());
    return parts.length === 1 ? parts[0] : (e) => parts.some((p) => p(e));
  };
  // unary := (NOT | -) unary | "(" expression ")" | field op value
  const unary = (): Clause => {
    if (word('NOT')) {
      const inner = unary();
      return (e) => !inner(e);
    }
    skip();
    if (filter[at] === '-') {
      at++;
      const inner = unary();
      return (e) => !inner(e);
    }
    if (filter[at] === '(') {
      at++;
      const inner = conjunction();
      if (filter[at] !== ')') fail();
      at++;
      return inner;
    }
    comparison.lastIndex = at;
    const m = comparison.exec(filter) ?? fail();
    at = comparison.lastIndex;
    const [, field, op, raw] = m;
    const value = raw.startsWith('"') ? raw.slice(1, -1).replace(/\\(.)/g, '$1') : raw;
    return clause(field, op, value);
  };
  skip();
  if (at === filter.length) return () => true;
  const all = conjunction();
  if (at < filter.length) fail();
  return all;
}

function clause(field: string, op: string, value: string): Clause {
  const compare = (a: number, b: number): boolean =>
    op === '=' || op === ':'
      ? a === b
      : op === '!='
        ? a !== b
        : op === '>='
          ? a >= b
          : op === '>'
            ? a > b
            : op === '<='
              ? a <= b
              : a < b;
  const text =
    (get: (e: Entry) => unknown): Clause =>
    (e) => {
      const v = get(e);
      if (typeof v !== 'string') return op === '!=';
      if (op === ':') return v.toLowerCase().includes(value.toLowerCase());
      return op === '=' ? v === value : op === '!=' ? v !== value : compare(v.localeCompare(value), 0);
    };
  if (field === 'severity') return (e) => compare(rank(e.severity), rank(value));
  if (field === 'timestamp') {
    const t = parseRfc3339(value);
    if (t === undefined)
      throw new ApiError('INVALID_ARGUMENT', `Unparseable filter: invalid timestamp "${value}"`);
    return (e) => compare(e.at, t);
  }
  if (field === 'httpRequest.status')
    return (e) => e.status !== undefined && compare(e.status, Number(value));
  if (field === 'logName') return text((e) => e.json.logName);
  if (field === 'resource.type') return text((e) => (e.json.resource as Json).type);
  const label = /^resource\.labels\.(\w+)$/.exec(field);
  if (label) return text((e) => ((e.json.resource as Json).labels as Json)[label[1]]);
  // Entry labels, e.g. labels."run.googleapis.com/execution_name" (a quoted key) or labels.instanceId.
  const entryLabel = /^labels\.(?:"([^"]*)"|(\w+))$/.exec(field);
  if (entryLabel) return text((e) => (e.json.labels as Json | undefined)?.[entryLabel[1] ?? entryLabel[2]]);
  if (field === 'textPayload') return text((e) => e.json.textPayload);
  if (field === 'jsonPayload.message') return text((e) => (e.json.jsonPayload as Json | undefined)?.message);
  return () => false;
}
