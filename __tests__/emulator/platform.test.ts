// The inconvenient parts of Cloud Run that the emulator reproduces (emulator/README.md, "Platform
// behaviours"): reserved paths, REST-only fields, update masks, strict template comparison, sticky
// failures, the default startup probe, Domain Restricted Sharing, min instances and tags, disabled APIs,
// two service URLs and unknown locations. Driven over raw REST JSON (as the action's REST adapter speaks
// it: string enums, explicit updateMask) and through the real @google-cloud/run client.
import type { IdentityPoolClient } from 'google-auth-library';
import type { RevisionsClient, ServicesClient } from '@google-cloud/run';
import { startEmulator, type Emulator } from '../../emulator/emulator';
import { idToken, LRO, runClients, wifClient } from '../../emulator/clients';

const IMAGE = 'us-docker.pkg.dev/demo/streams/stream-app';
const FAST = [{ name: 'TICK_MS', value: '100' }];
const DEFAULT_PROBE = { timeoutSeconds: 240, periodSeconds: 240, failureThreshold: 1 };

let emulator: Emulator;
let auth: IdentityPoolClient;
let services: ServicesClient;
let revisions: RevisionsClient;
let parent: string;

beforeAll(async () => {
  emulator = await startEmulator({ startupDeadlineMs: 3000 });
  auth = wifClient(emulator.endpoints);
  ({ services, revisions } = runClients(emulator.endpoints, auth));
  parent = `projects/${emulator.endpoints.project}/locations/us-central1`;
});

afterAll(async () => {
  await services?.close();
  await revisions?.close();
  await emulator?.stop();
});

afterEach(() => emulator.faults.reset());

type Json = Record<string, any>;

async function raw(
  method: string,
  path: string,
  body?: unknown,
  query: Record<string, string> = {},
): Promise<{ status: number; json: Json }> {
  const { token } = await auth.getAccessToken();
  const qs = new URLSearchParams(query).toString();
  const res = await fetch(`${emulator.endpoints.runApi.url}/v2/${path}${qs ? `?${qs}` : ''}`, {
    method,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as Json };
}

/** Polls a raw LRO until done; returns the final operation. */
async function settle(op: Json): Promise<Json> {
  let current = op;
  while (!current.done) {
    await new Promise((r) => setTimeout(r, 30));
    current = (await raw('GET', current.name as string)).json;
  }
  return current;
}

async function rawCreate(id: string, service: Json): Promise<Json> {
  const res = await raw('POST', `${parent}/services`, service, { serviceId: id });
  expect(res.status).toBe(200);
  const op = await settle(res.json);
  expect(op.error).toBeUndefined();
  return (await raw('GET', `${parent}/services/${id}`)).json;
}

async function rawPatch(name: string, service: Json, updateMask?: string): Promise<Json> {
  const res = await raw('PATCH', name, service, updateMask === undefined ? {} : { updateMask });
  if (res.status !== 200) return { httpError: res };
  return settle(res.json);
}

function template(tag: string, extra: Json = {}): Json {
  return { containers: [{ image: `${IMAGE}:${tag}`, env: FAST }], ...extra };
}

function short(full: unknown): string {
  return String(full).split('/').pop() as string;
}

describe('reserved paths (FACTS.md Streaming "Reserved URL paths")', () => {
  test('/healthz, /eventlog and /_ah/* get Google\u2019s own 404 on service and tag URLs, before IAM and without reaching the app; /healthz/ and /readyz reach it', async () => {
    const svc = await rawCreate('reserved-api', {
      template: template('v1', { revision: 'reserved-api-a' }),
      traffic: [
        {
          type: 'TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION',
          revision: 'reserved-api-a',
          percent: 100,
          tag: 'blue',
        },
      ],
    });
    const tagUri = svc.trafficStatuses.find((t: Json) => t.tag === 'blue').uri as string;
    for (const base of [svc.uri as string, tagUri]) {
      for (const path of ['/healthz', '/healthz?probe=1', '/eventlog', '/_ah/warmup', '/_ah/health']) {
        // Private service, no token: the front end answers before the invoker check.
        const res = await fetch(`${base}${path}`);
        expect(res.status).toBe(404);
        expect(res.headers.get('content-type')).toBe('text/html; charset=UTF-8');
        expect(res.headers.get('x-revision')).toBeNull();
        const body = await res.text();
        expect(body).toContain('<b>404.</b> <ins>That\u2019s an error.</ins>');
        expect(body).toContain(
          `The requested URL <code>${path.split('?')[0]}</code> was not found on this server.`,
        );
        expect(body).toContain('That\u2019s all we know.');
      }
    }
    await raw('PATCH', svc.name, { invokerIamDisabled: true }, { updateMask: 'invokerIamDisabled' }).then(
      (r) => settle(r.json),
    );
    for (const path of ['/healthz/', '/readyz', '/health']) {
      const res = await fetch(`${svc.uri}${path}`);
      expect(res.headers.get('x-revision')).toBe('reserved-api-a');
    }
    expect((await fetch(`${svc.uri}/healthz`)).status).toBe(404);
    // A WebSocket upgrade to a reserved path is answered the same way.
    const { default: WebSocket } = await import('ws');
    const status = await new Promise<number>((resolve) => {
      const ws = new WebSocket(`${String(svc.uri).replace('http', 'ws')}/_ah/ws`);
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.on('open', () => resolve(101));
      ws.on('error', () => undefined);
    });
    expect(status).toBe(404);
  });
});

describe('REST-only fields and every mutable field over REST (FACTS.md "update without updateMask")', () => {
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

describe('strict template comparison (FACTS.md "revision names", "traffic-only update")', () => {
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

describe('after a failed revision (FACTS.md "after a failed revision")', () => {
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

describe('default startup probe (FACTS.md "default startup probe")', () => {
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

describe('public access (FACTS.md "public access")', () => {
  test('under Domain Restricted Sharing, allUsers / allAuthenticatedUsers are 400 FAILED_PRECONDITION; invokerIamDisabled still opens the service', async () => {
    const created = await rawCreate('drs-api', { template: template('v1') });
    emulator.faults.update({ domainRestrictedSharing: true });
    for (const member of ['allUsers', 'allAuthenticatedUsers']) {
      const res = await raw('POST', `${created.name}:setIamPolicy`, {
        policy: { bindings: [{ role: 'roles/run.invoker', members: [member] }] },
      });
      expect(res.status).toBe(400);
      expect(res.json.error).toMatchObject({
        code: 400,
        status: 'FAILED_PRECONDITION',
        message:
          'One or more users named in the policy do not belong to a permitted customer, perhaps due to an organization policy.',
      });
    }
    await expect(
      services.setIamPolicy({
        resource: created.name,
        policy: { bindings: [{ role: 'roles/run.invoker', members: ['allUsers'] }] },
      }),
    ).rejects.toMatchObject({ code: 9 });
    expect((await fetch(`${created.uri}/`)).status).toBe(403);
    const op = await rawPatch(created.name, { invokerIamDisabled: true }, 'invokerIamDisabled');
    expect(op.error).toBeUndefined();
    expect((await fetch(`${created.uri}/`)).status).toBe(200);
  });
});

describe('min instances and tags (FACTS.md "min instances and tags")', () => {
  const warmOf = (revision: string) => emulator.processes().find((p) => p.revision === revision);

  test('revision-level min holds while the revision is in the split or tagged; without either its warm instances stop; service-level min counts only revisions with a percent', async () => {
    const min1 = (tag: string, revision: string) =>
      template(tag, { revision, scaling: { minInstanceCount: 1, maxInstanceCount: 5 } });
    const created = await rawCreate('warm-api', { template: min1('v1', 'warm-api-a') });
    expect(warmOf('warm-api-a')).toMatchObject({ running: 1, warm: 1, reason: 'revision-min+split' });

    // Candidate at 0 % with a tag.
    let op = await rawPatch(
      created.name,
      {
        template: min1('v2', 'warm-api-b'),
        traffic: [
          { type: 'TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION', revision: 'warm-api-a', percent: 100 },
          {
            type: 'TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION',
            revision: 'warm-api-b',
            percent: 0,
            tag: 'cand',
          },
        ],
      },
      'template,traffic',
    );
    expect(op.error).toBeUndefined();
    expect(warmOf('warm-api-b')).toMatchObject({ warm: 1, reason: 'revision-min+tag' });

    // Promoted; the old one keeps only a tag: still warm, because of the tag.
    op = await rawPatch(
      created.name,
      {
        traffic: [
          { type: 'TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION', revision: 'warm-api-b', percent: 100 },
          { type: 'TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION', revision: 'warm-api-a', percent: 0, tag: 'old' },
        ],
      },
      'traffic',
    );
    expect(op.error).toBeUndefined();
    expect(warmOf('warm-api-a')).toMatchObject({ running: 1, warm: 1, reason: 'revision-min+tag' });
    expect(warmOf('warm-api-b')).toMatchObject({ warm: 1, reason: 'revision-min+split' });

    // Tag removed: no split, no tag, no warm instances.
    op = await rawPatch(
      created.name,
      {
        traffic: [{ type: 'TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION', revision: 'warm-api-b', percent: 100 }],
      },
      'traffic',
    );
    expect(op.error).toBeUndefined();
    expect(warmOf('warm-api-a')).toMatchObject({ running: 0, warm: 0, reason: null });

    // Service-level min 3 over a 50/50 split of min-0 revisions: 2 each (rounded up); a tag-only revision
    // gets none from it.
    op = await rawPatch(
      created.name,
      {
        template: template('v3', { revision: 'warm-api-c' }),
        scaling: { minInstanceCount: 3 },
        traffic: [
          { type: 'TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION', revision: 'warm-api-b', percent: 50 },
          { type: 'TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION', revision: 'warm-api-c', percent: 50 },
        ],
      },
      'template,scaling,traffic',
    );
    expect(op.error).toBeUndefined();
    expect(warmOf('warm-api-c')).toMatchObject({ running: 2, warm: 2, reason: 'service-min' });
    expect(warmOf('warm-api-b')).toMatchObject({ running: 2, warm: 2, reason: 'service-min' });

    const http = (await (await fetch(`${emulator.endpoints.control}/processes`)).json()) as {
      pids: number[];
      revisions: Array<Json>;
    };
    expect(http.revisions.find((r) => r.revision === 'warm-api-c')).toMatchObject({ warm: 2 });
    expect(http.pids.length).toBeGreaterThanOrEqual(4);
    await raw('DELETE', created.name).then((r) => settle(r.json));
  });
});

describe('disabled APIs (FACTS.md "disabled APIs")', () => {
  test('Cloud Run Admin API disabled: 403 SERVICE_DISABLED with ErrorInfo and Help', async () => {
    emulator.faults.update({ disabledApis: ['run.googleapis.com'] });
    const res = await raw('GET', `${parent}/services`);
    expect(res.status).toBe(403);
    const url =
      'https://console.developers.google.com/apis/api/run.googleapis.com/overview?project=123456789012';
    expect(res.json.error).toMatchObject({
      code: 403,
      status: 'PERMISSION_DENIED',
      message: expect.stringMatching(
        /^Cloud Run Admin API has not been used in project 123456789012 before or it is disabled\. Enable it by visiting https:\/\/console\.developers\.google\.com\/apis\/api\/run\.googleapis\.com\/overview\?project=123456789012 then retry\./,
      ),
    });
    expect(res.json.error.details).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
          reason: 'SERVICE_DISABLED',
          domain: 'googleapis.com',
          metadata: expect.objectContaining({
            service: 'run.googleapis.com',
            consumer: 'projects/123456789012',
            activationUrl: url,
          }),
        }),
        expect.objectContaining({
          '@type': 'type.googleapis.com/google.rpc.Help',
          links: [expect.objectContaining({ url })],
        }),
      ]),
    );
    await expect(services.listServices({ parent })).rejects.toMatchObject({ code: 7 });
  });

  test('IAM Credentials API disabled: impersonation answers the same for iamcredentials.googleapis.com', async () => {
    emulator.faults.update({ disabledApis: ['iamcredentials.googleapis.com'] });
    const fresh = wifClient(emulator.endpoints);
    await expect(fresh.getAccessToken()).rejects.toThrow(
      /IAM Service Account Credentials API has not been used in project 123456789012/,
    );
  });
});

describe('service URLs (FACTS.md "service URLs")', () => {
  test('two URLs, the deterministic one first and as uri; both route, and both are accepted as the ID token audience', async () => {
    const created = await rawCreate('urls-api', { template: template('v1') });
    expect(created.urls).toHaveLength(2);
    expect(created.urls[0]).toBe(created.uri);
    expect(created.urls[1]).not.toBe(created.uri);
    for (const [audience, target] of [
      [created.urls[1], created.urls[0]],
      [created.urls[0], created.urls[1]],
    ]) {
      const token = await idToken(emulator.endpoints, audience);
      const res = await fetch(`${target}/`, { headers: { authorization: `Bearer ${token}` } });
      expect(res.status).toBe(200);
      expect(res.headers.get('x-revision')).toBe(short(created.latestReadyRevision));
    }
  });
});

describe('unknown location (FACTS.md WIF point 3-4; the action tells a wrong region by listing)', () => {
  test('list in an unknown region is 404, in a served one 200', async () => {
    const bad = await raw('GET', `projects/${emulator.endpoints.project}/locations/us-nowhere1/services`);
    expect(bad.status).toBe(404);
    expect(bad.json.error.status).toBe('NOT_FOUND');
    const missing = await raw(
      'GET',
      `projects/${emulator.endpoints.project}/locations/us-nowhere1/services/x`,
    );
    expect(missing.status).toBe(404);
    const good = await raw('GET', `${parent}/services`);
    expect(good.status).toBe(200);
  });
});
