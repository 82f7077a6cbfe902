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

/** An emulator lent to one case, a port over it and what the port logged. */
interface Rig {
  emulator: Emulator;
  cloudRun: CloudRunPort;
  logged: string[];
  nameOf(service: string): string;
  retries(): string[];
  calls(method: ApiMethod): number;
  port(operationTimeoutSeconds?: number): CloudRunPort;
  create(service: string, revision: string): Promise<CloudRunService>;
  addRevision(service: string, revision: string, traffic: TrafficTarget[]): Promise<CloudRunService>;
  /** Sends a PATCH the way an earlier try of the adapter would have, its answer then lost. */
  patchRaw(service: string, mask: string, body: Record<string, unknown>): Promise<void>;
}

function rigOn(emulator: Emulator): Rig {
  const logged: string[] = [];
  const nameOf = (service: string) =>
    `projects/${emulator.endpoints.project}/locations/us-central1/services/${service}`;
  const port = (operationTimeoutSeconds = 30): CloudRunPort =>
    createCloudRun({
      authClient: wifClient(emulator.endpoints),
      endpoint: emulator.endpoints.runApi,
      operationTimeoutSeconds,
      project: emulator.endpoints.project,
      log: (line) => logged.push(line),
      // Real pauses, shortened: the retry schedule itself is the pure policy's test.
      sleep: (ms) => new Promise((resolve) => setTimeout(resolve, Math.min(ms, 20))),
    });
  const cloudRun = port();
  return {
    emulator,
    cloudRun,
    logged,
    nameOf,
    retries: () => logged.filter((l) => /trying again/.test(l)),
    calls: (method) => emulator.api.wire.calls[method] ?? 0,
    port,
    create: (service, revision) =>
      cloudRun.applyService(
        {
          name: nameOf(service),
          template: {
            revision,
            containers: [{ image: `${IMAGE}:v1`, env: [{ name: 'TICK_MS', value: '100' }] }],
          },
          traffic: [],
        },
        'create',
      ),
    async addRevision(service, revision, traffic) {
      const live = (await cloudRun.getService(nameOf(service)))!;
      return cloudRun.applyService({ ...live, template: { ...live.template, revision }, traffic }, 'update', [
        'template',
        'traffic',
      ]);
    },
    async patchRaw(service, mask, body) {
      await wifClient(emulator.endpoints).request({
        url: `${emulator.endpoints.runApi.url}/v2/${nameOf(service)}?updateMask=${mask}`,
        method: 'PATCH',
        data: body,
      });
    },
  };
}

// Every case sets faults and counts calls, so no two share an emulator at once: two emulators are lent
// to one case each and reset when it gives them back, as afterEach did when the cases ran one by one. Two
// cases at a time: each starts revisions, a start has a 3 s deadline, two at once took up to 1.2 s on a
// loaded 2-CPU machine with two busy loops beside them, and more would come closer to it.
const emulators: Emulator[] = [];
const idle: Emulator[] = [];
const waiting: Array<(emulator: Emulator) => void> = [];

beforeAll(async () => {
  emulators.push(...(await Promise.all([1, 2].map(() => startEmulator({ startupDeadlineMs: 3000 })))));
  idle.push(...emulators);
});

afterAll(async () => {
  await Promise.all(emulators.map((emulator) => emulator.stop()));
});

/** Runs `fn` on an emulator no other case uses meanwhile, with a port and log of its own. */
async function isolated(fn: (rig: Rig) => Promise<void>): Promise<void> {
  const emulator = idle.pop() ?? (await new Promise<Emulator>((resolve) => waiting.push(resolve)));
  const rig = rigOn(emulator);
  try {
    await fn(rig);
  } finally {
    emulator.faults.reset();
    const next = waiting.shift();
    if (next) next(emulator);
    else idle.push(emulator);
    await rig.cloudRun.close();
  }
}

test.concurrent.each([429, 500, 503])(
  'a read answered %i four times is retried and succeeds on the fifth try',
  (status) =>
    isolated(async ({ emulator, cloudRun, logged, nameOf, retries, calls, create }) => {
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
    }),
);

test.concurrent(
  'a read that keeps failing stops after five tries and says how often, with what, and what to do',
  () =>
    isolated(async ({ emulator, cloudRun, nameOf, create }) => {
      await create('read-down', 'read-down-00001');
      emulator.faults.failNext('services.get', 10, { status: 503 });
      await expect(cloudRun.getService(nameOf('read-down'))).rejects.toThrow(
        /read service .*UNAVAILABLE \(HTTP 503\) 5 times in a row[\s\S]*retry the job later/,
      );
    }),
);

test.concurrent('an update answered 429 then 500 is retried and the revision deploys once', () =>
  isolated(async ({ emulator, retries, create, addRevision }) => {
    await create('write-flaky', 'write-flaky-00001');
    emulator.faults.failNext('services.update', 1, { status: 429 });
    emulator.faults.failNext('services.update', 1, { status: 500 });
    const done = await addRevision('write-flaky', 'write-flaky-00002', [
      { type: REV, revision: 'write-flaky-00001', percent: 100 },
    ]);
    expect(done.latestReadyRevision).toBe('write-flaky-00002');
    expect(retries()).toHaveLength(2);
  }),
);

test.concurrent('a failed operation poll is retried; it is not mistaken for a failed revision', () =>
  isolated(async ({ emulator, logged, create, addRevision }) => {
    await create('poll-flaky', 'poll-flaky-00001');
    emulator.faults.update({ operationDelayMs: 600 });
    emulator.faults.failNext('operations.get', 2, { status: 503 });
    const done = await addRevision('poll-flaky', 'poll-flaky-00002', [
      { type: REV, revision: 'poll-flaky-00002', percent: 100 },
    ]);
    expect(done.traffic).toEqual([{ type: REV, revision: 'poll-flaky-00002', percent: 100 }]);
    expect(logged.join('\n')).toMatch(/while polling the operation to update service/);
  }),
);

test.concurrent('403 on update is not retried and names the role to grant', () =>
  isolated(async ({ emulator, calls, create, addRevision }) => {
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
  }),
);

test.concurrent('an operation that never finishes fails at the deadline, naming `deploy_timeout`', () =>
  isolated(async ({ emulator, nameOf, port, create }) => {
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
  }),
);

test.concurrent(
  'setTraffic whose earlier try landed (answer lost) sees its own traffic and does not write again',
  () =>
    isolated(async ({ cloudRun, nameOf, calls, create, addRevision }) => {
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
    }),
);

test.concurrent(
  'polls that keep failing end in OperationUnsettled (Cloud Run took the update), saying how often and with what',
  () =>
    isolated(async ({ emulator, cloudRun, nameOf, create }) => {
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
    }),
);

test.concurrent(
  'setTraffic that finds its own write still reconciling waits for it; it is not someone else’s change',
  () =>
    isolated(async ({ emulator, cloudRun, nameOf, calls, create, addRevision, patchRaw }) => {
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
    }),
);

test.concurrent(
  'a deploy whose first try landed but whose answer was lost follows its own revision (stale etag on the retry)',
  () =>
    isolated(async ({ cloudRun, nameOf, create, patchRaw }) => {
      await create('retried', 'retried-00001');
      const live = (await cloudRun.getService(nameOf('retried')))!;
      const next = { ...live, template: { ...live.template, revision: 'retried-00002' } };
      const { name: _n, uri: _u, urls: _us, ...fields } = next;
      await patchRaw('retried', 'template', { ...fields, etag: live.etag });
      const after = await cloudRun.applyService(next, 'update', ['template']);
      expect(after.latestReadyRevision).toBe('retried-00002');
    }),
);
