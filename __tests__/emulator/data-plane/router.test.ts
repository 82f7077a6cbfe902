import { describe, expect, it } from '@jest/globals';
import http2 from 'node:http2';
import { Faults } from '../../../emulator/faults';
import {
  createDataPlane,
  type DataPlaneOptions,
  type EmulatorDataPlane,
} from '../../../emulator/data-plane/data-plane';
import { affinityCookieName } from '../../../emulator/data-plane/router';
import type { InvokerCheck } from '../../../emulator/model';
import {
  FIXTURE_IMAGE,
  SERVICE,
  allowAll,
  fixtureCatalogue,
  openSocket,
  openSse,
  readEvents,
  routing,
  spec,
  waitUntil,
} from './harness';
import { limiter } from '../../support/concurrent-cases';

/** What a case gets of its own: data planes it starts, and cleanups run when it ends. */
interface Scope {
  newPlane(options?: Partial<DataPlaneOptions>): EmulatorDataPlane;
  cleanups: Array<() => void>;
}

// A start has a 5 s deadline: four at once took up to 1.8 s on a loaded 2-CPU machine with two busy loops
// beside them; more would come closer to it.
const startSlot = limiter(4);

// Every case starts its own data plane (its own listeners and processes), so the cases of a block run side
// by side; each closes what it opened when it ends, as afterEach hooks do not run for concurrent cases.
async function isolated(fn: (scope: Scope) => Promise<void>): Promise<void> {
  const planes: EmulatorDataPlane[] = [];
  const cleanups: Array<() => void> = [];
  const newPlane = (options: Partial<DataPlaneOptions> = {}): EmulatorDataPlane => {
    const plane = createDataPlane({
      faults: new Faults(),
      catalogue: fixtureCatalogue,
      invokerCheck: allowAll,
      ...options,
    });
    const startRevision = plane.startRevision.bind(plane);
    plane.startRevision = (revision) => startSlot(() => startRevision(revision));
    planes.push(plane);
    return plane;
  };
  try {
    await fn({ newPlane, cleanups });
  } finally {
    cleanups.splice(0).forEach((c) => c());
    await Promise.all(planes.map((plane) => plane.close()));
  }
}

async function startTwo(dp: EmulatorDataPlane, overrides: Parameters<typeof spec>[1] = {}): Promise<void> {
  const results = await Promise.all([
    dp.startRevision(spec('api-00001-one', overrides)),
    dp.startRevision(spec('api-00002-two', { image: `${FIXTURE_IMAGE}:v2`, ...overrides })),
  ]);
  expect(results).toEqual([{ ready: true }, { ready: true }]);
}

describe('routing', () => {
  it.concurrent(
    'sends the service URL by the split and a tag URL to its revision (100/0 + tag on the 0 % revision)',
    () =>
      isolated(async ({ newPlane }) => {
        const dp = newPlane();
        await startTwo(dp);
        const urls = await dp.route(
          routing({
            split: [
              { revision: 'api-00001-one', percent: 100 },
              { revision: 'api-00002-two', percent: 0 },
            ],
            tags: [{ tag: 'candidate', revision: 'api-00002-two' }],
          }),
        );
        expect(urls.uri).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
        expect(Object.keys(urls.tagUris)).toEqual(['candidate']);
        for (let i = 0; i < 5; i++) {
          const res = await fetch(urls.uri);
          expect(res.headers.get('x-revision')).toBe('api-00001-one');
        }
        const tagged = await fetch(urls.tagUris.candidate);
        expect(tagged.headers.get('x-revision')).toBe('api-00002-two');
        expect(await tagged.json()).toMatchObject({ greeting: 'v2' });
      }),
  );

  it.concurrent('splits 50/50 by the injected random source', () =>
    isolated(async ({ newPlane }) => {
      let next = 0;
      const draws = [0.1, 0.9, 0.49, 0.5];
      const dp = newPlane({ random: () => draws[next++ % draws.length] });
      await startTwo(dp);
      const urls = await dp.route(
        routing({
          split: [
            { revision: 'api-00001-one', percent: 50 },
            { revision: 'api-00002-two', percent: 50 },
          ],
        }),
      );
      const seen: string[] = [];
      for (let i = 0; i < 4; i++) seen.push((await fetch(urls.uri)).headers.get('x-revision') ?? '');
      expect(seen).toEqual(['api-00001-one', 'api-00002-two', 'api-00001-one', 'api-00002-two']);
    }),
  );

  it.concurrent('keeps URLs stable across route() calls, opens new tag URLs and closes removed ones', () =>
    isolated(async ({ newPlane }) => {
      const dp = newPlane();
      await startTwo(dp);
      const first = await dp.route(
        routing({
          split: [{ revision: 'api-00001-one', percent: 100 }],
          tags: [{ tag: 'old', revision: 'api-00001-one' }],
        }),
      );
      const second = await dp.route(
        routing({
          split: [{ revision: 'api-00002-two', percent: 100 }],
          tags: [{ tag: 'new', revision: 'api-00002-two' }],
        }),
      );
      expect(second.uri).toBe(first.uri);
      expect(Object.keys(second.tagUris)).toEqual(['new']);
      await expect(fetch(first.tagUris.old)).rejects.toThrow();
      expect((await fetch(second.tagUris.new)).headers.get('x-revision')).toBe('api-00002-two');
    }),
  );

  it.concurrent('answers 503 when the split names a revision that is not running', () =>
    isolated(async ({ newPlane }) => {
      const dp = newPlane();
      const urls = await dp.route(routing({ split: [{ revision: 'api-00009-none', percent: 100 }] }));
      expect((await fetch(urls.uri)).status).toBe(503);
    }),
  );

  it.concurrent(
    'keeps an open SSE stream on its revision after the split moves; new requests follow the split (docs/platform.md "Routing changes take time": a traffic change steers only new requests)',
    () =>
      isolated(async ({ newPlane, cleanups }) => {
        const dp = newPlane();
        await startTwo(dp);
        const urls = await dp.route(routing({ split: [{ revision: 'api-00001-one', percent: 100 }] }));
        const stream = await openSse(`${urls.uri}/events`);
        cleanups.push(() => stream.close());
        await stream.waitFor(2);

        await dp.route(routing({ split: [{ revision: 'api-00002-two', percent: 100 }] }));
        const fresh = await readEvents(urls.uri, 1);
        expect(fresh[0].revision).toBe('api-00002-two');

        const before = stream.events.length;
        const later = await stream.waitFor(before + 3);
        expect(new Set(later.map((e) => e.revision))).toEqual(new Set(['api-00001-one']));
      }),
  );

  it.concurrent('proxies request bodies both ways', () =>
    isolated(async ({ newPlane }) => {
      const dp = newPlane();
      await startTwo(dp);
      const urls = await dp.route(routing({ split: [{ revision: 'api-00001-one', percent: 100 }] }));
      const res = await fetch(`${urls.uri}/echo`, { method: 'POST', body: 'x'.repeat(100_000) });
      expect(await res.text()).toHaveLength(100_000);
    }),
  );
});

describe('WebSocket upgrades', () => {
  it.concurrent('tunnels echo and ticks through the service URL and a tag URL', () =>
    isolated(async ({ newPlane, cleanups }) => {
      const dp = newPlane();
      await startTwo(dp);
      const urls = await dp.route(
        routing({
          split: [{ revision: 'api-00001-one', percent: 100 }],
          tags: [{ tag: 'blue', revision: 'api-00002-two' }],
        }),
      );
      for (const [url, revision] of [
        [urls.uri, 'api-00001-one'],
        [urls.tagUris.blue, 'api-00002-two'],
      ]) {
        const socket = await openSocket(`${url}/ws`);
        cleanups.push(() => socket.ws.terminate());
        socket.ws.send('hello');
        await expect(socket.next((m) => m === 'echo:hello')).resolves.toBe('echo:hello');
        const tick = JSON.parse(await socket.next((m) => m.startsWith('{'))) as { revision: string };
        expect(tick.revision).toBe(revision);
        socket.ws.close();
      }
    }),
  );
});

describe('request timeout (docs/platform.md "A stream is one request": the request timeout cuts it)', () => {
  it.concurrent('cuts an SSE stream after timeoutSeconds', () =>
    isolated(async ({ newPlane, cleanups }) => {
      const dp = newPlane();
      await dp.startRevision(spec('api-00001-one', { timeoutSeconds: 1 }));
      const urls = await dp.route(routing({ split: [{ revision: 'api-00001-one', percent: 100 }] }));
      const stream = await openSse(`${urls.uri}/events`);
      cleanups.push(() => stream.close());
      await stream.waitFor(1);
      await expect(stream.done).resolves.toEqual({ ended: false });
      const count = stream.events.length;
      expect(count).toBeGreaterThan(1);
    }),
  );

  it.concurrent('answers 504 when no response headers came before the timeout', () =>
    isolated(async ({ newPlane }) => {
      const dp = newPlane();
      await dp.startRevision(spec('api-00001-one', { timeoutSeconds: 1 }));
      const urls = await dp.route(routing({ split: [{ revision: 'api-00001-one', percent: 100 }] }));
      const res = await fetch(`${urls.uri}/slow`);
      expect(res.status).toBe(504);
      expect(dp.instances(SERVICE, 'api-00001-one')[0].inFlight).toBe(0);
    }),
  );

  it.concurrent('closes a WebSocket after timeoutSeconds', () =>
    isolated(async ({ newPlane, cleanups }) => {
      const dp = newPlane();
      await dp.startRevision(spec('api-00001-one', { timeoutSeconds: 1 }));
      const urls = await dp.route(routing({ split: [{ revision: 'api-00001-one', percent: 100 }] }));
      const socket = await openSocket(`${urls.uri}/ws`);
      cleanups.push(() => socket.ws.terminate());
      const code = await new Promise<number>((resolve) => socket.ws.on('close', (c) => resolve(c)));
      expect(code).toBe(1006);
    }),
  );
});

describe('session affinity (docs/platform.md "Session affinity": best effort, cookie)', () => {
  it.concurrent('keeps a client with the cookie on one revision across a 50/50 split', () =>
    isolated(async ({ newPlane }) => {
      let next = 0;
      const dp = newPlane({ random: () => [0.9, 0.1, 0.3, 0.2][next++ % 4] });
      await startTwo(dp, { sessionAffinity: true });
      const urls = await dp.route(
        routing({
          split: [
            { revision: 'api-00001-one', percent: 50 },
            { revision: 'api-00002-two', percent: 50 },
          ],
        }),
      );
      const first = await fetch(urls.uri);
      expect(first.headers.get('x-revision')).toBe('api-00002-two');
      const setCookie = first.headers.get('set-cookie') ?? '';
      expect(setCookie).toContain(`${affinityCookieName('api')}=api-00002-two.`);
      const cookie = setCookie.split(';')[0];
      for (let i = 0; i < 3; i++) {
        const res = await fetch(urls.uri, { headers: { cookie } });
        expect(res.headers.get('x-revision')).toBe('api-00002-two');
        expect(res.headers.get('set-cookie')).toBeNull();
      }
      // Without the cookie the draws (0.1, 0.3) land on the other revision.
      expect((await fetch(urls.uri)).headers.get('x-revision')).toBe('api-00001-one');

      await dp.route(routing({ split: [{ revision: 'api-00001-one', percent: 100 }] }));
      expect((await fetch(urls.uri, { headers: { cookie } })).headers.get('x-revision')).toBe(
        'api-00001-one',
      );
    }),
  );
});

describe('ingress and invoker IAM', () => {
  it.concurrent('answers the invoker check status and never reaches the app', () =>
    isolated(async ({ newPlane }) => {
      const calls: Array<[string, string | undefined]> = [];
      const check: InvokerCheck = (service, authorization) => {
        calls.push([service, authorization]);
        if (!authorization) return { allow: false, status: 401, message: 'missing token' };
        if (authorization !== 'Bearer good') return { allow: false, status: 403, message: 'not an invoker' };
        return { allow: true };
      };
      const dp = newPlane({ invokerCheck: check });
      await dp.startRevision(spec('api-00001-one'));
      const urls = await dp.route(routing({ split: [{ revision: 'api-00001-one', percent: 100 }] }));

      const anonymous = await fetch(`${urls.uri}/secret`);
      expect(anonymous.status).toBe(401);
      expect(anonymous.headers.get('x-revision')).toBeNull();
      const denied = await fetch(urls.uri, { headers: { authorization: 'Bearer bad' } });
      expect(denied.status).toBe(403);
      expect(await denied.text()).toContain('Error: Forbidden');
      await expect(openSocket(`${urls.uri}/ws`)).rejects.toThrow('status 401');

      // Cloud Run forwards the Authorization header to the app.
      const [event] = await readEvents(urls.uri, 1, { authorization: 'Bearer good' });
      expect(event).toMatchObject({ auth: 'Bearer good' });
      await waitUntil(() =>
        dp.logs(SERVICE, 'api-00001-one').some((line) => line.endsWith('request GET /events')),
      );
      const requests = dp.logs(SERVICE, 'api-00001-one').filter((line) => / (request|upgrade) /.test(line));
      expect(requests).toHaveLength(1);
      expect(calls[0]).toEqual([SERVICE, undefined]);
    }),
  );

  it.concurrent.each([
    'INGRESS_TRAFFIC_INTERNAL_ONLY',
    'INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER',
    'INGRESS_TRAFFIC_NONE',
  ] as const)(
    'answers 404 on service and tag URLs under %s (router clients are outside the VPC)',
    (ingress) =>
      isolated(async ({ newPlane }) => {
        const dp = newPlane();
        await dp.startRevision(spec('api-00001-one'));
        const urls = await dp.route(
          routing({
            ingress,
            split: [{ revision: 'api-00001-one', percent: 100 }],
            tags: [{ tag: 't', revision: 'api-00001-one' }],
          }),
        );
        expect((await fetch(urls.uri)).status).toBe(404);
        expect((await fetch(urls.tagUris.t)).status).toBe(404);
      }),
  );
});

describe('end-to-end HTTP/2 (docs/platform.md "Port name selects the protocol")', () => {
  it.concurrent('speaks h2c to the instance, for HTTP/1.1 and h2c clients alike', () =>
    isolated(async ({ newPlane, cleanups }) => {
      const dp = newPlane();
      await dp.startRevision(spec('api-00001-h2', { image: `${FIXTURE_IMAGE}:h2c`, portName: 'h2c' }));
      const urls = await dp.route(routing({ split: [{ revision: 'api-00001-h2', percent: 100 }] }));
      const events = await readEvents(urls.uri, 2);
      expect(events[0]).toMatchObject({ revision: 'api-00001-h2', protocol: '2.0' });

      const session = http2.connect(urls.uri);
      cleanups.push(() => session.destroy());
      const body = await new Promise<string>((resolve, reject) => {
        const stream = session.request({ ':path': '/info' });
        let text = '';
        stream.setEncoding('utf8');
        stream.on('data', (c: string) => (text += c));
        stream.on('end', () => resolve(text));
        stream.on('error', reject);
      });
      expect(JSON.parse(body)).toMatchObject({ revision: 'api-00001-h2', protocol: '2.0', path: '/info' });
    }),
  );
});
