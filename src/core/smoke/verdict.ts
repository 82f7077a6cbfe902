// The verdict of a smoke test: a stream's checks to pass, fail or inconclusive; the health check and the
// stream judgement to the overall result; and the result as the one-line summary and the failure text.
// A failed smoke test is data that drives rollback, not an exception. No I/O, no clock.

import type {
  SmokeCheck,
  SmokeCriteria,
  SmokeMetrics,
  SmokeProtocol,
  SmokeResult,
  Verdict,
} from '../smoke-types';
import { CANNOT_JUDGE, formatMs, plural } from './wording';

/** What one stream probe judged: the checks (worst of N connections), the metrics and the verdict. */
export interface StreamJudgement {
  checks: SmokeCheck[];
  metrics: SmokeMetrics;
  verdict: Verdict;
}

/** Fail when a check failed for the app; inconclusive when every failure is a cannot-judge. */
export function decideVerdict(checks: SmokeCheck[]): Verdict {
  const failed = checks.filter((c) => !c.ok);
  if (failed.length === 0) return 'pass';
  return failed.every((c) => c.detail.startsWith(CANNOT_JUDGE)) ? 'inconclusive' : 'fail';
}

// Health first, then the stream: the overall result (an unhealthy app fails even if streaming was skipped).
export function judgeSmoke(
  url: string,
  criteria: SmokeCriteria,
  health: SmokeCheck | undefined,
  stream: StreamJudgement,
): SmokeResult {
  const checks = health ? [health, ...stream.checks] : [...stream.checks];
  let verdict = decideVerdict(checks);
  if (stream.verdict === 'fail') verdict = 'fail';
  else if (verdict === 'pass' && stream.verdict === 'inconclusive') verdict = 'inconclusive';
  return { url, protocol: criteria.protocol, verdict, checks, metrics: stream.metrics };
}

// One line per failed check, for the action's failure message.
export function describeFailures(result: SmokeResult): string {
  return result.checks
    .filter((c) => !c.ok)
    .map((c) => `${c.name}: ${c.detail}`)
    .join('\n');
}

// One line: the verdict, the failed checks by name, and the headline metrics.
export function summarizeSmoke(result: SmokeResult): string {
  const m = result.metrics;
  const what = `${PROTOCOL_LABELS[result.protocol]} smoke test of ${result.url}`;
  const failed = result.checks.filter((c) => !c.ok).map((c) => c.name);
  const head =
    result.verdict === 'pass'
      ? `${what} passed (${result.checks.length} ${plural(result.checks.length, 'check')})`
      : result.verdict === 'fail'
        ? `${what} failed ${failed.length} of ${result.checks.length} checks (${failed.join(', ')})`
        : `${what} was inconclusive: it could not reach the service (${failed.join(', ')})`;
  const facts: string[] = [];
  if (m.connectionsTried > 0)
    facts.push(
      `${m.connectionsHeld} of ${m.connectionsTried} ${plural(m.connectionsTried, 'connection')} held`,
    );
  if (result.protocol !== 'http')
    facts.push(`${m.events} ${plural(m.events, result.protocol === 'sse' ? 'event' : 'message')}`);
  if (m.connectMs !== undefined) facts.push(`connect ${formatMs(m.connectMs)}`);
  if (m.firstEventMs !== undefined) facts.push(`first event ${formatMs(m.firstEventMs)}`);
  if (m.largestGapMs !== undefined) facts.push(`largest gap ${formatMs(m.largestGapMs)}`);
  if (result.protocol === 'sse') facts.push(m.buffered ? 'BUFFERED' : 'not buffered');
  return facts.length > 0 ? `${head}: ${facts.join(', ')}` : head;
}

const PROTOCOL_LABELS: Record<SmokeProtocol, string> = {
  sse: 'SSE',
  websocket: 'WebSocket',
  http: 'HTTP',
  grpc: 'gRPC',
};
