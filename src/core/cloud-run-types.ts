// The part of the Cloud Run Admin API v2 Service the core reads and writes, as plain JSON (lowerCamel
// field names, string enum names, Durations as strings like "3600s"). Adapters convert to and from the
// client library's objects. Field meanings: docs/platform.md "JSON field names".

export type TrafficType = 'TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST' | 'TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION';

export interface TrafficTarget {
  type: TrafficType;
  /** Short revision name; absent for LATEST. */
  revision?: string;
  percent: number;
  tag?: string;
}

export interface TrafficStatus extends TrafficTarget {
  /** The tag's URL, read from the platform, never built (docs/platform.md "Tag URLs"). */
  uri?: string;
}

export interface EnvVar {
  name: string;
  value?: string;
  valueSource?: { secretKeyRef: { secret: string; version: string } };
}

export interface Container {
  image: string;
  command?: string[];
  args?: string[];
  env?: EnvVar[];
  ports?: Array<{ name?: string; containerPort?: number }>;
  resources?: { limits?: Record<string, string>; cpuIdle?: boolean; startupCpuBoost?: boolean };
  /** New services get a default TCP probe with an explicit port (docs/platform.md "Startup probes and ports"). */
  startupProbe?: Probe;
  livenessProbe?: Probe;
  volumeMounts?: Array<Record<string, unknown>>;
  workingDir?: string;
  name?: string;
}

/** A container probe; only the port fields matter to the planner. */
export interface Probe {
  tcpSocket?: { port?: number };
  httpGet?: { port?: number; path?: string; [key: string]: unknown };
  grpc?: { port?: number; service?: string };
  [key: string]: unknown;
}

export interface RevisionTemplate {
  revision?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  /** Revision-level scaling; the REST API may hold more keys than these (kept as read). */
  scaling?: { minInstanceCount?: number; maxInstanceCount?: number; [restOnly: string]: unknown };
  /** Duration string, e.g. "3600s". */
  timeout?: string;
  serviceAccount?: string;
  containers: Container[];
  volumes?: Array<Record<string, unknown>>;
  executionEnvironment?:
    'EXECUTION_ENVIRONMENT_UNSPECIFIED' | 'EXECUTION_ENVIRONMENT_GEN1' | 'EXECUTION_ENVIRONMENT_GEN2';
  maxInstanceRequestConcurrency?: number;
  sessionAffinity?: boolean;
  vpcAccess?: import('./vpc-access').VpcAccess;
}

export type IngressSetting =
  | 'INGRESS_TRAFFIC_ALL'
  | 'INGRESS_TRAFFIC_INTERNAL_ONLY'
  | 'INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER'
  | 'INGRESS_TRAFFIC_NONE';

export interface Condition {
  type?: string;
  state?: string;
  message?: string;
  reason?: string;
  revisionReason?: string;
}

/** A Cloud Run v2 Service as read (status fields present) or as planned (spec fields only). */
export interface CloudRunService {
  /** Full name: projects/P/locations/L/services/S. */
  name: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  /** User-provided description, at most 512 characters. */
  description?: string;
  ingress?: IngressSetting;
  template: RevisionTemplate;
  traffic: TrafficTarget[];
  /** True: anyone may invoke the service, no IAM check (docs/platform.md "Public access and IAM"). */
  invokerIamDisabled?: boolean;
  customAudiences?: string[];
  /** Service-level scaling: `minInstanceCount` counts only revisions in the split (docs/platform.md "Min instances and tags"). */
  scaling?: { minInstanceCount?: number; [other: string]: unknown };
  /** The tool that last deployed, e.g. `stream-deploy`, and its version. */
  client?: string;
  clientVersion?: string;
  etag?: string;
  /** Fields this code does not model (iapEnabled, binaryAuthorization, REST-only fields, …): kept as read. */
  [other: string]: unknown;
  // Status, on services read from the API:
  uri?: string;
  /** Every URL of the service (a deterministic one and a hashed one on Google). */
  urls?: string[];
  generation?: number;
  observedGeneration?: number;
  reconciling?: boolean;
  /** Short revision names (the adapter strips the full resource name, docs/platform.md "Status revision names"). */
  latestReadyRevision?: string;
  latestCreatedRevision?: string;
  trafficStatuses?: TrafficStatus[];
  terminalCondition?: Condition;
}
