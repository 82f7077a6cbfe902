// The one orchestrator: reads the live service, plans and lints the candidate, deploys it with no
// traffic, and on a failed revision puts traffic back exactly as it was. Decisions come from src/core;
// I/O goes through the ports.
import type { DeployConfig, RunContext } from './core/config';
import type { TrafficTarget } from './core/cloud-run-types';
import { planCandidate, serviceName, type CandidatePlan } from './core/service-plan';
import { blockingFindings, lintStreaming, type LintFinding } from './core/streaming-lint';
import { LintError, StepError } from './errors';
import { DeployFailure, type CloudRunPort } from './adapters/cloud-run';
import type { Log } from './adapters/log';
import type { SmokeResult } from './core/smoke-types';
import { describeFailures, summarizeSmoke } from './core/smoke-verdict';

/** Runs one smoke test; the ID token goes only to `allowedOrigins` (the service's own URLs). */
export interface SmokePort {
  run(
    url: string,
    criteria: NonNullable<DeployConfig['smoke']>,
    allowedOrigins: string[],
    idToken?: string,
  ): Promise<SmokeResult>;
}

export interface ReleasePorts {
  cloudRun: CloudRunPort;
  log: Log;
  smoke: SmokePort;
  /** An ID token for the service URL audience (FACTS.md "Private services"); rejects when auth cannot mint one. */
  idToken(audience: string): Promise<string>;
}

/** What the candidate deploy produced, for outputs and (later) the report. */
export interface CandidateResult {
  url: string;
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
  const plan = planCandidate(config, current, context);
  const findings = lintStreaming(config, plan.desired);
  await log.group(`Lint streaming settings (${config.profile} profile)`, async () => {
    if (findings.length === 0) log.info('No streaming pitfalls found.');
    for (const f of findings)
      (f.severity === 'error' ? log.error : log.warning)(`[${f.rule}] ${f.message} (${f.source})`);
  });
  const blocking = blockingFindings(findings, config.lintLevel);
  if (blocking.length > 0) throw new LintError(blocking);

  const title = plan.takesAllTraffic
    ? `Deploy ${plan.revision} (first ready revision: all traffic)`
    : `Deploy candidate ${plan.revision} (no traffic)`;
  const deployed = await log.group(title, async () => {
    for (const note of plan.notes) log.info(note);
    log.debug(`Service sent: ${JSON.stringify(plan.desired)}`);
    try {
      return await cloudRun.applyService(plan.desired, plan.action);
    } catch (err) {
      if (err instanceof DeployFailure) throw await explainFailedRevision(plan, name, err, ports);
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

  let publicAccess: CandidateResult['publicAccess'];
  if (config.allowUnauthenticated !== undefined) {
    publicAccess = await log.group(
      config.allowUnauthenticated ? 'Allow unauthenticated invocations' : 'Require authenticated invocations',
      async () => {
        const change = await cloudRun.setPublicAccess(name, config.allowUnauthenticated as boolean);
        log.info(`allUsers as roles/run.invoker: ${change}.`);
        return change;
      },
    );
  }
  const result: CandidateResult = {
    url: deployed.uri,
    tagUrl,
    revision: plan.revision,
    previousRevision: plan.previousRevision,
    traffic: deployed.traffic,
    findings,
    tookAllTraffic: plan.takesAllTraffic,
    publicAccess,
  };
  if (!config.smoke) {
    log.warning(
      'The smoke test is off (`smoke_protocol: none`): nothing checked that the candidate streams.',
    );
    return result;
  }
  const origins = [deployed.uri, ...(deployed.trafficStatuses ?? []).map((t) => t.uri)].filter(
    (u): u is string => Boolean(u),
  );
  const target = config.smokeUrl ?? tagUrl;
  const smoke = await log.group(
    `Smoke test ${config.smoke.protocol.toUpperCase()} via ${config.smokeUrl ? target : `tag ${config.tag}`}`,
    async () => {
      const token = await mintIdToken(config, deployed.uri as string, publicAccess, ports);
      const outcome = await ports.smoke.run(target, config.smoke!, origins, token);
      for (const check of outcome.checks)
        (check.ok ? log.info : log.error)(`${check.ok ? 'ok  ' : 'FAIL'} ${check.name}: ${check.detail}`);
      log.info(summarizeSmoke(outcome));
      return outcome;
    },
  );
  result.smoke = smoke;
  if (smoke.verdict === 'pass') return result;

  const traffic = await log.group(
    config.keepFailedCandidate
      ? `Keep failed candidate ${plan.revision} for debugging`
      : `Remove tag ${config.tag} from failed candidate ${plan.revision}`,
    () => settleFailedCandidate(config, plan, name, ports),
  );
  result.traffic = traffic.traffic;
  result.failure = `The smoke test through ${target} ${smoke.verdict === 'fail' ? 'failed' : 'was inconclusive'}, so ${plan.revision} gets no traffic.\n${describeFailures(smoke)}\n${traffic.state}`;
  return result;
}

/** An ID token for the service URL unless the service is known to be public; none when auth cannot mint one. */
async function mintIdToken(
  config: DeployConfig,
  audience: string,
  publicAccess: CandidateResult['publicAccess'],
  { idToken, log }: ReleasePorts,
): Promise<string | undefined> {
  if (config.allowUnauthenticated === true || config.smokeUrl) return undefined;
  try {
    return await idToken(audience);
  } catch (err) {
    log.warning(
      `Smoke test without an ID token${publicAccess === undefined ? ' (a private service will answer 403)' : ''}: ${(err as Error).message}`,
    );
    return undefined;
  }
}

/** After a failed smoke test: traffic as found (tag removed) unless the team keeps the candidate; says which. */
async function settleFailedCandidate(
  config: DeployConfig,
  plan: CandidatePlan,
  name: string,
  { cloudRun, log }: ReleasePorts,
): Promise<{ traffic: TrafficTarget[]; state: string }> {
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
    return { traffic: restored.traffic, state };
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
  err: DeployFailure,
  { cloudRun, log }: ReleasePorts,
): Promise<StepError> {
  const why = await cloudRun.revisionFailure(name, plan.revision);
  const reason = why ? `${why.reason ?? 'not ready'}: ${why.message ?? err.message}` : err.message;
  let trafficState: string;
  if (plan.action === 'create') {
    trafficState = `The service was created but has no ready revision, so it serves nothing yet.`;
  } else {
    try {
      const restored = await cloudRun.setTraffic(name, plan.restoreTraffic);
      trafficState = describeRestore(plan, restored.traffic);
    } catch (restoreErr) {
      // Cleanup never hides the original failure. The failed revision never served, so percents are unchanged.
      log.error(
        `Could not remove tag ${plan.tag} from the failed revision: ${(restoreErr as Error).message}`,
      );
      trafficState = `Traffic percentages are as they were (the failed revision never served), but tag ${plan.tag} may still point at ${plan.revision}.`;
    }
  }
  log.info(trafficState);
  return new StepError({
    operation: `deploy revision ${plan.revision} of`,
    target: name,
    cause: reason,
    hint: `${trafficState} Inspect the revision: gcloud run revisions describe ${plan.revision} --region ${name.split('/')[3]} --project ${name.split('/')[1]}.`,
  });
}

/** Says whether the live traffic is exactly the restore target, and how LATEST was pinned if it was. */
function describeRestore(plan: CandidatePlan, live: readonly TrafficTarget[]): string {
  if (!sameTraffic(live, plan.restoreTraffic)) {
    return `Traffic was set back but reads ${describeTraffic(live)}; expected ${describeTraffic(plan.restoreTraffic)}.`;
  }
  const pinned = plan.baselineTraffic.some((t) => t.type === 'TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST')
    ? ` LATEST was pinned to ${plan.previousRevision}, the revision it meant before this run, so the candidate cannot take it over.`
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

function sameTraffic(a: readonly TrafficTarget[], b: readonly TrafficTarget[]): boolean {
  const key = (list: readonly TrafficTarget[]) =>
    JSON.stringify(list.map((t) => [t.type, t.revision ?? '', t.percent, t.tag ?? '']).sort());
  return key(a) === key(b);
}
