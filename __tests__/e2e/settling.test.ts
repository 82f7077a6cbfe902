// Releases judged only once routing and IAM have caught up (issue 12, part 1): with 3 s of routing lag (a new
// tag's URL answers 404, the previous split keeps serving) and 20 s of IAM propagation, a release with the
// smoke test's defaults promotes, a binding this run adds is bridged with an ID token, and a bad candidate
// under the same lag is still rolled back.
import type { ServicesClient } from '@google-cloud/run';
import { startEmulator, type Emulator } from '../../emulator/emulator';
import { conflicts } from '../support/fault-suite';
import { runAction } from '../../scripts/local-runner';
import { runClients, wifClient } from '../../emulator/clients';

const IMAGE = 'us-docker.pkg.dev/demo/streams/stream-app';

let emulator: Emulator;
let services: ServicesClient;
let runs = 9100;

const inputs = (service: string, image: string, extra: Record<string, string> = {}) => ({
  project_id: emulator.endpoints.project,
  region: 'us-central1',
  service,
  image: `${IMAGE}:${image}`,
  workload_identity_provider: emulator.endpoints.workloadIdentityProvider,
  service_account: emulator.endpoints.serviceAccount,
  rollout: 'progressive',
  traffic_steps: '50,100',
  step_wait: '0s',
  ...extra,
});

const release = (service: string, image: string, extra: Record<string, string> = {}) =>
  runAction('main', inputs(service, image, extra), emulator.endpoints, {
    env: { GITHUB_RUN_ID: String(++runs) },
    timeoutMs: 170_000,
  });

async function traffic(service: string) {
  const [svc] = await services.getService({
    name: `projects/${emulator.endpoints.project}/locations/us-central1/services/${service}`,
  });
  return (svc.traffic ?? []).map((t) => [t.revision, t.percent, t.tag ?? '']);
}

beforeAll(async () => {
  emulator = await startEmulator({ startupDeadlineMs: 4000 });
  ({ services } = runClients(emulator.endpoints, wifClient(emulator.endpoints)));
});

afterAll(async () => {
  expect(conflicts(emulator)).toEqual([]);
  await services?.close();
  await emulator?.stop();
});

beforeEach(() => emulator.faults.update({ routingLagMs: 3000, iamPropagationMs: 20_000 }));
afterEach(() => emulator.faults.reset());

test('smoke defaults (no TICK_MS, default health path) under 3 s routing lag and 20 s IAM propagation: promoted', async () => {
  const first = await release('settle-api', 'v1');
  expect([first.code, first.annotations.filter((a) => a.startsWith('::error'))]).toEqual([0, []]);
  const run = await release('settle-api', 'v2');
  expect([run.code, run.annotations.filter((a) => a.startsWith('::error'))]).toEqual([0, []]);
  expect(run.outputs.verdict).toBe('promoted');
  // The PR's tag moved from the baseline, which routing still reaches through it for a while.
  expect(run.stdout).toMatch(/The tag URL answers with another revision yet: waiting for routing to reach/);
  expect(run.stdout).toMatch(/The tag URL reaches \S+ after \d+ s/);
  expect(run.stdout).toMatch(/The split reached 50 % after \d+ s/);
}, 180_000);

test('a heartbeat-only SSE app (comments every 2 s, no events) is promoted with the smoke defaults', async () => {
  await release('settle-heartbeat', 'v1');
  const run = await release('settle-heartbeat', 'heartbeat-only');
  expect([run.code, run.annotations.filter((a) => a.startsWith('::error'))]).toEqual([0, []]);
  expect(run.outputs.verdict).toBe('promoted');
}, 180_000);

test('an allUsers binding this run adds is bridged with an ID token while IAM propagates', async () => {
  const run = await release('settle-public', 'v1', {
    allow_unauthenticated: 'true',
    public_access_method: 'iam-binding',
    smoke_duration: '2s',
    env_vars: 'TICK_MS=100',
  });
  expect([run.code, run.annotations.filter((a) => a.startsWith('::error'))]).toEqual([0, []]);
  expect(run.stdout).toMatch(/the smoke tests of this run keep sending an ID token/);
}, 180_000);

test('a candidate that turns bad is still rolled back under the same lag', async () => {
  await release('settle-bad', 'v1', { smoke_duration: '2s', env_vars: 'TICK_MS=100' });
  const before = await traffic('settle-bad');
  const run = await release('settle-bad', 'turns-bad', {
    // Good through its smoke test (the tag wait and a 2 s watch), bad during the first bake.
    smoke_duration: '2s',
    env_vars: 'TICK_MS=100\nSTREAM_APP_BAD_AFTER_MS=10000',
    step_wait: '20s,0s',
  });
  expect([run.code, run.outputs.verdict]).toEqual([1, 'rolled_back']);
  expect(run.annotations.join('\n')).toMatch(/failed its checks/);
  expect(await traffic('settle-bad')).toEqual(before);
}, 180_000);
