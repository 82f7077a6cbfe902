// The `grpc` profile through the built action: the candidate's smoke test and every step's gate call
// grpc.health.v1 Health/Check and watch Watch over h2c through the tag and service URLs, with defaults.
import { runAction } from '../../scripts/local-runner';
import { startEarly, targetInputs, useActionWorld, type ActionWorld } from '../support/action-world';

const IMAGE = 'us-docker.pkg.dev/demo/streams/grpc-app';
const w = useActionWorld();
let runs = 9300;

const release = (
  service: string,
  image: string,
  extra: Record<string, string> = {},
  world: ActionWorld = w,
) =>
  runAction(
    'main',
    {
      ...targetInputs(world.emulator, service),
      image: `${IMAGE}:${image}`,
      profile: 'grpc',
      rollout: 'progressive',
      traffic_steps: '50,100',
      step_wait: '0s',
      ...extra,
    },
    world.emulator.endpoints,
    { env: { GITHUB_RUN_ID: String(++runs) }, timeoutMs: 170_000 },
  );

const errors = (run: { annotations: string[] }) => run.annotations.filter((a) => a.startsWith('::error'));

test('a gRPC service with the standard health service is promoted with the profile defaults', async () => {
  // The first deploy (a gRPC smoke test of its own) with a 2 s watch: the defaults are the second release's
  // subject, and the profile's 10 s watch here would only wait longer.
  const first = await release('grpc-api', 'v1', { smoke_duration: '2s' });
  expect([first.code, errors(first)]).toEqual([0, []]);
  // One traffic step: its gate calls Health/Check and Watch through the service URL as any step's does.
  const run = await release('grpc-api', 'v2', { traffic_steps: '100' });
  expect([run.code, errors(run)]).toEqual([0, []]);
  expect(run.outputs.verdict).toBe('promoted');
  expect(run.stdout).toMatch(/ok {3}grpc-health: .*SERVING/);
  expect(run.stdout).toMatch(/ok {3}grpc-watch/);
  expect(run.stdout).toMatch(/gRPC smoke test of \S+ passed/);
}, 180_000);

// This case waits mostly on its smoke test and the confirming run: it starts as the file begins, on an
// emulator of its own, and runs alongside the case above; its test checks what it did.
const notServing = startEarly(async (world) => {
  // The serving baseline, seeded (a gRPC release's first deploy is the test above): end-to-end HTTP/2.
  await world.emulator.seedService({
    service: 'grpc-down',
    image: `${IMAGE}:v1`,
    fields: { template: { containers: [{ ports: [{ name: 'h2c', containerPort: 8080 }] }] } },
  });
  return release('grpc-down', 'not-serving', { smoke_duration: '2s' }, world);
});

test('a candidate that reports NOT_SERVING gets no traffic', async () => {
  const run = await notServing.result();
  expect(run.code).toBe(1);
  expect(run.outputs.verdict).toBe('failed');
  expect(errors(run).join('\n')).toMatch(/grpc-health/);
}, 180_000);
