// What happened during one release, as events the orchestrator emits once each fact has landed (a write
// read back, a verdict given), and the two pure folds over them: the release record (runner state and
// service annotation) and the report. The record can only say what an event says has happened.
import type { BaselineTag } from './baseline-tag';
import type { TrafficTarget } from './cloud-run-types';
import type { ReleasePhase, ReleaseRecord } from './release-record';
import type { ReleaseReport, ReportPhase, ReportStep, StepGateReport } from './report-types';
import type { SmokeResult } from './smoke-types';

/** How a release ended: `canary` is a partial last step, `candidate` a preview with no traffic. */
export type ReleaseVerdict = 'promoted' | 'canary' | 'candidate' | 'rolled_back' | 'failed';

/** The report fields the plan fills in before anything is sent to Cloud Run. */
export type PlannedReport = Pick<
  ReleaseReport,
  | 'changes'
  | 'revision'
  | 'previousRevision'
  | 'baselineTraffic'
  | 'restoreTraffic'
  | 'plannedTraffic'
  | 'findings'
  | 'steps'
  | 'loadBalancer'
>;

/** A write that carries the record lands at `at`, sent against the service's `generation`. */
interface Written {
  at: string;
  generation?: number;
}

export type ReleaseEvent =
  /** The plan; `record` is the record this release keeps (none when it has no traffic to restore). */
  | {
      type: 'planned';
      at: string;
      record?: Omit<ReleaseRecord, 'phase' | 'step' | 'verifiedStep' | 'writtenAt' | 'generation'>;
      report: PlannedReport;
    }
  /** An earlier run's unfinished release was settled before this one started. */
  | { type: 'earlier-settled'; traffic: TrafficTarget[] }
  /** The deploy is about to be sent: from here on the candidate (or its tag) may exist. */
  | ({ type: 'deploy-sent' } & Written)
  /** The candidate's revision failed or its outcome is unknown; `restored`: its tag is off again. */
  | { type: 'deploy-failed'; restored: boolean; traffic?: TrafficTarget[] }
  | { type: 'deployed'; serviceUrl: string; tagUrl: string; traffic: TrafficTarget[] }
  | { type: 'smoke-judged'; smoke: SmokeResult }
  /** The release ends with the candidate deployed and no rollout (a preview, a first deploy). */
  | { type: 'candidate-kept' }
  /** After a failed smoke test: the tag taken off (`restored`), the candidate kept for debugging, or the tag left. */
  | { type: 'candidate-settled'; outcome: 'restored' | 'kept' | 'tag-left'; traffic?: TrafficTarget[] }
  /** Step `index`'s traffic landed (read back). */
  | ({ type: 'step-set'; index: number; traffic: TrafficTarget[]; baselineTag?: BaselineTag } & Written)
  | { type: 'step-judged'; index: number; passed: boolean; detail?: string; gates?: StepGateReport }
  /** The last step's smoke test through the load balancer in front (run/load-balancer.ts). */
  | { type: 'lb-smoke-judged'; url: string; verdict: string; summary: string }
  | ({ type: 'rollback-landed'; traffic: TrafficTarget[] } & Written)
  | { type: 'rollback-failed'; problem: string }
  /** Someone else changed the traffic: this run stopped and left theirs. */
  | { type: 'abandoned'; traffic?: TrafficTarget[] }
  | ({ type: 'promoted'; traffic: TrafficTarget[] } & Written)
  /** Every step passed, but the write recording the promotion failed: the record still says rolling out. */
  | { type: 'promotion-unrecorded'; traffic?: TrafficTarget[] }
  /** The end; `traffic` is what serves as last read back (undefined when unknown). */
  | {
      type: 'ended';
      verdict: ReleaseVerdict;
      failure?: string;
      drainsBy?: string;
      /** Open streams left on the revision that lost traffic, as Cloud Monitoring last saw them. */
      drain?: string;
      traffic?: TrafficTarget[];
    };

/** The events after which this run has sent Cloud Run a change. */
const WRITES: ReadonlySet<ReleaseEvent['type']> = new Set(['earlier-settled', 'deploy-sent']);

/** True when none of `events` sent Cloud Run a change. */
export function changedNothing(events: readonly ReleaseEvent[]): boolean {
  return !events.some((e) => WRITES.has(e.type));
}

/** The release record the events add up to: undefined until planned, or when the release keeps none. */
export function foldRecord(events: readonly ReleaseEvent[]): ReleaseRecord | undefined {
  return events.reduce<ReleaseRecord | undefined>(nextRecord, undefined);
}

function nextRecord(record: ReleaseRecord | undefined, e: ReleaseEvent): ReleaseRecord | undefined {
  if (e.type === 'planned')
    return e.record && { ...e.record, phase: 'deploying', step: -1, verifiedStep: -1, writtenAt: e.at };
  if (!record) return undefined;
  const written = (phase: ReleasePhase, w: Written, step = record.step): ReleaseRecord => ({
    ...record,
    phase,
    step,
    writtenAt: w.at,
    ...(w.generation !== undefined ? { generation: w.generation } : {}),
  });
  switch (e.type) {
    case 'deploy-sent':
      return written('deploying', e);
    case 'deploy-failed':
      return e.restored ? { ...record, phase: 'rolled-back' } : record;
    case 'candidate-kept':
      return { ...record, phase: 'deployed' };
    case 'candidate-settled':
      return e.outcome === 'tag-left'
        ? record
        : { ...record, phase: e.outcome === 'restored' ? 'rolled-back' : 'deployed' };
    case 'step-set':
      return {
        ...written('rolling-out', e, e.index),
        ...(e.baselineTag && { baselineTag: e.baselineTag }),
      };
    case 'step-judged':
      return e.passed ? { ...record, verifiedStep: Math.max(record.verifiedStep, e.index) } : record;
    case 'rollback-landed':
      return written('rolled-back', e);
    case 'abandoned':
      return { ...record, phase: 'abandoned' };
    case 'promoted':
      return written('promoted', e);
    default:
      return record;
  }
}

/** The record as it will read once `pending` has landed: what the write carrying it puts on the service. */
export function recordAfter(
  events: readonly ReleaseEvent[],
  pending: ReleaseEvent,
): ReleaseRecord | undefined {
  return foldRecord([...events, pending]);
}

/** The report phase each verdict ends in. */
export const VERDICT_PHASE: Record<ReleaseVerdict, ReportPhase> = {
  promoted: 'promoted',
  canary: 'canary',
  candidate: 'candidate',
  rolled_back: 'rolled-back',
  failed: 'failed',
};

/** The release's part of the report (what the events say), to merge into the report's header fields. */
export function foldReport(events: readonly ReleaseEvent[]): Partial<ReleaseReport> {
  let report: Partial<ReleaseReport> = {};
  const step = (i: number, change: Partial<ReportStep>) => {
    const steps = [...(report.steps ?? [])];
    if (steps[i]) steps[i] = { ...steps[i], ...change };
    return steps;
  };
  for (const e of events) {
    switch (e.type) {
      case 'planned':
        report = { ...report, phase: 'planned', ...e.report };
        break;
      case 'deployed':
        report = {
          ...report,
          phase: 'candidate-up',
          tagUrl: e.tagUrl,
          serviceUrl: e.serviceUrl,
          traffic: e.traffic,
        };
        break;
      case 'smoke-judged':
        report = { ...report, phase: 'smoke-tested', smoke: e.smoke };
        break;
      case 'step-set':
        report = {
          ...report,
          phase: 'rolling-out',
          steps: step(e.index, { status: 'shifted', at: e.at }),
          traffic: e.traffic,
        };
        break;
      case 'step-judged':
        report = {
          ...report,
          phase: 'rolling-out',
          steps: step(e.index, {
            status: e.passed ? 'verified' : 'failed',
            ...(e.detail !== undefined && { detail: e.detail }),
            ...(e.gates !== undefined && { gates: e.gates }),
          }),
        };
        break;
      case 'lb-smoke-judged':
        if (report.loadBalancer)
          report = {
            ...report,
            loadBalancer: {
              ...report.loadBalancer,
              smoke: { url: e.url, verdict: e.verdict, summary: e.summary },
            },
          };
        break;
      case 'earlier-settled':
      case 'rollback-landed':
      case 'promoted':
        report = { ...report, traffic: e.traffic };
        break;
      case 'deploy-failed':
      case 'candidate-settled':
      case 'abandoned':
      case 'promotion-unrecorded':
        if (e.traffic) report = { ...report, traffic: e.traffic };
        break;
      case 'ended':
        report = {
          ...report,
          phase: VERDICT_PHASE[e.verdict],
          ...(e.failure !== undefined && { failure: e.failure }),
          ...(e.drainsBy !== undefined && { drainsBy: e.drainsBy }),
          ...(e.drain !== undefined && { drain: e.drain }),
          ...(e.traffic !== undefined && { traffic: e.traffic }),
          ...(e.verdict === 'failed' && changedNothing(events) && { changedNothing: true }),
        };
        break;
    }
  }
  return report;
}

/** The fields of `after` that differ from `before`: the patch one event makes to the report. */
export function reportChange(
  before: Partial<ReleaseReport>,
  after: Partial<ReleaseReport>,
): Partial<ReleaseReport> {
  const patch: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(after))
    if (JSON.stringify(value) !== JSON.stringify(before[key as keyof ReleaseReport])) patch[key] = value;
  return patch as Partial<ReleaseReport>;
}
