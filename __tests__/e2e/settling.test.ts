// Releases judged only once routing and IAM have caught up (issue 12, part 1): with 3 s of routing lag (a new
// tag's URL answers 404, the previous split keeps serving) and 20 s of IAM propagation, a release with the
// smoke test's defaults promotes, a binding this run adds is bridged with an ID token, and a bad candidate
// under the same lag is still rolled back. And a release an earlier run left unfinished is settled only while the
// service still serves what that run left: after a person has set the traffic by hand, it is stale and left alone.
import { runAction, startAction } from '../../scripts/local-runner';
import { LRO } from '../../emulator/clients';
import {
  IMAGE,
  seedReleased,
  startEarly,
  type ActionWorld,
  serviceName,
  targetInputs,
  useActionWorld,
  waitForOutput,
} from '../support/action-world';

const w = useActionWorld();
let runs = 9100;

const inputs = (
  service: string,
  image: string,
  extra: Record<string, string> = {},
  world: ActionWorld = w,
) => ({
  ...targetInputs(world.emulator, service),
  image: `${IMAGE}:${image}`,
  rollout: 'progressive',
  traffic_steps: '50,100',
  step_wait: '0s',
  ...extra,
});

const release = (
  service: string,
  image: string,
  extra: Record<string, string> = {},
  world: ActionWorld = w,
) =>
  runAction('main', inputs(service, image, extra, world), world.emulator.endpoints, {
    env: { GITHUB_RUN_ID: String(++runs) },
    timeoutMs: 170_000,
  });

async function traffic(service: string) {
  const [svc] = await w.services.getService({ name: serviceName(w.emulator, service) });
  return (svc.traffic ?? []).map((t) => [t.revision, t.percent, t.tag ?? '']);
}

/** The lag every case here runs under (the last one switches it off). */
const lag = (world: ActionWorld) =>
  world.emulator.faults.update({ routingLagMs: 3000, iamPropagationMs: 20_000 });

beforeEach(() => lag(w));

// The two cases with the smoke test's defaults spend most of their time waiting for real (routing, IAM
// propagation, the default watch): each starts as the file begins, on an emulator of its own under the same
// lag, and runs alongside the other cases; its test (at the end of the file) checks what it did.
const defaults = startEarly(async (world) => {
  lag(world);
  const first = await release('settle-api', 'v1', {}, world);
  const run = await release('settle-api', 'v2', {}, world);
  return { first, run };
});

const heartbeat = startEarly(async (world) => {
  lag(world);
  // The stable revision is heartbeat-only too: the stream-health panel rightly fails a candidate that
  // stops sending the events its baseline sends (events per stream-minute).
  await seedReleased(world.emulator, 'settle-heartbeat', {
    public: false,
    env: {},
    image: `${IMAGE}:heartbeat-only`,
  });
  return release('settle-heartbeat', 'heartbeat-only', {}, world);
});

test('an allUsers binding this run adds is bridged with an ID token while IAM propagates', async () => {
  const run = await release('settle-public', 'v1', {
    allow_unauthenticated: 'true',
    public_access_method: 'iam-binding',
    smoke_duration: '2s',
    env_vars: 'TICK_MS=100',
  });
  expect([run.code, run.annotations.filter((a) => a.startsWith('::error'))]).toEqual([0, []]);
  expect(run.stdout).toMatch(/the smoke tests of this run keep sending an ID token/);
}, 180_000);

test('a candidate that turns bad is still rolled back under the same lag', async () => {
  await seedReleased(w.emulator, 'settle-bad', { public: false });
  const before = await traffic('settle-bad');
  // Good through its smoke test (the tag wait and a 2 s watch); it turns bad once the first bake has begun.
  const main = startAction(
    'main',
    inputs('settle-bad', 'v2', { smoke_duration: '2s', env_vars: 'TICK_MS=100', step_wait: '30s,0s' }),
    w.emulator.endpoints,
    { env: { GITHUB_RUN_ID: String(++runs) }, timeoutMs: 170_000 },
  );
  await waitForOutput(main, 'Check step 1', 120_000);
  w.emulator.faults.turnBad(`${IMAGE}:v2`);
  const run = await main.done;
  expect([run.code, run.outputs.verdict]).toEqual([1, 'rolled_back']);
  expect(run.annotations.join('\n')).toMatch(/failed its checks/);
  expect(await traffic('settle-bad')).toEqual(before);
}, 180_000);

test('a record an earlier run left is stale once a person has set the traffic by hand: not replayed, the release goes on from their traffic', async () => {
  w.emulator.faults.reset(); // No lag here: this case is about the record, and stays fast.
  const fast = {
    allow_unauthenticated: 'true',
    env_vars: 'TICK_MS=100',
    smoke_duration: '1s',
    smoke_first_event_timeout: '2s',
    smoke_min_events: '3',
    smoke_max_gap: '1s',
  };
  const name = serviceName(w.emulator, 'stale-api');
  await seedReleased(w.emulator, 'stale-api');
  // The run of v2 is killed without its post step while its 50 % step bakes (its record is on the service).
  const runId = String(++runs);
  const killed = startAction(
    'main',
    inputs('stale-api', 'v2', { ...fast, step_wait: '60s' }),
    w.emulator.endpoints,
    {
      env: { GITHUB_RUN_ID: runId },
    },
  );
  let v2 = '';
  for (const deadline = Date.now() + 90_000; !v2; await new Promise((r) => setTimeout(r, 100))) {
    if (Date.now() > deadline) throw new Error('the killed run never reached its 50 % step');
    const saved = killed.state().release ? JSON.parse(killed.state().release) : undefined;
    const [svc] = await w.services.getService({ name });
    if (saved?.step === 0 && svc.traffic?.some((t) => t.revision === saved.candidate && t.percent === 50))
      v2 = saved.candidate;
  }
  killed.child.kill('SIGKILL');
  await killed.done;
  // A person fixes forward by hand: all traffic to v2 (as `gcloud run services update-traffic` would).
  const [svc] = await w.services.getService({ name });
  const [op] = await w.services.updateService(
    {
      service: {
        ...svc,
        traffic: [{ type: 'TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION', revision: v2, percent: 100 }],
      },
      updateMask: { paths: ['traffic'] },
    },
    LRO,
  );
  await op.promise();

  const next = await release('stale-api', 'v3', { ...fast, traffic_steps: '50' });
  expect([next.code, next.outputs.verdict]).toEqual([0, 'canary']);
  expect(next.stdout).not.toContain('Settle the unfinished release');
  expect(next.annotations.join('\n')).toMatch(
    new RegExp(
      // A workflow command escapes `%` as `%25`.
      `::warning::Not settling an earlier unfinished release: .*run ${runId} attempt 1\\) set the traffic of step 1 of 2 \\(50 %25\\), but someone changed the service's traffic since`,
    ),
  );
  // Their v2 was this release's baseline: v1 (which settling the old record would restore) was not put back.
  expect((await traffic('stale-api')).filter(([, percent]) => Number(percent) > 0)).toEqual([
    [v2, 50, ''],
    [next.outputs.revision, 50, 'pr-12'],
  ]);
  // The stale record was replaced by this release's own.
  const [after] = await w.services.getService({ name });
  expect(JSON.parse(String(after.annotations?.['stream-deploy.dev/release'])).candidate).toBe(
    next.outputs.revision,
  );
}, 180_000);

// Last, so the cases above run while these two wait (they started with the file).
test('smoke defaults (no TICK_MS, default health path) under 3 s routing lag and 20 s IAM propagation: promoted', async () => {
  const { first, run } = await defaults.result();
  expect([first.code, first.annotations.filter((a) => a.startsWith('::error'))]).toEqual([0, []]);
  expect([run.code, run.annotations.filter((a) => a.startsWith('::error'))]).toEqual([0, []]);
  expect(run.outputs.verdict).toBe('promoted');
  // The PR's tag moved from the baseline, which routing still reaches through it for a while.
  expect(run.stdout).toMatch(/The tag URL answers with another revision yet: waiting for routing to reach/);
  expect(run.stdout).toMatch(/The tag URL reaches \S+ after \d+ s/);
  expect(run.stdout).toMatch(/The split reached 50 % after \d+ s/);
}, 180_000);

test('a heartbeat-only SSE app (comments every 2 s, no events) is promoted with the smoke defaults', async () => {
  const run = await heartbeat.result();
  expect([run.code, run.annotations.filter((a) => a.startsWith('::error'))]).toEqual([0, []]);
  expect(run.outputs.verdict).toBe('promoted');
}, 180_000);
