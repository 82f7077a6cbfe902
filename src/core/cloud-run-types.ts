// The part of the Cloud Run Admin API v2 Service the core reads and writes, as plain JSON (lowerCamel
// field names, string enum names, Durations as strings like "3600s"). Adapters convert to and from the
// client library's objects. Field meanings: FACTS.md, Cloud Run Admin API v2.

export type TrafficType = 'TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST' | 'TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION';

export interface TrafficTarget {
  type: TrafficType;
  /** Short revision name; absent for LATEST. */
  revision?: string;
  percent: number;
  tag?: string;
}

export interface TrafficStatus extends TrafficTarget {
  /** The tag's URL, read from the platform, never built (FACTS.md "tag URLs"). */
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
  startupProbe?: Record<string, unknown>;
  livenessProbe?: Record<string, unknown>;
  volumeMounts?: Array<Record<string, unknown>>;
  workingDir?: string;
  name?: string;
}

export interface RevisionTemplate {
  revision?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  scaling?: { minInstanceCount?: number; maxInstanceCount?: number };
  /** Duration string, e.g. "3600s". */
  timeout?: string;
  serviceAccount?: string;
  containers: Container[];
  volumes?: Array<Record<string, unknown>>;
  executionEnvironment?:
    'EXECUTION_ENVIRONMENT_UNSPECIFIED' | 'EXECUTION_ENVIRONMENT_GEN1' | 'EXECUTION_ENVIRONMENT_GEN2';
  maxInstanceRequestConcurrency?: number;
  sessionAffinity?: boolean;
  vpcAccess?: Record<string, unknown>;
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
  ingress?: IngressSetting;
  template: RevisionTemplate;
  traffic: TrafficTarget[];
  invokerIamDisabled?: boolean;
  customAudiences?: string[];
  etag?: string;
  // Status, on services read from the API:
  uri?: string;
  generation?: number;
  observedGeneration?: number;
  reconciling?: boolean;
  /** Short revision names (the adapter strips the full resource name, FACTS.md "revision names in status"). */
  latestReadyRevision?: string;
  latestCreatedRevision?: string;
  trafficStatuses?: TrafficStatus[];
  terminalCondition?: Condition;
}
