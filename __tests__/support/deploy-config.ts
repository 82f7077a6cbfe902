// A DeployConfig built by hand for tests of the core and the orchestrator (the inputs parser is not their
// subject): sse profile, no smoke test, candidate rollout, reporting off; each test overrides what it needs.
import { DEFAULT_PANEL_THRESHOLDS } from '../../src/core/stream-panel';
import { PROFILE_DEFAULTS, type DeployConfig } from '../../src/core/config';

export function deployConfig(overrides: Partial<DeployConfig> = {}): DeployConfig {
  const profile = overrides.profile ?? 'sse';
  return {
    projectId: 'demo-project',
    region: 'us-central1',
    service: 'api',
    image: 'us-docker.pkg.dev/demo/streams/stream-app:v2',
    mode: 'release',
    profile,
    streaming: { ...PROFILE_DEFAULTS[profile] },
    keepLive: [],
    envVars: [],
    envVarsUpdateStrategy: 'merge',
    secrets: [],
    secretMounts: [],
    secretsUpdateStrategy: 'merge',
    labels: {},
    origins: {},
    loadBalancer: { use: 'off' },
    tag: 'pr-12',
    revisionSuffix: '0123456-abc-1',
    lintLevel: 'warn',
    deployTimeoutSeconds: 900,
    keepFailedCandidate: false,
    rollout: 'candidate',
    trafficSteps: [10, 50, 100],
    stepWaitMs: [0, 0, 0],
    followLatest: false,
    publicAccessMethod: 'invoker-check',
    minInstancesLevel: 'service',
    minInstancesSet: false,
    keepReleaseTags: 2,
    candidateCreatesService: false,
    // The panel and the observability gates off: tests that exercise them turn them on.
    gates: {
      panelStreams: 0,
      panelProbes: 0,
      panelThresholds: { ...DEFAULT_PANEL_THRESHOLDS },
      metrics: 'off',
      logs: 'off',
      metricsDelayMs: 0,
      policy: { onInconclusive: 'pass', holdCapMs: 0, onHoldCapReached: 'fail', failuresBeforeRollback: 1 },
    },
    inputWarnings: [],
    reporting: { githubToken: '', comment: false, commentOnCommit: false, summary: false, deployment: false },
    ...overrides,
  };
}
