// The progressive part of a release: traffic to the candidate step by step with a gate at each, the
// promotion, and the one-update rollback. Every traffic write carries the release record as it reads once
// the write has landed (tracker.annotationAfter), and the event is emitted only after the adapter has
// read the write back, so neither the runner state nor the service ever records a step that did not land.
import type { DeployConfig } from '../core/config';
import type { CloudRunService, TrafficTarget } from '../core/cloud-run-types';
import type { CandidatePlan } from '../core/service-plan';
import type { ReleaseEvent, ReleaseVerdict } from '../core/release-events';
import { drainDeadline, planSteps, servingTraffic, trafficKey } from '../core/traffic-plan';
import { describeTraffic } from '../core/traffic-format';
import { planTagCleanup, TAGS_ANNOTATION, type TagCleanup } from '../core/release-tags';
import { ConcurrentChange, describeProblem, StepError } from '../errors';
import type { ReleasePorts } from '../ports';
import type { StepGateReport } from '../core/report-types';
import type { PanelVerdict } from '../core/stream-panel';
import { describeRestore } from './candidate';
import { checkStep, type LiveCandidate } from './gate';
import {
  earlyPanelFailure,
  judgeStepGates,
  measureDrain,
  panelBaseline,
  startPanel,
  startStep,
  type PanelRun,
} from './step-gates';
import { withBaselineTag, withoutBaselineTag, type BaselineTag } from '../core/baseline-tag';
import { smokeThroughLoadBalancer } from './load-balancer';
import type { Tracker } from './tracker';

/**
 * How a multi-region release (src/multi-region.ts) holds one region's release between its phases; each
 * resolves undefined to go on, or with the reason to stop.
 */
export interface ReleaseHold {
  /** The candidate passed its smoke test and waits for its wave; a reason withdraws it (tag off, traffic untouched). */
  beforeTraffic(): Promise<string | undefined>;
  /** The region reached its planned traffic and waits for the later waves; a reason rolls it back to its baseline. */
  afterPromotion(): Promise<string | undefined>;
}

/** What one release works with: its inputs, its plan, the service's full name, the ports and the event log. */
export interface Release {
  config: DeployConfig;
  plan: CandidatePlan;
  name: string;
  ports: ReleasePorts;
  tracker: Tracker;
  /** The URL through the load balancer in front, smoke-tested at the last step (run/load-balancer.ts). */
  lbUrl?: string;
  hold?: ReleaseHold;
}

/** How the traffic part of a release ended: the verdict, why it failed, and what serves (undefined: unknown). */
export interface Ending {
  verdict: ReleaseVerdict;
  failure?: string;
  traffic?: TrafficTarget[];
  drainsBy?: string;
  /** Open streams left on the revision that lost traffic, as Cloud Monitoring last saw them (step-gates.ts). */
  drain?: string;
  /** The traffic the promotion wrote (the spec), which a held promotion's rollback expects to find. */
  written?: TrafficTarget[];
}

/** Moves users to the passed candidate in steps, with a gate at each; on a failed gate, back to the baseline. */
export async function rollOut(
  release: Release,
  candidate: LiveCandidate,
  deployed: CloudRunService,
): Promise<Ending> {
  const panel: { run?: PanelRun } = {};
  try {
    return await rollSteps(release, candidate, deployed, panel);
  } finally {
    await closePanel(panel);
  }
}

/** Closes the panel's streams (before the last write, so its tag's removal is no disconnect); idempotent. */
async function closePanel(panel: { run?: PanelRun }): Promise<void> {
  const run = panel.run;
  panel.run = undefined;
  await run?.session.close();
}

async function rollSteps(
  release: Release,
  candidate: LiveCandidate,
  deployed: CloudRunService,
  opened: { run?: PanelRun },
): Promise<Ending> {
  const { config, plan, name, ports, tracker } = release;
  const { cloudRun, log } = ports;
  // The stable revision's temporary tag rides on every step for the stream-health panel (step-gates.ts);
  // the promotion and the rollback take it off.
  const chosen = ports.panel ? panelBaseline(config, plan) : { none: 'no panel client in this run' };
  const baseline = 'none' in chosen ? undefined : chosen;
  if ('none' in chosen && config.gates.panelStreams > 0) log.info(`No stream-health panel: ${chosen.none}.`);
  const steps = planSteps(plan.restoreTraffic, plan.revision, plan.tag, config.trafficSteps, {
    followLatest: config.followLatest,
  }).map((traffic) => (baseline ? withBaselineTag(traffic, baseline) : traffic));
  // The service as this run last wrote and read it back: the next write expects its traffic (a change by
  // anyone else stops the run) and records its generation.
  let base = deployed;
  let i = 0;
  try {
    for (; i < steps.length; i++) {
      const percent = config.trafficSteps[i];
      const at = new Date(ports.now()).toISOString();
      const pending: ReleaseEvent = {
        type: 'step-set',
        index: i,
        at,
        traffic: steps[i],
        generation: base.generation,
        ...(baseline && { baselineTag: baseline }),
      };
      const live = await log.group(
        `Shift traffic ${percent}% -> ${plan.revision} (step ${i + 1} of ${steps.length})`,
        async () => {
          const updated = await cloudRun.setTraffic(name, steps[i], {
            expectTraffic: base.traffic,
            annotations: tracker.annotationAfter(pending),
          });
          log.info(`Traffic now ${describeTraffic(updated.traffic)}.`);
          return updated;
        },
      );
      base = live;
      const startedAt = ports.now();
      await tracker.emit({ ...pending, traffic: servingTraffic(live) });
      if (i === 0 && baseline) opened.run = await startPanel(config, candidate, baseline, live, ports);
      else startStep(opened.run);
      const panel = opened.run;
      const { failures, notes, gates } = await log.group(
        `Check step ${i + 1}: ${percent}% for ${Math.round(config.stepWaitMs[i] / 1000)} s`,
        async () => {
          let early: PanelVerdict | undefined;
          const light = await checkStep(
            config,
            plan.revision,
            candidate,
            percent,
            config.stepWaitMs[i],
            ports,
            () => {
              const found = earlyPanelFailure(config, panel);
              early = found?.verdict;
              return found?.failure;
            },
          );
          if (light.failures.length > 0) {
            const gates: StepGateReport | undefined = early && {
              panel: early,
              checks: [],
              decision: `fail: the panel's evidence was clear before the bake's end`,
            };
            return { ...light, gates };
          }
          const judged = await judgeStepGates({
            config,
            plan,
            ports,
            ...(panel && { panel }),
            index: i,
            percent,
            startedAt,
            ...(light.observedShare !== undefined && { observedShare: light.observedShare }),
          });
          // The last step also answers what users get through the load balancer in front.
          const throughLb =
            judged.failures.length === 0 && i === steps.length - 1 && release.lbUrl
              ? await smokeThroughLoadBalancer(config, plan, release.lbUrl, ports, tracker)
              : [];
          return {
            failures: [...judged.failures, ...throughLb],
            notes: light.notes,
            gates: judged.report,
          };
        },
      );
      if (failures.length > 0) {
        await tracker.emit({
          type: 'step-judged',
          index: i,
          passed: false,
          detail: failures.join('; '),
          ...(gates && { gates }),
        });
        const why = `Step ${i + 1} (${percent} %) failed its checks:\n${failures.join('\n')}`;
        await closePanel(opened);
        return rollBack(release, base, [base.traffic], why);
      }
      // What the gate could not check goes in the report too (docs: the share needs X-Revision).
      await tracker.emit({
        type: 'step-judged',
        index: i,
        passed: true,
        ...(notes.length > 0 && { detail: notes.join('; ') }),
        ...(gates && { gates }),
      });
    }
  } catch (err) {
    const last = Math.min(i, steps.length - 1);
    const at = `step ${last + 1} (${config.trafficSteps[last]} %)`;
    if (err instanceof ConcurrentChange) {
      const theirs = await readTraffic(release);
      await tracker.emit({ type: 'abandoned', traffic: theirs });
      return {
        verdict: 'failed',
        traffic: theirs,
        failure: `${err.message} The release stopped at ${at} and left the traffic as the other change set it.`,
      };
    }
    // Anything else (the API failing past its retries, a token that cannot be refreshed): traffic may be
    // at the step before or at this step (an update whose answer was lost); either way, back to the baseline.
    // The failure's hint is said once: after the rollback's outcome, or not at all when the rollback
    // failed too (its own next step replaces it).
    const why = `The release failed at ${at}: ${describeProblem(err)}`;
    log.error(why);
    await closePanel(opened);
    return rollBack(
      release,
      base,
      [base.traffic, ...(steps[i] ? [steps[i]] : [])],
      why,
      err instanceof StepError ? err.hint : undefined,
    );
  }
  await closePanel(opened);
  const ending = await promote(release, base, baseline);
  return ending.written && release.hold ? holdPromotion(release, release.hold, ending) : ending;
}

/** A promoted region of a multi-region release waits for the later waves; if one fails, back to its baseline. */
async function holdPromotion(release: Release, hold: ReleaseHold, ending: Ending): Promise<Ending> {
  const undo = await hold.afterPromotion();
  if (undo === undefined) return ending;
  let live: CloudRunService | undefined;
  let problem = 'the service is gone';
  try {
    live = await release.ports.cloudRun.getService(release.name);
  } catch (err) {
    problem = describeProblem(err);
  }
  if (!live) {
    await release.tracker.emit({ type: 'rollback-failed', problem });
    return {
      verdict: 'failed',
      failure: `${undo}\nThe rollback could not start: ${problem}. The post step will try again.`,
    };
  }
  release.ports.log.error(undo);
  return rollBack(release, live, [ending.written!], undo);
}

/** The last write: older release tags off and the record says promoted; both land together or not at all. */
async function promote(release: Release, base: CloudRunService, baseline?: BaselineTag): Promise<Ending> {
  const { config, plan, name, ports, tracker } = release;
  const { cloudRun, log } = ports;
  const tidy = cleanUpTags(config, plan, base.traffic);
  // The baseline's temporary tag leaves with the promotion (core/baseline-tag.ts).
  const cleanup = baseline ? { ...tidy, traffic: withoutBaselineTag(tidy.traffic, baseline.tag) } : tidy;
  const last = config.trafficSteps[config.trafficSteps.length - 1];
  if (cleanup.removed.length > 0)
    log.info(
      `Removing this action's older release tags ${cleanup.removed.join(', ')} (keeping ${cleanup.kept.join(', ')}; \`keep_release_tags: ${config.keepReleaseTags}\`).`,
    );
  const pending = {
    type: 'promoted',
    at: new Date(ports.now()).toISOString(),
    generation: base.generation,
    traffic: cleanup.traffic,
  } as const;
  let traffic: TrafficTarget[] | undefined;
  let unrecorded: string | undefined;
  try {
    const promoted = await cloudRun.setTraffic(name, cleanup.traffic, {
      expectTraffic: base.traffic,
      annotations: {
        ...tracker.annotationAfter(pending),
        ...(last === 100 && { [TAGS_ANNOTATION]: JSON.stringify(cleanup.kept) }),
      },
    });
    traffic = servingTraffic(promoted);
    await tracker.emit({ ...pending, traffic });
  } catch (err) {
    // The write may have landed with its answer lost, or someone else may have moved the traffic during
    // the last bake: the service, read once more, says which.
    const live =
      err instanceof ConcurrentChange ? undefined : await cloudRun.getService(name).catch(() => undefined);
    const landed =
      live && trafficKey(live.traffic) === trafficKey(cleanup.traffic) && tracker.carries(live, pending);
    if (live && landed) {
      traffic = servingTraffic(live);
      await tracker.emit({ ...pending, traffic });
    } else if (
      err instanceof ConcurrentChange ||
      (live && trafficKey(live.traffic) !== trafficKey(base.traffic))
    ) {
      // Someone else moved the traffic during the last bake: theirs stands, and the release is not promoted.
      const theirs = live ? servingTraffic(live) : await readTraffic(release);
      const why =
        err instanceof ConcurrentChange
          ? err.message
          : `Someone else changed the traffic on ${name} during the last bake (it reads ${describeTraffic(live!.traffic)}).`;
      await tracker.emit({ type: 'abandoned', traffic: theirs });
      log.error(`Not promoted: ${why}`);
      return {
        verdict: 'failed',
        traffic: theirs,
        failure: `${why} Every step had passed; the release stopped before its promotion and left the traffic as the other change set it.`,
      };
    } else {
      // Every step passed and traffic is at the last step's split (or unknown); only the write that records
      // the promotion (and takes older release tags off) failed. The record still says the last step
      // passed: the post step (or the next run) finishes the promotion, never undoes it.
      traffic = live && servingTraffic(live);
      await tracker.emit({ type: 'promotion-unrecorded', traffic });
      unrecorded = `Every step passed and new requests follow the last step's split, but the last write (recording the promotion${cleanup.removed.length > 0 ? ` and taking off older release tags ${cleanup.removed.join(', ')}` : ''}) failed: ${describeProblem(err)} The post step will try again to finish the promotion (a later run would too); until then the release is not done.`;
      log.error(unrecorded);
    }
  }
  const drainsBy = drainDeadline(new Date(ports.now()), config.streaming.timeoutSeconds).toISOString();
  log.info(
    last === 100
      ? `Promoted: ${plan.revision} serves all new requests. Streams already open on ${plan.previousRevision} stay there until they close, at the latest by ${drainsBy} (request timeout ${config.streaming.timeoutSeconds} s); session affinity can keep some clients there until then. Do not delete ${plan.previousRevision} before that.`
      : `Partial canary: ${plan.revision} holds ${last} % of new requests; the rest stay on the baseline.`,
  );
  // Not done until its last write lands: the outcome says failed, and the post step's finish reports it promoted.
  if (unrecorded !== undefined) return { verdict: 'failed', traffic, drainsBy, failure: unrecorded };
  const drain =
    last === 100 && plan.previousRevision
      ? await measureDrain(config, ports, plan.previousRevision, ports.now())
      : undefined;
  return {
    verdict: last === 100 ? 'promoted' : 'canary',
    traffic,
    drainsBy,
    ...(drain && { drain }),
    written: cleanup.traffic,
  };
}

/**
 * Sets the baseline back in one update, verifies it, and reports why, without hiding the gate's failure.
 * `expected` lists the traffic states this run may have left (the first is the one it knows it set).
 * `why` says what stopped the release without a hint; `whyHint` is that failure's hint, said only when the
 * rollback landed (a failed rollback's own next step is the one hint then).
 */
async function rollBack(
  release: Release,
  base: CloudRunService,
  expected: TrafficTarget[][],
  why: string,
  whyHint?: string,
): Promise<Ending> {
  const { config, plan, name, ports, tracker } = release;
  const { cloudRun, log } = ports;
  const target = config.keepFailedCandidate ? plan.desired.traffic : plan.restoreTraffic;
  const ending = await log.group(`Roll back to the baseline`, async (): Promise<Ending> => {
    const pending = {
      type: 'rollback-landed',
      at: new Date(ports.now()).toISOString(),
      generation: base.generation,
      traffic: target,
    } as const;
    try {
      // The record says rolled back only once the rollback has landed: it rides on the same update, and
      // the event (and with it the runner state) follows the adapter's read-back. A rollback that failed
      // leaves the rollout unfinished for the post step (and the next run) to restore.
      const restored = await cloudRun.setTraffic(name, target, {
        expectTraffic: expected[0],
        alsoExpect: expected.slice(1),
        annotations: tracker.annotationAfter(pending),
      });
      const traffic = servingTraffic(restored);
      await tracker.emit({ ...pending, traffic });
      const state = config.keepFailedCandidate
        ? `Traffic is back on the baseline; ${plan.revision} stays at 0 % behind tag ${plan.tag} for debugging.`
        : describeRestore(plan, restored.traffic);
      const drainsBy = drainDeadline(new Date(ports.now()), config.streaming.timeoutSeconds).toISOString();
      log.info(
        `${state} Streams already open on ${plan.revision} stay there until they close, at the latest by ${drainsBy}.`,
      );
      return {
        verdict: 'rolled_back',
        traffic,
        failure: `${why}${whyHint ? ` ${whyHint}` : ''}\n${state}`,
        drainsBy,
      };
    } catch (err) {
      if (err instanceof ConcurrentChange) {
        // Someone else moved the traffic while this run was failing: theirs stands, as in rollOut.
        const theirs = await readTraffic(release);
        await tracker.emit({ type: 'abandoned', traffic: theirs });
        log.error(`Not rolled back: ${err.message}`);
        return {
          verdict: 'failed',
          traffic: theirs,
          failure: `${why}\n${err.message} The rollback left the traffic as the other change set it.`,
        };
      }
      // Said once: the same failure as the release's is not repeated, and the one hint (what comes next)
      // is in the failure, not in this log line.
      const problem = describeProblem(err);
      await tracker.emit({ type: 'rollback-failed', problem });
      log.error(`Rollback failed: ${problem}`);
      const how = why.endsWith(problem) ? ', the same way.' : `: ${problem}`;
      const [, project, , region, , service] = name.split('/');
      const step = Math.max(0, ...tracker.events.map((e) => (e.type === 'step-set' ? e.index : 0)));
      return {
        verdict: 'failed',
        failure: `${why}\nThe rollback failed too${how} Traffic may still be at step ${step + 1}: the post step will try again, or run \`stream-deploy rollback --service ${service} --region ${region} --project ${project}\`.`,
      };
    }
  });
  // The rollback is done once the traffic is back; the drain is read after it, outside its timing.
  if (ending.verdict !== 'rolled_back') return ending;
  const drain = await measureDrain(config, ports, plan.revision, ports.now());
  return drain ? { ...ending, drain } : ending;
}

/** Where the plan means traffic to end: the deploy's own traffic (first deploy, candidate rollout) or the last step, older release tags removed. */
export function plannedTraffic(config: DeployConfig, plan: CandidatePlan): TrafficTarget[] {
  if (plan.takesAllTraffic || config.rollout === 'candidate') return plan.desired.traffic;
  const steps = planSteps(plan.restoreTraffic, plan.revision, plan.tag, config.trafficSteps, {
    followLatest: config.followLatest,
  });
  return cleanUpTags(config, plan, steps[steps.length - 1]).traffic;
}

/** A promotion's traffic with this action's older release tags taken off (core/release-tags.ts); a partial canary's as it is. */
function cleanUpTags(config: DeployConfig, plan: CandidatePlan, traffic: TrafficTarget[]): TagCleanup {
  if (config.trafficSteps[config.trafficSteps.length - 1] !== 100)
    return { traffic: traffic.map((t) => ({ ...t })), kept: plan.releaseTags, removed: [] };
  return planTagCleanup(traffic, plan.releaseTags, plan.tag, config.keepReleaseTags);
}

/** What serves now, read once; undefined when the read fails (the caller says traffic is unknown). */
async function readTraffic({ ports, name }: Release): Promise<TrafficTarget[] | undefined> {
  const live = await ports.cloudRun.getService(name).catch(() => undefined);
  return live && servingTraffic(live);
}
