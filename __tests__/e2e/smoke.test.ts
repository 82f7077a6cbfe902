// The smoke test inside the built action and from the built CLI, against the local Cloud Run: a good
// candidate passes, privately and publicly; the CLI's exit codes. The streams that fail the smoke test (a
// buffering app or proxy, a stall, …) are the fault matrix's (__tests__/faults/smoke.test.ts).
import { runAction } from '../../scripts/local-runner';
import { LRO } from '../../emulator/clients';
import {
  IMAGE,
  runCli,
  seedReleased,
  serviceName,
  targetInputs,
  useActionWorld,
} from '../support/action-world';

const w = useActionWorld();
const name = (service: string) => serviceName(w.emulator, service);

const inputs = (service: string, image: string, extra: Record<string, string> = {}) => ({
  ...targetInputs(w.emulator, service),
  image: `${IMAGE}:${image}`,
  env_vars: 'TICK_MS=100',
  smoke_duration: '1500ms',
  smoke_first_event_timeout: '2s',
  smoke_min_events: '3',
  smoke_max_gap: '1s',
  smoke_connections: '3',
  ...extra,
});

const cli = (args: string[]) => runCli(w.emulator, args);

test('a private service passes through its tag URL with an ID token; smoke_result is JSON with the checks', async () => {
  // A first release of a private service is deployer-roles.test.ts's; here the baseline is seeded.
  await seedReleased(w.emulator, 'private-api', { public: false });
  const second = await runAction('main', inputs('private-api', 'v2'), w.emulator.endpoints, {
    env: { GITHUB_RUN_ID: '2002' },
  });
  expect(second.annotations).toEqual([]);
  expect(second.code).toBe(0);
  const smoke = JSON.parse(second.outputs.smoke_result);
  expect(smoke.verdict).toBe('pass');
  expect(smoke.url).toBe(second.outputs.tag_url);
  expect(smoke.metrics.connectionsHeld).toBe(3);
  expect(smoke.checks.map((c: { name: string }) => c.name)).toEqual(
    expect.arrayContaining([
      'health',
      'handshake',
      'content-type',
      'first-event',
      'not-buffered',
      'stays-open',
    ]),
  );
  // The service is private: without a token its URL answers 403.
  expect((await fetch(`${second.outputs.tag_url}/health`)).status).toBe(403);
});

test('the CLI: pass exits 0, a failing stream exits 1 with --json, a usage error exits 2', async () => {
  // The CLI probes services that exist; no release is its subject, so they are seeded.
  const ok = await seedReleased(w.emulator, 'cli-api');
  const pass = await cli(['smoke', '--url', ok.uri, '--duration', '1s', '--max-gap', '1s']);
  expect(pass.stdout).toContain('ok   handshake');
  expect(pass.code).toBe(0);
  const ws = await cli([
    'smoke',
    '--url',
    ok.uri,
    '--protocol',
    'websocket',
    '--send',
    'hi',
    '--expect',
    'echo:hi',
    '--duration',
    '1s',
    '--json',
  ]);
  expect(ws.code).toBe(0);
  expect(JSON.parse(ws.stdout).verdict).toBe('pass');
  const stalled = await seedReleased(w.emulator, 'cli-stall-api', { image: `${IMAGE}:stall` });
  const fail = await cli([
    'smoke',
    '--url',
    `${stalled.uri}/events`,
    '--duration',
    '1500ms',
    '--max-gap',
    '500ms',
    '--json',
  ]);
  expect(fail.code).toBe(1);
  const report = JSON.parse(fail.stdout);
  expect(report.verdict).toBe('fail');
  expect(report.checks.find((c: { name: string }) => c.name === 'max-gap').ok).toBe(false);
  const usage = await cli(['smoke', '--protocol', 'grpc']);
  expect(usage.code).toBe(2);
  expect(usage.stderr).toContain('--url is required');
});

test('a service that follows LATEST: after a failed smoke test new requests still reach the old revision, not the ready candidate', async () => {
  const [op] = await w.services.createService(
    {
      parent: `projects/${w.emulator.endpoints.project}/locations/us-central1`,
      serviceId: 'latest-api',
      service: {
        template: { containers: [{ image: `${IMAGE}:v1`, env: [{ name: 'TICK_MS', value: '100' }] }] },
      },
    },
    LRO,
  );
  const [created] = await op.promise();
  const old = String(created.latestReadyRevision).split('/').pop();
  const run = await runAction(
    'main',
    inputs('latest-api', 'buffered', { allow_unauthenticated: 'true', smoke_connections: '1' }),
    w.emulator.endpoints,
    { env: { GITHUB_RUN_ID: '6001' } },
  );
  expect(run.code).toBe(1);
  const [after] = await w.services.getService({ name: name('latest-api') });
  expect(String(after.latestReadyRevision).split('/').pop()).toBe(run.outputs.revision);
  expect((after.traffic ?? []).map((t) => [t.type, t.revision, t.percent])).toEqual([
    ['TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION', old, 100],
  ]);
  const res = await fetch(`${after.uri}/health`);
  expect(res.headers.get('x-revision')).toBe(old);
});
