// The Compute Engine API fake (emulator/README.md "Compute Engine API"): the load-balancer resources over
// real HTTP with real access tokens from the WIF chain, in Google's compute/v1 shapes, with Google's
// refusals: the 400 for timeoutSec on a serverless backend, the 403 without compute.viewer, the 404 for
// an unknown project.
import type { IdentityPoolClient } from 'google-auth-library';
import { startEmulator, type Emulator } from '../../emulator/emulator';
import { wifClient } from '../../emulator/clients';

type Json = Record<string, any>;
const BASE = 'https://www.googleapis.com/compute/v1/projects/demo-project';

let emulator: Emulator;
let deployer: IdentityPoolClient;
let federated: IdentityPoolClient;

beforeAll(async () => {
  const federatedPrincipal =
    'principal://iam.googleapis.com/projects/123456789012/locations/global/workloadIdentityPools/github/subject/repo:acme/streams:pull_request';
  emulator = await startEmulator({
    startupDeadlineMs: 3000,
    computeRoles: {
      'deployer@demo-project.iam.gserviceaccount.com': ['compute.viewer'],
      [federatedPrincipal]: ['compute.loadBalancerAdmin'],
    },
  });
  deployer = wifClient(emulator.endpoints);
  federated = wifClient(emulator.endpoints, true);
});

afterAll(async () => emulator?.stop());
afterEach(() => emulator.faults.reset());

/** A call to the Compute fake as the deployer (a viewer), the federated principal (an admin), or nobody. */
async function compute(
  method: string,
  path: string,
  body?: Json,
  who: 'deployer' | 'federated' | 'nobody' = 'deployer',
  e: Emulator = emulator,
): Promise<{ status: number; json: Json }> {
  const client = who === 'deployer' ? deployer : federated;
  const token = who === 'nobody' ? undefined : (await client.getAccessToken()).token;
  const res = await fetch(`${e.endpoints.computeApi}/compute/v1/${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  return { status: res.status, json: (await res.json()) as Json };
}

const P = 'projects/demo-project';

describe('lists and shapes', () => {
  test('an empty list has no items, as Google answers it', async () => {
    expect(await compute('GET', `${P}/global/urlMaps`)).toEqual({
      status: 200,
      json: {
        kind: 'compute#urlMapList',
        id: `${P}/global/urlMaps`,
        selfLink: `${BASE}/global/urlMaps`,
      },
    });
  });

  test('a seeded load balancer reads back in compute/v1 shapes, linked by self links', async () => {
    const lb = await emulator.seedLoadBalancer({
      name: 'shapes',
      service: 'api',
      tag: 'pr-12',
      streamPaths: ['/events', '/streams/*'],
      routeTimeoutSec: 30,
      cdn: 'FORCE_CACHE_ALL',
      compression: 'AUTOMATIC',
      sessionAffinity: 'GENERATED_COOKIE',
    });
    const negs = await compute('GET', `${P}/regions/us-central1/networkEndpointGroups`);
    expect(negs.json.kind).toBe('compute#networkEndpointGroupList');
    expect(negs.json.items).toEqual([
      expect.objectContaining({
        kind: 'compute#networkEndpointGroup',
        name: 'shapes-neg',
        selfLink: `${BASE}/regions/us-central1/networkEndpointGroups/shapes-neg`,
        networkEndpointType: 'SERVERLESS',
        region: `${BASE}/regions/us-central1`,
        cloudRun: { service: 'api', tag: 'pr-12' },
        id: expect.stringMatching(/^\d+$/),
      }),
    ]);
    const [backend] = (await compute('GET', `${P}/global/backendServices`)).json.items;
    expect(backend).toMatchObject({
      kind: 'compute#backendService',
      name: 'shapes-backend',
      selfLink: lb.selfLinks.backendService,
      loadBalancingScheme: 'EXTERNAL_MANAGED',
      protocol: 'HTTPS',
      backends: [{ group: negs.json.items[0].selfLink }],
      // Accepted on a serverless backend, where it has no effect (the action must flag it).
      sessionAffinity: 'GENERATED_COOKIE',
      enableCDN: true,
      cdnPolicy: { cacheMode: 'FORCE_CACHE_ALL', defaultTtl: 3600 },
      compressionMode: 'AUTOMATIC',
      logConfig: { enable: true, sampleRate: 1 },
      fingerprint: expect.any(String),
    });
    expect(backend.iap).toBeUndefined();
    const [urlMap] = (await compute('GET', `${P}/global/urlMaps`)).json.items;
    expect(urlMap).toMatchObject({
      kind: 'compute#urlMap',
      name: 'shapes-url-map',
      defaultService: backend.selfLink,
      hostRules: [{ hosts: ['stream.example.test'], pathMatcher: 'streams' }],
      pathMatchers: [
        {
          name: 'streams',
          defaultService: backend.selfLink,
          pathRules: [
            {
              paths: ['/events', '/streams/*'],
              service: backend.selfLink,
              routeAction: { timeout: { seconds: '30' } },
            },
          ],
        },
      ],
    });
    const [proxy] = (await compute('GET', `${P}/global/targetHttpsProxies`)).json.items;
    expect(proxy).toMatchObject({
      kind: 'compute#targetHttpsProxy',
      name: 'shapes-https-proxy',
      urlMap: urlMap.selfLink,
    });
    expect((await compute('GET', `${P}/global/targetHttpProxies`)).json.items).toBeUndefined();
    const [rule] = (await compute('GET', `${P}/global/forwardingRules`)).json.items;
    expect(rule).toMatchObject({
      kind: 'compute#forwardingRule',
      name: 'shapes-forwarding-rule',
      selfLink: lb.selfLinks.forwardingRule,
      IPAddress: lb.ipAddress,
      IPProtocol: 'TCP',
      portRange: '443-443',
      target: proxy.selfLink,
      loadBalancingScheme: 'EXTERNAL_MANAGED',
    });
    expect(lb.ipAddress).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    // A single resource reads as its list entry does.
    expect((await compute('GET', `${P}/global/backendServices/shapes-backend`)).json).toEqual(backend);
    // The aggregated list keys every scope, with a warning where a scope has nothing.
    const agg = (await compute('GET', `${P}/aggregated/networkEndpointGroups`)).json;
    expect(agg.kind).toBe('compute#networkEndpointGroupAggregatedList');
    expect(agg.items['regions/us-central1'].networkEndpointGroups).toEqual(negs.json.items);
    expect(agg.items['regions/europe-west1'].warning.code).toBe('NO_RESULTS_ON_PAGE');
    const mars = await compute('GET', `${P}/regions/mars-north1/networkEndpointGroups`);
    expect([mars.status, mars.json.error.message]).toEqual([
      400,
      "Invalid value for field 'region': 'mars-north1'. Unknown region.",
    ]);
  });
});

describe('inserts and Google refusals', () => {
  const neg = (name: string) => ({
    name,
    networkEndpointType: 'SERVERLESS',
    cloudRun: { service: 'api' },
  });

  test('an insert answers a DONE compute#operation; the resource then lists', async () => {
    const op = await compute(
      'POST',
      `${P}/regions/us-central1/networkEndpointGroups`,
      neg('ins-neg'),
      'federated',
    );
    expect(op).toMatchObject({
      status: 200,
      json: {
        kind: 'compute#operation',
        operationType: 'insert',
        status: 'DONE',
        progress: 100,
        targetLink: `${BASE}/regions/us-central1/networkEndpointGroups/ins-neg`,
        region: `${BASE}/regions/us-central1`,
      },
    });
    const opPath = String(op.json.selfLink).replace(/^.*\/compute\/v1\//, '');
    expect((await compute('GET', opPath, undefined, 'federated')).json).toEqual(op.json);
    const again = await compute(
      'POST',
      `${P}/regions/us-central1/networkEndpointGroups`,
      neg('ins-neg'),
      'federated',
    );
    expect(again.status).toBe(409);
    expect(again.json.error.errors[0].reason).toBe('alreadyExists');
  });

  test('timeoutSec on a backend service with a serverless NEG is a 400, on insert and on patch', async () => {
    await compute('POST', `${P}/regions/us-central1/networkEndpointGroups`, neg('to-neg'), 'federated');
    const group = `${BASE}/regions/us-central1/networkEndpointGroups/to-neg`;
    const message =
      "Invalid value for field 'resource.timeoutSec': '120'. Timeout sec is not supported for a backend service with Serverless network endpoint groups.";
    expect(
      await compute(
        'POST',
        `${P}/global/backendServices`,
        { name: 'to-backend', backends: [{ group }], timeoutSec: 120 },
        'federated',
      ),
    ).toEqual({
      status: 400,
      json: { error: { code: 400, message, errors: [{ message, domain: 'global', reason: 'invalid' }] } },
    });
    // Without it the insert passes; a patch that adds one is refused the same way.
    const created = await compute(
      'POST',
      `${P}/global/backendServices`,
      { name: 'to-backend', backends: [{ group }] },
      'federated',
    );
    expect(created.status).toBe(200);
    const patched = await compute(
      'PATCH',
      `${P}/global/backendServices/to-backend`,
      { timeoutSec: 3600 },
      'federated',
    );
    expect(patched.status).toBe(400);
    expect(patched.json.error.message).toMatch(
      /'resource.timeoutSec': '3600'\. Timeout sec is not supported/,
    );
    // The default a GET shows, sent back whole, is no change.
    const current = (await compute('GET', `${P}/global/backendServices/to-backend`)).json;
    expect(current.timeoutSec).toBe(30);
    const put = await compute(
      'PUT',
      `${P}/global/backendServices/to-backend`,
      { ...current, enableCDN: true },
      'federated',
    );
    expect(put.json).toMatchObject({ kind: 'compute#operation', operationType: 'update', status: 'DONE' });
    const after = (await compute('GET', `${P}/global/backendServices/to-backend`)).json;
    expect(after).toMatchObject({
      enableCDN: true,
      cdnPolicy: { cacheMode: 'CACHE_ALL_STATIC' },
      id: current.id,
    });
    expect(after.fingerprint).not.toBe(current.fingerprint);
    // Seeding goes through the same insert, so it is refused too.
    await expect(
      emulator.seedLoadBalancer({ name: 'seed-to', service: 'api', timeoutSec: 300 }),
    ).rejects.toThrow(
      /answered 400: Invalid value for field 'resource.timeoutSec': '300'\. Timeout sec is not supported/,
    );
  });

  test('names, references, IAP with CDN and deletes of resources in use are refused as Google refuses them', async () => {
    const bad = await compute('POST', `${P}/global/urlMaps`, { name: 'Bad_Name' }, 'federated');
    expect(bad.json.error).toMatchObject({
      code: 400,
      message:
        "Invalid value for field 'resource.name': 'Bad_Name'. Must be a match of regex '(?:[a-z](?:[-a-z0-9]{0,61}[a-z0-9])?)'",
    });
    const dangling = await compute(
      'POST',
      `${P}/global/urlMaps`,
      { name: 'dangling', defaultService: `${BASE}/global/backendServices/nope` },
      'federated',
    );
    expect(dangling).toMatchObject({
      status: 404,
      json: { error: { message: `The resource '${P}/global/backendServices/nope' was not found` } },
    });
    await compute('POST', `${P}/regions/us-central1/networkEndpointGroups`, neg('use-neg'), 'federated');
    const both = await compute(
      'POST',
      `${P}/global/backendServices`,
      {
        name: 'both',
        backends: [{ group: `${P}/regions/us-central1/networkEndpointGroups/use-neg` }],
        enableCDN: true,
        iap: { enabled: true },
      },
      'federated',
    );
    expect(both.status).toBe(400);
    await compute(
      'POST',
      `${P}/global/backendServices`,
      { name: 'use-backend', backends: [{ group: `regions/us-central1/networkEndpointGroups/use-neg` }] },
      'federated',
    );
    const del = await compute(
      'DELETE',
      `${P}/regions/us-central1/networkEndpointGroups/use-neg`,
      undefined,
      'federated',
    );
    expect(del).toMatchObject({
      status: 400,
      json: {
        error: {
          message: `The network_endpoint_group resource '${P}/regions/us-central1/networkEndpointGroups/use-neg' is already being used by '${P}/global/backendServices/use-backend'`,
          errors: [{ reason: 'resourceInUseByAnotherResource' }],
        },
      },
    });
  });
});

describe('the gate', () => {
  test('a viewer may read but not write: 403 names the permission and the resource', async () => {
    const res = await compute(
      'POST',
      `${P}/regions/us-central1/networkEndpointGroups`,
      neg2('viewer-neg'),
      'deployer',
    );
    const message = `Required 'compute.networkEndpointGroups.create' permission for '${P}/regions/us-central1/networkEndpointGroups/viewer-neg'`;
    expect(res).toEqual({
      status: 403,
      json: { error: { code: 403, message, errors: [{ message, domain: 'global', reason: 'forbidden' }] } },
    });
  });

  test('by default nobody holds compute.viewer: a list is 403 for the deployer', async () => {
    const fresh = await startEmulator({ startupDeadlineMs: 3000 });
    try {
      const client = wifClient(fresh.endpoints);
      const res = await fetch(`${fresh.endpoints.computeApi}/compute/v1/${P}/global/backendServices`, {
        headers: { authorization: `Bearer ${(await client.getAccessToken()).token}` },
      });
      const message = "Required 'compute.backendServices.list' permission for 'projects/demo-project'";
      expect({ status: res.status, json: await res.json() }).toEqual({
        status: 403,
        json: { error: { code: 403, message, errors: [{ message, domain: 'global', reason: 'forbidden' }] } },
      });
    } finally {
      await fresh.stop();
    }
  });

  test('an unknown project is a 404; no bearer a 401; a disabled API a 403 accessNotConfigured', async () => {
    const message = "The resource 'projects/other-project' was not found";
    expect(await compute('GET', 'projects/other-project/global/forwardingRules')).toEqual({
      status: 404,
      json: { error: { code: 404, message, errors: [{ message, domain: 'global', reason: 'notFound' }] } },
    });
    const anonymous = await compute('GET', `${P}/global/forwardingRules`, undefined, 'nobody');
    expect(anonymous).toMatchObject({
      status: 401,
      json: {
        error: { status: 'UNAUTHENTICATED', errors: [{ reason: 'required', message: 'Login Required.' }] },
      },
    });
    emulator.faults.update({ disabledApis: ['compute.googleapis.com'] });
    const disabled = await compute('GET', `${P}/global/forwardingRules`);
    expect(disabled).toMatchObject({
      status: 403,
      json: {
        error: {
          status: 'PERMISSION_DENIED',
          errors: [{ reason: 'accessNotConfigured', domain: 'usageLimits' }],
        },
      },
    });
    expect(disabled.json.error.message).toMatch(
      /^Compute Engine API has not been used in project 123456789012/,
    );
  });
});

function neg2(name: string): Json {
  return { name, networkEndpointType: 'SERVERLESS', cloudRun: { service: 'api' } };
}
