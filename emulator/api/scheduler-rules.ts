// Pure rules of the Cloud Scheduler fake (api/scheduler.ts): the Job body checks, unix-cron parsing and the
// next run time, field-mask merging and the REST rendering. Sources per rule: emulator/README.md
// "Cloud Scheduler".
import { ApiError } from './google-errors';
import type { Json } from './service-rules';

export const HTTP_METHODS = [
  'HTTP_METHOD_UNSPECIFIED',
  'POST',
  'GET',
  'HEAD',
  'PUT',
  'DELETE',
  'PATCH',
  'OPTIONS',
];
/** OAuthToken.scope when none is given (HttpTarget reference). */
export const DEFAULT_SCOPE = 'https://www.googleapis.com/auth/cloud-platform';
const SCHEDULE_INVALID = 'Schedule or time zone is invalid.';

/** Fields of each message the fake knows (REST Resource projects.locations.jobs); others are unknown names. */
const FIELDS: Record<string, string[]> = {
  job: [
    'name',
    'description',
    'pubsubTarget',
    'appEngineHttpTarget',
    'httpTarget',
    'schedule',
    'timeZone',
    'userUpdateTime',
    'state',
    'status',
    'scheduleTime',
    'lastAttemptTime',
    'retryConfig',
    'attemptDeadline',
  ],
  'job.http_target': ['uri', 'httpMethod', 'headers', 'body', 'oauthToken', 'oidcToken'],
  'job.http_target.oauth_token': ['serviceAccountEmail', 'scope'],
  'job.http_target.oidc_token': ['serviceAccountEmail', 'audience'],
  'job.retry_config': [
    'retryCount',
    'maxRetryDuration',
    'minBackoffDuration',
    'maxBackoffDuration',
    'maxDoublings',
  ],
};
const OUTPUT_ONLY = ['userUpdateTime', 'state', 'status', 'scheduleTime', 'lastAttemptTime'];
/** Paths an updateMask may name (camelCase), besides their sub-fields. */
const MASKABLE = ['description', 'schedule', 'timeZone', 'httpTarget', 'retryConfig', 'attemptDeadline'];

const snake = (s: string): string => s.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
const camel = (s: string): string => s.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * A Job body as sent (JSON or proto field names), checked for unknown names the way Google's front end
 * refuses them, with output-only fields dropped and keys in camelCase.
 */
export function readJobBody(body: unknown): Json {
  if (!isObject(body))
    throw new ApiError('INVALID_ARGUMENT', 'Invalid JSON payload received. Expected an object.');
  const walk = (value: Json, at: string): Json => {
    const out: Json = {};
    const seen: string[] = [];
    for (const [rawKey, v] of Object.entries(value)) {
      const key = camel(rawKey);
      if (!FIELDS[at]?.includes(key) && FIELDS[at])
        throw new ApiError(
          'INVALID_ARGUMENT',
          `Invalid JSON payload received. Unknown name "${rawKey}" at '${at}': Cannot find field.`,
        );
      // HttpTarget's authorization_header is a oneof: OAuth token or OIDC token, never both.
      if (at === 'job.http_target' && (key === 'oauthToken' || key === 'oidcToken') && v !== null) {
        const other = seen.find((k) => k === 'oauthToken' || k === 'oidcToken');
        if (other)
          throw new ApiError(
            'INVALID_ARGUMENT',
            `Invalid value at '${at}' (oneof), oneof field 'authorization_header' is already set. Cannot set '${key}'`,
          );
      }
      if (v === null) continue;
      seen.push(key);
      const child = `${at}.${snake(key)}`;
      out[key] = isObject(v) && FIELDS[child] ? walk(v, child) : v;
    }
    return out;
  };
  const job = walk(body, 'job');
  for (const f of OUTPUT_ONLY) delete job[f];
  return job;
}

/** A job id as Cloud Scheduler allows it: letters, digits, hyphens, underscores, at most 500 characters. */
export function validJobId(id: string): boolean {
  return /^[A-Za-z0-9_-]{1,500}$/.test(id);
}

/** Seconds of a Duration string (`"180s"`), or undefined. */
function durationSeconds(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const m = /^(\d+(?:\.\d{1,9})?)s$/.exec(value);
  return m ? Number(m[1]) : undefined;
}

/** Checks a complete Job (after create defaults or a mask merge) and fills Google's defaults. */
export function checkJob(job: Json): Json {
  const out: Json = structuredClone(job);
  if (typeof out.description === 'string' && out.description.length > 500)
    throw new ApiError('INVALID_ARGUMENT', 'Job description must not contain more than 500 characters.');
  if (out.pubsubTarget || out.appEngineHttpTarget)
    throw new ApiError(
      'INVALID_ARGUMENT',
      'The local Cloud Scheduler serves HTTP targets only (httpTarget); pubsubTarget and appEngineHttpTarget are not reproduced.',
    );
  const target = out.httpTarget;
  if (!isObject(target))
    throw new ApiError('INVALID_ARGUMENT', 'Job must have a target: httpTarget is required.');
  const uri = target.uri;
  let parsed: URL | undefined;
  try {
    parsed = typeof uri === 'string' && uri.length <= 2083 ? new URL(uri) : undefined;
  } catch {
    parsed = undefined;
  }
  if (!parsed || !/^https?:$/.test(parsed.protocol) || !/^https?:\/\//i.test(String(uri)))
    throw new ApiError(
      'INVALID_ARGUMENT',
      `HttpTarget.uri must be an absolute URL beginning with "http://" or "https://" (at most 2083 characters), got "${String(uri ?? '')}".`,
    );
  const method = target.httpMethod ?? 'POST';
  const methodName = typeof method === 'number' ? HTTP_METHODS[method] : method;
  if (typeof methodName !== 'string' || !HTTP_METHODS.includes(methodName))
    throw new ApiError(
      'INVALID_ARGUMENT',
      `Invalid value at 'job.http_target.http_method' (type.googleapis.com/google.cloud.scheduler.v1.HttpMethod), ${JSON.stringify(method)}`,
    );
  target.httpMethod = methodName === 'HTTP_METHOD_UNSPECIFIED' ? 'POST' : methodName;
  if (target.body !== undefined) {
    if (typeof target.body !== 'string' || !/^[A-Za-z0-9+/_-]*={0,2}$/.test(target.body))
      throw new ApiError(
        'INVALID_ARGUMENT',
        `Invalid value at 'job.http_target.body' (TYPE_BYTES), Base64 decoding failed.`,
      );
    if (!['POST', 'PUT', 'PATCH'].includes(String(target.httpMethod)) && target.body !== '')
      throw new ApiError(
        'INVALID_ARGUMENT',
        `A request body is allowed only if the HTTP method is POST, PUT, or PATCH; the job's method is ${String(target.httpMethod)}.`,
      );
  }
  if (
    target.headers !== undefined &&
    (!isObject(target.headers) || !Object.values(target.headers).every((v) => typeof v === 'string'))
  )
    throw new ApiError(
      'INVALID_ARGUMENT',
      "Invalid value at 'job.http_target.headers': a map of strings is expected.",
    );
  for (const kind of ['oauthToken', 'oidcToken'] as const) {
    const token = target[kind];
    if (token === undefined) continue;
    const email = isObject(token) ? token.serviceAccountEmail : undefined;
    if (typeof email !== 'string' || !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email))
      throw new ApiError(
        'INVALID_ARGUMENT',
        `HttpTarget.${kind}.serviceAccountEmail must be a service account email.`,
      );
    if (kind === 'oauthToken' && isObject(token) && !token.scope) token.scope = DEFAULT_SCOPE;
    if (kind === 'oidcToken' && isObject(token) && !token.audience)
      token.audience = `${parsed.origin}${parsed.pathname}`;
  }
  if (typeof out.schedule !== 'string' || !parseCron(out.schedule) || !validTimeZone(out.timeZone))
    throw new ApiError('INVALID_ARGUMENT', SCHEDULE_INVALID);
  if (out.attemptDeadline === undefined) out.attemptDeadline = '180s';
  const deadline = durationSeconds(out.attemptDeadline);
  if (deadline === undefined || deadline < 15 || deadline > 1800)
    throw new ApiError(
      'INVALID_ARGUMENT',
      `attemptDeadline must be a Duration between 15s and 1800s for HTTP targets, got ${JSON.stringify(out.attemptDeadline)}.`,
    );
  out.retryConfig = {
    retryCount: 0,
    maxRetryDuration: '0s',
    minBackoffDuration: '5s',
    maxBackoffDuration: '3600s',
    maxDoublings: 5,
    ...(isObject(out.retryConfig) ? out.retryConfig : {}),
  };
  return out;
}

/** A tz database name Cloud Scheduler accepts: absent (UTC), `UTC`/`Etc/UTC`/`utc`, or a zone Node knows. */
export function validTimeZone(zone: unknown): boolean {
  if (zone === undefined || zone === '') return true;
  if (typeof zone !== 'string') return false;
  return ['UTC', 'Etc/UTC', 'utc'].includes(zone) || Intl.supportedValuesOf('timeZone').includes(zone);
}

/**
 * The job after an update: with `mask` (camelCase or snake_case paths) only those fields are taken from
 * `patch`; without one, every field the patch populates (AIP-134). Setting one token kind clears the other.
 */
export function mergeJob(current: Json, patch: Json, mask: string[] | undefined): Json {
  const out = structuredClone(current);
  const paths = mask ?? Object.keys(patch).filter((k) => k !== 'name');
  for (const raw of paths) {
    const path = raw.split('.').map(camel);
    if (!MASKABLE.includes(path[0]) || (path.length > 1 && !['httpTarget', 'retryConfig'].includes(path[0])))
      throw new ApiError('INVALID_ARGUMENT', `Invalid mask for Job: ${raw}`);
    let from: unknown = patch;
    for (const p of path) from = isObject(from) ? from[p] : undefined;
    let into: Json = out;
    for (const p of path.slice(0, -1)) {
      if (!isObject(into[p])) into[p] = {};
      into = into[p] as Json;
    }
    const leaf = path[path.length - 1];
    if (from === undefined) delete into[leaf];
    else into[leaf] = structuredClone(from);
    if (path[0] === 'httpTarget' && path.length === 2 && from !== undefined) {
      if (leaf === 'oauthToken') delete into.oidcToken;
      if (leaf === 'oidcToken') delete into.oauthToken;
    }
  }
  return out;
}

// ---------------------------------------------------------------- unix-cron (crontab(5))

export interface CronSpec {
  minutes: Set<number>;
  hours: Set<number>;
  days: Set<number>;
  months: Set<number>;
  weekdays: Set<number>;
  /** crontab(5): when both day fields are restricted (not `*`), a day matching either runs. */
  daysRestricted: boolean;
  weekdaysRestricted: boolean;
}

const MONTH_NAMES = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAY_NAMES = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

function parseField(text: string, min: number, max: number, names?: string[]): Set<number> | undefined {
  const out = new Set<number>();
  const value = (s: string): number | undefined => {
    const named = names?.indexOf(s.toUpperCase()) ?? -1;
    if (named >= 0) return named + (names === MONTH_NAMES ? 1 : 0);
    return /^\d+$/.test(s) ? Number(s) : undefined;
  };
  for (const item of text.split(',')) {
    const m = /^(\*|[A-Za-z0-9]+(?:-[A-Za-z0-9]+)?)(?:\/(\d+))?$/.exec(item);
    if (!m) return undefined;
    const step = m[2] === undefined ? 1 : Number(m[2]);
    if (step < 1) return undefined;
    let lo = min;
    let hi = max;
    if (m[1] !== '*') {
      const [a, b] = m[1].split('-');
      const va = value(a);
      const vb = b === undefined ? (m[2] === undefined ? va : undefined) : value(b);
      // `N/step` is not crontab(5) syntax: a step follows `*` or a range.
      if (va === undefined || vb === undefined || va > vb) return undefined;
      lo = va;
      hi = vb;
    }
    if (lo < min || hi > max) return undefined;
    for (let v = lo; v <= hi; v += step) out.add(v);
  }
  return out;
}

/** A five-field unix-cron schedule, or undefined when it is not one (English-like schedules are refused). */
export function parseCron(schedule: string): CronSpec | undefined {
  const fields = schedule.trim().split(/\s+/);
  if (fields.length !== 5) return undefined;
  const minutes = parseField(fields[0], 0, 59);
  const hours = parseField(fields[1], 0, 23);
  const days = parseField(fields[2], 1, 31);
  const months = parseField(fields[3], 1, 12, MONTH_NAMES);
  const weekdays = parseField(fields[4], 0, 7, DAY_NAMES);
  if (!minutes || !hours || !days || !months || !weekdays) return undefined;
  if (weekdays.delete(7)) weekdays.add(0);
  return {
    minutes,
    hours,
    days,
    months,
    weekdays,
    daysRestricted: !fields[2].startsWith('*'),
    weekdaysRestricted: !fields[4].startsWith('*'),
  };
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function localParts(
  ms: number,
  zone: string,
): { month: number; day: number; weekday: number; hour: number; minute: number } {
  const tz = zone === '' || zone.toLowerCase() === 'utc' || zone === 'Etc/UTC' ? 'UTC' : zone;
  let f = formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: tz,
      hourCycle: 'h23',
      month: 'numeric',
      day: 'numeric',
      weekday: 'short',
      hour: 'numeric',
      minute: 'numeric',
    });
    formatters.set(tz, f);
  }
  const parts = Object.fromEntries(f.formatToParts(ms).map((p) => [p.type, p.value]));
  return {
    month: Number(parts.month),
    day: Number(parts.day),
    weekday: DAY_NAMES.indexOf(String(parts.weekday).toUpperCase()),
    hour: Number(parts.hour),
    minute: Number(parts.minute),
  };
}

/** The first minute after `afterMs` the schedule matches in `zone`, searched up to five years ahead. */
export function nextRunTime(spec: CronSpec, zone: string, afterMs: number): number | undefined {
  const MINUTE = 60_000;
  let t = Math.floor(afterMs / MINUTE) * MINUTE + MINUTE;
  const limit = afterMs + 5 * 366 * 24 * 60 * MINUTE;
  while (t <= limit) {
    const p = localParts(t, zone);
    const dayOk =
      spec.daysRestricted && spec.weekdaysRestricted
        ? spec.days.has(p.day) || spec.weekdays.has(p.weekday)
        : spec.days.has(p.day) && spec.weekdays.has(p.weekday);
    if (!spec.months.has(p.month) || !dayOk) t += (24 * 60 - p.hour * 60 - p.minute) * MINUTE;
    else if (!spec.hours.has(p.hour)) t += (60 - p.minute) * MINUTE;
    else if (!spec.minutes.has(p.minute)) t += MINUTE;
    else return t;
  }
  return undefined;
}
