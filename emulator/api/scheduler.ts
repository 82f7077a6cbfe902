// The Cloud Scheduler fake: the REST API v1 `projects.locations.jobs` (create, get, patch, list, delete,
// run) answered directly with the Job (no long-running operations), behind Google's gate (bearer token,
// API enabled, cloudscheduler.* permissions, iam.serviceAccounts.actAs on the job's service account), and
// the dispatch of an HTTP target: an OAuth access token minted for the job's service account, the request
// sent over real HTTP to the emulator's own Run API when the target is run.googleapis.com, and the attempt
// recorded on the job. Rules and sources: emulator/README.md "Cloud Scheduler".
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Faults } from '../faults';
import type { TokenVerifier } from '../model';
import { serviceDisabledError } from '../service-disabled';
import { ApiError, readJson, sendError, sendJson } from './google-errors';
import { checkJob, mergeJob, nextRunTime, parseCron, readJobBody, validJobId } from './scheduler-rules';
import type { Json } from './service-rules';

const SCHEDULER_API = 'cloudscheduler.googleapis.com';
/** A Google API host the dispatcher sends to the emulator instead: `run.googleapis.com` or `REGION-run.googleapis.com`. */
const RUN_HOST = /^([a-z0-9-]+-)?run\.googleapis\.com$/;

/** The one role the fake knows: roles/cloudscheduler.admin grants every cloudscheduler.jobs.* permission. */
export type SchedulerRole = 'cloudscheduler.admin';

export interface SchedulerApiOptions {
  verifier: TokenVerifier;
  faults: Faults;
  projectNumber: string;
  /** The project id and number; other projects are refused like ones the caller cannot see. */
  projects: string[];
  /** Locations the fake serves; others are NOT_FOUND. */
  locations: string[];
  /** Roles per principal (service account email, or `principal://…`). */
  roles: Record<string, SchedulerRole[]>;
  /** Service account email -> principals holding iam.serviceAccounts.actAs on it; undefined: `actAsAnyone` may. */
  serviceAccountUsers?: Record<string, string[]>;
  /** Principals that may act as any service account when `serviceAccountUsers` is not given. */
  actAsAnyone: string[];
  /** The emulator's own principal: allowed everything. */
  controlPrincipal: string;
  /** An OAuth access token for `serviceAccount`, minted by the emulator's token store (the service agent's work). */
  mintAccessToken(serviceAccount: string, scope: string): string;
  /** The emulator's base URL, where run.googleapis.com targets are sent. */
  selfUrl(): string;
  now?: () => number;
}

/** One dispatch of a job's HTTP target, as the fake recorded it. */
export interface SchedulerAttempt {
  job: string;
  /** RFC 3339. */
  at: string;
  /** `API` for jobs.run, `control` for the emulator's fire path. */
  trigger: 'API' | 'control';
  method: string;
  /** The target as configured, and where the fake actually sent it (undefined: not sent). */
  uri: string;
  sentTo?: string;
  /** The principal the bearer stood for (the oauthToken service account), if any. */
  principal?: string;
  /** The target's HTTP status; 0 when no response came. */
  httpStatus: number;
  /** Job.status as recorded: code 0 on a 2xx, else the google.rpc.Code of the HTTP status. */
  status: { code: number; message?: string };
  /** The target's answer, parsed when JSON. */
  response?: unknown;
}

interface JobRecord {
  name: string;
  spec: Json;
  userUpdateTime: string;
  lastAttemptTime?: string;
  status?: { code: number; message?: string };
}

/** google.rpc.Code for an HTTP status, as Google maps them. */
function rpcCodeOf(http: number): number {
  const codes: Record<number, number> = {
    400: 3,
    401: 16,
    403: 7,
    404: 5,
    409: 10,
    429: 8,
    499: 1,
    501: 12,
    503: 14,
    504: 4,
  };
  if (http >= 200 && http < 300) return 0;
  return codes[http] ?? (http >= 500 ? 13 : 2);
}

export class SchedulerApi {
  /** Every dispatch, oldest first. */
  readonly attempts: SchedulerAttempt[] = [];
  private readonly jobs = new Map<string, JobRecord>();
  private readonly pending = new Set<Promise<SchedulerAttempt>>();
  private readonly now: () => number;

  constructor(private readonly opts: SchedulerApiOptions) {
    this.now = opts.now ?? Date.now;
  }

  /** Waits for every dispatch that jobs.run started (jobs.run answers before its attempt ends). */
  async settle(): Promise<void> {
    await Promise.all([...this.pending]);
  }

  /** Dispatches the job now, as the emulator's control path does; resolves with the attempt. */
  async fire(name: string): Promise<SchedulerAttempt> {
    const job = this.jobs.get(name);
    if (!job) throw new ApiError('NOT_FOUND', 'Job not found.');
    return this.dispatch(job, 'control');
  }

  /** Handles `/v1/projects/{p}/locations/{l}/jobs…`; resolves false for other paths. */
  async handle(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const m = /^\/v1\/projects\/([^/]+)\/locations\/([^/]+)\/jobs(?:\/([^/:]+))?(?::([a-zA-Z]+))?$/.exec(
      url.pathname,
    );
    if (!m) return false;
    try {
      sendJson(res, 200, await this.route(req, url, m[1], m[2], m[3], m[4]));
    } catch (err) {
      sendError(res, err instanceof ApiError ? err : new ApiError('INTERNAL', (err as Error).message));
    }
    return true;
  }

  private async route(
    req: IncomingMessage,
    url: URL,
    project: string,
    location: string,
    id: string | undefined,
    verb: string | undefined,
  ): Promise<Json> {
    const method = req.method ?? 'GET';
    const parent = `projects/${project}/locations/${location}`;
    const name = `${parent}/jobs/${id ?? ''}`;
    const call = (permission: string, resource: string): string =>
      this.gate(req, `cloudscheduler.jobs.${permission}`, resource, project, location);
    if (id === undefined && verb === undefined) {
      if (method === 'POST') {
        const caller = call('create', parent);
        return this.create(caller, parent, readJobBody(await readJson(req)));
      }
      if (method === 'GET') {
        call('list', parent);
        return this.list(parent, url.searchParams);
      }
    } else if (id !== undefined && verb === undefined) {
      if (method === 'GET') {
        call('get', name);
        return this.render(this.mustGet(name));
      }
      if (method === 'PATCH') {
        const caller = call('update', name);
        const sent = url.searchParams.get('updateMask') ?? url.searchParams.get('update_mask');
        const mask =
          sent === null
            ? undefined
            : sent
                .split(',')
                .map((p) => p.trim())
                .filter(Boolean);
        return this.update(caller, name, readJobBody(await readJson(req)), mask);
      }
      if (method === 'DELETE') {
        call('delete', name);
        this.mustGet(name);
        this.jobs.delete(name);
        return {};
      }
    } else if (id !== undefined && verb === 'run' && method === 'POST') {
      call('run', name);
      const job = this.mustGet(name);
      const answer = this.render(job);
      const attempt = this.dispatch(job, 'API');
      this.pending.add(attempt);
      void attempt.finally(() => this.pending.delete(attempt));
      return answer;
    }
    throw new ApiError(
      'NOT_FOUND',
      `The requested URL ${url.pathname} was not found on this server (method ${method}).`,
    );
  }

  private create(caller: string, parent: string, body: Json): Json {
    const given = typeof body.name === 'string' && body.name !== '' ? body.name : undefined;
    const id = given
      ? given.slice(`${parent}/jobs/`.length)
      : `job-${Math.random().toString(36).slice(2, 12)}`;
    if (given && (!given.startsWith(`${parent}/jobs/`) || !validJobId(id)))
      throw new ApiError(
        'INVALID_ARGUMENT',
        `Job name must be formatted: "${parent}/jobs/JOB_ID" where JOB_ID holds only letters, numbers, hyphens or underscores (at most 500), got "${given}".`,
      );
    const name = `${parent}/jobs/${id}`;
    const spec = this.checked({ ...body, name });
    this.requireActAs(caller, spec);
    if (this.jobs.has(name)) throw new ApiError('ALREADY_EXISTS', `Job ${name} already exists.`);
    const job: JobRecord = { name, spec, userUpdateTime: new Date(this.now()).toISOString() };
    this.jobs.set(name, job);
    return this.render(job);
  }

  private update(caller: string, name: string, patch: Json, mask: string[] | undefined): Json {
    const job = this.mustGet(name);
    const spec = this.checked({ ...mergeJob(job.spec, patch, mask), name });
    // actAs is asked again only when the update touches the target (the account may have changed).
    const touched = mask ?? Object.keys(patch);
    if (touched.some((p) => /^http_?[tT]arget/.test(p))) this.requireActAs(caller, spec);
    job.spec = spec;
    job.userUpdateTime = new Date(this.now()).toISOString();
    return this.render(job);
  }

  private list(parent: string, q: URLSearchParams): Json {
    const all = [...this.jobs.values()]
      .filter((j) => j.name.startsWith(`${parent}/jobs/`))
      .map((j) => this.render(j));
    const size = Math.min(Number(q.get('pageSize') ?? 0) || 500, 500);
    const start = Number(q.get('pageToken') ?? 0) || 0;
    const jobs = all.slice(start, start + size);
    return {
      ...(jobs.length > 0 ? { jobs } : {}),
      ...(start + size < all.length ? { nextPageToken: String(start + size) } : {}),
    };
  }

  /** The Job body checked, its schedule included: one with no next run time in five years is refused too. */
  private checked(job: Json): Json {
    const spec = checkJob(job);
    const cron = parseCron(String(spec.schedule));
    if (!cron || nextRunTime(cron, String(spec.timeZone ?? ''), this.now()) === undefined)
      throw new ApiError('INVALID_ARGUMENT', 'Schedule or time zone is invalid.');
    return spec;
  }

  private mustGet(name: string): JobRecord {
    const job = this.jobs.get(name);
    if (!job) throw new ApiError('NOT_FOUND', 'Job not found.');
    return job;
  }

  private render(job: JobRecord): Json {
    const cron = parseCron(String(job.spec.schedule));
    const next = cron && nextRunTime(cron, String(job.spec.timeZone ?? ''), this.now());
    return {
      ...job.spec,
      userUpdateTime: job.userUpdateTime,
      state: 'ENABLED',
      ...(job.status ? { status: job.status.code === 0 ? {} : job.status } : {}),
      ...(next ? { scheduleTime: new Date(next).toISOString() } : {}),
      ...(job.lastAttemptTime ? { lastAttemptTime: job.lastAttemptTime } : {}),
    };
  }

  /** Bearer, API enabled, project, permission through roles/cloudscheduler.admin, location; answers the principal. */
  private gate(
    req: IncomingMessage,
    permission: string,
    resource: string,
    project: string,
    location: string,
  ): string {
    const header = req.headers.authorization;
    if (!header || !/^Bearer\s+\S+/i.test(header))
      throw new ApiError(
        'UNAUTHENTICATED',
        'Request is missing required authentication credential. Expected OAuth 2 access token, login cookie or other valid authentication credential.',
      );
    const info = this.opts.verifier.verifyAccessToken(header.replace(/^Bearer\s+/i, ''));
    if (!info)
      throw new ApiError(
        'UNAUTHENTICATED',
        'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.',
      );
    if (this.opts.faults.settings.disabledApis.includes(SCHEDULER_API)) {
      const e = serviceDisabledError(SCHEDULER_API, this.opts.projectNumber);
      throw new ApiError('PERMISSION_DENIED', e.message, e.details);
    }
    const held =
      info.principal === this.opts.controlPrincipal ||
      (this.opts.roles[info.principal] ?? []).includes('cloudscheduler.admin');
    if (!this.opts.projects.includes(project) || !held) throw lacks(permission, resource);
    if (!this.opts.locations.includes(location))
      throw new ApiError('NOT_FOUND', `Location ${location} is not found or access is unallowed.`);
    return info.principal;
  }

  /** Attaching a service account to the job's target needs iam.serviceAccounts.actAs on it. */
  private requireActAs(caller: string, spec: Json): void {
    const target = spec.httpTarget as Json;
    const token = (target.oauthToken ?? target.oidcToken) as Json | undefined;
    if (!token || caller === this.opts.controlPrincipal) return;
    const account = String(token.serviceAccountEmail);
    const users = this.opts.serviceAccountUsers;
    const allowed = users ? (users[account] ?? []).includes(caller) : this.opts.actAsAnyone.includes(caller);
    if (!allowed) throw lacks('iam.serviceAccounts.actAs', account);
  }

  /** Sends the job's HTTP target once and records the attempt on the job and in `attempts`. */
  private async dispatch(job: JobRecord, trigger: SchedulerAttempt['trigger']): Promise<SchedulerAttempt> {
    const target = job.spec.httpTarget as Json;
    const at = new Date(this.now()).toISOString();
    const uri = String(target.uri);
    const method = String(target.httpMethod ?? 'POST');
    const attempt: SchedulerAttempt = {
      job: job.name,
      at,
      trigger,
      method,
      uri,
      httpStatus: 0,
      status: { code: 14 },
    };
    const sendTo = this.targetUrl(uri);
    if (!sendTo) {
      attempt.status = {
        code: 14,
        message: `The local Cloud Scheduler sends only to run.googleapis.com and the emulator itself, not ${uri}.`,
      };
    } else {
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries((target.headers ?? {}) as Record<string, string>)) {
        if (!/^(host|content-length|user-agent|x-google-.*|x-appengine-.*)$/i.test(k))
          headers[k.toLowerCase()] = v;
      }
      headers['user-agent'] = 'Google-Cloud-Scheduler';
      const oauth = target.oauthToken as Json | undefined;
      const oidc = target.oidcToken as Json | undefined;
      if (oauth) {
        attempt.principal = String(oauth.serviceAccountEmail);
        headers.authorization = `Bearer ${this.opts.mintAccessToken(attempt.principal, String(oauth.scope))}`;
      } else if (oidc) {
        // Not reproduced: an ID token for another account needs the auth fakes' signer. Google APIs refuse ID
        // tokens anyway (401), which an unusable bearer reproduces on the emulator's own APIs.
        attempt.principal = String(oidc.serviceAccountEmail);
        headers.authorization = 'Bearer emulator-scheduler-oidc-token-not-minted';
      }
      const body =
        typeof target.body === 'string' && target.body !== ''
          ? Buffer.from(target.body, 'base64')
          : undefined;
      if (body && !headers['content-type']) headers['content-type'] = 'application/octet-stream';
      attempt.sentTo = sendTo;
      try {
        const deadline = Number(String(job.spec.attemptDeadline).replace(/s$/, '')) * 1000;
        const res = await fetch(sendTo, { method, headers, body, signal: AbortSignal.timeout(deadline) });
        attempt.httpStatus = res.status;
        const text = await res.text();
        try {
          attempt.response = JSON.parse(text);
        } catch {
          attempt.response = text;
        }
        const code = rpcCodeOf(res.status);
        attempt.status =
          code === 0
            ? { code }
            : { code, message: `URL_ERROR-ERROR_OTHER. Original HTTP response code number = ${res.status}` };
      } catch (err) {
        attempt.status = { code: 4, message: `No response from ${uri}: ${(err as Error).message}` };
      }
    }
    job.lastAttemptTime = at;
    job.status = attempt.status;
    this.attempts.push(attempt);
    return attempt;
  }

  /** Where the fake sends `uri`: run.googleapis.com hosts become the emulator; local hosts stay; others undefined. */
  private targetUrl(uri: string): string | undefined {
    const u = new URL(uri);
    if (RUN_HOST.test(u.hostname)) return `${this.opts.selfUrl()}${u.pathname}${u.search}`;
    if (u.hostname === '127.0.0.1' || u.hostname === 'localhost') return uri;
    return undefined;
  }
}

/** Google's 403 when the caller lacks `permission` on `resource` (IAM's wording). */
function lacks(permission: string, resource: string): ApiError {
  return new ApiError(
    'PERMISSION_DENIED',
    `The principal (user or service account) lacks IAM permission "${permission}" for the resource "${resource}" (or the resource may not exist).`,
    [
      {
        '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
        reason: 'IAM_PERMISSION_DENIED',
        domain: 'iam.googleapis.com',
        metadata: { permission, resource },
      },
    ],
  );
}
