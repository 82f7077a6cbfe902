// The built CLI's own surface, no service needed: version, per-command help, one-line usage errors.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DIST, NODE24, ROOT } from '../scripts/local-runner';

const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };

function cli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) =>
    execFile(NODE24, [join(DIST, 'cli', 'index.js'), ...args], { timeout: 30_000 }, (error, stdout, stderr) =>
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout, stderr }),
    ),
  );
}

test('-V and --version print the version', async () => {
  for (const flag of ['-V', '--version'])
    expect(await cli([flag])).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' });
});

test('help COMMAND prints that command’s usage', async () => {
  const smoke = await cli(['help', 'smoke']);
  expect(smoke.code).toBe(0);
  expect(smoke.stdout).toMatch(/^Usage: stream-deploy smoke /);
  expect(smoke.stdout).toContain('ws(s)://');
  expect((await cli(['help', 'cleanup'])).stdout).toMatch(/^Usage: stream-deploy cleanup /);
  expect((await cli(['help'])).stdout).toContain('cleanup');
});

test('usage errors are one line each plus a pointer to help, exit 2, no stack trace or page of help', async () => {
  const unknown = await cli(['deploy']);
  expect(unknown).toEqual({
    code: 2,
    stdout: '',
    stderr: 'stream-deploy: unknown command "deploy"\nRun `stream-deploy help` for usage.\n',
  });
  const smoke = await cli(['smoke', '--url', 'ftp://x']);
  expect(smoke.code).toBe(2);
  expect(smoke.stderr).toBe(
    'stream-deploy smoke: --url "ftp://x" must be http, https, ws or wss\nRun `stream-deploy help smoke` for usage.\n',
  );
  const nohelp = await cli(['help', 'nope']);
  expect(nohelp.code).toBe(2);
  expect(nohelp.stderr.split('\n')).toHaveLength(3);
});
