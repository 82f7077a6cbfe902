// The local Cloud Run driven by the real @google-cloud/run and google-auth-library clients over real
// HTTP, with revisions running as real processes behind the router: services, revisions and traffic, and
// the operations that fail on a revision (what the API refuses outright is in cloud-run-refusals.test.ts).
// Each test names the docs/platform.md fact it holds the emulator to.
import { idToken, LRO } from '../../emulator/clients';
import { readSse, wsEchoAndTick } from '../support/stream-clients';
import { IMAGE, inSlot, isolated, shortName, startRig, template, type Rig } from '../support/emulator-rig';

// The cases run side by side, a case that starts revisions in a slot (support/emulator-rig.ts).
let shared: Rig;

beforeAll(async () => {
  shared = await startRig();
});

afterAll(async () => shared?.close());

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

// Not concurrent: it runs after every case above is done.
test('every request body the client sent in this file fits the official protos', () => {
  expect(shared.emulator.api.wire.protoProblems).toEqual([]);
});
