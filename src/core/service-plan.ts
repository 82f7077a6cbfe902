// The candidate deploy as data: from the validated config and the live service (or none) to the Cloud
// Run v2 Service to send. This is gcloud's `--no-traffic --tag X` in v2 terms (FACTS.md): an explicit
// revision name, LATEST pinned to the ready revision by short name, tag X moved onto the new revision
// at 0 %. Fields the user did not set stay as they are on the live service.
import type { DeployConfig, RunContext } from './config';
import type {
  CloudRunService,
  Container,
  EnvVar,
  IngressSetting,
  RevisionTemplate,
  TrafficTarget,
} from './cloud-run-types';

export interface CandidatePlan {
  /** `create` on a first deploy, else `update`. */
  action: 'create' | 'update';
  /** The service to send (spec fields only), with the etag read from the live service. */
  desired: CloudRunService;
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
  /** True when the candidate takes all traffic at once because nothing else can serve (FACTS.md "first deploy"). */
  takesAllTraffic: boolean;
  /** Plain-language notes for the log and the report. */
  notes: string[];
}

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
export function planCandidate(
  config: DeployConfig,
  current: CloudRunService | undefined,
  context: RunContext,
): CandidatePlan {
  const revision = `${config.service}-${config.revisionSuffix}`;
  const labels = { ...(current?.labels ?? {}), ...config.labels, 'managed-by': 'stream-deploy' };
  const template = planTemplate(config, current?.template, revision, context);
  const notes: string[] = [];
  // What LATEST means now. Not necessarily what serves: a candidate rolled back earlier can be the latest ready.
  const latestReady = current?.latestReadyRevision || undefined;
  let traffic: TrafficTarget[];
  let takesAllTraffic = false;
  if (!current || !latestReady) {
    // FACTS.md "first deploy": the API needs 100 % somewhere, so the first revision takes all traffic.
    traffic = [{ type: 'TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION', revision, percent: 100, tag: config.tag }];
    takesAllTraffic = true;
    notes.push(
      current
        ? `Service ${config.service} has no ready revision, so ${revision} takes all traffic at once.`
        : `First deploy of ${config.service}: ${revision} takes all traffic, since no earlier revision can serve.`,
    );
  } else {
    traffic = [
      ...pinLatest(current.traffic, latestReady, config.tag),
      { type: 'TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION', revision, percent: 0, tag: config.tag },
    ];
    notes.push(`${revision} gets no traffic; it is reachable only through tag ${config.tag}.`);
  }
  const desired: CloudRunService = {
    name: serviceName(config),
    labels,
    template,
    traffic,
  };
  if (current?.annotations && Object.keys(current.annotations).length > 0)
    desired.annotations = { ...current.annotations };
  const ingress = config.ingress ? INGRESS[config.ingress] : current?.ingress;
  if (ingress) desired.ingress = ingress;
  if (current?.invokerIamDisabled !== undefined) desired.invokerIamDisabled = current.invokerIamDisabled;
  if (current?.customAudiences?.length) desired.customAudiences = [...current.customAudiences];
  if (current?.etag) desired.etag = current.etag;
  const previousRevision =
    current && latestReady ? servingRevision(pinLatest(current.traffic, latestReady)) : undefined;
  return {
    action: current ? 'update' : 'create',
    desired,
    revision,
    previousRevision,
    baselineTraffic: current ? current.traffic.map((t) => ({ ...t })) : [],
    restoreTraffic: current && latestReady ? pinLatest(current.traffic, latestReady) : [],
    tag: config.tag,
    takesAllTraffic,
    notes,
  };
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

/** Replaces LATEST by the ready revision's short name and, given a tag, takes it off every target (FACTS.md "--no-traffic --tag X in v2 terms"). */
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
  return out;
}

function planTemplate(
  config: DeployConfig,
  live: RevisionTemplate | undefined,
  revision: string,
  context: RunContext,
): RevisionTemplate {
  const s = config.streaming;
  const base: RevisionTemplate = live ? structuredClone(live) : { containers: [] };
  const liveContainer: Container = base.containers[0] ?? { image: config.image };
  const container = planContainer(config, liveContainer);
  const template: RevisionTemplate = {
    ...base,
    revision,
    labels: { ...(base.labels ?? {}), ...config.labels, ...provenanceLabels(context) },
    timeout: `${s.timeoutSeconds}s`,
    maxInstanceRequestConcurrency: s.concurrency,
    scaling: {
      ...(base.scaling ?? {}),
      minInstanceCount: s.minInstances,
      ...(config.maxInstances !== undefined ? { maxInstanceCount: config.maxInstances } : {}),
    },
    sessionAffinity: s.sessionAffinity,
    containers: [container, ...base.containers.slice(1)],
  };
  if (config.executionEnvironment)
    template.executionEnvironment =
      config.executionEnvironment === 'gen1' ? 'EXECUTION_ENVIRONMENT_GEN1' : 'EXECUTION_ENVIRONMENT_GEN2';
  if (config.runtimeServiceAccount) template.serviceAccount = config.runtimeServiceAccount;
  return template;
}

function planContainer(config: DeployConfig, live: Container): Container {
  const s = config.streaming;
  const livePort = live.ports?.[0];
  const limits: Record<string, string> = { ...(live.resources?.limits ?? {}) };
  if (config.cpu) limits.cpu = config.cpu;
  if (config.memory) limits.memory = config.memory;
  const resources: NonNullable<Container['resources']> = {
    ...(Object.keys(limits).length > 0 ? { limits } : {}),
    // FACTS.md "CPU always allocated": with `resources` sent, cpuIdle false means always allocated.
    cpuIdle: !s.cpuAlwaysAllocated,
  };
  const boost = config.startupCpuBoost ?? live.resources?.startupCpuBoost;
  if (boost !== undefined) resources.startupCpuBoost = boost;
  return {
    ...structuredClone(live),
    image: config.image,
    env: planEnv(config, live.env ?? []),
    // FACTS.md "end-to-end HTTP/2": the one port is named h2c, else http1.
    ports: [
      { name: s.useHttp2 ? 'h2c' : 'http1', containerPort: config.port ?? livePort?.containerPort ?? 8080 },
    ],
    resources,
  };
}

/** The live env with the inputs' variables and secrets upserted, in input order, values byte for byte. */
function planEnv(config: DeployConfig, live: EnvVar[]): EnvVar[] {
  const setting = new Set([...config.envVars.map((e) => e.name), ...config.secrets.map((e) => e.name)]);
  return [
    ...live.filter((e) => !setting.has(e.name)).map((e) => structuredClone(e)),
    ...config.envVars.map((e) => ({ name: e.name, value: e.value })),
    ...config.secrets.map((e) => ({
      name: e.name,
      valueSource: { secretKeyRef: { secret: e.ref.secret, version: e.ref.version } },
    })),
  ];
}
