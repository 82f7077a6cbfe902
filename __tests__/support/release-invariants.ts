// The invariants every schedule of the property test must keep
// (__tests__/properties/release.property.test.ts), each a check that returns the violations it found in a
// trial, a write or a saved record.
import type { CloudRunService, TrafficTarget } from '../../src/core/cloud-run-types';
import { servingTraffic, trafficKey } from '../../src/core/traffic-plan';
import {
  decodeRecord,
  planRecovery,
  RECORD_ANNOTATION,
  type ReleaseRecord,
} from '../../src/core/release-record';
import type { ScheduledCloudRun, Write } from './release-faults';
import { CANDIDATE, LATEST } from './release-schedules';
import type { Trial, Violation } from './release-trial';

export const INVARIANT = {
  a: 'a. main ends with traffic as before, final or the person’s, or says the post step will restore it',
  b: 'b. after the post step, traffic is as before, final or the person’s',
  runnerRolledBack: 'c. runner state: rolled-back only once traffic is as before',
  runnerPromoted: 'c. runner state: promoted only once traffic is final',
  runnerStep: 'c. runner state: step i only once the traffic of step i has landed',
  runnerVerified: 'c. runner state: verifiedStep <= step',
  runnerAbandoned: 'c. runner state: abandoned only when someone else changed the traffic',
  annotationRolledBack: 'c. service annotation: rolled-back only once traffic is as before',
  annotationPromoted: 'c. service annotation: promoted only once traffic is final',
  annotationStep: 'c. service annotation: step i only once the traffic of step i has landed',
  annotationVerified: 'c. service annotation: verifiedStep <= step',
  annotationAbandoned: 'c. service annotation: abandoned only when someone else changed the traffic',
  d: 'd. no split half-way: every write by the run is planned, as before, final or the person’s',
  e: 'e. the outcome names the traffic that is live',
} as const;
export type Invariant = (typeof INVARIANT)[keyof typeof INVARIANT];
export const INVARIANTS: Invariant[] = Object.values(INVARIANT);

const key = trafficKey;
const show = (traffic: readonly TrafficTarget[] | undefined) =>
  traffic
    ? traffic
        .map((t) => `${t.type === LATEST ? 'LATEST' : t.revision}=${t.percent}${t.tag ? `(${t.tag})` : ''}`)
        .join(',')
    : '(unknown)';

/** Where new requests go: LATEST resolved to the latest ready revision, 0 % entries left out. */
export function splitOf(service: CloudRunService): Record<string, number> {
  const split: Record<string, number> = {};
  for (const t of service.traffic) {
    const revision = t.type === LATEST ? (service.latestReadyRevision as string) : (t.revision as string);
    if (t.percent > 0) split[revision] = (split[revision] ?? 0) + t.percent;
  }
  return split;
}
const sameSplit = (a: Record<string, number>, b: Record<string, number>) =>
  JSON.stringify(Object.entries(a).sort()) === JSON.stringify(Object.entries(b).sort());

/** As before the run: the baseline as found or its restore (LATEST pinned), routing where it did. */
function isAsBefore(t: Trial, service: CloudRunService): boolean {
  return (
    [t.plan.found, t.plan.restore].some((x) => key(x) === key(service.traffic)) &&
    sameSplit(splitOf(service), t.plan.foundSplit)
  );
}
/** keep_failed_candidate: the baseline restored with the failed candidate kept at 0 % behind its tag. */
const isKeptCandidate = (t: Trial, service: CloudRunService) =>
  t.schedule.keepFailedCandidate && key(service.traffic) === key(t.plan.deployed);
const isFinal = (t: Trial, service: CloudRunService) => key(service.traffic) === key(t.plan.final);
/** The person's traffic, untouched since they set it. */
const isPersons = (t: Trial, service: CloudRunService) =>
  t.person !== undefined && key(service.traffic) === key(t.person);
const isSettled = (t: Trial, service: CloudRunService) =>
  isAsBefore(t, service) || isKeptCandidate(t, service) || isFinal(t, service) || isPersons(t, service);

/**
 * a. When main ends by itself, the traffic is as before (found or restored), the planned final state (or
 * the failed candidate kept, when asked) or the person's untouched; or the run says precisely that it could
 * not restore (the post step will try again, or `stream-deploy rollback`) and its last runner-state record
 * is unfinished, so the post step restores or finishes it.
 */
export function settledWhenMainEnds(t: Trial): Violation[] {
  if (!t.main || isSettled(t, t.afterMain)) return [];
  const says = /post step will try again|stream-deploy rollback/.test(t.main.failure ?? '');
  const last = t.records.at(-1);
  const recovery = planRecovery(last, 'auto').action;
  if (says && recovery !== 'nothing') return [];
  return [
    {
      invariant: INVARIANT.a,
      detail:
        `main ended ${t.main.verdict} with traffic ${show(t.afterMain.traffic)} (neither as before, final nor the person's)` +
        (says
          ? ''
          : `; its failure does not say the post step will restore it: ${JSON.stringify(t.main.failure)}`) +
        (recovery === 'nothing'
          ? `; its last runner-state record (${last ? `${last.phase}, step ${last.step}` : 'none'}) leaves the post step nothing to do`
          : ''),
    },
  ];
}

/** b. After the post step (whatever main did, as on a runner), traffic is as before, final, kept, or the person's. */
export function settledAfterPostStep(t: Trial): Violation[] {
  if (isSettled(t, t.afterPost)) return [];
  return [
    {
      invariant: INVARIANT.b,
      detail: `after ${t.main ? `main ended ${t.main.verdict}` : 'main was killed'} and the post step (${t.post.action}, ${t.post.ok ? 'ok' : 'not ok'}: ${t.post.message}), traffic is ${show(t.afterPost.traffic)}; the last runner-state record: ${JSON.stringify(t.records.at(-1)?.phase)}, step ${t.records.at(-1)?.step}`,
    },
  ];
}

/**
 * c. A record claims only what has landed, checked at the moment it is written against the fake's real
 * state: rolled-back ⇒ traffic is as before (or the failed candidate kept, when asked; or, when nothing of
 * the release serves, the person's); promoted ⇒ traffic is the final state; rolling-out at step i ⇒ the
 * traffic of step i has landed by then (it may have moved on since); verifiedStep ≤ step; abandoned ⇒ the
 * person changed the traffic.
 */
function recordClaims(
  t: Trial,
  record: ReleaseRecord,
  service: CloudRunService,
  landed: readonly string[],
  where: 'runner state' | 'service annotation',
): Violation[] {
  const out: Violation[] = [];
  const claim = (suffix: string, detail: string) => {
    const invariant = INVARIANTS.find((i) => i === `c. ${where}: ${suffix}`) as Invariant;
    out.push({ invariant, detail: `${where} saved ${describeRecord(record)} ${detail}` });
  };
  const nothingServes = !service.traffic.some((t) => t.revision === CANDIDATE);
  if (
    record.phase === 'rolled-back' &&
    !isAsBefore(t, service) &&
    !isKeptCandidate(t, service) &&
    !(isPersons(t, service) && nothingServes)
  )
    claim('rolled-back only once traffic is as before', `while traffic is ${show(service.traffic)}`);
  if (record.phase === 'promoted' && !isFinal(t, service))
    claim(
      'promoted only once traffic is final',
      `while traffic is ${show(service.traffic)}, not the final ${show(t.plan.final)}`,
    );
  if (record.phase === 'rolling-out' && record.step >= 0 && !landed.includes(key(t.plan.steps[record.step])))
    claim(
      'step i only once the traffic of step i has landed',
      `before step ${record.step + 1}'s traffic ${show(t.plan.steps[record.step])} landed (traffic is ${show(service.traffic)})`,
    );
  if (record.verifiedStep > record.step) claim('verifiedStep <= step', '');
  if (record.phase === 'abandoned' && t.person === undefined)
    claim(
      'abandoned only when someone else changed the traffic',
      `though nobody else changed it (traffic ${show(service.traffic)})`,
    );
  return out;
}

function describeRecord(r: ReleaseRecord): string {
  return `{phase ${r.phase}, step ${r.step}, verifiedStep ${r.verifiedStep}}`;
}

/** The traffic states this run's own writes have landed so far. */
const landedByRun = (cloudRun: ScheduledCloudRun) =>
  cloudRun.writes.filter((w) => w.by === 'run').map((w) => key(w.service.traffic));

/** c, in the runner state: checked as main saves each record. */
export function runnerStateClaimsOnlyWhatLanded(
  t: Trial,
  cloudRun: ScheduledCloudRun,
  record: ReleaseRecord,
): Violation[] {
  t.person = cloudRun.personTraffic;
  return recordClaims(t, record, cloudRun.view(), landedByRun(cloudRun), 'runner state');
}

/** c, on the service: the record a traffic write carries, checked against the traffic that write set. */
export function annotationClaimsOnlyWhatLanded(
  t: Trial,
  cloudRun: ScheduledCloudRun,
  write: Write,
): Violation[] {
  const text = write.annotations?.[RECORD_ANNOTATION];
  const record = decodeRecord(text);
  if (!record) return [];
  t.person = cloudRun.personTraffic;
  return recordClaims(t, record, write.service, landedByRun(cloudRun), 'service annotation');
}

/** d. Nothing is left half-way: each traffic the run (main or post) writes is a planned state, as before, final or the person's. */
export function noHalfWaySplit(t: Trial, cloudRun: ScheduledCloudRun, write: Write): Violation[] {
  t.person = cloudRun.personTraffic;
  const planned = [t.plan.deployed, ...t.plan.steps].some((x) => key(x) === key(write.service.traffic));
  if (planned || isSettled(t, write.service)) return [];
  return [
    {
      invariant: INVARIANT.d,
      detail: `${write.method} set ${show(write.service.traffic)}, which no plan step, baseline, final state or person set`,
    },
  ];
}

/**
 * e. What main says matches the service: promoted/canary ⇒ the traffic is final; rolled_back ⇒ as before
 * (or the candidate kept); the traffic it reports, when it reports one, is the live one (spec or statuses),
 * or the one it last saw when the person changed it after that.
 */
export function outcomeNamesLiveTraffic(t: Trial): Violation[] {
  if (!t.main) return [];
  const { verdict, traffic } = t.main;
  const live = t.afterMain;
  const problems: string[] = [];
  if ((verdict === 'promoted' || verdict === 'canary') && !isFinal(t, live))
    problems.push(`says ${verdict} while traffic is ${show(live.traffic)}, not ${show(t.plan.final)}`);
  if (verdict === 'rolled_back' && !isAsBefore(t, live) && !isKeptCandidate(t, live))
    problems.push(`says rolled_back while traffic is ${show(live.traffic)}`);
  const truths = [live, ...(t.unseen ? [t.unseen] : [])].flatMap((x) => [x.traffic, servingTraffic(x)]);
  if (traffic && !truths.some((x) => key(x) === key(traffic)))
    problems.push(`reports traffic ${show(traffic)} while the service has ${show(live.traffic)}`);
  return problems.map((detail) => ({
    invariant: INVARIANT.e,
    detail: `main ${detail}; failure: ${JSON.stringify(t.main?.failure)}`,
  }));
}
