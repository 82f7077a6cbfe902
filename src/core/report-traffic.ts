// Where the release left the service's traffic, for the release report: the outcome against the
// baseline and the plan, the words for it (which the fault suite reads back), and the split as text. Pure.
import type { TrafficTarget } from './cloud-run-types';
import type { ReleaseReport } from './report-types';
import { codeSpan } from './report-text';

/**
 * Where the release left the traffic, against what it found and what it planned: exactly as before (as
 * found, or with LATEST pinned to the revision it meant), exactly the planned final state, the baseline's
 * percentages with a tag moved (a candidate kept for debugging), or somewhere in between. Undefined when
 * the report does not know the traffic or the baseline yet.
 */
export function trafficOutcome(report: ReleaseReport): TrafficOutcome | undefined {
  if (report.changedNothing) return 'baseline';
  const now = report.traffic;
  if (!now || !report.baselineTraffic) return undefined;
  const before = [report.baselineTraffic, report.restoreTraffic].filter((t): t is TrafficTarget[] => !!t);
  if (before.some((t) => routingKey(t, true) === routingKey(now, true))) return 'baseline';
  if (report.plannedTraffic && routingKey(report.plannedTraffic, true) === routingKey(now, true))
    return 'planned';
  if (before.some((t) => routingKey(t, false) === routingKey(now, false))) return 'baseline-percentages';
  return 'between';
}

export type TrafficOutcome = 'baseline' | 'planned' | 'baseline-percentages' | 'between';

/** The words the report uses for each outcome; the fault suite reads them back. */
export const OUTCOME_TEXT: Readonly<Record<TrafficOutcome, string>> = {
  baseline: 'exactly as before this release',
  planned: 'exactly the planned final state',
  'baseline-percentages': 'the same split as before this release; only tags differ',
  between: 'neither as before this release nor the planned final state: check the service',
};

/** Serving entries (and with `tags`, 0 % tagged ones) as a comparable key; LATEST compares as itself. */
function routingKey(traffic: readonly TrafficTarget[], tags: boolean): string {
  return JSON.stringify(
    traffic
      .filter((t) => t.percent > 0 || (tags && t.tag))
      .map((t) => [
        t.type === 'TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST' ? 'LATEST' : (t.revision ?? ''),
        t.percent,
        tags ? (t.tag ?? '') : '',
      ])
      .sort(),
  );
}

/** The service's split, e.g. `api-00042` 50 % · `api-00041` 50 %; tag-only 0 % entries are left out. */
export function renderTraffic(traffic: TrafficTarget[]): string {
  const serving = traffic.filter((t) => t.percent > 0);
  if (serving.length === 0) return 'none';
  return serving
    .map((t) => {
      const name = t.type === 'TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST' ? 'LATEST' : (t.revision ?? 'unknown');
      return `${codeSpan(name)} ${t.percent} %`;
    })
    .join(' · ');
}
