// The job run's reporter (src/job-reporter.ts) against an in-memory GitHub that keeps one comment per marker
// and the deployment's statuses: nothing is sent while the job is written, one comment is created when the
// execution runs and edited when it ends, the deployment goes in_progress then success/failure/error, a
// refused channel warns once with its permission and the others go on, a passing failure gets one more try.
import { JobReporter, type JobReportSnapshot } from '../src/job-reporter';
import type { DeploymentState, GitHubPort } from '../src/adapters/github';
import type { JobReport } from '../src/core/job-report';
import type { Log } from '../src/ports';

const base: JobReport = {
  project: 'p',
  region: 'us-central1',
  job: 'migrate',
  image: 'us-docker.pkg.dev/p/jobs/migrate:1',
  phase: 'writing',
};

/** A GitHub that keeps state: comments by marker, one deployment and its statuses; `fail` makes a call throw. */
function memoryGitHub(
  fail: Partial<Record<'comment' | 'deployment', (n: number) => Error | undefined>> = {},
) {
  const comments = new Map<string, string>();
  const statuses: DeploymentState[] = [];
  const calls = { comment: 0, deployment: 0 };
  let id: number | undefined;
  const port: GitHubPort = {
    async upsertComment(marker, body) {
      calls.comment++;
      const error = fail.comment?.(calls.comment);
      if (error) throw error;
      const had = comments.has(marker);
      comments.set(marker, body);
      return had ? 'updated' : 'created';
    },
    async deploymentStatus(state) {
      calls.deployment++;
      const error = fail.deployment?.(calls.deployment);
      if (error) throw error;
      id ??= 42;
      statuses.push(state);
    },
    async commitStatus() {
      throw new Error('job mode sends no commit status');
    },
    deploymentId: () => id,
  };
  return { port, comments, statuses, calls };
}

const refused = () => Object.assign(new Error('Resource not accessible by integration'), { status: 403 });
const serverError = () => Object.assign(new Error('Server Error'), { status: 502 });

function memoryLog(): Log & { warnings: string[] } {
  const warnings: string[] = [];
  return {
    warnings,
    info: () => undefined,
    warning: (l) => warnings.push(l),
    error: () => undefined,
    debug: () => undefined,
    group: (_t, fn) => fn(),
  };
}

function reporter(github: GitHubPort, extra: { persist?: (s: JobReportSnapshot) => void } = {}) {
  const log = memoryLog();
  const slept: number[] = [];
  const r = new JobReporter(base, {
    github,
    comment: true,
    commentOn: 'pull-request',
    deployment: true,
    log,
    now: () => Date.parse('2026-01-01T00:00:00Z'),
    sleep: async (ms) => void slept.push(ms),
    ...extra,
  });
  return { r, log, slept };
}

test.each<[string, JobReport['phase'], DeploymentState]>([
  ['succeeded', 'succeeded', 'success'],
  ['failed', 'failed', 'failure'],
  ['cancelled', 'cancelled', 'error'],
])(
  '%s: one comment created at the start and edited at the end; in_progress then %s',
  async (_n, end, state) => {
    const gh = memoryGitHub();
    const { r, log } = reporter(gh.port);
    await r.flush();
    expect([gh.calls, gh.statuses]).toEqual([{ comment: 0, deployment: 0 }, []]);
    r.update({
      phase: 'running',
      execution: 'projects/p/locations/us-central1/jobs/migrate/executions/migrate-x',
    });
    await r.flush();
    expect([...gh.comments.values()][0]).toContain(': running');
    r.update({ phase: end });
    await r.flush();
    // A flush with nothing new sends nothing.
    await r.flush();
    expect(gh.comments.size).toBe(1);
    expect([...gh.comments.values()][0]).toContain(`: ${end}`);
    expect(gh.calls).toEqual({ comment: 2, deployment: 2 });
    expect(gh.statuses).toEqual(['in_progress', state]);
    expect(log.warnings).toEqual([]);
  },
);

test('execute: never: the job written is one comment and a deployment with success', async () => {
  const gh = memoryGitHub();
  const { r } = reporter(gh.port);
  r.update({ phase: 'deployed' });
  await r.flush();
  expect(gh.statuses).toEqual(['success']);
  expect([...gh.comments.values()][0]).toContain('deployed (not executed)');
});

test('a refused comment warns once with its permission; the deployment goes on; the comment is not tried again', async () => {
  const gh = memoryGitHub({ comment: refused });
  const { r, log } = reporter(gh.port);
  r.update({ phase: 'running' });
  r.update({ phase: 'failed' });
  await r.flush();
  expect(gh.calls.comment).toBe(1);
  expect(gh.statuses.at(-1)).toBe('failure');
  expect(log.warnings).toEqual([
    expect.stringContaining('Could not update the PR comment: Resource not accessible by integration.'),
  ]);
  expect(log.warnings[0]).toContain('`permissions: pull-requests: write`');
  expect(log.warnings[0]).toContain('The job goes on.');
});

test('a server error on the last status: one warning, one more try after a pause, the status ends right', async () => {
  // Calls 2 and 3 fail: the update's own publish and the flush's.
  const gh = memoryGitHub({ deployment: (n) => (n === 2 || n === 3 ? serverError() : undefined) });
  const { r, log, slept } = reporter(gh.port);
  r.update({ phase: 'running' });
  await r.flush();
  r.update({ phase: 'succeeded' });
  await r.flush();
  expect(gh.statuses).toEqual(['in_progress', 'success']);
  expect(slept).toEqual([1000]);
  expect(gh.calls.deployment).toBe(4);
  expect(log.warnings).toHaveLength(1);
});

test('the post step gets the running report and the deployment id; an ended report is not kept', async () => {
  const gh = memoryGitHub();
  const kept: JobReportSnapshot[] = [];
  const { r } = reporter(gh.port, { persist: (s) => kept.push(s) });
  r.update({ phase: 'running', execution: 'e' });
  await r.flush();
  r.update({ phase: 'succeeded' });
  await r.flush();
  expect(kept.map((s) => [s.report.phase, s.deploymentId])).toEqual([
    ['running', undefined],
    ['running', 42],
  ]);
});

test("the post step's cancellation: the note in the comment, error on the same deployment", async () => {
  const gh = memoryGitHub();
  await gh.port.deploymentStatus('in_progress', 'x');
  const { r } = reporter(gh.port);
  r.update({ phase: 'cancelled', note: 'The workflow was cancelled.' });
  await r.flush();
  expect(gh.statuses).toEqual(['in_progress', 'error']);
  expect([...gh.comments.values()][0]).toContain('- **Note:** The workflow was cancelled.');
});
