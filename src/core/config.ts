import type { Probe } from './cloud-run-types';
import type { GatePolicy } from './metric-gate';
import type { SmokeCriteria } from './smoke-types';
import type { PanelThresholds } from './stream-panel';

// The typed, validated configuration of one release: what parseInputs (src/inputs/) produces and what
// the pure planner and linter consume. Pure types and profile defaults; no I/O.

/** A streaming profile, or `none`: change no setting the user did not name (docs/migrating.md). */
export type Profile = 'sse' | 'websocket' | 'grpc' | 'http' | 'none';

/** How `env_vars` / `secrets` meet the live container's: `merge` sets the named ones and keeps the rest;
 * `overwrite` makes the named ones the only ones (gcloud's `--update-*` and `--set-*`, docs/platform.md
 * "Env and secret update strategies"). */
export type UpdateStrategy = 'merge' | 'overwrite';

export type ExecutionEnvironment = 'gen1' | 'gen2';

export type Ingress = 'all' | 'internal' | 'internal-and-cloud-load-balancing' | 'none';

/** How linter warnings count: `warn` logs them and goes on; `strict` makes them fatal like errors. */
export type LintLevel = 'warn' | 'strict';

/** The streaming settings a profile chooses; each can be overridden by its own input. */
export interface StreamingSettings {
  /** Request timeout in seconds, 1 to 3600 (docs/platform.md "Request timeout"). */
  timeoutSeconds: number;
  /** Max concurrent requests (open streams) per instance, 1 to 1000 (docs/platform.md "Concurrency"). */
  concurrency: number;
  /** CPU always allocated, i.e. `resources.cpuIdle = false` (docs/platform.md "CPU always allocated"). */
  cpuAlwaysAllocated: boolean;
  /** Minimum instances kept warm. */
  minInstances: number;
  /** Cookie session affinity, best effort (docs/platform.md "Session affinity"). */
  sessionAffinity: boolean;
  /** End-to-end HTTP/2: the container port is named `h2c` (docs/platform.md "Port name selects the protocol"). */
  useHttp2: boolean;
}

/** What a new service gets for the settings it is not given (docs/platform.md "Cloud Run defaults"); also
 * what a service read back without them runs with (the linter, the settings diff). */
export const CLOUD_RUN_DEFAULTS: Readonly<StreamingSettings> = {
  timeoutSeconds: 300,
  concurrency: 80,
  cpuAlwaysAllocated: false,
  minInstances: 0,
  sessionAffinity: false,
  useHttp2: false,
};

/** The defaults each profile stands for; see the linter for why. */
export const PROFILE_DEFAULTS: Readonly<Record<Profile, Readonly<StreamingSettings>>> = {
  sse: {
    timeoutSeconds: 3600,
    concurrency: 250,
    cpuAlwaysAllocated: true,
    minInstances: 1,
    sessionAffinity: false,
    useHttp2: false,
  },
  websocket: {
    timeoutSeconds: 3600,
    concurrency: 250,
    cpuAlwaysAllocated: true,
    minInstances: 1,
    sessionAffinity: true,
    useHttp2: false,
  },
  grpc: {
    timeoutSeconds: 3600,
    concurrency: 100,
    cpuAlwaysAllocated: true,
    minInstances: 1,
    sessionAffinity: false,
    useHttp2: true,
  },
  // Plain request/response: Cloud Run's own defaults.
  http: CLOUD_RUN_DEFAULTS,
  // Cloud Run's own defaults, used only on a first deploy: on an update every setting the user did not
  // name is kept as it is on the live service (`DeployConfig.keepLive`).
  none: CLOUD_RUN_DEFAULTS,
};

export type { Probe } from './cloud-run-types';

/**
 * What a Knative service.yaml or Job file (`metadata`, src/inputs/knative/) sets that no input covers; the
 * planner (service-plan.ts, job-plan.ts) writes each field given. The file's other settings arrive as the
 * inputs they map to.
 */
export interface MetadataExtras {
  /** The file's name, for notes. */
  file: string;
  container: {
    name?: string;
    command?: string[];
    args?: string[];
    workingDir?: string;
    startupProbe?: Probe;
    livenessProbe?: Probe;
  };
  /** `Service.description`. */
  description?: string;
  /** The file's own annotations (outside Cloud Run's reserved namespaces): the service's (a Job file: the
   * job's) and its revision template's (a Job file: its execution template's). */
  serviceAnnotations: Record<string, string>;
  templateAnnotations: Record<string, string>;
}

/** The `vpc_*` inputs (docs/platform.md "VPC egress"): a connector, or Direct VPC egress through a network
 * and subnet, and which traffic takes that path. */
export interface VpcSettings {
  /** Full connector name `projects/P/locations/R/connectors/NAME`. */
  connector?: string;
  network?: string;
  subnet?: string;
  /** Network tags of the Direct VPC egress interface (firewall rules match them). */
  tags?: string[];
  egress?: 'ALL_TRAFFIC' | 'PRIVATE_RANGES_ONLY';
}

/** One environment variable from a Secret Manager secret (docs/platform.md "Secret references"). */
export interface SecretRef {
  /** Secret id (`name`) or full resource name (`projects/P/secrets/NAME`). */
  secret: string;
  /** A version number or `latest`. */
  version: string;
}

/** The validated configuration of one run. Fields left undefined are not set by the user: the planner
 * keeps them as they are on the live service (or Cloud Run's default on a first deploy). */
export interface DeployConfig {
  /** Google Cloud project id. */
  projectId: string;
  /** Cloud Run region, e.g. `us-central1`. */
  region: string;
  /** Cloud Run service id (docs/platform.md "Service id"). */
  service: string;
  /** Container image reference, by tag or digest; empty in `cleanup` mode, which deploys nothing. */
  image: string;
  /** `release` deploys `image`; `cleanup` removes a closed pull request's preview (src/cleanup.ts). */
  mode: Mode;

  /** Full WIF provider name `projects/NUM/locations/global/workloadIdentityPools/POOL/providers/PROV`, if given. */
  workloadIdentityProvider?: string;
  /** Service account email to impersonate, if given. */
  serviceAccount?: string;

  profile: Profile;
  /** The profile's defaults with the user's overrides applied. */
  streaming: StreamingSettings;
  /** The streaming settings the planner takes from the live service instead of `streaming` (profile
   * `none`: the ones the user did not name); empty for the other profiles. */
  keepLive: ReadonlyArray<keyof StreamingSettings>;
  maxInstances?: number;
  /** CPU limit as Cloud Run writes it: `1`, `2`, `4`, `6`, `8`, or a fraction like `0.5` / `500m`. */
  cpu?: string;
  /** Memory limit like `512Mi` or `2Gi`. */
  memory?: string;
  executionEnvironment?: ExecutionEnvironment;
  startupCpuBoost?: boolean;
  /** Container port, 1 to 65535. */
  port?: number;

  /** Plain env vars, in input order; values kept byte for byte (commas, `=`, JSON). */
  envVars: ReadonlyArray<{ name: string; value: string }>;
  /** `merge`: `envVars` are set and the live container's other plain variables kept; `overwrite`: the
   * plain variables become exactly `envVars`. */
  envVarsUpdateStrategy: UpdateStrategy;
  /** Env vars from Secret Manager. */
  secrets: ReadonlyArray<{ name: string; ref: SecretRef }>;
  /** Secret Manager secrets mounted as files: `path` is the file's absolute path; its directory is the
   * mount, its name the item (gcloud's mapping, docs/platform.md "Secrets as files"). */
  secretMounts: ReadonlyArray<{ path: string; ref: SecretRef }>;
  /** `merge`: the named secrets are set, the live container's other secret variables and secret volumes
   * kept; `overwrite`: they become exactly `secrets` and `secretMounts`. */
  secretsUpdateStrategy: UpdateStrategy;
  /** Labels the user sets on the service and its revisions. */
  labels: Readonly<Record<string, string>>;
  /** Runtime service account email (`template.serviceAccount`). */
  runtimeServiceAccount?: string;
  ingress?: Ingress;
  /** true: make the service public by `publicAccessMethod`; false: clear `invokerIamDisabled` and remove an
   * `allUsers` invoker binding; undefined: leave access as it is. */
  allowUnauthenticated?: boolean;
  /** How `allowUnauthenticated: true` makes the service public: `invoker-check` sets `invokerIamDisabled: true`
   * (Google's recommended way, which works under the Domain Restricted Sharing policy); `iam-binding` adds
   * `allUsers` as roles/run.invoker (docs/platform.md "Public access and IAM"). */
  publicAccessMethod: PublicAccessMethod;
  /** Where the warm floor `streaming.minInstances` goes: `service` on `Service.scaling.minInstanceCount`
   * (counts only revisions in the split), `revision` on `template.scaling.minInstanceCount` (every revision
   * in the split or with a tag keeps that many warm, billed instances)
   * (docs/platform.md "Min instances and tags"). */
  minInstancesLevel: MinInstancesLevel;
  /** True when the user gave `min_instances`; false when `streaming.minInstances` is the profile's default. */
  minInstancesSet: boolean;

  /** The candidate's traffic tag (docs/platform.md "Tag"). */
  tag: string;
  /** Revision name suffix: the revision is `SERVICE-SUFFIX` (docs/platform.md "Revision names"). */
  revisionSuffix: string;
  lintLevel: LintLevel;
  /** Total deadline for one Cloud Run operation, in seconds. */
  deployTimeoutSeconds: number;

  /** The streaming smoke test through the tag URL; undefined when `smoke_protocol: none`. */
  smoke?: SmokeCriteria;
  /** Probe this URL instead of the tag URL (an explicit opt-in; it never receives the ID token). */
  smokeUrl?: string;
  /** Leave a candidate that failed the smoke test tagged (for debugging) instead of removing its tag. */
  keepFailedCandidate: boolean;

  /** `candidate`: stop after the smoke test (PR previews); `immediate`: then 100 %; `progressive`: in steps. */
  rollout: Rollout;
  /** The candidate's percent at each step, ascending, 1 to 100 (ending below 100: a partial canary). */
  trafficSteps: number[];
  /**
   * A release to several regions (`regions`/`waves`, src/multi-region.ts): the regions in waves, wave 1 the
   * canary wave whose first region is `region`; later waves take `waveTrafficSteps` and `waveStepWaitMs`.
   */
  waves?: string[][];
  waveTrafficSteps?: number[];
  waveStepWaitMs?: number[];
  /** Bake time after each step, in ms, one per step. */
  stepWaitMs: number[];
  /** End the promotion with LATEST at 100 % (later deploys then go live at once); default off. */
  followLatest: boolean;
  /** How many of this action's own release tags stay on the service after a promotion (the current
   * release's counts), at least 1; older ones it made are removed, tags it did not make are never touched. */
  keepReleaseTags: number;
  /** Let `rollout: candidate` create a missing service, whose first revision takes 100 % (docs/platform.md
   * "A candidate on a new service takes all traffic"); without it such a preview is refused before any write. */
  candidateCreatesService: boolean;
  /** The checks of each traffic step beyond the light smoke rounds: the stream-health panel, the Monitoring
   * and Logging gates, and the policy for their answers (src/inputs/gates.ts). */
  gates: GateSettings;

  /** `mode: job`: the Cloud Run job to create or update and how to execute it (src/inputs/job.ts). */
  job?: JobSettings;
  /** A release's pre-rollout job (`before_rollout_job`): run with the candidate's image before traffic moves. */
  beforeRolloutJob?: { name: string; deadlineSeconds: number };
  /** VPC access of the service's revisions or the job's tasks (`vpc_*`); undefined: as it is. */
  vpc?: VpcSettings;
  /** The load balancer in front: checked before the deploy, smoke-tested through at the last step. */
  loadBalancer: {
    use: GateUse;
    /** The URL the last step smoke-tests through the load balancer; default `https://HOST` from the URL map. */
    url?: string;
  };

  /** Where the release is reported; each part can be turned off. */
  reporting: {
    /** The job's token (`github_token`), empty when none: GitHub reporting is then skipped with a warning. */
    githubToken: string;
    /** The sticky comment on pull requests (`comment_on_pr`). */
    comment: boolean;
    /** The comment on the commit for other events (`comment_on_commit`); needs `contents: write`. */
    commentOnCommit: boolean;
    summary: boolean;
    deployment: boolean;
  };

  /** What the `metadata` file sets beyond the inputs it maps to; undefined without one. */
  metadata?: MetadataExtras;
  /** Where a setting's value came from when the `metadata` file gave it, by input name
   * (`service.yaml:12 (spec.template.spec.timeoutSeconds)`), so findings about it cite the line. */
  origins: Readonly<Record<string, string>>;

  /** Inputs that were accepted but are ignored or risky in this combination, each `` `input_name`: … ``;
   * logged as warnings before the release starts. */
  inputWarnings: readonly string[];
}

export type Rollout = 'progressive' | 'candidate' | 'immediate';

/** An optional gate: used when the role allows it (`auto`, a denied read says skipped), never, or required
 * (a denied read fails the step). */
export type GateUse = 'auto' | 'off' | 'required';

export interface GateSettings {
  /** Synthetic streams per arm (candidate and baseline tag URLs) of the stream-health panel; 0 turns it off. */
  panelStreams: number;
  /** Short probe streams per second on each arm of the panel (first event, failed opens, early ends); 0: none. */
  panelProbes: number;
  panelThresholds: PanelThresholds;
  /** The Cloud Monitoring gate: request counts by response class, candidate against baseline. */
  metrics: GateUse;
  /** The Cloud Logging gate: the candidate's ERROR lines, 5xx request logs and crashes since the step began. */
  logs: GateUse;
  /** How long after a moment Cloud Monitoring has its points (docs/platform.md "Cloud Run metrics: sampling and delay"). */
  metricsDelayMs: number;
  policy: GatePolicy;
}

export type Mode = 'release' | 'cleanup' | 'job';

export type PublicAccessMethod = 'invoker-check' | 'iam-binding';

export type MinInstancesLevel = 'service' | 'revision';

/** The smoke protocol each profile probes by default (gRPC: grpc.health.v1 Check and Watch); its path and
 * the other defaults are the protocol's (core/smoke-rules.ts). */
export const PROFILE_SMOKE: Readonly<Record<Profile, { protocol: SmokeCriteria['protocol'] }>> = {
  sse: { protocol: 'sse' },
  websocket: { protocol: 'websocket' },
  grpc: { protocol: 'grpc' },
  http: { protocol: 'http' },
  none: { protocol: 'sse' },
};

/** The keys of the labels the action adds to the service and its revisions (`provenanceLabels` in
 * src/core/service-plan.ts); they count against Google Cloud's 64 labels per resource. */
export const PROVENANCE_LABEL_KEYS = [
  'managed-by',
  'stream-deploy-commit',
  'stream-deploy-run',
  'stream-deploy-actor',
  'stream-deploy-repo',
] as const;

/** What the run knows about where it runs (GitHub context), for defaults and labels. */
export interface RunContext {
  /** `owner/repo`. */
  repository: string;
  /** Full commit SHA. */
  sha: string;
  /** `pull_request`, `push`, `workflow_dispatch`, … */
  eventName: string;
  /** Pull request number when the event is a pull request. */
  pullRequest?: number;
  /** The pull request's head commit (`pull_request.head.sha`): on pull request events GITHUB_SHA is a merge commit. */
  headSha?: string;
  runId: string;
  runAttempt: string;
  actor: string;
}

/** A Cloud Run job and its execution (`mode: job`, docs/platform.md "Cloud Run Jobs"). Unset fields keep
 * the live job's value (Cloud Run's default on a first deploy). */
export interface JobSettings {
  /** The job id. */
  name: string;
  taskCount?: number;
  /** Tasks at once; 0 means as many as possible. */
  parallelism?: number;
  maxRetries?: number;
  taskTimeoutSeconds?: number;
  /** The container's args, replacing the image's CMD. */
  args?: string[];
  /** `after-deploy` runs an execution once the job is written and waits for it; `never` only writes the job. */
  execute: 'after-deploy' | 'never';
  /** What this execution changes (RunJobRequest.overrides; needs run.jobs.runWithOverrides). */
  overrides?: {
    args?: string[];
    env: ReadonlyArray<{ name: string; value: string }>;
    taskCount?: number;
    timeoutSeconds?: number;
  };
  /** How long the step waits for the execution to finish before it cancels it and fails. */
  deadlineSeconds: number;
  /** A Cloud Scheduler job that runs this job on a cron schedule, created or updated in the same run. */
  schedule?: {
    cron: string;
    timeZone: string;
    /** The account whose OAuth token the scheduler sends to the Run API (it needs run.jobs.run on the job). */
    serviceAccount: string;
  };
}
