// The pre-rollout job through run() (src/run/before-rollout.ts): it runs after the smoke test and before
// any traffic moves; a missing job or a failed execution stops the release with traffic untouched.
import type { CloudRunJob } from '../../src/core/job-plan';
import { run } from '../../src/run';
import type { JobsPort } from '../../src/ports';
import { FakeCloudRun, ports } from '../support/fake-release-ports';
import { SMOKE, config, context } from '../support/run-config';

const JOB: CloudRunJob = {
  name: 'projects/p/locations/us-central1/jobs/migrate',
  template: { template: { containers: [{ image: 'old' }] } },
};

function jobs(result: 'CONDITION_SUCCEEDED' | 'CONDITION_FAILED' | 'missing') {
  const calls: string[] = [];
  const port: JobsPort = {
    getJob: async () => (result === 'missing' ? undefined : structuredClone(JOB)),
    applyJob: async (job) => {
      calls.push(`update ${job.template.template.containers[0].image}`);
      return job;
    },
    runJob: async () => {
      calls.push('run');
      return `${JOB.name}/executions/migrate-abcde`;
    },
    getExecution: async (name) => ({
      name,
      taskCount: 1,
      completionTime: 'now',
      ...(result === 'CONDITION_SUCCEEDED' ? { succeededCount: 1 } : { failedCount: 1 }),
      conditions: [{ type: 'Completed', state: result }],
    }),
    listTasks: async () =>
      result === 'CONDITION_FAILED' ? [{ name: 't0', index: 0, lastAttemptResult: { exitCode: 2 } }] : [],
    cancelExecution: async () => undefined,
  };
  return { port, calls };
}

const release = () =>
  config({
    smoke: SMOKE,
    rollout: 'progressive',
    trafficSteps: [100],
    stepWaitMs: [0],
    beforeRolloutJob: { name: 'migrate', deadlineSeconds: 60 },
  });

test.each<['CONDITION_SUCCEEDED' | 'CONDITION_FAILED' | 'missing', string, RegExp | undefined]>([
  ['CONDITION_SUCCEEDED', 'promoted', undefined],
  [
    'CONDITION_FAILED',
    'failed',
    /pre-rollout job migrate did not succeed, so no traffic moves.*task 0: exit code 2/s,
  ],
  ['missing', 'failed', /pre-rollout job migrate does not exist in us-central1: create it first/],
])('job %s: %s', async (result, verdict, failure) => {
  const cloudRun = new FakeCloudRun();
  cloudRun.seed([{ type: 'TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST', percent: 100 }]);
  const { port, calls } = jobs(result);
  const outcome = await run(release(), context, { ...ports(cloudRun), jobs: port });
  expect(outcome.verdict).toBe(verdict);
  if (failure) {
    expect(outcome.failure).toMatch(failure);
    // Traffic as it was: the candidate never got any, and its tag is gone.
    expect(cloudRun.effectiveSplit()).toEqual({ 'api-old': 100 });
    expect(cloudRun.steps.filter((s) => s.startsWith('setTraffic'))).toEqual(['setTraffic:0']);
  }
  if (result !== 'missing') expect(calls).toEqual(['update us-docker.pkg.dev/p/r/api:2', 'run']);
});

test("the job runs the candidate revision's digest, not the tag the release was given", async () => {
  const cloudRun = new FakeCloudRun();
  cloudRun.seed([{ type: 'TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST', percent: 100 }]);
  const pinned = `us-docker.pkg.dev/p/r/api@sha256:${'e'.repeat(64)}`;
  const asked: string[] = [];
  cloudRun.revisionDigest = async (_service, revision) => {
    asked.push(revision);
    return pinned;
  };
  const { port, calls } = jobs('CONDITION_SUCCEEDED');
  const outcome = await run(release(), context, { ...ports(cloudRun), jobs: port });
  expect(outcome.verdict).toBe('promoted');
  expect(asked).toEqual([outcome.revision]);
  expect(calls).toEqual([`update ${pinned}`, 'run']);
});
