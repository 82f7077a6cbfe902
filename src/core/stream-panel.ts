// The stream-health panel's judge: N synthetic streams on the candidate's tag URL and N on the baseline's,
// watched over the same window by the same client, compared metric by metric. Comparing two arms measured
// at the same time on the same runner cancels most of a loaded runner's noise; absolute floors absorb the
// rest, so scheduling jitter never rolls a healthy release back. Pure: no I/O, no clock.
import { compareCounts, compareTrials, formatP, SUSPECT_P } from './panel-counts';
import { formatMs } from './report-numbers';
import type { Verdict } from './smoke-types';

/** The stream the panel holds open: SSE, WebSocket, or a gRPC health Watch. */
export type PanelProtocol = 'sse' | 'websocket' | 'grpc';

/** What one arm (candidate or baseline) showed in one window. */
export interface ArmReading {
  protocol: PanelProtocol;
  /** How long the window lasted. */
  windowMs: number;
  /** Streams whose handshake succeeded during the window, reconnects included. */
  opened: number;
  /** Streams open at the end of the window. */
  openNow: number;
  /** Seconds of open stream summed over the arm's streams, within the window. */
  streamSeconds: number;
  /**
   * From each request to the stream's first signal: an SSE event or comment (heartbeat), a WebSocket
   * message or pong, a gRPC Watch status. Counted in the window the signal came in.
   */
  firstEventMs: number[];
  /** Silences between signals (SSE, WebSocket) that ended in the window. */
  gapsMs: number[];
  /**
   * The current silence of each stream still open at the window's end, so a stream that goes quiet shows
   * up in the window it went quiet in (judged with gapsMs; a later window counts the whole gap once it ends).
   */
  openGapsMs: number[];
  /** Data events: SSE events, WebSocket messages, gRPC Watch statuses (heartbeats and pongs excluded). */
  events: number;
  /** Signals that carry no data: SSE comments, WebSocket pongs. */
  heartbeats: number;
  /** Streams ended by the server or the network before the client closed them. */
  disconnects: number;
  /** Reconnects after a disconnect: for SSE with an id, resumed after `Last-Event-ID`; else the stream opened again. */
  resumes: { tried: number; ok: number };
  /** WebSocket ping to pong round trips. */
  pingRttMs: number[];
  /** WebSocket close codes sent by the server (`none` when no close frame came), by count. */
  closeCodes: Record<string, number>;
  /** gRPC: open Watch streams whose latest status is not SERVING. */
  notServing: number;
  /** Opens that failed: refused, timed out, non-200 / non-101 answers, gRPC errors before the first status. */
  openFailures: number;
  /** Opens tried that succeeded or failed in the window (held streams and probes): the failed opens' denominator. */
  attempts: number;
  /**
   * Probes that reached their first signal and were watched for the probe's hold, and how many of those
   * the server or the network ended before the hold was up.
   */
  probes: { watched: number; endedEarly: number };
  /** A few error texts, for the log (never a token). */
  errors: string[];
}

/** When the panel calls a metric a failure; each ratio is paired with a floor so jitter cannot fail a step. */
export interface PanelThresholds {
  /** Time to first event fails when the candidate's p50 exceeds this times the baseline's... */
  firstEventRatio: number;
  /** ...and the baseline's p50 plus this, or plus 4 standard errors of the medians' difference when larger. */
  firstEventFloorMs: number;
  /** Gap p95 (time-weighted: the gap a listener is in at 95 % of moments) fails above this times the baseline's... */
  gapRatio: number;
  /** ...and the baseline's plus this. */
  gapFloorMs: number;
  /** Events per stream-minute fail when the candidate has fewer than this share of the baseline's... */
  minRateRatio: number;
  /** ...judged only when the baseline had at least this many events in the window. */
  minEventsForRate: number;
  /**
   * Counts that should stay near zero (failed opens, probes ended early, disconnects, unexpected close codes)
   * fail when the candidate's count is this unlikely if its rate were the baseline's (core/panel-counts.ts)...
   */
  countP: number;
  /** ...and the candidate has at least this many more than the baseline's rate predicts for its tries or stream time. */
  minCountExcess: number;
  /** Resume success fails below this rate, unless the baseline does no better... */
  minResumeRate: number;
  /** ...judged only with at least this many reconnects tried on the candidate. */
  minResumeTries: number;
  /** WebSocket ping round trip fails when the candidate's p50 exceeds this times the baseline's... */
  pingRatio: number;
  /** ...and the baseline's plus this. */
  pingFloorMs: number;
  /** Either arm with fewer stream-seconds than this in the window makes the verdict inconclusive. */
  minStreamSeconds: number;
  /** A baseline with fewer signals (events and heartbeats) than this in the window makes it inconclusive. */
  minSignals: number;
}

/** Streams per arm for a small service: three on each tag URL are cheap and still show a pattern. */
export const DEFAULT_PANEL_STREAMS = 3;

/**
 * Probes per second per arm. Rates near zero need many tries to tell apart: a candidate failing 5 % of
 * opens shows 15 failures in a 60 s step's 300 tries against the baseline's none, where the count test
 * (countP 0.001) needs 10; a 30 s step shows 7 or 8, a suspect count that the step's longer look (two more
 * 15 s windows) usually settles. Each probe holds a request slot for its first event and a 2 s watch, so
 * the session caps them in flight (run/step-gates.ts panelProbeCap), and every probe also loads the
 * runner: 5 a second per arm keeps a 2-CPU runner's own noise out of the verdicts.
 */
export const DEFAULT_PANEL_PROBES = 5;

/** Defaults for a small service judged from a shared 2-core CI runner (see each field). */
export const DEFAULT_PANEL_THRESHOLDS: Readonly<PanelThresholds> = Object.freeze({
  firstEventRatio: 2,
  firstEventFloorMs: 250,
  gapRatio: 2,
  gapFloorMs: 1000,
  minRateRatio: 0.5,
  minEventsForRate: 20,
  countP: 0.001,
  minCountExcess: 3,
  minResumeRate: 0.8,
  minResumeTries: 2,
  pingRatio: 2,
  pingFloorMs: 250,
  minStreamSeconds: 10,
  minSignals: 5,
});

/** One metric, both arms side by side; `ok` undefined means not judged, and `limit` says why. */
export interface PanelRow {
  metric: string;
  candidate: string;
  baseline: string;
  limit: string;
  ok: boolean | undefined;
  /** A count that passed but is unlikely by chance (p < SUSPECT_P): worth a longer window. */
  suspect?: boolean;
}

/** The panel's verdict for one window, with the numbers behind it. */
export interface PanelVerdict {
  verdict: Verdict;
  rows: PanelRow[];
  /** One line for the log. */
  detail: string;
  /** When a passing or inconclusive window has a suspect count: which, for the step to look longer. */
  suspect?: string;
}

import { percentile, timeWeightedPercentile } from './stream-stats';

export { percentile, resumedAfter, timeWeightedPercentile } from './stream-stats';

/**
 * Two consecutive windows of one arm as one (a step judged again after a hold looks at all of its time):
 * counts and samples add up; what is open now, and the open gaps, are the later window's.
 */
export function mergeReadings(earlier: ArmReading, later: ArmReading): ArmReading {
  const codes = { ...earlier.closeCodes };
  for (const [code, n] of Object.entries(later.closeCodes)) codes[code] = (codes[code] ?? 0) + n;
  return {
    protocol: later.protocol,
    windowMs: earlier.windowMs + later.windowMs,
    opened: earlier.opened + later.opened,
    openNow: later.openNow,
    streamSeconds: earlier.streamSeconds + later.streamSeconds,
    firstEventMs: [...earlier.firstEventMs, ...later.firstEventMs],
    gapsMs: [...earlier.gapsMs, ...later.gapsMs],
    openGapsMs: later.openGapsMs,
    events: earlier.events + later.events,
    heartbeats: earlier.heartbeats + later.heartbeats,
    disconnects: earlier.disconnects + later.disconnects,
    resumes: {
      tried: earlier.resumes.tried + later.resumes.tried,
      ok: earlier.resumes.ok + later.resumes.ok,
    },
    pingRttMs: [...earlier.pingRttMs, ...later.pingRttMs],
    closeCodes: codes,
    notServing: later.notServing,
    openFailures: earlier.openFailures + later.openFailures,
    attempts: earlier.attempts + later.attempts,
    probes: {
      watched: earlier.probes.watched + later.probes.watched,
      endedEarly: earlier.probes.endedEarly + later.probes.endedEarly,
    },
    errors: [...earlier.errors, ...later.errors].slice(0, 3),
  };
}

/** Why gaps and rates mean nothing on a gRPC health Watch. */
const WATCH_IS_QUIET = 'a Watch sends a status only when it changes';

/** Close codes a server sends when it ends a stream on purpose (normal closure, going away). */
const EXPECTED_CLOSE_CODES = new Set(['1000', '1001']);

/** Compares the candidate's arm with the baseline's over one window. */
export function judgePanel(
  candidate: ArmReading,
  baseline: ArmReading,
  thresholds: PanelThresholds,
): PanelVerdict {
  const t = thresholds;
  const gRpc = candidate.protocol === 'grpc';
  const rows: PanelRow[] = [
    streamsRow(candidate, baseline),
    firstEventRow(candidate, baseline, t),
    gRpc ? notJudged('gap p95 (time-weighted)', WATCH_IS_QUIET) : gapRow(candidate, baseline, t),
    rateRow(candidate, baseline, t),
    countRow('failed opens', candidate, baseline, (a) => a.openFailures, tries, t),
    countRow('probes ended early', candidate, baseline, (a) => a.probes.endedEarly, watched, t),
    countRow('disconnects', candidate, baseline, (a) => a.disconnects, streamTime, t),
    resumeRow(candidate, baseline, t),
  ];
  if (candidate.protocol === 'websocket') {
    rows.push(pingRow(candidate, baseline, t));
    rows.push(
      countRow('unexpected close codes', candidate, baseline, unexpectedCloses, streamTime, t, closeCodeText),
    );
  }
  if (gRpc) rows.push(watchRow(candidate, baseline));

  const failed = rows.filter((row) => row.ok === false);
  const thin = thinEvidence(candidate, baseline, t);
  const numbers = `${candidate.openNow} vs ${baseline.openNow} streams open, ${round(candidate.streamSeconds)} vs ${round(baseline.streamSeconds)} stream-seconds`;
  if (thin.baseline)
    return { verdict: 'inconclusive', rows, detail: `inconclusive: ${thin.baseline} (${numbers})` };
  if (failed.length > 0) {
    const why = failed.map(
      (row) => `${row.metric} ${row.candidate} on the candidate vs ${row.baseline} (limit ${row.limit})`,
    );
    return { verdict: 'fail', rows, detail: `fail: ${why.join('; ')}` };
  }
  const suspects = rows.filter((row) => row.suspect);
  const suspect =
    suspects.length > 0
      ? suspects.map((row) => `${row.metric} ${row.candidate} vs ${row.baseline}`).join('; ')
      : undefined;
  if (thin.candidate)
    return {
      verdict: 'inconclusive',
      rows,
      detail: `inconclusive: ${thin.candidate} (${numbers})`,
      ...(suspect && { suspect }),
    };
  const firsts = rows[1];
  return {
    verdict: 'pass',
    rows,
    detail: `pass: candidate vs baseline, ${numbers}; first event ${firsts.candidate} vs ${firsts.baseline}; ${candidate.openFailures} vs ${baseline.openFailures} failed opens of ${candidate.attempts} vs ${baseline.attempts}; ${candidate.disconnects} vs ${baseline.disconnects} disconnects`,
    ...(suspect && { suspect }),
  };
}

/** Why an arm has too little to judge, for each arm; undefined when it has enough. */
function thinEvidence(
  candidate: ArmReading,
  baseline: ArmReading,
  t: PanelThresholds,
): { baseline?: string; candidate?: string } {
  const sample = baseline.errors.length > 0 ? `: ${baseline.errors[0]}` : '';
  let base: string | undefined;
  if (baseline.opened === 0 && baseline.openNow === 0)
    base = `no stream opened on the baseline (${baseline.openFailures} failed${sample})`;
  else if (baseline.streamSeconds < t.minStreamSeconds)
    base = `the baseline streamed ${round(baseline.streamSeconds)} s, under ${t.minStreamSeconds} s`;
  else if (
    baseline.protocol === 'grpc'
      ? baseline.events === 0
      : baseline.events + baseline.heartbeats < t.minSignals
  )
    base = `the baseline sent ${baseline.events + baseline.heartbeats} signals, under ${baseline.protocol === 'grpc' ? 1 : t.minSignals}`;
  let cand: string | undefined;
  if (candidate.streamSeconds < t.minStreamSeconds)
    cand = `the candidate streamed ${round(candidate.streamSeconds)} s, under ${t.minStreamSeconds} s`;
  return { baseline: base, candidate: cand };
}

function streamsRow(candidate: ArmReading, baseline: ArmReading): PanelRow {
  const text = (a: ArmReading) => `${a.openNow} open, ${a.opened} opened, ${round(a.streamSeconds)} stream-s`;
  return {
    metric: 'streams',
    candidate: text(candidate),
    baseline: text(baseline),
    limit: 'shown, not judged',
    ok: undefined,
  };
}

/**
 * Time to first event: the candidate's median against the baseline's, allowed the ratio, or the floor, or
 * the samples' own noise, whichever is largest. The noise is measured from the samples: an app whose
 * first event waits for its next timer tick spreads them over a tick, a loaded runner spreads them
 * further. It is 4 standard errors of the medians' difference, and with fewer than 8 samples on an arm
 * (whose spread says little) at least the wider arm's range. A tight distribution (a fixed delay) leaves
 * only the floor, so a 3x slower first event is seen.
 */
function firstEventRow(candidate: ArmReading, baseline: ArmReading, t: PanelThresholds): PanelRow {
  const c = candidate.firstEventMs;
  const b = baseline.firstEventMs;
  if (Math.min(c.length, b.length) < MIN_FIRST_EVENTS)
    return {
      metric: 'time to first event p50',
      candidate: `${c.length} samples`,
      baseline: `${b.length} samples`,
      limit: `not judged: under ${MIN_FIRST_EVENTS} samples on an arm (a median of fewer is chance)`,
      ok: undefined,
    };
  const range = (xs: readonly number[]) => (xs.length > 0 ? Math.max(...xs) - Math.min(...xs) : 0);
  const noise = Math.max(
    4 * Math.hypot(medianError(c), medianError(b)),
    Math.min(c.length, b.length) < 8 ? Math.max(range(c), range(b)) : 0,
  );
  return compareTiming('time to first event p50', candidate.firstEventMs, baseline.firstEventMs, {
    stat: (values) => percentile(values, 50),
    limit: (b) => Math.max(t.firstEventRatio * b, b + Math.max(t.firstEventFloorMs, noise)),
  });
}

/**
 * First events an arm needs before its median is compared: three uniform samples over a 1 s tick put
 * the two medians 800 ms apart about once in 200 windows (the seeded loaded-runner trial showed it).
 */
const MIN_FIRST_EVENTS = 6;

/** The standard error of a sample's median (1.2533 sd / sqrt n, normal approximation); 0 for one value. */
function medianError(values: readonly number[]): number {
  if (values.length < 2) return 0;
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const sd = Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / (values.length - 1));
  return (1.2533 * sd) / Math.sqrt(values.length);
}

function gapRow(candidate: ArmReading, baseline: ArmReading, t: PanelThresholds): PanelRow {
  const gaps = (a: ArmReading) => [...a.gapsMs, ...a.openGapsMs];
  return compareTiming('gap p95 (time-weighted)', gaps(candidate), gaps(baseline), {
    stat: (values) => timeWeightedPercentile(values, 95),
    limit: (b) => Math.max(t.gapRatio * b, b + t.gapFloorMs),
  });
}

function pingRow(candidate: ArmReading, baseline: ArmReading, t: PanelThresholds): PanelRow {
  return compareTiming('ping round trip p50', candidate.pingRttMs, baseline.pingRttMs, {
    stat: (values) => percentile(values, 50),
    limit: (b) => Math.max(t.pingRatio * b, b + t.pingFloorMs),
  });
}

/** A timing statistic of both arms, judged against a limit drawn from the baseline's. */
function compareTiming(
  metric: string,
  cs: readonly number[],
  bs: readonly number[],
  rule: { stat: (values: readonly number[]) => number | undefined; limit: (baseline: number) => number },
): PanelRow {
  const c = rule.stat(cs);
  const b = rule.stat(bs);
  const text = (v: number | undefined, n: number) => (v === undefined ? 'none' : `${formatMs(v)} (n=${n})`);
  const row = { metric, candidate: text(c, cs.length), baseline: text(b, bs.length) };
  if (c === undefined || b === undefined) {
    const side =
      c === undefined && b === undefined ? 'either arm' : c === undefined ? 'the candidate' : 'the baseline';
    return { ...row, limit: `not judged: no samples on ${side}`, ok: undefined };
  }
  const limit = rule.limit(b);
  return { ...row, limit: `≤ ${formatMs(limit)}`, ok: c <= limit };
}

function rateRow(candidate: ArmReading, baseline: ArmReading, t: PanelThresholds): PanelRow {
  const perMinute = (a: ArmReading) => (a.streamSeconds > 0 ? (a.events * 60) / a.streamSeconds : 0);
  const c = perMinute(candidate);
  const b = perMinute(baseline);
  const metric = 'events per stream-minute';
  const text = (rate: number, a: ArmReading) => `${rate.toFixed(1)} (${a.events} events)`;
  const row = { metric, candidate: text(c, candidate), baseline: text(b, baseline) };
  if (baseline.protocol === 'grpc') return { ...row, limit: `not judged: ${WATCH_IS_QUIET}`, ok: undefined };
  if (baseline.events < t.minEventsForRate)
    return {
      ...row,
      limit: `not judged: the baseline sent ${baseline.events} events, under ${t.minEventsForRate}`,
      ok: undefined,
    };
  if (candidate.streamSeconds <= 0)
    return { ...row, limit: 'not judged: no candidate stream time', ok: undefined };
  const limit = t.minRateRatio * b;
  return { ...row, limit: `≥ ${limit.toFixed(1)}`, ok: c >= limit };
}

/** What a count is measured against: tries, probes watched, or stream time. */
interface Exposure {
  of: (a: ArmReading) => number;
  /** `tries`: each try fails at most once (Fisher's exact test); `time`: events in a span (the rate test). */
  kind: 'tries' | 'time';
  /** How the exposure reads after the count: ` of 120 tries`, ` in 90 stream-s`. */
  text: (a: ArmReading) => string;
}

const tries: Exposure = {
  kind: 'tries',
  of: (a) => a.attempts,
  text: (a) => ` of ${a.attempts} tries`,
};
const watched: Exposure = {
  kind: 'tries',
  of: (a) => a.probes.watched,
  text: (a) => ` of ${a.probes.watched} probes watched`,
};
const streamTime: Exposure = {
  kind: 'time',
  of: (a) => a.streamSeconds,
  text: (a) => ` in ${round(a.streamSeconds)} stream-s`,
};

/**
 * A count that should stay near zero, against the baseline's rate over the candidate's exposure
 * (core/panel-counts.ts): fails when the candidate's count is under `countP` likely by chance AND at
 * least `minCountExcess` over what the baseline's rate predicts, so one cut stream never fails a release
 * and noise both arms share never does either.
 */
function countRow(
  metric: string,
  candidate: ArmReading,
  baseline: ArmReading,
  count: (a: ArmReading) => number,
  exposure: Exposure,
  t: PanelThresholds,
  extra: (a: ArmReading) => string = () => '',
): PanelRow {
  const c = count(candidate);
  const b = count(baseline);
  const text = (n: number, a: ArmReading) => `${n}${exposure.text(a)}${extra(a)}`;
  const row = { metric, candidate: text(c, candidate), baseline: text(b, baseline) };
  const compare = exposure.kind === 'tries' ? compareTrials : compareCounts;
  const compared = compare(c, exposure.of(candidate), b, exposure.of(baseline));
  if (!compared) {
    const side = exposure.of(baseline) > 0 ? 'the candidate' : 'the baseline';
    return { ...row, limit: `not judged: nothing to count on ${side}`, ok: undefined };
  }
  const excess = c - compared.expected;
  const failed = compared.p < t.countP && excess >= t.minCountExcess;
  const suspect = !failed && compared.p < SUSPECT_P && c >= 2;
  return {
    ...row,
    limit: `${formatP(compared.p)}; fails under p=${t.countP} with ${t.minCountExcess}+ over the ${compared.expected.toFixed(1)} expected`,
    ok: !failed,
    ...(suspect && { suspect }),
  };
}

function resumeRow(candidate: ArmReading, baseline: ArmReading, t: PanelThresholds): PanelRow {
  const rate = (a: ArmReading) => (a.resumes.tried > 0 ? a.resumes.ok / a.resumes.tried : undefined);
  const text = (a: ArmReading) => `${a.resumes.ok}/${a.resumes.tried}`;
  const row = { metric: 'resumes after a disconnect', candidate: text(candidate), baseline: text(baseline) };
  const c = rate(candidate);
  const b = rate(baseline);
  if (c === undefined || candidate.resumes.tried < t.minResumeTries)
    return {
      ...row,
      limit: `not judged: under ${t.minResumeTries} reconnects on the candidate`,
      ok: undefined,
    };
  const floor = Math.min(t.minResumeRate, b ?? t.minResumeRate);
  const limit = `≥ ${Math.round(floor * 100)} %${b !== undefined && b < t.minResumeRate ? ' (the baseline does no better)' : ''}`;
  return { ...row, limit, ok: c >= floor };
}

function watchRow(candidate: ArmReading, baseline: ArmReading): PanelRow {
  const text = (a: ArmReading) => `${a.openNow - a.notServing}/${a.openNow} SERVING`;
  const row = { metric: 'Watch liveness', candidate: text(candidate), baseline: text(baseline) };
  if (candidate.openNow === 0)
    return { ...row, limit: 'not judged: no Watch open on the candidate', ok: undefined };
  return {
    ...row,
    limit: `≤ ${baseline.notServing} not SERVING`,
    ok: candidate.notServing <= baseline.notServing,
  };
}

function unexpectedCloses(a: ArmReading): number {
  return Object.entries(a.closeCodes).reduce(
    (sum, [code, n]) => sum + (EXPECTED_CLOSE_CODES.has(code) ? 0 : n),
    0,
  );
}

function closeCodeText(a: ArmReading): string {
  const codes = Object.entries(a.closeCodes).map(([code, n]) => `${code}×${n}`);
  return codes.length > 0 ? ` [${codes.join(', ')}]` : '';
}

function notJudged(metric: string, why: string): PanelRow {
  return { metric, candidate: '-', baseline: '-', limit: `not judged: ${why}`, ok: undefined };
}

function round(n: number): number {
  return Math.round(n);
}
