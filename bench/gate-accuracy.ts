// `npm run bench:accuracy`: how often the gate is right (issue 15). Releases of the sample app through the
// BUILT action (scripts/local-runner.ts, as the runner starts it) against one emulator, several at a time
// on separate services: healthy candidates under a hostile runner (injected 503s, routing lag, a CPU hog),
// and four kinds of bad candidate (errors, streams ended early, a slow first event, silence after a
// minute). Per release: the verdict, where it was stopped, the time from the fault reaching users to
// traffic restored (read from the emulator), and the rollback's self-time. Writes bench/GATE-ACCURACY.md
// and bench/gate-accuracy.json. Loopback only; the hogs and the emulator are stopped at the end.
//
// Knobs: BENCH_RELEASES (per kind, default 50), BENCH_KINDS (comma-separated, default all), BENCH_CONCURRENCY
// (default 6), BENCH_BAKE (step_wait, default 60s), BENCH_BAD_HOSTILE=1 (bad kinds under the healthy kind's
// hostile conditions too), BENCH_GATE_INPUTS (a JSON object of extra action inputs for every release, e.g.
// '{"panel_streams":"20"}'; merged over GATE_INPUTS below), BENCH_OUT (file prefix, default
// bench/GATE-ACCURACY.md + bench/gate-accuracy.json), BENCH_RENDER_ONLY=1 (only the tables, from that JSON).
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { wifClient } from '../emulator/clients';
import { startEmulator, type Emulator } from '../emulator/emulator';
import { DIST, ROOT, startAction } from '../scripts/local-runner';
import {
  decodeCommand,
  KINDS,
  render,
  stoppedFromWhy,
  summarize,
  type GateConfig,
  type GateRaw,
  type GateRow,
  type Kind,
} from './gate-accuracy/report';
import { watchTraffic } from './gate-accuracy/traffic-watch';

/**
 * Extra action inputs every release gets (the gate's options as they are added: `panel_streams`,
 * Monitoring or Logging gates, …). One object, so a new input is one line here or in BENCH_GATE_INPUTS.
 */
export const GATE_INPUTS: Record<string, string> = {};

const REPO = 'us-docker.pkg.dev/demo/streams/stream-app';
const BASELINE_TAG = 'paced-v1';
/** The image tag of each kind's candidate (emulator/images.json). */
const CANDIDATE: Record<Kind, string> = {
  healthy: 'paced-v2',
  'error-rate': 'errors-5pct',
  'end-early': 'ends-early',
  'slow-first-event': 'slow-first-event',
  'silent-after': 'silent-after',
};
const SHORT: Record<Kind, string> = {
  healthy: 'ok',
  'error-rate': 'err',
  'end-early': 'end',
  'slow-first-event': 'slow',
  'silent-after': 'quiet',
};
const TRAFFIC_STEPS = [10, 50, 100];

const releases = Number(process.env.BENCH_RELEASES ?? 50);
const kinds = (process.env.BENCH_KINDS ?? KINDS.join(','))
  .split(',')
  .map((k) => k.trim())
  .filter(Boolean) as Kind[];
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 6);
const bakeMs = parseSeconds(process.env.BENCH_BAKE ?? '60s');
const badKindsToo = process.env.BENCH_BAD_HOSTILE === '1';
const extraInputs: Record<string, string> = {
  ...GATE_INPUTS,
  ...(JSON.parse(process.env.BENCH_GATE_INPUTS ?? '{}') as Record<string, string>),
};
const outMd = process.env.BENCH_OUT ?? 'bench/GATE-ACCURACY.md';
const outJson = outMd.replace(/GATE-ACCURACY\.md$/, 'gate-accuracy.json').replace(/\.md$/, '.json');
const HOSTILE = { serverErrorRate: 0.01, routingLagMs: 3000 };

const children = new Set<ChildProcess>();
/** A busy loop that ends itself once orphaned (its parent gone, even by SIGKILL). */
const HOG = 'for (let i = 0; ; i++) if ((i & 0xfffff) === 0 && process.ppid === 1) process.exit(0);';

function parseSeconds(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(text.trim());
  if (!m) throw new Error(`BENCH_BAKE=${text}: expected e.g. 60s, 90, 2m`);
  return Number(m[1]) * (m[2] === 'ms' ? 1 : m[2] === 'm' ? 60_000 : 1000);
}

const epoch = () => performance.timeOrigin + performance.now();

async function main(): Promise<void> {
  // BENCH_RENDER_ONLY=1: the tables again from the raw rows of an earlier run.
  if (process.env.BENCH_RENDER_ONLY === '1') {
    await writeFormatted(outMd, render(JSON.parse(readFileSync(outJson, 'utf8')) as GateRaw));
    return log(`wrote ${outMd} from ${outJson}`);
  }
  for (const k of kinds) if (!KINDS.includes(k)) throw new Error(`BENCH_KINDS: unknown kind ${k}`);
  const bundles = { dir: DIST, buildOfCurrentSources: await bundlesFresh() };
  const silentAfterMs = Number(readCatalogueEnv('silent-after').STREAM_APP_SILENT_AFTER_MS ?? 60_000);
  const config: GateConfig = {
    releasesPerKind: releases,
    kinds,
    concurrency,
    bakeMs,
    trafficSteps: TRAFFIC_STEPS,
    extraInputs,
    hostile: { ...HOSTILE, hogs: os.cpus().length, badKindsToo },
    silentAfterMs,
  };
  const started = epoch();
  const emulator = await startEmulator({ startupDeadlineMs: 20_000 });
  const auth = wifClient(emulator.endpoints);
  const rows: GateRow[] = [];
  const bad = kinds.filter((k) => k !== 'healthy');
  const phases: Array<{ hostile: boolean; kinds: Kind[] }> = [
    {
      hostile: true,
      kinds: [...(kinds.includes('healthy') ? ['healthy' as Kind] : []), ...(badKindsToo ? bad : [])],
    },
    { hostile: false, kinds: badKindsToo ? [] : bad },
  ].filter((p) => p.kinds.length > 0);
  /** The run's raw record so far (`stopped`: written before its end). */
  const rawOf = (done: GateRow[], stopped: boolean): GateRaw => ({
    generatedAt: new Date().toISOString(),
    machine: { cpus: os.cpus().length, node: process.versions.node },
    config,
    bundles,
    wallSeconds: (epoch() - started) / 1000,
    rows: [...done].sort((a, b) => KINDS.indexOf(a.kind) - KINDS.indexOf(b.kind) || a.n - b.n),
    ...(stopped && { stoppedEarly: true }),
  });
  const stopAll = () => {
    for (const child of children) child.kill('SIGKILL');
  };
  // Killed any way but SIGKILL, the bench takes its hogs and app processes with it.
  for (const [signal, code] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
    ['SIGHUP', 129],
  ] as const)
    process.once(signal, () => {
      stopAll();
      process.exit(code);
    });
  try {
    for (const phase of phases) {
      // Round robin over the kinds, so each kind meets the same load.
      const jobs: Array<{ kind: Kind; n: number }> = [];
      for (let n = 1; n <= releases; n++) for (const kind of phase.kinds) jobs.push({ kind, n });
      log(
        `phase ${phase.hostile ? 'hostile' : 'clean'}: ${jobs.length} releases of ${phase.kinds.join(', ')}, ${concurrency} at a time`,
      );
      emulator.faults.update(phase.hostile ? HOSTILE : { serverErrorRate: 0, routingLagMs: 0 });
      const hogs = phase.hostile
        ? os.cpus().map(() => track(spawn(process.execPath, ['-e', HOG], { stdio: 'ignore' })))
        : [];
      try {
        let next = 0;
        const worker = async () => {
          while (next < jobs.length) {
            const job = jobs[next++];
            const row = await release(
              emulator,
              auth,
              job.kind,
              job.n,
              phase.hostile ? HOSTILE.routingLagMs : 0,
            );
            rows.push(row);
            // Saved as it goes: a run stopped early still renders (BENCH_RENDER_ONLY=1) from what it did.
            writeFileSync(outJson, `${JSON.stringify(rawOf(rows, true), null, 2)}\n`);
            log(
              `${row.kind} #${row.n}: ${row.verdict}, ${row.stoppedAt}` +
                (row.faultToRestoredMs !== undefined
                  ? `, fault -> restored ${(row.faultToRestoredMs / 1000).toFixed(1)} s`
                  : '') +
                (row.rollbackSelfMs !== undefined
                  ? `, rollback self ${Math.round(row.rollbackSelfMs)} ms`
                  : '') +
                ` (${row.seconds.toFixed(0)} s)${row.notes.length ? ` [${row.notes.join('; ')}]` : ''}` +
                (row.verdict !== 'promoted' && row.why ? `\n    why: ${row.why.replace(/\s+/g, ' ')}` : ''),
            );
          }
        };
        await Promise.all(Array.from({ length: Math.min(concurrency, jobs.length) }, worker));
      } finally {
        hogs.forEach((h) => h.kill('SIGKILL'));
      }
    }
  } finally {
    stopAll();
    await emulator.stop();
  }
  const raw = rawOf(rows, false);
  await writeFormatted(outJson, `${JSON.stringify(raw, null, 2)}\n`);
  await writeFormatted(outMd, render(raw));
  for (const k of summarize(raw))
    log(
      `${k.kind}: ${k.releases} releases, promoted ${k.promoted}` +
        (k.falseRollbacks !== undefined
          ? `, false rollbacks ${k.falseRollbacks}`
          : `, stopped at the first step ${k.firstStep}`) +
        (k.faultToRestoredMs
          ? `, median fault -> restored ${(k.faultToRestoredMs.median / 1000).toFixed(1)} s`
          : '') +
        (k.rollbackSelfMs ? `, rollback self median ${Math.round(k.rollbackSelfMs.median)} ms` : ''),
    );
  log(`wrote ${outMd} and ${outJson} in ${Math.round(raw.wallSeconds)} s`);
}

/** One release of `kind` on a fresh service over a seeded `paced-v1` baseline. */
async function release(
  e: Emulator,
  auth: ReturnType<typeof wifClient>,
  kind: Kind,
  n: number,
  routingLagMs: number,
): Promise<GateRow> {
  const service = `ga-${SHORT[kind]}-${n}`;
  const notes: string[] = [];
  const seeded = await e.seedService({ service, image: `${REPO}:${BASELINE_TAG}`, public: true });
  const watch = watchTraffic(e, auth, service, seeded.revision);
  const inputs: Record<string, string> = {
    project_id: e.endpoints.project,
    region: 'us-central1',
    service,
    image: `${REPO}:${CANDIDATE[kind]}`,
    workload_identity_provider: e.endpoints.workloadIdentityProvider,
    service_account: e.endpoints.serviceAccount,
    allow_unauthenticated: 'true',
    rollout: 'progressive',
    traffic_steps: TRAFFIC_STEPS.join(','),
    step_wait: `${bakeMs / 1000}s`,
    ...extraInputs,
  };
  const t0 = epoch();
  const running = startAction('main', inputs, e.endpoints, {
    env: { GITHUB_RUN_ID: String(10_000 + KINDS.indexOf(kind) * 1000 + n) },
    timeoutMs: 3 * bakeMs + 300_000,
  });
  track(running.child);
  const lines: Array<{ at: number; text: string }> = [];
  let partial = '';
  running.child.stdout!.on('data', (chunk: Buffer) => {
    const at = epoch();
    const parts = (partial + chunk.toString('utf8')).split('\n');
    partial = parts.pop() ?? '';
    for (const text of parts) lines.push({ at, text });
  });
  const run = await running.done;
  const seconds = (epoch() - t0) / 1000;
  const timeline = await watch.stop();
  if (timeline.failedReads > 0) notes.push(`${timeline.failedReads} reads of the service failed`);

  const verdict = run.outputs.verdict ?? `exit ${run.code}`;
  const why = decodeCommand(run.annotations.find((a) => a.startsWith('::error')) ?? '')
    .replace(/^::error[^:]*::/, '')
    .slice(0, 240);
  // Where it was stopped: the last step the action shifted to before its rollback, from the log groups
  // (`%` is `%25` in a workflow command).
  const rollbackAt = lines.findIndex((l) => l.text === '::group::Roll back to the baseline');
  const shifted = lines
    .slice(0, rollbackAt < 0 ? lines.length : rollbackAt)
    .map((l) => /^::group::Shift traffic (\d+)(?:%25|%) .*\(step (\d+) of/.exec(l.text))
    .filter((m): m is RegExpExecArray => m !== null);
  const lastShift = shifted.at(-1);
  let stoppedAt = 'not stopped';
  let stoppedStep: number | undefined;
  if (verdict !== 'promoted' && !lastShift && timeline.firstTrafficAt === undefined) {
    stoppedAt = 'before traffic';
    stoppedStep = 0;
  } else if (verdict !== 'promoted' && lastShift) {
    stoppedStep = Number(lastShift[2]);
    stoppedAt = `step ${stoppedStep} (${lastShift[1]} %)`;
  }

  // The rollback's log group: wall time, less the emulator's time on this service's operations in it.
  let rollbackWallMs: number | undefined;
  let rollbackApiMs: number | undefined;
  if (rollbackAt >= 0) {
    const end = lines.slice(rollbackAt + 1).find((l) => l.text === '::endgroup::');
    if (end) {
      const from = lines[rollbackAt].at;
      rollbackWallMs = end.at - from;
      rollbackApiMs = operationTime(e, service, from, end.at);
    } else notes.push('the rollback group never ended');
  }

  // When the fault reached users: the candidate's first traffic (routing lag included), or, for a candidate
  // that goes silent, the later of that and its silence.
  const lag = routingLagMs;
  let faultStartAt = timeline.firstTrafficAt !== undefined ? timeline.firstTrafficAt + lag : undefined;
  const restoredAt = timeline.restoredAt !== undefined ? timeline.restoredAt + lag : undefined;
  if (kind === 'silent-after' && faultStartAt !== undefined) {
    const revision = run.outputs.revision;
    const logLines = revision
      ? e.logs(`projects/${e.endpoints.project}/locations/us-central1/services/${service}`, revision)
      : [];
    const silentFrom = logLines
      .map((l) => /silent-after: silent from (\d+)/.exec(l))
      .find((m): m is RegExpExecArray => m !== null);
    if (!silentFrom) {
      notes.push('never went silent while it served');
      faultStartAt = undefined;
    } else {
      const at = Number(silentFrom[1]);
      if (restoredAt !== undefined && at >= restoredAt) {
        notes.push('went silent only after traffic was restored');
        faultStartAt = undefined;
      } else faultStartAt = Math.max(faultStartAt, at);
    }
  }
  const faultToRestoredMs =
    faultStartAt !== undefined && restoredAt !== undefined && verdict !== 'promoted'
      ? restoredAt - faultStartAt
      : undefined;
  return stoppedFromWhy({
    kind,
    n,
    service,
    verdict,
    stoppedAt,
    ...(stoppedStep !== undefined && { stoppedStep }),
    ...(faultStartAt !== undefined && { faultStartAt }),
    ...(restoredAt !== undefined && { restoredAt }),
    ...(faultToRestoredMs !== undefined && { faultToRestoredMs }),
    ...(rollbackWallMs !== undefined && {
      rollbackWallMs,
      rollbackApiMs,
      rollbackSelfMs: rollbackWallMs - (rollbackApiMs ?? 0),
    }),
    seconds,
    why,
    notes,
  });
}

/** The emulator's time on `service`'s operations within [from, to]: each services.update to its operation's end. */
function operationTime(e: Emulator, service: string, from: number, to: number): number {
  const name = `projects/${e.endpoints.project}/locations/us-central1/services/${service}`;
  const wire = e.api.wire;
  let total = 0;
  for (const call of wire.log) {
    if (call.method !== 'services.update' || call.name !== name || call.at < from || call.at > to) continue;
    const op = wire.operations
      .filter((o) => o.startedAt >= call.at - 1 && o.startedAt - call.at < 200)
      .sort((a, b) => a.startedAt - b.startedAt)[0];
    if (op) total += Math.min(op.doneAt ?? to, to) - op.startedAt;
  }
  return total;
}

/** Writes `text` as the repository's Prettier settings format it (`npm run format-check` covers bench/). */
async function writeFormatted(file: string, text: string): Promise<void> {
  const prettier = await import('prettier');
  const options = (await prettier.resolveConfig(file)) ?? {};
  writeFileSync(file, await prettier.format(text, { ...options, filepath: file }));
}

function readCatalogueEnv(tag: string): Record<string, string> {
  const catalogue = JSON.parse(readFileSync(join(ROOT, 'emulator', 'images.json'), 'utf8')) as {
    images: Record<string, { tags: Record<string, { env?: Record<string, string> }> }>;
  };
  return catalogue.images[REPO].tags[tag]?.env ?? {};
}

/** Whether the bundles are the build of the sources as they are (scripts/bundle-freshness.mjs); warns if not. */
async function bundlesFresh(): Promise<boolean> {
  const freshness = (await import(join(ROOT, 'scripts', 'bundle-freshness.mjs'))) as {
    isBuildOf(root: string, dir: string): boolean;
  };
  const fresh = freshness.isBuildOf(ROOT, DIST);
  if (!fresh)
    log(
      `warning: ${DIST} is not the build of the current sources; set STREAM_DEPLOY_DIST to a fresh build (node scripts/build.mjs --out DIR)`,
    );
  return fresh;
}

function track<T extends ChildProcess>(child: T): T {
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

function log(line: string): void {
  process.stdout.write(`[accuracy] ${line}\n`);
}

main().catch((err: Error) => {
  process.stderr.write(`${err.stack ?? err.message}\n`);
  process.exit(1);
});
