// The step gates through the built action against the local Cloud Run (issue 15): the stream-health panel
// compares the candidate's streams with the stable revision's through its temporary tag, catches what the
// light smoke rounds pass (a first event 3x later), and the promotion or the rollback leaves no temporary
// tag; the panel's numbers reach the sticky PR comment. The judges are __tests__/core's; the orchestration
// with fake ports is __tests__/run/step-gates.test.ts.
import { runAction } from '../../scripts/local-runner';
import type { Emulator } from '../../emulator/emulator';
import {
  IMAGE,
  seedReleased,
  startEarly,
  targetInputs,
  trafficOf,
  useActionWorld,
} from '../support/action-world';

const w = useActionWorld();

// A paced baseline (first event 500 ms after the request); 5 s steps give each arm 15 stream-seconds.
const inputs = (emulator: Emulator, service: string, image: string, extra: Record<string, string> = {}) => ({
  ...targetInputs(emulator, service),
  image: `${IMAGE}:${image}`,
  rollout: 'progressive',
  traffic_steps: '10,100',
  step_wait: '5s',
  smoke_duration: '3s',
  smoke_min_events: '1',
  ...extra,
});

// The slow candidate's release starts with the file on an emulator of its own, beside the healthy one.
const slow = startEarly(async (world) => {
  await seedReleased(world.emulator, 'slow-api', { image: `${IMAGE}:paced-v1`, env: {} });
  const before = await trafficOf(world, 'slow-api');
  // 10 s at 10 %: three held streams and four probes give each arm the 6 first events a median needs.
  const run = await runAction(
    'main',
    { ...inputs(world.emulator, 'slow-api', 'slow-first-event'), step_wait: '10s' },
    world.emulator.endpoints,
    { env: { GITHUB_RUN_ID: '3101' } },
  );
  const comment = world.emulator.github.comments(12).at(-1)?.body ?? '';
  return { run, before, after: await trafficOf(world, 'slow-api'), comment };
});

test('a healthy candidate is promoted with the panel passing at each step, and no temporary tag stays', async () => {
  await seedReleased(w.emulator, 'paced-api', { image: `${IMAGE}:paced-v1`, env: {} });
  const run = await runAction('main', inputs(w.emulator, 'paced-api', 'paced-v2'), w.emulator.endpoints, {
    env: { GITHUB_RUN_ID: '3102' },
  });
  expect([run.code, run.outputs.verdict, run.annotations]).toEqual([0, 'promoted', []]);
  expect(run.stdout).toMatch(/Step 1, stream-health panel: pass/);
  expect(run.stdout).toMatch(/Step 2, stream-health panel: pass/);
  const traffic = await trafficOf(w, 'paced-api');
  expect(traffic.map((t) => t.tag ?? '')).not.toContain('pr-12-base');
  expect(traffic).toEqual([expect.objectContaining({ percent: 100, tag: 'pr-12' })]);
}, 120_000);

// Last, so the early release runs while the healthy one does.
test('a candidate whose streams start 3x later passes the smoke test, fails the panel at 10 % and is rolled back exactly', async () => {
  const { run, before, after, comment } = await slow.result();
  expect([run.code, run.outputs.verdict]).toEqual([1, 'rolled_back']);
  expect(JSON.parse(run.outputs.smoke_result).verdict).toBe('pass');
  expect(run.annotations.join('\n')).toMatch(
    /Step 1 \(10 %25\) failed its checks:%0A(gates|stream-health panel, before the bake's end): .*time to first event/,
  );
  // Traffic and tags exactly as before: the baseline's temporary tag left with the rollback.
  expect(after).toEqual(before);
  expect(comment).toMatch(/<summary>Stream-health panel: fail<\/summary>/);
  expect(comment).toMatch(/\| time to first event p50 \| 1\.\d s \(n=\d+\) \|/);
}, 120_000);
