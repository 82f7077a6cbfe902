// Turns the capacity runs into figures: per protocol and rung, the median and spread (min–max) over the
// repeated runs of each per-run statistic, whether the issue-7 target is met, and the RESULTS.md text.
import type { CapacityRun, Distribution, StreamProtocol } from './smoke-capacity';

/** Issue 7's target: this many concurrent streams held by one probe process... */
export const TARGET_STREAMS = 1000;
/** ...with the first event's timing error (arrival minus the server's sentAt) under this. */
export const TARGET_FIRST_EVENT_ERROR_MS = 50;

/** One rung run as the bench recorded it: the probe's own figures plus what the parent saw. */
export interface RecordedRun {
  protocol: StreamProtocol;
  connections: number;
  /** The what-if of opening the streams gradually (see CapacitySpec.ramp); absent = all at once. */
  ramp?: { size: number; everyMs: number };
  /** 1-based repetition of this rung. */
  repetition: number;
  /** Spawn of the probe process to its exit, ms. */
  processWallMs: number;
  /** CPU time of all app processes during the run, ms. */
  serverCpuMs?: number;
  /** The probe's figures; absent when the probe process failed (see `error`). */
  run?: CapacityRun;
  error?: string;
}

/** Median and spread over repeated runs. */
export interface Spread {
  median: number;
  min: number;
  max: number;
}

export interface RungSummary {
  protocol: StreamProtocol;
  connections: number;
  ramp?: { size: number; everyMs: number };
  runs: number;
  failedRuns: number;
  /** Streams held, over runs. */
  held: Spread;
  passes: number;
  firstEventMedianMs?: Spread;
  firstEventP95Ms?: Spread;
  firstEventMaxMs?: Spread;
  firstEventErrorMedianMs?: Spread;
  firstEventErrorP95Ms?: Spread;
  firstEventErrorMaxMs?: Spread;
  eventErrorMedianMs?: Spread;
  eventErrorP95Ms?: Spread;
  eventErrorMaxMs?: Spread;
  laterEventErrorP95Ms?: Spread;
  laterEventErrorMaxMs?: Spread;
  events?: Spread;
  maxRssMiB?: Spread;
  /** Peak RSS minus the RSS before any stream was opened, per stream, KiB. */
  rssPerStreamKiB?: Spread;
  probeCpuMs?: Spread;
  loopDelayP99Ms?: Spread;
  serverCpuMs?: Spread;
}

/** Median and range of `values`, or undefined when there are none. */
export function spreadOf(values: number[]): Spread | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  return { median, min: sorted[0], max: sorted[sorted.length - 1] };
}

// One summary per (protocol, rung) that was run, in protocol then rung order.
export function summarizeRungs(recorded: RecordedRun[]): RungSummary[] {
  const keyOf = (r: RecordedRun): string =>
    `${r.protocol}:${r.connections}:${r.ramp ? `${r.ramp.size}/${r.ramp.everyMs}` : ''}`;
  const keys = [...new Set(recorded.map(keyOf))];
  return keys
    .map((key) => {
      const group = recorded.filter((r) => keyOf(r) === key);
      const runs = group.flatMap((r) => (r.run ? [r.run] : []));
      const from = (pick: (run: CapacityRun) => number | undefined): Spread | undefined =>
        spreadOf(runs.map(pick).filter((x): x is number => x !== undefined));
      const stat = (d: (run: CapacityRun) => Distribution | undefined, k: keyof Distribution) =>
        from((run) => d(run)?.[k]);
      const summary: RungSummary = {
        protocol: group[0].protocol,
        connections: group[0].connections,
        ...(group[0].ramp ? { ramp: group[0].ramp } : {}),
        runs: group.length,
        failedRuns: group.length - runs.length,
        // A probe process that failed held nothing.
        held: spreadOf(group.map((r) => r.run?.held ?? 0)) as Spread,
        passes: runs.filter((r) => r.verdict === 'pass').length,
        firstEventMedianMs: stat((r) => r.firstEventMs, 'median'),
        firstEventP95Ms: stat((r) => r.firstEventMs, 'p95'),
        firstEventMaxMs: stat((r) => r.firstEventMs, 'max'),
        firstEventErrorMedianMs: stat((r) => r.firstEventErrorMs, 'median'),
        firstEventErrorP95Ms: stat((r) => r.firstEventErrorMs, 'p95'),
        firstEventErrorMaxMs: stat((r) => r.firstEventErrorMs, 'max'),
        eventErrorMedianMs: stat((r) => r.eventErrorMs, 'median'),
        eventErrorP95Ms: stat((r) => r.eventErrorMs, 'p95'),
        eventErrorMaxMs: stat((r) => r.eventErrorMs, 'max'),
        laterEventErrorP95Ms: stat((r) => r.laterEventErrorMs, 'p95'),
        laterEventErrorMaxMs: stat((r) => r.laterEventErrorMs, 'max'),
        events: from((r) => r.events),
        maxRssMiB: from((r) => r.maxRssMiB),
        rssPerStreamKiB: from((r) => ((r.peakSampledRssMiB - r.baselineRssMiB) * 1024) / r.connections),
        probeCpuMs: from((r) => r.cpuUserMs + r.cpuSystemMs),
        loopDelayP99Ms: from((r) => r.loopDelayP99Ms),
        serverCpuMs: spreadOf(group.flatMap((r) => (r.serverCpuMs !== undefined ? [r.serverCpuMs] : []))),
      };
      return summary;
    })
    .sort(
      (a, b) =>
        a.protocol.localeCompare(b.protocol) ||
        a.connections - b.connections ||
        Number(a.ramp !== undefined) - Number(b.ramp !== undefined),
    );
}

/** A rung is sound when every run held every stream and its worst first-event error p95 is within target. */
export function isRungSound(s: RungSummary): boolean {
  return (
    s.failedRuns === 0 &&
    s.held.min === s.connections &&
    s.firstEventErrorP95Ms !== undefined &&
    s.firstEventErrorP95Ms.max < TARGET_FIRST_EVENT_ERROR_MS
  );
}

export interface TargetOutcome {
  protocol: StreamProtocol;
  /** Undefined when the target rung was not run. */
  met?: boolean;
  detail: string;
}

// Whether `TARGET_STREAMS` streams were held with first-event error p95 under target, in every run.
export function judgeTarget(
  summaries: RungSummary[],
  protocol: StreamProtocol,
  ramped = false,
): TargetOutcome {
  const s = summaries.find(
    (x) => x.protocol === protocol && x.connections === TARGET_STREAMS && (x.ramp !== undefined) === ramped,
  );
  if (!s) return { protocol, detail: `the ${TARGET_STREAMS}-stream rung was not run` };
  const met = isRungSound(s);
  const p95 = s.firstEventErrorP95Ms;
  const max = s.firstEventErrorMaxMs;
  const detail =
    `held ${s.held.min}–${s.held.max} of ${s.connections} over ${s.runs} run(s); first-event error ` +
    (p95 ? `p95 ${fmt(p95.median)} ms (worst run ${fmt(p95.max)} ms)` : 'not measured') +
    (max ? `, max ${fmt(max.median)} ms (worst run ${fmt(max.max)} ms)` : '');
  return { protocol, met, detail };
}

/** The largest rung of `protocol` that was sound (every run held all, first-event error p95 in target). */
export function largestSoundRung(summaries: RungSummary[], protocol: StreamProtocol): number | undefined {
  const sound = summaries
    .filter((s) => s.protocol === protocol && !s.ramp && isRungSound(s))
    .map((s) => s.connections);
  return sound.length > 0 ? Math.max(...sound) : undefined;
}

export interface Machine {
  nproc: string;
  cpuModel: string;
  totalMemoryGiB: number;
  node: string;
  kernel: string;
  date: string;
  ulimitSoft: string;
  ulimitHard: string;
  localPortRange: string;
  /** 1-minute load average when the bench started and ended (other work on the machine shows here). */
  loadAverageStart: number;
  loadAverageEnd?: number;
}

export interface BenchConfig {
  ladder: number[];
  repetitions: number;
  durationMs: number;
  tickMs: number;
  servers: number;
  budgetSeconds: number;
  /** The what-if ramp tried at the target rung. */
  ramp: { size: number; everyMs: number };
}

export interface BenchReport {
  machine: Machine;
  config: BenchConfig;
  /** Wall time of the whole bench, s. */
  totalSeconds: number;
  /** Why climbing stopped or runs were skipped. */
  notes: string[];
  summaries: RungSummary[];
  runs: RecordedRun[];
}

const PROTOCOL_NAMES: Record<StreamProtocol, string> = { sse: 'SSE', websocket: 'WebSocket' };

// RESULTS.md: the machine, the method, the target and whether it was met, and the two tables.
export function renderResults(report: BenchReport): string {
  const { machine, config, summaries } = report;
  const outcomes = (['sse', 'websocket'] as const).map((p) => judgeTarget(summaries, p));
  const lines: string[] = [];
  lines.push('# Smoke-probe capacity benchmark');
  lines.push('');
  lines.push(
    'How many concurrent SSE and WebSocket streams one smoke-probe process holds on this machine while ' +
      'keeping first-event timing accurate (issue 4). Generated by `npm run bench` (bench/run.ts); the raw ' +
      'figures of every run are in bench/results.json. A benchmark, not a test: figures vary from run to run ' +
      'and machine to machine.',
  );
  lines.push('');
  lines.push('## Target');
  lines.push('');
  lines.push(
    `Issue 7's target for the probe: **${TARGET_STREAMS.toLocaleString('en-US')} concurrent streams held, ` +
      `with first-event error under ${TARGET_FIRST_EVENT_ERROR_MS} ms**. Read here as: in every run of the ` +
      `${TARGET_STREAMS}-stream rung, all ${TARGET_STREAMS} streams held for the whole watch, and the p95 ` +
      `over streams of the first event's timing error was under ${TARGET_FIRST_EVENT_ERROR_MS} ms (the max ` +
      'is shown too). The other issue-7 figures are not measured here.',
  );
  lines.push('');
  const verdictOf = (o: TargetOutcome): string =>
    o.met === undefined ? 'not measured' : o.met ? '**met**' : '**not met**';
  lines.push('With all N streams opened at once (how the probe opened them before these figures):');
  lines.push('');
  for (const o of outcomes) lines.push(`- ${PROTOCOL_NAMES[o.protocol]}: ${verdictOf(o)}: ${o.detail}.`);
  for (const p of ['sse', 'websocket'] as const) {
    const largest = largestSoundRung(summaries, p);
    const tried = Math.max(
      0,
      ...summaries.filter((s) => s.protocol === p && !s.ramp).map((s) => s.connections),
    );
    lines.push(
      `- ${PROTOCOL_NAMES[p]}: largest rung held in full within the timing target: ` +
        `${largest ?? 'none'} (largest tried: ${tried}).`,
    );
  }
  const { size, everyMs } = config.ramp;
  const perSecond = Math.round((size * 1000) / everyMs);
  lines.push('');
  lines.push(
    `Ramped, as the probe in src/ now opens its streams (src/adapters/smoke-probe.ts, openRamped): the same ${TARGET_STREAMS} streams opened ${size} every ` +
      `${everyMs} ms (${perSecond} streams/s, so the last opens after ` +
      `${((Math.ceil(TARGET_STREAMS / size) - 1) * everyMs) / 1000} s):`,
  );
  lines.push('');
  for (const p of ['sse', 'websocket'] as const) {
    const o = judgeTarget(summaries, p, true);
    lines.push(`- ${PROTOCOL_NAMES[p]} ramped: ${verdictOf(o)}: ${o.detail}.`);
  }
  lines.push('');
  lines.push('## Machine');
  lines.push('');
  lines.push('| | |');
  lines.push('| --- | --- |');
  lines.push(`| Date | ${machine.date} |`);
  lines.push(`| \`nproc\` | ${machine.nproc} |`);
  lines.push(`| CPU (/proc/cpuinfo) | ${machine.cpuModel} |`);
  lines.push(`| Memory | ${machine.totalMemoryGiB.toFixed(1)} GiB |`);
  lines.push(`| Node.js | ${machine.node} |`);
  lines.push(`| Kernel | ${machine.kernel} |`);
  lines.push(`| \`ulimit -n\` (soft / hard) | ${machine.ulimitSoft} / ${machine.ulimitHard} |`);
  lines.push(`| Local port range | ${machine.localPortRange} |`);
  lines.push(
    `| Load average (1 min) at start / end | ${machine.loadAverageStart.toFixed(2)} / ` +
      `${machine.loadAverageEnd?.toFixed(2) ?? '?'} (the bench itself adds about 1–2) |`,
  );
  lines.push('');
  lines.push('## Method');
  lines.push('');
  lines.push(
    `- **Servers**: ${config.servers} process(es) of the sample app (examples/stream-app/server.mjs, run by ` +
      `the same \`node\`) on 127.0.0.1, \`TICK_MS=${config.tickMs}\`; connection i goes to server ` +
      `i mod ${config.servers}, so the server side has its own event loops and the probe is what is measured. ` +
      "Each SSE event and WebSocket tick carries `sentAt` (the app's `Date.now()` when it wrote it). The " +
      '"server CPU" column shows how busy the apps were during a run.',
  );
  lines.push(
    '- **Probe**: for each rung, a fresh child process (bench/probe-process.ts) opens N streams at once with ' +
      "the smoke probe's own adapters (`watchSse` / `watchWebSocket`, one clock, `Promise.all`, as " +
      '`createSmokeProbe(...).run` does) and judges them with the smoke judge (`judgeSse` + reconnect for ' +
      'SSE, `judgeWebSocket`, `judgeSmoke`; health skipped). `createSmokeProbe().run` is not called itself ' +
      'because its result carries no per-event arrival times and it sends every stream to one URL. ' +
      `Criteria: duration ${config.durationMs} ms, first event within ${config.durationMs} ms, ` +
      `at least ${Math.max(1, Math.floor(config.durationMs / 2000))} events, no gap over 3 s.`,
  );
  lines.push(
    '- **Held**: the stream answered 200 / upgraded, delivered events, and was still open when the watch ' +
      'ended (no error, not ended or closed by the server or network).',
  );
  lines.push(
    '- **First event**: request sent → first event parsed, per stream, on the probe clock ' +
      '(`performance.now()`); it includes connection set-up while all N connect at once.',
  );
  lines.push(
    '- **Timing error**: for every event, its arrival (probe clock converted to epoch ms with a ' +
      '`Date.now()`/`performance.now()` offset read at a millisecond tick before and after the run and ' +
      "interpolated) minus the app's `sentAt` (same machine, same clock). It is what a smoke verdict's " +
      'timestamps are off by: kernel, server write and probe event-loop delay. `sentAt` is a whole ' +
      'millisecond, so errors read up to 1 ms high. "First-event error" is the same for each stream\'s first ' +
      'event only (sent while all N connect at once); "later events" are all the others (the steady state).',
  );
  lines.push(
    "- **Peak RSS**: the probe process's `ru_maxrss` (`process.resourceUsage().maxRSS`), including Node " +
      'and tsx start-up; "RSS/stream" is the sampled (50 ms) peak minus the RSS before any stream was ' +
      'opened, divided by N. **Probe CPU**: `process.cpuUsage()` user + system from opening the streams ' +
      'to the verdict. **Loop p99**: event-loop delay p99 while watching (`monitorEventLoopDelay`).',
  );
  lines.push(
    `- **Ladder**: ${config.ladder.join(', ')} streams; climbing stops for a protocol at the first rung ` +
      'where a run does not hold every stream. The first pass climbs with one run per rung, then passes ' +
      `2..${config.repetitions} repeat the rungs reached while the ${config.budgetSeconds} s budget allows. ` +
      "Cells show the median over runs with the range (min–max) over runs in brackets; each run's own " +
      'figure is the median / p95 / max over its streams or events.',
  );
  lines.push(
    `- **Ramped what-if** (rows marked "ramped"): at the ${TARGET_STREAMS}-stream rung only, the same ` +
      `measurement with the streams opened ${config.ramp.size} at a time, ${config.ramp.everyMs} ms apart ` +
      "(src/adapters/smoke-probe.ts opens its streams the same way since this figure). Each stream's first-event time still counts " +
      'from its own request.',
  );
  lines.push(
    `- Total bench time: ${report.totalSeconds.toFixed(0)} s. Override with BENCH_LADDER, BENCH_REPS, ` +
      'BENCH_DURATION_MS, BENCH_TICK_MS, BENCH_SERVERS, BENCH_BUDGET_S, BENCH_RAMP (`SIZExMS`).',
  );
  if (report.notes.length > 0) {
    lines.push('');
    lines.push('Notes from this run:');
    lines.push('');
    for (const note of report.notes) lines.push(`- ${note}`);
  }
  lines.push('');
  lines.push('## Streams held and first event (ms)');
  lines.push('');
  lines.push(
    '| Protocol | N | Runs | Held | Verdict pass | First event median | First event p95 | First event max | First-event error p95 | First-event error max |',
  );
  lines.push('| --- | ---: | ---: | --- | ---: | --- | --- | --- | --- | --- |');
  for (const s of summaries) {
    lines.push(
      `| ${labelOf(s)} | ${s.connections} | ${s.runs} | ${cellInt(s.held)} | ` +
        `${s.passes}/${s.runs} | ${cell(s.firstEventMedianMs)} | ${cell(s.firstEventP95Ms)} | ` +
        `${cell(s.firstEventMaxMs)} | ${cell(s.firstEventErrorP95Ms)} | ${cell(s.firstEventErrorMaxMs)} |`,
    );
  }
  lines.push('');
  lines.push('## Timing error over all events (ms) and cost');
  lines.push('');
  lines.push(
    '| Protocol | N | Events | Error median | Error p95 | Error max | Later events: error p95 | Later events: error max | Peak RSS (MiB) | RSS/stream (KiB) | Probe CPU (ms) | Loop p99 (ms) | Server CPU (ms) |',
  );
  lines.push('| --- | ---: | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const s of summaries) {
    lines.push(
      `| ${labelOf(s)} | ${s.connections} | ${cellInt(s.events)} | ` +
        `${cell(s.eventErrorMedianMs)} | ${cell(s.eventErrorP95Ms)} | ${cell(s.eventErrorMaxMs)} | ` +
        `${cell(s.laterEventErrorP95Ms)} | ${cell(s.laterEventErrorMaxMs)} | ` +
        `${cellInt(s.maxRssMiB)} | ${cell(s.rssPerStreamKiB)} | ${cellInt(s.probeCpuMs)} | ` +
        `${cell(s.loopDelayP99Ms)} | ${cellInt(s.serverCpuMs)} |`,
    );
  }
  const failed = summaries.filter((s) => s.failedRuns > 0 || s.held.min < s.connections);
  if (failed.length > 0) {
    lines.push('');
    lines.push('## Streams not held');
    lines.push('');
    for (const s of failed) {
      const reasons = report.runs
        .filter((r) => r.protocol === s.protocol && r.connections === s.connections && !r.ramp === !s.ramp)
        .map((r) =>
          r.run
            ? Object.entries(r.run.failures)
                .map(([why, n]) => `${n}× ${why}`)
                .join(', ') || 'all held'
            : `probe process failed: ${r.error ?? 'unknown'}`,
        );
      lines.push(`- ${labelOf(s)} ${s.connections}: ${reasons.join('; ')}`);
    }
  }
  lines.push('');
  return lines.join('\n');
}

function labelOf(s: RungSummary): string {
  const name = PROTOCOL_NAMES[s.protocol];
  return s.ramp ? `${name}, ramped ${s.ramp.size}/${s.ramp.everyMs} ms` : name;
}

function fmt(ms: number): string {
  return ms >= 100 ? ms.toFixed(0) : ms.toFixed(1);
}

function cell(s: Spread | undefined): string {
  if (!s) return '–';
  return s.min === s.max ? fmt(s.median) : `${fmt(s.median)} (${fmt(s.min)}–${fmt(s.max)})`;
}

function cellInt(s: Spread | undefined): string {
  if (!s) return '–';
  const r = (x: number): string => Math.round(x).toString();
  return s.min === s.max ? r(s.median) : `${r(s.median)} (${r(s.min)}–${r(s.max)})`;
}
