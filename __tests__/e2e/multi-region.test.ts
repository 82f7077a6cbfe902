// A release to three regions in one run, through the built action (issue 18's "done when"): every region
// stages its candidate at 0 % first, then the waves promote in order; a candidate that turns bad only in
// wave 2's region rolls back waves 1 and 2 exactly and never moves wave 3's traffic; a job cancelled
// mid-wave has its post step restore every touched region. Each region is its own service in the emulator.
import { runAction, startAction } from '../../scripts/local-runner';
import { statusContext } from '../../src/core/github-names';
import {
  IMAGE,
  QUICK_STEPS,
  seedReleased,
  targetInputs,
  trafficOf,
  useActionWorld,
  waitForOutput,
  type TrafficEntry,
} from '../support/action-world';

const w = useActionWorld();
const REGIONS = ['us-central1', 'europe-west1', 'asia-east1'];

const inputs = (service: string, extra: Record<string, string> = {}) => ({
  ...targetInputs(w.emulator, service),
  region: '',
  waves: 'us-central1; europe-west1; asia-east1',
  image: `${IMAGE}:v2`,
  allow_unauthenticated: 'true',
  env_vars: 'TICK_MS=100',
  ...QUICK_STEPS,
  step_wait: '1s',
  wave_traffic_steps: '100',
  ...extra,
});

/** v1 released in every region; each region's traffic. */
async function baselines(service: string): Promise<Record<string, TrafficEntry[]>> {
  const found: Record<string, TrafficEntry[]> = {};
  for (const region of REGIONS) {
    await seedReleased(w.emulator, service, { region });
    found[region] = await trafficOf(w, service, region);
  }
  return found;
}

const trafficEverywhere = async (service: string) =>
  Object.fromEntries(await Promise.all(REGIONS.map(async (r) => [r, await trafficOf(w, service, r)])));

/** The line numbers in `stdout` of each region's first line that contains `text`. */
const firstLine = (stdout: string, region: string, text: string) =>
  stdout.split('\n').findIndex((l) => l.includes(`[${region}]`) && l.includes(text));

test('three regions: staged everywhere first, then wave by wave to 100 %, one comment and one deployment per region', async () => {
  await baselines('waves-good');
  const run = await runAction('main', inputs('waves-good'), w.emulator.endpoints, {
    env: { GITHUB_RUN_ID: '8101' },
  });
  expect({ code: run.code, verdict: run.outputs.verdict }).toEqual({ code: 0, verdict: 'promoted' });
  const after = await trafficEverywhere('waves-good');
  for (const region of REGIONS)
    expect(after[region]).toEqual([
      { revision: expect.stringMatching(/^waves-good-/), percent: 100, tag: 'pr-12' },
    ]);
  // Every region's smoke test passed before any traffic moved; wave 1's last step before wave 2's first.
  const smoked = REGIONS.map((r) => firstLine(run.stdout, r, '▶ Smoke test'));
  const firstShift = Math.min(...REGIONS.map((r) => firstLine(run.stdout, r, '▶ Shift traffic')));
  expect(smoked.every((line) => line >= 0 && line < firstShift)).toBe(true);
  expect(firstLine(run.stdout, 'us-central1', '▶ Shift traffic 100%')).toBeLessThan(
    firstLine(run.stdout, 'europe-west1', '▶ Shift traffic'),
  );
  expect(firstLine(run.stdout, 'europe-west1', '▶ Shift traffic 100%')).toBeLessThan(
    firstLine(run.stdout, 'asia-east1', '▶ Shift traffic'),
  );
  // Later waves walked `wave_traffic_steps` (one step), wave 1 `traffic_steps`.
  expect(firstLine(run.stdout, 'us-central1', '▶ Shift traffic 50%')).toBeGreaterThan(0);
  expect(firstLine(run.stdout, 'asia-east1', '▶ Shift traffic 50%')).toBe(-1);
  const regions = JSON.parse(run.outputs.regions) as Array<{ region: string; wave: number; verdict: string }>;
  expect(regions.map((r) => [r.region, r.wave, r.verdict])).toEqual([
    ['us-central1', 1, 'promoted'],
    ['europe-west1', 2, 'promoted'],
    ['asia-east1', 3, 'promoted'],
  ]);
  // One sticky comment with the regions table; one deployment (and commit status) per region.
  const comments = w.emulator.github.comments(12).filter((c) => c.body.includes('/waves-good -->'));
  expect(comments).toHaveLength(1);
  expect(comments[0].body).toMatch(/\| Region \| Wave \|/);
  for (const region of REGIONS) expect(comments[0].body).toMatch(new RegExp(`\\| ${region} \\| \\d \\|`));
  const deployments = w.emulator.github
    .deployments()
    .filter(
      (d) => (d.payload as { stream_deploy?: { service?: string } }).stream_deploy?.service === 'waves-good',
    );
  expect(
    deployments
      .map((d) => [
        (d.payload as { stream_deploy: { region: string } }).stream_deploy.region,
        d.statuses.at(-1)?.state,
      ])
      .sort(),
  ).toEqual(REGIONS.map((r) => [r, 'success']).sort());
  const contexts = w.emulator.github
    .commitStatuses('0123456789abcdef0123456789abcdef01234567')
    .map((s) => s.context);
  for (const region of REGIONS)
    expect(contexts).toContain(statusContext(w.emulator.endpoints.project, 'waves-good', region));
});

test("a candidate bad only in wave 2's region rolls back waves 1 and 2 exactly and never moves wave 3's traffic", async () => {
  const before = await baselines('waves-bad');
  const main = startAction('main', inputs('waves-bad'), w.emulator.endpoints, {
    env: { GITHUB_RUN_ID: '8102' },
  });
  // Good everywhere while staged and through wave 1; in europe-west1 it turns bad once wave 1 has begun.
  await waitForOutput(main, '[us-central1] ▶ Shift traffic 50%');
  w.emulator.faults.turnBad(`${IMAGE}:v2`, 'errors', { location: 'europe-west1' });
  const run = await main.done;
  expect({ code: run.code, verdict: run.outputs.verdict }).toEqual({ code: 1, verdict: 'rolled_back' });
  expect(await trafficEverywhere('waves-bad')).toEqual(before);
  // Wave 3 was never moved: its only write took the candidate's tag off again.
  expect(firstLine(run.stdout, 'asia-east1', '▶ Shift traffic')).toBe(-1);
  expect(firstLine(run.stdout, 'asia-east1', `▶ Remove tag pr-12`)).toBeGreaterThan(0);
  expect(run.stdout).toMatch(/europe-west1 \(wave 2\) was rolled back/);
  expect(run.stdout).toMatch(/Every region serves its baseline again\./);
  const regions = JSON.parse(run.outputs.regions) as Array<{ region: string; verdict: string }>;
  expect(Object.fromEntries(regions.map((r) => [r.region, r.verdict]))).toEqual({
    'us-central1': 'rolled_back',
    'europe-west1': 'rolled_back',
    'asia-east1': 'failed',
  });
});

test('a job cancelled mid-wave: the post step restores every touched region', async () => {
  const before = await baselines('waves-cancel');
  const service = 'waves-cancel';
  const all = inputs(service, { wave_step_wait: '60s' });
  const main = startAction('main', all, w.emulator.endpoints, { env: { GITHUB_RUN_ID: '8103' } });
  try {
    // Wave 1 promoted and held; wave 2 bakes its step; wave 3 staged at 0 %.
    await waitForOutput(main, '[europe-west1] ▶ Check step 1');
  } finally {
    main.child.kill('SIGTERM');
  }
  const stopped = await main.done;
  expect(stopped.code).not.toBe(0);
  const stranded = await trafficEverywhere(service);
  expect(stranded['us-central1']).not.toEqual(before['us-central1']);
  expect(stranded['europe-west1']).not.toEqual(before['europe-west1']);
  const post = await runAction('post', all, w.emulator.endpoints, {
    env: { GITHUB_RUN_ID: '8103' },
    state: main.state(),
  });
  await w.emulator.api.settle();
  expect({ code: post.code, traffic: await trafficEverywhere(service) }).toEqual({
    code: 0,
    traffic: before,
  });
  expect(post.stdout).toMatch(/Restored the baseline in us-central1, europe-west1, asia-east1/);
  const comments = w.emulator.github.comments(12).filter((c) => c.body.includes(`/${service} -->`));
  expect(comments).toHaveLength(1);
  expect(comments[0].body.split('\n').find((l) => l.startsWith('#'))).toMatch(/^### Rolled back/);
  // Every region's deployment ends final: none is left in progress.
  const deployments = w.emulator.github
    .deployments()
    .filter(
      (d) => (d.payload as { stream_deploy?: { service?: string } }).stream_deploy?.service === service,
    );
  expect(deployments.map((d) => d.statuses.at(-1)?.state)).toEqual(['failure', 'failure', 'failure']);
});
