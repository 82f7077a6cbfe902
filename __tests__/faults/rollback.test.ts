// Fault matrix, a rollback that fails: the candidate turns bad during a traffic step, and the rollback's
// traffic update meets a 503 storm that outlasts its retries. The release record must not claim the
// rollback (issue 14, "A failed rollback is recorded as done"): main says the post step will try again, and
// the post step, run with the state main left once the storm is over, restores the baseline exactly.
// Through the built action (dist/main and dist/post), as the runner runs them.
import { runAction, startAction } from '../../scripts/local-runner';
import { IMAGE, waitForOutput } from '../support/action-world';
import {
  countLeaks,
  nextRunId,
  recordRow,
  releaseInputs,
  seedBaseline,
  trafficOf,
  useFaultWorld,
  visibleTexts,
  type Outcome,
} from '../support/fault-suite';

const w = useFaultWorld('rollback');
const GROUP = 'Failed rollback (post step)';

test('a rollback that fails in a 503 storm is left to the post step, which restores the baseline exactly', async () => {
  const service = 'rollback-503';
  const before = await seedBaseline(w, service);
  // The candidate passes its smoke test and takes 50 %; it turns bad once the bake of step 1 has begun.
  const inputs = releaseInputs(w.emulator, service, 'v2', { traffic_steps: '50,100', step_wait: '30s' });
  const env = { GITHUB_RUN_ID: nextRunId() };
  const main = startAction('main', inputs, w.emulator.endpoints, { env });
  await waitForOutput(main, 'Check step 1');
  // Every traffic update from here on fails (more than the adapter's retries): the rollback cannot land.
  w.emulator.faults.failNext('services.update', 20, { status: 503 });
  w.emulator.faults.turnBad(`${IMAGE}:v2`);
  const mainRun = await main.done;
  const stranded = await trafficOf(w, service);
  w.emulator.faults.reset();
  const post = await runAction('post', inputs, w.emulator.endpoints, { env, state: mainRun.state });
  await w.emulator.api.settle();
  const after = await trafficOf(w, service);

  const said = /The rollback failed too[:,] .*the post step will try again/.test(mainRun.stdout);
  const restored = /the baseline is restored\. Traffic on \S+ is now .* \(read back and verified\)/.test(
    post.stdout,
  );
  const observed: Outcome = JSON.stringify(after) === JSON.stringify(before) ? 'baseline' : 'between';
  const leaks = countLeaks(
    w,
    visibleTexts(w, mainRun, [
      // The runner's mask commands carry the secrets on purpose.
      [post.stdout, post.stderr, post.summary]
        .join('\n')
        .split('\n')
        .filter((l) => !l.startsWith('::add-mask::'))
        .join('\n'),
    ]),
  );
  recordRow({
    group: GROUP,
    title: 'the rollback at step 1 (50 %) fails, the post step restores',
    fault:
      'the candidate turns bad during the 50 % bake; every traffic update fails with 503 until main ends',
    expected: 'baseline',
    observed,
    verdict: mainRun.outputs.verdict ?? '',
    exit: `main ${mainRun.code}, post ${post.code}`,
    says:
      said && restored
        ? 'main: the post step will try again; post: the baseline is restored'
        : 'NOT AS EXPECTED',
    reported: restored,
    leaks,
  });
  // The storm really stranded the candidate at 50 %; main says so and leaves it to the post step.
  expect(stranded).not.toEqual(before);
  expect({ code: mainRun.code, verdict: mainRun.outputs.verdict, said }).toEqual({
    code: 1,
    verdict: 'failed',
    said: true,
  });
  expect(JSON.parse(mainRun.state.release)).toMatchObject({ phase: 'rolling-out', step: 0 });
  // The post step does what main said: it restores the baseline, exactly, and says so.
  expect(post.stdout).not.toMatch(/Nothing to restore/);
  expect({ traffic: after, post: post.code, restored }).toEqual({ traffic: before, post: 0, restored: true });
  expect(leaks).toBe(0);
}, 90_000);

test('the `traffic` output says what serves (trafficStatuses), LATEST resolved to its revision', async () => {
  const service = 'rollback-serving';
  await seedBaseline(w, service);
  // `follow_latest` ends the rollout on LATEST at 100 %: the spec names no revision, what serves does.
  const run = await runAction(
    'main',
    releaseInputs(w.emulator, service, 'v2', { traffic_steps: '100', follow_latest: 'true' }),
    w.emulator.endpoints,
    { env: { GITHUB_RUN_ID: nextRunId() } },
  );
  expect(run.code).toBe(0);
  const serving = (JSON.parse(run.outputs.traffic) as Array<{ percent: number }>).filter(
    (t) => t.percent > 0,
  );
  expect(serving).toEqual([
    { type: 'TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST', revision: run.outputs.revision, percent: 100 },
  ]);
});
