// The smoke test inside the built action and from the built CLI, against the local Cloud Run: a
// candidate that buffers its stream fails and gets no traffic; a good one passes, privately and publicly.
import { execFile } from 'node:child_process';
import type { ServicesClient } from '@google-cloud/run';
import { startEmulator, type Emulator } from '../../emulator/emulator';
import { conflicts } from '../support/fault-suite';
import { NODE24, ROOT, runAction } from '../../scripts/local-runner';
import { LRO, runClients, wifClient } from '../../emulator/clients';

const IMAGE = 'us-docker.pkg.dev/demo/streams/stream-app';

let emulator: Emulator;
let services: ServicesClient;
const name = (service: string) =>
  `projects/${emulator.endpoints.project}/locations/us-central1/services/${service}`;

const inputs = (service: string, image: string, extra: Record<string, string> = {}) => ({
  project_id: emulator.endpoints.project,
  region: 'us-central1',
  service,
  image: `${IMAGE}:${image}`,
  workload_identity_provider: emulator.endpoints.workloadIdentityProvider,
  service_account: emulator.endpoints.serviceAccount,
  env_vars: 'TICK_MS=100',
  smoke_duration: '1500ms',
  smoke_first_event_timeout: '2s',
  smoke_min_events: '3',
  smoke_max_gap: '1s',
  smoke_connections: '3',
  ...extra,
});

function cli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(NODE24, [`${ROOT}/dist/cli/index.js`, ...args], { timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout, stderr });
    });
  });
}

beforeAll(async () => {
  emulator = await startEmulator({ startupDeadlineMs: 4000 });
  ({ services } = runClients(emulator.endpoints, wifClient(emulator.endpoints)));
});

afterAll(async () => {
  // No release met the 409 of a strict template comparison (docs/platform.md "Revisions and failures").
  expect(conflicts(emulator)).toEqual([]);
  await services?.close();
  await emulator?.stop();
});

test('a private service passes through its tag URL with an ID token; smoke_result is JSON with the checks', async () => {
  const first = await runAction('main', inputs('private-api', 'v1'), emulator.endpoints, {
    env: { GITHUB_RUN_ID: '2001' },
  });
  expect(first.annotations).toEqual([]);
  expect(first.code).toBe(0);
  const second = await runAction('main', inputs('private-api', 'v2'), emulator.endpoints, {
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

test('a candidate that buffers its stream fails the smoke test and traffic is left untouched', async () => {
  const first = await runAction(
    'main',
    inputs('buffer-api', 'v1', { allow_unauthenticated: 'true' }),
    emulator.endpoints,
    { env: { GITHUB_RUN_ID: '3001' } },
  );
  expect(first.code).toBe(0);
  const [before] = await services.getService({ name: name('buffer-api') });
  const run = await runAction(
    'main',
    inputs('buffer-api', 'buffered', { allow_unauthenticated: 'true' }),
    emulator.endpoints,
    { env: { GITHUB_RUN_ID: '3002' } },
  );
  expect(run.code).toBe(1);
  const error = run.annotations.filter((a) => a.startsWith('::error::')).pop() ?? '';
  expect(error).toContain('not-buffered');
  expect(error).toContain('Traffic and tags are exactly as they were');
  expect(JSON.parse(run.outputs.smoke_result).verdict).toBe('fail');
  expect(JSON.parse(run.outputs.smoke_result).metrics.buffered).toBe(true);
  const [after] = await services.getService({ name: name('buffer-api') });
  expect(after.traffic).toEqual(before.traffic);
  expect(after.latestReadyRevision).not.toBe(before.latestReadyRevision);
});

test('the router buffering a good app (a proxy fault) is caught the same way', async () => {
  const first = await runAction(
    'main',
    inputs('proxy-api', 'v1', { allow_unauthenticated: 'true' }),
    emulator.endpoints,
    { env: { GITHUB_RUN_ID: '4001' } },
  );
  expect(first.code).toBe(0);
  emulator.faults.update({ bufferSse: true });
  try {
    const run = await runAction(
      'main',
      inputs('proxy-api', 'v2', { allow_unauthenticated: 'true', smoke_connections: '1' }),
      emulator.endpoints,
      { env: { GITHUB_RUN_ID: '4002' } },
    );
    expect(run.code).toBe(1);
    const smoke = JSON.parse(run.outputs.smoke_result);
    expect(smoke.checks.filter((c: { ok: boolean }) => !c.ok).map((c: { name: string }) => c.name)).toContain(
      'first-event',
    );
  } finally {
    emulator.faults.reset();
  }
});

test('the CLI: pass exits 0, a failing stream exits 1 with --json, a usage error exits 2', async () => {
  const ok = await runAction(
    'main',
    inputs('cli-api', 'v1', { allow_unauthenticated: 'true' }),
    emulator.endpoints,
    { env: { GITHUB_RUN_ID: '5001' } },
  );
  expect([ok.code, ok.annotations]).toEqual([0, []]);
  const pass = await cli(['smoke', '--url', ok.outputs.url, '--duration', '1s', '--max-gap', '1s']);
  expect(pass.stdout).toContain('ok   handshake');
  expect(pass.code).toBe(0);
  const ws = await cli([
    'smoke',
    '--url',
    ok.outputs.url,
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
  const stalled = await runAction(
    'main',
    inputs('cli-stall-api', 'stall', { allow_unauthenticated: 'true', smoke_protocol: 'none' }),
    emulator.endpoints,
    { env: { GITHUB_RUN_ID: '5002' } },
  );
  expect(stalled.code).toBe(0);
  const fail = await cli([
    'smoke',
    '--url',
    `${stalled.outputs.url}/events`,
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
  const [op] = await services.createService(
    {
      parent: `projects/${emulator.endpoints.project}/locations/us-central1`,
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
    emulator.endpoints,
    { env: { GITHUB_RUN_ID: '6001' } },
  );
  expect(run.code).toBe(1);
  const [after] = await services.getService({ name: name('latest-api') });
  expect(String(after.latestReadyRevision).split('/').pop()).toBe(run.outputs.revision);
  expect((after.traffic ?? []).map((t) => [t.type, t.revision, t.percent])).toEqual([
    ['TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION', old, 100],
  ]);
  const res = await fetch(`${after.uri}/health`);
  expect(res.headers.get('x-revision')).toBe(old);
});
