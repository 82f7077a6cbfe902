// The live check (scripts/live-check.ts) in emulator mode: the same check code that runs against Google
// runs against the local Cloud Run, and there every observation must equal the emulator's assumption.
// This keeps the script from rotting; `npm test` never talks to Google.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmulator, type Emulator } from '../../emulator/emulator';
import { wifClient } from '../../emulator/clients';
import { CloudRunRest, type Json, type Operation } from '../../scripts/live-check/cloud-run-rest';
import { answeredBy, classifyAnswer, urlShape } from '../../scripts/live-check/building-blocks';
import { emulatorContext, parseArgs, runCli, runPrefix } from '../../scripts/live-check/cli';
import { Resources } from '../../scripts/live-check/context';
import { runLiveCheck } from '../../scripts/live-check/run-checks';

const IMAGE = 'us-docker.pkg.dev/demo/streams/stream-app';

/**
 * Rows that disagree because the emulator does not yet do what docs/platform.md says, with the missing feature.
 * Empty once the emulator has caught up; a row listed here that agrees fails the test too.
 */
const EMULATOR_GAPS: Record<string, string> = {};

let emulator: Emulator;
let rest: CloudRunRest;
let dir: string;
let info: string;
const parent = () => `projects/${emulator.endpoints.project}/locations/us-central1`;

beforeAll(async () => {
  emulator = await startEmulator({ startupDeadlineMs: 10_000 });
  rest = new CloudRunRest({
    authClient: wifClient(emulator.endpoints),
    base: `${emulator.endpoints.runApi.url}/v2/`,
    pollMs: 50,
    now: Date.now,
    sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
  });
  dir = mkdtempSync(join(tmpdir(), 'live-check-'));
  info = join(dir, 'emulator.json');
  writeFileSync(info, JSON.stringify(emulator.endpoints));
});

afterAll(async () => {
  await emulator?.stop();
});

/** Table rows of the report as { id, agrees, text }. */
function reportRows(markdown: string): Array<{ id: string; agrees: string; text: string }> {
  return markdown
    .split('\n')
    .filter((line) => /^\| \d+[a-z]?\. /.test(line))
    .map((line) => {
      const cells = line.split(/(?<!\\)\|/).map((c) => c.trim());
      return { id: cells[1].split('.')[0], agrees: cells[cells.length - 2], text: line };
    });
}

async function liveServices(): Promise<string[]> {
  return (await rest.listServices(parent())).map((s) => String(s.name));
}

async function createBystander(): Promise<Json> {
  const answer = await rest.createService(parent(), 'bystander', {
    template: { containers: [{ image: `${IMAGE}:v1` }] },
  });
  expect(answer.status).toBe(200);
  const op = await rest.awaitOperation(answer.body as unknown as Operation, 30_000);
  expect(op.error).toBeUndefined();
  return rest.getService(`${parent()}/services/bystander`);
}

test('emulator mode: every observation equals the emulator assumption; everything created is deleted, nothing else touched', async () => {
  const bystander = await createBystander();
  const out = join(dir, 'results.md');
  const lines: string[] = [];
  // Short ingestion delays: check 10 waits them out, as it waits minutes on Google.
  emulator.faults.update({ monitoringDelayMs: 500, loggingDelayMs: 200 });
  const code = await runCli(
    [
      '--endpoint',
      emulator.endpoints.runApi.url,
      '--emulator-info',
      info,
      '--image',
      IMAGE,
      '--out',
      out,
      '--check-iam-binding',
    ],
    { log: (line) => lines.push(line), signal: new AbortController().signal },
  ).finally(() => emulator.faults.reset());
  const report = readFileSync(out, 'utf8');
  expect(report).toContain('Emulator run, not Google');
  const rows = reportRows(report);
  expect(rows.map((r) => r.id)).toEqual([
    '1a',
    '1b',
    '2a',
    '2b',
    '3a',
    '3b',
    '3c',
    '4a',
    '4b',
    '4c',
    '5',
    '6a',
    '6b',
    '7',
    '8',
    '9',
    '10a',
    '10b',
    '10c',
    '10d',
  ]);
  const disagreeing = Object.fromEntries(rows.filter((r) => r.agrees !== 'yes').map((r) => [r.id, r.text]));
  expect(Object.keys(disagreeing).sort()).toEqual(Object.keys(EMULATOR_GAPS).sort());
  expect(code).toBe(0);
  // 10d waited for the configured delay, no less.
  const counted = /\| (\d+\.\d) s<br>/.exec(rows.find((r) => r.id === '10d')!.text);
  expect(Number(counted?.[1])).toBeGreaterThanOrEqual(0.5);

  expect(report).toContain('Every resource the run created was deleted.');
  expect(emulator.api.wire.calls['services.create']).toBeGreaterThanOrEqual(9 + 1);
  expect(await liveServices()).toEqual([bystander.name]);
  const after = await rest.getService(String(bystander.name));
  expect(after.generation).toBe(bystander.generation);
  expect(after.etag).toBe(bystander.etag);
  await rest.deleteService(String(bystander.name));
});

test('an interrupted run (SIGINT) stops its checks and still deletes what it created', async () => {
  const controller = new AbortController();
  const creates = () => emulator.api.wire.calls['services.create'] ?? 0;
  const before = creates();
  const watcher = setInterval(() => {
    if (creates() >= before + 3) controller.abort(new Error('interrupted by SIGINT'));
  }, 10);
  const lines: string[] = [];
  const code = await runCli(
    ['--endpoint', emulator.endpoints.runApi.url, '--emulator-info', info, '--image', IMAGE],
    {
      log: (line) => lines.push(line),
      signal: controller.signal,
    },
  ).finally(() => clearInterval(watcher));
  expect(code).toBe(130);
  expect(lines.join('\n')).toContain('not observed: interrupted');
  expect(await liveServices()).toEqual([]);
});

/** A context on `target` for runLiveCheck, as the CLI builds it. */
function contextOn(target: Emulator) {
  return emulatorContext(
    {
      project: target.endpoints.project,
      region: 'us-central1',
      image: IMAGE,
      prefix: runPrefix('sd-live'),
      checkIamBinding: true,
      signal: new AbortController().signal,
      log: () => {},
    },
    target.endpoints.runApi.url,
    target.endpoints,
  );
}

test('a platform that behaves otherwise shows as a disagreement, a disabled API as n/a (emulator faults standing in for Google)', async () => {
  // The same checks against an emulator told to differ: no sticky failure, Domain Restricted Sharing on,
  // the Cloud Logging API disabled (the Monitoring row still observes).
  emulator.faults.update({
    stickyRevisionFailure: false,
    domainRestrictedSharing: true,
    disabledApis: ['logging.googleapis.com'],
  });
  try {
    const { rows, leftovers } = await runLiveCheck(await contextOn(emulator), new Resources(), [
      'sticky',
      'iam',
      'observability',
    ]);
    expect(rows.map((r) => [r.id, r.observed, r.agrees])).toEqual([
      ['2a', 'revision fails', 'yes'],
      ['2b', 'operation succeeded, traffic applied', 'no'],
      ['6b', 'refused: HTTP 400', 'no'],
      ...['10a', '10b', '10c'].map((id) => [
        id,
        expect.stringMatching(
          /^not observed: Cloud Logging entries\.list refused: HTTP 403 SERVICE_DISABLED/,
        ),
        'n/a',
      ]),
      ['10d', expect.stringMatching(/^\d+\.\d s$/), 'yes'],
    ]);
    expect(leftovers).toEqual([]);
    expect(await liveServices()).toEqual([]);
  } finally {
    emulator.faults.reset();
  }
});

test('without the viewer roles every check 10 row is n/a and nothing is deployed', async () => {
  const denied = await startEmulator({ startupDeadlineMs: 10_000, observabilityRoles: {} });
  try {
    const { rows, leftovers } = await runLiveCheck(await contextOn(denied), new Resources(), [
      'observability',
    ]);
    expect(rows.map((r) => [r.id, r.agrees])).toEqual([
      ['10a', 'n/a'],
      ['10b', 'n/a'],
      ['10c', 'n/a'],
      ['10d', 'n/a'],
    ]);
    expect(rows[0].observed).toMatch(
      /^not observed: Cloud Logging entries\.list refused: HTTP 403 IAM_PERMISSION_DENIED/,
    );
    expect(rows[3].observed).toMatch(
      /^not observed: Cloud Monitoring timeSeries\.list refused: HTTP 403 IAM_PERMISSION_DENIED/,
    );
    expect(leftovers).toEqual([]);
    expect(denied.api.wire.calls['services.create'] ?? 0).toBe(0);
  } finally {
    await denied.stop();
  }
});

test.each([
  [['--project', 'p'], /--region is required/],
  [['--region', 'r'], /--project is required/],
  [['--endpoint', 'http://127.0.0.1:1'], /--emulator-info/],
  [['--project', 'p', '--region', 'r', '--service-prefix', 'Bad_Prefix'], /--service-prefix/],
  [['--project', 'p', '--region', 'r', '--what'], /unknown or incomplete option '--what'/],
])('parseArgs %j refuses with the reason', (argv, reason) => {
  expect(() => parseArgs(argv)).toThrow(reason);
});

test('a run prefix is the service prefix plus six random characters', () => {
  expect(runPrefix('sd-live', Buffer.from([0, 1, 2, 35, 36, 255]))).toBe('sd-live-abc9ad');
});

test.each([
  [{ status: 200, headers: { 'x-revision': 's-r1' }, body: '{}' }, 'the app answers'],
  [{ status: 404, headers: { 'x-revision': 's-r1' }, body: '{"error":"not found"}' }, 'the app answers'],
  [{ status: 200, headers: {}, body: '<html>Revision: s-r1</html>' }, 'the app answers'],
  [{ status: 200, headers: {}, body: '<html>Revision: s-r10</html>' }, 'HTTP 200, not from the app'],
  [
    { status: 404, headers: {}, body: '<html><title>404 Page not found</title></html>' },
    "Google's 404 page (the app never sees it)",
  ],
])('classifyAnswer %j', (answer, observed) => {
  expect(classifyAnswer(answer, ['s-r1']).observed).toBe(observed);
});

test('answeredBy reads the JSON revision of the sample app', () => {
  expect(answeredBy({ status: 200, headers: {}, body: '{"revision":"s-r2"}' }, ['s-r1', 's-r2'])).toBe(
    's-r2',
  );
});

test.each([
  [
    'https://sd-live-x-base-123456789012.us-central1.run.app',
    'https://SERVICE-PROJECT_NUMBER.us-central1.run.app',
  ],
  ['https://sd-live-x-base-abcdefghij-uc.a.run.app', 'https://SERVICE-HASH-uc.a.run.app'],
  ['http://127.0.0.1:40123', 'http://127.0.0.1:PORT'],
])('urlShape(%s) names no project', (url, shape) => {
  expect(urlShape(url, 'sd-live-x-base')).toBe(shape);
});
