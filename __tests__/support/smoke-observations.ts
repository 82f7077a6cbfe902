// Hand-built observations for the tests of the smoke judge (src/core/smoke/): SSE connections, their
// events and the criteria, with times in ms from the probe's start.
import type {
  ObservedEvent,
  ReconnectObservation,
  SmokeCheck,
  SmokeCriteria,
  SseObservation,
} from '../../src/core/smoke-types';
import { judgeSse } from '../../src/core/smoke/sse';

export const URL_ = 'https://pr-12---api-abc123-uc.a.run.app/events';
/** The server's clock, deliberately an hour off the probe's: only spreads of send times may be compared. */
export const SERVER_EPOCH = 1_760_000_000_000 + 3_600_000;

export function criteria(overrides: Partial<SmokeCriteria> = {}): SmokeCriteria {
  return {
    protocol: 'sse',
    path: '/events',
    healthPath: '/health',
    healthTimeoutMs: 30_000,
    durationMs: 10_000,
    firstEventTimeoutMs: 5_000,
    minEvents: 3,
    maxGapMs: 3_000,
    connections: 1,
    checkReconnect: true,
    ...overrides,
  };
}

export interface TickOptions {
  /** When the server sent each event (server clock offset added); omit for no send timestamps. */
  sentAt?: number[];
  /** Numeric ids from this number up; omit for no ids. */
  firstId?: number;
  /** Use this key instead of `sentAt`, and ISO strings when `iso` is set. */
  key?: string;
  iso?: boolean;
}

/** Events arriving at the given times, like the sample app's ticks. */
export function ticks(arrivals: number[], options: TickOptions = {}): ObservedEvent[] {
  return arrivals.map((atMs, i) => {
    const payload: Record<string, unknown> = { seq: i + 1 };
    if (options.sentAt) {
      const sent = SERVER_EPOCH + options.sentAt[i];
      payload[options.key ?? 'sentAt'] = options.iso ? new Date(sent).toISOString() : sent;
    }
    const event: ObservedEvent = { atMs, event: 'tick', data: JSON.stringify(payload) };
    if (options.firstId !== undefined) event.id = String(options.firstId + i);
    return event;
  });
}

/** Times from `from`, every `every` ms, `count` of them. */
export function every(every: number, count: number, from = 100): number[] {
  return Array.from({ length: count }, (_, i) => from + i * every);
}

/** An SSE connection: 200, text/event-stream, headers at 50 ms, watched to 10 s; one chunk per arrival time. */
export function sse(overrides: Partial<SseObservation> = {}): SseObservation {
  const events = overrides.events ?? ticks(every(1000, 10), { sentAt: every(1000, 10, 0), firstId: 1 });
  const arrivals = [...new Set(events.map((e) => e.atMs))];
  return {
    url: URL_,
    startMs: 0,
    headersMs: 50,
    status: 200,
    contentType: 'text/event-stream',
    chunks: arrivals.map((atMs) => ({ atMs, bytes: 60 * events.filter((e) => e.atMs === atMs).length })),
    events,
    comments: [],
    stoppedMs: 10_000,
    ...overrides,
  };
}

export function checkNamed(checks: SmokeCheck[], name: string): SmokeCheck {
  const found = checks.find((c) => c.name === name);
  if (!found) throw new Error(`no ${name} check in ${checks.map((c) => c.name).join(', ')}`);
  return found;
}

export function judgeOne(
  conn: SseObservation,
  reconnect?: ReconnectObservation,
  overrides: Partial<SmokeCriteria> = {},
) {
  return judgeSse([conn], reconnect, criteria(overrides));
}

export const resumed: ReconnectObservation = {
  lastEventId: '10',
  status: 200,
  firstEventId: '11',
  firstEventMs: 10_200,
};
