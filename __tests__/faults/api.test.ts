// Fault matrix, Cloud Run API: transient 429/500/503 on reads, writes and operation polls (retried with
// backoff, then a clear failure), a permanent 403, a wrong project or region, a concurrent change, an
// operation that never finishes. Through the built action; invariants in __tests__/support/fault-suite.ts.
import type { ApiMethod } from '../../emulator/faults';
import {
  checkCase,
  nextRunId,
  promoted,
  releaseInputs,
  runMain,
  seedBaseline,
  serviceName,
  trafficOf,
  useFaultWorld,
} from '../support/fault-suite';
import { startAction } from '../../scripts/local-runner';
import { LRO } from '../../emulator/clients';
import { startEarly, waitFor } from '../support/action-world';

const w = useFaultWorld('api');
const GROUP = 'Cloud Run API';

/** Waits until the running step's saved release record reaches `step` (the traffic of that step is live). */
async function waitForStep(state: () => Record<string, string>, step: number): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const raw = state().release;
    if (raw && JSON.parse(raw).step >= step && JSON.parse(raw).phase === 'rolling-out') return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`step ${step} never started`);
}

describe.each([
  ['services.get', 429],
  ['services.update', 500],
  ['operations.get', 503],
] as Array<[ApiMethod, number]>)('transient %s %i', (method, status) => {
  test(`answered ${status} three times: retried with backoff, the release is promoted`, async () => {
    const service = `flaky-${method.split('.')[1]}-${status}`;
    const before = await seedBaseline(w, service);
    w.emulator.faults.failNext(method, 3, { status });
    // One traffic step: the three failures meet the first read, the deploy's update or its first poll.
    const run = await runMain(w, releaseInputs(w.emulator, service, 'v2', { traffic_steps: '100' }));
    expect(run.stdout).toMatch(/trying again in|polling again in/);
    await checkCase(w, run, {
      group: GROUP,
      title: `transient ${status} on ${method}, 3 times`,
      fault: `${method} answers ${status} three times, then recovers`,
      service,
      before,
      planned: promoted(run.outputs.revision),
      expected: 'planned',
      verdict: 'promoted',
      exit: 0,
    });
  });
});

test('503 on update that outlasts the retries at the 50 % step: a clear failure and an exact rollback', async () => {
  const service = 'down-at-50';
  const before = await seedBaseline(w, service);
  const main = startAction(
    'main',
    releaseInputs(w.emulator, service, 'v2', { step_wait: '0s,4s,0s' }),
    w.emulator.endpoints,
    { env: { GITHUB_RUN_ID: nextRunId() } },
  );
  await waitForStep(main.state, 1);
  // The 50 % step is live and baking: the promotion to 100 % meets five 503s, the rollback the sixth call.
  w.emulator.faults.failNext('services.update', 5, { status: 503 });
  const run = await main.done;
  await checkCase(w, run, {
    group: GROUP,
    title: '503 on update outlasting the retries (at step 3)',
    fault: 'services.update answers 503 five times in a row',
    service,
    before,
    expected: 'baseline',
    verdict: 'rolled_back',
    exit: 1,
    says: {
      pattern: /UNAVAILABLE \(HTTP 503\) 5 times in a row[\s\S]*retry the job later/,
      label: 'UNAVAILABLE (HTTP 503) 5 times in a row; retry later',
    },
  });
});

test('403 on update: not retried, the message names the role to grant; traffic untouched', async () => {
  const service = 'denied-update';
  const before = await seedBaseline(w, service);
  w.emulator.faults.failNext('services.update', 1, {
    status: 403,
    message: `Permission 'run.services.update' denied on resource '${serviceName(w.emulator, service)}'.`,
  });
  const updates = w.emulator.api.wire.calls['services.update'] ?? 0;
  const run = await runMain(w, releaseInputs(w.emulator, service, 'v2'));
  expect((w.emulator.api.wire.calls['services.update'] ?? 0) - updates).toBe(1);
  await checkCase(w, run, {
    group: GROUP,
    title: '403 on update',
    fault: 'services.update answers 403 PERMISSION_DENIED',
    service,
    before,
    expected: 'baseline',
    verdict: 'failed',
    exit: 1,
    says: { pattern: /roles\/run\.developer/, label: 'names roles/run.developer' },
  });
});

test.each([
  ['region', { region: 'mars-central1' }, /Location 'mars-central1' is not available[\s\S]*`region`/],
  ['project', { project_id: 'no-such-project' }, /PERMISSION_DENIED|denied[\s\S]*`project_id`/],
])(
  'a wrong %s (404 region, 403 project): the message names the input; nothing changes',
  async (what, extra, pattern) => {
    const service = `wrong-${what}`;
    const before = await seedBaseline(w, service);
    const run = await runMain(w, releaseInputs(w.emulator, service, 'v2', extra));
    await checkCase(w, run, {
      group: GROUP,
      title: what === 'region' ? 'wrong region (404)' : 'wrong project (403: Google hides missing projects)',
      fault: `\`${what === 'region' ? 'region' : 'project_id'}\` names one that does not exist`,
      service,
      before,
      expected: 'baseline',
      verdict: 'failed',
      exit: 1,
      says: { pattern, label: `names \`${what === 'region' ? 'region' : 'project_id'}\`` },
    });
  },
);

test('an etag conflict from a concurrent change: the run stops and leaves the other change as it is', async () => {
  const service = 'etag-race';
  await seedBaseline(w, service);
  const main = startAction(
    'main',
    releaseInputs(w.emulator, service, 'v2', { step_wait: '4s' }),
    w.emulator.endpoints,
    { env: { GITHUB_RUN_ID: nextRunId() } },
  );
  await waitForStep(main.state, 0);
  const candidate = JSON.parse(main.state().release).candidate as string;
  // Someone else sends all traffic back to the old revision while the 10 % step bakes.
  let other: string | undefined;
  for (let attempt = 0; attempt < 50 && !other; attempt++) {
    const [svc] = await w.services.getService({ name: serviceName(w.emulator, service) });
    const old = (svc.traffic ?? []).find((t) => t.revision !== candidate && (t.percent ?? 0) > 0)?.revision;
    if (!(svc.traffic ?? []).some((t) => t.revision === candidate && t.percent === 10) || !old) {
      await new Promise((r) => setTimeout(r, 100));
      continue;
    }
    try {
      const [op] = await w.services.updateService(
        {
          service: {
            ...svc,
            traffic: [{ type: 'TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION', revision: old, percent: 100 }],
          },
        },
        LRO,
      );
      await op.promise();
      other = old;
    } catch (err) {
      if ((err as { code?: number }).code !== 10) throw err;
    }
  }
  const theirs = await trafficOf(w, service);
  const run = await main.done;
  // The planned state here is the other change's: this run must not overwrite it.
  await checkCase(w, run, {
    group: GROUP,
    title: 'concurrent change (etag / traffic moved by someone else)',
    fault: 'another client moves all traffic back while the 10 % step bakes',
    service,
    before: theirs,
    expected: 'baseline',
    // Their change took the tag off too: the same split as the run found, tags aside.
    reportSays: 'baseline-percentages',
    verdict: 'failed',
    exit: 1,
    says: {
      pattern: /someone else changed its traffic/,
      label: 'someone else changed its traffic; not overwritten',
    },
  });
});

// The deadline case waits out `deploy_timeout` (60 s, its smallest value) for real: it starts as the file begins,
// on an emulator of its own (operationsNeverFinish is global to an emulator), and runs alongside the cases
// above and below; its test checks what it did.
const neverDone = startEarly(async (world) => {
  const service = 'never-done';
  const before = await seedBaseline(world, service);
  world.emulator.faults.update({ operationsNeverFinish: true });
  const operations = world.emulator.api.wire.operations.length;
  const running = runMain(world, releaseInputs(world.emulator, service, 'v2', { deploy_timeout: '60s' }));
  // The candidate's update hangs for good (the emulator decides when an operation starts); operations
  // started later finish again, so the restore the run sends at its deadline can land.
  await waitFor('the candidate update', () =>
    world.emulator.api.wire.operations.length > operations ? true : undefined,
  );
  await world.emulator.api.settle(); // its reconciliation has run, and left it unfinished
  world.emulator.faults.update({ operationsNeverFinish: false });
  return { service, before, run: await running };
});

test('an operation that never finishes: the deadline (`deploy_timeout`) fails the run; traffic and tags set back', async () => {
  const { service, before, run } = await neverDone.result();
  await checkCase(neverDone.world, run, {
    group: GROUP,
    title: 'operation never finishes (deadline)',
    fault: 'the update operation never reports done; `deploy_timeout: 60s`',
    service,
    before,
    expected: 'baseline',
    verdict: 'failed',
    exit: 1,
    says: {
      pattern: /did not finish within 60 s \(`deploy_timeout`\)/,
      label: 'did not finish within 60 s (`deploy_timeout`)',
    },
  });
}, 120_000);

test.each([
  ['run.googleapis.com', /gcloud services enable run\.googleapis\.com --project demo-project/],
  ['iamcredentials.googleapis.com', /gcloud services enable iamcredentials\.googleapis\.com/],
])(
  'the %s API is disabled: 403 SERVICE_DISABLED names the API and the enable command, not a role; nothing changes',
  async (api, pattern) => {
    const service = `disabled-${api.split('.')[0]}`;
    const before = await seedBaseline(w, service);
    w.emulator.faults.update({ disabledApis: [api] });
    const run = await runMain(w, releaseInputs(w.emulator, service, 'v2'));
    w.emulator.faults.update({ disabledApis: [] });
    expect(run.annotations.join('\n')).not.toMatch(/roles\/run\.developer/);
    await checkCase(w, run, {
      group: GROUP,
      title: `${api} disabled in the project`,
      fault: `calls to ${api} answer 403 SERVICE_DISABLED (docs/platform.md "Errors")`,
      service,
      before,
      expected: 'baseline',
      verdict: 'failed',
      exit: 1,
      says: { pattern, label: `names \`gcloud services enable ${api}\`` },
    });
  },
);
