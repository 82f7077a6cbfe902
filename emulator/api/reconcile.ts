// Reconciliation: after a create or update, a service's operation brings the running world in line with its
// spec, one update at a time, starting the new revision, routing traffic and tags and keeping warm floors,
// then finishes the long-running operation (docs/platform.md "Readiness contract").
import type { WarmFloor, WarmReason } from '../model';
import { anyOf, type OperationRecord } from './operations';
import { SERVICE_TYPE, renderService, stamp, type ApiState, type ServiceRecord } from './records';
import { revisionConditions, startRevision } from './revisions';
import { resolveSplit, type Json, type TrafficEntry } from './service-rules';
import { epochMs } from './wire-log';

/** Queues the operation behind the service's earlier ones; an unexpected error fails it as INTERNAL. */
export function enqueue(
  state: ApiState,
  s: ServiceRecord,
  op: OperationRecord,
  newRevision: string | undefined,
): void {
  s.queue = s.queue
    .then(() => reconcile(state, s, op, newRevision))
    .catch((err: Error) => {
      state.operations.fail(op, 'INTERNAL', `Internal error while reconciling: ${err.message}`);
    });
}

/** Brings the running world in line with the spec, then finishes the operation (docs/platform.md "Readiness contract"). */
async function reconcile(
  state: ApiState,
  s: ServiceRecord,
  op: OperationRecord,
  newRevision: string | undefined,
): Promise<void> {
  const { operationDelayMs, operationsNeverFinish } = state.opts.faults.settings;
  if (operationDelayMs > 0) await new Promise((r) => setTimeout(r, operationDelayMs));
  if (operationsNeverFinish) return;
  if (!state.services.has(s.name)) return;
  const generation = s.generation;
  if (newRevision) {
    const startedAt = epochMs();
    const result = await startRevision(state, s, newRevision);
    const endedAt = epochMs();
    state.wire.revisionStarts.push({
      revision: `${s.name}/revisions/${newRevision}`,
      startedAt,
      endedAt,
      ms: endedAt - startedAt,
      ready: result.ready,
    });
    const rev = s.revisions.get(newRevision);
    const now = stamp(state);
    if (rev) {
      rev.ready = result.ready;
      rev.body.conditions = revisionConditions(result, now);
      rev.body.updateTime = now;
    }
    if (!result.ready) {
      // docs/platform.md "Failed revision": LRO error code 9, the service keeps serving the last ready revision.
      const message = `Revision '${newRevision}' is not ready and cannot serve traffic. ${result.message}`;
      s.stickyFailure = { revision: newRevision, message };
      finishFailed(state, s, generation, message);
      state.operations.fail(op, 'FAILED_PRECONDITION', message);
      return;
    }
    s.latestReady = newRevision;
    s.stickyFailure = undefined;
  }
  const traffic = s.spec.traffic as TrafficEntry[];
  const missing = traffic.filter((t) => t.revision && !s.revisions.has(t.revision));
  if (missing.length > 0) {
    const message = `Revision '${missing[0].revision}' does not exist or is deleted. Update all traffic to route to currently available revisions.`;
    finishFailed(state, s, generation, message);
    state.operations.fail(op, 'INTERNAL', message);
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
  const urls = await state.opts.dataPlane.route({
    service: s.name,
    serviceId: s.id,
    ingress: (s.spec.ingress as 'INGRESS_TRAFFIC_ALL' | undefined) ?? 'INGRESS_TRAFFIC_ALL',
    split,
    tags,
    warm: warmFloors(s, traffic, split, tags),
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
  // docs/platform.md "After a failed revision": the template still names the failed revision, so an operation
  // that kept it (a traffic-only update) applied its traffic above but ends with the same error.
  const sticky = s.stickyFailure;
  if (
    !newRevision &&
    sticky &&
    s.latestCreated === sticky.revision &&
    state.opts.faults.settings.stickyRevisionFailure
  ) {
    finishFailed(state, s, generation, sticky.message);
    state.operations.fail(op, 'FAILED_PRECONDITION', sticky.message);
    return;
  }
  const now = stamp(state);
  s.observedGeneration = generation;
  s.reconciling = false;
  s.terminalCondition = { type: 'Ready', state: 'CONDITION_SUCCEEDED', lastTransitionTime: now };
  s.conditions = [
    { type: 'RoutesReady', state: 'CONDITION_SUCCEEDED', lastTransitionTime: now },
    { type: 'ConfigurationsReady', state: 'CONDITION_SUCCEEDED', lastTransitionTime: now },
  ];
  state.operations.succeed(op, anyOf(SERVICE_TYPE, renderService(s)));
}

/**
 * Warm floors per ready revision (docs/platform.md "Min instances and tags"; cloud.google.com/run/docs/configuring/
 * min-instances): a revision's own `scaling.minInstanceCount` holds while traffic names it (any percent,
 * 0 included) or a tag points at it; the service's `scaling.minInstanceCount` is shared, rounded up, among
 * the revisions that take a percent of the traffic. The larger of the two applies.
 */
function warmFloors(
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
    const revisionMin = Number((((rev.body.__template as Json).scaling ?? {}) as Json).minInstanceCount ?? 0);
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

function finishFailed(state: ApiState, s: ServiceRecord, generation: number, message: string): void {
  const now = stamp(state);
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
