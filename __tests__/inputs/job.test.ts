// `mode: job` inputs (src/inputs/job.ts): the job, its execution and the overrides; every problem at once.
import { readFileSync } from 'node:fs';
import { load } from 'js-yaml';
import { RELEASE_ONLY_INPUTS } from '../../src/inputs/job';
import { parse, problemsOf } from './fixtures';

const JOB = { mode: 'job', service: '', job: 'migrate' };

test('a job with every input: the settings and overrides the orchestrator gets', () => {
  const config = parse({
    ...JOB,
    task_count: '5',
    parallelism: '2',
    max_retries: '1',
    task_timeout: '10m',
    args: '--all\n--verbose\n',
    execute_args: '--shard',
    execute_env: 'RELEASE=v2\nDRY_RUN=false',
    execute_task_count: '10',
    execute_timeout: '60s',
    execute_deadline: '30m',
  });
  expect(config.service).toBe('migrate');
  expect(config.job).toEqual({
    name: 'migrate',
    taskCount: 5,
    parallelism: 2,
    maxRetries: 1,
    taskTimeoutSeconds: 600,
    args: ['--all', '--verbose'],
    execute: 'after-deploy',
    overrides: {
      args: ['--shard'],
      env: [
        { name: 'RELEASE', value: 'v2' },
        { name: 'DRY_RUN', value: 'false' },
      ],
      taskCount: 10,
      timeoutSeconds: 60,
    },
    deadlineSeconds: 1800,
  });
});

test('defaults: execute after the deploy, wait at most an hour, no overrides; no service needed', () => {
  expect(parse(JOB).job).toEqual({ name: 'migrate', execute: 'after-deploy', deadlineSeconds: 3600 });
});

test('every problem at once, each naming its input', () => {
  expect(
    problemsOf({
      ...JOB,
      job: 'Migrate_DB',
      task_count: '0',
      max_retries: '11',
      task_timeout: '200h',
      execute: 'later',
      execute_env: 'PORT=1',
    }).map((p) => p.input),
  ).toEqual(['job', 'task_count', 'max_retries', 'task_timeout', 'execute', 'execute_env']);
  expect(problemsOf({ mode: 'job', service: '' }).map((p) => p.input)).toEqual(['job']);
  expect(problemsOf({ ...JOB, task_count: '2', parallelism: '3' }).map((p) => p.input)).toEqual([
    'parallelism',
  ]);
});

test('overrides with `execute: never` are warned about as ignored', () => {
  expect(parse({ ...JOB, execute: 'never', execute_task_count: '3' }).inputWarnings).toEqual([
    '`execute`: is `never`: the `execute_*` overrides are ignored',
  ]);
});

test('job inputs outside `mode: job` are warned about as ignored', () => {
  expect(parse({ task_count: '3' }).inputWarnings).toEqual([
    '`task_count`: is ignored: `mode` is `release`, not `job`',
  ]);
});

test('service-release inputs given in `mode: job` are warned about as ignored; action.yml defaults are not', () => {
  expect(
    parse({
      ...JOB,
      profile: 'sse',
      public_access_method: 'invoker-check',
      panel_streams: '3',
      traffic_steps: '10,100',
      smoke_protocol: 'sse',
      concurrency: '80',
    }).inputWarnings,
  ).toEqual([
    '`concurrency`: is ignored: `mode` is `job`, and only a service release reads it',
    '`smoke_protocol`: is ignored: `mode` is `job`, and only a service release reads it',
    '`traffic_steps`: is ignored: `mode` is `job`, and only a service release reads it',
  ]);
});

test('the release-only defaults the warning skips are the defaults of action.yml', () => {
  const action = load(readFileSync(new URL('../../action.yml', import.meta.url), 'utf8')) as {
    inputs: Record<string, { default?: string }>;
  };
  for (const [name, fallback] of Object.entries(RELEASE_ONLY_INPUTS))
    expect([name, action.inputs[name]?.default ?? '']).toEqual([name, fallback]);
});

test('secrets as files and the VPC reach the job', () => {
  const config = parse({
    ...JOB,
    secrets: 'DB_URL=db-url:3\n/secrets/tls/key.pem=tls-key:latest',
    vpc_network: 'default',
    cpu: '2',
    memory: '1Gi',
  });
  expect(config.secretMounts).toEqual([
    { path: '/secrets/tls/key.pem', ref: { secret: 'tls-key', version: 'latest' } },
  ]);
  expect(config.vpc).toEqual({ network: 'default' });
  expect(config.inputWarnings).toEqual([]);
});

test('a schedule: cron, time zone and the account it runs as; each problem named', () => {
  expect(
    parse({
      ...JOB,
      schedule: '0  3 * * 1-5',
      schedule_time_zone: 'Europe/Berlin',
      schedule_service_account: 'scheduler@my-project.iam.gserviceaccount.com',
    }).job?.schedule,
  ).toEqual({
    cron: '0 3 * * 1-5',
    timeZone: 'Europe/Berlin',
    serviceAccount: 'scheduler@my-project.iam.gserviceaccount.com',
  });
  expect(
    parse({ ...JOB, schedule: '*/15 * * * *', schedule_service_account: 'a@b.iam.gserviceaccount.com' }).job
      ?.schedule?.timeZone,
  ).toBe('Etc/UTC');
  expect(
    problemsOf({ ...JOB, schedule: 'every day', schedule_time_zone: 'Mars/Olympus' }).map((p) => p.input),
  ).toEqual(['schedule', 'schedule_time_zone', 'schedule_service_account']);
});
