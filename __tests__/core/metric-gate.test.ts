import {
  DEFAULT_ERROR_THRESHOLDS,
  INGESTION_DELAY_MS,
  applyGatePolicy,
  describeEffectiveSplit,
  judgeLogProblems,
  judgeRequestErrors,
  metricWindow,
  renderGateNumbers,
  unreadVerdict,
  type GatePolicy,
  type GateVerdict,
  type LogProblem,
  type RequestCounts,
} from '../../src/core/metric-gate';
import { seeded } from '../support/prng';

const T0 = Date.parse('2026-03-01T12:00:00Z');
const MIN = 60_000;

const counts = (total: number, errors: number): RequestCounts => ({
  total,
  byClass: { '2xx': total - errors, ...(errors > 0 && { '5xx': errors }) },
});

/** A Binomial(n, p) draw by geometric skips from one failure to the next: exact, and p·n steps, not n. */
const binomial = (n: number, p: number, random: () => number) => {
  let k = 0;
  for (let i = Math.floor(Math.log(1 - random()) / Math.log1p(-p)); i < n; k++)
    i += 1 + Math.floor(Math.log(1 - random()) / Math.log1p(-p));
  return k;
};

describe('metricWindow', () => {
  test.each([
    ['right after the change: wait', T0 + 10_000, 'wait', T0 + INGESTION_DELAY_MS + MIN],
    ['delayed data not in yet (3 min 59 s)', T0 + 4 * MIN - 1000, 'wait', T0 + INGESTION_DELAY_MS + MIN],
    ['one full sample after the delay: ready', T0 + 4 * MIN, 'ready', undefined],
    ['ten minutes in: ready', T0 + 10 * MIN, 'ready', undefined],
  ])('%s', (_name, now, kind, readableAt) => {
    const w = metricWindow(T0, now, INGESTION_DELAY_MS);
    expect(w.kind).toBe(kind);
    if (w.kind === 'wait') expect(w.readableAt).toBe(readableAt);
    else {
      expect(w.start).toBe(T0);
      expect(w.end).toBe(now - INGESTION_DELAY_MS);
    }
  });
});

describe('judgeRequestErrors', () => {
  test.each<[string, RequestCounts | undefined, RequestCounts | undefined, string, RegExp]>([
    [
      'no candidate data',
      undefined,
      counts(500, 5),
      'inconclusive',
      /no request data for the candidate.*not zero/,
    ],
    ['no baseline data is never a zero', counts(500, 5), undefined, 'inconclusive', /baseline/],
    [
      'tiny candidate sample',
      counts(20, 5),
      counts(500, 5),
      'inconclusive',
      /too few requests.*candidate 20/,
    ],
    ['tiny baseline sample', counts(500, 5), counts(49, 0), 'inconclusive', /baseline 49.*at least 50/],
    ['equal 1 % noise', counts(2000, 20), counts(2000, 20), 'pass', /1\.00 %/],
    ['no errors at all', counts(60, 0), counts(60, 0), 'pass', /0\.00 %/],
    ['5 % against 1 %, many requests', counts(2000, 100), counts(2000, 20), 'fail', /exceeds/],
    ['all failing', counts(100, 100), counts(100, 0), 'fail', /exceeds/],
    ['worse, but too few to be sure', counts(60, 3), counts(60, 0), 'inconclusive', /not significantly/],
    ['better than the baseline', counts(1000, 0), counts(1000, 50), 'pass', /0\.00 %/],
  ])('%s', (_name, candidate, baseline, verdict, reason) => {
    const v = judgeRequestErrors(candidate, baseline, DEFAULT_ERROR_THRESHOLDS, 'Q');
    expect(v.verdict).toBe(verdict);
    expect(v.reason).toMatch(reason);
    expect(v.numbers.filter((n) => n.label.includes('requests')).every((n) => n.query === 'Q')).toBe(true);
  });

  test('1 % noise on both arms never fails a healthy candidate (1000 seeded trials, 50 to 5000 requests)', () => {
    const random = seeded(15);
    const verdicts = { pass: 0, fail: 0, inconclusive: 0, skipped: 0 };
    for (let trial = 0; trial < 1000; trial++) {
      const nc = 50 + Math.floor(random() * 4950);
      const nb = 50 + Math.floor(random() * 4950);
      const v = judgeRequestErrors(
        counts(nc, binomial(nc, 0.01, random)),
        counts(nb, binomial(nb, 0.01, random)),
      );
      verdicts[v.verdict]++;
    }
    expect(verdicts.fail).toBe(0);
    // It can tell: most trials pass outright.
    expect(verdicts.pass).toBeGreaterThan(900);
  });

  test('5 % candidate errors against a 1 % baseline fail (300 seeded trials, 3000 to 6000 requests)', () => {
    const random = seeded(42);
    for (let trial = 0; trial < 300; trial++) {
      const n = 3000 + Math.floor(random() * 3000);
      const v = judgeRequestErrors(
        counts(n, binomial(n, 0.05, random)),
        counts(n, binomial(n, 0.01, random)),
      );
      expect(v.verdict).toBe('fail');
    }
  });
});

const line = (source: LogProblem['source'], severity: string, text: string, status?: number): LogProblem => ({
  time: '2026-03-01T12:01:00Z',
  severity,
  text,
  source,
  ...(status !== undefined && { status }),
});

describe('judgeLogProblems', () => {
  test.each<[string, LogProblem[], string, RegExp]>([
    ['nothing logged', [], 'pass', /0 app ERROR lines/],
    [
      'a crash fails at once',
      [line('system', 'ERROR', 'Memory limit of 512 MiB exceeded')],
      'fail',
      /crashed: Memory/,
    ],
    [
      'exit() in a system warning is a crash',
      [line('system', 'WARNING', 'Container called exit(1).')],
      'fail',
      /crashed/,
    ],
    [
      'a system start-up notice is not',
      [line('system', 'WARNING', 'Starting new instance')],
      'pass',
      /no crash/,
    ],
    [
      '5xx request logs are counted, never judged here: 1 % of a busy step is dozens',
      Array.from({ length: 40 }, () => line('request', 'ERROR', 'GET /events', 503)),
      'pass',
      /40 5xx request logs/,
    ],
    [
      'six app ERROR lines fail when the baseline logged none',
      Array.from({ length: 6 }, () => line('app', 'ERROR', 'boom')),
      'fail',
      /6 app ERROR lines since the step began, against 0 on the baseline/,
    ],
  ])('%s', (_name, entries, verdict, reason) => {
    const v = judgeLogProblems(entries);
    expect(v.verdict).toBe(verdict);
    expect(v.reason).toMatch(reason);
  });

  test('app ERROR lines are judged against the baseline’s in the same window', () => {
    const entries = Array.from({ length: 12 }, () => line('app', 'ERROR', 'retrying upstream'));
    expect(judgeLogProblems(entries, undefined, { baselineErrors: 8 }).verdict).toBe('pass');
    expect(judgeLogProblems(entries, undefined, { baselineErrors: 6 }).verdict).toBe('fail');
  });

  test('keeps the last lines for the report and says when counts are lower bounds', () => {
    const entries = Array.from({ length: 30 }, (_, i) => line('app', 'ERROR', `boom ${i}`));
    const v = judgeLogProblems(
      entries,
      { maxCrashes: 0, maxProblems: 5, keepLines: 3 },
      { truncated: true, query: 'L' },
    );
    expect(v.lastLines).toEqual([
      '2026-03-01T12:01:00Z ERROR boom 0',
      '2026-03-01T12:01:00Z ERROR boom 1',
      '2026-03-01T12:01:00Z ERROR boom 2',
    ]);
    expect(v.reason).toMatch(/at least 30/);
    expect(v.numbers.every((n) => n.query === 'L')).toBe(true);
  });
});

describe('unreadVerdict', () => {
  test.each([
    [
      'requests',
      { kind: 'denied' as const, message: 'grant roles/monitoring.viewer', query: 'q' },
      'skipped',
    ],
    ['logs', { kind: 'denied' as const, message: 'grant roles/logging.viewer', query: 'q' }, 'skipped'],
    ['requests', { kind: 'error' as const, message: '503', query: 'q' }, 'inconclusive'],
    ['requests', { kind: 'no-data' as const, query: 'q' }, 'inconclusive'],
    ['logs', { kind: 'no-data' as const, query: 'q' }, 'pass'],
  ] as const)('%s, %j: %s', (gate, observed, verdict) => {
    expect(unreadVerdict(gate, observed)?.verdict).toBe(verdict);
  });

  test('data is for the judges', () => {
    expect(unreadVerdict('requests', { kind: 'data', value: {}, query: 'q' })).toBeUndefined();
  });
});

describe('describeEffectiveSplit', () => {
  test('three numbers, and the lag of open streams', () => {
    const split = describeEffectiveSplit({
      configuredPercent: 50,
      observedNewShare: 0.48,
      openStreamsByRevision: { 'api-2': 20, 'api-1': 180 },
      candidate: 'api-2',
      sessionAffinity: false,
    });
    expect([split.configuredPercent, split.observedNewPercent, split.openStreamsPercent]).toEqual([
      50, 48, 10,
    ]);
    expect(split.warnings).toEqual([expect.stringMatching(/only 10 % of open streams.*until they end/)]);
  });

  test('session affinity warns; nothing measured says so', () => {
    const split = describeEffectiveSplit({ configuredPercent: 10, sessionAffinity: true });
    expect(split.observedNewPercent).toBeUndefined();
    expect(split.openStreamsPercent).toBeUndefined();
    expect(split.numbers.map((n) => n.value)).toEqual(['10 %', 'not measured', 'not measured']);
    expect(split.warnings).toEqual([expect.stringMatching(/session affinity/)]);
  });
});

describe('applyGatePolicy', () => {
  const v = (verdict: GateVerdict['verdict'], atMin: number): GateVerdict => ({
    gate: 'requests',
    verdict,
    reason: verdict,
    numbers: [],
    at: T0 + atMin * MIN,
  });
  const hold: GatePolicy = { onInconclusive: 'hold', holdCapMs: 10 * MIN, failuresBeforeRollback: 2 };

  test.each<[string, GateVerdict[], GatePolicy, string, RegExp]>([
    ['no check yet', [], hold, 'continue-holding', /no check/],
    ['pass', [v('pass', 0)], hold, 'pass', /pass/],
    ['skipped passes', [v('skipped', 0)], hold, 'pass', /skipped/],
    ['one failure is confirmed first', [v('pass', 0), v('fail', 1)], hold, 'continue-holding', /1 of 2/],
    ['two in a row fail', [v('fail', 0), v('fail', 1)], hold, 'fail', /2 failed checks in a row/],
    [
      'a pass between resets the count',
      [v('fail', 0), v('pass', 1), v('fail', 2)],
      hold,
      'continue-holding',
      /1 of 2/,
    ],
    [
      'one failure is enough when asked',
      [v('fail', 0)],
      { ...hold, failuresBeforeRollback: 1 },
      'fail',
      /1 failed/,
    ],
    [
      'inconclusive holds under the cap',
      [v('inconclusive', 0), v('inconclusive', 9)],
      hold,
      'continue-holding',
      /540 s of at most 600 s/,
    ],
    [
      'inconclusive at the cap fails',
      [v('inconclusive', 0), v('inconclusive', 10)],
      hold,
      'fail',
      /still inconclusive after 600 s/,
    ],
    [
      'or passes when asked',
      [v('inconclusive', 0), v('inconclusive', 10)],
      { ...hold, onHoldCapReached: 'pass' },
      'pass',
      /passed by policy/,
    ],
    [
      'the hold counts from the current run',
      [v('inconclusive', 0), v('pass', 5), v('inconclusive', 12)],
      hold,
      'continue-holding',
      /0 s of at most/,
    ],
    [
      'inconclusive fails at once',
      [v('inconclusive', 0)],
      { ...hold, onInconclusive: 'fail' },
      'fail',
      /failed by policy/,
    ],
    [
      'inconclusive passes at once',
      [v('inconclusive', 0)],
      { ...hold, onInconclusive: 'pass' },
      'pass',
      /passed by policy/,
    ],
  ])('%s', (_name, history, policy, decision, reason) => {
    const d = applyGatePolicy(history, policy);
    expect(d.decision).toBe(decision);
    expect(d.reason).toMatch(reason);
  });
});

describe('renderGateNumbers', () => {
  test('every number with its query, one line each', () => {
    const requests = judgeRequestErrors(
      counts(2000, 100),
      counts(2000, 20),
      DEFAULT_ERROR_THRESHOLDS,
      'metric.type="x" `y`',
    );
    const split = describeEffectiveSplit({ configuredPercent: 10, sessionAffinity: true });
    const lines = renderGateNumbers([requests], split);
    expect(lines[0]).toMatch(/^- Request errors: \*\*fail\*\* — /);
    expect(lines).toContain('  - candidate requests: **2000** — `metric.type="x" \'y\'`');
    expect(lines).toContain('  - baseline 5xx: **20 (1.00 %)** — `metric.type="x" \'y\'`');
    expect(lines).toContain('  - configured % of new requests: **10 %**');
    expect(lines.some((l) => /⚠️ session affinity/.test(l))).toBe(true);
  });
});
