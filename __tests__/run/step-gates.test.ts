// The step gates inside run() (src/run/step-gates.ts) with in-memory ports and a virtual clock: the
// baseline's temporary tag on every step and off after the promotion or the rollback, the panel judged per
// step, the Monitoring gate waiting out the ingestion delay, the Logging gate, required gates without their
// role, and the hold policy. The panel's clients and the Google APIs are tested in __tests__/adapters.
import type { DeployConfig, GateSettings } from '../../src/core/config';
import type { TrafficTarget } from '../../src/core/cloud-run-types';
import type { LogProblem, Observed, RequestCounts } from '../../src/core/metric-gate';
import { DEFAULT_PANEL_THRESHOLDS } from '../../src/core/stream-panel';
import { armReading } from '../support/panel-readings';
import type { ObservabilityPort, PanelPort, PanelReadings } from '../../src/ports';
import { run } from '../../src/run';
import { RECHECK_MS, SUSPECT_POLL_MS } from '../../src/run/step-gates';
import { FakeCloudRun, memoryLog, ports } from '../support/fake-release-ports';
import { SMOKE, config, context } from '../support/run-config';

const R = 'TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION' as const;
const BASELINE: TrafficTarget[] = [{ type: R, revision: 'api-old', percent: 100 }];

const arm = armReading;

/** A panel port that serves `windows` in turn (the last one again) and records what it was opened with. */
function fakePanel(windows: PanelReadings[]) {
  const opened: Array<{ candidateUrl: string; baselineUrl: string; idToken?: string }> = [];
  let closed = 0;
  let n = 0;
  const port: PanelPort = {
    open: (options) => {
      opened.push(options);
      return {
        window: () => windows[Math.min(n++, windows.length - 1)],
        close: async () => {
          closed++;
          return windows[windows.length - 1];
        },
      };
    },
  };
  return { port, opened, closed: () => closed };
}

const healthy: PanelReadings = { candidate: arm(), baseline: arm() };
/** A window with `failed` failed opens of `tries` on the candidate and none of as many on the baseline. */
const failedOpens = (failed: number, tries: number): PanelReadings => ({
  candidate: arm(100, 1000, { openFailures: failed, attempts: tries }),
  baseline: arm(100, 1000, { attempts: tries }),
});
const slowFirst: PanelReadings = { candidate: arm(3000), baseline: arm(100) };
/**
 * Steps with no bake, judged right at their end: the fake panel's windows are full whatever the clock says,
 * and 10 streams make such steps long enough for the panel to run at all (panelCannotJudge).
 */
const noBake = (extra: Partial<DeployConfig> = {}) =>
  progressive({ panelStreams: 10 }, { stepWaitMs: [0, 0, 0], ...extra });

function progressive(gates: Partial<GateSettings> = {}, extra: Partial<DeployConfig> = {}): DeployConfig {
  const base = config();
  return config({
    smoke: SMOKE,
    rollout: 'progressive',
    trafficSteps: [10, 50, 100],
    stepWaitMs: [10_000, 10_000, 10_000],
    gates: { ...base.gates, panelStreams: 3, panelThresholds: { ...DEFAULT_PANEL_THRESHOLDS }, ...gates },
    ...extra,
  });
}

function world() {
  const cloudRun = new FakeCloudRun();
  cloudRun.seed(BASELINE);
  const p = ports(cloudRun);
  const written: TrafficTarget[][] = [];
  const setTraffic = cloudRun.setTraffic.bind(cloudRun);
  cloudRun.setTraffic = async (name, traffic, options) => {
    written.push(traffic.map((t) => ({ ...t })));
    return setTraffic(name, traffic, options);
  };
  return { cloudRun, p, written };
}

describe('the stream-health panel in the rollout', () => {
  test('the baseline carries its temporary tag at every step, the panel passes each, and the promotion takes the tag off', async () => {
    const { cloudRun, p, written } = world();
    const panel = fakePanel([healthy]);
    p.panel = panel.port;
    const outcome = await run(progressive(), context, p);
    expect(outcome.verdict).toBe('promoted');
    const steps = written.slice(0, 3);
    for (const traffic of steps)
      expect(traffic).toContainEqual({ type: R, revision: 'api-old', percent: 0, tag: 'pr-7-base' });
    expect(cloudRun.service?.traffic.some((t) => t.tag === 'pr-7-base')).toBe(false);
    expect(panel.opened).toEqual([
      expect.objectContaining({ candidateUrl: 'https://pr-7---api', baselineUrl: 'https://pr-7-base---api' }),
    ]);
    expect(panel.closed()).toBe(1);
    const judged = outcome.events.filter((e) => e.type === 'step-judged');
    expect(judged.map((e) => e.type === 'step-judged' && e.gates?.panel?.verdict)).toEqual([
      'pass',
      'pass',
      'pass',
    ]);
  });

  test('a candidate whose first event comes 30x later fails step 1 before the bake ends, and the rollback restores the exact baseline (no temporary tag left)', async () => {
    const { cloudRun, p } = world();
    const panel = fakePanel([slowFirst]);
    p.panel = panel.port;
    const started = p.now();
    const outcome = await run(progressive(), context, p);
    expect(outcome.verdict).toBe('rolled_back');
    expect(outcome.failure).toMatch(
      /Step 1 \(10 %\) failed its checks:\nstream-health panel, before the bake's end: fail: .*first event/,
    );
    expect(p.now() - started).toBeLessThan(10_000);
    expect(cloudRun.service?.traffic).toEqual(BASELINE);
    expect(panel.closed()).toBe(1);
    const judged = outcome.events.find((e) => e.type === 'step-judged');
    expect(judged?.type === 'step-judged' && judged.gates?.panel?.verdict).toBe('fail');
  });

  test('a first event past the limit but within twice its floor waits for the bake, then fails the step', async () => {
    const { cloudRun, p } = world();
    p.panel = fakePanel([{ candidate: arm(500), baseline: arm(100) }]).port;
    const started = p.now();
    const outcome = await run(progressive(), context, p);
    expect(outcome.verdict).toBe('rolled_back');
    expect(outcome.failure).toMatch(/Step 1 \(10 %\) failed its checks:\ngates: .*first event/);
    expect(p.now() - started).toBeGreaterThanOrEqual(10_000);
    expect(cloudRun.service?.traffic).toEqual(BASELINE);
  });

  test('a suspect count makes the step look longer, over all of its time, and fail once it is clear', async () => {
    // 6 failed opens of 300 against none each window: p = 0.016 alone (suspect), p < 0.001 over two windows
    // (the first read of the extra window ends it; the step's check reads a third).
    const failing = failedOpens(6, 300);
    const { cloudRun, p } = world();
    p.panel = fakePanel([healthy, failing]).port;
    const outcome = await run(noBake(), context, p);
    expect(outcome.verdict).toBe('rolled_back');
    expect(outcome.failure).toMatch(/gates: .*failed opens 18 of 906 tries on the candidate vs 0 of 906/);
    expect((p.log as ReturnType<typeof memoryLog>).lines.join('\n')).toMatch(
      /Step 1 looks longer \(1 of 2\): the panel's failed opens 6 of 306 tries/,
    );
    expect(cloudRun.service?.traffic).toEqual(BASELINE);
  });

  test('a suspect step is read every 2.5 s while it looks longer and fails at the first read past the limit', async () => {
    // Step 1 closes suspect (6 of 306 failed opens, p = 0.016), then reads of 2 more each: 8 of 356 at the
    // first (p = 0.004), 10 of 406 at the second (p < 0.001), which ends the wait; the step's check then reads
    // once more and fails.
    const few = failedOpens(2, 50);
    const bake = failedOpens(6, 300);
    const { cloudRun, p } = world();
    p.panel = fakePanel([healthy, bake, few]).port;
    const started = p.now();
    const outcome = await run(noBake(), context, p);
    expect(outcome.verdict).toBe('rolled_back');
    expect(outcome.failure).toMatch(/gates: .*failed opens 12 of 456 tries on the candidate vs 0 of 456/);
    expect(p.now() - started).toBeGreaterThanOrEqual(2 * SUSPECT_POLL_MS);
    expect(p.now() - started).toBeLessThan(RECHECK_MS);
    expect(cloudRun.service?.traffic).toEqual(BASELINE);
  });

  test('a suspect step that never fails waits out both of its extra windows, then passes', async () => {
    // 6 of 306 failed opens at the bake's end (p = 0.016), then none: suspect, never failed, through both
    // extra windows (SUSPECT_EXTENSIONS), after which the step passes.
    const bake = failedOpens(6, 300);
    const clean = failedOpens(0, 5);
    const { p } = world();
    p.panel = fakePanel([healthy, bake, clean]).port;
    const started = p.now();
    const outcome = await run(noBake({ trafficSteps: [10, 100], stepWaitMs: [0, 0] }), context, p);
    expect(outcome.verdict).toBe('promoted');
    expect(p.now() - started).toBeGreaterThanOrEqual(2 * RECHECK_MS);
  });

  test('an inconclusive panel passes by default and holds, then fails, with `gate_inconclusive: hold`', async () => {
    // No stream opened on the baseline: inconclusive however many windows the step adds up.
    const thin: PanelReadings = {
      candidate: arm(),
      baseline: arm(100, 1000, { opened: 0, openNow: 0, streamSeconds: 0 }),
    };
    const passing = world();
    passing.p.panel = fakePanel([thin]).port;
    expect((await run(progressive(), context, passing.p)).verdict).toBe('promoted');

    const holding = world();
    holding.p.panel = fakePanel([thin]).port;
    const started = holding.p.now();
    const policy = {
      onInconclusive: 'hold' as const,
      holdCapMs: 30_000,
      onHoldCapReached: 'fail' as const,
      failuresBeforeRollback: 1,
    };
    const outcome = await run(progressive({ policy }), context, holding.p);
    expect(outcome.verdict).toBe('rolled_back');
    expect(outcome.failure).toMatch(/still inconclusive after 30 s/);
    expect(holding.p.now() - started).toBeGreaterThanOrEqual(40_000);
    expect(holding.cloudRun.service?.traffic).toEqual(BASELINE);

    const recovering = world();
    recovering.p.panel = fakePanel([thin, healthy]).port;
    expect((await run(progressive({ policy }), context, recovering.p)).verdict).toBe('promoted');
  });

  test('two failures in a row are needed with `gate_failures: 2`: one bad window is cleared by the next', async () => {
    const { p } = world();
    p.panel = fakePanel([slowFirst, healthy]).port;
    const policy = {
      onInconclusive: 'pass' as const,
      holdCapMs: 0,
      onHoldCapReached: 'fail' as const,
      failuresBeforeRollback: 2,
    };
    expect((await run(progressive({ policy }), context, p)).verdict).toBe('promoted');
  });

  test('a first deploy has no baseline: no temporary tag, no panel, and it says why', async () => {
    const cloudRun = new FakeCloudRun();
    const p = ports(cloudRun);
    const panel = fakePanel([healthy]);
    p.panel = panel.port;
    const outcome = await run(progressive(), context, p);
    expect(outcome.verdict).toBe('promoted');
    expect(panel.opened).toHaveLength(0);
  });

  test('steps too short for the panel to judge (1 s rounds, 3 streams) open no panel and carry no temporary tag, and say why; `hold` keeps it', async () => {
    for (const [onInconclusive, opens] of [
      ['pass', 0],
      ['hold', 1],
    ] as const) {
      const { cloudRun, p, written } = world();
      const panel = fakePanel([healthy]);
      p.panel = panel.port;
      const base = progressive({}, { stepWaitMs: [0, 0, 0] });
      const policy = { ...base.gates.policy, onInconclusive };
      const outcome = await run({ ...base, gates: { ...base.gates, policy } }, context, p);
      expect(outcome.verdict).toBe('promoted');
      expect(panel.opened).toHaveLength(opens);
      expect(written.some((traffic) => traffic.some((t) => t.tag === 'pr-7-base'))).toBe(opens > 0);
      const said = (p.log as ReturnType<typeof memoryLog>).lines.join('\n');
      if (opens === 0)
        expect(said).toMatch(
          /No stream-health panel: no step is long enough for it to judge \(the longest lasts about 1 s; 3 streams need 10 stream-seconds per step/,
        );
      expect(cloudRun.service?.traffic.some((t) => t.tag === 'pr-7-base')).toBe(false);
    }
  });
});

/** An observability port answering from scripted functions; records the windows it was asked for. */
function fakeObservability(
  counts: (q: { start: number; end: number }) => Observed<Record<string, RequestCounts>>,
  logs: () => Observed<{ entries: LogProblem[]; truncated: boolean }> = () => ({
    kind: 'no-data',
    query: 'q',
  }),
) {
  const asked: Array<{ start: number; end: number }> = [];
  const port: ObservabilityPort = {
    requestCounts: async (q) => {
      asked.push({ start: q.start, end: q.end });
      return counts(q);
    },
    openStreams: async () => ({ kind: 'no-data', query: 'q' }),
    sentBytes: async () => ({ kind: 'no-data', query: 'q' }),
    recentProblems: async () => logs(),
  };
  return { port, asked };
}

const ok = (total: number, errors = 0): RequestCounts => ({
  total,
  byClass: { '2xx': total - errors, '5xx': errors },
});

describe('the Monitoring and Logging gates in the rollout', () => {
  const gates = (extra: Partial<GateSettings> = {}) => ({
    panelStreams: 0,
    metrics: 'auto' as const,
    logs: 'auto' as const,
    metricsDelayMs: 5_000,
    ...extra,
  });

  test('the request gate reads only a window that the ingestion delay has passed, and fails a candidate with 5 % errors', async () => {
    const { p, cloudRun } = world();
    const obs = fakeObservability(() => ({
      kind: 'data',
      query: 'request_count',
      value: { 'api-new': ok(400, 20), 'api-old': ok(4000, 4) },
    }));
    p.observability = obs.port;
    const outcome = await run(progressive(gates(), { stepWaitMs: [70_000, 70_000, 70_000] }), context, p);
    expect(outcome.verdict).toBe('rolled_back');
    expect(outcome.failure).toMatch(/requests:/);
    expect(obs.asked).toHaveLength(1);
    expect(obs.asked[0].end).toBeLessThanOrEqual(p.now() - 5_000);
    expect(cloudRun.service?.traffic).toEqual(BASELINE);
  });

  test('a bake shorter than the delay plus one sample is inconclusive (never a zero): passed by default, with the reason', async () => {
    const { p } = world();
    const obs = fakeObservability(() => ({ kind: 'data', query: 'q', value: {} }));
    p.observability = obs.port;
    const outcome = await run(progressive(gates()), context, p);
    expect(outcome.verdict).toBe('promoted');
    expect(obs.asked).toHaveLength(0);
    const judged = outcome.events.find((e) => e.type === 'step-judged');
    expect(judged?.type === 'step-judged' && judged.gates?.decision).toMatch(
      /inconclusive, passed by policy: requests: not readable yet/,
    );
  });

  test('no data is inconclusive, not a pass; denied is skipped under `auto` and fails the step under `required`', async () => {
    const noData = world();
    noData.p.observability = fakeObservability(() => ({ kind: 'no-data', query: 'q' })).port;
    const policy = {
      onInconclusive: 'fail' as const,
      holdCapMs: 0,
      onHoldCapReached: 'fail' as const,
      failuresBeforeRollback: 1,
    };
    const long = { stepWaitMs: [70_000, 70_000, 70_000] };
    expect((await run(progressive(gates({ policy, logs: 'off' }), long), context, noData.p)).verdict).toBe(
      'rolled_back',
    );

    const denied = () => ({ kind: 'denied' as const, message: 'grant roles/monitoring.viewer', query: 'q' });
    const auto = world();
    auto.p.observability = fakeObservability(denied, denied).port;
    expect((await run(progressive(gates(), long), context, auto.p)).verdict).toBe('promoted');

    const required = world();
    required.p.observability = fakeObservability(denied, denied).port;
    const outcome = await run(progressive(gates({ metrics: 'required' }), long), context, required.p);
    expect(outcome.verdict).toBe('rolled_back');
    expect(outcome.failure).toMatch(/grant roles\/monitoring.viewer/);
  });

  test('a crash in the candidate logs fails the step at once, and its last lines reach the report', async () => {
    const { p } = world();
    const crash: LogProblem = {
      time: '2026-12-02T06:00:00Z',
      severity: 'WARNING',
      text: 'Container called exit(1).',
      source: 'system',
    };
    p.observability = fakeObservability(
      () => ({ kind: 'no-data', query: 'q' }),
      () => ({ kind: 'data', query: 'logs', value: { entries: [crash], truncated: false } }),
    ).port;
    const outcome = await run(progressive(gates()), context, p);
    expect(outcome.verdict).toBe('rolled_back');
    expect(outcome.failure).toMatch(/the candidate crashed: Container called exit\(1\)/);
    const judged = outcome.events.find((e) => e.type === 'step-judged');
    const logGate =
      judged?.type === 'step-judged' ? judged.gates?.checks.find((c) => c.gate === 'logs') : undefined;
    expect(logGate?.lastLines?.[0]).toMatch(/exit\(1\)/);
  });

  test('the split shows the share of open streams once Monitoring has the step, and the promotion measures the old revision draining', async () => {
    const { p } = world();
    const obs = fakeObservability(() => ({
      kind: 'data',
      query: 'q',
      value: { 'api-new': ok(400), 'api-old': ok(4000) },
    }));
    const opened: Array<{ revisions: readonly string[] }> = [];
    obs.port.openStreams = async (q) => {
      opened.push(q);
      return {
        kind: 'data',
        query: 'open',
        value: {
          'api-new': [{ at: q.end, streams: 4 }],
          'api-old': [
            { at: q.end - 120_000, streams: 36 },
            { at: q.end - 60_000, streams: 24 },
            { at: q.end, streams: 12 },
          ],
        },
      };
    };
    obs.port.sentBytes = async () => ({
      kind: 'data',
      query: 'bytes',
      value: { 'api-new': 4 * 2048, 'api-old': 72 * 1024 },
    });
    p.observability = obs.port;
    const outcome = await run(progressive(gates(), { stepWaitMs: [70_000, 70_000, 70_000] }), context, p);
    expect(outcome.verdict).toBe('promoted');
    const first = outcome.events.find((e) => e.type === 'step-judged');
    expect(first?.type === 'step-judged' && first.gates?.split?.openStreamsPercent).toBe(25);
    // Bytes per open stream-minute beside the request gate's verdict: 8 KiB over 4, 72 KiB over 36+24+12.
    const requests =
      first?.type === 'step-judged' ? first.gates?.checks.find((c) => c.gate === 'requests') : undefined;
    expect(requests?.numbers).toContainEqual({
      label: 'sent bytes per open stream-minute (shown, not judged)',
      value: 'candidate 2.0 KiB, baseline 1.0 KiB',
      query: 'bytes',
    });
    const ended = outcome.events.find((e) => e.type === 'ended');
    expect(ended?.type === 'ended' && ended.drain).toMatch(/^api-old: \d+ open streams \(/);
    expect(opened.at(-1)?.revisions).toEqual(['api-old']);
  });
});
