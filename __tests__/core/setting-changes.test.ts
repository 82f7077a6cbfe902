import type { CloudRunService, RevisionTemplate } from '../../src/core/cloud-run-types';
import { listSettingChanges, type SettingChange } from '../../src/core/setting-changes';

function service(
  template: Partial<RevisionTemplate> = {},
  extra: Partial<CloudRunService> = {},
): CloudRunService {
  return {
    name: 'projects/p/locations/us-central1/services/api',
    labels: { team: 'streams', 'stream-deploy-run': '1-1' },
    traffic: [],
    template: {
      timeout: '3600s',
      maxInstanceRequestConcurrency: 250,
      containers: [
        {
          image: 'us-docker.pkg.dev/p/r/api:v1',
          env: [
            { name: 'KEEP', value: 'same' },
            { name: 'TUNE', value: 'old-value' },
            { name: 'GONE', value: 'x' },
            { name: 'DB', valueSource: { secretKeyRef: { secret: 'db', version: '1' } } },
          ],
          ports: [{ name: 'http1', containerPort: 8080 }],
          resources: { cpuIdle: false },
        },
      ],
      ...template,
    },
    ...extra,
  };
}

describe('listSettingChanges', () => {
  it('lists nothing when the service is sent as it is', () => {
    expect(listSettingChanges(service(), service())).toEqual([]);
  });

  test.each<[string, CloudRunService, SettingChange[]]>([
    [
      'image and timeout',
      service({
        timeout: '300s',
        containers: [{ ...service().template.containers[0], image: 'us-docker.pkg.dev/p/r/api:v2' }],
      }),
      [
        { setting: 'image', live: 'us-docker.pkg.dev/p/r/api:v1', next: 'us-docker.pkg.dev/p/r/api:v2' },
        { setting: 'timeout', live: '3600s', next: '300s' },
      ],
    ],
    [
      'cpu allocation, http2 and the warm floor',
      service(
        {
          scaling: { minInstanceCount: 1 },
          containers: [
            {
              ...service().template.containers[0],
              ports: [{ name: 'h2c', containerPort: 8080 }],
              resources: { cpuIdle: true },
            },
          ],
        },
        { scaling: { minInstanceCount: 2 } },
      ),
      [
        { setting: 'cpu always allocated', live: 'on', next: 'off' },
        { setting: 'min instances (service)', live: '0', next: '2' },
        { setting: 'min instances (revision)', live: '0', next: '1' },
        { setting: 'http2', live: 'off', next: 'on' },
      ],
    ],
    [
      'ingress and public access',
      service({}, { ingress: 'INGRESS_TRAFFIC_INTERNAL_ONLY', invokerIamDisabled: true }),
      [
        { setting: 'ingress', live: 'all', next: 'internal' },
        { setting: 'public access', live: 'IAM invoker check', next: 'public (invoker check off)' },
      ],
    ],
  ])('lists %s', (_title, next, changes) => {
    expect(listSettingChanges(service(), next)).toEqual(changes);
  });

  it('lists env var names added, changed and removed, never a value', () => {
    const next = service({
      containers: [
        {
          ...service().template.containers[0],
          env: [
            { name: 'KEEP', value: 'same' },
            { name: 'TUNE', value: 'new-value' },
            { name: 'ADDED', value: 'added-value' },
            { name: 'DB', valueSource: { secretKeyRef: { secret: 'db', version: '2' } } },
          ],
        },
      ],
    });
    const changes = listSettingChanges(service(), next);
    expect(changes).toEqual([
      { setting: 'env ADDED', live: '(none)', next: '(added)' },
      { setting: 'env DB', live: 'secret db:1', next: 'secret db:2' },
      { setting: 'env GONE', live: '(set)', next: '(removed)' },
      { setting: 'env TUNE', live: '(set)', next: '(changed)' },
    ]);
    expect(JSON.stringify(changes)).not.toMatch(/value/);
  });

  it('lists labels but not the ones it is told to ignore', () => {
    const next = service({}, { labels: { team: 'edge', 'stream-deploy-run': '2-1', tier: 'gold' } });
    expect(listSettingChanges(service(), next, ['stream-deploy-run'])).toEqual([
      { setting: 'label team', live: 'streams', next: 'edge' },
      { setting: 'label tier', live: '(none)', next: 'gold' },
    ]);
  });

  it('lists secret files by path', () => {
    const next = service({
      volumes: [{ name: 'k', secret: { secret: 'api-key', items: [{ path: 'key', version: '3' }] } }],
      containers: [
        { ...service().template.containers[0], volumeMounts: [{ name: 'k', mountPath: '/secrets/api' }] },
      ],
    });
    expect(listSettingChanges(service(), next)).toEqual([
      { setting: 'secret file /secrets/api/key', live: '(none)', next: 'api-key:3' },
    ]);
    expect(listSettingChanges(next, service())).toEqual([
      { setting: 'secret file /secrets/api/key', live: 'api-key:3', next: '(removed)' },
    ]);
  });

  it('on a first deploy lists every setting against (none)', () => {
    const changes = listSettingChanges(undefined, service());
    expect(changes.find((c) => c.setting === 'image')).toEqual({
      setting: 'image',
      live: '(none)',
      next: 'us-docker.pkg.dev/p/r/api:v1',
    });
    expect(changes.find((c) => c.setting === 'env TUNE')).toEqual({
      setting: 'env TUNE',
      live: '(none)',
      next: '(added)',
    });
  });
});
