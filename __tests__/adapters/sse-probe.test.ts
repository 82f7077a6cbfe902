// The SSE probe's recording, over real HTTP on 127.0.0.1: against the sample app as a real process, and
// against tiny local servers for what the app never does (split chunks, resets, silence).
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import zlib from 'node:zlib';
import { encodeLastEventId, MAX_STORED_TEXT, reconnectSse, watchSse } from '../../src/adapters/sse-probe';
import { findFreePort, killAllApps, startApp, type AppProcess } from '../examples/app-process';

const start = performance.now();
const elapsed = () => performance.now() - start;
const base = { headers: {}, durationMs: 600, firstEventTimeoutMs: 600, elapsed };

let app: AppProcess;
const servers: http.Server[] = [];

beforeAll(async () => {
  app = await startApp({ TICK_MS: '50', HEARTBEAT_MS: '120', SSE_RETRY_MS: '1500' });
});

afterAll(async () => {
  for (const server of servers) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
  await killAllApps();
});

async function serve(handler: http.RequestListener): Promise<{ url: string; server: http.Server }> {
  const server = http.createServer(handler);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

test('records headers, chunks, events with ids, heartbeats and retry from a live stream, still open at the end', async () => {
  const obs = await watchSse(`http://127.0.0.1:${app.port}/events`, base);
  expect(obs.status).toBe(200);
  expect(obs.contentType).toBe('text/event-stream');
  expect(obs.error).toBeUndefined();
  expect(obs.endedMs).toBeUndefined();
  expect(obs.retryMs).toBe(1500);
  expect(obs.events.length).toBeGreaterThanOrEqual(3);
  expect(obs.events.map((e) => e.id)).toEqual(obs.events.map((_, i) => String(i + 1)));
  expect(obs.events[0]).toMatchObject({ event: 'tick', id: '1' });
  expect(JSON.parse(obs.events[0].data)).toMatchObject({ seq: 1 });
  expect(obs.comments.some((c) => c.text === 'heartbeat')).toBe(true);
  expect(obs.lastEventId).toBe(obs.events[obs.events.length - 1].id);
  // Every event is stamped with the arrival of a recorded chunk, after the headers.
  const chunkTimes = new Set(obs.chunks.map((c) => c.atMs));
  for (const event of obs.events) expect(chunkTimes.has(event.atMs)).toBe(true);
  expect(obs.headersMs!).toBeGreaterThanOrEqual(obs.startMs);
  expect(obs.stoppedMs).toBeGreaterThanOrEqual(obs.headersMs!);
  expect(obs.chunks.reduce((sum, c) => sum + c.bytes, 0)).toBeGreaterThan(0);
});

test('records when the server ends the stream before the watch does', async () => {
  const obs = await watchSse(`http://127.0.0.1:${app.port}/events?count=3`, base);
  expect(obs.events).toHaveLength(3);
  expect(obs.endedMs).toBeDefined();
  expect(obs.error).toBeUndefined();
});

test('a wrong Content-Type is recorded and the body still parsed', async () => {
  const { url } = await serve((_req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/plain' });
    res.write('id: 1\ndata: a\n\n');
  });
  const obs = await watchSse(url, { ...base, durationMs: 200 });
  expect(obs.contentType).toBe('text/plain');
  expect(obs.events).toEqual([expect.objectContaining({ id: '1', data: 'a' })]);
});

test('stamps an event split across chunks with the chunk that completed it; BOM and CRLF parsed', async () => {
  const { url } = await serve(async (_req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/event-stream' });
    res.flushHeaders();
    res.socket?.setNoDelay(true);
    res.write('\uFEFFid: 7\r\nevent: part');
    await sleep(120);
    res.write('ial\r\ndata: one\r\ndata: two\r\n\r\n');
  });
  const obs = await watchSse(url, { ...base, durationMs: 400 });
  expect(obs.chunks).toHaveLength(2);
  expect(obs.events).toEqual([{ atMs: obs.chunks[1].atMs, id: '7', event: 'partial', data: 'one\ntwo' }]);
});

test('a non-200 answer is recorded with its status and the watch stops', async () => {
  const obs = await watchSse(`http://127.0.0.1:${app.port}/missing`, base);
  expect(obs.status).toBe(404);
  expect(obs.events).toEqual([]);
  expect(obs.error).toBeUndefined();
});

test('a refused connection is a connect-stage error with its code', async () => {
  const port = await findFreePort();
  const obs = await watchSse(`http://127.0.0.1:${port}/events`, base);
  expect(obs.error).toMatchObject({ stage: 'connect', code: 'ECONNREFUSED' });
  expect(obs.status).toBeUndefined();
});

test('headers that never come are a response-stage timeout at the end of the watch', async () => {
  const { url } = await serve(() => undefined);
  const obs = await watchSse(url, { ...base, durationMs: 200, firstEventTimeoutMs: 300 });
  expect(obs.error).toMatchObject({ stage: 'response', code: 'ETIMEDOUT' });
});

test('a stream cut mid-way is an early end with a stream-stage error', async () => {
  const { url } = await serve((req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/event-stream' });
    res.write('id: 1\ndata: x\n\n');
    setTimeout(() => req.socket.destroy(), 100);
  });
  const obs = await watchSse(url, base);
  expect(obs.events).toHaveLength(1);
  expect(obs.endedMs).toBeDefined();
  expect(obs.error).toMatchObject({ stage: 'stream', code: 'ECONNRESET' });
});

test('waits past the duration for a first event, up to the first-event timeout', async () => {
  const { url } = await serve(async (_req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/event-stream' });
    res.flushHeaders();
    await sleep(300);
    res.write('data: late\n\n');
  });
  const obs = await watchSse(url, { ...base, durationMs: 100, firstEventTimeoutMs: 1500 });
  expect(obs.events.map((e) => e.data)).toEqual(['late']);
});

test('N watches at once are N sockets, and no socket is reused after (no connection pooling)', async () => {
  const sockets = new Set<Socket>();
  const { url, server } = await serve((_req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/event-stream' });
    res.end('data: hi\n\n');
  });
  server.on('connection', (socket) => sockets.add(socket));
  const all = await Promise.all(Array.from({ length: 5 }, () => watchSse(url, { ...base, durationMs: 300 })));
  expect(all.map((o) => o.events.length)).toEqual([1, 1, 1, 1, 1]);
  await watchSse(url, { ...base, durationMs: 300 });
  expect(sockets.size).toBe(6);
});

test('sends Accept, Cache-Control and the given headers', async () => {
  let seen: http.IncomingHttpHeaders = {};
  const { url } = await serve((req, res) => {
    seen = req.headers;
    res.writeHead(204).end();
  });
  await watchSse(url, { ...base, headers: { 'X-Probe': 'yes' } });
  expect(seen).toMatchObject({ accept: 'text/event-stream', 'cache-control': 'no-cache', 'x-probe': 'yes' });
});

test('a reconnect with Last-Event-ID resumes after that id (WHATWG resumption)', async () => {
  const obs = await reconnectSse(`http://127.0.0.1:${app.port}/events`, '41', {
    headers: {},
    timeoutMs: 1000,
    elapsed,
  });
  expect(obs).toMatchObject({ lastEventId: '41', status: 200, firstEventId: '42' });
  expect(JSON.parse(obs.firstEventData!)).toMatchObject({ seq: 42 });
  expect(obs.firstEventMs).toBeDefined();
});

test('a reconnect that gets no event records no first event', async () => {
  const { url } = await serve((_req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/event-stream' });
    // The stream ends after a comment: the outcome does not depend on a short timeout (a busy machine).
    res.end(': only comments\n\n');
  });
  const obs = await reconnectSse(url, '3', { headers: {}, timeoutMs: 10_000, elapsed });
  expect(obs.status).toBe(200);
  expect(obs.firstEventId).toBeUndefined();
  expect(obs.error).toBeUndefined();
});

describe('issue 12: browser-like clients', () => {
  test('sends Last-Event-ID outside Latin-1 as its UTF-8 bytes, as browsers do', async () => {
    let seen: Buffer | undefined;
    const { url } = await serve((req, res) => {
      const raw = req.rawHeaders.findIndex((h) => h.toLowerCase() === 'last-event-id');
      if (raw >= 0) seen = Buffer.from(req.rawHeaders[raw + 1], 'latin1');
      res.writeHead(200, { 'Content-Type': 'text/event-stream' });
      res.write('id: ✓-2\ndata: b\n\n');
    });
    const obs = await reconnectSse(url, '✓-1 日本', { headers: {}, timeoutMs: 1000, elapsed });
    expect(obs.error).toBeUndefined();
    expect(obs.notSent).toBeUndefined();
    expect(seen?.toString('utf8')).toBe('✓-1 日本');
    expect(obs.firstEventId).toBe('✓-2');
  });

  test('an id no header can carry is not sent, and says why', async () => {
    expect(encodeLastEventId('a\u0001b')).toEqual({ notSent: expect.stringContaining('U+0001') });
    const obs = await reconnectSse('http://127.0.0.1:9/events', 'a\u0001b', {
      headers: {},
      timeoutMs: 500,
      elapsed,
    });
    expect(obs.notSent).toContain('control character');
    expect(obs.status).toBeUndefined();
  });

  test('a 1 MiB event, comment and line are stored clipped to MAX_STORED_TEXT, and parsing goes on', async () => {
    const big = 'x'.repeat(1 << 20);
    const { url } = await serve((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/event-stream' });
      res.end(`id: 1\ndata: ${big}\n\n: ${big}\nid: 2\ndata: small\n\n`);
    });
    // The server ends the stream once all is written, so the watch ends there, however slow the machine.
    const obs = await watchSse(url, { ...base, durationMs: 30_000 });
    expect(obs.events.map((e) => e.data.length)).toEqual([MAX_STORED_TEXT, 5]);
    expect(obs.events[1]).toMatchObject({ id: '2', data: 'small' });
    expect(obs.comments.map((c) => c.text.length)).toEqual([MAX_STORED_TEXT]);
  });

  test('asks for gzip, deflate, br by default and identity when told; decodes gzip as it arrives', async () => {
    const asked: string[] = [];
    const { url } = await serve((req, res) => {
      asked.push(String(req.headers['accept-encoding']));
      const gzip = zlib.createGzip();
      res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Content-Encoding': 'gzip' });
      gzip.pipe(res);
      // Four events, each flushed on its own, then the end: the watch sees them all however slow the
      // machine, and ends when the stream does.
      let n = 0;
      const timer = setInterval(() => {
        gzip.write(`id: ${++n}\ndata: {"n":${n}}\n\n`);
        gzip.flush();
        if (n === 4) {
          clearInterval(timer);
          gzip.end();
        }
      }, 50);
      res.on('close', () => clearInterval(timer));
    });
    const obs = await watchSse(url, { ...base, durationMs: 30_000 });
    await watchSse(url, { ...base, durationMs: 100, acceptEncoding: 'identity' });
    expect(asked).toEqual(['gzip, deflate, br', 'identity']);
    expect(obs.contentEncoding).toBe('gzip');
    expect(obs.events.length).toBeGreaterThanOrEqual(3);
    expect(obs.events[0]).toMatchObject({ id: '1', data: '{"n":1}' });
    // Decoded event by event, not at the end: the events came in different chunks.
    expect(new Set(obs.events.map((e) => e.atMs)).size).toBe(obs.events.length);
  });

  test('the sample app in gzip-no-flush mode delivers nothing decodable until the stream ends', async () => {
    const gz = await startApp({ TICK_MS: '50', HEARTBEAT_MS: '0', STREAM_APP_FAULT: 'gzip-no-flush' });
    const obs = await watchSse(`http://127.0.0.1:${gz.port}/events?count=6`, {
      ...base,
      durationMs: 2000,
    });
    expect(obs.contentEncoding).toBe('gzip');
    expect(obs.events).toHaveLength(6);
    expect(obs.endedMs).toBeDefined();
    expect(new Set(obs.events.map((e) => e.atMs)).size).toBe(1);
    const plain = await watchSse(`http://127.0.0.1:${gz.port}/events?count=2`, {
      ...base,
      acceptEncoding: 'identity',
    });
    expect(plain.contentEncoding).toBeUndefined();
    expect(plain.events).toHaveLength(2);
  });

  test('the sample app in heartbeat-only mode sends comments and no events', async () => {
    const hb = await startApp({ HEARTBEAT_MS: '100', STREAM_APP_FAULT: 'heartbeat-only' });
    const obs = await watchSse(`http://127.0.0.1:${hb.port}/events`, { ...base, durationMs: 450 });
    expect(obs.events).toHaveLength(0);
    expect(obs.comments.length).toBeGreaterThanOrEqual(3);
    expect(obs.comments[0].atMs - obs.startMs).toBeLessThan(300);
  });
});

test('past the duration, a heartbeat ends the wait for a first event only when comments are liveness', async () => {
  const hb = await startApp({ HEARTBEAT_MS: '250', STREAM_APP_FAULT: 'heartbeat-only' });
  const url = `http://127.0.0.1:${hb.port}/events`;
  const opts = { ...base, durationMs: 100, firstEventTimeoutMs: 900 };
  const [liveness, events] = await Promise.all([
    watchSse(url, { ...opts, commentsAreLiveness: true }),
    watchSse(url, opts),
  ]);
  // The first heartbeat comes at once, so the liveness watch stops at its duration; the other waits on.
  expect(liveness.stoppedMs - liveness.startMs).toBeLessThan(600);
  expect(events.stoppedMs - events.startMs).toBeGreaterThanOrEqual(850);
  expect(events.comments.length).toBeGreaterThan(liveness.comments.length);
});
