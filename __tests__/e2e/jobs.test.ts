// Cloud Run jobs through the built action (`mode: job`) against the local Cloud Run, whose tasks are real
// processes: a sharded job that succeeds; task 3 of 5 failing twice, reported by index, exit code and log
// lines; a task timeout; and a cancelled GitHub job whose post step cancels the running execution. Each
// run also reports on the emulator's GitHub fake: one sticky comment per job on pull request 12, edited as
// the execution moves, and a deployment in the job's environment whose last status is the verdict.
import { runAction, startAction } from '../../scripts/local-runner';
import { jobClients, wifClient } from '../../emulator/clients';
import { jobEnvironmentName } from '../../src/core/github-names';
import { jobReportMarker } from '../../src/core/job-report';
import { QUICK_STEPS, seedReleased, targetInputs, trafficOf, useActionWorld } from '../support/action-world';

const w = useActionWorld({ jobKillGraceMs: 500 });
const IMAGE = 'us-docker.pkg.dev/demo/jobs/job-app';

let runs = 8300;
const inputs = (job: string, extra: Record<string, string> = {}) => {
  const { service: _s, ...target } = targetInputs(w.emulator, '');
  // The local runner opts previews in to creating a service; a job run would warn that it ignores that.
  return { ...target, mode: 'job', job, image: `${IMAGE}:v1`, candidate_creates_service: 'false', ...extra };
};
const run = (job: string, extra: Record<string, string> = {}) =>
  runAction('main', inputs(job, extra), w.emulator.endpoints, { env: { GITHUB_RUN_ID: String(runs++) } });
const tasksOf = (output: string) => JSON.parse(output) as Record<string, unknown>;
/** The job's sticky comments on pull request 12 (the local runner's event). */
const commentsOf = (job: string) =>
  w.emulator.github
    .comments(12)
    .filter((c) => c.body.includes(jobReportMarker(w.emulator.endpoints.project, 'us-central1', job)));
/** The job's deployments, each with its statuses' states in order. */
const deploymentsOf = (job: string) =>
  w.emulator.github
    .deployments()
    .filter((d) => d.environment === jobEnvironmentName(w.emulator.endpoints.project, job, 'us-central1'))
    .map((d) => ({ payload: d.payload, states: d.statuses.map((s) => s.state) }));

test('a sharded job is created, executed with its overrides and waited for: every task succeeds', async () => {
  const got = await run('shard', { task_count: '5', parallelism: '3', execute_env: 'RELEASE=v2' });
  expect([got.code, got.annotations]).toEqual([0, []]);
  expect(got.outputs).toMatchObject({ verdict: 'succeeded', execution_status: 'succeeded' });
  expect(got.outputs.execution).toMatch(/\/jobs\/shard\/executions\/shard-[a-z0-9]{5}$/);
  expect(tasksOf(got.outputs.tasks)).toMatchObject({ tasks: 5, succeeded: 5, failed: 0, failedTasks: [] });
  expect(got.stdout).toMatch(/Execution shard-[a-z0-9]{5} succeeded: 5 of 5 tasks succeeded/);
  expect(got.summary).toContain('### Cloud Run job `shard` in `us-central1`: succeeded');
  const [comment, ...others] = commentsOf('shard');
  expect(others).toEqual([]);
  expect(comment.body).toContain('- **Tasks:** 5 succeeded, 0 failed, 0 cancelled, 0 retried, of 5');
  expect(deploymentsOf('shard')).toEqual([
    {
      payload: {
        stream_deploy: {
          kind: 'job',
          project: w.emulator.endpoints.project,
          region: 'us-central1',
          job: 'shard',
          pull_request: 12,
          run_id: expect.stringMatching(/^83\d\d$/),
          run_attempt: '1',
        },
      },
      states: ['in_progress', 'success'],
    },
  ]);
});

test('secrets as files and variables, resources and Direct VPC egress reach the job; its task reads the file', async () => {
  const got = await run('secret-files', {
    secrets: '/secrets/api/key=api-key:2\nGREETING=greeting:1',
    // The sample job reads the file and fails at once when it is not there (examples/job-app).
    env_vars: 'JOB_READ_FILE=/secrets/api/key',
    memory: '1Gi',
    vpc_network: 'default',
    vpc_egress: 'all-traffic',
  });
  expect([got.code, got.annotations, got.outputs.verdict]).toEqual([0, [], 'succeeded']);
  const { jobs } = jobClients(w.emulator.endpoints, wifClient(w.emulator.endpoints));
  const [job] = await jobs.getJob({
    name: `projects/${w.emulator.endpoints.project}/locations/us-central1/jobs/secret-files`,
  });
  await jobs.close();
  const task = job.template!.template!;
  expect(task.volumes).toEqual([
    expect.objectContaining({ name: 'api-key', secret: expect.objectContaining({ secret: 'api-key' }) }),
  ]);
  expect(task.containers![0].volumeMounts).toEqual([
    expect.objectContaining({ name: 'api-key', mountPath: '/secrets/api' }),
  ]);
  expect(task.containers![0].resources?.limits).toMatchObject({ memory: '1Gi' });
  expect(task.vpcAccess).toMatchObject({
    egress: 'ALL_TRAFFIC',
    networkInterfaces: [{ network: 'default' }],
  });
});

test('task 3 of 5 exits 1 twice: failed, reported by index, exit code, attempts and its log lines', async () => {
  const got = await run('flaky', { task_count: '5', max_retries: '1', env_vars: 'JOB_FAIL_TASKS=3' });
  expect(got.code).toBe(1);
  expect(got.outputs.verdict).toBe('failed');
  expect(tasksOf(got.outputs.tasks)).toMatchObject({
    tasks: 5,
    succeeded: 4,
    failed: 1,
    failedTasks: [{ index: 3, exitCode: 1, attempts: 2 }],
  });
  const error = got.annotations.find((a) => a.startsWith('::error'))!;
  expect(error).toContain('task 3: exit code 1 after 2 attempt(s)');
  expect(error).toMatch(/task 3: task 3 failed/);
  expect(got.summary).toMatch(/\| 3 \| 1 \| 2 \| .*task 3 failed/);
  // One comment, created when the execution started and edited when it ended; the deployment failed.
  const comments = commentsOf('flaky');
  expect(comments).toHaveLength(1);
  expect(comments[0].body).toContain('### Cloud Run job `flaky` in `us-central1`: failed');
  expect(comments[0].body).toMatch(/\| 3 \| 1 \| 2 \| .*task 3 failed/);
  expect(comments[0].body).toContain(
    '[the execution in the Cloud console](https://console.cloud.google.com/',
  );
  expect(
    w.emulator.github.requests.filter(
      (r) => r.method === 'PATCH' && r.path.endsWith(`/comments/${comments[0].id}`),
    ),
  ).toHaveLength(1);
  expect(deploymentsOf('flaky').map((d) => d.states)).toEqual([['in_progress', 'failure']]);
});

test('a task past its timeout is stopped by a signal and reported so', async () => {
  const got = await run('slow', { task_timeout: '1s', max_retries: '0', env_vars: 'JOB_SLEEP_MS=30000' });
  expect(got.code).toBe(1);
  expect(tasksOf(got.outputs.tasks)).toMatchObject({
    failed: 1,
    failedTasks: [{ index: 0, signal: expect.any(Number) }],
  });
  expect(got.annotations.join('\n')).toMatch(/task 0: stopped by signal \d+/);
});

test('a cancelled GitHub job: the post step cancels the running execution', async () => {
  const main = startAction(
    'main',
    inputs('long', { env_vars: 'JOB_SLEEP_MS=60000', task_count: '2' }),
    w.emulator.endpoints,
    {
      env: { GITHUB_RUN_ID: String(runs++) },
    },
  );
  let execution = '';
  // Killed once the execution runs and its report is out (the deployment id kept for the post step).
  const reported = () => /"deploymentId":\d+/.test(main.state().job_report ?? '');
  for (
    const deadline = Date.now() + 60_000;
    !execution || !reported();
    await new Promise((r) => setTimeout(r, 100))
  ) {
    if (Date.now() > deadline || main.child.exitCode !== null) throw new Error('no execution started');
    execution = main.state().job_execution ?? '';
  }
  main.child.kill('SIGKILL');
  await main.done;
  const post = await runAction('post', inputs('long'), w.emulator.endpoints, {
    state: main.state(),
    env: { GITHUB_RUN_ID: String(runs++) },
  });
  expect(post.code).toBe(0);
  expect(post.stdout).toContain(`Cancelled execution ${execution}`);
  const { executions } = jobClients(w.emulator.endpoints, wifClient(w.emulator.endpoints));
  for (const deadline = Date.now() + 20_000; ; await new Promise((r) => setTimeout(r, 200))) {
    const [e] = await executions.getExecution({ name: execution });
    if (Number(e.cancelledCount ?? 0) === 2) break;
    if (Date.now() > deadline) throw new Error(`not cancelled: ${JSON.stringify(e)}`);
  }
  await executions.close();
  // The comment and the deployment main started say the run was cancelled.
  const [comment] = commentsOf('long');
  expect(comment.body).toContain(': cancelled');
  expect(comment.body).toContain(`the post step cancelled it`);
  expect(deploymentsOf('long').map((d) => d.states)).toEqual([['in_progress', 'error']]);
});

describe('a pre-rollout job (`before_rollout_job`) gating a service release', () => {
  const STREAM_APP = 'us-docker.pkg.dev/demo/streams/stream-app';
  const release = (service: string) =>
    runAction(
      'main',
      {
        ...targetInputs(w.emulator, service),
        image: `${STREAM_APP}:v2`,
        allow_unauthenticated: 'true',
        env_vars: 'TICK_MS=100',
        ...QUICK_STEPS,
        before_rollout_job: 'migrate',
      },
      w.emulator.endpoints,
      { env: { GITHUB_RUN_ID: String(runs++) } },
    );
  /** The migration job, written (not executed) as `mode: job` does; the app exits MIGRATE_EXIT as a task. */
  const writeMigration = async (exit: number) => {
    const got = await run('migrate', {
      image: `${STREAM_APP}:v1`,
      execute: 'never',
      max_retries: '0',
      env_vars: `MIGRATE_EXIT=${exit}`,
    });
    expect([got.code, got.outputs.verdict]).toEqual([0, 'deployed']);
  };

  test("a failing migration stops the release with the service's traffic untouched", async () => {
    await seedReleased(w.emulator, 'mig-api');
    const before = await trafficOf(w, 'mig-api');
    await writeMigration(3);
    const got = await release('mig-api');
    expect(got.code).toBe(1);
    expect(got.outputs.verdict).toBe('failed');
    const error = got.annotations.find((a) => a.startsWith('::error'))!;
    expect(error).toContain('The pre-rollout job migrate did not succeed, so no traffic moves');
    expect(error).toContain('task 0: exit code 3');
    expect(error).toMatch(/migration failed \(exit 3\)/);
    expect(await trafficOf(w, 'mig-api')).toEqual(before);
  });

  test('a migration that succeeds lets the release go on: promoted', async () => {
    await seedReleased(w.emulator, 'mig-ok');
    await writeMigration(0);
    const got = await release('mig-ok');
    expect([got.code, got.annotations]).toEqual([0, []]);
    expect(got.outputs.verdict).toBe('promoted');
    expect(got.stdout).toMatch(/Execution migrate-[a-z0-9]{5} succeeded: 1 of 1 tasks succeeded/);
  });
});

test('a schedule is created with the right identity, and firing it runs the job as that account', async () => {
  const sa = `scheduler@${w.emulator.endpoints.project}.iam.gserviceaccount.com`;
  const got = await run('nightly', {
    execute: 'never',
    schedule: '0 3 * * *',
    schedule_time_zone: 'Europe/Berlin',
    schedule_service_account: sa,
  });
  expect([got.code, got.outputs.verdict]).toEqual([0, 'deployed']);
  expect(got.stdout).toContain(`needs roles/run.invoker on job nightly (run.jobs.run) and nothing else`);
  // Written, not executed: the deployment is a success once the job is written.
  expect(deploymentsOf('nightly').map((d) => d.states)).toEqual([['success']]);
  const name = `projects/${w.emulator.endpoints.project}/locations/us-central1/jobs/nightly-scheduler-trigger`;
  const attempt = await w.emulator.fireSchedulerJob(name);
  expect(attempt).toMatchObject({
    principal: sa,
    uri: expect.stringMatching(/^https:\/\/run\.googleapis\.com\/v2\/.*\/jobs\/nightly:run$/),
  });
  // A second run with the same inputs changes nothing on the scheduler job.
  const again = await run('nightly', {
    execute: 'never',
    schedule: '0 3 * * *',
    schedule_time_zone: 'Europe/Berlin',
    schedule_service_account: sa,
  });
  expect(again.stdout).toContain('Scheduler job ' + name + ' unchanged');
});
