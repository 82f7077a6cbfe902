// The release record and the last report snapshot in the runner's step state, so the post step of the same
// job can find a rollout that main left unfinished and a report it left in progress
// (docs/platform.md "State and summary": state between main and post via saveState/getState).
import * as core from '@actions/core';
import { decodeRecord, encodeRecord, type ReleaseRecord } from '../core/release-record';
import type { ReleaseReport, ReportStep } from '../core/report-types';

/** The state name; the runner hands it to the post step as `STATE_release`. */
export const RELEASE_STATE = 'release';
/** The report snapshot's state name (`STATE_report`). */
export const REPORT_STATE = 'report';
/**
 * The most a report snapshot takes in the state: the runner hands it to post as one environment variable,
 * and Linux refuses a single one over 128 KiB (docs/platform.md "Step state size"); well under that.
 */
export const REPORT_STATE_BUDGET = 16_000;

/** What the post step needs to publish the final report on the same channels. */
export interface ReportSnapshot {
  report: ReleaseReport;
  /** The GitHub deployment the statuses went to, so post adds its status to it rather than a new one. */
  deploymentId?: number;
  /** Epoch ms the report's current phase started (for the timings line). */
  phaseStartedAt: number;
  /** The main step published its final report (flushed): the post step must not touch it. */
  final: boolean;
}

/** Saves the record for the post step; call it whenever the record changes. */
export function saveRecord(record: ReleaseRecord): void {
  core.saveState(RELEASE_STATE, encodeRecord(record));
}

/** The record main saved, or undefined when there is none or it is unreadable. */
export function loadRecord(): ReleaseRecord | undefined {
  return decodeRecord(core.getState(RELEASE_STATE));
}

/** Saves the report snapshot for the post step (`name`: a region's own report in a multi-region release). */
export function saveReport(snapshot: ReportSnapshot, name = REPORT_STATE): void {
  core.saveState(name, encodeReportSnapshot(snapshot));
}

/** The snapshot main saved, or undefined when there is none or it is unreadable. */
export function loadReport(name = REPORT_STATE): ReportSnapshot | undefined {
  return decodeReportSnapshot(core.getState(name));
}

/** The state name of one region's own report (its deployment) in a multi-region release. */
export function regionReportState(region: string): string {
  return `${REPORT_STATE}_${region.replace(/[^a-z0-9]/g, '_')}`;
}

/**
 * JSON of the snapshot within `budget` characters: the parts the final report can do without (the settings
 * changed, the lint findings, the smoke checks) are dropped, least needed first, until it fits.
 */
export function encodeReportSnapshot(snapshot: ReportSnapshot, budget = REPORT_STATE_BUDGET): string {
  const shrink: Array<(r: ReleaseReport) => ReleaseReport> = [
    // A multi-region release: each region's steps without their gates' numbers (the table shows the status).
    (r) => ({ ...r, regions: r.regions?.map((row) => ({ ...row, steps: row.steps.map(bareStep) })) }),
    (r) => ({ ...r, changes: r.changes?.slice(0, 40) }),
    (r) => ({ ...r, changes: undefined }),
    (r) => ({ ...r, findings: [] }),
    (r) => ({ ...r, smoke: undefined }),
    (r) => ({ ...r, failure: r.failure?.slice(0, 1500) }),
    (r) => ({ ...r, steps: r.steps.map(bareStep) }),
  ];
  let report = snapshot.report;
  let text = JSON.stringify({ ...snapshot, report });
  for (const step of shrink) {
    if (text.length <= budget) break;
    report = step(report);
    text = JSON.stringify({ ...snapshot, report });
  }
  return text;
}

/** A step as the final report needs it: its percent, status, time and one line of detail. */
function bareStep({ percent, status, at, detail }: ReportStep): ReportStep {
  return { percent, status, ...(at && { at }), ...(detail && { detail: detail.slice(0, 200) }) };
}

/** The snapshot, or undefined when the text is not one (absent or corrupt). */
export function decodeReportSnapshot(text: string | undefined): ReportSnapshot | undefined {
  if (!text) return undefined;
  try {
    const s = JSON.parse(text) as Partial<ReportSnapshot>;
    const r = s.report;
    if (
      !r ||
      typeof r.service !== 'string' ||
      typeof r.phase !== 'string' ||
      !Array.isArray(r.steps) ||
      !Array.isArray(r.timings) ||
      !Array.isArray(r.findings) ||
      typeof s.phaseStartedAt !== 'number' ||
      typeof s.final !== 'boolean'
    )
      return undefined;
    if (s.deploymentId !== undefined && typeof s.deploymentId !== 'number') return undefined;
    return s as ReportSnapshot;
  } catch {
    return undefined;
  }
}

/** A multi-region release's regions, and whether it ended as planned (then post restores nothing). */
export interface RegionsState {
  regions: string[];
  ended: boolean;
}

/** The state name of the regions of a multi-region release (src/multi-region-step.ts). */
export const REGIONS_STATE = 'regions';

/** Saves the regions of a multi-region release, and whether it ended as planned. */
export function saveRegions(state: RegionsState): void {
  core.saveState(REGIONS_STATE, JSON.stringify(state));
}

/** The regions main saved, or undefined for a one-region release (or unreadable state). */
export function loadRegions(): RegionsState | undefined {
  try {
    const s = JSON.parse(core.getState(REGIONS_STATE) || 'null') as Partial<RegionsState> | null;
    if (!s || !Array.isArray(s.regions) || typeof s.ended !== 'boolean') return undefined;
    return { regions: s.regions.map(String), ended: s.ended };
  } catch {
    return undefined;
  }
}

/** One region's record state name: `release_` and the region, as an environment-variable-safe name. */
function regionState(region: string): string {
  return `${RELEASE_STATE}_${region.replace(/[^a-z0-9]/g, '_')}`;
}

/** Saves one region's record in a multi-region release. */
export function saveRegionRecord(region: string, record: ReleaseRecord): void {
  core.saveState(regionState(region), encodeRecord(record));
}

/** One region's record main saved, or undefined. */
export function loadRegionRecord(region: string): ReleaseRecord | undefined {
  return decodeRecord(core.getState(regionState(region)));
}
