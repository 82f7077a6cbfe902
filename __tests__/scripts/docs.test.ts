// The docs generator (scripts/docs.mjs) on a small action.yml in a temporary folder: it writes the grouped
// reference and the README sections, `--check` catches a stale file, and an input no group holds fails.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));

const ACTION = `name: t
description: t
inputs:
  project_id:
    description: The project.
    required: true
  smoke_path:
    description: Path of the stream | with a pipe.
    required: false
    default: /events
outputs:
  url:
    description: The service URL.
runs:
  using: node24
  main: dist/main/index.js
`;

const README = `# t

<!-- inputs:start -->
<!-- inputs:end -->

<!-- outputs:start -->
<!-- outputs:end -->
`;

function generate(dir: string, ...extra: string[]): Promise<{ code: number; out: string }> {
  const args = [
    'scripts/docs.mjs',
    '--action',
    join(dir, 'action.yml'),
    '--readme',
    join(dir, 'README.md'),
    '--inputs-doc',
    join(dir, 'docs', 'inputs.md'),
    ...extra,
  ];
  return new Promise((resolve) =>
    execFile(process.execPath, args, { cwd: root }, (error, stdout, stderr) =>
      resolve({ code: error ? Number(error.code ?? 1) : 0, out: stdout + stderr }),
    ),
  );
}

function folder(action: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'docs-gen-'));
  writeFileSync(join(dir, 'action.yml'), action);
  writeFileSync(join(dir, 'README.md'), README);
  return dir;
}

describe('scripts/docs.mjs', () => {
  it('writes the grouped inputs reference and the README overview, then --check agrees', async () => {
    const dir = folder(ACTION);
    expect((await generate(dir, '--check')).code).toBe(1);

    expect((await generate(dir)).code).toBe(0);
    const doc = readFileSync(join(dir, 'docs', 'inputs.md'), 'utf8');
    expect(doc).toMatch(/^## Target$/m);
    expect(doc).toMatch(/^## Smoke test$/m);
    expect(doc).not.toMatch(/^## Rollout$/m); // a group with no declared input is left out
    expect(doc).toContain('Path of the stream \\| with a pipe.');
    expect(doc).toMatch(/\| `smoke_path` +\| no +\| `\/events` +\|/);
    const readme = readFileSync(join(dir, 'README.md'), 'utf8');
    expect(readme).toContain('[Target](docs/inputs.md#target)');
    expect(readme).toContain('[Smoke test](docs/inputs.md#smoke-test)');
    expect(readme).toContain('- `url`: The service URL.');

    const again = await generate(dir, '--check');
    expect(again).toEqual({ code: 0, out: expect.stringContaining('README.md is up to date') });
  });

  it('fails on an input that belongs to no group, naming it', async () => {
    const dir = folder(
      ACTION.replace('  smoke_path:', '  brand_new_input:\n    description: New.\n  smoke_path:'),
    );
    const result = await generate(dir);
    expect(result.code).toBe(1);
    expect(result.out).toContain('`brand_new_input`');
    expect(result.out).toContain('GROUPS in scripts/docs.mjs');
  });
});
