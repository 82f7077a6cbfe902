// The Monitoring adapter over real HTTP, through the real google-auth-library client, against a loopback
// server that answers projects.timeSeries.list the way Google documents it: int64Value as a string, `{}`
// for no data, AIP-193 errors (403 PERMISSION_DENIED, 429 RESOURCE_EXHAUSTED), nextPageToken paging.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { OAuth2Client } from 'google-auth-library';
import { createMonitoring, type Monitoring, type RevisionQuery } from '../../src/adapters/monitoring';

type Answer = { status: number; body: unknown };

let server: Server;
let baseUrl: string;
let answers: Answer[] = [];
let seen: Array<{ method: string; path: string; params: URLSearchParams; authorization?: string }> = [];
const sleeps: number[] = [];

const googleError = (code: number, status: string, message: string) => ({
  error: { code, message, status, details: [] },
});

beforeAll(async () => {
  server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    seen.push({
      method: req.method ?? '',
      path: url.pathname,
      params: url.searchParams,
      authorization: req.headers.authorization,
    });
    const answer = answers.shift() ?? { status: 200, body: {} };
    res.writeHead(answer.status, { 'content-type': 'application/json; charset=UTF-8' });
    res.end(JSON.stringify(answer.body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

let monitoring: Monitoring;
beforeEach(() => {
  answers = [];
  seen = [];
  sleeps.length = 0;
  const client = new OAuth2Client();
  client.setCredentials({ access_token: 'ya29.monitoring-test', expiry_date: Date.now() + 3_600_000 });
  monitoring = createMonitoring({
    client,
    baseUrl,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    random: () => 0.5,
  });
});

const START = Date.parse('2026-03-01T12:00:00Z');
const query: RevisionQuery = {
  project: 'demo-project',
  region: 'europe-west1',
  service: 'api',
  revisions: ['api-00002-new', 'api-00001-old'],
  start: START,
  end: START + 5 * 60_000,
};

/** A series as timeSeries.list returns it after REDUCE_SUM by revision (and response class). */
const countSeries = (revision: string, cls: string, values: string[]) => ({
  metric: { type: 'run.googleapis.com/request_count', labels: { response_code_class: cls } },
  resource: { type: 'cloud_run_revision', labels: { project_id: 'demo-project', revision_name: revision } },
  metricKind: 'DELTA',
  valueType: 'INT64',
  points: values.map((v, i) => ({
    interval: {
      startTime: new Date(START + (4 - i) * 60_000).toISOString(),
      endTime: new Date(START + (5 - i) * 60_000).toISOString(),
    },
    value: { int64Value: v },
  })),
});

describe('requestCounts', () => {
  test('sends the documented query and sums int64 strings per revision and class', async () => {
    answers = [
      {
        status: 200,
        body: {
          timeSeries: [
            countSeries('api-00002-new', '2xx', ['120', '80']),
            countSeries('api-00002-new', '5xx', ['3']),
            countSeries('api-00001-old', '2xx', ['900', '1100']),
          ],
          unit: '1',
        },
      },
    ];
    const got = await monitoring.requestCounts(query);
    expect(got).toEqual({
      kind: 'data',
      value: {
        'api-00002-new': { total: 203, byClass: { '2xx': 200, '5xx': 3 } },
        'api-00001-old': { total: 2000, byClass: { '2xx': 2000 } },
      },
      query: expect.stringContaining('run.googleapis.com/request_count'),
    });
    const [request] = seen;
    expect(request.method).toBe('GET');
    expect(request.path).toBe('/v3/projects/demo-project/timeSeries');
    expect(request.authorization).toBe('Bearer ya29.monitoring-test');
    expect(request.params.get('filter')).toBe(
      'metric.type="run.googleapis.com/request_count" AND resource.type="cloud_run_revision" AND ' +
        'resource.labels.service_name="api" AND resource.labels.location="europe-west1" AND ' +
        'resource.labels.revision_name=one_of("api-00002-new","api-00001-old")',
    );
    expect(request.params.get('interval.startTime')).toBe('2026-03-01T12:00:00.000Z');
    expect(request.params.get('interval.endTime')).toBe('2026-03-01T12:05:00.000Z');
    expect(request.params.get('aggregation.alignmentPeriod')).toBe('60s');
    expect(request.params.get('aggregation.perSeriesAligner')).toBe('ALIGN_SUM');
    expect(request.params.get('aggregation.crossSeriesReducer')).toBe('REDUCE_SUM');
    expect(request.params.getAll('aggregation.groupByFields')).toEqual([
      'resource.labels.revision_name',
      'metric.labels.response_code_class',
    ]);
    expect(request.params.has('pageToken')).toBe(false);
    expect(got.query).toMatch(/interval 2026-03-01T12:00:00.000Z\.\.2026-03-01T12:05:00.000Z/);
  });

  test('an empty answer `{}` is no data, not zero requests', async () => {
    answers = [{ status: 200, body: {} }];
    const got = await monitoring.requestCounts(query);
    expect(got.kind).toBe('no-data');
    expect(got.query).toMatch(/request_count/);
  });

  test('follows nextPageToken until the last page', async () => {
    answers = [
      {
        status: 200,
        body: { timeSeries: [countSeries('api-00002-new', '2xx', ['10'])], nextPageToken: 'p2' },
      },
      {
        status: 200,
        body: { timeSeries: [countSeries('api-00002-new', '5xx', ['4'])], nextPageToken: 'p3' },
      },
      { status: 200, body: { timeSeries: [countSeries('api-00001-old', '2xx', ['7'])] } },
    ];
    const got = await monitoring.requestCounts(query);
    expect(seen.map((r) => r.params.get('pageToken'))).toEqual([null, 'p2', 'p3']);
    expect(seen.every((r) => r.params.get('filter') === seen[0].params.get('filter'))).toBe(true);
    expect(got.kind === 'data' && got.value).toEqual({
      'api-00002-new': { total: 14, byClass: { '2xx': 10, '5xx': 4 } },
      'api-00001-old': { total: 7, byClass: { '2xx': 7 } },
    });
  });

  test('one series continued on the next page (pageSize counts points) is merged, not counted twice', async () => {
    // "If view is set to FULL, this is the maximum number of Points returned": a page may end inside a series.
    const whole = countSeries('api-00002-new', '2xx', ['3', '2', '1']);
    answers = [
      {
        status: 200,
        body: { timeSeries: [{ ...whole, points: whole.points.slice(0, 2) }], nextPageToken: '2' },
      },
      { status: 200, body: { timeSeries: [{ ...whole, points: whole.points.slice(2) }] } },
    ];
    const got = await monitoring.requestCounts(query);
    expect(got.kind === 'data' && got.value).toEqual({
      'api-00002-new': { total: 6, byClass: { '2xx': 6 } },
    });
  });

  test('403 SERVICE_DISABLED: denied, naming the API to enable rather than a role', async () => {
    const disabled = googleError(
      403,
      'PERMISSION_DENIED',
      'Cloud Monitoring API has not been used in project 123 before or it is disabled.',
    );
    (disabled.error.details as unknown[]).push({
      '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
      reason: 'SERVICE_DISABLED',
      domain: 'googleapis.com',
      metadata: { service: 'monitoring.googleapis.com', consumer: 'projects/123' },
    });
    answers = [{ status: 403, body: disabled }];
    const got = await monitoring.requestCounts(query);
    expect(got.kind).toBe('denied');
    expect(got.kind === 'denied' && got.message).toMatch(/enable monitoring\.googleapis\.com/);
    expect(got.kind === 'denied' && got.message).not.toMatch(/roles\/monitoring\.viewer/);
  });

  test('403 PERMISSION_DENIED: denied, naming the optional role', async () => {
    answers = [
      {
        status: 403,
        body: googleError(
          403,
          'PERMISSION_DENIED',
          'Permission monitoring.timeSeries.list denied (or the resource may not exist).',
        ),
      },
    ];
    const got = await monitoring.requestCounts(query);
    expect(got).toEqual({
      kind: 'denied',
      message: expect.stringMatching(
        /monitoring\.timeSeries\.list denied.*roles\/monitoring\.viewer.*skipped/,
      ),
      query: expect.any(String),
    });
    expect(seen).toHaveLength(1);
  });

  test('429 then 200: retried after a backoff', async () => {
    answers = [
      {
        status: 429,
        body: googleError(429, 'RESOURCE_EXHAUSTED', 'Quota exceeded for quota metric Time series queries.'),
      },
      { status: 200, body: { timeSeries: [countSeries('api-00002-new', '2xx', ['5'])] } },
    ];
    const got = await monitoring.requestCounts(query);
    expect(got.kind).toBe('data');
    expect(seen).toHaveLength(2);
    expect(sleeps).toEqual([375]);
  });

  test('503 every time: an error after the retries, never data', async () => {
    answers = Array.from({ length: 5 }, () => ({
      status: 503,
      body: googleError(503, 'UNAVAILABLE', 'backend'),
    }));
    const got = await monitoring.requestCounts(query);
    expect(got).toEqual({
      kind: 'error',
      message: expect.stringMatching(/UNAVAILABLE: backend/),
      query: expect.any(String),
    });
    expect(seen).toHaveLength(5);
  });

  test('400 INVALID_ARGUMENT: an error at once', async () => {
    answers = [
      {
        status: 400,
        body: googleError(400, 'INVALID_ARGUMENT', 'Field aggregation.perSeriesAligner had an invalid value'),
      },
    ];
    const got = await monitoring.requestCounts(query);
    expect(got.kind).toBe('error');
    expect(seen).toHaveLength(1);
  });
});

describe('openStreams', () => {
  test('sum of the instances’ peaks per minute, oldest first, from the distribution', async () => {
    const point = (minute: number, count: string, mean: number) => ({
      interval: {
        startTime: new Date(START + (minute - 1) * 60_000).toISOString(),
        endTime: new Date(START + minute * 60_000).toISOString(),
      },
      value: {
        distributionValue: {
          count,
          mean,
          bucketOptions: { exponentialBuckets: {} },
          bucketCounts: ['0', count],
        },
      },
    });
    answers = [
      {
        status: 200,
        body: {
          timeSeries: [
            {
              metric: { type: 'run.googleapis.com/container/max_request_concurrencies' },
              resource: { type: 'cloud_run_revision', labels: { revision_name: 'api-00001-old' } },
              metricKind: 'DELTA',
              valueType: 'DISTRIBUTION',
              points: [point(3, '2', 10), point(2, '3', 20), point(1, '3', 25)],
            },
          ],
        },
      },
    ];
    const got = await monitoring.openStreams(query);
    expect(got.kind === 'data' && got.value).toEqual({
      'api-00001-old': [
        { at: START + 60_000, streams: 75 },
        { at: START + 120_000, streams: 60 },
        { at: START + 180_000, streams: 20 },
      ],
    });
    expect(seen[0].params.get('filter')).toMatch(
      /^metric\.type="run\.googleapis\.com\/container\/max_request_concurrencies"/,
    );
    expect(seen[0].params.get('aggregation.perSeriesAligner')).toBe('ALIGN_SUM');
    expect(seen[0].params.getAll('aggregation.groupByFields')).toEqual(['resource.labels.revision_name']);
  });

  test('`{}` is no data', async () => {
    expect((await monitoring.openStreams(query)).kind).toBe('no-data');
  });
});

describe('sentBytes', () => {
  test('bytes per revision in the window', async () => {
    answers = [
      {
        status: 200,
        body: {
          timeSeries: [
            {
              metric: { type: 'run.googleapis.com/container/network/sent_bytes_count' },
              resource: { type: 'cloud_run_revision', labels: { revision_name: 'api-00002-new' } },
              points: [
                { interval: { endTime: '2026-03-01T12:02:00Z' }, value: { int64Value: '1048576' } },
                { interval: { endTime: '2026-03-01T12:01:00Z' }, value: { int64Value: '524288' } },
              ],
            },
          ],
        },
      },
    ];
    const got = await monitoring.sentBytes({ ...query, revisions: ['api-00002-new'] });
    expect(got.kind === 'data' && got.value).toEqual({ 'api-00002-new': 1572864 });
    expect(seen[0].params.get('filter')).toMatch(/resource\.labels\.revision_name="api-00002-new"$/);
  });
});
