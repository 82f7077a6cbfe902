// The regions of a multi-region release in the report (`regions`, src/multi-region.ts): one row per region
// in wave order, one column per traffic step, where the region's traffic is now and where its release is;
// below the table, why each region that failed did and its tag URL. Pure. Region names, failures and
// revisions are escaped like every other text in the report (report-text.ts).
// Also the two rules the rest of the report shares with it (report.ts imports them): how a step's status
// is shown, and which URLs become links.
import type { TrafficTarget } from './cloud-run-types';
import type { RegionReport, ReportPhase, ReportStep } from './report-types';
import { cell, codeSpan, escapeText, redact, truncate } from './report-text';
import { describeTraffic } from './traffic-format';

/** A region's failure is shown whole up to this length (one line, unlike the release's fenced failure). */
const REGION_FAILURE_MAX = 400;

/** The phases after which nothing more happens: steps still pending then never ran. */
export const ENDED: ReadonlySet<ReportPhase> = new Set([
  'promoted',
  'canary',
  'candidate',
  'rolled-back',
  'failed',
]);

export type ShownStatus = ReportStep['status'] | 'not run';

/** A step's status as shown: a pending step after a failure, or in a release that ended, never ran. */
export function shownStatus(steps: readonly ReportStep[], i: number, phase: ReportPhase): ShownStatus {
  const s = steps[i];
  if (s.status !== 'pending') return s.status;
  const failedBefore = steps.slice(0, i).some((x) => x.status === 'failed');
  return failedBefore || ENDED.has(phase) ? 'not run' : 'pending';
}

/** A link to an http(s) URL; anything else is shown as code, never as a link. */
export function renderLink(url: string): string {
  if (!isSafeUrl(url)) return codeSpan(url);
  return `[${escapeText(url, false)}](${url})`;
}

/** An http(s) URL with nothing that could end the link early or carry a token. */
export function isSafeUrl(url: string): boolean {
  return /^https?:\/\/[^\s()<>"'`\\|[\]]+$/.test(url) && redact(url) === url;
}

const STEP_CELL: Readonly<Record<ShownStatus, string>> = {
  verified: '✅ verified',
  shifted: '➡️ shifted',
  failed: '❌ failed',
  pending: '⏳ pending',
  'not run': '⏭️ not run',
};

/**
 * The Regions section: a lead line counting the regions by phase, a table (region | wave | one column per
 * step percent | now | phase; an en dash where a region has no such step), and one line per region with a
 * failure or a tag URL. Regions in wave order; within a wave, as given.
 */
export function renderRegions(regions: readonly RegionReport[]): string {
  const ordered = inWaveOrder(regions);
  const percents = [...new Set(ordered.flatMap((r) => r.steps.map((s) => s.percent)))].sort((a, b) => a - b);
  const phases = ordered.map(regionPhase);
  const counts = [...new Set(phases)].map((p) => `${phases.filter((x) => x === p).length} ${p}`);
  const rows = ordered.map((r, i) => {
    const steps = percents.map((p) => {
      const at = r.steps.findIndex((s) => s.percent === p);
      return at < 0 ? '–' : STEP_CELL[shownStatus(r.steps, at, r.phase)];
    });
    return `| ${[cell(r.region), String(r.wave), ...steps, renderNow(r), phases[i]].join(' | ')} |`;
  });
  const header = ['Region', 'Wave', ...percents.map((p) => `${p} %`), 'Now', 'Phase'];
  const table = [`| ${header.join(' | ')} |`, `| ${header.map(() => '---').join(' | ')} |`, ...rows].join(
    '\n',
  );
  const notes = ordered.flatMap((r) => {
    const parts = [
      ...(r.failure ? [escapeText(truncate(redact(r.failure), REGION_FAILURE_MAX))] : []),
      ...(r.tagUrl ? [`tag URL ${renderLink(r.tagUrl)}`] : []),
    ];
    return parts.length > 0 ? [`- **${escapeText(r.region)}**: ${parts.join(' · ')}`] : [];
  });
  return [`**Regions:** ${counts.join(', ')}`, table, notes.join('\n')].filter((b) => b !== '').join('\n\n');
}

/** The regions' names in wave order, as code: `us-central1`, `europe-west1`. */
export function renderRegionList(regions: readonly RegionReport[]): string {
  return inWaveOrder(regions)
    .map((r) => codeSpan(r.region))
    .join(', ');
}

function inWaveOrder(regions: readonly RegionReport[]): RegionReport[] {
  return [...regions].sort((a, b) => a.wave - b.wave);
}

/**
 * Where the region's release is, in words. A failed region whose traffic never moved and whose smoke test
 * did not fail was withdrawn (an earlier wave failed); a region whose steps wait for its wave is waiting.
 */
export function regionPhase(r: RegionReport): string {
  const pending = r.steps.some((s) => s.status === 'pending');
  const moved = r.steps.some((s) => s.status !== 'pending');
  switch (r.phase) {
    case 'planned':
      return 'planned';
    case 'candidate-up':
      return pending ? 'waiting' : 'candidate up';
    case 'smoke-tested':
      if (r.smoke === 'fail') return 'smoke failed';
      return pending ? 'waiting' : 'smoke tested';
    case 'rolling-out':
      return 'rolling out';
    case 'promoted':
      return 'promoted';
    case 'canary':
      return 'canary';
    case 'candidate':
      return 'candidate ready';
    case 'rolled-back':
      return 'rolled back';
    case 'failed':
      if (moved) return 'failed';
      return r.smoke === 'fail' ? 'smoke failed' : 'withdrawn';
  }
}

/**
 * The region's traffic now: the candidate's share when it serves, `baseline` when the serving split is
 * the one found before the release, else the split itself; an en dash when the traffic is not known.
 */
function renderNow(r: RegionReport): string {
  if (!r.traffic || r.traffic.length === 0) return '–';
  const serving = r.traffic.filter((t) => t.percent > 0);
  const candidate = r.revision
    ? serving.filter((t) => t.revision === r.revision).reduce((sum, t) => sum + t.percent, 0)
    : 0;
  if (candidate > 0) return `candidate ${candidate} %`;
  if (r.baselineTraffic && splitKey(r.traffic) === splitKey(r.baselineTraffic)) return 'baseline';
  return cell(describeTraffic(serving));
}

/** The serving split (revision or LATEST, percent), tags ignored, as a comparable key. */
function splitKey(traffic: readonly TrafficTarget[]): string {
  return JSON.stringify(
    traffic
      .filter((t) => t.percent > 0)
      .map((t) => [
        t.type === 'TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST' ? 'LATEST' : (t.revision ?? ''),
        t.percent,
      ])
      .sort(),
  );
}
