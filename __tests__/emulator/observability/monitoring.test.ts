// The Cloud Monitoring fake (emulator/README.md "Monitoring and Logging fakes"): timeSeries.list computed
// from the router's real request records, over real HTTP with the access tokens the emulator mints.
import WebSocket from 'ws';
import {
  IMAGE,
  drain,
  emulator,
  lastMinutes,
  metricFilter,
  timeSeries,
  useObservabilityEmulator,
  type Json,
} from './harness';

useObservabilityEmulator();

const filterParam = (filter: string): Array<[string, string]> => [['filter', filter]];

describe('request_count and request_latencies (Cloud Run metrics, DELTA)', () => {
  test('an SSE stream is counted only once it ends, with latency = its lifetime; no data is {}', async () => {
    const svc = await emulator.seedService({ service: 'obs-sse', image: `${IMAGE}:v1`, public: true });
    const count = metricFilter('request_count', 'obs-sse');
    expect(await timeSeries([...filterParam(count), ...lastMinutes('ALIGN_DELTA')])).toEqual({
      status: 200,
      json: {},
    });

    const opened = Date.now();
    const res = await fetch(`${svc.uri}/events?interval=100&count=8`);
    expect(res.status).toBe(200);
    // Open: not a request yet.
    expect((await timeSeries([...filterParam(count), ...lastMinutes('ALIGN_DELTA')])).json).toEqual({});
    await drain(res);
    const lifetime = Date.now() - opened;

    const counted = await timeSeries([...filterParam(count), ...lastMinutes('ALIGN_DELTA')]);
    expect(counted.status).toBe(200);
    expect(counted.json.timeSeries).toHaveLength(1);
    const series = counted.json.timeSeries[0] as Json;
    expect(series).toMatchObject({
      metric: {
        type: 'run.googleapis.com/request_count',
        labels: { response_code: '200', response_code_class: '2xx' },
      },
      resource: {
        type: 'cloud_run_revision',
        labels: {
          project_id: emulator.endpoints.project,
          service_name: 'obs-sse',
          revision_name: svc.revision,
          location: 'us-central1',
          configuration_name: 'obs-sse',
        },
      },
      metricKind: 'DELTA',
      valueType: 'INT64',
    });
    expect(series.points).toEqual([
      {
        interval: { startTime: expect.any(String), endTime: expect.any(String) },
        value: { int64Value: '1' },
      },
    ]);

    const latencies = await timeSeries([
      ...filterParam(metricFilter('request_latencies', 'obs-sse')),
      ...lastMinutes('ALIGN_DELTA'),
    ]);
    const dist = latencies.json.timeSeries[0].points[0].value.distributionValue as Json;
    expect(dist.count).toBe('1');
    expect(dist.mean).toBeGreaterThanOrEqual(700);
    expect(dist.mean).toBeLessThanOrEqual(lifetime + 50);
    const p99 = await timeSeries([
      ...filterParam(metricFilter('request_latencies', 'obs-sse')),
      ...lastMinutes('ALIGN_PERCENTILE_99'),
    ]);
    expect(p99.json.timeSeries[0]).toMatchObject({ metricKind: 'GAUGE', valueType: 'DOUBLE' });
    expect(p99.json.timeSeries[0].points[0].value.doubleValue).toBeGreaterThan(500);
  });

  test('a WebSocket is one request with status 101, counted when the socket closes', async () => {
    const svc = await emulator.seedService({ service: 'obs-ws', image: `${IMAGE}:v1`, public: true });
    const ws = new WebSocket(`${svc.uri.replace('http', 'ws')}/ws`);
    await new Promise<void>((resolve, reject) => {
      ws.once('message', () => resolve());
      ws.once('error', reject);
    });
    const filter = filterParam(metricFilter('request_count', 'obs-ws'));
    expect((await timeSeries([...filter, ...lastMinutes('ALIGN_SUM')])).json).toEqual({});
    await new Promise<void>((resolve) => {
      ws.once('close', () => resolve());
      ws.close();
    });
    await new Promise((r) => setTimeout(r, 100));
    const answer = await timeSeries([...filter, ...lastMinutes('ALIGN_SUM')]);
    expect(answer.json.timeSeries).toHaveLength(1);
    expect(answer.json.timeSeries[0].metric.labels).toEqual({
      response_code: '101',
      response_code_class: '1xx',
      route: '',
    });
    expect(answer.json.timeSeries[0].points[0].value).toEqual({ int64Value: '1' });
  });

  test('5xx counted by class, the front end\u2019s own 503s included; revision filter, grouping and reducers', async () => {
    const a = await emulator.seedService({ service: 'obs-err', image: `${IMAGE}:v1`, public: true });
    emulator.faults.update({ serverErrorRate: 1 });
    for (let i = 0; i < 3; i++) expect((await fetch(`${a.uri}/`)).status).toBe(503);
    emulator.faults.update({ serverErrorRate: 0 });
    for (let i = 0; i < 2; i++) expect((await fetch(`${a.uri}/`)).status).toBe(200);

    const only5xx = await timeSeries([
      ...filterParam(metricFilter('request_count', 'obs-err', 'metric.labels.response_code_class = "5xx"')),
      ...lastMinutes('ALIGN_DELTA'),
    ]);
    expect(only5xx.json.timeSeries).toHaveLength(1);
    expect(only5xx.json.timeSeries[0].metric.labels.response_code).toBe('503');
    expect(only5xx.json.timeSeries[0].points[0].value).toEqual({ int64Value: '3' });

    const grouped = await timeSeries([
      ...filterParam(
        metricFilter(
          'request_count',
          'obs-err',
          `resource.labels.revision_name = one_of("${a.revision}", "nope")`,
        ),
      ),
      ...lastMinutes('ALIGN_DELTA', 'REDUCE_SUM', ['metric.label.response_code_class']),
    ]);
    const byClass = Object.fromEntries(
      (grouped.json.timeSeries as Json[]).map((s) => [
        s.metric.labels.response_code_class,
        s.points[0].value.int64Value,
      ]),
    );
    expect(byClass).toEqual({ '2xx': '2', '5xx': '3' });
    expect(grouped.json.timeSeries[0].resource.labels).toEqual({});

    const total = await timeSeries([
      ...filterParam(metricFilter('request_count', 'obs-err')),
      ...lastMinutes('ALIGN_RATE', 'REDUCE_SUM'),
    ]);
    expect(total.json.timeSeries[0]).toMatchObject({ metricKind: 'GAUGE', valueType: 'DOUBLE', unit: '1/s' });
    expect(total.json.timeSeries[0].points[0].value.doubleValue).toBeCloseTo(5 / 600, 6);

    const other = await timeSeries([
      ...filterParam(
        metricFilter('request_count', 'obs-err', 'resource.labels.revision_name = "obs-err-99999-zzz"'),
      ),
      ...lastMinutes('ALIGN_DELTA'),
    ]);
    expect(other.json).toEqual({});

    const bytes = await timeSeries([
      ...filterParam(metricFilter('container/network/sent_bytes_count', 'obs-err')),
      ...lastMinutes('ALIGN_DELTA', 'REDUCE_SUM'),
    ]);
    expect(Number(bytes.json.timeSeries[0].points[0].value.int64Value)).toBeGreaterThan(0);
    const concurrency = await timeSeries([
      ...filterParam(metricFilter('container/max_request_concurrencies', 'obs-err')),
      ...lastMinutes('ALIGN_DELTA'),
    ]);
    expect(concurrency.json.timeSeries[0].points[0].value.distributionValue).toMatchObject({
      count: '1',
      mean: 1,
    });
  });

  test('requests the front end refuses before any revision are not counted (the request log has them)', async () => {
    const svc = await emulator.seedService({ service: 'obs-private', image: `${IMAGE}:v1` });
    for (let i = 0; i < 2; i++) expect([401, 403]).toContain((await fetch(`${svc.uri}/`)).status);
    const refused = await timeSeries([
      ...filterParam(metricFilter('request_count', 'obs-private')),
      ...lastMinutes('ALIGN_DELTA'),
    ]);
    expect(refused.json).toEqual({});
  });

  test('the ingestion delay hides fresh data; raw (unaligned) points and paging by points', async () => {
    const svc = await emulator.seedService({ service: 'obs-delay', image: `${IMAGE}:v1`, public: true });
    emulator.faults.update({ monitoringDelayMs: 180_000 });
    expect((await fetch(`${svc.uri}/`)).status).toBe(200);
    const filter = filterParam(metricFilter('request_count', 'obs-delay'));
    expect((await timeSeries([...filter, ...lastMinutes('ALIGN_DELTA')])).json).toEqual({});
    emulator.faults.update({ monitoringDelayMs: 0 });
    expect((await fetch(`${svc.uri}/health`)).status).toBe(200);
    const raw = await timeSeries([...filter, ...lastMinutes()]);
    expect(raw.json.timeSeries[0].points.length).toBeGreaterThanOrEqual(1);
    const paged = await timeSeries([...filter, ...lastMinutes('ALIGN_DELTA'), ['pageSize', '1']]);
    expect(paged.json.timeSeries).toHaveLength(1);
  });
});

describe('errors as Google answers them', () => {
  test('a bad filter, an aligner the value type refuses, a short alignment period: 400 INVALID_ARGUMENT', async () => {
    const bad = await timeSeries([
      ['filter', 'metric.type = run.googleapis.com/request_count'],
      ...lastMinutes(),
    ]);
    expect(bad.status).toBe(400);
    expect(bad.json.error).toMatchObject({ code: 400, status: 'INVALID_ARGUMENT' });
    expect(bad.json.error.message).toContain('Field filter had an invalid value of');

    const rate = await timeSeries([
      ...filterParam(metricFilter('request_latencies', 'x')),
      ...lastMinutes('ALIGN_RATE'),
    ]);
    expect(rate.status).toBe(400);
    expect(rate.json.error.message).toBe(
      'Field aggregation.perSeriesAligner had an invalid value of "ALIGN_RATE": The aligner cannot be applied to metrics with kind DELTA and value type DISTRIBUTION.',
    );
    const short = await timeSeries([
      ...filterParam(metricFilter('request_count', 'x')),
      ['interval.endTime', new Date().toISOString()],
      ['aggregation.alignmentPeriod', '10s'],
      ['aggregation.perSeriesAligner', 'ALIGN_DELTA'],
    ]);
    expect(short.status).toBe(400);
  });

  test('no monitoring.viewer: 403 PERMISSION_DENIED; no token: 401; API disabled: 403 SERVICE_DISABLED', async () => {
    const params = [...filterParam(metricFilter('request_count', 'x')), ...lastMinutes()];
    const denied = await timeSeries(params, 'federated');
    expect(denied.status).toBe(403);
    expect(denied.json.error).toMatchObject({
      code: 403,
      status: 'PERMISSION_DENIED',
      message: 'Permission monitoring.timeSeries.list denied (or the resource may not exist).',
    });
    const e = emulator.endpoints;
    const anonymous = await fetch(
      `${e.monitoringApi}/v3/projects/${e.project}/timeSeries?${new URLSearchParams(params)}`,
    );
    expect(anonymous.status).toBe(401);
    emulator.faults.update({ disabledApis: ['monitoring.googleapis.com'] });
    const disabled = await timeSeries(params);
    expect(disabled.status).toBe(403);
    expect(disabled.json.error.message).toContain('Cloud Monitoring API has not been used in project');
    expect(disabled.json.error.details[0]).toMatchObject({ reason: 'SERVICE_DISABLED' });
  });
});
