// Cloud Run jobs: create, get, list, update (PATCH, whole Job, allowMissing, etag) and delete, each
// write a long-running operation whose metadata and response are the Job (job.proto). A job whose image
// the registry (the image catalogue) lacks ends its operation failed with reason CONTAINER_MISSING, as
// Cloud Run reports it ("Image '…' not found.", PrefectHQ/prefect#21712).
import { randomBytes, randomUUID } from 'node:crypto';
import { ApiError } from './google-errors';
import {
  JOB_TYPE,
  executionTemplateProblems,
  jobIdProblem,
  mustGetJob,
  renderJob,
  type JobRecord,
} from './job-records';
import { anyOf } from './operations';
import { stamp, type ApiState } from './records';
import type { Json } from './service-rules';
import { unreadableSecret } from './task-secrets';

/** Fields of a Job a caller may set; everything else in a request body is output-only and ignored. */
const MUTABLE_JOB_FIELDS = [
  'labels',
  'annotations',
  'client',
  'clientVersion',
  'launchStage',
  'binaryAuthorization',
  'template',
  'startExecutionToken',
  'runExecutionToken',
];

const RESERVED_PREFIXES = [
  'run.googleapis.com',
  'cloud.googleapis.com',
  'serving.knative.dev',
  'autoscaling.knative.dev',
];

export function listJobs(state: ApiState, project: string, location: string): Json[] {
  return [...state.jobs.values()]
    .filter((j) => j.project === project && j.location === location)
    .sort((a, b) => a.id.localeCompare(b.id))
    .map((j) => renderJob(j));
}

/** Jobs create: checks id and body, records the job, answers an operation done once the image is checked. */
export function createJob(
  state: ApiState,
  project: string,
  location: string,
  jobId: string,
  body: Json,
  validateOnly: boolean,
  principal: string,
  request: 'CreateJobRequest' | 'UpdateJobRequest' = 'CreateJobRequest',
): Json {
  const idProblem = jobIdProblem(jobId);
  if (idProblem) throw new ApiError('INVALID_ARGUMENT', idProblem);
  const name = `projects/${project}/locations/${location}/jobs/${jobId}`;
  if (state.jobs.has(name)) throw new ApiError('ALREADY_EXISTS', `Resource '${jobId}' already exists.`);
  const spec = checkedSpec(state, body, request);
  const now = stamp(state);
  const job: JobRecord = {
    project,
    location,
    id: jobId,
    name,
    uid: randomUUID(),
    spec,
    generation: 1,
    observedGeneration: 0,
    createTime: now,
    updateTime: now,
    etag: newEtag(),
    creator: principal,
    lastModifier: principal,
    terminalCondition: { type: 'Ready', state: 'CONDITION_RECONCILING', lastTransitionTime: now },
    executions: new Map(),
    executionCount: 0,
  };
  if (!validateOnly) state.jobs.set(name, job);
  return reconcileJob(state, job, validateOnly);
}

/** Jobs update (PATCH): the body is the whole desired Job (UpdateJobRequest has no update mask). */
export function updateJob(
  state: ApiState,
  name: string,
  body: Json,
  allowMissing: boolean,
  validateOnly: boolean,
  principal: string,
): Json {
  const job = state.jobs.get(name);
  if (!job) {
    if (!allowMissing) mustGetJob(state, name);
    const [, project, , location, , id] = name.split('/');
    return createJob(state, project, location, id, body, validateOnly, principal, 'UpdateJobRequest');
  }
  // AIP-154, as for services: a stale etag is ABORTED (409).
  if (body.etag && body.etag !== job.etag) {
    throw new ApiError(
      'ABORTED',
      `The etag provided (${String(body.etag)}) does not match the current etag of job '${job.id}' (${job.etag}): the job was changed since it was read. Read it again and retry.`,
    );
  }
  const spec = checkedSpec(state, body, 'UpdateJobRequest');
  if (validateOnly) return reconcileJob(state, { ...job, spec }, true);
  job.spec = spec;
  job.generation += 1;
  job.etag = newEtag();
  job.updateTime = stamp(state);
  job.lastModifier = principal;
  return reconcileJob(state, job, false);
}

/** Jobs delete: refused while an execution runs (see README "Jobs"); a stale etag is ABORTED. */
export function deleteJob(
  state: ApiState,
  name: string,
  etag: string | undefined,
  validateOnly: boolean,
): Json {
  const job = mustGetJob(state, name);
  if (etag && etag !== job.etag)
    throw new ApiError(
      'ABORTED',
      `The etag provided (${etag}) does not match the current etag of job '${job.id}'.`,
    );
  const running = [...job.executions.values()].filter((e) => e.state === 'running');
  if (running.length > 0) {
    throw new ApiError(
      'FAILED_PRECONDITION',
      `Job '${job.id}' has running executions (${running.map((e) => e.id).join(', ')}): cancel them before deleting the job.`,
    );
  }
  const op = state.operations.start(job.project, job.location, JOB_TYPE, anyOf(JOB_TYPE, renderJob(job)));
  if (!validateOnly) state.jobs.delete(name);
  state.operations.succeed(op, anyOf(JOB_TYPE, { ...renderJob(job), deleteTime: stamp(state) }));
  return state.operations.render(op.name);
}

/**
 * Checks the image, then every secret the template uses (cloud.google.com/run/docs/configuring/jobs/secrets:
 * "During job creation, Cloud Run checks all the secrets"), sets the job's Ready condition and answers its
 * operation, already done.
 */
function reconcileJob(state: ApiState, job: JobRecord, validateOnly: boolean): Json {
  const op = state.operations.start(job.project, job.location, JOB_TYPE, anyOf(JOB_TYPE, renderJob(job)));
  const task = (job.spec.template as Json).template as Json;
  const containers = (task.containers ?? []) as Json[];
  const missing = containers.find((c) => !state.opts.tasks?.hasImage(String(c.image)));
  const failure = missing
    ? {
        status: 'FAILED_PRECONDITION' as const,
        message: `Image '${String(missing.image)}' not found.`,
        reason: 'CONTAINER_MISSING',
      }
    : secretFailure(state, job, task);
  const now = stamp(state);
  if (!validateOnly) {
    job.observedGeneration = job.generation;
    job.terminalCondition = failure
      ? {
          type: 'Ready',
          state: 'CONDITION_FAILED',
          message: failure.message,
          reason: failure.reason,
          severity: 'ERROR',
          lastTransitionTime: now,
        }
      : { type: 'Ready', state: 'CONDITION_SUCCEEDED', lastTransitionTime: now };
  }
  if (failure) state.operations.fail(op, failure.status, failure.message);
  else state.operations.succeed(op, anyOf(JOB_TYPE, renderJob(job)));
  return state.operations.render(op.name);
}

/** A secret the job cannot read: the operation fails with code 13 (hashicorp/terraform-provider-google#15088). */
function secretFailure(
  state: ApiState,
  job: JobRecord,
  task: Json,
): { status: 'INTERNAL'; message: string; reason: string } | undefined {
  const message = unreadableSecret(state, job.project, task);
  return message ? { status: 'INTERNAL', message, reason: 'SECRETS_ACCESS_CHECK_FAILED' } : undefined;
}

/** The mutable fields of a Job body, checked, with the defaults Cloud Run reports filled in. */
function checkedSpec(state: ApiState, body: Json, request: 'CreateJobRequest' | 'UpdateJobRequest'): Json {
  const spec: Json = {};
  for (const f of MUTABLE_JOB_FIELDS)
    if (body[f] !== undefined && body[f] !== null) spec[f] = structuredClone(body[f]);
  const problems = executionTemplateProblems(spec.template as Json | undefined, request);
  for (const where of ['labels', 'annotations'] as const) {
    for (const key of Object.keys((spec[where] ?? {}) as Json)) {
      if (RESERVED_PREFIXES.some((p) => key === p || key.startsWith(`${p}/`)))
        problems.push(
          `job.${where}: '${key}' is not supported: keys under ${RESERVED_PREFIXES.join(', ')} are reserved.`,
        );
    }
  }
  if (problems.length > 0) throw new ApiError('INVALID_ARGUMENT', problems.join('\n'));
  spec.template = normalizeExecutionTemplate(state, spec.template as Json);
  return spec;
}

/**
 * The ExecutionTemplate as Cloud Run stores and reports it: task count 1, max retries 3, timeout 600 s
 * (execution_template.proto, task_template.proto), the compute default service account, 1 CPU / 512 MiB.
 */
function normalizeExecutionTemplate(state: ApiState, template: Json): Json {
  const t: Json = structuredClone(template);
  if (!t.taskCount) t.taskCount = 1;
  const task = t.template as Json;
  task.maxRetries ??= 3;
  task.timeout ??= '600s';
  task.serviceAccount ||= `${state.opts.projectNumber ?? '123456789012'}-compute@developer.gserviceaccount.com`;
  task.containers = ((task.containers ?? []) as Json[]).map((c) => {
    const container: Json = { ...c };
    const resources = (container.resources ?? {}) as Json;
    resources.limits = { cpu: '1000m', memory: '512Mi', ...((resources.limits ?? {}) as Json) };
    container.resources = resources;
    return container;
  });
  return t;
}

function newEtag(): string {
  return `"${randomBytes(12).toString('base64url')}"`;
}
