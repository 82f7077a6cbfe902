// Fault matrix, the candidate revision: an image that crashes, one that never listens on $PORT, one that
// starts too slowly, one that does not exist: each must fail with the revision's own reason (docs/platform.md "Failed
// revision") and leave traffic and tags exactly as they were. And a first deploy of a crashing
// image, where there is no baseline to keep (see that case for what the invariant means there).
// Through the built action; invariants in __tests__/support/fault-suite.ts.
import {
  checkCase,
  promoted,
  releaseInputs,
  runMain,
  seedBaseline,
  serviceName,
  useFaultWorld,
} from '../support/fault-suite';

const w = useFaultWorld('revision');
const GROUP = 'Candidate revision';

test.each([
  {
    id: 'crash',
    image: 'crash',
    env: 'TICK_MS=100',
    title: 'revision crashes on start',
    fault: 'the container exits before it listens',
    pattern: /HEALTH_CHECK_CONTAINER_ERROR[\s\S]*Last log lines:[\s\S]*crash-on-start/,
    label: 'HEALTH_CHECK_CONTAINER_ERROR, with the container output',
  },
  {
    id: 'never-listen',
    image: 'never-listen',
    env: 'TICK_MS=100',
    title: 'revision never listens on $PORT',
    fault: 'the container stays up without listening',
    pattern: /HEALTH_CHECK_CONTAINER_ERROR: [^%]*listen on the port defined provided by the PORT=8080/,
    label: 'HEALTH_CHECK_CONTAINER_ERROR (did not listen on $PORT)',
  },
  {
    id: 'slow',
    image: 'slow',
    // Beyond the emulator's 4 s startup deadline (useFaultWorld), with a wide margin.
    env: 'TICK_MS=100\nSTREAM_APP_START_DELAY_MS=10000',
    title: 'revision starts too slowly',
    fault: 'the container listens after 10 s; the startup deadline is 4 s',
    pattern: /HEALTH_CHECK_CONTAINER_ERROR[\s\S]*did not listen in time[\s\S]*slow-start/,
    label: 'HEALTH_CHECK_CONTAINER_ERROR (did not listen in time)',
  },
  {
    id: 'unknown-image',
    image: 'does-not-exist',
    env: 'TICK_MS=100',
    title: 'unknown image',
    fault: 'the image tag is not in the registry',
    pattern: /CONTAINER_MISSING: Image '[^']*:does-not-exist' not found/,
    label: "CONTAINER_MISSING: Image '…' not found",
  },
])(
  '$title: the revision\'s own reason is named; traffic and tags exactly baseline (docs/platform.md "Failed revision")',
  async ({ id, image, env, title, fault, pattern, label }) => {
    const service = `rev-${id}`;
    const before = await seedBaseline(w, service);
    const [ready] = await w.services.getService({ name: serviceName(w.emulator, service) });
    const run = await runMain(w, releaseInputs(w.emulator, service, image, { env_vars: env }));
    await checkCase(w, run, {
      group: GROUP,
      title,
      fault,
      service,
      before,
      expected: 'baseline',
      verdict: 'failed',
      exit: 1,
      says: { pattern, label },
    });
    // The last ready revision still serves, and the outputs say where traffic is, read back after the failure.
    const [after] = await w.services.getService({ name: serviceName(w.emulator, service) });
    expect(after.latestReadyRevision).toBe(ready.latestReadyRevision);
    expect(run.annotations.join('\n')).toContain('Traffic and tags are exactly as they were');
    expect(Object.keys(run.outputs).sort()).toEqual(['traffic', 'verdict']);
    const entry = (t: { revision?: string | null; percent?: number | null; tag?: string | null }) => [
      t.revision ?? '',
      t.percent ?? 0,
      t.tag ?? '',
    ];
    expect(JSON.parse(run.outputs.traffic).map(entry)).toEqual((after.traffic ?? []).map(entry));
  },
);

// No baseline to go back to: the service did not exist, and Cloud Run cannot hold a service without 100 %
// of its traffic somewhere (docs/platform.md "A candidate on a new service takes all traffic"), so creating it already sets the plan's final traffic
// (the first revision, tagged). The invariant is then: traffic is exactly that plan, the report says so,
// nothing serves (no ready revision, no URL), and the run fails with the revision's own reason. Deleting
// the service to "restore" its absence is not the action's call (gcloud leaves it too).
test('first deploy of a crashing image (no baseline): traffic is the planned first revision, which serves nothing; the run fails naming the reason', async () => {
  const service = 'rev-first-crash';
  const run = await runMain(w, releaseInputs(w.emulator, service, 'crash'));
  const [svc] = await w.services.getService({ name: serviceName(w.emulator, service) });
  const candidate = String(svc.latestCreatedRevision ?? '')
    .split('/')
    .pop() as string;
  await checkCase(w, run, {
    group: GROUP,
    title: 'first deploy of a crashing image (no baseline)',
    fault: 'a new service whose first revision exits before it listens',
    service,
    before: [],
    planned: promoted(candidate),
    expected: 'planned',
    verdict: 'failed',
    exit: 1,
    says: {
      pattern: /HEALTH_CHECK_CONTAINER_ERROR[\s\S]*no ready revision, so it serves nothing/,
      label: 'HEALTH_CHECK_CONTAINER_ERROR; the new service serves nothing',
    },
  });
  // It serves nothing: no ready revision, no URL.
  expect(candidate).toMatch(/^rev-first-crash-/);
  expect(svc.latestReadyRevision ?? '').toBe('');
  expect(svc.uri ?? '').toBe('');
});
