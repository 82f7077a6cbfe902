// Revisions: the template of a new revision as Cloud Run stores it, its start as real local processes
// through the DataPlane port, its readiness conditions, and Revisions list / delete.
import { randomBytes, randomUUID } from 'node:crypto';
import type { RevisionRuntimeSpec, RevisionStartResult } from '../model';
import { ApiError } from './google-errors';
import { anyOf } from './operations';
import {
  REVISION_TYPE,
  mustGetRevision,
  mustGetService,
  renderRevision,
  stamp,
  type ApiState,
  type ServiceRecord,
} from './records';
import { durationSeconds, type Json, type TrafficEntry } from './service-rules';

/** Google's message for a startup probe that never succeeded (cloud.google.com/run/docs/configuring/healthchecks). */
function probeFailureMessage(kind: string, container: string, port: number): string {
  return `${kind} failed 1 time consecutively for container "${container}" on port ${port}. The instance was not started.`;
}

/** The random three-letter tail of a generated revision name (`api-00002-xyz`). */
export function revisionSuffix(): string {
  const letters = 'abcdefghijklmnopqrstuvwxyz';
  return Array.from(randomBytes(3), (b) => letters[b % 26]).join('');
}

/**
 * The template of a new revision as Cloud Run stores and reports it: the server's defaults filled in
 * (timeout, concurrency, max instances, CPU / memory, port, runtime service account) and, on the ingress
 * container, the default TCP startup probe on its port when it has none (docs/platform.md "Default
 * startup probe"). Only for new revisions: an update is compared with a stored template as sent.
 */
export function normalizeTemplate(state: ApiState, template: Json): Json {
  const t: Json = structuredClone(template);
  t.timeout ??= '300s';
  if (!t.maxInstanceRequestConcurrency) t.maxInstanceRequestConcurrency = 80;
  const scaling = (t.scaling ?? {}) as Json;
  if (!scaling.maxInstanceCount) scaling.maxInstanceCount = 100;
  t.scaling = scaling;
  t.serviceAccount ||= `${state.opts.projectNumber ?? '123456789012'}-compute@developer.gserviceaccount.com`;
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

/** Records a new revision of the service's current template, not yet started, as its latest created. */
export function addRevision(state: ApiState, s: ServiceRecord, revision: string): void {
  s.revisionCount += 1;
  const template = structuredClone(s.spec.template as Json);
  const now = stamp(state);
  s.revisions.set(revision, {
    name: revision,
    ready: undefined,
    body: {
      __template: template,
      // docs/platform.md "Image digests": the ingress image as resolved when the revision was created (v1 only).
      imageDigest: state.opts.digestOf?.(String(((template.containers ?? []) as Json[])[0]?.image ?? '')),
      createTime: now,
      updateTime: now,
      generation: String(s.revisionCount),
      uid: randomUUID(),
    },
  });
  s.latestCreated = revision;
}

/** Starts a revision's instances through the data plane: env with secrets resolved, probe, limits, deadline. */
export async function startRevision(
  state: ApiState,
  s: ServiceRecord,
  revision: string,
): Promise<RevisionStartResult> {
  const template = s.revisions.get(revision)?.body.__template as Json;
  const container = ((template.containers ?? []) as Json[])[0] ?? {};
  const env: Record<string, string> = {};
  for (const e of (container.env ?? []) as Json[]) {
    const ref = ((e.valueSource ?? {}) as Json).secretKeyRef as Json | undefined;
    if (ref) {
      const value = state.opts.secrets.resolve(
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
  // docs/platform.md "Default startup probe": readiness is checked on the probe's port; the app listens on the
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
      : state.opts.startupDeadlineMs;
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
  return state.opts.dataPlane.startRevision(spec);
}

/** A revision's conditions once its start is known: Ready and ContainerHealthy, with the failure reason. */
export function revisionConditions(result: RevisionStartResult, now: string): Json[] {
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

/** Revisions list: the service's revisions, newest first, as the API renders them. */
export function listRevisions(state: ApiState, service: string): Json[] {
  const s = mustGetService(state, service);
  return [...s.revisions.values()].reverse().map((r) => renderRevision(s, r));
}

/** Revisions delete: refused for the latest, the only, or a revision the traffic names; answers an operation. */
export async function deleteRevision(
  state: ApiState,
  service: string,
  revision: string,
  validateOnly: boolean,
): Promise<Json> {
  const s = mustGetService(state, service);
  const rev = mustGetRevision(state, service, revision);
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
  const op = state.operations.start(
    s.project,
    s.location,
    REVISION_TYPE,
    anyOf(REVISION_TYPE, renderRevision(s, rev)),
  );
  if (!validateOnly) {
    s.revisions.delete(revision);
    await state.opts.dataPlane.stopRevision(service, revision);
  }
  state.operations.succeed(op, anyOf(REVISION_TYPE, renderRevision(s, rev)));
  return state.operations.render(op.name);
}

/** Cloud Run's default startup probe, reported with an explicit port (docs/platform.md "Default startup probe"). */
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
