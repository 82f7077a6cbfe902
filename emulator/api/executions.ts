// Executions of Cloud Run jobs: RunJob (with overrides) starts an execution whose tasks run as real local
// processes through the TaskRunner port, at most `parallelism` at once, each retried up to maxRetries
// and killed past its timeout; CancelExecution, DeleteExecution, ListExecutions and the Tasks reads.
// The RunJob operation's metadata follows the Execution; see README "Jobs" for what ends it how.
import { randomBytes, randomUUID } from 'node:crypto';
import { ApiError } from './google-errors';
import {
  EXECUTION_TYPE,
  envProblems,
  executionFailure,
  mustGetExecution,
  mustGetJob,
  renderExecution,
  renderTask,
  timeoutProblems,
  type ExecutionRecord,
  type JobRecord,
  type TaskRecord,
} from './job-records';
import { anyOf } from './operations';
import { stamp, type ApiState } from './records';
import { durationSeconds, type Json } from './service-rules';
import { taskEnv, taskMounts } from './task-secrets';

/** The random five-letter tail of an execution name (`migrate-vnttt`, googlecodelabs/feedback#1369). */
function executionSuffix(): string {
  const letters = 'abcdefghijklmnopqrstuvwxyz';
  return Array.from(randomBytes(5), (b) => letters[b % 26]).join('');
}

/** RunJob: a new execution of the job's template with the overrides applied; answers its operation. */
export function runJob(state: ApiState, name: string, body: Json, principal: string): Json {
  const job = mustGetJob(state, name);
  if (body.etag && body.etag !== job.etag) {
    throw new ApiError(
      'ABORTED',
      `The etag provided (${String(body.etag)}) does not match the current etag of job '${job.id}' (${job.etag}).`,
    );
  }
  if ((job.terminalCondition as Json).state !== 'CONDITION_SUCCEEDED') {
    throw new ApiError(
      'FAILED_PRECONDITION',
      `Job '${job.id}' is not ready and cannot be run: ${String((job.terminalCondition as Json).message ?? 'it is still reconciling')}`,
    );
  }
  const execTemplate = job.spec.template as Json;
  const template = applyOverrides(
    structuredClone(execTemplate.template as Json),
    (body.overrides ?? {}) as Json,
  );
  const overrides = (body.overrides ?? {}) as Json;
  const taskCount = Number(overrides.taskCount || execTemplate.taskCount || 1);
  if (!Number.isInteger(taskCount) || taskCount < 1 || taskCount > 10_000)
    throw new ApiError(
      'INVALID_ARGUMENT',
      `overrides.task_count: must be between 1 and 10000, got ${taskCount}.`,
    );
  const id = `${job.id}-${executionSuffix()}`;
  const now = stamp(state);
  const e: ExecutionRecord = {
    id,
    name: `${job.name}/executions/${id}`,
    uid: randomUUID(),
    creator: principal,
    createTime: now,
    updateTime: now,
    labels: { ...((execTemplate.labels ?? {}) as Json), ...((job.spec.labels ?? {}) as Json) },
    annotations: (execTemplate.annotations ?? {}) as Json,
    template,
    taskCount,
    parallelism: Number(execTemplate.parallelism ?? 0),
    tasks: Array.from({ length: taskCount }, (_v, index) => ({
      index,
      uid: randomUUID(),
      state: 'pending' as const,
      retried: 0,
      createTime: now,
    })),
    retriedCount: 0,
    state: 'running',
    cancelling: false,
    op: state.operations.start(job.project, job.location, EXECUTION_TYPE, {}),
    cancelOps: [],
    finished: Promise.resolve(),
    etag: `"${randomBytes(9).toString('base64url')}"`,
  };
  if (body.validateOnly === true) {
    state.operations.succeed(e.op, anyOf(EXECUTION_TYPE, renderExecution(job, e)));
    return state.operations.render(e.op.name);
  }
  job.executions.set(id, e);
  job.executionCount += 1;
  sync(state, job, e);
  e.finished = drive(state, job, e);
  return state.operations.render(e.op.name);
}

/**
 * Overrides (RunJobRequest.Overrides): a container override names its container or, unnamed, applies to
 * the first; `args` replace the args unless empty, `clearArgs` empties them, `env` is merged by name;
 * `timeout` replaces the task timeout. The proto has no `command`: the proto check refuses one.
 */
function applyOverrides(template: Json, overrides: Json): Json {
  const containers = (template.containers ?? []) as Json[];
  ((overrides.containerOverrides ?? []) as Json[]).forEach((o, i) => {
    const target = o.name ? containers.find((c) => c.name === o.name) : containers[0];
    if (!target) {
      throw new ApiError(
        'INVALID_ARGUMENT',
        `overrides.container_overrides[${i}].name: no container named '${String(o.name)}' in the job's template.`,
      );
    }
    const problems = envProblems(o.env, `overrides.container_overrides[${i}].env`);
    if (problems.length > 0) throw new ApiError('INVALID_ARGUMENT', problems.join('\n'));
    const args = (o.args ?? []) as string[];
    if (o.clearArgs === true) {
      if (args.length > 0)
        throw new ApiError(
          'INVALID_ARGUMENT',
          `overrides.container_overrides[${i}]: clear_args and args cannot both be set.`,
        );
      target.args = [];
    } else if (args.length > 0) target.args = args;
    const env = ((target.env ?? []) as Json[]).filter(
      (e) => !((o.env ?? []) as Json[]).some((n) => n.name === e.name),
    );
    target.env = [...env, ...((o.env ?? []) as Json[])];
  });
  if (overrides.timeout !== undefined) {
    const problems = timeoutProblems(overrides.timeout, 'overrides.timeout');
    if (problems.length > 0) throw new ApiError('INVALID_ARGUMENT', problems.join('\n'));
    template.timeout = overrides.timeout;
  }
  return template;
}

/** Runs the tasks, `parallelism` at a time (0: all), then completes the execution. */
async function drive(state: ApiState, job: JobRecord, e: ExecutionRecord): Promise<void> {
  e.startTime = stamp(state);
  const width = e.parallelism > 0 ? e.parallelism : e.taskCount;
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < e.tasks.length) {
      const task = e.tasks[next++];
      if (e.cancelling) {
        task.state = 'cancelled';
        continue;
      }
      await runTask(state, job, e, task);
    }
  };
  await Promise.all(Array.from({ length: Math.min(width, e.taskCount) }, lane));
  e.completionTime = stamp(state);
  e.updateTime = e.completionTime;
  e.state = e.cancelling ? 'cancelled' : e.tasks.some((t) => t.state === 'failed') ? 'failed' : 'succeeded';
  sync(state, job, e);
  const rendered = anyOf(EXECUTION_TYPE, renderExecution(job, e));
  const failure = executionFailure(e);
  if (e.state === 'failed' && failure) {
    // README "Jobs": a failed execution fails the RunJob operation (metadata keeps the Execution).
    e.op.metadata = rendered;
    state.operations.fail(e.op, 'FAILED_PRECONDITION', failure);
  } else {
    state.operations.succeed(e.op, rendered);
  }
  for (const op of e.cancelOps) state.operations.succeed(op, rendered);
}

/** One task: attempts until one exits 0, the retries are used up, or the execution is cancelled. */
async function runTask(state: ApiState, job: JobRecord, e: ExecutionRecord, task: TaskRecord): Promise<void> {
  const runner = state.opts.tasks;
  const container = ((e.template.containers ?? []) as Json[])[0] ?? {};
  const maxRetries = Number(e.template.maxRetries ?? 3);
  const timeoutMs = durationSeconds(e.template.timeout ?? '600s') * 1000;
  task.state = 'running';
  task.startTime = stamp(state);
  for (let attempt = 0; ; attempt++) {
    sync(state, job, e);
    if (!runner) throw new Error('no task runner configured');
    // Env secrets are fetched as each instance starts; volumes are read as files (task-secrets.ts).
    const { env, startupError } = taskEnv(state, job.project, container);
    const handle = runner.start({
      job: job.name,
      jobId: job.id,
      execution: e.id,
      taskIndex: task.index,
      taskCount: e.taskCount,
      attempt,
      image: String(container.image),
      args: (container.args as string[] | undefined)?.length ? (container.args as string[]) : undefined,
      env,
      timeoutMs,
      mounts: taskMounts(state, job.project, e.template, container),
      ...(startupError !== undefined ? { startupError } : {}),
    });
    task.current = handle;
    const outcome = await handle.done;
    task.current = undefined;
    if (outcome.kind === 'missing-image') {
      task.lastAttemptResult = {
        status: { code: 5, message: `Image '${String(container.image)}' not found.` },
      };
      task.failure = `Image '${String(container.image)}' not found.`;
    } else if (outcome.kind === 'startup-failed') {
      // The code is ours (README "Jobs"): Secret Manager denies with PERMISSION_DENIED.
      task.lastAttemptResult = { status: { code: 7, message: outcome.message } };
      task.failure = outcome.message;
    } else if (outcome.cancelled) {
      task.lastAttemptResult = {
        status: { code: 1, message: 'The task was cancelled.' },
        ...(outcome.kind === 'signaled' ? { termSignal: outcome.signal } : { exitCode: outcome.exitCode }),
      };
      task.state = 'cancelled';
      break;
    } else if (outcome.kind === 'exited' && outcome.exitCode === 0 && !outcome.timedOut) {
      task.lastAttemptResult = { status: {} };
      task.state = 'succeeded';
      break;
    } else if (outcome.timedOut) {
      task.failure = 'The configured timeout was reached.';
      task.lastAttemptResult = {
        status: { code: 4, message: task.failure },
        ...(outcome.kind === 'signaled' ? { termSignal: outcome.signal } : { exitCode: outcome.exitCode }),
      };
    } else {
      task.failure = 'The container exited with an error.';
      task.lastAttemptResult = {
        status: { code: 2, message: task.failure },
        ...(outcome.kind === 'signaled' ? { termSignal: outcome.signal } : { exitCode: outcome.exitCode }),
      };
    }
    if (attempt >= maxRetries || e.cancelling || outcome.kind === 'missing-image') {
      task.state = e.cancelling ? 'cancelled' : 'failed';
      break;
    }
    task.retried += 1;
    e.retriedCount += 1;
  }
  task.completionTime = stamp(state);
  e.updateTime = task.completionTime;
  sync(state, job, e);
}

/** Keeps the RunJob operation's metadata on the execution's current state. */
function sync(state: ApiState, job: JobRecord, e: ExecutionRecord): void {
  e.updateTime = stamp(state);
  if (!e.op.done) e.op.metadata = anyOf(EXECUTION_TYPE, renderExecution(job, e));
}

export function listExecutions(state: ApiState, jobName: string): Json[] {
  const job = mustGetJob(state, jobName);
  return [...job.executions.values()].reverse().map((e) => renderExecution(job, e));
}

export function getExecution(state: ApiState, jobName: string, id: string): Json {
  return renderExecution(mustGetJob(state, jobName), mustGetExecution(state, jobName, id));
}

/** CancelExecution: kills running tasks (SIGTERM, then SIGKILL), marks the rest cancelled; an LRO. */
export function cancelExecution(
  state: ApiState,
  jobName: string,
  id: string,
  etag: string | undefined,
  validateOnly: boolean,
): Json {
  const job = mustGetJob(state, jobName);
  const e = mustGetExecution(state, jobName, id);
  if (etag && etag !== e.etag)
    throw new ApiError(
      'ABORTED',
      `The etag provided (${etag}) does not match the current etag of execution '${id}'.`,
    );
  if (e.state !== 'running') {
    throw new ApiError(
      'FAILED_PRECONDITION',
      `Execution '${id}' has already completed and cannot be cancelled.`,
    );
  }
  const op = state.operations.start(
    job.project,
    job.location,
    EXECUTION_TYPE,
    anyOf(EXECUTION_TYPE, renderExecution(job, e)),
  );
  if (validateOnly) {
    state.operations.succeed(op, anyOf(EXECUTION_TYPE, renderExecution(job, e)));
    return state.operations.render(op.name);
  }
  e.cancelling = true;
  e.cancelOps.push(op);
  for (const t of e.tasks) {
    if (t.state === 'pending') t.state = 'cancelled';
    t.current?.cancel();
  }
  sync(state, job, e);
  return state.operations.render(op.name);
}

/** DeleteExecution: refused while it runs (README "Jobs"); an LRO answering the deleted Execution. */
export function deleteExecution(
  state: ApiState,
  jobName: string,
  id: string,
  etag: string | undefined,
  validateOnly: boolean,
): Json {
  const job = mustGetJob(state, jobName);
  const e = mustGetExecution(state, jobName, id);
  if (etag && etag !== e.etag)
    throw new ApiError(
      'ABORTED',
      `The etag provided (${etag}) does not match the current etag of execution '${id}'.`,
    );
  if (e.state === 'running')
    throw new ApiError(
      'FAILED_PRECONDITION',
      `Execution '${id}' is still running: cancel it before deleting it.`,
    );
  const op = state.operations.start(
    job.project,
    job.location,
    EXECUTION_TYPE,
    anyOf(EXECUTION_TYPE, renderExecution(job, e)),
  );
  if (!validateOnly) job.executions.delete(id);
  state.operations.succeed(
    op,
    anyOf(EXECUTION_TYPE, { ...renderExecution(job, e), deleteTime: stamp(state) }),
  );
  return state.operations.render(op.name);
}

export function listTasks(state: ApiState, jobName: string, id: string): Json[] {
  const job = mustGetJob(state, jobName);
  const e = mustGetExecution(state, jobName, id);
  return e.tasks.map((t) => renderTask(job, e, t));
}

/** Waits for every running execution to finish, cancelling them first when `cancel` (clean shutdown). */
export async function settleExecutions(state: ApiState, cancel = false): Promise<void> {
  const all = [...state.jobs.values()].flatMap((j) => [...j.executions.values()].map((e) => ({ j, e })));
  if (cancel) {
    for (const { j, e } of all)
      if (e.state === 'running') cancelExecution(state, j.name, e.id, undefined, false);
  }
  await Promise.all(all.map(({ e }) => e.finished));
}
