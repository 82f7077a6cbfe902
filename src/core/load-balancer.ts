// The load balancer in front of a Cloud Run service, from the Compute Engine API's lists: serverless NEGs
// for the service -> backend services -> URL maps (host and path rules) -> target proxies -> forwarding
// rules; and the streaming pitfalls of that chain (docs/platform.md "Load balancer in front"). Pure: the
// lists come in as Google sends them (adapters/compute.ts reads them).
import type { DeployConfig } from './config';
import type { CloudRunService } from './cloud-run-types';
import type { LintFinding } from './streaming-lint';

/** The Compute API resources the chain is built from, each as Google's JSON (only the fields read here). */
export interface ComputeLists {
  negs: Array<{
    name: string;
    selfLink: string;
    cloudRun?: { service?: string; tag?: string; urlMask?: string };
  }>;
  backendServices: Array<{
    name: string;
    selfLink: string;
    loadBalancingScheme?: string;
    backends?: Array<{ group?: string }>;
    sessionAffinity?: string;
    enableCDN?: boolean;
    cdnPolicy?: { cacheMode?: string };
    compressionMode?: string;
    iap?: { enabled?: boolean };
    logConfig?: { enable?: boolean };
    timeoutSec?: number;
  }>;
  urlMaps: Array<{
    name: string;
    selfLink: string;
    defaultService?: string;
    defaultRouteAction?: RouteAction;
    hostRules?: Array<{ hosts?: string[]; pathMatcher?: string }>;
    pathMatchers?: Array<{
      name: string;
      defaultService?: string;
      defaultRouteAction?: RouteAction;
      pathRules?: Array<{ paths?: string[]; service?: string; routeAction?: RouteAction }>;
    }>;
  }>;
  proxies: Array<{ name: string; selfLink: string; urlMap?: string; https: boolean }>;
  forwardingRules: Array<{
    name: string;
    IPAddress?: string;
    portRange?: string;
    target?: string;
    loadBalancingScheme?: string;
  }>;
}

interface RouteAction {
  timeout?: { seconds?: string | number; nanos?: number };
}

/** One way a request reaches the service: host and path rule -> backend -> NEG. */
export interface LbRoute {
  urlMap: string;
  /** The hosts of the host rule; `*` for the URL map's default. */
  hosts: string[];
  /** The path rule's paths; `/*` for a matcher's default. */
  paths: string[];
  backend: string;
  neg: string;
  /** The tag the NEG pins, if any. */
  tag?: string;
  urlMask?: string;
  timeoutSeconds?: number;
}

export interface LbBackend {
  name: string;
  scheme: string;
  sessionAffinity: string;
  /** The CDN cache mode when Cloud CDN is on. */
  cdn?: string;
  compression: string;
  iap: boolean;
  logging: boolean;
}

export interface LbFrontend {
  forwardingRule: string;
  address: string;
  scheme: string;
  https: boolean;
  urlMap: string;
}

/** The chain in front of one service; empty lists when no NEG serves it. */
export interface LoadBalancerChain {
  routes: LbRoute[];
  backends: LbBackend[];
  frontends: LbFrontend[];
}

const short = (link: string | undefined) => (link ?? '').split('/').pop() ?? '';

/** The part of the Compute lists that serves `service`: its NEGs and everything that leads to them. */
export function chainFor(lists: ComputeLists, service: string): LoadBalancerChain {
  const negs = new Map(
    lists.negs.filter((n) => n.cloudRun?.service === service).map((n) => [n.selfLink, n] as const),
  );
  const backendNeg = new Map<string, (typeof lists.negs)[number]>();
  const backends: LbBackend[] = [];
  for (const b of lists.backendServices) {
    const neg = (b.backends ?? []).map((x) => negs.get(x.group ?? '')).find((n) => n !== undefined);
    if (!neg) continue;
    backendNeg.set(b.selfLink, neg);
    backends.push({
      name: b.name,
      scheme: b.loadBalancingScheme ?? 'EXTERNAL',
      sessionAffinity: b.sessionAffinity ?? 'NONE',
      ...(b.enableCDN && { cdn: b.cdnPolicy?.cacheMode ?? 'CACHE_ALL_STATIC' }),
      compression: b.compressionMode ?? 'DISABLED',
      iap: b.iap?.enabled === true,
      logging: b.logConfig?.enable === true,
    });
  }
  const routes: LbRoute[] = [];
  const usedMaps = new Set<string>();
  const route = (map: string, hosts: string[], paths: string[], backend?: string, action?: RouteAction) => {
    const neg = backendNeg.get(backend ?? '');
    if (!neg) return;
    usedMaps.add(map);
    const seconds = action?.timeout?.seconds;
    routes.push({
      urlMap: short(map),
      hosts,
      paths,
      backend: short(backend),
      neg: neg.name,
      ...(neg.cloudRun?.tag && { tag: neg.cloudRun.tag }),
      ...(neg.cloudRun?.urlMask && { urlMask: neg.cloudRun.urlMask }),
      ...(seconds !== undefined && { timeoutSeconds: Number(seconds) }),
    });
  };
  for (const m of lists.urlMaps) {
    route(m.selfLink, ['*'], ['/*'], m.defaultService, m.defaultRouteAction);
    for (const rule of m.hostRules ?? []) {
      const matcher = (m.pathMatchers ?? []).find((p) => p.name === rule.pathMatcher);
      if (!matcher) continue;
      const hosts = rule.hosts ?? [];
      for (const p of matcher.pathRules ?? [])
        route(m.selfLink, hosts, p.paths ?? [], p.service, p.routeAction ?? matcher.defaultRouteAction);
      route(
        m.selfLink,
        hosts,
        ['/*'],
        matcher.defaultService,
        matcher.defaultRouteAction ?? m.defaultRouteAction,
      );
    }
  }
  const proxies = new Map(
    lists.proxies.filter((p) => usedMaps.has(p.urlMap ?? '')).map((p) => [p.selfLink, p]),
  );
  const frontends: LbFrontend[] = lists.forwardingRules.flatMap((f) => {
    const proxy = proxies.get(f.target ?? '');
    if (!proxy) return [];
    const port = (f.portRange ?? '').split('-')[0];
    return [
      {
        forwardingRule: f.name,
        address: `${f.IPAddress ?? '?'}${port ? `:${port}` : ''}`,
        scheme: f.loadBalancingScheme ?? 'EXTERNAL',
        https: proxy.https,
        urlMap: short(proxy.urlMap),
      },
    ];
  });
  return { routes, backends, frontends };
}

/** Does a URL map path rule match `path`? `/*` suffixes match by prefix, others exactly. */
export function pathMatches(rule: string, path: string): boolean {
  const bare = path.split('?')[0];
  return rule.endsWith('/*')
    ? bare.startsWith(rule.slice(0, -1)) || bare === rule.slice(0, -2)
    : bare === rule;
}

/** The hosts a client can name to reach the service through the load balancer (no wildcards). */
export function serviceHosts(chain: LoadBalancerChain): string[] {
  const hosts = chain.routes.flatMap((r) => r.hosts).filter((h) => h !== '*' && !h.includes('*'));
  return [...new Set(hosts)];
}

export interface LbJudgeInput {
  config: Pick<DeployConfig, 'smoke' | 'streaming'>;
  /** The service as planned (its ingress and IAP as this release leaves them). */
  planned: Pick<CloudRunService, 'ingress'> & { iapEnabled?: boolean };
  /** Tags this action manages on the service (the candidate's and the promoted releases'). */
  managedTags: readonly string[];
}

const SOURCE = 'docs/platform.md "Load balancer in front"';

/** The streaming pitfalls of the chain: errors stop the release like the linter's. */
export function judgeLoadBalancer(chain: LoadBalancerChain, input: LbJudgeInput): LintFinding[] {
  const out: LintFinding[] = [];
  const add = (rule: string, severity: LintFinding['severity'], message: string) =>
    out.push({ rule, severity, message, source: SOURCE });
  const streamPath = input.config.smoke?.path ?? '/';
  const onStreamPath = (backend: string) =>
    chain.routes.some((r) => r.backend === backend && r.paths.some((p) => pathMatches(p, streamPath)));
  for (const b of chain.backends) {
    if (b.sessionAffinity !== 'NONE')
      add(
        'lb-session-affinity',
        'error',
        `Backend service ${b.name} sets session affinity ${b.sessionAffinity}, which serverless NEG backends do not support; use Cloud Run's own (\`session_affinity: true\`) instead.`,
      );
    if (b.cdn === 'FORCE_CACHE_ALL' && onStreamPath(b.name))
      add(
        'lb-cdn-caches-streams',
        'error',
        `Backend service ${b.name} has Cloud CDN with cache mode FORCE_CACHE_ALL on the stream path ${streamPath}: streams are cached and replayed instead of streamed. Use USE_ORIGIN_HEADERS (and \`Cache-Control: no-store\` on streams) or turn CDN off for that path.`,
      );
    else if (b.cdn && onStreamPath(b.name))
      add(
        'lb-cdn-on-stream-path',
        'warning',
        `Backend service ${b.name} has Cloud CDN (${b.cdn}) on the stream path ${streamPath}; make sure streams answer \`Cache-Control: no-store\` so the CDN neither caches nor holds them.`,
      );
    if (b.compression === 'AUTOMATIC' && onStreamPath(b.name))
      add(
        'lb-compression',
        'warning',
        `Backend service ${b.name} compresses responses (compressionMode AUTOMATIC) on the stream path ${streamPath}: a compressing proxy may hold events until its buffer fills. Set compressionMode DISABLED for streams.`,
      );
    if (b.iap && input.planned.iapEnabled === true)
      add(
        'lb-iap-twice',
        'error',
        `IAP is on both backend service ${b.name} and the Cloud Run service; Cloud Run does not allow both. Keep one.`,
      );
    if (!b.logging)
      add(
        'lb-logging-off',
        'warning',
        `Backend service ${b.name} has request logging off: cut or buffered streams at the load balancer leave no trace to debug.`,
      );
  }
  const managed = new Set(input.managedTags);
  for (const r of chain.routes)
    if (r.tag && managed.has(r.tag))
      add(
        'lb-neg-pinned-tag',
        'error',
        `NEG ${r.neg} pins tag ${r.tag}, which this action moves and removes: the load balancer would follow a preview or lose its backend. Point the NEG at the service (no tag) or at a tag the action does not manage.`,
      );
  const timeout = input.config.streaming.timeoutSeconds;
  for (const r of chain.routes)
    if (r.timeoutSeconds !== undefined && r.timeoutSeconds < timeout)
      add(
        'lb-route-timeout',
        'warning',
        `URL map ${r.urlMap} cuts ${r.hosts.join(', ')} ${r.paths.join(', ')} after ${r.timeoutSeconds} s, below the Cloud Run timeout of ${timeout} s: streams through the load balancer end early.`,
      );
  const ingress = input.planned.ingress;
  const external = chain.frontends.some((f) => f.scheme.startsWith('EXTERNAL'));
  if (ingress === 'INGRESS_TRAFFIC_INTERNAL_ONLY' && external)
    add(
      'lb-internal-ingress',
      'error',
      'Ingress is `internal`, so the external load balancer in front cannot reach the service; set `ingress: internal-and-cloud-load-balancing`.',
    );
  // Internal ingress with no way for the runner to smoke the candidate is the linter's
  // `ingress-internal-smoke` (core/streaming-lint.ts), load balancer or not.
  return out;
}

/** The chain as short lines for the log and the report. */
export function describeChain(chain: LoadBalancerChain): string[] {
  const lines = chain.frontends.map(
    (f) =>
      `${f.forwardingRule} (${f.scheme}, ${f.https ? 'HTTPS' : 'HTTP'} ${f.address}) -> URL map ${f.urlMap}`,
  );
  for (const r of chain.routes)
    lines.push(
      `${r.urlMap}: ${r.hosts.join(', ')} ${r.paths.join(', ')} -> backend ${r.backend} -> NEG ${r.neg}${r.tag ? ` (tag ${r.tag})` : ''}${r.timeoutSeconds !== undefined ? `, route timeout ${r.timeoutSeconds} s` : ''}`,
    );
  return lines;
}
