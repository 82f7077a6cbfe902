// Secrets in Cloud Run job tasks, through the real JobsClient over HTTP (emulator/README.md "Jobs",
// "Secret volumes in job tasks"): env secrets resolved as each task starts, the creation check, an env
// secret that cannot be fetched failing the execution, secret volumes as files the task reads, and the
// volume rules. Secrets come from emulator/secrets.json.
import type { IdentityPoolClient } from 'google-auth-library';
import type { ExecutionsClient, JobsClient, TasksClient, protos } from '@google-cloud/run';
import { startEmulator, type Emulator } from '../../emulator/emulator';
import { jobClients, LRO, wifClient } from '../../emulator/clients';
import { livePids } from '../../emulator/data-plane/instances';

const IMAGE = 'us-docker.pkg.dev/demo/jobs/job-app';
const PROJECT_NUMBER = '123456789012';

type Execution = protos.google.cloud.run.v2.IExecution;
type TaskTemplate = protos.google.cloud.run.v2.ITaskTemplate;
type Failure = Error & { code?: number; details?: string };

let emulator: Emulator;
let auth: IdentityPoolClient;
let jobs: JobsClient;
let executions: ExecutionsClient;
let tasks: TasksClient;
let parent: string;

beforeAll(async () => {
  emulator = await startEmulator({ jobKillGraceMs: 300 });
  auth = wifClient(emulator.endpoints);
  ({ jobs, executions, tasks } = jobClients(emulator.endpoints, auth));
  parent = `projects/${emulator.endpoints.project}/locations/us-central1`;
});

afterAll(async () => {
  await emulator.stop();
  expect(livePids()).toEqual([]);
});

function secretEnv(name: string, secret: string, version?: string) {
  return { name, valueSource: { secretKeyRef: { secret, ...(version ? { version } : {}) } } };
}

/** Creates the job; resolves with the Job, or rejects with the operation's (or the call's) error. */
async function createJob(id: string, task: TaskTemplate) {
  const [op] = await jobs.createJob(
    { parent, jobId: id, job: { template: { template: { maxRetries: 0, ...task } } } },
    LRO,
  );
  const [job] = await op.promise();
  return job;
}

async function run(name: string, overrides?: protos.google.cloud.run.v2.RunJobRequest.IOverrides) {
  const [op] = await jobs.runJob({ name, ...(overrides ? { overrides } : {}) }, LRO);
  try {
    const [execution] = await op.promise();
    return { execution, error: undefined };
  } catch (error) {
    const [execution] = await executions.getExecution({ name: String((op.metadata as Execution).name) });
    return { execution, error: error as Failure };
  }
}

async function logLines(execution: Execution): Promise<Array<{ text: string; log: string }>> {
  const id = String(execution.name).split('/').pop();
  const { token } = await auth.getAccessToken();
  const res = await fetch(`${emulator.endpoints.loggingApi}/v2/entries:list`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      resourceNames: [`projects/${emulator.endpoints.project}`],
      filter: `labels."run.googleapis.com/execution_name"="${id}"`,
      pageSize: 1000,
    }),
  });
  const { entries = [] } = (await res.json()) as { entries?: Array<Record<string, string>> };
  return entries.map((e) => ({ text: String(e.textPayload), log: String(e.logName) }));
}

test('an env secret is resolved in the task (version pinned, and latest)', async () => {
  const job = await createJob('secret-env', {
    containers: [
      {
        image: IMAGE,
        env: [{ name: 'JOB_SLEEP_MS', value: '0' }, secretEnv('JOB_MESSAGE', 'greeting', '1')],
      },
    ],
  });
  const { execution, error } = await run(String(job.name));
  expect(error).toBeUndefined();
  expect((await logLines(execution)).map((l) => l.text)).toContain('message: hello from secret manager');
  // `latest` (and a full resource name) resolve too: an override replaces the variable by name.
  const second = await run(String(job.name), {
    containerOverrides: [
      { env: [secretEnv('JOB_MESSAGE', `projects/${emulator.endpoints.project}/secrets/api-key`, 'latest')] },
    ],
  });
  expect(second.error).toBeUndefined();
  expect((await logLines(second.execution)).map((l) => l.text)).toContain('message: emulator-secret-v2');
});

test('a job whose secret cannot be read fails at creation (code 13, SECRETS_ACCESS_CHECK_FAILED); it cannot run', async () => {
  const failure = (await createJob('secret-missing', {
    containers: [{ image: IMAGE, env: [secretEnv('JOB_MESSAGE', 'api-key', '3')] }],
  }).catch((e: unknown) => e)) as Failure;
  expect(failure.code).toBe(13);
  expect(failure.message).toContain(
    `spec.template.spec.containers[0].env[0].value_from.secret_key_ref.name: Secret projects/${PROJECT_NUMBER}/secrets/api-key/versions/3 was not found`,
  );
  const [job] = await jobs.getJob({ name: `${parent}/jobs/secret-missing` });
  expect(String(job.terminalCondition?.state)).toMatch(/CONDITION_FAILED|^5$/);
  expect(String(job.terminalCondition?.reason)).toMatch(/SECRETS_ACCESS_CHECK_FAILED|^12$/);
  await expect(jobs.runJob({ name: String(job.name) })).rejects.toMatchObject({ code: 9 });
});

test('an env secret that cannot be fetched when a task starts fails the execution with its message', async () => {
  const job = await createJob('secret-at-start', {
    containers: [{ image: IMAGE, env: [{ name: 'JOB_SLEEP_MS', value: '0' }] }],
  });
  const { execution, error } = await run(String(job.name), {
    containerOverrides: [{ env: [secretEnv('JOB_MESSAGE', 'no-such-secret')] }],
  });
  const id = String(execution.name).split('/').pop();
  const why = `Could not fetch secret "projects/${PROJECT_NUMBER}/secrets/no-such-secret/versions/latest" for environment variable "JOB_MESSAGE". Instance startup will now abort: Permission 'secretmanager.versions.access' denied for resource 'projects/${PROJECT_NUMBER}/secrets/no-such-secret/versions/latest' (or it may not exist).`;
  expect(error?.code).toBe(9);
  expect(error?.message).toContain(`Task ${id}-task0 failed with message: ${why}`);
  expect(execution.failedCount).toBe(1);
  const [task] = (await tasks.listTasks({ parent: String(execution.name) }))[0];
  expect(task.lastAttemptResult?.status?.code).toBe(7);
  expect(task.lastAttemptResult?.exitCode ?? 0).toBe(0);
  // Nothing ran: the only output is the platform's system line.
  expect(await logLines(execution)).toEqual([
    { text: why, log: `projects/${emulator.endpoints.project}/logs/run.googleapis.com%2Fvarlog%2Fsystem` },
  ]);
});

test('a secret volume: the task reads its file; the contract env is untouched', async () => {
  const job = await createJob('secret-file', {
    volumes: [
      { name: 'api', secret: { secret: 'api-key', items: [{ path: 'key', version: '1' }] } },
      { name: 'hello', secret: { secret: 'greeting' } },
    ],
    containers: [
      {
        image: IMAGE,
        env: [
          { name: 'JOB_SLEEP_MS', value: '0' },
          { name: 'JOB_READ_FILE', value: '/secrets/api/key' },
        ],
        volumeMounts: [
          { name: 'api', mountPath: '/secrets/api' },
          { name: 'hello', mountPath: '/etc/hello' },
        ],
      },
    ],
  });
  const { execution, error } = await run(String(job.name));
  expect(error).toBeUndefined();
  const id = String(execution.name).split('/').pop();
  let lines = (await logLines(execution)).map((l) => l.text);
  expect(lines).toContain('file /secrets/api/key: emulator-secret-v1');
  expect(lines).toContain(`task 0/1 attempt 0 of ${id} (job secret-file)`);
  // Without items the file is named after the secret, at its latest version.
  const second = await run(String(job.name), {
    containerOverrides: [{ env: [{ name: 'JOB_READ_FILE', value: '/etc/hello/greeting' }] }],
  });
  lines = (await logLines(second.execution)).map((l) => l.text);
  expect(lines).toContain('file /etc/hello/greeting: hello from secret manager');
  // A path no volume holds cannot be read: the sample job fails, as it would on Cloud Run.
  const third = await run(String(job.name), {
    containerOverrides: [{ env: [{ name: 'JOB_READ_FILE', value: '/secrets/api/other' }] }],
  });
  expect(third.error?.message).toContain('The container exited with an error.');
});

test('a secret volume whose version does not exist fails the job at creation', async () => {
  const failure = (await createJob('secret-file-missing', {
    volumes: [{ name: 'api', secret: { secret: 'api-key', items: [{ path: 'key', version: '7' }] } }],
    containers: [{ image: IMAGE, volumeMounts: [{ name: 'api', mountPath: '/secrets/api' }] }],
  }).catch((e: unknown) => e)) as Failure;
  expect(failure.code).toBe(13);
  expect(failure.message).toContain(
    `spec.template.spec.volumes[0].secret.items[0].key: Secret projects/${PROJECT_NUMBER}/secrets/api-key/versions/7 was not found`,
  );
});

test.each([
  [
    'a mount naming no volume',
    [{ name: 'api', secret: { secret: 'api-key' } }],
    [{ name: 'cache', mountPath: '/cache' }],
    "Violation in CreateJobRequest.job.template.template.containers[0].volume_mounts[0].name: no volume named 'cache' in the template's volumes.",
  ],
  [
    'two mounts at one path',
    [
      { name: 'api', secret: { secret: 'api-key' } },
      { name: 'hello', secret: { secret: 'greeting' } },
    ],
    [
      { name: 'api', mountPath: '/secrets' },
      { name: 'hello', mountPath: '/secrets' },
    ],
    "Violation in CreateJobRequest.job.template.template.containers[0].volume_mounts[1].mount_path: '/secrets' is already the mount path of another volume.",
  ],
  [
    'a secret volume without a secret',
    [{ name: 'api', secret: { items: [{ path: 'k', version: '1' }] } }],
    [{ name: 'api', mountPath: '/secrets' }],
    'Violation in CreateJobRequest.job.template.template.volumes[0].secret.secret: the secret name is required.',
  ],
])('%s is refused with INVALID_ARGUMENT', async (_name, volumes, volumeMounts, message) => {
  const refused = jobs.createJob({
    parent,
    jobId: 'bad-volumes',
    job: { template: { template: { volumes, containers: [{ image: IMAGE, volumeMounts }] } } },
  });
  await expect(refused).rejects.toMatchObject({ code: 3 });
  await expect(refused).rejects.toThrow(message);
});
