// The sample streaming app, run as a real child process and checked with real HTTP, SSE and WebSocket
// clients: what it serves, the configuration it refuses, and how it shuts down. Each STREAM_APP_FAULT
// switch that later smoke tests must catch is in stream-app-faults.test.ts.
import { canConnect, exitWithin, killAllApps, sleep, spawnApp, type AppProcess } from './app-process';
import { openSocket, openSse, refusedUpgradeStatus } from './stream-clients';
import { BASE_ENV, dataOf, eventCount, REVISION, startApp } from '../support/stream-app-cases';

afterAll(killAllApps);

// The cases only read from the one app (each on its own requests and streams), so they run side by side.
describe('stream-app serving', () => {
  const TICK_MS = 100;
  let app: AppProcess;

  beforeAll(async () => {
    app = await startApp({ ...BASE_ENV, GREETING: 'hi there', TICK_MS: String(TICK_MS), HEARTBEAT_MS: '50' });
  });

  // `/health` is what Cloud Run lets through; `/healthz` never reaches a container there (docs/platform.md
  // "Reserved URL paths"), but still answers for runs of the app outside Cloud Run.
  it.concurrent.each(['/health', '/healthz'])('answers %s with ok and the revision', async (path) => {
    const res = await fetch(`http://127.0.0.1:${app.port}${path}`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok', revision: REVISION });
  });

  it.concurrent('answers / with the K_* variables Cloud Run sets and the greeting', async () => {
    const res = await fetch(`http://127.0.0.1:${app.port}/`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      greeting: 'hi there',
      service: 'hello',
      revision: REVISION,
      configuration: 'hello',
    });
  });

  it.concurrent.each([
    ['/health', 200],
    ['/healthz', 200],
    ['/', 200],
    ['/missing', 404],
  ])('tags %s (status %i) with X-Revision so a rollout can count who served it', async (path, status) => {
    const res = await fetch(`http://127.0.0.1:${app.port}${path}`);
    await res.arrayBuffer();
    expect(res.status).toBe(status);
    expect(res.headers.get('x-revision')).toBe(REVISION);
  });

  it.concurrent('refuses methods other than GET with 405', async () => {
    const res = await fetch(`http://127.0.0.1:${app.port}/`, { method: 'POST', body: 'x' });
    await res.arrayBuffer();
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('GET');
  });

  it.concurrent(
    'streams /events as SSE: headers, retry first, increasing ids, revision in data, spread over time',
    async () => {
      const stream = await openSse(app.port, '/events?count=5');
      await stream.waitForEnd();

      expect(stream.status).toBe(200);
      expect(stream.headers['content-type']).toBe('text/event-stream');
      expect(stream.headers['cache-control']).toBe('no-cache');
      expect(stream.headers['x-accel-buffering']).toBe('no');
      expect(stream.headers['x-revision']).toBe(REVISION);
      expect(stream.items[0]).toMatchObject({ kind: 'retry', text: '2000' });

      const events = stream.events();
      expect(events.map((e) => e.id)).toEqual(['1', '2', '3', '4', '5']);
      expect(events.every((e) => e.event === 'tick')).toBe(true);
      expect(events.map((e) => dataOf(e).seq)).toEqual([1, 2, 3, 4, 5]);
      expect(events.every((e) => dataOf(e).revision === REVISION)).toBe(true);
      // Streamed, not buffered: the first event was read before the last one was even written, and the
      // five did not arrive together (they are TICK_MS apart on the server).
      expect(events[0].arrivedAt).toBeLessThan(dataOf(events[4]).sentAt);
      expect(events[4].arrivedAt - events[0].arrivedAt).toBeGreaterThanOrEqual(2 * TICK_MS);
    },
  );

  it.concurrent('resumes after Last-Event-ID at id + 1', async () => {
    const stream = await openSse(app.port, '/events?count=2', { 'Last-Event-ID': '41' });
    await stream.waitForEnd();
    expect(stream.events().map((e) => [e.id, dataOf(e).seq])).toEqual([
      ['42', 42],
      ['43', 43],
    ]);
  });

  it.concurrent('starts at 1 when Last-Event-ID is not a number', async () => {
    const stream = await openSse(app.port, '/events?count=1', { 'Last-Event-ID': 'abc' });
    await stream.waitForEnd();
    expect(stream.events().map((e) => e.id)).toEqual(['1']);
  });

  it.concurrent('lets ?interval= override TICK_MS', async () => {
    const interval = 4 * TICK_MS;
    const stream = await openSse(app.port, `/events?count=2&interval=${interval}`);
    await stream.waitForEnd();
    const [first, second] = stream.events().map(dataOf);
    expect(second.sentAt - first.sentAt).toBeGreaterThanOrEqual(interval - 5);
  });

  it.concurrent('rejects a malformed ?count= or ?interval= with 400', async () => {
    for (const query of ['count=0', 'count=abc', 'interval=-5']) {
      const res = await fetch(`http://127.0.0.1:${app.port}/events?${query}`);
      await res.arrayBuffer();
      expect([query, res.status]).toEqual([query, 400]);
    }
  });

  it.concurrent('sends `: heartbeat` comments every HEARTBEAT_MS between ticks', async () => {
    const stream = await openSse(app.port, '/events?interval=60000');
    try {
      const items = await stream.waitFor((all) => all.filter((i) => i.kind === 'comment').length >= 2);
      expect(items.filter((i) => i.kind === 'comment').map((i) => i.text)).toEqual([
        'heartbeat',
        'heartbeat',
      ]);
      expect(stream.events()).toHaveLength(1);
    } finally {
      stream.close();
    }
  });

  it.concurrent(
    'logs one line per request with method, path and status, without the query string',
    async () => {
      const res = await fetch(`http://127.0.0.1:${app.port}/?token=s3cret`);
      await res.arrayBuffer();
      const stream = await openSse(app.port, '/events?count=1&token=s3cret');
      await stream.waitForEnd();
      await sleep(50);
      expect(app.stdout()).toMatch(/^GET \/ 200$/m);
      expect(app.stdout()).toMatch(/^GET \/events 200$/m);
      expect(app.stdout()).not.toContain('s3cret');
    },
  );

  it.concurrent('echoes WebSocket text as echo:<text> and tags the upgrade with X-Revision', async () => {
    const socket = await openSocket(app.port);
    try {
      expect(socket.upgradeHeaders['x-revision']).toBe(REVISION);
      socket.ws.send('hello');
      await socket.waitFor((all) => all.some((m) => m.text === 'echo:hello'));
    } finally {
      socket.ws.terminate();
    }
  });

  it.concurrent('pushes numbered tick messages carrying the revision over the WebSocket', async () => {
    const socket = await openSocket(app.port);
    try {
      await socket.waitFor(() => socket.ticks().length >= 3);
      const ticks = socket.ticks().slice(0, 3);
      expect(ticks.map((t) => t.seq)).toEqual([1, 2, 3]);
      expect(ticks.every((t) => t.type === 'tick' && t.revision === REVISION)).toBe(true);
      expect(ticks[2].sentAt).toBeGreaterThanOrEqual(ticks[0].sentAt + TICK_MS);
    } finally {
      socket.ws.terminate();
    }
  });

  it.concurrent('answers WebSocket pings with pongs carrying the same payload', async () => {
    const socket = await openSocket(app.port);
    try {
      const pong = new Promise<string>((resolve) =>
        socket.ws.once('pong', (data) => resolve(data.toString())),
      );
      socket.ws.ping('are-you-there');
      expect(await pong).toBe('are-you-there');
    } finally {
      socket.ws.terminate();
    }
  });

  it.concurrent('closes the WebSocket cleanly with 1000 on a `close` message', async () => {
    const socket = await openSocket(app.port);
    socket.ws.send('close');
    expect((await socket.closed).code).toBe(1000);
  });

  it.concurrent('refuses WebSocket upgrades on other paths with 404', async () => {
    expect(await refusedUpgradeStatus(app.port, '/events')).toBe(404);
  });
});

// Here each case starts its own apps, so the cases run side by side. Jest runs no afterEach for concurrent
// cases (and killAllApps there would kill the other cases' apps): the apps of the block go in its afterAll.
describe('stream-app configuration', () => {
  afterAll(killAllApps);

  it.concurrent('exits 1 without listening when PORT is missing', async () => {
    const app = await spawnApp({ ...BASE_ENV, PORT: '' });
    expect(await app.exited).toEqual({ code: 1, signal: null });
    expect(app.stderr()).toContain('PORT is required');
  });

  it.concurrent('exits 1 naming every malformed variable', async () => {
    const app = await spawnApp({ ...BASE_ENV, TICK_MS: 'fast', HEARTBEAT_MS: '-1' });
    expect((await app.exited).code).toBe(1);
    expect(app.stderr()).toContain('TICK_MS');
    expect(app.stderr()).toContain('HEARTBEAT_MS');
  });

  it.concurrent('warns about an unknown fault name on stderr and still applies the known ones', async () => {
    const app = await startApp({ ...BASE_ENV, STREAM_APP_FAULT: 'no-such-fault, unhealthy' });
    const res = await fetch(`http://127.0.0.1:${app.port}/health`);
    await res.arrayBuffer();
    expect(res.status).toBe(503);
    expect(app.stderr()).toMatch(/warning: unknown fault "no-such-fault"/);
  });
});

describe('stream-app shutdown', () => {
  afterEach(killAllApps);

  it('on SIGTERM (sent by Cloud Run before the kill) ends open streams and sockets and exits 0', async () => {
    const app = await startApp({ ...BASE_ENV, TICK_MS: '50' });
    const stream = await openSse(app.port, '/events');
    const socket = await openSocket(app.port);
    await stream.waitFor(eventCount(1));
    await socket.waitFor(() => socket.ticks().length >= 1);

    app.child.kill('SIGTERM');
    expect(await exitWithin(app, 3000)).toEqual({ code: 0, signal: null });
    await stream.waitForEnd(1000);
    expect((await socket.closed).code).toBe(1001);
    expect(await canConnect(app.port)).toBe(false);
  });
});
