// The release benchmarks of issue 7: bundle sizes, start-up against `node -e 0`, self-time of a whole
// progressive release with its phases, API calls and polling, peak memory. Always the BUILT action
// (dist/main/index.js on Node 24, started the way the runner does by scripts/local-runner.ts) against an
// in-process emulator, whose wire log (GET /emulator/calls) stamps every API call, revision start and operation.
import { spawn, type ChildProcess } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import os, { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { startEmulator, type Emulator } from '../emulator/emulator';
import { NODE24, runAction, runnerEnv, startAction, type RunningAction } from '../scripts/local-runner';
import type { Machine } from './capacity-report';
import { githubCallCounts } from './github-calls';
import {
  configuredWaitsMs,
  overlapMs,
  splitPhases,
  waitOfPhase,
  type BundleEntry,
  type OperationSample,
  type ReleaseBenchConfig,
  type ReleaseRaw,
  type ReleaseSample,
  type StartupKind,
  type StartupSample,
} from './release-report';

const IMAGE = 'us-docker.pkg.dev/demo/streams/stream-app';
const SMOKE_DURATION_MS = 1000;
const TRAFFIC_STEPS = [10, 50, 100];
const STEP_WAITS_MS = [0, 0, 0];
/** A run that has not exited by then is killed and counted as failed. */
const RUN_TIMEOUT_MS = 120_000;

const children = new Set<ChildProcess>();
let emulator: Emulator | undefined;
let scratch: string | undefined;

/** Runs every release figure `runs` times and returns the raw samples (summaries: release-report.ts). */
export async function runReleaseBench(options: {
  root: string;
  runs: number;
  machine: Machine;
  log: (line: string) => void;
}): Promise<ReleaseRaw> {
  const { root, runs, log } = options;
  const started = performance.now();
  const notes: string[] = [];
  const config: ReleaseBenchConfig = {
    runs,
    smokeDurationMs: SMOKE_DURATION_MS,
    trafficSteps: TRAFFIC_STEPS,
    stepWaitsMs: STEP_WAITS_MS,
  };
  scratch = mkdtempSync(join(tmpdir(), 'release-bench-'));
  const bundles = ['main', 'post', 'cli'].map((entry) => measureBundle(root, entry));
  for (const b of bundles) log(`bundle dist/${b.entry}: ${(b.totalBytes / 1024 / 1024).toFixed(2)} MiB`);

  emulator = await startEmulator({ startupDeadlineMs: 10_000 });
  const e = emulator;
  try {
    // One service with a baseline for the start-up runs (killed at their first API call, so it never changes).
    await deployBaseline(e, 'bench-startup', '8000');

    const startup: StartupSample[] = [];
    const kinds: StartupKind[] = ['node', 'bad-input', 'first-api'];
    for (let i = 1; i <= runs; i++) {
      // Rotating order spreads drift in the machine's load over the three kinds.
      for (let k = 0; k < kinds.length; k++) {
        const kind = kinds[(k + i - 1) % kinds.length];
        const sample = await measureStartup(e, kind, i);
        startup.push(sample);
        log(
          `start-up #${i} ${kind}: ${sample.ms.toFixed(1)} ms${sample.ok ? '' : ` (NOT OK: ${sample.detail})`}`,
        );
      }
    }

    const chunksLoaded = {
      badInput: await chunksLoadedBy(e, inputsFor(e, 'bench-startup', 'v2', { timeout: '9999' }), '8001'),
      release: [] as string[],
    };

    const wrapper = timeWrapper();
    const badInputMaxRssKiB: number[] = [];
    for (let i = 1; i <= runs; i++) {
      const rssFile = join(scratch, `bad-input-${i}.rss`);
      const run = await runAction(
        'main',
        inputsFor(e, 'bench-startup', 'v2', { timeout: '9999' }),
        e.endpoints,
        {
          node: wrapper,
          env: { BENCH_MAXRSS_FILE: rssFile, GITHUB_RUN_ID: `81${i}` },
        },
      );
      const kib = readMaxRss(rssFile);
      if (run.code === 1 && kib !== undefined) badInputMaxRssKiB.push(kib);
      else notes.push(`bad-input memory run ${i}: exit ${run.code}, no peak RSS read`);
    }
    log(`bad input peak RSS: ${badInputMaxRssKiB.map((k) => (k / 1024).toFixed(1)).join(', ')} MiB`);

    const releases: ReleaseSample[] = [];
    for (let i = 1; i <= runs; i++) {
      const service = `bench-release-${i}`;
      await deployBaseline(e, service, `90${i}0`);
      const sample = await measureRelease(e, service, i, wrapper, config);
      releases.push(sample);
      const self = sample.wallMs - sample.revisionStartMs - sample.configuredWaitMs;
      log(
        `release #${i}: exit ${sample.exitCode} ${sample.verdict}; wall ${sample.wallMs.toFixed(0)} ms, revision start ` +
          `${sample.revisionStartMs.toFixed(0)} ms, waits ${sample.configuredWaitMs} ms, self ${self.toFixed(0)} ms; ` +
          `${Object.values(sample.calls).reduce((a, b) => a + b, 0)} API calls; peak RSS ` +
          `${sample.maxRssKiB !== undefined ? (sample.maxRssKiB / 1024).toFixed(1) : '?'} MiB`,
      );
      if (sample.exitCode !== 0)
        notes.push(`release run ${i} failed (exit ${sample.exitCode}, ${sample.verdict}).`);
    }

    await deployBaseline(e, 'bench-chunks', '9900');
    chunksLoaded.release = await chunksLoadedBy(e, inputsFor(e, 'bench-chunks', 'v2'), '9901');
    log(
      `chunks loaded: bad input [${chunksLoaded.badInput.join(', ')}], release [${chunksLoaded.release.join(', ')}]`,
    );

    return {
      machine: { ...options.machine, loadAverageEnd: os.loadavg()[0] },
      config,
      totalSeconds: (performance.now() - started) / 1000,
      bundles,
      startup,
      releases,
      badInputMaxRssKiB,
      chunksLoaded,
      notes,
    };
  } finally {
    await stopReleaseBench();
  }
}

/** Kills what the release bench started (children, emulator and its revision processes) and removes its scratch files. */
export async function stopReleaseBench(): Promise<void> {
  for (const child of children) child.kill('SIGKILL');
  children.clear();
  const e = emulator;
  emulator = undefined;
  await e?.stop();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
  scratch = undefined;
}

/** The release inputs of __tests__/e2e/rollout.test.ts with a zero bake: public service, fast sample app. */
function inputsFor(
  e: Emulator,
  service: string,
  tag: string,
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    project_id: e.endpoints.project,
    region: 'us-central1',
    service,
    image: `${IMAGE}:${tag}`,
    workload_identity_provider: e.endpoints.workloadIdentityProvider,
    service_account: e.endpoints.serviceAccount,
    allow_unauthenticated: 'true',
    env_vars: 'TICK_MS=100',
    smoke_duration: `${SMOKE_DURATION_MS / 1000}s`,
    smoke_first_event_timeout: '2s',
    smoke_min_events: '3',
    smoke_max_gap: '1s',
    rollout: 'progressive',
    traffic_steps: TRAFFIC_STEPS.join(','),
    step_wait: STEP_WAITS_MS.map((w) => `${w / 1000}s`).join(','),
    ...extra,
  };
}

async function deployBaseline(e: Emulator, service: string, runId: string): Promise<void> {
  const run = await runAction('main', inputsFor(e, service, 'v1'), e.endpoints, {
    env: { GITHUB_RUN_ID: runId },
    timeoutMs: RUN_TIMEOUT_MS,
  });
  if (run.code !== 0) {
    throw new Error(`baseline deploy of ${service} failed (exit ${run.code}): ${run.annotations.join(' ')}`);
  }
}

/** Epoch ms on the emulator's clock (same process: performance.timeOrigin + performance.now()). */
export function toEpoch(perfMs: number): number {
  return performance.timeOrigin + perfMs;
}

function firstApiCallAfter(e: Emulator, epoch: number): number | undefined {
  const log = e.api.wire.log;
  // The log is in arrival order; search from the end for the first call at or after `epoch`.
  let found: number | undefined;
  for (let i = log.length - 1; i >= 0 && log[i].at >= epoch; i--) found = log[i].at;
  return found;
}

function track(running: RunningAction | ChildProcess): void {
  const child = 'child' in running ? running.child : running;
  children.add(child);
  child.once('exit', () => children.delete(child));
}

async function measureStartup(e: Emulator, kind: StartupKind, iteration: number): Promise<StartupSample> {
  if (kind === 'node') {
    const dir = mkdtempSync(join(scratch!, 'node-'));
    const env = runnerEnv(e.endpoints, dir);
    const t0 = performance.now();
    const child = spawn(NODE24, ['-e', '0'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    track(child);
    child.stdout.resume();
    child.stderr.resume();
    const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
    const ms = performance.now() - t0;
    return { kind, iteration, ms, ok: code === 0, ...(code !== 0 && { detail: `exit ${code}` }) };
  }
  if (kind === 'bad-input') {
    const t0 = performance.now();
    const running = startAction(
      'main',
      inputsFor(e, 'bench-startup', 'v2', { timeout: '9999' }),
      e.endpoints,
      {
        env: { GITHUB_RUN_ID: `70${iteration}` },
        timeoutMs: RUN_TIMEOUT_MS,
      },
    );
    track(running);
    const exited = new Promise<number>((resolve) =>
      running.child.once('exit', () => resolve(performance.now())),
    );
    const run = await running.done;
    const ms = (await exited) - t0;
    const calls = firstApiCallAfter(e, toEpoch(t0));
    const named = run.annotations.some((a) => a.includes('`timeout`'));
    const ok = run.code === 1 && named && calls === undefined;
    return {
      kind,
      iteration,
      ms,
      ok,
      ...(!ok && {
        detail: `exit ${run.code}, names timeout: ${named}, API call made: ${calls !== undefined}; ${run.annotations.join(' ')}`,
      }),
    };
  }
  // first-api: good inputs; the time until the emulator sees the first Cloud Run API call, then kill.
  const t0 = performance.now();
  const running = startAction('main', inputsFor(e, 'bench-startup', 'v2'), e.endpoints, {
    env: { GITHUB_RUN_ID: `71${iteration}` },
    timeoutMs: RUN_TIMEOUT_MS,
  });
  track(running);
  const since = toEpoch(t0);
  const at = await new Promise<number | undefined>((resolve) => {
    const timer = setInterval(() => {
      const found = firstApiCallAfter(e, since);
      if (found !== undefined) {
        clearInterval(timer);
        resolve(found);
      }
    }, 2);
    running.child.once('exit', () => {
      clearInterval(timer);
      resolve(firstApiCallAfter(e, since));
    });
  });
  running.child.kill('SIGKILL');
  const run = await running.done;
  if (at === undefined) {
    return {
      kind,
      iteration,
      ms: NaN,
      ok: false,
      detail: `no API call; exit ${run.code}: ${run.annotations.join(' ')}`,
    };
  }
  return { kind, iteration, ms: at - since, ok: true };
}

// One measured release of v2 over the service's v1 baseline, through GNU time for the peak RSS.
async function measureRelease(
  e: Emulator,
  service: string,
  run: number,
  wrapper: string,
  config: ReleaseBenchConfig,
): Promise<ReleaseSample> {
  const rssFile = join(scratch!, `release-${run}.rss`);
  const githubBefore = e.github.requests.length;
  const t0 = performance.now();
  const running = startAction('main', inputsFor(e, service, 'v2'), e.endpoints, {
    node: wrapper,
    env: { BENCH_MAXRSS_FILE: rssFile, GITHUB_RUN_ID: `91${run}0` },
    timeoutMs: RUN_TIMEOUT_MS,
  });
  track(running);
  const { lines, exited, done: endOutput } = timedOutput(running.child, t0);
  const result = await running.done;
  const exitPerf = await exited;
  const wallMs = exitPerf - t0;
  const from = toEpoch(t0);
  const to = toEpoch(exitPerf);
  const wire = e.api.wire;

  const inWindow = wire.log.filter((c) => c.at >= from && c.at <= to);
  const calls: Record<string, number> = {};
  for (const c of inWindow) calls[c.method] = (calls[c.method] ?? 0) + 1;
  const githubCalls = githubCallCounts(e.github.requests.slice(githubBefore));
  const starts = wire.revisionStarts.filter((s) => s.startedAt >= from && s.startedAt <= to);
  const revisionStartMs = starts.reduce((sum, s) => sum + s.ms, 0);
  const operations: OperationSample[] = wire.operations
    .filter((o) => o.startedAt >= from && o.startedAt <= to)
    .map((o) => {
      const polls = inWindow.filter((c) => c.method === 'operations.get' && c.name === o.name);
      const seen = o.doneAt !== undefined ? polls.find((p) => p.at >= o.doneAt!) : undefined;
      return {
        runMs: (o.doneAt ?? to) - o.startedAt,
        polls: polls.length,
        ...(seen && o.doneAt !== undefined && { doneToSeenMs: seen.at - o.doneAt }),
        ...(polls.length > 0 && { firstPollMs: polls[0].at - o.startedAt }),
      };
    });
  endOutput(wallMs);
  const phases = splitPhases(lines, wallMs, service).map((p) => {
    const window: [number, number] = [toEpoch(t0 + p.startMs), toEpoch(t0 + p.endMs)];
    return {
      ...p,
      revisionStartMs: starts.reduce((sum, s) => sum + overlapMs(window, [s.startedAt, s.endedAt]), 0),
      configuredWaitMs: waitOfPhase(p.title, config.smokeDurationMs, config.stepWaitsMs),
    };
  });
  const first = inWindow[0];
  return {
    run,
    exitCode: result.code,
    verdict: result.outputs.verdict ?? '?',
    wallMs,
    revisionStartMs,
    configuredWaitMs: configuredWaitsMs(config.smokeDurationMs, config.stepWaitsMs),
    ...(first && { firstApiMs: first.at - from }),
    calls,
    githubCalls,
    operations,
    phases,
    ...(readMaxRss(rssFile) !== undefined && { maxRssKiB: readMaxRss(rssFile) }),
  };
}

/** A stand-in for the node binary that runs it under GNU time, which writes the child's peak RSS (KiB). */
function timeWrapper(): string {
  const path = join(scratch!, 'node-under-time.sh');
  writeFileSync(path, `#!/bin/sh\nexec /usr/bin/time -f %M -o "$BENCH_MAXRSS_FILE" "${NODE24}" "$@"\n`);
  chmodSync(path, 0o755);
  return path;
}

// GNU time writes "Command exited with non-zero status N" before the figure when the child fails.
function readMaxRss(file: string): number | undefined {
  if (!existsSync(file)) return undefined;
  const last = readFileSync(file, 'utf8').trim().split('\n').pop() ?? '';
  return /^\d+$/.test(last) ? Number(last) : undefined;
}

/** The dist/main chunk files a run loads, recorded by a `--require` hook on Module._load (separate runs: the hook costs time). */
async function chunksLoadedBy(e: Emulator, inputs: Record<string, string>, runId: string): Promise<string[]> {
  const hook = join(scratch!, 'trace-chunks.cjs');
  const out = join(scratch!, `chunks-${runId}.txt`);
  writeFileSync(
    hook,
    [
      "const Module = require('node:module');",
      "const fs = require('node:fs');",
      'const load = Module._load;',
      'Module._load = function (request, ...rest) {',
      "  if (/^\\.\\/\\d+\\.index\\.js$/.test(request)) fs.appendFileSync(process.env.BENCH_CHUNK_LOG, request.slice(2) + '\\n');",
      '  return load.call(this, request, ...rest);',
      '};',
      '',
    ].join('\n'),
  );
  await runAction('main', inputs, e.endpoints, {
    env: { NODE_OPTIONS: `--require ${hook}`, BENCH_CHUNK_LOG: out, GITHUB_RUN_ID: runId },
    timeoutMs: RUN_TIMEOUT_MS,
  });
  if (!existsSync(out)) return [];
  return [...new Set(readFileSync(out, 'utf8').split('\n').filter(Boolean))].sort();
}

/** Sizes of one dist/ entry: the whole folder (what ships), index.js, the largest file, bytes by kind. */
function measureBundle(root: string, entry: string): BundleEntry {
  const dir = join(root, 'dist', entry);
  if (!existsSync(join(dir, 'index.js')))
    throw new Error(`dist/${entry}/index.js is missing: run \`npm run build\``);
  const files: Array<{ file: string; bytes: number }> = [];
  const walk = (d: string): void => {
    for (const name of readdirSync(d)) {
      const path = join(d, name);
      const st = statSync(path);
      if (st.isDirectory()) walk(path);
      else files.push({ file: relative(dir, path), bytes: st.size });
    }
  };
  walk(dir);
  const sum = (pick: (f: { file: string }) => boolean): number =>
    files.filter(pick).reduce((s, f) => s + f.bytes, 0);
  const isChunk = (f: { file: string }): boolean => /^\d+\.index\.js$/.test(f.file);
  const isIndex = (f: { file: string }): boolean => f.file === 'index.js';
  const isProtoish = (f: { file: string }): boolean => f.file.includes('/') && !isChunk(f);
  const largest = files.reduce((a, b) => (b.bytes > a.bytes ? b : a));
  return {
    entry,
    totalBytes: sum(() => true),
    indexBytes: sum(isIndex),
    largest,
    chunkBytes: sum(isChunk),
    protoBytes: sum(isProtoish),
    otherBytes: sum((f) => !isChunk(f) && !isIndex(f) && !isProtoish(f)),
    files: files.length,
  };
}

/** The step's stdout as timed lines (ms from `t0`), and when its process exited; `done(wallMs)` adds a last unterminated line. */
export function timedOutput(
  child: ChildProcess,
  t0: number,
): { lines: Array<{ atMs: number; text: string }>; exited: Promise<number>; done(wallMs: number): void } {
  const lines: Array<{ atMs: number; text: string }> = [];
  let partial = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    const atMs = performance.now() - t0;
    const parts = (partial + chunk.toString('utf8')).split('\n');
    partial = parts.pop() ?? '';
    for (const text of parts) lines.push({ atMs, text });
  });
  const exited = new Promise<number>((resolve) => child.once('exit', () => resolve(performance.now())));
  return { lines, exited, done: (wallMs) => void (partial && lines.push({ atMs: wallMs, text: partial })) };
}
