// Contracts between the emulator's parts: the control plane (api/), the auth fakes (auth/) and the data
// plane (data-plane/). Each part depends on these interfaces, never on another part's internals, and
// emulator.ts wires the real implementations together.

/** What a bearer token on the Cloud Run API or on a service URL turned out to be. */
export interface AccessTokenInfo {
  /** `principal://…` for a direct-WIF federated token, or the service account email. */
  principal: string;
  kind: 'federated' | 'service-account';
  /** Epoch milliseconds. */
  expiresAt: number;
}

/** Claims of an ID token minted by the IAM Credentials fake (`generateIdToken`). */
export interface IdTokenClaims {
  iss: string;
  aud: string;
  sub: string;
  email?: string;
  /** Epoch seconds, as in a JWT. */
  exp: number;
  iat: number;
}

/** Checks tokens minted by the auth fakes. Implemented in auth/. */
export interface TokenVerifier {
  /** An access token from STS or IAM Credentials that is known and not expired, else undefined. */
  verifyAccessToken(token: string): AccessTokenInfo | undefined;
  /** An ID token with a valid signature that is not expired, else undefined. */
  verifyIdToken(token: string): IdTokenClaims | undefined;
}

/** Everything the data plane needs to run one revision (a Cloud Run v2 RevisionTemplate, resolved). */
export interface RevisionRuntimeSpec {
  /** Full service name: projects/P/locations/L/services/S. */
  service: string;
  serviceId: string;
  /** Short revision name, e.g. `api-00002-abc`. */
  revision: string;
  image: string;
  /** Container `command` / `args` overrides from the template, if any. */
  command?: string[];
  args?: string[];
  /** The revision's env with secrets already resolved; PORT and K_* are added by the data plane. */
  env: Record<string, string>;
  /** containers[0].ports[0].containerPort, default 8080 (the data plane maps it to a free local port). */
  containerPort: number;
  /** `h2c` means end-to-end HTTP/2 (docs/platform.md "Port name selects the protocol"). */
  portName: 'http1' | 'h2c';
  /** template.timeout in seconds: every request, stream or socket is cut after this. */
  timeoutSeconds: number;
  /** Max concurrent requests per instance (template.maxInstanceRequestConcurrency, 0 -> 80). */
  concurrency: number;
  minInstances: number;
  maxInstances: number;
  sessionAffinity: boolean;
  /** How long a new instance has to start listening before the revision fails. */
  startupDeadlineMs: number;
}

export type RevisionFailureReason =
  | 'CONTAINER_MISSING'
  | 'HEALTH_CHECK_CONTAINER_ERROR'
  | 'CONTAINER_PERMISSION_DENIED'
  | 'MIN_INSTANCES_NOT_PROVISIONED';

export type RevisionStartResult =
  { ready: true } | { ready: false; reason: RevisionFailureReason; message: string };

/** How requests to one service are routed. Percents are resolved (no LATEST) and sum to 100. */
export interface ServiceRouting {
  service: string;
  serviceId: string;
  ingress:
    | 'INGRESS_TRAFFIC_ALL'
    | 'INGRESS_TRAFFIC_INTERNAL_ONLY'
    | 'INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER'
    | 'INGRESS_TRAFFIC_NONE';
  split: Array<{ revision: string; percent: number }>;
  tags: Array<{ tag: string; revision: string }>;
  /**
   * Warm floors (min instances) per revision, as the control plane computed them (docs/platform.md "Min
   * instances and tags"); a started revision not listed has none. Omitted: floors stay as they are.
   */
  warm?: WarmFloor[];
}

/** Why a revision keeps warm instances: its own min while in the split or tagged, or the service's min. */
export type WarmReason = 'revision-min+split' | 'revision-min+tag' | 'service-min';

export interface WarmFloor {
  revision: string;
  instances: number;
  reason: WarmReason;
}

/** Local URLs of a service: each one its own 127.0.0.1 port. */
export interface ServiceUrls {
  /** The deterministic URL (Service.uri). */
  uri: string;
  /** Service.urls: the deterministic URL, then the hash URL (docs/platform.md "Service URLs"). */
  urls: string[];
  tagUris: Record<string, string>;
}

/** Result of the invoker check for one request to a service URL. */
export type InvokerDecision = { allow: true } | { allow: false; status: 401 | 403; message: string };

/** Decides whether a request to a service may pass (invoker IAM). Implemented by emulator.ts. */
export type InvokerCheck = (service: string, authorization: string | undefined) => InvokerDecision;

/** The data plane: revision processes and the router. Implemented in data-plane/. */
export interface DataPlane {
  /** Starts the revision's min instances (at least one, to check readiness); resolves when ready or failed. */
  startRevision(spec: RevisionRuntimeSpec): Promise<RevisionStartResult>;
  /** Kills every instance of the revision (deleted revision). `revision` is the short name. */
  stopRevision(service: string, revision: string): Promise<void>;
  /** Applies routing; idempotent. The service URL and each tag URL keep their port across calls. */
  route(routing: ServiceRouting): Promise<ServiceUrls>;
  /** Stops listening on the service's URLs and kills its instances. */
  removeService(service: string): Promise<void>;
  /** Closes every listener and kills every process. */
  close(): Promise<void>;
}

/** One attempt of one task of a Cloud Run job execution, resolved for the data plane. */
export interface TaskAttemptSpec {
  /** Full job name: projects/P/locations/L/jobs/J. */
  job: string;
  jobId: string;
  /** Short execution name, e.g. `nightly-x7kqp`. */
  execution: string;
  taskIndex: number;
  taskCount: number;
  /** 0 for the first attempt (CLOUD_RUN_TASK_ATTEMPT). */
  attempt: number;
  image: string;
  args?: string[];
  /** The container's env with the overrides merged; the CLOUD_RUN_* variables are added by the runner. */
  env: Record<string, string>;
  /** The task timeout (per attempt): SIGTERM when it passes, SIGKILL after the grace. */
  timeoutMs: number;
  /** The container's volumes as files, materialised under a per-attempt root (README "Secret volumes in job tasks"). */
  mounts?: TaskMount[];
  /** Set when the instance cannot start (an env secret could not be fetched): logged, and nothing runs. */
  startupError?: string;
}

/** One volume mount of a task attempt: the files it holds under its mount path. */
export interface TaskMount {
  /** The absolute path the container sees, e.g. `/secrets/db`. */
  mountPath: string;
  /** Files by path relative to the mount; a secret version that cannot be read has none. */
  files: Array<{ path: string; content: string; mode: number }>;
  /** An `emptyDir` volume the task may write to; secret volumes are read-only. */
  writable: boolean;
}

/** How an attempt ended: its exit code, the signal that ended it, or an image the catalogue lacks. */
export type TaskAttemptOutcome =
  | { kind: 'exited'; exitCode: number; timedOut: boolean; cancelled: boolean }
  | { kind: 'signaled'; signal: number; timedOut: boolean; cancelled: boolean }
  | { kind: 'missing-image' }
  | { kind: 'startup-failed'; message: string };

export interface TaskAttemptHandle {
  /** Resolves once the process has exited. */
  done: Promise<TaskAttemptOutcome>;
  /** Cancellation: SIGTERM, then SIGKILL after the grace; `done` reports `cancelled`. */
  cancel(): void;
}

/** Runs job task attempts as local processes. Implemented in data-plane/job-tasks.ts. */
export interface TaskRunner {
  /** Whether the image reference resolves (job creation fails with CONTAINER_MISSING otherwise). */
  hasImage(image: string): boolean;
  start(spec: TaskAttemptSpec): TaskAttemptHandle;
}
