// One probe process's worth of concurrent streams, measured: the same adapters and judge the smoke probe
// uses (watchSse / watchWebSocket on one clock, all N opened at once, then judgeSse / judgeWebSocket and
// judgeSmoke), plus what the SmokeResult does not carry: every event's arrival against the server's own
// `sentAt`, the process's peak RSS, CPU time and event-loop delay. bench/probe-process.ts runs it in a
// fresh child per rung so memory and CPU belong to one rung only.
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { reconnectSse, watchSse } from '../src/adapters/sse-probe';
import { watchWebSocket } from '../src/adapters/websocket-probe';
import { joinUrl } from '../src/adapters/smoke-probe';
import type {
  ReconnectObservation,
  SmokeCriteria,
  SseObservation,
  Verdict,
  WebSocketObservation,
} from '../src/core/smoke-types';
import { judgeSmoke, judgeSse, judgeWebSocket, type StreamJudgement } from '../src/core/smoke';

export type StreamProtocol = 'sse' | 'websocket';

/** What one rung run is asked to do. */
export interface CapacitySpec {
  protocol: StreamProtocol;
  /** Streams opened at once by this one process. */
  connections: number;
  /** Base URLs of the sample app processes; connection i goes to `servers[i % servers.length]`. */
  servers: string[];
  /** How long every stream is watched (the smoke test's `smoke_duration`). */
  durationMs: number;
  /**
   * A what-if, not what the probe does today: open the streams in batches of `size`, `everyMs` apart,
   * instead of all in one synchronous loop. Absent = all at once, like the probe.
   */
  ramp?: { size: number; everyMs: number };
}

/** Order statistics of one sample, in milliseconds (nearest-rank percentiles). */
export interface Distribution {
  count: number;
  min: number;
  median: number;
  p95: number;
  max: number;
}

/** What one rung run measured. */
export interface CapacityRun {
  protocol: StreamProtocol;
  connections: number;
  /** Streams that opened, delivered events and were still open when the watch ended. */
  held: number;
  /** The smoke judge's verdict on these N streams (health skipped, reconnect checked for SSE). */
  verdict: Verdict;
  failedChecks: string[];
  /** Failed streams by error code / reason. */
  failures: Record<string, number>;
  /** Events (SSE) or messages (WebSocket) with a parsable `sentAt`. */
  events: number;
  /** Request sent -> response headers (SSE) or socket open (WebSocket). */
  connectMs?: Distribution;
  /** Request sent -> first event arrived, per stream. */
  firstEventMs?: Distribution;
  /** Arrival of each stream's first event minus the server's `sentAt` for it. */
  firstEventErrorMs?: Distribution;
  /** Arrival of every event minus its `sentAt` (same machine, same clock). */
  eventErrorMs?: Distribution;
  /** The same for every event but each stream's first (the steady state after the connection burst). */
  laterEventErrorMs?: Distribution;
  /** The last stream opened: the first request sent -> the last first event arrived. */
  allStreamingMs?: number;
  /** RSS before any stream was opened, and the largest sampled (every 50 ms) during the run, MiB. */
  baselineRssMiB: number;
  peakSampledRssMiB: number;
  /** The kernel's peak RSS for the whole process (getrusage ru_maxrss), MiB. */
  maxRssMiB: number;
  /** CPU time of the probe process from opening the streams to the verdict, ms. */
  cpuUserMs: number;
  cpuSystemMs: number;
  /** Wall time from opening the streams to the verdict, ms. */
  wallMs: number;
  /** Event-loop delay while watching (perf_hooks histogram, 10 ms resolution), ms. */
  loopDelayP99Ms: number;
  loopDelayMaxMs: number;
  /** How far the wall clock moved against the monotonic clock during the run (0 = no NTP step). */
  clockDriftMs: number;
}

const MIB = 1024 * 1024;

/** Opens `connections` streams at once, watches them, judges them and measures the process doing it. */
export async function measureCapacity(spec: CapacitySpec): Promise<CapacityRun> {
  const criteria = criteriaFor(spec);
  const path = criteria.path;
  const baselineRss = process.memoryUsage.rss();
  let peakRss = baselineRss;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage.rss())), 50);
  const loop = monitorEventLoopDelay({ resolution: 10 });

  const offsetBefore = wallClockOffset();
  const cpuBefore = process.cpuUsage();
  loop.enable();
  const start = performance.now();
  const elapsed = (): number => performance.now() - start;
  const watch = {
    headers: {},
    durationMs: spec.durationMs,
    firstEventTimeoutMs: criteria.firstEventTimeoutMs,
    elapsed,
  };
  const urls = Array.from({ length: spec.connections }, (_, i) =>
    joinUrl(spec.servers[i % spec.servers.length], path),
  );

  let judgement: StreamJudgement;
  let timelines: Timeline[];
  let failures: Record<string, number>;
  let held: number;
  if (spec.protocol === 'sse') {
    const conns = await Promise.all(await openInBatches(urls, spec.ramp, (url) => watchSse(url, watch)));
    loop.disable();
    let reconnect: ReconnectObservation | undefined;
    const last = conns.find((c) => c.lastEventId !== undefined);
    if (last?.lastEventId !== undefined) {
      reconnect = await reconnectSse(last.url, last.lastEventId, {
        headers: {},
        timeoutMs: criteria.firstEventTimeoutMs,
        elapsed,
      });
    }
    judgement = judgeSse(conns, reconnect, criteria);
    timelines = conns.map((c) => ({
      startMs: c.startMs,
      connectedMs: c.headersMs,
      arrivals: c.events.map((e) => ({ atMs: e.atMs, data: e.data })),
    }));
    held = conns.filter(isSseHeld).length;
    failures = countFailures(conns.filter((c) => !isSseHeld(c)).map(describeSseFailure));
  } else {
    const conns = await Promise.all(
      await openInBatches(urls, spec.ramp, (url) => watchWebSocket(url, watch)),
    );
    loop.disable();
    judgement = judgeWebSocket(conns, criteria);
    timelines = conns.map((c) => ({ startMs: c.startMs, connectedMs: c.openMs, arrivals: c.messages }));
    held = conns.filter(isWebSocketHeld).length;
    failures = countFailures(conns.filter((c) => !isWebSocketHeld(c)).map(describeWebSocketFailure));
  }
  const result = judgeSmoke(spec.servers[0], criteria, undefined, judgement);
  const wallMs = elapsed();
  const cpu = process.cpuUsage(cpuBefore);
  clearInterval(sampler);
  peakRss = Math.max(peakRss, process.memoryUsage.rss());
  const offsetAfter = wallClockOffset();
  const clockDriftMs = offsetAfter - offsetBefore;
  // Probe time t (ms since `start`) as epoch ms on the clock the app's Date.now() reads; the wall clock
  // may be slewed (NTP) against the monotonic one during the run, so the offset is interpolated.
  const toEpoch = (t: number): number => start + t + offsetBefore + (clockDriftMs * t) / wallMs;
  const timing = measureTiming(timelines, toEpoch);
  return {
    protocol: spec.protocol,
    connections: spec.connections,
    held,
    verdict: result.verdict,
    failedChecks: result.checks.filter((c) => !c.ok).map((c) => `${c.name}: ${c.detail}`),
    failures,
    ...timing,
    baselineRssMiB: baselineRss / MIB,
    peakSampledRssMiB: peakRss / MIB,
    // ru_maxrss is in KiB on Linux.
    maxRssMiB: process.resourceUsage().maxRSS / 1024,
    cpuUserMs: cpu.user / 1000,
    cpuSystemMs: cpu.system / 1000,
    wallMs,
    loopDelayP99Ms: loop.percentile(99) / 1e6,
    loopDelayMaxMs: loop.max / 1e6,
    clockDriftMs,
  };
}

// The smoke criteria for a capacity run: what the action would check on a good 1 s ticking stream.
export function criteriaFor(spec: CapacitySpec): SmokeCriteria {
  return {
    protocol: spec.protocol,
    path: spec.protocol === 'sse' ? '/events' : '/ws',
    healthPath: '',
    healthTimeoutMs: 0,
    durationMs: spec.durationMs,
    firstEventTimeoutMs: spec.durationMs,
    minEvents: Math.max(1, Math.floor(spec.durationMs / 2000)),
    maxGapMs: 3000,
    connections: spec.connections,
    checkReconnect: spec.protocol === 'sse',
  };
}

// Starts every watch: all at once, or `ramp.size` at a time `ramp.everyMs` apart.
async function openInBatches<T>(
  urls: string[],
  ramp: CapacitySpec['ramp'],
  open: (url: string) => Promise<T>,
): Promise<Array<Promise<T>>> {
  if (ramp === undefined) return urls.map(open);
  const watches: Array<Promise<T>> = [];
  for (let i = 0; i < urls.length; i += ramp.size) {
    if (i > 0) await new Promise((resolve) => setTimeout(resolve, ramp.everyMs));
    watches.push(...urls.slice(i, i + ramp.size).map(open));
  }
  return watches;
}

interface Timeline {
  startMs: number;
  connectedMs?: number;
  arrivals: Array<{ atMs: number; data: string }>;
}

type Timing = Pick<
  CapacityRun,
  | 'events'
  | 'connectMs'
  | 'firstEventMs'
  | 'firstEventErrorMs'
  | 'eventErrorMs'
  | 'laterEventErrorMs'
  | 'allStreamingMs'
>;

// Arrival (probe clock -> epoch) minus `sentAt` for every event whose data is the app's tick JSON.
function measureTiming(timelines: Timeline[], toEpoch: (t: number) => number): Timing {
  const connect: number[] = [];
  const first: number[] = [];
  const firstError: number[] = [];
  const errors: number[] = [];
  const laterErrors: number[] = [];
  let firstRequest = Infinity;
  let lastFirstEvent = -Infinity;
  for (const t of timelines) {
    firstRequest = Math.min(firstRequest, t.startMs);
    if (t.connectedMs !== undefined) connect.push(t.connectedMs - t.startMs);
    let sawFirst = false;
    for (const arrival of t.arrivals) {
      const sentAt = readSentAt(arrival.data);
      if (sentAt === undefined) continue;
      const error = toEpoch(arrival.atMs) - sentAt;
      errors.push(error);
      if (!sawFirst) {
        sawFirst = true;
        first.push(arrival.atMs - t.startMs);
        firstError.push(error);
        lastFirstEvent = Math.max(lastFirstEvent, arrival.atMs);
      } else laterErrors.push(error);
    }
  }
  const timing: Timing = { events: errors.length };
  const set = (key: Exclude<keyof Timing, 'events' | 'allStreamingMs'>, xs: number[]): void => {
    const d = distributionOf(xs);
    if (d) timing[key] = d;
  };
  set('connectMs', connect);
  set('firstEventMs', first);
  set('firstEventErrorMs', firstError);
  set('eventErrorMs', errors);
  set('laterEventErrorMs', laterErrors);
  if (first.length > 0) timing.allStreamingMs = lastFirstEvent - firstRequest;
  return timing;
}

/** Nearest-rank order statistics; undefined for an empty sample. */
export function distributionOf(values: number[]): Distribution | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = (p: number): number => sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)];
  return {
    count: sorted.length,
    min: sorted[0],
    median: rank(0.5),
    p95: rank(0.95),
    max: sorted[sorted.length - 1],
  };
}

function readSentAt(data: string): number | undefined {
  try {
    const parsed = JSON.parse(data) as { sentAt?: unknown };
    return typeof parsed.sentAt === 'number' ? parsed.sentAt : undefined;
  } catch {
    return undefined;
  }
}

// Date.now() - performance.now(), read just after Date.now() ticks over so the 1 ms step costs < 0.1 ms.
function wallClockOffset(): number {
  const from = Date.now();
  let now = Date.now();
  while (now === from) now = Date.now();
  return now - performance.now();
}

function isSseHeld(c: SseObservation): boolean {
  return c.status === 200 && !c.error && c.endedMs === undefined && c.events.length > 0;
}

function isWebSocketHeld(c: WebSocketObservation): boolean {
  return c.openMs !== undefined && !c.error && c.close?.by === 'client' && c.messages.length > 0;
}

function describeSseFailure(c: SseObservation): string {
  if (c.error) return `${c.error.stage} ${c.error.code ?? c.error.message}`;
  if (c.status !== 200) return `HTTP ${c.status ?? '?'}`;
  if (c.endedMs !== undefined) return 'ended early';
  return 'no event';
}

function describeWebSocketFailure(c: WebSocketObservation): string {
  if (c.error) return `${c.error.stage} ${c.error.code ?? c.error.message}`;
  if (c.openMs === undefined) return `upgrade ${c.upgradeStatus ?? '?'}`;
  if (c.close && c.close.by !== 'client') return `closed by ${c.close.by}`;
  return 'no message';
}

function countFailures(reasons: string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const reason of reasons) counts[reason] = (counts[reason] ?? 0) + 1;
  return counts;
}
