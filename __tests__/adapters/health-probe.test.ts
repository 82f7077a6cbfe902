// The health probe and the plain GET of the `http` protocol, against the sample app as a real process.
import { performance } from 'node:perf_hooks';
import { probeHealth } from '../../src/adapters/health-probe';
import { probeHttp } from '../../src/adapters/http-probe';
import { killAllApps, spawnApp, startApp, waitForListening, type AppProcess } from '../examples/app-process';

const start = performance.now();
const elapsed = () => performance.now() - start;

let app: AppProcess;
let unhealthy: AppProcess;

beforeAll(async () => {
  [app, unhealthy] = await Promise.all([startApp({}), startApp({ STREAM_APP_FAULT: 'unhealthy' })]);
});

afterAll(killAllApps);

test('a healthy app answers the first attempt with 200', async () => {
  const obs = await probeHealth(`http://127.0.0.1:${app.port}/health`, {
    headers: {},
    timeoutMs: 2000,
    elapsed,
  });
  expect(obs.attempts).toEqual([{ atMs: expect.any(Number), status: 200 }]);
});

test('a 503 is retried with backoff until the deadline, every attempt recorded', async () => {
  const obs = await probeHealth(`http://127.0.0.1:${unhealthy.port}/health`, {
    headers: {},
    timeoutMs: 1500,
    elapsed,
    initialBackoffMs: 100,
  });
  // The last attempt may be cut by the deadline on a loaded machine; every answered one is a 503.
  const answered = obs.attempts.filter((a) => a.status !== undefined);
  expect(answered.length).toBeGreaterThanOrEqual(3);
  expect(answered.every((a) => a.status === 503)).toBe(true);
  expect(obs.attempts.slice(0, -1).every((a) => a.status === 503)).toBe(true);
  // The pause doubles (100 ms, then 200 ms): lower bounds only, since a loaded machine can only add delay.
  const gaps = obs.attempts.slice(1).map((a, i) => a.atMs - obs.attempts[i].atMs);
  expect(gaps[0]).toBeGreaterThanOrEqual(100);
  expect(gaps[1]).toBeGreaterThanOrEqual(200);
});

test('while a fresh instance starts, refused attempts are recorded until it answers', async () => {
  const slow = await spawnApp({ STREAM_APP_FAULT: 'slow-start', STREAM_APP_START_DELAY_MS: '500' });
  const obs = await probeHealth(`http://127.0.0.1:${slow.port}/health`, {
    headers: {},
    timeoutMs: 5000,
    elapsed,
    initialBackoffMs: 100,
  });
  expect(obs.attempts[0].error).toMatchObject({ stage: 'connect', code: 'ECONNREFUSED' });
  expect(obs.attempts[obs.attempts.length - 1].status).toBe(200);
  await waitForListening(slow);
});

test('the http protocol GET records status, content type, header time and body size', async () => {
  const obs = await probeHttp(`http://127.0.0.1:${app.port}/`, { headers: {}, timeoutMs: 2000, elapsed });
  expect(obs).toMatchObject({ status: 200, contentType: 'application/json' });
  expect(obs.headersMs).toEqual(expect.any(Number));
  expect(obs.bodyBytes).toBeGreaterThan(10);
  expect(obs.error).toBeUndefined();
});

test('an http GET whose body never ends is a stream-stage timeout', async () => {
  const obs = await probeHttp(`http://127.0.0.1:${app.port}/events`, {
    headers: {},
    timeoutMs: 300,
    elapsed,
  });
  expect(obs.status).toBe(200);
  expect(obs.error).toMatchObject({ stage: 'stream', code: 'ETIMEDOUT' });
});

test('a 403 (Cloud Run IAM, not a starting instance) is retried only for authRetryMs, not the whole deadline', async () => {
  const http = await import('node:http');
  const server = http.createServer((_req, res) => res.writeHead(403).end('Forbidden'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const { port } = server.address() as { port: number };
    const begun = elapsed();
    const obs = await probeHealth(`http://127.0.0.1:${port}/health`, {
      headers: {},
      timeoutMs: 30_000,
      authRetryMs: 300,
      initialBackoffMs: 50,
      elapsed,
    });
    expect(obs.attempts.length).toBeGreaterThanOrEqual(2);
    expect(obs.attempts.every((a) => a.status === 403)).toBe(true);
    // It stopped on its own, long before the 30 s deadline (a generous bound: not a timing target).
    expect(elapsed() - begun).toBeLessThan(20_000);
  } finally {
    server.close();
  }
});
