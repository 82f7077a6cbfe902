// The inconvenient parts of Cloud Run updates that the emulator reproduces (emulator/README.md, "Platform
// behaviours"): REST-only fields, update masks, strict template comparison, sticky failures and the default
// startup probe. Driven over raw REST JSON and through the real @google-cloud/run client.
import { LRO } from '../../../emulator/clients';
import {
  DEFAULT_PROBE,
  emulator,
  raw,
  rawCreate,
  rawPatch,
  revisions,
  services,
  short,
  template,
  usePlatformEmulator,
  type Json,
} from './harness';

usePlatformEmulator();

describe('REST-only fields and every mutable field over REST (docs/platform.md "No mask = full replacement")', () => {
  const seed = (id: string): Json => ({
    description: 'streams',
    labels: { team: 'web' },
    annotations: { 'example.com/owner': 'web' },
    client: 'stream-deploy',
    clientVersion: '1.0.0',
    ingress: 'INGRESS_TRAFFIC_ALL',
    launchStage: 'BETA',
    binaryAuthorization: { useDefault: true },
    template: template('v1', {
      revision: `${id}-a`,
      scaling: { maxInstanceCount: 3, cpuUtilization: 0.6, concurrencyUtilization: 0.8 },
    }),
    scaling: { minInstanceCount: 1, scalingMode: 'AUTOMATIC' },
    invokerIamDisabled: true,
    defaultUriDisabled: true,
    iapEnabled: true,
    customAudiences: ['https://streams.example.com'],
    buildConfig: { functionTarget: 'handler', baseImage: 'nodejs22', enableAutomaticUpdates: true },
  });

  test('a service is seeded with every mutable field and REST-only template fields; a GET returns them all as JSON', async () => {
    const got = await rawCreate('seeded-api', seed('seeded-api'));
    expect(got).toMatchObject({
      description: 'streams',
      labels: { team: 'web' },
      annotations: { 'example.com/owner': 'web' },
      client: 'stream-deploy',
      clientVersion: '1.0.0',
      ingress: 'INGRESS_TRAFFIC_ALL',
      launchStage: 'BETA',
      binaryAuthorization: { useDefault: true },
      scaling: { minInstanceCount: 1, scalingMode: 'AUTOMATIC' },
      invokerIamDisabled: true,
      defaultUriDisabled: true,
      iapEnabled: true,
      customAudiences: ['https://streams.example.com'],
      buildConfig: { functionTarget: 'handler', baseImage: 'nodejs22', enableAutomaticUpdates: true },
      generation: '1',
    });
    expect(got.template.scaling).toEqual({
      maxInstanceCount: 3,
      cpuUtilization: 0.6,
      concurrencyUtilization: 0.8,
    });
    const asNumbers = await raw('GET', got.name, undefined, { $alt: 'json;enum-encoding=int' });
    expect(asNumbers.json.template.scaling.cpuUtilization).toBe(0.6);
    expect(asNumbers.json.launchStage).toBe(3); // LaunchStage.BETA
    // binaryAuthorization by policy, and multiRegionSettings, are stored and echoed too.
    const op = await rawPatch(
      got.name,
      {
        binaryAuthorization: { policy: 'projects/demo-project/platforms/cloudrun/policies/strict' },
        multiRegionSettings: { regions: ['us-central1', 'us-east1'] },
      },
      'binaryAuthorization,multiRegionSettings',
    );
    expect(op.error).toBeUndefined();
    const after = (await raw('GET', got.name)).json;
    expect(after.binaryAuthorization).toEqual({
      policy: 'projects/demo-project/platforms/cloudrun/policies/strict',
    });
    expect(after.multiRegionSettings).toEqual({ regions: ['us-central1', 'us-east1'] });
    expect(after.iapEnabled).toBe(true);
    expect(emulator.api.wire.protoProblems).toEqual([]);
  });

  test('without a mask, what the body omits is reset (iapEnabled false, REST-only fields gone); with a mask only the listed paths change; the wire log records each mask', async () => {
    const got = await rawCreate('reset-api', seed('reset-api'));
    // A mask: only traffic and annotations change.
    const masked = await rawPatch(
      got.name,
      {
        annotations: { 'example.com/owner': 'ops' },
        iapEnabled: false,
        description: 'ignored',
        traffic: [
          {
            type: 'TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION',
            revision: 'reset-api-a',
            percent: 100,
            tag: 'stable',
          },
        ],
      },
      'traffic,annotations',
    );
    expect(masked.error).toBeUndefined();
    const afterMask = (await raw('GET', got.name)).json;
    expect(afterMask.annotations).toEqual({ 'example.com/owner': 'ops' });
    expect(afterMask.traffic[0].tag).toBe('stable');
    expect(afterMask.iapEnabled).toBe(true);
    expect(afterMask.description).toBe('streams');
    expect(afterMask.template.scaling.cpuUtilization).toBe(0.6);

    // No mask: the body is the whole desired state. Its template (unnamed, without the REST-only fields)
    // is a new revision, and every top-level field it leaves out is reset.
    const { revision: _r, ...tpl } = afterMask.template;
    const { cpuUtilization: _c, concurrencyUtilization: _u, ...scaling } = tpl.scaling;
    const whole = await rawPatch(got.name, {
      template: { ...tpl, scaling },
      traffic: [{ type: 'TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST', percent: 100 }],
    });
    expect(whole.error).toBeUndefined();
    const afterWhole = (await raw('GET', got.name)).json;
    for (const field of [
      'description',
      'client',
      'clientVersion',
      'binaryAuthorization',
      'scaling',
      'customAudiences',
      'buildConfig',
    ]) {
      expect(afterWhole[field]).toBeUndefined();
    }
    expect(afterWhole.iapEnabled ?? false).toBe(false);
    expect(afterWhole.invokerIamDisabled ?? false).toBe(false);
    expect(afterWhole.defaultUriDisabled ?? false).toBe(false);
    expect(afterWhole.labels).toEqual({});
    expect(afterWhole.launchStage).toBe('GA');
    expect(afterWhole.template.scaling).toEqual({ maxInstanceCount: 3 });
    expect(short(afterWhole.latestCreatedRevision)).not.toBe('reset-api-a');

    await raw('GET', `${got.name}:getIamPolicy`, undefined, { 'options.requestedPolicyVersion': '3' });
    const wire = (await (await fetch(`${emulator.endpoints.control}/calls`)).json()) as {
      log: Array<Json>;
    };
    const updates = wire.log.filter((c) => c.method === 'services.update' && c.name === got.name);
    expect(updates.map((c) => c.updateMask)).toEqual([['traffic', 'annotations'], null]);
    const iam = wire.log.filter((c) => c.method === 'services.getIamPolicy' && c.name === got.name);
    expect(iam.at(-1)?.requestedPolicyVersion).toBe(3);
  });
});

describe('strict template comparison (docs/platform.md "Revision names", "Traffic-only update")', () => {
  test('an exact echo of a raw GET is no new revision; the client\u2019s GET-modify-update drops REST-only fields and is 409; a mask without template never compares', async () => {
    const created = await rawCreate('strict-api', {
      template: template('v1', { revision: 'strict-api-a', scaling: { cpuUtilization: 0.7 } }),
    });
    // The whole raw GET sent back, output-only fields and all: same configuration.
    const echo = await rawPatch(created.name, created);
    expect(echo.error).toBeUndefined();
    const afterEcho = (await raw('GET', created.name)).json;
    expect(afterEcho.latestCreatedRevision).toBe(created.latestCreatedRevision);
    expect(Number(afterEcho.generation)).toBe(2);

    // Through the client: its decoder drops cpuUtilization, so the same revision name now names a
    // different configuration.
    const [svc] = await services.getService({ name: created.name });
    await expect(
      services.updateService({
        service: {
          ...svc,
          traffic: [{ type: 'TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST', percent: 100, tag: 'x' }],
        },
      }),
    ).rejects.toMatchObject({
      code: 6,
      message: expect.stringContaining(
        "Revision named 'strict-api-a' with different configuration already exists.",
      ),
    });
    // A default left out, a changed value, a REST-only field added, the default probe left out: all 409.
    for (const changed of [
      { ...afterEcho.template, timeout: undefined },
      { ...afterEcho.template, maxInstanceRequestConcurrency: 79 },
      { ...afterEcho.template, scaling: { ...afterEcho.template.scaling, concurrencyUtilization: 0.5 } },
      {
        ...afterEcho.template,
        containers: [{ ...afterEcho.template.containers[0], startupProbe: undefined }],
      },
    ]) {
      const res = await raw('PATCH', created.name, { template: changed, traffic: afterEcho.traffic });
      expect(res.status).toBe(409);
      expect(res.json.error.status).toBe('ALREADY_EXISTS');
    }
    // updateMask=traffic: the (different) template in the body is neither compared nor applied.
    const [op] = await services.updateService(
      {
        service: {
          ...svc,
          traffic: [{ type: 'TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST', percent: 100, tag: 'now' }],
        },
        updateMask: { paths: ['traffic'] },
      },
      LRO,
    );
    await op.promise();
    const after = (await raw('GET', created.name)).json;
    expect(after.template.scaling.cpuUtilization).toBe(0.7);
    expect(after.traffic[0].tag).toBe('now');
    const [list] = await revisions.listRevisions({ parent: created.name });
    expect(list).toHaveLength(1);
  });

  test('unnamed, the client round trip of a template with REST-only fields silently makes a new revision without them', async () => {
    const created = await rawCreate('erase-api', {
      template: template('v1', { scaling: { cpuUtilization: 0.7 } }),
    });
    const [svc] = await services.getService({ name: created.name });
    const [op] = await services.updateService({ service: svc }, LRO);
    const [updated] = await op.promise();
    expect(updated.latestCreatedRevision).not.toBe(created.latestCreatedRevision);
    expect((await raw('GET', created.name)).json.template.scaling.cpuUtilization).toBeUndefined();
  });
});

describe('after a failed revision (docs/platform.md "After a failed revision")', () => {
  test('a traffic-only update applies its traffic but ends with the same error while the template names the failed revision; a ready template clears it', async () => {
    const created = await rawCreate('sticky-api', {
      template: template('v1', { revision: 'sticky-api-a' }),
      invokerIamDisabled: true,
    });
    const failed = await rawPatch(created.name, {
      template: template('crash', { revision: 'sticky-api-bad' }),
      traffic: [{ type: 'TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST', percent: 100 }],
      invokerIamDisabled: true,
    });
    expect(failed.error.code).toBe(9);
    const before = (await raw('GET', created.name)).json;
    expect(short(before.latestCreatedRevision)).toBe('sticky-api-bad');
    expect(before.terminalCondition.state).toBe('CONDITION_FAILED');

    const traffic = [
      {
        type: 'TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION' as const,
        revision: 'sticky-api-a',
        percent: 100,
        tag: 'stable',
      },
    ];
    const [op] = await services.updateService(
      { service: { name: created.name, traffic }, updateMask: { paths: ['traffic'] } },
      LRO,
    );
    await expect(op.promise()).rejects.toMatchObject({ code: 9, message: failed.error.message });
    const after = (await raw('GET', created.name)).json;
    expect(after.terminalCondition.state).toBe('CONDITION_FAILED');
    expect(after.reconciling).toBe(false);
    expect(after.traffic).toEqual(traffic);
    const stable = after.trafficStatuses.find((t: Json) => t.tag === 'stable');
    expect(stable.revision).toBe('sticky-api-a');
    const res = await fetch(`${stable.uri}/`);
    expect(res.headers.get('x-revision')).toBe('sticky-api-a');

    // With the fault setting off, the same kind of update succeeds.
    emulator.faults.update({ stickyRevisionFailure: false });
    const lenient = await rawPatch(created.name, { traffic }, 'traffic');
    expect(lenient.error).toBeUndefined();
    emulator.faults.reset();

    // A new template that becomes ready clears it.
    const fixed = await rawPatch(
      created.name,
      { template: template('v2', { revision: 'sticky-api-c' }), traffic },
      'template,traffic',
    );
    expect(fixed.error).toBeUndefined();
    const again = await rawPatch(
      created.name,
      { traffic: [{ type: 'TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST', percent: 100 }] },
      'traffic',
    );
    expect(again.error).toBeUndefined();
    expect((await raw('GET', created.name)).json.terminalCondition.state).toBe('CONDITION_SUCCEEDED');
  });
});

describe('default startup probe (docs/platform.md "Default startup probe")', () => {
  test('reported with an explicit port; a port change that leaves the probe behind fails, one that moves it is ready; an omitted probe gets the default on the new port; a sent probe is kept', async () => {
    const created = await rawCreate('probe-api', { template: template('v1') });
    const container = created.template.containers[0];
    expect(container.startupProbe).toEqual({ ...DEFAULT_PROBE, tcpSocket: { port: 8080 } });
    expect(container.ports).toEqual([{ name: 'http1', containerPort: 8080 }]);

    const moved = (port: number, probe: Json | undefined): Json => ({
      ...created.template,
      containers: [{ ...container, ports: [{ name: 'http1', containerPort: port }], startupProbe: probe }],
    });
    const left = await rawPatch(created.name, { template: moved(9090, container.startupProbe) });
    expect(left.error.code).toBe(9);
    expect(left.error.message).toContain(
      'Default STARTUP TCP probe failed 1 time consecutively for container "probe-api-1" on port 8080. The instance was not started.',
    );
    const failedRev = (await raw('GET', `${(await raw('GET', created.name)).json.latestCreatedRevision}`))
      .json;
    const ready = failedRev.conditions.find((c: Json) => c.type === 'Ready');
    expect(ready).toMatchObject({
      state: 'CONDITION_FAILED',
      revisionReason: 'HEALTH_CHECK_CONTAINER_ERROR',
    });

    const followed = await rawPatch(created.name, {
      template: moved(9090, { ...DEFAULT_PROBE, tcpSocket: { port: 9090 } }),
    });
    expect(followed.error).toBeUndefined();

    const omitted = await rawPatch(created.name, { template: moved(7070, undefined) });
    expect(omitted.error).toBeUndefined();
    const got = (await raw('GET', created.name)).json;
    expect(got.template.containers[0].startupProbe).toEqual({ ...DEFAULT_PROBE, tcpSocket: { port: 7070 } });

    const custom = { tcpSocket: { port: 7070 }, periodSeconds: 1, failureThreshold: 3, timeoutSeconds: 1 };
    const sent = await rawPatch(created.name, { template: moved(7070, custom) });
    expect(sent.error).toBeUndefined();
    expect((await raw('GET', created.name)).json.template.containers[0].startupProbe).toEqual(custom);
  });
});
