// The load balancer in front of the service: found and checked before the candidate deploy (its errors
// stop the release like lint errors), and smoke-tested through at the last step, where a failure rolls the
// release back like any failed check (a candidate that stops sending `Cache-Control: no-store` is cached by
// a CDN only there). Decisions in core/load-balancer.ts; reads through the ports.
import type { DeployConfig } from '../core/config';
import { chainFor, describeChain, judgeLoadBalancer, serviceHosts } from '../core/load-balancer';
import type { LoadBalancerReport } from '../core/report-types';
import type { CandidatePlan } from '../core/service-plan';
import { describeFailures, summarizeSmoke } from '../core/smoke';
import type { LintFinding } from '../core/streaming-lint';
import { StepError } from '../errors';
import type { ReleasePorts } from '../ports';
import type { Tracker } from './tracker';

export interface LoadBalancerCheck {
  findings: LintFinding[];
  report: LoadBalancerReport;
  /** The URL the last step smoke-tests through; undefined when there is nothing to test. */
  url?: string;
}

/** Reads the chain in front of the service and judges it; `required` makes an unreadable chain fatal. */
export async function checkLoadBalancer(
  config: DeployConfig,
  plan: CandidatePlan,
  ports: ReleasePorts,
): Promise<LoadBalancerCheck> {
  const { log } = ports;
  if (config.loadBalancer.use === 'off' || !ports.loadBalancer)
    return { findings: [], report: { status: 'off', detail: 'not checked (`load_balancer: off`)' } };
  const reader = ports.loadBalancer;
  return log.group('Check the load balancer in front', async () => {
    const got = await reader.read(config.projectId, config.region);
    if (got.kind === 'denied' || got.kind === 'error') {
      if (config.loadBalancer.use === 'required')
        throw new StepError({
          operation: 'read the load balancer in front of',
          target: `projects/${config.projectId}`,
          cause: got.message,
          hint: 'grant roles/compute.viewer on the project, or set `load_balancer: auto` to go on without the check',
        });
      // A missing optional role is the usual case, said once in the log and the report like a skipped
      // gate; an API that fails is worth a warning.
      const detail = `skipped: ${got.message}`;
      (got.kind === 'denied' ? log.info : log.warning)(`Load-balancer check ${detail}`);
      return { findings: [], report: { status: 'skipped', detail } };
    }
    const chain = got.kind === 'data' ? chainFor(got.value, config.service) : undefined;
    if (!chain || chain.routes.length === 0) {
      const detail = `none found: no serverless NEG in ${config.region} leads a URL map to ${config.service}`;
      log.info(`Load balancer: ${detail}.`);
      return { findings: [], report: { status: 'none', detail } };
    }
    const findings = judgeLoadBalancer(chain, {
      config,
      planned: plan.desired,
      managedTags: [config.tag, ...plan.releaseTags],
    });
    const lines = describeChain(chain);
    for (const line of lines) log.info(line);
    for (const f of findings)
      (f.severity === 'error' ? log.error : log.warning)(`[${f.rule}] ${f.message} (${f.source})`);
    const host = serviceHosts(chain)[0];
    const url = config.loadBalancer.url ?? (host ? `https://${host}` : undefined);
    const errors = findings.filter((f) => f.severity === 'error').length;
    const detail = `${chain.frontends.length} forwarding rule(s), ${chain.routes.length} route(s) to ${config.service}: ${errors} error(s), ${findings.length - errors} warning(s)`;
    return { findings, url, report: { status: 'found', detail, chain: lines, ...(url && { url }) } };
  });
}

/**
 * The smoke test through the load balancer at the last step: what users get. The ID token goes only to a
 * URL that is one of the service's custom audiences; returns the failures (empty when it passed).
 */
export async function smokeThroughLoadBalancer(
  config: DeployConfig,
  plan: CandidatePlan,
  url: string,
  ports: ReleasePorts,
  tracker: Tracker,
): Promise<string[]> {
  if (!config.smoke) return [];
  const audiences = plan.desired.customAudiences ?? [];
  const own = audiences.some((a) => a.replace(/\/+$/, '') === url);
  let idToken: string | undefined;
  if (own && config.allowUnauthenticated !== true) idToken = await ports.idToken(url).catch(() => undefined);
  const result = await ports.smoke.run(url, config.smoke, own ? [url] : [], idToken);
  const summary = summarizeSmoke(result);
  ports.log.info(`Through the load balancer (${url}): ${summary}`);
  await tracker.emit({ type: 'lb-smoke-judged', url, verdict: result.verdict, summary });
  if (result.verdict === 'pass') return [];
  // The tag URL passed the same test: what differs is the path through the load balancer.
  return [
    `the smoke test through the load balancer (${url}) did not pass: ${describeFailures(result).replace(/\n/g, '; ') || summary}. The candidate's tag URL passed the same test, so look at what the load balancer does to the stream (Cloud CDN, compressionMode, IAP, a route timeout: the check before the deploy lists them)`,
  ];
}
