// The local Cloud Run refusing what Cloud Run refuses, driven by the real @google-cloud/run and
// google-auth-library clients over real HTTP: callers without a valid token or the permission, invalid
// requests and stale etags, unknown wire fields, internal-only ingress, and the failures a test injects.
// Each test names the docs/platform.md fact it holds the emulator to.
import { startEmulator } from '../../emulator/emulator';
import { idToken, LRO, runClients, wifClient } from '../../emulator/clients';
import { IMAGE, inSlot, isolated, startRig, template, type Rig } from '../support/emulator-rig';

// The cases run side by side, a case that starts revisions in a slot (support/emulator-rig.ts).
let shared: Rig;

beforeAll(async () => {
  shared = await startRig();
});

afterAll(async () => shared?.close());

test.concurrent(
  'invoker IAM on service URLs: no token 403, wrong audience 401, allUsers opens it',
  inSlot(async () => {
    const { emulator, create, makePublic } = shared;
    const svc = await create('private-api', { template: template('v1') });
    expect((await fetch(`${svc.uri}/`)).status).toBe(403);
    const wrongAudience = await idToken(emulator.endpoints, 'https://example.invalid');
    expect(
      (await fetch(`${svc.uri}/`, { headers: { authorization: `Bearer ${wrongAudience}` } })).status,
    ).toBe(401);
    await makePublic(svc.name as string);
    expect((await fetch(`${svc.uri}/`)).status).toBe(200);
  }),
);

test.concurrent(
  'a stale etag is refused with 409 ABORTED (docs/platform.md "Optimistic concurrency")',
  inSlot(async () => {
    const { services, create, update } = shared;
    const svc = await create('etag-api', { template: template('v1') });
    const stale = svc.etag;
    await update({ name: svc.name, template: template('v1', { labels: { team: 'a' } }) });
    await expect(
      services.updateService({ service: { name: svc.name, etag: stale, template: template('v2') } }),
    ).rejects.toMatchObject({ code: 10 });
  }),
);

test.concurrent.each([
  [
    'revision name without the service prefix',
    { template: template('v1', { revision: 'other-1' }) },
    'must be prefixed',
  ],
  [
    'timeout over 3600 s (docs/platform.md "Request timeout")',
    { template: template('v1', { timeout: { seconds: 3601 } }) },
    'Timeout must be between 1s and 3600s',
  ],
  [
    'concurrency over 1000 (docs/platform.md "Concurrency")',
    { template: template('v1', { maxInstanceRequestConcurrency: 1001 }) },
    'between 0 and 1000',
  ],
  [
    'reserved label namespace (docs/platform.md "Labels")',
    { labels: { 'run.googleapis.com/owner': 'x' }, template: template('v1') },
    'reserved',
  ],
  [
    'traffic not summing to 100 (docs/platform.md "Traffic entry shape")',
    { template: template('v1'), traffic: [{ type: 'TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST', percent: 90 }] },
    'add up to 100',
  ],
  [
    'tag + service name over 46 characters (docs/platform.md "Tag")',
    {
      template: template('v1'),
      traffic: [{ type: 'TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST', percent: 100, tag: 'x'.repeat(40) }],
    },
    'at most 46',
  ],
])('refused at once with 400: %s', async (_name, body, message) => {
  const { services, parent } = shared;
  await expect(
    services.createService({ parent, serviceId: 'limits-api', service: body as Record<string, unknown> }),
  ).rejects.toMatchObject({
    code: 3,
    message: expect.stringContaining(message),
  });
});

test.concurrent('a bad service id is refused (docs/platform.md "Service id")', async () => {
  const { services, parent } = shared;
  await expect(
    services.createService({ parent, serviceId: '9-bad', service: { template: template('v1') } }),
  ).rejects.toMatchObject({ code: 3 });
});

test.concurrent(
  'IAM policy: a stale policy etag is refused',
  inSlot(async () => {
    const { services, create } = shared;
    const svc = await create('iam-api', { template: template('v1') });
    const [policy] = await services.getIamPolicy({ resource: svc.name as string });
    await services.setIamPolicy({
      resource: svc.name as string,
      policy: { ...policy, bindings: [{ role: 'roles/run.invoker', members: ['allUsers'] }] },
    });
    await expect(
      services.setIamPolicy({ resource: svc.name as string, policy: { ...policy, bindings: [] } }),
    ).rejects.toMatchObject({ code: 10 });
    const [now] = await services.getIamPolicy({ resource: svc.name as string });
    expect(now.bindings?.[0]?.members).toEqual(['allUsers']);
  }),
);

test.concurrent(
  'the API wants a bearer token minted by the STS / IAM Credentials fakes: none 401, forged 401',
  async () => {
    const { parent, raw } = shared;
    expect((await raw('GET', `/v2/${parent}/services`, undefined, '')).status).toBe(401);
    const forged = await raw('GET', `/v2/${parent}/services`, undefined, 'ya29.forged');
    expect(forged.status).toBe(401);
    expect(forged.json.error.status).toBe('UNAUTHENTICATED');
  },
);

test.concurrent('a direct-WIF principal without permission gets 403 naming the permission', async () => {
  const { parent } = shared;
  const locked = await startEmulator({
    apiPrincipals: ['someone-else@demo-project.iam.gserviceaccount.com'],
  });
  try {
    const clients = runClients(locked.endpoints, wifClient(locked.endpoints));
    await expect(clients.services.getService({ name: `${parent}/services/x` })).rejects.toMatchObject({
      code: 7,
      message: expect.stringContaining("Permission 'run.services.get' denied"),
    });
    await clients.services.close();
    await clients.revisions.close();
  } finally {
    await locked.stop();
  }
});

test.concurrent(
  'wire: unknown fields are refused like Google does; enums answer as numbers only when asked (docs/platform.md "Wire format")',
  () =>
    isolated(async ({ emulator, parent, create, raw }) => {
      const bad = await raw('POST', `/v2/${parent}/services?serviceId=wire-api`, {
        template: { containers: [{ image: `${IMAGE}:v1`, imagePullPolicy: 'Always' }] },
      });
      expect(bad.status).toBe(400);
      expect(bad.json.error.message).toContain('Unknown name "imagePullPolicy"');
      emulator.api.wire.protoProblems.length = 0;
      await create('wire-api', { template: template('v1'), ingress: 'INGRESS_TRAFFIC_ALL' });
      const asNumbers = await raw('GET', `/v2/${parent}/services/wire-api?$alt=json;enum-encoding=int`);
      const asStrings = await raw('GET', `/v2/${parent}/services/wire-api`);
      expect(asNumbers.json.ingress).toBe(1);
      expect(asStrings.json.ingress).toBe('INGRESS_TRAFFIC_ALL');
      expect(asNumbers.json.generation).toBe('1');
    }),
);

test.concurrent(
  'injected faults: the next N calls of a method fail with the given status, then calls succeed',
  () =>
    isolated(async ({ emulator, create, raw }) => {
      const svc = await create('fault-api', { template: template('v1') });
      emulator.faults.failNext('services.get', 2, { status: 503, message: 'backend unavailable' });
      const first = await raw('GET', `/v2/${svc.name}`);
      const second = await raw('GET', `/v2/${svc.name}`);
      const third = await raw('GET', `/v2/${svc.name}`);
      expect([first.status, second.status, third.status]).toEqual([503, 503, 200]);
      expect(first.json.error).toEqual({ code: 503, message: 'backend unavailable', status: 'UNAVAILABLE' });
    }),
);

test.concurrent(
  'internal-only ingress answers 404 from outside (all router clients are outside the VPC)',
  inSlot(async () => {
    const { create, makePublic } = shared;
    const svc = await create('internal-api', {
      template: template('v1'),
      ingress: 'INGRESS_TRAFFIC_INTERNAL_ONLY',
    });
    await makePublic(svc.name as string);
    expect((await fetch(`${svc.uri}/`)).status).toBe(404);
  }),
);

test.concurrent(
  'the control API sets faults over HTTP: failNext, never-finishing operations, and a reset',
  () =>
    isolated(async ({ emulator, services, create, get }) => {
      const svc = await create('control-api', { template: template('v1') });
      const post = (path: string, body: unknown) =>
        fetch(`${emulator.endpoints.control}${path}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
      expect(
        (
          await post('/faults', {
            failNext: [{ method: 'services.update', count: 1, status: 403, message: 'denied by test' }],
          })
        ).status,
      ).toBe(200);
      await expect(
        services.updateService({ service: { name: svc.name, template: template('v2') } }),
      ).rejects.toMatchObject({ code: 7, message: expect.stringContaining('denied by test') });
      await post('/faults', { settings: { operationsNeverFinish: true } });
      const [op] = await services.updateService(
        { service: { name: svc.name, template: template('v2') } },
        { longrunning: { ...LRO.longrunning, totalTimeoutMillis: 800 } },
      );
      // docs/platform.md "LRO options": default LRO polling has no total timeout, so callers must set one; here it expires.
      await expect(op.promise()).rejects.toThrow(/Total timeout/i);
      expect((await get(svc.name as string)).reconciling).toBe(true);
      await post('/faults/reset', {});
      const calls = (await (await fetch(`${emulator.endpoints.control}/calls`)).json()) as {
        calls: Record<string, number>;
      };
      expect(calls.calls['services.update']).toBeGreaterThanOrEqual(2);
    }),
);

// Not concurrent: it runs after every case above is done.
test('every request body the client sent in this file fits the official protos', () => {
  expect(shared.emulator.api.wire.protoProblems).toEqual([]);
});
