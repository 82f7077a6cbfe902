// Recovery of an unfinished release, shared by the post step (mode `auto`: the job stopped mid-rollout)
// and `stream-deploy rollback` (mode `rollback`: restore the recorded baseline). The decision is the
// core's planRecovery; this sets the traffic in one update, reads it back, and says what happened and why.
import type { TrafficTarget } from './core/cloud-run-types';
import {
  decodeRecord,
  encodeRecord,
  planRecovery,
  RECORD_ANNOTATION,
  type Recovery,
  type ReleaseRecord,
} from './core/release-record';
import { trafficKey, type CloudRunPort } from './adapters/cloud-run';
import type { Log } from './adapters/log';

export type RecoveryMode = 'auto' | 'rollback';

export interface RecoveryOutcome {
  /** What the record called for: nothing, restore the baseline, or finish the promotion. */
  action: Recovery['action'];
  /** False when the traffic could not be set and verified, or was left alone because another release owns it. */
  ok: boolean;
  /** The traffic now live, when it was set and verified. */
  traffic?: TrafficTarget[];
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
  if (recovery.action === 'nothing' || !record) {
    return { action: 'nothing', ok: true, message: `Nothing to restore: ${recovery.reason}.` };
  }
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
        message: `Nothing to restore: the service records that the release of ${record.candidate} had already ended (${onService.phase}).`,
      };
    }

    log.info(
      `${action === 'finish' ? 'Finishing the promotion' : 'Restoring the baseline'} of ${record.service}: ${recovery.reason}.`,
    );
    log.info(`Traffic now: ${describeTraffic(live.traffic)}; setting: ${describeTraffic(traffic)}.`);
    const phase = action === 'finish' ? 'promoted' : 'rolled-back';
    // One update, refused if the traffic moves between the read above and the write (FACTS.md "optimistic concurrency").
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
    return {
      action,
      ok: true,
      traffic: after.traffic,
      message: `${why}. Traffic on ${record.service} is now ${describeTraffic(after.traffic)} (read back and verified).`,
    };
  } catch (err) {
    return failed(`${(err instanceof Error ? err.message : String(err)).replace(/\s+$/, '')}`);
  }
}

// Same release when candidate and start time match; the step and phase may differ (newer on the service).
function isSameRelease(a: ReleaseRecord, b: ReleaseRecord): boolean {
  return a.candidate === b.candidate && a.startedAt === b.startedAt && a.service === b.service;
}

/** Traffic for people: `api-00001 70 %, api-00002 30 % (tag blue)`; tag-only entries as `tag pr-1 -> api-00003`. */
export function describeTraffic(traffic: readonly TrafficTarget[]): string {
  const name = (t: TrafficTarget) =>
    t.type === 'TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST' ? 'LATEST' : (t.revision ?? '?');
  const parts = traffic.map((t) =>
    t.percent > 0
      ? `${name(t)} ${t.percent} %${t.tag ? ` (tag ${t.tag})` : ''}`
      : `tag ${t.tag ?? '(none)'} -> ${name(t)}`,
  );
  return parts.length > 0 ? parts.join(', ') : '(none)';
}

/** The gcloud command that sets `traffic` on the service, for when the automatic restore fails. */
export function describeManualFix(service: string, traffic: readonly TrafficTarget[]): string {
  const [, project, , region, , id] = service.split('/');
  const name = (t: TrafficTarget) =>
    t.type === 'TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST' ? 'LATEST' : (t.revision ?? '');
  const split = traffic.filter((t) => t.percent > 0).map((t) => `${name(t)}=${t.percent}`);
  const tags = traffic.filter((t) => t.tag).map((t) => `${t.tag}=${name(t)}`);
  return (
    `gcloud run services update-traffic ${id} --region=${region} --project=${project} --to-revisions=${split.join(',')}` +
    (tags.length > 0 ? ` --set-tags=${tags.join(',')}` : '')
  );
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
