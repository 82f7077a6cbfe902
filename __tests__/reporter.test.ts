// The reporter publishes in the background: the release never waits for GitHub, updates made while a
// publish is under way fold into the next one, a channel is called only when what it shows changes, the
// channels end on the latest state, and flush() waits for that. A channel that fails warns once with its
// own fix; a rate-limited one waits as long as GitHub asks.
import { Reporter } from '../src/reporter';
import type { GitHubPort } from '../src/adapters/github';
import type { Log } from '../src/ports';
import type { ReleaseReport } from '../src/core/report-types';
import type { ReportSnapshot } from '../src/adapters/release-state';

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

test('a rate limit (GitHub answers 403 with x-ratelimit-remaining: 0) is not called a permission problem, and the comment is brought up to date once the limit resets', async () => {
  const log = memoryLog();
  const bodies: string[] = [];
  let failures = 1;
  let clock = 1_000_000;
  const slept: number[] = [];
  const reporter = new Reporter(base, {
    github: {
      upsertComment: async (_m, body) => {
        if (failures-- > 0)
          throw Object.assign(new Error('API rate limit exceeded for installation ID 1.'), {
            status: 403,
            response: {
              headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(clock / 1000 + 5) },
            },
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
    now: () => clock,
    sleep: async (ms) => void (slept.push(ms), (clock += ms)),
  });
  await reporter.update({ phase: 'promoted' });
  await reporter.flush();
  expect(log.warnings).toHaveLength(1);
  expect(log.warnings[0]).toMatch(/rate-limiting/);
  expect(log.warnings[0]).not.toMatch(/permissions:/);
  // flush() waited until x-ratelimit-reset, then tried again: the comment ends on the final state.
  expect(slept).toEqual([5000]);
  expect(bodies).toHaveLength(1);
  expect(bodies[0]).toContain('Promoted');
});

/** A GitHub port that counts its calls by method and records what it was sent. */
function countingGitHub() {
  const calls: string[] = [];
  const port: GitHubPort = {
    async upsertComment() {
      calls.push('comment');
      return 'updated';
    },
    async deploymentStatus(state) {
      calls.push(`deployment ${state}`);
    },
    async commitStatus(state) {
      calls.push(`status ${state}`);
    },
  };
  return { port, calls };
}

test('a three-step rollout (10, 50, 100) sends each channel only when what it shows changes: 5 comment edits, 2 deployment statuses, 2 commit statuses', async () => {
  const gh = countingGitHub();
  const summaries: string[] = [];
  const reporter = new Reporter(base, {
    github: gh.port,
    writeSummary: async (md) => void summaries.push(md),
    comment: true,
    deployment: true,
    summary: true,
    log: memoryLog(),
    now: () => 0,
  });
  // The updates run() and the release step make, each awaited until published so none fold together.
  const steps = [10, 50, 100].map((percent) => ({ percent, status: 'pending' as const }));
  const script: Array<Partial<ReleaseReport>> = [
    { phase: 'planned', steps },
    { phase: 'candidate-up', tagUrl: 'https://pr-1---api-x.a.run.app' },
    { phase: 'smoke-tested' },
    ...[0, 1, 2].flatMap((i) => [
      {
        phase: 'rolling-out' as const,
        steps: steps.map((s, j) => (j <= i ? { ...s, status: 'shifted' as const } : s)),
      },
      {
        phase: 'rolling-out' as const,
        steps: steps.map((s, j) => (j <= i ? { ...s, status: 'verified' as const } : s)),
      },
    ]),
    { phase: 'promoted', serviceUrl: 'https://api-x.a.run.app' },
  ];
  for (const patch of script) {
    await reporter.update(patch);
    await reporter.flush();
  }
  const count = (prefix: string) => gh.calls.filter((c) => c.startsWith(prefix)).length;
  // Every flush here is "final", so the steps inside rolling-out are sent too; the release step flushes
  // once, at the end. What matters: the deployment and the commit status move only with their state.
  expect(count('deployment')).toBe(2);
  expect(count('status')).toBe(2);
  expect(gh.calls.filter((c) => c.startsWith('deployment') || c.startsWith('status'))).toEqual([
    'deployment in_progress',
    'status pending',
    'deployment success',
    'status success',
  ]);
});

test('the same rollout published in the background and flushed once at the end, as the release step does: 5 comment edits, 9 port calls in all', async () => {
  const gh = countingGitHub();
  const reporter = new Reporter(base, {
    github: gh.port,
    comment: true,
    deployment: true,
    summary: false,
    log: memoryLog(),
    now: () => 0,
  });
  const steps = [10, 50, 100].map((percent) => ({ percent, status: 'pending' as const }));
  const settle = () => new Promise((r) => setImmediate(r));
  await reporter.update({ phase: 'planned', steps });
  await settle();
  for (const phase of ['candidate-up', 'smoke-tested'] as const) {
    await reporter.update({ phase });
    await settle();
  }
  for (let i = 0; i < 3; i++) {
    await reporter.update({
      phase: 'rolling-out',
      steps: steps.map((s, j) => (j <= i ? { ...s, status: 'shifted' } : s)),
    });
    await settle();
    await reporter.update({
      phase: 'rolling-out',
      steps: steps.map((s, j) => (j <= i ? { ...s, status: 'verified' } : s)),
    });
    await settle();
  }
  await reporter.update({ phase: 'promoted' });
  await reporter.flush();
  expect(gh.calls.filter((c) => c === 'comment')).toHaveLength(5);
  expect(gh.calls).toHaveLength(9);
});

test.each([
  [
    'PR comment',
    'pull-request',
    'pull-requests: write',
    /contents: write|deployments: write|statuses: write/,
  ],
  ['commit comment', 'commit', 'contents: write', /pull-requests: write|deployments: write|statuses: write/],
] as const)(
  'a denied %s names only the permission it needs (%s)',
  async (channel, commentOn, permission, others) => {
    const log = memoryLog();
    const reporter = new Reporter(base, {
      github: {
        upsertComment: async () => {
          throw Object.assign(new Error('Resource not accessible by integration'), { status: 403 });
        },
        deploymentStatus: async () => undefined,
        commitStatus: async () => undefined,
      },
      comment: true,
      commentOn,
      deployment: true,
      summary: false,
      log,
      now: () => 0,
    });
    await reporter.update({ phase: 'promoted' });
    await reporter.flush();
    expect(log.warnings).toHaveLength(1);
    expect(log.warnings[0]).toContain(`Could not update the ${channel}`);
    expect(log.warnings[0]).toContain(`permissions: ${permission}`);
    expect(log.warnings[0]).not.toMatch(others);
  },
);

test('a denied deployment and a denied commit status each name their own permission', async () => {
  const log = memoryLog();
  const denied = async () => {
    throw Object.assign(new Error('Resource not accessible by integration'), { status: 403 });
  };
  const reporter = new Reporter(base, {
    github: { upsertComment: async () => 'updated', deploymentStatus: denied, commitStatus: denied },
    comment: true,
    deployment: true,
    summary: false,
    log,
    now: () => 0,
  });
  await reporter.update({ phase: 'candidate-up' });
  await reporter.update({ phase: 'promoted' });
  await reporter.flush();
  expect(log.warnings).toHaveLength(2);
  expect(log.warnings[0]).toMatch(/deployment status.*permissions: deployments: write`/);
  expect(log.warnings[0]).not.toMatch(/statuses: write|pull-requests/);
  expect(log.warnings[1]).toMatch(/commit status.*permissions: statuses: write`/);
  expect(log.warnings[1]).not.toMatch(/deployments: write|pull-requests/);
});

test('a channel that hits a secondary rate limit is not called again before retry-after, then catches up; a wait longer than flush allows is left with a note', async () => {
  const log = memoryLog();
  let clock = 0;
  const calls: number[] = [];
  let limited = true;
  const reporter = new Reporter(base, {
    github: {
      upsertComment: async () => {
        calls.push(clock);
        if (limited)
          throw Object.assign(new Error('You have exceeded a secondary rate limit.'), {
            status: 429,
            response: { headers: { 'retry-after': '60' } },
          });
        return 'updated';
      },
      deploymentStatus: async () => undefined,
      commitStatus: async () => undefined,
    },
    comment: true,
    deployment: false,
    summary: false,
    log,
    now: () => clock,
    sleep: async () => {
      throw new Error('flush must not wait 60 s');
    },
    finalWaitMs: 30_000,
  });
  await reporter.update({ phase: 'candidate-up' });
  clock = 10_000;
  await reporter.update({ phase: 'smoke-tested' });
  clock = 20_000;
  await reporter.update({ phase: 'rolling-out' });
  await new Promise((r) => setImmediate(r));
  // Two phase changes inside the minute GitHub asked for: no call; and flush will not wait 40 s more.
  expect(calls).toEqual([0]);
  expect(log.warnings).toHaveLength(1);
  expect(log.warnings[0]).toMatch(/secondary rate limit.*sent again after 60 s, not before/);
  await reporter.flush();
  expect(calls).toEqual([0]);
  expect(log.warnings[1]).toMatch(/PR comment may not show the final state/);
  limited = false;
  clock = 61_000;
  await reporter.update({ phase: 'promoted' });
  await reporter.flush();
  expect(calls).toEqual([0, 61_000]);
});

/** A GitHub port that keeps what each channel shows last, and creates a deployment on first use unless given one. */
function recordingGitHub(knownDeployment?: number) {
  let deployment = knownDeployment;
  let next = 100;
  const seen = {
    comments: [] as string[],
    deploymentStates: [] as Array<{ id: number; state: string }>,
    commitStates: [] as string[],
    created: 0,
  };
  const port: GitHubPort = {
    async upsertComment(_marker, body) {
      seen.comments.push(body);
      return 'updated';
    },
    async deploymentStatus(state) {
      if (deployment === undefined) {
        deployment = next++;
        seen.created++;
      }
      seen.deploymentStates.push({ id: deployment, state });
    },
    async commitStatus(state) {
      seen.commitStates.push(state);
    },
    deploymentId: () => deployment,
  };
  return { port, seen };
}

test('main keeps the report for the post step: on phase and step changes, with the deployment id once created, and marked final only after the final flush', async () => {
  const gh = recordingGitHub();
  const kept: ReportSnapshot[] = [];
  let now = 0;
  const reporter = new Reporter(base, {
    github: gh.port,
    comment: true,
    deployment: true,
    summary: false,
    log: memoryLog(),
    now: () => now,
    persist: (s) => kept.push(s),
  });
  await reporter.update({ phase: 'candidate-up' });
  now = 5;
  await reporter.update({ phase: 'rolling-out', steps: [{ percent: 50, status: 'shifted' }] });
  await reporter.update({ tagUrl: 'https://t' }); // neither phase nor steps: not kept again
  await reporter.flush();
  const inProgress = kept[kept.length - 1];
  expect({
    final: inProgress.final,
    phase: inProgress.report.phase,
    steps: inProgress.report.steps,
    deploymentId: inProgress.deploymentId,
    phaseStartedAt: inProgress.phaseStartedAt,
  }).toEqual({
    final: false,
    phase: 'rolling-out',
    steps: [{ percent: 50, status: 'shifted' }],
    deploymentId: 100,
    phaseStartedAt: 5,
  });
  await reporter.update({ phase: 'promoted' });
  await reporter.flush();
  expect(kept.map((s) => s.final).filter(Boolean)).toHaveLength(1);
  expect(kept[kept.length - 1]).toMatchObject({ final: true, report: { phase: 'promoted' } });
});

test('a reporter taken over from a snapshot (the post step) adds its final state to the same deployment, creates none, and times the phase main was in', async () => {
  const gh = recordingGitHub(42);
  const snapshot: ReportSnapshot = {
    report: { ...base, phase: 'rolling-out', steps: [{ percent: 50, status: 'shifted' }] },
    deploymentId: 42,
    phaseStartedAt: 1_000,
    final: false,
  };
  const reporter = new Reporter(
    snapshot.report,
    { github: gh.port, comment: true, deployment: true, summary: false, log: memoryLog(), now: () => 4_000 },
    snapshot.phaseStartedAt,
  );
  await reporter.update({ phase: 'rolled-back', failure: 'The main step was cancelled.' });
  await reporter.flush();
  expect({
    created: gh.seen.created,
    deployment: gh.seen.deploymentStates,
    commit: gh.seen.commitStates,
    heading: gh.seen.comments.map((c) => c.split('\n').find((l) => l.startsWith('#'))),
    timings: reporter.current().timings,
  }).toEqual({
    created: 0,
    deployment: [{ id: 42, state: 'failure' }],
    commit: ['failure'],
    heading: [expect.stringMatching(/^### Rolled back at 50 %/)],
    timings: [{ phase: 'rolling-out', ms: 3_000 }],
  });
});
