// Cloud Run behind a small task-shaped port, over the Admin API v2's REST JSON (run-rest.ts). Every write
// names what it changes: a deploy sends the paths this release owns with an `updateMask`, and a traffic
// change sends only `traffic` (plus `annotations` for the release record), never the template
// (docs/platform.md "Updates and updateMask", "Traffic"). Writes are judged by reading the service back
// (docs/platform.md "Revisions and failures"). API failures become StepErrors that say what to do.
import type { AuthClient } from 'google-auth-library';
import { ConcurrentChange, DeployFailure, OperationUnsettled, StepError } from '../errors';
import type { CloudRunPort } from '../ports';
import { trafficKey } from '../core/traffic-plan';
import type { CloudRunService, TrafficTarget } from '../core/cloud-run-types';
import { pinnedImage } from '../core/image-digest';
import { API_RETRY, describeCode, isTransient, retryDelayMs, type RetryPolicy } from '../core/retry-policy';
import { exhausted, hintFor, overwritten, type ApiOperationKind } from './cloud-run-hints';
import { createRunRest, RestError, toRestError, type Json, type RunRest } from './run-rest';

export interface CloudRunOptions {
  authClient: AuthClient;
  /** The emulator's endpoint; production (`https://run.googleapis.com`) when absent. */
  endpoint?: { apiEndpoint: string; port: number; protocol: 'http' | 'https' };
  /** Total deadline for one operation, in seconds. */
  operationTimeoutSeconds: number;
  /** The project, for hints that name roles and commands. */
  project: string;
  /** Retries of transient API errors (429, 500, 503, 504); API_RETRY by default. */
  retry?: RetryPolicy;
  /** Where retries and notes are told (the step log). */
  log?: (line: string) => void;
  /** Injected for tests; real timers and Math.random by default. */
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  now?: () => number;
}

/** The production REST endpoint of the Cloud Run Admin API. */
export const RUN_API_BASE = 'https://run.googleapis.com';

/** Builds the port over the REST API. */
export function createCloudRun(options: CloudRunOptions): CloudRunPort {
  const baseUrl = options.endpoint
    ? `${options.endpoint.protocol}://${options.endpoint.apiEndpoint}:${options.endpoint.port}`
    : RUN_API_BASE;
  const rest: RunRest = createRunRest({ authClient: options.authClient, baseUrl });
  const policy = options.retry ?? API_RETRY;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const random = options.random ?? Math.random;
  const now = options.now ?? Date.now;

  /** Calls the API, trying again after transient errors with backoff and jitter, then failing clearly. */
  const withRetry = async <T>(operation: string, target: string, call: () => Promise<T>): Promise<T> => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await call();
      } catch (err) {
        const code = (err as RestError).code;
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

  const fail = (kind: ApiOperationKind, operation: string, target: string, err: unknown): never => {
    if (err instanceof StepError) throw err;
    const e = toRestError(err);
    throw new StepError({ operation, target, cause: e, hint: hintFor(kind, e, options.project) });
  };

  const getService = async (name: string): Promise<CloudRunService | undefined> => {
    try {
      return fromApi(await withRetry('read service', name, () => rest('GET', `v2/${name}`)));
    } catch (err) {
      if (!(err instanceof RestError) || err.code !== 5) return fail('read', 'read service', name, err);
      // NOT_FOUND: the service is missing, or the location (a wrong `region`) is. Listing the parent
      // tells them apart by status alone (docs/platform.md "Errors").
      const parent = name.split('/').slice(0, 4).join('/');
      try {
        await withRetry('list services in', parent, () =>
          rest('GET', `v2/${parent}/services`, { pageSize: '1' }),
        );
      } catch (listErr) {
        if (listErr instanceof RestError && listErr.code === 5)
          return fail('read', 'read service', name, listErr);
        // Listing is not allowed or failed otherwise: the service is missing; creating it will say more.
      }
      return undefined;
    }
  };

  /**
   * Starts an operation and polls it until it is done or `operationTimeoutSeconds` has passed. A
   * transient error while polling is retried like any call; only a done operation's own error is a
   * DeployFailure, so a flaky poll never reads as a failed revision.
   */
  const awaitOperation = async (
    kind: ApiOperationKind,
    operation: string,
    target: string,
    start: () => Promise<Json>,
  ): Promise<void> => {
    let op: Json;
    try {
      op = await withRetry(operation, target, start);
    } catch (err) {
      return fail(kind, operation, target, err);
    }
    const deadline = now() + options.operationTimeoutSeconds * 1000;
    // The first poll goes at once (a traffic-only update is often done by then), then after 100 ms,
    // backing off by 1.5 to 2 s.
    let delay = 0;
    let failedPolls = 0;
    for (;;) {
      if (op.done) {
        const error = op.error as { code?: number; message?: string; details?: Json[] } | undefined;
        if (!error) return;
        const code = Number(error.code ?? 2);
        const cause = new RestError(
          `${code} ${describeCode(code).split(' ')[0]}: ${error.message ?? 'the operation failed'}`,
          code,
          0,
          error.details ?? [],
        );
        throw new DeployFailure({ operation, target, cause, hint: hintFor(kind, cause, options.project) });
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
      if (delay > 0) await sleep(Math.min(delay, left));
      delay = delay === 0 ? 100 : Math.min(Math.round(delay * 1.5), 2000);
      try {
        op = await rest('GET', `v2/${String(op.name)}`);
        failedPolls = 0;
      } catch (err) {
        if (err instanceof StepError) throw err;
        const e = toRestError(err);
        const pause = isTransient(e.code) ? retryDelayMs(policy, ++failedPolls, random()) : undefined;
        if (pause === undefined) {
          // Cloud Run took the request; this run can no longer see how it ends.
          throw new OperationUnsettled(
            isTransient(e.code)
              ? exhausted(`poll the operation to ${operation}`, target, e, failedPolls)
              : {
                  operation: `poll the operation to ${operation}`,
                  target,
                  cause: e,
                  hint: hintFor(kind, e, options.project),
                },
          );
        }
        options.log?.(
          `Cloud Run answered ${describeCode(e.code)} while polling the operation to ${operation} ${target}; polling again in ${(pause / 1000).toFixed(1)} s.`,
        );
        delay = Math.max(delay, pause);
      }
    }
  };

  /** Waits for a write this run made (found on the service) to finish: ready, or a DeployFailure with its reason. */
  const followRevision = async (name: string, revision: string, operation: string): Promise<void> => {
    const svc = await settle(name, await readBack(name, operation), operation);
    if (svc.reconciling) {
      throw new OperationUnsettled({
        operation,
        target: name,
        cause: `revision ${revision} was still being deployed after ${options.operationTimeoutSeconds} s (\`deploy_timeout\`)`,
        hint: 'Cloud Run may still finish it: check the service, or raise `deploy_timeout`.',
      });
    }
    if (svc.latestReadyRevision === revision) return;
    const message = svc.terminalCondition?.message ?? `revision ${revision} did not become ready`;
    const cause = new RestError(`9 FAILED_PRECONDITION: ${message}`, 9, 400);
    throw new DeployFailure({
      operation,
      target: name,
      cause,
      hint: hintFor('deploy', cause, options.project),
    });
  };

  /** The service's IAM policy at version 3, so conditional bindings are read, and so kept, in full (docs/platform.md "Public access and IAM"). */
  const readPolicy = (name: string): Promise<Json> =>
    withRetry('read the IAM policy of', name, () =>
      rest('GET', `v2/${name}:getIamPolicy`, { 'options.requestedPolicyVersion': '3' }),
    );

  /** The service once it has stopped reconciling, or as it is when the operation deadline passes. */
  const settle = async (
    name: string,
    svc: CloudRunService,
    operation = 'set traffic on',
  ): Promise<CloudRunService> => {
    const deadline = now() + options.operationTimeoutSeconds * 1000;
    let delay = 250;
    while (svc.reconciling && now() < deadline) {
      await sleep(Math.min(delay, Math.max(0, deadline - now())));
      delay = Math.min(Math.round(delay * 1.5), 2000);
      svc = await readBack(name, operation);
    }
    return svc;
  };

  /** The service after an operation, read with a GET (the operation's answer is not where URLs are read). */
  const readBack = async (name: string, operation: string): Promise<CloudRunService> => {
    const svc = await getService(name);
    if (!svc) return fail('read', operation, name, new Error('the service no longer exists'));
    return svc;
  };

  return {
    getService,
    async applyService(service, action, updateMask) {
      const body = toApi(service);
      const revision = service.template.revision;
      let start: () => Promise<Json>;
      if (action === 'create') {
        const [, project, , location, , id] = service.name.split('/');
        const { name: _name, etag: _etag, ...fields } = body;
        start = () =>
          rest('POST', `v2/projects/${project}/locations/${location}/services`, { serviceId: id }, fields);
      } else {
        if (!updateMask || updateMask.length === 0) {
          // Without a mask the request is the whole desired state and resets every field it omits.
          throw new Error('applyService: an update must name the paths it changes (updateMask).');
        }
        // The whole service as read, with this release's paths changed, AND the mask naming those paths:
        // a server that honours the mask changes only them, and one that ignored it would still lose
        // nothing (docs/platform.md "Updates and updateMask").
        const { name: _name, ...sent } = body;
        start = () => rest('PATCH', `v2/${service.name}`, { updateMask: updateMask.join(',') }, sent);
      }
      const operation = action === 'create' ? 'create service' : 'update service';
      try {
        await awaitOperation('deploy', operation, service.name, start);
      } catch (err) {
        // A try whose answer was lost, then retried, meets its own write: ALREADY_EXISTS (create) or a
        // stale etag (update). The revision name is this release's own, so finding it means it landed.
        const code = err instanceof StepError ? (err.cause as RestError | undefined)?.code : undefined;
        if (code !== 6 && code !== 10) throw err;
        const found = await getService(service.name).catch(() => undefined);
        if (!found || !revision || found.template.revision !== revision) throw err;
        await followRevision(service.name, revision, operation);
      }
      const after = await readBack(service.name, operation);
      if (
        action === 'update' &&
        updateMask?.includes('traffic') &&
        trafficKey(after.traffic) !== trafficKey(service.traffic)
      )
        throw overwritten(service.name, service.traffic, after);
      return after;
    },
    async setTraffic(name, traffic, opts = {}) {
      const annotated = (svc: CloudRunService) =>
        !opts.annotations || Object.entries(opts.annotations).every(([k, v]) => svc.annotations?.[k] === v);
      const written = (svc: CloudRunService) =>
        trafficKey(svc.traffic) === trafficKey(traffic) && annotated(svc);
      const landed = (svc: CloudRunService) => written(svc) && servesTraffic(svc, traffic);
      for (let attempt = 1; ; attempt++) {
        let live = await readBack(name, 'set traffic on');
        if (written(live)) {
          // Already there: an earlier try of this very update landed (its answer was lost), and may still
          // be reconciling. It is this run's own write, never someone else's: wait for it and judge it.
          live = await settle(name, live);
          if (landed(live)) return live;
        }
        const allowed = opts.expectTraffic
          ? [opts.expectTraffic, ...(opts.alsoExpect ?? []), ...(written(live) ? [traffic] : [])]
          : [];
        if (allowed.length > 0 && !allowed.some((t) => trafficKey(t) === trafficKey(live.traffic))) {
          throw new ConcurrentChange({
            operation: 'set traffic on',
            target: name,
            cause: `someone else changed its traffic since this run set it (expected ${JSON.stringify(opts.expectTraffic)}, found ${JSON.stringify(live.traffic)})`,
            hint: 'This run did not overwrite it. Another release may be running: use a `concurrency:` group per service and region in the workflow.',
          });
        }
        // docs/platform.md "Traffic": only traffic (and the record's annotations), never the template.
        const sent: Json = { traffic: traffic.map((t) => ({ ...t })) };
        if (live.etag) sent.etag = live.etag;
        const mask = ['traffic'];
        if (opts.annotations) {
          sent.annotations = { ...(live.annotations ?? {}), ...opts.annotations };
          mask.push('annotations');
        }
        try {
          await awaitOperation('traffic', 'set traffic on', name, () =>
            rest('PATCH', `v2/${name}`, { updateMask: mask.join(',') }, sent),
          );
        } catch (err) {
          if (err instanceof DeployFailure || err instanceof OperationUnsettled) {
            // docs/platform.md "Revisions and failures": after a failed revision, traffic-only operations
            // can keep reporting its error although they applied; what the service reads back decides.
            const back = await getService(name).catch(() => undefined);
            if (back && landed(back) && (err instanceof DeployFailure || !back.reconciling)) {
              options.log?.(
                `Cloud Run reported the traffic update on ${name} as failed (${(err.cause as Error)?.message ?? err.message}), but the service reads back with the new traffic, so it is done. The service keeps showing the failed revision's condition until the next good deploy.`,
              );
              return back;
            }
            throw err;
          }
          // A stale etag (ABORTED): someone wrote in between, or an earlier try of this update landed;
          // re-read and check again, once.
          const aborted = err instanceof StepError && /etag|ABORTED/i.test(err.message);
          if (!aborted || attempt >= 2) throw err;
          continue;
        }
        const after = await readBack(name, 'set traffic on');
        if (!written(after)) throw overwritten(name, traffic, after);
        return after;
      }
    },
    async revisionFailure(service, revision) {
      try {
        const rev = await withRetry('read revision', revision, () =>
          rest('GET', `v2/${service}/revisions/${revision}`),
        );
        const conditions = (rev.conditions ?? []) as Array<Record<string, unknown>>;
        const ready = conditions.find((c) => c.type === 'Ready');
        if (!ready) return undefined;
        const named = (v: unknown) =>
          v !== undefined && v !== null && v !== '' && !/_UNDEFINED$|^0$/.test(String(v))
            ? String(v)
            : undefined;
        const reason = named(ready.revisionReason) ?? named(ready.reason);
        return { reason, message: typeof ready.message === 'string' ? ready.message : undefined };
      } catch {
        return undefined;
      }
    },
    async revisionDigest(service, revision) {
      // docs/platform.md "Image digests": only v1 reports it, from the region's own endpoint.
      const [, project, , region] = service.split('/');
      const base = options.endpoint ? baseUrl : `https://${region}-run.googleapis.com`;
      const v1 = createRunRest({ authClient: options.authClient, baseUrl: base });
      const path = `apis/serving.knative.dev/v1/namespaces/${project}/revisions/${revision}`;
      return pinnedImage(await withRetry('read revision', revision, () => v1('GET', path)));
    },
    async hasPublicBinding(name) {
      try {
        return publicMembers(await readPolicy(name)).includes('allUsers');
      } catch {
        return undefined;
      }
    },
    async setPublicAccess(name, allow) {
      const operation = allow ? 'allow unauthenticated access to' : 'remove unauthenticated access from';
      try {
        const current = await readPolicy(name);
        const bindings = ((current.bindings ?? []) as Array<Record<string, unknown>>).map((b) => ({
          ...b,
          condition: b.condition,
          role: String(b.role ?? ''),
          members: [...((b.members as string[] | undefined) ?? [])],
        }));
        let invoker = bindings.find((b) => b.role === 'roles/run.invoker' && !b.condition);
        const has = Boolean(invoker?.members.includes('allUsers'));
        if (has === allow) return 'unchanged';
        if (allow) {
          if (!invoker)
            bindings.push((invoker = { condition: undefined, role: 'roles/run.invoker', members: [] }));
          invoker.members.push('allUsers');
        } else if (invoker) {
          invoker.members = invoker.members.filter((m) => m !== 'allUsers');
        }
        // The policy carries its etag, so a repeated try after a lost answer is refused, not doubled;
        // then the policy read back says whether that earlier try landed.
        try {
          await withRetry('set the IAM policy of', name, () =>
            rest('POST', `v2/${name}:setIamPolicy`, undefined, {
              policy: { ...current, bindings: bindings.filter((b) => b.members.length > 0) },
            }),
          );
        } catch (err) {
          if (!(err instanceof RestError) || err.code !== 10) throw err;
          if (publicMembers(await readPolicy(name)).includes('allUsers') !== allow) throw err;
        }
        return allow ? 'added' : 'removed';
      } catch (err) {
        return fail('iam', operation, name, err);
      }
    },
    async close() {
      // Nothing held open: every call is one request through the auth client.
    },
  };
}

/** The members holding roles/run.invoker without a condition in an IAM policy. */
function publicMembers(policy: Json): string[] {
  return ((policy.bindings ?? []) as Array<{ role?: string; members?: string[]; condition?: unknown }>)
    .filter((b) => b.role === 'roles/run.invoker' && !b.condition)
    .flatMap((b) => b.members ?? []);
}

/** True when what serves (trafficStatuses, when reported) matches the percents of `traffic`. */
function servesTraffic(svc: CloudRunService, traffic: readonly TrafficTarget[]): boolean {
  if (!svc.trafficStatuses) return true;
  const shares = (targets: readonly TrafficTarget[]) => {
    const out = new Map<string, number>();
    for (const t of targets) {
      const revision =
        t.type === 'TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST'
          ? t.revision || svc.latestReadyRevision || 'LATEST'
          : (t.revision ?? '');
      if (t.percent > 0) out.set(revision, (out.get(revision) ?? 0) + t.percent);
    }
    return JSON.stringify([...out].sort());
  };
  return shares(svc.trafficStatuses) === shares(traffic);
}

/**
 * The API's JSON as the core's: Durations as "Ns", int64 as numbers, short revision names in status; every
 * other field kept as sent, empty ones included (`tcpSocket: {}` is a probe on the container's port).
 */
export function fromApi(raw: Record<string, unknown>): CloudRunService {
  const clean = JSON.parse(
    JSON.stringify(raw, (_key, value: unknown) => (value === null ? undefined : value)),
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
  // Operation results may carry numeric enums (docs/platform.md "Wire format").
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
  'deleteTime',
  'expireTime',
  'satisfiesPzs',
];

/** The core's JSON as the REST API takes it: status (output-only) fields left out. */
export function toApi(service: CloudRunService): Record<string, unknown> {
  const body = structuredClone(service) as unknown as Record<string, unknown>;
  for (const key of OUTPUT_ONLY) delete body[key];
  return body;
}
