// Fault matrix, the smoke test and the traffic gates: every kind of stream failure through the candidate's
// tag URL (a buffered or stalled stream, a wrong content type, an early close, a WebSocket that never
// answers, an unhealthy health endpoint, a buffering router, a router that cuts streams), each failing the
// named check before the candidate gets any traffic; and a candidate that turns bad at a later traffic
// step, rolled back to exactly the baseline. Through the built action; invariants in
// __tests__/support/fault-suite.ts.
import type { FaultSettings } from '../../emulator/faults';
import { startAction, type ActionRun } from '../../scripts/local-runner';
import { IMAGE, startEarly, waitForOutput } from '../support/action-world';
import {
  checkCase,
  type Entry,
  type FaultWorld,
  nextRunId,
  releaseInputs,
  runMain,
  seedBaseline,
  serviceName,
  useFaultWorld,
} from '../support/fault-suite';

const w = useFaultWorld('smoke');
const GROUP = 'Smoke test and gates';

interface SmokeFault {
  id: string;
  title: string;
  fault: string;
  image: string;
  inputs?: Record<string, string>;
  /** Router faults switched on after the baseline is seeded. */
  router?: Partial<FaultSettings>;
  /** The check the failure must name. */
  check: string;
  label: string;
  /** What the `smoke_result` output's metrics must show. */
  metrics?: Record<string, unknown>;
}

const FAILURES: SmokeFault[] = [
  {
    id: 'buffered',
    title: 'app buffers its stream',
    fault: 'the app holds its events and sends them in one burst at the end',
    image: 'buffered',
    check: 'not-buffered',
    label: 'names the failed check `not-buffered`',
    metrics: { buffered: true },
  },
  {
    id: 'stall',
    title: 'stream stalls',
    fault: 'the app sends two events, then nothing, keeping the stream open; `smoke_max_gap: 500ms`',
    image: 'stall',
    // Watched long enough for the silence after the second event to outlast the allowed gap.
    inputs: { smoke_duration: '2s', smoke_max_gap: '500ms' },
    check: 'max-gap',
    label: 'names the failed check `max-gap`',
  },
  {
    id: 'content-type',
    title: 'wrong content type',
    fault: 'the stream answers `text/plain` instead of `text/event-stream`',
    image: 'wrong-content-type',
    check: 'content-type',
    label: 'names the failed check `content-type`',
  },
  {
    id: 'close-early',
    title: 'stream closes early',
    fault: 'the app ends the stream after its first event',
    image: 'close-early',
    check: 'stays-open',
    label: 'names the failed check `stays-open`',
  },
  {
    id: 'ws-no-echo',
    title: 'WebSocket never answers',
    fault: 'the socket opens but never echoes the message sent',
    image: 'ws-no-echo',
    inputs: { smoke_protocol: 'websocket', smoke_send: 'hi', smoke_expect: 'echo:hi' },
    check: 'echo',
    label: 'names the failed check `echo`',
  },
  {
    id: 'router-buffers',
    title: 'router buffers a good app',
    fault: 'the router holds SSE bytes until the stream ends (a buffering proxy)',
    image: 'v2',
    router: { bufferSse: true },
    check: 'first-event',
    label: 'names the failed check `first-event`',
  },
  {
    id: 'router-cuts',
    title: 'router cuts streams',
    fault: 'the router cuts every stream after 500 ms',
    image: 'v2',
    router: { dropStreamsAfterMs: 500 },
    check: 'stays-open',
    label: 'names the failed check `stays-open`',
  },
  {
    // Last: it runs from the file's start on an emulator of its own (EARLY below), and outlasts the others.
    id: 'unhealthy',
    title: 'health endpoint unhealthy',
    fault: '`/health` answers 503 (retried for `health_timeout: 5s`)',
    image: 'unhealthy',
    inputs: { health_timeout: '5s' },
    check: 'health',
    label: 'names the failed check `health`',
  },
];

/** The names of the smoke checks that failed, from the `smoke_result` output. */
function failedChecks(smokeResult: string | undefined): string[] {
  if (!smokeResult) return [];
  const smoke = JSON.parse(smokeResult) as { checks?: Array<{ name: string; ok: boolean }> };
  return (smoke.checks ?? []).filter((c) => !c.ok).map((c) => c.name);
}

// Ahead of the stream failures, whose last case (EARLY below) runs from the file's start and outlasts them.
test('a candidate that turns bad at step 2 (after passing the smoke test and the 10 % gate) is rolled back to exactly the baseline', async () => {
  const service = 'smoke-turns-bad';
  const before = await seedBaseline(w, service);
  // The candidate passes the smoke test and the 10 % step's gate; it turns bad once the 50 % step's gate
  // has begun (its 30 s bake leaves room for the two rounds that confirm a failure).
  const main = startAction(
    'main',
    releaseInputs(w.emulator, service, 'v2', { step_wait: '0s,30s,0s' }),
    w.emulator.endpoints,
    { env: { GITHUB_RUN_ID: nextRunId() } },
  );
  await waitForOutput(main, 'Check step 2');
  w.emulator.faults.turnBad(`${IMAGE}:v2`);
  const run = await main.done;
  await checkCase(w, run, {
    group: GROUP,
    title: 'candidate turns bad at a later step',
    fault:
      'the candidate passes the smoke test and the 10 % gate, then turns bad during the 50 % step (new requests 500, open streams silent)',
    service,
    before,
    expected: 'baseline',
    verdict: 'rolled_back',
    exit: 1,
    says: {
      // Annotation text escapes `%` as `%25`.
      pattern: /Step 2 \(50 %(?:25)?\) failed its checks/,
      label: 'Step 2 (50 %) failed its checks',
    },
  });
  // It did get traffic first: the 10 % step passed its gate and the 50 % step went live.
  expect(run.stdout).toContain('Check step 2');
});

/** Seeds the case's baseline, switches its router faults on and runs the release; what the case checks. */
async function runFailure(world: FaultWorld, c: SmokeFault): Promise<{ before: Entry[]; run: ActionRun }> {
  const service = `smoke-${c.id}`;
  const before = await seedBaseline(world, service);
  if (c.router) world.emulator.faults.update(c.router);
  const run = await runMain(world, releaseInputs(world.emulator, service, c.image, c.inputs ?? {}));
  return { before, run };
}

// An app whose /health answers 503 keeps the tag URL answering 503, which the release cannot tell from a
// route not yet in place: it waits the bounded 30 s for routing (src/run/gate.ts waitForTag) before the smoke
// test fails it. That case starts as the file begins, on an emulator of its own, and runs alongside the others.
const EARLY = new Map(
  FAILURES.filter((c) => c.id === 'unhealthy').map((c) => [
    c.id,
    startEarly(async (world) => ({ world, ...(await runFailure(world, c)) })),
  ]),
);

test.each(FAILURES)(
  'smoke: $title fails check $check through the tag URL; traffic and tags exactly baseline',
  async (c) => {
    const { id, title, fault, check, label, metrics } = c;
    const service = `smoke-${id}`;
    const early = EARLY.get(id);
    const { world, before, run } = early ? await early.result() : { world: w, ...(await runFailure(w, c)) };
    await checkCase(world, run, {
      group: GROUP,
      title,
      fault,
      service,
      before,
      expected: 'baseline',
      verdict: 'failed',
      exit: 1,
      // The final message, not only the per-check annotations before it, lists the failed check.
      says: { pattern: new RegExp(`gets no traffic\\.(?:%0A|\\n)(?:.*(?:%0A|\\n))*?${check}: `), label },
    });
    // The smoke result (an output) says the same.
    expect(failedChecks(run.outputs.smoke_result)).toContain(check);
    if (metrics) expect(JSON.parse(run.outputs.smoke_result).metrics).toMatchObject(metrics);
    // The candidate deployed and is ready: it is the smoke test that keeps traffic from it, and says so.
    const [svc] = await world.services.getService({ name: serviceName(world.emulator, service) });
    expect(String(svc.latestReadyRevision).split('/').pop()).not.toBe(before[0][0]);
    expect(run.annotations.join('\n')).toContain('Traffic and tags are exactly as they were');
  },
  60_000,
);
