// One container instance = one local child process listening on its own free 127.0.0.1 port. Every live
// child is tracked so that the emulator never leaves orphans, even when its own process exits abruptly.
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import http2 from 'node:http2';
import type { ResolvedImage } from './image-catalogue';
import { groupListensOn } from './port-owner';

// One reaper per Node process that runs instances: a small child whose stdin is a pipe from this process.
// Each instance's process group is written to it when it starts (and struck off when it exits); when the
// pipe ends (this process died, even by SIGKILL, which no exit hook sees) it kills every group it holds.
// One reaper instead of a watchdog process per instance: half the processes, and the app is the child.
const REAPER = `
const groups = new Set();
let pending = '';
const reap = () => {
  for (const group of groups) { try { process.kill(-group, 'SIGKILL'); } catch {} }
  process.exit(0);
};
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => {
  const lines = (pending + chunk).split('\\n');
  pending = lines.pop();
  for (const line of lines) {
    if (line.startsWith('-')) groups.delete(Number(line.slice(1)));
    else if (line) groups.add(Number(line));
  }
});
process.stdin.on('end', reap);
process.stdin.on('error', reap);
for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP']) process.on(signal, reap);
`;

const live = new Set<ChildProcess>();
let exitHookInstalled = false;
let reaper: ChildProcess | undefined;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const child of live) killGroup(child, 'SIGKILL');
  });
}

/** Tells the reaper (started on first use, again if it died) to kill `group` if this process dies, or to forget it. */
function toReaper(line: string): void {
  if (!reaper || reaper.exitCode !== null || reaper.signalCode !== null) {
    reaper = spawn(process.execPath, ['-e', REAPER], { stdio: ['pipe', 'ignore', 'inherit'] });
    reaper.on('error', () => undefined);
    reaper.stdin!.on('error', () => undefined);
    // Neither the reaper nor its pipe keeps this process alive.
    reaper.unref();
    (reaper.stdin as unknown as { unref?: () => void }).unref?.();
  }
  reaper.stdin!.write(`${line}\n`);
}

// Each instance is its own process group (the app and anything it starts), so a signal reaches all of it.
function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    if (child.pid !== undefined) process.kill(-child.pid, signal);
  } catch {
    child.kill(signal);
  }
}

/**
 * Spawns a detached process (its own group) that the reaper kills if this process dies and that counts
 * in `livePids()` until it exits: for job tasks, which run to completion instead of listening.
 */
export function spawnReaped(
  command: string,
  args: string[],
  options: { cwd: string; env: Record<string, string> },
): ChildProcess {
  installExitHook();
  const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  live.add(child);
  const group = child.pid;
  if (group !== undefined) toReaper(String(group));
  const forget = (): void => {
    if (!live.delete(child)) return;
    if (group !== undefined) toReaper(`-${group}`);
  };
  child.on('exit', forget);
  child.on('error', forget);
  return child;
}

/** Sends `signal` to the process group of a child started by spawnReaped (or to the child alone). */
export function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  killGroup(child, signal);
}

/** Pids (process groups) of every instance still running under this Node process (for leak checks). */
export function livePids(): number[] {
  return [...live].map((child) => child.pid).filter((pid): pid is number => pid !== undefined);
}

/** A free TCP port on `host`, chosen by the OS. */
export function findFreePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, host, () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** An output line with its stream, or the instance's exit, for the Logging fake. */
export type InstanceEvent =
  | { kind: 'output'; stream: 'stdout' | 'stderr'; text: string; at: number }
  | { kind: 'exited'; code: number | null; signal: string | null; at: number };

export interface InstanceOptions {
  id: number;
  image: ResolvedImage;
  env: Record<string, string>;
  host: string;
  /** Prefix of every output line, e.g. `api-00001-abc#1`. */
  label: string;
  onLine: (line: string) => void;
  /** Each output line with its stream, and the exit (optional; the Logging fake listens here). */
  onEvent?: (event: InstanceEvent) => void;
  /** Time between SIGTERM and SIGKILL on stop. */
  killGraceMs: number;
}

export type StartOutcome = { ok: true } | { ok: false; kind: 'exited' | 'timeout'; detail: string };

/** A running (or starting) instance: its port, in-flight count and process. */
export class Instance {
  readonly id: number;
  port = 0;
  inFlight = 0;
  exited = false;
  private child?: ChildProcess;
  private exitPromise?: Promise<void>;
  private h2?: http2.ClientHttp2Session;

  constructor(private readonly options: InstanceOptions) {
    this.id = options.id;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Another process held the instance's port when it started (port-owner.ts): it is started again on a new port. */
  private collided = false;

  /** Spawns the process with PORT set and waits until it accepts TCP connections (Cloud Run's default startup probe). */
  async start(deadlineMs: number): Promise<StartOutcome> {
    for (let attempt = 1; ; attempt++) {
      const outcome = await this.startOnce(deadlineMs);
      if (outcome.ok || !this.collided || attempt >= 3) return outcome;
      this.collided = false;
      this.exited = false;
    }
  }

  private async startOnce(deadlineMs: number): Promise<StartOutcome> {
    installExitHook();
    const { image, host, label, onLine, onEvent } = this.options;
    this.port = await findFreePort(host);
    const env = { ...this.options.env, PORT: String(this.port) };
    const [command, ...args] = image.argv;
    const child = spawn(command, args, {
      cwd: image.cwd,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    this.child = child;
    live.add(child);
    const group = child.pid;
    if (group !== undefined) toReaper(String(group));
    let exitDetail = '';
    this.exitPromise = new Promise((resolve) => {
      // 'close' comes after the output is read, so a port collision is known before the exit is told.
      child.on('close', (code, signal) => {
        if (group !== undefined) toReaper(`-${group}`);
        exitDetail = signal ? `killed by ${signal}` : `exited with code ${code}`;
        if (!this.collided) onEvent?.({ kind: 'exited', code, signal, at: Date.now() });
        this.exited = true;
        live.delete(child);
        this.h2?.destroy();
        resolve();
      });
      child.on('error', (error) => {
        exitDetail = `could not start: ${error.message}`;
        onLine(`${label} ${exitDetail}`);
        this.exited = true;
        live.delete(child);
        resolve();
      });
    });
    for (const [name, stream] of [
      ['stdout', child.stdout],
      ['stderr', child.stderr],
    ] as const) {
      let partial = '';
      const emit = (line: string): void => {
        // Listening failed because another process took the chosen free port first: on Cloud Run the
        // container's port is its own, so this is never the app's failure (port-owner.ts).
        if (line.includes('EADDRINUSE')) this.collided = true;
        if (this.collided) return;
        onLine(`${label} ${line}`);
        onEvent?.({ kind: 'output', stream: name, text: line, at: Date.now() });
      };
      stream?.setEncoding('utf8');
      stream?.on('data', (chunk: string) => {
        const lines = (partial + chunk).split('\n');
        partial = lines.pop() ?? '';
        for (const line of lines) emit(line);
      });
      stream?.on('end', () => {
        if (partial) emit(partial);
      });
    }

    const deadline = Date.now() + deadlineMs;
    while (!this.exited) {
      if (await this.accepts()) {
        const own = group === undefined ? undefined : groupListensOn(group, this.port);
        if (own !== false) return { ok: true };
      }
      if (Date.now() >= deadline) {
        await this.stop();
        return {
          ok: false,
          kind: 'timeout',
          detail: `no listener on port ${this.port} after ${deadlineMs} ms`,
        };
      }
      await Promise.race([delay(50), this.exitPromise]);
    }
    await this.exitPromise;
    return { ok: false, kind: 'exited', detail: exitDetail };
  }

  private accepts(): Promise<boolean> {
    return new Promise((resolve) => {
      const socket = net.connect(this.port, this.options.host);
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
  }

  /** Resolves when the process has exited (for any reason). */
  whenExited(): Promise<void> {
    return this.exitPromise ?? Promise.resolve();
  }

  /** A shared HTTP/2 cleartext session to this instance (prior knowledge), for h2c revisions. */
  http2Session(): http2.ClientHttp2Session {
    if (!this.h2 || this.h2.closed || this.h2.destroyed) {
      const session = http2.connect(`http://${this.options.host}:${this.port}`);
      session.on('error', () => session.destroy());
      this.h2 = session;
    }
    return this.h2;
  }

  /** SIGTERM, then SIGKILL after the grace period; resolves when the process is gone. */
  async stop(): Promise<void> {
    this.h2?.destroy();
    const child = this.child;
    if (!child || this.exited) return;
    killGroup(child, 'SIGTERM');
    const timer = setTimeout(() => killGroup(child, 'SIGKILL'), this.options.killGraceMs);
    await this.exitPromise;
    clearTimeout(timer);
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
