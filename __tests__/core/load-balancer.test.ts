// The chain in front of a service from Google's Compute lists, and each streaming pitfall of it
// (src/core/load-balancer.ts; docs/platform.md "Load balancer in front").
import {
  chainFor,
  describeChain,
  judgeLoadBalancer,
  pathMatches,
  serviceHosts,
  type ComputeLists,
  type LbJudgeInput,
} from '../../src/core/load-balancer';

const P = 'https://www.googleapis.com/compute/v1/projects/demo-project';
const neg = (name: string, cloudRun: { service: string; tag?: string }) => ({
  name,
  selfLink: `${P}/regions/us-central1/networkEndpointGroups/${name}`,
  networkEndpointType: 'SERVERLESS',
  cloudRun,
});

type Backend = ComputeLists['backendServices'][number];

/** One external HTTPS load balancer: host stream.example.com, /events/* and the default to `backend`. */
function lists(backend: Partial<Backend> = {}, extra: Partial<ComputeLists> = {}): ComputeLists {
  const bs: Backend = {
    name: 'api-backend',
    selfLink: `${P}/global/backendServices/api-backend`,
    loadBalancingScheme: 'EXTERNAL_MANAGED',
    backends: [{ group: `${P}/regions/us-central1/networkEndpointGroups/api-neg` }],
    sessionAffinity: 'NONE',
    logConfig: { enable: true },
    ...backend,
  };
  return {
    negs: [neg('api-neg', { service: 'api' }), neg('other-neg', { service: 'other' })],
    backendServices: [bs],
    urlMaps: [
      {
        name: 'web',
        selfLink: `${P}/global/urlMaps/web`,
        defaultService: bs.selfLink,
        hostRules: [{ hosts: ['stream.example.com'], pathMatcher: 'streams' }],
        pathMatchers: [
          {
            name: 'streams',
            defaultService: bs.selfLink,
            pathRules: [{ paths: ['/events/*'], service: bs.selfLink }],
          },
        ],
      },
    ],
    proxies: [
      {
        name: 'web-https',
        selfLink: `${P}/global/targetHttpsProxies/web-https`,
        urlMap: `${P}/global/urlMaps/web`,
        https: true,
      },
    ],
    forwardingRules: [
      {
        name: 'web-fr',
        IPAddress: '34.1.2.3',
        portRange: '443-443',
        target: `${P}/global/targetHttpsProxies/web-https`,
        loadBalancingScheme: 'EXTERNAL_MANAGED',
      },
    ],
    ...extra,
  };
}

const input = (over: Partial<LbJudgeInput> = {}): LbJudgeInput => ({
  config: {
    smoke: { path: '/events/stream' } as LbJudgeInput['config']['smoke'],
    streaming: { timeoutSeconds: 3600 } as LbJudgeInput['config']['streaming'],
  },
  planned: { ingress: 'INGRESS_TRAFFIC_ALL' },
  managedTags: ['pr-12', 'rel-abc1234'],
  ...over,
});

const rules = (l: ComputeLists, over: Partial<LbJudgeInput> = {}) =>
  judgeLoadBalancer(chainFor(l, 'api'), input(over)).map((f) => `${f.severity} ${f.rule}`);

describe('chainFor', () => {
  test('follows NEG -> backend -> URL map -> proxy -> forwarding rule for this service only', () => {
    const chain = chainFor(lists(), 'api');
    expect(chain.backends.map((b) => b.name)).toEqual(['api-backend']);
    expect(chain.routes).toEqual([
      { urlMap: 'web', hosts: ['*'], paths: ['/*'], backend: 'api-backend', neg: 'api-neg' },
      {
        urlMap: 'web',
        hosts: ['stream.example.com'],
        paths: ['/events/*'],
        backend: 'api-backend',
        neg: 'api-neg',
      },
      { urlMap: 'web', hosts: ['stream.example.com'], paths: ['/*'], backend: 'api-backend', neg: 'api-neg' },
    ]);
    expect(chain.frontends).toEqual([
      {
        forwardingRule: 'web-fr',
        address: '34.1.2.3:443',
        scheme: 'EXTERNAL_MANAGED',
        https: true,
        urlMap: 'web',
      },
    ]);
    expect(serviceHosts(chain)).toEqual(['stream.example.com']);
    expect(describeChain(chain)[0]).toBe('web-fr (EXTERNAL_MANAGED, HTTPS 34.1.2.3:443) -> URL map web');
    expect(chainFor(lists(), 'nothing-here')).toEqual({ routes: [], backends: [], frontends: [] });
  });

  test('route timeouts and pinned tags are read from the URL map and the NEG', () => {
    const l = lists();
    l.negs[0] = neg('api-neg', { service: 'api', tag: 'pr-12' });
    l.urlMaps[0].pathMatchers![0].pathRules![0].routeAction = { timeout: { seconds: '30' } };
    const routes = chainFor(l, 'api').routes;
    expect(routes[1]).toMatchObject({ tag: 'pr-12', timeoutSeconds: 30 });
  });
});

describe('judgeLoadBalancer', () => {
  test('a clean chain has no finding; backend timeoutSec (not settable on serverless NEGs) is never flagged', () => {
    expect(rules(lists({ timeoutSec: 30 }))).toEqual([]);
  });

  test.each<[string, Partial<Backend>, string[]]>([
    [
      'load-balancer session affinity',
      { sessionAffinity: 'GENERATED_COOKIE' },
      ['error lb-session-affinity'],
    ],
    [
      'CDN FORCE_CACHE_ALL on the stream path',
      { enableCDN: true, cdnPolicy: { cacheMode: 'FORCE_CACHE_ALL' } },
      ['error lb-cdn-caches-streams'],
    ],
    [
      'CDN that follows origin headers',
      { enableCDN: true, cdnPolicy: { cacheMode: 'USE_ORIGIN_HEADERS' } },
      ['warning lb-cdn-on-stream-path'],
    ],
    ['dynamic compression', { compressionMode: 'AUTOMATIC' }, ['warning lb-compression']],
    ['logging off', { logConfig: { enable: false } }, ['warning lb-logging-off']],
  ])('%s', (_name, backend, want) => {
    expect(rules(lists(backend))).toEqual(want);
  });

  test('FORCE_CACHE_ALL on a backend that does not serve the stream path is no finding', () => {
    const l = lists({ enableCDN: true, cdnPolicy: { cacheMode: 'FORCE_CACHE_ALL' } });
    // Only /static/* reaches the CDN backend; the stream path goes to another backend.
    const m = l.urlMaps[0];
    m.defaultService = undefined;
    m.pathMatchers![0] = {
      name: 'streams',
      pathRules: [{ paths: ['/static/*'], service: l.backendServices[0].selfLink }],
    };
    expect(rules(l)).toEqual([]);
  });

  test('IAP on the load balancer and on the service', () => {
    expect(
      rules(lists({ iap: { enabled: true } }), {
        planned: { ingress: 'INGRESS_TRAFFIC_ALL', iapEnabled: true },
      }),
    ).toEqual(['error lb-iap-twice']);
    expect(rules(lists({ iap: { enabled: true } }))).toEqual([]);
  });

  test('a NEG pinned to a tag this action manages; a tag it does not manage is fine', () => {
    const pinned = (tag: string) => {
      const l = lists();
      l.negs[0] = neg('api-neg', { service: 'api', tag });
      return rules(l);
    };
    expect(pinned('rel-abc1234')).toContain('error lb-neg-pinned-tag');
    expect(pinned('pr-12')).toContain('error lb-neg-pinned-tag');
    expect(pinned('stable')).toEqual([]);
  });

  test('a route timeout below the Cloud Run timeout', () => {
    const l = lists();
    l.urlMaps[0].pathMatchers![0].pathRules![0].routeAction = { timeout: { seconds: '600' } };
    expect(rules(l)).toEqual(['warning lb-route-timeout']);
    l.urlMaps[0].pathMatchers![0].pathRules![0].routeAction = { timeout: { seconds: '3600' } };
    expect(rules(l)).toEqual([]);
  });

  test('internal-only ingress behind an external load balancer', () => {
    expect(rules(lists(), { planned: { ingress: 'INGRESS_TRAFFIC_INTERNAL_ONLY' } })).toEqual([
      'error lb-internal-ingress',
    ]);
    expect(rules(lists(), { planned: { ingress: 'INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER' } })).toEqual([]);
  });
});

test('pathMatches: `/*` is a prefix, anything else exact, the query ignored', () => {
  expect(pathMatches('/events/*', '/events/stream?x=1')).toBe(true);
  expect(pathMatches('/events/*', '/events')).toBe(true);
  expect(pathMatches('/events/*', '/eventsx')).toBe(false);
  expect(pathMatches('/events', '/events')).toBe(true);
  expect(pathMatches('/events', '/events/a')).toBe(false);
  expect(pathMatches('/*', '/anything')).toBe(true);
});
