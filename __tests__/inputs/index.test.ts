import { DEFAULT_PANEL_THRESHOLDS } from '../../src/core/stream-panel';
import { PROFILE_DEFAULTS, type Profile } from '../../src/core/config';
import { INPUT_NAMES, parseInputs, type InputName } from '../../src/inputs';
import { PULL_REQUEST, PUSH, REQUIRED, parse, problemsOf, reader, svc } from './fixtures';

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
        origins: {},
        tag: 'canary',
        revisionSuffix: 'v42',
        lintLevel: 'strict',
        loadBalancer: { use: 'auto' },
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
        gates: {
          panelStreams: 3,
          panelProbes: 5,
          panelThresholds: { ...DEFAULT_PANEL_THRESHOLDS },
          metrics: 'auto',
          logs: 'auto',
          metricsDelayMs: 180_000,
          policy: {
            onInconclusive: 'pass',
            holdCapMs: 300_000,
            onHoldCapReached: 'fail',
            failuresBeforeRollback: 1,
          },
        },
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
      origins: {},
      tag: 'sha-abcdef0',
      // 9876543210 in base 36 is 4jc8lii.
      revisionSuffix: 'abcdef0-4jc8lii-2',
      lintLevel: 'warn',
      loadBalancer: { use: 'auto' },
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
      gates: {
        panelStreams: 3,
        panelProbes: 5,
        panelThresholds: { ...DEFAULT_PANEL_THRESHOLDS },
        metrics: 'auto',
        logs: 'auto',
        metricsDelayMs: 180_000,
        policy: {
          onInconclusive: 'pass',
          holdCapMs: 300_000,
          onHoldCapReached: 'fail',
          failuresBeforeRollback: 1,
        },
      },
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
    ).toHaveLength(94);
    expect(() => parse()).not.toThrow();
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
