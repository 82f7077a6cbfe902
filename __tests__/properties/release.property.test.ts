// Random fault schedules through the whole release (issue 14): API errors, writes whose answer is lost,
// slow operations, a person changing traffic mid-run, the job killed at any port call (then the post step
// recovers from the runner state main saved), and candidates that are healthy, bad, or turn bad at a gate.
// After each schedule the invariants in __tests__/support/release-invariants.ts must hold. Virtual
// time, no emulator: a few seconds for 250.
//
// Replay: PROPERTY_SEED=<seed> PROPERTY_RUNS=1 runs the schedule of that seed (the first schedule's seed is
// the base seed); PROPERTY_SCHEDULE='<json>' runs one schedule as printed by a failure.
// PROPERTY_RUNS (default 250) sets how many; PROPERTY_SEED=random draws the base seed from the clock;
// PROPERTY_VERBOSE=1 prints every violating schedule, not only the first and the shortest.
import { INVARIANTS, type Invariant } from '../support/release-invariants';
import { describeSchedule, generateSchedule, type Schedule } from '../support/release-schedules';
import { runTrial, type Trial } from '../support/release-trial';

const RUNS = Number(process.env.PROPERTY_RUNS || 250);
const BASE_SEED =
  process.env.PROPERTY_SEED === 'random'
    ? Date.now() % 2 ** 31
    : Number(process.env.PROPERTY_SEED || 20_250_614);

// ---------------------------------------------------------------------------------------------------------
// Regressions: the shortest schedules that showed each defect this test found (issue 14), kept as cases
// of their own so they run whatever the seed.

const QUICK = { stepWaitMs: [0], keepFailedCandidate: false, followLatest: false, faults: [] };

const REGRESSIONS: Array<[string, Omit<Schedule, 'seed'>]> = [
  [
    'a step saved in the runner state before its traffic landed',
    { ...QUICK, steps: [10, 50], stepWaitMs: [0, 0], baseline: 'latest', health: { kind: 'healthy' } },
  ],
  [
    'promoted saved before the promotion (older release tags off) landed',
    { ...QUICK, steps: [50, 100], stepWaitMs: [0, 0], baseline: 'release-tags', health: { kind: 'healthy' } },
  ],
  [
    'a deploy that landed but lost its answer recorded as rolled back, its candidate still tagged',
    {
      ...QUICK,
      steps: [100],
      baseline: 'latest',
      health: { kind: 'healthy' },
      faults: [{ method: 'applyService', call: 1, kind: 'lost' }],
    },
  ],
  [
    'a promotion whose last write failed reported as promoted, older release tags still on',
    {
      ...QUICK,
      steps: [100],
      baseline: 'release-tags',
      health: { kind: 'healthy' },
      faults: [{ method: 'setTraffic', call: 2, kind: 'fail' }],
    },
  ],
  [
    'a failed candidate whose tag could not be taken off, without saying the post step will',
    {
      ...QUICK,
      steps: [100],
      baseline: 'latest',
      health: { kind: 'bad', from: 1, verdict: 'fail' },
      faults: [{ method: 'setTraffic', call: 1, kind: 'fail' }],
    },
  ],
  [
    'a tag removal that landed without answering, reported with the tag still on',
    {
      ...QUICK,
      steps: [100],
      baseline: 'latest',
      health: { kind: 'bad', from: 1, verdict: 'fail' },
      faults: [{ method: 'setTraffic', call: 1, kind: 'slow' }],
    },
  ],
  [
    'a deploy refused because a person changed the service, reported with the traffic read before',
    {
      ...QUICK,
      steps: [10, 50],
      stepWaitMs: [0, 0],
      baseline: 'latest',
      health: { kind: 'healthy' },
      person: { at: 2, change: 'promote-by-hand' },
    },
  ],
];

// ---------------------------------------------------------------------------------------------------------
// Running the schedules, shrinking the first violation of each invariant

/** Removes what a violation does not need (faults, the person, the kill, options), keeping the same invariant broken. */
async function shrink(s: Schedule, invariant: Invariant): Promise<Schedule> {
  const breaks = async (c: Schedule) => (await runTrial(c)).violations.some((v) => v.invariant === invariant);
  let best = s;
  for (let changed = true; changed;) {
    changed = false;
    const candidates: Schedule[] = [
      ...best.faults.map((_, i) => ({ ...best, faults: best.faults.filter((__, j) => j !== i) })),
      ...(best.person ? [{ ...best, person: undefined }] : []),
      ...(best.kill ? [{ ...best, kill: undefined }] : []),
      ...(best.health.kind !== 'healthy' ? [{ ...best, health: { kind: 'healthy' as const } }] : []),
      ...(best.keepFailedCandidate ? [{ ...best, keepFailedCandidate: false }] : []),
      ...(best.followLatest ? [{ ...best, followLatest: false }] : []),
      ...(best.stepWaitMs.some((w) => w > 0) ? [{ ...best, stepWaitMs: best.steps.map(() => 0) }] : []),
      ...(best.baseline !== 'latest' ? [{ ...best, baseline: 'latest' as const }] : []),
    ];
    for (const c of candidates) {
      if (await breaks(c)) {
        best = c;
        changed = true;
        break;
      }
    }
  }
  return best;
}

const schedules: Schedule[] = process.env.PROPERTY_SCHEDULE
  ? [JSON.parse(process.env.PROPERTY_SCHEDULE) as Schedule]
  : // Schedule i's seed is the base seed plus i golden-ratio steps: schedule 0's seed is the base seed itself
    // (so PROPERTY_SEED=<a schedule's seed> PROPERTY_RUNS=1 replays it), and nearby base seeds share none.
    Array.from({ length: RUNS }, (_, i) => generateSchedule((BASE_SEED + i * 0x9e3779b9) >>> 0));
const trials: Trial[] = [];

beforeAll(async () => {
  for (const s of schedules) trials.push(await runTrial(s));
});

/** Fails with the count, the seeds, and the shortest schedule found (shrunk from the first), to replay. */
async function expectNoViolation(invariant: Invariant): Promise<void> {
  const failing = trials.filter((t) => t.violations.some((v) => v.invariant === invariant));
  if (failing.length === 0) return;
  if (process.env.PROPERTY_VERBOSE)
    for (const t of failing)
      console.log(
        `${invariant}\nseed ${t.schedule.seed}: ${describeSchedule(t.schedule)}\n  ${t.violations.find((v) => v.invariant === invariant)?.detail}`,
      );
  const first = failing[0];
  const shortest = await shrink(first.schedule, invariant);
  const shown = (await runTrial(shortest)).violations.find((v) => v.invariant === invariant);
  throw new Error(
    [
      `${failing.length} of ${trials.length} schedules (base seed ${BASE_SEED}) break "${invariant}".`,
      `Seeds: ${failing
        .slice(0, 10)
        .map((x) => x.schedule.seed)
        .join(', ')}${failing.length > 10 ? ', …' : ''} (replay one: PROPERTY_SEED=<seed> PROPERTY_RUNS=1).`,
      `First: seed ${first.schedule.seed}: ${describeSchedule(first.schedule)}`,
      `  ${first.violations.find((v) => v.invariant === invariant)?.detail}`,
      `Shortest: ${describeSchedule(shortest)}`,
      `  ${shown?.detail}`,
      `  PROPERTY_SCHEDULE='${JSON.stringify(shortest)}'`,
    ].join('\n'),
  );
}

describe(`the release under ${schedules.length} random fault schedules (base seed ${BASE_SEED})`, () => {
  test('at least 200 schedules run unless PROPERTY_RUNS asks for fewer, and they reach every kind of ending', () => {
    if (process.env.PROPERTY_RUNS || process.env.PROPERTY_SCHEDULE) return;
    expect(trials.length).toBeGreaterThanOrEqual(200);
    // The generator must keep hitting what it means to: a schedule that never fires is not a test.
    const seen = new Set(
      trials.flatMap((t) => [
        t.main ? `main ${t.main.verdict}` : 'killed',
        ...t.fired.map((f) => f.replace(/#\d+/, '').replace(/^person .*/, 'person')),
        ...(t.post.action !== 'nothing' ? [`post ${t.post.action}`] : []),
      ]),
    );
    const wanted = [
      'killed',
      'main promoted',
      'main canary',
      'main rolled_back',
      'main failed',
      'post restore',
      'setTraffic fail',
      'setTraffic lost',
      'setTraffic slow',
      'applyService fail',
      'applyService lost',
      'applyService slow',
      'applyService revision-fails',
      'getService fail',
      'person',
    ];
    expect(wanted.filter((w) => !seen.has(w))).toEqual([]);
  });

  test.each(INVARIANTS.map((i) => [i]))('%s', async (invariant) => {
    await expectNoViolation(invariant);
  });
});

describe('regressions (the shortest schedule of each defect found)', () => {
  test.each(REGRESSIONS)('%s', async (_title, schedule) => {
    const t = await runTrial({ seed: 0, ...schedule });
    expect(t.violations.map((v) => `${v.invariant}: ${v.detail}`)).toEqual([]);
  });
});
