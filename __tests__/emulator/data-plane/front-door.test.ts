// The load balancer's front door (emulator/README.md "Load-balancer front door"): requests with explicit
// Host headers walk the Compute fake's live configuration to a Cloud Run service (or a pinned tag) and
// stream through, unless the backend service's Cloud CDN or dynamic compression holds the response whole,
// IAP refuses the caller, or a route timeout cuts it. Timings compare a stream's first event against the
// stream's own length, with wide margins.
import http from 'node:http';
import { gunzipSync } from 'node:zlib';
import { startEmulator, type Emulator } from '../../../emulator/emulator';
import { idToken, LRO, runClients, wifClient } from '../../../emulator/clients';
import type { SeededService } from '../../../emulator/seed';
import { wsEchoAndTick } from '../../support/stream-clients';

const IMAGE = 'us-docker.pkg.dev/demo/streams/stream-app';
const HOST = 'stream.example.test';

let emulator: Emulator;
let app: SeededService;
let other: SeededService;
/** The revision the tag `next` of the app names (the app's 100 % stays on `app.revision`). */
const NEXT = 'fd-app-00002-nxt';

beforeAll(async () => {
  emulator = await startEmulator({
    startupDeadlineMs: 5000,
    computeRoles: { 'deployer@demo-project.iam.gserviceaccount.com': ['compute.loadBalancerAdmin'] },
  });
  const env = { TICK_MS: '300', HEARTBEAT_MS: '0' };
  [app, other] = await Promise.all([
    emulator.seedService({ service: 'fd-app', image: `${IMAGE}:v1`, env, public: true }),
    emulator.seedService({ service: 'fd-other', image: `${IMAGE}:v2`, env, public: true }),
  ]);
  // A second revision behind the tag `next`, at 0 %: what a NEG pinned to a tag reaches.
  const { services } = runClients(emulator.endpoints, wifClient(emulator.endpoints));
  try {
    const [current] = await services.getService({ name: app.name });
    const [op] = await services.updateService(
      {
        service: {
          name: app.name,
          etag: current.etag,
          invokerIamDisabled: true,
          template: {
            revision: NEXT,
            containers: [
              { image: `${IMAGE}:v2`, env: Object.entries(env).map(([name, value]) => ({ name, value })) },
            ],
          },
          traffic: [
            { type: 'TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION', revision: app.revision, percent: 100 },
            { type: 'TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION', revision: NEXT, percent: 0, tag: 'next' },
          ],
        },
      },
      LRO,
    );
    await op.promise();
  } finally {
    await services.close();
  }
}, 60_000);

afterAll(async () => emulator?.stop());

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  /** ms from the request to the first body byte and to the end (or cut) of the response. */
  firstByteMs: number;
  endMs: number;
  complete: boolean;
}

/** One request through `url` with an explicit Host, timing its body. */
function request(url: string, path: string, headers: Record<string, string> = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const start = Date.now();
    const req = http.request(
      `${url}${path}`,
      { headers: { host: HOST, ...headers }, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        let firstByteMs = -1;
        res.on('data', (chunk: Buffer) => {
          if (firstByteMs < 0) firstByteMs = Date.now() - start;
          chunks.push(chunk);
        });
        const done = (): void =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks),
            firstByteMs,
            endMs: Date.now() - start,
            complete: res.complete,
          });
        res.on('close', done);
      },
    );
    req.on('error', reject);
    req.end();
  });
}

function events(body: string): Array<{ seq: number; revision: string; sentAt: number }> {
  return body
    .split('\n')
    .filter((line) => line.startsWith('data:'))
    .map((line) => JSON.parse(line.slice(5)));
}

// Six events, 300 ms apart: a stream 1.5 s long whose first event leaves at once.
const STREAM = '/events?count=6';

describe('routing', () => {
  test('host rules, path rules and the default service pick the backend, as a URL map does', async () => {
    const lb = await emulator.seedLoadBalancer({ name: 'route', service: 'fd-app' });
    const otherLb = await emulator.seedLoadBalancer({ name: 'route-other', service: 'fd-other' });
    // Send another host and a path prefix of the first URL map to the second load balancer's backend.
    const urlMapPath = lb.selfLinks.urlMap.replace(/^.*\/compute\/v1\//, '');
    const current = emulator.compute.lookup(lb.selfLinks.urlMap)!;
    const matchers = current.pathMatchers as Array<Record<string, unknown>>;
    const patch = {
      hostRules: [...(current.hostRules as unknown[]), { hosts: ['*.other.test'], pathMatcher: 'others' }],
      pathMatchers: [
        { ...matchers[0], pathRules: [{ paths: ['/b/*'], service: otherLb.selfLinks.backendService }] },
        { name: 'others', defaultService: otherLb.selfLinks.backendService },
      ],
    };
    const res = await fetch(`${emulator.endpoints.computeApi}/compute/v1/${urlMapPath}`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${await deployerToken()}` },
      body: JSON.stringify(patch),
    });
    expect(await res.json()).toMatchObject({
      kind: 'compute#operation',
      operationType: 'patch',
      status: 'DONE',
    });

    // The app marks every answer, its own 404s included, with the revision that gave it.
    const revision = async (host: string, path: string): Promise<string | undefined> =>
      (await request(lb.frontDoorUrl, path, { host })).headers['x-revision'] as string | undefined;
    expect(await revision(HOST, '/')).toBe(app.revision);
    expect(await revision(`${HOST}:443`, '/health')).toBe(app.revision);
    // The path reaches the service unchanged (no rewrite): the other app answers /b/health itself.
    expect(await revision(HOST, '/b/health')).toBe(other.revision);
    expect(await revision(HOST, '/bee')).toBe(app.revision);
    expect(await revision('api.other.test', '/')).toBe(other.revision);
    // The forwarding rule's own address matches no host rule: the URL map's default service.
    expect(await revision(lb.ipAddress, '/')).toBe(app.revision);
    expect(lb.hosts).toEqual([HOST]);
  });

  test('a NEG pinned to a tag reaches that revision; to a tag the service lacks, nothing', async () => {
    const pinned = await emulator.seedLoadBalancer({ name: 'pinned', service: 'fd-app', tag: 'next' });
    const answer = await request(pinned.frontDoorUrl, '/');
    expect([answer.status, answer.headers['x-revision']]).toEqual([200, NEXT]);
    const gone = await emulator.seedLoadBalancer({ name: 'gone', service: 'fd-app', tag: 'pr-99' });
    expect((await request(gone.frontDoorUrl, '/')).status).toBe(404);
  });
  test('POST /emulator/load-balancers seeds over HTTP; GET lists the open front doors', async () => {
    const res = await fetch(`${emulator.endpoints.control}/load-balancers`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'control', service: 'fd-app', hosts: ['control.example.test'] }),
    });
    const lb = (await res.json()) as { frontDoorUrl: string; selfLinks: { forwardingRule: string } };
    expect(lb.frontDoorUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const answer = await request(lb.frontDoorUrl, '/', { host: 'control.example.test' });
    expect([answer.status, answer.headers['x-revision']]).toEqual([200, app.revision]);
    const open = (await (await fetch(`${emulator.endpoints.control}/load-balancers`)).json()) as {
      frontDoors: Array<{ forwardingRule: string; url: string }>;
    };
    expect(open.frontDoors).toContainEqual({
      forwardingRule: lb.selfLinks.forwardingRule,
      url: lb.frontDoorUrl,
    });
  });
});

describe('streams', () => {
  test('an SSE stream arrives event by event through a plain front door', async () => {
    const lb = await emulator.seedLoadBalancer({ name: 'plain', service: 'fd-app' });
    const answer = await request(lb.frontDoorUrl, STREAM);
    expect(answer.headers['content-type']).toMatch(/^text\/event-stream/);
    expect(events(answer.body.toString()).map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6]);
    // Streamed: the first event came long before the 1.5 s stream ended.
    expect(answer.endMs - answer.firstByteMs).toBeGreaterThanOrEqual(900);
  });

  test('Cloud CDN in FORCE_CACHE_ALL holds the stream until it ends, then serves the next client the copy', async () => {
    const lb = await emulator.seedLoadBalancer({ name: 'cdn', service: 'fd-app', cdn: 'FORCE_CACHE_ALL' });
    const first = await request(lb.frontDoorUrl, STREAM);
    expect(first.firstByteMs).toBeGreaterThanOrEqual(1200);
    expect(events(first.body.toString())).toHaveLength(6);
    const second = await request(lb.frontDoorUrl, STREAM);
    expect(second.headers.age).toBeDefined();
    // The same events, sent when the first client's stream was live: a cached replay, not a stream.
    expect(second.body.toString()).toBe(first.body.toString());
    expect(second.endMs).toBeLessThan(first.endMs);
  });

  test('dynamic compression holds an SSE stream for a client that accepts gzip, and not for one that does not', async () => {
    const lb = await emulator.seedLoadBalancer({
      name: 'gzip',
      service: 'fd-app',
      compression: 'AUTOMATIC',
    });
    // Fourteen events (over 1 KiB, compression's floor), 100 ms apart: 1.3 s.
    const path = '/events?count=14&interval=100';
    const gzip = await request(lb.frontDoorUrl, path, { 'accept-encoding': 'gzip, deflate, br;q=0' });
    expect(gzip.headers['content-encoding']).toBe('gzip');
    expect(gzip.headers['content-length']).toBeUndefined();
    expect(events(gunzipSync(gzip.body).toString())).toHaveLength(14);
    expect(gzip.firstByteMs).toBeGreaterThanOrEqual(1000);
    // A client that does not accept gzip streams.
    const plain = await request(lb.frontDoorUrl, path);
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.endMs - plain.firstByteMs).toBeGreaterThanOrEqual(800);
  });

  test('a route timeout cuts a stream that lasts longer; other paths keep no timeout', async () => {
    const lb = await emulator.seedLoadBalancer({
      name: 'cut',
      service: 'fd-app',
      streamPaths: ['/events'],
      routeTimeoutSec: 1,
    });
    const cut = await request(lb.frontDoorUrl, '/events');
    expect(cut.complete).toBe(false);
    expect(events(cut.body.toString()).length).toBeGreaterThanOrEqual(1);
    expect(cut.endMs).toBeGreaterThanOrEqual(900);
    expect(cut.endMs).toBeLessThan(10_000);
    expect((await request(lb.frontDoorUrl, '/health')).status).toBe(200);
  });

  test('a WebSocket upgrade is tunnelled to the service', async () => {
    const lb = await emulator.seedLoadBalancer({ name: 'ws', service: 'fd-app' });
    const { echo, tickRevision } = await wsEchoAndTick(`${lb.frontDoorUrl.replace(/^http/, 'ws')}/ws`, 'hi', {
      host: HOST,
    });
    expect([echo, tickRevision]).toEqual(['echo:hi', app.revision]);
  });
});

describe('IAP', () => {
  test('without a token a browser-like client is redirected and a programmatic one refused; a valid token passes', async () => {
    const lb = await emulator.seedLoadBalancer({ name: 'iap', service: 'fd-app', iap: true });
    const browser = await request(lb.frontDoorUrl, '/');
    expect(browser.status).toBe(302);
    expect(browser.headers.location).toMatch(
      /^https:\/\/accounts\.google\.com\/o\/oauth2\/v2\/auth\?client_id=/,
    );
    expect(browser.headers['x-goog-iap-generated-response']).toBe('true');
    expect(browser.body.toString()).toBe('Invalid IAP credentials: empty token');
    const api = await request(lb.frontDoorUrl, '/', { accept: 'application/json' });
    expect([api.status, api.body.toString()]).toEqual([401, 'Invalid IAP credentials: empty token']);
    const garbage = await request(lb.frontDoorUrl, '/', { authorization: 'Bearer not-a-jwt' });
    expect([garbage.status, garbage.body.toString()]).toEqual([
      401,
      'Invalid IAP credentials: Unable to parse JWT',
    ]);
    const wrongAudience = await idToken(emulator.endpoints, app.uri);
    const wrong = await request(lb.frontDoorUrl, '/', { authorization: `Bearer ${wrongAudience}` });
    expect([wrong.status, wrong.body.toString()]).toEqual([
      401,
      'Invalid IAP credentials: Invalid bearer token. Invalid JWT audience.',
    ]);
    const token = await idToken(emulator.endpoints, lb.iapClientId!);
    const ok = await request(lb.frontDoorUrl, '/', { 'proxy-authorization': `Bearer ${token}` });
    expect([ok.status, ok.headers['x-revision']]).toEqual([200, app.revision]);
  });
});

/** The deployer's access token (a load balancer admin in this file's emulator). */
async function deployerToken(): Promise<string> {
  return (await wifClient(emulator.endpoints).getAccessToken()).token as string;
}
