// The Cloud Run port over the real client library against the emulator's fault controls: transient
// errors are retried with backoff on reads, writes and operation polls, then fail clearly; permanent
// errors are not retried; an operation that never finishes hits the deadline; a lost answer is not
// mistaken for someone else's change.
import { startEmulator, type Emulator } from '../../emulator/emulator';
import { wifClient } from '../../emulator/clients';
import { createCloudRun } from '../../src/adapters/cloud-run';
import { OperationUnsettled } from '../../src/errors';
import type { CloudRunPort } from '../../src/ports';
import type { CloudRunService, TrafficTarget } from '../../src/core/cloud-run-types';
import type { ApiMethod } from '../../emulator/faults';

const IMAGE = 'us-docker.pkg.dev/demo/streams/stream-app';
const REV = 'TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION' as const;

let emulator: Emulator;
let cloudRun: CloudRunPort;
const logged: string[] = [];

const nameOf = (service: string) =>
  `projects/${emulator.endpoints.project}/locations/us-central1/services/${service}`;
const retries = () => logged.filter((l) => /trying again/.test(l));
const calls = (method: ApiMethod): number => emulator.api.wire.calls[method] ?? 0;

function port(operationTimeoutSeconds = 30): CloudRunPort {
  return createCloudRun({
    authClient: wifClient(emulator.endpoints),
    endpoint: emulator.endpoints.runApi,
    operationTimeoutSeconds,
    project: emulator.endpoints.project,
    log: (line) => logged.push(line),
    // Real pauses, shortened: the retry schedule itself is the pure policy's test.
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, Math.min(ms, 20))),
  });
}

async function create(service: string, revision: string): Promise<CloudRunService> {
  return cloudRun.applyService(
    {
      name: nameOf(service),
      template: {
        revision,
        containers: [{ image: `${IMAGE}:v1`, env: [{ name: 'TICK_MS', value: '100' }] }],
      },
      traffic: [],
    },
    'create',
  );
}

async function addRevision(service: string, revision: string, traffic: TrafficTarget[]) {
  const live = (await cloudRun.getService(nameOf(service)))!;
  return cloudRun.applyService({ ...live, template: { ...live.template, revision }, traffic }, 'update', [
    'template',
    'traffic',
  ]);
}

beforeAll(async () => {
  emulator = await startEmulator({ startupDeadlineMs: 3000 });
  cloudRun = port();
});

afterAll(async () => {
  await cloudRun?.close();
  await emulator?.stop();
});

afterEach(() => {
  emulator.faults.reset();
  logged.length = 0;
});

test.each([429, 500, 503])(
  'a read answered %i four times is retried and succeeds on the fifth try',
  async (status) => {
    await create(`read-${status}`, `read-${status}-00001`);
    emulator.faults.failNext('services.get', 4, { status });
    const before = calls('services.get');
    const svc = await cloudRun.getService(nameOf(`read-${status}`));
    expect(svc?.latestReadyRevision).toBe(`read-${status}-00001`);
    expect(calls('services.get') - before).toBe(5);
    expect(retries()).toHaveLength(4);
    expect(logged[0]).toMatch(
      /answered .*HTTP \d{3}.* to read service .*trying again in \d+\.\d s \(try 2 of 5\)/,
    );
  },
);

test('a read that keeps failing stops after five tries and says how often, with what, and what to do', async () => {
  await create('read-down', 'read-down-00001');
  emulator.faults.failNext('services.get', 10, { status: 503 });
  await expect(cloudRun.getService(nameOf('read-down'))).rejects.toThrow(
    /read service .*UNAVAILABLE \(HTTP 503\) 5 times in a row[\s\S]*retry the job later/,
  );
});

test('an update answered 429 then 500 is retried and the revision deploys once', async () => {
  await create('write-flaky', 'write-flaky-00001');
  emulator.faults.failNext('services.update', 1, { status: 429 });
  emulator.faults.failNext('services.update', 1, { status: 500 });
  const done = await addRevision('write-flaky', 'write-flaky-00002', [
    { type: REV, revision: 'write-flaky-00001', percent: 100 },
  ]);
  expect(done.latestReadyRevision).toBe('write-flaky-00002');
  expect(retries()).toHaveLength(2);
});

test('a failed operation poll is retried; it is not mistaken for a failed revision', async () => {
  await create('poll-flaky', 'poll-flaky-00001');
  emulator.faults.update({ operationDelayMs: 600 });
  emulator.faults.failNext('operations.get', 2, { status: 503 });
  const done = await addRevision('poll-flaky', 'poll-flaky-00002', [
    { type: REV, revision: 'poll-flaky-00002', percent: 100 },
  ]);
  expect(done.traffic).toEqual([{ type: REV, revision: 'poll-flaky-00002', percent: 100 }]);
  expect(logged.join('\n')).toMatch(/while polling the operation to update service/);
});

test('403 on update is not retried and names the role to grant', async () => {
  await create('denied', 'denied-00001');
  emulator.faults.failNext('services.update', 1, {
    status: 403,
    message: "Permission 'run.services.update' denied",
  });
  const before = calls('services.update');
  await expect(
    addRevision('denied', 'denied-00002', [{ type: REV, revision: 'denied-00001', percent: 100 }]),
  ).rejects.toThrow(/roles\/run\.developer/);
  expect(calls('services.update') - before).toBe(1);
});

test('an operation that never finishes fails at the deadline, naming `deploy_timeout`', async () => {
  await create('stuck', 'stuck-00001');
  const short = port(2);
  try {
    emulator.faults.update({ operationsNeverFinish: true });
    const live = (await short.getService(nameOf('stuck')))!;
    await expect(
      short.applyService({ ...live, template: { ...live.template, revision: 'stuck-00002' } }, 'update', [
        'template',
      ]),
    ).rejects.toThrow(/did not finish within 2 s \(`deploy_timeout`\)/);
  } finally {
    await short.close();
  }
});

test('setTraffic whose earlier try landed (answer lost) sees its own traffic and does not write again', async () => {
  await create('lost', 'lost-00001');
  await addRevision('lost', 'lost-00002', [{ type: REV, revision: 'lost-00001', percent: 100 }]);
  const split: TrafficTarget[] = [
    { type: REV, revision: 'lost-00001', percent: 90 },
    { type: REV, revision: 'lost-00002', percent: 10 },
  ];
  const baseline: TrafficTarget[] = [{ type: REV, revision: 'lost-00001', percent: 100 }];
  await cloudRun.setTraffic(nameOf('lost'), split, { expectTraffic: baseline });
  const updates = calls('services.update');
  // The run believes traffic may still be at the baseline; the service is already at the split.
  const again = await cloudRun.setTraffic(nameOf('lost'), split, { expectTraffic: baseline });
  expect(again.traffic).toEqual(split);
  expect(calls('services.update')).toBe(updates);
  // A rollback that accepts either state restores the baseline; an unknown state is still refused.
  const back = await cloudRun.setTraffic(nameOf('lost'), baseline, {
    expectTraffic: baseline,
    alsoExpect: [split],
  });
  expect(back.traffic).toEqual(baseline);
  await expect(cloudRun.setTraffic(nameOf('lost'), split, { expectTraffic: split })).rejects.toThrow(
    /someone else changed its traffic/,
  );
});

test('polls that keep failing end in OperationUnsettled (Cloud Run took the update), saying how often and with what', async () => {
  await create('poll-down', 'poll-down-00001');
  emulator.faults.update({ operationDelayMs: 2000 });
  emulator.faults.failNext('operations.get', 20, { status: 503 });
  const live = (await cloudRun.getService(nameOf('poll-down')))!;
  const error = await cloudRun
    .applyService({ ...live, template: { ...live.template, revision: 'poll-down-00002' } }, 'update', [
      'template',
    ])
    .catch((e: Error) => e);
  expect(error).toBeInstanceOf(OperationUnsettled);
  expect((error as Error).message).toMatch(
    /poll the operation to update service .*UNAVAILABLE \(HTTP 503\) 5 times in a row/,
  );
});

/** Sends a PATCH the way an earlier try of the adapter would have, its answer then lost. */
async function patchRaw(service: string, mask: string, body: Record<string, unknown>): Promise<void> {
  await wifClient(emulator.endpoints).request({
    url: `${emulator.endpoints.runApi.url}/v2/${nameOf(service)}?updateMask=${mask}`,
    method: 'PATCH',
    data: body,
  });
}

test('setTraffic that finds its own write still reconciling waits for it; it is not someone else’s change', async () => {
  await create('own', 'own-00001');
  await addRevision('own', 'own-00002', [{ type: REV, revision: 'own-00001', percent: 100 }]);
  const baseline: TrafficTarget[] = [{ type: REV, revision: 'own-00001', percent: 100 }];
  const split: TrafficTarget[] = [
    { type: REV, revision: 'own-00001', percent: 50 },
    { type: REV, revision: 'own-00002', percent: 50 },
  ];
  emulator.faults.update({ operationDelayMs: 1500 });
  await patchRaw('own', 'traffic', { traffic: split });
  const updates = calls('services.update');
  const done = await cloudRun.setTraffic(nameOf('own'), split, { expectTraffic: baseline });
  expect(done.traffic).toEqual(split);
  expect(done.reconciling).toBeFalsy();
  expect(calls('services.update')).toBe(updates);
});

test('a deploy whose first try landed but whose answer was lost follows its own revision (stale etag on the retry)', async () => {
  await create('retried', 'retried-00001');
  const live = (await cloudRun.getService(nameOf('retried')))!;
  const next = { ...live, template: { ...live.template, revision: 'retried-00002' } };
  const { name: _n, uri: _u, urls: _us, ...fields } = next;
  await patchRaw('retried', 'template', { ...fields, etag: live.etag });
  const after = await cloudRun.applyService(next, 'update', ['template']);
  expect(after.latestReadyRevision).toBe('retried-00002');
});
