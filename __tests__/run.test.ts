// run() against an in-memory Cloud Run that keeps state: assertions are on the final state and the
// ordered steps, not on call arguments.
import { readFileSync } from 'node:fs';
import { PROFILE_DEFAULTS, type DeployConfig } from '../src/core/config';
import type { TrafficTarget } from '../src/core/cloud-run-types';
import { run } from '../src/run';
import type { Verdict } from '../src/core/smoke-types';
import { FakeCloudRun, fakeSmoke, memoryLog, ports } from './support/fake-release-ports';
import { SMOKE, config, context } from './support/run-config';

test('first deploy: creates the service; the first revision takes all traffic and is tagged', async () => {
  const cloudRun = new FakeCloudRun();
  const log = memoryLog();
  const result = await run(config({ candidateCreatesService: true }), context, ports(cloudRun, log));
  expect(cloudRun.steps).toEqual(['get', 'create']);
  expect(result).toMatchObject({
    revision: 'api-new',
    previousRevision: undefined,
    tookAllTraffic: true,
    tagUrl: 'https://pr-7---api',
    url: 'https://api',
  });
  expect(cloudRun.service?.traffic).toEqual([
    { type: 'TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION', revision: 'api-new', percent: 100, tag: 'pr-7' },
  ]);
  expect(log.lines).toContain('group Deploy api-new (first ready revision: all traffic)');
});

test('an existing service keeps its traffic; the candidate is tagged at 0 %; public through the invoker check in the same update (docs/platform.md "Public access and IAM")', async () => {
  const cloudRun = new FakeCloudRun();
  cloudRun.seed([{ type: 'TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST', percent: 100 }]);
  const result = await run(config({ allowUnauthenticated: true }), context, ports(cloudRun));
  // The IAM policy is read first: a service public by an allUsers binding would be left as it is.
  expect(cloudRun.steps).toEqual(['get', 'policy', 'update']);
  expect(cloudRun.service?.invokerIamDisabled).toBe(true);
  expect(result.publicAccess).toBe('added');
  expect(result.previousRevision).toBe('api-old');
  expect(cloudRun.service?.traffic).toEqual([
    { type: 'TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION', revision: 'api-old', percent: 100 },
    { type: 'TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION', revision: 'api-new', percent: 0, tag: 'pr-7' },
  ]);
});

test.each<[string, Partial<DeployConfig>, string[], boolean | undefined]>([
  [
    '`iam-binding`: allUsers added after the deploy',
    { allowUnauthenticated: true, publicAccessMethod: 'iam-binding' },
    ['get', 'update', 'public:true'],
    undefined,
  ],
  [
    '`false`: the invoker check back on in the update, then any allUsers binding removed',
    { allowUnauthenticated: false },
    ['get', 'update', 'public:false'],
    false,
  ],
])('public access %s', async (_name, overrides, steps, invokerIamDisabled) => {
  const cloudRun = new FakeCloudRun();
  cloudRun.seed([{ type: 'TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST', percent: 100 }]);
  await run(config(overrides), context, ports(cloudRun));
  expect(cloudRun.steps).toEqual(steps);
  expect(cloudRun.service?.invokerIamDisabled).toBe(invokerIamDisabled);
});

test('a failed revision puts traffic and tags back exactly as found and fails with the revision reason', async () => {
  const cloudRun = new FakeCloudRun();
  const baseline: TrafficTarget[] = [
    { type: 'TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST', percent: 90 },
    { type: 'TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION', revision: 'api-older', percent: 10, tag: 'pr-7' },
  ];
  cloudRun.seed(baseline);
  cloudRun.failRevision = true;
  const p = ports(cloudRun);
  // A known ending is an outcome, never a throw (issue 14).
  const outcome = await run(config(), context, p);
  expect(outcome.verdict).toBe('failed');
  // Restored here: the post step has nothing left to do.
  expect(p.records.map((r) => r.phase)).toEqual(['deploying', 'rolled-back']);
  expect(outcome.record?.phase).toBe('rolled-back');
  expect(outcome.failure).toContain('HEALTH_CHECK_CONTAINER_ERROR');
  expect(outcome.failure).toContain('Traffic and tags are exactly as they were');
  expect(outcome.changedNothing).toBe(false);
  expect(outcome.events.map((e) => e.type)).toEqual(['planned', 'deploy-sent', 'deploy-failed', 'ended']);
  expect(cloudRun.steps).toEqual(['get', 'update', 'setTraffic:0']);
  expect(cloudRun.service?.traffic).toEqual([
    { type: 'TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION', revision: 'api-old', percent: 90 },
    baseline[1],
  ]);
  expect(cloudRun.effectiveSplit()).toEqual({ 'api-old': 90, 'api-older': 10 });
});

test('a blocking lint finding stops the release before any change', async () => {
  const cloudRun = new FakeCloudRun();
  cloudRun.seed([{ type: 'TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST', percent: 100 }]);
  const before = structuredClone(cloudRun.service);
  const outcome = await run(
    config({ profile: 'websocket', streaming: { ...PROFILE_DEFAULTS.websocket, useHttp2: true } }),
    context,
    ports(cloudRun),
  );
  expect(outcome.verdict).toBe('failed');
  expect(outcome.findings.map((f) => f.rule)).toEqual(['websocket-http2']);
  expect(outcome.failure).toContain('[websocket-http2]');
  expect(outcome.changedNothing).toBe(true);
  expect(outcome.traffic).toEqual(before?.traffic);
  expect(cloudRun.steps).toEqual(['get']);
  expect(cloudRun.service).toEqual(before);
});

describe('a preview (`rollout: candidate`) of a service that does not exist yet', () => {
  test('is refused before any write, naming the opt-in and why', async () => {
    const cloudRun = new FakeCloudRun();
    const p = ports(cloudRun);
    const outcome = await run(config(), context, p);
    expect(outcome.verdict).toBe('failed');
    expect(outcome.changedNothing).toBe(true);
    expect(outcome.failure).toContain('`candidate_creates_service: true`');
    expect(outcome.failure).toContain('100 % of its traffic');
    expect(cloudRun.steps).toEqual(['get']);
    expect(cloudRun.service).toBeUndefined();
    expect(p.records).toEqual([]);
  });

  test('other rollouts create it, and so does a preview that opted in', async () => {
    for (const overrides of [{ rollout: 'immediate' as const }, { candidateCreatesService: true }]) {
      const cloudRun = new FakeCloudRun();
      await run(config(overrides), context, ports(cloudRun));
      expect(cloudRun.steps).toEqual(['get', 'create']);
    }
  });

  test('a preview of a service that exists is not affected by the opt-in', async () => {
    const cloudRun = new FakeCloudRun();
    cloudRun.seed([{ type: 'TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST', percent: 100 }]);
    const result = await run(config(), context, ports(cloudRun));
    expect(result.verdict).toBe('candidate');
    expect(cloudRun.steps).toEqual(['get', 'update']);
  });
});

test('lint_level strict makes warnings fatal; warn logs them and goes on', async () => {
  const streaming = { ...PROFILE_DEFAULTS.sse, minInstances: 0 };
  const strict = new FakeCloudRun();
  const refused = await run(
    config({ streaming, lintLevel: 'strict', candidateCreatesService: true }),
    context,
    ports(strict),
  );
  expect(refused.verdict).toBe('failed');
  expect(refused.failure).toContain('[min-instances-zero]');
  expect(strict.steps).toEqual(['get']);
  const warn = new FakeCloudRun();
  const log = memoryLog();
  await run(config({ streaming, candidateCreatesService: true }), context, ports(warn, log));
  expect(warn.steps).toEqual(['get', 'create']);
  expect(log.lines.some((l) => l.startsWith('warning [min-instances-zero]'))).toBe(true);
});

describe('the smoke test through the tag URL', () => {
  test('a pass leaves the candidate tagged at 0 %; the ID token is minted for the service URL and only its URLs may get it', async () => {
    const cloudRun = new FakeCloudRun();
    cloudRun.seed([{ type: 'TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST', percent: 100 }]);
    const smoke = fakeSmoke('pass');
    const result = await run(config({ smoke: SMOKE }), context, ports(cloudRun, memoryLog(), smoke));
    expect(result.failure).toBeUndefined();
    expect(result.smoke?.verdict).toBe('pass');
    expect(smoke.calls).toEqual([
      {
        url: 'https://pr-7---api',
        origins: ['https://api', 'https://pr-7---api'],
        idToken: 'id-token-for-https://api',
      },
    ]);
    expect(cloudRun.steps).toEqual(['get', 'update']);
  });

  test.each<[Verdict]>([['fail'], ['inconclusive']])(
    'a %s verdict removes the tag: traffic and tags as found, LATEST pinned so the ready candidate cannot take it',
    async (verdict) => {
      const cloudRun = new FakeCloudRun();
      cloudRun.seed([{ type: 'TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST', percent: 100, tag: 'current' }]);
      const result = await run(
        config({ smoke: SMOKE }),
        context,
        ports(cloudRun, memoryLog(), fakeSmoke(verdict)),
      );
      const restored: TrafficTarget[] = [
        {
          type: 'TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION',
          revision: 'api-old',
          percent: 100,
          tag: 'current',
        },
      ];
      expect(cloudRun.steps).toEqual(['get', 'update', 'setTraffic:0']);
      expect(cloudRun.service?.traffic).toEqual(restored);
      expect(cloudRun.effectiveSplit()).toEqual({ 'api-old': 100 });
      expect(result.traffic).toEqual(restored);
      expect(result.failure).toContain('not-buffered');
      expect(result.failure).toContain('Traffic and tags are exactly as they were');
      expect(result.failure).toContain('LATEST was pinned to api-old');
    },
  );

  test('keep_failed_candidate leaves the failed candidate tagged at 0 % and says so', async () => {
    const cloudRun = new FakeCloudRun();
    cloudRun.seed([{ type: 'TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST', percent: 100 }]);
    const result = await run(
      config({ smoke: SMOKE, keepFailedCandidate: true }),
      context,
      ports(cloudRun, memoryLog(), fakeSmoke('fail')),
    );
    expect(cloudRun.steps).toEqual(['get', 'update']);
    expect(cloudRun.service?.traffic.find((t) => t.tag === 'pr-7')).toEqual({
      type: 'TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION',
      revision: 'api-new',
      percent: 0,
      tag: 'pr-7',
    });
    expect(result.failure).toContain('keep_failed_candidate');
  });

  test('a failed smoke test on a first deploy says there is nothing to roll back to', async () => {
    const cloudRun = new FakeCloudRun();
    const result = await run(
      config({ smoke: SMOKE, candidateCreatesService: true }),
      context,
      ports(cloudRun, memoryLog(), fakeSmoke('fail')),
    );
    expect(cloudRun.steps).toEqual(['get', 'create']);
    expect(result.failure).toContain('nothing to roll back to');
  });

  test('a public service is probed without a token; a smoke_url never gets one', async () => {
    const cloudRun = new FakeCloudRun();
    cloudRun.seed([{ type: 'TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST', percent: 100 }]);
    const smoke = fakeSmoke('pass');
    await run(
      config({ smoke: SMOKE, allowUnauthenticated: true }),
      context,
      ports(cloudRun, memoryLog(), smoke),
    );
    await run(
      config({ smoke: SMOKE, smokeUrl: 'https://api.example.com', revisionSuffix: 'newer' }),
      context,
      ports(cloudRun, memoryLog(), smoke),
    );
    expect(smoke.calls.map((c) => [c.url, c.idToken])).toEqual([
      ['https://pr-7---api', undefined],
      ['https://api.example.com', undefined],
    ]);
  });
});

describe("the orchestrator's shape", () => {
  const ORCHESTRATOR = ['run.ts', 'run/rollout.ts', 'run/gate.ts', 'run/candidate.ts', 'run/tracker.ts'];
  const read = (file: string) => readFileSync(new URL(`../src/${file}`, import.meta.url), 'utf8');

  test.each(ORCHESTRATOR)(
    'src/%s reaches the outside only through src/ports.ts: no adapter module',
    (file) => {
      const specifiers = [...read(file).matchAll(/(?:from|import)\s*\(?\s*['"]([^'"]+)['"]/g)].map(
        (m) => m[1],
      );
      expect(specifiers.filter((s) => s.includes('adapters/'))).toEqual([]);
    },
  );

  test('the release record is written only by the event log: saveRecord and the record annotation appear nowhere else', () => {
    for (const file of ORCHESTRATOR.filter((f) => f !== 'run/tracker.ts' && f !== 'run/candidate.ts')) {
      const source = read(file);
      expect([file, /saveRecord|encodeRecord|RECORD_ANNOTATION/.test(source)]).toEqual([file, false]);
    }
    // candidate.ts settles an earlier run's record (not this release's), with the traffic, in one write.
    expect(read('run/candidate.ts')).not.toMatch(/saveRecord/);
    expect(read('run/tracker.ts')).toMatch(/saveRecord\(record\)/);
  });

  test('run() has one return type: a ReleaseOutcome', () => {
    expect(read('run.ts')).toMatch(/export async function run\([^)]*\): Promise<ReleaseOutcome>/s);
  });
});
