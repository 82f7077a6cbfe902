// `npm run emulator` as a user runs it: one JSON line of endpoints, then a clean stop on SIGTERM/SIGINT
// that leaves no revision process behind.
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { runClients, wifClient, LRO } from '../../emulator/clients';
import type { EmulatorEndpoints } from '../../emulator/emulator';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function startCli(
  args: string[],
): Promise<{ child: ChildProcess; endpoints: EmulatorEndpoints; lines: string[] }> {
  const child = spawn(process.execPath, ['node_modules/tsx/dist/cli.mjs', 'emulator/main.ts', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const rl = createInterface({ input: child.stdout! });
  const first = await new Promise<string>((resolve, reject) => {
    rl.once('line', resolve);
    child.once('exit', (code) => reject(new Error(`emulator exited ${code} before printing its endpoints`)));
  });
  rl.on('line', (l) => lines.push(l));
  return { child, endpoints: JSON.parse(first) as EmulatorEndpoints, lines };
}

function exitOf(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

test.each(['SIGTERM', 'SIGINT'] as const)(
  'prints one JSON line with every endpoint, serves, and on %s kills every revision process',
  async (signal) => {
    const { child, endpoints, lines } = await startCli(['--port', '0']);
    try {
      expect(endpoints.runApi.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      for (const url of [
        endpoints.githubOidc.requestUrl,
        endpoints.sts,
        endpoints.iamCredentials,
        endpoints.control,
      ])
        expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\//);
      const { services } = runClients(endpoints, wifClient(endpoints));
      const [op] = await services.createService(
        {
          parent: `projects/${endpoints.project}/locations/us-central1`,
          serviceId: 'cli-api',
          service: {
            template: {
              scaling: { minInstanceCount: 2 },
              containers: [{ image: 'us-docker.pkg.dev/demo/streams/stream-app:v1' }],
            },
          },
        },
        LRO,
      );
      await op.promise();
      await services.close();
      const { pids } = (await (await fetch(`${endpoints.control}/processes`)).json()) as { pids: number[] };
      expect(pids.length).toBeGreaterThanOrEqual(2);
      const exited = exitOf(child);
      child.kill(signal);
      expect(await exited).toBe(0);
      expect(pids.filter(alive)).toEqual([]);
      expect(lines).toEqual([]);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  },
);

test('a bad option is refused with usage and exit 2', async () => {
  const child = spawn(
    process.execPath,
    ['node_modules/tsx/dist/cli.mjs', 'emulator/main.ts', '--port', 'x'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stderr = '';
  child.stderr!.on('data', (c) => (stderr += c));
  expect(await exitOf(child)).toBe(2);
  expect(stderr).toContain('Usage: npm run emulator');
});
