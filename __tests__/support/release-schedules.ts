// The property test's random fault schedules (__tests__/properties/release.property.test.ts): a seeded
// generator, so a seed replays its schedule exactly, and each schedule in one line for failure messages.
import type { TrafficTarget } from '../../src/core/cloud-run-types';
import { TAGS_ANNOTATION } from '../../src/core/release-tags';
import type { CandidateHealth, Fault, FaultSchedule } from './release-faults';

export const R = 'TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION' as const;
export const LATEST = 'TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST' as const;
export const CANDIDATE = 'api-new';
export const TAG = 'pr-7';

/** The service as the run finds it: the candidate's baseline. */
export type Baseline = 'latest' | 'pinned-split' | 'release-tags';

export const BASELINES: Record<Baseline, { traffic: TrafficTarget[]; annotations?: Record<string, string> }> =
  {
    latest: { traffic: [{ type: LATEST, percent: 100 }] },
    'pinned-split': {
      traffic: [
        { type: R, revision: 'api-old', percent: 70, tag: 'stable' },
        { type: R, revision: 'api-older', percent: 30 },
      ],
    },
    // Tags of two releases this action promoted: a promotion with keep_release_tags 2 takes pr-4 off.
    'release-tags': {
      traffic: [
        { type: R, revision: 'api-old', percent: 100, tag: 'pr-5' },
        { type: R, revision: 'api-older', percent: 0, tag: 'pr-4' },
      ],
      annotations: { [TAGS_ANNOTATION]: JSON.stringify(['pr-4', 'pr-5']) },
    },
  };

const STEP_PLANS = [[100], [50, 100], [10, 50, 100], [10, 50]];

export interface Schedule extends FaultSchedule {
  seed: number;
  steps: number[];
  stepWaitMs: number[];
  keepFailedCandidate: boolean;
  followLatest: boolean;
  baseline: Baseline;
  health: CandidateHealth;
  /** The stream-health panel on: every step carries the stable revision's temporary tag (core/baseline-tag.ts). */
  panel?: boolean;
}

/** mulberry32: a small seeded PRNG, so a seed replays its schedule exactly. */
function random(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1));
  return {
    int,
    chance: (p: number) => next() < p,
    pick: <T>(xs: readonly T[]): T => xs[int(0, xs.length - 1)],
  };
}

/** A random schedule; the same seed gives the same schedule. */
export function generateSchedule(seed: number): Schedule {
  const rnd = random(seed);
  const steps = rnd.pick(STEP_PLANS);
  // A fault-free run makes about 4 port calls before its first step and 7 to 12 per step (virtual waits).
  const span = 4 + 10 * steps.length;
  const faults: Fault[] = [];
  for (let n = rnd.pick([0, 0, 1, 1, 1, 2, 3]); n > 0; n--) {
    const method = rnd.pick([
      'setTraffic',
      'setTraffic',
      'setTraffic',
      'setTraffic',
      'applyService',
      'applyService',
      rnd.pick(['getService', 'revisionFailure'] as const),
    ] as const);
    if (method === 'setTraffic')
      faults.push({ method, call: rnd.int(1, steps.length + 2), kind: rnd.pick(['fail', 'lost', 'slow']) });
    else if (method === 'applyService')
      faults.push({ method, call: 1, kind: rnd.pick(['fail', 'lost', 'slow', 'revision-fails']) });
    else faults.push({ method, call: rnd.int(1, 2), kind: 'fail' });
  }
  const healthKind = rnd.pick(['healthy', 'healthy', 'healthy', 'bad-at-once', 'bad-at-round', 'flaky']);
  const health: CandidateHealth =
    healthKind === 'healthy'
      ? { kind: 'healthy' }
      : healthKind === 'flaky'
        ? { kind: 'flaky', call: rnd.int(1, 8) }
        : {
            kind: 'bad',
            // The candidate's own test is smoke call 1; gate round K's two light tests are calls 2K and 2K+1.
            from: healthKind === 'bad-at-once' ? 1 : 2 * rnd.int(1, 6),
            verdict: rnd.pick(['fail', 'fail', 'inconclusive'] as const),
          };
  return {
    seed,
    steps,
    stepWaitMs: steps.map(() => rnd.pick([0, 1000, 3000])),
    keepFailedCandidate: rnd.chance(0.3),
    followLatest: steps[steps.length - 1] === 100 && rnd.chance(0.2),
    baseline: rnd.pick(['latest', 'pinned-split', 'release-tags'] as const),
    health,
    faults,
    // Half the schedules, by seed, so the random draws (and the regressions' replays) stay as they were.
    panel: seed % 2 === 0,
    // Not before call 2: the run has read the service by then, so its baseline is the one seeded.
    person: rnd.chance(0.35)
      ? {
          at: rnd.int(2, span),
          change: rnd.pick([
            'rollback-by-hand',
            'to-latest',
            'split-by-hand',
            'split-by-hand',
            'promote-by-hand',
            'promote-by-hand',
          ] as const),
        }
      : undefined,
    kill: rnd.chance(0.3) ? { at: rnd.int(1, span), landed: rnd.chance(0.5) } : undefined,
  };
}

/** The schedule in one line, for failure messages. */
export function describeSchedule(s: Schedule): string {
  const health =
    s.health.kind === 'healthy'
      ? 'healthy candidate'
      : s.health.kind === 'flaky'
        ? `candidate fails smoke call ${s.health.call} only`
        : s.health.from === 1
          ? `candidate ${s.health.verdict} from its first smoke test`
          : `candidate ${s.health.verdict} from gate round ${s.health.from / 2}`;
  return [
    `steps ${s.steps.join('/')} (waits ${s.stepWaitMs.join('/')} ms)`,
    `baseline ${s.baseline}`,
    ...(s.keepFailedCandidate ? ['keep_failed_candidate'] : []),
    ...(s.followLatest ? ['follow_latest'] : []),
    health,
    ...s.faults.map((f) => `${f.method} call ${f.call} ${f.kind}`),
    ...(s.person ? [`person ${s.person.change} before port call ${s.person.at}`] : []),
    ...(s.kill ? [`killed in port call ${s.kill.at}${s.kill.landed ? ' (a write in it landed)' : ''}`] : []),
  ].join('; ');
}
