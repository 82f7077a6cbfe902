// The job to write and an execution's overrides (src/core/job-plan.ts): an update is the live job with
// the inputs' changes (the Jobs API has no update mask), fields this code does not know kept.
import type { JobSettings } from '../../src/core/config';
import { jobName, planJob, runOverrides, type CloudRunJob } from '../../src/core/job-plan';
import { deployConfig } from '../support/deploy-config';
import { context } from '../support/run-config';

const job = (over: Partial<JobSettings> = {}): JobSettings => ({
  name: 'migrate',
  execute: 'after-deploy',
  deadlineSeconds: 3600,
  ...over,
});
const config = (over = {}) =>
  deployConfig({
    mode: 'job',
    image: 'us-docker.pkg.dev/p/r/migrate:2',
    envVars: [{ name: 'A', value: '1' }],
    ...over,
  });

test('a first deploy: a new job with the inputs, provenance labels and Cloud Run defaults for the rest', () => {
  const plan = planJob(
    config(),
    job({ taskCount: 5, parallelism: 2, maxRetries: 1, taskTimeoutSeconds: 300, args: ['--all'] }),
    undefined,
    context,
  );
  expect(plan.action).toBe('create');
  expect(plan.desired).toMatchObject({
    name: 'projects/demo-project/locations/us-central1/jobs/migrate',
    labels: { 'managed-by': 'stream-deploy' },
    template: {
      taskCount: 5,
      parallelism: 2,
      template: {
        containers: [
          { image: 'us-docker.pkg.dev/p/r/migrate:2', args: ['--all'], env: [{ name: 'A', value: '1' }] },
        ],
        maxRetries: 1,
        timeout: '300s',
      },
    },
  });
});

test('an update keeps what the inputs do not name, fields unknown to this code included; output fields go', () => {
  const live: CloudRunJob = {
    name: 'projects/demo-project/locations/us-central1/jobs/migrate',
    etag: '"7"',
    generation: '7',
    launchStage: 'GA',
    binaryAuthorization: { useDefault: true },
    template: {
      taskCount: 3,
      template: {
        containers: [{ image: 'old', args: ['--old'], env: [{ name: 'KEEP', value: 'x' }] }],
        maxRetries: 2,
        vpcAccess: { connector: 'c' },
      },
    },
  };
  const plan = planJob(config(), job({ maxRetries: 0 }), live, context);
  expect(plan.action).toBe('update');
  expect(plan.desired).toMatchObject({
    etag: '"7"',
    launchStage: 'GA',
    binaryAuthorization: { useDefault: true },
    template: {
      taskCount: 3,
      template: {
        containers: [
          {
            image: 'us-docker.pkg.dev/p/r/migrate:2',
            args: ['--old'],
            env: [
              { name: 'KEEP', value: 'x' },
              { name: 'A', value: '1' },
            ],
          },
        ],
        maxRetries: 0,
        vpcAccess: { connector: 'c' },
      },
    },
  });
  expect(plan.desired).not.toHaveProperty('generation');
  expect(live.template.template.containers[0].image).toBe('old');
});

test('overrides: args (an empty list clears them), env, task count and timeout; none without any', () => {
  expect(runOverrides(job())).toBeUndefined();
  expect(
    runOverrides(
      job({
        overrides: { args: ['--shard'], env: [{ name: 'B', value: '2' }], taskCount: 10, timeoutSeconds: 60 },
      }),
    ),
  ).toEqual({
    containerOverrides: [{ args: ['--shard'], env: [{ name: 'B', value: '2' }] }],
    taskCount: 10,
    timeout: '60s',
  });
  expect(runOverrides(job({ overrides: { args: [], env: [] } }))).toEqual({
    containerOverrides: [{ args: [], clearArgs: true }],
  });
  expect(jobName(config(), job())).toBe('projects/demo-project/locations/us-central1/jobs/migrate');
});

test('secrets as files, resources, the execution environment and the VPC go into the task template', () => {
  const live: CloudRunJob = {
    name: 'projects/demo-project/locations/us-central1/jobs/migrate',
    template: {
      template: {
        containers: [{ image: 'old', resources: { limits: { cpu: '1', memory: '512Mi' } } }],
        vpcAccess: { connector: 'projects/demo-project/locations/us-central1/connectors/old' },
      },
    },
  };
  const plan = planJob(
    config({
      secretMounts: [{ path: '/secrets/tls/key.pem', ref: { secret: 'tls-key', version: '2' } }],
      memory: '2Gi',
      executionEnvironment: 'gen2',
      vpc: { network: 'default', egress: 'ALL_TRAFFIC' },
    }),
    job(),
    live,
    context,
  );
  const task = plan.desired.template.template;
  expect(task.volumes).toEqual([
    { name: 'tls-key', secret: { secret: 'tls-key', items: [{ path: 'key.pem', version: '2' }] } },
  ]);
  expect(task.containers[0]).toMatchObject({
    volumeMounts: [{ name: 'tls-key', mountPath: '/secrets/tls' }],
    resources: { limits: { cpu: '1', memory: '2Gi' } },
  });
  expect(task.executionEnvironment).toBe('EXECUTION_ENVIRONMENT_GEN2');
  expect(task.vpcAccess).toEqual({ networkInterfaces: [{ network: 'default' }], egress: 'ALL_TRAFFIC' });
  expect(plan.notes.join('\n')).toMatch(
    /connector .*old is replaced by Direct VPC egress \(network default\)/,
  );
});

test('without VPC inputs the live VPC access stays as read', () => {
  const vpcAccess = { networkInterfaces: [{ subnetwork: 'apps', tags: ['db'] }], egress: 'ALL_TRAFFIC' };
  const live: CloudRunJob = {
    name: 'projects/demo-project/locations/us-central1/jobs/migrate',
    template: { template: { containers: [{ image: 'old' }], vpcAccess } },
  };
  expect(planJob(config(), job(), live, context).desired.template.template.vpcAccess).toEqual(vpcAccess);
});

test("a Job file's command and own annotations reach the job; typed args still win over the file's", () => {
  const live: CloudRunJob = {
    name: 'projects/demo-project/locations/us-central1/jobs/migrate',
    annotations: { 'example.com/kept': 'yes' },
    template: { template: { containers: [{ image: 'old', command: ['sh'], args: ['--old'] }] } },
  };
  const metadata = {
    file: 'job.yaml',
    container: { command: ['node'], name: 'migrate', args: [] },
    serviceAnnotations: { 'example.com/owner': 'data' },
    templateAnnotations: { 'example.com/build': '7' },
  };
  const plan = planJob(config({ metadata }), job(), live, context);
  expect(plan.desired.annotations).toEqual({ 'example.com/kept': 'yes', 'example.com/owner': 'data' });
  expect(plan.desired.template.annotations).toEqual({ 'example.com/build': '7' });
  expect(plan.desired.template.template.containers[0]).toMatchObject({
    image: 'us-docker.pkg.dev/p/r/migrate:2',
    command: ['node'],
    name: 'migrate',
    args: [],
  });
  const typed = planJob(config({ metadata }), job({ args: ['--all'] }), undefined, context);
  expect(typed.desired.template.template.containers[0]).toMatchObject({ command: ['node'], args: ['--all'] });
  expect(metadata.container.command).toEqual(['node']);
});
