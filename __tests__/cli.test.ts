// The built CLI's own surface, no service needed: version, per-command help, one-line usage errors.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
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

describe('plan --metadata: a service.yaml translated and linted, offline', () => {
  const example = (name: string) => join(ROOT, 'examples', 'knative', name);
  const env = { ...process.env, GOOGLE_CLOUD_PROJECT: 'demo-project' };
  const plan = (args: string[]) =>
    new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
      execFile(
        NODE24,
        [join(DIST, 'cli', 'index.js'), 'plan', ...args],
        { env, timeout: 30_000 },
        (e, stdout, stderr) =>
          resolve({ code: e ? (typeof e.code === 'number' ? e.code : null) : 0, stdout, stderr }),
      ),
    );

  test('prints the v2 service the action would send, and the lint', async () => {
    const run = await plan(['--metadata', example('service.yaml'), '--region', 'us-central1', '--json']);
    expect(run.code).toBe(0);
    const out = JSON.parse(run.stdout);
    expect(out.service).toMatchObject({
      name: 'projects/demo-project/locations/us-central1/services/stream-api',
      description: 'Server-Sent Events API',
      template: { timeout: '3600s', maxInstanceRequestConcurrency: 250 },
    });
    expect(out.lint).toEqual([]);
  });

  test("the seed's mistakes: each at its line on stderr, with the warnings, exit 1", async () => {
    const run = await plan(['--metadata', example('seed-mistakes.yaml'), '--region', 'us-central1']);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    for (const line of [7, 8, 14, 23]) expect(run.stderr).toContain(`seed-mistakes.yaml:${line}: `);
    expect(run.stderr).toMatch(/warning: `metadata`: .*seed-mistakes\.yaml:29: `spec\.traffic` is ignored/);
  });

  test('a Job file: the v2 job `mode: job` would create, with the command from the file', async () => {
    const run = await plan(['--metadata', example('job.yaml'), '--region', 'us-central1', '--json']);
    expect([run.code, run.stderr]).toEqual([0, '']);
    expect(JSON.parse(run.stdout)).toMatchObject({
      job: {
        name: 'projects/demo-project/locations/us-central1/jobs/nightly-report',
        template: {
          taskCount: 3,
          parallelism: 2,
          template: {
            maxRetries: 1,
            timeout: '900s',
            containers: [{ command: ['node'], args: ['job.mjs', '--report=nightly'] }],
          },
        },
      },
      warnings: [],
    });
  });

  test('a lint error in a file that translates: exit 1 with the finding', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'plan-'));
    const file = join(dir, 'service.yaml');
    writeFileSync(
      file,
      readFileSync(example('service.yaml'), 'utf8').replace('timeoutSeconds: 3600', 'timeoutSeconds: 30'),
    );
    const run = await plan(['--metadata', file, '--region', 'us-central1']);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(
      /^lint error: timeout.*`timeout` comes from .*service\.yaml:22 \(`spec\.template\.spec\.timeoutSeconds`\)/m,
    );
  });
});
