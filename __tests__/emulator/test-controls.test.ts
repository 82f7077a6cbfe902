// The emulator's test controls beside the faults (emulator/README.md "Test controls"): a service seeded in
// one step through the emulator's own Cloud Run API, and an image turned bad at the moment a test chooses.
import type { IdentityPoolClient } from 'google-auth-library';
import { startEmulator, type Emulator } from '../../emulator/emulator';
import { wifClient } from '../../emulator/clients';
import { openSse } from './data-plane/harness';

const IMAGE = 'us-docker.pkg.dev/demo/streams/stream-app';
type Json = Record<string, any>;

let emulator: Emulator;
let auth: IdentityPoolClient;

beforeAll(async () => {
  emulator = await startEmulator({ startupDeadlineMs: 3000 });
  auth = wifClient(emulator.endpoints);
});

afterAll(async () => {
  await emulator?.stop();
});

afterEach(() => emulator.faults.reset());

const raw = async (name: string): Promise<Json> =>
  (await auth.request<Json>({ url: `${emulator.endpoints.runApi.url}/v2/${name}` })).data;

const get = async (url: string): Promise<{ status: number; revision: string | null }> => {
  const res = await fetch(url);
  await res.body?.cancel();
  return { status: res.status, revision: res.headers.get('x-revision') };
};

describe('seedService', () => {
  test('makes a ready service with its tags through the API, counted as one create and one operation read', async () => {
    const calls = { ...emulator.api.wire.calls };
    const seeded = await emulator.seedService({
      service: 'seeded-public',
      image: `${IMAGE}:v1`,
      env: { TICK_MS: '100' },
      tags: ['pr-12', 'pinned'],
      public: true,
      fields: { labels: { team: 'streams' }, template: { maxInstanceRequestConcurrency: 250 } },
    });
    expect(seeded.revision).toMatch(/^seeded-public-00001-[0-9a-f]{3}$/);
    const svc = await raw(seeded.name);
    expect(svc).toMatchObject({
      reconciling: false,
      invokerIamDisabled: true,
      labels: { team: 'streams' },
      latestReadyRevision: `${seeded.name}/revisions/${seeded.revision}`,
      uri: seeded.uri,
      template: {
        revision: seeded.revision,
        maxInstanceRequestConcurrency: 250,
        containers: [{ image: `${IMAGE}:v1`, env: [{ name: 'TICK_MS', value: '100' }] }],
      },
      traffic: [
        { revision: seeded.revision, percent: 100, tag: 'pr-12' },
        { revision: seeded.revision, percent: 0, tag: 'pinned' },
      ],
    });
    // It serves, publicly, on the service URL and on each tag's URL.
    expect(await get(`${seeded.uri}/health`)).toEqual({ status: 200, revision: seeded.revision });
    for (const status of svc.trafficStatuses as Json[])
      expect(await get(`${status.uri}/health`)).toEqual({ status: 200, revision: seeded.revision });
    const delta = (method: string) => (emulator.api.wire.calls[method] ?? 0) - (calls[method] ?? 0);
    expect([delta('services.create'), delta('operations.get'), delta('services.get')]).toEqual([1, 1, 1]);
  });

  test('a private seed wants a token; a seed of an image that crashes fails with the revision reason', async () => {
    const seeded = await emulator.seedService({ service: 'seeded-private', image: `${IMAGE}:v1` });
    expect((await get(`${seeded.uri}/health`)).status).toBe(403);
    await expect(emulator.seedService({ service: 'seeded-crash', image: `${IMAGE}:crash` })).rejects.toThrow(
      /seeding seeded-crash failed: Revision 'seeded-crash-00001-\w+' is not ready/,
    );
  });

  test('POST /emulator/services seeds over HTTP', async () => {
    const res = await fetch(`${emulator.endpoints.control}/services`, {
      method: 'POST',
      body: JSON.stringify({ service: 'seeded-http', image: `${IMAGE}:v2`, public: true }),
    });
    expect(res.status).toBe(200);
    const seeded = (await res.json()) as { uri: string; revision: string };
    expect(await get(`${seeded.uri}/health`)).toEqual({ status: 200, revision: seeded.revision });
    const again = await fetch(`${emulator.endpoints.control}/services`, {
      method: 'POST',
      body: JSON.stringify({ service: 'seeded-http', image: `${IMAGE}:v2` }),
    });
    expect(again.status).toBe(400);
    expect(await again.text()).toContain('already exists');
  });
});

describe('turnBad', () => {
  test('errors: the running revision answers new requests 500 and its open streams go silent but stay open; other images serve on', async () => {
    const bad = await emulator.seedService({ service: 'turning', image: `${IMAGE}:v2`, public: true });
    const good = await emulator.seedService({ service: 'staying', image: `${IMAGE}:v1`, public: true });
    const stream = await openSse(`${bad.uri}/events?interval=50`);
    try {
      await stream.waitFor(2);
      emulator.faults.turnBad(`${IMAGE}:v2`);
      const seen = stream.events.length;
      await new Promise((r) => setTimeout(r, 400));
      // At most one event was already on its way when the image turned bad.
      expect(stream.events.length - seen).toBeLessThanOrEqual(1);
      const silent = stream.events.length;
      await new Promise((r) => setTimeout(r, 300));
      expect(stream.events.length).toBe(silent);
      const answer = await fetch(`${bad.uri}/events`);
      expect([answer.status, answer.headers.get('x-revision')]).toEqual([500, bad.revision]);
      expect(await answer.json()).toMatchObject({ revision: bad.revision });
      expect(await get(`${good.uri}/health`)).toEqual({ status: 200, revision: good.revision });
      expect(emulator.faults.settings.badImages).toEqual({ [`${IMAGE}:v2`]: 'errors' });
      const open = new Promise((resolve) => setTimeout(() => resolve('still open'), 50));
      expect(await Promise.race([stream.done, open])).toBe('still open');
    } finally {
      stream.close();
    }
    // A reset turns it good again.
    emulator.faults.reset();
    expect(await get(`${bad.uri}/health`)).toEqual({ status: 200, revision: bad.revision });
  });

  test('stall, over the control API: new requests get no answer at all', async () => {
    const seeded = await emulator.seedService({ service: 'stalling', image: `${IMAGE}:v3`, public: true });
    const res = await fetch(`${emulator.endpoints.control}/faults`, {
      method: 'POST',
      body: JSON.stringify({ settings: { badImages: { [`${IMAGE}:v3`]: 'stall' } } }),
    });
    expect(res.status).toBe(200);
    const answered = await fetch(`${seeded.uri}/health`, { signal: AbortSignal.timeout(500) }).then(
      (r) => r.status,
      (err: Error) => err.name,
    );
    expect(answered).toBe('TimeoutError');
  });
});
