// Runs examples/stream-app/server.mjs as a real child process on a fixed free port, the way Cloud Run
// (and the emulator's data plane) runs a container: PORT in the environment, readiness = port accepts.
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';

const SERVER = path.resolve(process.cwd(), 'examples/stream-app/server.mjs');

/** The Node binary that runs the app; set STREAM_APP_NODE to try another runtime (e.g. Node 24). */
const NODE = process.env.STREAM_APP_NODE ?? process.execPath;

export interface AppExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface AppProcess {
  child: ChildProcess;
  port: number;
  /** Epoch ms when the process was spawned. */
  spawnedAt: number;
  /** Everything the app printed so far. */
  stdout(): string;
  stderr(): string;
  /** Resolves when the process has exited. */
  exited: Promise<AppExit>;
}

const running = new Set<AppProcess>();

// A port that was free a moment ago: Cloud Run hands the container a fixed PORT, so the app cannot use 0.
export async function findFreePort(): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as net.AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

// Spawns the app with `env` on top of a minimal environment (PATH only), without waiting for it.
export async function spawnApp(env: Record<string, string>): Promise<AppProcess> {
  const port = Number(env.PORT ?? (await findFreePort()));
  const child = spawn(NODE, [SERVER], {
    env: { PATH: process.env.PATH ?? '', PORT: String(port), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const exited = new Promise<AppExit>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const app: AppProcess = {
    child,
    port,
    spawnedAt: Date.now(),
    stdout: () => out,
    stderr: () => err,
    exited,
  };
  running.add(app);
  void exited.then(() => running.delete(app));
  return app;
}

// True when something accepts TCP connections on 127.0.0.1:port right now.
export function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

// Polls until the app accepts connections; fails early if it exits, or after `deadlineMs`.
export async function waitForListening(app: AppProcess, deadlineMs = 5000): Promise<void> {
  const giveUpAt = Date.now() + deadlineMs;
  while (Date.now() < giveUpAt) {
    if (app.child.exitCode !== null || app.child.signalCode !== null) {
      throw new Error(`stream-app exited (${app.child.exitCode ?? app.child.signalCode}): ${app.stderr()}`);
    }
    // Its own "listening" line, not only an open port: another process may have taken the port in the
    // moment between findFreePort and the app's listen (the app then exits with EADDRINUSE).
    if (app.stdout().includes(' listening on ') && (await canConnect(app.port))) return;
    await sleep(20);
  }
  throw new Error(`stream-app did not listen on ${app.port} within ${deadlineMs} ms: ${app.stderr()}`);
}

// Spawns the app and waits until it listens.
export async function startApp(env: Record<string, string>): Promise<AppProcess> {
  for (let attempt = 1; ; attempt++) {
    const app = await spawnApp(env);
    try {
      await waitForListening(app);
      return app;
    } catch (error) {
      // A free port taken by another process before the app listened: try another, unless the caller chose it.
      const collided = app.stderr().includes('EADDRINUSE');
      if (!collided || env.PORT !== undefined || attempt >= 3) throw error;
    }
  }
}

// The exit, or undefined if the process is still running after `ms`.
export function exitWithin(app: AppProcess, ms: number): Promise<AppExit | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), ms)));
  return Promise.race([app.exited, timeout]).finally(() => clearTimeout(timer));
}

// Kills every app still running and waits for the exits, so Jest has no child processes left.
export async function killAllApps(): Promise<void> {
  const apps = [...running];
  for (const app of apps) app.child.kill('SIGKILL');
  await Promise.all(apps.map((app) => app.exited));
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
