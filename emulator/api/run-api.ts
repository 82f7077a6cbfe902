// The Cloud Run Admin API v2 over REST, as @google-cloud/run's REST transport speaks it (docs/platform.md "Wire
// format"): services, revisions, operations and service IAM policies, with the platform's
// generation / reconciling / etag semantics. Revisions run for real through the DataPlane port.
// This file is the front door: routing, the gate every call passes (count, faults, auth, IAM, location),
// body checks, paging and enum encoding; each resource's methods live in services.ts, revisions.ts,
// reconcile.ts, iam.ts and operations.ts, over the records in records.ts.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { DataPlane, TaskRunner, TokenVerifier } from '../model';
import type { ApiMethod, Faults } from '../faults';
import { ApiError, readJson, sendError, sendJson, statusOfHttp } from './google-errors';
import { serviceDisabledError } from '../service-disabled';
import { getPolicy, invokerView, setPolicy, type InvokerView } from './iam';
import { TimedOperations } from './operations';
import { enumsToNumbers, enumsToStrings, fieldViolations } from './proto-json';
import {
  REVISION_TYPE,
  SERVICE_TYPE,
  mustGetRevision,
  mustGetService,
  renderRevision,
  renderService,
  type ApiState,
} from './records';
import { settleExecutions } from './executions';
import { dispatchJobs } from './job-routes';
import { deleteRevision, listRevisions } from './revisions';
import type { SecretStore } from './secret-store';
import { dispatchKnativeV1, isKnativeV1 } from './knative-v1';
import { createService, deleteService, listServices, updateService } from './services';
import type { Json } from './service-rules';
import { epochMs, type WireLog } from './wire-log';
import { REGIONS } from '../regions';

/** The API name SERVICE_DISABLED errors use for this API (docs/platform.md "Disabled API"). */
const RUN_API = 'run.googleapis.com';

export interface RunApiOptions {
  dataPlane: DataPlane;
  /** What the registry resolves an image to (`REPOSITORY@sha256:…`), for revisions' `containerStatuses`. */
  digestOf?: (image: string) => string | undefined;
  /** Runs Cloud Run job tasks as local processes; without it a job's image counts as missing. */
  tasks?: TaskRunner;
  verifier: TokenVerifier;
  faults: Faults;
  secrets: SecretStore;
  /** Startup deadline for new instances when the template has no startup probe (Cloud Run: 240 s). */
  startupDeadlineMs: number;
  /** Decides IAM on the API; default: every valid token may do everything. */
  permits?: (principal: string, permission: string, resource: string) => boolean;
  /** The project number, used in default service account emails and URLs. */
  projectNumber?: string;
  /** The project ids (and numbers) that exist; others get 403 like a project the caller cannot see. Default: any. */
  projects?: string[];
  now?: () => Date;
}

export class RunApi {
  readonly wire: WireLog = {
    calls: {},
    protoProblems: [],
    log: [],
    revisionStarts: [],
    operations: [],
    refusals: [],
  };
  private readonly state: ApiState;

  constructor(private readonly opts: RunApiOptions) {
    this.state = {
      opts,
      services: new Map(),
      jobs: new Map(),
      operations: new TimedOperations(this.wire.operations),
      wire: this.wire,
      now: opts.now ?? (() => new Date()),
    };
  }

  /** The service record for the invoker check: IAM bindings, invokerIamDisabled, URLs, custom audiences. */
  invokerView(serviceName: string): InvokerView | undefined {
    return invokerView(this.state, serviceName);
  }

  /** Waits until every service has finished reconciling (for clean shutdown in tests). */
  async settle(): Promise<void> {
    await Promise.all([...this.state.services.values()].map((s) => s.queue));
  }

  /** Cancels every running job execution and waits until each has stopped (clean shutdown). */
  async cancelExecutions(): Promise<void> {
    await settleExecutions(this.state, true);
  }

  /** Handles /v2/… requests; resolves false for other paths. */
  async handle(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const v1 = isKnativeV1(url.pathname);
    if (!url.pathname.startsWith('/v2/') && !v1) return false;
    const numericEnums = (url.searchParams.get('$alt') ?? '').includes('enum-encoding=int');
    try {
      if (v1) {
        const gate = (resource: string, project: string, location: string) =>
          void this.gate(req, 'revisions.get', 'run.revisions.get', resource, project, location);
        sendJson(res, 200, dispatchKnativeV1(this.state, req.method ?? 'GET', url.pathname, gate));
        return true;
      }
      const result = await this.dispatch(req, url);
      sendJson(res, 200, this.encode(result, numericEnums));
    } catch (err) {
      const refused =
        err instanceof ApiError ? err : new ApiError('INTERNAL', `Internal error: ${(err as Error).message}`);
      this.wire.refusals.push({
        at: epochMs(),
        request: `${req.method ?? 'GET'} ${url.pathname}`,
        status: refused.status,
        message: refused.message,
      });
      sendError(res, refused);
    }
    return true;
  }

  private encode(result: { type: string; body: Json }, numericEnums: boolean): Json {
    if (result.type === 'google.longrunning.Operation') {
      const op = { ...result.body };
      for (const key of ['metadata', 'response']) {
        const any = op[key] as Json | undefined;
        if (!any) continue;
        const inner = String(any['@type']).replace('type.googleapis.com/', '');
        const { '@type': t, ...rest } = any;
        op[key] = {
          '@type': t,
          ...(numericEnums ? enumsToNumbers(inner, rest) : enumsToStrings(inner, rest)),
        };
      }
      return op;
    }
    return numericEnums ? enumsToNumbers(result.type, result.body) : enumsToStrings(result.type, result.body);
  }

  private async dispatch(req: IncomingMessage, url: URL): Promise<{ type: string; body: Json }> {
    const path = url.pathname;
    const method = req.method ?? 'GET';
    const q = url.searchParams;
    const state = this.state;
    let m: RegExpExecArray | null;
    const base = '^/v2/projects/([^/]+)/locations/([^/]+)';
    const jobs = await dispatchJobs(
      {
        state,
        gate: (r, apiMethod, permission, resource, project, location) =>
          this.gate(r, apiMethod, permission, resource, project, location),
        require: (principal, permission, resource) => this.require(principal, permission, resource),
        checked: (typeName, body, at) => this.checked(typeName, body, at),
        page,
      },
      req,
      url,
    );
    if (jobs) return jobs;
    if ((m = new RegExp(`${base}/operations/([^/:]+)$`).exec(path)) && method === 'GET') {
      const name = `projects/${m[1]}/locations/${m[2]}/operations/${m[3]}`;
      this.gate(req, 'operations.get', 'run.operations.get', name, m[1], m[2]);
      return { type: 'google.longrunning.Operation', body: state.operations.render(name) };
    }
    if ((m = new RegExp(`${base}/services$`).exec(path))) {
      const parent = `projects/${m[1]}/locations/${m[2]}`;
      if (method === 'GET') {
        this.gate(req, 'services.list', 'run.services.list', parent, m[1], m[2]);
        return {
          type: 'google.cloud.run.v2.ListServicesResponse',
          body: page(listServices(state, m[1], m[2]), q, 'services'),
        };
      }
      if (method === 'POST') {
        const principal = this.gate(req, 'services.create', 'run.services.create', parent, m[1], m[2]);
        const body = this.checked(SERVICE_TYPE, await readJson(req), 'service');
        const op = await createService(
          state,
          m[1],
          m[2],
          q.get('serviceId') ?? '',
          body,
          q.get('validateOnly') === 'true',
          principal,
        );
        return { type: 'google.longrunning.Operation', body: op };
      }
    }
    if ((m = new RegExp(`${base}/services/([^/:]+):(getIamPolicy|setIamPolicy)$`).exec(path))) {
      const name = `projects/${m[1]}/locations/${m[2]}/services/${m[3]}`;
      if (m[4] === 'getIamPolicy') {
        const version = q.get('options.requestedPolicyVersion') ?? q.get('options.requested_policy_version');
        this.gate(req, 'services.getIamPolicy', 'run.services.getIamPolicy', name, m[1], m[2], {
          ...(version !== null && version !== '' ? { requestedPolicyVersion: Number(version) } : {}),
        });
        return { type: 'google.iam.v1.Policy', body: getPolicy(state, name) };
      }
      this.gate(req, 'services.setIamPolicy', 'run.services.setIamPolicy', name, m[1], m[2]);
      const body = (await readJson(req)) as Json;
      const { resource: _r, ...rest } = body;
      this.checked('google.iam.v1.SetIamPolicyRequest', rest, '');
      return { type: 'google.iam.v1.Policy', body: setPolicy(state, name, (body.policy ?? {}) as Json) };
    }
    if ((m = new RegExp(`${base}/services/([^/:]+)$`).exec(path))) {
      const name = `projects/${m[1]}/locations/${m[2]}/services/${m[3]}`;
      if (method === 'GET') {
        this.gate(req, 'services.get', 'run.services.get', name, m[1], m[2]);
        return { type: SERVICE_TYPE, body: renderService(mustGetService(state, name)) };
      }
      if (method === 'PATCH') {
        const sentMask = q.get('updateMask') ?? q.get('update_mask');
        const mask =
          sentMask === null
            ? null
            : sentMask
                .split(',')
                .map((p) => p.trim())
                .filter(Boolean);
        const principal = this.gate(req, 'services.update', 'run.services.update', name, m[1], m[2], {
          updateMask: mask,
        });
        const body = this.checked(SERVICE_TYPE, await readJson(req), 'service');
        const op = await updateService(
          state,
          name,
          body,
          mask ?? [],
          q.get('allowMissing') === 'true',
          q.get('validateOnly') === 'true',
          principal,
        );
        return { type: 'google.longrunning.Operation', body: op };
      }
      if (method === 'DELETE') {
        this.gate(req, 'services.delete', 'run.services.delete', name, m[1], m[2]);
        return {
          type: 'google.longrunning.Operation',
          body: await deleteService(
            state,
            name,
            q.get('etag') ?? undefined,
            q.get('validateOnly') === 'true',
          ),
        };
      }
    }
    if ((m = new RegExp(`${base}/services/([^/:]+)/revisions$`).exec(path)) && method === 'GET') {
      const service = `projects/${m[1]}/locations/${m[2]}/services/${m[3]}`;
      this.gate(req, 'revisions.list', 'run.revisions.list', service, m[1], m[2]);
      return {
        type: 'google.cloud.run.v2.ListRevisionsResponse',
        body: page(listRevisions(state, service), q, 'revisions'),
      };
    }
    if ((m = new RegExp(`${base}/services/([^/:]+)/revisions/([^/:]+)$`).exec(path))) {
      const service = `projects/${m[1]}/locations/${m[2]}/services/${m[3]}`;
      const name = `${service}/revisions/${m[4]}`;
      if (method === 'GET') {
        this.gate(req, 'revisions.get', 'run.revisions.get', name, m[1], m[2]);
        return {
          type: REVISION_TYPE,
          body: renderRevision(mustGetService(state, service), mustGetRevision(state, service, m[4])),
        };
      }
      if (method === 'DELETE') {
        this.gate(req, 'revisions.delete', 'run.revisions.delete', name, m[1], m[2]);
        return {
          type: 'google.longrunning.Operation',
          body: await deleteRevision(state, service, m[4], q.get('validateOnly') === 'true'),
        };
      }
    }
    throw new ApiError(
      'NOT_FOUND',
      `The requested URL ${path} was not found on this server (method ${method}).`,
    );
  }

  /** Counts the call, applies injected faults and regional outages, authenticates and authorizes (docs/platform.md "Local REST transport": the client always sends a bearer). */
  private gate(
    req: IncomingMessage,
    method: ApiMethod,
    permission: string,
    resource: string,
    project: string,
    location: string,
    extra: Partial<WireLog['log'][number]> = {},
  ): string {
    this.wire.calls[method] = (this.wire.calls[method] ?? 0) + 1;
    this.wire.log.push({ method, at: epochMs(), name: resource, ...extra });
    // An injected failure for this call first, else a regional outage (emulator/README.md "Faults on demand").
    const injected = this.opts.faults.take(method, location) ?? this.opts.faults.outage(location);
    if (injected)
      throw new ApiError(statusOfHttp(injected.status), injected.message ?? `Injected fault on ${method}.`);
    const header = req.headers.authorization;
    if (!header || !/^Bearer\s+\S+/i.test(header)) {
      throw new ApiError(
        'UNAUTHENTICATED',
        'Request is missing required authentication credential. Expected OAuth 2 access token, login cookie or other valid authentication credential.',
      );
    }
    const info = this.opts.verifier.verifyAccessToken(header.replace(/^Bearer\s+/i, ''));
    if (!info) {
      throw new ApiError(
        'UNAUTHENTICATED',
        'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.',
      );
    }
    // docs/platform.md "Disabled API": an API not enabled in the project answers 403 SERVICE_DISABLED.
    if (this.opts.faults.settings.disabledApis.includes(RUN_API)) {
      const e = serviceDisabledError(RUN_API, this.opts.projectNumber ?? '123456789012');
      throw new ApiError('PERMISSION_DENIED', e.message, e.details);
    }
    // Google answers a project that does not exist like one the caller may not see: 403, "or resource may
    // not exist" (so project ids cannot be probed); only a wrong location is a 404.
    const unknownProject = this.opts.projects && !this.opts.projects.includes(project);
    if (unknownProject) this.require('', permission, resource, true);
    this.require(info.principal, permission, resource);
    if (!REGIONS.includes(location)) {
      throw new ApiError(
        'NOT_FOUND',
        `Location '${location}' is not available for project '${project}'. Cloud Run regions include ${REGIONS.slice(0, 4).join(', ')}, ….`,
      );
    }
    return info.principal;
  }

  /** PERMISSION_DENIED in Google's words unless `principal` holds `permission` on `resource`. */
  private require(principal: string, permission: string, resource: string, deny = false): void {
    if (deny || (this.opts.permits && !this.opts.permits(principal, permission, resource))) {
      throw new ApiError(
        'PERMISSION_DENIED',
        `Permission '${permission}' denied on resource '${resource}' (or resource may not exist).`,
      );
    }
  }

  /** Checks a request body against the official protos; unknown or mistyped fields are 400 like Google's front end. */
  private checked(typeName: string, body: unknown, path: string): Json {
    const problems = fieldViolations(typeName, body, path);
    if (problems.length > 0) {
      this.wire.protoProblems.push(...problems.map((p) => `${p.field}: ${p.description}`));
      throw new ApiError('INVALID_ARGUMENT', problems.map((p) => p.description).join('\n'));
    }
    return enumsToStrings(typeName, body as Json);
  }
}

/** A page of a list answer by `pageSize` (default 100) and `pageToken` (an offset), with `nextPageToken`. */
function page(items: Json[], q: URLSearchParams, key: string): Json {
  const size = Number(q.get('pageSize') ?? 0) || 100;
  const start = Number(q.get('pageToken') ?? 0) || 0;
  const body: Json = { [key]: items.slice(start, start + size) };
  if (start + size < items.length) body.nextPageToken = String(start + size);
  return body;
}
