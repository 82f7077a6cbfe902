// The probes behind a proxy (self-hosted runners): HTTPS_PROXY / NO_PROXY chosen as the Google API client
// chooses them, plain http sent in absolute form, https and WebSocket through a CONNECT tunnel. Over real
// HTTP on 127.0.0.1, against a tiny proxy that records what it was asked.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net, { type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { WebSocketServer } from 'ws';
import { chooseProxy, probeHttp, TunnelAgent } from '../../src/adapters/http-probe';
import { watchSse } from '../../src/adapters/sse-probe';
import { watchWebSocket } from '../../src/adapters/websocket-probe';

const start = performance.now();
const elapsed = () => performance.now() - start;
const closers: Array<() => Promise<void>> = [];

afterAll(async () => {
  for (const close of closers) await close();
});

async function listen(server: http.Server | https.Server | WebSocketServer | net.Server): Promise<number> {
  if (server instanceof WebSocketServer) {
    await new Promise((resolve) => server.once('listening', resolve));
    closers.push(() => new Promise((resolve) => server.close(() => resolve())));
    return (server.address() as AddressInfo).port;
  }
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const sockets = new Set<net.Socket>();
  server.on('connection', (s: net.Socket) => sockets.add(s));
  closers.unshift(async () => {
    sockets.forEach((s) => s.destroy());
    (server as http.Server).closeAllConnections?.();
    await new Promise((resolve) => server.close(resolve));
  });
  return (server.address() as AddressInfo).port;
}

/** A forward proxy: absolute-form GETs forwarded, CONNECT tunnelled; it records each request line. */
async function startProxy(): Promise<{ url: string; seen: string[] }> {
  const seen: string[] = [];
  const proxy = http.createServer((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    const upstream = http.request(req.url!, { method: req.method, headers: req.headers }, (up) => {
      res.writeHead(up.statusCode!, up.headers);
      up.pipe(res);
    });
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  const tunnels = new Set<net.Socket>();
  closers.push(async () => tunnels.forEach((s) => s.destroy()));
  proxy.on('connect', (req, client: net.Socket, head) => {
    seen.push(`CONNECT ${req.url}`);
    const [host, port] = req.url!.split(':');
    const upstream = net.connect(Number(port), host, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    tunnels.add(client).add(upstream);
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });
  return { url: `http://127.0.0.1:${await listen(proxy)}`, seen };
}

describe('chooseProxy', () => {
  const P = 'http://proxy.internal:3128';
  it.each([
    ['no proxy set', {}, 'https://api.a.run.app', undefined],
    ['HTTPS_PROXY', { HTTPS_PROXY: P }, 'https://api.a.run.app', P],
    ['lowercase, without scheme', { https_proxy: 'proxy.internal:3128' }, 'http://x.test/', P],
    ['HTTP_PROXY for every URL, as gaxios', { HTTP_PROXY: P }, 'https://api.a.run.app', P],
    ['NO_PROXY host', { HTTPS_PROXY: P, NO_PROXY: 'api.a.run.app' }, 'https://api.a.run.app/x', undefined],
    ['NO_PROXY suffix', { HTTPS_PROXY: P, NO_PROXY: 'x, .run.app' }, 'https://api.a.run.app', undefined],
    ['NO_PROXY *.suffix', { HTTPS_PROXY: P, no_proxy: '*.a.run.app' }, 'https://api.a.run.app', undefined],
    [
      'NO_PROXY host:port',
      { HTTPS_PROXY: P, NO_PROXY: '127.0.0.1:8080' },
      'http://127.0.0.1:8080/',
      undefined,
    ],
    ['NO_PROXY other port', { HTTPS_PROXY: P, NO_PROXY: '127.0.0.1:8081' }, 'http://127.0.0.1:8080/', P],
    ['NO_PROXY *', { HTTPS_PROXY: P, NO_PROXY: '*' }, 'https://api.a.run.app', undefined],
    ['NO_PROXY other host', { HTTPS_PROXY: P, NO_PROXY: 'run.app.evil' }, 'https://api.a.run.app', P],
  ])('%s', (_name, env, url, expected) => {
    expect(chooseProxy(url, env)?.origin).toBe(expected === undefined ? undefined : new URL(expected).origin);
  });
});

describe('probes through a proxy', () => {
  test('SSE over plain http goes to the proxy in absolute form; NO_PROXY reaches the app directly', async () => {
    const app = http.createServer((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/event-stream' });
      res.write('id: 1\ndata: a\n\n');
    });
    const port = await listen(app);
    const proxy = await startProxy();
    const url = `http://127.0.0.1:${port}/events`;
    const base = { headers: {}, durationMs: 300, firstEventTimeoutMs: 300, elapsed };
    const viaProxy = await watchSse(url, { ...base, env: { HTTPS_PROXY: proxy.url } });
    expect(viaProxy.events).toEqual([expect.objectContaining({ id: '1', data: 'a' })]);
    expect(proxy.seen).toEqual([`GET ${url}`]);
    const direct = await watchSse(url, { ...base, env: { HTTPS_PROXY: proxy.url, NO_PROXY: '127.0.0.1' } });
    expect(direct.events).toHaveLength(1);
    expect(proxy.seen).toHaveLength(1);
  });

  test('WebSocket goes through a CONNECT tunnel', async () => {
    const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    wss.on('connection', (socket) => socket.send('tick'));
    const port = await listen(wss);
    const proxy = await startProxy();
    const obs = await watchWebSocket(`http://127.0.0.1:${port}/ws`, {
      headers: {},
      durationMs: 300,
      firstEventTimeoutMs: 300,
      elapsed,
      closeTimeoutMs: 200,
      env: { HTTPS_PROXY: proxy.url },
    });
    expect(obs.upgradeStatus).toBe(101);
    expect(obs.messages.map((m) => m.data)).toEqual(['tick']);
    expect(proxy.seen).toEqual([`CONNECT 127.0.0.1:${port}`]);
  });

  test('https goes through a CONNECT tunnel with TLS to the target inside it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'probe-tls-'));
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=localhost',
        '-addext',
        'subjectAltName=DNS:localhost',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
      ],
      { stdio: 'ignore' },
    );
    const cert = readFileSync(join(dir, 'cert.pem'));
    const server = https.createServer({ key: readFileSync(join(dir, 'key.pem')), cert }, (_req, res) =>
      res.end('secure'),
    );
    const port = await listen(server);
    const proxy = await startProxy();
    const body = await new Promise<string>((resolve, reject) => {
      const req = https.get(
        `https://localhost:${port}/`,
        { agent: new TunnelAgent(new URL(proxy.url), true), ca: cert },
        (res) => {
          let text = '';
          res.on('data', (c: Buffer) => (text += c.toString()));
          res.on('end', () => resolve(text));
        },
      );
      req.on('error', reject);
    });
    expect(body).toBe('secure');
    expect(proxy.seen).toEqual([`CONNECT localhost:${port}`]);
  });

  test('a proxy that refuses CONNECT is a connect-stage error naming the proxy; a bad HTTPS_PROXY is reported, not thrown', async () => {
    const refusing = http.createServer();
    refusing.on('connect', (_req, socket: net.Socket) => socket.end('HTTP/1.1 403 Forbidden\r\n\r\n'));
    const port = await listen(refusing);
    const obs = await watchWebSocket('https://api.a.run.app/ws', {
      headers: {},
      durationMs: 300,
      firstEventTimeoutMs: 300,
      elapsed,
      env: { HTTPS_PROXY: `http://127.0.0.1:${port}` },
    });
    expect(obs.error?.message).toContain('answered CONNECT api.a.run.app:443 with HTTP 403');
    const saved = process.env.HTTPS_PROXY;
    process.env.HTTPS_PROXY = 'http://::bad';
    try {
      const bad = await probeHttp('http://127.0.0.1:9/', { headers: {}, timeoutMs: 500, elapsed });
      expect(bad.error?.message).toContain('HTTPS_PROXY (or HTTP_PROXY) is not a URL');
    } finally {
      if (saved === undefined) delete process.env.HTTPS_PROXY;
      else process.env.HTTPS_PROXY = saved;
    }
  });
});
