// probeGrpc against the real gRPC sample server (examples/stream-app/grpc-server.mjs) run as a child
// process in each mode, against in-process grpc-js servers that misbehave, and against servers that are not
// gRPC; the hand-written codec is checked against protobufjs.
import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import http2 from 'node:http2';
import net from 'node:net';
import path from 'node:path';
import { Metadata, Server, ServerCredentials, status, type ServerWritableStream } from '@grpc/grpc-js';
import protobuf from 'protobufjs';
import {
  decodeHealthCheckResponse,
  encodeHealthCheckRequest,
  probeGrpc,
} from '../../src/adapters/grpc-probe';
import { judgeGrpc } from '../../src/core/grpc-verdict';
import { canConnect, findFreePort, sleep } from '../examples/app-process';
import { limiter } from '../support/concurrent-cases';

const SERVER = path.resolve(process.cwd(), 'examples/stream-app/grpc-server.mjs');
const children = new Set<ChildProcess>();
// The cases run side by side; at most two of their apps start at once (support/concurrent-cases.ts).
const starts = limiter(2);

async function startGrpcApp(env: Record<string, string>): Promise<{ url: string; port: number }> {
  const port = await findFreePort();
  await starts(async () => {
    const child = spawn(process.execPath, [SERVER], {
      env: { PATH: process.env.PATH ?? '', PORT: String(port), ...env },
      stdio: 'ignore',
    });
    children.add(child);
    child.once('exit', () => children.delete(child));
    const giveUpAt = Date.now() + 30_000;
    while (!(await canConnect(port))) {
      if (Date.now() > giveUpAt) throw new Error(`grpc-server did not listen on ${port}`);
      await sleep(20);
    }
  });
  return { url: `http://127.0.0.1:${port}`, port };
}

const forwarders: net.Server[] = [];
afterAll(() => forwarders.forEach((s) => s.close()));

/**
 * A port that refuses connections for `delayMs`, then forwards them to `target`: a fresh instance that is
 * not listening yet, whose wait does not depend on how long a process takes to start on a busy machine.
 */
async function listensLater(target: number, delayMs: number): Promise<string> {
  const port = await findFreePort();
  const server = net.createServer((client) => {
    const upstream = net.connect(target, '127.0.0.1');
    client.pipe(upstream).pipe(client);
    const close = () => (client.destroy(), upstream.destroy());
    client.on('error', close);
    upstream.on('error', close);
  });
  setTimeout(() => server.listen(port, '127.0.0.1'), delayMs);
  forwarders.push(server);
  return `http://127.0.0.1:${port}`;
}
afterAll(async () => {
  await Promise.all(
    [...children].map(
      (child) =>
        new Promise((resolve) => {
          child.once('exit', resolve);
          child.kill('SIGKILL');
        }),
    ),
  );
});

// Node fires a timer by its loop clock, which can run up to a millisecond ahead of performance.now()
// (measured: 3 % of timers on an idle process, 30 % beside other work), so a watch the probe's own timer
// ended can read 1 ms short on that clock; the probe decides `stayedOpen` by its timer, and the length is
// checked with that millisecond allowed.
const TIMER_SLACK_MS = 1;
const WATCH = { durationMs: 600, deadlineMs: 2000 };
const CRITERIA = { durationMs: WATCH.durationMs, firstEventTimeoutMs: WATCH.deadlineMs };

// Each case starts its own app process, so most run side by side.
describe('probeGrpc against examples/stream-app/grpc-server.mjs', () => {
  it('sees SERVING from Check and Watch, the revision, and a Watch that stays open', async () => {
    const app = await startGrpcApp({ K_REVISION: 'api-00002-abc' });
    const obs = await probeGrpc(app.url, WATCH);
    expect(obs.tls).toBe(false);
    expect(obs.check).toMatchObject({ attempts: 1, status: 'SERVING', revision: 'api-00002-abc' });
    expect(obs.check.contentType).toMatch(/^application\/grpc/);
    expect(obs.watch.messages.map((m) => m.status)).toEqual(['SERVING']);
    expect(obs.watch).toMatchObject({ stayedOpen: true, revision: 'api-00002-abc' });
    expect(obs.watch.endedMs).toBeUndefined();
    expect(obs.watch.stoppedMs - obs.watch.startMs).toBeGreaterThanOrEqual(WATCH.durationMs - TIMER_SLACK_MS);
    expect(judgeGrpc(obs, CRITERIA).verdict).toBe('pass');
  });

  it.concurrent('sees NOT_SERVING', async () => {
    const app = await startGrpcApp({ GRPC_HEALTH_STATUS: 'NOT_SERVING' });
    const obs = await probeGrpc(app.url, WATCH);
    expect(obs.check.status).toBe('NOT_SERVING');
    expect(obs.watch.messages[0]?.status).toBe('NOT_SERVING');
    const j = judgeGrpc(obs, CRITERIA);
    expect(j.verdict).toBe('fail');
    expect(j.checks.find((c) => c.name === 'grpc-health')?.detail).toContain('NOT_SERVING');
  });

  it.concurrent('sees UNIMPLEMENTED from a server without the health service, answered by gRPC', async () => {
    const app = await startGrpcApp({ GRPC_NO_HEALTH: '1' });
    const obs = await probeGrpc(app.url, WATCH);
    expect(obs.check.error).toMatchObject({ codeName: 'UNIMPLEMENTED', answered: true });
    expect(obs.check.error?.httpStatus).toBeUndefined();
    expect(obs.check.contentType).toMatch(/^application\/grpc/);
    expect(obs.watch.error?.codeName).toBe('UNIMPLEMENTED');
    expect(obs.watch.stayedOpen).toBe(false);
    const j = judgeGrpc(obs, CRITERIA);
    expect(j.verdict).toBe('fail');
    expect(j.checks[0].detail).toContain('grpc.health.v1.Health');
  });

  it.concurrent('sees the status change on Watch when the app turns NOT_SERVING', async () => {
    const app = await startGrpcApp({ GRPC_NOT_SERVING_AFTER_MS: '700' });
    const obs = await probeGrpc(app.url, { durationMs: 1500, deadlineMs: 2000 });
    expect(obs.check.status).toBe('SERVING');
    expect(obs.watch.messages.map((m) => m.status)).toEqual(['SERVING', 'NOT_SERVING']);
    expect(judgeGrpc(obs, { durationMs: 1500, firstEventTimeoutMs: 2000 }).checks[1].ok).toBe(false);
  });

  // The app is up before the probe starts; the probe's address refuses connections for 600 ms first (a
  // process's own start time on a busy machine is no part of what this case checks).
  it('retries Check while a fresh instance is not listening yet', async () => {
    const app = await startGrpcApp({});
    const url = await listensLater(app.port, 600);
    const obs = await probeGrpc(url, { durationMs: 300, deadlineMs: 5000 });
    expect(obs.check.attempts).toBeGreaterThan(1);
    expect(obs.check.status).toBe('SERVING');
    expect(obs.watch.stayedOpen).toBe(true);
  });
});

// Each case has its own server (or none), so the cases run side by side.
describe('probeGrpc against what is not a healthy gRPC server', () => {
  const servers: Array<{ close(): void }> = [];
  afterAll(() => servers.forEach((s) => s.close()));

  async function listen(server: net.Server | http.Server | http2.Http2Server): Promise<string> {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    servers.push(server);
    return `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
  }

  it.concurrent('fails, without retrying, an HTTP/1.1 server that does not speak HTTP/2', async () => {
    const server = http.createServer((_req, res) => res.end('hello'));
    const url = await listen(server);
    const obs = await probeGrpc(url, WATCH);
    expect(obs.check.attempts).toBe(1);
    expect(obs.check.error?.codeName).toBe('UNAVAILABLE');
    const j = judgeGrpc(obs, CRITERIA);
    expect(j.verdict).toBe('fail');
    expect(j.checks[0].detail).toContain('does not speak HTTP/2');
    server.closeAllConnections();
  });

  it.concurrent(
    'tells a 404 from an HTTP/2 server that is not gRPC apart from a missing health service',
    async () => {
      const server = http2.createServer();
      server.on('stream', (stream) => {
        stream.respond({ ':status': 404, 'content-type': 'text/plain' });
        stream.end('not found');
      });
      const url = await listen(server);
      const obs = await probeGrpc(url, WATCH);
      expect(obs.check.error).toMatchObject({ codeName: 'UNIMPLEMENTED', httpStatus: 404, answered: true });
      expect(obs.check.contentType).toBe('text/plain');
      const j = judgeGrpc(obs, CRITERIA);
      expect(j.verdict).toBe('fail');
      expect(j.checks[0].detail).toContain('not a gRPC answer');
      expect(j.checks[0].detail).not.toContain('grpc-health-check');
    },
  );

  it.concurrent('is inconclusive, and resolves, when nothing listens', async () => {
    const port = await findFreePort();
    const obs = await probeGrpc(`http://127.0.0.1:${port}`, { durationMs: 300, deadlineMs: 800 });
    expect(obs.check.error).toMatchObject({ codeName: 'UNAVAILABLE', answered: false });
    expect(obs.check.error?.details).toContain('ECONNREFUSED');
    expect(judgeGrpc(obs, CRITERIA).verdict).toBe('inconclusive');
  });

  it.concurrent(
    'a retry the deadline cuts short keeps the refusal before it (a busy runner), and says so',
    async () => {
      // The first connection is reset (UNAVAILABLE, never answered); on every later one the HTTP/2 server
      // takes the call and never answers it, so the try on it can only end at the deadline.
      let connections = 0;
      const sockets = new Set<net.Socket>();
      const server = http2.createServer();
      server.on('connection', (socket: net.Socket) => {
        sockets.add(socket);
        if (++connections === 1) socket.resetAndDestroy();
      });
      server.on('stream', () => undefined);
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const { port } = server.address() as net.AddressInfo;
      try {
        const obs = await probeGrpc(`http://127.0.0.1:${port}`, { durationMs: 300, deadlineMs: 2500 });
        expect(connections).toBeGreaterThanOrEqual(2);
        expect(obs.check.attempts).toBeGreaterThanOrEqual(2);
        expect(obs.check.error).toMatchObject({ codeName: 'UNAVAILABLE', answered: false });
        expect(obs.check.error?.details).toMatch(/\(try \d+ ran out of the deadline\)$/);
      } finally {
        for (const socket of sockets) socket.destroy();
        await new Promise((resolve) => server.close(resolve));
      }
    },
  );

  it.concurrent('speaks TLS to an https URL (here a handshake an h2c server cannot answer)', async () => {
    const app = await startGrpcApp({});
    const obs = await probeGrpc(`https://127.0.0.1:${app.port}`, { durationMs: 300, deadlineMs: 800 });
    expect(obs.tls).toBe(true);
    expect(obs.check.status).toBeUndefined();
    expect(obs.check.error?.answered).toBe(false);
  });

  it.concurrent('never rejects on a URL it cannot use', async () => {
    const obs = await probeGrpc('ftp://example.test/', WATCH);
    expect(obs.check.error?.codeName).toBe('INVALID_ARGUMENT');
    expect(judgeGrpc(obs, CRITERIA).verdict).toBe('fail');
  });
});

describe('probeGrpc against an in-process grpc-js server', () => {
  const servers: Server[] = [];
  afterAll(() => servers.forEach((server) => server.forceShutdown()));

  // One server per case, so the cases can run side by side: what a server records and how its Watch
  // behaves are not shared.
  async function healthServer(
    watchMode: 'end-early' | 'silent' | 'normal',
  ): Promise<{ url: string; seen: Array<string | undefined> }> {
    const seen: Array<string | undefined> = [];
    const server = new Server();
    servers.push(server);
    const common = {
      requestStream: false,
      requestSerialize: (b: Buffer) => b,
      requestDeserialize: (b: Buffer) => b,
      responseSerialize: (m: { status: number }) => protobufResponse.encode(m).finish() as Buffer,
      responseDeserialize: decodeHealthCheckResponse,
    };
    server.addService(
      {
        check: {
          ...common,
          path: '/grpc.health.v1.Health/Check',
          responseStream: false,
          originalName: 'Check',
        },
        watch: {
          ...common,
          path: '/grpc.health.v1.Health/Watch',
          responseStream: true,
          originalName: 'Watch',
        },
      },
      {
        check: (call: { metadata: Metadata }, callback: (e: null, v: { status: number }) => void) => {
          seen.push(call.metadata.get('authorization')[0] as string | undefined);
          callback(null, { status: 1 });
        },
        watch: (call: ServerWritableStream<Buffer, { status: number }>) => {
          if (watchMode === 'silent') return;
          call.write({ status: 1 });
          if (watchMode === 'end-early') setTimeout(() => call.end(), 100);
        },
      },
    );
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (e, p) =>
        e ? reject(e) : resolve(p),
      ),
    );
    return { url: `http://127.0.0.1:${port}`, seen };
  }

  it.concurrent('sends the ID token as authorization metadata only when given', async () => {
    const { url, seen } = await healthServer('normal');
    await probeGrpc(url, { durationMs: 100, deadlineMs: 1000, idToken: 'tok-123' });
    await probeGrpc(url, { durationMs: 100, deadlineMs: 1000 });
    expect(seen).toEqual(['Bearer tok-123', undefined]);
  });

  it.concurrent('records a Watch the server ends early', async () => {
    const { url } = await healthServer('end-early');
    const obs = await probeGrpc(url, { durationMs: 600, deadlineMs: 1000 });
    expect(obs.watch.messages).toHaveLength(1);
    expect(obs.watch.endedMs).toBeDefined();
    expect(obs.watch.error).toBeUndefined();
    expect(obs.watch.stayedOpen).toBe(false);
    expect(judgeGrpc(obs, { durationMs: 600, firstEventTimeoutMs: 1000 }).checks[1].detail).toContain(
      'was ended by the server',
    );
  });

  it('waits for a first status until the deadline, then stops', async () => {
    const { url } = await healthServer('silent');
    const obs = await probeGrpc(url, { durationMs: 200, deadlineMs: 700 });
    expect(obs.watch.messages).toHaveLength(0);
    expect(obs.watch.stoppedMs - obs.watch.startMs).toBeGreaterThanOrEqual(700 - TIMER_SLACK_MS);
    expect(obs.deadlineHit).toBe(false);
    expect(judgeGrpc(obs, { durationMs: 200, firstEventTimeoutMs: 700 }).checks[1].ok).toBe(false);
  });
});

// The protobuf schema of grpc/health/v1/health.proto, for cross-checking the hand-written codec.
const root = protobuf.Root.fromJSON({
  nested: {
    HealthCheckRequest: { fields: { service: { type: 'string', id: 1 } } },
    HealthCheckResponse: { fields: { status: { type: 'int32', id: 1 }, extra: { type: 'string', id: 7 } } },
  },
});
const protobufRequest = root.lookupType('HealthCheckRequest');
const protobufResponse = root.lookupType('HealthCheckResponse');

describe('the health messages', () => {
  it.each(['', 'shop.Cart', 'ünïcode-ßervice', 'x'.repeat(300)])(
    'encodes HealthCheckRequest %#',
    (service) => {
      const bytes = encodeHealthCheckRequest({ service });
      // proto3 leaves a default ('') off the wire; protobufjs's JSON schema writes it, both decode alike.
      if (service !== '') expect(Buffer.from(protobufRequest.encode({ service }).finish())).toEqual(bytes);
      else expect(bytes).toHaveLength(0);
      expect((protobufRequest.decode(bytes) as unknown as { service: string }).service).toBe(service);
    },
  );

  it.each([0, 1, 2, 3, 300])('decodes HealthCheckResponse status %i, skipping unknown fields', (value) => {
    const bytes = Buffer.from(protobufResponse.encode({ extra: 'ignored', status: value }).finish());
    expect(decodeHealthCheckResponse(bytes)).toEqual({ status: value });
  });

  it('throws on a malformed message (grpc-js turns it into an INTERNAL error)', () => {
    expect(() => decodeHealthCheckResponse(Buffer.from([0x0a, 0x05, 0x41]))).toThrow(/truncated/);
  });

  it('keeps grpc-js status names for the codes the verdict reads', () => {
    expect([status[12], status[14]]).toEqual(['UNIMPLEMENTED', 'UNAVAILABLE']);
  });
});
