// The job orchestrator (src/job.ts) against an in-memory Jobs API: write, execute with overrides, wait,
// explain failed tasks with their log lines, cancel at the deadline, and keep the running execution's name
// for the post step only while it runs.
import type { JobSettings } from '../src/core/config';
import type { CloudRunJob, RunOverrides } from '../src/core/job-plan';
import type { JobExecution, JobTask } from '../src/core/job-outcome';
import { StepError } from '../src/errors';
import { runJob, type JobPorts } from '../src/job';
import type { JobsPort } from '../src/ports';
import { deployConfig } from './support/deploy-config';
import { memoryLog } from './support/fake-release-ports';
import { context } from './support/run-config';

const NAME = 'projects/demo-project/locations/us-central1/jobs/shard';

/** Executions that end after `polls` reads with the given result. */
class FakeJobs implements JobsPort {
  job?: CloudRunJob;
  taskErrors?: JobsPort['taskErrors'];
  calls: string[] = [];
  overrides?: RunOverrides;
  constructor(
    private readonly result: Partial<JobExecution>,
    private readonly tasks: JobTask[] = [],
    private polls = 2,
  ) {}
  async getJob() {
    this.calls.push('get');
    return this.job && structuredClone(this.job);
  }
  async applyJob(job: CloudRunJob, action: 'create' | 'update') {
    this.calls.push(action);
    this.job = structuredClone(job);
    return structuredClone(job);
  }
  async runJob(_name: string, overrides?: RunOverrides) {
    this.calls.push('run');
    this.overrides = overrides;
    return `${NAME}/executions/shard-ab12c`;
  }
  cancelled = false;
  async getExecution(name: string): Promise<JobExecution> {
    if (this.cancelled)
      return {
        name,
        completionTime: 'now',
        cancelledCount: 5,
        conditions: [{ type: 'Completed', state: 'CONDITION_FAILED' }],
      };
    if (--this.polls > 0) return { name, taskCount: 5, runningCount: 5 };
    return { name, taskCount: 5, completionTime: 'now', ...this.result };
  }
  async listTasks() {
    return this.tasks;
  }
  async cancelExecution() {
    this.calls.push('cancel');
    this.cancelled = true;
  }
}

const settings = (over: Partial<JobSettings> = {}): JobSettings => ({
  name: 'shard',
  execute: 'after-deploy',
  deadlineSeconds: 60,
  ...over,
});

function ports(jobs: JobsPort, extra: Partial<JobPorts> = {}) {
  let clock = 0;
  const saved: Array<string | undefined> = [];
  const log = memoryLog();
  const p: JobPorts = {
    jobs,
    log,
    saveExecution: (n) => saved.push(n),
    sleep: async (ms) => {
      clock += ms;
    },
    now: () => clock,
    ...extra,
  };
  return { p, saved, log };
}

const config = (job: JobSettings) => deployConfig({ mode: 'job', job, image: 'us-docker.pkg.dev/p/r/job:1' });

test('a sharded job that succeeds: created, executed with its overrides, the name kept only while it runs', async () => {
  const jobs = new FakeJobs({
    succeededCount: 5,
    conditions: [{ type: 'Completed', state: 'CONDITION_SUCCEEDED' }],
  });
  const { p, saved } = ports(jobs);
  const out = await runJob(
    config(settings({ overrides: { env: [{ name: 'RELEASE', value: 'v2' }], taskCount: 5 } })),
    context,
    p,
  );
  expect(out).toMatchObject({ verdict: 'succeeded', execution: `${NAME}/executions/shard-ab12c` });
  expect(out.failure).toBeUndefined();
  expect(jobs.calls).toEqual(['get', 'create', 'run']);
  expect(jobs.overrides).toEqual({
    containerOverrides: [{ env: [{ name: 'RELEASE', value: 'v2' }] }],
    taskCount: 5,
  });
  expect(saved).toEqual([`${NAME}/executions/shard-ab12c`, undefined]);
});

test('a failing task is reported by index, exit code, attempts and its last ERROR lines', async () => {
  const jobs = new FakeJobs(
    {
      succeededCount: 4,
      failedCount: 1,
      retriedCount: 1,
      logUri: 'https://console/logs',
      conditions: [{ type: 'Completed', state: 'CONDITION_FAILED' }],
    },
    [{ name: 't3', index: 3, retried: 1, lastAttemptResult: { exitCode: 1 } }],
  );
  jobs.taskErrors = async (_e: string, index: number) => ({
    kind: 'data' as const,
    query: 'q',
    value: [`task ${index} failed: relation "users" does not exist`],
  });
  const { p } = ports(jobs);
  const out = await runJob(config(settings()), context, p);
  expect(out.verdict).toBe('failed');
  expect(out.failure).toContain('task 3: exit code 1 after 2 attempt(s)');
  expect(out.failure).toContain('task 3: task 3 failed: relation "users" does not exist');
  expect(out.failure).toContain('Logs: https://console/logs');
});

test('past the deadline the execution is cancelled and the run says so', async () => {
  const jobs = new FakeJobs({}, [], 1_000);
  const { p } = ports(jobs);
  const out = await runJob(config(settings({ deadlineSeconds: 10 })), context, p);
  expect(jobs.calls).toContain('cancel');
  expect(out.verdict).toBe('cancelled');
});

test('`execute: never` writes the job and stops; an API refusal is a failed outcome, not a throw', async () => {
  const jobs = new FakeJobs({});
  const never = await runJob(config(settings({ execute: 'never' })), context, ports(jobs).p);
  expect([never.verdict, jobs.calls]).toEqual(['deployed', ['get', 'create']]);
  const refused = new FakeJobs({});
  refused.runJob = async () => {
    throw new StepError({
      operation: 'execute job',
      target: NAME,
      cause: '403 run.jobs.runWithOverrides',
      hint: 'grant it',
    });
  };
  const out = await runJob(config(settings()), context, ports(refused).p);
  expect(out.verdict).toBe('failed');
  expect(out.failure).toMatch(/execute job.*runWithOverrides.*grant it/s);
});

test('a schedule is created with the right identity: an OAuth token of its account calling jobs.run', async () => {
  const jobs = new FakeJobs({});
  const upserts: unknown[] = [];
  const { p, log } = ports(jobs, {
    schedules: {
      upsert: async (job) => {
        upserts.push(job);
        return 'created';
      },
    },
  });
  const out = await runJob(
    config(
      settings({
        execute: 'never',
        schedule: {
          cron: '0 3 * * *',
          timeZone: 'Etc/UTC',
          serviceAccount: 'sched@demo-project.iam.gserviceaccount.com',
        },
      }),
    ),
    context,
    p,
  );
  expect(out.verdict).toBe('deployed');
  expect(upserts).toEqual([
    {
      name: 'projects/demo-project/locations/us-central1/jobs/shard-scheduler-trigger',
      description: 'Runs Cloud Run job shard (managed by stream-deploy)',
      schedule: '0 3 * * *',
      timeZone: 'Etc/UTC',
      httpTarget: {
        uri: `https://run.googleapis.com/v2/${NAME}:run`,
        httpMethod: 'POST',
        oauthToken: {
          serviceAccountEmail: 'sched@demo-project.iam.gserviceaccount.com',
          scope: 'https://www.googleapis.com/auth/cloud-platform',
        },
      },
    },
  ]);
  expect(log.lines).toContainEqual(
    expect.stringMatching(/needs roles\/run\.invoker on job shard \(run\.jobs\.run\) and nothing else/),
  );
});
