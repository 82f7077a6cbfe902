// The stream-health panel's session against real loopback servers that behave like other people's: a plain
// SSE ticker without X-Revision, heartbeats only, gzip middleware that flushes (and one that buffers), a
// server that cuts streams and resumes from Last-Event-ID (and one that ignores it), a `ws` echo server,
// and the sample gRPC health server as a child process. Windows of 2–4 s; assertions on verdicts and counts
// with slack, never on timings.
import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import zlib from 'node:zlib';
import { WebSocketServer } from 'ws';
import { createPanelPort, openPanel, type PanelOptions } from '../../src/adapters/stream-panel';
import type { PanelReadings } from '../../src/ports';
import { DEFAULT_PANEL_THRESHOLDS, judgePanel } from '../../src/core/stream-panel';
import { canConnect, findFreePort, sleep } from '../examples/app-process';

/** The defaults, with the evidence minimums scaled down to a few seconds of three streams. */
const SHORT = { ...DEFAULT_PANEL_THRESHOLDS, minStreamSeconds: 3, minSignals: 3, minEventsForRate: 6 };
const closers: Array<() => Promise<void>> = [];

afterAll(async () => {
  for (const close of closers) await close();
});

interface Served {
  url: string;
  /** Requests seen, with their Authorization and Last-Event-ID headers. */
  requests: Array<{ authorization?: string; lastEventId?: string }>;
  open: () => number;
  /** The most requests open at once. */
  peak: () => number;
}

async function serve(handler: http.RequestListener): Promise<Served> {
  const requests: Served['requests'] = [];
  let open = 0;
  let peak = 0;
  const server = http.createServer((req, res) => {
    requests.push({
      authorization: req.headers.authorization,
      lastEventId: req.headers['last-event-id'] as string | undefined,
    });
    open++;
    peak = Math.max(peak, open);
    res.on('close', () => open--);
    handler(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    open: () => open,
    peak: () => peak,
  };
}

/** `read()` once it equals `want`, or as it is after 3 s (the server may see a close a moment late). */
async function settled<T>(read: () => T, want: T): Promise<T> {
  const giveUpAt = Date.now() + 3000;
  while (JSON.stringify(read()) !== JSON.stringify(want) && Date.now() < giveUpAt) await sleep(20);
  return read();
}

/** An SSE endpoint: `emit(write, n)` runs every `everyMs` until the client goes or it returns false. */
function sse(
  everyMs: number,
  emit: (write: (text: string) => void, n: number, req: http.IncomingMessage) => boolean | void,
  wrap?: (res: http.ServerResponse) => { write: (text: string) => void; headers: Record<string, string> },
): http.RequestListener {
  return (req, res) => {
    const out = wrap?.(res) ?? { write: (text: string) => res.write(text), headers: {} };
    res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache', ...out.headers });
    let n = 0;
    const timer = setInterval(() => {
      if (emit(out.write, ++n, req) === false) {
        clearInterval(timer);
        res.end();
      }
    }, everyMs);
    res.on('close', () => clearInterval(timer));
  };
}

/** Compression middleware: gzip the body, flushing after each write or (`flush: false`) buffering it. */
const gzip =
  (flush: boolean) =>
  (res: http.ServerResponse): { write: (text: string) => void; headers: Record<string, string> } => {
    const z = zlib.createGzip();
    z.pipe(res);
    res.on('close', () => z.destroy());
    return {
      headers: { 'Content-Encoding': 'gzip' },
      write: (text) => {
        z.write(text);
        if (flush) z.flush();
      },
    };
  };

const tick = sse(250, (write, n) => write(`data: tick ${n}\n\n`));

/** Runs a panel for one window of `ms`, then closes it; both windows' readings and the judged verdict. */
async function runPanel(
  options: Partial<PanelOptions> & Pick<PanelOptions, 'candidateUrl' | 'baselineUrl'>,
  ms = 2500,
): Promise<PanelReadings & { verdict: ReturnType<typeof judgePanel>; last: PanelReadings }> {
  const session = openPanel({
    protocol: 'sse',
    path: '/events',
    streams: 3,
    allowedOrigins: [options.candidateUrl, options.baselineUrl],
    reconnectDelayMs: 100,
    wsPingIntervalMs: 250,
    // The held streams' own counts; the probes have their tests.
    probesPerSecond: 0,
    maxProbesInFlight: 25,
    ...options,
  });
  await sleep(ms);
  const readings = session.window();
  const last = await session.close();
  return { ...readings, verdict: judgePanel(readings.candidate, readings.baseline, SHORT), last };
}

// Each case has its own servers and panel: they run side by side (the windows are real time).
describe('SSE', () => {
  test.concurrent(
    'a ticker without X-Revision or ids on both arms: pass, streams held, nothing left open',
    async () => {
      const [a, b] = [await serve(tick), await serve(tick)];
      const got = await runPanel({ candidateUrl: a.url, baselineUrl: b.url });
      expect(got.verdict.verdict).toBe('pass');
      for (const arm of [got.candidate, got.baseline]) {
        expect(arm).toMatchObject({ opened: 3, openNow: 3, disconnects: 0, openFailures: 0 });
        expect(arm.events).toBeGreaterThanOrEqual(6);
        expect(arm.firstEventMs).toHaveLength(3);
        expect(arm.streamSeconds).toBeGreaterThan(3);
      }
      expect(a.requests).toHaveLength(3);
      expect(await settled(() => [a.open(), b.open()], [0, 0])).toEqual([0, 0]);
    },
  );

  test.concurrent(
    'probes: short streams on each arm, timed to their first signal, watched for the hold and closed',
    async () => {
      const [a, b] = [await serve(tick), await serve(tick)];
      const got = await runPanel(
        { candidateUrl: a.url, baselineUrl: b.url, probesPerSecond: 4, probeHoldMs: 300 },
        2500,
      );
      for (const arm of [got.candidate, got.baseline]) {
        expect(arm.firstEventMs.length).toBeGreaterThanOrEqual(3 + 4);
        expect(arm).toMatchObject({ opened: 3, disconnects: 0, openFailures: 0 });
        expect(arm.attempts).toBeGreaterThanOrEqual(3 + 4);
        expect(arm.probes.watched).toBeGreaterThanOrEqual(3);
        expect(arm.probes.endedEarly).toBe(0);
      }
      // Nothing stays open: every probe was closed after its hold, the held streams by close().
      expect(await settled(() => [a.open(), b.open()], [0, 0])).toEqual([0, 0]);
      expect(a.requests.length).toBeGreaterThanOrEqual(3 + 4);
    },
  );

  test.concurrent(
    'probes: a candidate that ends streams 200 ms in fails on early ends; the cap bounds probes in flight',
    async () => {
      // The first event at once, then the stream ends 200 ms in: inside the probes' 1 s hold.
      const cuts = sse(200, (write, n) => {
        write(`data: tick ${n}\n\n`);
        return false;
      });
      const [a, b] = [await serve(cuts), await serve(tick)];
      const got = await runPanel(
        {
          candidateUrl: a.url,
          baselineUrl: b.url,
          streams: 1,
          probesPerSecond: 20,
          probeHoldMs: 1000,
          maxProbesInFlight: 4,
        },
        3000,
      );
      expect(got.candidate.probes.endedEarly).toBeGreaterThanOrEqual(10);
      expect(got.baseline.probes.endedEarly).toBe(0);
      expect(got.verdict.rows.find((r) => r.metric === 'probes ended early')?.ok).toBe(false);
      // One held stream and at most 4 probes on the baseline at once (they last the whole hold); the server
      // may still hold a probe the client has let go of for a moment, hence 2 more.
      expect(b.peak()).toBeLessThanOrEqual(1 + 4 + 2);
      expect(b.peak()).toBeGreaterThanOrEqual(1 + 2);
    },
  );

  test.concurrent('heartbeat comments only: no events, the comments carry liveness', async () => {
    const beats = sse(200, (write) => write(': keep-alive\n\n'));
    const [a, b] = [await serve(beats), await serve(beats)];
    const got = await runPanel({ candidateUrl: a.url, baselineUrl: b.url });
    expect(got.verdict.verdict).toBe('pass');
    expect(got.candidate.events).toBe(0);
    expect(got.candidate.heartbeats).toBeGreaterThanOrEqual(6);
    expect(got.candidate.firstEventMs).toHaveLength(3);
  });

  test.concurrent(
    'gzip middleware that flushes is read as it comes; one that buffers leaves the candidate silent: fail',
    async () => {
      const flushed = await serve(sse(250, (write, n) => write(`data: ${n}\n\n`), gzip(true)));
      const buffered = await serve(sse(250, (write, n) => write(`data: ${n}\n\n`), gzip(false)));
      const ok = await runPanel({ candidateUrl: flushed.url, baselineUrl: flushed.url });
      expect(ok.verdict.verdict).toBe('pass');
      expect(ok.candidate.events).toBeGreaterThanOrEqual(6);
      const bad = await runPanel({ candidateUrl: buffered.url, baselineUrl: flushed.url }, 3500);
      expect(bad.candidate.events).toBe(0);
      expect(bad.verdict.verdict).toBe('fail');
      expect(bad.verdict.rows.find((r) => r.metric.startsWith('gap p95'))?.ok).toBe(false);
    },
  );

  /** Events with ids every 100 ms; each stream is cut after 5; resumes after Last-Event-ID unless `ignoreId`. */
  const cutting = (ignoreId: boolean) =>
    sse(100, (write, n, req) => {
      const from = ignoreId ? 0 : Number(req.headers['last-event-id'] ?? 0);
      write(`id: ${from + n}\ndata: ${from + n}\n\n`);
      return n < 5;
    });

  test.concurrent(
    'streams cut and resumed with Last-Event-ID on both arms: disconnects and resumes counted, pass',
    async () => {
      const [a, b] = [await serve(cutting(false)), await serve(cutting(false))];
      const got = await runPanel({ candidateUrl: a.url, baselineUrl: b.url });
      for (const arm of [got.candidate, got.baseline]) {
        expect(arm.disconnects).toBeGreaterThanOrEqual(3);
        expect(arm.resumes.tried).toBeGreaterThanOrEqual(3);
        expect(arm.resumes.ok).toBeGreaterThanOrEqual(arm.resumes.tried - 3);
      }
      expect(a.requests.some((r) => r.lastEventId === '5')).toBe(true);
      expect(got.verdict.verdict).toBe('pass');
    },
  );

  test.concurrent('a candidate that ignores Last-Event-ID fails on resumes', async () => {
    const [a, b] = [await serve(cutting(true)), await serve(cutting(false))];
    const got = await runPanel({ candidateUrl: a.url, baselineUrl: b.url });
    expect(got.candidate.resumes.tried).toBeGreaterThanOrEqual(3);
    expect(got.candidate.resumes.ok).toBe(0);
    expect(got.verdict.verdict).toBe('fail');
    expect(got.verdict.rows.find((r) => r.metric === 'resumes after a disconnect')?.ok).toBe(false);
  });

  test.concurrent('the ID token goes only to allowed origins and never into the readings', async () => {
    const refuse: http.RequestListener = (_req, res) => res.writeHead(403).end();
    const [a, b] = [await serve(tick), await serve(refuse)];
    const token = 'secret-token-value';
    const got = await runPanel({
      candidateUrl: a.url,
      baselineUrl: b.url,
      idToken: token,
      allowedOrigins: [a.url],
    });
    expect(a.requests.every((r) => r.authorization === `Bearer ${token}`)).toBe(true);
    expect(b.requests.length).toBeGreaterThan(0);
    expect(b.requests.every((r) => r.authorization === undefined)).toBe(true);
    expect(got.baseline.openFailures).toBeGreaterThanOrEqual(3);
    expect(got.baseline.errors).toContain('HTTP 403');
    expect(JSON.stringify(got)).not.toContain(token);
    expect(got.verdict.verdict).toBe('inconclusive');
  });

  test.concurrent(
    'the port: windows split the observations; close() returns the last one and frees every stream',
    async () => {
      const [a, b] = [await serve(tick), await serve(tick)];
      const lines: string[] = [];
      const session = createPanelPort({ log: (line) => lines.push(line) }).open({
        candidateUrl: a.url,
        baselineUrl: b.url,
        protocol: 'sse',
        path: '/events',
        streams: 2,
        probesPerSecond: 0.5,
        maxProbesInFlight: 25,
        idToken: 'id-token-7f3a',
        allowedOrigins: [],
      });
      await sleep(1200);
      const first = session.window();
      await sleep(1200);
      const last = await session.close();
      expect(first.candidate.opened).toBe(2);
      expect(last.candidate.opened).toBe(0);
      expect(last.candidate.openNow).toBe(2);
      expect(last.candidate.events).toBeGreaterThanOrEqual(2);
      // The second window's first events come from the probes alone (one per arm every 2 s here).
      expect(last.candidate.firstEventMs.length).toBeLessThanOrEqual(1);
      expect(await session.close()).toBe(last);
      expect(lines).toHaveLength(2);
      expect(lines.join('\n')).toMatch(/Not sending the ID token to http:\/\/127\.0\.0\.1:\d+/);
      expect(lines.join('\n')).not.toContain('id-token-7f3a');
      expect(await settled(() => [a.open(), b.open()], [0, 0])).toEqual([0, 0]);
    },
  );
});

describe('WebSocket', () => {
  async function wsServer(onConnection?: (ws: import('ws').WebSocket) => void): Promise<string> {
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
    wss.on('connection', (ws) => {
      ws.on('message', (data) => ws.send(data));
      onConnection?.(ws);
    });
    closers.push(async () => {
      for (const client of wss.clients) client.terminate();
      await new Promise((resolve) => wss.close(resolve));
    });
    return `http://127.0.0.1:${(wss.address() as AddressInfo).port}`;
  }

  test.concurrent('echo servers with ping/pong: round trips and echoes on both arms, pass', async () => {
    const [a, b] = [await wsServer(), await wsServer()];
    const got = await runPanel({
      candidateUrl: a,
      baselineUrl: b,
      protocol: 'websocket',
      path: '/ws',
      wsSend: 'hello',
    });
    for (const arm of [got.candidate, got.baseline]) {
      expect(arm).toMatchObject({ opened: 3, openNow: 3, events: 3, disconnects: 0 });
      expect(arm.pingRttMs.length).toBeGreaterThanOrEqual(6);
    }
    expect(got.verdict.verdict).toBe('pass');
  });

  test.concurrent('a candidate that closes every socket with 1011 after 300 ms fails', async () => {
    const [a, b] = [await wsServer((ws) => setTimeout(() => ws.close(1011, 'boom'), 300)), await wsServer()];
    const got = await runPanel({ candidateUrl: a, baselineUrl: b, protocol: 'websocket', path: '/ws' });
    expect(got.candidate.closeCodes['1011']).toBeGreaterThanOrEqual(3);
    expect(got.candidate.resumes.ok).toBeGreaterThanOrEqual(3);
    expect(got.baseline.disconnects).toBe(0);
    expect(got.verdict.verdict).toBe('fail');
    expect(got.verdict.rows.find((r) => r.metric === 'unexpected close codes')?.ok).toBe(false);
  });
});

describe('gRPC health Watch', () => {
  const SERVER = path.resolve(process.cwd(), 'examples/stream-app/grpc-server.mjs');
  const children = new Set<ChildProcess>();
  afterAll(() => children.forEach((child) => child.kill('SIGKILL')));

  async function grpcApp(env: Record<string, string> = {}): Promise<string> {
    const port = await findFreePort();
    const child = spawn(process.execPath, [SERVER], {
      env: { PATH: process.env.PATH ?? '', PORT: String(port), ...env },
      stdio: 'ignore',
    });
    children.add(child);
    const giveUpAt = Date.now() + 5000;
    while (!(await canConnect(port))) {
      if (Date.now() > giveUpAt) throw new Error(`grpc-server did not listen on ${port}`);
      await sleep(20);
    }
    return `http://127.0.0.1:${port}`;
  }

  test('SERVING on both arms: pass; a candidate turning NOT_SERVING: fail', async () => {
    const [a, b, turning] = [
      await grpcApp(),
      await grpcApp(),
      await grpcApp({ GRPC_NOT_SERVING_AFTER_MS: '800' }),
    ];
    const ok = await runPanel({ candidateUrl: a, baselineUrl: b, protocol: 'grpc', path: '/' }, 2000);
    expect(ok.candidate).toMatchObject({ opened: 3, openNow: 3, events: 3, notServing: 0, gapsMs: [] });
    expect(ok.verdict.verdict).toBe('pass');
    const bad = await runPanel({ candidateUrl: turning, baselineUrl: b, protocol: 'grpc', path: '/' }, 2000);
    expect(bad.candidate.notServing).toBe(3);
    expect(bad.verdict.verdict).toBe('fail');
    expect(bad.verdict.rows.find((r) => r.metric === 'Watch liveness')?.ok).toBe(false);
  });
});
