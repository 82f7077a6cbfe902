// The built action against an emulator that behaves like Google where it is inconvenient (docs/platform.md):
// fields the release does not own survive it, every write names its fields, a failed revision leaves
// sticky errors behind, ports move probes, org policies refuse allUsers, and releases clean up their tags.
import type { IdentityPoolClient } from 'google-auth-library';
import { runAction } from '../../scripts/local-runner';
import { LRO, runClients, wifClient } from '../../emulator/clients';
import {
  conflicts,
  IMAGE,
  QUICK_STEPS,
  seedReleased,
  serviceName,
  targetInputs,
  useActionWorld,
} from '../support/action-world';

type Json = Record<string, unknown>;

const w = useActionWorld();
let auth: IdentityPoolClient;
const name = (service: string) => serviceName(w.emulator, service);

/** A REST call as a person with gcloud would make it: raw JSON, no client library between. */
async function rest(method: 'GET' | 'POST' | 'PATCH', path: string, body?: Json): Promise<Json> {
  const res = await auth.request<Json>({
    url: `${w.emulator.endpoints.runApi.url}/v2/${path}`,
    method,
    ...(body && { data: body }),
  });
  return res.data;
}

/** The service as the API sends it, raw. */
const raw = (service: string) => rest('GET', name(service));

async function waitOperation(op: Json): Promise<Json> {
  for (let i = 0; i < 300 && !op.done; i++) {
    await new Promise((r) => setTimeout(r, 50));
    op = await rest('GET', String(op.name));
  }
  if (op.error) throw new Error(JSON.stringify(op.error));
  return op;
}

const inputs = (service: string, image: string, extra: Record<string, string> = {}) => ({
  ...targetInputs(w.emulator, service),
  image: `${IMAGE}:${image}`,
  env_vars: 'TICK_MS=100',
  ...QUICK_STEPS,
  ...extra,
});

let runs = 8000;
const release = (service: string, image: string, extra: Record<string, string> = {}) =>
  runAction('main', inputs(service, image, extra), w.emulator.endpoints, {
    env: { GITHUB_RUN_ID: String(++runs) },
  });

/** The `services.update` calls the emulator saw for one service, with their masks. */
const updates = (service: string) =>
  w.emulator.api.wire.log.filter((e) => e.method === 'services.update' && e.name === name(service)) as Array<{
    updateMask?: string[] | null;
  }>;

beforeAll(() => {
  auth = wifClient(w.emulator.endpoints);
});

test('a release over a service with IAP, Binary Authorization, service scaling, a description and REST-only scaling targets leaves them all as they were', async () => {
  const seeded = {
    description: 'payments stream',
    iapEnabled: true,
    binaryAuthorization: { useDefault: true },
    scaling: { minInstanceCount: 1, scalingMode: 'AUTOMATIC' },
    launchStage: 'GA',
    invokerIamDisabled: true,
    template: {
      revision: 'seeded-00001',
      scaling: { maxInstanceCount: 5, cpuUtilization: 0.6, concurrencyUtilization: 0.8 },
      containers: [{ image: `${IMAGE}:v1`, env: [{ name: 'TICK_MS', value: '100' }] }],
    },
  };
  await waitOperation(
    await rest(
      'POST',
      `projects/${w.emulator.endpoints.project}/locations/us-central1/services?serviceId=seeded`,
      seeded,
    ),
  );
  const before = await raw('seeded');
  // IAP on a real service stops the runner's smoke test at Google's IAP; here only what the release writes is the subject.
  const run = await release('seeded', 'v2', { smoke_protocol: 'none', health_path: 'none' });
  expect(run.stdout + run.annotations.join('\n')).not.toMatch(/ALREADY_EXISTS|different configuration/);
  expect(run.code).toBe(0);
  const after = await raw('seeded');
  for (const key of [
    'description',
    'iapEnabled',
    'binaryAuthorization',
    'scaling',
    'launchStage',
    'invokerIamDisabled',
  ])
    expect([key, after[key]]).toEqual([key, before[key]]);
  const scaling = (after.template as Json).scaling as Json;
  expect(scaling).toMatchObject({ cpuUtilization: 0.6, concurrencyUtilization: 0.8, maxInstanceCount: 5 });
  expect((after.template as Json).revision).toBe(run.outputs.revision);
  // Every write carried a mask; the traffic steps named only traffic and the record's annotations.
  const masks = updates('seeded').map((u) => u.updateMask);
  expect(masks.length).toBeGreaterThanOrEqual(3);
  expect(masks.every((m) => Array.isArray(m) && m.length > 0)).toBe(true);
  expect(masks[0]).toEqual(expect.arrayContaining(['template', 'traffic']));
  for (const m of masks.slice(1)) expect(m).toEqual(expect.arrayContaining(['traffic']));
  for (const m of masks.slice(1)) expect(m).not.toContain('template');

  // What the action no longer does, and what the suite's no-409 check catches: a GET-modify-update through
  // the client library, which drops the REST-only fields and so changes the named revision's template.
  const { services } = runClients(w.emulator.endpoints, auth);
  const [svc] = await services.getService({ name: name('seeded') });
  await expect(
    services.updateService({ service: { ...svc, traffic: svc.traffic } }, LRO).then(([op]) => op.promise()),
  ).rejects.toMatchObject({ message: expect.stringMatching(/different configuration already exists/) });
  expect(conflicts(w.emulator)).toHaveLength(1);
  await services.close();
  w.emulator.api.wire.refusals.length = 0;
});

test('a crashing candidate: traffic restored (read back despite the sticky error), the post step does nothing, the next good release promotes', async () => {
  expect(w.emulator.faults.settings.stickyRevisionFailure).toBe(true);
  await seedReleased(w.emulator, 'sticky', { public: false });
  const baseline = (await raw('sticky')).traffic;
  const bad = await release('sticky', 'crash');
  expect(bad.code).toBe(1);
  expect(bad.annotations.join('\n')).toMatch(/Traffic and tags are exactly as they were/);
  expect(bad.stdout).toMatch(/reads back with the new traffic/);
  expect((await raw('sticky')).traffic).toEqual(baseline);
  const post = await runAction('post', inputs('sticky', 'crash'), w.emulator.endpoints, { state: bad.state });
  expect(post.code).toBe(0);
  expect(post.stdout).toMatch(/Nothing to restore|nothing to restore/i);
  expect((await raw('sticky')).traffic).toEqual(baseline);
  // One traffic step: what matters is that the sticky error of the crashed revision blocks nothing.
  const good = await release('sticky', 'v2', { traffic_steps: '100' });
  expect(good.annotations).toEqual([]);
  expect(good.code).toBe(0);
  expect(good.outputs.verdict).toBe('promoted');
});

test('a port change moves the default startup probe and the revision becomes ready', async () => {
  await seedReleased(w.emulator, 'ports', { public: false });
  const probe = ((await raw('ports')).template as { containers: Json[] }).containers[0].startupProbe;
  expect(probe).toMatchObject({ tcpSocket: { port: 8080 } });
  // One traffic step: the probe and the port are the deploy's; the revision serving is what the step checks.
  const moved = await release('ports', 'v2', { port: '8081', traffic_steps: '100' });
  expect([moved.code, moved.annotations]).toEqual([0, []]);
  const container = ((await raw('ports')).template as { containers: Json[] }).containers[0];
  expect(container.ports).toEqual([expect.objectContaining({ containerPort: 8081 })]);
  expect(container.startupProbe).toMatchObject({ tcpSocket: { port: 8081 } });
});

test('under Domain Restricted Sharing a service becomes public through the invoker check; the allUsers binding is refused with its own hint', async () => {
  w.emulator.faults.settings.domainRestrictedSharing = true;
  const run = await release('drs', 'v1', { allow_unauthenticated: 'true' });
  expect(run.code).toBe(0);
  const svc = await raw('drs');
  expect(svc.invokerIamDisabled).toBe(true);
  const answer = await fetch(`${String(svc.uri)}/health`);
  expect(answer.status).toBe(200);
  const binding = await release('drs-binding', 'v1', {
    allow_unauthenticated: 'true',
    public_access_method: 'iam-binding',
  });
  expect(binding.code).toBe(1);
  expect(binding.annotations.join('\n')).toMatch(/Domain Restricted Sharing/);
  expect(binding.annotations.join('\n')).toMatch(/public_access_method: invoker-check/);
});

test('five releases leave at most keep_release_tags of this action’s tags, a tag it did not make, and no warm instance on a 0 % revision', async () => {
  // One traffic step each: the tags a release keeps or removes, and the warm floors it moves, are its
  // deploy's and its promotion's, the same with any number of steps in between.
  const once = { traffic_steps: '100' };
  expect((await release('tags', 'v1', { ...once, tag: 'sha-1' })).code).toBe(0);
  // A tag someone else made on the first revision.
  const svc = await raw('tags');
  const first = (svc.traffic as Json[])[0].revision as string;
  await waitOperation(
    await rest('PATCH', `${name('tags')}?updateMask=traffic`, {
      traffic: [
        { type: 'TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION', revision: first, percent: 100 },
        {
          type: 'TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION',
          revision: first,
          percent: 0,
          tag: 'pinned-by-hand',
        },
      ],
    }),
  );
  for (const n of [2, 3, 4, 5]) {
    const run = await release('tags', ['v2', 'v3', 'v1', 'v2'][n - 2], { ...once, tag: `sha-${n}` });
    expect([n, run.code, run.annotations]).toEqual([n, 0, []]);
  }
  const traffic = (await raw('tags')).traffic as Array<{ revision: string; percent?: number; tag?: string }>;
  const tags = traffic.map((t) => t.tag).filter(Boolean);
  expect(tags.sort()).toEqual(['pinned-by-hand', 'sha-4', 'sha-5']);
  const warm = w.emulator.processes().filter((p) => p.service === name('tags') && p.warm > 0);
  const serving = new Set(traffic.filter((t) => (t.percent ?? 0) > 0).map((t) => t.revision));
  expect(warm.map((p) => p.revision).filter((r) => !serving.has(r))).toEqual([]);
  expect(warm.length).toBeGreaterThan(0);
});
