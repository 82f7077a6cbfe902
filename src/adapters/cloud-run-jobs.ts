// Cloud Run jobs, executions and tasks over the Admin API v2's REST JSON through the signed-in auth client
// (run-rest.ts): read and write a job (an update sends the whole job: the Jobs API has no update mask),
// start an execution with overrides, read it and its tasks, cancel it (docs/platform.md "Cloud Run Jobs").
// Transient answers are retried; everything else becomes a StepError that says what to do.
import type { AuthClient } from 'google-auth-library';
import type { CloudRunJob, RunOverrides } from '../core/job-plan';
import type { JobExecution, JobTask } from '../core/job-outcome';
import { API_RETRY, isTransient, retryDelayMs } from '../core/retry-policy';
import { StepError } from '../errors';
import type { JobsPort } from '../ports';
import { createRunRest, RestError, toRestError, type Json } from './run-rest';
import { RUN_API_BASE } from './cloud-run';
import { createCloudLogging, jobTaskErrors } from './cloud-logging';
import type { GoogleCloud } from './google-cloud';

export interface JobsOptions {
  authClient: AuthClient;
  endpoint?: { apiEndpoint: string; port: number; protocol: 'http' | 'https' };
  /** Deadline of one write's operation, in seconds. */
  operationTimeoutSeconds: number;
  project: string;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

const HINTS: Record<number, (project: string) => string> = {
  7: (p) =>
    `grant the deployer roles/run.developer on ${p} (it holds run.jobs.create, run.jobs.update, run.jobs.run, run.jobs.runWithOverrides and run.executions.cancel)`,
  5: () => 'check `project_id`, `region` and `job`',
  3: () => 'check the job inputs against the message',
};

export function createJobs(options: JobsOptions): JobsPort {
  const baseUrl = options.endpoint
    ? `${options.endpoint.protocol}://${options.endpoint.apiEndpoint}:${options.endpoint.port}`
    : RUN_API_BASE;
  const rest = createRunRest({ authClient: options.authClient, baseUrl });
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const now = options.now ?? Date.now;

  const call = async (
    operation: string,
    target: string,
    method: 'GET' | 'POST' | 'PATCH',
    path: string,
    query?: Record<string, string | undefined>,
    body?: Json,
  ): Promise<Json> => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await rest(method, path, query, body);
      } catch (err) {
        const e = toRestError(err);
        const pause = isTransient(e.code) ? retryDelayMs(API_RETRY, attempt, Math.random()) : undefined;
        if (pause === undefined)
          throw new StepError({
            operation,
            target,
            cause: e,
            hint: HINTS[e.code]?.(options.project) ?? 'retry the job later',
          });
        await sleep(pause);
      }
    }
  };

  /** Polls an operation until it is done or the deadline passes; its error fails the step. */
  const settle = async (operation: string, target: string, op: Json): Promise<Json> => {
    const deadline = now() + options.operationTimeoutSeconds * 1000;
    let current = op;
    for (let wait = 100; !current.done; wait = Math.min(wait * 2, 2000)) {
      if (now() > deadline)
        throw new StepError({
          operation,
          target,
          cause: `the operation ${String(current.name)} was not done after ${options.operationTimeoutSeconds} s`,
          hint: 'raise `deploy_timeout`, or look at the job in the console',
        });
      await sleep(wait);
      current = await call(operation, target, 'GET', `v2/${String(current.name)}`);
    }
    const error = current.error as { code?: number; message?: string } | undefined;
    if (error?.code)
      throw new StepError({
        operation,
        target,
        cause: new RestError(error.message ?? 'failed', error.code, 0),
        hint: HINTS[error.code]?.(options.project) ?? 'look at the job in the console',
      });
    return (current.response as Json | undefined) ?? {};
  };

  return {
    async getJob(name) {
      try {
        return (await rest('GET', `v2/${name}`)) as unknown as CloudRunJob;
      } catch (err) {
        if (toRestError(err).code === 5) return undefined;
        return (await call('read job', name, 'GET', `v2/${name}`)) as unknown as CloudRunJob;
      }
    },
    async applyJob(job, action) {
      const parent = job.name.slice(0, job.name.lastIndexOf('/jobs/'));
      const id = job.name.slice(job.name.lastIndexOf('/') + 1);
      const op =
        action === 'create'
          ? await call('create job', job.name, 'POST', `v2/${parent}/jobs`, { jobId: id }, {
              ...job,
              name: undefined,
            } as Json)
          : await call('update job', job.name, 'PATCH', `v2/${job.name}`, undefined, job as unknown as Json);
      await settle(`${action} job`, job.name, op);
      return (await call('read job', job.name, 'GET', `v2/${job.name}`)) as unknown as CloudRunJob;
    },
    async runJob(name, overrides?: RunOverrides) {
      const op = await call(
        'execute job',
        name,
        'POST',
        `v2/${name}:run`,
        undefined,
        overrides ? { overrides } : {},
      );
      const execution = (op.metadata as Json | undefined)?.name;
      if (typeof execution !== 'string')
        throw new StepError({
          operation: 'execute job',
          target: name,
          cause: 'Cloud Run named no execution in the operation',
          hint: 'look at the job in the console',
        });
      return execution;
    },
    async getExecution(name) {
      return (await call('read execution', name, 'GET', `v2/${name}`)) as unknown as JobExecution;
    },
    async listTasks(execution) {
      const tasks: JobTask[] = [];
      let pageToken: string | undefined;
      for (let page = 0; page < 100; page++) {
        const got = await call('list the tasks of', execution, 'GET', `v2/${execution}/tasks`, { pageToken });
        tasks.push(...(((got.tasks as Json[] | undefined) ?? []) as unknown as JobTask[]));
        pageToken =
          typeof got.nextPageToken === 'string' && got.nextPageToken ? got.nextPageToken : undefined;
        if (!pageToken) break;
      }
      return tasks;
    },
    async cancelExecution(name) {
      await call('cancel execution', name, 'POST', `v2/${name}:cancel`, undefined, {});
    },
  };
}

/**
 * The jobs port of a signed-in run (job mode, the pre-rollout job, the post step's cancel): with `job`,
 * its failed tasks' last ERROR lines come from Cloud Logging.
 */
export function connectJobs(
  config: { projectId: string; region: string; deployTimeoutSeconds: number },
  connected: GoogleCloud,
  job?: string,
): JobsPort {
  const client = connected.auth.client();
  const jobs = createJobs({
    authClient: client,
    ...(connected.runApi && { endpoint: connected.runApi }),
    operationTimeoutSeconds: config.deployTimeoutSeconds,
    project: config.projectId,
  });
  if (job === undefined) return jobs;
  const logging = createCloudLogging({ client, baseUrl: connected.observability.logging });
  return {
    ...jobs,
    taskErrors: (execution, index) =>
      jobTaskErrors(logging, {
        project: config.projectId,
        region: config.region,
        job,
        execution: execution.split('/').pop() ?? execution,
        index,
      }),
  };
}
