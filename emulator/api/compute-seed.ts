// Seeding a load balancer in front of a Cloud Run service, a test control beside seedService: a serverless
// NEG, a backend service, a URL map, a target HTTPS proxy and a global forwarding rule, created through the
// Compute fake's own insert paths over HTTP, so Google's validation applies (a `timeoutSec` on the backend
// service is refused, as the real API refuses it). emulator.ts then opens the forwarding rule's front door.

export interface SeedLoadBalancerOptions {
  /** Prefix of every resource's name: NAME-neg, NAME-backend, NAME-url-map, NAME-https-proxy, NAME-forwarding-rule. */
  name: string;
  /** The Cloud Run service id the NEG names (cloudRun.service). */
  service: string;
  /** Region of the NEG and of the service; default `us-central1`. */
  region?: string;
  /** Pins the NEG to this revision tag (cloudRun.tag). */
  tag?: string;
  /** A URL mask (cloudRun.urlMask), e.g. `stream.example.test/<service>`. */
  urlMask?: string;
  /** Hosts of the URL map's host rule; default `['stream.example.test']`. */
  hosts?: string[];
  /** Paths of a path rule to the backend (e.g. `['/events', '/streams/*']`), which carries the route timeout. */
  streamPaths?: string[];
  /** Cloud CDN: off (default) or its cache mode. */
  cdn?: 'off' | 'CACHE_ALL_STATIC' | 'USE_ORIGIN_HEADERS' | 'FORCE_CACHE_ALL';
  /** The backend service's compressionMode; left unset by default. */
  compression?: 'AUTOMATIC' | 'DISABLED';
  /** The backend service's sessionAffinity; default NONE. */
  sessionAffinity?: string;
  /** IAP on the backend service, with an OAuth client of its own (its id comes back as `iapClientId`). */
  iap?: boolean;
  /** logConfig.enable; default true. */
  logging?: boolean;
  /** routeAction.timeout of the stream paths' rule (or, without stream paths, of the matcher's default route). */
  routeTimeoutSec?: number;
  /** loadBalancingScheme of the backend service and forwarding rule; default EXTERNAL_MANAGED. */
  scheme?: 'EXTERNAL_MANAGED' | 'EXTERNAL';
  /** Sent as the backend service's timeoutSec: Google refuses any but the default with a serverless NEG. */
  timeoutSec?: number;
}

/** The seeded load balancer: its front door, hosts, address and resources. */
export interface SeededLoadBalancer {
  /** The forwarding rule's front door: `http://127.0.0.1:PORT` (send a `Host` of `hosts` to match the host rule). */
  frontDoorUrl: string;
  hosts: string[];
  /** The forwarding rule's IPAddress (a request with this Host falls to the URL map's default service). */
  ipAddress: string;
  /** The OAuth client id IAP checks ID tokens' audience against, when `iap`. */
  iapClientId?: string;
  names: LoadBalancerNames;
  selfLinks: LoadBalancerNames;
}

export interface LoadBalancerNames {
  networkEndpointGroup: string;
  backendService: string;
  urlMap: string;
  targetHttpsProxy: string;
  forwardingRule: string;
}

/** Where and how the seed reaches the Compute fake. */
export interface ComputeSeedTarget {
  baseUrl: string;
  project: string;
  projectNumber: string;
  /** A bearer the fake accepts with every permission (the control principal's). */
  token: string;
}

type Json = Record<string, unknown>;

/** Creates the five resources in order; rejects with the API's error message. */
export async function createLoadBalancer(
  target: ComputeSeedTarget,
  options: SeedLoadBalancerOptions,
): Promise<Omit<SeededLoadBalancer, 'frontDoorUrl'>> {
  const region = options.region ?? 'us-central1';
  const hosts = options.hosts ?? ['stream.example.test'];
  const scheme = options.scheme ?? 'EXTERNAL_MANAGED';
  const n = options.name;
  const names: LoadBalancerNames = {
    networkEndpointGroup: `${n}-neg`,
    backendService: `${n}-backend`,
    urlMap: `${n}-url-map`,
    targetHttpsProxy: `${n}-https-proxy`,
    forwardingRule: `${n}-forwarding-rule`,
  };
  const insert = (collection: string, body: Json, scope = 'global'): Promise<Json> =>
    call(target, `projects/${target.project}/${scope}/${collection}`, body);

  const neg = await insert(
    'networkEndpointGroups',
    {
      name: names.networkEndpointGroup,
      networkEndpointType: 'SERVERLESS',
      cloudRun: {
        service: options.service,
        ...(options.tag ? { tag: options.tag } : {}),
        ...(options.urlMask ? { urlMask: options.urlMask } : {}),
      },
    },
    `regions/${region}`,
  );
  const iapClientId = options.iap ? `${target.projectNumber}-${n}-iap.apps.googleusercontent.com` : undefined;
  const cdn = options.cdn ?? 'off';
  const backend = await insert('backendServices', {
    name: names.backendService,
    protocol: 'HTTPS',
    loadBalancingScheme: scheme,
    backends: [{ group: neg.targetLink }],
    enableCDN: cdn !== 'off',
    ...(cdn !== 'off' ? { cdnPolicy: { cacheMode: cdn } } : {}),
    ...(options.compression ? { compressionMode: options.compression } : {}),
    ...(options.sessionAffinity ? { sessionAffinity: options.sessionAffinity } : {}),
    ...(iapClientId
      ? { iap: { enabled: true, oauth2ClientId: iapClientId, oauth2ClientSecret: `secret-${n}` } }
      : {}),
    logConfig: options.logging === false ? { enable: false } : { enable: true, sampleRate: 1 },
    ...(options.timeoutSec !== undefined ? { timeoutSec: options.timeoutSec } : {}),
  });
  const service = backend.targetLink;
  const timeout =
    options.routeTimeoutSec !== undefined
      ? { timeout: { seconds: String(options.routeTimeoutSec) } }
      : undefined;
  const streamPaths = options.streamPaths ?? [];
  const urlMap = await insert('urlMaps', {
    name: names.urlMap,
    defaultService: service,
    hostRules: [{ hosts, pathMatcher: 'streams' }],
    pathMatchers: [
      {
        name: 'streams',
        defaultService: service,
        ...(streamPaths.length > 0
          ? { pathRules: [{ paths: streamPaths, service, ...(timeout ? { routeAction: timeout } : {}) }] }
          : timeout
            ? { defaultRouteAction: timeout }
            : {}),
      },
    ],
  });
  const proxy = await insert('targetHttpsProxies', {
    name: names.targetHttpsProxy,
    urlMap: urlMap.targetLink,
  });
  const rule = await insert('forwardingRules', {
    name: names.forwardingRule,
    IPProtocol: 'TCP',
    portRange: '443',
    target: proxy.targetLink,
    loadBalancingScheme: scheme,
  });
  const ruleLink = String(rule.targetLink);
  const stored = await call(target, ruleLink.replace(/^.*\/compute\/v1\//, ''));
  return {
    hosts,
    ipAddress: String(stored.IPAddress),
    ...(iapClientId ? { iapClientId } : {}),
    names,
    selfLinks: {
      networkEndpointGroup: String(neg.targetLink),
      backendService: String(backend.targetLink),
      urlMap: String(urlMap.targetLink),
      targetHttpsProxy: String(proxy.targetLink),
      forwardingRule: ruleLink,
    },
  };
}

async function call(target: ComputeSeedTarget, path: string, body?: Json): Promise<Json> {
  const url = `${target.baseUrl}/compute/v1/${path}`;
  const res = await fetch(url, {
    method: body ? 'POST' : 'GET',
    headers: { authorization: `Bearer ${target.token}`, 'content-type': 'application/json' },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  const answer = (await res.json()) as Json;
  if (!res.ok)
    throw new Error(
      `seeding a load balancer: ${body ? 'POST' : 'GET'} ${url} answered ${res.status}: ${(answer.error as { message?: string })?.message}`,
    );
  return answer;
}
