// The candidate's own steps around the deploy: settling an earlier run's unfinished release first,
// public access, and putting traffic and tags back after a candidate that failed (its revision or its
// smoke test). Each says where traffic is in one sentence the report and the failure reuse.
import type { DeployConfig } from '../core/config';
import type { CloudRunService, TrafficTarget } from '../core/cloud-run-types';
import type { CandidatePlan } from '../core/service-plan';
import {
  checkRecord,
  decodeRecord,
  encodeRecord,
  planRecovery,
  RECORD_ANNOTATION,
} from '../core/release-record';
import { describeTraffic } from '../core/traffic-format';
import { servingTraffic, trafficKey } from '../core/traffic-plan';
import { DeployFailure, describeProblem, StepError } from '../errors';
import type { ReleasePorts } from '../ports';
import type { Tracker } from './tracker';

/** A preview that would create the service: its first revision would take all of the new service's traffic. */
export function previewWouldCreate(name: string): StepError {
  return new StepError({
    operation: 'deploy a preview (`rollout: candidate`) to',
    target: name,
    cause:
      'the service does not exist yet, and the first revision of a new service takes 100 % of its traffic, so the preview would serve every user of the new service; nothing was changed',
    hint: 'Deploy the service once from the main branch (`rollout: progressive` or `immediate`), or set `candidate_creates_service: true` to let a preview create it (docs/platform.md "A candidate on a new service takes all traffic").',
  });
}

/** A release left unfinished by an earlier run (killed without its post step): settle it first, as the post step would have, unless it is stale. */
export async function resumeUnfinished(
  current: CloudRunService,
  { cloudRun, log, now }: ReleasePorts,
  tracker: Tracker,
): Promise<CloudRunService> {
  const record = decodeRecord(current.annotations?.[RECORD_ANNOTATION]);
  const recovery = planRecovery(record, 'auto');
  if (!record || recovery.action === 'nothing') return current;
  // Only while the service still serves what that run left: otherwise a person (or another tool) has set
  // the traffic since, and replaying the record would undo them. This release starts from the live traffic.
  const check = checkRecord(record, current, now());
  if (check.verdict === 'stale') {
    log.warning(`Not settling an earlier unfinished release: ${check.reason}.`);
    return current;
  }
  return log.group(`Settle the unfinished release of ${record.candidate}`, async () => {
    log.warning(
      `An earlier run left the release of ${record.candidate} unfinished: ${recovery.reason} (${check.reason}).`,
    );
    const phase = recovery.action === 'finish' ? 'promoted' : 'rolled-back';
    const settled = await cloudRun.setTraffic(current.name, recovery.traffic, {
      expectTraffic: current.traffic,
      annotations: { [RECORD_ANNOTATION]: encodeRecord({ ...record, phase }) },
    });
    log.info(`Traffic now ${describeTraffic(settled.traffic)}.`);
    await tracker.emit({ type: 'earlier-settled', traffic: servingTraffic(settled) });
    return settled;
  });
}

/**
 * `allow_unauthenticated` (docs/platform.md "Public access and IAM"): by the invoker check, already set in
 * the deploy's own update; by an `allUsers` binding when the team chose it; `false` also removes a binding.
 */
export async function applyPublicAccess(
  config: DeployConfig,
  plan: CandidatePlan,
  name: string,
  { cloudRun, log }: ReleasePorts,
): Promise<'added' | 'removed' | 'unchanged' | undefined> {
  const allow = config.allowUnauthenticated;
  if (allow === undefined) return undefined;
  const title = allow ? 'Allow unauthenticated invocations' : 'Require authenticated invocations';
  return log.group(title, async () => {
    const byCheck =
      plan.invokerCheck === undefined
        ? undefined
        : ({ disabled: 'added', enabled: 'removed', unchanged: 'unchanged' } as const)[plan.invokerCheck];
    if (byCheck)
      log.info(
        `Invoker IAM check ${allow ? 'off (invokerIamDisabled: true)' : 'on (invokerIamDisabled: false)'}: ${byCheck === 'unchanged' ? 'it already was' : 'set with the deploy'}.`,
      );
    if (allow && config.publicAccessMethod === 'invoker-check') return byCheck;
    const binding = await cloudRun.setPublicAccess(name, allow);
    log.info(`allUsers as roles/run.invoker: ${binding}.`);
    if (allow && binding === 'added')
      log.info(
        'IAM changes take about 2 minutes to apply, sometimes 7 or more (docs/platform.md "Public access and IAM"): the smoke tests of this run keep sending an ID token, so they do not depend on it.',
      );
    if (allow) return binding;
    return binding === 'removed' || byCheck === 'removed' ? 'removed' : 'unchanged';
  });
}

/** After a failed smoke test: traffic as found (tag removed) unless the team keeps the candidate; says which. */
export async function settleFailedCandidate(
  config: DeployConfig,
  plan: CandidatePlan,
  name: string,
  deployed: CloudRunService,
  ports: ReleasePorts,
): Promise<{ outcome: 'restored' | 'kept' | 'tag-left'; traffic?: TrafficTarget[]; state: string }> {
  const { log } = ports;
  if (plan.takesAllTraffic) {
    const state = `${plan.revision} is the service's only ready revision and already serves all traffic (first deploy): there is nothing to roll back to.`;
    log.error(state);
    return { outcome: 'kept', traffic: servingTraffic(deployed), state };
  }
  if (config.keepFailedCandidate) {
    const state = `Traffic is as it was; ${plan.revision} stays reachable at tag ${plan.tag} with 0 % for debugging (\`keep_failed_candidate: true\`).`;
    log.info(state);
    return { outcome: 'kept', traffic: servingTraffic(deployed), state };
  }
  const restored = await restoreBaseline(plan, name, ports);
  if (restored.service) {
    const state = describeRestore(plan, restored.service.traffic);
    log.info(state);
    return { outcome: 'restored', traffic: servingTraffic(restored.service), state };
  }
  const state = `Traffic percentages are as they were (the candidate never had any), but removing tag ${plan.tag} failed: ${describeProblem(restored.error)} ${POST_STEP_REMOVES(plan)}`;
  log.error(state);
  // What serves is what the service read back after the failure said, or unknown.
  return { outcome: 'tag-left', traffic: restored.live && servingTraffic(restored.live), state };
}

/** What a run says when it could not take the candidate's tag off: its unfinished record has the post step do it. */
const POST_STEP_REMOVES = (plan: CandidatePlan) =>
  `The post step takes tag ${plan.tag} off again; \`stream-deploy rollback\` does the same by hand.`;

/**
 * Sets the traffic as found (the candidate's tag off). An update whose answer was lost may still have
 * landed: the service is read once more, and traffic already as found counts as restored.
 */
async function restoreBaseline(
  plan: CandidatePlan,
  name: string,
  { cloudRun }: ReleasePorts,
): Promise<
  | { service: CloudRunService; error?: undefined }
  | { service?: undefined; error: unknown; live?: CloudRunService }
> {
  try {
    return { service: await cloudRun.setTraffic(name, plan.restoreTraffic) };
  } catch (error) {
    const live = await cloudRun.getService(name).catch(() => undefined);
    if (live && trafficKey(live.traffic) === trafficKey(plan.restoreTraffic)) return { service: live };
    return { error, live };
  }
}

/** After a revision failed: restore the baseline traffic (removing the half-made tag) and say why it failed. */
export async function explainFailedRevision(
  plan: CandidatePlan,
  name: string,
  err: StepError,
  ports: ReleasePorts,
): Promise<{ error: StepError; restored?: TrafficTarget[] }> {
  const { cloudRun, log } = ports;
  // A revision that failed says why; an operation this run lost sight of keeps its own cause (once: the
  // error below names the deploy, and its one hint says where traffic is and what to do).
  const why = err instanceof DeployFailure ? await cloudRun.revisionFailure(name, plan.revision) : undefined;
  const reason = why
    ? `${why.reason ?? 'not ready'}: ${why.message ?? describeProblem(err.cause ?? err)}`
    : (err.cause ?? err);
  let trafficState: string;
  let restored: TrafficTarget[] | undefined;
  if (plan.action === 'create') {
    trafficState = `The service was created but has no ready revision, so it serves nothing yet.`;
  } else {
    const after = await restoreBaseline(plan, name, ports);
    if (after.service) {
      trafficState = describeRestore(plan, after.service.traffic);
      restored = servingTraffic(after.service);
    } else {
      // Cleanup never hides the original failure. The failed revision never served, so percents are unchanged.
      log.error(`Could not remove tag ${plan.tag} from the failed revision: ${describeProblem(after.error)}`);
      trafficState = `Traffic percentages are as they were (the failed revision never served), but tag ${plan.tag} may still point at ${plan.revision}. ${POST_STEP_REMOVES(plan)}`;
    }
  }
  log.info(trafficState);
  const error = new StepError({
    operation: `deploy revision ${plan.revision} of`,
    target: name,
    cause: reason,
    hint: `${trafficState} ${err instanceof DeployFailure || !err.hint ? '' : `${err.hint} `}Inspect the revision: gcloud run revisions describe ${plan.revision} --region ${name.split('/')[3]} --project ${name.split('/')[1]}.`,
  });
  return { error, restored };
}

/** Says whether the live traffic is exactly the restore target, and how LATEST was pinned if it was. */
export function describeRestore(plan: CandidatePlan, live: readonly TrafficTarget[]): string {
  if (trafficKey(live) !== trafficKey(plan.restoreTraffic)) {
    return `Traffic was set back but reads ${describeTraffic(live)}; expected ${describeTraffic(plan.restoreTraffic)}.`;
  }
  const pinned = plan.pinnedLatest
    ? ` LATEST was pinned to ${plan.pinnedLatest}, the revision it meant before this run, so the candidate cannot take it over.`
    : '';
  return `Traffic and tags are exactly as they were (${describeTraffic(plan.restoreTraffic)}): nothing points at ${plan.revision}.${pinned}`;
}
