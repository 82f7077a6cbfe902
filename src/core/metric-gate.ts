// The optional metric and log gates of a traffic step, as data: when Cloud Monitoring can first be read for
// a step, how request counts of candidate and baseline compare, what the candidate's logs say, how traffic
// really splits for long-lived streams, when the old revision drains, and what a step does with an
// inconclusive answer. Pure: the adapters (monitoring.ts, cloud-logging.ts) fetch, the orchestrator decides.
//
// A stream is one request, counted and logged when it ENDS (docs/platform.md "Request count is captured at
// the end of the request"); request_latencies is stream lifetime, so no gate here reads it.

/** One answer of an observability read: data, none at all (never zero-filled), no permission, or a failure. */
export type Observed<T> =
  | { kind: 'data'; value: T; query: string }
  | { kind: 'no-data'; query: string }
  | { kind: 'denied'; message: string; query: string }
  | { kind: 'error'; message: string; query: string };

/** Requests of one revision in a window, by `response_code_class` ('2xx', '4xx', '5xx', …). */
export interface RequestCounts {
  total: number;
  byClass: Record<string, number>;
}

/** Open streams of one revision at one minute: the sum over instances of each one's peak concurrency. */
export interface OpenStreamSample {
  /** Epoch ms: the end of the minute the sample covers. */
  at: number;
  streams: number;
}

/** One log line the fast path found: an app ERROR line, a 5xx request log, or a system (crash) log. */
export interface LogProblem {
  /** RFC 3339 timestamp, as Logging sent it. */
  time: string;
  severity: string;
  /** The line, tokens redacted, cut to a readable length. */
  text: string;
  /** HTTP status of a request log. */
  status?: number;
  source: 'app' | 'request' | 'system';
}

export type GateVerdictKind = 'pass' | 'fail' | 'inconclusive' | 'skipped';

/** A number the gate used, with the query that produced it, for the job summary. */
export interface GateNumber {
  label: string;
  value: string;
  query?: string;
}

/** One gate's answer for one check of a step. */
export interface GateVerdict {
  gate: 'panel' | 'requests' | 'logs' | 'step';
  verdict: GateVerdictKind;
  reason: string;
  numbers: GateNumber[];
  /** Epoch ms of the check (for the hold cap). */
  at?: number;
  /** The last log lines, for the report when the step fails. */
  lastLines?: string[];
}

// ---------------------------------------------------------------------------------------------------------
// Window

/** Cloud Run metrics are sampled once a minute (docs/platform.md "Cloud Run metrics: sampling and delay"). */
export const SAMPLE_PERIOD_MS = 60_000;
/** A point is visible at most 120 s after its 60 s sample: about 3 minutes in all (same heading). */
export const INGESTION_DELAY_MS = 180_000;

export type MetricWindow =
  { kind: 'ready'; start: number; end: number } | { kind: 'wait'; readableAt: number; reason: string };

/**
 * The window to query for a step: from its traffic change to `now - ingestionDelayMs`, and only once that
 * holds at least one sample period; before then, when it can first be read. A window read earlier would
 * look empty and be misread as "no requests".
 */
export function metricWindow(stepStartedAt: number, now: number, ingestionDelayMs: number): MetricWindow {
  const end = now - ingestionDelayMs;
  const readableAt = stepStartedAt + ingestionDelayMs + SAMPLE_PERIOD_MS;
  if (end - stepStartedAt < SAMPLE_PERIOD_MS)
    return {
      kind: 'wait',
      readableAt,
      reason: `metrics for this step are complete from ${new Date(readableAt).toISOString()} (one ${SAMPLE_PERIOD_MS / 1000} s sample after a ${Math.round(ingestionDelayMs / 1000)} s ingestion delay)`,
    };
  return { kind: 'ready', start: stepStartedAt, end };
}

// ---------------------------------------------------------------------------------------------------------
// Request errors: candidate against baseline, same window

export interface ErrorThresholds {
  /** Requests each arm needs before a rate means anything. */
  minRequests: number;
  /** How much higher (absolute, 0.01 = one point) the candidate's 5xx rate may be than the baseline's. */
  margin: number;
  /** One-sided z the excess over the margin must reach to fail (3.09 ≈ p 0.001). */
  z: number;
}

/**
 * 50 requests each: below that one 5xx moves a rate by 2 points, twice the margin, and the normal
 * approximation of the test does not hold. Margin 1 point and z 3.09, so a baseline's ordinary noise
 * (1 % on both arms) fails a healthy candidate far less than once in a thousand steps.
 */
export const DEFAULT_ERROR_THRESHOLDS: Readonly<ErrorThresholds> = Object.freeze({
  minRequests: 50,
  margin: 0.01,
  z: 3.09,
});

const pct = (x: number) => `${(x * 100).toFixed(2)} %`;

/**
 * Compares the candidate's 5xx rate with the baseline's in the same window: `fail` when the excess over the
 * margin is significant, `inconclusive` when an arm lacks data or requests, or when the candidate is worse
 * than the margin without enough requests to be sure; `pass` otherwise. Missing data is never a zero.
 */
export function judgeRequestErrors(
  candidate: RequestCounts | undefined,
  baseline: RequestCounts | undefined,
  thresholds: ErrorThresholds = DEFAULT_ERROR_THRESHOLDS,
  query?: string,
): GateVerdict {
  const numbers: GateNumber[] = [];
  const describe = (name: string, c: RequestCounts | undefined) => {
    if (!c) return numbers.push({ label: `${name} requests`, value: 'no data', query });
    const errors = c.byClass['5xx'] ?? 0;
    numbers.push({ label: `${name} requests`, value: String(c.total), query });
    numbers.push({
      label: `${name} 5xx`,
      value: `${errors} (${c.total > 0 ? pct(errors / c.total) : 'n/a'})`,
      query,
    });
  };
  describe('candidate', candidate);
  describe('baseline', baseline);
  const verdict = (v: GateVerdictKind, reason: string): GateVerdict => ({
    gate: 'requests',
    verdict: v,
    reason,
    numbers,
  });
  if (!candidate || !baseline)
    return verdict(
      'inconclusive',
      `no request data for the ${!candidate ? 'candidate' : 'baseline'} in this window (no data is not zero)`,
    );
  const small = [
    ['candidate', candidate],
    ['baseline', baseline],
  ].filter(([, c]) => (c as RequestCounts).total < thresholds.minRequests);
  if (small.length > 0)
    return verdict(
      'inconclusive',
      `too few requests to compare: ${small.map(([n, c]) => `${n as string} ${(c as RequestCounts).total}`).join(', ')} (at least ${thresholds.minRequests} each)`,
    );
  const nc = candidate.total;
  const nb = baseline.total;
  const ec = candidate.byClass['5xx'] ?? 0;
  const eb = baseline.byClass['5xx'] ?? 0;
  const diff = ec / nc - eb / nb;
  // Agresti–Caffo: one error and one success added to each arm keep the standard error above zero when an
  // arm has no errors at all, and make the interval honest for small counts.
  const pc = (ec + 1) / (nc + 2);
  const pb = (eb + 1) / (nb + 2);
  const se = Math.sqrt((pc * (1 - pc)) / (nc + 2) + (pb * (1 - pb)) / (nb + 2));
  const z = (diff - thresholds.margin) / se;
  numbers.push({
    label: '5xx rate difference',
    value: `${pct(diff)} (margin ${pct(thresholds.margin)}, z ${z.toFixed(2)}, fails from ${thresholds.z})`,
  });
  if (z >= thresholds.z)
    return verdict(
      'fail',
      `the candidate's 5xx rate ${pct(ec / nc)} exceeds the baseline's ${pct(eb / nb)} by more than ${pct(thresholds.margin)} (z ${z.toFixed(2)})`,
    );
  if (diff > thresholds.margin)
    return verdict(
      'inconclusive',
      `the candidate's 5xx rate ${pct(ec / nc)} is above the baseline's ${pct(eb / nb)}, but not significantly yet (z ${z.toFixed(2)} < ${thresholds.z})`,
    );
  return verdict('pass', `5xx rate ${pct(ec / nc)} against the baseline's ${pct(eb / nb)}`);
}

// ---------------------------------------------------------------------------------------------------------
// Logs: the fast path

export interface LogThresholds {
  /** Crashes (system log errors: exit, signal, memory limit) tolerated; 0 fails on the first. */
  maxCrashes: number;
  /** App ERROR lines the candidate may log since the step began beyond the baseline's in the same window. */
  maxProblems: number;
  /** Lines kept for the report. */
  keepLines: number;
}

/**
 * Any crash fails; a handful of app ERROR lines more than the stable revision logged is background. 5xx
 * request logs are counted and shown but never fail this gate: their number grows with traffic (1 % of a
 * busy step is dozens), so only a rate against the baseline's can judge them (judgeRequestErrors).
 */
export const DEFAULT_LOG_THRESHOLDS: Readonly<LogThresholds> = Object.freeze({
  maxCrashes: 0,
  maxProblems: 5,
  keepLines: 10,
});

const SEVERITY_RANK: Record<string, number> = {
  DEFAULT: 0,
  DEBUG: 100,
  INFO: 200,
  NOTICE: 300,
  WARNING: 400,
  ERROR: 500,
  CRITICAL: 600,
  ALERT: 700,
  EMERGENCY: 800,
};

/** A system log line that says an instance died rather than started or scaled. */
function isCrash(entry: LogProblem): boolean {
  if (entry.source !== 'system') return false;
  if ((SEVERITY_RANK[entry.severity] ?? 0) >= SEVERITY_RANK.ERROR) return true;
  return /exit\(|exited|terminated|signal \d+|memory limit|out of memory|crash/i.test(entry.text);
}

/**
 * Fails the step when the candidate crashed, or logged more app ERROR lines since the step began than the
 * baseline did in the same window (`baselineErrors`, 0 when unknown) plus the allowance; 5xx request logs
 * are counted, never judged here. Keeps the last lines (newest first) for the report either way.
 * `truncated` says the adapter stopped at its limit, so the counts are lower bounds; `query` is printed
 * with the numbers.
 */
export function judgeLogProblems(
  entries: readonly LogProblem[],
  thresholds: LogThresholds = DEFAULT_LOG_THRESHOLDS,
  {
    truncated = false,
    query,
    baselineErrors = 0,
  }: { truncated?: boolean; query?: string; baselineErrors?: number } = {},
): GateVerdict {
  const crashes = entries.filter(isCrash);
  const errors = entries.filter((e) => e.source === 'app');
  const requests = entries.filter((e) => e.source === 'request');
  const atLeast = truncated ? 'at least ' : '';
  const numbers: GateNumber[] = [
    { label: 'candidate crashes', value: `${atLeast}${crashes.length}`, query },
    { label: 'candidate app ERROR lines', value: `${atLeast}${errors.length}`, query },
    { label: 'baseline app ERROR lines', value: String(baselineErrors), query },
    {
      label: 'candidate 5xx request logs (judged as a rate by the request gate)',
      value: `${atLeast}${requests.length}`,
      query,
    },
  ];
  const lastLines = entries
    .slice(0, thresholds.keepLines)
    .map((e) => `${e.time} ${e.severity}${e.status ? ` ${e.status}` : ''} ${e.text}`);
  const base = { gate: 'logs' as const, numbers, lastLines };
  if (crashes.length > thresholds.maxCrashes)
    return { ...base, verdict: 'fail', reason: `the candidate crashed: ${crashes[0].text}` };
  const allowed = baselineErrors + thresholds.maxProblems;
  if (errors.length > allowed)
    return {
      ...base,
      verdict: 'fail',
      reason: `${atLeast}${errors.length} app ERROR lines since the step began, against ${baselineErrors} on the baseline (at most ${allowed})`,
    };
  return {
    ...base,
    verdict: 'pass',
    reason: `no crash; ${errors.length} app ERROR lines (baseline ${baselineErrors}), ${requests.length} 5xx request logs since the step began`,
  };
}

/**
 * What a gate says when its read returned no data: denied is `skipped` (the optional roles
 * roles/monitoring.viewer / roles/logging.viewer are missing, which is not a failure), an error is
 * `inconclusive`, no metric data is `inconclusive` and no log lines is a pass. Undefined for data: judge it.
 */
export function unreadVerdict(
  gate: GateVerdict['gate'],
  observed: Observed<unknown>,
): GateVerdict | undefined {
  const numbers: GateNumber[] = [{ label: 'read', value: observed.kind, query: observed.query }];
  if (observed.kind === 'denied')
    return { gate, verdict: 'skipped', reason: `skipped: ${observed.message}`, numbers };
  if (observed.kind === 'error')
    return { gate, verdict: 'inconclusive', reason: `could not read: ${observed.message}`, numbers };
  // An empty log answer is an answer: nothing matched. An empty metric answer is not a zero.
  if (observed.kind === 'no-data' && gate === 'logs')
    return judgeLogProblems([], DEFAULT_LOG_THRESHOLDS, { query: observed.query });
  if (observed.kind === 'no-data')
    return { gate, verdict: 'inconclusive', reason: 'no data in this window (no data is not zero)', numbers };
  return undefined;
}

// ---------------------------------------------------------------------------------------------------------
// The split as streams see it

export interface SplitInput {
  /** The step's percent of new requests for the candidate. */
  configuredPercent: number;
  /** Candidate share of new requests actually measured (0..1), e.g. by the share sample. */
  observedNewShare?: number;
  /** Latest open streams per revision (monitoring openStreams). */
  openStreamsByRevision?: Record<string, number>;
  /** The candidate revision's name, to read its open streams. */
  candidate?: string;
  /** The service's session affinity setting. */
  sessionAffinity: boolean;
}

export interface EffectiveSplit {
  configuredPercent: number;
  observedNewPercent?: number;
  openStreamsPercent?: number;
  warnings: string[];
  numbers: GateNumber[];
}

/**
 * The three numbers a streaming step has: configured % of new requests, observed % of new requests, and %
 * of open streams on the candidate, which lags both because a traffic change never moves a stream that is
 * already open (docs/platform.md "A stream is one request"). Warns when session affinity skews them.
 */
export function describeEffectiveSplit(input: SplitInput): EffectiveSplit {
  const warnings: string[] = [];
  const numbers: GateNumber[] = [
    { label: 'configured % of new requests', value: `${input.configuredPercent} %` },
  ];
  const observedNewPercent =
    input.observedNewShare === undefined ? undefined : Math.round(input.observedNewShare * 1000) / 10;
  numbers.push({
    label: 'observed % of new requests',
    value: observedNewPercent === undefined ? 'not measured' : `${observedNewPercent} %`,
  });
  let openStreamsPercent: number | undefined;
  const open = input.openStreamsByRevision;
  if (open && input.candidate) {
    const total = Object.values(open).reduce((a, b) => a + b, 0);
    if (total > 0) openStreamsPercent = Math.round(((open[input.candidate] ?? 0) / total) * 1000) / 10;
  }
  numbers.push({
    label: '% of open streams on the candidate',
    value: openStreamsPercent === undefined ? 'not measured' : `${openStreamsPercent} %`,
  });
  if (input.sessionAffinity)
    warnings.push(
      'session affinity is on: returning clients stay on the revision that served them, so the observed share of new requests and of open streams lag the configured percent (docs/platform.md "Session affinity beats the split")',
    );
  if (openStreamsPercent !== undefined && openStreamsPercent + 10 < input.configuredPercent)
    warnings.push(
      `only ${openStreamsPercent} % of open streams are on the candidate for ${input.configuredPercent} % of new requests: streams opened before the change stay where they are until they end`,
    );
  return {
    configuredPercent: input.configuredPercent,
    observedNewPercent,
    openStreamsPercent,
    warnings,
    numbers,
  };
}

// ---------------------------------------------------------------------------------------------------------
// Policy per step

export interface GatePolicy {
  /** What an inconclusive answer does: wait for more data (up to `holdCapMs`), fail the step, or pass it. */
  onInconclusive: 'hold' | 'fail' | 'pass';
  /** The longest a step holds on inconclusive answers. */
  holdCapMs: number;
  /** What the step does when the hold cap is reached still inconclusive. */
  onHoldCapReached?: 'pass' | 'fail';
  /** Failed checks in a row before the step fails (and the release rolls back). */
  failuresBeforeRollback: number;
}

export type PolicyDecision = { decision: 'continue-holding' | 'pass' | 'fail'; reason: string };

/**
 * The step's decision from its checks so far (oldest first): consecutive failures up to the limit fail it,
 * a pass or a skipped gate passes it, and an inconclusive answer holds, fails or passes as the policy says;
 * holding stops at the cap, measured from the first inconclusive check of the current run to the last one.
 */
export function applyGatePolicy(history: readonly GateVerdict[], policy: GatePolicy): PolicyDecision {
  const last = history[history.length - 1];
  if (!last) return { decision: 'continue-holding', reason: 'no check yet' };
  let failures = 0;
  for (let i = history.length - 1; i >= 0 && history[i].verdict === 'fail'; i--) failures++;
  if (last.verdict === 'fail')
    return failures >= policy.failuresBeforeRollback
      ? { decision: 'fail', reason: `${failures} failed checks in a row: ${last.reason}` }
      : {
          decision: 'continue-holding',
          reason: `failed check ${failures} of ${policy.failuresBeforeRollback} in a row; the next check confirms or clears it: ${last.reason}`,
        };
  if (last.verdict === 'pass') return { decision: 'pass', reason: last.reason };
  if (last.verdict === 'skipped') return { decision: 'pass', reason: last.reason };
  if (policy.onInconclusive === 'pass')
    return { decision: 'pass', reason: `inconclusive, passed by policy: ${last.reason}` };
  if (policy.onInconclusive === 'fail')
    return { decision: 'fail', reason: `inconclusive, failed by policy: ${last.reason}` };
  let first = history.length - 1;
  while (first > 0 && history[first - 1].verdict === 'inconclusive') first--;
  const held = (last.at ?? 0) - (history[first].at ?? 0);
  if (held < policy.holdCapMs)
    return {
      decision: 'continue-holding',
      reason: `inconclusive for ${Math.round(held / 1000)} s of at most ${Math.round(policy.holdCapMs / 1000)} s: ${last.reason}`,
    };
  const after = policy.onHoldCapReached ?? 'fail';
  return {
    decision: after,
    reason: `still inconclusive after ${Math.round(held / 1000)} s (cap ${Math.round(policy.holdCapMs / 1000)} s), ${after === 'fail' ? 'failed' : 'passed'} by policy: ${last.reason}`,
  };
}

// ---------------------------------------------------------------------------------------------------------
// Job summary

/** One line of Markdown per number, each with the query it came from, under a line per gate verdict. */
export function renderGateNumbers(verdicts: readonly GateVerdict[], split?: EffectiveSplit): string[] {
  const code = (text: string) => `\`${text.replace(/`/g, "'").replace(/\s+/g, ' ')}\``;
  const number = (n: GateNumber) => `  - ${n.label}: **${n.value}**${n.query ? ` — ${code(n.query)}` : ''}`;
  const lines: string[] = [];
  for (const v of verdicts) {
    lines.push(`- ${v.gate === 'requests' ? 'Request errors' : 'Logs'}: **${v.verdict}** — ${v.reason}`);
    lines.push(...v.numbers.map(number));
  }
  if (split) {
    lines.push('- Effective split:');
    lines.push(...split.numbers.map(number));
    lines.push(...split.warnings.map((w) => `  - ⚠️ ${w}`));
  }
  return lines;
}
