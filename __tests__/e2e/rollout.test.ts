// Progressive traffic through the built action against the local Cloud Run. After every run the
// service's traffic is checked to be exactly the baseline or exactly the planned final state. The fault
// matrix (__tests__/faults) holds the rollouts that go wrong: a candidate turning bad at a step
// (smoke.test.ts), a cancelled job (cancel.test.ts), a concurrent change (api.test.ts), short-lived tokens
// (auth.test.ts). Here: a good rollout, and a job killed without its post step, settled by a rerun or by
// `stream-deploy rollback`.
import { runAction, startAction, type RunningAction } from '../../scripts/local-runner';
import { wifClient } from '../../emulator/clients';
import {
  IMAGE,
  runCli,
  seedReleased,
  serviceName,
  targetInputs,
  trafficOf,
  useActionWorld,
  type TrafficEntry,
} from '../support/action-world';
import { RECORD_ANNOTATION } from '../../src/core/release-record';

const w = useActionWorld();

const inputs = (service: string, image: string, extra: Record<string, string> = {}) => ({
  ...targetInputs(w.emulator, service),
  image: `${IMAGE}:${image}`,
  allow_unauthenticated: 'true',
  env_vars: 'TICK_MS=100',
  smoke_duration: '1s',
  smoke_first_event_timeout: '2s',
  smoke_min_events: '3',
  smoke_max_gap: '1s',
  rollout: 'progressive',
  traffic_steps: '10,50,100',
  step_wait: '1s',
  ...extra,
});

/** v1 as a first release of these inputs leaves it, seeded in one step; returns its traffic. */
async function baseline(service: string): Promise<TrafficEntry[]> {
  await seedReleased(w.emulator, service);
  return trafficOf(w, service);
}

/**
 * Resolves with the candidate once the running release's first step (10 %) is on the service itself: the
 * split and the record that says so. A job killed from then on leaves a release to settle.
 */
async function firstStepLive(main: RunningAction, service: string): Promise<string> {
  for (const deadline = Date.now() + 90_000; ; await new Promise((r) => setTimeout(r, 100))) {
    if (Date.now() > deadline) throw new Error('the release never reached its first step');
    if (main.child.exitCode !== null) throw new Error('the release ended before its first step');
    const saved = main.state().release ? JSON.parse(main.state().release) : undefined;
    if (saved?.step !== 0) continue;
    const [svc] = await w.services.getService({ name: serviceName(w.emulator, service) });
    const record = JSON.parse(String(svc.annotations?.[RECORD_ANNOTATION] ?? '{}'));
    if (record.step === 0 && svc.traffic?.some((t) => t.revision === saved.candidate && t.percent === 10))
      return saved.candidate as string;
  }
}

test('a good release walks 10 -> 50 -> 100 and ends exactly at the planned final state', async () => {
  // The baseline is seeded: the next test holds a seeded baseline to what a first release of these inputs
  // leaves, and checks that first release's exit code and annotations.
  await baseline('good-api');
  const run = await runAction('main', inputs('good-api', 'v2'), w.emulator.endpoints, {
    env: { GITHUB_RUN_ID: '7002' },
  });
  expect(run.annotations).toEqual([]);
  expect(run.code).toBe(0);
  expect(run.outputs.verdict).toBe('promoted');
  for (const step of ['Shift traffic 10%', 'Shift traffic 50%', 'Shift traffic 100%'])
    expect(run.stdout).toContain(step);
  expect(run.stdout).toMatch(/share: service URL sent \d+ of \d+ identified requests/);
  expect(await trafficOf(w, 'good-api')).toEqual([
    { revision: run.outputs.revision, percent: 100, tag: 'pr-12' },
  ]);
  expect(run.stdout).toContain('Streams already open on');
});

test('a seeded baseline is what a first release of the same inputs leaves (the baselines of these tests and of the fault matrix)', async () => {
  const released = await runAction('main', inputs('released-api', 'v1'), w.emulator.endpoints, {
    env: { GITHUB_RUN_ID: '7011' },
  });
  expect([released.code, released.annotations]).toEqual([0, []]);
  await seedReleased(w.emulator, 'seeded-api');
  const auth = wifClient(w.emulator.endpoints);
  // Everything the service reads back with, but names, times, URLs and who (which run) made it.
  const settings = async (service: string) => {
    const { data } = await auth.request<Record<string, unknown>>({
      url: `${w.emulator.endpoints.runApi.url}/v2/${serviceName(w.emulator, service)}`,
    });
    const {
      uid: _uid,
      etag: _etag,
      createTime: _created,
      updateTime: _updated,
      creator: _creator,
      lastModifier: _modifier,
      clientVersion: _version,
      uri: _uri,
      urls: _urls,
      conditions: _conditions,
      terminalCondition: _terminal,
      trafficStatuses: _statuses,
      ...rest
    } = data;
    const template = rest.template as { labels?: Record<string, string> };
    template.labels = { 'managed-by': String(template.labels?.['managed-by']) };
    return JSON.parse(
      JSON.stringify(rest)
        .replace(new RegExp(`${service}-[0-9a-z][0-9a-z-]*`, 'g'), 'REVISION')
        .replaceAll(`/services/${service}`, '/services/SERVICE'),
    ) as unknown;
  };
  expect(await settings('seeded-api')).toEqual(await settings('released-api'));
});

test('a rerun after a job killed without its post step settles the unfinished release first, then releases', async () => {
  const before = await baseline('rerun-api');
  const main = startAction('main', inputs('rerun-api', 'v2', { step_wait: '60s' }), w.emulator.endpoints, {
    env: { GITHUB_RUN_ID: '7502' },
  });
  // Killed once the 10 % step is on the service (waiting on the runner state alone is not enough: a
  // record saved before its write lands would send the kill ahead of the write).
  await firstStepLive(main, 'rerun-api');
  main.child.kill('SIGKILL');
  await main.done;
  // One traffic step: settling reads only the record the killed run left (src/run/candidate.ts
  // resumeUnfinished), never this run's steps; the release after it is the subject of the first test.
  const rerun = await runAction(
    'main',
    inputs('rerun-api', 'v2', { step_wait: '0s', traffic_steps: '100' }),
    w.emulator.endpoints,
    {
      env: { GITHUB_RUN_ID: '7502', GITHUB_RUN_ATTEMPT: '2' },
    },
  );
  expect(rerun.stdout).toContain('Settle the unfinished release');
  expect(rerun.code).toBe(0);
  expect(rerun.outputs.verdict).toBe('promoted');
  const after = await trafficOf(w, 'rerun-api');
  expect(after).toEqual([{ revision: rerun.outputs.revision, percent: 100, tag: 'pr-12' }]);
  expect(before).not.toEqual(after);
});

test('`stream-deploy rollback` restores the recorded baseline from the service annotation, with the credentials already in the job', async () => {
  const before = await baseline('cli-rollback-api');
  const main = startAction(
    'main',
    inputs('cli-rollback-api', 'v2', { step_wait: '60s' }),
    w.emulator.endpoints,
    { env: { GITHUB_RUN_ID: '7602' } },
  );
  await firstStepLive(main, 'cli-rollback-api');
  main.child.kill('SIGKILL');
  await main.done;
  expect(await trafficOf(w, 'cli-rollback-api')).not.toEqual(before);
  const result = await runCli(w.emulator, [
    'rollback',
    '--service',
    'cli-rollback-api',
    '--region',
    'us-central1',
    '--project',
    w.emulator.endpoints.project,
  ]);
  expect(result.stderr + result.stdout).toMatch(/restor/i);
  expect(result.code).toBe(0);
  expect(await trafficOf(w, 'cli-rollback-api')).toEqual(before);
});
