import type { InputName } from '../../src/inputs';
import { PUSH, parse, problemsOf } from './fixtures';

describe('parseInputs: env_vars', () => {
  it.each([
    ['commas', 'LIST=a,b,c'],
    ['`=` in the value', 'URL=postgres://u:p@h/db?sslmode=require&x=1'],
    ['JSON', 'CONFIG={"a": [1, 2], "b": {"c": "d=e, f"}}'],
    ['leading and trailing spaces', 'PADDED=  spaced out  '],
    ['quotes', `QUOTED="double" and 'single'`],
    ['an empty value', 'EMPTY='],
    ['a lone `=`', 'EQ=='],
    ['backslashes and #', 'RAW=C:\\path\\#not-a-comment'],
  ])('keeps %s byte for byte', (_, line) => {
    const eq = line.indexOf('=');
    expect(parse({ env_vars: line }).envVars).toEqual([
      { name: line.slice(0, eq), value: line.slice(eq + 1) },
    ]);
  });

  it('keeps input order, skips blank lines and # comments, and accepts CRLF line ends', () => {
    const env_vars = '# settings\r\nB=2\r\n\r\n   \n  # indented comment\nA=1\n';
    expect(parse({ env_vars }).envVars).toEqual([
      { name: 'B', value: '2' },
      { name: 'A', value: '1' },
    ]);
  });

  it('trims the name but not the value', () => {
    expect(parse({ env_vars: '  NAME = value ' }).envVars).toEqual([{ name: 'NAME', value: ' value ' }]);
  });

  it.each([
    ['A=1\nno equals sign', 'line 2 has no `=`; expected one `NAME=VALUE` per line'],
    ['=value', 'line 1 has no name before `=`'],
    ['1ABC=x', 'line 1: "1ABC" is not a valid variable name'],
    ['MY-VAR=x', 'line 1: "MY-VAR" is not a valid variable name'],
    ['PORT=8080', 'line 1: `PORT` is set by Cloud Run itself'],
    ['K_SERVICE=x', '`K_SERVICE` is set by Cloud Run itself'],
    ['K_REVISION=x', '`K_REVISION` is set by Cloud Run itself'],
    ['K_CONFIGURATION=x', '`K_CONFIGURATION` is set by Cloud Run itself'],
    // The jobs' half of the container runtime contract is reserved too (overview-environment-variables).
    ['CLOUD_RUN_JOB=x', '`CLOUD_RUN_JOB` is set by Cloud Run itself'],
    ['CLOUD_RUN_EXECUTION=x', '`CLOUD_RUN_EXECUTION` is set by Cloud Run itself'],
    ['CLOUD_RUN_TASK_INDEX=x', '`CLOUD_RUN_TASK_INDEX` is set by Cloud Run itself'],
    ['CLOUD_RUN_TASK_ATTEMPT=x', '`CLOUD_RUN_TASK_ATTEMPT` is set by Cloud Run itself'],
    ['CLOUD_RUN_TASK_COUNT=x', '`CLOUD_RUN_TASK_COUNT` is set by Cloud Run itself'],
    [
      `BIG=${'x'.repeat(32_769)}`,
      'line 1: the value of `BIG` is 32769 bytes; Cloud Run allows at most 32768 (32 KiB) per value',
    ],
    // Bytes, not characters: 16385 two-byte characters.
    [`WIDE=${'é'.repeat(16_385)}`, 'the value of `WIDE` is 32770 bytes'],
    ['A=1\nB=2\nA=3', '`A` is set twice (lines 1 and 3)'],
  ])('refuses %j', (env_vars, message) => {
    expect(problemsOf({ env_vars })).toEqual([
      { input: 'env_vars', message: expect.stringContaining(message) },
    ]);
  });

  it('never echoes a line without `=` (it may be a pasted secret)', () => {
    const [problem] = problemsOf({ env_vars: 'ghp_supersecrettoken' });
    expect(problem.message).not.toContain('ghp_');
  });
});

describe('parseInputs: secrets', () => {
  it.each([
    ['DB=db-password', { secret: 'db-password', version: 'latest' }],
    ['DB=db-password:7', { secret: 'db-password', version: '7' }],
    ['DB=db-password:latest', { secret: 'db-password', version: 'latest' }],
    [
      'DB=projects/other/secrets/db_password/versions/3',
      { secret: 'projects/other/secrets/db_password', version: '3' },
    ],
    [
      'DB=projects/other/secrets/db_password',
      { secret: 'projects/other/secrets/db_password', version: 'latest' },
    ],
    ['DB = db-password:2 ', { secret: 'db-password', version: '2' }],
    // A version alias (k8s.min.proto `SecretKeySelector.version`).
    ['DB=db-password:prod', { secret: 'db-password', version: 'prod' }],
    ['DB=db-password:v2', { secret: 'db-password', version: 'v2' }],
    [
      'DB=projects/other/secrets/db_password:4',
      { secret: 'projects/other/secrets/db_password', version: '4' },
    ],
    [
      'DB=projects/other/secrets/db_password:latest',
      { secret: 'projects/other/secrets/db_password', version: 'latest' },
    ],
  ])('parses %j', (secrets, ref) => {
    expect(parse({ secrets }).secrets).toEqual([{ name: 'DB', ref }]);
  });

  it.each([
    ['DB=db-password:0', 'line 1: "db-password:0" is not a Secret Manager reference'],
    ['DB=db-password:2v', 'is not a Secret Manager reference'],
    ['DB=db-password:new', 'is not a Secret Manager reference'],
    ['DB=db-password:Latest', 'is not a Secret Manager reference'],
    [`DB=db-password:a${'b'.repeat(63)}`, 'is not a Secret Manager reference'],
    ['DB=projects/p/secrets/s:3/versions/4', 'is not a Secret Manager reference'],
    ['DB=projects/p/secrets/s/versions/3:4', 'is not a Secret Manager reference'],
    ['DB=db password', 'is not a Secret Manager reference'],
    ['DB=', 'line 1: "" is not a Secret Manager reference'],
    ['DB=projects/p/secrets/s/versions/', 'is not a Secret Manager reference'],
    ['PORT=db-password', '`PORT` is set by Cloud Run itself'],
    ['DB=a\nDB=b', '`DB` is set twice (lines 1 and 2)'],
    ['justaname', 'line 1 has no `=`; expected one `NAME=SECRET[:VERSION]` per line'],
  ])('refuses %j', (secrets, message) => {
    expect(problemsOf({ secrets })).toEqual([
      { input: 'secrets', message: expect.stringContaining(message) },
    ]);
  });

  it('refuses a name set both as an env var and as a secret', () => {
    expect(problemsOf({ env_vars: 'DB=plain', secrets: 'DB=db-password' })).toEqual([
      {
        input: 'secrets',
        message:
          '`DB` is also set in `env_vars`; expected each variable in only one of `env_vars` and `secrets`',
      },
    ]);
  });
});

describe('parseInputs: labels', () => {
  it.each([
    ['commas', 'team=streams,tier=gold'],
    ['lines', 'team=streams\ntier=gold\n'],
    ['both, with spaces', 'team = streams , \n tier=gold'],
  ])('parses labels separated by %s', (_, labels) => {
    expect(parse({ labels }).labels).toEqual({ team: 'streams', tier: 'gold' });
  });

  it('accepts empty values and the longest key and value', () => {
    const key = `k${'x'.repeat(62)}`;
    expect(parse({ labels: `flag=,${key}=${'v'.repeat(63)}` }).labels).toEqual({
      flag: '',
      [key]: 'v'.repeat(63),
    });
  });

  it.each([
    [
      'run.googleapis.com/foo=x',
      'key "run.googleapis.com/foo" is under `run.googleapis.com/`, which Cloud Run reserves',
    ],
    ['cloud.googleapis.com/x=y', 'which Cloud Run reserves'],
    ['serving.knative.dev/x=y', 'which Cloud Run reserves'],
    ['autoscaling.knative.dev/minScale=1', 'which Cloud Run reserves'],
    ['Team=x', 'key "Team" is not a valid label key'],
    ['1team=x', 'not a valid label key'],
    [`k${'x'.repeat(63)}=v`, 'not a valid label key'],
    ['team=Streams', 'value "Streams" of `team` is not a valid label value'],
    [`team=${'v'.repeat(64)}`, 'not a valid label value'],
    ['team=a.b', 'not a valid label value'],
    ['team', '"team" has no `=`'],
    ['team=a,team=b', 'key `team` is set twice'],
  ])('refuses %j', (labels, message) => {
    expect(problemsOf({ labels })).toEqual([{ input: 'labels', message: expect.stringContaining(message) }]);
  });
});

describe('parseInputs: Cloud Run limits on env vars and labels (docs/platform.md "Limits on inputs")', () => {
  const lines = (count: number, prefix = 'V') =>
    Array.from({ length: count }, (_, i) => `${prefix}${i}=x`).join('\n');

  // cloud.google.com/run/docs/configuring/services/overview-environment-variables: at most 1000.
  it.each([
    [1000, 0, []],
    [999, 1, []],
    [1001, 0, ['env_vars']],
    [990, 11, ['secrets']],
  ] as [number, number, InputName[]][])(
    '%d env vars and %d secrets: problems %j',
    (envCount, secretCount, inputs) => {
      const problems = problemsOf({
        env_vars: lines(envCount),
        secrets: lines(secretCount, 'S').replace(/=x/g, '=s'),
      });
      expect(problems.map((p) => p.input)).toEqual(inputs);
      if (inputs.length > 0)
        expect(problems[0].message).toMatch(
          /Cloud Run allows at most 1000 per container .*; expected at most 1000 in `env_vars` and `secrets` together$/,
        );
    },
  );

  it('a value of exactly 32 KiB is accepted', () => {
    expect(parse({ env_vars: `BIG=${'x'.repeat(32_768)}` }).envVars[0].value).toHaveLength(32_768);
  });

  it('warns about the X_GOOGLE_ prefix Google reserves', () => {
    expect(parse({ env_vars: 'X_GOOGLE_THING=1' }).inputWarnings).toEqual([
      expect.stringMatching(
        /^`env_vars`: line 1: `X_GOOGLE_THING` starts with `X_GOOGLE_`, a prefix Google reserves/,
      ),
    ]);
  });

  // cloud.google.com/resource-manager/docs/labels-overview: at most 64 per resource, and the action adds 5.
  const labels = (count: number) => Array.from({ length: count }, (_, i) => `l${i}=v`).join(',');
  it.each([
    [59, true],
    [60, false],
  ])('%d labels of the user plus the 5 provenance labels fit: %s', (count, fits) => {
    const problems = problemsOf({ labels: labels(count) });
    if (fits) expect(problems).toEqual([]);
    else
      expect(problems).toEqual([
        {
          input: 'labels',
          message: expect.stringMatching(
            /^60 labels plus the 5 this action adds \(`managed-by`, .*\) make 65; a Google Cloud resource takes at most 64 .*; expected at most 59 labels of your own$/,
          ),
        },
      ]);
  });

  it('a label the action sets itself warns (the value is replaced) and counts once', () => {
    const config = parse({ labels: `${labels(58)},managed-by=me` });
    expect(config.inputWarnings).toEqual([
      expect.stringMatching(
        /^`labels`: `managed-by` is a label this action sets itself .*; your value is replaced$/,
      ),
    ]);
  });

  it('the provenance label keys are the ones src/core/service-plan.ts adds', async () => {
    const { provenanceLabels } = await import('../../src/core/service-plan');
    const { PROVENANCE_LABEL_KEYS } = await import('../../src/core/config');
    expect(Object.keys(provenanceLabels(PUSH)).sort()).toEqual([...PROVENANCE_LABEL_KEYS].sort());
  });
});

describe('parseInputs: from deploy-cloudrun (docs/migrating.md)', () => {
  it('reads the update strategies, merge by default', () => {
    expect(parse({ env_vars: 'A=1' })).toMatchObject({
      envVarsUpdateStrategy: 'merge',
      secretsUpdateStrategy: 'merge',
    });
    expect(
      parse({
        env_vars: 'A=1',
        env_vars_update_strategy: 'overwrite',
        secrets: 'B=b:1',
        secrets_update_strategy: 'Overwrite',
      }),
    ).toMatchObject({ envVarsUpdateStrategy: 'overwrite', secretsUpdateStrategy: 'overwrite' });
    expect(problemsOf({ env_vars_update_strategy: 'replace', secrets_update_strategy: 'set' })).toEqual([
      {
        input: 'env_vars_update_strategy',
        message: expect.stringContaining('expected one of `merge`, `overwrite`'),
      },
      {
        input: 'secrets_update_strategy',
        message: expect.stringContaining('expected one of `merge`, `overwrite`'),
      },
    ]);
  });

  it('leaves the variables alone when overwrite has nothing to write (as deploy-cloudrun), and `{}` clears them', () => {
    const empty = parse({ env_vars_update_strategy: 'overwrite', secrets_update_strategy: 'overwrite' });
    expect(empty).toMatchObject({ envVarsUpdateStrategy: 'merge', secretsUpdateStrategy: 'merge' });
    expect(empty.inputWarnings).toEqual([
      expect.stringMatching(/^`env_vars_update_strategy`: `overwrite` is ignored while `env_vars` is empty/),
      expect.stringMatching(/^`secrets_update_strategy`: `overwrite` is ignored while `secrets` is empty/),
    ]);
    const cleared = parse({ env_vars: '{}', env_vars_update_strategy: 'overwrite', secrets: ' {} ' });
    expect(cleared).toMatchObject({
      envVars: [],
      envVarsUpdateStrategy: 'overwrite',
      secrets: [],
      secretMounts: [],
    });
    expect(cleared.inputWarnings).toEqual([]);
  });

  it.each([
    ['A=1,B=2', true],
    ['LIST=a, b,c', false],
    ['URL=https://x/?a=1,b=2', true],
    ['JSON={"a":1,"b":2}', false],
    ['JSON={"a":1,"b":"x,y=z"}', false],
    ['LIST=[1,"a,b=c"]', false],
  ])('warns when %j looks like comma-separated pairs: %s', (env_vars, warned) => {
    const warnings = parse({ env_vars }).inputWarnings;
    expect(warnings.some((w) => w.includes('looks like comma-separated `NAME=VALUE` pairs'))).toBe(warned);
    // The warning names the variable, never its value.
    for (const w of warnings) expect(w).not.toContain('=2');
  });

  it('warns that quotes stay in a value', () => {
    expect(parse({ env_vars: 'S=" spaced "' }).inputWarnings).toEqual([
      expect.stringMatching(
        /^`env_vars`: line 1: the value of `S` is in quotes, which stay part of the value/,
      ),
    ]);
  });

  it('mounts `/DIR/FILE=SECRET[:VERSION]` lines as files, next to env secrets', () => {
    const config = parse({
      secrets:
        'API_KEY=api-key:2\n/secrets/api/key=api-key:3\n/secrets/api/old=api-key:1\n/etc/tls/cert.pem=projects/p/secrets/tls',
    });
    expect(config.secrets).toEqual([{ name: 'API_KEY', ref: { secret: 'api-key', version: '2' } }]);
    expect(config.secretMounts).toEqual([
      { path: '/secrets/api/key', ref: { secret: 'api-key', version: '3' } },
      { path: '/secrets/api/old', ref: { secret: 'api-key', version: '1' } },
      { path: '/etc/tls/cert.pem', ref: { secret: 'projects/p/secrets/tls', version: 'latest' } },
    ]);
  });

  it.each([
    ['/key=s:1', 'has no directory to mount'],
    ['/secrets//key=s:1', 'has an invalid path segment ""'],
    ['/secrets/../key=s:1', 'has an invalid path segment ".."'],
    ['/secrets/./key=s:1', 'has an invalid path segment "."'],
    ['/secrets/my key=s:1', 'has an invalid path segment "my key"'],
    ['/proc/x/key=s:1', 'would mount over `/proc`'],
    ['/dev/key=s:1', 'would mount over `/dev`'],
    ['/secrets/key=s:0', 'is not a Secret Manager reference'],
    ['/s/a=s:1\n/s/a=s:2', '`/s/a` is mounted twice (lines 1 and 2)'],
    [
      '/s/a=one:1\n/s/b=two:1',
      'lines 1 and 2 mount two secrets in `/s`; Cloud Run mounts one secret per directory',
    ],
  ])('refuses the secret file %j', (secrets, message) => {
    expect(problemsOf({ secrets })).toEqual([
      { input: 'secrets', message: expect.stringContaining(message) },
    ]);
  });
});
