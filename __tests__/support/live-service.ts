// The service planCandidate() starts from, shared by __tests__/core/service-plan.test.ts and
// service-plan-updates.test.ts: a pull request's run context, the config, and a live service with settings of
// its own (labels, env, ports, resources) that an update must keep.
import type { DeployConfig, RunContext } from '../../src/core/config';
import type { CloudRunService, TrafficTarget } from '../../src/core/cloud-run-types';
import { deployConfig } from './deploy-config';

export const context: RunContext = {
  repository: 'acme/Streams',
  sha: '0123456789abcdef0123456789abcdef01234567',
  eventName: 'pull_request',
  pullRequest: 12,
  runId: '9876543210',
  runAttempt: '1',
  actor: 'Octo.Cat',
};

export function config(overrides: Partial<DeployConfig> = {}): DeployConfig {
  return deployConfig(overrides);
}

export const R = 'TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION' as const;
export const L = 'TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST' as const;

export function live(traffic: TrafficTarget[], extra: Partial<CloudRunService> = {}): CloudRunService {
  return {
    name: 'projects/demo-project/locations/us-central1/services/api',
    labels: { team: 'streams' },
    ingress: 'INGRESS_TRAFFIC_ALL',
    etag: '"abc"',
    latestReadyRevision: 'api-00003-old',
    latestCreatedRevision: 'api-00003-old',
    template: {
      revision: 'api-00003-old',
      timeout: '300s',
      maxInstanceRequestConcurrency: 80,
      serviceAccount: 'runtime@demo-project.iam.gserviceaccount.com',
      scaling: { maxInstanceCount: 7 },
      containers: [
        {
          image: 'us-docker.pkg.dev/demo/streams/stream-app:v1',
          env: [
            { name: 'KEEP', value: 'kept' },
            { name: 'OVERRIDE', value: 'old' },
          ],
          ports: [{ name: 'http1', containerPort: 9000 }],
          resources: { limits: { cpu: '2', memory: '1Gi' }, cpuIdle: true },
        },
      ],
    },
    traffic,
    ...extra,
  };
}
