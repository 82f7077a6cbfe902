// The whole smoke test through the emulator's router, over real HTTP and WebSocket to real app processes:
// every misbehaviour of the sample app and of the router produces its failed check, the good app passes
// on SSE and WebSocket, publicly and privately (docs/platform.md "Private smoke requests"), and
// the ID token never leaves the service's own URLs.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { IdentityPoolClient } from 'google-auth-library';
import type { ServicesClient } from '@google-cloud/run';
import { startEmulator, type Emulator } from '../../emulator/emulator';
import { createSmokeProbe } from '../../src/adapters/smoke-probe';
import type { SmokeCriteria, SmokeResult } from '../../src/core/smoke-types';
import { findFreePort } from '../examples/app-process';
import { idToken, LRO, runClients, wifClient } from '../../emulator/clients';

const IMAGE = 'us-docker.pkg.dev/demo/streams/stream-app';
const TICK_MS = '100';

const SSE: SmokeCriteria = {
  protocol: 'sse',
  path: '/events',
  healthPath: '/health',
  healthTimeoutMs: 2000,
  durationMs: 1000,
  firstEventTimeoutMs: 1000,
  minEvents: 3,
  maxGapMs: 500,
  connections: 1,
  checkReconnect: true,
};
const WS: SmokeCriteria = {
  ...SSE,
  protocol: 'websocket',
  path: '/ws',
  send: 'smoke-hello',
  expect: 'echo:smoke-hello',
  checkReconnect: false,
};

/** Service id -> image tag in emulator/images.json; every one public except `private`. */
const DEPLOYS: Record<string, string> = {
  good: 'v1',
  private: 'v1',
  buffered: 'buffered',
  stall: 'stall',
  'wrong-type': 'wrong-content-type',
  'close-early': 'close-early',
  'ws-no-echo': 'ws-no-echo',
  unhealthy: 'unhealthy',
  'heartbeat-only': 'heartbeat-only',
  gzip: 'gzip-buffered',
};

let emulator: Emulator;
let auth: IdentityPoolClient;
let services: ServicesClient;
/** Service id -> its URL and its tag URLs. */
const urls: Record<string, string> = {};
const origins: Record<string, string[]> = {};
const servers: http.Server[] = [];

beforeAll(async () => {
  emulator = await startEmulator({ startupDeadlineMs: 5000 });
  auth = wifClient(emulator.endpoints);
  ({ services } = runClients(emulator.endpoints, auth));
  const parent = `projects/${emulator.endpoints.project}/locations/us-central1`;
  await Promise.all(
    Object.entries(DEPLOYS).map(async ([id, tag]) => {
      const [op] = await services.createService(
        {
          parent,
          serviceId: id,
          service: {
            template: {
              containers: [{ image: `${IMAGE}:${tag}`, env: [{ name: 'TICK_MS', value: TICK_MS }] }],
              timeout: { seconds: 3600 },
            },
          },
        },
        LRO,
      );
      const [svc] = await op.promise();
      urls[id] = svc.uri as string;
      origins[id] = [svc.uri as string, ...(svc.trafficStatuses ?? []).map((t) => t.uri as string)].filter(
        Boolean,
      );
      if (id !== 'private') {
        await services.setIamPolicy({
          resource: svc.name as string,
          policy: { bindings: [{ role: 'roles/run.invoker', members: ['allUsers'] }] },
        });
      }
    }),
  );
});

afterAll(async () => {
  for (const server of servers) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
  await services?.close();
  await emulator?.stop();
});

function probeFor(id: string, log?: (line: string) => void) {
  return createSmokeProbe({ allowedOrigins: origins[id] ?? [], log });
}

function check(result: SmokeResult, name: string) {
  const found = result.checks.find((c) => c.name === name);
  if (!found) throw new Error(`no check ${name} in ${JSON.stringify(result.checks)}`);
  return found;
}

function failedNames(result: SmokeResult): string[] {
  return result.checks.filter((c) => !c.ok).map((c) => c.name);
}

// Cases that only probe (no fault switched on in the emulator's router) run side by side: each runs its own
// probe, and the services only serve. The router's faults act on every stream, so those cases stay serial,
// in a block of their own (blocks run one after another).
describe('the good app passes', () => {
  test.concurrent(
    'SSE, public, 5 connections at once held, reconnect with Last-Event-ID resumes',
    async () => {
      const result = await probeFor('good').run(urls.good, { ...SSE, connections: 5 });
      expect(failedNames(result)).toEqual([]);
      expect(result.verdict).toBe('pass');
      expect(result.protocol).toBe('sse');
      expect(check(result, 'health').ok).toBe(true);
      expect(check(result, 'reconnect').ok).toBe(true);
      expect(result.metrics).toMatchObject({ connectionsHeld: 5, connectionsTried: 5, buffered: false });
      expect(result.metrics.events).toBeGreaterThanOrEqual(5 * SSE.minEvents);
      expect(result.metrics.firstEventSpreadMs).toEqual(expect.any(Number));
    },
  );

  test.concurrent('WebSocket, public: upgrade, echo, ping-pong, clean close', async () => {
    const result = await probeFor('good').run(urls.good, { ...WS, connections: 3 });
    expect(failedNames(result)).toEqual([]);
    expect(result.verdict).toBe('pass');
    expect(check(result, 'echo').ok).toBe(true);
    expect(result.metrics).toMatchObject({ connectionsHeld: 3, connectionsTried: 3 });
  });

  test.concurrent('http: the page answers', async () => {
    const result = await probeFor('good').run(urls.good, { ...SSE, protocol: 'http', path: '/' });
    expect(result.verdict).toBe('pass');
  });

  test.concurrent(
    'privately, with an ID token for the service URL, on SSE and WebSocket; the token is never logged',
    async () => {
      const token = await idToken(emulator.endpoints, urls.private);
      const lines: string[] = [];
      const probe = probeFor('private', (line) => lines.push(line));
      const [sse, ws] = await Promise.all([
        probe.run(urls.private, SSE, { idToken: token }),
        probe.run(urls.private, WS, { idToken: token }),
      ]);
      expect([sse.verdict, failedNames(sse)]).toEqual(['pass', []]);
      expect([ws.verdict, failedNames(ws)]).toEqual(['pass', []]);
      expect(JSON.stringify([sse, ws, lines])).not.toContain(token);
      expect(lines.length).toBeGreaterThan(0);
    },
  );
});

describe('a private service without the token fails the handshake with 403', () => {
  test.concurrent.each([
    ['sse', SSE],
    ['websocket', WS],
  ])('%s', async (_name, criteria) => {
    const result = await probeFor('private').run(urls.private, { ...criteria, healthPath: '' });
    expect(result.verdict).toBe('fail');
    expect(check(result, 'handshake')).toMatchObject({ ok: false, detail: expect.stringContaining('403') });
  });
});

describe('each misbehaviour of the app produces its failed check', () => {
  test.concurrent.each([
    ['buffered', 'not-buffered', SSE],
    ['stall', 'max-gap', SSE],
    ['wrong-type', 'content-type', SSE],
    ['close-early', 'stays-open', SSE],
    ['ws-no-echo', 'echo', WS],
    ['unhealthy', 'health', { ...SSE, healthTimeoutMs: 500 }],
  ])('%s -> %s fails', async (id, failed, criteria) => {
    const result = await probeFor(id).run(urls[id], criteria as SmokeCriteria);
    expect(result.verdict).toBe('fail');
    expect(failedNames(result)).toContain(failed);
    if (id === 'buffered') expect(result.metrics.buffered).toBe(true);
  });
});

describe("the router's faults produce their failed checks", () => {
  // Serial: the fault switch is the emulator's, shared by every case.
  afterEach(() => emulator.faults.reset());

  test('a buffering router: the events the app spaced out arrive in one burst -> not-buffered', async () => {
    emulator.faults.update({ bufferSse: true });
    // The app ends the stream after 6 events, so the router lets the held burst go within the watch.
    const result = await probeFor('good').run(urls.good, { ...SSE, path: '/events?count=6' });
    expect(result.verdict).toBe('fail');
    expect(check(result, 'not-buffered').ok).toBe(false);
    expect(result.metrics.buffered).toBe(true);
  });

  test('a router that drops streams -> stays-open, on SSE and WebSocket', async () => {
    emulator.faults.update({ dropStreamsAfterMs: 400 });
    const sse = await probeFor('good').run(urls.good, { ...SSE, checkReconnect: false });
    expect(failedNames(sse)).toContain('stays-open');
    const ws = await probeFor('good').run(urls.good, WS);
    expect(ws.verdict).toBe('fail');
    expect(check(ws, 'stays-open')).toMatchObject({ ok: false, detail: expect.stringContaining('dropped') });
    expect(ws.metrics.connectionsHeld).toBe(0);
  });
});

describe('the ID token goes only to the service', () => {
  async function recordingServer(): Promise<{ url: string; seen: Array<string | undefined> }> {
    const seen: Array<string | undefined> = [];
    const server = http.createServer((req, res) => {
      seen.push(req.headers.authorization);
      res.writeHead(200, { 'Content-Type': 'text/event-stream' });
      res.end('id: 1\ndata: x\n\n');
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
  }

  test('a URL outside allowedOrigins never receives it; the explicit opt-in sends it', async () => {
    const elsewhere = await recordingServer();
    const lines: string[] = [];
    const criteria = { ...SSE, durationMs: 200, checkReconnect: true };
    await createSmokeProbe({ allowedOrigins: origins.good, log: (l) => lines.push(l) }).run(
      elsewhere.url,
      criteria,
      { idToken: 'secret-token-value' },
    );
    expect(elsewhere.seen.length).toBeGreaterThanOrEqual(2);
    expect(elsewhere.seen.every((h) => h === undefined)).toBe(true);
    expect(lines.join('\n')).toContain('Not sending the ID token');
    expect(lines.join('\n')).not.toContain('secret-token-value');

    const optedIn = await recordingServer();
    await createSmokeProbe({ allowedOrigins: origins.good, sendTokenAnywhere: true }).run(
      optedIn.url,
      criteria,
      {
        idToken: 'secret-token-value',
      },
    );
    expect(optedIn.seen.length).toBeGreaterThanOrEqual(2);
    expect(optedIn.seen.every((h) => h === 'Bearer secret-token-value')).toBe(true);
  });
});

test('nothing listening at the URL is inconclusive, not a failure of the app', async () => {
  const url = `http://127.0.0.1:${await findFreePort()}`;
  const result = await createSmokeProbe({ allowedOrigins: [] }).run(url, {
    ...SSE,
    healthTimeoutMs: 300,
    connections: 2,
  });
  expect(result.verdict).toBe('inconclusive');
});

describe('issue 12: event-driven streams and compression, through the router', () => {
  const defaults: SmokeCriteria = {
    ...SSE,
    durationMs: 3000,
    firstEventTimeoutMs: 5000,
    maxGapMs: 5000,
    minEventsIsDefault: true,
  };

  test.concurrent(
    'a heartbeat-only app (2 s heartbeat) passes with the default minimum and max gap',
    async () => {
      const result = await probeFor('heartbeat-only').run(urls['heartbeat-only'], defaults);
      expect(failedNames(result)).toEqual([]);
      expect(check(result, 'min-events').detail).toContain('no event required');
    },
  );

  test.concurrent('the same app fails when events were asked for', async () => {
    const { minEventsIsDefault: _, ...given } = defaults;
    const result = await probeFor('heartbeat-only').run(urls['heartbeat-only'], given);
    expect(failedNames(result)).toContain('min-events');
  });

  test.concurrent(
    'gzip without flush is caught as buffering that names compression; identity passes',
    async () => {
      const [result, plain] = await Promise.all([
        probeFor('gzip').run(urls.gzip, { ...SSE, acceptEncoding: 'browser' }),
        probeFor('gzip').run(urls.gzip, { ...SSE, acceptEncoding: 'identity' }),
      ]);
      expect(result.verdict).toBe('fail');
      expect(check(result, 'not-buffered').ok).toBe(false);
      expect(check(result, 'not-buffered').detail).toContain('gzip-compressed');
      expect(failedNames(plain)).toEqual([]);
    },
  );
});
