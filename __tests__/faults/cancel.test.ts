// Fault matrix, a cancelled job: the runner stops the main step (SIGTERM) at each phase of a release, then
// runs the post step with whatever state main saved (docs/platform.md "Post step": `post:` runs after a
// cancelled main step; "State and summary": state between them via saveState/getState). Afterwards the
// traffic must be exactly the baseline,
// or exactly the planned final state where the record says the last step had passed; the post step must say
// what it did, and no token may appear in either step's log or summary. The report channels must end final
// too: the same sticky comment, the same deployment and the commit status say where the release ended,
// never the in-progress state main left.
// Through the built action; shared invariants in __tests__/support/fault-suite.ts (checked here by hand:
// checkCase expects a main run that finished).
import { runAction, startAction, type ActionRun, type RunningAction } from '../../scripts/local-runner';
import { statusContext } from '../../src/core/github-names';
import { waitForOutput } from '../support/action-world';
import {
  countLeaks,
  nextRunId,
  promoted,
  recordRow,
  releaseBaseline,
  releaseInputs,
  seedBaseline,
  trafficOf,
  useFaultWorld,
  visibleTexts,
  type Entry,
  type Outcome,
} from '../support/fault-suite';

const w = useFaultWorld('cancel');
const GROUP = 'Cancelled job (post step)';

/** Resolves once `done()` holds, polling every `everyMs`; `done` may throw to stop early. */
async function until(what: string, done: () => boolean | Promise<boolean>, everyMs = 25): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (await done()) return;
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error(`${what} never happened`);
}

/** Resolves once the saved release record satisfies `test` (polls the runner's state file). */
function waitForRecord(
  step: RunningAction,
  what: string,
  test: (record: { phase: string; step: number; verifiedStep: number }) => boolean,
): Promise<void> {
  return until(what, () => {
    const raw = step.state().release;
    if (raw && test(JSON.parse(raw))) return true;
    if (step.child.exitCode !== null) throw new Error(`the step exited before ${what}`);
    return false;
  });
}

interface CancelCase {
  service: string;
  title: string;
  fault: string;
  inputs: Record<string, string>;
  /** Runs once the main step has started; resolves at the moment the runner should cancel it. */
  cancelWhen: (main: RunningAction) => Promise<void>;
  /** Where traffic must end after the post step. */
  expected: Outcome;
  /** What the post step must say it did, and how the table shows it. */
  postSays: RegExp;
  label: string;
  /** The heading the sticky comment ends with. */
  reportSays: RegExp;
  /** `release`: the baseline comes from a whole release, whose own report the comment may end with. */
  baseline?: 'release';
  /** The candidate's percent when main stops (the cancel really stranded the rollout there). */
  stranded?: number;
}

const RESTORED =
  /(set back as they were|the baseline is restored)\. Traffic on \S+ is now .* \(read back and verified\)/;

const CASES: CancelCase[] = [
  {
    service: 'cancel-reading',
    title: 'cancelled while reading the service',
    fault: 'SIGTERM when the log shows `Read service`',
    inputs: {},
    cancelWhen: (main) => waitForOutput(main, 'Read service'),
    expected: 'baseline',
    postSays: /Nothing to restore: no release record was found\./,
    label: 'post: nothing to restore (no record)',
    // The baseline release's final report, or this run's, ended before it changed anything.
    reportSays: /^### (Promoted|Failed):/,
    baseline: 'release',
  },
  {
    service: 'cancel-deploying',
    title: 'cancelled while the candidate deploys',
    fault: "SIGTERM while the candidate's update operation is in flight (3 s)",
    inputs: {},
    cancelWhen: async (main) => {
      w.emulator.faults.update({ operationDelayMs: 3000 });
      await waitForOutput(main, 'Deploy candidate');
      await waitForRecord(main, 'the deploying record', (r) => r.phase === 'deploying');
      // Cancel only once Cloud Run took the update: the candidate's tag is on the service, its operation
      // pending. The baseline carries the PR's tag too: it must be on the candidate's revision.
      const { candidate } = JSON.parse(main.state().release) as { candidate: string };
      await waitForTraffic('cancel-deploying', (t) =>
        t.some(([revision, , tag]) => revision === candidate && tag === 'pr-12'),
      );
    },
    expected: 'baseline',
    postSays: RESTORED,
    label: "post: takes the candidate's tag off (deploying record)",
    reportSays: /^### Rolled back/,
  },
  {
    service: 'cancel-unheard',
    title: 'cancelled after GitHub created the deployment, before main heard',
    fault: "SIGTERM once GitHub has created the release's deployment, whose answer is held 5 s",
    inputs: {},
    cancelWhen: async () => {
      w.emulator.github.answerLate('repos.createDeployment', 5000);
      const before = deploymentsOf('cancel-unheard').length;
      await until('the deployment', () => deploymentsOf('cancel-unheard').length > before, 10);
    },
    expected: 'baseline',
    postSays: RESTORED,
    label: "post: takes the candidate's tag off, reports on main's deployment",
    reportSays: /^### Rolled back/,
  },
  {
    service: 'cancel-smoke',
    title: 'cancelled during the smoke test',
    fault: 'SIGTERM when the log shows `Smoke test` (5 s smoke)',
    inputs: { smoke_duration: '5s' },
    cancelWhen: (main) => waitForOutput(main, 'Smoke test'),
    expected: 'baseline',
    postSays: RESTORED,
    label: "post: takes the candidate's tag off",
    reportSays: /^### Rolled back/,
  },
  {
    service: 'cancel-step-10',
    title: 'cancelled during the 10 % bake',
    fault: 'SIGTERM while step 1 (10 %) bakes for 30 s',
    inputs: { step_wait: '30s' },
    cancelWhen: (main) => waitForOutput(main, 'Check step 1'),
    expected: 'baseline',
    postSays: RESTORED,
    label: 'post: restores the baseline',
    reportSays: /^### Rolled back at 10 %/,
    stranded: 10,
  },
  {
    service: 'cancel-step-50',
    title: 'cancelled during the 50 % bake',
    fault: 'SIGTERM while step 2 (50 %) bakes for 30 s',
    inputs: { step_wait: '0s,30s,0s' },
    cancelWhen: (main) => waitForOutput(main, 'Check step 2'),
    expected: 'baseline',
    postSays: RESTORED,
    label: 'post: restores the baseline',
    reportSays: /^### Rolled back at 50 %/,
    stranded: 50,
  },
  {
    service: 'cancel-promoting',
    title: 'cancelled while promoting (last step passed)',
    fault: 'SIGTERM after the last step (100 %) passed, while the promotion is written (3 s operation)',
    // One step: the post step finishes the promotion because the record says the last step passed
    // (verifiedStep is the last index), whatever came before it; cancels at earlier steps are the cases above.
    inputs: { traffic_steps: '100' },
    cancelWhen: async (main) => {
      // Slow operations from the 100 % step on, so the final write is still in flight at the cancel.
      await waitForRecord(main, 'the 100 % step', (r) => r.phase === 'rolling-out' && r.step === 0);
      w.emulator.faults.update({ operationDelayMs: 3000 });
      await waitForRecord(main, 'the 100 % step verified', (r) => r.verifiedStep === 0);
    },
    expected: 'planned',
    // Which of the two depends on whether the runner state was last written before or after the final
    // write began (a window of a few ms): either way the traffic must be the planned final state.
    postSays:
      /the promotion is finished\. Traffic on \S+ is now .* \(read back and verified\)|Nothing to restore: (the service records that )?the release of \S+ had already ended \(promoted\)/,
    label: 'post: finishes the promotion, or finds it promoted',
    reportSays: /^### Promoted/,
  },
];

/** Resolves once the service's traffic satisfies `test` (polls the emulator). */
function waitForTraffic(service: string, test: (traffic: Entry[]) => boolean): Promise<void> {
  return until(`the awaited traffic of ${service}`, async () => test(await trafficOf(w, service)));
}

/** The post step's log and summary, minus the runner's mask commands (which carry the secrets on purpose). */
function postVisible(post: ActionRun): string {
  return [post.stdout, post.stderr, post.summary]
    .join('\n')
    .split('\n')
    .filter((l) => !l.startsWith('::add-mask::'))
    .join('\n');
}

test.each(CASES)('$title: the post step leaves the traffic exactly as required', async (c) => {
  const before =
    c.baseline === 'release'
      ? // Its end state and reports are what the case needs: one traffic step gives both.
        await releaseBaseline(w, c.service, { traffic_steps: '100' })
      : await seedBaseline(w, c.service);
  const deploymentsBefore = deploymentsOf(c.service).length;
  const inputs = releaseInputs(w.emulator, c.service, 'v2', c.inputs);
  const env = { GITHUB_RUN_ID: nextRunId() };
  const main = startAction('main', inputs, w.emulator.endpoints, { env });
  try {
    await c.cancelWhen(main);
  } finally {
    main.child.kill('SIGTERM');
  }
  const mainRun = await main.done;
  // Slow operations were there to stop main mid-write: the one it left in flight keeps its delay (each
  // reads the setting as it starts), the post step's own writes need not wait.
  w.emulator.faults.update({ operationDelayMs: 0 });
  const saved = main.state().release;
  const stranded = await trafficOf(w, c.service);
  const post = await runAction('post', inputs, w.emulator.endpoints, { env, state: main.state() });
  // Operations the cancelled step left in flight finish first: the traffic read must be the settled one.
  await w.emulator.api.settle();
  const after = await trafficOf(w, c.service);
  const planned = saved ? plannedOf(JSON.parse(saved)) : undefined;
  const key = (t: Entry[] | undefined) => JSON.stringify(t);
  const observed: Outcome =
    key(after) === key(before) ? 'baseline' : key(after) === key(planned) ? 'planned' : 'between';
  const said = c.postSays.test(post.stdout);
  const leaks = countLeaks(w, visibleTexts(w, mainRun, [postVisible(post)]));
  recordRow({
    group: GROUP,
    title: c.title,
    fault: c.fault,
    expected: c.expected,
    observed,
    verdict: mainRun.outputs.verdict ?? '',
    exit: `main SIGTERM, post ${post.code}`,
    says: said ? c.label : `NOT AS EXPECTED: ${firstInfoLine(post.stdout)}`,
    reported: said,
    leaks,
  });
  expect(mainRun.code === null || mainRun.code !== 0).toBe(true);
  expect({ traffic: after, post: post.code }).toEqual({
    traffic: c.expected === 'baseline' ? before : planned,
    post: 0,
  });
  expect(post.stdout).toMatch(c.postSays);
  expect(leaks).toBe(0);
  if (c.stranded !== undefined) {
    const candidate = JSON.parse(saved ?? '{}').candidate as string;
    expect(stranded).toContainEqual([candidate, c.stranded, expect.any(String)]);
  }
  // The report ends final on every channel: one sticky comment, at most one deployment for this run.
  const comments = w.emulator.github.comments(12).filter((x) => x.body.includes(`/${c.service} -->`));
  const deployments = deploymentsOf(c.service);
  const statuses = w.emulator.github
    .commitStatuses(SHA)
    .filter((s) => s.context === statusContext(w.emulator.endpoints.project, c.service, 'us-central1'));
  expect({
    comments: comments.length,
    heading: comments[0]?.body.split('\n').find((l) => l.startsWith('#')),
    newDeployments: deployments.length - deploymentsBefore <= 1,
    deployment: deployments[deployments.length - 1]?.statuses.at(-1)?.state,
    commitStatus: statuses.at(-1)?.state,
  }).toEqual({
    comments: 1,
    heading: expect.stringMatching(c.reportSays),
    newDeployments: true,
    deployment: expect.stringMatching(/^(success|failure)$/),
    commitStatus: expect.stringMatching(/^(success|failure)$/),
  });
});

/** The commit the runner's environment names (GITHUB_SHA; the event carries no head SHA). */
const SHA = '0123456789abcdef0123456789abcdef01234567';

/** The deployments the GitHub fake holds for `service`, oldest first. */
function deploymentsOf(service: string) {
  return w.emulator.github
    .deployments()
    .filter(
      (d) => (d.payload as { stream_deploy?: { service?: string } }).stream_deploy?.service === service,
    );
}

/** The planned final traffic of a saved record, as the cases compare it. */
function plannedOf(record: { candidate: string; tag: string; finalTraffic: Array<{ percent: number }> }) {
  const full = record.finalTraffic.find((t) => t.percent === 100);
  return full ? promoted(record.candidate, record.tag) : undefined;
}

function firstInfoLine(text: string): string {
  return (
    text
      .split('\n')
      .find((l) => /restore|Restor|Finishing|Could not/.test(l))
      ?.slice(0, 120) ?? '(nothing)'
  );
}
