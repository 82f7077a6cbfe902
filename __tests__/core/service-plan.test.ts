import { PROFILE_DEFAULTS } from '../../src/core/config';
import type { CloudRunService, TrafficTarget } from '../../src/core/cloud-run-types';
import { planCandidate, provenanceLabels } from '../../src/core/service-plan';
import { L, R, config, context, live } from '../support/live-service';

describe('traffic (docs/platform.md "--no-traffic --tag X in v2 terms", "A candidate on a new service takes all traffic")', () => {
  test.each<[string, CloudRunService | undefined, TrafficTarget[], boolean]>([
    [
      'first deploy: the first revision takes all traffic, tagged',
      undefined,
      [{ type: R, revision: 'api-0123456-abc-1', percent: 100, tag: 'pr-12' }],
      true,
    ],
    [
      'existing service with LATEST: pinned to the ready revision by short name, candidate at 0 %',
      live([{ type: L, percent: 100 }]),
      [
        { type: R, revision: 'api-00003-old', percent: 100 },
        { type: R, revision: 'api-0123456-abc-1', percent: 0, tag: 'pr-12' },
      ],
      false,
    ],
    [
      'a prior split and user tags stay as they are',
      live([
        { type: R, revision: 'api-00002-a', percent: 70, tag: 'stable' },
        { type: R, revision: 'api-00003-old', percent: 30 },
        { type: R, revision: 'api-00001-x', percent: 0, tag: 'legacy' },
      ]),
      [
        { type: R, revision: 'api-00002-a', percent: 70, tag: 'stable' },
        { type: R, revision: 'api-00003-old', percent: 30 },
        { type: R, revision: 'api-00001-x', percent: 0, tag: 'legacy' },
        { type: R, revision: 'api-0123456-abc-1', percent: 0, tag: 'pr-12' },
      ],
      false,
    ],
    [
      'the tag already on another revision moves: a tag-only entry is dropped, a serving entry keeps its percent',
      live([
        { type: R, revision: 'api-00003-old', percent: 100, tag: 'pr-12' },
        { type: R, revision: 'api-00002-a', percent: 0, tag: 'pr-12' },
      ]),
      [
        { type: R, revision: 'api-00003-old', percent: 100 },
        { type: R, revision: 'api-0123456-abc-1', percent: 0, tag: 'pr-12' },
      ],
      false,
    ],
    [
      'LATEST with a tag keeps its tag once pinned',
      live([{ type: L, percent: 100, tag: 'current' }]),
      [
        { type: R, revision: 'api-00003-old', percent: 100, tag: 'current' },
        { type: R, revision: 'api-0123456-abc-1', percent: 0, tag: 'pr-12' },
      ],
      false,
    ],
    [
      'a service whose only revision failed: nothing can serve, so the candidate takes all traffic',
      live([{ type: L, percent: 100 }], { latestReadyRevision: undefined }),
      [{ type: R, revision: 'api-0123456-abc-1', percent: 100, tag: 'pr-12' }],
      true,
    ],
  ])('%s', (_name, current, traffic, takesAll) => {
    const plan = planCandidate(config(), current, context);
    expect(plan.desired.traffic).toEqual(traffic);
    expect(plan.takesAllTraffic).toBe(takesAll);
    expect(plan.desired.traffic.reduce((sum, t) => sum + t.percent, 0)).toBe(100);
    expect(plan.baselineTraffic).toEqual(current?.traffic ?? []);
    // The restore target: the baseline with LATEST pinned to the revision it meant, tags untouched.
    expect(plan.restoreTraffic.some((t) => t.type === 'TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST')).toBe(false);
    expect(plan.restoreTraffic.map((t) => t.tag)).toEqual(
      takesAll ? [] : (current?.traffic ?? []).map((t) => t.tag),
    );
    expect(plan.action).toBe(current ? 'update' : 'create');
  });
});

test('explicit revision name SERVICE-SUFFIX (docs/platform.md "Revision names"), etag sent back (docs/platform.md "Optimistic concurrency")', () => {
  const plan = planCandidate(config(), live([{ type: L, percent: 100 }]), context);
  expect(plan.desired.template.revision).toBe('api-0123456-abc-1');
  expect(plan.revision).toBe('api-0123456-abc-1');
  expect(plan.previousRevision).toBe('api-00003-old');
  expect(plan.desired.etag).toBe('"abc"');
  expect(plan.desired.name).toBe('projects/demo-project/locations/us-central1/services/api');
});

test('streaming settings from the profile and inputs; fields the user did not set stay as on the live service', () => {
  const plan = planCandidate(
    config({ streaming: { ...PROFILE_DEFAULTS.websocket } }),
    live([{ type: L, percent: 100 }]),
    context,
  );
  const t = plan.desired.template;
  expect(t.timeout).toBe('3600s');
  expect(t.maxInstanceRequestConcurrency).toBe(250);
  expect(t.sessionAffinity).toBe(true);
  // docs/platform.md "Min instances and tags": the warm floor goes on the service, not the revision.
  expect(t.scaling).toEqual({ maxInstanceCount: 7 });
  expect(plan.desired.scaling).toEqual({ minInstanceCount: 1 });
  expect(plan.updateMask).toContain('scaling');
  expect(t.serviceAccount).toBe('runtime@demo-project.iam.gserviceaccount.com');
  const c = t.containers[0];
  expect(c.image).toBe('us-docker.pkg.dev/demo/streams/stream-app:v2');
  // docs/platform.md "CPU always allocated": cpuIdle false; CPU and memory kept from the live service.
  expect(c.resources).toEqual({ limits: { cpu: '2', memory: '1Gi' }, cpuIdle: false });
  expect(c.ports).toEqual([{ name: 'http1', containerPort: 9000 }]);
  expect(plan.desired.ingress).toBe('INGRESS_TRAFFIC_ALL');
  expect(plan.desired.labels).toEqual({ team: 'streams', 'managed-by': 'stream-deploy' });
});

test('inputs override: h2c port, cpu/memory, ingress, runtime SA, execution environment, max instances', () => {
  const plan = planCandidate(
    config({
      streaming: { ...PROFILE_DEFAULTS.grpc },
      cpu: '4',
      memory: '4Gi',
      port: 50051,
      ingress: 'internal-and-cloud-load-balancing',
      runtimeServiceAccount: 'other@demo-project.iam.gserviceaccount.com',
      executionEnvironment: 'gen2',
      maxInstances: 20,
      startupCpuBoost: true,
    }),
    live([{ type: L, percent: 100 }]),
    context,
  );
  const t = plan.desired.template;
  expect(t.containers[0].ports).toEqual([{ name: 'h2c', containerPort: 50051 }]);
  expect(t.containers[0].resources).toEqual({
    limits: { cpu: '4', memory: '4Gi' },
    cpuIdle: false,
    startupCpuBoost: true,
  });
  expect(plan.desired.ingress).toBe('INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER');
  expect(t.serviceAccount).toBe('other@demo-project.iam.gserviceaccount.com');
  expect(t.executionEnvironment).toBe('EXECUTION_ENVIRONMENT_GEN2');
  expect(t.scaling).toEqual({ maxInstanceCount: 20 });
});

test('env vars and secrets are upserted over the live env, values byte for byte', () => {
  const json = '{"a":1,"b":[2,3]}';
  const plan = planCandidate(
    config({
      envVars: [
        { name: 'OVERRIDE', value: 'a=b,c=d' },
        { name: 'JSON', value: json },
      ],
      secrets: [{ name: 'API_KEY', ref: { secret: 'api-key', version: 'latest' } }],
    }),
    live([{ type: L, percent: 100 }]),
    context,
  );
  expect(plan.desired.template.containers[0].env).toEqual([
    { name: 'KEEP', value: 'kept' },
    { name: 'OVERRIDE', value: 'a=b,c=d' },
    { name: 'JSON', value: json },
    { name: 'API_KEY', valueSource: { secretKeyRef: { secret: 'api-key', version: 'latest' } } },
  ]);
});

test('first deploy: a bare container with Cloud Run defaults for what the user did not set', () => {
  const plan = planCandidate(config({ labels: { team: 'x' } }), undefined, context);
  expect(plan.desired.template.containers).toEqual([
    {
      image: 'us-docker.pkg.dev/demo/streams/stream-app:v2',
      env: [],
      ports: [{ name: 'http1', containerPort: 8080 }],
      resources: { cpuIdle: false },
    },
  ]);
  expect(plan.desired.etag).toBeUndefined();
  expect(plan.desired.ingress).toBeUndefined();
  expect(plan.desired.labels).toEqual({ team: 'x', 'managed-by': 'stream-deploy' });
  expect(plan.notes.join(' ')).toContain('First deploy');
});

test('provenance labels follow Cloud Run label syntax (docs/platform.md "Labels": none under reserved prefixes)', () => {
  const labels = provenanceLabels(context);
  expect(labels).toEqual({
    'managed-by': 'stream-deploy',
    'stream-deploy-commit': '0123456789abcdef0123456789abcdef01234567',
    'stream-deploy-run': '9876543210-1',
    'stream-deploy-actor': 'octo-cat',
    'stream-deploy-repo': 'acme-streams',
  });
  for (const [k, v] of Object.entries(labels)) {
    expect(k).toMatch(/^[a-z][a-z0-9_-]{0,62}$/);
    expect(v).toMatch(/^[a-z0-9_-]{0,63}$/);
  }
});

test('the previous revision is the one serving traffic, not a rolled-back candidate that is the latest ready', () => {
  const current = live(
    [{ type: 'TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION', revision: 'api-00002-good', percent: 100 }],
    {
      latestReadyRevision: 'api-00003-rolled-back',
    },
  );
  const plan = planCandidate(config(), current, context);
  expect(plan.previousRevision).toBe('api-00002-good');
  expect(plan.restoreTraffic).toEqual([
    { type: 'TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION', revision: 'api-00002-good', percent: 100 },
  ]);
});

describe("a metadata file's fields no input covers (src/inputs/knative/), and the VPC inputs", () => {
  const metadata = {
    file: 'service.yaml',
    container: {
      command: ['/app/serve'],
      startupProbe: { httpGet: { path: '/ready', port: 8080 }, periodSeconds: 1 },
      livenessProbe: { tcpSocket: { port: 8080 } },
    },
    description: 'Server-Sent Events API',
    serviceAnnotations: { 'example.com/owner': 'streams' },
    templateAnnotations: { 'example.com/build': '7' },
  };

  test('are written on the template, the container and the service; the mask names each service field', () => {
    const current = live([{ type: L, percent: 100 }], { description: 'old', annotations: { team: 'x' } });
    current.template.containers[0].startupProbe = { tcpSocket: { port: 8080 } };
    const vpc = { network: 'default', egress: 'PRIVATE_RANGES_ONLY' as const };
    const plan = planCandidate(config({ metadata, vpc }), current, context);
    const container = plan.desired.template.containers[0];
    expect(container).toMatchObject({
      command: ['/app/serve'],
      startupProbe: { httpGet: { path: '/ready', port: 8080 }, periodSeconds: 1 },
      livenessProbe: { tcpSocket: { port: 8080 } },
    });
    expect(container.startupProbe).not.toHaveProperty('tcpSocket');
    expect(plan.desired.template.vpcAccess).toEqual({
      egress: 'PRIVATE_RANGES_ONLY',
      networkInterfaces: [{ network: 'default' }],
    });
    expect(plan.desired.template.annotations).toEqual({ 'example.com/build': '7' });
    expect(plan.desired.description).toBe('Server-Sent Events API');
    expect(plan.desired.annotations).toEqual({ team: 'x', 'example.com/owner': 'streams' });
    expect(plan.updateMask).toEqual(expect.arrayContaining(['description', 'annotations']));
  });

  test('without a file nothing of the kind is written and the mask stays as before', () => {
    const current = live([{ type: L, percent: 100 }], { description: 'old' });
    const plan = planCandidate(config(), current, context);
    expect(plan.desired.description).toBe('old');
    expect(plan.updateMask).not.toContain('description');
    expect(plan.desired.template.vpcAccess).toBeUndefined();
  });
});
