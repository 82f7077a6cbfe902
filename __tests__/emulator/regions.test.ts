// Regions in the emulator (emulator/README.md "Faults on demand", "Test controls"): services with one id in
// two regions are two services, and the faults a test can scope to one region (a failNext, an outage of the
// region's Cloud Run API, an image turned bad there) hit that region only.
import type { IdentityPoolClient } from 'google-auth-library';
import { startEmulator, type Emulator } from '../../emulator/emulator';
import { wifClient } from '../../emulator/clients';
import { Faults } from '../../emulator/faults';
import { openSse } from './data-plane/harness';

const IMAGE = 'us-docker.pkg.dev/demo/streams/stream-app';
const US = 'us-central1';
const EU = 'europe-west1';
const FAST = { TICK_MS: '100' };
type Json = Record<string, any>;

let emulator: Emulator;
let auth: IdentityPoolClient;
let project: string;

beforeAll(async () => {
  emulator = await startEmulator({ startupDeadlineMs: 3000 });
  auth = wifClient(emulator.endpoints);
  project = emulator.endpoints.project;
});

afterAll(async () => {
  await emulator?.stop();
});

afterEach(() => emulator.faults.reset());

const serviceName = (location: string, id: string): string =>
  `projects/${project}/locations/${location}/services/${id}`;

/** A Cloud Run API call as the action's REST adapter makes it, answered with its status and body. */
async function api(method: string, path: string, body?: unknown): Promise<{ status: number; json: Json }> {
  const { token } = await auth.getAccessToken();
  const res = await fetch(`${emulator.endpoints.runApi.url}/${path}`, {
    method,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as Json };
}

/** Polls an operation until it is done (its region must be up). */
async function settled(op: Json): Promise<Json> {
  let current = op;
  while (!current.done) {
    await new Promise((r) => setTimeout(r, 30));
    current = (await api('GET', `v2/${String(current.name)}`)).json;
  }
  return current;
}

/** Status, revision and body of one request to a service or tag URL. */
async function visit(url: string): Promise<{ status: number; revision: string | null; body: Json }> {
  const res = await fetch(`${url}/`);
  return { status: res.status, revision: res.headers.get('x-revision'), body: (await res.json()) as Json };
}

const tagUrl = (service: Json, tag: string): string =>
  String((service.trafficStatuses as Json[]).find((t) => t.tag === tag)?.uri);

const postFaults = (body: unknown): Promise<Response> =>
  fetch(`${emulator.endpoints.control}/faults`, { method: 'POST', body: JSON.stringify(body) });

describe('the Faults registry', () => {
  test('a location-scoped failNext is taken only by calls in its region; unscoped ones by any call', () => {
    const faults = new Faults();
    faults.failNext('services.get', 1, { status: 503, location: EU });
    faults.failNext('services.get', 1, { status: 500 });
    expect(faults.take('services.get', US)).toStrictEqual({ status: 500 });
    expect(faults.take('services.get', US)).toBeUndefined();
    expect(faults.take('services.get')).toBeUndefined();
    expect(faults.take('services.get', EU)).toStrictEqual({ status: 503 });
    expect(faults.take('services.get', EU)).toBeUndefined();
  });

  test('region-scoped faults refuse what could never fire', () => {
    const faults = new Faults();
    expect(() => faults.failNext('sts.token', 1, { status: 500, location: EU })).toThrow(/global API method/);
    expect(() => faults.failNext('services.get', 1, { status: 500, location: 'mars-west1' })).toThrow(
      /'mars-west1' is not a region the emulator serves/,
    );
    expect(() => faults.regionDown('mars-west1')).toThrow(/not a region/);
    expect(() => faults.regionDown(EU, 200)).toThrow(/not an HTTP error status/);
    expect(() => faults.turnBad(`${IMAGE}:v2`, 'errors', { location: 'nowhere' })).toThrow(/not a region/);
  });

  test('outages and bad images by region; a regional bad image wins over the global one', () => {
    const faults = new Faults();
    faults.regionDown(EU);
    faults.regionDown(US, 500);
    expect(faults.outage(EU)).toEqual({ status: 503, message: 'The service is currently unavailable.' });
    expect(faults.outage(US)).toEqual({ status: 500, message: 'Internal error encountered.' });
    expect(faults.outage('asia-east1')).toBeUndefined();
    expect(faults.outage(undefined)).toBeUndefined();
    faults.regionUp(EU);
    expect(faults.outage(EU)).toBeUndefined();
    expect(faults.settings.regionsDown).toEqual({ [US]: 500 });

    faults.turnBad(`${IMAGE}:v2`, 'stall', { location: EU });
    expect([faults.badImage(`${IMAGE}:v2`, EU), faults.badImage(`${IMAGE}:v2`, US)]).toEqual([
      'stall',
      undefined,
    ]);
    faults.turnBad(`${IMAGE}:v2`);
    expect([faults.badImage(`${IMAGE}:v2`, EU), faults.badImage(`${IMAGE}:v2`, US)]).toEqual([
      'stall',
      'errors',
    ]);
    expect(faults.badImage(`${IMAGE}:v2`)).toBe('errors');
    faults.reset();
    expect([faults.badImage(`${IMAGE}:v2`, EU), faults.outage(US)]).toEqual([undefined, undefined]);
  });
});

test('two services with one id in two regions are independent: revisions, deploys, traffic, tags and URLs', async () => {
  // The same service id and the same revision name in both regions, each running its own image.
  const seed = (region: string, image: string) =>
    emulator.seedService({
      service: 'twin',
      region,
      image,
      env: FAST,
      revision: 'twin-00001-rel',
      tags: ['pr-7'],
      public: true,
    });
  const [us, eu] = await Promise.all([seed(US, `${IMAGE}:v1`), seed(EU, `${IMAGE}:v2`)]);
  expect([us.name, eu.name]).toEqual([serviceName(US, 'twin'), serviceName(EU, 'twin')]);
  const usBefore = (await api('GET', `v2/${us.name}`)).json;
  const euBefore = (await api('GET', `v2/${eu.name}`)).json;
  expect(new Set([us.uri, eu.uri, tagUrl(usBefore, 'pr-7'), tagUrl(euBefore, 'pr-7')]).size).toBe(4);
  expect((await visit(us.uri)).body.greeting).toBe('v1');
  expect((await visit(eu.uri)).body.greeting).toBe('v2');
  expect((await visit(tagUrl(usBefore, 'pr-7'))).body.greeting).toBe('v1');
  expect((await visit(tagUrl(euBefore, 'pr-7'))).body.greeting).toBe('v2');
  const listed = (await api('GET', `v2/projects/${project}/locations/${EU}/services`)).json;
  expect((listed.services as Json[]).map((s) => s.name).filter((n) => String(n).endsWith('/twin'))).toEqual([
    eu.name,
  ]);

  // A candidate at 0 % with its tag, in Europe only.
  const patched = await api('PATCH', `v2/${eu.name}?updateMask=template,traffic`, {
    template: { revision: 'twin-00002-can', containers: [{ image: `${IMAGE}:v3`, env: [] }] },
    traffic: [
      {
        type: 'TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION',
        revision: 'twin-00001-rel',
        percent: 100,
        tag: 'pr-7',
      },
      {
        type: 'TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION',
        revision: 'twin-00002-can',
        percent: 0,
        tag: 'cand',
      },
    ],
  });
  expect(patched.status).toBe(200);
  expect((await settled(patched.json)).error).toBeUndefined();
  const euAfter = (await api('GET', `v2/${eu.name}`)).json;
  expect(euAfter.latestReadyRevision).toBe(`${eu.name}/revisions/twin-00002-can`);
  expect(await visit(tagUrl(euAfter, 'cand'))).toMatchObject({
    status: 200,
    revision: 'twin-00002-can',
    body: { greeting: 'v3' },
  });

  // The US service saw none of it.
  const usAfter = (await api('GET', `v2/${us.name}`)).json;
  expect(usAfter).toMatchObject({
    generation: usBefore.generation,
    etag: usBefore.etag,
    latestReadyRevision: `${us.name}/revisions/twin-00001-rel`,
    traffic: usBefore.traffic,
    trafficStatuses: usBefore.trafficStatuses,
  });
  expect(((await api('GET', `v2/${us.name}/revisions`)).json.revisions as Json[]).length).toBe(1);
  expect(await visit(us.uri)).toMatchObject({ status: 200, body: { greeting: 'v1' } });
  const twins = emulator.processes().filter((p) => p.revision === 'twin-00001-rel');
  expect(twins.map((p) => p.service).sort()).toEqual([us.name, eu.name].sort());

  // Deleting the European service leaves the US one (same id, same revision name) serving.
  const deleted = await api('DELETE', `v2/${eu.name}`);
  expect((await settled(deleted.json)).error).toBeUndefined();
  expect((await api('GET', `v2/${eu.name}`)).status).toBe(404);
  expect(await visit(us.uri)).toMatchObject({ status: 200, body: { greeting: 'v1' } });
  expect(await visit(tagUrl(usAfter, 'pr-7'))).toMatchObject({ status: 200, body: { greeting: 'v1' } });
});

describe('region-scoped faults', () => {
  // One service id in two regions, running the same image.
  let us: { name: string; uri: string; revision: string; tagUri: string };
  let eu: typeof us;

  beforeAll(async () => {
    const seed = async (region: string, revision: string) => {
      const seeded = await emulator.seedService({
        service: 'api',
        region,
        image: `${IMAGE}:v2`,
        env: FAST,
        revision,
        tags: ['pr-7'],
        public: true,
      });
      return { ...seeded, tagUri: tagUrl((await api('GET', `v2/${seeded.name}`)).json, 'pr-7') };
    };
    [us, eu] = await Promise.all([seed(US, 'api-00001-usc'), seed(EU, 'api-00001-euw')]);
  });

  test('a location-scoped failNext fails only calls in its region, in-process and over HTTP', async () => {
    emulator.faults.failNext('services.get', 2, { status: 503, location: EU });
    expect((await api('GET', `v2/${us.name}`)).status).toBe(200);
    expect((await api('GET', `v2/${us.name}`)).status).toBe(200);
    const failed = await api('GET', `v2/${eu.name}`);
    expect(failed).toEqual({
      status: 503,
      json: { error: { code: 503, status: 'UNAVAILABLE', message: 'Injected fault on services.get.' } },
    });
    expect((await api('GET', `v2/${eu.name}`)).status).toBe(503);
    expect((await api('GET', `v2/${eu.name}`)).status).toBe(200);

    const posted = await postFaults({ failNext: [{ method: 'revisions.list', status: 429, location: US }] });
    expect(posted.status).toBe(200);
    expect((await api('GET', `v2/${eu.name}/revisions`)).status).toBe(200);
    expect((await api('GET', `v2/${us.name}/revisions`)).json.error).toMatchObject({
      code: 429,
      status: 'RESOURCE_EXHAUSTED',
    });
    expect((await api('GET', `v2/${us.name}/revisions`)).status).toBe(200);

    // A request with one mistake applies none of its faults.
    const refused = await postFaults({
      failNext: [
        { method: 'services.get', status: 500 },
        { method: 'services.get', status: 500, location: 'mars-west1' },
      ],
    });
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as Json).error.message).toMatch(/'mars-west1' is not a region/);
    expect((await api('GET', `v2/${us.name}`)).status).toBe(200);
  });

  test('regionDown fails every Cloud Run API call for that region and none for the other; regionUp ends it', async () => {
    const calls = (
      location: string,
      service: { name: string; revision: string },
    ): Array<[string, string]> => {
      const operation = emulator.api.wire.operations.find((o) =>
        o.name.startsWith(`projects/${project}/locations/${location}/operations/`),
      )?.name;
      return [
        ['GET', `v2/${service.name}`],
        ['GET', `v2/projects/${project}/locations/${location}/services`],
        ['GET', `v2/${service.name}:getIamPolicy`],
        ['GET', `v2/${service.name}/revisions`],
        ['GET', `v2/${service.name}/revisions/${service.revision}`],
        ['GET', `v2/${String(operation)}`],
        ['GET', `v2/projects/${project}/locations/${location}/jobs`],
        ['GET', `apis/serving.knative.dev/v1/namespaces/${project}/revisions/${service.revision}`],
      ];
    };
    const update = { labels: { outage: 'test' } };
    emulator.faults.regionDown(EU);
    for (const [method, path] of calls(EU, eu))
      expect([path, await api(method, path)]).toEqual([
        path,
        {
          status: 503,
          json: {
            error: { code: 503, status: 'UNAVAILABLE', message: 'The service is currently unavailable.' },
          },
        },
      ]);
    expect((await api('PATCH', `v2/${eu.name}?updateMask=labels`, update)).status).toBe(503);
    for (const [method, path] of calls(US, us))
      expect([path, (await api(method, path)).status]).toEqual([path, 200]);
    const usUpdate = await api('PATCH', `v2/${us.name}?updateMask=labels`, update);
    expect(usUpdate.status).toBe(200);
    expect((await settled(usUpdate.json)).error).toBeUndefined();
    // The outage is the API's: the region's service URLs serve on.
    expect((await visit(eu.uri)).status).toBe(200);

    emulator.faults.regionUp(EU);
    const euService = await api('GET', `v2/${eu.name}`);
    expect(euService.status).toBe(200);
    expect(euService.json.labels ?? {}).not.toHaveProperty('outage');

    // Over HTTP, with another status.
    const down = await postFaults({ regionDown: [{ location: EU, status: 500 }] });
    expect(((await down.json()) as Json).settings.regionsDown).toEqual({ [EU]: 500 });
    expect((await api('GET', `v2/${eu.name}`)).json.error).toEqual({
      code: 500,
      status: 'INTERNAL',
      message: 'Internal error encountered.',
    });
    expect((await api('GET', `v2/${us.name}`)).status).toBe(200);
    await postFaults({ regionUp: [EU] });
    expect((await api('GET', `v2/${eu.name}`)).status).toBe(200);
  });

  test('an image turned bad in one region fails there only, on the service URL, the tag URL and open streams', async () => {
    const usStream = await openSse(`${us.uri}/events?interval=50`);
    const euStream = await openSse(`${eu.uri}/events?interval=50`);
    try {
      await Promise.all([usStream.waitFor(2), euStream.waitFor(2)]);
      emulator.faults.turnBad(`${IMAGE}:v2`, 'errors', { location: EU });
      const euSeen = euStream.events.length;
      // While the US stream gets six more events, the European one gets at most the one already on its way.
      await usStream.waitFor(usStream.events.length + 6);
      expect(euStream.events.length - euSeen).toBeLessThanOrEqual(1);
      for (const url of [eu.uri, eu.tagUri])
        expect(await visit(url)).toMatchObject({
          status: 500,
          revision: eu.revision,
          body: { revision: eu.revision },
        });
      for (const url of [us.uri, us.tagUri])
        expect(await visit(url)).toMatchObject({ status: 200, revision: us.revision });
    } finally {
      usStream.close();
      euStream.close();
    }
    expect(emulator.faults.settings).toMatchObject({
      badImages: {},
      regionalBadImages: { [EU]: { [`${IMAGE}:v2`]: 'errors' } },
    });

    // Over HTTP, the other way round.
    emulator.faults.reset();
    const posted = await postFaults({ turnBad: [{ image: `${IMAGE}:v2`, location: US }] });
    expect(posted.status).toBe(200);
    expect((await visit(us.uri)).status).toBe(500);
    expect((await visit(eu.uri)).status).toBe(200);
  });
});
