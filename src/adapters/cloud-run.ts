// Cloud Run behind a small task-shaped port, over @google-cloud/run's REST transport (FACTS.md, client
// library behaviour). Converts between the client's objects and the core's plain JSON, waits for
// operations with a total deadline, and turns API failures into StepErrors that say what to do.
// Deep imports: the package index also loads every other v2 client and the 1.2 MB static protos.js, which
// the REST transport never uses (its clients read protos.json); bundle size, bench/RESULTS.md.
import { ServicesClient } from '@google-cloud/run/build/src/v2/services_client';
import { RevisionsClient } from '@google-cloud/run/build/src/v2/revisions_client';
import type { AuthClient } from 'google-auth-library';
import { StepError, type StepErrorDetails } from '../errors';
import type { CloudRunService, TrafficTarget } from '../core/cloud-run-types';
import { API_RETRY, describeCode, isTransient, retryDelayMs, type RetryPolicy } from '../core/retry-policy';

/** The Cloud Run operations the orchestrator needs. */
export interface CloudRunPort {
  /** The live service, or undefined when it does not exist. */
  getService(name: string): Promise<CloudRunService | undefined>;
  /** Creates or updates the service and waits until the operation finishes (or its deadline passes). */
  applyService(service: CloudRunService, action: 'create' | 'update'): Promise<CloudRunService>;
  /**
   * Sets traffic only, keeping the template (FACTS.md "traffic-only update"), with the etag read just before
   * (FACTS.md "optimistic concurrency"). With `expectTraffic`, refuses to overwrite traffic someone else
   * changed (ConcurrentChange); `alsoExpect` lists other states this run may itself have left (an update
   * whose answer was lost). Traffic already equal to `traffic` is not written again. `annotations` are
   * merged into the service's.
   */
  setTraffic(
    name: string,
    traffic: TrafficTarget[],
    options?: {
      expectTraffic?: TrafficTarget[];
      alsoExpect?: TrafficTarget[][];
      annotations?: Record<string, string>;
    },
  ): Promise<CloudRunService>;
  /** The Ready condition of a revision, to explain why it failed. */
  revisionFailure(
    service: string,
    revision: string,
  ): Promise<{ reason?: string; message?: string } | undefined>;
  /** Adds (`true`) or removes (`false`) `allUsers` as invoker; says what changed. */
  setPublicAccess(name: string, allow: boolean): Promise<'added' | 'removed' | 'unchanged'>;
  close(): Promise<void>;
}

export interface CloudRunOptions {
  authClient: AuthClient;
  /** The emulator's endpoint; production when absent. */
  endpoint?: { apiEndpoint: string; port: number; protocol: 'http' | 'https' };
  /** Total deadline for one operation, in seconds (the default LRO polling has none: FACTS.md). */
  operationTimeoutSeconds: number;
  /** The project, for hints that name roles. */
  project: string;
  /** Retries of transient API errors (429, 500, 503, 504); API_RETRY by default. */
  retry?: RetryPolicy;
  /** Where retries are told (the step log). */
  log?: (line: string) => void;
  /** Injected for tests; real timers and Math.random by default. */
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  now?: () => number;
}

interface ApiError {
  code?: number;
  message?: string;
}

/** What the code needs of gax's Operation: one poll at a time, and the raw operation last read. */
interface PolledOperation {
  getOperation(): Promise<unknown[]>;
  latestResponse: { done?: boolean | null };
}

/** A Cloud Run operation failure with the revision's own reason when there is one. */
export class DeployFailure extends StepError {}

/** Cloud Run took the request but this run could not see the operation finish (polls failed, or the deadline passed). */
export class OperationUnsettled extends StepError {}

/** Someone else changed the service's traffic since this run set it: the run stops instead of overwriting. */
export class ConcurrentChange extends StepError {}

/** Traffic as a comparable key: order, LATEST vs names and empty tags do not matter. */
export function trafficKey(traffic: readonly TrafficTarget[]): string {
  return JSON.stringify(traffic.map((t) => [t.type, t.revision ?? '', t.percent, t.tag ?? '']).sort());
}

/** Builds the port over the real client library. */
export function createCloudRun(options: CloudRunOptions): CloudRunPort {
  const clientOptions = options.endpoint
    ? { ...options.endpoint, fallback: true as const, authClient: options.authClient }
    : { fallback: true as const, authClient: options.authClient };
  const services = new ServicesClient(clientOptions);
  // Built on first use: only a failed revision is read, and each client parses the Run protos anew
  // (about 50 ms of start-up, bench/RESULTS.md).
  let revisions: RevisionsClient | undefined;
  const revisionsClient = (): RevisionsClient => (revisions ??= new RevisionsClient(clientOptions));
  const policy = options.retry ?? API_RETRY;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const random = options.random ?? Math.random;
  const now = options.now ?? Date.now;
  // One retry policy, ours: gax's own (GetService retries UNAVAILABLE for 10 s, nothing else) is off, so
  // a call is never retried twice over. Operations are polled by awaitOperation, not by gax.
  const once = { retry: null };

  /** Calls the API, trying again after transient errors with backoff and jitter, then failing clearly. */
  const withRetry = async <T>(operation: string, target: string, call: () => Promise<T>): Promise<T> => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await call();
      } catch (err) {
        const code = (err as ApiError).code;
        const pause = isTransient(code) ? retryDelayMs(policy, attempt, random()) : undefined;
        if (pause === undefined) {
          if (isTransient(code)) throw new StepError(exhausted(operation, target, err, attempt));
          throw err;
        }
        options.log?.(
          `Cloud Run answered ${describeCode(code)} to ${operation} ${target}; trying again in ${(pause / 1000).toFixed(1)} s (try ${attempt + 1} of ${policy.attempts}).`,
        );
        await sleep(pause);
      }
    }
  };

  const fail = (operation: string, target: string, err: unknown): never => {
    // gax wraps an auth failure (already explained by the auth adapter) in a code-7 GoogleError.
    const cause = (err as { cause?: unknown }).cause;
    if (cause instanceof StepError) throw cause;
    throw new StepError({ operation, target, cause: err, hint: hintFor(err as ApiError, options.project) });
  };

  const getService = async (name: string): Promise<CloudRunService | undefined> => {
    try {
      const [svc] = await withRetry('read service', name, () => services.getService({ name }, once));
      return fromApi(svc as Record<string, unknown>);
    } catch (err) {
      // NOT_FOUND is a missing service, unless it is the location (a wrong `region`) that is missing.
      const e = err as ApiError;
      if (
        e.code === 5 &&
        !/location '[^']*' is not|location .*not (found|available|valid)/i.test(e.message ?? '')
      )
        return undefined;
      return fail('read service', name, err);
    }
  };

  /**
   * Starts an operation and polls it (FACTS.md: LRO polling) until it is done or `operationTimeoutSeconds`
   * has passed. A transient error while polling is retried like any call; only a done operation's own
   * error is a DeployFailure (the revision's fault), so a flaky poll never reads as a failed revision.
   */
  const awaitOperation = async (
    operation: string,
    target: string,
    start: () => Promise<unknown>,
  ): Promise<CloudRunService> => {
    let op: PolledOperation;
    try {
      [op] = (await withRetry(operation, target, start)) as [PolledOperation];
    } catch (err) {
      return fail(operation, target, err);
    }
    const deadline = now() + options.operationTimeoutSeconds * 1000;
    let delay = 100;
    let failedPolls = 0;
    for (;;) {
      try {
        const [result] = await op.getOperation();
        if (op.latestResponse.done) return fromApi(result as Record<string, unknown>);
        failedPolls = 0;
      } catch (err) {
        const e = err as ApiError;
        if (op.latestResponse.done) {
          throw new DeployFailure({ operation, target, cause: err, hint: hintFor(e, options.project) });
        }
        const pause = isTransient(e.code) ? retryDelayMs(policy, ++failedPolls, random()) : undefined;
        if (pause === undefined) {
          // Cloud Run took the request; this run can no longer see how it ends.
          const cause = (err as { cause?: unknown }).cause;
          if (cause instanceof StepError) throw cause;
          throw new OperationUnsettled(
            isTransient(e.code)
              ? exhausted(`poll the operation to ${operation}`, target, err, failedPolls)
              : {
                  operation: `poll the operation to ${operation}`,
                  target,
                  cause: err,
                  hint: hintFor(e, options.project),
                },
          );
        }
        options.log?.(
          `Cloud Run answered ${describeCode(e.code)} while polling the operation to ${operation} ${target}; polling again in ${(pause / 1000).toFixed(1)} s.`,
        );
        delay = Math.max(delay, pause);
      }
      const left = deadline - now();
      if (left <= 0) {
        throw new OperationUnsettled({
          operation,
          target,
          cause: `the operation did not finish within ${options.operationTimeoutSeconds} s (\`deploy_timeout\`)`,
          hint: 'Cloud Run may still finish it: check the service, or raise `deploy_timeout`.',
        });
      }
      await sleep(Math.min(delay, left));
      // Short first polls (a traffic-only update is done in well under a second), backing off to 2 s.
      delay = Math.min(Math.round(delay * 1.5), 2000);
    }
  };

  /** A transient error that outlasted every retry: say how often, for how long, and what is left to do. */
  const exhausted = (operation: string, target: string, err: unknown, tries: number): StepErrorDetails => ({
    operation,
    target,
    cause: `Cloud Run answered ${describeCode((err as ApiError).code)} ${tries} times in a row (last: ${(err as Error).message})`,
    hint: "Cloud Run is throttling or failing requests for now: retry the job later; if it persists, check the Cloud Run status page and the project's API quota.",
  });

  return {
    getService,
    applyService(service, action) {
      const body = toApi(service);
      if (action === 'create') {
        const [, project, , location, , id] = service.name.split('/');
        const { name: _name, etag: _etag, ...rest } = body;
        return awaitOperation('create service', service.name, () =>
          services.createService(
            { parent: `projects/${project}/locations/${location}`, serviceId: id, service: rest },
            once,
          ),
        );
      }
      return awaitOperation('update service', service.name, () =>
        services.updateService({ service: body }, once),
      );
    },
    async setTraffic(name, traffic, opts = {}) {
      for (let attempt = 1; ; attempt++) {
        const live = await getService(name);
        if (!live) return fail('set traffic on', name, new Error('the service no longer exists'));
        const annotated = (svc: CloudRunService) =>
          !opts.annotations || Object.entries(opts.annotations).every(([k, v]) => svc.annotations?.[k] === v);
        // Already there (an earlier try of this very update landed but its answer was lost): done.
        if (trafficKey(live.traffic) === trafficKey(traffic) && annotated(live) && !live.reconciling)
          return live;
        const allowed = opts.expectTraffic ? [opts.expectTraffic, ...(opts.alsoExpect ?? [])] : [];
        if (allowed.length > 0 && !allowed.some((t) => trafficKey(t) === trafficKey(live.traffic))) {
          throw new ConcurrentChange({
            operation: 'set traffic on',
            target: name,
            cause: `someone else changed its traffic since this run set it (expected ${JSON.stringify(opts.expectTraffic)}, found ${JSON.stringify(live.traffic)})`,
            hint: 'This run did not overwrite it. Another release may be running: use a `concurrency:` group per service and region in the workflow.',
          });
        }
        const annotations = opts.annotations
          ? { ...(live.annotations ?? {}), ...opts.annotations }
          : live.annotations;
        const body = toApi({ ...live, traffic, ...(annotations && { annotations }) });
        try {
          return await awaitOperation('set traffic on', name, () =>
            services.updateService({ service: body }, once),
          );
        } catch (err) {
          // A stale etag (ABORTED): someone wrote in between, or an earlier try of this update landed;
          // re-read and check again, once.
          const aborted = err instanceof StepError && /etag|ABORTED/i.test(err.message);
          if (!aborted || attempt >= 2) throw err;
        }
      }
    },
    async revisionFailure(service, revision) {
      try {
        const [rev] = await withRetry('read revision', revision, () =>
          revisionsClient().getRevision({ name: `${service}/revisions/${revision}` }, once),
        );
        const ready = (rev.conditions ?? []).find((c) => c.type === 'Ready');
        if (!ready) return undefined;
        const reason =
          ready.revisionReason && ready.revisionReason !== 'REVISION_REASON_UNDEFINED'
            ? String(ready.revisionReason)
            : ready.reason
              ? String(ready.reason)
              : undefined;
        return { reason, message: ready.message ?? undefined };
      } catch {
        return undefined;
      }
    },
    async setPublicAccess(name, allow) {
      try {
        const [policy] = await withRetry('read the IAM policy of', name, () =>
          services.getIamPolicy({ resource: name }, once),
        );
        const bindings = (policy.bindings ?? []).map((b) => ({
          role: b.role ?? '',
          members: [...(b.members ?? [])],
        }));
        let invoker = bindings.find((b) => b.role === 'roles/run.invoker');
        const has = Boolean(invoker?.members.includes('allUsers'));
        if (has === allow) return 'unchanged';
        if (allow) {
          if (!invoker) bindings.push((invoker = { role: 'roles/run.invoker', members: [] }));
          invoker.members.push('allUsers');
        } else if (invoker) {
          invoker.members = invoker.members.filter((m) => m !== 'allUsers');
        }
        // The policy carries its etag, so a repeated try after a lost answer is refused, not doubled.
        await withRetry('set the IAM policy of', name, () =>
          services.setIamPolicy(
            { resource: name, policy: { ...policy, bindings: bindings.filter((b) => b.members.length > 0) } },
            once,
          ),
        );
        return allow ? 'added' : 'removed';
      } catch (err) {
        return fail(
          allow ? 'allow unauthenticated access to' : 'remove unauthenticated access from',
          name,
          err,
        );
      }
    },
    async close() {
      await Promise.all([services.close(), revisions?.close()]);
    },
  };
}

/** What to do about an API error, by its gRPC code. */
function hintFor(err: ApiError, project: string): string {
  switch (err.code) {
    case 7:
      return `Grant the deploying identity roles/run.developer (or roles/run.admin to change IAM policies) on project ${project}, and roles/iam.serviceAccountUser on the runtime service account. Check \`project_id\` too: Google answers 403, not 404, for a project that does not exist.`;
    case 16:
      return 'The credentials were not accepted: check the Workload Identity Federation setup or the credentials from google-github-actions/auth.';
    case 5:
      return 'Check `region` (a Cloud Run region such as us-central1) and `project_id`.';
    case 10:
      return 'Someone else changed the service at the same time; rerun, and use a `concurrency:` group per service and region in the workflow.';
    case 3:
      return 'Cloud Run refused the service definition; the message says which field.';
    case 9:
    case 13:
      return 'The revision did not become ready: see its logs; traffic stays where it was.';
    default:
      return 'Retry the job; if it keeps failing, check the Cloud Run status page and the service in the console.';
  }
}

/** The client's objects as the core's JSON: empty defaults dropped, Durations as "Ns", int64 as numbers, short revision names. */
export function fromApi(raw: Record<string, unknown>): CloudRunService {
  const clean = JSON.parse(
    JSON.stringify(raw, (key, value) => {
      if (value === null || value === '' || (Array.isArray(value) && value.length === 0)) return undefined;
      if (value && typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length === 0)
        return undefined;
      return value;
    }),
  ) as Record<string, unknown> & CloudRunService;
  const template = (clean.template ?? { containers: [] }) as CloudRunService['template'] & {
    timeout?: unknown;
  };
  template.containers ??= [];
  if (template.timeout && typeof template.timeout === 'object') {
    const d = template.timeout as { seconds?: string | number; nanos?: number };
    template.timeout = `${Number(d.seconds ?? 0) + (d.nanos ?? 0) / 1e9}s`;
  }
  const short = (full: unknown) => (typeof full === 'string' ? full.split('/').pop() : undefined);
  // Operation results may carry numeric enums (FACTS.md "LRO results are decoded with numeric enums").
  const trafficType = (t: unknown): TrafficTarget['type'] =>
    t === 1 || t === 'TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST'
      ? 'TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST'
      : 'TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION';
  const ingress = [
    'INGRESS_TRAFFIC_UNSPECIFIED',
    'INGRESS_TRAFFIC_ALL',
    'INGRESS_TRAFFIC_INTERNAL_ONLY',
    'INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER',
    'INGRESS_TRAFFIC_NONE',
  ];
  if (typeof clean.ingress === 'number') clean.ingress = ingress[clean.ingress] as CloudRunService['ingress'];
  return {
    ...clean,
    template,
    traffic: ((clean.traffic ?? []) as TrafficTarget[]).map((t) => ({
      ...t,
      type: trafficType(t.type),
      percent: t.percent ?? 0,
    })),
    trafficStatuses: clean.trafficStatuses?.map((t) => ({
      ...t,
      type: trafficType(t.type),
      percent: t.percent ?? 0,
    })),
    generation: clean.generation === undefined ? undefined : Number(clean.generation),
    observedGeneration: clean.observedGeneration === undefined ? undefined : Number(clean.observedGeneration),
    latestReadyRevision: short(clean.latestReadyRevision),
    latestCreatedRevision: short(clean.latestCreatedRevision),
  };
}

const OUTPUT_ONLY = [
  'uri',
  'urls',
  'generation',
  'observedGeneration',
  'reconciling',
  'latestReadyRevision',
  'latestCreatedRevision',
  'trafficStatuses',
  'terminalCondition',
  'conditions',
  'uid',
  'createTime',
  'updateTime',
  'creator',
  'lastModifier',
];

/** The core's JSON as the client expects it: Durations as `{ seconds }`, status fields left out. */
export function toApi(service: CloudRunService): Record<string, unknown> {
  const body = structuredClone(service) as unknown as Record<string, unknown>;
  for (const key of OUTPUT_ONLY) delete body[key];
  const template = body.template as Record<string, unknown>;
  if (typeof template.timeout === 'string')
    template.timeout = { seconds: Math.round(parseFloat(template.timeout)) };
  return body;
}
