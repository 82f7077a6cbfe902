// The load balancer in front, through run() (src/run/load-balancer.ts): checked before the candidate
// deploy, its errors stop the release before any write; denied without compute.viewer means skipped
// (`auto`) or a failure (`required`); a chain found is smoke-tested through at the last step, without the
// ID token, and a failure there rolls the release back.
import type { ComputeLists } from '../../src/core/load-balancer';
import type { Observed } from '../../src/core/metric-gate';
import type { DeployConfig } from '../../src/core/config';
import { run } from '../../src/run';
import type { LoadBalancerPort } from '../../src/ports';
import { FakeCloudRun, fakeSmoke, memoryLog, ports } from '../support/fake-release-ports';
import { SMOKE, config, context } from '../support/run-config';

const P = 'https://www.googleapis.com/compute/v1/projects/p';
const BS = `${P}/global/backendServices/api-backend`;

/** One external load balancer for `api` on stream.example.com; `backend` changes its backend service. */
function lists(backend: Record<string, unknown> = {}): ComputeLists {
  return {
    negs: [
      {
        name: 'api-neg',
        selfLink: `${P}/regions/us-central1/networkEndpointGroups/api-neg`,
        cloudRun: { service: 'api' },
      },
    ],
    backendServices: [
      {
        name: 'api-backend',
        selfLink: BS,
        loadBalancingScheme: 'EXTERNAL_MANAGED',
        backends: [{ group: `${P}/regions/us-central1/networkEndpointGroups/api-neg` }],
        logConfig: { enable: true },
        ...backend,
      },
    ],
    urlMaps: [
      {
        name: 'web',
        selfLink: `${P}/global/urlMaps/web`,
        defaultService: BS,
        hostRules: [{ hosts: ['stream.example.com'], pathMatcher: 'm' }],
        pathMatchers: [{ name: 'm', defaultService: BS }],
      },
    ],
    proxies: [
      {
        name: 'px',
        selfLink: `${P}/global/targetHttpsProxies/px`,
        urlMap: `${P}/global/urlMaps/web`,
        https: true,
      },
    ],
    forwardingRules: [
      {
        name: 'fr',
        IPAddress: '34.1.2.3',
        portRange: '443-443',
        target: `${P}/global/targetHttpsProxies/px`,
        loadBalancingScheme: 'EXTERNAL_MANAGED',
      },
    ],
  };
}

const reader = (answer: Observed<ComputeLists>): LoadBalancerPort & { reads: number } => {
  const port = {
    reads: 0,
    async read() {
      port.reads++;
      return answer;
    },
  };
  return port;
};

const release = (extra: Partial<DeployConfig> = {}) =>
  config({
    smoke: SMOKE,
    rollout: 'progressive',
    trafficSteps: [50, 100],
    stepWaitMs: [0, 0],
    loadBalancer: { use: 'auto' },
    ...extra,
  });

function setup(answer: Observed<ComputeLists>, smoke = fakeSmoke()) {
  const cloudRun = new FakeCloudRun();
  cloudRun.seed([{ type: 'TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST', percent: 100 }]);
  const log = memoryLog();
  const lb = reader(answer);
  const p = { ...ports(cloudRun, log, smoke), loadBalancer: lb };
  return { cloudRun, log, lb, p, smoke };
}

test('a CDN that caches streams stops the release before any write, with the chain in the report', async () => {
  const { cloudRun, p } = setup({
    kind: 'data',
    query: 'q',
    value: lists({ enableCDN: true, cdnPolicy: { cacheMode: 'FORCE_CACHE_ALL' } }),
  });
  const outcome = await run(release(), context, p);
  expect(outcome.verdict).toBe('failed');
  expect(outcome.findings.map((f) => f.rule)).toEqual(['lb-cdn-caches-streams']);
  expect(cloudRun.steps).toEqual(['get']);
  expect(outcome.changedNothing).toBe(true);
  const planned = outcome.events.find((e) => e.type === 'planned');
  expect(planned?.type === 'planned' && planned.report.loadBalancer).toMatchObject({
    status: 'found',
    url: 'https://stream.example.com',
    chain: expect.arrayContaining(['fr (EXTERNAL_MANAGED, HTTPS 34.1.2.3:443) -> URL map web']),
  });
});

test('a clean chain: promoted, and the last step smoke-tests through https://HOST without the ID token', async () => {
  const { p, smoke } = setup({ kind: 'data', query: 'q', value: lists() });
  const outcome = await run(release(), context, p);
  expect(outcome.verdict).toBe('promoted');
  const throughLb = smoke.calls.filter((c) => c.url === 'https://stream.example.com');
  expect(throughLb).toEqual([{ url: 'https://stream.example.com', origins: [], idToken: undefined }]);
  expect(outcome.events.some((e) => e.type === 'lb-smoke-judged' && e.verdict === 'pass')).toBe(true);
});

test('`load_balancer_url` overrides the discovered host', async () => {
  const { p, smoke } = setup({ kind: 'data', query: 'q', value: lists() });
  await run(release({ loadBalancer: { use: 'auto', url: 'https://edge.example.org' } }), context, p);
  expect(smoke.calls.map((c) => c.url)).toContain('https://edge.example.org');
});

test('the smoke test through the load balancer failing at the last step rolls the release back', async () => {
  // The tag URL's smoke test and the light rounds pass; the first call through the load balancer fails.
  const smoke = fakeSmoke();
  const run0 = smoke.run;
  smoke.run = async (url, criteria, origins, idToken) => {
    const got = await run0(url, criteria, origins, idToken);
    return url === 'https://stream.example.com'
      ? {
          ...got,
          verdict: 'fail',
          checks: [{ name: 'not-buffered', ok: false, detail: 'all events in one burst at the end' }],
        }
      : got;
  };
  const { cloudRun, p } = setup(
    { kind: 'data', query: 'q', value: lists({ compressionMode: 'AUTOMATIC' }) },
    smoke,
  );
  const outcome = await run(release(), context, p);
  expect(outcome.findings.map((f) => `${f.severity} ${f.rule}`)).toEqual(['warning lb-compression']);
  expect(outcome.verdict).toBe('rolled_back');
  expect(outcome.failure).toMatch(
    /through the load balancer \(https:\/\/stream\.example\.com\) did not pass: not-buffered: all events in one burst/,
  );
  expect(cloudRun.effectiveSplit()).toEqual({ 'api-old': 100 });
});

test.each<[string, Observed<ComputeLists>]>([
  [
    'denied (no compute.viewer)',
    {
      kind: 'denied',
      query: 'q',
      message: '403 Required compute.networkEndpointGroups.list; grant roles/compute.viewer',
    },
  ],
  ['an API error', { kind: 'error', query: 'q', message: '500 backend error' }],
])('%s: `auto` says skipped and goes on; `required` fails before any write', async (_name, answer) => {
  const auto = setup(answer);
  const promoted = await run(release(), context, auto.p);
  expect(promoted.verdict).toBe('promoted');
  // A missing optional role is the usual case: said, not warned; a failing API is warned.
  const level = answer.kind === 'denied' ? 'info' : 'warning';
  expect(auto.log.lines).toContainEqual(
    expect.stringMatching(new RegExp(`^${level} Load-balancer check skipped: `)),
  );
  const required = setup(answer);
  const failed = await run(release({ loadBalancer: { use: 'required' } }), context, required.p);
  expect(failed.verdict).toBe('failed');
  expect(failed.failure).toMatch(/read the load balancer in front of projects\/p.*compute\.viewer/s);
  expect(required.cloudRun.steps).toEqual(['get']);
});

test('nothing in front, or `off`: no smoke test through a load balancer', async () => {
  const none = setup({ kind: 'no-data', query: 'q' });
  expect((await run(release(), context, none.p)).verdict).toBe('promoted');
  expect(none.log.lines).toContainEqual(expect.stringMatching(/^info Load balancer: none found/));
  const off = setup({ kind: 'data', query: 'q', value: lists() });
  await run(release({ loadBalancer: { use: 'off' } }), context, off.p);
  expect(off.lb.reads).toBe(0);
  expect(off.smoke.calls.map((c) => c.url)).not.toContain('https://stream.example.com');
});

test("a URL that is one of the service's custom audiences gets an ID token for it, and only it may", async () => {
  const { cloudRun, p, smoke } = setup({ kind: 'data', query: 'q', value: lists() });
  cloudRun.service!.customAudiences = ['https://stream.example.com'];
  await run(release({ allowUnauthenticated: false }), context, p);
  expect(smoke.calls.filter((c) => c.url === 'https://stream.example.com')).toEqual([
    {
      url: 'https://stream.example.com',
      origins: ['https://stream.example.com'],
      idToken: 'id-token-for-https://stream.example.com',
    },
  ]);
});
