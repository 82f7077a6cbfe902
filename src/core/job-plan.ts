// A Cloud Run job as data: from the job settings and the live job (or none) to the v2 Job to send, and the
// overrides of one execution. Pure. The v2 UpdateJobRequest has no update mask (docs/platform.md "Cloud Run
// Jobs"): an update replaces the whole job, so it starts from the live job as read, fields this code does
// not know included, and changes only what the inputs name.
import type { DeployConfig, JobSettings, RunContext } from './config';
import type { Container, RevisionTemplate } from './cloud-run-types';
import { planSecretVolumes } from './secret-volumes';
import { planVpcAccess, type VpcAccess } from './vpc-access';
import { planEnv, provenanceLabels } from './service-plan';

/** A v2 Job as read or as planned; unknown fields are kept as read. */
export interface CloudRunJob {
  name: string;
  labels?: Record<string, string>;
  etag?: string;
  template: {
    taskCount?: number;
    parallelism?: number;
    labels?: Record<string, string>;
    template: {
      containers: Container[];
      maxRetries?: number;
      /** Duration string, e.g. "600s". */
      timeout?: string;
      serviceAccount?: string;
      [field: string]: unknown;
    };
    [field: string]: unknown;
  };
  latestCreatedExecution?: { name?: string };
  [field: string]: unknown;
}

/** RunJobRequest.overrides (needs run.jobs.runWithOverrides; the API has no command override). */
export interface RunOverrides {
  containerOverrides?: Array<{
    args?: string[];
    env?: Array<{ name: string; value: string }>;
    clearArgs?: boolean;
  }>;
  taskCount?: number;
  timeout?: string;
}

export interface JobPlan {
  action: 'create' | 'update';
  desired: CloudRunJob;
  notes: string[];
}

/** The job's full name `projects/P/locations/L/jobs/J`. */
export function jobName(config: Pick<DeployConfig, 'projectId' | 'region'>, job: JobSettings): string {
  return `projects/${config.projectId}/locations/${config.region}/jobs/${job.name}`;
}

/** Plans the job to write: the live job with the inputs' changes, or a new one. */
export function planJob(
  config: DeployConfig,
  job: JobSettings,
  current: CloudRunJob | undefined,
  context: RunContext,
): JobPlan {
  const notes: string[] = [];
  const base: CloudRunJob = current
    ? structuredClone(current)
    : { name: jobName(config, job), template: { template: { containers: [] } } };
  const task = base.template.template;
  const live: Container = task.containers[0] ?? { image: config.image };
  const limits: Record<string, string> = { ...(live.resources?.limits ?? {}) };
  if (config.cpu) limits.cpu = config.cpu;
  if (config.memory) limits.memory = config.memory;
  const container: Container = {
    ...live,
    image: config.image,
    env: planEnv(config, live.env ?? []),
    ...fileContainerFields(config),
    ...(job.args !== undefined && { args: [...job.args] }),
    ...(Object.keys(limits).length > 0 && { resources: { ...(live.resources ?? {}), limits } }),
  };
  const containers = [container, ...task.containers.slice(1)];
  // Secrets as files: the same volumes and mounts as a service revision's (docs/platform.md "Secrets as files").
  const volumes = planSecretVolumes(config, task as RevisionTemplate, containers, 0, notes);
  const vpcAccess = planVpcAccess(task.vpcAccess as VpcAccess | undefined, config.vpc, notes);
  const taskTemplate: CloudRunJob['template']['template'] = {
    ...task,
    containers,
    ...(job.maxRetries !== undefined && { maxRetries: job.maxRetries }),
    ...(job.taskTimeoutSeconds !== undefined && { timeout: `${job.taskTimeoutSeconds}s` }),
    ...(config.runtimeServiceAccount !== undefined && { serviceAccount: config.runtimeServiceAccount }),
    ...(config.executionEnvironment && {
      executionEnvironment:
        config.executionEnvironment === 'gen1' ? 'EXECUTION_ENVIRONMENT_GEN1' : 'EXECUTION_ENVIRONMENT_GEN2',
    }),
  };
  if (volumes.length > 0) taskTemplate.volumes = volumes;
  else delete taskTemplate.volumes;
  if (vpcAccess) taskTemplate.vpcAccess = vpcAccess;
  // A Job file's own annotations (outside Cloud Run's namespaces): the job's, and its execution template's.
  const jobAnnotations = config.metadata?.serviceAnnotations ?? {};
  const executionAnnotations = config.metadata?.templateAnnotations ?? {};
  const desired: CloudRunJob = {
    ...base,
    name: jobName(config, job),
    labels: { ...(base.labels ?? {}), ...config.labels, ...provenanceLabels(context) },
    ...(Object.keys(jobAnnotations).length > 0 && {
      annotations: { ...((base.annotations as Record<string, string> | undefined) ?? {}), ...jobAnnotations },
    }),
    template: {
      ...base.template,
      ...(Object.keys(executionAnnotations).length > 0 && {
        annotations: {
          ...((base.template.annotations as Record<string, string> | undefined) ?? {}),
          ...executionAnnotations,
        },
      }),
      ...(job.taskCount !== undefined && { taskCount: job.taskCount }),
      ...(job.parallelism !== undefined && { parallelism: job.parallelism }),
      template: taskTemplate,
    },
  };
  withoutOutputFields(desired);
  if (!current) notes.push(`Job ${job.name} does not exist yet: it is created.`);
  else
    notes.push(
      `Job ${job.name} is updated whole (the Jobs API takes no update mask); what the inputs do not name stays as read.`,
    );
  return { action: current ? 'update' : 'create', desired, notes };
}

/** The `metadata` file's container fields no input covers (a Job file's `command`, `name`, `workingDir`, an
 * empty `args`): given, they replace the live ones, as service-plan.ts planContainer does for a service. */
function fileContainerFields(config: DeployConfig): Partial<Container> {
  const fields: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(config.metadata?.container ?? {}))
    if (value !== undefined) fields[key] = structuredClone(value);
  return fields as Partial<Container>;
}

/** The fields of a Job the server sets: an update sends the job as read without them. */
const OUTPUT_FIELDS = [
  'uid',
  'generation',
  'createTime',
  'updateTime',
  'terminalCondition',
  'conditions',
  'reconciling',
  'observedGeneration',
  'executionCount',
];

function withoutOutputFields(job: CloudRunJob): CloudRunJob {
  for (const field of OUTPUT_FIELDS) delete job[field];
  return job;
}

/** The live job with its first container on `image` and nothing else changed (a pre-rollout job). */
export function jobOnImage(live: CloudRunJob, image: string): CloudRunJob {
  const job = withoutOutputFields(structuredClone(live));
  const [first, ...rest] = job.template.template.containers;
  job.template.template.containers = [{ ...(first ?? {}), image }, ...rest];
  return job;
}

/** The overrides of one execution, or undefined when it has none. */
export function runOverrides(job: JobSettings): RunOverrides | undefined {
  const o = job.overrides;
  if (!o) return undefined;
  const container =
    o.args !== undefined || o.env.length > 0
      ? [
          {
            ...(o.args !== undefined && { args: [...o.args] }),
            ...(o.args !== undefined && o.args.length === 0 && { clearArgs: true }),
            ...(o.env.length > 0 && { env: o.env.map((e) => ({ name: e.name, value: e.value })) }),
          },
        ]
      : undefined;
  return {
    ...(container && { containerOverrides: container }),
    ...(o.taskCount !== undefined && { taskCount: o.taskCount }),
    ...(o.timeoutSeconds !== undefined && { timeout: `${o.timeoutSeconds}s` }),
  };
}
