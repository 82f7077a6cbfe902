// Recovery of an unfinished release, shared by the post step (mode `auto`: the job stopped mid-rollout)
// and `stream-deploy rollback` (mode `rollback`: restore the recorded baseline). The decision is the
// core's planRecovery; this sets the traffic in one update, reads it back, and says what happened and why.
import type { TrafficTarget } from './core/cloud-run-types';
import { servingTraffic, trafficKey } from './core/traffic-plan';
import { describeManualFix, describeTraffic } from './core/traffic-format';
import {
  decodeRecord,
  encodeRecord,
  planRecovery,
  RECORD_ANNOTATION,
  type ReleasePhase,
  type Recovery,
  type ReleaseRecord,
} from './core/release-record';
import type { ReleaseReport, ReportPhase } from './core/report-types';
import type { CloudRunPort, Log } from './ports';
import { describeProblem } from './errors';

export type RecoveryMode = 'auto' | 'rollback';

export interface RecoveryOutcome {
  /** What the record called for: nothing, restore the baseline, or finish the promotion. */
  action: Recovery['action'];
  /** False when the traffic could not be set and verified, or was left alone because another release owns it. */
  ok: boolean;
  /** The traffic now live, when it was set and verified (or read, when the release had already ended). */
  traffic?: TrafficTarget[];
  /** Where the release is recorded to have ended, when it did: the record's phase after this. */
  phase?: ReleasePhase;
  /** One or two sentences for the log and the job summary: what happened and why. */
  message: string;
}

/** Applies planRecovery(record, mode) to the live service; never throws, a failure is `ok: false`. */
export async function recoverRelease(
  record: ReleaseRecord | undefined,
  mode: RecoveryMode,
  ports: { cloudRun: CloudRunPort; log: Log },
): Promise<RecoveryOutcome> {
  const { cloudRun, log } = ports;
  const recovery = planRecovery(record, mode);
  if (recovery.action === 'nothing' || !record) return nothingToRecover(record, recovery.reason);
  const { action, traffic } = recovery;
  const goal = action === 'finish' ? 'finish the promotion of' : 'restore the baseline of';
  const failed = (why: string): RecoveryOutcome => ({
    action,
    ok: false,
    message: `Could not ${goal} ${record.service}: ${why} To set it by hand: ${describeManualFix(record.service, traffic)}`,
  });

  try {
    const live = await cloudRun.getService(record.service);
    if (!live) return failed('the service no longer exists.');
    // The annotation is written with each traffic change, so it can be newer than the runner state.
    const onService = decodeRecord(live.annotations?.[RECORD_ANNOTATION]);
    // A record on the service from an older release is not a reason to stop: this one never wrote its own
    // (it stopped while deploying, or before its first traffic step).
    if (onService && !isSameRelease(onService, record) && !(onService.startedAt < record.startedAt)) {
      return {
        action,
        ok: false,
        message:
          `Traffic on ${record.service} was left as it is: another release (${onService.candidate}, ${onService.origin}, ` +
          `${onService.phase}) has recorded itself on the service since ${record.candidate}'s, and this step does not ` +
          'overwrite it. Use a `concurrency:` group per service and region in the workflow.',
      };
    }
    if (
      mode === 'auto' &&
      onService &&
      isSameRelease(onService, record) &&
      onService.phase !== 'rolling-out'
    ) {
      return {
        action: 'nothing',
        ok: true,
        phase: onService.phase,
        traffic: live.traffic,
        message: `Nothing to restore: the service records that the release of ${record.candidate} had already ended (${onService.phase}).`,
      };
    }

    log.info(
      `${action === 'finish' ? 'Finishing the promotion' : 'Restoring the baseline'} of ${record.service}: ${recovery.reason}.`,
    );
    log.info(`Traffic now: ${describeTraffic(live.traffic)}; setting: ${describeTraffic(traffic)}.`);
    const phase = action === 'finish' ? 'promoted' : 'rolled-back';
    // One update, refused if the traffic moves between the read above and the write (docs/platform.md "Optimistic concurrency").
    await cloudRun.setTraffic(record.service, traffic, {
      expectTraffic: live.traffic,
      annotations: { [RECORD_ANNOTATION]: encodeRecord({ ...record, phase }) },
    });
    const after = await cloudRun.getService(record.service);
    if (!after || trafficKey(after.traffic) !== trafficKey(traffic)) {
      return failed(
        `after the update its traffic reads ${after ? describeTraffic(after.traffic) : '(service gone)'}.`,
      );
    }
    const why =
      mode === 'rollback'
        ? `Restored the baseline recorded before ${record.candidate} (${record.origin})`
        : capitalize(recovery.reason);
    // The report says what serves (trafficStatuses), not only what the spec asks for.
    const serving = servingTraffic(after);
    return {
      action,
      ok: true,
      traffic: serving,
      phase,
      message: `${why}. Traffic on ${record.service} is now ${describeTraffic(serving)} (read back and verified).`,
    };
  } catch (err) {
    // The problem once, without the adapter's own hint: the one next step is setting it by hand.
    return failed(describeProblem(err));
  }
}

/** The outcome when the record calls for nothing (none, or the release had ended): no Cloud Run call needed. */
export function nothingToRecover(record: ReleaseRecord | undefined, reason: string): RecoveryOutcome {
  return {
    action: 'nothing',
    ok: true,
    ...(record && { phase: record.phase }),
    message: `Nothing to restore: ${reason}.`,
  };
}

/**
 * The change that makes the report main left in progress final, after the post step's recovery: the phase
 * where the release ended (promoted when recovery finished a promotion, rolled back when it restored the
 * baseline) and a failure line saying the run stopped and where traffic is. Undefined when main's report
 * had already reached its end and only needs sending again.
 */
export function reportAfterRecovery(
  report: ReleaseReport,
  outcome: RecoveryOutcome,
): Partial<ReleaseReport> | undefined {
  const stopped = 'The main step was cancelled or stopped before it finished.';
  if (!outcome.ok) {
    return { phase: 'failed', traffic: undefined, failure: `${stopped} ${outcome.message}` };
  }
  if (outcome.action !== 'nothing') {
    return {
      phase: outcome.action === 'finish' ? 'promoted' : 'rolled-back',
      traffic: outcome.traffic,
      failure: `${stopped} The post step took over: ${lowerFirst(outcome.message)}`,
    };
  }
  if (ENDED_REPORT.has(report.phase)) return undefined;
  if (outcome.phase === undefined) {
    // No record: main stopped before it sent Cloud Run its first change.
    return {
      phase: 'failed',
      changedNothing: true,
      traffic: undefined,
      failure: `${stopped} It had changed nothing on Cloud Run: traffic is as it was before this run.`,
    };
  }
  // A release that ended on a failed smoke test is reported as failed, whatever its traffic (as main does).
  const smokeFailed = report.smoke !== undefined && report.smoke.verdict !== 'pass';
  const phase = smokeFailed ? 'failed' : REPORT_PHASE_OF[outcome.phase];
  const where = outcome.traffic ? ` Traffic now: ${describeTraffic(outcome.traffic)}.` : '';
  return {
    phase,
    ...(outcome.traffic && { traffic: outcome.traffic }),
    failure: `${stopped} The release had already ended on Cloud Run (${outcome.phase}) before its report was final.${where}`,
  };
}

/** The report phases after which nothing more happens. */
const ENDED_REPORT: ReadonlySet<ReportPhase> = new Set([
  'promoted',
  'canary',
  'candidate',
  'rolled-back',
  'failed',
]);

/** The report phase of a release recorded as ended on the service (or, for the unfinished phases, as failed). */
const REPORT_PHASE_OF: Record<ReleasePhase, ReportPhase> = {
  promoted: 'promoted',
  'rolled-back': 'rolled-back',
  deployed: 'candidate',
  abandoned: 'failed',
  deploying: 'failed',
  'rolling-out': 'failed',
};

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}

// Same release when candidate and start time match; the step and phase may differ (newer on the service).
function isSameRelease(a: ReleaseRecord, b: ReleaseRecord): boolean {
  return a.candidate === b.candidate && a.startedAt === b.startedAt && a.service === b.service;
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
