import { afterEach, describe, expect, it } from '@jest/globals';
import { Faults } from '../../../emulator/faults';
import {
  createDataPlane,
  type DataPlaneOptions,
  type EmulatorDataPlane,
} from '../../../emulator/data-plane/data-plane';
import {
  SERVICE,
  allowAll,
  fixtureCatalogue,
  openSocket,
  openSse,
  routing,
  spec,
  waitUntil,
} from './harness';

let plane: EmulatorDataPlane | undefined;
const cleanups: Array<() => void> = [];
afterEach(async () => {
  cleanups.splice(0).forEach((c) => c());
  await plane?.close();
  plane = undefined;
});

function newPlane(options: Partial<DataPlaneOptions> = {}): EmulatorDataPlane {
  plane = createDataPlane({
    faults: new Faults(),
    catalogue: fixtureCatalogue,
    invokerCheck: allowAll,
    ...options,
  });
  return plane;
}

async function serve(dp: EmulatorDataPlane, overrides: Parameters<typeof spec>[1]): Promise<string> {
  expect(await dp.startRevision(spec('api-00001-one', overrides))).toEqual({ ready: true });
  return (await dp.route(routing({ split: [{ revision: 'api-00001-one', percent: 100 }] }))).uri;
}

describe('per-instance concurrency (docs/platform.md "Concurrency"; a stream holds its slot until it ends)', () => {
  it('answers 429 to a second concurrent stream when concurrency 1 and maxInstances 1', async () => {
    const dp = newPlane();
    const uri = await serve(dp, { concurrency: 1, maxInstances: 1 });
    const first = await openSse(`${uri}/events`);
    cleanups.push(() => first.close());
    await first.waitFor(1);
    expect(dp.instances(SERVICE, 'api-00001-one')).toMatchObject([{ inFlight: 1 }]);

    const second = await fetch(`${uri}/events`);
    expect(second.status).toBe(429);
    expect(await second.text()).toContain('no available instance');
    await expect(openSocket(`${uri}/ws`)).rejects.toThrow('status 429');

    first.close();
    await waitUntil(() => dp.instances(SERVICE, 'api-00001-one')[0].inFlight === 0);
    const third = await openSse(`${uri}/events`);
    cleanups.push(() => third.close());
    expect(third.status).toBe(200);
  });

  it('starts a second instance for a second concurrent stream when maxInstances 2', async () => {
    const dp = newPlane();
    const uri = await serve(dp, { concurrency: 1, maxInstances: 2 });
    const first = await openSse(`${uri}/events`);
    const second = await openSse(`${uri}/events`);
    cleanups.push(
      () => first.close(),
      () => second.close(),
    );
    await Promise.all([first.waitFor(1), second.waitFor(1)]);
    const instances = dp.instances(SERVICE, 'api-00001-one');
    expect(instances).toHaveLength(2);
    expect(instances.map((i) => i.inFlight)).toEqual([1, 1]);
    expect((await fetch(`${uri}/events`)).status).toBe(429);
  });

  it('lets a request queue for a free slot when queueTimeoutMs allows it', async () => {
    const dp = newPlane({ queueTimeoutMs: 5000 });
    const uri = await serve(dp, { concurrency: 1, maxInstances: 1 });
    const first = await openSse(`${uri}/events`);
    cleanups.push(() => first.close());
    await first.waitFor(1);
    const queued = fetch(`${uri}/info`);
    setTimeout(() => first.close(), 200);
    expect((await queued).status).toBe(200);
  });
});

describe('faults', () => {
  it('bufferSse holds every SSE byte until the upstream ends', async () => {
    const faults = new Faults();
    faults.update({ bufferSse: true });
    const dp = newPlane({ faults });
    const uri = await serve(dp, {});
    const stream = await openSse(`${uri}/events?count=5`);
    cleanups.push(() => stream.close());
    const arrivals: number[] = [];
    const timer = setInterval(() => arrivals.push(stream.events.length), 10);
    await expect(stream.done).resolves.toEqual({ ended: true });
    clearInterval(timer);
    expect(stream.events.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5]);
    // Nothing was visible before the end: every sample taken while the stream was open saw 0 events.
    expect(arrivals.filter((n) => n > 0 && n < 5)).toEqual([]);
  });

  it('does not buffer other content types under bufferSse', async () => {
    const faults = new Faults();
    faults.update({ bufferSse: true });
    const dp = newPlane({ faults });
    const uri = await serve(dp, {});
    expect(await (await fetch(`${uri}/info`)).json()).toMatchObject({ revision: 'api-00001-one' });
  });

  it('without faults, SSE events arrive one by one while the stream is open', async () => {
    const dp = newPlane();
    const uri = await serve(dp, {});
    const stream = await openSse(`${uri}/events?count=40`);
    cleanups.push(() => stream.close());
    await stream.waitFor(1);
    expect(stream.events.length).toBeLessThan(40);
  });

  it('dropStreamsAfterMs cuts an SSE stream and a WebSocket', async () => {
    const faults = new Faults();
    const dp = newPlane({ faults });
    const uri = await serve(dp, {});
    faults.update({ dropStreamsAfterMs: 300 });
    const stream = await openSse(`${uri}/events`);
    cleanups.push(() => stream.close());
    await expect(stream.done).resolves.toEqual({ ended: false });
    expect(stream.events.length).toBeGreaterThan(0);

    const socket = await openSocket(`${uri}/ws`);
    cleanups.push(() => socket.ws.terminate());
    const code = await new Promise<number>((resolve) => socket.ws.on('close', (c) => resolve(c)));
    expect(code).toBe(1006);
    await waitUntil(() => dp.instances(SERVICE, 'api-00001-one')[0].inFlight === 0);
  });
});
