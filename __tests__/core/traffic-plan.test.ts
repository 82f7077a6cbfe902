import type { TrafficTarget } from '../../src/core/cloud-run-types';
import { drainDeadline, judgeShare, planSteps, servingTraffic } from '../../src/core/traffic-plan';
import { seeded } from '../support/prng';

const REV = 'TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION' as const;
const LATEST = 'TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST' as const;
const CAND = 'api-00042';
const TAG = 'pr-12';

/** A REVISION entry; `tag` only when given. */
function rev(revision: string, percent: number, tag?: string): TrafficTarget {
  return { type: REV, revision, percent, ...(tag ? { tag } : {}) };
}
const cand = (percent: number) => rev(CAND, percent, TAG);

describe('planSteps: step traffic by explicit revision names (docs/platform.md "Traffic entry shape")', () => {
  const cases: Array<{
    name: string;
    baseline: TrafficTarget[];
    steps: number[];
    followLatest?: boolean;
    expected: TrafficTarget[][];
  }> = [
    {
      name: 'clean baseline (one revision at 100 %) at 10/50/100',
      baseline: [rev('api-00041', 100)],
      steps: [10, 50, 100],
      expected: [[rev('api-00041', 90), cand(10)], [rev('api-00041', 50), cand(50)], [cand(100)]],
    },
    {
      name: 'split baseline 70/30 keeps its proportions',
      baseline: [rev('api-00040', 70), rev('api-00041', 30)],
      steps: [10, 50, 100],
      expected: [
        [rev('api-00040', 63), rev('api-00041', 27), cand(10)],
        [rev('api-00040', 35), rev('api-00041', 15), cand(50)],
        [cand(100)],
      ],
    },
    {
      name: 'three revisions 33/33/34 at 10 %: largest remainder, ties to the earlier entry',
      baseline: [rev('a-1', 33), rev('a-2', 33), rev('a-3', 34)],
      // 90 * (33, 33, 34) / 100 = 29.7, 29.7, 30.6 -> 29, 29, 30 + the 2 left to the two .7 remainders.
      steps: [10],
      expected: [[rev('a-1', 30), rev('a-2', 30), rev('a-3', 30), cand(10)]],
    },
    {
      name: 'equal thirds tie: the earlier entries take the leftover points',
      baseline: [rev('a-1', 34), rev('a-2', 33), rev('a-3', 33)],
      // 50 * (34, 33, 33) / 100 = 17, 16.5, 16.5 -> 17, 16, 16 + 1 to a-2 (tie with a-3, earlier wins).
      steps: [50],
      expected: [[rev('a-1', 17), rev('a-2', 17), rev('a-3', 16), cand(50)]],
    },
    {
      name: 'an untagged entry rounded to 0 % is left out; a tagged one stays at 0 % with its tag',
      baseline: [rev('a-1', 98), rev('a-2', 1), rev('a-3', 1, 'old')],
      // 10 * (98, 1, 1) / 100 = 9.8, 0.1, 0.1 -> 9, 0, 0 + 1 to a-1.
      steps: [90],
      expected: [[rev('a-1', 10), rev('a-3', 0, 'old'), cand(90)]],
    },
    {
      name: 'user tags stay where they are: on a serving entry and on a 0 % tag-only entry',
      baseline: [rev('api-00041', 100, 'stable'), rev('api-00030', 0, 'v1')],
      steps: [10, 50, 100],
      expected: [
        [rev('api-00041', 90, 'stable'), rev('api-00030', 0, 'v1'), cand(10)],
        [rev('api-00041', 50, 'stable'), rev('api-00030', 0, 'v1'), cand(50)],
        [rev('api-00041', 0, 'stable'), rev('api-00030', 0, 'v1'), cand(100)],
      ],
    },
    {
      name: "a 0 % tag-only entry beside the same revision's percent entry stays as it is",
      baseline: [rev('api-00041', 100), rev('api-00041', 0, 'blue')],
      steps: [25, 100],
      expected: [
        [rev('api-00041', 75), rev('api-00041', 0, 'blue'), cand(25)],
        [rev('api-00041', 0, 'blue'), cand(100)],
      ],
    },
    {
      name: 'followLatest: the final step is LATEST 100 % with the candidate tag on a 0 % entry, user tags kept',
      baseline: [rev('api-00041', 100, 'stable'), rev('api-00030', 0, 'v1')],
      steps: [10, 100],
      followLatest: true,
      expected: [
        [rev('api-00041', 90, 'stable'), rev('api-00030', 0, 'v1'), cand(10)],
        [rev('api-00041', 0, 'stable'), rev('api-00030', 0, 'v1'), cand(0), { type: LATEST, percent: 100 }],
      ],
    },
    {
      name: 'followLatest with immediate rollout (one step at 100 %)',
      baseline: [rev('api-00041', 100)],
      steps: [100],
      followLatest: true,
      expected: [[cand(0), { type: LATEST, percent: 100 }]],
    },
    {
      name: 'partial canary [5, 25] stops at its last step (followLatest has no effect below 100 %)',
      baseline: [rev('api-00041', 100)],
      steps: [5, 25],
      followLatest: true,
      expected: [
        [rev('api-00041', 95), cand(5)],
        [rev('api-00041', 75), cand(25)],
      ],
    },
    {
      name: 'the candidate tag moves to the candidate: a serving entry loses it, a 0 % entry holding it is left out',
      baseline: [rev('api-00041', 100, TAG), rev('api-00030', 0, TAG)],
      steps: [50],
      expected: [[rev('api-00041', 50), cand(50)]],
    },
    {
      name: 'a baseline that already names the candidate: the candidate gets exactly the step, others share the rest',
      baseline: [rev('api-00041', 60), rev(CAND, 40, 'user')],
      steps: [10, 100],
      expected: [
        [rev('api-00041', 90), rev(CAND, 0, 'user'), cand(10)],
        [rev(CAND, 0, 'user'), cand(100)],
      ],
    },
    {
      name: 'nothing else serves (empty baseline or only the candidate): the candidate takes 100 % at every step',
      baseline: [rev(CAND, 100), rev('api-00030', 0, 'v1')],
      steps: [10, 100],
      expected: [
        [rev('api-00030', 0, 'v1'), cand(100)],
        [rev('api-00030', 0, 'v1'), cand(100)],
      ],
    },
    {
      name: 'no steps, no plan',
      baseline: [rev('api-00041', 100)],
      steps: [],
      expected: [],
    },
  ];

  test.each(cases)('$name', ({ baseline, steps, followLatest, expected }) => {
    const frozen = structuredClone(baseline);
    const plan = planSteps(baseline, CAND, TAG, steps, { followLatest: followLatest ?? false });
    expect(plan).toEqual(expected);
    expect(baseline).toEqual(frozen);
    for (const step of plan) expect(sum(step)).toBe(100);
  });

  test('refuses a baseline with a LATEST entry (it must be pinned: CandidatePlan.restoreTraffic)', () => {
    expect(() =>
      planSteps([{ type: LATEST, percent: 100 }], CAND, TAG, [10], { followLatest: false }),
    ).toThrow(/pin LATEST/);
  });

  test.each([[-1], [101], [12.5]])('refuses step percent %p', (p) => {
    expect(() => planSteps([rev('a-1', 100)], CAND, TAG, [p], { followLatest: false })).toThrow(
      /step percent/,
    );
  });

  test('returned steps share no objects with the baseline or each other', () => {
    const baseline = [rev('api-00041', 100, 'stable')];
    const plan = planSteps(baseline, CAND, TAG, [10, 50], { followLatest: false });
    plan[0][0].percent = 1;
    expect(plan[1][0].percent).toBe(50);
    expect(baseline[0].percent).toBe(100);
  });
});

describe('planSteps: properties over random baselines and steps', () => {
  function randomBaseline(rnd: () => number): TrafficTarget[] {
    const serving = 1 + Math.floor(rnd() * 5);
    // Random cut points in 0..100 give serving percents summing to 100 (some may be 0: then dropped).
    const cuts = Array.from({ length: serving - 1 }, () => Math.floor(rnd() * 101)).sort((a, b) => a - b);
    const bounds = [0, ...cuts, 100];
    const out: TrafficTarget[] = [];
    for (let i = 0; i < serving; i++) {
      const percent = bounds[i + 1] - bounds[i];
      if (percent === 0) continue;
      const tag = rnd() < 0.3 ? `t${i}` : rnd() < 0.1 ? TAG : undefined;
      out.push(rev(`api-${String(i).padStart(5, '0')}`, percent, tag));
    }
    const tagOnly = Math.floor(rnd() * 3);
    for (let j = 0; j < tagOnly; j++)
      out.splice(Math.floor(rnd() * (out.length + 1)), 0, rev(`old-${j}`, 0, `u${j}`));
    return out;
  }

  function randomSteps(rnd: () => number): number[] {
    const set = new Set<number>();
    const count = 1 + Math.floor(rnd() * 5);
    for (let i = 0; i < count; i++) set.add(1 + Math.floor(rnd() * 100));
    if (rnd() < 0.7) set.add(100);
    return [...set].sort((a, b) => a - b);
  }

  test('every step sums to 100, tags are unique, user tags stay, shares are within 1 point of proportional', () => {
    const rnd = seeded(20251);
    const failures: string[] = [];
    for (let run = 0; run < 2000; run++) {
      const baseline = randomBaseline(rnd);
      const steps = randomSteps(rnd);
      const followLatest = rnd() < 0.3;
      const plan = planSteps(baseline, CAND, TAG, steps, { followLatest });
      const context = () => JSON.stringify({ run, baseline, steps, followLatest });
      if (plan.length !== steps.length) failures.push(`${context()}: ${plan.length} steps`);
      const servingWeight = baseline.reduce((a, t) => a + t.percent, 0);

      plan.forEach((traffic, i) => {
        const p = steps[i];
        const latestFinal = followLatest && i === steps.length - 1 && p === 100;
        const problems: string[] = [];
        if (sum(traffic) !== 100) problems.push(`sum ${sum(traffic)}`);
        if (traffic.some((t) => !Number.isInteger(t.percent) || t.percent < 0)) problems.push('bad percent');
        const tags = traffic.flatMap((t) => (t.tag ? [t.tag] : []));
        if (new Set(tags).size !== tags.length) problems.push('duplicate tag');
        if (traffic.some((t) => t.percent === 0 && !t.tag)) problems.push('untagged 0 % entry');
        const latest = traffic.filter((t) => t.type === LATEST);
        if (latest.length !== (latestFinal ? 1 : 0)) problems.push('LATEST where not asked');
        const own = traffic.filter((t) => t.tag === TAG);
        if (own.length !== 1 || own[0].revision !== CAND || own[0].percent !== (latestFinal ? 0 : p))
          problems.push('candidate entry');
        for (const t of baseline) {
          if (t.tag && t.tag !== TAG && !traffic.some((x) => x.revision === t.revision && x.tag === t.tag))
            problems.push(`user tag ${t.tag} lost`);
          if (t.percent > 0) {
            const got = traffic.find((x) => x.revision === t.revision)?.percent ?? 0;
            const exact = ((100 - p) * t.percent) / servingWeight;
            if (Math.abs(got - exact) >= 1) problems.push(`${t.revision} got ${got}, proportional ${exact}`);
          }
        }
        if (problems.length) failures.push(`${context()} step ${i}: ${problems.join(', ')}`);
      });
    }
    expect(failures.slice(0, 5)).toEqual([]);
  });
});

describe('judgeShare: the service URL reaches the candidate at about the configured share', () => {
  const cases: Array<{
    name: string;
    total: number;
    candidate: number;
    unidentified?: number;
    percent: number;
    ok: boolean;
  }> = [
    // p = 50, n = 100: 3 sd = 15 points (above the 10-point floor) -> 35..65 passes.
    { name: 'p 50, n 100, 35 (edge of 3 sd)', total: 100, candidate: 35, percent: 50, ok: true },
    { name: 'p 50, n 100, 34', total: 100, candidate: 34, percent: 50, ok: false },
    { name: 'p 50, n 100, 65', total: 100, candidate: 65, percent: 50, ok: true },
    { name: 'p 50, n 100, 66', total: 100, candidate: 66, percent: 50, ok: false },
    // p = 50, n = 10000: 3 sd = 1.5 points, the 10-point floor rules -> 40..60 %.
    { name: 'p 50, n 10000, 40 % (edge of the floor)', total: 10000, candidate: 4000, percent: 50, ok: true },
    { name: 'p 50, n 10000, 39.99 %', total: 10000, candidate: 3999, percent: 50, ok: false },
    { name: 'p 50, n 10000, 60.01 %', total: 10000, candidate: 6001, percent: 50, ok: false },
    // p = 10, n = 100: 3 sd = 9 points -> 1..19 passes; nothing at all fails.
    { name: 'p 10, n 100, 1', total: 100, candidate: 1, percent: 10, ok: true },
    { name: 'p 10, n 100, none reached the candidate', total: 100, candidate: 0, percent: 10, ok: false },
    { name: 'p 10, n 100, 19', total: 100, candidate: 19, percent: 10, ok: true },
    { name: 'p 10, n 100, 20', total: 100, candidate: 20, percent: 10, ok: false },
    // p = 10, n = 1000: 3 sd = 2.8 points, floor min(10, 5, 45) = 5 -> 5..15 %.
    { name: 'p 10, n 1000, 5 %', total: 1000, candidate: 50, percent: 10, ok: true },
    { name: 'p 10, n 1000, 4.9 %', total: 1000, candidate: 49, percent: 10, ok: false },
    { name: 'p 10, n 1000, 15 %', total: 1000, candidate: 150, percent: 10, ok: true },
    { name: 'p 10, n 1000, 15.1 %', total: 1000, candidate: 151, percent: 10, ok: false },
    // Small n: 3 sd = 40.2 points at p 10, n 5 -> 0..2 of 5 passes, 3 of 5 (60 %) fails.
    { name: 'p 10, n 5, 0 (too few to tell)', total: 5, candidate: 0, percent: 10, ok: true },
    { name: 'p 10, n 5, 2', total: 5, candidate: 2, percent: 10, ok: true },
    { name: 'p 10, n 5, 3', total: 5, candidate: 3, percent: 10, ok: false },
    { name: 'p 50, n 1, either answer', total: 1, candidate: 0, percent: 50, ok: true },
    // p = 100: every identified request must be the candidate.
    { name: 'p 100, all 50', total: 50, candidate: 50, percent: 100, ok: true },
    { name: 'p 100, 49 of 50', total: 50, candidate: 49, percent: 100, ok: false },
    { name: 'p 100, 1 of 1', total: 1, candidate: 1, percent: 100, ok: true },
    { name: 'p 100, 999 of 1000', total: 1000, candidate: 999, percent: 100, ok: false },
    // Unidentified responses are not counted.
    {
      name: 'p 100, 40 of 40 identified, 10 unidentified',
      total: 50,
      candidate: 40,
      unidentified: 10,
      percent: 100,
      ok: true,
    },
    {
      name: 'p 50, 50 of 100 identified, 10 unidentified',
      total: 110,
      candidate: 50,
      unidentified: 10,
      percent: 50,
      ok: true,
    },
    {
      name: 'p 50, 20 of 100 identified, 10 unidentified',
      total: 110,
      candidate: 20,
      unidentified: 10,
      percent: 50,
      ok: false,
    },
    // Nothing sampled: no evidence, no pass.
    { name: 'empty sample', total: 0, candidate: 0, percent: 50, ok: false },
  ];

  test.each(cases)('$name -> ok $ok', ({ total, candidate, unidentified, percent, ok }) => {
    const verdict = judgeShare({ total, candidate, unidentified: unidentified ?? 0 }, percent);
    expect(verdict.ok).toBe(ok);
    if (total > 0)
      expect(verdict.detail).toContain(`${candidate} of ${total - (unidentified ?? 0)} identified`);
  });

  test('responses that do not identify their revision: not checked, and says so', () => {
    expect(judgeShare({ total: 40, candidate: 0, unidentified: 40 }, 10)).toEqual({
      ok: true,
      detail: 'not checked: responses do not identify their revision',
    });
  });

  test('detail states observed against expected with counts', () => {
    expect(judgeShare({ total: 100, candidate: 34, unidentified: 0 }, 50)).toEqual({
      ok: false,
      detail:
        'service URL sent 34 of 100 identified requests (34.0 %) to the candidate; expected 50 % ± 15.0 points: outside the expected share',
    });
    expect(judgeShare({ total: 50, candidate: 40, unidentified: 10 }, 100).detail).toBe(
      'service URL sent 40 of 40 identified requests (100.0 %) to the candidate; expected exactly 100 % (10 of 50 responses did not identify their revision and were not counted)',
    );
    expect(judgeShare({ total: 5, candidate: 1, unidentified: 0 }, 10).detail).toContain(
      'small sample: 5 identified requests',
    );
    expect(judgeShare({ total: 0, candidate: 0, unidentified: 0 }, 10).detail).toMatch(
      /no requests were sampled/,
    );
  });
});

describe('drainDeadline: open streams stay on their revision until they end or time out (docs/platform.md "Routing changes take time", "A stream is one request")', () => {
  test.each([
    { at: '2025-06-01T12:00:00.000Z', timeout: 3600, expected: '2025-06-01T13:00:00.000Z' },
    { at: '2025-06-01T23:59:30.500Z', timeout: 300, expected: '2025-06-02T00:04:30.500Z' },
    { at: '2025-06-01T12:00:00.000Z', timeout: 1, expected: '2025-06-01T12:00:01.000Z' },
  ])('$at + $timeout s -> $expected', ({ at, timeout, expected }) => {
    const shift = new Date(at);
    expect(drainDeadline(shift, timeout).toISOString()).toBe(expected);
    expect(shift.toISOString()).toBe(at);
  });
});

function sum(traffic: TrafficTarget[]): number {
  return traffic.reduce((a, t) => a + t.percent, 0);
}

describe('servingTraffic: what serves, for reports and outputs (issue 14)', () => {
  const LATEST = 'TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST' as const;
  const REV = 'TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION' as const;
  test.each([
    {
      name: 'trafficStatuses win over the spec: LATEST resolved, URLs left out',
      traffic: [{ type: LATEST, percent: 100 }],
      trafficStatuses: [{ type: LATEST, revision: 'api-00002', percent: 100, uri: 'https://x' }],
      expected: [{ type: LATEST, revision: 'api-00002', percent: 100 }],
    },
    {
      name: 'a spec naming a revision that no longer serves reads as what serves',
      traffic: [{ type: REV, revision: 'api-gone', percent: 100 }],
      trafficStatuses: [{ type: REV, revision: 'api-00003', percent: 100 }],
      expected: [{ type: REV, revision: 'api-00003', percent: 100 }],
    },
    {
      name: 'no statuses reported: the spec',
      traffic: [{ type: REV, revision: 'api-00001', percent: 100, tag: 'blue' }],
      trafficStatuses: undefined,
      expected: [{ type: REV, revision: 'api-00001', percent: 100, tag: 'blue' }],
    },
    {
      name: 'empty statuses (not reconciled yet): the spec',
      traffic: [{ type: REV, revision: 'api-00001', percent: 100 }],
      trafficStatuses: [],
      expected: [{ type: REV, revision: 'api-00001', percent: 100 }],
    },
  ])('$name', ({ traffic, trafficStatuses, expected }) => {
    expect(servingTraffic({ traffic, trafficStatuses })).toEqual(expected);
  });
});
