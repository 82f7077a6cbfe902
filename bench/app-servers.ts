// The sample app (examples/stream-app/server.mjs) as separate processes on 127.0.0.1 for the capacity
// bench, with their CPU time readable from /proc so a run can show the server was not the bottleneck.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';

export interface AppServer {
  url: string;
  pid: number;
  /** User + system CPU time used so far (from /proc/PID/stat), ms; undefined once it has exited. */
  cpuMs(): number | undefined;
  alive(): boolean;
  /** SIGTERM (the app ends its streams and exits within a second), SIGKILL after 3 s. */
  stop(): Promise<void>;
  /** The last lines the app wrote to stderr, for diagnostics. */
  stderrTail(): string;
}

export interface AppServerOptions {
  /** Repository root (examples/stream-app lives under it). */
  root: string;
  /** The app's TICK_MS: spacing of SSE events and WebSocket tick messages. */
  tickMs: number;
  clockTicksPerSecond: number;
}

/** Starts `count` app processes on free loopback ports and resolves once each answers /health. */
export async function startAppServers(count: number, options: AppServerOptions): Promise<AppServer[]> {
  const servers: AppServer[] = [];
  try {
    for (let i = 0; i < count; i++) servers.push(await startAppServer(i + 1, options));
  } catch (error) {
    await Promise.all(servers.map((s) => s.stop()));
    throw error;
  }
  return servers;
}

async function startAppServer(index: number, options: AppServerOptions): Promise<AppServer> {
  const port = await findFreePort();
  const child: ChildProcess = spawn(
    process.execPath,
    [join(options.root, 'examples/stream-app/server.mjs')],
    {
      env: {
        ...process.env,
        PORT: String(port),
        HOST: '127.0.0.1',
        TICK_MS: String(options.tickMs),
        K_REVISION: `bench-${index}`,
        STREAM_APP_FAULT: '',
      },
      // The app logs every request to stdout; a thousand lines a run are not worth a pipe.
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-2000)));
  let exited = child.exitCode !== null;
  const exit = new Promise<void>((resolve) =>
    child.once('exit', () => {
      exited = true;
      resolve();
    }),
  );
  const pid = child.pid ?? -1;
  const url = `http://127.0.0.1:${port}`;
  const server: AppServer = {
    url,
    pid,
    cpuMs: () => (exited ? undefined : readCpuMs(pid, options.clockTicksPerSecond)),
    alive: () => !exited,
    stderrTail: () => stderr.trim(),
    async stop() {
      if (exited) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
      await exit;
      clearTimeout(timer);
    },
  };
  const deadline = Date.now() + 10_000;
  while (!(await answersHealth(url))) {
    if (exited || Date.now() > deadline) {
      await server.stop();
      throw new Error(`sample app on ${url} did not become healthy: ${stderr.trim() || 'no stderr'}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return server;
}

async function answersHealth(url: string): Promise<boolean> {
  try {
    const res = await fetch(`${url}/health`, { signal: AbortSignal.timeout(1000) });
    await res.arrayBuffer();
    return res.status === 200;
  } catch {
    return false;
  }
}

function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

// utime + stime are fields 14 and 15 of /proc/PID/stat, counted after the `(comm)` field.
export function readCpuMs(pid: number, ticksPerSecond: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / ticksPerSecond;
  } catch {
    return undefined;
  }
}
