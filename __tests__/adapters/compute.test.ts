// The REAL Compute adapter (src/adapters/compute.ts) against the emulator's Compute fake, both written to
// Google's compute/v1 REST shapes: a seeded load balancer is read back whole and followed to the service by
// the pure chain builder; without roles/compute.viewer the answer is `denied` naming the role; a region
// with no serverless NEG is `no-data` after one read.
import { startEmulator, type Emulator } from '../../emulator/emulator';
import { signedInClient } from '../../emulator/clients';
import { createCompute } from '../../src/adapters/compute';
import { chainFor, judgeLoadBalancer, serviceHosts } from '../../src/core/load-balancer';
import type { LoadBalancerPort } from '../../src/ports';

const PROJECT = 'lb-adapter';
let emulator: Emulator;
let viewer: LoadBalancerPort;
let bare: LoadBalancerPort;

/** A real google-auth-library client holding an access token the emulator's IAM Credentials fake minted. */
const signedIn = (direct: boolean) => signedInClient(emulator.endpoints, direct);

beforeAll(async () => {
  emulator = await startEmulator({
    startupDeadlineMs: 5000,
    project: PROJECT,
    // The deployer may read the load balancer; the direct-WIF principal may not.
    computeRoles: { [`deployer@${PROJECT}.iam.gserviceaccount.com`]: ['compute.viewer'] },
  });
  const noRetry = { sleep: async () => undefined, random: () => 0 };
  const baseUrl = emulator.endpoints.computeApi;
  viewer = createCompute({ client: await signedIn(false), baseUrl, ...noRetry });
  bare = createCompute({ client: await signedIn(true), baseUrl, ...noRetry });
});

afterAll(async () => emulator?.stop());

test('a seeded load balancer is read whole and followed to its service', async () => {
  await emulator.seedLoadBalancer({
    name: 'web',
    service: 'streams',
    streamPaths: ['/events/*'],
    cdn: 'FORCE_CACHE_ALL',
    routeTimeoutSec: 600,
  });
  await emulator.seedLoadBalancer({ name: 'other', service: 'other-service', hosts: ['other.example.test'] });
  const got = await viewer.read(PROJECT, 'us-central1');
  expect(got.kind).toBe('data');
  if (got.kind !== 'data') return;
  const chain = chainFor(got.value, 'streams');
  expect(chain.backends.map((b) => b.name)).toEqual(['web-backend']);
  expect(chain.frontends).toEqual([
    expect.objectContaining({ forwardingRule: 'web-forwarding-rule', https: true, urlMap: 'web-url-map' }),
  ]);
  expect(serviceHosts(chain)).toEqual(['stream.example.test']);
  const rules = judgeLoadBalancer(chain, {
    config: {
      smoke: { path: '/events/stream' } as never,
      streaming: { timeoutSeconds: 3600 } as never,
    },
    planned: { ingress: 'INGRESS_TRAFFIC_ALL' },
    managedTags: [],
  }).map((f) => f.rule);
  // The backend reads timeoutSec 30 (the API's default for serverless backends): never a finding.
  expect(got.value.backendServices.find((b) => b.name === 'web-backend')?.timeoutSec).toBe(30);
  expect(rules).toEqual(['lb-cdn-caches-streams', 'lb-route-timeout']);
});

test('without roles/compute.viewer: denied, naming the role and that the check is optional', async () => {
  const got = await bare.read(PROJECT, 'us-central1');
  expect(got).toMatchObject({
    kind: 'denied',
    message: expect.stringMatching(
      /compute\.networkEndpointGroups\.list.*grant roles\/compute\.viewer.*optional/s,
    ),
  });
});

test('a region without a serverless NEG: no data after one read', async () => {
  const before = { ...emulator.compute.calls };
  expect((await viewer.read(PROJECT, 'europe-west1')).kind).toBe('no-data');
  const after = emulator.compute.calls;
  const reads = Object.entries(after).filter(([k, v]) => v !== (before as Record<string, number>)[k]);
  expect(reads.map(([k]) => k)).toEqual(['networkEndpointGroups.list']);
});
