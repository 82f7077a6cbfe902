// The Run API's routes for Cloud Run jobs, executions and tasks (job.proto, execution.proto, task.proto
// `google.api.http` bindings), behind the same gate, body checks and paging as services (run-api.ts).
import type { IncomingMessage } from 'node:http';
import type { ApiMethod } from '../faults';
import { ApiError, readJson } from './google-errors';
import {
  EXECUTION_TYPE,
  JOB_TYPE,
  TASK_TYPE,
  mustGetExecution,
  mustGetJob,
  mustGetTask,
  renderJob,
  renderTask,
} from './job-records';
import {
  cancelExecution,
  deleteExecution,
  getExecution,
  listExecutions,
  listTasks,
  runJob,
} from './executions';
import { createJob, deleteJob, listJobs, updateJob } from './jobs';
import type { ApiState } from './records';
import type { Json } from './service-rules';

export interface JobRouteContext {
  state: ApiState;
  /** Counts, applies faults, authenticates and authorizes one permission; answers the principal. */
  gate(
    req: IncomingMessage,
    method: ApiMethod,
    permission: string,
    resource: string,
    project: string,
    location: string,
  ): string;
  /** Refuses unless the principal also holds `permission` on `resource` (PERMISSION_DENIED). */
  require(principal: string, permission: string, resource: string): void;
  checked(typeName: string, body: unknown, path: string): Json;
  page(items: Json[], q: URLSearchParams, key: string): Json;
}

type Answer = { type: string; body: Json } | undefined;

const OPERATION = 'google.longrunning.Operation';
const base = '^/v2/projects/([^/]+)/locations/([^/]+)/jobs';

/** Answers a jobs / executions / tasks request, or undefined when the path is none of theirs. */
export async function dispatchJobs(ctx: JobRouteContext, req: IncomingMessage, url: URL): Promise<Answer> {
  const path = url.pathname;
  const method = req.method ?? 'GET';
  const q = url.searchParams;
  const { state } = ctx;
  const validateOnly = q.get('validateOnly') === 'true';
  let m: RegExpExecArray | null;
  if ((m = new RegExp(`${base}$`).exec(path))) {
    const parent = `projects/${m[1]}/locations/${m[2]}`;
    if (method === 'GET') {
      ctx.gate(req, 'jobs.list', 'run.jobs.list', parent, m[1], m[2]);
      return {
        type: 'google.cloud.run.v2.ListJobsResponse',
        body: ctx.page(listJobs(state, m[1], m[2]), q, 'jobs'),
      };
    }
    if (method === 'POST') {
      const principal = ctx.gate(req, 'jobs.create', 'run.jobs.create', parent, m[1], m[2]);
      const body = ctx.checked(JOB_TYPE, await readJson(req), 'job');
      return {
        type: OPERATION,
        body: createJob(state, m[1], m[2], q.get('jobId') ?? '', body, validateOnly, principal),
      };
    }
  }
  if ((m = new RegExp(`${base}/([^/:]+):run$`).exec(path)) && method === 'POST') {
    const name = `projects/${m[1]}/locations/${m[2]}/jobs/${m[3]}`;
    const principal = ctx.gate(req, 'jobs.run', 'run.jobs.run', name, m[1], m[2]);
    const { name: _n, ...rest } = ((await readJson(req)) ?? {}) as Json;
    const body = ctx.checked('google.cloud.run.v2.RunJobRequest', rest, '');
    const overrides = (body.overrides ?? {}) as Json;
    // jobs.run reference: overrides need run.jobs.runWithOverrides besides run.jobs.run.
    if (Object.keys(overrides).length > 0) ctx.require(principal, 'run.jobs.runWithOverrides', name);
    mustGetJob(state, name);
    return { type: OPERATION, body: runJob(state, name, body, principal) };
  }
  if ((m = new RegExp(`${base}/([^/:]+)$`).exec(path))) {
    const name = `projects/${m[1]}/locations/${m[2]}/jobs/${m[3]}`;
    if (method === 'GET') {
      ctx.gate(req, 'jobs.get', 'run.jobs.get', name, m[1], m[2]);
      return { type: JOB_TYPE, body: renderJob(mustGetJob(state, name)) };
    }
    if (method === 'PATCH') {
      const principal = ctx.gate(req, 'jobs.update', 'run.jobs.update', name, m[1], m[2]);
      const body = ctx.checked(JOB_TYPE, await readJson(req), 'job');
      const allowMissing = q.get('allowMissing') === 'true';
      return { type: OPERATION, body: updateJob(state, name, body, allowMissing, validateOnly, principal) };
    }
    if (method === 'DELETE') {
      ctx.gate(req, 'jobs.delete', 'run.jobs.delete', name, m[1], m[2]);
      return { type: OPERATION, body: deleteJob(state, name, q.get('etag') ?? undefined, validateOnly) };
    }
  }
  if ((m = new RegExp(`${base}/([^/:]+)/executions$`).exec(path)) && method === 'GET') {
    const job = `projects/${m[1]}/locations/${m[2]}/jobs/${m[3]}`;
    ctx.gate(req, 'executions.list', 'run.executions.list', job, m[1], m[2]);
    return {
      type: 'google.cloud.run.v2.ListExecutionsResponse',
      body: ctx.page(listExecutions(state, job), q, 'executions'),
    };
  }
  if ((m = new RegExp(`${base}/([^/:]+)/executions/([^/:]+):cancel$`).exec(path)) && method === 'POST') {
    const job = `projects/${m[1]}/locations/${m[2]}/jobs/${m[3]}`;
    // executions.cancel reference: the permission is run.jobs.run on the execution.
    ctx.gate(req, 'executions.cancel', 'run.jobs.run', `${job}/executions/${m[4]}`, m[1], m[2]);
    const { name: _n, ...rest } = ((await readJson(req)) ?? {}) as Json;
    const body = ctx.checked('google.cloud.run.v2.CancelExecutionRequest', rest, '');
    const etag = body.etag ? String(body.etag) : undefined;
    return { type: OPERATION, body: cancelExecution(state, job, m[4], etag, body.validateOnly === true) };
  }
  if ((m = new RegExp(`${base}/([^/:]+)/executions/([^/:]+)$`).exec(path))) {
    const job = `projects/${m[1]}/locations/${m[2]}/jobs/${m[3]}`;
    const name = `${job}/executions/${m[4]}`;
    if (method === 'GET') {
      ctx.gate(req, 'executions.get', 'run.executions.get', name, m[1], m[2]);
      return { type: EXECUTION_TYPE, body: getExecution(state, job, m[4]) };
    }
    if (method === 'DELETE') {
      ctx.gate(req, 'executions.delete', 'run.executions.delete', name, m[1], m[2]);
      return {
        type: OPERATION,
        body: deleteExecution(state, job, m[4], q.get('etag') ?? undefined, validateOnly),
      };
    }
  }
  if ((m = new RegExp(`${base}/([^/:]+)/executions/([^/:]+)/tasks$`).exec(path)) && method === 'GET') {
    const job = `projects/${m[1]}/locations/${m[2]}/jobs/${m[3]}`;
    ctx.gate(req, 'tasks.list', 'run.tasks.list', `${job}/executions/${m[4]}`, m[1], m[2]);
    return {
      type: 'google.cloud.run.v2.ListTasksResponse',
      body: ctx.page(listTasks(state, job, m[4]), q, 'tasks'),
    };
  }
  if (
    (m = new RegExp(`${base}/([^/:]+)/executions/([^/:]+)/tasks/([^/:]+)$`).exec(path)) &&
    method === 'GET'
  ) {
    const job = `projects/${m[1]}/locations/${m[2]}/jobs/${m[3]}`;
    ctx.gate(req, 'tasks.get', 'run.tasks.get', `${job}/executions/${m[4]}/tasks/${m[5]}`, m[1], m[2]);
    const t = mustGetTask(state, job, m[4], m[5]);
    return {
      type: TASK_TYPE,
      body: renderTask(mustGetJob(state, job), mustGetExecution(state, job, m[4]), t),
    };
  }
  if (new RegExp(`${base}(/|$)`).test(path)) {
    throw new ApiError(
      'NOT_FOUND',
      `The requested URL ${path} was not found on this server (method ${method}).`,
    );
  }
  return undefined;
}
