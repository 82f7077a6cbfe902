// The Cloud Run Admin API v2 over REST, as @google-cloud/run's REST transport speaks it (FACTS.md,
// "REST wire"): services, revisions, operations and service IAM policies, with the platform's
// generation / reconciling / etag semantics. Revisions run for real through the DataPlane port.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomBytes, randomUUID, createHash } from 'node:crypto';
import type {
  DataPlane,
  RevisionRuntimeSpec,
  RevisionStartResult,
  TokenVerifier,
  WarmFloor,
  WarmReason,
} from '../model';
import type { ApiMethod, Faults } from '../faults';
import { ApiError, readJson, sendError, sendJson, statusOfHttp } from './google-errors';
import { serviceDisabledError } from '../service-disabled';
import { Operations, type OperationRecord } from './operations';
import { enumsToNumbers, enumsToStrings, fieldViolations, presenceCanonical } from './proto-json';
import {
  durationSeconds,
  resolveSplit,
  serviceBodyProblems,
  serviceIdProblem,
  trafficProblems,
  type Json,
  type TrafficEntry,
} from './service-rules';
import type { SecretStore } from './secret-store';

const SERVICE_TYPE = 'google.cloud.run.v2.Service';
const REVISION_TYPE = 'google.cloud.run.v2.Revision';
const TEMPLATE_TYPE = 'google.cloud.run.v2.RevisionTemplate';
/** The API name SERVICE_DISABLED errors use for this API (FACTS.md "disabled APIs"). */
const RUN_API = 'run.googleapis.com';

/** Fields of a Service a caller may set; everything else in a request body is output-only and ignored. */
const MUTABLE_SERVICE_FIELDS = [
  'description',
  'labels',
  'annotations',
  'client',
  'clientVersion',
  'ingress',
  'launchStage',
  'binaryAuthorization',
  'template',
  'traffic',
  'scaling',
  'invokerIamDisabled',
  'defaultUriDisabled',
  'iapEnabled',
  'multiRegionSettings',
  'customAudiences',
  'buildConfig',
];

/** Regions the emulator serves; others are NOT_FOUND like an unknown location. */
export const REGIONS = [
  'us-central1',
  'us-east1',
  'us-east4',
  'us-west1',
  'us-west2',
  'europe-west1',
  'europe-west2',
  'europe-west3',
  'europe-west4',
  'europe-north1',
  'asia-east1',
  'asia-northeast1',
  'asia-southeast1',
  'australia-southeast1',
  'southamerica-east1',
  'northamerica-northeast1',
];

export interface RunApiOptions {
  dataPlane: DataPlane;
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

interface RevisionRecord {
  name: string;
  body: Json;
  ready: boolean | undefined;
}

/** Google's message for a startup probe that never succeeded (cloud.google.com/run/docs/configuring/healthchecks). */
function probeFailureMessage(kind: string, container: string, port: number): string {
  return `${kind} failed 1 time consecutively for container "${container}" on port ${port}. The instance was not started.`;
}

interface ServiceRecord {
  project: string;
  location: string;
  id: string;
  name: string;
  uid: string;
  spec: Json;
  generation: number;
  observedGeneration: number;
  createTime: string;
  updateTime: string;
  etag: string;
  reconciling: boolean;
  terminalCondition: Json;
  conditions: Json[];
  latestCreated?: string;
  latestReady?: string;
  trafficStatuses: Json[];
  uri?: string;
  /** Service.urls: deterministic first, then the hash form (FACTS.md "service URLs"). */
  urls?: string[];
  /** The failed revision the template still names and its LRO error (FACTS.md "after a failed revision"). */
  stickyFailure?: { revision: string; message: string };
  revisions: Map<string, RevisionRecord>;
  revisionCount: number;
  policy: { version: number; bindings: Json[]; etag: string };
  /** Every policy the service had and when it was set, oldest first (for IAM propagation). */
  policyHistory: Array<{ at: number; bindings: Json[] }>;
  /** Updates reconcile one at a time, in order. */
  queue: Promise<void>;
  creator: string;
  lastModifier: string;
}

/** What the emulator saw on the wire, for tests and the benchmarks (bench/release-bench.ts). */
export interface WireLog {
  /** API calls counted by method. */
  calls: Record<string, number>;
  /** Request bodies the protos refused. */
  protoProblems: string[];
  /** Every API call in arrival order; `at` is epoch ms with sub-ms precision (see epochMs). */
  log: Array<{
    method: string;
    at: number;
    name: string;
    /** services.update: the `updateMask` paths as sent, or null when the request had none. */
    updateMask?: string[] | null;
    /** services.getIamPolicy: `options.requestedPolicyVersion` when the request gave one. */
    requestedPolicyVersion?: number;
  }>;
  /** Each revision start, from asking the data plane to its answer (ready or failed). */
  revisionStarts: Array<{ revision: string; startedAt: number; endedAt: number; ms: number; ready: boolean }>;
  /** Each long-running operation: when it was started and when it became done. */
  operations: Array<{ name: string; startedAt: number; doneAt?: number }>;
  /** Every request the API refused, in arrival order (so a suite can prove, say, that no update ever met a 409). */
  refusals: Array<{ at: number; request: string; status: string; message: string }>;
}

/** Epoch milliseconds with sub-millisecond precision, comparable across the processes of one machine. */
export function epochMs(): number {
  return performance.timeOrigin + performance.now();
}

/** Operations that also note, in the wire log, when each one started and became done. */
class TimedOperations extends Operations {
  private readonly byOperation = new Map<string, WireLog['operations'][number]>();

  constructor(private readonly timeline: WireLog['operations']) {
    super();
  }

  override start(
    project: string,
    location: string,
    typeName: string,
    metadata: Record<string, unknown>,
  ): OperationRecord {
    const op = super.start(project, location, typeName, metadata);
    const entry = { name: op.name, startedAt: epochMs() };
    this.timeline.push(entry);
    this.byOperation.set(op.name, entry);
    return op;
  }

  override succeed(op: OperationRecord, response: Record<string, unknown>): void {
    super.succeed(op, response);
    this.markDone(op);
  }

  override fail(op: OperationRecord, status: Parameters<Operations['fail']>[1], message: string): void {
    super.fail(op, status, message);
    this.markDone(op);
  }

  private markDone(op: OperationRecord): void {
    const entry = this.byOperation.get(op.name);
    if (entry && entry.doneAt === undefined) entry.doneAt = epochMs();
  }
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
  private readonly services = new Map<string, ServiceRecord>();
  private readonly operations = new TimedOperations(this.wire.operations);
  private readonly now: () => Date;

  constructor(private readonly opts: RunApiOptions) {
    this.now = opts.now ?? (() => new Date());
  }

  /** The service record for the invoker check: IAM bindings, invokerIamDisabled, URLs, custom audiences. */
  invokerView(serviceName: string):
    | {
        bindings: Json[];
        invokerIamDisabled: boolean;
        uri?: string;
        urls: string[];
        customAudiences: string[];
      }
    | undefined {
    const s = this.services.get(serviceName);
    if (!s) return undefined;
    return {
      bindings: this.propagatedBindings(s),
      invokerIamDisabled: Boolean(s.spec.invokerIamDisabled),
      uri: s.uri,
      urls: s.urls ?? (s.uri ? [s.uri] : []),
      customAudiences: (s.spec.customAudiences as string[] | undefined) ?? [],
    };
  }

  /**
   * The bindings the invoker check sees: the policy as it was `iamPropagationMs` ago (docs/platform.md
   * "Public access and IAM"), the oldest known before that.
   */
  private propagatedBindings(s: ServiceRecord): Json[] {
    const lag = this.opts.faults.settings.iamPropagationMs;
    if (lag <= 0 || s.policyHistory.length === 0) return s.policy.bindings;
    const cutoff = Date.now() - lag;
    let seen = s.policyHistory[0].bindings;
    for (const entry of s.policyHistory) if (entry.at <= cutoff) seen = entry.bindings;
    return seen;
  }

  /** Waits until every service has finished reconciling (for clean shutdown in tests). */
  async settle(): Promise<void> {
    await Promise.all([...this.services.values()].map((s) => s.queue));
  }

  /** Handles /v2/… requests; resolves false for other paths. */
  async handle(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (!url.pathname.startsWith('/v2/')) return false;
    const numericEnums = (url.searchParams.get('$alt') ?? '').includes('enum-encoding=int');
    try {
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
    let m: RegExpExecArray | null;
    const base = '^/v2/projects/([^/]+)/locations/([^/]+)';
    if ((m = new RegExp(`${base}/operations/([^/:]+)$`).exec(path)) && method === 'GET') {
      const name = `projects/${m[1]}/locations/${m[2]}/operations/${m[3]}`;
      this.gate(req, 'operations.get', 'run.operations.get', name, m[1], m[2]);
      return { type: 'google.longrunning.Operation', body: this.renderOperation(name) };
    }
    if ((m = new RegExp(`${base}/services$`).exec(path))) {
      const parent = `projects/${m[1]}/locations/${m[2]}`;
      if (method === 'GET') {
        this.gate(req, 'services.list', 'run.services.list', parent, m[1], m[2]);
        return { type: 'google.cloud.run.v2.ListServicesResponse', body: this.listServices(m[1], m[2], q) };
      }
      if (method === 'POST') {
        const principal = this.gate(req, 'services.create', 'run.services.create', parent, m[1], m[2]);
        const body = this.checked(SERVICE_TYPE, await readJson(req), 'service');
        const op = await this.createService(
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
        return { type: 'google.iam.v1.Policy', body: this.getPolicy(name) };
      }
      this.gate(req, 'services.setIamPolicy', 'run.services.setIamPolicy', name, m[1], m[2]);
      const body = (await readJson(req)) as Json;
      const { resource: _r, ...rest } = body;
      this.checked('google.iam.v1.SetIamPolicyRequest', rest, '');
      return { type: 'google.iam.v1.Policy', body: this.setPolicy(name, (body.policy ?? {}) as Json) };
    }
    if ((m = new RegExp(`${base}/services/([^/:]+)$`).exec(path))) {
      const name = `projects/${m[1]}/locations/${m[2]}/services/${m[3]}`;
      if (method === 'GET') {
        this.gate(req, 'services.get', 'run.services.get', name, m[1], m[2]);
        return { type: SERVICE_TYPE, body: this.renderService(this.mustGet(name)) };
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
        const op = await this.updateService(
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
          body: await this.deleteService(name, q.get('etag') ?? undefined, q.get('validateOnly') === 'true'),
        };
      }
    }
    if ((m = new RegExp(`${base}/services/([^/:]+)/revisions$`).exec(path)) && method === 'GET') {
      const service = `projects/${m[1]}/locations/${m[2]}/services/${m[3]}`;
      this.gate(req, 'revisions.list', 'run.revisions.list', service, m[1], m[2]);
      return { type: 'google.cloud.run.v2.ListRevisionsResponse', body: this.listRevisions(service, q) };
    }
    if ((m = new RegExp(`${base}/services/([^/:]+)/revisions/([^/:]+)$`).exec(path))) {
      const service = `projects/${m[1]}/locations/${m[2]}/services/${m[3]}`;
      const name = `${service}/revisions/${m[4]}`;
      if (method === 'GET') {
        this.gate(req, 'revisions.get', 'run.revisions.get', name, m[1], m[2]);
        return {
          type: REVISION_TYPE,
          body: this.renderRevision(this.mustGet(service), this.mustGetRevision(service, m[4])),
        };
      }
      if (method === 'DELETE') {
        this.gate(req, 'revisions.delete', 'run.revisions.delete', name, m[1], m[2]);
        return {
          type: 'google.longrunning.Operation',
          body: await this.deleteRevision(service, m[4], q.get('validateOnly') === 'true'),
        };
      }
    }
    throw new ApiError(
      'NOT_FOUND',
      `The requested URL ${path} was not found on this server (method ${method}).`,
    );
  }

  /** Counts the call, applies injected faults, authenticates and authorizes (FACTS.md: the client always sends a bearer). */
  // docs/platform.md "Public access and IAM": turning the invoker IAM check off or on needs
  // run.services.setIamPolicy besides create/update (cloud.google.com/run/docs/authenticating/public,
  // "Required roles"), which roles/run.developer lacks.
  private requireInvokerControl(principal: string, name: string): void {
    if (this.opts.permits && !this.opts.permits(principal, 'run.services.setIamPolicy', name))
      throw new ApiError(
        'PERMISSION_DENIED',
        `Permission 'run.services.setIamPolicy' denied on resource '${name}' (or resource may not exist).`,
      );
  }

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
    const injected = this.opts.faults.take(method);
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
    // FACTS.md "disabled APIs": an API not enabled in the project answers 403 SERVICE_DISABLED.
    if (this.opts.faults.settings.disabledApis.includes(RUN_API)) {
      const e = serviceDisabledError(RUN_API, this.opts.projectNumber ?? '123456789012');
      throw new ApiError('PERMISSION_DENIED', e.message, e.details);
    }
    // Google answers a project that does not exist like one the caller may not see: 403, "or resource may
    // not exist" (so project ids cannot be probed); only a wrong location is a 404.
    const unknownProject = this.opts.projects && !this.opts.projects.includes(project);
    if (unknownProject || (this.opts.permits && !this.opts.permits(info.principal, permission, resource))) {
      throw new ApiError(
        'PERMISSION_DENIED',
        `Permission '${permission}' denied on resource '${resource}' (or resource may not exist).`,
      );
    }
    if (!REGIONS.includes(location)) {
      throw new ApiError(
        'NOT_FOUND',
        `Location '${location}' is not available for project '${project}'. Cloud Run regions include ${REGIONS.slice(0, 4).join(', ')}, ….`,
      );
    }
    return info.principal;
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

  private mustGet(name: string): ServiceRecord {
    const s = this.services.get(name);
    if (!s) {
      const [, project, , location, , id] = name.split('/');
      throw new ApiError(
        'NOT_FOUND',
        `Resource '${id}' of kind 'SERVICE' in region '${location}' in project '${project}' does not exist.`,
      );
    }
    return s;
  }

  private mustGetRevision(service: string, revision: string): RevisionRecord {
    const r = this.services.get(service)?.revisions.get(revision);
    if (!r) {
      const [, project, , location] = service.split('/');
      throw new ApiError(
        'NOT_FOUND',
        `Resource '${revision}' of kind 'REVISION' in region '${location}' in project '${project}' does not exist.`,
      );
    }
    return r;
  }

  private newEtag(): string {
    return `"${randomBytes(12).toString('base64url')}"`;
  }

  private stamp(): string {
    return this.now().toISOString();
  }

  /**
   * The template of a new revision as Cloud Run stores and reports it: the server's defaults filled in
   * (timeout, concurrency, max instances, CPU / memory, port, runtime service account) and, on the ingress
   * container, the default TCP startup probe on its port when it has none (FACTS.md "default startup
   * probe"). Only for new revisions: an update is compared with a stored template as sent.
   */
  private normalizeTemplate(template: Json): Json {
    const t: Json = structuredClone(template);
    t.timeout ??= '300s';
    if (!t.maxInstanceRequestConcurrency) t.maxInstanceRequestConcurrency = 80;
    const scaling = (t.scaling ?? {}) as Json;
    if (!scaling.maxInstanceCount) scaling.maxInstanceCount = 100;
    t.scaling = scaling;
    t.serviceAccount ||= `${this.opts.projectNumber ?? '123456789012'}-compute@developer.gserviceaccount.com`;
    t.containers = ((t.containers ?? []) as Json[]).map((c, i) => {
      const container: Json = { ...c };
      const resources = (container.resources ?? {}) as Json;
      resources.limits = { cpu: '1000m', memory: '512Mi', ...((resources.limits ?? {}) as Json) };
      container.resources = resources;
      const ports = (container.ports ?? []) as Json[];
      container.ports =
        ports.length > 0
          ? ports.map((p) => ({ name: p.name || 'http1', containerPort: Number(p.containerPort) || 8080 }))
          : [{ name: 'http1', containerPort: 8080 }];
      if (i === 0 && !container.startupProbe) {
        container.startupProbe = defaultStartupProbe(Number((container.ports as Json[])[0].containerPort));
      }
      return container;
    });
    return t;
  }

  private listServices(project: string, location: string, q: URLSearchParams): Json {
    const all = [...this.services.values()]
      .filter((s) => s.project === project && s.location === location)
      .sort((a, b) => a.id.localeCompare(b.id));
    return this.page(
      all.map((s) => this.renderService(s)),
      q,
      'services',
    );
  }

  private listRevisions(service: string, q: URLSearchParams): Json {
    const s = this.mustGet(service);
    const all = [...s.revisions.values()].reverse().map((r) => this.renderRevision(s, r));
    return this.page(all, q, 'revisions');
  }

  private page(items: Json[], q: URLSearchParams, key: string): Json {
    const size = Number(q.get('pageSize') ?? 0) || 100;
    const start = Number(q.get('pageToken') ?? 0) || 0;
    const body: Json = { [key]: items.slice(start, start + size) };
    if (start + size < items.length) body.nextPageToken = String(start + size);
    return body;
  }

  private async createService(
    project: string,
    location: string,
    serviceId: string,
    body: Json,
    validateOnly: boolean,
    principal: string,
  ): Promise<Json> {
    const idProblem = serviceIdProblem(serviceId);
    if (idProblem) throw new ApiError('INVALID_ARGUMENT', idProblem);
    const name = `projects/${project}/locations/${location}/services/${serviceId}`;
    if (this.services.has(name))
      throw new ApiError('ALREADY_EXISTS', `Resource '${serviceId}' already exists.`);
    const spec = this.pickMutable(body);
    if (spec.invokerIamDisabled === true) this.requireInvokerControl(principal, name);
    if (!spec.template) throw new ApiError('INVALID_ARGUMENT', 'service.template: is required.');
    spec.template = this.normalizeTemplate(spec.template as Json);
    const revision = (spec.template as Json).revision
      ? String((spec.template as Json).revision)
      : `${serviceId}-00001-${this.suffix()}`;
    const traffic =
      ((spec.traffic as TrafficEntry[] | undefined) ?? []).length > 0
        ? (spec.traffic as TrafficEntry[])
        : [{ type: 'TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST', percent: 100 }];
    spec.traffic = traffic;
    const problems = [
      ...serviceBodyProblems(serviceId, spec),
      ...trafficProblems(serviceId, traffic, new Set([revision])),
    ];
    if (problems.length > 0) throw new ApiError('INVALID_ARGUMENT', problems.join('\n'));
    const now = this.stamp();
    const record: ServiceRecord = {
      project,
      location,
      id: serviceId,
      name,
      uid: randomUUID(),
      spec,
      generation: 1,
      observedGeneration: 0,
      createTime: now,
      updateTime: now,
      etag: this.newEtag(),
      reconciling: true,
      terminalCondition: { type: 'Ready', state: 'CONDITION_RECONCILING', lastTransitionTime: now },
      conditions: [],
      trafficStatuses: [],
      revisions: new Map(),
      revisionCount: 0,
      policy: { version: 1, bindings: [], etag: this.policyEtag([]) },
      policyHistory: [{ at: Date.now(), bindings: [] }],
      queue: Promise.resolve(),
      creator: principal,
      lastModifier: principal,
    };
    if (validateOnly) {
      const op = this.operations.start(
        project,
        location,
        SERVICE_TYPE,
        this.anyOf(SERVICE_TYPE, this.renderService(record)),
      );
      this.operations.succeed(op, this.anyOf(SERVICE_TYPE, this.renderService(record)));
      return this.renderOperation(op.name);
    }
    this.services.set(name, record);
    this.addRevision(record, revision);
    const op = this.operations.start(
      project,
      location,
      SERVICE_TYPE,
      this.anyOf(SERVICE_TYPE, this.renderService(record)),
    );
    this.enqueue(record, op, revision);
    return this.renderOperation(op.name);
  }

  private async updateService(
    name: string,
    body: Json,
    mask: string[],
    allowMissing: boolean,
    validateOnly: boolean,
    principal: string,
  ): Promise<Json> {
    const existing = this.services.get(name);
    if (!existing) {
      if (!allowMissing) this.mustGet(name);
      const [, project, , location, , id] = name.split('/');
      return this.createService(project, location, id, body, validateOnly, principal);
    }
    const s = existing;
    // AIP-154: a stale etag is ABORTED (409), the read-modify-write must be retried.
    if (body.etag && body.etag !== s.etag) {
      throw new ApiError(
        'ABORTED',
        `The etag provided (${String(body.etag)}) does not match the current etag of service '${s.id}' (${s.etag}): the service was changed since it was read. Read it again and retry.`,
      );
    }
    const incoming = this.pickMutable(body);
    const spec: Json = structuredClone(s.spec);
    // FACTS.md "update without updateMask": no mask means the body is the whole desired state, so every
    // mutable field it leaves out is reset; with a mask only the listed paths change.
    const whole = mask.length === 0 || mask.includes('*');
    if (whole) {
      for (const f of MUTABLE_SERVICE_FIELDS) {
        if (incoming[f] === undefined) delete spec[f];
        else spec[f] = incoming[f];
      }
    } else {
      for (const path of mask) applyMaskPath(spec, incoming, path);
    }
    if (Boolean(spec.invokerIamDisabled) !== Boolean(s.spec.invokerIamDisabled))
      this.requireInvokerControl(principal, name);
    if (!spec.template) throw new ApiError('INVALID_ARGUMENT', 'service.template: is required.');
    const templateSent = whole || mask.some((p) => p === 'template' || p.startsWith('template.'));
    let newRevision: string | undefined;
    if (templateSent) {
      // FACTS.md "revision names", "traffic-only update": the template as sent is compared with the stored
      // one of the revision it names (or, unnamed, of the latest), as the API reports it, defaults filled:
      // nothing sent is defaulted first, and REST-only fields count. The same name with any difference is
      // 409; an unnamed difference is a new revision.
      const sent = spec.template as Json;
      const key = templateKey(sent);
      const name = sent.revision ? String(sent.revision) : undefined;
      const same = name
        ? s.revisions.get(name)
        : s.latestCreated
          ? s.revisions.get(s.latestCreated)
          : undefined;
      if (same && templateKey(same.body.__template as Json) === key) {
        spec.template = { ...structuredClone(same.body.__template as Json), revision: name };
        if (!name) delete (spec.template as Json).revision;
      } else if (name && same) {
        throw new ApiError(
          'ALREADY_EXISTS',
          `Revision named '${name}' with different configuration already exists.`,
        );
      } else {
        newRevision = name ?? `${s.id}-${String(s.revisionCount + 1).padStart(5, '0')}-${this.suffix()}`;
        spec.template = this.normalizeTemplate(sent);
      }
    }
    const traffic =
      ((spec.traffic as TrafficEntry[] | undefined) ?? []).length > 0
        ? (spec.traffic as TrafficEntry[])
        : [{ type: 'TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST', percent: 100 }];
    spec.traffic = traffic;
    const known = new Set([...s.revisions.keys(), ...(newRevision ? [newRevision] : [])]);
    const problems = [
      ...serviceBodyProblems(s.id, spec),
      // Unknown revisions fail the operation (code 13), as on Cloud Run; the rest is refused at once.
      ...trafficProblems(s.id, traffic, known).filter((p) => !p.includes('does not exist')),
    ];
    if (problems.length > 0) throw new ApiError('INVALID_ARGUMENT', problems.join('\n'));
    if (validateOnly) {
      const op = this.operations.start(
        s.project,
        s.location,
        SERVICE_TYPE,
        this.anyOf(SERVICE_TYPE, this.renderService(s)),
      );
      this.operations.succeed(op, this.anyOf(SERVICE_TYPE, { ...this.renderService(s), ...spec }));
      return this.renderOperation(op.name);
    }
    s.spec = spec;
    s.generation += 1;
    s.etag = this.newEtag();
    s.updateTime = this.stamp();
    s.lastModifier = principal;
    s.reconciling = true;
    s.terminalCondition = { type: 'Ready', state: 'CONDITION_RECONCILING', lastTransitionTime: s.updateTime };
    if (newRevision) this.addRevision(s, newRevision);
    const op = this.operations.start(
      s.project,
      s.location,
      SERVICE_TYPE,
      this.anyOf(SERVICE_TYPE, this.renderService(s)),
    );
    this.enqueue(s, op, newRevision);
    return this.renderOperation(op.name);
  }

  private pickMutable(body: Json): Json {
    const out: Json = {};
    for (const f of MUTABLE_SERVICE_FIELDS)
      if (body[f] !== undefined && body[f] !== null) out[f] = structuredClone(body[f]);
    return out;
  }

  private suffix(): string {
    const letters = 'abcdefghijklmnopqrstuvwxyz';
    return Array.from(randomBytes(3), (b) => letters[b % 26]).join('');
  }

  private addRevision(s: ServiceRecord, revision: string): void {
    s.revisionCount += 1;
    const template = structuredClone(s.spec.template as Json);
    const now = this.stamp();
    s.revisions.set(revision, {
      name: revision,
      ready: undefined,
      body: {
        __template: template,
        createTime: now,
        updateTime: now,
        generation: String(s.revisionCount),
        uid: randomUUID(),
      },
    });
    s.latestCreated = revision;
  }

  private enqueue(s: ServiceRecord, op: OperationRecord, newRevision: string | undefined): void {
    s.queue = s.queue
      .then(() => this.reconcile(s, op, newRevision))
      .catch((err: Error) => {
        this.operations.fail(op, 'INTERNAL', `Internal error while reconciling: ${err.message}`);
      });
  }

  /** Brings the running world in line with the spec, then finishes the operation (FACTS.md "readiness contract"). */
  private async reconcile(
    s: ServiceRecord,
    op: OperationRecord,
    newRevision: string | undefined,
  ): Promise<void> {
    const { operationDelayMs, operationsNeverFinish } = this.opts.faults.settings;
    if (operationDelayMs > 0) await new Promise((r) => setTimeout(r, operationDelayMs));
    if (operationsNeverFinish) return;
    if (!this.services.has(s.name)) return;
    const generation = s.generation;
    if (newRevision) {
      const startedAt = epochMs();
      const result = await this.startRevision(s, newRevision);
      const endedAt = epochMs();
      this.wire.revisionStarts.push({
        revision: `${s.name}/revisions/${newRevision}`,
        startedAt,
        endedAt,
        ms: endedAt - startedAt,
        ready: result.ready,
      });
      const rev = s.revisions.get(newRevision);
      const now = this.stamp();
      if (rev) {
        rev.ready = result.ready;
        rev.body.conditions = revisionConditions(result, now);
        rev.body.updateTime = now;
      }
      if (!result.ready) {
        // FACTS.md "failed revision": LRO error code 9, the service keeps serving the last ready revision.
        const message = `Revision '${newRevision}' is not ready and cannot serve traffic. ${result.message}`;
        s.stickyFailure = { revision: newRevision, message };
        this.finishFailed(s, generation, message);
        this.operations.fail(op, 'FAILED_PRECONDITION', message);
        return;
      }
      s.latestReady = newRevision;
      s.stickyFailure = undefined;
    }
    const traffic = s.spec.traffic as TrafficEntry[];
    const missing = traffic.filter((t) => t.revision && !s.revisions.has(t.revision));
    if (missing.length > 0) {
      const message = `Revision '${missing[0].revision}' does not exist or is deleted. Update all traffic to route to currently available revisions.`;
      this.finishFailed(s, generation, message);
      this.operations.fail(op, 'INTERNAL', message);
      return;
    }
    const tags = traffic
      .filter((t) => t.tag)
      .map((t) => ({
        tag: t.tag as string,
        revision: (t.type === 'TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST' ? s.latestReady : t.revision) as string,
      }))
      .filter((t) => t.revision);
    const split = resolveSplit(traffic, s.latestReady);
    const urls = await this.opts.dataPlane.route({
      service: s.name,
      serviceId: s.id,
      ingress: (s.spec.ingress as 'INGRESS_TRAFFIC_ALL' | undefined) ?? 'INGRESS_TRAFFIC_ALL',
      split,
      tags,
      warm: this.warmFloors(s, traffic, split, tags),
    });
    s.uri = urls.uri;
    s.urls = urls.urls;
    s.trafficStatuses = traffic.map((t) => {
      const status: Json = {
        type:
          t.type === 'TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST'
            ? 'TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST'
            : 'TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION',
        revision: t.type === 'TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST' ? (s.latestReady ?? '') : t.revision,
        percent: t.percent ?? 0,
      };
      if (t.tag) {
        status.tag = t.tag;
        status.uri = urls.tagUris[t.tag];
      }
      return status;
    });
    // FACTS.md "after a failed revision": the template still names the failed revision, so an operation
    // that kept it (a traffic-only update) applied its traffic above but ends with the same error.
    const sticky = s.stickyFailure;
    if (
      !newRevision &&
      sticky &&
      s.latestCreated === sticky.revision &&
      this.opts.faults.settings.stickyRevisionFailure
    ) {
      this.finishFailed(s, generation, sticky.message);
      this.operations.fail(op, 'FAILED_PRECONDITION', sticky.message);
      return;
    }
    const now = this.stamp();
    s.observedGeneration = generation;
    s.reconciling = false;
    s.terminalCondition = { type: 'Ready', state: 'CONDITION_SUCCEEDED', lastTransitionTime: now };
    s.conditions = [
      { type: 'RoutesReady', state: 'CONDITION_SUCCEEDED', lastTransitionTime: now },
      { type: 'ConfigurationsReady', state: 'CONDITION_SUCCEEDED', lastTransitionTime: now },
    ];
    this.operations.succeed(op, this.anyOf(SERVICE_TYPE, this.renderService(s)));
  }

  /**
   * Warm floors per ready revision (FACTS.md "min instances and tags"; cloud.google.com/run/docs/configuring/
   * min-instances): a revision's own `scaling.minInstanceCount` holds while traffic names it (any percent,
   * 0 included) or a tag points at it; the service's `scaling.minInstanceCount` is shared, rounded up, among
   * the revisions that take a percent of the traffic. The larger of the two applies.
   */
  private warmFloors(
    s: ServiceRecord,
    traffic: TrafficEntry[],
    split: Array<{ revision: string; percent: number }>,
    tags: Array<{ tag: string; revision: string }>,
  ): WarmFloor[] {
    const resolve = (t: TrafficEntry): string | undefined =>
      t.type === 'TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST' ? s.latestReady : t.revision;
    const serviceMin = Number(((s.spec.scaling ?? {}) as Json).minInstanceCount ?? 0);
    const floors: WarmFloor[] = [];
    for (const rev of s.revisions.values()) {
      if (rev.ready !== true) continue;
      const revisionMin = Number(
        (((rev.body.__template as Json).scaling ?? {}) as Json).minInstanceCount ?? 0,
      );
      const inSplit = traffic.some((t) => resolve(t) === rev.name && (!t.tag || (t.percent ?? 0) > 0));
      const tagged = tags.some((t) => t.revision === rev.name);
      const percent = split.find((x) => x.revision === rev.name)?.percent ?? 0;
      const share = percent > 0 ? Math.ceil((serviceMin * percent) / 100) : 0;
      const own = revisionMin > 0 && (inSplit || tagged) ? revisionMin : 0;
      if (own === 0 && share === 0) continue;
      const reason: WarmReason =
        own >= share ? (inSplit ? 'revision-min+split' : 'revision-min+tag') : 'service-min';
      floors.push({ revision: rev.name, instances: Math.max(own, share), reason });
    }
    return floors;
  }

  private finishFailed(s: ServiceRecord, generation: number, message: string): void {
    const now = this.stamp();
    s.observedGeneration = generation;
    s.reconciling = false;
    s.terminalCondition = {
      type: 'Ready',
      state: 'CONDITION_FAILED',
      message,
      lastTransitionTime: now,
      severity: 'ERROR',
    };
    s.conditions = [
      { type: 'RoutesReady', state: 'CONDITION_FAILED', message, lastTransitionTime: now },
      { type: 'ConfigurationsReady', state: 'CONDITION_FAILED', message, lastTransitionTime: now },
    ];
  }

  private async startRevision(s: ServiceRecord, revision: string): Promise<RevisionStartResult> {
    const template = s.revisions.get(revision)?.body.__template as Json;
    const container = ((template.containers ?? []) as Json[])[0] ?? {};
    const env: Record<string, string> = {};
    for (const e of (container.env ?? []) as Json[]) {
      const ref = ((e.valueSource ?? {}) as Json).secretKeyRef as Json | undefined;
      if (ref) {
        const value = this.opts.secrets.resolve(
          s.project,
          String(ref.secret),
          String(ref.version ?? 'latest'),
        );
        if (value === undefined) {
          return {
            ready: false,
            reason: 'CONTAINER_PERMISSION_DENIED',
            message: `Secret projects/${s.project}/secrets/${String(ref.secret)}/versions/${String(ref.version ?? 'latest')} was not found or the runtime service account cannot access it.`,
          };
        }
        env[String(e.name)] = value;
      } else {
        env[String(e.name)] = String(e.value ?? '');
      }
    }
    const port = ((container.ports ?? []) as Json[])[0] ?? {};
    const containerPort = Number(port.containerPort ?? 8080);
    const scaling = (template.scaling ?? {}) as Json;
    const probe = (container.startupProbe ?? undefined) as Json | undefined;
    // FACTS.md "default startup probe": readiness is checked on the probe's port; the app listens on the
    // container port ($PORT), so a probe left on another port never succeeds.
    const action = (probe?.tcpSocket ?? probe?.httpGet) as Json | undefined;
    const probePort = action ? Number(action.port) || containerPort : containerPort;
    if (probe && probePort !== containerPort) {
      const kind = isDefaultProbe(probe)
        ? 'Default STARTUP TCP probe'
        : probe.tcpSocket
          ? 'STARTUP TCP probe'
          : 'STARTUP HTTP probe';
      return {
        ready: false,
        reason: 'HEALTH_CHECK_CONTAINER_ERROR',
        message: probeFailureMessage(kind, String(container.name || `${s.id}-1`), probePort),
      };
    }
    // The default probe allows 240 s; the emulator's stand-in for it is opts.startupDeadlineMs.
    const startupDeadlineMs =
      probe && !isDefaultProbe(probe)
        ? (Number(probe.initialDelaySeconds ?? 0) +
            Number(probe.failureThreshold ?? 3) * Number(probe.periodSeconds ?? 10)) *
          1000
        : this.opts.startupDeadlineMs;
    const spec: RevisionRuntimeSpec = {
      service: s.name,
      serviceId: s.id,
      revision,
      image: String(container.image),
      command: (container.command as string[] | undefined)?.length
        ? (container.command as string[])
        : undefined,
      args: (container.args as string[] | undefined)?.length ? (container.args as string[]) : undefined,
      env,
      containerPort,
      portName: port.name === 'h2c' ? 'h2c' : 'http1',
      timeoutSeconds: durationSeconds(template.timeout ?? '300s'),
      concurrency: Number(template.maxInstanceRequestConcurrency) || 80,
      minInstances: Number(scaling.minInstanceCount ?? 0),
      maxInstances: Number(scaling.maxInstanceCount ?? 0) || 100,
      sessionAffinity: Boolean(template.sessionAffinity),
      startupDeadlineMs,
    };
    return this.opts.dataPlane.startRevision(spec);
  }

  private async deleteService(name: string, etag: string | undefined, validateOnly: boolean): Promise<Json> {
    const s = this.mustGet(name);
    if (etag && etag !== s.etag)
      throw new ApiError(
        'ABORTED',
        `The etag provided (${etag}) does not match the current etag of service '${s.id}'.`,
      );
    const op = this.operations.start(
      s.project,
      s.location,
      SERVICE_TYPE,
      this.anyOf(SERVICE_TYPE, this.renderService(s)),
    );
    if (validateOnly) {
      this.operations.succeed(op, this.anyOf(SERVICE_TYPE, this.renderService(s)));
      return this.renderOperation(op.name);
    }
    this.services.delete(name);
    await s.queue;
    await this.opts.dataPlane.removeService(name);
    this.operations.succeed(
      op,
      this.anyOf(SERVICE_TYPE, { ...this.renderService(s), deleteTime: this.stamp() }),
    );
    return this.renderOperation(op.name);
  }

  private async deleteRevision(service: string, revision: string, validateOnly: boolean): Promise<Json> {
    const s = this.mustGet(service);
    const rev = this.mustGetRevision(service, revision);
    const traffic = s.spec.traffic as TrafficEntry[];
    const serving =
      traffic.some((t) => t.revision === revision) ||
      (s.latestReady === revision && traffic.some((t) => t.type === 'TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST'));
    if (serving || s.latestCreated === revision || s.revisions.size === 1) {
      throw new ApiError(
        'FAILED_PRECONDITION',
        `Revision '${revision}' cannot be deleted: it is the latest revision, the only revision, or it is named in the service's traffic. Move its traffic and tags first.`,
      );
    }
    const op = this.operations.start(
      s.project,
      s.location,
      REVISION_TYPE,
      this.anyOf(REVISION_TYPE, this.renderRevision(s, rev)),
    );
    if (!validateOnly) {
      s.revisions.delete(revision);
      await this.opts.dataPlane.stopRevision(service, revision);
    }
    this.operations.succeed(op, this.anyOf(REVISION_TYPE, this.renderRevision(s, rev)));
    return this.renderOperation(op.name);
  }

  private policyEtag(bindings: Json[]): string {
    return createHash('sha256')
      .update(JSON.stringify(bindings))
      .update(randomBytes(4))
      .digest('base64')
      .slice(0, 12);
  }

  private getPolicy(name: string): Json {
    const p = this.mustGet(name).policy;
    return { version: p.version, bindings: p.bindings, etag: p.etag };
  }

  private setPolicy(name: string, policy: Json): Json {
    const s = this.mustGet(name);
    if (policy.etag && policy.etag !== s.policy.etag) {
      throw new ApiError(
        'ABORTED',
        'There were concurrent policy changes. Please retry the whole read-modify-write with exponential backoff.',
      );
    }
    const bindings = ((policy.bindings ?? []) as Json[]).map((b) => ({
      role: String(b.role),
      members: [...((b.members ?? []) as string[])],
    }));
    // FACTS.md "public access": under the Domain Restricted Sharing org policy, public members are refused.
    if (
      this.opts.faults.settings.domainRestrictedSharing &&
      bindings.some((b) => b.members.some((m) => m === 'allUsers' || m === 'allAuthenticatedUsers'))
    ) {
      throw new ApiError(
        'FAILED_PRECONDITION',
        'One or more users named in the policy do not belong to a permitted customer, perhaps due to an organization policy.',
      );
    }
    for (const b of bindings) {
      for (const member of b.members) {
        if (
          !/^(allUsers|allAuthenticatedUsers|(user|serviceAccount|group|domain|principal|principalSet):.+)$/.test(
            member,
          )
        ) {
          throw new ApiError(
            'INVALID_ARGUMENT',
            `Invalid member '${member}' in binding for role '${b.role}'.`,
          );
        }
      }
    }
    s.policy = { version: Number(policy.version ?? 1) || 1, bindings, etag: this.policyEtag(bindings) };
    s.policyHistory.push({ at: Date.now(), bindings });
    return this.getPolicy(name);
  }

  private anyOf(typeName: string, body: Json): Json {
    return { '@type': `type.googleapis.com/${typeName}`, ...body };
  }

  private renderOperation(name: string): Json {
    const op = this.operations.get(name);
    if (!op) throw new ApiError('NOT_FOUND', `Operation '${name}' not found.`);
    const out: Json = { name: op.name, metadata: op.metadata, done: op.done };
    if (op.response) out.response = op.response;
    if (op.error) out.error = { code: op.error.code, message: op.error.message, details: [] };
    return out;
  }

  private renderService(s: ServiceRecord): Json {
    const spec = structuredClone(s.spec);
    const out: Json = {
      name: s.name,
      uid: s.uid,
      generation: String(s.generation),
      labels: spec.labels ?? {},
      annotations: spec.annotations ?? {},
      createTime: s.createTime,
      updateTime: s.updateTime,
      creator: s.creator,
      lastModifier: s.lastModifier,
      ingress: spec.ingress ?? 'INGRESS_TRAFFIC_ALL',
      launchStage: spec.launchStage ?? 'GA',
      template: spec.template,
      traffic: spec.traffic,
      observedGeneration: String(s.observedGeneration),
      terminalCondition: s.terminalCondition,
      conditions: s.conditions,
      trafficStatuses: s.trafficStatuses,
      reconciling: s.reconciling,
      etag: s.etag,
    };
    for (const f of [
      'description',
      'client',
      'clientVersion',
      'binaryAuthorization',
      'scaling',
      'invokerIamDisabled',
      'defaultUriDisabled',
      'iapEnabled',
      'multiRegionSettings',
      'customAudiences',
      'buildConfig',
    ]) {
      if (spec[f] !== undefined) out[f] = spec[f];
    }
    if (s.latestCreated) out.latestCreatedRevision = `${s.name}/revisions/${s.latestCreated}`;
    if (s.latestReady) out.latestReadyRevision = `${s.name}/revisions/${s.latestReady}`;
    if (s.uri) {
      out.uri = s.uri;
      out.urls = s.urls ?? [s.uri];
    }
    return out;
  }

  private renderRevision(s: ServiceRecord, r: RevisionRecord): Json {
    const t = r.body.__template as Json;
    const out: Json = {
      name: `${s.name}/revisions/${r.name}`,
      uid: r.body.uid,
      generation: r.body.generation,
      labels: t.labels ?? {},
      annotations: t.annotations ?? {},
      createTime: r.body.createTime,
      updateTime: r.body.updateTime,
      launchStage: 'GA',
      service: s.name,
      scaling: t.scaling,
      maxInstanceRequestConcurrency: t.maxInstanceRequestConcurrency,
      timeout: t.timeout,
      serviceAccount: t.serviceAccount,
      containers: t.containers,
      executionEnvironment: t.executionEnvironment,
      sessionAffinity: Boolean(t.sessionAffinity),
      reconciling: r.ready === undefined,
      conditions: r.body.conditions ?? [{ type: 'Ready', state: 'CONDITION_RECONCILING' }],
      observedGeneration: r.ready === undefined ? '0' : r.body.generation,
      logUri: `http://127.0.0.1/emulator/logs/${encodeURIComponent(s.name)}/${r.name}`,
      etag: `"${String(r.body.uid).slice(0, 8)}"`,
    };
    return out;
  }
}

function revisionConditions(result: RevisionStartResult, now: string): Json[] {
  if (result.ready) {
    return [
      { type: 'Ready', state: 'CONDITION_SUCCEEDED', lastTransitionTime: now },
      { type: 'ContainerHealthy', state: 'CONDITION_SUCCEEDED', lastTransitionTime: now },
      { type: 'ResourcesAvailable', state: 'CONDITION_SUCCEEDED', lastTransitionTime: now },
    ];
  }
  const reasonField =
    result.reason === 'HEALTH_CHECK_CONTAINER_ERROR' || result.reason === 'MIN_INSTANCES_NOT_PROVISIONED'
      ? 'revisionReason'
      : 'reason';
  return [
    {
      type: 'Ready',
      state: 'CONDITION_FAILED',
      message: result.message,
      lastTransitionTime: now,
      severity: 'ERROR',
      [reasonField]: result.reason,
    },
    {
      type: 'ContainerHealthy',
      state: 'CONDITION_FAILED',
      message: result.message,
      lastTransitionTime: now,
      [reasonField]: result.reason,
    },
  ];
}

/** Copies one updateMask path (`template`, `scaling.minInstanceCount`, …) from the request into the spec. */
function applyMaskPath(spec: Json, incoming: Json, path: string): void {
  const camel = path.split('.').map((p) => p.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase()));
  if (!MUTABLE_SERVICE_FIELDS.includes(camel[0])) {
    throw new ApiError(
      'INVALID_ARGUMENT',
      `updateMask path '${path}' does not name a field that can be updated.`,
    );
  }
  let from: unknown = incoming;
  let to: Json = spec;
  for (let i = 0; i < camel.length - 1; i++) {
    from = (from as Json | undefined)?.[camel[i]];
    to[camel[i]] = (to[camel[i]] ?? {}) as Json;
    to = to[camel[i]] as Json;
  }
  const last = camel[camel.length - 1];
  const value = (from as Json | undefined)?.[last];
  if (value === undefined) delete to[last];
  else to[last] = value;
}

/** Cloud Run's default startup probe, reported with an explicit port (FACTS.md "default startup probe"). */
function defaultStartupProbe(port: number): Json {
  return { timeoutSeconds: 240, periodSeconds: 240, failureThreshold: 1, tcpSocket: { port } };
}

function isDefaultProbe(probe: Json): boolean {
  return (
    probe.tcpSocket !== undefined &&
    !probe.httpGet &&
    !probe.grpc &&
    !Number(probe.initialDelaySeconds ?? 0) &&
    Number(probe.timeoutSeconds) === 240 &&
    Number(probe.periodSeconds) === 240 &&
    Number(probe.failureThreshold) === 1
  );
}

/** A template as the server compares it (presenceCanonical), without its revision name. */
function templateKey(template: Json): string {
  const { revision: _revision, ...rest } = template;
  return JSON.stringify(presenceCanonical(TEMPLATE_TYPE, rest));
}
