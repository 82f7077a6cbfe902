// The multi-region orchestrator (src/multi-region.ts) over one in-memory Cloud Run per region: staging in
// every region before any traffic moves, wave order, stop-all with a rollback of every touched region, the
// withdrawal of later waves' candidates, and the per-region inputs. Assertions are on each region's final
// traffic and on the order of the traffic writes across regions.
import type { DeployConfig } from '../src/core/config';
import type { TrafficTarget } from '../src/core/cloud-run-types';
import { regionConfig, runRegions } from '../src/multi-region';
import { FakeCloudRun, fakeSmoke, memoryLog, ports } from './support/fake-release-ports';
import { SMOKE, config, context } from './support/run-config';

const R = 'TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION' as const;
const BASELINE: TrafficTarget[] = [{ type: R, revision: 'api-old', percent: 100 }];

/** Three regions, each its own fake; `writes` is every traffic write in order, as `region:percent`. */
function world(
  overrides: Partial<DeployConfig> = {},
  failing: Record<string, number> = {},
  slow: string[] = [],
  patch: (region: string, fake: FakeCloudRun) => void = () => undefined,
) {
  const writes: string[] = [];
  const fakes: Record<string, FakeCloudRun> = {};
  const records: Record<string, string[]> = {};
  const portsFor = (region: string) => {
    const fake = (fakes[region] = new FakeCloudRun());
    fake.seed(BASELINE);
    patch(region, fake);
    const setTraffic = fake.setTraffic.bind(fake);
    fake.setTraffic = (name, next, options) => {
      writes.push(`${region}:${next.find((t) => t.revision === 'api-new')?.percent ?? 0}`);
      return setTraffic(name, next, options);
    };
    // A region listed in `failing` has a candidate whose smoke test fails from that call on (1: at staging).
    const p = ports(fake, memoryLog(), fakeSmoke('pass', failing[region] ?? Infinity));
    // A region listed in `slow` bakes its steps for ever, once its traffic moved: only a stop ends them.
    if (slow.includes(region)) {
      const sleep = p.sleep;
      p.sleep = (ms) =>
        fake.service?.traffic.some((t) => t.revision === 'api-new' && t.percent > 0)
          ? new Promise<void>(() => undefined)
          : sleep(ms);
    }
    const save = p.saveRecord;
    p.saveRecord = (r) => {
      (records[region] ??= []).push(r.phase);
      save(r);
    };
    return p;
  };
  const cfg = config({
    smoke: SMOKE,
    rollout: 'progressive',
    trafficSteps: [10, 50, 100],
    stepWaitMs: [1000, 1000, 0],
    waves: [['us-central1'], ['europe-west1', 'asia-east1']],
    waveTrafficSteps: [50, 100],
    waveStepWaitMs: [1000, 0],
    ...overrides,
  });
  return { cfg, fakes, writes, records, release: () => runRegions(cfg, context, portsFor) };
}

const traffic = (fake: FakeCloudRun) =>
  fake.service?.traffic.map(({ revision, percent, tag }) => ({ revision, percent, ...(tag && { tag }) }));

describe('runRegions', () => {
  test('stages everywhere, then wave 1 walks its steps before wave 2 starts; later waves take their own steps', async () => {
    const w = world();
    const outcome = await w.release();
    expect(outcome.verdict).toBe('promoted');
    for (const region of ['us-central1', 'europe-west1', 'asia-east1'])
      expect(traffic(w.fakes[region])).toEqual([{ revision: 'api-new', percent: 100, tag: 'pr-7' }]);
    // Wave 1's three steps, then wave 2's two steps in each region.
    const wave1 = w.writes.filter((x) => x.startsWith('us-central1'));
    expect(wave1).toEqual(['us-central1:10', 'us-central1:50', 'us-central1:100', 'us-central1:100']);
    const lastOfWave1 = w.writes.lastIndexOf('us-central1:100');
    const firstOfWave2 = w.writes.findIndex((x) => !x.startsWith('us-central1'));
    expect(firstOfWave2).toBeGreaterThan(lastOfWave1);
    expect(w.writes.filter((x) => x.startsWith('asia-east1'))).toEqual([
      'asia-east1:50',
      'asia-east1:100',
      'asia-east1:100',
    ]);
    expect(outcome.regions.map((r) => [r.region, r.wave, r.outcome.verdict])).toEqual([
      ['us-central1', 1, 'promoted'],
      ['europe-west1', 2, 'promoted'],
      ['asia-east1', 2, 'promoted'],
    ]);
  });

  test('a candidate that fails its smoke test in one region stops everything before any traffic moves', async () => {
    const w = world({}, { 'asia-east1': 1 });
    const outcome = await w.release();
    expect(outcome.verdict).toBe('rolled_back');
    expect(outcome.failure).toMatch(/^asia-east1 failed before any traffic moved/);
    // Nobody's traffic moved; every candidate's tag is off again.
    expect(w.writes.every((x) => x.endsWith(':0'))).toBe(true);
    for (const region of ['us-central1', 'europe-west1', 'asia-east1'])
      expect(traffic(w.fakes[region])).toEqual([{ revision: 'api-old', percent: 100 }]);
    expect(outcome.regions.find((r) => r.region === 'us-central1')?.outcome.failure).toMatch(/^Withdrawn/);
  });

  test("a candidate bad only in wave 2's region rolls back waves 1 and 2 and stops its sibling mid-step", async () => {
    // europe-west1's candidate passes staging (smoke call 1) and fails from its first step check on.
    const w = world({}, { 'europe-west1': 2 }, ['asia-east1']);
    const outcome = await w.release();
    expect(outcome.verdict).toBe('rolled_back');
    expect(outcome.failure).toMatch(/^europe-west1 \(wave 2\) was rolled back/);
    expect(outcome.failure).toContain('Every region serves its baseline again.');
    for (const region of ['us-central1', 'europe-west1', 'asia-east1'])
      expect(traffic(w.fakes[region])).toEqual([{ revision: 'api-old', percent: 100 }]);
    const verdicts = Object.fromEntries(outcome.regions.map((r) => [r.region, r.outcome.verdict]));
    expect(verdicts).toEqual({
      'us-central1': 'rolled_back',
      'europe-west1': 'rolled_back',
      'asia-east1': 'rolled_back',
    });
    // Wave 1 was promoted first, and rolled back only after wave 2 failed.
    expect(w.records['us-central1']).toContain('promoted');
    expect(w.records['us-central1'].at(-1)).toBe('rolled-back');
    const sibling = outcome.regions.find((r) => r.region === 'asia-east1')!.outcome;
    expect(sibling.failure).toContain('europe-west1 failed in wave 2, so the release stops in every region');
    expect(w.writes.filter((x) => x.startsWith('asia-east1'))).toEqual(['asia-east1:50', 'asia-east1:0']);
    expect(outcome.failure).toMatch(
      /^europe-west1 \(wave 2\) was rolled back: Step 1 \(50 %\) failed its checks: \S/,
    );
  });

  test('a failure in wave 1 withdraws the later waves without moving their traffic', async () => {
    const w = world({}, { 'us-central1': 2 });
    const outcome = await w.release();
    expect(outcome.verdict).toBe('rolled_back');
    expect(w.writes.filter((x) => !x.startsWith('us-central1')).every((x) => x.endsWith(':0'))).toBe(true);
    for (const region of ['europe-west1', 'asia-east1']) {
      expect(traffic(w.fakes[region])).toEqual(
        BASELINE.map(({ revision, percent }) => ({ revision, percent })),
      );
      expect(w.records[region].at(-1)).toBe('rolled-back');
    }
  });

  test('a defect in one region fails the release: the others are withdrawn, and that region is reported unknown', async () => {
    // europe-west1's Cloud Run port breaks in a way no adapter should (a TypeError, not a StepError).
    const w = world({}, {}, [], (region, fake) => {
      if (region === 'europe-west1')
        fake.getService = () => {
          throw new TypeError('service is not a function');
        };
    });
    const outcome = await w.release();
    expect(outcome.verdict).toBe('failed');
    expect(outcome.failure).toMatch(/^europe-west1 failed before any traffic moved/);
    expect(outcome.failure).toMatch(/Not restored: europe-west1 \(failed\); the post step will try again\./);
    expect(outcome.failure).toMatch(
      /europe-west1: europe-west1 stopped on an unexpected error: service is not a function/,
    );
    for (const region of ['us-central1', 'asia-east1'])
      expect(traffic(w.fakes[region])).toEqual([{ revision: 'api-old', percent: 100 }]);
  });

  test('each region gets its own connector and its wave steps; wave 1 keeps traffic_steps', () => {
    const cfg = config({
      trafficSteps: [10, 100],
      stepWaitMs: [5, 0],
      waves: [['us-central1'], ['europe-west1']],
      waveTrafficSteps: [100],
      waveStepWaitMs: [0],
      vpc: { connector: 'streams', egress: 'PRIVATE_RANGES_ONLY' },
    });
    const eu = regionConfig(cfg, 'europe-west1', 2);
    expect(eu).toMatchObject({ region: 'europe-west1', trafficSteps: [100], stepWaitMs: [0] });
    expect(eu.vpc?.connector).toBe('projects/p/locations/europe-west1/connectors/streams');
    expect(eu.waves).toBeUndefined();
    expect(regionConfig(cfg, 'us-central1', 1)).toMatchObject({
      trafficSteps: [10, 100],
      stepWaitMs: [5, 0],
    });
    // The pre-rollout job (a migration) runs once, in the canary region.
    const job = { name: 'migrate', deadlineSeconds: 60 };
    expect(regionConfig({ ...cfg, beforeRolloutJob: job }, 'us-central1', 1).beforeRolloutJob).toEqual(job);
    expect(
      regionConfig({ ...cfg, beforeRolloutJob: job }, 'europe-west1', 2).beforeRolloutJob,
    ).toBeUndefined();
  });
});
