// `BENCH_ONLY=regions npm run bench`: issue 18's cost of scale. The same release of v2 over seeded v1
// baselines to one region, to five regions in the default waves and to five regions in one wave (and the
// one-region and one-wave releases again with the stream-health panel made to judge their 1 s steps), each
// through the BUILT action (dist/main/index.js on Node 24, under GNU time for its CPU time and peak RSS)
// against an in-process emulator, on a fresh service per run; then the GitHub calls of one five-region
// release on a pull request whose sticky comment already exists. Summaries: multi-region-report.ts.
// Each measured release gets an emulator of its own: the Logging fake builds its answer from the whole
// request log at every query, so an emulator's later releases cost it (and the shared CPUs) more.
import { execFileSync, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os, { tmpdir } from 'node:os';
import { join } from 'node:path';
import { seedReleased } from '../__tests__/support/action-world';
import { startEmulator, type Emulator } from '../emulator/emulator';
import { NODE24, startAction } from '../scripts/local-runner';
import { timedOutput, toEpoch } from './release-bench';
import { readCpuMs } from './app-servers';
import type { Machine } from './capacity-report';
import { githubCallCounts } from './github-calls';
import {
  FIVE_REGIONS,
  SCENARIOS,
  selfTimeOf,
  splitTimeline,
  unionMs,
  waitOfSegment,
  waitsOfWaves,
  type RegionsBenchConfig,
  type RegionsGitHubSample,
  type RegionsRaw,
  type RegionsRunSample,
  type Scenario,
} from './multi-region-report';

const IMAGE = 'us-docker.pkg.dev/demo/streams/stream-app';
const PULL_REQUEST = 18;
const HEAD = 'c0ffee18c0ffee18c0ffee18c0ffee18c0ffee18';
/** A run that has not exited by then is killed and counted as failed. */
const RUN_TIMEOUT_MS = 120_000;
/** Pause after seeding, so the baselines' start-up is not in the measured run. */
const SETTLE_MS = 500;

const CONFIG: Omit<RegionsBenchConfig, 'runs'> = {
  smokeDurationMs: 1000,
  trafficSteps: [10, 50, 100],
  stepWaitsMs: [0, 0, 0],
  waveTrafficSteps: [10, 50, 100],
  waveStepWaitsMs: [0, 0, 0],
};

const children = new Set<ChildProcess>();
let emulator: Emulator | undefined;
let scratch: string | undefined;

/** Runs `runs` repetitions of every scenario's release, then the GitHub count; returns the raw samples. */
export async function runRegionsBench(options: {
  root: string;
  runs: number;
  machine: Machine;
  log: (line: string) => void;
}): Promise<RegionsRaw> {
  const { runs, log } = options;
  const started = performance.now();
  const config: RegionsBenchConfig = { runs, ...CONFIG };
  const notes: string[] = [];
  scratch = mkdtempSync(join(tmpdir(), 'regions-bench-'));
  const wrapper = timeWrapper(scratch);
  try {
    const samples: RegionsRunSample[] = [];
    for (let i = 1; i <= runs; i++) {
      // Rotating order spreads drift in the machine's load over the releases.
      for (let k = 0; k < SCENARIOS.length; k++) {
        const scenario = SCENARIOS[(k + i - 1) % SCENARIOS.length];
        const service = `bench-${scenario.id}-${i}`;
        const e = await freshEmulator();
        await seedBaselines(e, service, scenario.waves.flat());
        const sample = await measureRun(e, scenario, service, i, config, wrapper);
        samples.push(sample);
        await stopEmulator();
        log(describe(sample));
        if (sample.exitCode !== 0)
          notes.push(`${scenario.id} run ${i} failed (exit ${sample.exitCode}, ${sample.verdict}).`);
      }
    }

    // Issue 13's conditions: the sticky comment exists (a first release made it), every channel on.
    const service = 'bench-regions-github';
    const e = await freshEmulator();
    await seedBaselines(e, service, FIVE_REGIONS);
    const five = SCENARIOS.find((s) => s.id === 'five-waves')!;
    const first = await measureRun(e, five, service, 0, config, wrapper, 'v2');
    if (first.exitCode !== 0)
      notes.push(`GitHub count: the first five-region release failed (${first.verdict}).`);
    const counted = await measureRun(e, five, service, 0, config, wrapper, 'v1');
    await stopEmulator();
    const github: RegionsGitHubSample = {
      regions: FIVE_REGIONS.length,
      verdict: counted.verdict,
      total: Object.values(counted.githubCalls).reduce((a, b) => a + b, 0),
      calls: counted.githubCalls,
    };
    log(`github calls, five-region release over an existing comment: ${github.total} (${github.verdict})`);

    return {
      machine: { ...options.machine, loadAverageEnd: os.loadavg()[0] },
      commit: gitHead(options.root),
      config,
      totalSeconds: (performance.now() - started) / 1000,
      runs: samples,
      github,
      notes,
    };
  } finally {
    await stopRegionsBench();
  }
}

/** Kills what the bench started (action runs, the emulator and its instances) and removes its scratch files. */
export async function stopRegionsBench(): Promise<void> {
  for (const child of children) child.kill('SIGKILL');
  children.clear();
  await stopEmulator();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
  scratch = undefined;
}

/**
 * The e2e tests' short smoke inputs and the same steps in every wave; `region` alone for one region, and no
 * `waves` for the default grouping (the first region alone, then the rest), as a user would leave it out.
 */
function inputsFor(e: Emulator, scenario: Scenario, service: string, tag: string): Record<string, string> {
  const regions = scenario.waves.flat();
  const defaultWaves = scenario.waves.length === 2 && scenario.waves[0].length === 1;
  const secs = (waits: number[]) => waits.map((w) => `${w / 1000}s`).join(',');
  return {
    project_id: e.endpoints.project,
    ...(regions.length === 1
      ? { region: regions[0] }
      : {
          region: '',
          regions: regions.join(','),
          ...(!defaultWaves && { waves: scenario.waves.map((w) => w.join(',')).join('; ') }),
          wave_traffic_steps: CONFIG.waveTrafficSteps.join(','),
          wave_step_wait: secs(CONFIG.waveStepWaitsMs),
        }),
    service,
    image: `${IMAGE}:${tag}`,
    workload_identity_provider: e.endpoints.workloadIdentityProvider,
    service_account: e.endpoints.serviceAccount,
    allow_unauthenticated: 'true',
    env_vars: 'TICK_MS=100',
    smoke_duration: `${CONFIG.smokeDurationMs / 1000}s`,
    smoke_first_event_timeout: '2s',
    smoke_min_events: '3',
    smoke_max_gap: '1s',
    rollout: 'progressive',
    traffic_steps: CONFIG.trafficSteps.join(','),
    step_wait: secs(CONFIG.stepWaitsMs),
    comment_on_pr: 'true',
    github_deployment: 'true',
    job_summary: 'true',
    ...(scenario.panel && { panel_thresholds: 'min_stream_seconds=3' }),
  };
}

/** An emulator with no history, its pull request open. */
async function freshEmulator(): Promise<Emulator> {
  await stopEmulator();
  emulator = await startEmulator({ startupDeadlineMs: 10_000 });
  emulator.github.registerPullRequest(PULL_REQUEST, HEAD);
  return emulator;
}

/** Stops the emulator and every instance it runs. */
async function stopEmulator(): Promise<void> {
  const e = emulator;
  emulator = undefined;
  await e?.stop();
}

async function seedBaselines(e: Emulator, service: string, regions: string[]): Promise<void> {
  await Promise.all(regions.map((region) => seedReleased(e, service, { region })));
  await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
}

// One measured release of `tag` (v2 over the seeded v1) with its timeline, CPU time and calls.
async function measureRun(
  e: Emulator,
  scenario: Scenario,
  service: string,
  repetition: number,
  config: RegionsBenchConfig,
  wrapper: string,
  tag = 'v2',
): Promise<RegionsRunSample> {
  const timeFile = join(scratch!, `${service}-${tag}.time`);
  const loadAverage = os.loadavg()[0];
  const githubBefore = e.github.requests.length;
  const instancesBefore = instanceCpuMs(e);
  const machineBefore = machineTicks();
  const emulatorBefore = process.cpuUsage();
  const t0 = performance.now();
  const running = startAction('main', inputsFor(e, scenario, service, tag), e.endpoints, {
    node: wrapper,
    event: { pull_request: { number: PULL_REQUEST, head: { sha: HEAD } } },
    env: { BENCH_TIME_FILE: timeFile, GITHUB_RUN_ID: `18${repetition}${tag === 'v1' ? 1 : 0}` },
    timeoutMs: RUN_TIMEOUT_MS,
  });
  children.add(running.child);
  const { lines, exited, done: endOutput } = timedOutput(running.child, t0);
  const result = await running.done;
  const exitPerf = await exited;
  children.delete(running.child);
  const emulatorCpu = process.cpuUsage(emulatorBefore);
  const machineAfter = machineTicks();
  const instancesAfter = instanceCpuMs(e);
  const wallMs = exitPerf - t0;
  endOutput(wallMs);
  const window: [number, number] = [toEpoch(t0), toEpoch(exitPerf)];
  const wire = e.api.wire;

  const inWindow = wire.log.filter((c) => c.at >= window[0] && c.at <= window[1]);
  const starts = wire.revisionStarts
    .filter((s) => s.startedAt >= window[0] && s.startedAt <= window[1])
    .map((s): [number, number] => [s.startedAt, s.endedAt]);
  const deploys = scenario.waves
    .flat()
    .map(
      (region) =>
        inWindow.find((c) => c.method === 'services.update' && c.name.includes(`/locations/${region}/`))?.at,
    )
    .filter((at): at is number => at !== undefined);
  const githubCalls = githubCallCounts(e.github.requests.slice(githubBefore));
  const segments = splitTimeline(lines, wallMs, scenario.waves).map((s) => ({
    title: s.title,
    startMs: s.startMs,
    endMs: s.endMs,
    revisionStartMs: unionMs(starts, [toEpoch(t0 + s.startMs), toEpoch(t0 + s.endMs)]),
    configuredWaitMs: waitOfSegment(config, s.title, s.wave),
  }));
  const time = readTime(timeFile);
  return {
    scenario: scenario.id,
    repetition,
    service,
    exitCode: result.code,
    verdict: result.outputs.verdict ?? '?',
    wallMs,
    configuredWaitMs: waitsOfWaves(config, scenario.waves.length),
    revisionStartMs: unionMs(starts, window),
    revisionStartSumMs: starts.reduce((sum, [from, to]) => sum + (to - from), 0),
    ...time,
    emulatorCpuMs: (emulatorCpu.user + emulatorCpu.system) / 1000,
    instancesCpuMs: [...instancesAfter].reduce(
      (sum, [pid, ms]) => sum + ms - (instancesBefore.get(pid) ?? 0),
      0,
    ),
    ...(machineBefore &&
      machineAfter && {
        machineBusy: (machineAfter.busy - machineBefore.busy) / (machineAfter.total - machineBefore.total),
      }),
    cloudRunCalls: inWindow.length,
    githubCalls,
    ...(deploys.length > 1 && { deploySpreadMs: Math.max(...deploys) - Math.min(...deploys) }),
    loadAverage,
    segments,
  };
}

function describe(r: RegionsRunSample): string {
  const gh = Object.values(r.githubCalls).reduce((a, b) => a + b, 0);
  return (
    `${r.scenario} #${r.repetition}: exit ${r.exitCode} ${r.verdict}; wall ${r.wallMs.toFixed(0)} ms, waits ` +
    `${r.configuredWaitMs} ms, revision starts ${r.revisionStartMs.toFixed(0)} ms (sum ${r.revisionStartSumMs.toFixed(0)}), ` +
    `self ${selfTimeOf(r).toFixed(0)} ms, cpu ${r.cpuMs?.toFixed(0) ?? '?'} ms (emulator ${r.emulatorCpuMs.toFixed(0)}, ` +
    `instances ${r.instancesCpuMs.toFixed(0)}, machine ${r.machineBusy !== undefined ? (r.machineBusy * 100).toFixed(0) : '?'} % busy), rss ` +
    `${r.maxRssKiB !== undefined ? (r.maxRssKiB / 1024).toFixed(0) : '?'} MiB; ${r.cloudRunCalls} Cloud Run calls, ` +
    `${gh} GitHub calls; load ${r.loadAverage.toFixed(2)}`
  );
}

/** A stand-in for the node binary that runs it under GNU time: user and system seconds, peak RSS in KiB. */
function timeWrapper(dir: string): string {
  const path = join(dir, 'node-under-time.sh');
  writeFileSync(path, `#!/bin/sh\nexec /usr/bin/time -f '%U %S %M' -o "$BENCH_TIME_FILE" "${NODE24}" "$@"\n`);
  chmodSync(path, 0o755);
  return path;
}

// GNU time writes "Command exited with non-zero status N" before the figures when the child fails.
function readTime(file: string): { cpuMs?: number; maxRssKiB?: number } {
  if (!existsSync(file)) return {};
  const last = readFileSync(file, 'utf8').trim().split('\n').pop() ?? '';
  const m = /^(\d+\.\d+) (\d+\.\d+) (\d+)$/.exec(last);
  return m ? { cpuMs: (Number(m[1]) + Number(m[2])) * 1000, maxRssKiB: Number(m[3]) } : {};
}

let clockTicks: number | undefined;

/** Clock ticks per second of /proc (`getconf CLK_TCK`), read once. */
function ticksPerSecond(): number {
  clockTicks ??= Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  return clockTicks;
}

// User + system CPU time of every instance process the emulator runs now, by pid (bench/app-servers.ts readCpuMs).
function instanceCpuMs(e: Emulator): Map<number, number> {
  const found = new Map<number, number>();
  for (const pid of e.processes().flatMap((p) => p.pids)) {
    const ms = readCpuMs(pid, ticksPerSecond());
    if (ms !== undefined) found.set(pid, ms);
  }
  return found;
}

// The machine's CPU ticks from /proc/stat's first line: busy (everything but idle and iowait) and total.
function machineTicks(): { busy: number; total: number } | undefined {
  try {
    const cpu = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    const total = cpu.slice(0, 8).reduce((a, b) => a + b, 0);
    return { busy: total - cpu[3] - cpu[4], total };
  } catch {
    return undefined;
  }
}

function gitHead(root: string): string {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
}
