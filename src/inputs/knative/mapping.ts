// THE mapping from a Cloud Run Knative YAML (the v1 API's YAML: a service.yaml, or a Job) to this action's
// inputs and the v2 fields no input covers. One row per annotation, with every level Cloud Run accepts it
// at, on a service and on a job; one row per field. docs/platform.md "Knative service.yaml" gives each row's
// public source. A key that is in no table is refused, naming it and its line: a silent drop would deploy a
// service or job other than the one the file describes.

/**
 * Where Cloud Run accepts an annotation: a Service's metadata (`service`) or its revision template's
 * (`template`, `spec.template.metadata`); a Job's metadata (`job`) or its execution template's
 * (`execution`, `spec.template.metadata`).
 */
export type Level = 'service' | 'template' | 'job' | 'execution';

/** What a file describes: a Cloud Run service or a Cloud Run job. */
export type Kind = 'service' | 'job';

/** Each kind's two annotation levels: the resource's own, then its template's. */
export const KIND_LEVELS: Readonly<Record<Kind, readonly [Level, Level]>> = {
  service: ['service', 'template'],
  job: ['job', 'execution'],
};

/** Where a level's annotations sit in the file, for messages. */
export const LEVEL_PLACES: Readonly<Record<Level, string>> = {
  service: 'service (`metadata.annotations`)',
  template: 'revision template (`spec.template.metadata.annotations`)',
  job: 'job (`metadata.annotations`)',
  execution: 'execution template (`spec.template.metadata.annotations`)',
};

/** The v2 resource whose field a level's annotation becomes, for messages (an execution template's are the Job's). */
export const V2_RESOURCES: Readonly<Record<Level, string>> = {
  service: 'Service',
  template: 'RevisionTemplate',
  job: 'Job',
  execution: 'Job',
};

/** What a value becomes. */
export type Target =
  /** The action input of that name, with the value converted to the input's syntax (undefined: invalid). */
  | { input: string; convert?: (value: string) => string | undefined; also?: Record<string, string> }
  /** A v2 field no input covers (the planner writes it; see MetadataExtras in core/config.ts), or a JSON
   * annotation read into several inputs (`networkInterfaces`: `vpc_network`, `vpc_subnet`, `vpc_network_tags`). */
  | { extra: 'description' | 'networkInterfaces' }
  /** Accepted and not applied: the action does this itself, or it is output only. */
  | { ignored: string }
  /** A real v2 field of the resource at that level that this action does not translate yet: refused, so the
   * file is never half applied. */
  | { untranslated: true }
  /** Refused, for the reason given (it does not exist on this kind of resource, or this action cannot take it). */
  | { refused: string };

export interface AnnotationRule {
  key: string;
  /** Every level Cloud Run accepts it at; a Service file reads the service levels, a Job file the job levels. */
  levels: readonly Level[];
  to: Target;
  /** The public source (docs/platform.md "Knative service.yaml" quotes it). */
  source: string;
}

const YAML_REF = 'cloud.google.com/run/docs/reference/yaml/v1';
const V1_REST = 'cloud.google.com/run/docs/reference/rest/v1/namespaces.services (ObjectMeta.annotations)';
/** The v1 ObjectMeta reference lists, for each system annotation, the resource types that accept it
 * (Service, Revision, Job, Execution); an execution template's metadata is an Execution's. */
const V1_META =
  'cloud.google.com/run/docs/reference/rest/v1/ObjectMeta (annotations: the resource types each key is accepted on)';
const V1_EXECUTION =
  'cloud.google.com/run/docs/reference/rest/v1/namespaces.jobs (ExecutionTemplateSpec.metadata)';

const inverted = (value: string) => (value === 'true' ? 'false' : value === 'false' ? 'true' : undefined);
const same = (value: string) => value;
const wholeNumber = (value: string) => (/^[0-9]+$/.test(value) ? value : undefined);
const seconds = (value: string) => (/^[0-9]+$/.test(value) ? `${value}s` : undefined);
const FROM_TOOL = 'written by the deploying tool (this action writes its own)';

/** Every annotation Cloud Run accepts on a service, a job or their templates, with what it becomes here. */
export const ANNOTATIONS: readonly AnnotationRule[] = [
  // Service level.
  { key: 'run.googleapis.com/ingress', levels: ['service'], to: { input: 'ingress' }, source: YAML_REF },
  {
    key: 'run.googleapis.com/ingress-status',
    levels: ['service'],
    to: { ignored: 'output only: what Cloud Run applied' },
    source: V1_REST,
  },
  {
    key: 'run.googleapis.com/description',
    levels: ['service'],
    to: { extra: 'description' },
    source: YAML_REF,
  },
  {
    key: 'run.googleapis.com/minScale',
    levels: ['service'],
    to: { input: 'min_instances', also: { min_instances_level: 'service' } },
    source: YAML_REF,
  },
  {
    key: 'run.googleapis.com/invoker-iam-disabled',
    levels: ['service'],
    to: {
      input: 'allow_unauthenticated',
      convert: (v) => (v === 'true' || v === 'false' ? v : undefined),
      also: { public_access_method: 'invoker-check' },
    },
    source: YAML_REF,
  },
  // Service and job level.
  {
    key: 'run.googleapis.com/launch-stage',
    levels: ['service', 'job'],
    to: { ignored: 'the v2 API takes every GA field without it' },
    source: `${YAML_REF}; ${V1_META}`,
  },
  {
    key: 'run.googleapis.com/client-name',
    levels: ['service', 'template', 'job', 'execution'],
    to: { ignored: FROM_TOOL },
    source: `${V1_REST}; ${V1_META} ("All resources")`,
  },
  {
    key: 'run.googleapis.com/client-version',
    levels: ['service', 'job'],
    to: { ignored: FROM_TOOL },
    source: V1_REST,
  },
  {
    key: 'run.googleapis.com/binary-authorization',
    levels: ['service', 'job', 'execution'],
    to: { untranslated: true },
    source: `${YAML_REF}; ${V1_META}`,
  },
  {
    key: 'run.googleapis.com/binary-authorization-breakglass',
    levels: ['service', 'job'],
    to: { untranslated: true },
    source: `${YAML_REF}; ${V1_META}`,
  },
  ...[
    'run.googleapis.com/maxScale',
    'run.googleapis.com/custom-audiences',
    'run.googleapis.com/default-url-disabled',
    'run.googleapis.com/iap-enabled',
    'run.googleapis.com/scalingMode',
    'run.googleapis.com/manualInstanceCount',
    'run.googleapis.com/gc-traffic-tags',
    'run.googleapis.com/function-target',
  ].map((key): AnnotationRule => ({
    key,
    levels: ['service'],
    to: { untranslated: true },
    source: YAML_REF,
  })),
  // Revision template level.
  {
    key: 'autoscaling.knative.dev/minScale',
    levels: ['template'],
    to: { input: 'min_instances', also: { min_instances_level: 'revision' } },
    source: YAML_REF,
  },
  {
    key: 'autoscaling.knative.dev/maxScale',
    levels: ['template'],
    to: { input: 'max_instances' },
    source: YAML_REF,
  },
  {
    key: 'run.googleapis.com/cpu-throttling',
    levels: ['template'],
    to: { input: 'cpu_always_allocated', convert: inverted },
    source: 'cloud.google.com/run/docs/configuring/cpu-allocation#yaml',
  },
  {
    key: 'run.googleapis.com/startup-cpu-boost',
    levels: ['template'],
    to: { input: 'startup_cpu_boost', convert: same },
    source: YAML_REF,
  },
  {
    key: 'run.googleapis.com/sessionAffinity',
    levels: ['template'],
    to: { input: 'session_affinity', convert: same },
    source: YAML_REF,
  },
  // Revision and execution template level.
  {
    key: 'run.googleapis.com/execution-environment',
    levels: ['template', 'execution'],
    to: { input: 'execution_environment', convert: same },
    source: `${YAML_REF}; ${V1_META}`,
  },
  {
    key: 'run.googleapis.com/vpc-access-connector',
    levels: ['template', 'execution'],
    to: { input: 'vpc_connector' },
    source: `${YAML_REF}; ${V1_EXECUTION}`,
  },
  {
    key: 'run.googleapis.com/vpc-access-egress',
    levels: ['template', 'execution'],
    to: {
      input: 'vpc_egress',
      convert: (v) => (v === 'all-traffic' || v === 'private-ranges-only' ? v : undefined),
    },
    source: `${YAML_REF}; ${V1_EXECUTION}`,
  },
  {
    key: 'run.googleapis.com/network-interfaces',
    levels: ['template', 'execution'],
    to: { extra: 'networkInterfaces' },
    source: `${YAML_REF}; ${V1_META}`,
  },
  ...['run.googleapis.com/cloudsql-instances', 'run.googleapis.com/encryption-key'].map(
    (key): AnnotationRule => ({
      key,
      levels: ['template', 'execution'],
      to: { untranslated: true },
      source: `${YAML_REF}; ${V1_META}`,
    }),
  ),
  ...[
    'run.googleapis.com/encryption-key-shutdown-hours',
    'run.googleapis.com/post-key-revocation-action-type',
    'run.googleapis.com/container-dependencies',
    'run.googleapis.com/gpu-zonal-redundancy-disabled',
    'run.googleapis.com/health-check-disabled',
    'run.googleapis.com/base-images',
    'run.googleapis.com/scaling-cpu-target',
    'run.googleapis.com/scaling-concurrency-target',
  ].map((key): AnnotationRule => ({
    key,
    levels: ['template'],
    to: { untranslated: true },
    source: YAML_REF,
  })),
];

/**
 * Annotations that do not exist, with what was meant. `run.googleapis.com/timeout` is in circulation (a seed
 * document of this project used it): Cloud Run ignores nothing here, the v1 API refuses it, and a tool that
 * dropped it would leave the 300 s default that cuts every stream at five minutes.
 */
export const NOT_ANNOTATIONS: Readonly<Record<Kind, Readonly<Record<string, string>>>> = {
  service: {
    'run.googleapis.com/timeout':
      'is not a Cloud Run annotation; the request timeout is `spec.template.spec.timeoutSeconds` (without it, streams are cut at the 300 s default)',
    'run.googleapis.com/concurrency':
      'is not a Cloud Run annotation; concurrency is `spec.template.spec.containerConcurrency`',
    'run.googleapis.com/cpu-always-allocated':
      'is not a Cloud Run annotation; CPU allocation is `run.googleapis.com/cpu-throttling: "false"` on the template',
    'run.googleapis.com/session-affinity':
      'is not a Cloud Run annotation; session affinity is `run.googleapis.com/sessionAffinity` on the template',
    'autoscaling.knative.dev/min-scale':
      'is upstream Knative spelling that Cloud Run does not accept; use `autoscaling.knative.dev/minScale`',
    'autoscaling.knative.dev/max-scale':
      'is upstream Knative spelling that Cloud Run does not accept; use `autoscaling.knative.dev/maxScale`',
  },
  job: {
    'run.googleapis.com/timeout':
      "is not a Cloud Run annotation; a task's timeout is `spec.template.spec.template.spec.timeoutSeconds` (default 600 s)",
  },
};

/** The annotation namespaces Cloud Run reserves: a key under them that is not in the tables is refused. */
export const RESERVED_ANNOTATION_DOMAINS = [
  'run.googleapis.com',
  'autoscaling.knative.dev',
  'serving.knative.dev',
  'cloud.googleapis.com',
];

/** The rule for a key at a level, if Cloud Run accepts it there, and the key's row whatever its levels. */
export function annotationRule(key: string, level: Level): { here?: AnnotationRule; row?: AnnotationRule } {
  const row = ANNOTATIONS.find((r) => r.key === key);
  return { here: row?.levels.includes(level) ? row : undefined, row };
}

type Field = Target | { walk: string };

/** Container fields: what each becomes (the translator reads the ones marked `walk` itself). */
export const CONTAINER_FIELDS: Readonly<Record<string, Field>> = {
  image: { input: 'image' },
  name: { walk: 'container name (v2 `containers[].name`)' },
  command: { walk: 'v2 `containers[].command`' },
  args: { walk: 'v2 `containers[].args`' },
  workingDir: { walk: 'v2 `containers[].workingDir`' },
  ports: { walk: 'one port: `port`, and `use_http2` when it is named h2c' },
  env: { walk: '`env_vars`, and `secrets` for `valueFrom.secretKeyRef`' },
  resources: { walk: '`cpu` and `memory` from `limits`' },
  volumeMounts: { walk: 'secret volumes become `secrets` file lines' },
  startupProbe: { walk: 'v2 `containers[].startupProbe`' },
  livenessProbe: { walk: 'v2 `containers[].livenessProbe`' },
  readinessProbe: {
    refused:
      'Cloud Run services take startup and liveness probes; a readiness probe is refused by the v1 API',
  },
};

const NOT_ON_A_TASK =
  "a Cloud Run job's container serves no requests, so it has no ports and no probes (the v1 TaskSpec disallows fields of its container); remove it";

/** How a job's container differs from a service's (the rest is CONTAINER_FIELDS). */
export const JOB_CONTAINER_FIELDS: Readonly<Record<string, Field>> = {
  args: { walk: '`args`, one argument per line' },
  ports: { refused: NOT_ON_A_TASK },
  startupProbe: { refused: NOT_ON_A_TASK },
  livenessProbe: { refused: NOT_ON_A_TASK },
  readinessProbe: { refused: NOT_ON_A_TASK },
};

/** Revision spec fields (`spec.template.spec`). */
export const TEMPLATE_SPEC_FIELDS: Readonly<Record<string, Field>> = {
  containerConcurrency: { input: 'concurrency', convert: same },
  timeoutSeconds: { input: 'timeout', convert: seconds },
  serviceAccountName: { input: 'runtime_service_account' },
  containers: { walk: 'the ingress container' },
  volumes: { walk: 'secret volumes' },
};

/** A Job's spec (`spec`): the v1 JobSpec. */
export const JOB_SPEC_FIELDS: Readonly<Record<string, Field>> = {
  template: { walk: 'the execution template' },
  startExecutionToken: {
    refused: 'starts an execution when the job is written; this action executes the job itself (`execute`)',
  },
  runExecutionToken: {
    refused: 'runs an execution when the job is written; this action executes the job itself (`execute`)',
  },
};

/** An execution template's spec (`spec.template.spec`): the v1 ExecutionSpec. */
export const EXECUTION_SPEC_FIELDS: Readonly<Record<string, Field>> = {
  parallelism: { input: 'parallelism', convert: wholeNumber },
  taskCount: { input: 'task_count', convert: wholeNumber },
  template: { walk: 'the task template (`spec` only)' },
};

/** A task template's spec (`spec.template.spec.template.spec`): the v1 TaskSpec. */
export const TASK_SPEC_FIELDS: Readonly<Record<string, Field>> = {
  maxRetries: { input: 'max_retries', convert: wholeNumber },
  timeoutSeconds: { input: 'task_timeout', convert: seconds },
  serviceAccountName: { input: 'runtime_service_account' },
  containers: { walk: 'the one container' },
  volumes: { walk: 'secret volumes' },
};
