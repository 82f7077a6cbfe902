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

export interface ReleasePorts {
  cloudRun: CloudRunPort;
  log: Log;
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
  return {
    url: deployed.uri,
    tagUrl,
    revision: plan.revision,
    previousRevision: plan.previousRevision,
    traffic: deployed.traffic,
    findings,
    tookAllTraffic: plan.takesAllTraffic,
    publicAccess,
  };
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
      const restored = await cloudRun.setTraffic(name, plan.baselineTraffic);
      const same = sameTraffic(restored.traffic, plan.baselineTraffic);
      trafficState = same
        ? `Traffic and tags are exactly as they were (${describeTraffic(plan.baselineTraffic)}): nothing points at ${plan.revision}.`
        : `Traffic was set back but now reads ${describeTraffic(restored.traffic)}; expected ${describeTraffic(plan.baselineTraffic)}.`;
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
