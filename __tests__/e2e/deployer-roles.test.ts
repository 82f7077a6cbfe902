// The built action against a deployer that holds roles/run.developer, as docs/setup.md grants it: a private
// release works, and making the service public (which turns the invoker IAM check off) is refused by
// Google for lack of run.services.setIamPolicy (docs/platform.md "Public access and IAM"), with a message
// that names roles/run.admin and nothing changed.
import { runAction } from '../../scripts/local-runner';
import { IMAGE, targetInputs, useActionWorld } from '../support/action-world';

let runs = 9100;
/** The emulator's deployer account (emulator/emulator.ts), the principal the role is given to. */
const DEPLOYER = 'deployer@demo-project.iam.gserviceaccount.com';
const w = useActionWorld({ apiRoles: { [DEPLOYER]: 'run.developer' } });

const release = (service: string, extra: Record<string, string> = {}) =>
  runAction(
    'main',
    {
      ...targetInputs(w.emulator, service),
      image: `${IMAGE}:v1`,
      env_vars: 'TICK_MS=100',
      smoke_duration: '1s',
      smoke_first_event_timeout: '2s',
      smoke_max_gap: '1s',
      rollout: 'progressive',
      traffic_steps: '100',
      step_wait: '0s',
      ...extra,
    },
    w.emulator.endpoints,
    { env: { GITHUB_RUN_ID: String(++runs), GITHUB_EVENT_NAME: 'push' } },
  );

beforeAll(() => {
  expect(w.emulator.endpoints.serviceAccount).toBe(DEPLOYER);
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
  const created = w.emulator.api.wire.log.filter(
    (e) => e.method === 'services.create' && e.name?.endsWith('/locations/us-central1'),
  );
  expect(created.length).toBeGreaterThan(0);
  expect(
    w.emulator.api.wire.log.some((e) => e.method === 'services.get' && e.name?.endsWith('/dev-public')),
  ).toBe(true);
});
