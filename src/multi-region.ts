// The multi-region orchestrator (`regions`/`waves`): one release per region, each the ordinary run() of
// src/run.ts, held between its phases (run/rollout.ts ReleaseHold) so that the regions move together:
//   1. every region deploys its candidate at 0 % behind its tag and smoke-tests it, in parallel;
//   2. once all are staged, wave 1 runs its steps with their gates, probing each region's own URLs;
//   3. then each later wave, its regions in parallel, with the later waves' steps;
//   4. a failure anywhere stops every region still moving (at its next wait), rolls back every region of
//      that wave and of the earlier ones to the baseline it recorded, and withdraws the candidates (tag
//      off, traffic untouched) of the waves not yet started.
// A promoted region stays held (its record says promoted) until the last wave has passed, so the post step
// can still restore it when the job is cancelled mid-wave (src/post.ts). Decisions about one region stay
// in run(); this file only says when each may go on.
import type { DeployConfig, RunContext } from './core/config';
import type { ReleaseVerdict } from './core/release-events';
import type { ReleasePorts } from './ports';
import { StepError } from './errors';
import { run, type ReleaseHold, type ReleaseOutcome } from './run';
import { regionConfig } from './core/regions';

export { regionConfig } from './core/regions';

/** One region's part of the release. */
export interface RegionRelease {
  region: string;
  /** 1-based wave. */
  wave: number;
  outcome: ReleaseOutcome;
  /** The region's release stopped on a defect: where its traffic is, is unknown. */
  unknown?: boolean;
}

/** How the whole release ended: one verdict, why it failed, and each region's own outcome. */
export interface MultiRegionOutcome {
  verdict: ReleaseVerdict;
  failure?: string;
  regions: RegionRelease[];
}

/** A promise with its resolve, opened once. */
interface Latch<T> {
  promise: Promise<T>;
  open(value: T): void;
}

function latch<T>(): Latch<T> {
  let open!: (value: T) => void;
  let opened = false;
  const promise = new Promise<T>((resolve) => (open = resolve));
  return {
    promise,
    open: (value) => {
      if (opened) return;
      opened = true;
      open(value);
    },
  };
}

/** One region's release and the latches that hold it. */
interface Region {
  region: string;
  wave: number;
  /** Opens with `staged` when the candidate passed its smoke test, or `ended` when the run ended first. */
  staged: Latch<'staged' | 'ended'>;
  /** Its wave started (undefined) or the release stopped before it (why). */
  go: Latch<string | undefined>;
  /** Opens with `promoted` when the region reached its planned traffic, or `ended` when the run ended first. */
  reached: Latch<'promoted' | 'ended'>;
  /** Every wave passed (undefined) or one failed (why: roll back). */
  keep: Latch<string | undefined>;
  /** Opens when the release stops: a waiting step in this region ends at once with this reason. */
  stop: Latch<string>;
  done: Promise<ReleaseOutcome>;
  /** Its run threw (a defect): its traffic is unknown. */
  defect?: boolean;
}

/**
 * Releases `config.waves`' regions in waves; `portsFor` gives each region's ports (its own record state
 * and report stream). Never throws for a known ending: each region's run() ends in an outcome.
 */
export async function runRegions(
  config: DeployConfig,
  context: RunContext,
  portsFor: (region: string, wave: number) => ReleasePorts,
): Promise<MultiRegionOutcome> {
  const waves = config.waves ?? [[config.region]];
  const regions: Region[] = waves.flatMap((list, w) => list.map((region) => start(region, w + 1)));
  const stopAll = (why: string) => regions.forEach((r) => r.stop.open(why));

  function start(region: string, wave: number): Region {
    const r = {
      region,
      wave,
      staged: latch<'staged' | 'ended'>(),
      go: latch<string | undefined>(),
      reached: latch<'promoted' | 'ended'>(),
      keep: latch<string | undefined>(),
      stop: latch<string>(),
    } as Omit<Region, 'done'> as Region;
    const ports = portsFor(region, wave);
    let moving = false;
    const hold: ReleaseHold = {
      beforeTraffic: async () => {
        r.staged.open('staged');
        const why = await r.go.promise;
        moving = why === undefined;
        return why;
      },
      afterPromotion: async () => {
        moving = false;
        r.reached.open('promoted');
        return r.keep.promise;
      },
    };
    // Once its traffic moves, a region waits through ports.sleep: a stop ends the wait, and run()'s
    // rollout takes it as a failed step, so the region rolls back through its one rollback path.
    // Once it has thrown, the rollback's own waits are real waits again.
    const sleep = async (ms: number): Promise<void> => {
      if (!moving) return ports.sleep(ms);
      const stopped = await Promise.race([ports.sleep(ms).then(() => undefined), r.stop.promise]);
      if (stopped === undefined || !moving) return;
      moving = false;
      throw new StepError({
        operation: 'go on with the release in',
        target: region,
        cause: stopped,
        hint: '',
      });
    };
    // A defect in one region (run() throws only for those) fails that region like any failure, so the
    // others still stop and roll back; where that region's traffic is, nobody knows: the post step restores it.
    r.done = run(regionConfig(config, region, wave), context, { ...ports, sleep }, hold)
      .catch((err: unknown): ReleaseOutcome => {
        r.defect = true;
        return {
          verdict: 'failed',
          failure: `${region} stopped on an unexpected error: ${err instanceof Error ? err.message : String(err)}`,
          urls: [],
          findings: [],
          tookAllTraffic: false,
          changedNothing: false,
          events: [],
        };
      })
      .then((outcome) => {
        moving = false;
        r.staged.open('ended');
        r.reached.open('ended');
        return outcome;
      });
    return r;
  }

  let failure: string | undefined;
  // 1. Every region stages its candidate; one that ends instead (a failed deploy or smoke test) stops all.
  const staging = await Promise.all(regions.map((r) => r.staged.promise));
  const notStaged = regions.filter((_, i) => staging[i] === 'ended');
  const preview = config.rollout === 'candidate';
  if (!preview && notStaged.length > 0) {
    const outcomes = await Promise.all(notStaged.map((r) => r.done));
    const failed = notStaged.filter((_, i) => outcomes[i].verdict === 'failed');
    if (failed.length > 0)
      failure = `${failed.map((r) => r.region).join(', ')} failed before any traffic moved (${failed.length === 1 ? 'its candidate' : 'their candidates'} never served anyone)`;
  }
  // 2 and 3. Wave by wave; a region fails as soon as its run ends without reaching its planned traffic.
  for (let w = 1; w <= waves.length && failure === undefined; w++) {
    const wave = regions.filter((r) => r.wave === w && staging[regions.indexOf(r)] === 'staged');
    wave.forEach((r) => r.go.open(undefined));
    await Promise.all(
      wave.map(async (r) => {
        if ((await r.reached.promise) === 'promoted') return;
        const ended = await r.done;
        if (failure !== undefined) return;
        failure = `${r.region} (wave ${w}) ${ended.verdict === 'rolled_back' ? 'was rolled back' : 'failed'}: ${firstLine(ended.failure)}`;
        stopAll(`${r.region} failed in wave ${w}, so the release stops in every region`);
      }),
    );
  }
  // 4. Every held region learns how the release ended.
  for (const r of regions) {
    r.go.open(
      failure && `Withdrawn: ${failure}; wave ${r.wave} had not started, so its traffic is untouched.`,
    );
    r.keep.open(failure && `Rolled back with every region: ${failure}.`);
  }
  const outcomes = await Promise.all(regions.map((r) => r.done));
  const releases = regions.map((r, i) => ({
    region: r.region,
    wave: r.wave,
    outcome: outcomes[i],
    ...(r.defect && { unknown: true }),
  }));
  return { ...verdictOf(releases, failure, preview), regions: releases };
}

/** The whole release's verdict: every region's, or (after a failure) rolled back when every region is restored. */
function verdictOf(
  releases: RegionRelease[],
  failure: string | undefined,
  preview: boolean,
): Omit<MultiRegionOutcome, 'regions'> {
  const failed = releases.filter(
    (r) => r.outcome.verdict === 'failed' || r.outcome.verdict === 'rolled_back',
  );
  if (failure === undefined && failed.length === 0) {
    const verdicts = new Set(releases.map((r) => r.outcome.verdict));
    const verdict = preview ? 'candidate' : verdicts.has('canary') ? 'canary' : 'promoted';
    return { verdict };
  }
  // Restored: the region's record says rolled back (its traffic is the baseline again), or it changed nothing.
  const unrestored = releases.filter(
    (r) =>
      r.unknown ||
      !(
        r.outcome.changedNothing ||
        r.outcome.record === undefined ||
        r.outcome.record.phase === 'rolled-back'
      ),
  );
  const lines = releases
    .filter((r) => r.outcome.failure !== undefined)
    .map((r) => `${r.region}: ${firstLine(r.outcome.failure)}`);
  const why = failure ?? `${failed.map((r) => r.region).join(', ')} failed`;
  const where =
    unrestored.length === 0
      ? 'Every region serves its baseline again.'
      : `Not restored: ${unrestored.map((r) => `${r.region} (${r.outcome.record?.phase ?? r.outcome.verdict})`).join(', ')}; the post step will try again.`;
  return {
    verdict: !preview && unrestored.length === 0 ? 'rolled_back' : 'failed',
    failure: `${why}.\n${where}\n${lines.join('\n')}`,
  };
}

/** The failure's first sentence (with its first detail when it ends in a colon), without a final period. */
function firstLine(text: string | undefined): string {
  const [first, second] = (text ?? 'no reason given').split('\n');
  const line = first.endsWith(':') && second ? `${first} ${second.trim()}` : first;
  return line.replace(/[.:]+$/, '');
}
