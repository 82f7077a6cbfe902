// `metadata`: a service.yaml or Job file under the typed inputs (src/inputs/metadata.ts).
import { readFileSync } from 'node:fs';
import { InputError, type InputProblem } from '../../src/errors';
import { parseInputs, type InputName } from '../../src/inputs';
import { translateKnative } from '../../src/inputs/knative/translate';
import { PUSH, reader } from './fixtures';

const FILES: Record<string, string> = {
  'service.yaml': readFileSync(new URL('../../examples/knative/service.yaml', import.meta.url), 'utf8'),
  'seed.yaml': readFileSync(new URL('../../examples/knative/seed-mistakes.yaml', import.meta.url), 'utf8'),
  'job.yaml': readFileSync(new URL('../../examples/knative/job.yaml', import.meta.url), 'utf8'),
};
const readFile = (path: string) => {
  if (!(path in FILES)) throw Object.assign(new Error(`ENOENT: ${path}`), { code: 'ENOENT' });
  return FILES[path];
};
const BASE: Partial<Record<InputName, string>> = { project_id: 'my-project', region: 'us-central1' };

const parse = (inputs: Partial<Record<InputName, string>>) =>
  parseInputs(reader({ ...BASE, ...inputs }), PUSH, {}, { readFile, translate: translateKnative });

function problems(inputs: Partial<Record<InputName, string>>): InputProblem[] {
  try {
    parse(inputs);
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    return [...(error as InputError).problems];
  }
  throw new Error('no problem raised');
}

describe('parseInputs with metadata', () => {
  test("the file's settings become the config; the v2 fields no input covers ride along", () => {
    const config = parse({ metadata: 'service.yaml' });
    expect(config).toMatchObject({
      service: 'stream-api',
      image: 'us-docker.pkg.dev/demo-project/streams/stream-app:v2',
      streaming: { timeoutSeconds: 3600, concurrency: 250, cpuAlwaysAllocated: true, useHttp2: false },
      maxInstances: 20,
      cpu: '1',
      memory: '512Mi',
      port: 8080,
      ingress: 'all',
      startupCpuBoost: true,
      executionEnvironment: 'gen2',
      envVars: [{ name: 'TICK_MS', value: '100' }],
      labels: { team: 'streams' },
      metadata: { description: 'Server-Sent Events API', container: { startupProbe: { periodSeconds: 1 } } },
    });
    expect(config.origins.timeout).toBe('service.yaml:22 (`spec.template.spec.timeoutSeconds`)');
    expect(config.inputWarnings).toEqual([]);
  });

  test('typed inputs given beside it win, with a warning naming the line they override', () => {
    const config = parse({ metadata: 'service.yaml', timeout: '900s', image: 'us-docker.pkg.dev/p/r/api:9' });
    expect(config.streaming.timeoutSeconds).toBe(900);
    expect(config.image).toBe('us-docker.pkg.dev/p/r/api:9');
    expect(config.origins.timeout).toBeUndefined();
    expect(config.inputWarnings).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^`image`: given as an input, it wins over service\.yaml:24/),
        expect.stringMatching(/^`timeout`: given as an input, it wins over service\.yaml:22/),
      ]),
    );
  });

  test("a value the inputs' own rules refuse names the file's line", () => {
    const file = FILES['service.yaml'].replace('containerConcurrency: 250', 'containerConcurrency: 5000');
    FILES['big.yaml'] = file;
    expect(problems({ metadata: 'big.yaml' })).toEqual([
      {
        input: 'concurrency',
        message: expect.stringMatching(
          /^from big\.yaml:21 \(`spec\.template\.spec\.containerConcurrency`\): /,
        ),
      },
    ]);
  });

  test("the seed's mistakes, every one at once, at its line; h2c with WebSockets too", () => {
    const found = problems({ metadata: 'seed.yaml', profile: 'websocket' });
    expect(found.map((p) => p.message.split(':').slice(0, 2).join(':'))).toEqual([
      'seed.yaml:7',
      'seed.yaml:8',
      'seed.yaml:14',
      'seed.yaml:23',
      'seed.yaml:20',
    ]);
    expect(found.every((p) => p.input === 'metadata')).toBe(true);
    expect(found[4].message).toMatch(/named `h2c`.*WebSocket, whose upgrade needs HTTP\/1\.1/);
  });

  test('an unreadable file is an input error before any API call, with what else is then missing', () => {
    expect(problems({ metadata: 'missing.yaml' })).toEqual([
      { input: 'service', message: expect.stringMatching(/^is required/) },
      { input: 'image', message: expect.stringMatching(/^is required/) },
      {
        input: 'metadata',
        message: expect.stringMatching(/cannot read "missing\.yaml": no such file; expected a path/),
      },
    ]);
  });
});

describe('parseInputs with a Job file as metadata', () => {
  test('with `mode` left out it is `mode: job`: the job settings, and the command for the planner', () => {
    const config = parse({ metadata: 'job.yaml', args: '--only=eu' });
    expect(config).toMatchObject({
      mode: 'job',
      service: 'nightly-report',
      image: 'us-docker.pkg.dev/demo-project/jobs/job-app:v1',
      job: {
        name: 'nightly-report',
        taskCount: 3,
        parallelism: 2,
        maxRetries: 1,
        taskTimeoutSeconds: 900,
        args: ['--only=eu'],
        execute: 'after-deploy',
      },
      cpu: '1',
      memory: '512Mi',
      executionEnvironment: 'gen2',
      envVars: [{ name: 'JOB_MESSAGE', value: 'nightly report' }],
      labels: { team: 'streams' },
      metadata: { container: { command: ['node'] } },
    });
    expect(config.origins).toMatchObject({ mode: 'job.yaml:4 (`kind`)', task_count: expect.any(String) });
    expect(config.inputWarnings).toEqual([
      expect.stringMatching(/^`args`: given as an input, it wins over job\.yaml:24/),
    ]);
  });

  test('`mode: job` given beside it is the same; `release` or `cleanup` is refused, naming the file', () => {
    expect(parse({ metadata: 'job.yaml', mode: 'job' }).mode).toBe('job');
    for (const mode of ['release', 'cleanup'])
      expect(problems({ metadata: 'job.yaml', mode })).toContainEqual({
        input: 'mode',
        message: expect.stringMatching(
          new RegExp(
            `^is \`${mode}\`, but \`metadata\` "job\\.yaml" is a Cloud Run Job \\(job\\.yaml:4: \`kind: Job\`\\), which only \`mode: job\` deploys`,
          ),
        ),
      });
  });

  test('a service.yaml with `mode: job` is refused, naming both', () => {
    expect(problems({ metadata: 'service.yaml', mode: 'job' })).toContainEqual({
      input: 'mode',
      message: expect.stringMatching(/^is `job`, but `metadata` "service\.yaml" is a Cloud Run service/),
    });
  });
});
