// What the Admin API fake keeps for Cloud Run jobs: a record per job with its executions and their tasks,
// the lookups that answer NOT_FOUND as Google words it, each record's REST form (job.proto,
// execution.proto, task.proto) and the pure rules a Job body is checked against.
import type { TaskAttemptHandle } from '../model';
import { ApiError } from './google-errors';
import type { OperationRecord } from './operations';
import type { ApiState } from './records';
import { durationSeconds, type Json } from './service-rules';
import { volumeProblems, vpcAccessProblems } from './template-rules';

export const JOB_TYPE = 'google.cloud.run.v2.Job';
export const EXECUTION_TYPE = 'google.cloud.run.v2.Execution';
export const TASK_TYPE = 'google.cloud.run.v2.Task';

export type TaskState = 'pending' | 'running' | 'succeeded' | 'failed' | 'cancelled';

export interface TaskRecord {
  index: number;
  uid: string;
  state: TaskState;
  /** Attempts that failed and were retried (Task.retried). */
  retried: number;
  createTime: string;
  startTime?: string;
  completionTime?: string;
  /** TaskAttemptResult of the last finished attempt. */
  lastAttemptResult?: Json;
  /** Why the task failed, as Google words it ("The container exited with an error."). */
  failure?: string;
  current?: TaskAttemptHandle;
}

export interface ExecutionRecord {
  id: string;
  name: string;
  uid: string;
  creator: string;
  createTime: string;
  startTime?: string;
  completionTime?: string;
  updateTime: string;
  labels: Json;
  annotations: Json;
  /** The TaskTemplate with the run's overrides applied. */
  template: Json;
  taskCount: number;
  parallelism: number;
  tasks: TaskRecord[];
  retriedCount: number;
  state: 'running' | 'succeeded' | 'failed' | 'cancelled';
  cancelling: boolean;
  /** The RunJob operation: metadata follows the execution, done when it completes. */
  op: OperationRecord;
  /** Cancel operations waiting for the execution to stop. */
  cancelOps: OperationRecord[];
  /** Resolves when the execution has completed. */
  finished: Promise<void>;
  etag: string;
}

export interface JobRecord {
  project: string;
  location: string;
  id: string;
  name: string;
  uid: string;
  spec: Json;
  generation: number;
  observedGeneration: number;
  createTime: string;
  updateTime: string;
  etag: string;
  creator: string;
  lastModifier: string;
  terminalCondition: Json;
  executions: Map<string, ExecutionRecord>;
  executionCount: number;
}

/** The job with that full name, or NOT_FOUND in Google's words. */
export function mustGetJob(state: ApiState, name: string): JobRecord {
  const job = state.jobs.get(name);
  if (!job) {
    const [, project, , location, , id] = name.split('/');
    throw new ApiError(
      'NOT_FOUND',
      `Resource '${id}' of kind 'JOB' in region '${location}' in project '${project}' does not exist.`,
    );
  }
  return job;
}

export function mustGetExecution(state: ApiState, jobName: string, id: string): ExecutionRecord {
  const e = mustGetJob(state, jobName).executions.get(id);
  if (!e) {
    const [, project, , location] = jobName.split('/');
    throw new ApiError(
      'NOT_FOUND',
      `Resource '${id}' of kind 'EXECUTION' in region '${location}' in project '${project}' does not exist.`,
    );
  }
  return e;
}

export function mustGetTask(state: ApiState, jobName: string, execution: string, task: string): TaskRecord {
  const e = mustGetExecution(state, jobName, execution);
  const m = new RegExp(`^${execution}-task(\\d+)$`).exec(task);
  const t = m ? e.tasks[Number(m[1])] : undefined;
  if (!t) {
    const [, project, , location] = jobName.split('/');
    throw new ApiError(
      'NOT_FOUND',
      `Resource '${task}' of kind 'TASK' in region '${location}' in project '${project}' does not exist.`,
    );
  }
  return t;
}

/** proto3 JSON leaves zero numbers out, as Google's answers do. */
function nonZero(out: Json, key: string, value: number): void {
  if (value) out[key] = value;
}

/** The Cloud Console URL of an execution's tasks, where Google's logUri points. */
function consoleUri(job: JobRecord, execution: string): string {
  return `https://console.cloud.google.com/run/jobs/executions/details/${job.location}/${execution}/tasks?project=${job.project}`;
}

export function renderJob(job: JobRecord): Json {
  const spec = structuredClone(job.spec);
  const out: Json = {
    name: job.name,
    uid: job.uid,
    generation: String(job.generation),
    labels: spec.labels ?? {},
    annotations: spec.annotations ?? {},
    createTime: job.createTime,
    updateTime: job.updateTime,
    creator: job.creator,
    lastModifier: job.lastModifier,
    launchStage: spec.launchStage ?? 'GA',
    template: spec.template,
    observedGeneration: String(job.observedGeneration),
    terminalCondition: job.terminalCondition,
    conditions: [],
    reconciling: job.observedGeneration < job.generation,
    etag: job.etag,
  };
  for (const f of ['client', 'clientVersion', 'binaryAuthorization']) {
    if (spec[f] !== undefined) out[f] = spec[f];
  }
  nonZero(out, 'executionCount', job.executionCount);
  const latest = [...job.executions.values()].pop();
  if (latest) {
    const status = {
      running: 'EXECUTION_RUNNING',
      succeeded: 'EXECUTION_SUCCEEDED',
      failed: 'EXECUTION_FAILED',
      cancelled: 'EXECUTION_CANCELLED',
    }[latest.state];
    out.latestCreatedExecution = {
      name: latest.name,
      createTime: latest.createTime,
      ...(latest.completionTime ? { completionTime: latest.completionTime } : {}),
      completionStatus: status,
    };
  }
  return out;
}

export function renderExecution(job: JobRecord, e: ExecutionRecord): Json {
  const count = (s: TaskState): number => e.tasks.filter((t) => t.state === s).length;
  const out: Json = {
    name: e.name,
    uid: e.uid,
    creator: e.creator,
    generation: '1',
    labels: e.labels,
    annotations: e.annotations,
    createTime: e.createTime,
    updateTime: e.updateTime,
    launchStage: 'GA',
    job: job.name,
    taskCount: e.taskCount,
    template: e.template,
    reconciling: e.state === 'running',
    conditions: executionConditions(e),
    observedGeneration: '1',
    logUri: consoleUri(job, e.id),
    etag: e.etag,
  };
  nonZero(out, 'parallelism', e.parallelism);
  if (e.startTime) out.startTime = e.startTime;
  if (e.completionTime) out.completionTime = e.completionTime;
  nonZero(out, 'runningCount', count('running'));
  nonZero(out, 'succeededCount', count('succeeded'));
  nonZero(out, 'failedCount', count('failed'));
  nonZero(out, 'cancelledCount', count('cancelled'));
  nonZero(out, 'retriedCount', e.retriedCount);
  return out;
}

/** The first failed task's message, as gcloud prints it (googlecodelabs/feedback#1369). */
export function executionFailure(e: ExecutionRecord): string | undefined {
  const t = e.tasks.find((task) => task.state === 'failed');
  return t ? `Task ${e.id}-task${t.index} failed with message: ${t.failure}` : undefined;
}

function executionConditions(e: ExecutionRecord): Json[] {
  const at = e.completionTime ?? e.updateTime;
  const started = { type: 'Started', state: 'CONDITION_SUCCEEDED', lastTransitionTime: e.startTime ?? at };
  const resources = { type: 'ResourcesAvailable', state: 'CONDITION_SUCCEEDED', lastTransitionTime: at };
  const done = e.tasks.filter((t) => t.state === 'succeeded').length;
  let completed: Json;
  if (e.state === 'running') {
    completed = {
      type: 'Completed',
      state: 'CONDITION_RECONCILING',
      message: `${done} / ${e.taskCount} complete`,
      lastTransitionTime: at,
      ...(e.cancelling ? { executionReason: 'CANCELLING' } : {}),
    };
  } else if (e.state === 'succeeded') {
    completed = {
      type: 'Completed',
      state: 'CONDITION_SUCCEEDED',
      message: `Execution completed successfully: ${done} / ${e.taskCount} tasks succeeded.`,
      lastTransitionTime: at,
    };
  } else if (e.state === 'cancelled') {
    completed = {
      type: 'Completed',
      state: 'CONDITION_FAILED',
      message: 'The execution was cancelled.',
      executionReason: 'CANCELLED',
      severity: 'ERROR',
      lastTransitionTime: at,
    };
  } else {
    const failed = e.tasks.find((t) => t.state === 'failed');
    completed = {
      type: 'Completed',
      state: 'CONDITION_FAILED',
      message: executionFailure(e),
      severity: 'ERROR',
      lastTransitionTime: at,
      ...(failed?.lastAttemptResult?.exitCode ? { executionReason: 'NON_ZERO_EXIT_CODE' } : {}),
    };
  }
  return [completed, resources, started];
}

export function renderTask(job: JobRecord, e: ExecutionRecord, t: TaskRecord): Json {
  const taskTemplate = e.template;
  const out: Json = {
    name: `${e.name}/tasks/${e.id}-task${t.index}`,
    uid: t.uid,
    generation: '1',
    labels: e.labels,
    annotations: e.annotations,
    createTime: t.createTime,
    scheduledTime: t.createTime,
    updateTime: t.completionTime ?? t.startTime ?? t.createTime,
    job: job.name,
    execution: e.name,
    containers: taskTemplate.containers,
    maxRetries: taskTemplate.maxRetries ?? 3,
    timeout: taskTemplate.timeout,
    serviceAccount: taskTemplate.serviceAccount,
    reconciling: t.state === 'pending' || t.state === 'running',
    conditions: taskConditions(t),
    observedGeneration: '1',
    logUri: consoleUri(job, e.id),
    etag: `"${t.uid.slice(0, 8)}"`,
  };
  if (taskTemplate.executionEnvironment) out.executionEnvironment = taskTemplate.executionEnvironment;
  nonZero(out, 'index', t.index);
  nonZero(out, 'retried', t.retried);
  if (t.startTime) out.startTime = t.startTime;
  if (t.completionTime) out.completionTime = t.completionTime;
  if (t.lastAttemptResult) out.lastAttemptResult = t.lastAttemptResult;
  return out;
}

function taskConditions(t: TaskRecord): Json[] {
  const at = t.completionTime ?? t.startTime ?? t.createTime;
  const state = {
    pending: 'CONDITION_PENDING',
    running: 'CONDITION_RECONCILING',
    succeeded: 'CONDITION_SUCCEEDED',
    failed: 'CONDITION_FAILED',
    cancelled: 'CONDITION_FAILED',
  }[t.state];
  const message =
    t.state === 'failed' ? t.failure : t.state === 'cancelled' ? 'The task was cancelled.' : undefined;
  return [
    {
      type: 'Completed',
      state,
      lastTransitionTime: at,
      ...(message ? { message } : {}),
      ...(t.state === 'cancelled' ? { executionReason: 'CANCELLED' } : {}),
    },
  ];
}

/** Env names the job runtime contract sets (cloud.google.com/run/docs/container-contract): reserved. */
export const RESERVED_JOB_ENV = [
  'CLOUD_RUN_JOB',
  'CLOUD_RUN_EXECUTION',
  'CLOUD_RUN_TASK_INDEX',
  'CLOUD_RUN_TASK_COUNT',
  'CLOUD_RUN_TASK_ATTEMPT',
];

/** Job id: lowercase letters, digits and '-', starting with a letter, not ending with '-', ≤ 63. */
export function jobIdProblem(id: string): string | undefined {
  if (/^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/.test(id)) return undefined;
  return `Invalid job id '${id}': it must use only lowercase alphanumeric characters and dashes, start with a letter, not end with a dash, and be at most 63 characters.`;
}

/**
 * Limits on an ExecutionTemplate (job.template) and its TaskTemplate; `request` names the method in the
 * v2 API's `Violation in …` messages (template-rules.ts).
 */
export function executionTemplateProblems(
  t: Json | undefined,
  request: 'CreateJobRequest' | 'UpdateJobRequest' = 'CreateJobRequest',
): string[] {
  if (!t) return ['job.template: is required.'];
  const problems: string[] = [];
  const taskCount = Number(t.taskCount ?? 1);
  if (!Number.isInteger(taskCount) || taskCount < 1 || taskCount > 10_000)
    problems.push(`job.template.task_count: must be between 1 and 10000, got ${String(t.taskCount)}.`);
  const parallelism = Number(t.parallelism ?? 0);
  if (!Number.isInteger(parallelism) || parallelism < 0)
    problems.push(`job.template.parallelism: must not be negative, got ${String(t.parallelism)}.`);
  const task = t.template as Json | undefined;
  if (!task) return [...problems, 'job.template.template: is required.'];
  return [
    ...problems,
    ...taskTemplateProblems(task, 'job.template.template', `${request}.job.template.template`),
  ];
}

/** A TaskTemplate's rules; `violationWhere` is its request path for the VPC and volume rules. */
export function taskTemplateProblems(
  task: Json,
  where: string,
  violationWhere = `CreateJobRequest.${where}`,
): string[] {
  const problems: string[] = [];
  const maxRetries = task.maxRetries === undefined ? 3 : Number(task.maxRetries);
  if (!Number.isInteger(maxRetries) || maxRetries < 0 || maxRetries > 10)
    problems.push(`${where}.max_retries: must be between 0 and 10, got ${String(task.maxRetries)}.`);
  if (task.timeout !== undefined) problems.push(...timeoutProblems(task.timeout, `${where}.timeout`));
  const containers = (task.containers ?? []) as Json[];
  if (containers.length === 0) problems.push(`${where}.containers: at least one container is required.`);
  containers.forEach((c, i) => {
    if (!c.image) problems.push(`${where}.containers[${i}].image: is required.`);
    problems.push(...envProblems(c.env, `${where}.containers[${i}].env`));
  });
  problems.push(...volumeProblems(task, violationWhere));
  problems.push(...vpcAccessProblems(task.vpcAccess, `${violationWhere}.vpc_access`));
  return problems;
}

/** A task timeout: at most 168 hours (cloud.google.com/run/docs/configuring/task-timeout), above 0. */
export function timeoutProblems(value: unknown, where: string): string[] {
  const seconds = durationSeconds(value);
  if (!(seconds > 0) || seconds > 168 * 3600)
    return [`${where}: must be a duration above 0s and at most 168 hours (604800s), got ${String(value)}.`];
  return [];
}

export function envProblems(env: unknown, where: string): string[] {
  return ((env ?? []) as Json[])
    .filter((e) => RESERVED_JOB_ENV.includes(String(e.name)))
    .map(
      (e) =>
        `${where}: the environment variable '${String(e.name)}' is reserved by the job runtime contract and cannot be set.`,
    );
}
