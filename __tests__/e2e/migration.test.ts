// A deploy-cloudrun style step (docs/migrating.md) against the local Cloud Run, through the built action:
// the project from google-github-actions/auth's variables, `suffix`, `env_vars` with `overwrite` removing a
// variable, a secret mounted as a file and `profile: none` keeping the live service's tuning. Assertions
// read the service back from the emulator.
import { runAction } from '../../scripts/local-runner';
import { IMAGE, serviceName, useActionWorld } from '../support/action-world';

const PLAIN_VALUE = 'plain-value-never-logged';

describe('migrating from deploy-cloudrun', () => {
  const w = useActionWorld();
  const service = 'migrated-api';
  const name = () => serviceName(w.emulator, service);
  // Quick runs: no smoke test and no bake time, the subject here is the service as written.
  const common = () => ({
    region: 'us-central1',
    service,
    workload_identity_provider: w.emulator.endpoints.workloadIdentityProvider,
    service_account: w.emulator.endpoints.serviceAccount,
    smoke_protocol: 'none',
    rollout: 'immediate',
    step_wait: '0',
  });

  test('deploys as meant and reads back so', async () => {
    // The service as an earlier tool left it: tuned by hand, with a variable that is to go.
    await w.emulator.seedService({
      service,
      image: `${IMAGE}:v1`,
      fields: {
        template: {
          timeout: '1800s',
          maxInstanceRequestConcurrency: 300,
          containers: [
            {
              env: [
                { name: 'KEEP', value: PLAIN_VALUE },
                { name: 'DROP', value: 'old' },
                { name: 'GREETING', valueSource: { secretKeyRef: { secret: 'greeting', version: '1' } } },
              ],
            },
          ],
        },
      },
    });

    const run = await runAction(
      'main',
      {
        ...common(),
        image: `${IMAGE}:v2`,
        suffix: 'v2',
        profile: 'none',
        env_vars: `KEEP=${PLAIN_VALUE}\nNEW=added`,
        env_vars_update_strategy: 'overwrite',
        secrets: 'GREETING=greeting:1\n/secrets/app/greeting=greeting:1',
      },
      w.emulator.endpoints,
      // No project_id: google-github-actions/auth exports it (docs/platform.md "Project from google-github-actions/auth").
      {
        env: { GITHUB_RUN_ID: '2002', RUNNER_DEBUG: '1', GOOGLE_CLOUD_PROJECT: w.emulator.endpoints.project },
      },
    );
    expect({ code: run.code, errors: run.annotations.filter((a) => a.startsWith('::error')) }).toEqual({
      code: 0,
      errors: [],
    });
    expect(run.annotations).toContainEqual(expect.stringMatching(/^::warning::`suffix`: is deprecated/));
    expect(run.outputs.revision).toBe(`${service}-v2`);

    const [svc] = await w.services.getService({ name: name() });
    const template = svc.template!;
    const container = template.containers![0];
    // overwrite: DROP is gone, the secret variable (secrets merge) stays.
    expect((container.env ?? []).map((e) => e.name).sort()).toEqual(['GREETING', 'KEEP', 'NEW']);
    // The secret file: its directory is the mount, its name the item.
    const mount = (container.volumeMounts ?? []).find((m) => m.mountPath === '/secrets/app');
    expect(mount).toBeDefined();
    const volume = (template.volumes ?? []).find((v) => v.name === mount!.name);
    expect(volume?.secret).toMatchObject({ secret: 'greeting', items: [{ path: 'greeting', version: '1' }] });
    // profile none: the hand-tuned settings stay.
    expect(Number(template.timeout?.seconds)).toBe(1800);
    expect(template.maxInstanceRequestConcurrency).toBe(300);

    // The plan in the log names what changes, never a value, even in the debug dump of the request.
    expect(run.stdout).toContain('env DROP: (set) -> (removed)');
    expect(run.stdout).toContain('env NEW: (none) -> (added)');
    expect(run.stdout).toContain('secret file /secrets/app/greeting: (none) -> greeting:1');
    expect(run.stdout).toContain('Service sent');
    expect(run.stdout + run.stderr).not.toContain(PLAIN_VALUE);
  });
});
