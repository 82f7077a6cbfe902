// The gates a traffic step passes beyond its light smoke rounds: the stream-health panel (the candidate's
// streams against the stable revision's, at the same time), the Cloud Monitoring request gate and the
// Cloud Logging fast path, under one policy for inconclusive and failed checks (core/metric-gate.ts). They
// report problems as data; rollout.ts decides what to do with them.
import type { DeployConfig } from '../core/config';
import type { CloudRunService } from '../core/cloud-run-types';
import { chooseBaselineTag, stableRevision, type BaselineTag } from '../core/baseline-tag';
import {
  applyGatePolicy,
  DEFAULT_ERROR_THRESHOLDS,
  DEFAULT_LOG_THRESHOLDS,
  describeEffectiveSplit,
  judgeLogProblems,
  judgeRequestErrors,
  metricWindow,
  unreadVerdict,
  type GateVerdict,
} from '../core/metric-gate';
import { bytesPerStreamMinute, predictDrain } from '../core/open-streams';
import type { StepGateReport } from '../core/report-types';
import { judgePanel, mergeReadings, type PanelThresholds, type PanelVerdict } from '../core/stream-panel';
import type { CandidatePlan } from '../core/service-plan';
import type { PanelReadings, PanelSession, ReleasePorts } from '../ports';
import { GATE_WINDOW_MS } from '../core/step-gate';
import { mintIdToken, waitForTag, type LiveCandidate } from './gate';

/**
 * How long a step that holds (or confirms a failure) waits before its next check: one more panel window,
 * long enough for the 6 first events per arm the panel's median needs (a probe every 2 s, core/stream-panel.ts).
 */
export const RECHECK_MS = 15_000;
/** Log lines read per check: enough for the report's last lines and the thresholds. */
const LOG_LINES = 50;
/** Windows a step adds when a panel count is suspect (core/panel-counts.ts SUSPECT_P), RECHECK_MS each. */
export const SUSPECT_EXTENSIONS = 2;
/** How often a suspect step's panel is read while it looks longer: a failure ends the wait. */
export const SUSPECT_POLL_MS = 2_500;
/** The bake's panel fails the step before its end only on this much evidence: this long a window... */
const EARLY_MIN_MS = 10_000;
/** ...and counts this much less likely, timings this much further past their floors. */
const EARLY_STRICTNESS = 10;

/** The panel of a release: its streams, and the stable revision's temporary tag and URL. */
export interface PanelRun {
  session: PanelSession;
  baseline: BaselineTag;
  url: string;
  /** The current step's readings so far (a step is judged on all of its time); reset by startStep. */
  step?: PanelReadings;
}

/** The next step starts: its panel readings start from now. */
export function startStep(panel: PanelRun | undefined): void {
  if (!panel) return;
  panel.session.window();
  panel.step = undefined;
}

/** Everything the panel saw in this step so far. */
function stepReadings(panel: PanelRun): PanelReadings {
  const now = panel.session.window();
  panel.step = panel.step
    ? {
        candidate: mergeReadings(panel.step.candidate, now.candidate),
        baseline: mergeReadings(panel.step.baseline, now.baseline),
      }
    : now;
  return panel.step;
}

/**
 * One more RECHECK_MS window for a suspect step, read every SUSPECT_POLL_MS and ended as soon as the panel
 * fails on the step's own limits: the bake is over, so these are the limits the window's end would apply
 * anyway (a few more looks at p < count_p, only once a count is already suspect). A pass waits it out.
 */
async function watchSuspect(panel: PanelRun, limits: PanelThresholds, ports: ReleasePorts): Promise<void> {
  for (let waited = 0; waited < RECHECK_MS; waited += SUSPECT_POLL_MS) {
    await ports.sleep(Math.min(SUSPECT_POLL_MS, RECHECK_MS - waited));
    const readings = stepReadings(panel);
    if (judgePanel(readings.candidate, readings.baseline, limits).verdict === 'fail') return;
  }
}

/**
 * During the bake: a panel failure clear enough not to wait for the bake's end (counts 10 times less likely
 * than the step's own limit, timings past twice their floors, over at least 10 s), or undefined. A step
 * that allows more than one failed check in a row (`gate_failures`) always waits for its checks.
 */
export function earlyPanelFailure(
  config: DeployConfig,
  panel: PanelRun | undefined,
): { failure: string; verdict: PanelVerdict } | undefined {
  if (!panel || config.gates.policy.failuresBeforeRollback > 1) return undefined;
  const readings = stepReadings(panel);
  if (readings.candidate.windowMs < EARLY_MIN_MS) return undefined;
  const t = config.gates.panelThresholds;
  const strict: PanelThresholds = {
    ...t,
    countP: t.countP / EARLY_STRICTNESS,
    firstEventFloorMs: t.firstEventFloorMs * 2,
    gapFloorMs: t.gapFloorMs * 2,
    pingFloorMs: t.pingFloorMs * 2,
  };
  const verdict = judgePanel(readings.candidate, readings.baseline, strict);
  return verdict.verdict === 'fail'
    ? { failure: `stream-health panel, before the bake's end: ${verdict.detail}`, verdict }
    : undefined;
}

/**
 * Probes in flight per arm: a quarter of one instance's request slots (each probe holds one for its first
 * event and its watch, docs/platform.md "Panel streams occupy concurrency"), 1 to 25.
 */
export function panelProbeCap(concurrency: number): number {
  return Math.max(1, Math.min(25, Math.floor(concurrency / 4)));
}

/** The baseline tag the release's steps carry for the panel, or why the panel does not run. */
export function panelBaseline(config: DeployConfig, plan: CandidatePlan): BaselineTag | { none: string } {
  if (config.gates.panelStreams === 0) return { none: '`panel_streams` is 0' };
  if (!config.smoke || config.smoke.protocol === 'http')
    return { none: 'the smoke protocol is not a stream (sse, websocket or grpc)' };
  if (config.smokeUrl) return { none: '`smoke_url` sends the checks to another URL' };
  const short = panelCannotJudge(config);
  if (short) return { none: short };
  return chooseBaselineTag(plan.restoreTraffic, plan.tag, config.service);
}

/**
 * Why the panel could judge none of the steps, or undefined. A step's panel is judged on that step's own
 * streams, and each arm needs `min_stream_seconds` of them (core/stream-panel.ts); a step lasts its bake,
 * or one light round when the bake is shorter. When even twice the longest step on all the panel's
 * streams falls short, every step would read "inconclusive", and with `gate_inconclusive: pass` that
 * changes nothing: the panel would only load the app (its streams and probes, in every region).
 * `hold` and `fail` act on inconclusive answers, so there the panel runs.
 */
export function panelCannotJudge(config: DeployConfig): string | undefined {
  if (config.gates.policy.onInconclusive !== 'pass' || !config.smoke) return undefined;
  const round = Math.min(config.smoke.durationMs, GATE_WINDOW_MS);
  const longest = Math.max(round, ...config.stepWaitMs);
  const needed = config.gates.panelThresholds.minStreamSeconds;
  if (config.gates.panelStreams * 2 * (longest / 1000) >= needed) return undefined;
  return `no step is long enough for it to judge (the longest lasts about ${longest / 1000} s; ${config.gates.panelStreams} streams need ${needed} stream-seconds per step: a longer \`step_wait\`, more \`panel_streams\` or \`gate_inconclusive: hold\` gives it time)`;
}

/**
 * Opens the panel once the first step's traffic (which carries the baseline's tag) has landed and the tag
 * URL reaches the stable revision; undefined, with the reason logged, when it cannot open.
 */
export async function startPanel(
  config: DeployConfig,
  candidate: LiveCandidate,
  baseline: BaselineTag,
  live: CloudRunService,
  ports: ReleasePorts,
): Promise<PanelRun | undefined> {
  const { log } = ports;
  const url = live.trafficStatuses?.find((t) => t.tag === baseline.tag)?.uri;
  if (!ports.panel || !url || !config.smoke) {
    log.warning(
      `No stream-health panel: ${url ? 'no panel client in this run' : `Cloud Run reported no URL for the baseline's tag ${baseline.tag}`}.`,
    );
    return undefined;
  }
  await waitForTag(config, baseline.revision, url, candidate.url, candidate.publicAccess, ports);
  const token = await mintIdToken(config, candidate.url, candidate.publicAccess, ports);
  const session = ports.panel.open({
    candidateUrl: candidate.tagUrl,
    baselineUrl: url,
    protocol: config.smoke.protocol as 'sse' | 'websocket' | 'grpc',
    path: config.smoke.path,
    streams: config.gates.panelStreams,
    probesPerSecond: config.gates.panelProbes,
    maxProbesInFlight: panelProbeCap(config.streaming.concurrency),
    ...(token !== undefined && { idToken: token }),
    allowedOrigins: [candidate.url, candidate.tagUrl, ...candidate.urls, url],
    ...(config.smoke.send !== undefined && { wsSend: config.smoke.send }),
  });
  const probes =
    config.gates.panelProbes > 0
      ? `, and ${config.gates.panelProbes} probes a second on each (at most ${panelProbeCap(config.streaming.concurrency)} at once)`
      : '';
  log.info(
    `Stream-health panel: ${config.gates.panelStreams} streams on the candidate's tag URL and ${config.gates.panelStreams} on ${baseline.revision}'s (temporary tag ${baseline.tag})${probes}, compared through every step.`,
  );
  return { session, baseline, url };
}

/** What the step's gates are judged with. */
export interface StepContext {
  config: DeployConfig;
  plan: CandidatePlan;
  ports: ReleasePorts;
  panel?: PanelRun;
  index: number;
  percent: number;
  /** Epoch ms the step's traffic landed. */
  startedAt: number;
  /** The candidate's share of new requests the light rounds last measured (0..1). */
  observedShare?: number;
}

/**
 * Judges the step's gates at the end of its bake and, as the policy says, checks again after RECHECK_MS
 * (a hold on inconclusive answers, or failures to confirm) until it passes or fails. Says why it failed.
 */
export async function judgeStepGates(
  step: StepContext,
): Promise<{ failures: string[]; report: StepGateReport | undefined }> {
  const { config, ports } = step;
  const observe = ports.observability;
  const useMetrics = observe && config.gates.metrics !== 'off';
  const useLogs = observe && config.gates.logs !== 'off';
  if (!step.panel && !useMetrics && !useLogs) return { failures: [], report: undefined };
  const history: GateVerdict[] = [];
  let extended = 0;
  for (;;) {
    const checks: GateVerdict[] = [];
    let panel: PanelVerdict | undefined;
    if (step.panel) {
      const readings = stepReadings(step.panel);
      panel = judgePanel(readings.candidate, readings.baseline, config.gates.panelThresholds);
      ports.log.info(`Step ${step.index + 1}, stream-health panel: ${panel.detail}`);
      checks.push({ gate: 'panel', verdict: panel.verdict, reason: panel.detail, numbers: [] });
    }
    if (useMetrics) checks.push(await requestGate(step));
    if (useLogs) checks.push(await logGate(step));
    for (const check of checks.filter((c) => c.gate !== 'panel'))
      ports.log.info(`Step ${step.index + 1}, ${check.gate} gate: ${check.verdict}: ${check.reason}`);
    const open = useMetrics ? await openStreamsNow(step) : undefined;
    const combined = combine(checks, config, ports.now());
    history.push(combined);
    const decision = applyGatePolicy(history, config.gates.policy);
    const report: StepGateReport = {
      ...(panel && { panel }),
      checks: checks.filter((c) => c.gate !== 'panel'),
      split: describeEffectiveSplit({
        configuredPercent: step.percent,
        ...(step.observedShare !== undefined && { observedNewShare: step.observedShare }),
        ...(open && { openStreamsByRevision: open }),
        candidate: step.plan.revision,
        sessionAffinity: config.streaming.sessionAffinity,
      }),
      decision: `${decision.decision}: ${decision.reason}`,
    };
    if (decision.decision === 'pass' && panel?.suspect && extended < SUSPECT_EXTENSIONS) {
      extended++;
      ports.log.info(
        `Step ${step.index + 1} looks longer (${extended} of ${SUSPECT_EXTENSIONS}): the panel's ${panel.suspect} is unlikely by chance but not yet a failure; next check in ${RECHECK_MS / 1000} s, sooner if the panel fails first.`,
      );
      await watchSuspect(step.panel!, config.gates.panelThresholds, ports);
      continue;
    }
    if (decision.decision === 'pass') return { failures: [], report };
    if (decision.decision === 'fail') return { failures: [`gates: ${decision.reason}`], report };
    ports.log.info(`Step ${step.index + 1} holds: ${decision.reason}; next check in ${RECHECK_MS / 1000} s.`);
    await ports.sleep(RECHECK_MS);
  }
}

/** How far back the drain read looks: the minutes of open streams before Monitoring's delay. */
const DRAIN_LOOKBACK_MS = 10 * 60_000;

/**
 * Open streams left on `revision` after it lost its traffic at `shiftedAt`, as Cloud Monitoring last saw
 * them, and when they end (core/open-streams.ts predictDrain); logged, and undefined without the gate.
 * The points lag by the ingestion delay, so right after the change they show the streams it left.
 */
export async function measureDrain(
  config: DeployConfig,
  ports: ReleasePorts,
  revision: string,
  shiftedAt: number,
): Promise<string | undefined> {
  if (!ports.observability || config.gates.metrics === 'off') return undefined;
  const end = ports.now() - config.gates.metricsDelayMs;
  const read = await ports.observability.openStreams({
    revisions: [revision],
    start: end - DRAIN_LOOKBACK_MS,
    end,
  });
  const detail =
    read.kind === 'data'
      ? predictDrain(read.value[revision] ?? [], config.streaming.timeoutSeconds, shiftedAt).detail
      : read.kind === 'no-data'
        ? 'no open-stream data for it in Cloud Monitoring yet'
        : `open streams not measured: ${read.message}`;
  ports.log.info(`Drain of ${revision}: ${detail}.`);
  return `${revision}: ${detail}`;
}

/** One verdict of a check: any failure fails it; `required` gates that were skipped fail it too. */
function combine(checks: GateVerdict[], config: DeployConfig, at: number): GateVerdict {
  const required = (c: GateVerdict) =>
    (c.gate === 'requests' && config.gates.metrics === 'required') ||
    (c.gate === 'logs' && config.gates.logs === 'required');
  const failed = checks.filter((c) => c.verdict === 'fail' || (c.verdict === 'skipped' && required(c)));
  const open = checks.filter((c) => c.verdict === 'inconclusive');
  const say = (list: GateVerdict[]) => list.map((c) => `${c.gate}: ${c.reason}`).join('; ');
  if (failed.length > 0) return { gate: 'step', verdict: 'fail', reason: say(failed), numbers: [], at };
  if (open.length > 0) return { gate: 'step', verdict: 'inconclusive', reason: say(open), numbers: [], at };
  return { gate: 'step', verdict: 'pass', reason: say(checks) || 'no gate', numbers: [], at };
}

/** The candidate's 5xx rate against the baseline's, over the step's window once Monitoring has it. */
async function requestGate({ config, plan, ports, startedAt }: StepContext): Promise<GateVerdict> {
  const baseline = stableRevision(plan.restoreTraffic);
  if (!baseline)
    return {
      gate: 'requests',
      verdict: 'inconclusive',
      reason: 'no baseline revision to compare with',
      numbers: [],
    };
  const window = metricWindow(startedAt, ports.now(), config.gates.metricsDelayMs);
  if (window.kind === 'wait')
    return {
      gate: 'requests',
      verdict: 'inconclusive',
      reason: `not readable yet: ${window.reason}`,
      numbers: [],
    };
  const query = { revisions: [plan.revision, baseline], start: window.start, end: window.end };
  const observe = ports.observability!;
  const [read, bytes, open] = await Promise.all([
    observe.requestCounts(query),
    observe.sentBytes(query),
    observe.openStreams(query),
  ]);
  if (read.kind !== 'data') return unreadVerdict('requests', read)!;
  const verdict = judgeRequestErrors(
    read.value[plan.revision],
    read.value[baseline],
    DEFAULT_ERROR_THRESHOLDS,
    read.query,
  );
  // What each open stream sends, beside the verdict: shown, never judged (core/open-streams.ts).
  if (bytes.kind === 'data' && open.kind === 'data')
    verdict.numbers.push(bytesPerStreamMinute(bytes.value, open.value, plan.revision, baseline, bytes.query));
  return verdict;
}

/** Open streams per revision at the end of the step's readable window; undefined before it is readable. */
async function openStreamsNow({
  config,
  plan,
  ports,
  startedAt,
}: StepContext): Promise<Record<string, number> | undefined> {
  const window = metricWindow(startedAt, ports.now(), config.gates.metricsDelayMs);
  if (window.kind === 'wait') return undefined;
  const read = await ports.observability!.openStreams({
    revisions: [plan.revision, ...plan.restoreTraffic.flatMap((t) => (t.revision ? [t.revision] : []))],
    start: window.start,
    end: window.end,
  });
  if (read.kind !== 'data') return undefined;
  const latest = (samples: { at: number; streams: number }[]) =>
    samples.reduce((a, b) => (b.at > a.at ? b : a), { at: -Infinity, streams: 0 }).streams;
  return Object.fromEntries(Object.entries(read.value).map(([rev, samples]) => [rev, latest(samples)]));
}

/**
 * The candidate's ERROR lines, 5xx request logs and crashes since the step began, its ERROR lines judged
 * against the stable revision's in the same window (an app that always logs some is not failed for it).
 */
async function logGate({ plan, ports, startedAt }: StepContext): Promise<GateVerdict> {
  const observe = ports.observability!;
  const baseline = stableRevision(plan.restoreTraffic);
  const [read, before] = await Promise.all([
    observe.recentProblems(plan.revision, startedAt, LOG_LINES),
    baseline ? observe.recentProblems(baseline, startedAt, LOG_LINES) : undefined,
  ]);
  if (read.kind !== 'data') return unreadVerdict('logs', read)!;
  const baselineErrors =
    before?.kind === 'data' ? before.value.entries.filter((e) => e.source === 'app').length : 0;
  return judgeLogProblems(read.value.entries, DEFAULT_LOG_THRESHOLDS, {
    truncated: read.value.truncated,
    query: read.query,
    baselineErrors,
  });
}
