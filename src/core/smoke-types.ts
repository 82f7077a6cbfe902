// The streaming smoke test as data: what to check (criteria), what a probe saw (observations, as
// timelines in milliseconds from the probe's start), and what was judged (checks, metrics, verdict).
// Probes in src/adapters record observations; src/core/smoke/ judges them, purely.

export type SmokeProtocol = 'sse' | 'websocket' | 'http' | 'grpc';

export type Verdict = 'pass' | 'fail' | 'inconclusive';

export interface SmokeCriteria {
  protocol: SmokeProtocol;
  /** Path of the stream (SSE / WebSocket) or of the page (http), e.g. `/events`, `/ws`, `/`. */
  path: string;
  /** Health path answered 2xx before streaming, e.g. `/health`; empty string skips it. */
  healthPath: string;
  /** How long the health check may retry while a fresh instance starts. */
  healthTimeoutMs: number;
  /** How long each stream is watched. */
  durationMs: number;
  /** The first event (SSE) or message (WebSocket) must arrive within this. */
  firstEventTimeoutMs: number;
  /** At least this many events / messages during the watch. */
  minEvents: number;
  /** No silence between events longer than this (and none from the start to the first event). */
  maxGapMs: number;
  /** Streams opened at once. */
  connections: number;
  /** WebSocket: a text message to send once open. */
  send?: string;
  /** WebSocket: the reply expected to `send`: plain text that must be contained, or `/regex/flags`. */
  expect?: string;
  /** SSE: reconnect with `Last-Event-ID` after the watch, when the server sent ids. */
  checkReconnect: boolean;
  /**
   * `minEvents` is the default, not the user's (`smoke_min_events` not given). Then an SSE stream that sends
   * heartbeat comments is judged on liveness (event-driven APIs send events rarely): comments count for
   * the first byte and the largest gap, and no event is required. Absent: events are required as given.
   */
  minEventsIsDefault?: boolean;
  /** SSE: `browser` sends `Accept-Encoding: gzip, deflate, br` as EventSource does (the default); `identity` asks for none. */
  acceptEncoding?: AcceptEncoding;
}

/** What the SSE probe accepts as body encodings. */
export type AcceptEncoding = 'browser' | 'identity';

/** One SSE event as parsed by the WHATWG rules, stamped with its arrival. */
export interface ObservedEvent {
  atMs: number;
  /** The last event ID after this event (the WHATWG "last event ID buffer"), if any was set. */
  id?: string;
  /** `message` when the stream gave no `event:` field. */
  event: string;
  data: string;
}

/** A network failure, with the stage it happened in. */
export interface ProbeError {
  stage: 'connect' | 'response' | 'stream' | 'upgrade';
  message: string;
  /** Node's error code when there is one: ECONNREFUSED, ECONNRESET, ETIMEDOUT, … */
  code?: string;
}

/** One SSE connection, watched for `durationMs`. */
export interface SseObservation {
  url: string;
  /** When the request was sent; the other times are from the probe's common start. */
  startMs: number;
  /** Response headers received. */
  headersMs?: number;
  status?: number;
  contentType?: string;
  /** The response's Content-Encoding (e.g. `gzip`), when not identity; the body was decoded as it came. */
  contentEncoding?: string;
  /** Every chunk of body bytes as it arrived (for burst detection). */
  chunks: Array<{ atMs: number; bytes: number }>;
  events: ObservedEvent[];
  /** Comment lines (e.g. heartbeats) with their arrival. */
  comments: Array<{ atMs: number; text: string }>;
  /** The server's `retry:` value, if it sent one. */
  retryMs?: number;
  /** When the server ended the stream, if it did before the watch ended. */
  endedMs?: number;
  /** When the probe stopped watching. */
  stoppedMs: number;
  error?: ProbeError;
}

/** A reconnect with `Last-Event-ID` after the watch (SSE resumption). */
export interface ReconnectObservation {
  lastEventId: string;
  /** Why no reconnect was sent (the id cannot travel in an HTTP header); nothing else is set then. */
  notSent?: string;
  status?: number;
  /** The id of the first event after reconnecting, and when it came. */
  firstEventId?: string;
  firstEventData?: string;
  firstEventMs?: number;
  error?: ProbeError;
}

/** One WebSocket connection, watched for `durationMs`. */
export interface WebSocketObservation {
  url: string;
  startMs: number;
  /** 101 on success, else the HTTP status the server answered the upgrade with. */
  upgradeStatus?: number;
  openMs?: number;
  /** Text (or binary, as `<binary N bytes>`) messages received. */
  messages: Array<{ atMs: number; data: string }>;
  /** When `send` went out. */
  sentMs?: number;
  pingsSentMs: number[];
  pongsMs: number[];
  /** Close: who started it, the code and reason, and whether the closing handshake completed. */
  close?: {
    atMs: number;
    by: 'client' | 'server' | 'network';
    code?: number;
    reason?: string;
    clean: boolean;
  };
  stoppedMs: number;
  error?: ProbeError;
}

/** Health checks, retried while an instance starts. */
export interface HealthObservation {
  url: string;
  attempts: Array<{ atMs: number; status?: number; error?: ProbeError }>;
}

/** A plain GET for the `http` protocol. */
export interface HttpObservation {
  url: string;
  status?: number;
  contentType?: string;
  headersMs?: number;
  bodyBytes: number;
  error?: ProbeError;
}

export interface SmokeCheck {
  /** Stable name, e.g. `health`, `handshake`, `content-type`, `first-event`, `min-events`, `max-gap`, `not-buffered`, `stays-open`, `reconnect`, `echo`, `ping-pong`, `clean-close`, `connections`. */
  name: string;
  ok: boolean;
  /** Plain language: what was seen, against what was expected. */
  detail: string;
}

export interface SmokeMetrics {
  /** Median time to response headers / upgrade. */
  connectMs?: number;
  /** Median time from request to the first event or message. */
  firstEventMs?: number;
  /** Spread of first-event times across connections (max - min). */
  firstEventSpreadMs?: number;
  /** Events or messages received, summed over connections. */
  events: number;
  /** The largest silence seen on any connection. */
  largestGapMs?: number;
  buffered: boolean;
  connectionsHeld: number;
  connectionsTried: number;
}

export interface SmokeResult {
  url: string;
  protocol: SmokeProtocol;
  verdict: Verdict;
  checks: SmokeCheck[];
  metrics: SmokeMetrics;
}
