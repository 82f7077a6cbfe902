// Turns the release benchmark's raw runs (bench/release-bench.ts) into issue 7's figures: bundle sizes,
// start-up ratios, self-time of a release with its phase breakdown, API calls and polling, peak memory;
// each as median and spread over runs, judged against its target (rendered for bench/RESULTS.md by
// release-sections.ts). Pure: no I/O, no clock.
import { spreadOf, type Machine, type Spread } from './capacity-report';

/** Issue 7's targets. */
export const TARGETS = {
  /** Bytes per dist/ entry (the folder that ships). */
  bundleBytes: 3 * 1024 * 1024,
  /** A rejected bad input, as a ratio to `node -e 0`. */
  badInputRatio: 2,
  /** The first Cloud Run API request, as a ratio to `node -e 0`. */
  firstApiRatio: 10,
  /** Self-time of a whole release, ms. */
  selfTimeMs: 1000,
} as const;

/** One entry of dist/ as it ships. */
export interface BundleEntry {
  entry: string;
  /** Every file under dist/<entry>, bytes. */
  totalBytes: number;
  indexBytes: number;
  /** The largest file, with its path relative to dist/<entry>. */
  largest: { file: string; bytes: number };
  /** Bytes by kind: JavaScript chunks besides index.js, .proto files and the like, licences. */
  chunkBytes: number;
  protoBytes: number;
  otherBytes: number;
  files: number;
}

/** What one start-up measurement timed. */
export type StartupKind = 'node' | 'bad-input' | 'first-api';

export interface StartupSample {
  kind: StartupKind;
  /** 1-based iteration; the three kinds of one iteration ran back to back, in rotating order. */
  iteration: number;
  /** Spawn to exit (node, bad-input) or spawn to the first Cloud Run API call reaching the emulator. */
  ms: number;
  /** The run did what it should: exit 0, a rejected input naming it and no API call, an API call. */
  ok: boolean;
  detail?: string;
}

/** A `::group::` of the action's log, or the stretch before the first / after the last. */
export interface PhaseSample {
  title: string;
  /** Times relative to spawn, ms. */
  startMs: number;
  endMs: number;
  /** Part of the phase the emulator spent starting revisions, ms. */
  revisionStartMs: number;
  /** Part of the phase that is a configured wait (smoke watch durations, step bake), ms. */
  configuredWaitMs: number;
}

export interface OperationSample {
  /** Operation start to done, in the emulator, ms. */
  runMs: number;
  /** operations.get calls for it. */
  polls: number;
  /** Done to the client's poll that saw it, ms (undefined when no poll saw it done). */
  doneToSeenMs?: number;
  /** Operation start to the client's first poll, ms. */
  firstPollMs?: number;
}

export interface ReleaseSample {
  run: number;
  exitCode: number | null;
  verdict: string;
  /** Spawn to exit, ms. */
  wallMs: number;
  /** Time the emulator spent starting revisions during the run, ms. */
  revisionStartMs: number;
  /** Waits the inputs configure (see configuredWaitsMs), ms. */
  configuredWaitMs: number;
  /** Spawn to the first Cloud Run API call, ms. */
  firstApiMs?: number;
  /** Cloud Run API calls by method. */
  calls: Record<string, number>;
  /** GitHub REST API calls by `METHOD path-shape`. */
  githubCalls: Record<string, number>;
  operations: OperationSample[];
  phases: PhaseSample[];
  /** Peak resident set of the action process, KiB (GNU time %M). */
  maxRssKiB?: number;
}

export interface ReleaseBenchConfig {
  /** Repetitions of each figure. */
  runs: number;
  /** The release's smoke watch and steps (the inputs used). */
  smokeDurationMs: number;
  trafficSteps: number[];
  stepWaitsMs: number[];
}

export interface ReleaseRaw {
  machine: Machine;
  config: ReleaseBenchConfig;
  /** Wall time of the release part of the bench, s. */
  totalSeconds: number;
  bundles: BundleEntry[];
  startup: StartupSample[];
  releases: ReleaseSample[];
  /** Peak RSS of the bad-input run, KiB, one per run. */
  badInputMaxRssKiB: number[];
  /** dist/main files the bad-input run loaded (besides index.js), and those a release loads. */
  chunksLoaded: { badInput: string[]; release: string[] };
  notes: string[];
}

/** Whether a target was met and by how much (positive margin = room left). */
export interface Verdict {
  met: boolean;
  /** Target minus measured, in the figure's unit. */
  margin: number;
}

export interface ReleaseSummary {
  bundles: Array<BundleEntry & Verdict>;
  startup: {
    nodeMs?: Spread;
    badInputMs?: Spread;
    firstApiMs?: Spread;
    /** Per iteration: kind / node -e 0 of the same iteration. */
    badInputRatio?: Spread & Verdict;
    firstApiRatio?: Spread & Verdict;
    failed: StartupSample[];
  };
  release: {
    runs: number;
    failedRuns: number;
    wallMs?: Spread;
    revisionStartMs?: Spread;
    configuredWaitMs?: Spread;
    selfMs?: Spread & Verdict;
    phases: Array<{
      title: string;
      wallMs: Spread;
      revisionStartMs: Spread;
      configuredWaitMs: Spread;
      selfMs: Spread;
    }>;
    calls: Array<{ method: string; count: Spread }>;
    totalCalls?: Spread;
    githubCalls: Array<{ method: string; count: Spread }>;
    operationsPerRelease?: Spread;
    pollsPerOperation?: Spread;
    doneToSeenMs?: Spread;
    /** Over all operations of all runs: the worst done-to-seen delay. */
    doneToSeenWorstMs?: number;
    operationRunMs?: Spread;
    firstPollMs?: Spread;
    maxRssMiB?: Spread;
  };
  badInputMaxRssMiB?: Spread;
}

/**
 * Waits a release's inputs configure, which self-time does not count: the candidate's smoke watch, then
 * per traffic step the bake time and, per gate round, the light smoke tests (tag URL and service URL, side
 * by side) of min(smoke duration, 2 s) (src/run.ts checkStep). A zero bake runs exactly one round per step; a
 * longer bake is counted as the bake itself (its last round may overrun it, which then counts as self-time).
 */
export function configuredWaitsMs(smokeDurationMs: number, stepWaitsMs: number[]): number {
  const gate = Math.min(smokeDurationMs, 2000);
  return smokeDurationMs + stepWaitsMs.reduce((sum, w) => sum + Math.max(w, gate), 0);
}

/** The configured wait inside one log group, by its title (see configuredWaitsMs). */
export function waitOfPhase(title: string, smokeDurationMs: number, stepWaitsMs: number[]): number {
  if (/^Smoke test /.test(title)) return smokeDurationMs;
  const step = /^Check step (\d+):/.exec(title);
  if (step) {
    const wait = stepWaitsMs[Number(step[1]) - 1] ?? 0;
    return configuredWaitsMs(smokeDurationMs, [wait]) - smokeDurationMs;
  }
  return 0;
}

/** Length of the overlap of two intervals. */
export function overlapMs(a: [number, number], b: [number, number]): number {
  return Math.max(0, Math.min(a[1], b[1]) - Math.max(a[0], b[0]));
}

/**
 * Splits a run's stdout, each line with its arrival time (ms after spawn), into phases: the `::group::`
 * blocks, the stretch before the first (start-up, inputs, auth) and after the last (report, outputs).
 * Revision names and the service id are replaced so phases of different runs line up.
 */
export function splitPhases(
  lines: Array<{ atMs: number; text: string }>,
  exitMs: number,
  service: string,
): Array<{ title: string; startMs: number; endMs: number }> {
  const phases: Array<{ title: string; startMs: number; endMs: number }> = [];
  let cursor = 0;
  let open: { title: string; startMs: number } | undefined;
  // Workflow command data arrives escaped (% as %25, CR and LF as %0D and %0A).
  const unescape = (data: string): string =>
    data.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%25/g, '%');
  const normalize = (title: string): string =>
    unescape(title)
      .split(`${service}-`)
      .join('REVISION-')
      .replace(/REVISION-[a-z0-9-]+/g, 'REVISION')
      .split(service)
      .join('SERVICE');
  for (const { atMs, text } of lines) {
    const group = /^::group::(.*)$/.exec(text);
    if (group) {
      if (open) phases.push({ ...open, endMs: atMs });
      else
        phases.push({
          title: phases.length === 0 ? '(start-up, inputs, auth)' : '(between groups)',
          startMs: cursor,
          endMs: atMs,
        });
      open = { title: normalize(group[1]), startMs: atMs };
    } else if (text === '::endgroup::' && open) {
      phases.push({ ...open, endMs: atMs });
      open = undefined;
      cursor = atMs;
    }
  }
  if (open) phases.push({ ...open, endMs: exitMs });
  else
    phases.push({ title: '(after the last group: report, outputs, exit)', startMs: cursor, endMs: exitMs });
  return phases;
}

/** The verdict of `measured` against an upper bound. */
export function judgeAtMost(measured: number, target: number): Verdict {
  return { met: measured <= target, margin: target - measured };
}

function spreadOrUndefined(values: number[]): Spread | undefined {
  return spreadOf(values.filter((v) => Number.isFinite(v)));
}

// Median and spread of every figure, with the targets judged on the medians.
export function summarizeRelease(raw: ReleaseRaw): ReleaseSummary {
  const bundles = raw.bundles.map((b) => ({ ...b, ...judgeAtMost(b.totalBytes, TARGETS.bundleBytes) }));

  const okOf = (kind: StartupKind) => raw.startup.filter((s) => s.kind === kind && s.ok);
  const msOf = (kind: StartupKind) => spreadOrUndefined(okOf(kind).map((s) => s.ms));
  const ratios = (kind: StartupKind): number[] =>
    okOf(kind).flatMap((s) => {
      const base = raw.startup.find((n) => n.kind === 'node' && n.ok && n.iteration === s.iteration);
      return base ? [s.ms / base.ms] : [];
    });
  const ratioOf = (kind: StartupKind, target: number): (Spread & Verdict) | undefined => {
    const s = spreadOrUndefined(ratios(kind));
    return s ? { ...s, ...judgeAtMost(s.median, target) } : undefined;
  };

  const good = raw.releases.filter((r) => r.exitCode === 0);
  const selfOf = (r: ReleaseSample): number => r.wallMs - r.revisionStartMs - r.configuredWaitMs;
  const self = spreadOrUndefined(good.map(selfOf));

  const titles = [...new Set(good.flatMap((r) => r.phases.map((p) => p.title)))];
  const phases = titles.map((title) => {
    const of = (pick: (p: PhaseSample) => number): Spread =>
      spreadOf(
        good.map((r) => r.phases.filter((p) => p.title === title).reduce((sum, p) => sum + pick(p), 0)),
      ) as Spread;
    return {
      title,
      wallMs: of((p) => p.endMs - p.startMs),
      revisionStartMs: of((p) => p.revisionStartMs),
      configuredWaitMs: of((p) => p.configuredWaitMs),
      selfMs: of((p) => p.endMs - p.startMs - p.revisionStartMs - p.configuredWaitMs),
    };
  });

  const countsOf = (pick: (r: ReleaseSample) => Record<string, number>) =>
    [...new Set(good.flatMap((r) => Object.keys(pick(r))))]
      .sort()
      .map((method) => ({ method, count: spreadOf(good.map((r) => pick(r)[method] ?? 0)) as Spread }));
  const ops = good.flatMap((r) => r.operations);
  const seen = ops.flatMap((o) => (o.doneToSeenMs !== undefined ? [o.doneToSeenMs] : []));
  const mib = (kib: number): number => kib / 1024;

  return {
    bundles,
    startup: {
      nodeMs: msOf('node'),
      badInputMs: msOf('bad-input'),
      firstApiMs: msOf('first-api'),
      badInputRatio: ratioOf('bad-input', TARGETS.badInputRatio),
      firstApiRatio: ratioOf('first-api', TARGETS.firstApiRatio),
      failed: raw.startup.filter((s) => !s.ok),
    },
    release: {
      runs: raw.releases.length,
      failedRuns: raw.releases.length - good.length,
      wallMs: spreadOrUndefined(good.map((r) => r.wallMs)),
      revisionStartMs: spreadOrUndefined(good.map((r) => r.revisionStartMs)),
      configuredWaitMs: spreadOrUndefined(good.map((r) => r.configuredWaitMs)),
      selfMs: self ? { ...self, ...judgeAtMost(self.median, TARGETS.selfTimeMs) } : undefined,
      phases,
      calls: countsOf((r) => r.calls),
      totalCalls: spreadOrUndefined(good.map((r) => Object.values(r.calls).reduce((a, b) => a + b, 0))),
      githubCalls: countsOf((r) => r.githubCalls),
      operationsPerRelease: spreadOrUndefined(good.map((r) => r.operations.length)),
      pollsPerOperation: spreadOrUndefined(ops.map((o) => o.polls)),
      doneToSeenMs: spreadOrUndefined(seen),
      doneToSeenWorstMs: seen.length > 0 ? Math.max(...seen) : undefined,
      operationRunMs: spreadOrUndefined(ops.map((o) => o.runMs)),
      firstPollMs: spreadOrUndefined(
        ops.flatMap((o) => (o.firstPollMs !== undefined ? [o.firstPollMs] : [])),
      ),
      maxRssMiB: spreadOrUndefined(
        good.flatMap((r) => (r.maxRssKiB !== undefined ? [mib(r.maxRssKiB)] : [])),
      ),
    },
    badInputMaxRssMiB: spreadOrUndefined(raw.badInputMaxRssKiB.map(mib)),
  };
}
