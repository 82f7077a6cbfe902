// Issue 18's "cost of scale" from the multi-region benchmark's raw runs (bench/multi-region.ts): wall time
// of one release to one region against the same release to five (in the default two waves, and in one
// wave), the action's self-time, and the GitHub calls of a five-region release; each judged against its
// target and rendered as the last section of bench/RESULTS.md. Pure: no I/O, no clock.
import { spreadOf, type Machine, type Spread } from './capacity-report';
import { GITHUB_CALL_BUDGET } from './github-calls';
import { configuredWaitsMs, judgeAtMost, overlapMs, type Verdict } from './release-report';

/** Issue 18's targets. */
export const REGION_TARGETS = {
  /** Wall time of the five-region release over the one-region release (medians). */
  wallRatio: 1.3,
  /** Self-time of the five-region release, ms. */
  selfTimeMs: 2000,
} as const;

/**
 * GitHub calls each region beyond the first adds to issue 13's budget of 12 for one region: its own
 * deployment (a create and two statuses) and its commit status (two), as the issue 13 table counts them
 * for one region; the comment (its lookup, identity question and edits) is the whole release's, once.
 */
export const GITHUB_CALLS_PER_EXTRA_REGION = 5;

/** The five regions, wave 1's first. */
export const FIVE_REGIONS = ['us-central1', 'europe-west1', 'asia-east1', 'us-east1', 'europe-west4'];

export type ScenarioId = 'one' | 'five-waves' | 'five-one-wave' | 'one-panel' | 'five-panel';

/** A way to release the same candidate: its regions grouped in waves, as the action's inputs give them. */
export interface Scenario {
  id: ScenarioId;
  title: string;
  waves: string[][];
  /**
   * The stream-health panel made able to judge these 1 s steps (`panel_thresholds: min_stream_seconds=3`):
   * with the defaults it needs longer steps and is not opened (run/step-gates.ts panelCannotJudge).
   */
  panel?: boolean;
}

export const SCENARIOS: readonly Scenario[] = [
  { id: 'one', title: 'One region (`region: us-central1`)', waves: [['us-central1']] },
  {
    id: 'five-waves',
    title: 'Five regions, default waves (`us-central1; europe-west1,asia-east1,us-east1,europe-west4`)',
    waves: [FIVE_REGIONS.slice(0, 1), FIVE_REGIONS.slice(1)],
  },
  { id: 'five-one-wave', title: 'Five regions in one wave', waves: [FIVE_REGIONS] },
  { id: 'one-panel', title: 'One region, panel on', waves: [['us-central1']], panel: true },
  { id: 'five-panel', title: 'Five regions in one wave, panel on', waves: [FIVE_REGIONS], panel: true },
];

/** The one-region release a scenario is compared with: the same panel setting. */
export function baseOf(id: ScenarioId): ScenarioId | undefined {
  if (id === 'one' || id === 'one-panel') return undefined;
  return id === 'five-panel' ? 'one-panel' : 'one';
}

export interface RegionsBenchConfig {
  /** Measured releases per scenario. */
  runs: number;
  smokeDurationMs: number;
  /** Wave 1's steps and bakes (`traffic_steps`, `step_wait`). */
  trafficSteps: number[];
  stepWaitsMs: number[];
  /** Every later wave's (`wave_traffic_steps`, `wave_step_wait`). */
  waveTrafficSteps: number[];
  waveStepWaitsMs: number[];
}

/** A stretch of one release on its critical path (see splitTimeline). */
export interface SegmentSample {
  title: string;
  /** Relative to spawn, ms. */
  startMs: number;
  endMs: number;
  /** Time in the segment during which at least one revision was starting in the emulator, ms. */
  revisionStartMs: number;
  /** Waits the inputs configure in the segment (see configuredWaitsMs), ms. */
  configuredWaitMs: number;
}

export interface RegionsRunSample {
  scenario: ScenarioId;
  /** 1-based; the scenarios of one repetition ran back to back, in rotating order. */
  repetition: number;
  service: string;
  exitCode: number | null;
  verdict: string;
  /** Spawn to exit, ms. */
  wallMs: number;
  /** The configured waits on the critical path: one smoke watch (every region's at once), then each wave's steps. */
  configuredWaitMs: number;
  /** Time during which at least one revision was starting (regions start theirs side by side), ms. */
  revisionStartMs: number;
  /** The same starts added up, region by region, ms. */
  revisionStartSumMs: number;
  /** User + system CPU time of the action process (GNU time %U + %S), ms. */
  cpuMs?: number;
  /** Peak resident set of the action process, KiB (GNU time %M). */
  maxRssKiB?: number;
  /** CPU time of the bench process during the run: the emulator (API, router, GitHub fake), ms. */
  emulatorCpuMs: number;
  /** CPU time of the sample app instances (baselines and candidates) during the run, ms. */
  instancesCpuMs: number;
  /** Share of the machine's CPUs busy during the run (all processes, other users' included), 0..1. */
  machineBusy?: number;
  /** Cloud Run API calls the emulator received during the run. */
  cloudRunCalls: number;
  /** GitHub REST calls by `METHOD path-shape`. */
  githubCalls: Record<string, number>;
  /** First to last region's candidate deploy request (their first services.update), ms. */
  deploySpreadMs?: number;
  /** 1-minute load average just before the run. */
  loadAverage: number;
  segments: SegmentSample[];
}

/** Issue 18's count: one five-region release on a pull request whose sticky comment already exists. */
export interface RegionsGitHubSample {
  regions: number;
  verdict: string;
  total: number;
  calls: Record<string, number>;
}

export interface RegionsRaw {
  machine: Machine;
  /** `git rev-parse --short HEAD` when the bench ran; dist/ ran as found, which may be a build of other sources. */
  commit: string;
  config: RegionsBenchConfig;
  totalSeconds: number;
  runs: RegionsRunSample[];
  github?: RegionsGitHubSample;
  notes: string[];
}

/** The configured waits of a release in `waves` (see configuredWaitsMs): one smoke watch, then every wave's steps. */
export function waitsOfWaves(config: RegionsBenchConfig, waves: number): number {
  return configuredWaitsMs(config.smokeDurationMs, waveWaits(config, waves));
}

function waveWaits(config: RegionsBenchConfig, waves: number): number[] {
  return Array.from({ length: waves }, (_, w) =>
    w === 0 ? config.stepWaitsMs : config.waveStepWaitsMs,
  ).flat();
}

/** Total length of the union of `intervals`, clipped to `window`. */
export function unionMs(intervals: Array<[number, number]>, window: [number, number]): number {
  const sorted = [...intervals].sort((a, b) => a[0] - b[0]);
  const merged: Array<[number, number]> = [];
  for (const [from, to] of sorted) {
    const last = merged.at(-1);
    if (last && from <= last[1]) last[1] = Math.max(last[1], to);
    else merged.push([from, to]);
  }
  return merged.reduce((sum, m) => sum + overlapMs(m, window), 0);
}

/**
 * Splits a release's stdout (each line with its arrival, ms after spawn) into its critical path: start-up
 * (inputs, sign-in) to the first service read; staging (every region's candidate deployed and smoke-tested)
 * to wave 1's first traffic shift; each wave to the next wave's first shift, the last to its last
 * "Promoted:"; then the report, outputs and exit. Lines of a multi-region run carry `[region] `; a
 * one-region run's are its own. Empty when a marker is missing (a failed run).
 */
export function splitTimeline(
  lines: Array<{ atMs: number; text: string }>,
  exitMs: number,
  waves: string[][],
): Array<{ title: string; startMs: number; endMs: number; wave?: number }> {
  const parsed = lines.map(({ atMs, text }) => {
    const prefixed = /^\[([a-z0-9-]+)\] (.*)$/.exec(text);
    const body = prefixed ? prefixed[2] : text;
    const group = /^(?:::group::|▶ )(.*)$/.exec(body)?.[1];
    return { atMs, region: prefixed ? prefixed[1] : waves[0][0], group, body };
  });
  const waveOf = (region: string): number => waves.findIndex((list) => list.includes(region)) + 1;
  const firstRead = parsed.find((l) => l.group?.startsWith('Read service'))?.atMs;
  const shifts = waves.map(
    (_, w) => parsed.find((l) => l.group?.startsWith('Shift traffic') && waveOf(l.region) === w + 1)?.atMs,
  );
  const promoted = parsed.filter((l) => l.body.startsWith('Promoted:') && waveOf(l.region) === waves.length);
  const lastPromoted = promoted.at(-1)?.atMs;
  if (firstRead === undefined || lastPromoted === undefined || shifts.some((s) => s === undefined)) return [];
  const marks = [...(shifts as number[]), lastPromoted];
  return [
    { title: 'Start-up, inputs, sign-in', startMs: 0, endMs: firstRead },
    { title: 'Stage every region (read, deploy at 0 %, smoke test)', startMs: firstRead, endMs: marks[0] },
    ...waves.map((list, w) => ({
      title: `Wave ${w + 1} (${list.length === 1 ? list[0] : `${list.length} regions`}): its steps`,
      startMs: marks[w],
      endMs: marks[w + 1],
      wave: w + 1,
    })),
    { title: 'Report, outputs, exit', startMs: lastPromoted, endMs: exitMs },
  ];
}

/** The configured wait inside one segment of splitTimeline. */
export function waitOfSegment(config: RegionsBenchConfig, title: string, wave: number | undefined): number {
  if (title.startsWith('Stage')) return config.smokeDurationMs;
  if (wave === undefined) return 0;
  const waits = wave === 1 ? config.stepWaitsMs : config.waveStepWaitsMs;
  return configuredWaitsMs(config.smokeDurationMs, waits) - config.smokeDurationMs;
}

/** Wall time less the configured waits and the revision starts on the critical path. */
export function selfTimeOf(r: RegionsRunSample): number {
  return r.wallMs - r.revisionStartMs - r.configuredWaitMs;
}

/** GitHub calls a release to `regions` may make (see GITHUB_CALLS_PER_EXTRA_REGION). */
export function githubBudgetFor(regions: number): number {
  return GITHUB_CALL_BUDGET + (regions - 1) * GITHUB_CALLS_PER_EXTRA_REGION;
}

export interface ScenarioSummary {
  scenario: Scenario;
  runs: number;
  failedRuns: number;
  wallMs?: Spread;
  configuredWaitMs?: Spread;
  revisionStartMs?: Spread;
  selfMs?: Spread;
  cpuMs?: Spread;
  emulatorCpuMs?: Spread;
  instancesCpuMs?: Spread;
  /** Percent of the machine's CPUs busy during the run. */
  machineBusyPercent?: Spread;
  maxRssMiB?: Spread;
  cloudRunCalls?: Spread;
  githubCalls?: Spread;
  deploySpreadMs?: Spread;
  segments: Array<{
    title: string;
    wallMs: Spread;
    configuredWaitMs: Spread;
    revisionStartMs: Spread;
    selfMs: Spread;
  }>;
}

export interface RatioSummary {
  scenario: ScenarioId;
  /** Median five-region wall time over median one-region wall time. */
  ratio: number;
  /** The same ratio within each repetition (runs back to back). */
  perRepetition?: Spread;
  /** Median of wall less revision starts, five regions over one: the ratio without the emulator's instance starts. */
  withoutStarts?: number;
  verdict: Verdict;
}

export interface RegionsSummary {
  scenarios: ScenarioSummary[];
  ratios: RatioSummary[];
  /** Self-time and CPU time of each five-region scenario against REGION_TARGETS.selfTimeMs. */
  selfTime: Array<{ scenario: ScenarioId; self?: Verdict; cpu?: Verdict }>;
  github?: RegionsGitHubSample & { budget: number } & Verdict;
}

// Medians and spreads over the runs that exited 0; targets judged on the medians.
export function summarizeRegions(raw: RegionsRaw): RegionsSummary {
  const good = (id: ScenarioId) => raw.runs.filter((r) => r.scenario === id && r.exitCode === 0);
  const sum = (calls: Record<string, number>) => Object.values(calls).reduce((a, b) => a + b, 0);
  const scenarios = SCENARIOS.map((scenario): ScenarioSummary => {
    const runs = good(scenario.id);
    const of = (pick: (r: RegionsRunSample) => number | undefined) =>
      spreadOf(runs.flatMap((r) => (pick(r) === undefined ? [] : [pick(r)!])));
    const titles = [...new Set(runs.flatMap((r) => r.segments.map((s) => s.title)))];
    return {
      scenario,
      runs: raw.runs.filter((r) => r.scenario === scenario.id).length,
      failedRuns: raw.runs.filter((r) => r.scenario === scenario.id && r.exitCode !== 0).length,
      wallMs: of((r) => r.wallMs),
      configuredWaitMs: of((r) => r.configuredWaitMs),
      revisionStartMs: of((r) => r.revisionStartMs),
      selfMs: of(selfTimeOf),
      cpuMs: of((r) => r.cpuMs),
      emulatorCpuMs: of((r) => r.emulatorCpuMs),
      instancesCpuMs: of((r) => r.instancesCpuMs),
      machineBusyPercent: of((r) => (r.machineBusy === undefined ? undefined : r.machineBusy * 100)),
      maxRssMiB: of((r) => (r.maxRssKiB === undefined ? undefined : r.maxRssKiB / 1024)),
      cloudRunCalls: of((r) => r.cloudRunCalls),
      githubCalls: of((r) => sum(r.githubCalls)),
      deploySpreadMs: of((r) => r.deploySpreadMs),
      segments: titles.map((title) => {
        const seg = (pick: (s: SegmentSample) => number): Spread =>
          spreadOf(
            runs.map((r) => r.segments.filter((s) => s.title === title).reduce((a, s) => a + pick(s), 0)),
          )!;
        return {
          title,
          wallMs: seg((s) => s.endMs - s.startMs),
          configuredWaitMs: seg((s) => s.configuredWaitMs),
          revisionStartMs: seg((s) => s.revisionStartMs),
          selfMs: seg((s) => s.endMs - s.startMs - s.revisionStartMs - s.configuredWaitMs),
        };
      }),
    };
  });
  const ratios = scenarios.flatMap((s): RatioSummary[] => {
    const baseId = baseOf(s.scenario.id);
    const one = scenarios.find((o) => o.scenario.id === baseId)?.wallMs;
    if (!baseId || !one || !s.wallMs) return [];
    const ratio = s.wallMs.median / one.median;
    const net = (id: ScenarioId) => spreadOf(good(id).map((r) => r.wallMs - r.revisionStartMs))?.median;
    const [netFive, netOne] = [net(s.scenario.id), net(baseId)];
    const perRepetition = spreadOf(
      good(s.scenario.id).flatMap((r) => {
        const base = good(baseId).find((o) => o.repetition === r.repetition);
        return base ? [r.wallMs / base.wallMs] : [];
      }),
    );
    return [
      {
        scenario: s.scenario.id,
        ratio,
        ...(perRepetition && { perRepetition }),
        ...(netFive !== undefined && netOne !== undefined && { withoutStarts: netFive / netOne }),
        verdict: judgeAtMost(ratio, REGION_TARGETS.wallRatio),
      },
    ];
  });
  const selfTime = scenarios
    .filter((s) => baseOf(s.scenario.id))
    .map((s) => ({
      scenario: s.scenario.id,
      ...(s.selfMs && { self: judgeAtMost(s.selfMs.median, REGION_TARGETS.selfTimeMs) }),
      ...(s.cpuMs && { cpu: judgeAtMost(s.cpuMs.median, REGION_TARGETS.selfTimeMs) }),
    }));
  const github = raw.github && {
    ...raw.github,
    budget: githubBudgetFor(raw.github.regions),
    ...judgeAtMost(raw.github.total, githubBudgetFor(raw.github.regions)),
  };
  return { scenarios, ratios, selfTime, ...(github && { github }) };
}
