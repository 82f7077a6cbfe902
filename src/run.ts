// The one orchestrator: reads the live service (settling an earlier run's unfinished release first),
// plans and lints the candidate, deploys it with no traffic, smoke tests it through its tag URL, moves
// traffic in steps with a gate at each (src/run/rollout.ts), and on any failure puts traffic back exactly
// as it was. It emits one event per fact that has landed; the release record and the report are folds of
// those events (core/release-events.ts), and it returns one ReleaseOutcome for every known ending.
// Decisions come from src/core; I/O goes through the ports (src/ports.ts); no adapter module is imported.
import { PROVENANCE_LABEL_KEYS, type DeployConfig, type RunContext } from './core/config';
import type { CloudRunService, TrafficTarget } from './core/cloud-run-types';
import { planCandidate, serviceName } from './core/service-plan';
import { listSettingChanges } from './core/setting-changes';
import { redactService } from './core/request-redaction';
import { blockingFindings, citeOrigins, lintStreaming, type LintFinding } from './core/streaming-lint';
import { DeployFailure, LintError, OperationUnsettled, StepError } from './errors';
import type { ReleasePorts } from './ports';
import type { SmokeResult } from './core/smoke-types';
import { describeFailures, summarizeSmoke } from './core/smoke';
import { changedNothing, foldRecord, type ReleaseEvent, type ReleaseVerdict } from './core/release-events';
import type { ReleaseRecord } from './core/release-record';
import { servingTraffic } from './core/traffic-plan';
import { describeTraffic } from './core/traffic-format';
import {
  applyPublicAccess,
  explainFailedRevision,
  previewWouldCreate,
  resumeUnfinished,
  settleFailedCandidate,
} from './run/candidate';
import { mintIdToken, waitForTag, type LiveCandidate } from './run/gate';
import { checkLoadBalancer } from './run/load-balancer';
import { runBeforeRolloutJob } from './run/before-rollout';
import { multiRegionRefusal } from './core/multi-region';
import { plannedTraffic, rollOut, type Ending, type Release, type ReleaseHold } from './run/rollout';
import { createTracker, type Tracker } from './run/tracker';

export type { ReleaseVerdict } from './core/release-events';
export type { ReleaseHold } from './run/rollout';

/** How a release ended, whatever the ending: what the outputs, the report and the failed step say. */
export interface ReleaseOutcome {
  verdict: ReleaseVerdict;
  /** Why the release failed or was rolled back, and where traffic ended; undefined when it succeeded. */
  failure?: string;
  /** The service URL, once the candidate is deployed. */
  url?: string;
  /** Every URL of the service (docs/platform.md "Service URLs"). */
  urls: string[];
  tagUrl?: string;
  /** The candidate revision, once deployed. */
  revision?: string;
  previousRevision?: string;
  /** What serves as the run ends, as last read back (trafficStatuses); undefined when it is unknown. */
  traffic?: TrafficTarget[];
  findings: LintFinding[];
  /** True when the candidate took all traffic because nothing else could serve (first deploy). */
  tookAllTraffic: boolean;
  /** `added`, `removed` or `unchanged` when `allow_unauthenticated` was given. */
  publicAccess?: 'added' | 'removed' | 'unchanged';
  /** The smoke test's result, when it ran. */
  smoke?: SmokeResult;
  /** When the last stream on a revision that lost traffic will have ended at the latest. */
  drainsBy?: string;
  /** True when the run sent Cloud Run no change at all. */
  changedNothing: boolean;
  /** The release record the events add up to (what the post step and the next run see). */
  record?: ReleaseRecord;
  events: readonly ReleaseEvent[];
}

/** What a release has learned so far; the outcome is built from it when the release ends. */
type Draft = Omit<ReleaseOutcome, 'verdict' | 'changedNothing' | 'record' | 'events'>;

/**
 * Releases the image: never throws for a known ending (a lint error, a refused or failed deploy, a failed
 * smoke test or gate, a rollback that failed too); those are outcomes. Anything else is a defect and throws.
 */
export async function run(
  config: DeployConfig,
  context: RunContext,
  ports: ReleasePorts,
  hold?: ReleaseHold,
): Promise<ReleaseOutcome> {
  const tracker = createTracker(ports);
  const draft: Draft = { urls: [], findings: [], tookAllTraffic: false };
  let ending: Ending;
  try {
    ending = await release(config, context, ports, tracker, draft, hold);
  } catch (err) {
    if (!(err instanceof StepError || err instanceof LintError)) throw err;
    ending = { verdict: 'failed', failure: err.message, traffic: draft.traffic };
  }
  await tracker.emit({
    type: 'ended',
    verdict: ending.verdict,
    ...(ending.failure !== undefined && { failure: ending.failure }),
    ...(ending.drainsBy !== undefined && { drainsBy: ending.drainsBy }),
    ...(ending.drain !== undefined && { drain: ending.drain }),
    ...(ending.traffic !== undefined && { traffic: ending.traffic }),
  });
  const { traffic: _known, ...known } = draft;
  return {
    ...known,
    verdict: ending.verdict,
    failure: ending.failure,
    traffic: ending.traffic,
    drainsBy: ending.drainsBy,
    changedNothing: changedNothing(tracker.events),
    record: foldRecord(tracker.events),
    events: tracker.events,
  };
}

/** The release itself; known failures throw StepError or LintError, which run() turns into the outcome. */
async function release(
  config: DeployConfig,
  context: RunContext,
  ports: ReleasePorts,
  tracker: Tracker,
  draft: Draft,
  hold: ReleaseHold | undefined,
): Promise<Ending> {
  const { cloudRun, log } = ports;
  const name = serviceName(config);
  const current = await log.group(`Read service ${config.service} (${config.region})`, async () => {
    const svc = await cloudRun.getService(name);
    log.info(
      svc
        ? `Found ${name}; ready revision ${svc.latestReadyRevision ?? 'none'}; traffic ${describeTraffic(svc.traffic)}.`
        : `${name} does not exist yet.`,
    );
    return svc;
  });
  // docs/platform.md "Multi-region services have no tags": no tags there, so no candidate; refused before any write.
  const multiRegion = current && multiRegionRefusal(current);
  if (multiRegion) throw new StepError({ operation: 'release to', target: name, ...multiRegion });
  const live = current ? await resumeUnfinished(current, ports, tracker) : current;
  draft.traffic = live && servingTraffic(live);
  if (!live && config.rollout === 'candidate' && !config.candidateCreatesService)
    throw previewWouldCreate(name);
  // A service already public by an allUsers binding stays so, without needing setIamPolicy to change it.
  const publicByBinding =
    live &&
    config.allowUnauthenticated === true &&
    config.publicAccessMethod === 'invoker-check' &&
    !live.invokerIamDisabled
      ? await cloudRun.hasPublicBinding(name)
      : undefined;
  const plan = planCandidate(config, live, context, { publicByBinding });
  const linted = citeOrigins(lintStreaming(config, plan.desired), config.origins);
  await log.group(`Lint streaming settings (${config.profile} profile)`, async () => {
    if (linted.length === 0) log.info('No streaming pitfalls found.');
    for (const f of linted)
      (f.severity === 'error' ? log.error : log.warning)(`[${f.rule}] ${f.message} (${f.source})`);
  });
  // The load balancer in front, if any: its pitfalls count as the linter's (run/load-balancer.ts).
  const lb = await checkLoadBalancer(config, plan, ports);
  const findings = [...linted, ...lb.findings];
  draft.findings = findings;
  // Every setting this release changes, live -> new (env values never: names only).
  const changes = listSettingChanges(live, plan.desired, PROVENANCE_LABEL_KEYS);
  await log.group(`Settings this release changes (${changes.length})`, async () => {
    if (changes.length === 0) log.info('None: the new revision has the live settings.');
    for (const c of changes) log.info(`${c.setting}: ${c.live} -> ${c.next}`);
  });
  const planned = plannedTraffic(config, plan);
  const at = () => new Date(ports.now()).toISOString();
  // A first deploy has no traffic to restore, so it keeps no record; every other release does, from here
  // on, so a job cancelled mid-deploy has its post step take the candidate's tag off again
  // (docs/platform.md "Post step").
  const kept = plan.action === 'update' && !plan.takesAllTraffic;
  await tracker.emit({
    type: 'planned',
    at: at(),
    ...(kept && {
      record: {
        version: 1,
        service: name,
        candidate: plan.revision,
        tag: plan.tag,
        restoreTraffic: plan.restoreTraffic,
        finalTraffic: planned,
        stepPercents: config.trafficSteps,
        startedAt: at(),
        origin: `${context.repository}@${(context.headSha ?? context.sha).slice(0, 7)} run ${context.runId} attempt ${context.runAttempt}`,
      },
    }),
    report: {
      changes,
      revision: plan.revision,
      previousRevision: plan.previousRevision,
      baselineTraffic: plan.baselineTraffic,
      restoreTraffic: plan.restoreTraffic,
      plannedTraffic: planned,
      findings,
      loadBalancer: lb.report,
      steps:
        config.rollout === 'candidate' || plan.takesAllTraffic
          ? []
          : config.trafficSteps.map((percent) => ({ percent, status: 'pending' as const })),
    },
  });
  const blocking = blockingFindings(findings, config.lintLevel);
  if (blocking.length > 0) throw new LintError(blocking);

  await tracker.emit({ type: 'deploy-sent', at: at(), generation: live?.generation });
  draft.traffic = undefined; // from here on, only what a write reads back says what serves
  const title = plan.takesAllTraffic
    ? `Deploy ${plan.revision} (first ready revision: all traffic)`
    : `Deploy candidate ${plan.revision} (no traffic)`;
  const deployed = await log.group(title, async () => {
    for (const note of plan.notes) log.info(note);
    log.debug(
      `Service sent${plan.action === 'update' ? ` (updateMask ${plan.updateMask.join(',')})` : ''}: ${JSON.stringify(redactService(plan.desired))}`,
    );
    try {
      return await cloudRun.applyService(plan.desired, plan.action, plan.updateMask);
    } catch (err) {
      // Cloud Run took the update: the revision failed, or its outcome is unknown (polls failed, deadline).
      // Any other failure may still have landed (an answer lost with its read-back): the service says.
      const after =
        err instanceof DeployFailure || err instanceof OperationUnsettled
          ? { landed: true }
          : await readDeploy(plan, name, ports);
      if (after.landed !== false && err instanceof StepError) {
        const { error, restored } = await explainFailedRevision(plan, name, err, ports);
        await tracker.emit({ type: 'deploy-failed', restored: restored !== undefined, traffic: restored });
        draft.traffic = restored;
        throw error;
      }
      // Cloud Run refused the update itself: nothing changed (by this run; the service says what serves).
      draft.traffic = after.service && servingTraffic(after.service);
      await tracker.emit({
        type: 'deploy-failed',
        restored: after.landed === false,
        traffic: draft.traffic,
      });
      throw err;
    }
  });

  const tagUrl = deployed.trafficStatuses?.find((t) => t.tag === config.tag)?.uri;
  draft.traffic = servingTraffic(deployed);
  if (!deployed.uri || !tagUrl) {
    throw new StepError({
      operation: 'read the URLs of',
      target: name,
      cause: `Cloud Run reported ${deployed.uri ? 'no URL for tag ' + config.tag : 'no service URL'}`,
      hint: 'Tag URLs come from trafficStatuses[].uri (docs/platform.md "Tag URLs"); check that the service has a default URL (defaultUriDisabled).',
    });
  }
  log.info(
    `Candidate ${plan.revision} is ready at ${tagUrl}; service URL ${deployed.uri}; traffic ${describeTraffic(deployed.traffic)}.`,
  );
  await tracker.emit({ type: 'deployed', serviceUrl: deployed.uri, tagUrl, traffic: draft.traffic });
  warnUnapplied(plan.desired, deployed, plan.updateMask, ports);
  const publicAccess = await applyPublicAccess(config, plan, name, ports);
  Object.assign(draft, {
    url: deployed.uri,
    urls: deployed.urls ?? [],
    tagUrl,
    revision: plan.revision,
    previousRevision: plan.previousRevision,
    tookAllTraffic: plan.takesAllTraffic,
    publicAccess,
  });
  const candidate: LiveCandidate = { url: deployed.uri, urls: deployed.urls ?? [], tagUrl, publicAccess };
  const releasing: Release = {
    config,
    plan,
    name,
    ports,
    tracker,
    ...(lb.url && { lbUrl: lb.url }),
    ...(hold && { hold }),
  };
  const rollOn = async (): Promise<Ending> => {
    if (plan.takesAllTraffic) {
      await tracker.emit({ type: 'candidate-kept' });
      log.info(`${plan.revision} already serves all traffic (first deploy): nothing to shift.`);
      return { verdict: 'promoted', traffic: draft.traffic };
    }
    if (config.rollout === 'candidate') {
      await tracker.emit({ type: 'candidate-kept' });
      log.info(`Candidate ${plan.revision} is ready at ${tagUrl} with no traffic (\`rollout: candidate\`).`);
      return { verdict: 'candidate', traffic: draft.traffic };
    }
    // A multi-region release (src/multi-region.ts) holds each staged candidate until its wave starts, or
    // withdraws it (its tag off, traffic untouched) when another region failed first.
    const withdraw = await hold?.beforeTraffic();
    if (withdraw !== undefined) {
      const settled = await log.group(`Remove tag ${config.tag} from candidate ${plan.revision}`, () =>
        settleFailedCandidate({ ...config, keepFailedCandidate: false }, plan, name, deployed, ports),
      );
      await tracker.emit({ type: 'candidate-settled', outcome: settled.outcome, traffic: settled.traffic });
      return { verdict: 'failed', traffic: settled.traffic, failure: `${withdraw}\n${settled.state}` };
    }
    // The pre-rollout job (a migration) runs with the candidate's image before any traffic moves.
    const hookFailure = await runBeforeRolloutJob(config, { service: name, revision: plan.revision }, ports);
    if (hookFailure) {
      const settled = await log.group(`Remove tag ${config.tag} from candidate ${plan.revision}`, () =>
        settleFailedCandidate(config, plan, name, deployed, ports),
      );
      await tracker.emit({ type: 'candidate-settled', outcome: settled.outcome, traffic: settled.traffic });
      return { verdict: 'failed', traffic: settled.traffic, failure: `${hookFailure}\n${settled.state}` };
    }
    return rollOut(releasing, candidate, deployed);
  };
  if (!config.smoke) {
    log.warning(
      'The smoke test is off (`smoke_protocol: none`): nothing checked that the candidate streams.',
    );
    return rollOn();
  }
  const smoke = await smokeTest(config, plan.revision, deployed, candidate, ports);
  draft.smoke = smoke.result;
  await tracker.emit({ type: 'smoke-judged', smoke: smoke.result });
  if (smoke.result.verdict === 'pass') return rollOn();

  const settled = await log.group(
    config.keepFailedCandidate
      ? `Keep failed candidate ${plan.revision} for debugging`
      : `Remove tag ${config.tag} from failed candidate ${plan.revision}`,
    () => settleFailedCandidate(config, plan, name, deployed, ports),
  );
  await tracker.emit({ type: 'candidate-settled', outcome: settled.outcome, traffic: settled.traffic });
  // A private service answers 401/403 to a probe without a token: then the missing token is the cause.
  const tokenNote =
    smoke.noToken !== undefined && config.allowUnauthenticated !== true
      ? `\nNo ID token was sent with the smoke test, so a private service answers 401/403: ${smoke.noToken}`
      : '';
  return {
    verdict: 'failed',
    traffic: settled.traffic,
    failure: `The smoke test through ${smoke.target} ${smoke.result.verdict === 'fail' ? 'failed' : 'was inconclusive'}, so ${plan.revision} gets no traffic.${tokenNote}\n${describeFailures(smoke.result)}\n${settled.state}`,
  };
}

/** The smoke test through the tag URL (or `smoke_url`); a failure is confirmed by a second run. */
async function smokeTest(
  config: DeployConfig,
  revision: string,
  deployed: CloudRunService,
  candidate: LiveCandidate,
  ports: ReleasePorts,
): Promise<{ result: SmokeResult; target: string; noToken?: string }> {
  const { log } = ports;
  const criteria = config.smoke!;
  // Every URL of the service is its own origin (docs/platform.md "Service URLs").
  const origins = [
    candidate.url,
    ...candidate.urls,
    ...(deployed.trafficStatuses ?? []).map((t) => t.uri),
  ].filter((u): u is string => Boolean(u));
  const target = config.smokeUrl ?? candidate.tagUrl;
  if (!config.smokeUrl)
    await waitForTag(config, revision, candidate.tagUrl, candidate.url, candidate.publicAccess, ports);
  let noToken: string | undefined;
  const result = await log.group(
    `Smoke test ${criteria.protocol.toUpperCase()} via ${config.smokeUrl ? target : `tag ${config.tag}`}`,
    async () => {
      const token = await mintIdToken(config, candidate.url, candidate.publicAccess, ports, (why) => {
        noToken = why;
      });
      const first = await ports.smoke.run(target, criteria, origins, token);
      // A failure is confirmed by a second run before the candidate is given up: one 5xx from the front
      // end or one stall of a busy runner says nothing about the app (issue 12: no false rollbacks).
      const outcome =
        first.verdict === 'pass'
          ? first
          : (log.info(
              `First run: ${summarizeSmoke(first)}; running the smoke test once more to confirm (${describeFailures(first).split('\n')[0]}).`,
            ),
            await ports.smoke.run(target, criteria, origins, token));
      for (const check of outcome.checks)
        (check.ok ? log.info : log.error)(`${check.ok ? 'ok  ' : 'FAIL'} ${check.name}: ${check.detail}`);
      log.info(summarizeSmoke(outcome));
      return outcome;
    },
  );
  return { result, target, noToken };
}

/** Whether a deploy that failed without a verdict reached the service (its revision is there), and the service as read; `landed` undefined: unknown. */
async function readDeploy(
  plan: { revision: string },
  name: string,
  { cloudRun }: ReleasePorts,
): Promise<{ landed?: boolean; service?: CloudRunService }> {
  const service = await cloudRun.getService(name).catch(() => null);
  if (service === null) return {};
  if (!service) return { landed: false };
  const landed =
    service.template.revision === plan.revision ||
    service.latestCreatedRevision === plan.revision ||
    service.traffic.some((t) => t.revision === plan.revision);
  return { landed, service };
}

/** Multi-word mask paths may be ignored by the server (docs/platform.md "Updates and updateMask"): says which were. */
function warnUnapplied(
  desired: CloudRunService,
  deployed: CloudRunService,
  updateMask: readonly string[],
  { log }: ReleasePorts,
): void {
  const applied: Array<[string, unknown, unknown]> = [
    ['invokerIamDisabled', Boolean(desired.invokerIamDisabled), Boolean(deployed.invokerIamDisabled)],
    [
      'scaling',
      Number(desired.scaling?.minInstanceCount ?? 0),
      Number(deployed.scaling?.minInstanceCount ?? 0),
    ],
  ];
  for (const [path, wanted, found] of applied)
    if (updateMask.includes(path) && wanted !== found)
      log.warning(
        `Cloud Run did not apply \`${path}\` (sent ${JSON.stringify(wanted)}, reads back ${JSON.stringify(found)}); the service keeps its earlier setting.`,
      );
}
