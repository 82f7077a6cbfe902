// The sample streaming app's STREAM_APP_FAULT switches, each run as a real child process and checked with
// real HTTP, SSE and WebSocket clients: the faults that later smoke tests must catch, a candidate that
// turns bad mid-rollout, and the bad candidates of bench/gate-accuracy.ts.
import { canConnect, exitWithin, killAllApps, sleep, spawnApp, type AppProcess } from './app-process';
import { openSocket, openSse, refusedUpgradeStatus } from './stream-clients';
import { BASE_ENV, dataOf, eventCount, REVISION, startApp } from '../support/stream-app-cases';

afterAll(killAllApps);

// Each case starts its own apps, so the cases run side by side. Jest runs no afterEach for concurrent cases
// (and killAllApps there would kill the other cases' apps): the apps of a block go in its afterAll.
describe('stream-app faults (STREAM_APP_FAULT)', () => {
  afterAll(killAllApps);

  it.concurrent('crash-on-start exits non-zero with an error and never listens', async () => {
    const app = await spawnApp({ ...BASE_ENV, STREAM_APP_FAULT: 'crash-on-start' });
    expect((await app.exited).code).toBe(1);
    expect(app.stderr()).toContain('crash-on-start');
    expect(app.stdout()).not.toContain('listening');
    expect(await canConnect(app.port)).toBe(false);
  });

  it.concurrent('never-listen stays alive without listening, and still exits 0 on SIGTERM', async () => {
    const app = await spawnApp({ ...BASE_ENV, STREAM_APP_FAULT: 'never-listen' });
    // Up (its handlers in place) once it says so; on a busy machine that can take a while.
    for (let i = 0; i < 200 && !app.stderr().includes('staying up without listening'); i++)
      await new Promise((r) => setTimeout(r, 50));
    expect(app.stderr()).toContain('staying up without listening');
    expect(await exitWithin(app, 500)).toBeUndefined();
    expect(await canConnect(app.port)).toBe(false);
    app.child.kill('SIGTERM');
    expect(await exitWithin(app, 3000)).toEqual({ code: 0, signal: null });
  });

  it.concurrent('slow-start listens only after STREAM_APP_START_DELAY_MS', async () => {
    const delay = 700;
    const app = await startApp({
      ...BASE_ENV,
      STREAM_APP_FAULT: 'slow-start',
      STREAM_APP_START_DELAY_MS: String(delay),
    });
    expect(Date.now() - app.spawnedAt).toBeGreaterThanOrEqual(delay);
    const res = await fetch(`http://127.0.0.1:${app.port}/health`);
    expect(res.status).toBe(200);
    await res.arrayBuffer();
  });

  it.concurrent('wrong-content-type streams events as text/plain', async () => {
    const app = await startApp({ ...BASE_ENV, TICK_MS: '20', STREAM_APP_FAULT: 'wrong-content-type' });
    const stream = await openSse(app.port, '/events?count=2');
    await stream.waitForEnd();
    expect(stream.headers['content-type']).toBe('text/plain');
    expect(stream.events().map((e) => e.id)).toEqual(['1', '2']);
  });

  it.concurrent('close-after-first-event ends the response after one event', async () => {
    const app = await startApp({ ...BASE_ENV, TICK_MS: '20', STREAM_APP_FAULT: 'close-after-first-event' });
    const stream = await openSse(app.port, '/events');
    await stream.waitForEnd();
    expect(stream.events().map((e) => e.id)).toEqual(['1']);
  });

  it.concurrent(
    'stall stops events and heartbeats after STREAM_APP_STALL_AFTER events but keeps the connection',
    async () => {
      const app = await startApp({
        ...BASE_ENV,
        TICK_MS: '50',
        HEARTBEAT_MS: '70',
        STREAM_APP_FAULT: 'stall',
        STREAM_APP_STALL_AFTER: '2',
      });
      const stream = await openSse(app.port, '/events');
      try {
        await stream.waitFor(eventCount(2));
        const seen = stream.items.length;
        await sleep(500);
        expect(stream.items.slice(seen)).toEqual([]);
        expect(stream.events().map((e) => e.id)).toEqual(['1', '2']);
        expect(stream.ended()).toBe(false);
      } finally {
        stream.close();
      }
    },
  );

  it.concurrent(
    'buffer holds STREAM_APP_BUFFER_EVENTS events and delivers them in one burst at the end',
    async () => {
      const tickMs = 60;
      const app = await startApp({ ...BASE_ENV, TICK_MS: String(tickMs), STREAM_APP_FAULT: 'buffer' });
      const stream = await openSse(app.port, '/events');
      await stream.waitForEnd();
      expect(stream.status).toBe(200);
      const events = stream.events();
      expect(events.map((e) => e.id)).toEqual(['1', '2', '3', '4', '5']);
      const lastWritten = dataOf(events[4]).sentAt;
      // Produced over time, yet nothing (not even the retry field) arrived before the last was produced.
      expect(lastWritten - dataOf(events[0]).sentAt).toBeGreaterThanOrEqual(3 * tickMs);
      expect(stream.items.every((item) => item.arrivedAt >= lastWritten)).toBe(true);
    },
  );

  it.concurrent('buffer honours ?count=', async () => {
    const app = await startApp({ ...BASE_ENV, TICK_MS: '20', STREAM_APP_FAULT: 'buffer' });
    const stream = await openSse(app.port, '/events?count=3');
    await stream.waitForEnd();
    expect(stream.events().map((e) => e.id)).toEqual(['1', '2', '3']);
  });

  it.concurrent('ws-no-echo accepts the upgrade and ticks but never echoes', async () => {
    const app = await startApp({ ...BASE_ENV, TICK_MS: '50', STREAM_APP_FAULT: 'ws-no-echo' });
    const socket = await openSocket(app.port);
    try {
      socket.ws.send('hello');
      // The server handles frames in order, so the pong comes after any echo would have been sent.
      const pong = new Promise<void>((resolve) => socket.ws.once('pong', () => resolve()));
      socket.ws.ping();
      await pong;
      await socket.waitFor(() => socket.ticks().length >= 2);
      expect(socket.messages.filter((m) => m.text.startsWith('echo:'))).toEqual([]);
    } finally {
      socket.ws.terminate();
    }
  });

  it.concurrent('unhealthy answers /health and /healthz with 503 while / still works', async () => {
    const app = await startApp({ ...BASE_ENV, STREAM_APP_FAULT: 'unhealthy' });
    for (const path of ['/health', '/healthz']) {
      const health = await fetch(`http://127.0.0.1:${app.port}${path}`);
      expect({ path, status: health.status }).toEqual({ path, status: 503 });
      expect(await health.json()).toEqual({ status: 'unhealthy', revision: REVISION });
    }
    const root = await fetch(`http://127.0.0.1:${app.port}/`);
    expect(root.status).toBe(200);
    await root.arrayBuffer();
  });
});

describe('stream-app fault bad-after (a candidate that turns bad mid-rollout)', () => {
  afterAll(killAllApps);

  // Polls /health until it answers 503: the moment the app has turned bad, seen from outside.
  async function waitUntilBad(port: number): Promise<void> {
    for (let i = 0; i < 250; i++) {
      const res = await fetch(`http://127.0.0.1:${port}/health`);
      await res.arrayBuffer();
      if (res.status === 503) return;
      await sleep(20);
    }
    throw new Error('the app never turned bad');
  }

  it.concurrent(
    'works normally until STREAM_APP_BAD_AFTER_MS, then /health (and /healthz) 503, /events 500, /ws refused with 500',
    async () => {
      const app = await startApp({
        ...BASE_ENV,
        TICK_MS: '50',
        STREAM_APP_FAULT: 'bad-after',
        STREAM_APP_BAD_AFTER_MS: '1500',
      });
      for (const path of ['/health', '/healthz']) {
        const before = await fetch(`http://127.0.0.1:${app.port}${path}`);
        expect({ path, status: before.status }).toEqual({ path, status: 200 });
        await before.arrayBuffer();
      }
      const early = await openSse(app.port, '/events?count=2');
      await early.waitForEnd();
      expect(early.status).toBe(200);
      expect(early.events().map((e) => e.id)).toEqual(['1', '2']);
      const socket = await openSocket(app.port);
      socket.ws.terminate();

      await waitUntilBad(app.port);
      for (const path of ['/health', '/healthz']) {
        const health = await fetch(`http://127.0.0.1:${app.port}${path}`);
        expect({ path, status: health.status }).toEqual({ path, status: 503 });
        expect(await health.json()).toEqual({ status: 'unhealthy', revision: REVISION });
      }
      const events = await fetch(`http://127.0.0.1:${app.port}/events`);
      expect(events.status).toBe(500);
      expect(events.headers.get('x-revision')).toBe(REVISION);
      await events.arrayBuffer();
      expect(await refusedUpgradeStatus(app.port, '/ws')).toBe(500);
      expect(app.stderr()).toMatch(/fault bad-after: now bad/);
    },
  );

  it.concurrent(
    'stops sending events (and heartbeats) on SSE streams opened before it turned bad, leaving them open',
    async () => {
      const app = await startApp({
        ...BASE_ENV,
        TICK_MS: '50',
        HEARTBEAT_MS: '30',
        STREAM_APP_FAULT: 'bad-after',
        STREAM_APP_BAD_AFTER_MS: '800',
      });
      const stream = await openSse(app.port, '/events');
      try {
        await stream.waitFor(eventCount(2));
        await waitUntilBad(app.port);
        // Anything written just before the switch has had time to arrive; after it, nothing more comes.
        await sleep(150);
        const seen = stream.items.length;
        await sleep(500);
        expect(stream.items.slice(seen)).toEqual([]);
        expect(stream.ended()).toBe(false);
      } finally {
        stream.close();
      }
    },
  );

  it.concurrent(
    'turns bad after 5000 ms by default and refuses a malformed STREAM_APP_BAD_AFTER_MS',
    async () => {
      // Spawned first, so its start overlaps the other app's.
      const bad = await spawnApp({
        ...BASE_ENV,
        STREAM_APP_FAULT: 'bad-after',
        STREAM_APP_BAD_AFTER_MS: 'soon',
      });
      const app = await startApp({ ...BASE_ENV, STREAM_APP_FAULT: 'bad-after' });
      // The line is written once listening; stderr may reach us a moment after the port accepts.
      for (let i = 0; i < 100 && !app.stderr().includes('turning bad'); i++) await sleep(20);
      expect(app.stderr()).toMatch(/fault bad-after: turning bad in 5000 ms/);
      const res = await fetch(`http://127.0.0.1:${app.port}/health`);
      expect(res.status).toBe(200);
      await res.arrayBuffer();

      expect((await bad.exited).code).toBe(1);
      expect(bad.stderr()).toContain('STREAM_APP_BAD_AFTER_MS');
    },
  );
});

describe('stream-app faults of bad candidates (bench/gate-accuracy.ts)', () => {
  afterAll(killAllApps);
  const start = (fault: string, env: Record<string, string> = {}) =>
    startApp({ ...BASE_ENV, TICK_MS: '50', STREAM_APP_END_EARLY_MS: '300', STREAM_APP_FAULT: fault, ...env });
  const get = async (port: number, path: string) => (await fetch(`http://127.0.0.1:${port}${path}`)).status;
  it.concurrent(
    'error-rate answers STREAM_APP_ERROR_PERCENT of /, /events and /ws upgrades with 500, never /health',
    async () => {
      // The two apps start at once.
      const [{ port }, none] = await Promise.all([
        start('error-rate', { STREAM_APP_ERROR_PERCENT: '100' }),
        start('error-rate', { STREAM_APP_ERROR_PERCENT: '0' }),
      ]);
      const got = [await get(port, '/'), await get(port, '/events'), await get(port, '/health')];
      expect([...got, await refusedUpgradeStatus(port, '/ws')]).toEqual([500, 500, 200, 500]);
      expect(await get(none.port, '/')).toBe(200);
    },
  );

  it.concurrent(
    'end-early ends STREAM_APP_END_EARLY_PERCENT of streams STREAM_APP_END_EARLY_MS (here 300) after they open',
    async () => {
      const sse = async (percent: string) =>
        openSse((await start('end-early', { STREAM_APP_END_EARLY_PERCENT: percent })).port, '/events');
      // The two apps start and stream at once; `kept` is still watched for 600 ms after it opened.
      const [cut, kept] = await Promise.all([sse('100'), sse('0')]);
      await Promise.all([cut.waitForEnd(3000), sleep(600)]);
      expect(cut.events().length).toBeGreaterThanOrEqual(3);
      expect(kept.ended()).toBe(false);
      kept.close();
    },
  );

  it.concurrent(
    'slow-first-event sends the first event STREAM_APP_SLOW_FACTOR x STREAM_APP_FIRST_EVENT_MS late',
    async () => {
      const firstEventMs = async (app: AppProcess) => {
        const [opened, stream] = [Date.now(), await openSse(app.port, '/events?count=1')];
        await stream.waitForEnd();
        return stream.events()[0].arrivedAt - opened;
      };
      const env = { STREAM_APP_FIRST_EVENT_MS: '200' };
      // Both apps at once: each measures its own stream, from when that stream was opened.
      const [normal, slow] = await Promise.all(
        [start('', env), start('slow-first-event', env)].map(async (app) => firstEventMs(await app)),
      );
      expect(normal).toBeGreaterThanOrEqual(190);
      expect(slow).toBeGreaterThanOrEqual(590);
    },
  );

  it.concurrent(
    'silent-after: after STREAM_APP_SILENT_AFTER_MS streams stay open, silent; /health still 200',
    async () => {
      const app = await start('silent-after', { HEARTBEAT_MS: '30', STREAM_APP_SILENT_AFTER_MS: '600' });
      const open = await openSse(app.port, '/events');
      await open.waitFor(eventCount(2));
      for (let i = 0; i < 100 && !/silent from \d+/.test(app.stderr()); i++) await sleep(20);
      const fresh = await openSse(app.port, '/events');
      await sleep(100);
      const seen = [open.items.length, fresh.items.length];
      await sleep(400);
      expect([open.items.length, fresh.items.length, fresh.events().length]).toEqual([...seen, 0]);
      expect([open.ended(), fresh.ended(), await get(app.port, '/health')]).toEqual([false, false, 200]);
      [open, fresh].forEach((stream) => stream.close());
    },
  );
});
