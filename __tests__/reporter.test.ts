// The reporter publishes in the background: the release never waits for GitHub, updates made while a
// publish is under way fold into the next one, the channels always end on the latest state, and flush()
// waits for that. A channel that fails warns once and is left alone.
import { Reporter } from '../src/reporter';
import type { GitHubPort } from '../src/adapters/github';
import type { Log } from '../src/adapters/log';
import type { ReleaseReport } from '../src/core/report-types';

const base: ReleaseReport = {
  project: 'p',
  region: 'us-central1',
  service: 'api',
  image: 'us-docker.pkg.dev/p/r/api:1',
  revision: 'api-2',
  tag: 'pr-1',
  phase: 'planned',
  findings: [],
  steps: [],
  timings: [],
  timeoutSeconds: 3600,
  sessionAffinity: false,
  sha: '0123456',
  updatedAt: '2026-01-01T00:00:00Z',
};

/** A GitHub port whose calls wait until released, recording the comment bodies. */
function slowGitHub() {
  const comments: string[] = [];
  let release: () => void = () => undefined;
  let gate = new Promise<void>((r) => (release = r));
  const port: GitHubPort = {
    async upsertComment(_marker, body) {
      await gate;
      comments.push(body);
      return 'updated';
    },
    async deploymentStatus() {},
    async commitStatus() {},
  };
  return {
    port,
    comments,
    open() {
      release();
      gate = Promise.resolve();
    },
  };
}

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

test('update returns before GitHub answers; updates meanwhile fold into one publish of the latest state', async () => {
  const gh = slowGitHub();
  const reporter = new Reporter(base, {
    github: gh.port,
    comment: true,
    deployment: false,
    summary: false,
    log: memoryLog(),
    now: () => 0,
  });
  await reporter.update({ phase: 'candidate-up' });
  await reporter.update({ phase: 'smoke-tested' });
  await reporter.update({ phase: 'rolling-out' });
  expect(gh.comments).toEqual([]);
  gh.open();
  await reporter.flush();
  // The first snapshot was in flight; the two later updates went out as one, the latest.
  expect(gh.comments).toHaveLength(2);
  expect(gh.comments[1]).toContain('Rolling out');
  expect(reporter.current().phase).toBe('rolling-out');
});

test('a failing channel warns once with the fix and the others go on', async () => {
  const log = memoryLog();
  const summaries: string[] = [];
  const reporter = new Reporter(base, {
    github: {
      upsertComment: async () => {
        throw Object.assign(new Error('Resource not accessible by integration'), { status: 403 });
      },
      deploymentStatus: async () => undefined,
      commitStatus: async () => undefined,
    },
    writeSummary: async (md) => void summaries.push(md),
    comment: true,
    deployment: false,
    summary: true,
    log,
    now: () => 0,
  });
  await reporter.update({ phase: 'candidate-up' });
  await reporter.flush();
  await reporter.update({ phase: 'promoted' });
  await reporter.flush();
  expect(log.warnings).toHaveLength(1);
  expect(log.warnings[0]).toMatch(/pull-requests: write/);
  expect(summaries).toHaveLength(2);
});

test('a rate limit (GitHub answers 403 with x-ratelimit-remaining: 0) is not called a permission problem, and the comment is brought up to date', async () => {
  const log = memoryLog();
  const bodies: string[] = [];
  let failures = 1;
  const reporter = new Reporter(base, {
    github: {
      upsertComment: async (_m, body) => {
        if (failures-- > 0)
          throw Object.assign(new Error('API rate limit exceeded for installation ID 1.'), {
            status: 403,
            response: { headers: { 'x-ratelimit-remaining': '0' } },
          });
        bodies.push(body);
        return 'updated';
      },
      deploymentStatus: async () => undefined,
      commitStatus: async () => undefined,
    },
    comment: true,
    deployment: false,
    summary: false,
    log,
    now: () => 0,
    sleep: async () => undefined,
  });
  await reporter.update({ phase: 'promoted' });
  await reporter.flush();
  expect(log.warnings).toHaveLength(1);
  expect(log.warnings[0]).toMatch(/rate-limiting/);
  expect(log.warnings[0]).not.toMatch(/permissions:/);
  // flush() tried the stale channel again: the comment ends on the final state, not the failed one.
  expect(bodies).toHaveLength(1);
  expect(bodies[0]).toContain('Promoted');
});
