// The load balancer in front, through the built action against the local Cloud Run and its Compute fake:
// the chain is found before the deploy and reported; a CDN that caches streams stops the release before
// any write; a clean load balancer is smoke-tested through at the last step; a compressing one (a warning
// before the deploy) holds the stream back at its front door, and the last step rolls the release back.
import { runAction } from '../../scripts/local-runner';
import {
  IMAGE,
  QUICK_STEPS,
  seedReleased,
  targetInputs,
  trafficOf,
  useActionWorld,
} from '../support/action-world';

const w = useActionWorld({
  computeRoles: { 'deployer@demo-project.iam.gserviceaccount.com': ['compute.viewer'] },
});

let runs = 8200;
const release = (service: string, frontDoorUrl: string) =>
  runAction(
    'main',
    {
      ...targetInputs(w.emulator, service),
      image: `${IMAGE}:v2`,
      allow_unauthenticated: 'true',
      env_vars: 'TICK_MS=100',
      ...QUICK_STEPS,
      load_balancer_url: frontDoorUrl,
    },
    w.emulator.endpoints,
    { env: { GITHUB_RUN_ID: String(runs++) } },
  );

test('a clean load balancer: found, reported, and smoke-tested through at the last step; promoted', async () => {
  await seedReleased(w.emulator, 'lb-good');
  const lb = await w.emulator.seedLoadBalancer({ name: 'good', service: 'lb-good' });
  const run = await release('lb-good', lb.frontDoorUrl);
  expect([run.code, run.annotations]).toEqual([0, []]);
  expect(run.outputs.verdict).toBe('promoted');
  expect(run.stdout).toContain('good-forwarding-rule (EXTERNAL_MANAGED, HTTPS');
  expect(run.stdout).toMatch(new RegExp(`Through the load balancer \\(${lb.frontDoorUrl}\\): .*pass`));
  expect(run.summary).toMatch(
    /Load balancer: 1 forwarding rule\(s\), \d+ route\(s\) to lb-good: 0 error\(s\)/,
  );
});

test('a compressing load balancer holds the stream back: the last step rolls the release back', async () => {
  const before = await (async () => {
    await seedReleased(w.emulator, 'lb-gzip');
    return trafficOf(w, 'lb-gzip');
  })();
  const lb = await w.emulator.seedLoadBalancer({
    name: 'gzip',
    service: 'lb-gzip',
    compression: 'AUTOMATIC',
  });
  const run = await release('lb-gzip', lb.frontDoorUrl);
  expect(run.code).toBe(1);
  expect(run.outputs.verdict).toBe('rolled_back');
  expect(run.annotations.join('\n')).toMatch(/\[lb-compression\]/);
  expect(run.annotations.join('\n')).toMatch(/smoke test through the load balancer .* did not pass/);
  expect(await trafficOf(w, 'lb-gzip')).toEqual(before);
});

test('a CDN that caches everything on the stream path stops the release before any write', async () => {
  await seedReleased(w.emulator, 'lb-cdn');
  const before = await trafficOf(w, 'lb-cdn');
  const lb = await w.emulator.seedLoadBalancer({ name: 'cdn', service: 'lb-cdn', cdn: 'FORCE_CACHE_ALL' });
  const run = await release('lb-cdn', lb.frontDoorUrl);
  expect(run.code).toBe(1);
  expect(run.outputs.verdict).toBe('failed');
  expect(run.annotations.join('\n')).toMatch(/\[lb-cdn-caches-streams\].*FORCE_CACHE_ALL/);
  expect(await trafficOf(w, 'lb-cdn')).toEqual(before);
  const [svc] = await w.services.getService({
    name: `projects/${w.emulator.endpoints.project}/locations/us-central1/services/lb-cdn`,
  });
  expect(svc.latestCreatedRevision).toBe(svc.latestReadyRevision);
});
