import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { load } from 'js-yaml';
import { INPUT_NAMES } from '../src/inputs';
import { OUTPUT_NAMES } from '../src/outputs';

// The public contract (action.yml) must match what the code reads and writes, name for name.
const root = fileURLToPath(new URL('..', import.meta.url));

interface ActionMetadata {
  name: string;
  description: string;
  inputs: Record<string, { description?: string; required?: boolean; default?: string }>;
  outputs: Record<string, { description?: string }>;
  runs: { using: string; main: string; post?: string };
}

const action = load(readFileSync(join(root, 'action.yml'), 'utf8')) as ActionMetadata;

describe('action.yml', () => {
  it('declares exactly the inputs src/inputs/ reads', () => {
    expect(Object.keys(action.inputs).sort()).toEqual([...INPUT_NAMES].sort());
  });

  it('declares exactly the outputs src/outputs.ts names', () => {
    expect(Object.keys(action.outputs).sort()).toEqual([...OUTPUT_NAMES].sort());
  });

  it('describes every input and output, with snake_case names', () => {
    for (const [name, spec] of [...Object.entries(action.inputs), ...Object.entries(action.outputs)]) {
      expect(name).toMatch(/^[a-z][a-z0-9_]*$/);
      expect(spec.description?.trim()).toBeTruthy();
    }
  });

  it('says in each input description whether it is required and its default', () => {
    for (const spec of Object.values(action.inputs)) {
      expect(spec.description).toMatch(spec.required ? /Required/ : /Optional|Default/);
      if (spec.default === undefined) expect(spec.description).toMatch(/no default|Default/);
    }
  });

  // docs/platform.md "Runtime": `runs.using: node24` is the current JavaScript runtime; post runs after the job.
  it('runs main and post on node24 from bundles in dist/', () => {
    expect(action.runs.using).toBe('node24');
    expect(action.runs.main).toBe('dist/main/index.js');
    expect(action.runs.post).toBe('dist/post/index.js');
  });

  it('points at bundles that exist (run `npm run build` if this fails)', () => {
    for (const file of [action.runs.main, action.runs.post]) {
      expect({ file, exists: existsSync(join(root, file as string)) }).toEqual({ file, exists: true });
    }
  });
});

describe('README', () => {
  it('has the inputs and outputs tables generated from action.yml (npm run docs), so they cannot drift', async () => {
    const { execFile } = await import('node:child_process');
    const result = await new Promise<{ code: number | null; out: string }>((resolve) =>
      execFile(process.execPath, ['scripts/docs.mjs', '--check'], (error, stdout, stderr) =>
        resolve({
          code: error ? (typeof error.code === 'number' ? error.code : null) : 0,
          out: stdout + stderr,
        }),
      ),
    );
    expect(result.out).toContain('up to date');
    expect(result.code).toBe(0);
  });
});
