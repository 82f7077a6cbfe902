// The `grpc` profile through the built action: the candidate's smoke test and every step's gate call
// grpc.health.v1 Health/Check and watch Watch over h2c through the tag and service URLs, with defaults.
import { startEmulator, type Emulator } from '../../emulator/emulator';
import { conflicts } from '../support/fault-suite';
import { runAction } from '../../scripts/local-runner';

const IMAGE = 'us-docker.pkg.dev/demo/streams/grpc-app';
let emulator: Emulator;
let runs = 9300;

const release = (service: string, image: string, extra: Record<string, string> = {}) =>
  runAction(
    'main',
    {
      project_id: emulator.endpoints.project,
      region: 'us-central1',
      service,
      image: `${IMAGE}:${image}`,
      workload_identity_provider: emulator.endpoints.workloadIdentityProvider,
      service_account: emulator.endpoints.serviceAccount,
      profile: 'grpc',
      rollout: 'progressive',
      traffic_steps: '50,100',
      step_wait: '0s',
      ...extra,
    },
    emulator.endpoints,
    { env: { GITHUB_RUN_ID: String(++runs) }, timeoutMs: 170_000 },
  );

const errors = (run: { annotations: string[] }) => run.annotations.filter((a) => a.startsWith('::error'));

beforeAll(async () => {
  emulator = await startEmulator({ startupDeadlineMs: 4000 });
});

afterAll(async () => {
  expect(conflicts(emulator)).toEqual([]);
  await emulator?.stop();
});

test('a gRPC service with the standard health service is promoted with the profile defaults', async () => {
  const first = await release('grpc-api', 'v1');
  expect([first.code, errors(first)]).toEqual([0, []]);
  const run = await release('grpc-api', 'v2');
  expect([run.code, errors(run)]).toEqual([0, []]);
  expect(run.outputs.verdict).toBe('promoted');
  expect(run.stdout).toMatch(/ok {3}grpc-health: .*SERVING/);
  expect(run.stdout).toMatch(/ok {3}grpc-watch/);
  expect(run.stdout).toMatch(/gRPC smoke test of \S+ passed/);
}, 180_000);

test('a candidate that reports NOT_SERVING gets no traffic', async () => {
  const first = await release('grpc-down', 'v1', { smoke_duration: '2s' });
  expect(first.code).toBe(0);
  const run = await release('grpc-down', 'not-serving', { smoke_duration: '2s' });
  expect(run.code).toBe(1);
  expect(run.outputs.verdict).toBe('failed');
  expect(errors(run).join('\n')).toMatch(/grpc-health/);
}, 180_000);
