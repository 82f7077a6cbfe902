// The WebSocket probe's recording, over real sockets on 127.0.0.1: against the sample app as a real process,
// and against tiny local servers for what the app never does (binary frames, a dropped connection).
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { WebSocketServer } from 'ws';
import {
  clippedText,
  MAX_STORED_TEXT,
  toWebSocketUrl,
  watchWebSocket,
} from '../../src/adapters/websocket-probe';
import { findFreePort, killAllApps, startApp, type AppProcess } from '../examples/app-process';

const start = performance.now();
const elapsed = () => performance.now() - start;
const base = { headers: {}, durationMs: 700, firstEventTimeoutMs: 700, elapsed, pingIntervalMs: 200 };

let app: AppProcess;
let noEcho: AppProcess;
const servers: http.Server[] = [];
const socketServers: WebSocketServer[] = [];

beforeAll(async () => {
  [app, noEcho] = await Promise.all([
    startApp({ TICK_MS: '50' }),
    startApp({ TICK_MS: '50', STREAM_APP_FAULT: 'ws-no-echo' }),
  ]);
});

afterAll(async () => {
  // Upgraded sockets are not the HTTP server's connections any more: end them through ws.
  for (const wss of socketServers) {
    for (const client of wss.clients) client.terminate();
    wss.close();
  }
  for (const server of servers) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
  await killAllApps();
});

// A local WebSocket server whose connection handler does what the test needs.
async function serveSockets(onSocket: (ws: import('ws').WebSocket, req: http.IncomingMessage) => void) {
  const server = http.createServer();
  servers.push(server);
  const wss = new WebSocketServer({ server });
  socketServers.push(wss);
  wss.on('connection', onSocket);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

test.each([
  ['http://h:1/ws?x=1', 'ws://h:1/ws?x=1'],
  ['https://svc.a.run.app/ws', 'wss://svc.a.run.app/ws'],
])('%s becomes %s', (input, output) => {
  expect(toWebSocketUrl(input)).toBe(output);
});

test('records the upgrade, ticks, the echo of what it sent, pongs, and a clean client close', async () => {
  const obs = await watchWebSocket(`http://127.0.0.1:${app.port}/ws`, { ...base, send: 'hello' });
  expect(obs.url).toBe(`ws://127.0.0.1:${app.port}/ws`);
  expect(obs.upgradeStatus).toBe(101);
  expect(obs.error).toBeUndefined();
  expect(obs.openMs).toBeDefined();
  expect(obs.sentMs).toBeGreaterThanOrEqual(obs.openMs!);
  const echo = obs.messages.find((m) => m.data === 'echo:hello');
  expect(echo?.atMs).toBeGreaterThanOrEqual(obs.sentMs!);
  expect(obs.messages.filter((m) => m.data.includes('"type":"tick"')).length).toBeGreaterThanOrEqual(3);
  expect(obs.pingsSentMs.length).toBeGreaterThanOrEqual(2);
  expect(obs.pongsMs.length).toBeGreaterThanOrEqual(1);
  expect(obs.close).toMatchObject({ by: 'client', code: 1000, clean: true });
});

test('without an echo, only ticks come back (ws-no-echo)', async () => {
  const obs = await watchWebSocket(`http://127.0.0.1:${noEcho.port}/ws`, { ...base, send: 'hello' });
  expect(obs.messages.length).toBeGreaterThan(0);
  expect(obs.messages.some((m) => m.data.startsWith('echo:'))).toBe(false);
});

test('a close started by the server is recorded with its code and reason', async () => {
  const obs = await watchWebSocket(`http://127.0.0.1:${app.port}/ws`, { ...base, send: 'close' });
  expect(obs.close).toMatchObject({ by: 'server', code: 1000, reason: 'bye', clean: true });
  expect(obs.close!.atMs).toBeLessThan(obs.startMs + base.durationMs);
});

test('a refused upgrade records its HTTP status as an upgrade-stage error', async () => {
  const obs = await watchWebSocket(`http://127.0.0.1:${app.port}/nope`, base);
  expect(obs.upgradeStatus).toBe(404);
  expect(obs.error).toMatchObject({ stage: 'upgrade' });
  expect(obs.openMs).toBeUndefined();
  expect(obs.close).toBeUndefined();
});

test('a refused connection is a connect-stage error', async () => {
  const obs = await watchWebSocket(`http://127.0.0.1:${await findFreePort()}/ws`, base);
  expect(obs.error).toMatchObject({ stage: 'connect', code: 'ECONNREFUSED' });
  expect(obs.upgradeStatus).toBeUndefined();
});

test('a connection dropped without a close frame is a network close, not clean', async () => {
  const url = await serveSockets((ws) => setTimeout(() => ws.terminate(), 100));
  const obs = await watchWebSocket(url, base);
  expect(obs.upgradeStatus).toBe(101);
  expect(obs.close).toMatchObject({ by: 'network', clean: false });
  expect(obs.close!.code).toBeUndefined();
});

test('binary messages are recorded by size; handshake headers are sent', async () => {
  let authorization: string | undefined;
  const url = await serveSockets((ws, req) => {
    authorization = req.headers.authorization;
    ws.send(Buffer.from([1, 2, 3]));
  });
  const obs = await watchWebSocket(url, { ...base, durationMs: 300, headers: { Authorization: 'Bearer x' } });
  expect(obs.messages.map((m) => m.data)).toEqual(['<binary 3 bytes>']);
  expect(authorization).toBe('Bearer x');
});

test('a server that never answers the close frame leaves an unclean client close', async () => {
  const url = await serveSockets((ws) => {
    // Swallow the close frame: the socket's own close handling is bypassed by pausing it.
    (ws as unknown as { _socket: import('node:net').Socket })._socket.pause();
  });
  const obs = await watchWebSocket(url, { ...base, durationMs: 200, closeTimeoutMs: 300 });
  expect(obs.close).toMatchObject({ by: 'client', clean: false });
});

describe('issue 12: messages clipped as they are read', () => {
  test('a 1 MiB message (whole or fragmented) is decoded from its first bytes only and stored clipped', () => {
    const big = Buffer.from('é'.repeat(1 << 19) + 'x'.repeat(1 << 19), 'utf8');
    const whole = clippedText(big);
    expect(whole).toHaveLength(MAX_STORED_TEXT);
    expect(whole).toBe('é'.repeat(MAX_STORED_TEXT));
    const fragments = [big.subarray(0, 5), big.subarray(5, 1 << 20), big.subarray(1 << 20)];
    expect(clippedText(fragments)).toBe(whole);
    expect(clippedText(Buffer.from('short'))).toBe('short');
  });

  test('stores a 1 MiB message from a live socket at MAX_STORED_TEXT characters', async () => {
    const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    wss.on('connection', (socket) => socket.send('m'.repeat(1 << 20)));
    await new Promise((resolve) => wss.once('listening', resolve));
    const port = (wss.address() as AddressInfo).port;
    const start = performance.now();
    const obs = await watchWebSocket(`http://127.0.0.1:${port}/ws`, {
      headers: {},
      durationMs: 300,
      firstEventTimeoutMs: 300,
      elapsed: () => performance.now() - start,
      closeTimeoutMs: 200,
    });
    await new Promise((resolve) => wss.close(resolve));
    expect(obs.messages.map((m) => m.data.length)).toEqual([MAX_STORED_TEXT]);
  });
});
