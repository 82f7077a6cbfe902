// run()'s progressive rollout (src/run/rollout.ts) against an in-memory Cloud Run that keeps state: the
// traffic steps and their gates, rollback, and settling a release an earlier run left unfinished.
// Assertions are on the final state and the ordered steps, not on call arguments.
import type { DeployConfig } from '../../src/core/config';
import type { CloudRunService, TrafficTarget } from '../../src/core/cloud-run-types';
import { StepError } from '../../src/errors';
import { run } from '../../src/run';
import { createCloudRun, toApi } from '../../src/adapters/cloud-run';
import type { AuthClient } from 'google-auth-library';
import { encodeRecord, planRecovery, type ReleaseRecord } from '../../src/core/release-record';
import type { ReleaseReport } from '../../src/core/report-types';
import { FakeCloudRun, NAME, fakeSmoke, memoryLog, ports } from '../support/fake-release-ports';
import { SMOKE, config, context } from '../support/run-config';

describe('progressive traffic', () => {
  const R = 'TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION' as const;
  const progressive = (extra: Partial<DeployConfig> = {}) =>
    config({
      smoke: SMOKE,
      rollout: 'progressive',
      trafficSteps: [10, 50, 100],
      stepWaitMs: [3000, 3000, 0],
      ...extra,
    });

  test.each<[string, number[], string]>([
    ['an unlucky first sample is not confirmed by the second: promoted', [20, 8, 40], 'promoted'],
    ['a share that is off in two rounds in a row rolls back', [20, 8, 16, 8, 16], 'rolled_back'],
  ])('the share check confirms before it rolls back: %s', async (_name, hitsPerCall, verdict) => {
    const cloudRun = new FakeCloudRun();
    cloudRun.seed([{ type: 'TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST', percent: 100 }]);
    const p = ports(cloudRun);
    const sizes: number[] = [];
    // The 50 % step: the split has settled (20 of 40; that sample is round 1's), then round 2's sample (40)
    // says 8, and the confirming one (80) says hitsPerCall[2]; later samples see the real split unless scripted.
    const tagCheck = p.smoke.sample;
    p.smoke.sample = async (url, path, count, candidate) => {
      if (url.includes('---')) return tagCheck(url, path, count, candidate);
      sizes.push(count);
      const scripted = hitsPerCall[sizes.length - 1];
      const real = Math.round(count * ((cloudRun.effectiveSplit()[candidate] ?? 0) / 100));
      return { total: count, candidate: scripted ?? real, unidentified: 0, errors: 0 };
    };
    const result = await run(progressive({ trafficSteps: [50, 100], stepWaitMs: [2000, 0] }), context, p);
    expect(result.verdict).toBe(verdict);
    expect(sizes.slice(0, 3)).toEqual([40, 40, 80]);
  });

  test("a step samples the service URL once per round: the sample that found the split settled is round 1's", async () => {
    const cloudRun = new FakeCloudRun();
    cloudRun.seed([{ type: 'TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST', percent: 100 }]);
    const p = ports(cloudRun);
    const serviceSamples: number[] = [];
    const sample = p.smoke.sample;
    p.smoke.sample = async (url, path, count, candidate) => {
      if (!url.includes('---')) serviceSamples.push(count);
      return sample(url, path, count, candidate);
    };
    // Zero bakes: one round per step, so one sample per step.
    const result = await run(progressive({ stepWaitMs: [0, 0, 0] }), context, p);
    expect(result.verdict).toBe('promoted');
    expect(serviceSamples).toEqual([40, 40, 40]);
  });

  test("round 1's light tests start with the split's first sample; a split not settled yet drops them and round 1 runs its own", async () => {
    const cloudRun = new FakeCloudRun();
    cloudRun.seed([{ type: 'TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST', percent: 100 }]);
    const p = ports(cloudRun);
    const events: string[] = [];
    const { run: light, sample } = p.smoke;
    p.smoke.run = async (url, criteria, origins, token) => {
      // The step's light tests: once traffic has moved (the candidate's own smoke test comes before).
      if (cloudRun.steps.some((step) => step.startsWith('setTraffic')))
        events.push(`light ${url.includes('---') ? 'tag' : 'service'}`);
      return light(url, criteria, origins, token);
    };
    let samples = 0;
    p.smoke.sample = async (url, path, count, candidate) => {
      if (url.includes('---')) return sample(url, path, count, candidate);
      events.push('sample');
      // Step 1 (100 %, one step): the first sample still sees the old split, the second the new one.
      return ++samples === 1
        ? { total: count, candidate: 0, unidentified: 0, errors: 0 }
        : sample(url, path, count, candidate);
    };
    const result = await run(progressive({ trafficSteps: [100], stepWaitMs: [0] }), context, p);
    expect(result.verdict).toBe('promoted');
    // Light tests and the first sample together; the split settles on the second sample; round 1's own light tests.
    expect(events).toEqual(['light tag', 'light service', 'sample', 'sample', 'light tag', 'light service']);
  });

  test('a good release walks 10 -> 50 -> 100 by explicit names, verifying each step, and records every step', async () => {
    const cloudRun = new FakeCloudRun();
    cloudRun.seed([{ type: 'TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST', percent: 100 }]);
    const p = ports(cloudRun);
    const result = await run(progressive(), context, p);
    expect(result.verdict).toBe('promoted');
    expect(cloudRun.steps).toEqual([
      'get',
      'update',
      'setTraffic:10',
      'setTraffic:50',
      'setTraffic:100',
      'setTraffic:100',
    ]);
    expect(cloudRun.service?.traffic).toEqual([{ type: R, revision: 'api-new', percent: 100, tag: 'pr-7' }]);
    expect(p.records.map((r) => [r.step, r.verifiedStep, r.phase])).toEqual([
      [-1, -1, 'deploying'],
      [0, -1, 'rolling-out'],
      [0, 0, 'rolling-out'],
      [1, 0, 'rolling-out'],
      [1, 1, 'rolling-out'],
      [2, 1, 'rolling-out'],
      [2, 2, 'rolling-out'],
      [2, 2, 'promoted'],
    ]);
    expect(cloudRun.service?.annotations?.['stream-deploy.dev/release']).toContain('"phase":"promoted"');
    expect(result.drainsBy).toBeDefined();
  });

  test('a candidate that turns bad at 50 % is rolled back to the exact baseline in one update', async () => {
    const cloudRun = new FakeCloudRun();
    const baseline: TrafficTarget[] = [
      { type: R, revision: 'api-old', percent: 70, tag: 'stable' },
      { type: R, revision: 'api-older', percent: 30 },
    ];
    cloudRun.seed(baseline);
    const p = ports(cloudRun, memoryLog(), fakeSmoke('pass', 10));
    const result = await run(progressive(), context, p);
    expect(result.verdict).toBe('rolled_back');
    expect(cloudRun.steps).toEqual(['get', 'update', 'setTraffic:10', 'setTraffic:50', 'setTraffic:0']);
    expect(cloudRun.service?.traffic).toEqual(baseline);
    expect(result.failure).toContain('Step 2 (50 %) failed its checks');
    expect(p.records.at(-1)?.phase).toBe('rolled-back');
  });

  test('a rollback that fails leaves the record unfinished, so the post step restores the baseline', async () => {
    const cloudRun = new FakeCloudRun();
    const baseline: TrafficTarget[] = [{ type: R, revision: 'api-old', percent: 100 }];
    cloudRun.seed(baseline);
    let calls = 0;
    cloudRun.beforeSetTraffic = () => {
      // The third traffic update is the rollback (after 10 % and 50 %): a 503 storm outlasts its retries.
      if (++calls === 3)
        throw new StepError({
          operation: 'set traffic on',
          target: NAME,
          cause: 'UNAVAILABLE (HTTP 503)',
          hint: '',
        });
    };
    const p = ports(cloudRun, memoryLog(), fakeSmoke('pass', 10));
    const result = await run(progressive(), context, p);
    expect(result.verdict).toBe('failed');
    expect(result.failure).toMatch(/The rollback failed too: .*the post step will try again/);
    expect(cloudRun.service?.traffic.find((t) => t.revision === 'api-new')?.percent).toBe(50);
    // Neither the runner state nor the service claims the rollback that did not land.
    expect(p.records.map((r) => r.phase)).not.toContain('rolled-back');
    const last = p.records.at(-1) as ReleaseRecord;
    expect(planRecovery(last, 'auto')).toMatchObject({ action: 'restore', traffic: baseline });
    expect(cloudRun.service?.annotations?.['stream-deploy.dev/release']).toContain('"phase":"rolling-out"');
  });

  test.each<[string, number]>([
    ['only the rollback', 3],
    ['the 50 % step, then the rollback', 2],
  ])(
    'a 503 storm on %s, through the real adapter: the failure names the operation once and carries one hint',
    async (_name, firstFailing) => {
      const cloudRun = new FakeCloudRun();
      cloudRun.seed([{ type: R, revision: 'api-old', percent: 100 }]);
      // The Cloud Run adapter itself, over a transport that reads the fake's service and answers every
      // update 503 (Google's error body), so its retries run out and it says so its own way.
      const transport = {
        request: async ({ method }: { method: string }) => {
          if (method === 'GET') return { data: toApi(cloudRun.service as CloudRunService) };
          throw Object.assign(new Error('Request failed with status code 503'), {
            response: {
              status: 503,
              data: { error: { code: 503, status: 'UNAVAILABLE', message: 'The service is unavailable.' } },
            },
          });
        },
      };
      const adapter = createCloudRun({
        authClient: transport as unknown as AuthClient,
        operationTimeoutSeconds: 5,
        project: 'p',
        sleep: async () => undefined,
        random: () => 0,
      });
      const inMemory = cloudRun.setTraffic.bind(cloudRun);
      let calls = 0;
      cloudRun.setTraffic = (name, traffic, options) =>
        ++calls >= firstFailing
          ? adapter.setTraffic(name, traffic, options)
          : inMemory(name, traffic, options);
      const p = ports(cloudRun, memoryLog(), fakeSmoke('pass', 10));
      const result = await run(progressive(), context, p);
      expect(result.verdict).toBe('failed');
      const failure = result.failure as string;
      expect(failure).toContain('UNAVAILABLE (HTTP 503) 5 times in a row');
      expect(failure.match(/Failed to set traffic on/g)).toHaveLength(1);
      // One hint: what comes next (the post step, or the rollback command), not also "retry the job later".
      expect(failure.match(/retry|try again|rerun/gi)).toEqual(['try again']);
      expect(failure).toContain('stream-deploy rollback --service api');
      expect(failure.includes('the same way')).toBe(firstFailing === 2);
    },
  );

  test('a concurrent change to the traffic stops the release without overwriting it', async () => {
    const cloudRun = new FakeCloudRun();
    cloudRun.seed([{ type: R, revision: 'api-old', percent: 100 }]);
    let calls = 0;
    const other: TrafficTarget[] = [{ type: R, revision: 'api-other', percent: 100 }];
    cloudRun.beforeSetTraffic = (svc) => {
      if (++calls === 2) svc.traffic = other;
    };
    const p = ports(cloudRun);
    const result = await run(progressive(), context, p);
    expect(result.verdict).toBe('failed');
    expect(result.failure).toContain('left the traffic as the other change set it');
    expect(cloudRun.service?.traffic).toEqual(other);
    expect(p.records.at(-1)?.phase).toBe('abandoned');
  });

  test('an app that does not name its revision: the share is not checked, and the report says so', async () => {
    const cloudRun = new FakeCloudRun();
    cloudRun.seed([{ type: R, revision: 'api-old', percent: 100 }]);
    const p = ports(cloudRun);
    p.smoke.sample = async (_url, _path, count) => ({
      total: count,
      candidate: 0,
      unidentified: count,
      errors: 0,
    });
    const patches: Array<Partial<ReleaseReport>> = [];
    p.report = async (patch) => void patches.push(patch);
    const result = await run(progressive({ trafficSteps: [50, 100], stepWaitMs: [0, 0] }), context, p);
    expect(result.verdict).toBe('promoted');
    const steps = patches.filter((x) => x.steps).at(-1)?.steps ?? [];
    expect(steps.map((x) => x.detail)).toEqual([
      expect.stringMatching(/share not checked: .*X-Revision/),
      expect.stringMatching(/share not checked/),
    ]);
  });

  test('a candidate smoke test that fails once is run again; a pass the second time goes on', async () => {
    const cloudRun = new FakeCloudRun();
    cloudRun.seed([{ type: R, revision: 'api-old', percent: 100 }]);
    const smoke = fakeSmoke('pass');
    let calls = 0;
    const pass = smoke.run;
    smoke.run = async (...args: Parameters<typeof pass>) => {
      const outcome = await pass(...args);
      return ++calls === 1 ? { ...outcome, verdict: 'fail' as const } : outcome;
    };
    const log = memoryLog();
    const result = await run(
      progressive({ trafficSteps: [100], stepWaitMs: [0] }),
      context,
      ports(cloudRun, log, smoke),
    );
    expect(result.verdict).toBe('promoted');
    expect(log.lines.join('\n')).toMatch(/running the smoke test once more to confirm/);
  });

  test('one failing gate round is confirmed by the next before it can roll back: a one-off passes', async () => {
    const cloudRun = new FakeCloudRun();
    cloudRun.seed([{ type: R, revision: 'api-old', percent: 100 }]);
    const smoke = fakeSmoke('pass');
    let calls = 0;
    const run1 = smoke.run;
    // The candidate's smoke test (call 1) passes; the first gate round's tag URL test (call 2) fails once.
    smoke.run = async (...args: Parameters<typeof run1>) => {
      const outcome = await run1(...args);
      return ++calls === 2 ? { ...outcome, verdict: 'fail' as const } : outcome;
    };
    const p = ports(cloudRun, memoryLog(), smoke);
    const result = await run(progressive({ trafficSteps: [50, 100], stepWaitMs: [0, 0] }), context, p);
    expect(result.verdict).toBe('promoted');
    expect((p.log as ReturnType<typeof memoryLog>).lines.join('\n')).toMatch(
      /Round 2 passed: the problem of round 1 was not confirmed/,
    );
  });

  test.each<[string, Array<'tag' | 'service'>, string]>([
    // Gate calls after the candidate's smoke test, two per round: the tag URL's, then the service URL's.
    ['the same check failing in two rounds in a row is not yet confirmed', ['tag', 'tag'], 'promoted'],
    [
      'two different checks failing in consecutive rounds are not the same problem',
      ['tag', 'service'],
      'promoted',
    ],
    ['the same check failing in three rounds in a row rolls back', ['tag', 'tag', 'tag'], 'rolled_back'],
  ])('gate rounds: %s', async (_name, failing, verdict) => {
    const cloudRun = new FakeCloudRun();
    cloudRun.seed([{ type: R, revision: 'api-old', percent: 100 }]);
    const smoke = fakeSmoke('pass');
    const run1 = smoke.run;
    let round = 0;
    smoke.run = async (...args: Parameters<typeof run1>) => {
      const outcome = await run1(...args);
      const [url] = args;
      const onTag = url.includes('---');
      // The candidate's own smoke test runs once on the tag URL before any round.
      if (onTag && smoke.calls.length > 1) round++;
      const which = failing[round - 1];
      const fails = which !== undefined && (which === 'tag') === onTag;
      return fails ? { ...outcome, verdict: 'fail' as const } : outcome;
    };
    const p = ports(cloudRun, memoryLog(), smoke);
    const result = await run(progressive({ trafficSteps: [100], stepWaitMs: [0] }), context, p);
    expect(result.verdict).toBe(verdict);
    if (verdict === 'rolled_back')
      expect(cloudRun.service?.traffic).toEqual([{ type: R, revision: 'api-old', percent: 100 }]);
  });

  test('a concurrent change during the last bake: not promoted, their traffic stands', async () => {
    const cloudRun = new FakeCloudRun();
    cloudRun.seed([{ type: R, revision: 'api-old', percent: 100 }]);
    let calls = 0;
    const other: TrafficTarget[] = [{ type: R, revision: 'api-old', percent: 100 }];
    // The fourth write is the promotion's (10, 50, 100, then the record): someone rolled back by hand.
    cloudRun.beforeSetTraffic = (svc) => {
      if (++calls === 4) svc.traffic = other;
    };
    const p = ports(cloudRun);
    const result = await run(progressive(), context, p);
    expect(result.verdict).toBe('failed');
    expect(result.failure).toMatch(
      /stopped before its promotion and left the traffic as the other change set it/,
    );
    expect(result.traffic).toEqual(other);
    expect(cloudRun.service?.traffic).toEqual(other);
    expect(p.records.at(-1)?.phase).toBe('abandoned');
  });

  test('allow_unauthenticated on a service already public by an allUsers binding changes nothing', async () => {
    const cloudRun = new FakeCloudRun();
    cloudRun.seed([{ type: R, revision: 'api-old', percent: 100 }]);
    cloudRun.publicBinding = true;
    const result = await run(config({ allowUnauthenticated: true }), context, ports(cloudRun));
    expect(cloudRun.steps).toEqual(['get', 'policy', 'update']);
    expect(cloudRun.service?.invokerIamDisabled).toBeUndefined();
    expect(result.publicAccess).toBe('unchanged');
  });

  test('`immediate` goes to 100 % in one step; a partial canary stops at its last step', async () => {
    const a = new FakeCloudRun();
    a.seed([{ type: R, revision: 'api-old', percent: 100 }]);
    expect(
      (
        await run(
          progressive({ rollout: 'immediate', trafficSteps: [100], stepWaitMs: [0] }),
          context,
          ports(a),
        )
      ).verdict,
    ).toBe('promoted');
    expect(a.steps).toEqual(['get', 'update', 'setTraffic:100', 'setTraffic:100']);
    const b = new FakeCloudRun();
    b.seed([{ type: R, revision: 'api-old', percent: 100 }]);
    const canary = await run(progressive({ trafficSteps: [5, 20], stepWaitMs: [0, 0] }), context, ports(b));
    expect(canary.verdict).toBe('canary');
    expect(b.effectiveSplit()).toEqual({ 'api-old': 80, 'api-new': 20 });
  });

  describe('a release an earlier run left unfinished on the service (killed without its post step)', () => {
    const BASELINE: TrafficTarget[] = [{ type: R, revision: 'api-old', percent: 100 }];
    // Run 1000 released api-mid and was killed after its first step (10 %) had landed with its record.
    const left: ReleaseRecord = {
      version: 1,
      service: NAME,
      candidate: 'api-mid',
      tag: 'pr-6',
      restoreTraffic: BASELINE,
      finalTraffic: [{ type: R, revision: 'api-mid', percent: 100, tag: 'pr-6' }],
      stepPercents: [10, 100],
      step: 0,
      verifiedStep: -1,
      phase: 'rolling-out',
      startedAt: '2025-01-01T00:00:00.000Z',
      origin: 'acme/streams@0123abc run 1000 attempt 1',
    };
    const STEP_10: TrafficTarget[] = [
      { type: R, revision: 'api-old', percent: 90 },
      { type: R, revision: 'api-mid', percent: 10, tag: 'pr-6' },
    ];
    const BY_HAND: TrafficTarget[] = [{ type: R, revision: 'api-mid', percent: 100 }];

    test.each<[string, TrafficTarget[], string[], TrafficTarget[], RegExp]>([
      [
        'still at its step: settled first (the baseline restored), then this release goes on from it',
        STEP_10,
        ['get', 'setTraffic:0', 'update', 'setTraffic:10'],
        BASELINE,
        /^warning An earlier run left the release of api-mid unfinished: .*baseline is restored \(the service still serves .*run 1000 attempt 1/,
      ],
      [
        'traffic set by hand since: stale, left alone, and this release starts from the live traffic',
        BY_HAND,
        ['get', 'update', 'setTraffic:10'],
        BY_HAND,
        /^warning Not settling an earlier unfinished release: the release record of api-mid \(written by acme\/streams@0123abc run 1000 attempt 1\) set the traffic of step 1 of 2 \(10 %\), but someone changed the service's traffic since/,
      ],
    ])('%s', async (_case, live, firstSteps, baseline, warning) => {
      const cloudRun = new FakeCloudRun();
      cloudRun.seed(live);
      (cloudRun.service as CloudRunService).annotations = { 'stream-deploy.dev/release': encodeRecord(left) };
      const log = memoryLog();
      const p = ports(cloudRun, log);
      const result = await run(progressive(), context, p);
      expect(result.verdict).toBe('promoted');
      expect(cloudRun.steps.slice(0, firstSteps.length)).toEqual(firstSteps);
      expect(log.lines.filter((l) => l.startsWith('warning') && /api-mid/.test(l))).toEqual([
        expect.stringMatching(warning),
      ]);
      expect(p.records[0].restoreTraffic).toEqual(baseline);
      // The old record is replaced by this release's, which names this run.
      const onService = JSON.parse(cloudRun.service?.annotations?.['stream-deploy.dev/release'] as string);
      expect([onService.candidate, onService.origin]).toEqual([
        'api-new',
        'acme/streams@aaaaaaa run 1 attempt 1',
      ]);
    });

    test('a record older than any job can run has expired: left alone, however well its traffic matches', async () => {
      const cloudRun = new FakeCloudRun();
      cloudRun.seed(STEP_10);
      // The fake clock reads 1970-01-01T00:16:40Z; the record was written 7 hours before.
      const old = { ...left, startedAt: '1969-12-31T17:00:00.000Z', writtenAt: '1969-12-31T17:16:40.000Z' };
      (cloudRun.service as CloudRunService).annotations = { 'stream-deploy.dev/release': encodeRecord(old) };
      const log = memoryLog();
      const p = ports(cloudRun, log);
      const result = await run(progressive(), context, p);
      expect(result.verdict).toBe('promoted');
      expect(cloudRun.steps.slice(0, 3)).toEqual(['get', 'update', 'setTraffic:10']);
      expect(log.lines.filter((l) => /api-mid/.test(l) && l.startsWith('warning'))).toEqual([
        expect.stringMatching(
          /Not settling .* was written 7 h ago, longer ago than any job can run \(6 h\): it has expired/,
        ),
      ]);
      expect(p.records[0].restoreTraffic).toEqual(STEP_10);
    });
  });

  test('`candidate` stops after the smoke test with no traffic', async () => {
    const cloudRun = new FakeCloudRun();
    cloudRun.seed([{ type: R, revision: 'api-old', percent: 100 }]);
    const p = ports(cloudRun);
    const result = await run(progressive({ rollout: 'candidate' }), context, p);
    expect(result.verdict).toBe('candidate');
    expect(cloudRun.steps).toEqual(['get', 'update']);
    // The runner state says the deploy ended, so the post step leaves the candidate alone.
    expect(p.records.map((r) => r.phase)).toEqual(['deploying', 'deployed']);
  });
});
