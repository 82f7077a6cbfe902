// The emulator's timestamped wire log, revision start times and operation timeline, which the release
// benchmarks (bench/release-bench.ts) read through GET /emulator/calls.
import type { ServicesClient } from '@google-cloud/run';
import { startEmulator, type Emulator } from '../../emulator/emulator';
import { LRO, runClients, wifClient } from '../../emulator/clients';
import { epochMs, type WireLog } from '../../emulator/api/wire-log';

const IMAGE = 'us-docker.pkg.dev/demo/streams/stream-app';

let emulator: Emulator;
let services: ServicesClient;
let parent: string;

beforeAll(async () => {
  emulator = await startEmulator({ startupDeadlineMs: 3000 });
  ({ services } = runClients(emulator.endpoints, wifClient(emulator.endpoints)));
  parent = `projects/${emulator.endpoints.project}/locations/us-central1`;
});

afterAll(async () => {
  await services?.close();
  await emulator?.stop();
});

async function calls(): Promise<WireLog> {
  const res = await fetch(`${emulator.endpoints.control}/calls`);
  return (await res.json()) as WireLog;
}

test('GET /emulator/calls: each call timestamped in order, the revision start and the operation timeline', async () => {
  // The log's own clock (timeOrigin + performance.now(), sub-millisecond): Date.now() drifts from it by
  // more than a millisecond in a long-lived process, which failed this test once on a busy CI run.
  const before = epochMs();
  const [op] = await services.createService(
    {
      parent,
      serviceId: 'wire-log',
      service: {
        template: { containers: [{ image: `${IMAGE}:v1`, env: [{ name: 'TICK_MS', value: '100' }] }] },
      },
    },
    LRO,
  );
  await op.promise();
  await services.getService({ name: `${parent}/services/wire-log` });
  const after = epochMs();
  const wire = await calls();

  const methods = wire.log.map((c) => c.method);
  expect(methods[0]).toBe('services.create');
  expect(methods[methods.length - 1]).toBe('services.get');
  expect(methods.filter((m) => m === 'operations.get').length).toBe(wire.calls['operations.get']);
  for (const c of wire.log) {
    expect(c.at).toBeGreaterThanOrEqual(before);
    expect(c.at).toBeLessThanOrEqual(after);
  }
  const ats = wire.log.map((c) => c.at);
  expect(ats).toEqual([...ats].sort((a, b) => a - b));
  // operations.get names the operation it polled, so polls can be matched to their operation.
  expect(wire.log.find((c) => c.method === 'operations.get')?.name).toBe(op.name);

  expect(wire.revisionStarts).toHaveLength(1);
  const start = wire.revisionStarts[0];
  expect(start.revision).toMatch(/\/services\/wire-log\/revisions\/wire-log-00001-/);
  expect(start.ready).toBe(true);
  expect(start.ms).toBeCloseTo(start.endedAt - start.startedAt, 6);
  expect(start.ms).toBeGreaterThan(0);

  const timeline = wire.operations.find((o) => o.name === op.name);
  expect(timeline?.doneAt).toBeGreaterThanOrEqual(start.endedAt);
  expect(timeline!.startedAt).toBeLessThanOrEqual(start.startedAt);
  // The client's last poll is the one that saw the operation done.
  const polls = wire.log.filter((c) => c.name === op.name && c.method === 'operations.get');
  expect(polls[polls.length - 1].at).toBeGreaterThanOrEqual(timeline!.doneAt!);
});

test('a failed revision start is recorded as not ready, and its operation is done', async () => {
  const [op] = await services.createService(
    {
      parent,
      serviceId: 'wire-log-missing',
      service: { template: { containers: [{ image: `${IMAGE}:nope` }] } },
    },
    LRO,
  );
  await expect(op.promise()).rejects.toThrow(/not ready/);
  const wire = await calls();
  const start = wire.revisionStarts.find((s) => s.revision.includes('/services/wire-log-missing/'));
  expect(start?.ready).toBe(false);
  expect(wire.operations.find((o) => o.name === op.name)?.doneAt).toBeDefined();
});
