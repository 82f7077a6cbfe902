import { PROFILE_DEFAULTS, type Profile, type RunContext } from '../src/core/config';
import { InputError, type InputProblem } from '../src/errors';
import { INPUT_NAMES, parseInputs, type InputName } from '../src/inputs';

const SHA = 'abcdef0123456789abcdef0123456789abcdef01';

const PUSH: RunContext = {
  repository: 'acme/api',
  sha: SHA,
  eventName: 'push',
  runId: '9876543210',
  runAttempt: '2',
  actor: 'octocat',
};
const PULL_REQUEST: RunContext = { ...PUSH, eventName: 'pull_request', pullRequest: 42 };

const REQUIRED: Partial<Record<InputName, string>> = {
  project_id: 'my-project',
  region: 'us-central1',
  service: 'api',
  image: 'us-docker.pkg.dev/my-project/repo/api:1.2.3',
};

// Like core.getInput: '' for inputs not given.
function reader(values: Partial<Record<InputName, string>>) {
  return (name: InputName) => values[name] ?? '';
}

function parse(overrides: Partial<Record<InputName, string>> = {}, context: RunContext = PUSH) {
  return parseInputs(reader({ ...REQUIRED, ...overrides }), context);
}

function problemsOf(
  overrides: Partial<Record<InputName, string>>,
  context: RunContext = PUSH,
): InputProblem[] {
  try {
    parse(overrides, context);
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    return [...(error as InputError).problems];
  }
  return [];
}

function inputsWithProblems(overrides: Partial<Record<InputName, string>>, context: RunContext = PUSH) {
  return problemsOf(overrides, context).map((p) => p.input);
}

// 41-char service: with the 5-char `pr-42` tag it makes exactly 46 (FACTS.md "tag rules").
const svc = (length: number) => 'a'.repeat(length);

describe('parseInputs: valid configurations', () => {
  const FULL: Partial<Record<InputName, string>> = {
    workload_identity_provider:
      'projects/123456789012/locations/global/workloadIdentityPools/github/providers/my-repo',
    service_account: 'deployer@my-project.iam.gserviceaccount.com',
    timeout: '45m',
    concurrency: '50',
    cpu_always_allocated: 'TRUE',
    min_instances: '2',
    min_instances_level: 'revision',
    max_instances: '20',
    session_affinity: 'false',
    use_http2: 'False',
    cpu: '2',
    memory: '1Gi',
    execution_environment: 'gen2',
    startup_cpu_boost: 'true',
    port: '8081',
    env_vars: 'LOG_LEVEL=debug\nFEATURES=a,b,c',
    secrets: 'DB_PASSWORD=db-password:3',
    labels: 'team=streams,tier=gold',
    runtime_service_account: 'api@my-project.iam.gserviceaccount.com',
    ingress: 'internal-and-cloud-load-balancing',
    allow_unauthenticated: 'false',
    public_access_method: 'invoker-check',
    tag: 'canary',
    revision_suffix: 'v42',
    lint_level: 'strict',
    deploy_timeout: '20m',
    smoke_protocol: 'websocket',
    smoke_path: '/live',
    health_path: 'none',
    smoke_duration: '2m',
    smoke_first_event_timeout: '500ms',
    smoke_min_events: '4',
    smoke_max_gap: '3',
    smoke_connections: '25',
    smoke_send: 'ping, with = and {"json":1}',
    smoke_expect: '/^echo:/i',
    smoke_url: 'https://api.example.com/ignored/path',
    keep_failed_candidate: 'true',
    rollout: 'progressive',
    traffic_steps: '5, 25,100',
    step_wait: '10s,1m,0',
    follow_latest: 'true',
    keep_release_tags: '3',
    github_token: 'ghs_0123456789abcdef',
    comment_on_pr: 'false',
    job_summary: 'true',
    github_deployment: 'false',
  };

  it.each(['sse', 'websocket', 'grpc', 'http'] as Profile[])(
    'parses every input with profile %s',
    (profile) => {
      expect(parse({ ...FULL, profile })).toEqual({
        projectId: 'my-project',
        region: 'us-central1',
        service: 'api',
        image: 'us-docker.pkg.dev/my-project/repo/api:1.2.3',
        workloadIdentityProvider:
          'projects/123456789012/locations/global/workloadIdentityPools/github/providers/my-repo',
        serviceAccount: 'deployer@my-project.iam.gserviceaccount.com',
        profile,
        streaming: {
          timeoutSeconds: 2700,
          concurrency: 50,
          cpuAlwaysAllocated: true,
          minInstances: 2,
          sessionAffinity: false,
          useHttp2: false,
        },
        keepLive: [],
        maxInstances: 20,
        cpu: '2',
        memory: '1Gi',
        executionEnvironment: 'gen2',
        startupCpuBoost: true,
        port: 8081,
        envVars: [
          { name: 'LOG_LEVEL', value: 'debug' },
          { name: 'FEATURES', value: 'a,b,c' },
        ],
        envVarsUpdateStrategy: 'merge',
        secrets: [{ name: 'DB_PASSWORD', ref: { secret: 'db-password', version: '3' } }],
        secretMounts: [],
        secretsUpdateStrategy: 'merge',
        labels: { team: 'streams', tier: 'gold' },
        runtimeServiceAccount: 'api@my-project.iam.gserviceaccount.com',
        ingress: 'internal-and-cloud-load-balancing',
        allowUnauthenticated: false,
        publicAccessMethod: 'invoker-check',
        minInstancesLevel: 'revision',
        minInstancesSet: true,
        tag: 'canary',
        revisionSuffix: 'v42',
        lintLevel: 'strict',
        deployTimeoutSeconds: 1200,
        smoke: {
          protocol: 'websocket',
          path: '/live',
          healthPath: '',
          healthTimeoutMs: 60_000,
          durationMs: 120_000,
          firstEventTimeoutMs: 500,
          minEvents: 4,
          maxGapMs: 3000,
          connections: 25,
          checkReconnect: true,
          send: 'ping, with = and {"json":1}',
          expect: '/^echo:/i',
        },
        smokeUrl: 'https://api.example.com',
        keepFailedCandidate: true,
        rollout: 'progressive',
        trafficSteps: [5, 25, 100],
        stepWaitMs: [10_000, 60_000, 0],
        followLatest: true,
        keepReleaseTags: 3,
        mode: 'release',
        candidateCreatesService: false,
        reporting: {
          githubToken: 'ghs_0123456789abcdef',
          comment: false,
          commentOnCommit: false,
          summary: true,
          deployment: false,
        },
        inputWarnings: [],
      });
    },
  );

  it('with only the required inputs, applies the sse profile and leaves optional fields undefined', () => {
    const config = parse();
    expect(config).toEqual({
      projectId: 'my-project',
      region: 'us-central1',
      service: 'api',
      image: 'us-docker.pkg.dev/my-project/repo/api:1.2.3',
      profile: 'sse',
      streaming: PROFILE_DEFAULTS.sse,
      keepLive: [],
      envVars: [],
      envVarsUpdateStrategy: 'merge',
      secrets: [],
      secretMounts: [],
      secretsUpdateStrategy: 'merge',
      labels: {},
      publicAccessMethod: 'invoker-check',
      minInstancesLevel: 'service',
      minInstancesSet: false,
      tag: 'sha-abcdef0',
      // 9876543210 in base 36 is 4jc8lii.
      revisionSuffix: 'abcdef0-4jc8lii-2',
      lintLevel: 'warn',
      deployTimeoutSeconds: 900,
      smoke: {
        protocol: 'sse',
        path: '/events',
        // Not `/healthz`: Google's front end answers that itself (docs/platform.md "Reserved URL paths").
        healthPath: '/health',
        healthTimeoutMs: 60_000,
        durationMs: 10_000,
        firstEventTimeoutMs: 5000,
        minEvents: 3,
        maxGapMs: 5000,
        connections: 1,
        checkReconnect: true,
        // Heartbeats stand in for events while `smoke_min_events` is not given.
        minEventsIsDefault: true,
        acceptEncoding: 'browser',
      },
      keepFailedCandidate: false,
      rollout: 'progressive',
      trafficSteps: [10, 50, 100],
      stepWaitMs: [60_000, 60_000, 60_000],
      followLatest: false,
      keepReleaseTags: 2,
      mode: 'release',
      candidateCreatesService: false,
      reporting: { githubToken: '', comment: true, commentOnCommit: false, summary: true, deployment: true },
      inputWarnings: [],
    });
    for (const key of [
      'workloadIdentityProvider',
      'serviceAccount',
      'maxInstances',
      'cpu',
      'memory',
      'executionEnvironment',
      'startupCpuBoost',
      'port',
      'runtimeServiceAccount',
      'ingress',
      'allowUnauthenticated',
    ])
      expect(Object.keys(config)).not.toContain(key);
  });

  it.each(['sse', 'websocket', 'grpc', 'http'] as Profile[])(
    'profile %s supplies its defaults',
    (profile) => {
      expect(parse({ profile }).streaming).toEqual(PROFILE_DEFAULTS[profile]);
    },
  );

  it('overrides the profile one setting at a time', () => {
    expect(parse({ profile: 'websocket', session_affinity: 'false' }).streaming).toEqual({
      ...PROFILE_DEFAULTS.websocket,
      sessionAffinity: false,
    });
    expect(parse({ profile: 'http', min_instances: '3', timeout: '1h' }).streaming).toEqual({
      ...PROFILE_DEFAULTS.http,
      minInstances: 3,
      timeoutSeconds: 3600,
    });
  });

  it('accepts enum values in any case', () => {
    expect(parse({ profile: 'WebSocket', ingress: 'ALL', lint_level: 'Strict' })).toMatchObject({
      profile: 'websocket',
      ingress: 'all',
      lintLevel: 'strict',
    });
  });

  it('accepts use_http2 with the websocket profile: the linter, not input parsing, warns about it', () => {
    expect(parse({ profile: 'websocket', use_http2: 'true' }).streaming.useHttp2).toBe(true);
  });

  it('returns a config frozen all the way down', () => {
    const config = parse({ env_vars: 'A=1', secrets: 'B=b', labels: 'c=d' });
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.streaming)).toBe(true);
    expect(Object.isFrozen(config.envVars)).toBe(true);
    expect(Object.isFrozen(config.envVars[0])).toBe(true);
    expect(Object.isFrozen(config.secrets[0].ref)).toBe(true);
    expect(Object.isFrozen(config.labels)).toBe(true);
    expect(() =>
      (config.envVars as { name: string; value: string }[]).push({ name: 'X', value: 'y' }),
    ).toThrow(TypeError);
    expect(() => ((config.labels as Record<string, string>).e = 'f')).toThrow(TypeError);
    // The shared profile defaults are copied, not handed out.
    expect(config.streaming).not.toBe(PROFILE_DEFAULTS.sse);
  });

  it('trims scalar inputs', () => {
    expect(parse({ service: '  api  ', concurrency: ' 10 ' })).toMatchObject({
      service: 'api',
      streaming: { concurrency: 10 },
    });
  });
});

describe('parseInputs: required inputs', () => {
  it.each(['region', 'service', 'image'] as InputName[])('requires %s', (name) => {
    for (const value of ['', '   ']) {
      const problems = problemsOf({ [name]: value });
      expect(problems).toEqual([{ input: name, message: expect.stringMatching(/^is required; expected /) }]);
    }
  });

  it('requires nothing else', () => {
    expect(
      INPUT_NAMES.filter((name) => !['project_id', 'region', 'service', 'image'].includes(name)),
    ).toHaveLength(57);
    expect(() => parse()).not.toThrow();
  });
});

describe('parseInputs: target', () => {
  // FACTS.md "service id": starts with a letter, letters/digits/`-`, under 50 characters.
  it.each([
    ['api', true],
    ['a', true],
    ['stream-api-2', true],
    ['a'.repeat(49), true],
    ['a'.repeat(50), false],
    ['2api', false],
    ['-api', false],
    ['api-', false],
    ['my_api', false],
    ['Api', false],
    ['api.v2', false],
  ])('service id %j valid: %s', (service, valid) => {
    // Long names also trip the tag's 46-character rule, tested below; only `service` matters here.
    expect(inputsWithProblems({ service, tag: 't', revision_suffix: 'v' }).includes('service')).toBe(!valid);
  });

  it('a service id of 46 or more characters leaves no room for any tag (FACTS.md "tag rules")', () => {
    expect(inputsWithProblems({ service: svc(45), tag: 't', revision_suffix: 'v' })).toEqual([]);
    expect(problemsOf({ service: svc(46), tag: 't', revision_suffix: 'v' })).toEqual([
      { input: 'tag', message: expect.stringContaining('expected a shorter `service` id') },
    ]);
  });

  it.each([
    ['us-central1', true],
    ['europe-west4', true],
    ['northamerica-northeast1', true],
    ['us-central', false],
    ['US-CENTRAL1', false],
    ['us_central1', false],
    ['us-central1-a', false],
  ])('region %j valid: %s', (region, valid) => {
    expect(inputsWithProblems({ region })).toEqual(valid ? [] : ['region']);
  });

  it.each([
    ['my-project', true, ''],
    ['example.com:my-project', true, ''],
    ['123456789012', false, 'is a project number, not a project id'],
    ['My-Project', false, 'is not a project id'],
    ['proj', false, 'is not a project id'],
    ['my-project-', false, 'is not a project id'],
  ])('project id %j valid: %s', (project_id, valid, wrong) => {
    const problems = problemsOf({ project_id });
    expect(problems.map((p) => p.input)).toEqual(valid ? [] : ['project_id']);
    if (!valid) expect(problems[0].message).toContain(wrong);
  });

  const digest = `sha256:${'0123456789abcdef'.repeat(4)}`;
  it.each([
    ['us-docker.pkg.dev/my-project/repo/api:1.2.3'],
    [`us-docker.pkg.dev/my-project/repo/api@${digest}`],
    [`us-docker.pkg.dev/my-project/repo/api:1.2.3@${digest}`],
    ['europe-west4-docker.pkg.dev/p/r/group/api'],
    ['gcr.io/my-project/api:latest'],
    ['docker.io/library/nginx:1.27'],
    ['ghcr.io/acme/stream_app__x:V1_2.3-rc'],
    ['mirror.gcr.io/library/nginx'],
    ['index.docker.io/library/nginx'],
    ['registry.example.com/team/api:' + 'x'.repeat(128)],
  ])('accepts image %s', (image) => {
    expect(parse({ image }).image).toBe(image);
  });

  // cloud.google.com/run/docs/deploying "Supported container registries and images"; docs/platform.md
  // "Limits on inputs": Google's servers cannot reach this machine, an IP address or a private `host:port`.
  it.each([
    ['localhost:5000/api:dev', '`localhost:5000` is this machine'],
    ['localhost/api:dev', '`localhost` is this machine'],
    ['127.0.0.1:5000/team/api', '`127.0.0.1:5000` is an IP address'],
    ['10.0.0.7/team/api', '`10.0.0.7` is an IP address'],
    [
      'registry.example.com:8443/team/api:1',
      '`registry.example.com:8443` is a private registry with its own port',
    ],
  ])('refuses image %j, naming the registries Cloud Run pulls from', (image, why) => {
    const problems = problemsOf({ image });
    expect(problems).toEqual([{ input: 'image', message: expect.stringContaining(why) }]);
    expect(problems[0].message).toContain('cannot be pulled by Cloud Run');
    for (const registry of ['Artifact Registry', 'Container Registry', 'Docker Hub', 'remote repository'])
      expect(problems[0].message).toContain(registry);
  });

  it.each([
    ['us-docker.pkg.dev/p/r/api:1', false],
    ['gcr.io/p/api', false],
    ['eu.gcr.io/p/api', false],
    ['docker.io/library/nginx', false],
    ['ghcr.io/acme/api:1', false],
    ['quay.io/acme/api:1', true],
    ['registry.example.com/team/api', true],
  ])('image %s warns that Cloud Run may not pull from its registry: %s', (image, warns) => {
    expect(parse({ image }).inputWarnings).toEqual(
      warns
        ? [expect.stringMatching(/^`image`: `[a-z.]+` is not a registry Cloud Run pulls from directly/)]
        : [],
    );
  });

  it.each([
    ['https://us-docker.pkg.dev/p/r/api:1', 'starts with `https://`'],
    ['us-docker.pkg.dev/p/r/api: 1', 'contains whitespace'],
    ['us-docker.pkg.dev/p/Repo/api:1', 'uppercase letters in its repository path ("Repo")'],
    ['api:1', 'has no registry host'],
    ['nginx', 'has no registry host (Cloud Run would look for it on Docker Hub; write `docker.io/…`'],
    ['library/nginx:latest', 'has no registry host'],
    ['us-docker.pkg.dev/p/r/api:-bad', 'invalid tag "-bad"'],
    ['us-docker.pkg.dev/p/r/api:' + 'x'.repeat(129), 'invalid tag'],
    ['us-docker.pkg.dev/p/r/api@sha256:abc', 'malformed digest'],
    [`us-docker.pkg.dev/p/r/api@${digest.toUpperCase()}`, 'malformed digest'],
    ['us-docker.pkg.dev/p//api:1', 'empty path component'],
    ['us-docker.pkg.dev/p/r/api-:1', 'invalid path component "api-"'],
    ['us-docker.pkg.dev/p/api:1', 'too short for Artifact Registry'],
  ])('refuses image %j: %s', (image, wrong) => {
    const problems = problemsOf({ image });
    expect(problems).toEqual([{ input: 'image', message: expect.stringContaining(wrong) }]);
    expect(problems[0].message).toContain(
      'expected a full image reference such as `us-docker.pkg.dev/PROJECT/REPO/IMAGE:TAG`',
    );
  });
});

describe('parseInputs: auth', () => {
  const PROVIDER =
    'projects/123456789012/locations/global/workloadIdentityPools/github-pool/providers/my-repo';

  it.each([
    [PROVIDER, PROVIDER],
    [`//iam.googleapis.com/${PROVIDER}`, PROVIDER],
    [`https://iam.googleapis.com/${PROVIDER}`, PROVIDER],
  ])('accepts provider %s, without its prefix', (given, stored) => {
    expect(parse({ workload_identity_provider: given }).workloadIdentityProvider).toBe(stored);
  });

  it.each([
    [
      PROVIDER.replace('123456789012', 'my-project'),
      'names project "my-project", but provider names use the project NUMBER',
    ],
    [PROVIDER.replace('global', 'us-central1'), 'workload identity pools live in `global`'],
    [PROVIDER.replace('github-pool', 'gh'), 'invalid pool id "gh"'],
    [PROVIDER.replace('my-repo', 'My_Repo'), 'invalid provider id "My_Repo"'],
    [
      'projects/123/locations/global/workloadIdentityPools/github-pool',
      'is not a workload identity provider name',
    ],
    ['github-pool/my-repo', 'is not a workload identity provider name'],
  ])('refuses provider %j', (workload_identity_provider, wrong) => {
    expect(problemsOf({ workload_identity_provider })).toEqual([
      { input: 'workload_identity_provider', message: expect.stringContaining(wrong) },
    ]);
  });

  it('explains how to find the project number when given the project id', () => {
    const [problem] = problemsOf({
      workload_identity_provider: PROVIDER.replace('123456789012', 'my-project'),
    });
    expect(problem.message).toContain('gcloud projects describe my-project --format="value(projectNumber)"');
  });

  it.each([
    ['deployer@my-project.iam.gserviceaccount.com', true],
    ['123456789012-compute@developer.gserviceaccount.com', true],
    ['my-project@appspot.gserviceaccount.com', true],
    ['deployer@my-project.example.com.iam.gserviceaccount.com', true],
    ['deployer', false],
    ['serviceAccount:deployer@my-project.iam.gserviceaccount.com', false],
    ['someone@example.com', false],
  ])('service account %j valid: %s', (email, valid) => {
    expect(inputsWithProblems({ service_account: email })).toEqual(valid ? [] : ['service_account']);
    expect(inputsWithProblems({ runtime_service_account: email })).toEqual(
      valid ? [] : ['runtime_service_account'],
    );
  });

  it('takes a provider without a service account, and a service account without a provider', () => {
    expect(() => parse({ workload_identity_provider: PROVIDER })).not.toThrow();
    expect(() => parse({ service_account: 'deployer@my-project.iam.gserviceaccount.com' })).not.toThrow();
  });
});

describe('parseInputs: streaming settings', () => {
  // FACTS.md "request timeout": 1 s to 3600 s.
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

  // FACTS.md "concurrency": at most 1000.
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

describe('parseInputs: tag (FACTS.md "tag rules")', () => {
  it.each([
    ['pull request', PULL_REQUEST, 'api', 'pr-42'],
    ['push', PUSH, 'api', 'sha-abcdef0'],
    ['workflow_dispatch', { ...PUSH, eventName: 'workflow_dispatch' }, 'api', 'sha-abcdef0'],
    ['uppercase sha', { ...PUSH, sha: SHA.toUpperCase() }, 'api', 'sha-abcdef0'],
    // 46 - 41 = 5 = "pr-42".length: fits exactly.
    ['pull request, 41-char service', PULL_REQUEST, svc(41), 'pr-42'],
    ['pull request, 42-char service', PULL_REQUEST, svc(42), 'pr42'],
    ['pull request, 43-char service', PULL_REQUEST, svc(43), 'p42'],
    ['push, 35-char service', PUSH, svc(35), 'sha-abcdef0'],
    ['push, 36-char service', PUSH, svc(36), 'sabcdef0'],
    ['push, 40-char service', PUSH, svc(40), 'sabcde'],
    ['push, 41-char service', PUSH, svc(41), 'sabcd'],
  ] as [string, RunContext, string, string][])('default on %s is %s', (_, context, service, tag) => {
    expect(parse({ service, revision_suffix: 'v1' }, context).tag).toBe(tag);
  });

  it.each([
    ['pull request, 44-char service', PULL_REQUEST, svc(44), 'service `' + svc(44) + '` leaves 2 characters'],
    ['push, 42-char service', PUSH, svc(42), 'leaves 4 characters'],
    ['push, 46-char service', PUSH, svc(46), 'leaves 0 characters'],
    ['push without a sha', { ...PUSH, sha: '' }, 'api', 'has no default: the run has no commit SHA'],
  ] as [string, RunContext, string, string][])('no default on %s', (_, context, service, message) => {
    expect(problemsOf({ service, revision_suffix: 'v1' }, context)).toEqual([
      { input: 'tag', message: expect.stringContaining(message) },
    ]);
  });

  it.each([
    ['canary', 'api', true],
    ['v2', 'api', true],
    ['pr-7', 'api', true],
    [`t${'x'.repeat(42)}`, 'api', true], // 43 + 3 = 46
    [`t${'x'.repeat(43)}`, 'api', false], // 44 + 3 = 47
    ['2fast', 'api', false],
    ['Canary', 'api', false],
    ['can_ary', 'api', false],
    ['canary-', 'api', false],
    ['-canary', 'api', false],
  ])('tag %j with service %j valid: %s', (tag, service, valid) => {
    expect(inputsWithProblems({ tag, service })).toEqual(valid ? [] : ['tag']);
  });

  it('says how long the tag may be when tag + service is too long', () => {
    expect(problemsOf({ tag: 'x'.repeat(44), service: 'api' })).toEqual([
      {
        input: 'tag',
        message: `"${'x'.repeat(44)}" with service \`api\` is 47 characters; Cloud Run allows tag + service at most 46; expected a tag of at most 43 characters`,
      },
    ]);
  });
});

describe('parseInputs: revision_suffix (FACTS.md "revision names")', () => {
  it('defaults to <sha7>-<run id in base 36>-<run attempt>', () => {
    expect(parse({}, { ...PUSH, runId: '35', runAttempt: '1' }).revisionSuffix).toBe('abcdef0-z-1');
    expect(parse({}, { ...PUSH, runId: '36', runAttempt: '10' }).revisionSuffix).toBe('abcdef0-10-10');
  });

  // With run attempt 10 the default suffix is 18 characters: a 44-char service makes 44 + 1 + 18 = 63.
  it.each([
    [44, true],
    [45, false],
  ])('default with a %d-char service fits: %s', (length, fits) => {
    const problems = problemsOf({ service: svc(length), tag: 't' }, { ...PUSH, runAttempt: '10' });
    if (fits) expect(problems).toEqual([]);
    else
      expect(problems).toEqual([
        {
          input: 'revision_suffix',
          message: expect.stringMatching(
            /^the default "abcdef0-4jc8lii-10" makes revision `a{45}-abcdef0-4jc8lii-10` 64 characters; Cloud Run allows at most 63; expected `revision_suffix` set to at most 17 characters/,
          ),
        },
      ]);
  });

  it('has no default without a sha or run id', () => {
    expect(inputsWithProblems({ tag: 't' }, { ...PUSH, sha: '' })).toEqual(['revision_suffix']);
    expect(inputsWithProblems({ tag: 't' }, { ...PUSH, runId: '' })).toEqual(['revision_suffix']);
  });

  it.each([
    ['v42', 'api', true],
    ['00042-abc', 'api', true],
    ['x'.repeat(59), 'api', true], // 3 + 1 + 59 = 63
    ['x'.repeat(60), 'api', false], // 64
    ['V42', 'api', false],
    ['v42-', 'api', false],
    ['v_42', 'api', false],
    ['v.42', 'api', false],
  ])('suffix %j with service %j valid: %s', (revision_suffix, service, valid) => {
    expect(inputsWithProblems({ revision_suffix, service })).toEqual(valid ? [] : ['revision_suffix']);
  });
});

describe('parseInputs: many problems at once', () => {
  it('throws one InputError with every problem, in input order, each naming its input', () => {
    let caught: unknown;
    try {
      parseInputs(
        reader({
          // Given out of order on purpose: the report follows action.yml's order.
          deploy_timeout: '5',
          labels: 'Bad=x',
          env_vars: 'PORT=1',
          memory: 'lots',
          cpu: '3',
          max_instances: '0',
          concurrency: '0',
          timeout: '2h',
          profile: 'fast',
          workload_identity_provider: 'pool/provider',
          region: 'Mars',
          service: '9lives',
          image: 'api:latest',
          tag: 'Bad',
          revision_suffix: 'x-',
          lint_level: 'loud',
          ingress: 'public',
          use_http2: 'yes',
        }),
        PUSH,
      );
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(InputError);
    const error = caught as InputError;
    expect(error.problems.map((p) => p.input)).toEqual([
      'project_id',
      'region',
      'service',
      'image',
      'workload_identity_provider',
      'profile',
      'timeout',
      'concurrency',
      'max_instances',
      'use_http2',
      'cpu',
      'memory',
      'env_vars',
      'labels',
      'ingress',
      'tag',
      'revision_suffix',
      'lint_level',
      'deploy_timeout',
    ]);
    const lines = error.message.split('\n');
    expect(lines).toHaveLength(error.problems.length);
    for (const line of lines) expect(line).toMatch(/^`[a-z_0-9]+`: .+; expected .+/);
    expect(lines[1]).toContain('"Mars"');
  });

  it('keeps several problems of one input in the order found', () => {
    expect(problemsOf({ env_vars: 'no-equals\nPORT=1\n1X=2' }).map((p) => p.message)).toEqual([
      expect.stringContaining('line 1 has no `=`'),
      expect.stringContaining('line 2: `PORT`'),
      expect.stringContaining('line 3: "1X"'),
    ]);
  });

  it('reads every input it declares', () => {
    const asked: string[] = [];
    parseInputs((name) => {
      asked.push(name);
      return REQUIRED[name] ?? '';
    }, PUSH);
    expect(new Set(asked)).toEqual(new Set(INPUT_NAMES));
  });
});

describe('smoke test inputs', () => {
  it.each([
    ['sse', 'sse', '/events', 3],
    ['websocket', 'websocket', '/ws', 0],
    ['grpc', 'grpc', '/', 0],
    ['http', 'http', '/', 0],
  ] as const)(
    'profile %s probes %s %s with min events %d by default',
    (profile, protocol, path, minEvents) => {
      expect(parse({ profile }).smoke).toMatchObject({ protocol, path, minEvents });
    },
  );

  it('gRPC checks health with grpc.health.v1, so no HTTP health path by default', () => {
    expect(parse({ profile: 'grpc' }).smoke).toMatchObject({ protocol: 'grpc', healthPath: '' });
  });

  it('`smoke_protocol: none` skips the smoke test', () => {
    expect(parse({ smoke_protocol: 'none' }).smoke).toBeUndefined();
  });

  it.each([
    [{ smoke_protocol: 'grpcweb' }, 'smoke_protocol'],
    [{ smoke_path: 'events' }, 'smoke_path'],
    [{ health_path: 'health z' }, 'health_path'],
    [{ smoke_duration: '0.5s' }, 'smoke_duration'],
    [{ smoke_duration: '10 minutes' }, 'smoke_duration'],
    [{ smoke_first_event_timeout: '-1s' }, 'smoke_first_event_timeout'],
    [{ smoke_min_events: 'many' }, 'smoke_min_events'],
    [{ smoke_max_gap: '3h' }, 'smoke_max_gap'],
    [{ smoke_connections: '1001' }, 'smoke_connections'],
    [{ smoke_expect: 'pong' }, 'smoke_expect'],
    [{ smoke_protocol: 'websocket', smoke_expect: '/[unclosed/' }, 'smoke_expect'],
    [{ smoke_url: 'ftp://example.com' }, 'smoke_url'],
    [{ keep_failed_candidate: 'maybe' }, 'keep_failed_candidate'],
  ])('%j is refused, naming `%s`', (inputs, input) => {
    const problems = problemsOf(inputs as Record<string, string>);
    expect(problems.map((p) => p.input)).toEqual([input]);
  });
});

describe('rollout inputs', () => {
  it('defaults to `candidate` on pull requests and `progressive` otherwise', () => {
    expect(parse({}, { ...PUSH, eventName: 'pull_request', pullRequest: 3 }).rollout).toBe('candidate');
    expect(parse({}, PUSH).rollout).toBe('progressive');
  });

  it('`immediate` is one step to 100 %', () => {
    expect(parse({ rollout: 'immediate', step_wait: '5s' })).toMatchObject({
      trafficSteps: [100],
      stepWaitMs: [5000],
    });
  });

  it('a partial canary may end below 100', () => {
    expect(parse({ traffic_steps: '1,5' }).trafficSteps).toEqual([1, 5]);
  });

  it.each([
    [{ rollout: 'blue-green' }, 'rollout'],
    [{ traffic_steps: '50,10,100' }, 'traffic_steps'],
    [{ traffic_steps: '10,10,100' }, 'traffic_steps'],
    [{ traffic_steps: '0,100' }, 'traffic_steps'],
    [{ traffic_steps: '10,50,101' }, 'traffic_steps'],
    [{ traffic_steps: '10%,100' }, 'traffic_steps'],
    [{ step_wait: '1m,2m' }, 'step_wait'],
    [{ step_wait: 'soon' }, 'step_wait'],
    [{ follow_latest: 'yes' }, 'follow_latest'],
  ])('%j is refused, naming `%s`', (inputs, input) => {
    expect(problemsOf(inputs as Record<string, string>).map((p) => p.input)).toEqual([input]);
  });
});

describe('parseInputs: health_timeout', () => {
  it.each([
    ['', 60_000],
    ['5s', 5000],
    ['2m', 120_000],
  ])('%p -> %p ms', (value, ms) => {
    expect(parse({ health_timeout: value }).smoke?.healthTimeoutMs).toBe(ms);
  });

  it('refuses a value outside 1 s to 10 min, naming the input', () => {
    expect(problemsOf({ health_timeout: '500ms' })).toEqual([
      { input: 'health_timeout', message: expect.stringMatching(/not a duration from 1 s to 600 s/) },
    ]);
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
    const { provenanceLabels } = await import('../src/core/service-plan');
    const { PROVENANCE_LABEL_KEYS } = await import('../src/core/config');
    expect(Object.keys(provenanceLabels(PUSH)).sort()).toEqual([...PROVENANCE_LABEL_KEYS].sort());
  });
});

// docs/platform.md "Reserved URL paths"; https://cloud.google.com/run/docs/known-issues ("Reserved URL paths"):
// Google's front end answers `/healthz`, `/eventlog` and `/_ah/…` itself with a 404 and advises avoiding all
// paths that end in `z`.
describe('parseInputs: reserved and unsafe paths', () => {
  it.each([
    [
      '/healthz',
      "is answered by Google's front end with its own 404 before the request reaches the container",
    ],
    ['/healthz?probe=1', "is answered by Google's front end"],
    ['/eventlog', "is answered by Google's front end"],
    ['/_ah/health', "is answered by Google's front end"],
    ['/_ah/warmup#x', "is answered by Google's front end"],
    ['//evil.example/x', 'starts with `//`, which a URL parser reads as the start of another host'],
    ['/\\evil.example/x', 'starts with `/\\`, which a URL parser reads as the start of another host'],
  ])('refuses %j as health_path and smoke_path', (path, wrong) => {
    for (const input of ['health_path', 'smoke_path'] as const) {
      const problems = problemsOf({ [input]: path });
      expect(problems).toEqual([{ input, message: expect.stringContaining(wrong) }]);
      expect(problems[0].message).toMatch(
        input === 'health_path' ? /; expected .*`\/health`/ : /; expected .*`\/events`/,
      );
      if (!path.includes('evil'))
        expect(problems[0].message).toContain(
          'https://cloud.google.com/run/docs/known-issues, "Reserved URL paths"',
        );
    }
  });

  it.each([
    ['/statusz', '/status'],
    ['/readyz', '/ready'],
    ['/api/livez?verbose=1', '/api/livez'.slice(0, -1)],
  ])('warns about %j (ends in z) and suggests %j', (path, suggestion) => {
    for (const input of ['health_path', 'smoke_path'] as const) {
      const config = parse({ [input]: path });
      expect(config.inputWarnings).toEqual([
        expect.stringMatching(
          new RegExp(`^\`${input}\`: .* ends in \`z\`: Google's front end answers some such paths`),
        ),
      ]);
      expect(config.inputWarnings[0]).toContain(`use a path such as \`${suggestion}\``);
    }
  });

  it.each(['/health', '/healthz/', '/healthcheck', '/events?topic=z', '/_ah', '/ws', '/'])(
    'accepts %j without a warning',
    (path) => {
      for (const input of ['health_path', 'smoke_path'] as const)
        expect(parse({ [input]: path }).inputWarnings).toEqual([]);
    },
  );

  it('defaults health_path to /health, which reaches the container', () => {
    expect(parse().smoke?.healthPath).toBe('/health');
  });
});

describe('parseInputs: warnings about inputs the other inputs make ignored', () => {
  const ignored = (input: InputName) => expect.stringMatching(new RegExp(`^\`${input}\`: is ignored: `));
  it.each([
    [{ smoke_protocol: 'sse', smoke_send: 'hi' }, ['smoke_send']],
    [{ smoke_protocol: 'http', smoke_send: 'hi' }, ['smoke_send']],
    [{ smoke_protocol: 'websocket', smoke_send: 'hi' }, []],
    [
      { smoke_protocol: 'http', smoke_min_events: '2', smoke_max_gap: '1s', smoke_connections: '3' },
      ['smoke_min_events', 'smoke_max_gap', 'smoke_connections'],
    ],
    [
      { smoke_protocol: 'none', smoke_path: '/x', health_timeout: '5s', smoke_url: 'https://a.example' },
      ['smoke_path', 'health_timeout', 'smoke_url'],
    ],
    [{ smoke_protocol: 'none', keep_failed_candidate: 'true' }, ['keep_failed_candidate']],
    [{ smoke_protocol: 'none', keep_failed_candidate: 'false' }, []],
    [{ health_path: 'none', health_timeout: '5s' }, ['health_timeout']],
    [{ rollout: 'immediate', traffic_steps: '10,100' }, ['traffic_steps']],
    // `immediate` bakes after its one step for `step_wait`: not ignored.
    [{ rollout: 'immediate', step_wait: '30s' }, []],
    [
      { rollout: 'candidate', traffic_steps: '10,100', step_wait: '5s', follow_latest: 'true' },
      ['traffic_steps', 'step_wait', 'follow_latest'],
    ],
    [{ rollout: 'candidate', keep_release_tags: '4' }, ['keep_release_tags']],
    // action.yml's defaults arrive as if given; they warn about nothing.
    [{ rollout: 'candidate', keep_release_tags: '2', public_access_method: 'invoker-check' }, []],
    [{ rollout: 'progressive', traffic_steps: '5,50', follow_latest: 'true' }, ['follow_latest']],
    [{ rollout: 'progressive', traffic_steps: '5,100', follow_latest: 'true' }, []],
    [{ public_access_method: 'iam-binding' }, ['public_access_method']],
    [{ public_access_method: 'iam-binding', allow_unauthenticated: 'false' }, ['public_access_method']],
    [{ public_access_method: 'iam-binding', allow_unauthenticated: 'true' }, []],
  ] as [Partial<Record<InputName, string>>, InputName[]][])('%j warns about %j', (inputs, names) => {
    expect(parse(inputs).inputWarnings).toEqual(names.map(ignored));
  });

  it('sends smoke_send only over a WebSocket', () => {
    expect(parse({ smoke_protocol: 'sse', smoke_send: 'hi' }).smoke).not.toHaveProperty('send');
    expect(parse({ smoke_protocol: 'websocket', smoke_send: 'hi' }).smoke?.send).toBe('hi');
  });

  it('warns that a revision-level floor keeps every preview candidate warm (FACTS.md "min instances and tags")', () => {
    const warning = expect.stringMatching(
      /^`min_instances_level`: `revision` with `rollout: candidate`: the tagged candidate keeps 1 warm, billed instance\(s\) \(from profile `sse`\)/,
    );
    expect(parse({ rollout: 'candidate', min_instances_level: 'revision' }).inputWarnings).toEqual([warning]);
    expect(parse({ rollout: 'candidate', min_instances_level: 'service' }).inputWarnings).toEqual([]);
    expect(
      parse({ rollout: 'candidate', min_instances_level: 'revision', min_instances: '0' }).inputWarnings,
    ).toEqual([]);
  });

  it('lists warnings in input order, each as `input_name`: …, and freezes them', () => {
    const config = parse({
      rollout: 'candidate',
      follow_latest: 'true',
      smoke_protocol: 'sse',
      smoke_send: 'hi',
      health_path: '/readyz',
      public_access_method: 'iam-binding',
    });
    expect(config.inputWarnings.map((w) => /^`([a-z_]+)`: /.exec(w)?.[1])).toEqual([
      'public_access_method',
      'health_path',
      'smoke_send',
      'follow_latest',
    ]);
    expect(Object.isFrozen(config.inputWarnings)).toBe(true);
  });

  it('warnings never stop a run, and problems are reported without them', () => {
    const problems = problemsOf({ rollout: 'candidate', follow_latest: 'true', region: 'Mars' });
    expect(problems.map((p) => p.input)).toEqual(['region']);
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

describe('issue 12: smoke_reconnect, smoke_accept_encoding, smoke_min_events given', () => {
  it.each([
    [{ smoke_reconnect: 'false' }, { checkReconnect: false }],
    [{ smoke_accept_encoding: 'identity' }, { acceptEncoding: 'identity' }],
    [{ smoke_min_events: '3' }, { minEvents: 3 }],
  ])('%j -> %j', (inputs, expected) => {
    const smoke = parse(inputs).smoke!;
    expect(smoke).toMatchObject(expected);
    expect(smoke.minEventsIsDefault).toBe('smoke_min_events' in inputs ? undefined : true);
  });

  it('refuses bad values, naming the input', () => {
    expect(() => parse({ smoke_reconnect: 'yes', smoke_accept_encoding: 'gzip' })).toThrow(
      /`smoke_reconnect`[\s\S]*`smoke_accept_encoding`|`smoke_accept_encoding`[\s\S]*`smoke_reconnect`/,
    );
  });
});

describe('parseInputs: from deploy-cloudrun (docs/migrating.md)', () => {
  const withoutProject = { ...REQUIRED, project_id: '' };

  it('takes project_id, else GOOGLE_CLOUD_PROJECT, else CLOUDSDK_CORE_PROJECT (google-github-actions/auth)', () => {
    const env = { GOOGLE_CLOUD_PROJECT: 'from-google', CLOUDSDK_CORE_PROJECT: 'from-cloudsdk' };
    expect(parseInputs(reader(REQUIRED), PUSH, env).projectId).toBe('my-project');
    expect(parseInputs(reader(withoutProject), PUSH, env).projectId).toBe('from-google');
    expect(
      parseInputs(reader(withoutProject), PUSH, {
        GOOGLE_CLOUD_PROJECT: ' ',
        CLOUDSDK_CORE_PROJECT: 'from-cloudsdk',
      }).projectId,
    ).toBe('from-cloudsdk');
  });

  it('names project_id and both variables when none is set', () => {
    expect(() => parseInputs(reader(withoutProject), PUSH, {})).toThrow(
      /`project_id`: is required: it is not given, and neither `GOOGLE_CLOUD_PROJECT` nor `CLOUDSDK_CORE_PROJECT` is set; expected `project_id`, or google-github-actions\/auth/,
    );
  });

  it('says where a bad fallback project came from', () => {
    expect(() => parseInputs(reader(withoutProject), PUSH, { GOOGLE_CLOUD_PROJECT: '123456789012' })).toThrow(
      /"123456789012" \(from `GOOGLE_CLOUD_PROJECT`, as `project_id` is not given\) is a project number/,
    );
  });

  it('reads `suffix` as revision_suffix, with a deprecation warning', () => {
    const config = parse({ suffix: 'v7' });
    expect(config.revisionSuffix).toBe('v7');
    expect(config.inputWarnings).toEqual([
      expect.stringMatching(/^`suffix`: is deprecated .*`revision_suffix`/),
    ]);
    expect(parse({ suffix: 'v7', revision_suffix: 'v7' }).revisionSuffix).toBe('v7');
  });

  it('refuses `suffix` and `revision_suffix` that differ', () => {
    expect(problemsOf({ suffix: 'v7', revision_suffix: 'v8' })).toEqual([
      { input: 'suffix', message: expect.stringContaining('"v7" differs from `revision_suffix` "v8"') },
    ]);
  });

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

  it('with profile none, keeps every streaming setting the user did not name, and checks no combination against defaults', () => {
    const config = parse({ profile: 'none', timeout: '20m' });
    expect(config.keepLive).toEqual([
      'concurrency',
      'cpuAlwaysAllocated',
      'minInstances',
      'sessionAffinity',
      'useHttp2',
    ]);
    expect(config.streaming).toEqual({ ...PROFILE_DEFAULTS.none, timeoutSeconds: 1200 });
    // cpu below 1 needs concurrency 1: with `none` the live concurrency is unknown here, so no problem.
    expect(problemsOf({ profile: 'none', cpu: '0.5' })).toEqual([]);
    expect(parse({ profile: 'sse' }).keepLive).toEqual([]);
  });
});

describe('`mode` and `candidate_creates_service`', () => {
  test('default: release, no preview creates a service', () => {
    expect(parse()).toMatchObject({ mode: 'release', candidateCreatesService: false });
    expect(parse({ candidate_creates_service: 'true' }).candidateCreatesService).toBe(true);
  });

  test('cleanup reads no image (a given one is ignored with a warning) and keeps the release tag default', () => {
    const config = parse({ mode: 'cleanup', image: '' }, PULL_REQUEST);
    expect(config).toMatchObject({ mode: 'cleanup', image: '', tag: 'pr-42' });
    expect(parse({ mode: 'cleanup' }, PULL_REQUEST).inputWarnings).toEqual([
      '`image`: is ignored: `mode` is `cleanup`, which deploys nothing',
    ]);
    // The release of the same pull request chose the same tag, shortened beside a long service name.
    const long = svc(43);
    expect(parse({ mode: 'cleanup', service: long }, PULL_REQUEST).tag).toBe(
      parse({ service: long }, PULL_REQUEST).tag,
    );
  });

  test('cleanup outside a pull request needs `tag`; bad values are named', () => {
    expect(problemsOf({ mode: 'cleanup' }).map((p) => p.input)).toEqual(['tag']);
    expect(parse({ mode: 'cleanup', tag: 'pr-7' }).tag).toBe('pr-7');
    expect(problemsOf({ mode: 'deploy', candidate_creates_service: 'yes' }).map((p) => p.input)).toEqual([
      'mode',
      'candidate_creates_service',
    ]);
  });

  test('release still requires the image', () => {
    expect(problemsOf({ image: '' }).map((p) => p.input)).toEqual(['image']);
  });
});
