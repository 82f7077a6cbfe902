// The record of a release under way, kept in two places: the runner's step state (for the post step of
// the same job) and a service annotation (for a rerun, or `stream-deploy rollback`). Pure: encoding,
// decoding and the decision of what to do with an unfinished release.
import { withBaselineTag, type BaselineTag } from './baseline-tag';
import type { CloudRunService, TrafficTarget } from './cloud-run-types';
import { planSteps, trafficKey } from './traffic-plan';

/** Service annotation key holding the record. Not under a reserved prefix (docs/platform.md "Labels"). */
export const RECORD_ANNOTATION = 'stream-deploy.dev/release';

/**
 * `deploying`: the candidate is being deployed (its tag may appear, no traffic moves yet); kept in the
 * runner state only. `deployed`: the run ended with the candidate deployed and no rollout (a preview, a
 * first deploy). `abandoned`: the run stopped without touching traffic someone else had changed; nothing
 * may undo it.
 */
export type ReleasePhase =
  'deploying' | 'deployed' | 'rolling-out' | 'promoted' | 'rolled-back' | 'abandoned';

export interface ReleaseRecord {
  version: 1;
  /** Full service name. */
  service: string;
  /** Short name of the candidate revision. */
  candidate: string;
  tag: string;
  /** What a rollback sets: the baseline as found, with LATEST pinned to the revision it meant. */
  restoreTraffic: TrafficTarget[];
  /** The traffic the plan ends with (the last step). */
  finalTraffic: TrafficTarget[];
  /** The candidate's percent at each step, e.g. [10, 50, 100]. */
  stepPercents: number[];
  /** Index of the last step whose traffic was sent (-1: none yet). */
  step: number;
  /** Index of the last step whose gate passed (-1: none yet). */
  verifiedStep: number;
  phase: ReleasePhase;
  /** ISO time the rollout started. */
  startedAt: string;
  /** `owner/repo@sha run RUN_ID attempt N`, to say whose release it is. */
  origin: string;
  /** ISO time of the write that carried this record (or of the event that changed it in the runner state). */
  writtenAt?: string;
  /**
   * The service's `generation` the write carrying this record was sent against: that write makes it one
   * more (docs/platform.md "Service generation"), so a later generation means someone changed the service since.
   */
  generation?: number;
  /** The stable revision's temporary tag that every step carries for the stream-health panel (core/baseline-tag.ts). */
  baselineTag?: BaselineTag;
}

/**
 * How long a record found on the service may be settled by a later run: the longest a GitHub-hosted job
 * lives (docs/platform.md "Job time limits"). An older record's run is over for certain, and whoever
 * looked at the service since may have meant what it serves.
 */
export const RECORD_TTL_MS = 6 * 60 * 60 * 1000;

/** JSON for the runner state and the annotation. */
export function encodeRecord(record: ReleaseRecord): string {
  return JSON.stringify(record);
}

/** The record, or undefined when the text is not one (absent, corrupt, or another version). */
export function decodeRecord(text: string | undefined): ReleaseRecord | undefined {
  if (!text) return undefined;
  try {
    const r = JSON.parse(text) as Partial<ReleaseRecord>;
    const traffic = (t: unknown) =>
      Array.isArray(t) &&
      t.every((e) => e && typeof e === 'object' && typeof (e as TrafficTarget).percent === 'number');
    if (
      r.version !== 1 ||
      typeof r.service !== 'string' ||
      typeof r.candidate !== 'string' ||
      !traffic(r.restoreTraffic) ||
      !traffic(r.finalTraffic)
    )
      return undefined;
    if (!Array.isArray(r.stepPercents) || typeof r.step !== 'number' || typeof r.verifiedStep !== 'number')
      return undefined;
    if (
      !['deploying', 'deployed', 'rolling-out', 'promoted', 'rolled-back', 'abandoned'].includes(
        String(r.phase),
      )
    )
      return undefined;
    return r as ReleaseRecord;
  } catch {
    return undefined;
  }
}

export type Recovery =
  | { action: 'nothing'; reason: string }
  | { action: 'restore' | 'finish'; traffic: TrafficTarget[]; reason: string };

/** What to do with a release found unfinished (cancelled job, rerun, manual rollback). */
export function planRecovery(record: ReleaseRecord | undefined, mode: 'auto' | 'rollback'): Recovery {
  if (!record) return { action: 'nothing', reason: 'no release record was found' };
  if (mode === 'rollback') {
    return {
      action: 'restore',
      traffic: record.restoreTraffic,
      reason: `restoring the baseline recorded before ${record.candidate} (${record.origin})`,
    };
  }
  if (record.phase === 'deploying') {
    return {
      action: 'restore',
      traffic: record.restoreTraffic,
      reason: `the run stopped while ${record.candidate} was being deployed, before any traffic moved, so the traffic and tags are set back as they were`,
    };
  }
  if (record.phase !== 'rolling-out')
    return {
      action: 'nothing',
      reason: `the release of ${record.candidate} had already ended (${record.phase})`,
    };
  const last = record.stepPercents.length - 1;
  if (record.verifiedStep === last && last >= 0) {
    return {
      action: 'finish',
      traffic: record.finalTraffic,
      reason: `the last step (${record.stepPercents[last]} %) had passed its checks, so the promotion is finished`,
    };
  }
  const where =
    record.step < 0
      ? 'before the first traffic step'
      : `at step ${record.step + 1} of ${record.stepPercents.length} (${record.stepPercents[record.step]} %), verified through ${record.verifiedStep < 0 ? 'no step' : `step ${record.verifiedStep + 1}`}`;
  return {
    action: 'restore',
    traffic: record.restoreTraffic,
    reason: `the rollout of ${record.candidate} stopped ${where}, so the baseline is restored`,
  };
}

/** Whether a record found on the service may be settled; `stale` leaves the traffic alone, saying why. */
export type RecordCheck = { verdict: 'settle' | 'stale'; reason: string };

/**
 * A record found on the service is settled only while it is young enough to come from a run that may have
 * died (RECORD_TTL_MS), the service still serves the traffic that the write carrying it set (a rollout
 * step: the record and its traffic land in one update), and nobody has written to the service since (its
 * generation). Anything else means the record is stale: replaying it could undo someone's change.
 */
export function checkRecord(
  record: ReleaseRecord,
  live: Pick<CloudRunService, 'traffic' | 'generation'>,
  now: number,
): RecordCheck {
  const who = `the release record of ${record.candidate} (written by ${record.origin})`;
  const written = Date.parse(record.writtenAt ?? record.startedAt);
  const age = Number.isNaN(written) ? Infinity : now - written;
  if (age > RECORD_TTL_MS)
    return {
      verdict: 'stale',
      reason: `${who} was written ${Number.isFinite(age) ? `${Math.round(age / 3_600_000)} h ago` : 'at an unknown time'}, longer ago than any job can run (${RECORD_TTL_MS / 3_600_000} h): it has expired, so it is not settled and the traffic is left as it is; \`stream-deploy rollback\` restores its baseline by hand`,
    };
  const left = trafficLeftBy(record);
  if (!left)
    return {
      verdict: 'stale',
      reason: `${who} does not say which traffic it left (${record.phase}, step ${record.step + 1}), so it cannot be matched with the service; it is stale and the traffic is left as it is`,
    };
  const at = `step ${record.step + 1} of ${record.stepPercents.length} (${record.stepPercents[record.step]} %)`;
  if (!left.some((traffic) => trafficKey(traffic) === trafficKey(live.traffic)))
    return {
      verdict: 'stale',
      reason: `${who} set the traffic of ${at}, but someone changed the service's traffic since (by hand or another tool): the record is stale, so it is not settled and the traffic is left as it is`,
    };
  if (
    record.generation !== undefined &&
    live.generation !== undefined &&
    live.generation > record.generation + 1
  )
    return {
      verdict: 'stale',
      reason: `${who} set the traffic of ${at} with the service at generation ${record.generation + 1}, and the service has changed since (generation ${live.generation}): the record is stale, so it is not settled and the traffic is left as it is`,
    };
  return { verdict: 'settle', reason: `the service still serves the traffic of ${at} that ${who} set` };
}

/** The traffic a record's write may have set: a rollout step's split (with or without LATEST on a last 100 % step). */
function trafficLeftBy(record: ReleaseRecord): TrafficTarget[][] | undefined {
  if (record.phase !== 'rolling-out' || record.step < 0 || record.step >= record.stepPercents.length)
    return undefined;
  try {
    return [false, true].map((followLatest) => {
      const step = planSteps(record.restoreTraffic, record.candidate, record.tag, record.stepPercents, {
        followLatest,
      })[record.step];
      return record.baselineTag ? withBaselineTag(step, record.baselineTag) : step;
    });
  } catch {
    return undefined;
  }
}
