import type { DeployConfig, RunContext } from '../../src/core/config';
import type { CloudRunService, TrafficTarget } from '../../src/core/cloud-run-types';
import { planCandidate } from '../../src/core/service-plan';
import { deployConfig } from '../support/deploy-config';

// Secret files are planned into the candidate's template (src/core/secret-volumes.ts), so the cases go
// through planCandidate, as the release does.

const context: RunContext = {
  repository: 'acme/Streams',
  sha: '0123456789abcdef0123456789abcdef01234567',
  eventName: 'pull_request',
  pullRequest: 12,
  runId: '9876543210',
  runAttempt: '1',
  actor: 'Octo.Cat',
};

function config(overrides: Partial<DeployConfig> = {}): DeployConfig {
  return deployConfig(overrides);
}

const L = 'TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST' as const;

function live(traffic: TrafficTarget[], extra: Partial<CloudRunService> = {}): CloudRunService {
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

describe('secrets as files (docs/platform.md "Secrets as files")', () => {
  const mount = (path: string, secret: string, version: string) => ({ path, ref: { secret, version } });
  const plan = (overrides: Partial<DeployConfig>, svc?: CloudRunService) =>
    planCandidate(config(overrides), svc, context).desired.template;

  it('mounts each directory as one secret volume, each file an item with its version', () => {
    const t = plan({
      secretMounts: [mount('/secrets/api/key', 'api-key', '3'), mount('/secrets/api/old', 'api-key', '1')],
    });
    expect(t.volumes).toEqual([
      {
        name: 'api-key',
        secret: {
          secret: 'api-key',
          items: [
            { path: 'key', version: '3' },
            { path: 'old', version: '1' },
          ],
        },
      },
    ]);
    expect(t.containers[0].volumeMounts).toEqual([{ name: 'api-key', mountPath: '/secrets/api' }]);
  });

  const mounted = () => {
    const svc = live([{ type: L, percent: 100 }]);
    svc.template.volumes = [
      { name: 'tls', secret: { secret: 'tls', items: [{ path: 'cert.pem', version: '1' }] } },
      { name: 'cache', emptyDir: { medium: 'MEMORY' } },
    ];
    svc.template.containers[0].volumeMounts = [
      { name: 'tls', mountPath: '/etc/tls' },
      { name: 'cache', mountPath: '/cache' },
    ];
    return svc;
  };

  it('merge adds a file to a live secret directory and keeps the rest', () => {
    const t = plan({ secretMounts: [mount('/etc/tls/key.pem', 'tls', '2')] }, mounted());
    expect(t.volumes).toEqual([
      {
        name: 'tls',
        secret: {
          secret: 'tls',
          items: [
            { path: 'cert.pem', version: '1' },
            { path: 'key.pem', version: '2' },
          ],
        },
      },
      { name: 'cache', emptyDir: { medium: 'MEMORY' } },
    ]);
    expect(t.containers[0].volumeMounts).toEqual(mounted().template.containers[0].volumeMounts);
  });

  it('overwrite removes the live secret files not named, and their volume; other volumes stay', () => {
    const t = plan(
      { secretMounts: [mount('/secrets/api/key', 'api-key', '3')], secretsUpdateStrategy: 'overwrite' },
      mounted(),
    );
    expect(t.volumes?.map((v) => v.name)).toEqual(['cache', 'api-key']);
    expect(t.containers[0].volumeMounts).toEqual([
      { name: 'cache', mountPath: '/cache' },
      { name: 'api-key', mountPath: '/secrets/api' },
    ]);
  });

  it('names a new volume apart from the live ones', () => {
    const t = plan({ secretMounts: [mount('/other/cert.pem', 'tls', '5')] }, mounted());
    expect(t.volumes?.map((v) => v.name)).toEqual(['tls', 'cache', 'tls-2']);
  });

  it('leaves volumes alone when no secret file is named', () => {
    const t = plan({}, mounted());
    expect(t.volumes).toEqual(mounted().template.volumes);
    expect(t.containers[0].volumeMounts).toEqual(mounted().template.containers[0].volumeMounts);
  });
});
