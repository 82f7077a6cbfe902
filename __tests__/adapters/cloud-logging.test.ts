// The Logging adapter over real HTTP, through the real google-auth-library client, against a loopback server
// that answers entries.list the way Google documents it: LogEntry JSON newest first, `{}` when nothing
// matched, empty pages with a nextPageToken, AIP-193 errors (403 PERMISSION_DENIED, 429 RESOURCE_EXHAUSTED).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { OAuth2Client } from 'google-auth-library';
import {
  createCloudLogging,
  problemFilter,
  type CloudLogging,
  type LogQuery,
} from '../../src/adapters/cloud-logging';

type Answer = { status: number; body: unknown };

let server: Server;
let baseUrl: string;
let answers: Answer[] = [];
let seen: Array<{ method: string; path: string; body: Record<string, unknown>; authorization?: string }> = [];
const sleeps: number[] = [];

const googleError = (code: number, status: string, message: string) => ({
  error: { code, message, status, details: [] },
});

beforeAll(async () => {
  server = createServer((req, res) => {
    let raw = '';
    req.on('data', (chunk) => (raw += chunk));
    req.on('end', () => {
      seen.push({
        method: req.method ?? '',
        path: req.url ?? '',
        body: raw ? (JSON.parse(raw) as Record<string, unknown>) : {},
        authorization: req.headers.authorization,
      });
      const answer = answers.shift() ?? { status: 200, body: {} };
      res.writeHead(answer.status, { 'content-type': 'application/json; charset=UTF-8' });
      res.end(JSON.stringify(answer.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

let logging: CloudLogging;
beforeEach(() => {
  answers = [];
  seen = [];
  sleeps.length = 0;
  const client = new OAuth2Client();
  client.setCredentials({ access_token: 'ya29.logging-test', expiry_date: Date.now() + 3_600_000 });
  logging = createCloudLogging({
    client,
    baseUrl,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    random: () => 0,
  });
});

const query: LogQuery = {
  project: 'demo-project',
  region: 'europe-west1',
  service: 'api',
  revision: 'api-00002-new',
  since: Date.parse('2026-03-01T12:00:00Z'),
  limit: 20,
};

const resource = {
  type: 'cloud_run_revision',
  labels: {
    project_id: 'demo-project',
    service_name: 'api',
    revision_name: 'api-00002-new',
    location: 'europe-west1',
  },
};
const SYSTEM = 'projects/demo-project/logs/run.googleapis.com%2Fvarlog%2Fsystem';
const REQUESTS = 'projects/demo-project/logs/run.googleapis.com%2Frequests';
const STDERR = 'projects/demo-project/logs/run.googleapis.com%2Fstderr';

describe('recentProblems', () => {
  test('posts the documented body and turns LogEntry JSON into report lines, tokens redacted', async () => {
    answers = [
      {
        status: 200,
        body: {
          entries: [
            {
              logName: SYSTEM,
              resource,
              timestamp: '2026-03-01T12:03:00.123456Z',
              severity: 'ERROR',
              textPayload: 'Memory limit of 512 MiB exceeded with 530 MiB used.',
              insertId: 'a',
            },
            {
              logName: REQUESTS,
              resource,
              timestamp: '2026-03-01T12:02:30Z',
              severity: 'ERROR',
              httpRequest: {
                requestMethod: 'GET',
                requestUrl: 'https://api.run.app/events',
                status: 503,
                latency: '1800.5s',
              },
              insertId: 'b',
            },
            {
              logName: STDERR,
              resource,
              timestamp: '2026-03-01T12:02:00Z',
              severity: 'ERROR',
              jsonPayload: { message: 'upstream said 401 for Authorization: Bearer ya29.a0AfH6SMBsecret' },
              insertId: 'c',
            },
          ],
        },
      },
    ];
    const got = await logging.recentProblems(query);
    expect(seen).toEqual([
      {
        method: 'POST',
        path: '/v2/entries:list',
        authorization: 'Bearer ya29.logging-test',
        body: {
          resourceNames: ['projects/demo-project'],
          filter: problemFilter(query),
          orderBy: 'timestamp desc',
          pageSize: 20,
        },
      },
    ]);
    expect(got).toEqual({
      kind: 'data',
      value: {
        truncated: false,
        entries: [
          {
            time: '2026-03-01T12:03:00.123456Z',
            severity: 'ERROR',
            text: 'Memory limit of 512 MiB exceeded with 530 MiB used.',
            source: 'system',
          },
          {
            time: '2026-03-01T12:02:30Z',
            severity: 'ERROR',
            text: 'GET https://api.run.app/events -> 503 after 1800.5s',
            status: 503,
            source: 'request',
          },
          {
            time: '2026-03-01T12:02:00Z',
            severity: 'ERROR',
            text: 'upstream said 401 for Authorization: Bearer (redacted)',
            source: 'app',
          },
        ],
      },
      query: expect.stringContaining('entries.list projects/demo-project resource.type="cloud_run_revision"'),
    });
  });

  test('the filter: this revision, since the step began, errors, 5xx and system warnings', () => {
    expect(problemFilter(query)).toBe(
      'resource.type="cloud_run_revision" AND resource.labels.service_name="api" AND ' +
        'resource.labels.revision_name="api-00002-new" AND resource.labels.location="europe-west1" AND ' +
        'timestamp>="2026-03-01T12:00:00.000Z" AND (severity>=ERROR OR httpRequest.status>=500 OR ' +
        `(logName="${SYSTEM}" AND severity>=WARNING))`,
    );
  });

  test('`{}`: nothing matched', async () => {
    answers = [{ status: 200, body: {} }];
    expect((await logging.recentProblems(query)).kind).toBe('no-data');
  });

  test('an empty page with a nextPageToken is followed, with the token and the remaining size', async () => {
    const entry = (i: number) => ({
      logName: STDERR,
      resource,
      timestamp: `2026-03-01T12:0${i}:00Z`,
      severity: 'ERROR',
      textPayload: `boom ${i}`,
    });
    answers = [
      { status: 200, body: { nextPageToken: 'slow-1' } },
      { status: 200, body: { entries: [entry(5), entry(4)], nextPageToken: 'more' } },
      { status: 200, body: { entries: [entry(3)] } },
    ];
    const got = await logging.recentProblems({ ...query, limit: 3 });
    expect(seen.map((r) => [r.body.pageToken, r.body.pageSize])).toEqual([
      [undefined, 3],
      ['slow-1', 3],
      ['more', 1],
    ]);
    expect(got.kind === 'data' && got.value.entries.map((e) => e.text)).toEqual([
      'boom 5',
      'boom 4',
      'boom 3',
    ]);
    expect(got.kind === 'data' && got.value.truncated).toBe(false);
  });

  test('stops at the limit and says there was more', async () => {
    const entry = {
      logName: STDERR,
      resource,
      timestamp: '2026-03-01T12:01:00Z',
      severity: 'ERROR',
      textPayload: 'x',
    };
    answers = [{ status: 200, body: { entries: [entry, entry], nextPageToken: 'more' } }];
    const got = await logging.recentProblems({ ...query, limit: 2 });
    expect(seen).toHaveLength(1);
    expect(got.kind === 'data' && got.value.truncated).toBe(true);
  });

  test('403 PERMISSION_DENIED: denied, naming the optional role', async () => {
    answers = [
      { status: 403, body: googleError(403, 'PERMISSION_DENIED', 'The caller does not have permission') },
    ];
    const got = await logging.recentProblems(query);
    expect(got).toEqual({
      kind: 'denied',
      message: expect.stringMatching(/does not have permission.*roles\/logging\.viewer.*skipped/),
      query: expect.any(String),
    });
  });

  test('429 then 200: retried after a backoff', async () => {
    answers = [
      {
        status: 429,
        body: googleError(429, 'RESOURCE_EXHAUSTED', 'Quota exceeded for quota metric Read requests'),
      },
      { status: 200, body: {} },
    ];
    const got = await logging.recentProblems(query);
    expect(got.kind).toBe('no-data');
    expect(seen).toHaveLength(2);
    expect(sleeps).toEqual([250]);
  });

  test('a server that is gone: an error, not a pass', async () => {
    const gone = createCloudLogging({
      client: new OAuth2Client({ credentials: { access_token: 't', expiry_date: Date.now() + 3_600_000 } }),
      baseUrl: 'http://127.0.0.1:9',
      retry: { attempts: 2, initialDelayMs: 1, multiplier: 1, maxDelayMs: 1 },
    });
    const got = await gone.recentProblems(query);
    expect(got.kind).toBe('error');
  });
});
