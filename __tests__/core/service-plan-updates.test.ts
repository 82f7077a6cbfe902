// planCandidate() on a live service: what an update keeps, the ports and probes it writes, its traffic, and
// the env and secret update strategies (docs/platform.md "Updates and updateMask").
import { PROFILE_DEFAULTS, type DeployConfig } from '../../src/core/config';
import type { CloudRunService } from '../../src/core/cloud-run-types';
import { planCandidate } from '../../src/core/service-plan';
import { L, R, config, context, live } from '../support/live-service';

describe('updates keep what they do not own (docs/platform.md "Updates and updateMask")', () => {
  const seeded = () =>
    live([{ type: L, percent: 100 }], {
      iapEnabled: true,
      defaultUriDisabled: false,
      binaryAuthorization: { useDefault: true },
      description: 'payments stream',
      launchStage: 'BETA',
      scaling: { minInstanceCount: 3, scalingMode: 'AUTOMATIC' },
      annotations: { team: 'payments' },
    });

  test('the mask names only what this release writes; the rest is sent back exactly as read', () => {
    const current = seeded();
    current.template.scaling = { maxInstanceCount: 7, cpuUtilization: 0.6, concurrencyUtilization: 0.8 };
    const plan = planCandidate(config(), current, context);
    expect(plan.updateMask).toEqual(['template', 'traffic', 'labels', 'client', 'clientVersion']);
    for (const key of [
      'iapEnabled',
      'defaultUriDisabled',
      'binaryAuthorization',
      'description',
      'launchStage',
    ])
      expect(plan.desired[key]).toEqual(current[key]);
    // A floor someone set on the service stays; REST-only revision scaling fields are carried over.
    expect(plan.desired.scaling).toEqual({ minInstanceCount: 3, scalingMode: 'AUTOMATIC' });
    expect(plan.desired.template.scaling).toEqual({
      maxInstanceCount: 7,
      cpuUtilization: 0.6,
      concurrencyUtilization: 0.8,
    });
    expect(plan.desired.client).toBe('stream-deploy');
    expect(plan.desired.annotations?.team).toBe('payments');
  });

  test.each<[string, Partial<DeployConfig>, string[], boolean | undefined]>([
    ['allow_unauthenticated unset: access untouched', {}, [], true],
    ['true by invoker check: already off, so not in the mask', { allowUnauthenticated: true }, [], true],
    [
      'true by IAM binding: the invoker check untouched',
      { allowUnauthenticated: true, publicAccessMethod: 'iam-binding' },
      [],
      true,
    ],
    ['false: the invoker check back on', { allowUnauthenticated: false }, ['invokerIamDisabled'], false],
  ])('public access of a public service: %s', (_name, overrides, extra, disabled) => {
    const plan = planCandidate(
      config(overrides),
      live([{ type: L, percent: 100 }], { invokerIamDisabled: true }),
      context,
    );
    expect(plan.updateMask.filter((p) => p === 'invokerIamDisabled')).toEqual(extra);
    expect(plan.desired.invokerIamDisabled).toBe(disabled);
  });

  test('an unchanged invoker check is not in the mask (changing it needs run.services.setIamPolicy)', () => {
    const plan = planCandidate(
      config({ allowUnauthenticated: true }),
      live([{ type: L, percent: 100 }], { invokerIamDisabled: true }),
      context,
    );
    expect(plan.invokerCheck).toBe('unchanged');
    expect(plan.updateMask).not.toContain('invokerIamDisabled');
  });

  test('min_instances_level: revision keeps the floor on the template and leaves the service scaling alone', () => {
    const plan = planCandidate(
      config({ minInstancesLevel: 'revision' }),
      live([{ type: L, percent: 100 }]),
      context,
    );
    expect(plan.desired.template.scaling).toEqual({ maxInstanceCount: 7, minInstanceCount: 1 });
    expect(plan.updateMask).not.toContain('scaling');
  });

  test('a revision-level floor on the live template is moved to the service, and said so', () => {
    const current = live([{ type: L, percent: 100 }]);
    current.template.scaling = { minInstanceCount: 2, maxInstanceCount: 7 };
    const plan = planCandidate(config({ minInstancesSet: true }), current, context);
    expect(plan.desired.template.scaling).toEqual({ maxInstanceCount: 7 });
    expect(plan.desired.scaling).toEqual({ minInstanceCount: 1 });
    expect(plan.notes.join('\n')).toMatch(/revision-level min instances \(2\) is not carried/);
  });

  test("gcloud's user-image annotation is updated where it exists", () => {
    const current = live([{ type: L, percent: 100 }], {
      annotations: { 'client.knative.dev/user-image': 'old:v1' },
    });
    current.template.annotations = { 'client.knative.dev/user-image': 'old:v1' };
    const plan = planCandidate(config(), current, context);
    expect(plan.desired.annotations?.['client.knative.dev/user-image']).toBe(config().image);
    expect(plan.desired.template.annotations?.['client.knative.dev/user-image']).toBe(config().image);
  });

  test('only promoted releases record their tag: an update leaves the record, a first deploy starts it', () => {
    const update = planCandidate(
      config(),
      live([{ type: L, percent: 100 }], { annotations: { 'stream-deploy.dev/tags': '["sha-1","sha-2"]' } }),
      context,
    );
    expect(update.releaseTags).toEqual(['sha-1', 'sha-2']);
    expect(update.updateMask).not.toContain('annotations');
    const first = planCandidate(config(), undefined, context);
    expect(JSON.parse(first.desired.annotations?.['stream-deploy.dev/tags'] ?? '')).toEqual(['pr-12']);
  });
});

describe('ports and probes (docs/platform.md "Startup probes and ports")', () => {
  test('a port change moves the default TCP startup probe on the old port', () => {
    const current = live([{ type: L, percent: 100 }]);
    current.template.containers[0].startupProbe = {
      tcpSocket: { port: 9000 },
      timeoutSeconds: 240,
      periodSeconds: 240,
      failureThreshold: 1,
    };
    const plan = planCandidate(config({ port: 8081 }), current, context);
    const c = plan.desired.template.containers[0];
    expect(c.ports).toEqual([{ name: 'http1', containerPort: 8081 }]);
    expect(c.startupProbe).toEqual({
      tcpSocket: { port: 8081 },
      timeoutSeconds: 240,
      periodSeconds: 240,
      failureThreshold: 1,
    });
  });

  test('a probe on another port, or with no port, is left alone', () => {
    const current = live([{ type: L, percent: 100 }]);
    current.template.containers[0].startupProbe = { httpGet: { path: '/health' } };
    current.template.containers[0].livenessProbe = { tcpSocket: { port: 9100 } };
    const plan = planCandidate(config({ port: 8081 }), current, context);
    expect(plan.desired.template.containers[0].startupProbe).toEqual({ httpGet: { path: '/health' } });
    expect(plan.desired.template.containers[0].livenessProbe).toEqual({ tcpSocket: { port: 9100 } });
  });

  test('with sidecars, the ingress container is the one with a port, not containers[0]', () => {
    const current = live([{ type: L, percent: 100 }]);
    const ingress = current.template.containers[0];
    current.template.containers = [{ image: 'otel/collector:1', name: 'collector' }, ingress];
    const plan = planCandidate(config(), current, context);
    expect(plan.desired.template.containers[0]).toEqual({ image: 'otel/collector:1', name: 'collector' });
    expect(plan.desired.template.containers[1].image).toBe(config().image);
  });
});

describe('traffic fidelity (docs/platform.md "Traffic", "Revisions and failures")', () => {
  test('LATEST pinned onto a revision that already has a share: one entry with the sum, tags on 0 % entries', () => {
    const plan = planCandidate(
      config(),
      live([
        { type: L, percent: 40, tag: 'current' },
        { type: R, revision: 'api-00003-old', percent: 60 },
      ]),
      context,
    );
    expect(plan.restoreTraffic).toEqual([
      { type: R, revision: 'api-00003-old', percent: 100 },
      { type: R, revision: 'api-00003-old', percent: 0, tag: 'current' },
    ]);
  });

  test('a tag left on a revision that is not ready (a failed candidate) is dropped', () => {
    const plan = planCandidate(
      config({ tag: 'sha-2' }),
      live(
        [
          { type: R, revision: 'api-00003-old', percent: 100 },
          { type: R, revision: 'api-00004-bad', percent: 0, tag: 'sha-1' },
        ],
        { latestCreatedRevision: 'api-00004-bad' },
      ),
      context,
    );
    expect(plan.restoreTraffic).toEqual([{ type: R, revision: 'api-00003-old', percent: 100 }]);
    expect(plan.notes.join('\n')).toMatch(/Tag sha-1 pointed at api-00004-bad, which is not ready/);
  });
});

test('a private service made public by the invoker check: invokerIamDisabled in the mask', () => {
  const plan = planCandidate(
    config({ allowUnauthenticated: true }),
    live([{ type: L, percent: 100 }]),
    context,
  );
  expect(plan.updateMask).toContain('invokerIamDisabled');
  expect(plan.desired.invokerIamDisabled).toBe(true);
  expect(plan.invokerCheck).toBe('disabled');
});

describe('update strategies (docs/platform.md "Env and secret update strategies")', () => {
  const secretEnv = (name: string, secret: string, version: string) => ({
    name,
    valueSource: { secretKeyRef: { secret, version } },
  });
  const withSecrets = () => {
    const svc = live([{ type: L, percent: 100 }]);
    svc.template.containers[0].env = [
      { name: 'KEEP', value: 'kept' },
      { name: 'OVERRIDE', value: 'old' },
      secretEnv('DB', 'db', '1'),
    ];
    return svc;
  };
  const envOf = (c: DeployConfig, svc: CloudRunService) =>
    planCandidate(c, svc, context).desired.template.containers[0].env;

  test.each<[string, Partial<DeployConfig>, string[]]>([
    [
      'merge keeps every live variable',
      { envVars: [{ name: 'NEW', value: 'n' }] },
      ['KEEP', 'OVERRIDE', 'DB', 'NEW'],
    ],
    [
      'overwrite makes the plain variables exactly the named ones; secrets stay',
      { envVars: [{ name: 'NEW', value: 'n' }], envVarsUpdateStrategy: 'overwrite' },
      ['DB', 'NEW'],
    ],
    [
      'overwrite with no variables removes every plain one',
      { envVars: [], envVarsUpdateStrategy: 'overwrite' },
      ['DB'],
    ],
    [
      'secrets overwrite drops the live secrets not named; plain variables stay',
      {
        secrets: [{ name: 'API', ref: { secret: 'api', version: '2' } }],
        secretsUpdateStrategy: 'overwrite',
      },
      ['KEEP', 'OVERRIDE', 'API'],
    ],
  ])('%s', (_title, overrides, names) => {
    expect(envOf(config(overrides), withSecrets())?.map((e) => e.name)).toEqual(names);
  });
});

describe('profile none: no unnamed setting changes', () => {
  const noneConfig = (given: Partial<DeployConfig['streaming']> = {}) =>
    config({
      profile: 'none',
      streaming: { ...PROFILE_DEFAULTS.none, ...given },
      keepLive: (Object.keys(PROFILE_DEFAULTS.none) as Array<keyof DeployConfig['streaming']>).filter(
        (k) => !(k in given),
      ),
    });
  const tuned = () =>
    live([{ type: L, percent: 100 }], {
      scaling: { minInstanceCount: 2 },
    });

  it('keeps the live timeout, concurrency, CPU allocation, affinity, http2 port name and floors', () => {
    const svc = tuned();
    svc.template.timeout = '1800s';
    svc.template.maxInstanceRequestConcurrency = 300;
    svc.template.sessionAffinity = true;
    svc.template.scaling = { maxInstanceCount: 7, minInstanceCount: 1 };
    svc.template.containers[0].ports = [{ name: 'h2c', containerPort: 9000 }];
    const plan = planCandidate(noneConfig(), svc, context);
    const t = plan.desired.template;
    expect(t).toMatchObject({
      timeout: '1800s',
      maxInstanceRequestConcurrency: 300,
      sessionAffinity: true,
      scaling: { maxInstanceCount: 7, minInstanceCount: 1 },
    });
    expect(t.containers[0].resources?.cpuIdle).toBe(true);
    expect(t.containers[0].ports).toEqual([{ name: 'h2c', containerPort: 9000 }]);
    expect(plan.updateMask).not.toContain('scaling');
  });

  it('writes what the user named', () => {
    const t = planCandidate(noneConfig({ timeoutSeconds: 3600, cpuAlwaysAllocated: true }), tuned(), context)
      .desired.template;
    expect(t.timeout).toBe('3600s');
    expect(t.containers[0].resources?.cpuIdle).toBe(false);
    expect(t.maxInstanceRequestConcurrency).toBe(80); // the live value, as read
  });

  it("on a first deploy writes Cloud Run's defaults", () => {
    const t = planCandidate(noneConfig(), undefined, context).desired.template;
    expect(t).toMatchObject({ timeout: '300s', maxInstanceRequestConcurrency: 80, sessionAffinity: false });
    expect(t.containers[0].resources?.cpuIdle).toBe(true);
  });
});
