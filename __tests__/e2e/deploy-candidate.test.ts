// The built action deploying a candidate against the local Cloud Run, run the way the runner runs it,
// on the runtime action.yml names (Node 24) and on Node 20. Assertions read the emulator's state.
import { NODE20, NODE24, runAction } from '../../scripts/local-runner';
import { IMAGE, targetInputs, useActionWorld } from '../support/action-world';
import { readSse } from '../support/stream-clients';

const JSON_VALUE = '{"a":1,"b":"x,y=z"}';
/** `LIST=a,b,c=d` reads like deploy-cloudrun's comma-separated pairs: the one warning these inputs earn. */
const COMMA_WARNING = [
  expect.stringMatching(/^::warning::`env_vars`: line 3: the value of `LIST` looks like comma-separated/),
];

describe.each([
  ['Node 24', NODE24],
  ['Node 20', NODE20],
])('the bundle on %s', (_label, node) => {
  const w = useActionWorld();
  const service = 'stream-api';
  const name = () => `projects/${w.emulator.endpoints.project}/locations/us-central1/services/${service}`;
  const callCount = () => Object.values(w.emulator.api.wire.calls).reduce((a, b) => a + b, 0);

  const inputs = (extra: Record<string, string> = {}) => ({
    ...targetInputs(w.emulator, service),
    image: `${IMAGE}:v1`,
    allow_unauthenticated: 'true',
    env_vars: `TICK_MS=100\nJSON=${JSON_VALUE}\nLIST=a,b,c=d`,
    smoke_duration: '1s',
    smoke_first_event_timeout: '2s',
    smoke_min_events: '3',
    smoke_max_gap: '1s',
    ...extra,
  });

  test('first deploy: the first revision takes all traffic, tagged (docs/platform.md "A candidate on a new service takes all traffic"); outputs written once', async () => {
    const run = await runAction('main', inputs(), w.emulator.endpoints, {
      node,
      env: { GITHUB_RUN_ID: '1001' },
    });
    expect(run.annotations).toEqual(COMMA_WARNING);
    expect(run.code).toBe(0);
    expect(run.outputs.revision).toMatch(/^stream-api-0123456-[a-z0-9]+-1$/);
    expect(run.outputs.previous_revision).toBe('');
    expect(run.outputs.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(run.outputs.tag_url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(JSON.parse(run.outputs.traffic)).toEqual([
      {
        type: 'TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION',
        revision: run.outputs.revision,
        percent: 100,
        tag: 'pr-12',
      },
    ]);
    expect(run.stdout).toContain('First deploy');
    const [svc] = await w.services.getService({ name: name() });
    const env = svc.template?.containers?.[0]?.env ?? [];
    // Values with commas, `=` and JSON round-trip byte for byte.
    expect(env.find((e) => e.name === 'JSON')?.value).toBe(JSON_VALUE);
    expect(env.find((e) => e.name === 'LIST')?.value).toBe('a,b,c=d');
    const sse = await readSse(`${run.outputs.url}/events`, 2);
    expect(sse.events.map((e) => JSON.parse(e.data).revision)).toEqual([
      run.outputs.revision,
      run.outputs.revision,
    ]);
  });

  test('second deploy: a no-traffic candidate whose tag URL serves it while the service URL serves the old revision', async () => {
    const [before] = await w.services.getService({ name: name() });
    const old = String(before.latestReadyRevision).split('/').pop();
    const run = await runAction('main', inputs({ image: `${IMAGE}:v2` }), w.emulator.endpoints, {
      node,
      env: { GITHUB_RUN_ID: '1002' },
    });
    expect(run.annotations).toEqual(COMMA_WARNING);
    expect(run.code).toBe(0);
    expect(run.outputs.previous_revision).toBe(old);
    expect(run.outputs.revision).not.toBe(old);
    const [svc] = await w.services.getService({ name: name() });
    const traffic = (svc.traffic ?? []).map((t) => ({
      revision: t.revision,
      percent: t.percent,
      tag: t.tag || undefined,
    }));
    expect(traffic).toEqual([
      { revision: old, percent: 100, tag: undefined },
      { revision: run.outputs.revision, percent: 0, tag: 'pr-12' },
    ]);
    expect(svc.trafficStatuses?.find((t) => t.tag === 'pr-12')?.uri).toBe(run.outputs.tag_url);
    const viaTag = await readSse(`${run.outputs.tag_url}/events`, 2);
    const viaService = await readSse(`${run.outputs.url}/events`, 2);
    expect(viaTag.events.map((e) => JSON.parse(e.data).revision)).toEqual([
      run.outputs.revision,
      run.outputs.revision,
    ]);
    expect(viaService.events.map((e) => JSON.parse(e.data).revision)).toEqual([old, old]);
  });

  // On Node 24 the fault matrix holds this case with the same assertions (__tests__/faults/revision.test.ts);
  // here the runtime's own run of it, on Node 20.
  if (node === NODE20)
    test('a crashing image fails with the revision reason and leaves traffic exactly as it was (docs/platform.md "Failed revision")', async () => {
      const [before] = await w.services.getService({ name: name() });
      const run = await runAction('main', inputs({ image: `${IMAGE}:crash` }), w.emulator.endpoints, {
        node,
        env: { GITHUB_RUN_ID: '1003' },
      });
      expect(run.code).toBe(1);
      const error = run.annotations.find((a) => a.startsWith('::error::')) ?? '';
      expect(error).toContain('HEALTH_CHECK_CONTAINER_ERROR');
      expect(error).toContain('Traffic and tags are exactly as they were');
      const [after] = await w.services.getService({ name: name() });
      const percents = (s: typeof after) =>
        (s.traffic ?? []).filter((t) => (t.percent ?? 0) > 0).map((t) => [t.revision, t.percent]);
      expect(percents(after)).toEqual(percents(before));
      expect(after.traffic).toEqual(before.traffic);
      expect(after.latestReadyRevision).toBe(before.latestReadyRevision);
      expect(
        (after.traffic ?? []).some((t) => t.revision === `stream-api-0123456-${(1003).toString(36)}-1`),
      ).toBe(false);
      // The outputs say where traffic is, read back after the failure.
      expect(Object.keys(run.outputs).sort()).toEqual(['traffic', 'verdict']);
      expect(run.outputs.verdict).toBe('failed');
      const entry = (t: { revision?: string | null; percent?: number | null; tag?: string | null }) => [
        t.revision ?? '',
        t.percent ?? 0,
        t.tag ?? '',
      ];
      expect(JSON.parse(run.outputs.traffic).map(entry)).toEqual((after.traffic ?? []).map(entry));
      expect(run.stdout).toContain('Traffic ends exactly as before this release.');
    });

  test('missing `id-token: write` fails before any network call, naming the fix (docs/platform.md "id-token: write needed")', async () => {
    const calls = callCount();
    w.emulator.faults.failNext('github.oidc', 1, { status: 500, message: 'must not be reached' });
    const run = await runAction('main', inputs(), w.emulator.endpoints, {
      node,
      env: { ACTIONS_ID_TOKEN_REQUEST_URL: '', ACTIONS_ID_TOKEN_REQUEST_TOKEN: '' },
    });
    expect(run.code).toBe(1);
    expect(run.annotations.join('\n')).toContain('id-token: write');
    expect(callCount()).toBe(calls);
    expect(w.emulator.faults.take('github.oidc')).toBeDefined();
  });

  test('a denied impersonation names the missing roles/iam.workloadIdentityUser binding (docs/platform.md "Errors to explain")', async () => {
    const run = await runAction(
      'main',
      inputs({ service_account: `intruder@${w.emulator.endpoints.project}.iam.gserviceaccount.com` }),
      w.emulator.endpoints,
      { node },
    );
    expect(run.code).toBe(1);
    const error = run.annotations.join('\n');
    expect(error).toContain('roles/iam.workloadIdentityUser');
    expect(error).toContain('attribute.repository/acme/streams');
  });

  test('bad inputs are all reported at once and make no API call at all', async () => {
    const calls = callCount();
    const run = await runAction(
      'main',
      inputs({
        image: 'https://not an image',
        timeout: '9999',
        concurrency: '0',
        profile: 'kafka',
        tag: 'Bad_Tag',
      }),
      w.emulator.endpoints,
      { node },
    );
    expect(run.code).toBe(1);
    const error = run.annotations.join('\n');
    for (const input of ['`image`', '`timeout`', '`concurrency`', '`profile`', '`tag`'])
      expect(error).toContain(input);
    expect(callCount()).toBe(calls);
  });

  test('every token is masked before anything can print it, and none reaches the log or the outputs', async () => {
    const run = await runAction('main', inputs({ image: `${IMAGE}:v3` }), w.emulator.endpoints, {
      node,
      env: { GITHUB_RUN_ID: '1004', RUNNER_DEBUG: '1' },
    });
    // On a mismatch the errors the run printed show why.
    expect({ code: run.code, errors: run.annotations.filter((a) => a.startsWith('::error')) }).toEqual({
      code: 0,
      errors: [],
    });
    // `::add-mask::` lines are consumed by the runner; everything else is what people see.
    const lines = (run.stdout + run.stderr).split('\n');
    const masked = lines
      .filter((l) => l.startsWith('::add-mask::'))
      .map((l) => l.slice('::add-mask::'.length));
    expect(masked.length).toBeGreaterThan(0);
    const visible =
      lines.filter((l) => !l.startsWith('::add-mask::')).join('\n') + JSON.stringify(run.outputs);
    for (const secret of [...masked, w.emulator.endpoints.githubOidc.requestToken])
      expect(visible).not.toContain(secret);
    expect(visible).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}/);
  });
});
