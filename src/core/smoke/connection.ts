// The checks every stream connection gets (handshake, first event, min events, max gap), and N
// connections folded into one report: the worst connection per check, the connections held, the
// metrics. Shared by the SSE and WebSocket judges. Pure: no I/O, no clock.

import type { ProbeError, SmokeCheck, SmokeCriteria, SmokeMetrics } from '../smoke-types';
import { decideVerdict, type StreamJudgement } from './verdict';
import {
  CANNOT_JUDGE,
  describeNoAnswer,
  explainStatus,
  formatMs,
  isOutsideApp,
  plural,
  pluralNoun,
  stripCannotJudge,
} from './wording';

/** One connection's verdict on one check, with how bad it was so the worst of N can be reported. */
export interface GradedCheck extends SmokeCheck {
  /** Larger is worse (e.g. the gap in ms); compares passing checks of the same name. */
  severity: number;
}

/** What one connection showed, before N connections are folded into one report. */
export interface ConnectionJudgement {
  checks: GradedCheck[];
  /** Nothing reached the service: a connect-stage network failure. */
  unreachable: boolean;
  held: boolean;
  connectMs?: number;
  firstEventMs?: number;
  events: number;
  largestGapMs?: number;
  buffered: boolean;
}

// ---------------------------------------------------------------------------------------------------
// Shared per-connection checks

/** The handshake check: the expected status (200, or 101 for an upgrade), or why it did not come. */
export function judgeStreamStatus(
  status: number | undefined,
  error: ProbeError | undefined,
  expected: 200 | 101,
  kind: 'stream' | 'websocket',
  path: string,
  connectMs: number | undefined,
): { check: GradedCheck; unreachable: boolean } {
  if (status === undefined) {
    const unreachable = isOutsideApp(error);
    return {
      check: {
        name: 'handshake',
        ok: false,
        detail: describeNoAnswer(error, kind === 'websocket' ? `upgrade ${path}` : `GET ${path}`),
        severity: 2,
      },
      unreachable,
    };
  }
  if (status !== expected) {
    return {
      check: { name: 'handshake', ok: false, detail: explainStatus(status, kind, path), severity: 1 },
      unreachable: false,
    };
  }
  const what = expected === 101 ? 'upgraded (101)' : 'answered 200';
  return {
    check: {
      name: 'handshake',
      ok: true,
      detail: `${what}${connectMs !== undefined ? ` after ${formatMs(connectMs)}` : ''}`,
      severity: connectMs ?? 0,
    },
    unreachable: false,
  };
}

/** The first-event check: the first event or message within `smoke_first_event_timeout`. */
export function judgeFirstEvent(
  firstEventMs: number | undefined,
  noun: string,
  conn: { startMs: number; stoppedMs: number; endedMs?: number; close?: { atMs: number; by: string } },
  criteria: SmokeCriteria,
): GradedCheck {
  const expected = `expected within ${formatMs(criteria.firstEventTimeoutMs)}`;
  if (firstEventMs === undefined) {
    const endedAt = conn.endedMs ?? (conn.close && conn.close.by !== 'client' ? conn.close.atMs : undefined);
    const how =
      endedAt !== undefined
        ? `the stream ended at ${formatMs(endedAt - conn.startMs)} with none`
        : `none in ${formatMs(conn.stoppedMs - conn.startMs)}`;
    return {
      name: 'first-event',
      ok: false,
      detail: `no ${noun}: ${how}; ${expected}`,
      severity: Number.MAX_SAFE_INTEGER,
    };
  }
  const ok = firstEventMs <= criteria.firstEventTimeoutMs;
  return {
    name: 'first-event',
    ok,
    detail: `first ${noun} ${formatMs(firstEventMs)} after the request${ok ? '' : `; ${expected}`}`,
    severity: firstEventMs,
  };
}

/** The min-events check: at least `smoke_min_events` in the watch. */
export function judgeMinEvents(
  count: number,
  noun: 'event' | 'message',
  criteria: SmokeCriteria,
): GradedCheck {
  const ok = count >= criteria.minEvents;
  const seen = `${count} ${plural(count, noun)} in the ${formatMs(criteria.durationMs)} watch`;
  return {
    name: 'min-events',
    ok,
    detail: ok
      ? `${seen} (at least ${criteria.minEvents} required)`
      : `${seen}; expected at least ${criteria.minEvents}`,
    severity: -count,
  };
}

/** A silence in a stream, from one arrival (or the start) to the next (or the end). */
export interface Gap {
  ms: number;
  fromMs: number;
  toMs: number;
  kind: 'before-first' | 'between' | 'after-last';
}

/** The longest silence: from the start to the first arrival, between arrivals, or from the last to the end. */
export function findLargestGap(startMs: number, arrivals: number[], endMs: number): Gap {
  const points = [startMs, ...arrivals, Math.max(endMs, arrivals[arrivals.length - 1] ?? startMs)];
  let best: Gap = { ms: 0, fromMs: startMs, toMs: startMs, kind: 'before-first' };
  for (let i = 1; i < points.length; i += 1) {
    const ms = points[i] - points[i - 1];
    if (ms > best.ms) {
      const kind = i === 1 ? 'before-first' : i === points.length - 1 ? 'after-last' : 'between';
      best = { ms, fromMs: points[i - 1], toMs: points[i], kind };
    }
  }
  return best;
}

/** The max-gap check: the longest silence, where it was, and what kept arriving in it. */
export function judgeMaxGap(
  gap: Gap,
  startMs: number,
  criteria: SmokeCriteria,
  keepalives: string,
  noun = 'event',
): GradedCheck {
  const from = formatMs(gap.fromMs - startMs);
  const to = formatMs(gap.toMs - startMs);
  const where =
    gap.kind === 'before-first'
      ? `before the first ${noun} (${from} to ${to})`
      : gap.kind === 'after-last'
        ? `after the last ${noun}, from ${from} to the end at ${to}`
        : `between ${pluralNoun(noun)} at ${from} and ${to}`;
  const ok = gap.ms <= criteria.maxGapMs;
  const alive = keepalives
    ? `; ${keepalives} kept arriving in that gap, so the connection was alive but the ${pluralNoun(noun)} stalled`
    : '';
  return {
    name: 'max-gap',
    ok,
    detail: ok
      ? `largest gap ${formatMs(gap.ms)} ${where} (at most ${formatMs(criteria.maxGapMs)} allowed)`
      : `largest gap ${formatMs(gap.ms)} ${where}; expected at most ${formatMs(criteria.maxGapMs)}${alive}`,
    severity: gap.ms,
  };
}

// ---------------------------------------------------------------------------------------------------
// N connections

/** One check per name: the worst connection's (failed before passed, then by severity). */
export function foldConnections(judged: ConnectionJudgement[], order: string[]): SmokeCheck[] {
  const total = judged.length;
  if (total === 0) {
    return [{ name: 'handshake', ok: false, detail: `${CANNOT_JUDGE}no connection was attempted` }];
  }
  const checks: SmokeCheck[] = [];
  for (const name of order) {
    const candidates: Array<{ index: number; check: GradedCheck }> = [];
    judged.forEach((j, index) => {
      const check = j.checks.find((c) => c.name === name);
      if (check) candidates.push({ index, check });
    });
    if (candidates.length === 0) continue;
    if (total === 1) {
      const { check } = candidates[0];
      checks.push({ name, ok: check.ok, detail: check.detail });
      continue;
    }
    const failed = candidates.filter((c) => !c.check.ok);
    const pool = failed.length > 0 ? failed : candidates;
    const worst = pool.reduce((a, b) => (b.check.severity > a.check.severity ? b : a));
    if (name === 'handshake' && failed.length === total && judged.every((j) => j.unreachable)) {
      checks.push({
        name,
        ok: false,
        detail: `${CANNOT_JUDGE}none of the ${total} connections reached the service; connection ${worst.index + 1}: ${stripCannotJudge(worst.check.detail)}`,
      });
      continue;
    }
    const prefix =
      failed.length > 0
        ? `${failed.length} of ${candidates.length === total ? '' : 'the '}${candidates.length} connections${candidates.length === total ? '' : ' that streamed'} failed; worst, connection ${worst.index + 1}: `
        : candidates.length === total
          ? `all ${total} connections passed; worst, connection ${worst.index + 1}: `
          : `passed on the ${candidates.length} connections that streamed; worst, connection ${worst.index + 1}: `;
    checks.push({ name, ok: failed.length === 0, detail: prefix + worst.check.detail });
  }
  return checks;
}

/** The connections check: how many of N connections held for the whole watch, and why the others did not. */
export function judgeConnectionsHeld(judged: ConnectionJudgement[], criteria: SmokeCriteria): SmokeCheck {
  const total = judged.length;
  const held = judged.filter((j) => j.held).length;
  const firsts = judged.map((j) => j.firstEventMs).filter((t): t is number => t !== undefined);
  const timing =
    firsts.length > 0
      ? `; first events ${formatMs(Math.min(...firsts))} to ${formatMs(Math.max(...firsts))} after the request (spread ${formatMs(spreadOf(firsts))})`
      : '; no connection got an event';
  const asked = total < criteria.connections ? ` (${criteria.connections} were asked for)` : '';
  const summary = `${held} of ${total} connections${asked} held for the whole ${formatMs(criteria.durationMs)} watch${timing}`;
  const failures = judged
    .map((j, i) => ({ j, i }))
    .filter(({ j }) => !j.held)
    .slice(0, 3)
    .map(({ j, i }) => `connection ${i + 1}: ${whyNotHeld(j)}`);
  const ok = held === total && total >= criteria.connections;
  if (ok) return { name: 'connections', ok, detail: summary };
  const prefix = total > 0 && judged.every((j) => j.unreachable) ? CANNOT_JUDGE : '';
  const more = total - held > 3 ? `; and ${total - held - 3} more` : '';
  const tail = failures.length > 0 ? `; ${failures.join('; ')}${more}` : '';
  return { name: 'connections', ok, detail: `${prefix}${summary}${tail}` };
}

/** Why a connection did not hold: its failed handshake or its early end. */
function whyNotHeld(j: ConnectionJudgement): string {
  const failed = j.checks.find((c) => !c.ok && (c.name === 'handshake' || c.name === 'stays-open'));
  return failed ? `${failed.name}: ${stripCannotJudge(failed.detail)}` : 'did not hold';
}

/** N connections' checks and metrics as one stream judgement, with its verdict. */
export function finishStream(judged: ConnectionJudgement[], checks: SmokeCheck[]): StreamJudgement {
  const connects = judged.map((j) => j.connectMs).filter((t): t is number => t !== undefined);
  const firsts = judged.map((j) => j.firstEventMs).filter((t): t is number => t !== undefined);
  const gaps = judged.map((j) => j.largestGapMs).filter((t): t is number => t !== undefined);
  const metrics: SmokeMetrics = {
    connectMs: median(connects),
    firstEventMs: median(firsts),
    firstEventSpreadMs: firsts.length > 1 ? spreadOf(firsts) : undefined,
    events: judged.reduce((sum, j) => sum + j.events, 0),
    largestGapMs: gaps.length > 0 ? Math.max(...gaps) : undefined,
    buffered: judged.some((j) => j.buffered),
    connectionsHeld: judged.filter((j) => j.held).length,
    connectionsTried: judged.length,
  };
  return { checks, metrics, verdict: decideVerdict(checks) };
}

/** The distance from the smallest to the largest value; 0 for none. */
export function spreadOf(values: number[]): number {
  return values.length === 0 ? 0 : Math.max(...values) - Math.min(...values);
}

/** The middle value (the rounded mean of the middle two); undefined for none. */
export function median(values: number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : Math.round((sorted[mid - 1] + sorted[mid]) / 2);
}
