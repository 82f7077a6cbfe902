// The REAL observability adapters (src/adapters/monitoring.ts, cloud-logging.ts) against the emulator's
// Monitoring and Logging fakes, fed by real traffic through a seeded service's URL: the two sides are both
// written to Google's REST wire format, and this is where they must agree. Then the pure judges on what
// the adapters read.
import { startEmulator, type Emulator } from '../../emulator/emulator';
import { signedInClient } from '../../emulator/clients';
import { createMonitoring, type Monitoring, type RevisionQuery } from '../../src/adapters/monitoring';
import { createCloudLogging, type CloudLogging } from '../../src/adapters/cloud-logging';
import { judgeRequestErrors } from '../../src/core/metric-gate';

const IMAGE = 'us-docker.pkg.dev/demo/streams/stream-app';
const PROJECT = 'obs-adapters';
const REGION = 'us-central1';
/** The ingestion delay the Monitoring fake applies here (Google's is up to ~3 minutes). */
const MONITORING_DELAY_MS = 1500;

let emulator: Emulator;
/** Adapters signed in as the deployer (holds both viewer roles) and as the bare federated principal (none). */
let monitoring: Monitoring;
let logging: CloudLogging;
let deniedMonitoring: Monitoring;
let deniedLogging: CloudLogging;

/** A real google-auth-library client holding an access token the emulator's IAM Credentials fake minted. */
const signedIn = (direct: boolean) => signedInClient(emulator.endpoints, direct);

beforeAll(async () => {
  emulator = await startEmulator({
    startupDeadlineMs: 5000,
    project: PROJECT,
    // The deployer holds both optional roles; the direct-WIF principal holds none.
    observabilityRoles: {
      [`deployer@${PROJECT}.iam.gserviceaccount.com`]: ['monitoring.viewer', 'logging.viewer'],
    },
    faults: { monitoringDelayMs: MONITORING_DELAY_MS },
  });
  const e = emulator.endpoints;
  const noRetry = { sleep: async () => undefined, random: () => 0 };
  const deployer = await signedIn(false);
  const federated = await signedIn(true);
  monitoring = createMonitoring({ client: deployer, baseUrl: e.monitoringApi, ...noRetry });
  logging = createCloudLogging({ client: deployer, baseUrl: e.loggingApi, ...noRetry });
  deniedMonitoring = createMonitoring({ client: federated, baseUrl: e.monitoringApi, ...noRetry });
  deniedLogging = createCloudLogging({ client: federated, baseUrl: e.loggingApi, ...noRetry });
});

afterAll(async () => emulator?.stop());

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const testStart = Date.now();

/** The window of a gate read: from the test's start to now. */
function window(service: string, revision: string): RevisionQuery {
  return {
    project: PROJECT,
    region: REGION,
    service,
    revisions: [revision],
    start: testStart - 60_000,
    end: Date.now(),
  };
}

async function drain(res: Response): Promise<void> {
  const reader = res.body!.getReader();
  for (;;) if ((await reader.read()).done) return;
}

async function get(url: string, times: number): Promise<number[]> {
  const statuses: number[] = [];
  for (let i = 0; i < times; i++) {
    const res = await fetch(url);
    await res.arrayBuffer();
    statuses.push(res.status);
  }
  return statuses;
}

// Side by side: each case reads its own services, and the Monitoring fake's delay is set once for all.
describe('Monitoring adapter on the Monitoring fake', () => {
  test.concurrent(
    'requestCounts: no data first; a stream counts only once it ends and the ingestion delay has passed; openStreams while it is open',
    async () => {
      const svc = await emulator.seedService({ service: 'gate-cand', image: `${IMAGE}:v1`, public: true });
      expect(await monitoring.requestCounts(window('gate-cand', svc.revision))).toMatchObject({
        kind: 'no-data',
        query: expect.stringContaining('run.googleapis.com/request_count'),
      });

      // Two SSE streams of ~3.6 s each.
      const streams = await Promise.all([
        fetch(`${svc.uri}/events?interval=200&count=18`),
        fetch(`${svc.uri}/events?interval=200&count=18`),
      ]);
      expect(streams.map((s) => s.status)).toEqual([200, 200]);
      const ended = Promise.all(streams.map(drain));
      await sleep(MONITORING_DELAY_MS + 400);

      // Open: the concurrency metric sees them; request_count does not (a stream is counted when it ends).
      const open = await monitoring.openStreams(window('gate-cand', svc.revision));
      expect(open.kind).toBe('data');
      if (open.kind !== 'data') return;
      expect(Object.keys(open.value)).toEqual([svc.revision]);
      expect(Math.max(...open.value[svc.revision].map((s) => s.streams))).toBe(2);
      expect((await monitoring.requestCounts(window('gate-cand', svc.revision))).kind).toBe('no-data');

      await ended;
      // Ended, but not yet ingested.
      expect((await monitoring.requestCounts(window('gate-cand', svc.revision))).kind).toBe('no-data');
      await sleep(MONITORING_DELAY_MS + 200);
      const counted = await monitoring.requestCounts(window('gate-cand', svc.revision));
      expect(counted).toMatchObject({
        kind: 'data',
        value: { [svc.revision]: { total: 2, byClass: { '2xx': 2 } } },
      });
    },
  );

  test.concurrent(
    'requestCounts: 2xx and 5xx per revision; judgeRequestErrors passes a healthy pair on real counts',
    async () => {
      const failing = await emulator.seedService({
        service: 'gate-errors',
        image: `${IMAGE}:v1`,
        public: true,
        env: { STREAM_APP_FAULT: 'error-rate', STREAM_APP_ERROR_PERCENT: '100' },
      });
      const base = await emulator.seedService({ service: 'gate-base', image: `${IMAGE}:v1`, public: true });
      const cand = await emulator.seedService({ service: 'gate-cand2', image: `${IMAGE}:v2`, public: true });

      expect(await get(`${failing.uri}/health`, 3)).toEqual([200, 200, 200]);
      expect(await get(`${failing.uri}/`, 2)).toEqual([500, 500]);
      expect(new Set(await get(`${base.uri}/`, 60))).toEqual(new Set([200]));
      expect(new Set(await get(`${cand.uri}/`, 60))).toEqual(new Set([200]));
      await sleep(MONITORING_DELAY_MS + 200);

      const errors = await monitoring.requestCounts(window('gate-errors', failing.revision));
      expect(errors).toMatchObject({
        kind: 'data',
        value: { [failing.revision]: { total: 5, byClass: { '2xx': 3, '5xx': 2 } } },
      });

      const baseline = await monitoring.requestCounts(window('gate-base', base.revision));
      const candidate = await monitoring.requestCounts(window('gate-cand2', cand.revision));
      if (baseline.kind !== 'data' || candidate.kind !== 'data') throw new Error('no request data');
      expect(candidate.value[cand.revision]).toEqual({ total: 60, byClass: { '2xx': 60 } });
      const verdict = judgeRequestErrors(
        candidate.value[cand.revision],
        baseline.value[base.revision],
        undefined,
        candidate.query,
      );
      expect(verdict).toMatchObject({ gate: 'requests', verdict: 'pass' });

      const bytes = await monitoring.sentBytes(window('gate-base', base.revision));
      expect(bytes.kind).toBe('data');
      if (bytes.kind === 'data') expect(bytes.value[base.revision]).toBeGreaterThan(60 * 20);
    },
  );
});

// An app that writes one structured ERROR line (JSON with `severity` on stdout, as Cloud Run's logging
// agent reads it) and answers 500 on /boom, a structured INFO line on /, and exits 1 on /crash. The
// example stream-app writes no structured lines, so this test brings its own, as logging.test.ts does.
const APP = `
const http = require('node:http');
http.createServer((req, res) => {
  if (req.url === '/crash') process.exit(1);
  if (req.url === '/boom') {
    console.log(JSON.stringify({ severity: 'ERROR', message: 'upstream refused the connection', path: req.url }));
    res.statusCode = 500;
    return res.end('boom');
  }
  console.log(JSON.stringify({ severity: 'INFO', message: 'all good', path: req.url }));
  res.end('ok');
}).listen(Number(process.env.PORT), '127.0.0.1');
`;

describe('Cloud Logging adapter on the Logging fake', () => {
  test('recentProblems: the app’s ERROR line, the 5xx request log and the exit in varlog/system; nothing else', async () => {
    const since = Date.now();
    const svc = await emulator.seedService({
      service: 'gate-logs',
      image: `${IMAGE}:v1`,
      public: true,
      fields: { template: { containers: [{ command: ['node'], args: ['-e', APP] }] } },
    });
    const q = {
      project: PROJECT,
      region: REGION,
      service: 'gate-logs',
      revision: svc.revision,
      since,
      limit: 20,
    };
    expect((await logging.recentProblems(q)).kind).toBe('no-data');

    expect(await get(`${svc.uri}/`, 2)).toEqual([200, 200]);
    expect(await get(`${svc.uri}/boom`, 1)).toEqual([500]);
    await fetch(`${svc.uri}/crash`).catch(() => undefined);
    await sleep(300);

    const problems = await logging.recentProblems(q);
    expect(problems.kind).toBe('data');
    if (problems.kind !== 'data') return;
    const { entries } = problems.value;
    expect(problems.value.truncated).toBe(false);
    expect(entries).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          source: 'app',
          severity: 'ERROR',
          text: 'upstream refused the connection',
        }),
        expect.objectContaining({
          source: 'request',
          severity: 'ERROR',
          status: 500,
          text: expect.stringMatching(/^GET http:\/\/\S+\/boom -> 500 after /),
        }),
        expect.objectContaining({ source: 'system', severity: 'WARNING', text: 'Container called exit(1).' }),
      ]),
    );
    // INFO lines and 200s are not problems; the crashed request ends with the front end's 5xx, if any.
    expect(entries.some((e) => e.text === 'all good')).toBe(false);
    expect(entries.filter((e) => e.source === 'request').every((e) => (e.status ?? 0) >= 500)).toBe(true);
    // Newest first.
    const times = entries.map((e) => Date.parse(e.time));
    expect([...times].sort((a, b) => b - a)).toEqual(times);

    // A limit smaller than the matches: truncated.
    const one = await logging.recentProblems({ ...q, limit: 1 });
    expect(one).toMatchObject({ kind: 'data', value: { truncated: true } });
    if (one.kind === 'data') expect(one.value.entries).toHaveLength(1);
  });
});

// Not side by side with the cases above: it turns the Monitoring API off on the shared emulator.
describe('a principal without the optional roles, an API not enabled', () => {
  test('kind denied, with the role to grant; SERVICE_DISABLED names the API instead', async () => {
    const q = window('gate-cand', 'gate-cand-00001-abc');
    const m = await deniedMonitoring.requestCounts(q);
    expect(m).toMatchObject({ kind: 'denied', message: expect.stringContaining('roles/monitoring.viewer') });
    const l = await deniedLogging.recentProblems({
      project: PROJECT,
      region: REGION,
      service: 'gate-logs',
      revision: 'gate-logs-00001-abc',
      since: testStart,
      limit: 5,
    });
    expect(l).toMatchObject({ kind: 'denied', message: expect.stringContaining('roles/logging.viewer') });

    emulator.faults.update({ disabledApis: ['monitoring.googleapis.com'] });
    try {
      const disabled = await monitoring.openStreams(q);
      expect(disabled).toMatchObject({
        kind: 'denied',
        message: expect.stringContaining('enable monitoring.googleapis.com'),
      });
      expect(disabled.kind === 'denied' && disabled.message).not.toContain('roles/monitoring.viewer');
    } finally {
      emulator.faults.update({ disabledApis: [] });
    }
  });
});
