// Cloud Run jobs in the local emulator, driven by the real @google-cloud/run JobsClient, ExecutionsClient
// and TasksClient (v2, REST fallback) over real HTTP; every task runs as a real local process of
// examples/job-app. Each test names the emulator/README.md "Jobs" row it holds the emulator to.
import type { IdentityPoolClient } from 'google-auth-library';
import type { ExecutionsClient, JobsClient, TasksClient, protos } from '@google-cloud/run';
import { startEmulator, type Emulator } from '../../emulator/emulator';
import { jobClients, LRO, signedInClient, wifClient } from '../../emulator/clients';
import { livePids } from '../../emulator/data-plane/instances';

const IMAGE = 'us-docker.pkg.dev/demo/jobs/job-app';
/** The bare federated principal (direct WIF): given roles/run.invoker only. */
const INVOKER =
  'principal://iam.googleapis.com/projects/123456789012/locations/global/workloadIdentityPools/github/subject/repo:acme/streams:pull_request';

type Execution = protos.google.cloud.run.v2.IExecution;
type Task = protos.google.cloud.run.v2.ITask;

let emulator: Emulator;
let auth: IdentityPoolClient;
let jobs: JobsClient;
let executions: ExecutionsClient;
let tasks: TasksClient;
let parent: string;

beforeAll(async () => {
  emulator = await startEmulator({ jobKillGraceMs: 300, apiRoles: { [INVOKER]: 'run.invoker' } });
  auth = wifClient(emulator.endpoints);
  ({ jobs, executions, tasks } = jobClients(emulator.endpoints, auth));
  parent = `projects/${emulator.endpoints.project}/locations/us-central1`;
});

afterAll(async () => {
  await emulator.stop();
  // Every task process is reaped with the emulator.
  expect(livePids()).toEqual([]);
  expect(emulator.api.wire.protoProblems).toEqual([]);
});

function env(vars: Record<string, string>): Array<{ name: string; value: string }> {
  return Object.entries(vars).map(([name, value]) => ({ name, value }));
}

async function createJob(
  id: string,
  vars: Record<string, string>,
  extra: { taskCount?: number; parallelism?: number; maxRetries?: number; timeout?: string } = {},
) {
  const [op] = await jobs.createJob(
    {
      parent,
      jobId: id,
      job: {
        template: {
          taskCount: extra.taskCount ?? 1,
          parallelism: extra.parallelism ?? 0,
          template: {
            containers: [{ image: IMAGE, env: env({ JOB_SLEEP_MS: '150', ...vars }) }],
            maxRetries: extra.maxRetries ?? 0,
            ...(extra.timeout ? { timeout: { seconds: Number(extra.timeout) } } : {}),
          },
        },
      },
    },
    LRO,
  );
  const [job] = await op.promise();
  return job;
}

/** Runs the job; resolves with the finished Execution, or with the LRO's error and the execution read back. */
async function run(
  name: string,
  overrides?: protos.google.cloud.run.v2.RunJobRequest.IOverrides,
): Promise<{ execution: Execution; error?: Error & { code?: number } }> {
  const [op] = await jobs.runJob({ name, ...(overrides ? { overrides } : {}) }, LRO);
  try {
    const [execution] = await op.promise();
    return { execution };
  } catch (error) {
    const metadata = op.metadata as Execution;
    const [execution] = await executions.getExecution({ name: String(metadata.name) });
    return { execution, error: error as Error & { code?: number } };
  }
}

async function listTasks(execution: Execution): Promise<Task[]> {
  const [list] = await tasks.listTasks({ parent: String(execution.name) });
  return list.sort((a, b) => Number(a.index ?? 0) - Number(b.index ?? 0));
}

function completed(execution: Execution) {
  return execution.conditions?.find((c) => c.type === 'Completed');
}

/** Cloud Logging entries through the Logging fake, as the deployer reads them. */
async function logEntries(filter: string): Promise<Array<Record<string, any>>> {
  const { token } = await auth.getAccessToken();
  const res = await fetch(`${emulator.endpoints.loggingApi}/v2/entries:list`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      resourceNames: [`projects/${emulator.endpoints.project}`],
      filter,
      pageSize: 1000,
    }),
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as { entries?: Array<Record<string, any>> }).entries ?? [];
}

test('create, get, list: the Job as the API reports it (defaults, Ready, etag)', async () => {
  const job = await createJob('basic', {});
  expect(job.name).toBe(`${parent}/jobs/basic`);
  expect(job.template?.taskCount).toBe(1);
  expect(String(job.template?.template?.timeout?.seconds)).toBe('600');
  expect(job.etag).toBeTruthy();
  const [got] = await jobs.getJob({ name: `${parent}/jobs/basic` });
  expect(String(got.terminalCondition?.state)).toMatch(/CONDITION_SUCCEEDED|^4$/);
  const [list] = await jobs.listJobs({ parent });
  expect(list.map((j) => j.name)).toContain(`${parent}/jobs/basic`);
});

test('a sharded run: 5 tasks, each sees its index, count and attempt; names as gcloud shows them', async () => {
  const job = await createJob('shard', {}, { taskCount: 5, parallelism: 2 });
  const { execution, error } = await run(String(job.name));
  expect(error).toBeUndefined();
  expect(execution.name).toMatch(new RegExp(`^${parent}/jobs/shard/executions/shard-[a-z]{5}$`));
  expect(execution.taskCount).toBe(5);
  expect(execution.succeededCount).toBe(5);
  expect(execution.failedCount ?? 0).toBe(0);
  expect(execution.completionTime).toBeTruthy();
  expect(execution.logUri).toMatch(
    /^https:\/\/console\.cloud\.google\.com\/run\/jobs\/executions\/details\//,
  );
  expect(String(completed(execution)?.state)).toMatch(/CONDITION_SUCCEEDED|^4$/);
  const id = String(execution.name).split('/').pop();
  const list = await listTasks(execution);
  expect(list.map((t) => String(t.name).split('/').pop())).toEqual(
    [0, 1, 2, 3, 4].map((i) => `${id}-task${i}`),
  );
  const entries = await logEntries(
    `resource.type="cloud_run_job" AND resource.labels.job_name="shard" AND labels."run.googleapis.com/execution_name"="${id}"`,
  );
  const lines = entries.map((e) => String(e.textPayload));
  for (let i = 0; i < 5; i++) expect(lines).toContain(`task ${i}/5 attempt 0 of ${id} (job shard)`);
  const [task3] = await tasks.getTask({ name: String(list[3].name) });
  expect(task3.index).toBe(3);
  expect(task3.lastAttemptResult?.exitCode ?? 0).toBe(0);
});

test('a task that fails twice is retried, then reported with its exit code and retries', async () => {
  const job = await createJob(
    'flaky',
    { JOB_FAIL_TASKS: '1', JOB_EXIT_CODE: '3' },
    { taskCount: 2, maxRetries: 2 },
  );
  const { execution, error } = await run(String(job.name));
  const id = String(execution.name).split('/').pop();
  // README "Jobs": a failed execution fails the RunJob operation with the task's message.
  expect(error?.message).toContain(
    `Task ${id}-task1 failed with message: The container exited with an error.`,
  );
  expect(execution.failedCount).toBe(1);
  expect(execution.succeededCount).toBe(1);
  expect(execution.retriedCount).toBe(2);
  expect(String(completed(execution)?.state)).toMatch(/CONDITION_FAILED|^5$/);
  const list = await listTasks(execution);
  expect(list[1].retried).toBe(2);
  expect(list[1].lastAttemptResult?.exitCode).toBe(3);
  expect(list[1].lastAttemptResult?.status?.code).not.toBe(0);
  // stderr is ERROR, labelled with the attempt.
  const errors = await logEntries(
    `labels."run.googleapis.com/execution_name"="${id}" AND labels."run.googleapis.com/task_index"="1" AND severity>=ERROR`,
  );
  expect(errors.map((e) => e.labels['run.googleapis.com/task_attempt']).sort()).toEqual(['0', '1', '2']);
  expect(String(errors[0].textPayload)).toMatch(/^task 1 failed: /);
});

test('a task that fails only its first attempt succeeds on the retry', async () => {
  const job = await createJob('retry-ok', { JOB_FAIL_TASKS: '0', JOB_FAIL_ATTEMPTS: '1' }, { maxRetries: 1 });
  const { execution, error } = await run(String(job.name));
  expect(error).toBeUndefined();
  expect(execution.succeededCount).toBe(1);
  expect(execution.retriedCount).toBe(1);
  const [task] = await listTasks(execution);
  expect(task.retried).toBe(1);
});

test('a task past its timeout is killed (SIGTERM) and reported with termSignal', async () => {
  const job = await createJob('slow', { JOB_SLEEP_MS: '30000' }, { timeout: '1' });
  const { execution, error } = await run(String(job.name));
  expect(error?.message).toContain('failed with message: The configured timeout was reached.');
  const [task] = await listTasks(execution);
  expect(task.lastAttemptResult?.termSignal).toBe(15);
  expect(task.lastAttemptResult?.exitCode ?? 0).toBe(0);
});

test('cancellation kills the running tasks and cancels the rest', async () => {
  const job = await createJob('cancel-me', { JOB_SLEEP_MS: '30000' }, { taskCount: 3, parallelism: 1 });
  const [op] = await jobs.runJob({ name: String(job.name) }, LRO);
  const name = String((op.metadata as Execution).name);
  // Wait until the first task runs (its process has printed).
  for (let i = 0; i < 100; i++) {
    const [e] = await executions.getExecution({ name });
    if (e.runningCount === 1) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  const [cancelOp] = await executions.cancelExecution({ name }, LRO);
  const [cancelled] = await cancelOp.promise();
  expect(cancelled.cancelledCount).toBe(3);
  expect(cancelled.runningCount ?? 0).toBe(0);
  const [finished] = await op.promise();
  expect(finished.cancelledCount).toBe(3);
  expect(String(completed(finished)?.executionReason)).toMatch(/CANCELLED|^3$/);
});

test('overrides: args, env and taskCount reach the tasks', async () => {
  const job = await createJob('override', {});
  const { execution, error } = await run(String(job.name), {
    containerOverrides: [
      { args: ['examples/job-app/job.mjs', '--shard', 'x'], env: env({ JOB_MESSAGE: 'hello' }) },
    ],
    taskCount: 2,
  });
  expect(error).toBeUndefined();
  expect(execution.taskCount).toBe(2);
  expect(execution.succeededCount).toBe(2);
  const id = String(execution.name).split('/').pop();
  const lines = (await logEntries(`labels."run.googleapis.com/execution_name"="${id}"`)).map((e) =>
    String(e.textPayload),
  );
  expect(lines).toContain('args: --shard x');
  expect(lines).toContain('message: hello');
  expect(lines).toContain(`task 1/2 attempt 0 of ${id} (job override)`);
});

test('overrides need run.jobs.runWithOverrides; a command override does not exist', async () => {
  const job = await createJob('guarded', {});
  const invoker = jobClients(emulator.endpoints, await signedInClient(emulator.endpoints, true)).jobs;
  await expect(invoker.runJob({ name: String(job.name), overrides: { taskCount: 2 } }, LRO)).rejects.toThrow(
    /Permission 'run.jobs.runWithOverrides' denied/,
  );
  // Without overrides run.jobs.run suffices (roles/run.invoker).
  const [op] = await invoker.runJob({ name: String(job.name) }, LRO);
  expect(String((op.metadata as Execution).name)).toContain('/executions/guarded-');
  const { token } = await auth.getAccessToken();
  const res = await fetch(`${emulator.endpoints.runApi.url}/v2/${String(job.name)}:run`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ overrides: { containerOverrides: [{ command: ['sh'] }] } }),
  });
  expect(res.status).toBe(400);
  expect(((await res.json()) as { error: { message: string } }).error.message).toContain(
    'Unknown name "command"',
  );
  emulator.api.wire.protoProblems.length = 0;
  await emulator.api.cancelExecutions();
});
