// The local Cloud Run driven by the real @google-cloud/run and google-auth-library clients over real
// HTTP, with revisions running as real processes behind the router. Each test names the docs/platform.md
// fact it holds the emulator to.
import type { IdentityPoolClient } from 'google-auth-library';
import type { protos, RevisionsClient, ServicesClient } from '@google-cloud/run';
import { startEmulator, type Emulator } from '../../emulator/emulator';
import { idToken, LRO, runClients, wifClient } from '../../emulator/clients';
import { readSse, wsEchoAndTick } from '../support/stream-clients';
import { limiter } from '../support/concurrent-cases';

const IMAGE = 'us-docker.pkg.dev/demo/streams/stream-app';
const FAST = [{ name: 'TICK_MS', value: '100' }];

type Service = protos.google.cloud.run.v2.IService;

function template(tag: string, extra: Record<string, unknown> = {}) {
  return { containers: [{ image: `${IMAGE}:${tag}`, env: FAST }], ...extra };
}

function shortName(full: string | null | undefined): string {
  return String(full).split('/').pop() as string;
}

/** An emulator with the real clients signed in to it, and the calls the tests make through them. */
interface Rig {
  emulator: Emulator;
  auth: IdentityPoolClient;
  services: ServicesClient;
  revisions: RevisionsClient;
  parent: string;
  create(id: string, body: Record<string, unknown>): Promise<Service>;
  update(service: Record<string, unknown>): Promise<Service>;
  get(name: string): Promise<Service>;
  makePublic(name: string): Promise<void>;
  raw(method: string, path: string, body?: unknown, token?: string): Promise<{ status: number; json: any }>;
  close(): Promise<void>;
}

async function startRig(): Promise<Rig> {
  const emulator = await startEmulator({ startupDeadlineMs: 3000 });
  const auth = wifClient(emulator.endpoints);
  const { services, revisions } = runClients(emulator.endpoints, auth);
  const parent = `projects/${emulator.endpoints.project}/locations/us-central1`;
  return {
    emulator,
    auth,
    services,
    revisions,
    parent,
    async create(id, body) {
      const [op] = await services.createService({ parent, serviceId: id, service: body }, LRO);
      const [svc] = await op.promise();
      return svc;
    },
    async update(service) {
      const [op] = await services.updateService({ service }, LRO);
      const [svc] = await op.promise();
      return svc;
    },
    async get(name) {
      const [svc] = await services.getService({ name });
      return svc;
    },
    async makePublic(name) {
      await services.setIamPolicy({
        resource: name,
        policy: { bindings: [{ role: 'roles/run.invoker', members: ['allUsers'] }] },
      });
    },
    async raw(method, path, body, token) {
      const bearer = token ?? (await auth.getAccessToken()).token;
      const res = await fetch(`${emulator.endpoints.runApi.url}${path}`, {
        method,
        headers: {
          'content-type': 'application/json',
          ...(bearer ? { authorization: `Bearer ${bearer}` } : {}),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return { status: res.status, json: await res.json() };
    },
    async close() {
      await services.close();
      await revisions.close();
      await emulator.stop();
    },
  };
}

// The cases run side by side. Those on the shared emulator change none of its faults and each uses its own
// service names; a case that sets faults or clears the wire log gets an emulator of its own. A case that
// starts revisions takes one of two slots: a start has a 3 s deadline, two at once took up to 1.2 s on a
// loaded 2-CPU machine with two busy loops beside them, and more would come closer to it.
const slot = limiter(2);
const inSlot = (fn: () => Promise<void>) => () => slot(fn);
let shared: Rig;

beforeAll(async () => {
  shared = await startRig();
});

afterAll(async () => shared?.close());

/**
 * Runs `fn` on an emulator of its own, in a slot; then checks its request bodies, as the last test does the
 * shared emulator's.
 */
function isolated(fn: (rig: Rig) => Promise<void>): Promise<void> {
  return slot(async () => {
    const rig = await startRig();
    try {
      await fn(rig);
      expect(rig.emulator.api.wire.protoProblems).toEqual([]);
    } finally {
      await rig.close();
    }
  });
}

test.concurrent(
  'create, then deploy a tagged candidate at 0 % (docs/platform.md "--no-traffic --tag X in v2 terms"); stream SSE and WebSocket from both URLs',
  inSlot(async () => {
    const { emulator, revisions, create, update, get } = shared;
    const created = await create('stream-api', {
      template: template('v1', { revision: 'stream-api-00001-one', timeout: { seconds: 3600 } }),
    });
    const name = created.name as string;
    // docs/platform.md "Readiness contract": reconciling false, observedGeneration == generation, latestReady == latestCreated.
    expect(created.reconciling).toBe(false);
    expect(String(created.observedGeneration)).toBe(String(created.generation));
    expect(created.latestReadyRevision).toBe(`${name}/revisions/stream-api-00001-one`);
    expect(created.latestCreatedRevision).toBe(created.latestReadyRevision);
    expect(created.uri).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);

    // The candidate: explicit revision name, LATEST pinned to the ready revision by short name, tag at 0 %.
    const current = await get(name);
    const stable = shortName(current.latestReadyRevision);
    const candidate = await update({
      name,
      etag: current.etag,
      template: template('v2', { revision: 'stream-api-00002-two', timeout: { seconds: 3600 } }),
      traffic: [
        { type: 'TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION', revision: stable, percent: 100 },
        {
          type: 'TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION',
          revision: 'stream-api-00002-two',
          percent: 0,
          tag: 'pr-12',
        },
      ],
    });
    expect(shortName(candidate.latestReadyRevision)).toBe('stream-api-00002-two');
    const tagStatus = candidate.trafficStatuses?.find((t) => t.tag === 'pr-12');
    // docs/platform.md "Tag URLs": read them from trafficStatuses[].uri, never build them.
    expect(tagStatus?.uri).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(tagStatus?.uri).not.toBe(candidate.uri);
    expect(tagStatus?.percent).toBe(0);

    // Private by default: an ID token whose audience is the service URL, sent to the tag URL too.
    const token = await idToken(emulator.endpoints, candidate.uri as string);
    const headers = { authorization: `Bearer ${token}` };
    const viaService = await readSse(`${candidate.uri}/events`, 3, headers);
    const viaTag = await readSse(`${tagStatus?.uri}/events`, 3, headers);
    expect(viaService.status).toBe(200);
    expect(viaService.contentType).toContain('text/event-stream');
    expect(viaService.events.map((e) => JSON.parse(e.data).revision)).toEqual([
      'stream-api-00001-one',
      'stream-api-00001-one',
      'stream-api-00001-one',
    ]);
    expect(viaTag.events.map((e) => JSON.parse(e.data).revision)).toEqual([
      'stream-api-00002-two',
      'stream-api-00002-two',
      'stream-api-00002-two',
    ]);

    const wsService = await wsEchoAndTick(`${String(candidate.uri).replace('http', 'ws')}/ws`, 'hi', headers);
    const wsTag = await wsEchoAndTick(`${String(tagStatus?.uri).replace('http', 'ws')}/ws`, 'hi', headers);
    expect(wsService).toEqual({ echo: 'echo:hi', tickRevision: 'stream-api-00001-one' });
    expect(wsTag).toEqual({ echo: 'echo:hi', tickRevision: 'stream-api-00002-two' });

    // Revisions API: list and get by full name.
    const [list] = await revisions.listRevisions({ parent: name });
    expect(list.map((r) => shortName(r.name)).sort()).toEqual([
      'stream-api-00001-one',
      'stream-api-00002-two',
    ]);
    const [rev] = await revisions.getRevision({ name: `${name}/revisions/stream-api-00002-two` });
    expect(rev.conditions?.find((c) => c.type === 'Ready')?.state).toBe('CONDITION_SUCCEEDED');
    expect(emulator.api.wire.protoProblems).toEqual([]);
  }),
);

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
  'reconciling is true while the operation runs, then false with observedGeneration == generation (docs/platform.md "Readiness contract")',
  () =>
    isolated(async ({ emulator, services, create, get }) => {
      const svc = await create('recon-api', { template: template('v1') });
      emulator.faults.update({ operationDelayMs: 400 });
      const [op] = await services.updateService(
        { service: { name: svc.name, template: template('v2') } },
        LRO,
      );
      const during = await get(svc.name as string);
      expect(during.reconciling).toBe(true);
      expect(Number(during.observedGeneration)).toBeLessThan(Number(during.generation));
      expect(during.latestCreatedRevision).not.toBe(during.latestReadyRevision);
      await op.promise();
      const after = await get(svc.name as string);
      expect(after.reconciling).toBe(false);
      expect(String(after.observedGeneration)).toBe(String(after.generation));
      expect(after.latestReadyRevision).toBe(after.latestCreatedRevision);
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

test.concurrent(
  'same revision name with a different template is 409; the template echoed as GET reports it makes no new revision (docs/platform.md "Revision names", "Traffic-only update")',
  inSlot(async () => {
    const { services, revisions, create, update, get } = shared;
    const svc = await create('names-api', { template: template('v1', { revision: 'names-api-a' }) });
    await expect(
      services.updateService({
        service: { name: svc.name, template: template('v2', { revision: 'names-api-a' }) },
      }),
    ).rejects.toMatchObject({
      message: expect.stringContaining(
        "Revision named 'names-api-a' with different configuration already exists",
      ),
    });
    // Strict: the same name with the template as first sent (without the defaults Cloud Run filled in) is a
    // different configuration too.
    await expect(
      services.updateService({
        service: { name: svc.name, template: template('v1', { revision: 'names-api-a' }) },
      }),
    ).rejects.toMatchObject({ code: 6 });
    const before = await get(svc.name as string);
    const after = await update({
      name: svc.name,
      template: before.template,
      traffic: [
        {
          type: 'TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION',
          revision: 'names-api-a',
          percent: 100,
          tag: 'stable',
        },
      ],
    });
    expect(after.latestCreatedRevision).toBe(before.latestCreatedRevision);
    expect(Number(after.generation)).toBe(Number(before.generation) + 1);
    const [list] = await revisions.listRevisions({ parent: svc.name as string });
    expect(list).toHaveLength(1);
    // The echoed template without a name is compared with the latest: no new revision either.
    const same = await update({
      name: svc.name,
      template: { ...after.template, revision: '' },
      traffic: after.traffic,
    });
    expect(same.latestCreatedRevision).toBe(before.latestCreatedRevision);
    // Unnamed and not as reported (defaults left out): a new revision with a generated name.
    const changed = await update({
      name: svc.name,
      template: template('v1'),
      traffic: [{ type: 'TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST', percent: 100 }],
    });
    expect(shortName(changed.latestCreatedRevision)).toMatch(/^names-api-00002-[a-z]{3}$/);
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
  'traffic naming an unknown revision fails the operation (code 13) and leaves routing as it was',
  inSlot(async () => {
    const { create, update, get, makePublic } = shared;
    const svc = await create('unknown-rev-api', { template: template('v1') });
    await makePublic(svc.name as string);
    await expect(
      update({
        name: svc.name,
        template: svc.template,
        traffic: [
          { type: 'TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION', revision: 'unknown-rev-api-nope', percent: 100 },
        ],
      }),
    ).rejects.toMatchObject({
      message: expect.stringContaining("Revision 'unknown-rev-api-nope' does not exist"),
    });
    const after = await get(svc.name as string);
    expect(after.terminalCondition?.state).toBe('CONDITION_FAILED');
    expect((await fetch(`${svc.uri}/`)).status).toBe(200);
  }),
);

test.concurrent(
  'a crashing revision fails with LRO code 9 and HEALTH_CHECK_CONTAINER_ERROR; the service keeps serving the last ready revision (docs/platform.md "Failed revision")',
  inSlot(async () => {
    const { revisions, create, update, get, makePublic } = shared;
    const svc = await create('crash-api', { template: template('v1') });
    await makePublic(svc.name as string);
    const ready = svc.latestReadyRevision;
    await expect(
      update({ name: svc.name, template: template('crash', { revision: 'crash-api-bad' }) }),
    ).rejects.toMatchObject({
      code: 9,
      message: expect.stringContaining("Revision 'crash-api-bad' is not ready and cannot serve traffic"),
    });
    const after = await get(svc.name as string);
    expect(after.latestReadyRevision).toBe(ready);
    expect(shortName(after.latestCreatedRevision)).toBe('crash-api-bad');
    expect(after.terminalCondition?.state).toBe('CONDITION_FAILED');
    const [rev] = await revisions.getRevision({ name: `${svc.name}/revisions/crash-api-bad` });
    const readyCondition = rev.conditions?.find((c) => c.type === 'Ready');
    expect(readyCondition?.state).toBe('CONDITION_FAILED');
    expect(readyCondition?.revisionReason).toBe('HEALTH_CHECK_CONTAINER_ERROR');
    const events = await readSse(`${svc.uri}/events`, 1);
    expect(JSON.parse(events.events[0].data).revision).toBe(shortName(ready));
  }),
);

test.concurrent('an unknown image fails the revision like a missing image (CONTAINER_MISSING)', async () => {
  const { revisions, parent, create } = shared;
  await expect(
    create('missing-api', { template: { containers: [{ image: `${IMAGE}:does-not-exist` }] } }),
  ).rejects.toMatchObject({ code: 9 });
  const [rev] = await revisions.listRevisions({ parent: `${parent}/services/missing-api` });
  expect(rev[0].conditions?.find((c) => c.type === 'Ready')?.reason).toBe('CONTAINER_MISSING');
});

test.concurrent(
  'a secret reference resolves from the local secret store (docs/platform.md "Secret references")',
  inSlot(async () => {
    const { create, makePublic } = shared;
    const svc = await create('secret-api', {
      template: {
        containers: [
          {
            image: `${IMAGE}:v1`,
            env: [{ name: 'GREETING', valueSource: { secretKeyRef: { secret: 'greeting', version: '1' } } }],
          },
        ],
      },
    });
    await makePublic(svc.name as string);
    const body = (await (await fetch(`${svc.uri}/`)).json()) as { greeting?: string };
    expect(JSON.stringify(body)).toContain('hello from secret manager');
  }),
);

test.concurrent(
  'revisions that serve traffic cannot be deleted; others can; deleting the service stops its URL',
  inSlot(async () => {
    const { services, revisions, create, update, get } = shared;
    const svc = await create('delete-api', { template: template('v1', { revision: 'delete-api-a' }) });
    await update({ name: svc.name, template: template('v2', { revision: 'delete-api-b' }) });
    await update({ name: svc.name, template: template('v3', { revision: 'delete-api-c' }) });
    await expect(
      revisions.deleteRevision({ name: `${svc.name}/revisions/delete-api-c` }),
    ).rejects.toMatchObject({ code: 9 });
    const [op] = await revisions.deleteRevision({ name: `${svc.name}/revisions/delete-api-a` }, LRO);
    await op.promise();
    const [list] = await revisions.listRevisions({ parent: svc.name as string });
    expect(list.map((r) => shortName(r.name)).sort()).toEqual(['delete-api-b', 'delete-api-c']);
    const [del] = await services.deleteService({ name: svc.name as string }, LRO);
    await del.promise();
    await expect(get(svc.name as string)).rejects.toMatchObject({ code: 5 });
    await expect(fetch(`${svc.uri}/`)).rejects.toThrow();
  }),
);

test.concurrent(
  'services list, validateOnly changes nothing, allowMissing creates',
  inSlot(async () => {
    const { services, parent, get } = shared;
    const [op] = await services.createService(
      { parent, serviceId: 'dry-api', service: { template: template('v1') }, validateOnly: true },
      LRO,
    );
    await op.promise();
    await expect(get(`${parent}/services/dry-api`)).rejects.toMatchObject({ code: 5 });
    const [up] = await services.updateService(
      { service: { name: `${parent}/services/upsert-api`, template: template('v1') }, allowMissing: true },
      LRO,
    );
    await up.promise();
    const [all] = await services.listServices({ parent });
    expect(all.map((s) => shortName(s.name))).toContain('upsert-api');
  }),
);

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
