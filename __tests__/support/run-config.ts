// The run context and the config run() is tested with, shared by __tests__/run.test.ts and
// __tests__/run/rollout.test.ts: a pull request's run, WIF auth and a candidate rollout; SMOKE is an SSE
// smoke test's settings.
import type { DeployConfig, RunContext } from '../../src/core/config';
import { deployConfig } from './deploy-config';

export const context: RunContext = {
  repository: 'acme/streams',
  sha: 'a'.repeat(40),
  eventName: 'pull_request',
  pullRequest: 7,
  runId: '1',
  runAttempt: '1',
  actor: 'octocat',
};

export function config(overrides: Partial<DeployConfig> = {}): DeployConfig {
  return deployConfig({
    projectId: 'p',
    image: 'us-docker.pkg.dev/p/r/api:2',
    workloadIdentityProvider: 'projects/1/locations/global/workloadIdentityPools/gh/providers/p',
    serviceAccount: 'deployer@p.iam.gserviceaccount.com',
    tag: 'pr-7',
    revisionSuffix: 'new',
    deployTimeoutSeconds: 60,
    ...overrides,
  });
}

export const SMOKE = {
  protocol: 'sse' as const,
  path: '/events',
  healthPath: '/health',
  healthTimeoutMs: 1000,
  durationMs: 1000,
  firstEventTimeoutMs: 500,
  minEvents: 1,
  maxGapMs: 500,
  connections: 1,
  checkReconnect: true,
};
