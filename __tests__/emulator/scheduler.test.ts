// The Cloud Scheduler fake over real HTTP, called through a real google-auth-library client as the
// action calls it, and its dispatch of a Cloud Run job through the emulator's own Run API. Each test
// names the emulator/README.md "Cloud Scheduler" row it holds the fake to.
import type { OAuth2Client } from 'google-auth-library';
import type { ExecutionsClient, JobsClient } from '@google-cloud/run';
import { startEmulator, type Emulator } from '../../emulator/emulator';
import { jobClients, LRO, signedInClient, wifClient } from '../../emulator/clients';
import { livePids } from '../../emulator/data-plane/instances';

const IMAGE = 'us-docker.pkg.dev/demo/jobs/job-app:v1';
const INVOKER_SA = 'scheduler-invoker@demo-project.iam.gserviceaccount.com';
const NO_RUN_SA = 'scheduler-norun@demo-project.iam.gserviceaccount.com';
const STRANGER_SA = 'stranger@demo-project.iam.gserviceaccount.com';

let emulator: Emulator;
let deployer: OAuth2Client;
let jobs: JobsClient;
let executions: ExecutionsClient;
let parent: string;
let runParent: string;

beforeAll(async () => {
  emulator = await startEmulator({
    jobKillGraceMs: 300,
    // Only the deployer may use the Run API at will; INVOKER_SA holds roles/run.invoker; NO_RUN_SA nothing.
    apiPrincipals: ['deployer@demo-project.iam.gserviceaccount.com'],
    apiRoles: { [INVOKER_SA]: 'run.invoker' },
    serviceAccountUsers: {
      [INVOKER_SA]: ['deployer@demo-project.iam.gserviceaccount.com'],
      [NO_RUN_SA]: ['deployer@demo-project.iam.gserviceaccount.com'],
    },
  });
  deployer = await signedInClient(emulator.endpoints);
  ({ jobs, executions } = jobClients(emulator.endpoints, wifClient(emulator.endpoints)));
  parent = `projects/${emulator.endpoints.project}/locations/us-central1`;
  runParent = parent;
});

afterAll(async () => {
  await emulator.stop();
  expect(livePids()).toEqual([]);
});

type Answer = { status: number; body: any };

/** One REST call to the Scheduler fake; a refusal resolves with its status and Google error body. */
async function call(method: string, path: string, data?: unknown, client = deployer): Promise<Answer> {
  try {
    const res = await client.request({
      url: `${emulator.endpoints.schedulerApi}/v1/${path}`,
      method: method as 'GET',
      data,
    });
    return { status: res.status, body: res.data };
  } catch (error) {
    const res = (error as { response?: { status: number; data: unknown } }).response;
    if (!res) throw error;
    return { status: res.status, body: res.data };
  }
}

function httpJob(id: string, extra: Record<string, unknown> = {}, target: Record<string, unknown> = {}) {
  return {
    name: `${parent}/jobs/${id}`,
    schedule: '*/5 * * * *',
    timeZone: 'Etc/UTC',
    httpTarget: {
      uri: `https://run.googleapis.com/v2/${runParent}/jobs/nightly:run`,
      httpMethod: 'POST',
      oauthToken: { serviceAccountEmail: INVOKER_SA },
      ...target,
    },
    ...extra,
  };
}

async function createRunJob(id: string) {
  const [op] = await jobs.createJob(
    {
      parent: runParent,
      jobId: id,
      job: {
        template: {
          taskCount: 1,
          template: {
            containers: [{ image: IMAGE, env: [{ name: 'JOB_SLEEP_MS', value: '100' }] }],
            maxRetries: 0,
          },
        },
      },
    },
    LRO,
  );
  const [job] = await op.promise();
  return job;
}

async function executionsOf(job: string): Promise<string[]> {
  const [list] = await executions.listExecutions({ parent: job });
  return list.map((e) => String(e.name));
}

test('create answers the Job itself (no operation), with state, defaults, userUpdateTime and scheduleTime', async () => {
  const created = await call('POST', `${parent}/jobs`, httpJob('basic'));
  expect(created.status).toBe(200);
  expect(created.body.name).toBe(`${parent}/jobs/basic`);
  expect(created.body.done).toBeUndefined();
  expect(created.body.state).toBe('ENABLED');
  expect(created.body.httpTarget.oauthToken).toEqual({
    serviceAccountEmail: INVOKER_SA,
    scope: 'https://www.googleapis.com/auth/cloud-platform',
  });
  expect(created.body.attemptDeadline).toBe('180s');
  expect(Date.parse(created.body.userUpdateTime)).toBeLessThanOrEqual(Date.now());
  const next = Date.parse(created.body.scheduleTime);
  expect(next).toBeGreaterThan(Date.now());
  expect(new Date(next).getUTCMinutes() % 5).toBe(0);
  const got = await call('GET', `${parent}/jobs/basic`);
  expect(got.body).toEqual(created.body);
});

test('scheduleTime is the next match of the cron expression in the job time zone', async () => {
  const created = await call(
    'POST',
    `${parent}/jobs`,
    httpJob('berlin', { schedule: '30 9 * * MON', timeZone: 'Europe/Berlin' }),
  );
  expect(created.status).toBe(200);
  const next = new Date(created.body.scheduleTime);
  const local = new Intl.DateTimeFormat('en-US', {
    timeZone: 'Europe/Berlin',
    weekday: 'short',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).format(next);
  expect(local).toBe('Mon 09:30');
  expect(next.getTime() - Date.now()).toBeLessThanOrEqual(7 * 24 * 3600_000);
});

test('patch with an updateMask changes only the masked fields; without one, the fields sent (AIP-134)', async () => {
  const before = (await call('POST', `${parent}/jobs`, httpJob('patchme'))).body;
  const patched = await call('PATCH', `${parent}/jobs/patchme?updateMask=schedule`, {
    schedule: '0 3 * * *',
    description: 'ignored: not in the mask',
  });
  expect(patched.status).toBe(200);
  expect(patched.body.schedule).toBe('0 3 * * *');
  expect(patched.body.description).toBeUndefined();
  expect(patched.body.httpTarget).toEqual(before.httpTarget);
  expect(Date.parse(patched.body.userUpdateTime)).toBeGreaterThanOrEqual(Date.parse(before.userUpdateTime));
  const described = await call('PATCH', `${parent}/jobs/patchme`, { description: 'nightly' });
  expect(described.body).toMatchObject({ description: 'nightly', schedule: '0 3 * * *' });
  const badMask = await call('PATCH', `${parent}/jobs/patchme?updateMask=state`, { state: 'PAUSED' });
  expect(badMask.status).toBe(400);
  expect(badMask.body.error.message).toBe('Invalid mask for Job: state');
});

test('list and delete: list holds the jobs of the location; delete answers {} and the job is gone (404)', async () => {
  await call('POST', `${parent}/jobs`, httpJob('doomed'));
  const listed = await call('GET', `${parent}/jobs`);
  expect(listed.body.jobs.map((j: { name: string }) => j.name)).toContain(`${parent}/jobs/doomed`);
  const other = await call('GET', `projects/${emulator.endpoints.project}/locations/europe-west1/jobs`);
  expect(other.body).toEqual({});
  const deleted = await call('DELETE', `${parent}/jobs/doomed`);
  expect(deleted).toEqual({ status: 200, body: {} });
  const gone = await call('GET', `${parent}/jobs/doomed`);
  expect(gone.status).toBe(404);
  expect(gone.body.error).toMatchObject({ code: 404, status: 'NOT_FOUND', message: 'Job not found.' });
  expect((await call('DELETE', `${parent}/jobs/doomed`)).status).toBe(404);
  expect(
    (await call('PATCH', `${parent}/jobs/doomed?updateMask=schedule`, { schedule: '* * * * *' })).status,
  ).toBe(404);
});

test.each([
  ['a bad minute', { schedule: '61 * * * *' }],
  ['six fields', { schedule: '0 0 * * * *' }],
  ['an English-like schedule', { schedule: 'every 24 hours' }],
  ['a step on a single value', { schedule: '5/10 * * * *' }],
  ['a day that never comes', { schedule: '0 0 31 2 *' }],
  ['no schedule', { schedule: undefined }],
  ['an unknown time zone', { timeZone: 'Mars/Olympus_Mons' }],
  ['an abbreviation for a zone', { timeZone: 'EST' }],
])('create with %s is 400 "Schedule or time zone is invalid."', async (_what, extra) => {
  const answer = await call('POST', `${parent}/jobs`, httpJob('invalid', extra));
  expect(answer.status).toBe(400);
  expect(answer.body.error).toMatchObject({
    code: 400,
    status: 'INVALID_ARGUMENT',
    message: 'Schedule or time zone is invalid.',
  });
});

test.each([
  [
    'both token kinds',
    { oidcToken: { serviceAccountEmail: INVOKER_SA } },
    /oneof field 'authorization_header' is already set\. Cannot set 'oidcToken'/,
  ],
  [
    'a relative uri',
    { uri: '/v2/projects/p/locations/l/jobs/j:run' },
    /HttpTarget\.uri must be an absolute URL/,
  ],
  ['no uri', { uri: undefined }, /HttpTarget\.uri must be an absolute URL/],
  ['an ftp uri', { uri: 'ftp://example.com/x' }, /HttpTarget\.uri must be an absolute URL/],
  ['an unknown method', { httpMethod: 'FETCH' }, /Invalid value at 'job\.http_target\.http_method'/],
  [
    'a body on GET',
    { httpMethod: 'GET', body: Buffer.from('{}').toString('base64') },
    /allowed only if the HTTP method is POST, PUT, or PATCH/,
  ],
  ['an unknown field', { retries: 3 }, /Unknown name "retries" at 'job\.http_target': Cannot find field\./],
])('create with %s is 400 INVALID_ARGUMENT', async (_what, target, message) => {
  const answer = await call('POST', `${parent}/jobs`, httpJob('invalid', {}, target));
  expect(answer.status).toBe(400);
  expect(answer.body.error.status).toBe('INVALID_ARGUMENT');
  expect(answer.body.error.message).toMatch(message);
});

test('a second create of the same name is 409 ALREADY_EXISTS', async () => {
  expect((await call('POST', `${parent}/jobs`, httpJob('twice'))).status).toBe(200);
  const again = await call('POST', `${parent}/jobs`, httpJob('twice'));
  expect(again.status).toBe(409);
  expect(again.body.error).toMatchObject({
    code: 409,
    status: 'ALREADY_EXISTS',
    message: `Job ${parent}/jobs/twice already exists.`,
  });
});

test('a principal without roles/cloudscheduler.admin gets 403 PERMISSION_DENIED naming the permission', async () => {
  const direct = await signedInClient(emulator.endpoints, true);
  const create = await call('POST', `${parent}/jobs`, httpJob('nope'), direct);
  expect(create.status).toBe(403);
  expect(create.body.error.status).toBe('PERMISSION_DENIED');
  expect(create.body.error.message).toBe(
    `The principal (user or service account) lacks IAM permission "cloudscheduler.jobs.create" for the resource "${parent}" (or the resource may not exist).`,
  );
  const list = await call('GET', `${parent}/jobs`, undefined, direct);
  expect(list.body.error.message).toContain('"cloudscheduler.jobs.list"');
});

test('naming a service account the caller may not act as is 403 for iam.serviceAccounts.actAs, on create and on patch', async () => {
  const create = await call(
    'POST',
    `${parent}/jobs`,
    httpJob('actas', {}, { oauthToken: { serviceAccountEmail: STRANGER_SA } }),
  );
  expect(create.status).toBe(403);
  expect(create.body.error.message).toBe(
    `The principal (user or service account) lacks IAM permission "iam.serviceAccounts.actAs" for the resource "${STRANGER_SA}" (or the resource may not exist).`,
  );
  expect((await call('GET', `${parent}/jobs/actas`)).status).toBe(404);
  await call('POST', `${parent}/jobs`, httpJob('actas'));
  const patch = await call('PATCH', `${parent}/jobs/actas?updateMask=httpTarget.oidcToken`, {
    httpTarget: { oidcToken: { serviceAccountEmail: STRANGER_SA } },
  });
  expect(patch.status).toBe(403);
  expect(patch.body.error.message).toContain('"iam.serviceAccounts.actAs"');
});

test('firing a job whose account holds run.invoker starts an execution through the Run API, as that account', async () => {
  const runJob = await createRunJob('nightly');
  expect(await executionsOf(String(runJob.name))).toEqual([]);
  // The production URI (run.googleapis.com) reaches the emulator's Run API.
  await call('POST', `${parent}/jobs`, httpJob('fire-prod'));
  const attempt = await emulator.fireSchedulerJob(`${parent}/jobs/fire-prod`);
  expect(attempt).toMatchObject({
    httpStatus: 200,
    principal: INVOKER_SA,
    status: { code: 0 },
    sentTo: `${emulator.endpoints.runApi.url}/v2/${runParent}/jobs/nightly:run`,
  });
  const operation = attempt.response as { name: string; metadata: { name: string } };
  expect(await executionsOf(String(runJob.name))).toEqual([operation.metadata.name]);
  // The Run API saw the service account as the principal: the execution's creator.
  const [execution] = await executions.getExecution({ name: operation.metadata.name });
  expect(execution.creator).toBe(INVOKER_SA);
  const job = (await call('GET', `${parent}/jobs/fire-prod`)).body;
  expect(job.lastAttemptTime).toBe(attempt.at);
  expect(job.status).toEqual({});

  // The emulator's own URI, fired through jobs.run (answered before the attempt ends) and the control path.
  await call(
    'POST',
    `${parent}/jobs`,
    httpJob('fire-local', {}, { uri: `${emulator.endpoints.runApi.url}/v2/${runParent}/jobs/nightly:run` }),
  );
  const run = await call('POST', `${parent}/jobs/fire-local:run`, {});
  expect(run.status).toBe(200);
  expect(run.body.name).toBe(`${parent}/jobs/fire-local`);
  await emulator.scheduler.settle();
  const viaControl = await fetch(
    `${emulator.endpoints.control}/scheduler/${emulator.endpoints.project}/us-central1/fire-local:fire`,
    { method: 'POST' },
  );
  expect(viaControl.status).toBe(200);
  expect(((await viaControl.json()) as { httpStatus: number }).httpStatus).toBe(200);
  const fired = emulator.scheduler.attempts.filter((a) => a.job === `${parent}/jobs/fire-local`);
  expect(fired.map((a) => [a.trigger, a.httpStatus])).toEqual([
    ['API', 200],
    ['control', 200],
  ]);
  expect(await executionsOf(String(runJob.name))).toHaveLength(3);
  await waitForExecutions(String(runJob.name));
});

test('firing a job whose account lacks run.jobs.run records a 403 attempt and starts nothing', async () => {
  const runJob = await createRunJob('guarded');
  await call(
    'POST',
    `${parent}/jobs`,
    httpJob(
      'fire-denied',
      {},
      {
        uri: `https://us-central1-run.googleapis.com/v2/${runParent}/jobs/guarded:run`,
        oauthToken: { serviceAccountEmail: NO_RUN_SA },
      },
    ),
  );
  const attempt = await emulator.fireSchedulerJob(`${parent}/jobs/fire-denied`);
  expect(attempt.httpStatus).toBe(403);
  expect(attempt.principal).toBe(NO_RUN_SA);
  expect(attempt.status.code).toBe(7);
  expect((attempt.response as { error: { message: string } }).error.message).toContain(
    "Permission 'run.jobs.run' denied",
  );
  const job = (await call('GET', `${parent}/jobs/fire-denied`)).body;
  expect(job.status).toEqual(attempt.status);
  expect(job.lastAttemptTime).toBe(attempt.at);
  expect(await executionsOf(String(runJob.name))).toEqual([]);
  // An OIDC token is not an OAuth token: Google APIs answer 401.
  await call('PATCH', `${parent}/jobs/fire-denied?updateMask=httpTarget.oidcToken`, {
    httpTarget: { oidcToken: { serviceAccountEmail: INVOKER_SA } },
  });
  const oidc = await emulator.fireSchedulerJob(`${parent}/jobs/fire-denied`);
  expect([oidc.httpStatus, oidc.status.code]).toEqual([401, 16]);
  expect(await executionsOf(String(runJob.name))).toEqual([]);
  await expect(emulator.fireSchedulerJob(`${parent}/jobs/missing`)).rejects.toThrow('Job not found.');
});

/** Waits until every execution of the job has finished, so no task outlives the test. */
async function waitForExecutions(job: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const [list] = await executions.listExecutions({ parent: job });
    if (list.every((e) => e.completionTime)) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`executions of ${job} did not finish`);
}
