// Cloud Run behind a small task-shaped port, over @google-cloud/run's REST transport (FACTS.md, client
// library behaviour). Converts between the client's objects and the core's plain JSON, waits for
// operations with a total deadline, and turns API failures into StepErrors that say what to do.
import { ServicesClient, RevisionsClient } from '@google-cloud/run';
import type { AuthClient } from 'google-auth-library';
import { StepError } from '../errors';
import type { CloudRunService, TrafficTarget } from '../core/cloud-run-types';

/** The Cloud Run operations the orchestrator needs. */
export interface CloudRunPort {
  /** The live service, or undefined when it does not exist. */
  getService(name: string): Promise<CloudRunService | undefined>;
  /** Creates or updates the service and waits until the operation finishes (or its deadline passes). */
  applyService(service: CloudRunService, action: 'create' | 'update'): Promise<CloudRunService>;
  /**
   * Sets traffic only, keeping the template (FACTS.md "traffic-only update"), with the etag read just before
   * (FACTS.md "optimistic concurrency"). With `expectTraffic`, refuses to overwrite traffic someone else
   * changed (ConcurrentChange); `annotations` are merged into the service's.
   */
  setTraffic(
    name: string,
    traffic: TrafficTarget[],
    options?: { expectTraffic?: TrafficTarget[]; annotations?: Record<string, string> },
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
}

interface ApiError {
  code?: number;
  message?: string;
}

/** A Cloud Run operation failure with the revision's own reason when there is one. */
export class DeployFailure extends StepError {}

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
  const revisions = new RevisionsClient(clientOptions);
  // gax reads LRO polling from the starting call's options; operation.promise() takes none.
  const lro = {
    longrunning: {
      initialRetryDelayMillis: 250,
      retryDelayMultiplier: 1.5,
      maxRetryDelayMillis: 5000,
      initialRpcTimeoutMillis: 60_000,
      rpcTimeoutMultiplier: 1,
      maxRpcTimeoutMillis: 60_000,
      totalTimeoutMillis: options.operationTimeoutSeconds * 1000,
    },
  };

  const fail = (operation: string, target: string, err: unknown): never => {
    // gax wraps an auth failure (already explained by the auth adapter) in a code-7 GoogleError.
    const cause = (err as { cause?: unknown }).cause;
    if (cause instanceof StepError) throw cause;
    throw new StepError({ operation, target, cause: err, hint: hintFor(err as ApiError, options.project) });
  };

  const getService = async (name: string): Promise<CloudRunService | undefined> => {
    try {
      const [svc] = await services.getService({ name });
      return fromApi(svc as Record<string, unknown>);
    } catch (err) {
      if ((err as ApiError).code === 5) return undefined;
      return fail('read service', name, err);
    }
  };

  const awaitOperation = async (
    operation: string,
    target: string,
    start: () => Promise<unknown>,
  ): Promise<CloudRunService> => {
    let op: { promise(): Promise<unknown[]> };
    try {
      [op] = (await start()) as [{ promise(): Promise<unknown[]> }];
    } catch (err) {
      return fail(operation, target, err);
    }
    try {
      const [result] = await op.promise();
      return fromApi(result as Record<string, unknown>);
    } catch (err) {
      const e = err as ApiError;
      if (/total timeout/i.test(e.message ?? '')) {
        throw new StepError({
          operation,
          target,
          cause: `the operation did not finish within ${options.operationTimeoutSeconds} s`,
          hint: 'Cloud Run may still finish it: check the service, or raise `deploy_timeout`.',
        });
      }
      throw new DeployFailure({ operation, target, cause: err, hint: hintFor(e, options.project) });
    }
  };

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
            lro,
          ),
        );
      }
      return awaitOperation('update service', service.name, () =>
        services.updateService({ service: body }, lro),
      );
    },
    async setTraffic(name, traffic, options = {}) {
      for (let attempt = 1; ; attempt++) {
        const live = await getService(name);
        if (!live) return fail('set traffic on', name, new Error('the service no longer exists'));
        if (options.expectTraffic && trafficKey(live.traffic) !== trafficKey(options.expectTraffic)) {
          throw new ConcurrentChange({
            operation: 'set traffic on',
            target: name,
            cause: `someone else changed its traffic since this run set it (expected ${JSON.stringify(options.expectTraffic)}, found ${JSON.stringify(live.traffic)})`,
            hint: 'This run did not overwrite it. Another release may be running: use a `concurrency:` group per service and region in the workflow.',
          });
        }
        const annotations = options.annotations
          ? { ...(live.annotations ?? {}), ...options.annotations }
          : live.annotations;
        const body = toApi({ ...live, traffic, ...(annotations && { annotations }) });
        try {
          return await awaitOperation('set traffic on', name, () =>
            services.updateService({ service: body }, lro),
          );
        } catch (err) {
          // A stale etag (ABORTED): someone wrote in between; re-read and check again, once.
          const aborted = err instanceof StepError && /etag|ABORTED/i.test(err.message);
          if (!aborted || attempt >= 2) throw err;
        }
      }
    },
    async revisionFailure(service, revision) {
      try {
        const [rev] = await revisions.getRevision({ name: `${service}/revisions/${revision}` });
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
        const [policy] = await services.getIamPolicy({ resource: name });
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
        await services.setIamPolicy({
          resource: name,
          policy: { ...policy, bindings: bindings.filter((b) => b.members.length > 0) },
        });
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
      await Promise.all([services.close(), revisions.close()]);
    },
  };
}

/** What to do about an API error, by its gRPC code. */
function hintFor(err: ApiError, project: string): string {
  switch (err.code) {
    case 7:
      return `Grant the deploying identity roles/run.developer (or roles/run.admin to change IAM policies) on project ${project}, and roles/iam.serviceAccountUser on the runtime service account.`;
    case 16:
      return 'The credentials were not accepted: check the Workload Identity Federation setup or the credentials from google-github-actions/auth.';
    case 5:
      return 'Check `project_id` and `region`.';
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
