// Recovery of an unfinished release against the emulator, through the real adapter and client libraries:
// a half-way split is restored to the recorded baseline exactly.
import { startEmulator, type Emulator } from '../emulator/emulator';
import { wifClient, runClients } from '../emulator/clients';
import { createCloudRun } from '../src/adapters/cloud-run';
import { trafficKey } from '../src/core/traffic-plan';
import type { CloudRunPort } from '../src/ports';
import type { CloudRunService, TrafficTarget } from '../src/core/cloud-run-types';
import { decodeRecord, encodeRecord, RECORD_ANNOTATION } from '../src/core/release-record';
import { recoverRelease } from '../src/recover';
import { REV, memoryLog, record } from './support/unfinished-release';

describe('recoverRelease against the emulator (real adapter, real client libraries)', () => {
  const IMAGE = 'us-docker.pkg.dev/demo/streams/stream-app';
  let emulator: Emulator;
  let cloudRun: CloudRunPort;

  beforeAll(async () => {
    emulator = await startEmulator({ startupDeadlineMs: 3000 });
    cloudRun = createCloudRun({
      authClient: wifClient(emulator.endpoints),
      endpoint: emulator.endpoints.runApi,
      operationTimeoutSeconds: 30,
      project: emulator.endpoints.project,
    });
  });

  afterAll(async () => {
    await cloudRun?.close();
    await emulator?.stop();
  });

  // Deploys `revision` with `image` and sets `traffic` in the same update.
  async function deploy(
    name: string,
    revision: string,
    image: string,
    traffic: TrafficTarget[],
    create = false,
  ) {
    const live = create ? undefined : await cloudRun.getService(name);
    const service: CloudRunService = {
      ...(live ?? { name }),
      name,
      template: {
        revision,
        containers: [{ image: `${IMAGE}:${image}`, env: [{ name: 'TICK_MS', value: '100' }] }],
      },
      traffic,
    };
    return cloudRun.applyService(service, create ? 'create' : 'update', ['template', 'traffic']);
  }

  it('restores a service left at step 2 of 3 from a half-way split baseline to that baseline exactly', async () => {
    const name = `projects/${emulator.endpoints.project}/locations/us-central1/services/canary`;
    const r = (n: number) => `canary-0000${n}`;
    await deploy(name, r(1), 'v1', [], true);
    await deploy(name, r(2), 'v2', [{ type: REV, revision: r(1), percent: 100 }]);
    // A previous canary left half-way, with a user tag: the baseline this release found.
    const baseline: TrafficTarget[] = [
      { type: REV, revision: r(1), percent: 50 },
      { type: REV, revision: r(2), percent: 50, tag: 'blue' },
    ];
    await cloudRun.setTraffic(name, baseline);
    // The candidate, deployed without traffic under its tag; then step 2 of 3 (50 %) with the record.
    await deploy(name, r(3), 'v3', [
      ...baseline,
      { type: REV, revision: r(3), percent: 0, tag: 'candidate' },
    ]);
    const rec = record({
      service: name,
      candidate: r(3),
      restoreTraffic: baseline,
      finalTraffic: [
        { type: REV, revision: r(3), percent: 100, tag: 'candidate' },
        { type: REV, revision: r(2), percent: 0, tag: 'blue' },
      ],
    });
    const atHalf: TrafficTarget[] = [
      { type: REV, revision: r(3), percent: 50, tag: 'candidate' },
      { type: REV, revision: r(1), percent: 25 },
      { type: REV, revision: r(2), percent: 25, tag: 'blue' },
    ];
    await cloudRun.setTraffic(name, atHalf, { annotations: { [RECORD_ANNOTATION]: encodeRecord(rec) } });

    const outcome = await recoverRelease(rec, 'auto', { cloudRun, log: memoryLog() });
    expect(outcome).toMatchObject({ action: 'restore', ok: true });

    // Read back independently, through the raw client: exactly the baseline, nothing in between.
    const { services, revisions } = runClients(emulator.endpoints, wifClient(emulator.endpoints));
    try {
      const [svc] = await services.getService({ name });
      const live = (svc.traffic ?? []).map((t) => ({
        type:
          t.type === 'TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST' || t.type === 1
            ? 'TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST'
            : REV,
        revision: t.revision ?? undefined,
        percent: t.percent ?? 0,
        tag: t.tag || undefined,
      })) as TrafficTarget[];
      expect(trafficKey(live)).toBe(trafficKey(baseline));
      expect(decodeRecord(svc.annotations?.[RECORD_ANNOTATION] ?? undefined)?.phase).toBe('rolled-back');
      // The candidate's tag URL is gone with its traffic entry; the user's tag stays where it was.
      const tags = (svc.trafficStatuses ?? []).filter((t) => t.tag).map((t) => [t.tag, t.revision]);
      expect(tags).toEqual([['blue', r(2)]]);
    } finally {
      await services.close();
      await revisions.close();
    }
  });
});
