// Issue 15's gate-accuracy figures from the raw rows of bench/gate-accuracy.ts: per kind of release, false
// rollbacks (healthy), detections at the first step (bad kinds), the median time from the fault's start to
// traffic restored, and the rollback's self-time, each against its target. Pure: no I/O, no clock.
import { spreadOf, type Spread } from '../capacity-report';

export const KINDS = ['healthy', 'error-rate', 'end-early', 'slow-first-event', 'silent-after'] as const;
export type Kind = (typeof KINDS)[number];

/** One release through the built action. */
export interface GateRow {
  kind: Kind;
  n: number;
  service: string;
  /** The action's `verdict` output, or `exit N` when it wrote none. */
  verdict: string;
  /**
   * Where the release was stopped: `before traffic` (the candidate's smoke test failed: no user saw it),
   * `step N (P %)` (the rollback started after that step's check), or `not stopped`.
   */
  stoppedAt: string;
  /** 1-based step whose check failed (0: before traffic), undefined when not stopped. */
  stoppedStep?: number;
  /** Epoch ms: when the fault reached users, and when the split was the baseline's alone again. */
  faultStartAt?: number;
  restoredAt?: number;
  /** restoredAt - faultStartAt, ms (routing lag included when the emulator had one). */
  faultToRestoredMs?: number;
  /** The `Roll back to the baseline` log group: its wall time, the emulator's operation time in it, the rest. */
  rollbackWallMs?: number;
  rollbackApiMs?: number;
  rollbackSelfMs?: number;
  /** Spawn to exit, s. */
  seconds: number;
  /** The first ::error:: line, shortened. */
  why: string;
  notes: string[];
}

export interface GateConfig {
  releasesPerKind: number;
  kinds: Kind[];
  concurrency: number;
  bakeMs: number;
  trafficSteps: number[];
  /** Inputs every release gets beyond the harness's own (the gate's options). */
  extraInputs: Record<string, string>;
  hostile: { serverErrorRate: number; routingLagMs: number; hogs: number; badKindsToo: boolean };
  silentAfterMs: number;
}

export interface GateRaw {
  generatedAt: string;
  machine: { cpus: number; node: string };
  config: GateConfig;
  /** The bundles run, and whether they were the build of the sources at the start (absent in older runs). */
  bundles?: { dir: string; buildOfCurrentSources: boolean };
  wallSeconds: number;
  rows: GateRow[];
  /** Saved after a release, before the run's end: the run may have been stopped there. */
  stoppedEarly?: boolean;
}

export const TARGETS = {
  falseRollbacks: 0,
  /** Of 50: scaled to the releases run. */
  firstStepShare: 49 / 50,
  rollbackSelfMs: 1000,
  restoreMs: (bakeMs: number) => 1.5 * bakeMs + 2000,
} as const;

export interface KindSummary {
  kind: Kind;
  releases: number;
  promoted: number;
  /** Healthy: not promoted. */
  falseRollbacks?: number;
  /** Bad: stopped before traffic or at the first step. */
  firstStep?: number;
  byStop: Record<string, number>;
  /** Releases with a fault-to-restored time (stopped after the fault reached users). */
  stopped: number;
  faultToRestoredMs?: Spread;
  rollbackSelfMs?: Spread;
}

/**
 * A release that was not promoted but whose log showed no step: the step its error names
 * (`Step 2 (50 %) failed its checks`), as rows of the first small run recorded it.
 */
export function stoppedFromWhy(row: GateRow): GateRow {
  const why = decodeCommand(row.why);
  if (row.verdict === 'promoted' || row.stoppedStep !== undefined) return { ...row, why };
  const m = /Step (\d+) \((\d+) %\)/.exec(why);
  return m
    ? { ...row, why, stoppedStep: Number(m[1]), stoppedAt: `step ${m[1]} (${m[2]} %)` }
    : { ...row, why };
}

/** A workflow command's data as written (`%25`, `%0D`, `%0A` are the runner's escapes; lines joined). */
export function decodeCommand(text: string): string {
  return text.replace(/%0D/g, '').replace(/%0A/g, ' ').replace(/%25/g, '%');
}

export function summarize(raw: GateRaw): KindSummary[] {
  return raw.config.kinds.map((kind) => {
    const rows = raw.rows.filter((r) => r.kind === kind).map(stoppedFromWhy);
    const byStop: Record<string, number> = {};
    for (const r of rows) byStop[r.stoppedAt] = (byStop[r.stoppedAt] ?? 0) + 1;
    const promoted = rows.filter((r) => r.verdict === 'promoted').length;
    const nums = (pick: (r: GateRow) => number | undefined) =>
      rows.map(pick).filter((x): x is number => x !== undefined);
    return {
      kind,
      releases: rows.length,
      promoted,
      ...(kind === 'healthy'
        ? { falseRollbacks: rows.length - promoted }
        : { firstStep: rows.filter((r) => r.stoppedStep !== undefined && r.stoppedStep <= 1).length }),
      byStop,
      stopped: nums((r) => r.faultToRestoredMs).length,
      faultToRestoredMs: spreadOf(nums((r) => r.faultToRestoredMs)),
      rollbackSelfMs: spreadOf(nums((r) => r.rollbackSelfMs)),
    };
  });
}

const s = (ms: number | undefined) => (ms === undefined ? '–' : `${(ms / 1000).toFixed(1)} s`);
const msOf = (ms: number | undefined) => (ms === undefined ? '–' : `${Math.round(ms)} ms`);
const mark = (ok: boolean) => (ok ? 'met' : '**not met**');

/** bench/GATE-ACCURACY.md. */
export function render(raw: GateRaw): string {
  const { config } = raw;
  const summary = summarize(raw);
  const restoreTarget = TARGETS.restoreMs(config.bakeMs);
  const h = config.hostile;
  const extra = Object.keys(config.extraInputs).length
    ? Object.entries(config.extraInputs)
        .map(([k, v]) => `\`${k}: ${v}\``)
        .join(', ')
    : 'none';
  const lines = [
    '# How often the gate is right (issue 15)',
    '',
    `Generated by \`npm run bench:accuracy\` (bench/gate-accuracy.ts) on ${raw.generatedAt}, ${raw.machine.cpus} CPUs, Node ${raw.machine.node}; ${Math.round(raw.wallSeconds)} s in all${raw.stoppedEarly ? ', saved after its last release shown, before the run ended (stopped, or rendered while it ran)' : ''}. A benchmark, not a test.`,
    '',
    `${config.releasesPerKind} releases per kind${raw.stoppedEarly ? ' planned' : ''} through the built action (${raw.bundles ? `${raw.bundles.dir.replace(/^.*\/(?=dist$)/, '')}/main${raw.bundles.buildOfCurrentSources ? '' : ', not the build of the sources at the time'}` : 'dist/main'}, started as the runner does by scripts/local-runner.ts) against one emulator, ${config.concurrency} at a time on separate services, each over a seeded baseline (image \`paced-v1\`). Steps \`${config.trafficSteps.join(',')}\`, \`step_wait: ${config.bakeMs / 1000}s\`${config.bakeMs === 60_000 ? " (the action's default bake)" : ''}, every other input at its default; extra gate inputs: ${extra}.`,
    '',
    `- **healthy** (\`paced-v2\`): ran with ${(h.serverErrorRate * 100).toFixed(0)} % of requests answered 503 by the front end, a routing lag of ${h.routingLagMs / 1000} s and ${h.hogs} busy loops beside the runner.`,
    `- **bad kinds** ran ${h.badKindsToo ? 'under the same conditions' : "in a second phase without them (no injected 503s, no routing lag, no CPU hog), so their figures are the gate's and not the noise's"}: \`errors-5pct\` (5 % of / and /events answered 500), \`ends-early\` (20 % of streams ended 1.5 s after they open), \`slow-first-event\` (first event at 1.5 s instead of the baseline's 0.5 s), \`silent-after\` (every stream silent, open, from ${config.silentAfterMs / 1000} s after the candidate starts listening).`,
    '',
    '| Kind | Releases | Promoted | False rollbacks (target 0) | Stopped at the first step (target ≥ 49 of 50) | Median fault → traffic restored (target ≤ ' +
      s(restoreTarget) +
      ') | Rollback self-time, median / max (target < 1 s) | Where stopped |',
    '| ---- | -------- | -------- | -------------------------- | --------------------------------------------- | ------------------------------------------- | ------------------------------------------------- | ------------- |',
  ];
  for (const k of summary) {
    const firstTarget = Math.ceil(TARGETS.firstStepShare * k.releases);
    const falseCell =
      k.falseRollbacks === undefined ? '–' : `${k.falseRollbacks} (${mark(k.falseRollbacks === 0)})`;
    const firstCell =
      k.firstStep === undefined
        ? '–'
        : `${k.firstStep} of ${k.releases} (${mark(k.firstStep >= firstTarget)})`;
    const restore = k.faultToRestoredMs;
    const restoreCell = restore
      ? `${s(restore.median)} over ${k.stopped} stopped (${s(restore.min)}–${s(restore.max)}; ${mark(restore.median <= restoreTarget)})`
      : '–';
    const self = k.rollbackSelfMs;
    const selfCell = self
      ? `${msOf(self.median)} / ${msOf(self.max)} (${mark(self.max < TARGETS.rollbackSelfMs)})`
      : '–';
    const where = Object.entries(k.byStop)
      .map(([at, count]) => `${at}: ${count}`)
      .join(', ');
    lines.push(
      `| ${k.kind} | ${k.releases} | ${k.promoted} | ${falseCell} | ${firstCell} | ${restoreCell} | ${selfCell} | ${where} |`,
    );
  }
  lines.push(
    '',
    "How the figures are read: *stopped at the first step* counts a bad release stopped before any user traffic (its smoke test failed) or by the check of the first step. *Fault → traffic restored* runs from the moment the fault reached users (the candidate's first traffic, read from the emulator's Cloud Run API and sharpened to the end of the operation in the wire log, plus the routing lag; for `silent-after` the later of that and the moment the app went silent, from its own log line) to the moment the split was the baseline's alone again (likewise, routing lag included); releases never stopped, or stopped before the fault reached anyone, have none. *Rollback self-time* is the wall time of the action's `Roll back to the baseline` log group less the time the emulator spent on that group's operations (as bench/release-bench.ts counts self-time: what is left is the action's own work, its polling delay included).",
    '',
    '| Kind | # | Verdict | Stopped at | Fault → restored | Rollback wall / self | Seconds | First error |',
    '| ---- | - | ------- | ---------- | ---------------- | -------------------- | ------- | ----------- |',
    ...raw.rows
      .map(stoppedFromWhy)
      .map(
        (r) =>
          `| ${r.kind} | ${r.n} | ${r.verdict} | ${r.stoppedAt} | ${s(r.faultToRestoredMs)} | ${msOf(r.rollbackWallMs)} / ${msOf(r.rollbackSelfMs)} | ${r.seconds.toFixed(0)} | ${[
            r.why,
            ...r.notes,
          ]
            .filter(Boolean)
            .join('; ')
            .replace(/\|/g, '\\|')
            .replace(/%0A/g, ' ')} |`,
      ),
    '',
  );
  return lines.join('\n');
}
