// Job task volumes as files (emulator/README.md "Secret volumes in job tasks"): materialised under a
// per-attempt root named by EMULATOR_MOUNT_ROOT, removed when the attempt ends; an instance that cannot
// start logs why and runs nothing. Driven through the real task runner with a one-line "image".
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createTaskRunner, type TaskOutputEvent } from '../../../emulator/data-plane/job-tasks';
import { materialiseMounts } from '../../../emulator/data-plane/task-mounts';
import type { TaskAttemptSpec, TaskMount } from '../../../emulator/model';

const MOUNTS: TaskMount[] = [
  {
    mountPath: '/secrets/db',
    files: [
      { path: 'password', content: 's3cret', mode: 0o444 },
      { path: 'ca.pem', content: 'PEM', mode: 0o640 },
    ],
    writable: false,
  },
  { mountPath: '/scratch', files: [], writable: true },
];

test('materialised mounts: files with their content, 0222 masked off, secret dirs read-only; removed', () => {
  const m = materialiseMounts(MOUNTS);
  expect(readFileSync(join(m.root, '/secrets/db/password'), 'utf8')).toBe('s3cret');
  expect(statSync(join(m.root, '/secrets/db/password')).mode & 0o777).toBe(0o444);
  expect(statSync(join(m.root, '/secrets/db/ca.pem')).mode & 0o777).toBe(0o440);
  expect(statSync(join(m.root, '/secrets/db')).mode & 0o777).toBe(0o555);
  expect(statSync(join(m.root, '/scratch')).mode & 0o777).toBe(0o777);
  m.remove();
  expect(existsSync(m.root)).toBe(false);
  m.remove();
});

/** Prints the mount root and the secret file, and that the jobs contract's env is still there. */
const PROBE = [
  'const root = process.env.EMULATOR_MOUNT_ROOT;',
  "const fs = require('node:fs');",
  'console.log(`root=${root}`);',
  "console.log(`password=${fs.readFileSync(root + '/secrets/db/password', 'utf8')}`);",
  'console.log(`index=${process.env.CLOUD_RUN_TASK_INDEX} job=${process.env.CLOUD_RUN_JOB}`);',
].join('\n');

function runner(lines: TaskOutputEvent[]) {
  return createTaskRunner({
    catalogue: {
      root: process.cwd(),
      repositories: { 'test/probe': { entrypoint: ['node', '-e', PROBE], tags: { latest: {} } } },
    },
    killGraceMs: 100,
    observe: (event) => lines.push(event),
  });
}

const SPEC: TaskAttemptSpec = {
  job: 'projects/p/locations/us-central1/jobs/probe',
  jobId: 'probe',
  execution: 'probe-abcde',
  taskIndex: 0,
  taskCount: 1,
  attempt: 0,
  image: 'test/probe',
  env: {},
  timeoutMs: 10_000,
};

test('a task attempt reads its mount under EMULATOR_MOUNT_ROOT; the root is gone once it ends', async () => {
  const lines: TaskOutputEvent[] = [];
  const outcome = await runner(lines).start({ ...SPEC, mounts: MOUNTS }).done;
  expect(outcome).toMatchObject({ kind: 'exited', exitCode: 0 });
  const text = lines.filter((l) => l.stream === 'stdout').map((l) => l.text);
  expect(text).toContain('password=s3cret');
  expect(text).toContain('index=0 job=probe');
  const root = text.find((t) => t.startsWith('root='))?.slice('root='.length);
  expect(root).toBeTruthy();
  expect(existsSync(String(root))).toBe(false);
});

test('without mounts the process gets no EMULATOR_MOUNT_ROOT', async () => {
  const lines: TaskOutputEvent[] = [];
  await runner(lines).start(SPEC).done;
  expect(lines.map((l) => l.text)).toContain('root=undefined');
});

test('an instance that cannot start logs why as a system line and runs nothing', async () => {
  const lines: TaskOutputEvent[] = [];
  const outcome = await runner(lines).start({ ...SPEC, startupError: 'Could not fetch secret "x".' }).done;
  expect(outcome).toEqual({ kind: 'startup-failed', message: 'Could not fetch secret "x".' });
  expect(lines.map((l) => [l.stream, l.text])).toEqual([['system', 'Could not fetch secret "x".']]);
});
