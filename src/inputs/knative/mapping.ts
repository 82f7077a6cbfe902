// THE mapping from a Cloud Run Knative service.yaml (the v1 API's YAML) to this action's inputs and the v2
// fields no input covers. One row per annotation, one per field; docs/platform.md "Knative service.yaml"
// gives each row's public source. A key that is in neither table is refused, naming it and its line: a
// silent drop would deploy a service other than the one the file describes.

/** Where Cloud Run accepts an annotation: on the Service's metadata, or on the revision template's. */
export type Level = 'service' | 'template';

/** What a value becomes. */
export type Target =
  /** The action input of that name, with the value converted to the input's syntax (undefined: invalid). */
  | { input: string; convert?: (value: string) => string | undefined; also?: Record<string, string> }
  /** A v2 field no input covers (the planner writes it; see MetadataExtras in core/config.ts), or a JSON
   * annotation read into several inputs (`networkInterfaces`: `vpc_network`, `vpc_subnet`, `vpc_network_tags`). */
  | { extra: 'description' | 'networkInterfaces' }
  /** Accepted and not applied: the action does this itself, or it is output only. */
  | { ignored: string }
  /** A real v2 field this action does not translate yet: refused, so the file is never half applied. */
  | { untranslated: string };

export interface AnnotationRule {
  key: string;
  level: Level;
  to: Target;
  /** The public source (docs/platform.md "Knative service.yaml" quotes it). */
  source: string;
}

const YAML_REF = 'cloud.google.com/run/docs/reference/yaml/v1';
const V1_REST = 'cloud.google.com/run/docs/reference/rest/v1/namespaces.services (ObjectMeta.annotations)';

const inverted = (value: string) => (value === 'true' ? 'false' : value === 'false' ? 'true' : undefined);
const same = (value: string) => value;

/** Every annotation Cloud Run accepts on a service or its template, with what it becomes here. */
export const ANNOTATIONS: readonly AnnotationRule[] = [
  // Service level.
  { key: 'run.googleapis.com/ingress', level: 'service', to: { input: 'ingress' }, source: YAML_REF },
  {
    key: 'run.googleapis.com/ingress-status',
    level: 'service',
    to: { ignored: 'output only: what Cloud Run applied' },
    source: V1_REST,
  },
  { key: 'run.googleapis.com/description', level: 'service', to: { extra: 'description' }, source: YAML_REF },
  {
    key: 'run.googleapis.com/minScale',
    level: 'service',
    to: { input: 'min_instances', also: { min_instances_level: 'service' } },
    source: YAML_REF,
  },
  {
    key: 'run.googleapis.com/invoker-iam-disabled',
    level: 'service',
    to: {
      input: 'allow_unauthenticated',
      convert: (v) => (v === 'true' || v === 'false' ? v : undefined),
      also: { public_access_method: 'invoker-check' },
    },
    source: YAML_REF,
  },
  {
    key: 'run.googleapis.com/launch-stage',
    level: 'service',
    to: { ignored: 'the v2 API takes every GA field without it' },
    source: YAML_REF,
  },
  {
    key: 'run.googleapis.com/client-name',
    level: 'service',
    to: { ignored: 'written by the deploying tool (this action writes its own)' },
    source: V1_REST,
  },
  {
    key: 'run.googleapis.com/client-version',
    level: 'service',
    to: { ignored: 'written by the deploying tool (this action writes its own)' },
    source: V1_REST,
  },
  ...[
    'run.googleapis.com/maxScale',
    'run.googleapis.com/binary-authorization',
    'run.googleapis.com/binary-authorization-breakglass',
    'run.googleapis.com/custom-audiences',
    'run.googleapis.com/default-url-disabled',
    'run.googleapis.com/iap-enabled',
    'run.googleapis.com/scalingMode',
    'run.googleapis.com/manualInstanceCount',
    'run.googleapis.com/gc-traffic-tags',
    'run.googleapis.com/function-target',
  ].map((key): AnnotationRule => ({
    key,
    level: 'service',
    to: { untranslated: 'a v2 Service field this action does not write from a file yet' },
    source: YAML_REF,
  })),
  // Template (revision) level.
  {
    key: 'autoscaling.knative.dev/minScale',
    level: 'template',
    to: { input: 'min_instances', also: { min_instances_level: 'revision' } },
    source: YAML_REF,
  },
  {
    key: 'autoscaling.knative.dev/maxScale',
    level: 'template',
    to: { input: 'max_instances' },
    source: YAML_REF,
  },
  {
    key: 'run.googleapis.com/cpu-throttling',
    level: 'template',
    to: { input: 'cpu_always_allocated', convert: inverted },
    source: 'cloud.google.com/run/docs/configuring/cpu-allocation#yaml',
  },
  {
    key: 'run.googleapis.com/startup-cpu-boost',
    level: 'template',
    to: { input: 'startup_cpu_boost', convert: same },
    source: YAML_REF,
  },
  {
    key: 'run.googleapis.com/sessionAffinity',
    level: 'template',
    to: { input: 'session_affinity', convert: same },
    source: YAML_REF,
  },
  {
    key: 'run.googleapis.com/execution-environment',
    level: 'template',
    to: { input: 'execution_environment', convert: same },
    source: YAML_REF,
  },
  {
    key: 'run.googleapis.com/vpc-access-connector',
    level: 'template',
    to: { input: 'vpc_connector' },
    source: YAML_REF,
  },
  {
    key: 'run.googleapis.com/vpc-access-egress',
    level: 'template',
    to: {
      input: 'vpc_egress',
      convert: (v) => (v === 'all-traffic' || v === 'private-ranges-only' ? v : undefined),
    },
    source: YAML_REF,
  },
  {
    key: 'run.googleapis.com/network-interfaces',
    level: 'template',
    to: { extra: 'networkInterfaces' },
    source: YAML_REF,
  },
  {
    key: 'run.googleapis.com/client-name',
    level: 'template',
    to: { ignored: 'written by the deploying tool (this action writes its own)' },
    source: V1_REST,
  },
  ...[
    'run.googleapis.com/cloudsql-instances',
    'run.googleapis.com/encryption-key',
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
    level: 'template',
    to: { untranslated: 'a v2 RevisionTemplate field this action does not write from a file yet' },
    source: YAML_REF,
  })),
];

/**
 * Annotations that do not exist, with what was meant. `run.googleapis.com/timeout` is in circulation (a seed
 * document of this project used it): Cloud Run ignores nothing here, the v1 API refuses it, and a tool that
 * dropped it would leave the 300 s default that cuts every stream at five minutes.
 */
export const NOT_ANNOTATIONS: Readonly<Record<string, string>> = {
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
};

/** The annotation namespaces Cloud Run reserves: a key under them that is not in the tables is refused. */
export const RESERVED_ANNOTATION_DOMAINS = [
  'run.googleapis.com',
  'autoscaling.knative.dev',
  'serving.knative.dev',
  'cloud.googleapis.com',
];

/** The rule for a key at a level, and the rule for it at the other level (to say where it belongs). */
export function annotationRule(
  key: string,
  level: Level,
): { here?: AnnotationRule; elsewhere?: AnnotationRule } {
  return {
    here: ANNOTATIONS.find((r) => r.key === key && r.level === level),
    elsewhere: ANNOTATIONS.find((r) => r.key === key && r.level !== level),
  };
}

/** Container fields: what each becomes (the translator reads the ones marked `walk` itself). */
export const CONTAINER_FIELDS: Readonly<Record<string, Target | { walk: string }>> = {
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
    untranslated:
      'Cloud Run services take startup and liveness probes; a readiness probe is refused by the v1 API',
  },
};

/** Revision spec fields (`spec.template.spec`). */
export const TEMPLATE_SPEC_FIELDS: Readonly<Record<string, Target | { walk: string }>> = {
  containerConcurrency: { input: 'concurrency', convert: same },
  timeoutSeconds: { input: 'timeout', convert: (v) => (/^[0-9]+$/.test(v) ? `${v}s` : undefined) },
  serviceAccountName: { input: 'runtime_service_account' },
  containers: { walk: 'the ingress container' },
  volumes: { walk: 'secret volumes' },
};
