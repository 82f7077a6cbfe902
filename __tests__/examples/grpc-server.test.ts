// The sample app's gRPC mode (examples/stream-app/grpc-server.mjs) as a real child process on h2c, checked
// with a grpc-js client: Check and Watch, the x-revision metadata, each env switch, SIGTERM.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { Client, Metadata, credentials, type ClientReadableStream, type ServiceError } from '@grpc/grpc-js';
import { decodeHealthCheckResponse, encodeHealthCheckRequest } from '../../src/adapters/grpc-probe';
import { canConnect, findFreePort, sleep } from './app-process';

const SERVER = path.resolve(process.cwd(), 'examples/stream-app/grpc-server.mjs');
const CHECK = '/grpc.health.v1.Health/Check';
const WATCH = '/grpc.health.v1.Health/Watch';

interface GrpcApp {
  child: ChildProcess;
  port: number;
  client: Client;
  output(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const apps = new Set<GrpcApp>();

async function spawnGrpcApp(env: Record<string, string>): Promise<GrpcApp> {
  const port = await findFreePort();
  const child = spawn(process.execPath, [SERVER], {
    env: { PATH: process.env.PATH ?? '', PORT: String(port), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (out += c.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const app: GrpcApp = {
    child,
    port,
    client: new Client(`127.0.0.1:${port}`, credentials.createInsecure()),
    output: () => out,
    exited,
  };
  apps.add(app);
  return app;
}

async function startGrpcApp(env: Record<string, string>): Promise<GrpcApp> {
  const app = await spawnGrpcApp(env);
  const giveUpAt = Date.now() + 5000;
  while (!(await canConnect(app.port))) {
    if (app.child.exitCode !== null) throw new Error(`grpc-server exited: ${app.output()}`);
    if (Date.now() > giveUpAt) throw new Error(`grpc-server did not listen: ${app.output()}`);
    await sleep(20);
  }
  return app;
}

afterAll(async () => {
  for (const app of apps) {
    app.client.close();
    if (app.child.exitCode === null && app.child.signalCode === null) app.child.kill('SIGKILL');
    await app.exited;
  }
});

function check(
  app: GrpcApp,
  service = '',
): Promise<{ status?: number; error?: ServiceError; revision?: string }> {
  return new Promise((resolve) => {
    let revision: string | undefined;
    const call = app.client.makeUnaryRequest(
      CHECK,
      encodeHealthCheckRequest,
      decodeHealthCheckResponse,
      { service },
      new Metadata(),
      { deadline: Date.now() + 3000 },
      (error, value) => resolve(error ? { error, revision } : { status: value?.status, revision }),
    );
    call.on('metadata', (md: Metadata) => (revision = md.get('x-revision')[0] as string | undefined));
  });
}

interface Watched {
  call: ClientReadableStream<{ status: number }>;
  statuses: number[];
  revision?: string;
  ended: boolean;
  error?: ServiceError;
  /** Resolves once `n` statuses have come (or the stream ended). */
  until(n: number): Promise<void>;
  done: Promise<void>;
}

function watch(app: GrpcApp, service = ''): Watched {
  const call = app.client.makeServerStreamRequest(
    WATCH,
    encodeHealthCheckRequest,
    decodeHealthCheckResponse,
    { service },
    new Metadata(),
    {},
  );
  const w: Watched = {
    call,
    statuses: [],
    ended: false,
    until: async (n) => {
      while (w.statuses.length < n && !w.ended) await sleep(10);
    },
    done: new Promise((resolve) => {
      call.on('end', () => {
        w.ended = true;
        resolve();
      });
      call.on('error', (error: ServiceError) => {
        w.error = error;
        w.ended = true;
        resolve();
      });
    }),
  };
  call.on('metadata', (md: Metadata) => (w.revision = md.get('x-revision')[0] as string | undefined));
  call.on('data', (m: { status: number }) => w.statuses.push(m.status));
  return w;
}

const SERVING = 1;
const NOT_SERVING = 2;
const SERVICE_UNKNOWN = 3;

describe('grpc-server.mjs', () => {
  it('answers Check SERVING with the revision in x-revision', async () => {
    const app = await startGrpcApp({ K_REVISION: 'api-00002-abc' });
    expect(await check(app)).toEqual({ status: SERVING, revision: 'api-00002-abc' });
  });

  it('streams SERVING on Watch and keeps the stream open', async () => {
    const app = await startGrpcApp({ K_REVISION: 'api-00002-abc' });
    const w = watch(app);
    await w.until(1);
    await sleep(500);
    expect(w.statuses).toEqual([SERVING]);
    expect(w.revision).toBe('api-00002-abc');
    expect(w.ended).toBe(false);
    w.call.cancel();
    await w.done;
  });

  it('answers NOT_FOUND on Check and SERVICE_UNKNOWN on Watch for a service it does not know', async () => {
    const app = await startGrpcApp({});
    const result = await check(app, 'shop.Cart');
    expect(result.error?.code).toBe(5);
    const w = watch(app, 'shop.Cart');
    await w.until(1);
    expect(w.statuses).toEqual([SERVICE_UNKNOWN]);
    w.call.cancel();
  });

  it('says NOT_SERVING with GRPC_HEALTH_STATUS=NOT_SERVING', async () => {
    const app = await startGrpcApp({ GRPC_HEALTH_STATUS: 'NOT_SERVING' });
    expect((await check(app)).status).toBe(NOT_SERVING);
    const w = watch(app);
    await w.until(1);
    expect(w.statuses).toEqual([NOT_SERVING]);
    w.call.cancel();
  });

  it('has no health service with GRPC_NO_HEALTH=1: UNIMPLEMENTED', async () => {
    const app = await startGrpcApp({ GRPC_NO_HEALTH: '1' });
    expect((await check(app)).error?.code).toBe(12);
    const w = watch(app);
    await w.done;
    expect(w.error?.code).toBe(12);
  });

  it('re-sends the status on Watch when it changes (GRPC_NOT_SERVING_AFTER_MS)', async () => {
    const app = await startGrpcApp({ GRPC_NOT_SERVING_AFTER_MS: '400' });
    const w = watch(app);
    await w.until(2);
    expect(w.statuses).toEqual([SERVING, NOT_SERVING]);
    expect(w.ended).toBe(false);
    expect((await check(app)).status).toBe(NOT_SERVING);
    w.call.cancel();
  });

  it('on SIGTERM tells watchers NOT_SERVING, ends their streams and exits 0', async () => {
    const app = await startGrpcApp({});
    const w = watch(app);
    await w.until(1);
    app.child.kill('SIGTERM');
    await w.done;
    expect(w.statuses).toEqual([SERVING, NOT_SERVING]);
    expect(w.error).toBeUndefined();
    expect(await app.exited).toEqual({ code: 0, signal: null });
    expect(app.output()).toContain('SIGTERM: shutting down');
  });

  it.each([
    [{ GRPC_HEALTH_STATUS: 'MAYBE' }, 'GRPC_HEALTH_STATUS="MAYBE"'],
    [{ GRPC_NOT_SERVING_AFTER_MS: 'soon' }, 'GRPC_NOT_SERVING_AFTER_MS="soon"'],
  ])('refuses a bad setting %j: exit 1 naming it', async (env, named) => {
    const app = await spawnGrpcApp(env);
    expect((await app.exited).code).toBe(1);
    expect(app.output()).toContain(named);
  });
});
