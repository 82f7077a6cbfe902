// The built action against a deployer that holds roles/run.developer, as docs/setup.md grants it: a private
// release works, and making the service public (which turns the invoker IAM check off) is refused by
// Google for lack of run.services.setIamPolicy (docs/platform.md "Public access and IAM"), with a message
// that names roles/run.admin and nothing changed.
import { startEmulator, type Emulator } from '../../emulator/emulator';
import { runAction } from '../../scripts/local-runner';

const IMAGE = 'us-docker.pkg.dev/demo/streams/stream-app';
let emulator: Emulator;
let runs = 9100;
/** The emulator's deployer account (emulator/emulator.ts), the principal the role is given to. */
const DEPLOYER = 'deployer@demo-project.iam.gserviceaccount.com';

const release = (service: string, extra: Record<string, string> = {}) =>
  runAction(
    'main',
    {
      project_id: emulator.endpoints.project,
      region: 'us-central1',
      service,
      image: `${IMAGE}:v1`,
      workload_identity_provider: emulator.endpoints.workloadIdentityProvider,
      service_account: emulator.endpoints.serviceAccount,
      env_vars: 'TICK_MS=100',
      smoke_duration: '1s',
      smoke_first_event_timeout: '2s',
      smoke_max_gap: '1s',
      rollout: 'progressive',
      traffic_steps: '100',
      step_wait: '0s',
      ...extra,
    },
    emulator.endpoints,
    { env: { GITHUB_RUN_ID: String(++runs), GITHUB_EVENT_NAME: 'push' } },
  );

beforeAll(async () => {
  emulator = await startEmulator({
    startupDeadlineMs: 4000,
    apiRoles: { [DEPLOYER]: 'run.developer' },
  });
  expect(emulator.endpoints.serviceAccount).toBe(DEPLOYER);
});

afterAll(async () => {
  await emulator?.stop();
});

test('a private service: a developer deployer releases it', async () => {
  const run = await release('dev-private');
  expect(run.outputs.verdict).toBe('promoted');
  expect(run.code).toBe(0);
});

test('allow_unauthenticated with a developer deployer: refused, named, nothing created', async () => {
  const run = await release('dev-public', { allow_unauthenticated: 'true' });
  expect(run.code).toBe(1);
  expect(run.stdout).toMatch(/run\.services\.setIamPolicy[\s\S]*roles\/run\.admin/);
  expect(run.outputs.verdict).toBe('failed');
  // The create was refused whole: the service does not exist.
  const created = emulator.api.wire.log.filter(
    (e) => e.method === 'services.create' && e.name?.endsWith('/locations/us-central1'),
  );
  expect(created.length).toBeGreaterThan(0);
  expect(
    emulator.api.wire.log.some((e) => e.method === 'services.get' && e.name?.endsWith('/dev-public')),
  ).toBe(true);
});
