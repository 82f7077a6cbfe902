// The candidate deploy as data: from the validated config and the live service (or none) to the Cloud
// Run v2 Service to send. This is gcloud's `--no-traffic --tag X` in v2 terms (docs/platform.md "--no-traffic --tag X in v2 terms"): an explicit
// revision name, LATEST pinned to the ready revision by short name, tag X moved onto the new revision
// at 0 %. Fields the user did not set stay as they are on the live service, and an update names the
// top-level fields it writes (its `updateMask`) so nothing else is reset (docs/platform.md "Updates and
// updateMask"); the template starts from the live one as read, fields this code does not know included.
import type { DeployConfig, RunContext } from './config';
import { decodeTags, recordTag, TAGS_ANNOTATION } from './release-tags';
import { CLIENT_NAME, CLIENT_VERSION } from './client-info';
import { planVpcAccess } from './vpc-access';
import { planSecretVolumes } from './secret-volumes';
import type {
  CloudRunService,
  Container,
  EnvVar,
  IngressSetting,
  Probe,
  RevisionTemplate,
  TrafficTarget,
} from './cloud-run-types';

export interface CandidatePlan {
  /** `create` on a first deploy, else `update`. */
  action: 'create' | 'update';
  /** The service to send (spec fields only), with the etag read from the live service. */
  desired: CloudRunService;
  /** The top-level fields an update writes (its `updateMask`); everything else stays as it is. Empty on create. */
  updateMask: string[];
  /** Short name of the candidate revision. */
  revision: string;
  /** Short name of the revision that served (the largest share of) traffic before this run, if any. */
  previousRevision?: string;
  /** The live service's traffic exactly as found. Empty on a first deploy. */
  baselineTraffic: TrafficTarget[];
  /** What a rollback sets: the baseline with LATEST pinned to the revision it meant then (once the candidate
   * is ready, LATEST would mean the candidate), tags as they were. Empty on a first deploy. */
  restoreTraffic: TrafficTarget[];
  /** The candidate's tag. */
  tag: string;
  /** True when the candidate takes all traffic at once because nothing else can serve (docs/platform.md "A candidate on a new service takes all traffic"). */
  takesAllTraffic: boolean;
  /** The tags of the releases this action promoted on the service, oldest first, as found (release-tags.ts). */
  releaseTags: string[];
  /** The revision LATEST meant before this run, when the baseline followed LATEST (the restore names it). */
  pinnedLatest?: string;
  /** What `allow_unauthenticated` does to the invoker check in this update, when it touches it. */
  invokerCheck?: 'disabled' | 'enabled' | 'unchanged';
  /** Plain-language notes for the log and the report. */
  notes: string[];
}

/** The annotation gcloud keeps with the image a person asked for; updated when present (docs/platform.md "Updates and updateMask"). */
export const USER_IMAGE_ANNOTATION = 'client.knative.dev/user-image';

const INGRESS: Record<NonNullable<DeployConfig['ingress']>, IngressSetting> = {
  all: 'INGRESS_TRAFFIC_ALL',
  internal: 'INGRESS_TRAFFIC_INTERNAL_ONLY',
  'internal-and-cloud-load-balancing': 'INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER',
  none: 'INGRESS_TRAFFIC_NONE',
};

/** Labels that say who deployed what from which commit; values follow Cloud Run's label syntax. */
export function provenanceLabels(context: RunContext): Record<string, string> {
  const clean = (value: string) =>
    value
      .toLowerCase()
      .replace(/[^a-z0-9_-]+/g, '-')
      .slice(0, 63);
  return {
    'managed-by': 'stream-deploy',
    'stream-deploy-commit': clean(context.sha),
    'stream-deploy-run': clean(`${context.runId}-${context.runAttempt}`),
    'stream-deploy-actor': clean(context.actor),
    'stream-deploy-repo': clean(context.repository),
  };
}

/** The service name `projects/P/locations/L/services/S` for a config. */
export function serviceName(config: Pick<DeployConfig, 'projectId' | 'region' | 'service'>): string {
  return `projects/${config.projectId}/locations/${config.region}/services/${config.service}`;
}

/** Plans the candidate revision and its 0 % tagged traffic entry against the live service. */
/** What the planner knows of the live service beyond the service itself. */
export interface LiveAccess {
  /** The IAM policy grants roles/run.invoker to allUsers. */
  publicByBinding?: boolean;
}

export function planCandidate(
  config: DeployConfig,
  current: CloudRunService | undefined,
  context: RunContext,
  access: LiveAccess = {},
): CandidatePlan {
  const revision = `${config.service}-${config.revisionSuffix}`;
  const notes: string[] = [];
  const labels = { ...(current?.labels ?? {}), ...config.labels, 'managed-by': 'stream-deploy' };
  const template = planTemplate(config, current?.template, revision, context, notes);
  // What LATEST means now. Not necessarily what serves: a candidate rolled back earlier can be the latest ready.
  const latestReady = current?.latestReadyRevision || undefined;
  const baseline = current && latestReady ? readyTraffic(current, latestReady, notes) : [];
  let traffic: TrafficTarget[];
  let takesAllTraffic = false;
  if (!current || !latestReady) {
    // docs/platform.md "A candidate on a new service takes all traffic": the API needs 100 % somewhere, so the first revision takes all traffic.
    traffic = [{ type: 'TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION', revision, percent: 100, tag: config.tag }];
    takesAllTraffic = true;
    notes.push(
      current
        ? `Service ${config.service} has no ready revision, so ${revision} takes all traffic at once.`
        : `First deploy of ${config.service}: ${revision} takes all traffic, since no earlier revision can serve.`,
    );
  } else {
    traffic = [
      ...pinLatest(baseline, latestReady, config.tag),
      { type: 'TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION', revision, percent: 0, tag: config.tag },
    ];
    notes.push(`${revision} gets no traffic; it is reachable only through tag ${config.tag}.`);
  }
  // The live service as read, fields this code does not model included; the update sends it whole.
  const desired: CloudRunService = {
    ...(current ? structuredClone(current) : {}),
    name: serviceName(config),
    labels,
    template,
    traffic,
    client: CLIENT_NAME,
    clientVersion: CLIENT_VERSION,
  };
  const updateMask = ['template', 'traffic', 'labels', 'client', 'clientVersion'];
  // The tags of the releases this action promoted (release-tags.ts). A first revision takes all traffic at
  // once: its tag is a promoted release's from the start.
  const releaseTags = decodeTags(current?.annotations?.[TAGS_ANNOTATION]);
  const annotations: Record<string, string> = {
    ...(current?.annotations ?? {}),
    ...(config.metadata?.serviceAnnotations ?? {}),
  };
  if (takesAllTraffic) annotations[TAGS_ANNOTATION] = JSON.stringify(recordTag(releaseTags, config.tag));
  // gcloud's record of the image asked for; a stale one would name the previous image in the console.
  if (annotations[USER_IMAGE_ANNOTATION] !== undefined) annotations[USER_IMAGE_ANNOTATION] = config.image;
  if (JSON.stringify(annotations) !== JSON.stringify(current?.annotations ?? {})) {
    desired.annotations = annotations;
    updateMask.push('annotations');
  }
  const description = config.metadata?.description;
  if (description !== undefined && description !== current?.description) {
    desired.description = description;
    updateMask.push('description');
  }
  const ingress = config.ingress ? INGRESS[config.ingress] : current?.ingress;
  if (ingress) desired.ingress = ingress;
  if (config.ingress) updateMask.push('ingress');
  // docs/platform.md "Public access and IAM": public through the invoker check, in this very update.
  let invokerCheck: CandidatePlan['invokerCheck'];
  const wasDisabled = current?.invokerIamDisabled === true;
  if (config.allowUnauthenticated === true && !wasDisabled && access.publicByBinding === true) {
    // Already public through an allUsers binding: nothing to change, and no setIamPolicy permission needed.
    invokerCheck = 'unchanged';
    notes.push('The service is already public through an allUsers invoker binding; it stays as it is.');
  } else if (
    config.allowUnauthenticated === false ||
    (config.allowUnauthenticated === true && config.publicAccessMethod === 'invoker-check')
  ) {
    desired.invokerIamDisabled = config.allowUnauthenticated;
    invokerCheck =
      wasDisabled === config.allowUnauthenticated
        ? 'unchanged'
        : config.allowUnauthenticated
          ? 'disabled'
          : 'enabled';
    // Changing it needs run.services.setIamPolicy: in the mask only when it changes.
    if (invokerCheck !== 'unchanged') updateMask.push('invokerIamDisabled');
  }
  const scaling = planServiceScaling(config, current, notes);
  if (scaling) {
    desired.scaling = scaling;
    updateMask.push('scaling');
  }
  if (current?.etag) desired.etag = current.etag;
  const previousRevision =
    current && latestReady ? servingRevision(pinLatest(baseline, latestReady)) : undefined;
  return {
    action: current ? 'update' : 'create',
    desired,
    updateMask: current ? updateMask : [],
    revision,
    previousRevision,
    baselineTraffic: current ? current.traffic.map((t) => ({ ...t })) : [],
    restoreTraffic: current && latestReady ? pinLatest(baseline, latestReady) : [],
    tag: config.tag,
    takesAllTraffic,
    releaseTags,
    invokerCheck,
    pinnedLatest:
      latestReady && current?.traffic.some((t) => t.type === 'TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST')
        ? latestReady
        : undefined,
    notes,
  };
}

/**
 * The service-level warm floor to write, if any (docs/platform.md "Min instances and tags"): it counts only
 * revisions that serve, so old tagged revisions are not kept warm. Written when `min_instances` is given,
 * or when the service has none yet and the profile wants one; a floor someone set on the service stays.
 */
function planServiceScaling(
  config: DeployConfig,
  current: CloudRunService | undefined,
  notes: string[],
): CloudRunService['scaling'] | undefined {
  if (config.minInstancesLevel !== 'service') return undefined;
  const live = current?.scaling;
  const liveMin = Number(live?.minInstanceCount ?? 0);
  const wanted = config.streaming.minInstances;
  if (!config.minInstancesSet && (liveMin > 0 || wanted === 0)) return undefined;
  if (liveMin === wanted && live) return undefined;
  notes.push(
    `Service-level min instances: ${wanted} (counts only revisions that serve traffic; \`min_instances_level: service\`).`,
  );
  return { ...(live ?? {}), minInstanceCount: wanted };
}

/** The live traffic without tag-only entries that point at a revision that is not ready (a failed candidate's tag). */
function readyTraffic(current: CloudRunService, latestReady: string, notes: string[]): TrafficTarget[] {
  const failed =
    current.latestCreatedRevision && current.latestCreatedRevision !== latestReady
      ? current.latestCreatedRevision
      : undefined;
  return current.traffic.filter((t) => {
    const drop = failed !== undefined && t.revision === failed && t.percent === 0 && t.tag !== undefined;
    if (drop) notes.push(`Tag ${t.tag} pointed at ${failed}, which is not ready: it is dropped.`);
    return !drop;
  });
}

/** The revision with the largest share of the traffic (the first one on a tie): what served before this run. */
function servingRevision(traffic: TrafficTarget[]): string | undefined {
  const shares = new Map<string, number>();
  for (const t of traffic)
    if (t.revision && t.percent > 0) shares.set(t.revision, (shares.get(t.revision) ?? 0) + t.percent);
  let best: string | undefined;
  for (const [revision, percent] of shares)
    if (best === undefined || percent > (shares.get(best) as number)) best = revision;
  return best;
}

/**
 * Replaces LATEST by the ready revision's short name and, given a tag, takes it off every target
 * (docs/platform.md "--no-traffic --tag X in v2 terms"). Untagged entries that then name the same revision are merged into
 * one, as gcloud does (docs/platform.md "Traffic").
 */
function pinLatest(traffic: TrafficTarget[], latestReady: string, tag?: string): TrafficTarget[] {
  const out: TrafficTarget[] = [];
  for (const t of traffic) {
    const pinned: TrafficTarget =
      t.type === 'TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST'
        ? {
            type: 'TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION',
            revision: latestReady,
            percent: t.percent,
            ...(t.tag ? { tag: t.tag } : {}),
          }
        : { ...t };
    if (tag !== undefined && pinned.tag === tag) {
      if (pinned.percent === 0) continue;
      delete pinned.tag;
    }
    out.push(pinned);
  }
  return mergeDuplicatePercents(out);
}

/**
 * Where pinning LATEST left two entries with a share for one revision, one entry with their sum and each
 * tag on a 0 % entry of its own, as gcloud normalises a split (docs/platform.md "Traffic"). Splits
 * without duplicates come back as they were.
 */
function mergeDuplicatePercents(traffic: TrafficTarget[]): TrafficTarget[] {
  const serving = new Map<string, number>();
  for (const t of traffic)
    if (t.percent > 0 && t.revision) serving.set(t.revision, (serving.get(t.revision) ?? 0) + 1);
  if (![...serving.values()].some((n) => n > 1)) return traffic;
  const out: TrafficTarget[] = [];
  const merged = new Map<string, TrafficTarget>();
  for (const t of traffic) {
    if (!t.revision || (serving.get(t.revision) ?? 0) < 2 || t.percent === 0) {
      out.push(t);
      continue;
    }
    const into = merged.get(t.revision);
    if (into) into.percent += t.percent;
    else {
      const entry: TrafficTarget = { type: t.type, revision: t.revision, percent: t.percent };
      merged.set(t.revision, entry);
      out.push(entry);
    }
    if (t.tag) out.push({ type: t.type, revision: t.revision, percent: 0, tag: t.tag });
  }
  return out;
}

/** The streaming settings this plan writes: all of them, except (profile `none`, on an update) those the
 * user did not name, which stay as the live service has them. */
function keptLive(config: DeployConfig, live: RevisionTemplate | undefined) {
  const kept = new Set(live ? config.keepLive : []);
  return (key: keyof DeployConfig['streaming']) => kept.has(key);
}

function planTemplate(
  config: DeployConfig,
  live: RevisionTemplate | undefined,
  revision: string,
  context: RunContext,
  notes: string[],
): RevisionTemplate {
  const s = config.streaming;
  const keep = keptLive(config, live);
  const base: RevisionTemplate = live ? structuredClone(live) : { containers: [] };
  // The ingress container is the one with a port; sidecars have none (docs/platform.md "Startup probes and ports").
  const found = base.containers.findIndex((c) => (c.ports ?? []).length > 0);
  const at = found >= 0 ? found : 0;
  const liveContainer: Container = base.containers[at] ?? { image: config.image };
  const container = planContainer(config, liveContainer, keep, notes);
  const containers = [...base.containers];
  containers[at] = container;
  const volumes = planSecretVolumes(config, base, containers, at, notes);
  const scaling: NonNullable<RevisionTemplate['scaling']> = { ...(base.scaling ?? {}) };
  if (keep('minInstances')) {
    // Profile `none`: the floor stays wherever it is.
  } else if (config.minInstancesLevel === 'revision') {
    scaling.minInstanceCount = s.minInstances;
  } else if (Number(scaling.minInstanceCount ?? 0) > 0) {
    // docs/platform.md "Min instances and tags": a revision-level floor keeps every tagged revision warm.
    notes.push(
      `The revision-level min instances (${scaling.minInstanceCount}) is not carried to ${revision}: the warm floor is set on the service (\`min_instances_level: service\`).`,
    );
    delete scaling.minInstanceCount;
  }
  if (config.maxInstances !== undefined) scaling.maxInstanceCount = config.maxInstances;
  const template: RevisionTemplate = {
    ...base,
    revision,
    labels: { ...(base.labels ?? {}), ...config.labels, ...provenanceLabels(context) },
    ...(!keep('timeoutSeconds') && { timeout: `${s.timeoutSeconds}s` }),
    ...(!keep('concurrency') && { maxInstanceRequestConcurrency: s.concurrency }),
    scaling,
    ...(!keep('sessionAffinity') && { sessionAffinity: s.sessionAffinity }),
    containers,
  };
  if (volumes.length > 0) template.volumes = volumes;
  else delete template.volumes;
  if (Object.keys(scaling).length === 0) delete template.scaling;
  if (base.annotations?.[USER_IMAGE_ANNOTATION] !== undefined)
    template.annotations = { ...base.annotations, [USER_IMAGE_ANNOTATION]: config.image };
  const fromFile = config.metadata;
  if (fromFile && Object.keys(fromFile.templateAnnotations).length > 0)
    template.annotations = { ...(template.annotations ?? {}), ...fromFile.templateAnnotations };
  const vpcAccess = planVpcAccess(template.vpcAccess, config.vpc, notes);
  if (vpcAccess) template.vpcAccess = vpcAccess;
  if (config.executionEnvironment)
    template.executionEnvironment =
      config.executionEnvironment === 'gen1' ? 'EXECUTION_ENVIRONMENT_GEN1' : 'EXECUTION_ENVIRONMENT_GEN2';
  if (config.runtimeServiceAccount) template.serviceAccount = config.runtimeServiceAccount;
  return template;
}

function planContainer(
  config: DeployConfig,
  live: Container,
  keep: (key: keyof DeployConfig['streaming']) => boolean,
  notes: string[],
): Container {
  const s = config.streaming;
  const livePort = live.ports?.[0];
  const port = config.port ?? livePort?.containerPort ?? 8080;
  const limits: Record<string, string> = { ...(live.resources?.limits ?? {}) };
  if (config.cpu) limits.cpu = config.cpu;
  if (config.memory) limits.memory = config.memory;
  const resources: NonNullable<Container['resources']> = {
    ...(live.resources ?? {}),
    ...(Object.keys(limits).length > 0 ? { limits } : {}),
    // docs/platform.md "CPU always allocated": with `resources` sent, cpuIdle false means always allocated.
    ...(!keep('cpuAlwaysAllocated') && { cpuIdle: !s.cpuAlwaysAllocated }),
  };
  if (config.startupCpuBoost !== undefined) resources.startupCpuBoost = config.startupCpuBoost;
  const container: Container = {
    ...structuredClone(live),
    image: config.image,
    env: planEnv(config, live.env ?? []),
    // docs/platform.md "Port name selects the protocol": the one port is named h2c, else http1.
    ports: [
      {
        ...(livePort ?? {}),
        ...(!keep('useHttp2') && { name: s.useHttp2 ? 'h2c' : 'http1' }),
        containerPort: port,
      },
    ],
    resources,
  };
  // The `metadata` file's container fields no input covers: given, they replace the live ones.
  for (const [key, value] of Object.entries(config.metadata?.container ?? {}))
    if (value !== undefined) Object.assign(container, { [key]: structuredClone(value) });
  // docs/platform.md "Startup probes and ports": a probe on the old port would fail the new revision, as
  // gcloud's ContainerPortChange knows; probes are moved with the port.
  const oldPort = livePort?.containerPort ?? 8080;
  if (port !== oldPort) {
    for (const key of ['startupProbe', 'livenessProbe'] as const) {
      const moved = moveProbePort(container[key] as Probe | undefined, oldPort, port);
      if (moved) {
        container[key] = moved;
        notes.push(
          `The ${key === 'startupProbe' ? 'startup' : 'liveness'} probe moves from port ${oldPort} to ${port} with the container port.`,
        );
      }
    }
  }
  return container;
}

/** The probe with its port moved from `from` to `to`, or undefined when it does not check `from`. */
function moveProbePort(probe: Probe | undefined, from: number, to: number): Probe | undefined {
  if (!probe) return undefined;
  const next = structuredClone(probe);
  let moved = false;
  for (const kind of ['tcpSocket', 'httpGet', 'grpc'] as const) {
    const check = next[kind];
    if (check && Number(check.port ?? 0) === from) {
      check.port = to;
      moved = true;
    }
  }
  return moved ? next : undefined;
}

/**
 * The live env with the inputs' variables and secrets upserted, in input order, values byte for byte. An
 * `overwrite` strategy first drops the live variables of its kind (plain values, or secret references)
 * that the inputs do not name, as gcloud's `--set-env-vars` / `--set-secrets` clear the others (docs/platform.md
 * "Env and secret update strategies").
 */
export function planEnv(config: DeployConfig, live: EnvVar[]): EnvVar[] {
  const setting = new Set([...config.envVars.map((e) => e.name), ...config.secrets.map((e) => e.name)]);
  const dropped = (e: EnvVar) =>
    e.valueSource?.secretKeyRef
      ? config.secretsUpdateStrategy === 'overwrite'
      : config.envVarsUpdateStrategy === 'overwrite';
  return [
    ...live.filter((e) => !setting.has(e.name) && !dropped(e)).map((e) => structuredClone(e)),
    ...config.envVars.map((e) => ({ name: e.name, value: e.value })),
    ...config.secrets.map((e) => ({
      name: e.name,
      valueSource: { secretKeyRef: { secret: e.ref.secret, version: e.ref.version } },
    })),
  ];
}
