import type { InputName } from '../../src/inputs';
import { inputsWithProblems, parse, problemsOf } from './fixtures';

describe('parseInputs: streaming settings', () => {
  // docs/platform.md "Request timeout": 1 s to 3600 s.
  it.each([
    ['1', 1],
    ['3600', 3600],
    ['3600s', 3600],
    ['60m', 3600],
    ['1h', 3600],
    ['1m30s', 90],
    ['90s', 90],
  ])('timeout %j is %d s', (timeout, seconds) => {
    expect(parse({ timeout }).streaming.timeoutSeconds).toBe(seconds);
  });

  it.each(['0', '3601', '61m', '2h', '1.5h', '5 minutes', '-1', 'h', '10S'])(
    'refuses timeout %j',
    (timeout) => {
      expect(problemsOf({ timeout })).toEqual([
        { input: 'timeout', message: expect.stringMatching(/; expected 1 to 3600 seconds/) },
      ]);
    },
  );

  it.each([
    ['900', 900],
    ['60', 60],
    ['15m', 900],
    ['1h', 3600],
  ])('deploy_timeout %j is %d s', (deploy_timeout, seconds) => {
    expect(parse({ deploy_timeout }).deployTimeoutSeconds).toBe(seconds);
  });

  it.each(['59', '3601', 'soon'])('refuses deploy_timeout %j', (deploy_timeout) => {
    expect(problemsOf({ deploy_timeout })).toEqual([
      { input: 'deploy_timeout', message: expect.stringContaining('expected 60 to 3600 seconds') },
    ]);
  });

  // docs/platform.md "Concurrency": at most 1000.
  it.each([
    ['concurrency', '1', true],
    ['concurrency', '1000', true],
    ['concurrency', '0', false],
    ['concurrency', '1001', false],
    ['concurrency', '2.5', false],
    ['concurrency', '1e3', false],
    ['min_instances', '0', true],
    ['min_instances', '-1', false],
    ['max_instances', '1', true],
    ['max_instances', '0', false],
    ['port', '1', true],
    ['port', '65535', true],
    ['port', '0', false],
    ['port', '65536', false],
    ['port', 'http', false],
  ] as [InputName, string, boolean][])('%s %j valid: %s', (input, value, valid) => {
    const problems = problemsOf({ [input]: value });
    expect(problems.map((p) => p.input)).toEqual(valid ? [] : [input]);
    if (!valid)
      expect(problems[0].message).toMatch(/; expected a whole number (from \d+ to \d+|of at least \d+)$/);
  });

  it.each([
    'cpu_always_allocated',
    'session_affinity',
    'use_http2',
    'startup_cpu_boost',
    'allow_unauthenticated',
  ] as InputName[])('boolean %s takes true/false in any case and refuses yes, 1, on', (input) => {
    expect(() => parse({ [input]: 'True' })).not.toThrow();
    expect(() => parse({ [input]: 'FALSE' })).not.toThrow();
    for (const value of ['yes', '1', 'on'])
      expect(problemsOf({ [input]: value })).toEqual([
        { input, message: `${JSON.stringify(value)} is not a boolean; expected \`true\` or \`false\`` },
      ]);
  });

  it('leaves allow_unauthenticated undefined when empty, so the policy is left alone', () => {
    expect(parse().allowUnauthenticated).toBeUndefined();
    expect(parse({ allow_unauthenticated: 'true' }).allowUnauthenticated).toBe(true);
  });

  it.each([
    ['profile', 'fast', '`sse`, `websocket`, `grpc`, `http`, `none`'],
    ['execution_environment', 'gen3', '`gen1`, `gen2`'],
    ['ingress', 'private', '`all`, `internal`, `internal-and-cloud-load-balancing`, `none`'],
    ['lint_level', 'error', '`warn`, `strict`'],
  ] as [InputName, string, string][])('unknown %s %j lists the allowed values', (input, value, allowed) => {
    expect(problemsOf({ [input]: value })).toEqual([
      { input, message: `"${value}" is not a known value; expected one of ${allowed}` },
    ]);
  });

  it('with an unknown profile, does not check combinations against guessed defaults', () => {
    // With the sse defaults (concurrency 250, CPU always allocated), cpu 0.5 would add two more problems.
    expect(inputsWithProblems({ profile: 'fast', cpu: '0.5' })).toEqual(['profile']);
  });

  // cloud.google.com/run/docs/configuring/services/cpu: 1, 2, 4, 6, 8, or 0.08 to 1 in steps of 0.001.
  it.each(['1', '2', '4', '6', '8', '0.08', '0.5', '0.125', '1.0', '80m', '500m', '1000m'])(
    'accepts cpu %j',
    (cpu) => {
      expect(parse({ profile: 'http', cpu, concurrency: '1' }).cpu).toBe(cpu);
    },
  );

  it.each(['3', '5', '16', '0.07', '0', '79m', '0.0005', '1.5', 'two', '2 cpu', '-1'])(
    'refuses cpu %j',
    (cpu) => {
      expect(inputsWithProblems({ profile: 'http', cpu, concurrency: '1' })).toEqual(['cpu']);
    },
  );

  it.each([
    ['128Mi', true],
    ['512Mi', true],
    ['2Gi', true],
    ['32Gi', true],
    ['127Mi', false],
    ['33Gi', false],
    ['512M', false],
    ['2G', false],
    ['2GB', false],
    ['2gi', false],
    ['1.5Gi', false],
  ])('memory %j valid: %s', (memory, valid) => {
    expect(inputsWithProblems({ memory })).toEqual(valid ? [] : ['memory']);
  });

  // cloud.google.com/run/docs/configuring/services/memory-limits ("Required minimum CPUs") and .../cpu.
  it.each([
    ['1', '4Gi', true],
    ['1', '5Gi', false],
    ['2', '8Gi', true],
    ['2', '9Gi', false],
    ['4', '16Gi', true],
    ['4', '17Gi', false],
    ['6', '24Gi', true],
    ['6', '25Gi', false],
    ['8', '32Gi', true],
    ['4', '2Gi', true],
    ['4', '1Gi', false],
    ['6', '4Gi', true],
    ['6', '3Gi', false],
    ['8', '2Gi', false],
  ])('cpu %s with memory %s valid: %s', (cpu, memory, valid) => {
    const problems = problemsOf({ cpu, memory });
    expect(problems.map((p) => p.input)).toEqual(valid ? [] : ['memory']);
  });

  it.each([
    ['1', '5Gi', 2],
    ['2', '9Gi', 4],
    ['4', '17Gi', 6],
    ['6', '25Gi', 8],
    ['0.5', '2Gi', 1],
    ['0.25', '600Mi', 0.5],
  ])('cpu %s with memory %s: says memory needs at least %d CPU', (cpu, memory, least) => {
    const [problem] = problemsOf({ profile: 'http', concurrency: '1', cpu, memory });
    expect(problem).toEqual({
      input: 'memory',
      message: expect.stringContaining(`needs at least ${least} CPU`),
    });
  });

  it('names both values and the fix in a memory/CPU problem', () => {
    expect(problemsOf({ cpu: '2', memory: '12Gi' })).toEqual([
      {
        input: 'memory',
        message:
          '`12Gi` needs at least 4 CPU, but `cpu` is `2`; expected at most 8Gi with 2 CPU, or more `cpu`',
      },
    ]);
  });

  // cloud.google.com/run/docs/configuring/services/cpu: under 1 CPU, concurrency 1, CPU only during requests,
  // gen1, more than 512Mi needs 0.5 CPU and more than 1Gi needs 1 CPU.
  const FRACTIONAL_OK = { cpu: '0.5', concurrency: '1', cpu_always_allocated: 'false' };
  it.each([
    [{}, []],
    [{ memory: '1Gi' }, []],
    [{ memory: '2Gi' }, ['memory']],
    [{ cpu: '0.25', memory: '512Mi' }, []],
    [{ cpu: '0.25', memory: '1Gi' }, ['memory']],
    [{ cpu: '250m', memory: '768Mi' }, ['memory']],
    [{ concurrency: '2' }, ['cpu']],
    [{ cpu_always_allocated: 'true' }, ['cpu']],
    [{ execution_environment: 'gen1' }, []],
    [{ execution_environment: 'gen2' }, ['cpu']],
  ] as [Partial<Record<InputName, string>>, InputName[]][])(
    'fractional cpu with %j: problems %j',
    (extra, inputs) => {
      expect(inputsWithProblems({ ...FRACTIONAL_OK, ...extra })).toEqual(inputs);
    },
  );

  it('checks fractional cpu against the profile defaults too, saying where each value came from', () => {
    expect(problemsOf({ profile: 'sse', cpu: '0.5' })).toEqual([
      {
        input: 'cpu',
        message:
          '`cpu: 0.5` (less than 1 CPU) needs concurrency 1, but concurrency is 250 (from profile `sse`); expected `concurrency: 1` or `cpu` of 1 or more',
      },
      {
        input: 'cpu',
        message:
          '`cpu: 0.5` (less than 1 CPU) needs CPU allocated only during requests, but CPU is always allocated (from profile `sse`); expected `cpu_always_allocated: false` or `cpu` of 1 or more',
      },
    ]);
    expect(problemsOf({ profile: 'http', cpu: '0.5', concurrency: '10' })[0].message).toContain(
      'concurrency is 10 (from `concurrency`)',
    );
  });

  it('refuses memory below 512Mi with gen2', () => {
    expect(inputsWithProblems({ memory: '256Mi', execution_environment: 'gen2' })).toEqual(['memory']);
    expect(inputsWithProblems({ memory: '256Mi', execution_environment: 'gen1' })).toEqual([]);
    expect(inputsWithProblems({ memory: '256Mi' })).toEqual([]);
  });

  it('refuses min_instances above max_instances', () => {
    expect(problemsOf({ min_instances: '5', max_instances: '3' })).toEqual([
      {
        input: 'min_instances',
        message:
          'min_instances 5 (from `min_instances`) is above max_instances 3; expected `min_instances` at most `max_instances`',
      },
    ]);
    expect(inputsWithProblems({ min_instances: '3', max_instances: '3' })).toEqual([]);
    // The sse profile's min_instances 1 fits max_instances 1.
    expect(inputsWithProblems({ max_instances: '1' })).toEqual([]);
  });
});

describe('parseInputs: public_access_method, min_instances_level, keep_release_tags', () => {
  it.each([
    [{}, 'invoker-check', 'service', 2],
    [{ public_access_method: 'iam-binding', allow_unauthenticated: 'true' }, 'iam-binding', 'service', 2],
    [{ public_access_method: 'Invoker-Check' }, 'invoker-check', 'service', 2],
    [{ min_instances_level: 'revision', rollout: 'progressive' }, 'invoker-check', 'revision', 2],
    [{ keep_release_tags: '1' }, 'invoker-check', 'service', 1],
    [{ keep_release_tags: '10' }, 'invoker-check', 'service', 10],
  ] as [Partial<Record<InputName, string>>, string, string, number][])(
    '%j -> %s, %s, %d',
    (inputs, publicAccessMethod, minInstancesLevel, keepReleaseTags) => {
      expect(parse(inputs)).toMatchObject({ publicAccessMethod, minInstancesLevel, keepReleaseTags });
    },
  );

  it('minInstancesSet says whether min_instances was given or came from the profile', () => {
    expect(parse().minInstancesSet).toBe(false);
    expect(parse({ min_instances: '1' }).minInstancesSet).toBe(true);
    expect(parse({ min_instances: '0' })).toMatchObject({
      minInstancesSet: true,
      streaming: { minInstances: 0 },
    });
  });

  it.each([
    ['public_access_method', 'allUsers', 'one of `invoker-check`, `iam-binding`'],
    ['min_instances_level', 'global', 'one of `service`, `revision`'],
    ['keep_release_tags', '0', 'a whole number of at least 1'],
    ['keep_release_tags', 'all', 'a whole number of at least 1'],
  ] as [InputName, string, string][])('refuses %s %j', (input, value, expected) => {
    expect(problemsOf({ [input]: value })).toEqual([
      { input, message: expect.stringMatching(new RegExp(`; expected ${expected.replace(/[`]/g, '`')}$`)) },
    ]);
  });

  it('reports the new inputs with the rest, all at once', () => {
    expect(
      inputsWithProblems({
        image: 'localhost:5000/api',
        min_instances_level: 'pod',
        env_vars: 'CLOUD_RUN_JOB=x',
        labels: labels65(),
        public_access_method: 'open',
        secrets: 'A=s:new',
        health_path: '/healthz',
        smoke_path: '//x',
        keep_release_tags: '0',
      }),
    ).toEqual([
      'image',
      'min_instances_level',
      'env_vars',
      'secrets',
      'labels',
      'public_access_method',
      'smoke_path',
      'health_path',
      'keep_release_tags',
    ]);
  });

  function labels65() {
    return Array.from({ length: 60 }, (_, i) => `l${i}=v`).join(',');
  }
});
