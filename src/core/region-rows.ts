// A multi-region release's report (src/multi-region-step.ts): each region keeps its own report, folded from
// its own release's events; the one report people read takes wave 1's details and one row per region.
// Pure.
import type { RegionReport, ReleaseReport, ReportPhase } from './report-types';

/** One region's row, from that region's own report. */
export function regionRow(region: string, wave: number, report: ReleaseReport): RegionReport {
  return {
    region,
    wave,
    phase: report.phase,
    revision: report.revision,
    ...(report.tagUrl && { tagUrl: report.tagUrl }),
    ...(report.serviceUrl && { serviceUrl: report.serviceUrl }),
    ...(report.smoke && { smoke: report.smoke.verdict }),
    // The table shows each step's status; the gates' numbers stay in the region's own report.
    steps: report.steps.map(({ percent, status, at, detail }) => ({
      percent,
      status,
      ...(at && { at }),
      ...(detail && { detail: detail.split('\n')[0].slice(0, 200) }),
    })),
    ...(report.traffic && { traffic: report.traffic }),
    ...(report.baselineTraffic && { baselineTraffic: report.baselineTraffic }),
    ...(report.failure && { failure: report.failure.split('\n')[0] }),
  };
}

/** The order a release moves through before it ends. */
const MOVING: readonly ReportPhase[] = ['planned', 'candidate-up', 'smoke-tested', 'rolling-out'];

/**
 * Where the whole release is while it runs: the phase every region shares, else rolling out once any
 * region's traffic moved or ended, else the least advanced region's phase.
 */
export function combinedPhase(rows: readonly RegionReport[]): ReportPhase {
  const phases = new Set(rows.map((r) => r.phase));
  if (phases.size === 1) return rows[0].phase;
  if (rows.some((r) => !MOVING.includes(r.phase) || r.phase === 'rolling-out')) return 'rolling-out';
  return MOVING[Math.min(...rows.map((r) => MOVING.indexOf(r.phase)))];
}

/** The details of wave 1's first region that the one report shows above the regions table. */
export function sharedDetails(first: ReleaseReport): Partial<ReleaseReport> {
  const {
    project: _project,
    region: _region,
    service: _service,
    phase: _phase,
    timings: _timings,
    updatedAt: _updatedAt,
    failure: _failure,
    sha: _sha,
    runUrl: _runUrl,
    ...details
  } = first;
  return details;
}
