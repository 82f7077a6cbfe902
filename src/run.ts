// The one orchestrator: reads the live service, plans and lints the candidate, deploys it with no
// traffic, and on a failed revision puts traffic back exactly as it was. Decisions come from src/core;
// I/O goes through the ports (src/ports.ts); no adapter module is imported here.
import { PROVENANCE_LABEL_KEYS, type DeployConfig, type RunContext } from './core/config';
import type { CloudRunService, TrafficTarget } from './core/cloud-run-types';
import { planCandidate, serviceName, type CandidatePlan } from './core/service-plan';
import { listSettingChanges } from './core/setting-changes';
import { redactService } from './core/request-redaction';
import { blockingFindings, lintStreaming, type LintFinding } from './core/streaming-lint';
import {
  ConcurrentChange,
  DeployFailure,
  describeProblem,
  LintError,
  OperationUnsettled,
  StepError,
} from './errors';
import type { ReleasePorts, RevisionSample } from './ports';
import type { SmokeResult } from './core/smoke-types';
import { describeFailures, summarizeSmoke } from './core/smoke-verdict';
import {
  checkRecord,
  decodeRecord,
  encodeRecord,
  planRecovery,
  RECORD_ANNOTATION,
  type ReleaseRecord,
} from './core/release-record';
import { drainDeadline, judgeShare, planSteps, trafficKey } from './core/traffic-plan';
import { planTagCleanup, TAGS_ANNOTATION, type TagCleanup } from './core/release-tags';
import { judgeSampleErrors, planGate, SAMPLE_SIZE, type GatePlan } from './core/step-gate';
import type { ReportStep } from './core/report-types';

export type ReleaseVerdict = 'promoted' | 'canary' | 'candidate' | 'rolled_back' | 'failed';

/** What the candidate deploy produced, for outputs and (later) the report. */
export interface CandidateResult {
  url: string;
  /** Every URL of the service (docs/platform.md "Service URLs"). */
  urls: string[];
  tagUrl: string;
  revision: string;
  previousRevision?: string;
  /** The service's traffic after the deploy. */
  traffic: TrafficTarget[];
  findings: LintFinding[];
  /** True when the candidate took all traffic because nothing else could serve (first deploy). */
  tookAllTraffic: boolean;
  /** `added`, `removed` or `unchanged` when `allow_unauthenticated` was given. */
  publicAccess?: 'added' | 'removed' | 'unchanged';
  /** The smoke test's result, when it ran. */
  smoke?: SmokeResult;
  /** Set when the release failed after the deploy (a failed smoke test): what to report; traffic is settled. */
  failure?: string;
  verdict: ReleaseVerdict;
  /** When the last stream on a revision that lost traffic will have ended at the latest. */
  drainsBy?: string;
}

/** A preview that would create the service: its first revision would take all of the new service's traffic. */
function previewWouldCreate(name: string): StepError {
  return new StepError({
    operation: 'deploy a preview (`rollout: candidate`) to',
    target: name,
    cause:
      'the service does not exist yet, and the first revision of a new service takes 100 % of its traffic, so the preview would serve every user of the new service; nothing was changed',
    hint: 'Deploy the service once from the main branch (`rollout: progressive` or `immediate`), or set `candidate_creates_service: true` to let a preview create it (docs/platform.md "A candidate on a new service takes all traffic").',
  });
}

/** Deploys the candidate revision with no traffic and its tag URL; throws StepError or LintError. */
export async function run(
  config: DeployConfig,
  context: RunContext,
  ports: ReleasePorts,
): Promise<CandidateResult> {
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
  const live = current ? await resumeUnfinished(current, ports) : current;
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
  const planned = plannedTraffic(config, plan);
  const findings = lintStreaming(config, plan.desired);
  await log.group(`Lint streaming settings (${config.profile} profile)`, async () => {
    if (findings.length === 0) log.info('No streaming pitfalls found.');
    for (const f of findings)
      (f.severity === 'error' ? log.error : log.warning)(`[${f.rule}] ${f.message} (${f.source})`);
  });
  // Every setting this release changes, live -> new (env values never: names only).
  const changes = listSettingChanges(live, plan.desired, PROVENANCE_LABEL_KEYS);
  await log.group(`Settings this release changes (${changes.length})`, async () => {
    if (changes.length === 0) log.info('None: the new revision has the live settings.');
    for (const c of changes) log.info(`${c.setting}: ${c.live} -> ${c.next}`);
  });
  await ports.report?.({
    phase: 'planned',
    changes,
    revision: plan.revision,
    previousRevision: plan.previousRevision,
    baselineTraffic: plan.baselineTraffic,
    restoreTraffic: plan.restoreTraffic,
    plannedTraffic: planned,
    findings,
    steps:
      config.rollout === 'candidate' || plan.takesAllTraffic
        ? []
        : config.trafficSteps.map((percent) => ({ percent, status: 'pending' as const })),
  });
  const blocking = blockingFindings(findings, config.lintLevel);
  if (blocking.length > 0) throw new LintError(blocking);

  // Kept in the runner state from here on, so a job cancelled mid-deploy has its post step take the
  // candidate's tag off again (FACTS.md GitHub Actions `post:`); a first deploy has no traffic to restore.
  const release: ReleaseRecord = {
    version: 1,
    service: name,
    candidate: plan.revision,
    tag: plan.tag,
    restoreTraffic: plan.restoreTraffic,
    finalTraffic: planned,
    stepPercents: config.trafficSteps,
    step: -1,
    verifiedStep: -1,
    phase: 'deploying',
    startedAt: new Date(ports.now()).toISOString(),
    origin: `${context.repository}@${(context.headSha ?? context.sha).slice(0, 7)} run ${context.runId} attempt ${context.runAttempt}`,
  };
  const mark = (phase: ReleaseRecord['phase']) => {
    if (plan.action === 'update' && !plan.takesAllTraffic) ports.saveRecord({ ...release, phase });
  };
  mark('deploying');

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
      if (err instanceof DeployFailure || err instanceof OperationUnsettled) {
        const { error, restored } = await explainFailedRevision(plan, name, err, ports);
        // Restored: nothing for the post step to do; otherwise it tries again.
        if (restored) mark('rolled-back');
        throw error;
      }
      mark('rolled-back'); // Cloud Run refused the update itself: nothing changed.
      throw err;
    }
  });

  const tagUrl = deployed.trafficStatuses?.find((t) => t.tag === config.tag)?.uri;
  if (!deployed.uri || !tagUrl) {
    throw new StepError({
      operation: 'read the URLs of',
      target: name,
      cause: `Cloud Run reported ${deployed.uri ? 'no URL for tag ' + config.tag : 'no service URL'}`,
      hint: 'Tag URLs come from trafficStatuses[].uri (FACTS.md "tag URLs"); check that the service has a default URL (defaultUriDisabled).',
    });
  }
  log.info(
    `Candidate ${plan.revision} is ready at ${tagUrl}; service URL ${deployed.uri}; traffic ${describeTraffic(deployed.traffic)}.`,
  );

  await ports.report?.({
    phase: 'candidate-up',
    tagUrl,
    serviceUrl: deployed.uri,
    traffic: deployed.traffic,
  });

  // Multi-word mask paths may be ignored by the server (docs/platform.md "Updates and updateMask"): check.
  const applied: Array<[string, unknown, unknown]> = [
    ['invokerIamDisabled', Boolean(plan.desired.invokerIamDisabled), Boolean(deployed.invokerIamDisabled)],
    [
      'scaling',
      Number(plan.desired.scaling?.minInstanceCount ?? 0),
      Number(deployed.scaling?.minInstanceCount ?? 0),
    ],
  ];
  for (const [path, wanted, found] of applied)
    if (plan.updateMask.includes(path) && wanted !== found)
      log.warning(
        `Cloud Run did not apply \`${path}\` (sent ${JSON.stringify(wanted)}, reads back ${JSON.stringify(found)}); the service keeps its earlier setting.`,
      );
  const publicAccess = await applyPublicAccess(config, plan, name, ports);
  const result: CandidateResult = {
    url: deployed.uri,
    urls: deployed.urls ?? [],
    tagUrl,
    revision: plan.revision,
    previousRevision: plan.previousRevision,
    traffic: deployed.traffic,
    findings,
    tookAllTraffic: plan.takesAllTraffic,
    publicAccess,
    verdict: 'candidate',
  };
  if (!config.smoke) {
    log.warning(
      'The smoke test is off (`smoke_protocol: none`): nothing checked that the candidate streams.',
    );
    return rollOut(config, plan, result, name, release, ports);
  }
  // Every URL of the service is its own origin (docs/platform.md "Service URLs").
  const origins = [
    deployed.uri,
    ...(deployed.urls ?? []),
    ...(deployed.trafficStatuses ?? []).map((t) => t.uri),
  ].filter((u): u is string => Boolean(u));
  const target = config.smokeUrl ?? tagUrl;
  if (!config.smokeUrl) await waitForTag(config, plan, tagUrl, deployed.uri as string, publicAccess, ports);
  let noToken: string | undefined;
  const smoke = await log.group(
    `Smoke test ${config.smoke.protocol.toUpperCase()} via ${config.smokeUrl ? target : `tag ${config.tag}`}`,
    async () => {
      const token = await mintIdToken(config, deployed.uri as string, publicAccess, ports, (why) => {
        noToken = why;
      });
      const first = await ports.smoke.run(target, config.smoke!, origins, token);
      // A failure is confirmed by a second run before the candidate is given up: one 5xx from the front
      // end or one stall of a busy runner says nothing about the app (issue 12: no false rollbacks).
      const outcome =
        first.verdict === 'pass'
          ? first
          : (log.info(
              `First run: ${summarizeSmoke(first)}; running the smoke test once more to confirm (${describeFailures(first).split('\n')[0]}).`,
            ),
            await ports.smoke.run(target, config.smoke!, origins, token));
      for (const check of outcome.checks)
        (check.ok ? log.info : log.error)(`${check.ok ? 'ok  ' : 'FAIL'} ${check.name}: ${check.detail}`);
      log.info(summarizeSmoke(outcome));
      return outcome;
    },
  );
  result.smoke = smoke;
  await ports.report?.({ phase: 'smoke-tested', smoke });
  if (smoke.verdict === 'pass') return rollOut(config, plan, result, name, release, ports);
  result.verdict = 'failed';

  const traffic = await log.group(
    config.keepFailedCandidate
      ? `Keep failed candidate ${plan.revision} for debugging`
      : `Remove tag ${config.tag} from failed candidate ${plan.revision}`,
    () => settleFailedCandidate(config, plan, name, ports),
  );
  mark(traffic.restored ? 'rolled-back' : config.keepFailedCandidate ? 'deployed' : 'deploying');
  result.traffic = traffic.traffic;
  // A private service answers 401/403 to a probe without a token: then the missing token is the cause.
  const tokenNote =
    noToken !== undefined && config.allowUnauthenticated !== true
      ? `\nNo ID token was sent with the smoke test, so a private service answers 401/403: ${noToken}`
      : '';
  result.failure = `The smoke test through ${target} ${smoke.verdict === 'fail' ? 'failed' : 'was inconclusive'}, so ${plan.revision} gets no traffic.${tokenNote}\n${describeFailures(smoke)}\n${traffic.state}`;
  return result;
}

/** A release left unfinished by an earlier run (killed without its post step): settle it first, as the post step would have, unless it is stale. */
async function resumeUnfinished(
  current: CloudRunService,
  { cloudRun, log }: ReleasePorts,
): Promise<CloudRunService> {
  const record = decodeRecord(current.annotations?.[RECORD_ANNOTATION]);
  const recovery = planRecovery(record, 'auto');
  if (!record || recovery.action === 'nothing') return current;
  // Only while the service still serves what that run left: otherwise a person (or another tool) has set
  // the traffic since, and replaying the record would undo them. This release starts from the live traffic.
  const check = checkRecord(record, current);
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
    return settled;
  });
}

/** Moves users to the passed candidate in steps, with a gate at each; on a failed gate, back to the baseline. */
async function rollOut(
  config: DeployConfig,
  plan: CandidatePlan,
  result: CandidateResult,
  name: string,
  release: ReleaseRecord,
  ports: ReleasePorts,
): Promise<CandidateResult> {
  const { cloudRun, log } = ports;
  const ended = () => {
    if (plan.action === 'update' && !plan.takesAllTraffic)
      ports.saveRecord({ ...release, phase: 'deployed' });
  };
  if (plan.takesAllTraffic) {
    ended();
    log.info(`${plan.revision} already serves all traffic (first deploy): nothing to shift.`);
    return { ...result, verdict: 'promoted' };
  }
  if (config.rollout === 'candidate') {
    ended();
    log.info(
      `Candidate ${plan.revision} is ready at ${result.tagUrl} with no traffic (\`rollout: candidate\`).`,
    );
    return result;
  }
  const steps = planSteps(plan.restoreTraffic, plan.revision, plan.tag, config.trafficSteps, {
    followLatest: config.followLatest,
  });
  let record: ReleaseRecord = { ...release, phase: 'rolling-out' };
  const save = (next: ReleaseRecord) => {
    record = next;
    ports.saveRecord(record);
    return { [RECORD_ANNOTATION]: encodeRecord(record) };
  };
  save(record);
  const reportSteps: ReportStep[] = config.trafficSteps.map((percent) => ({ percent, status: 'pending' }));
  const reportStep = async (i: number, step: Partial<ReportStep>, traffic?: TrafficTarget[]) => {
    reportSteps[i] = { ...reportSteps[i], ...step };
    await ports.report?.({
      phase: 'rolling-out',
      steps: reportSteps.map((x) => ({ ...x })),
      ...(traffic && { traffic }),
    });
  };
  let expected = result.traffic;
  let i = 0;
  try {
    for (; i < steps.length; i++) {
      const percent = config.trafficSteps[i];
      const live = await log.group(
        `Shift traffic ${percent}% -> ${plan.revision} (step ${i + 1} of ${steps.length})`,
        async () => {
          const updated = await cloudRun.setTraffic(name, steps[i], {
            expectTraffic: expected,
            annotations: save({ ...record, step: i }),
          });
          log.info(`Traffic now ${describeTraffic(updated.traffic)}.`);
          return updated;
        },
      );
      expected = live.traffic;
      await reportStep(i, { status: 'shifted', at: new Date(ports.now()).toISOString() }, live.traffic);
      const { failures, notes } = await log.group(
        `Check step ${i + 1}: ${percent}% for ${Math.round(config.stepWaitMs[i] / 1000)} s`,
        () => checkStep(config, plan, result, percent, config.stepWaitMs[i], ports),
      );
      if (failures.length > 0) {
        await reportStep(i, { status: 'failed', detail: failures.join('; ') });
        const why = `Step ${i + 1} (${percent} %) failed its checks:\n${failures.join('\n')}`;
        return rollBack(config, plan, result, name, [expected], why, save, record, ports);
      }
      save({ ...record, verifiedStep: i });
      // What the gate could not check goes in the report too (docs: the share needs X-Revision).
      await reportStep(i, { status: 'verified', ...(notes.length > 0 && { detail: notes.join('; ') }) });
    }
  } catch (err) {
    const at = `step ${Math.min(i, steps.length - 1) + 1} (${config.trafficSteps[Math.min(i, steps.length - 1)]} %)`;
    if (err instanceof ConcurrentChange) {
      save({ ...record, phase: 'abandoned' });
      return {
        ...result,
        traffic: expected,
        verdict: 'failed',
        failure: `${err.message} The release stopped at ${at} and left the traffic as the other change set it.`,
      };
    }
    // Anything else (the API failing past its retries, a token that cannot be refreshed): traffic may be
    // at the step before or at this step (an update whose answer was lost); either way, back to the baseline.
    // The failure's hint is said once: after the rollback's outcome, or not at all when the rollback
    // failed too (its own next step replaces it).
    const why = `The release failed at ${at}: ${describeProblem(err)}`;
    log.error(why);
    return rollBack(
      config,
      plan,
      result,
      name,
      [expected, ...(steps[i] ? [steps[i]] : [])],
      why,
      save,
      record,
      ports,
      err instanceof StepError ? err.hint : undefined,
    );
  }
  let finalTraffic: CloudRunService;
  const cleanup = cleanUpTags(config, plan, expected);
  const promoting = config.trafficSteps[config.trafficSteps.length - 1] === 100;
  if (cleanup.removed.length > 0)
    log.info(
      `Removing this action's older release tags ${cleanup.removed.join(', ')} (keeping ${cleanup.kept.join(', ')}; \`keep_release_tags: ${config.keepReleaseTags}\`).`,
    );
  try {
    finalTraffic = await cloudRun.setTraffic(name, cleanup.traffic, {
      expectTraffic: expected,
      annotations: {
        ...save({ ...record, phase: 'promoted' }),
        ...(promoting && { [TAGS_ANNOTATION]: JSON.stringify(cleanup.kept) }),
      },
    });
  } catch (err) {
    if (err instanceof ConcurrentChange) {
      // Someone else moved the traffic during the last bake: theirs stands, and the release is not promoted.
      save({ ...record, phase: 'abandoned' });
      const theirs = (await cloudRun.getService(name).catch(() => undefined))?.traffic ?? expected;
      log.error(`Not promoted: ${err.message}`);
      return {
        ...result,
        traffic: theirs,
        verdict: 'failed',
        failure: `${err.message} Every step had passed; the release stopped before its promotion and left the traffic as the other change set it.`,
      };
    }
    // Every step passed and traffic is at the last step's split; only the write that records the promotion
    // (and takes older release tags off) failed. The record on the service is stale: it still says the last
    // step was not verified, so a later run would set the baseline back before its own release. The
    // runner state says promoted, so this job's post step leaves it.
    log.warning(
      `Traffic is at the last step's split, but recording the release as promoted on the service failed: ${describeProblem(err)} Rerun the job to record it; otherwise the next release first sets the baseline back.`,
    );
    const live = await cloudRun.getService(name).catch(() => undefined);
    finalTraffic = live ?? ({ name, template: { containers: [] }, traffic: expected } as CloudRunService);
  }
  const last = config.trafficSteps[config.trafficSteps.length - 1];
  const drainsBy = drainDeadline(new Date(ports.now()), config.streaming.timeoutSeconds).toISOString();
  log.info(
    last === 100
      ? `Promoted: ${plan.revision} serves all new requests. Streams already open on ${plan.previousRevision} stay there until they close, at the latest by ${drainsBy} (request timeout ${config.streaming.timeoutSeconds} s); session affinity can keep some clients there until then. Do not delete ${plan.previousRevision} before that.`
      : `Partial canary: ${plan.revision} holds ${last} % of new requests; the rest stay on the baseline.`,
  );
  return {
    ...result,
    traffic: finalTraffic.traffic,
    verdict: last === 100 ? 'promoted' : 'canary',
    drainsBy,
  };
}

/**
 * The gate of one step: rounds of light smoke tests and a share sample (core/step-gate.ts) for the bake
 * time. A round that finds a problem is confirmed by the next round, run at once: only two failing rounds
 * in a row fail the step, so one stall or one lost request on a busy runner never rolls a release back.
 */
async function checkStep(
  config: DeployConfig,
  plan: CandidatePlan,
  result: CandidateResult,
  percent: number,
  waitMs: number,
  ports: ReleasePorts,
): Promise<{ failures: string[]; notes: string[] }> {
  const { log } = ports;
  const gate = planGate(config, { serviceUrl: result.url, tagUrl: result.tagUrl });
  for (const note of gate.notes) log.info(note);
  const notes = new Set(gate.notes);
  if (gate.sample) await awaitSplit(config, plan, result, percent, gate.sample, ports);
  const until = ports.now() + waitMs;
  let unconfirmed: string[] = [];
  for (let round = 1; ; round++) {
    const failures = await checkRound(config, plan, result, percent, gate, round, ports, notes);
    if (failures.length > 0 && unconfirmed.length > 0) return { failures, notes: [...notes] };
    if (failures.length > 0) {
      log.info(
        `Round ${round} found a problem; the next round confirms it or clears it: ${failures.join('; ')}`,
      );
      unconfirmed = failures;
      continue;
    }
    if (unconfirmed.length > 0)
      log.info(`Round ${round} passed: the problem of round ${round - 1} was not confirmed.`);
    unconfirmed = [];
    if (ports.now() >= until) return { failures: [], notes: [...notes] };
    await ports.sleep(Math.min(1000, until - ports.now()));
  }
}

/** How long a new tag URL or a new split is given to start serving (docs/platform.md "Traffic"). */
const SETTLE_MS = 30_000;

/**
 * Routing changes are not instantaneous (docs/platform.md "Traffic"): a fresh tag's URL can answer 404 or
 * 503 for a while, and a tag moved from the previous revision can still reach it. Waits, bounded, until the
 * tag reaches the candidate (by the `X-Revision` an app sets) or, for apps that do not name their revision,
 * answers anything but 404 or 503; the smoke test then judges the answer.
 */
async function waitForTag(
  config: DeployConfig,
  plan: CandidatePlan,
  tagUrl: string,
  serviceUrl: string,
  publicAccess: CandidateResult['publicAccess'],
  ports: ReleasePorts,
): Promise<void> {
  const path = config.smoke?.healthPath || config.smoke?.path || '/';
  const token = await mintIdToken(config, serviceUrl, publicAccess, ports);
  const started = ports.now();
  for (let tries = 1; ; tries++) {
    const seen = await ports.smoke.sample(tagUrl, path, 1, plan.revision, token);
    let waitingFor: string | undefined;
    if (seen.total === 1 && seen.candidate === 0 && seen.unidentified === 0) waitingFor = 'another revision';
    else if (seen.errors > 0) {
      const status = await ports.smoke.status(tagUrl, path, token);
      if (status === undefined || status === 404 || status === 503) waitingFor = String(status ?? 'nothing');
    }
    if (waitingFor === undefined) {
      if (tries > 1)
        ports.log.info(
          `The tag URL reaches ${plan.revision} after ${Math.round((ports.now() - started) / 1000)} s.`,
        );
      return;
    }
    if (ports.now() - started >= SETTLE_MS) {
      ports.log.warning(
        `The tag URL still answers with ${waitingFor} after ${SETTLE_MS / 1000} s; the smoke test goes ahead.`,
      );
      return;
    }
    if (tries === 1)
      ports.log.info(
        `The tag URL answers with ${waitingFor} yet: waiting for routing to reach ${plan.revision}.`,
      );
    await ports.sleep(1000);
  }
}

/**
 * After a traffic change, samples until the service URL's split matches the step (bounded), so the gate
 * does not judge the previous split that routing still serves (docs/platform.md "Traffic"). An app that
 * does not name its revision cannot show the split: then there is nothing to wait for.
 */
async function awaitSplit(
  config: DeployConfig,
  plan: CandidatePlan,
  result: CandidateResult,
  percent: number,
  sample: NonNullable<GatePlan['sample']>,
  ports: ReleasePorts,
): Promise<void> {
  const token = await mintIdToken(config, result.url, result.publicAccess, ports);
  const started = ports.now();
  for (;;) {
    const got = await ports.smoke.sample(sample.url, sample.path, SAMPLE_SIZE, plan.revision, token);
    const share = judgeShare(countable(got), percent);
    // Nothing to wait for: the app does not name its revision, or requests fail (the gate judges that).
    if (got.total > 0 && got.unidentified >= got.total) return;
    if (!judgeSampleErrors(got).ok) return;
    if (share.ok) {
      if (ports.now() > started)
        ports.log.info(
          `The split reached ${percent} % after ${Math.round((ports.now() - started) / 1000)} s.`,
        );
      return;
    }
    if (ports.now() - started >= SETTLE_MS) {
      ports.log.info(
        `The split has not settled after ${SETTLE_MS / 1000} s (${share.detail}); the gate judges it now.`,
      );
      return;
    }
    await ports.sleep(1000);
  }
}

/** One gate round: the light smoke tests and the share sample side by side; the problems it found. */
async function checkRound(
  config: DeployConfig,
  plan: CandidatePlan,
  result: CandidateResult,
  percent: number,
  gate: GatePlan,
  round: number,
  ports: ReleasePorts,
  notes: Set<string>,
): Promise<string[]> {
  const { smoke, log } = ports;
  const origins = [result.url, result.tagUrl, ...result.urls];
  const failures: string[] = [];
  const token = await mintIdToken(config, result.url, result.publicAccess, ports);
  // The light smoke tests and the share sample are independent: they run side by side, so a round takes
  // as long as one light test.
  const [outcomes, sample] = await Promise.all([
    Promise.all(
      gate.probes.map(({ url }) => (gate.light ? smoke.run(url, gate.light, origins, token) : undefined)),
    ),
    gate.sample
      ? smoke.sample(gate.sample.url, gate.sample.path, SAMPLE_SIZE, plan.revision, token)
      : undefined,
  ]);
  gate.probes.forEach(({ label }, i) => {
    const outcome = outcomes[i];
    if (!outcome) return;
    log.info(`Round ${round}, ${label}: ${summarizeSmoke(outcome)}`);
    if (outcome.verdict !== 'pass') failures.push(`${label}: ${describeFailures(outcome)}`);
  });
  if (!sample || !gate.sample) return failures;
  let share = judgeShare(countable(sample), percent);
  if (!share.ok && sample.total > 0 && percent > 0 && percent < 100) {
    // A 3-sigma band still misjudges a healthy split about once in a few hundred samples: a share outside
    // it is confirmed by a second, larger, independent sample before it can count.
    const again = await smoke.sample(
      gate.sample.url,
      gate.sample.path,
      2 * SAMPLE_SIZE,
      plan.revision,
      token,
    );
    const confirm = judgeShare(countable(again), percent);
    log.info(`Round ${round}, share outside the band (${share.detail}); a second sample: ${confirm.detail}`);
    if (confirm.ok)
      share = { ok: true, detail: `${share.detail}; not confirmed by a second sample: ${confirm.detail}` };
  }
  const errors = judgeSampleErrors(sample);
  log.info(`Round ${round}, share: ${share.detail}${errors.detail ? `; ${errors.detail}` : ''}`);
  if (!share.ok) failures.push(`share: ${share.detail}`);
  if (/^not checked/.test(share.detail))
    notes.add(
      'share not checked: the app does not name its revision (add the header X-Revision: $K_REVISION)',
    );
  if (!errors.ok) failures.push(`service URL: ${errors.detail}`);
  return failures;
}

/** When the candidate names itself but some answers do not, those came from a baseline that does not. */
function countable(sample: RevisionSample): RevisionSample {
  return sample.candidate > 0 && sample.unidentified < sample.total ? { ...sample, unidentified: 0 } : sample;
}

/**
 * Sets the baseline back in one update, verifies it, and reports why, without hiding the gate's failure.
 * `expected` lists the traffic states this run may have left (the first is the one it knows it set).
 * `why` says what stopped the release without a hint; `whyHint` is that failure's hint, said only when the
 * rollback landed (a failed rollback's own next step is the one hint then).
 */
async function rollBack(
  config: DeployConfig,
  plan: CandidatePlan,
  result: CandidateResult,
  name: string,
  expected: TrafficTarget[][],
  why: string,
  save: (r: ReleaseRecord) => Record<string, string>,
  record: ReleaseRecord,
  { cloudRun, log }: ReleasePorts,
  whyHint?: string,
): Promise<CandidateResult> {
  const target = config.keepFailedCandidate ? plan.desired.traffic : plan.restoreTraffic;
  return log.group(`Roll back to the baseline`, async () => {
    try {
      const rolledBack: ReleaseRecord = { ...record, phase: 'rolled-back' };
      // The annotation lands with the traffic or not at all; the runner state says rolled back only once
      // the adapter has read the rollback back, so a rollback that failed leaves the rollout unfinished for
      // the post step (and the next run) to restore.
      const restored = await cloudRun.setTraffic(name, target, {
        expectTraffic: expected[0],
        alsoExpect: expected.slice(1),
        annotations: { [RECORD_ANNOTATION]: encodeRecord(rolledBack) },
      });
      save(rolledBack);
      const state = config.keepFailedCandidate
        ? `Traffic is back on the baseline; ${plan.revision} stays at 0 % behind tag ${plan.tag} for debugging.`
        : describeRestore(plan, restored.traffic);
      const drainsBy = drainDeadline(new Date(), config.streaming.timeoutSeconds).toISOString();
      log.info(
        `${state} Streams already open on ${plan.revision} stay there until they close, at the latest by ${drainsBy}.`,
      );
      return {
        ...result,
        traffic: restored.traffic,
        verdict: 'rolled_back' as const,
        failure: `${why}${whyHint ? ` ${whyHint}` : ''}\n${state}`,
        drainsBy,
      };
    } catch (err) {
      if (err instanceof ConcurrentChange) {
        // Someone else moved the traffic while this run was failing: theirs stands, as in rollOut.
        save({ ...record, phase: 'abandoned' });
        const theirs = (await cloudRun.getService(name).catch(() => undefined))?.traffic ?? expected[0];
        log.error(`Not rolled back: ${err.message}`);
        return {
          ...result,
          traffic: theirs,
          verdict: 'failed' as const,
          failure: `${why}\n${err.message} The rollback left the traffic as the other change set it.`,
        };
      }
      // Said once: the same failure as the release's is not repeated, and the one hint (what comes next)
      // is in the failure, not in this log line.
      const problem = describeProblem(err);
      log.error(`Rollback failed: ${problem}`);
      const how = why.endsWith(problem) ? ', the same way.' : `: ${problem}`;
      return {
        ...result,
        traffic: expected[0],
        verdict: 'failed' as const,
        failure: `${why}\nThe rollback failed too${how} Traffic may still be at step ${record.step + 1}: the post step will try again, or run \`stream-deploy rollback --service ${name.split('/')[5]} --region ${name.split('/')[3]} --project ${name.split('/')[1]}\`.`,
      };
    }
  });
}

/** Where the plan means traffic to end: the deploy's own traffic (first deploy, candidate rollout) or the last step, older release tags removed. */
function plannedTraffic(config: DeployConfig, plan: CandidatePlan): TrafficTarget[] {
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

/**
 * `allow_unauthenticated` (docs/platform.md "Public access and IAM"): by the invoker check, already set in
 * the deploy's own update; by an `allUsers` binding when the team chose it; `false` also removes a binding.
 */
async function applyPublicAccess(
  config: DeployConfig,
  plan: CandidatePlan,
  name: string,
  { cloudRun, log }: ReleasePorts,
): Promise<CandidateResult['publicAccess']> {
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

/** An ID token for the service URL unless the service is known to be public; none when auth cannot mint one. */
async function mintIdToken(
  config: DeployConfig,
  audience: string,
  publicAccess: CandidateResult['publicAccess'],
  { idToken, log }: ReleasePorts,
  onMissing?: (why: string) => void,
): Promise<string | undefined> {
  if (config.smokeUrl) return undefined;
  // A binding this run just added takes minutes to apply (docs/platform.md "Public access and IAM"): until
  // then the service still wants a token. The invoker check switched off in the deploy applies at once.
  const propagating = publicAccess === 'added' && config.publicAccessMethod === 'iam-binding';
  if (config.allowUnauthenticated === true && !propagating) return undefined;
  try {
    return await idToken(audience);
  } catch (err) {
    log.warning(
      `Smoke test without an ID token${publicAccess === undefined ? ' (a private service will answer 403)' : ''}: ${(err as Error).message}`,
    );
    onMissing?.((err as Error).message);
    return undefined;
  }
}

/** After a failed smoke test: traffic as found (tag removed) unless the team keeps the candidate; says which. */
async function settleFailedCandidate(
  config: DeployConfig,
  plan: CandidatePlan,
  name: string,
  { cloudRun, log }: ReleasePorts,
): Promise<{ traffic: TrafficTarget[]; state: string; restored?: boolean }> {
  if (plan.takesAllTraffic) {
    const state = `${plan.revision} is the service's only ready revision and already serves all traffic (first deploy): there is nothing to roll back to.`;
    log.error(state);
    return { traffic: plan.desired.traffic, state };
  }
  if (config.keepFailedCandidate) {
    const state = `Traffic is as it was; ${plan.revision} stays reachable at tag ${plan.tag} with 0 % for debugging (\`keep_failed_candidate: true\`).`;
    log.info(state);
    return { traffic: plan.desired.traffic, state };
  }
  try {
    const restored = await cloudRun.setTraffic(name, plan.restoreTraffic);
    const state = describeRestore(plan, restored.traffic);
    log.info(state);
    return { traffic: restored.traffic, state, restored: true };
  } catch (err) {
    const state = `Traffic percentages are as they were (the candidate never had any), but removing tag ${plan.tag} failed: ${(err as Error).message}`;
    log.error(state);
    return { traffic: plan.desired.traffic, state };
  }
}

/** After a revision failed: restore the baseline traffic (removing the half-made tag) and say why it failed. */
async function explainFailedRevision(
  plan: CandidatePlan,
  name: string,
  err: StepError,
  { cloudRun, log }: ReleasePorts,
): Promise<{ error: StepError; restored: boolean }> {
  // A revision that failed says why; an operation this run lost sight of keeps its own cause (once: the
  // error below names the deploy, and its one hint says where traffic is and what to do).
  const why = err instanceof DeployFailure ? await cloudRun.revisionFailure(name, plan.revision) : undefined;
  const reason = why
    ? `${why.reason ?? 'not ready'}: ${why.message ?? describeProblem(err.cause ?? err)}`
    : (err.cause ?? err);
  let trafficState: string;
  let restored = false;
  if (plan.action === 'create') {
    trafficState = `The service was created but has no ready revision, so it serves nothing yet.`;
  } else {
    try {
      const after = await cloudRun.setTraffic(name, plan.restoreTraffic);
      trafficState = describeRestore(plan, after.traffic);
      restored = true;
    } catch (restoreErr) {
      // Cleanup never hides the original failure. The failed revision never served, so percents are unchanged.
      log.error(
        `Could not remove tag ${plan.tag} from the failed revision: ${(restoreErr as Error).message}`,
      );
      trafficState = `Traffic percentages are as they were (the failed revision never served), but tag ${plan.tag} may still point at ${plan.revision}.`;
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
function describeRestore(plan: CandidatePlan, live: readonly TrafficTarget[]): string {
  if (trafficKey(live) !== trafficKey(plan.restoreTraffic)) {
    return `Traffic was set back but reads ${describeTraffic(live)}; expected ${describeTraffic(plan.restoreTraffic)}.`;
  }
  const pinned = plan.pinnedLatest
    ? ` LATEST was pinned to ${plan.pinnedLatest}, the revision it meant before this run, so the candidate cannot take it over.`
    : '';
  return `Traffic and tags are exactly as they were (${describeTraffic(plan.restoreTraffic)}): nothing points at ${plan.revision}.${pinned}`;
}

/** Traffic as `rev=percent` pairs, with tags, for log lines. */
export function describeTraffic(traffic: readonly TrafficTarget[]): string {
  return traffic
    .map(
      (t) =>
        `${t.type === 'TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST' ? 'LATEST' : t.revision}=${t.percent}%${t.tag ? ` (tag ${t.tag})` : ''}`,
    )
    .join(', ');
}
