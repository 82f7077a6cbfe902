// The SSE probe: one stream watched over node:http (not fetch: it needs each chunk's arrival time, its own
// socket and Nagle off), every chunk, event, comment and `retry:` stamped on the probe's clock; and the
// reconnect with `Last-Event-ID` that proves a stream resumes. Parsing is the pure WHATWG parser in core.
import type { ObservedEvent, ProbeError, ReconnectObservation, SseObservation } from '../core/smoke-types';
import { createSseParser, type SseItem } from '../core/sse-parser';
import { openGet, timeoutError, toProbeError, type Elapsed } from './http-probe';

/** Per connection, at most this many events, chunks and comments are kept (1000 streams in one process). */
export const MAX_STORED_ITEMS = 10_000;
/** Event data and comments longer than this are cut when stored. */
export const MAX_STORED_TEXT = 4096;

export interface SseWatchOptions {
  /** Extra request headers (Authorization when allowed); Accept and Cache-Control are set here. */
  headers: Record<string, string>;
  /** How long the stream is watched, from the request. */
  durationMs: number;
  /** When no event has come by `durationMs`, the watch goes on until the first one or until this (from the request). */
  firstEventTimeoutMs: number;
  elapsed: Elapsed;
}

/** An SSE observation plus what the probe needs after the watch and what the caps left out. */
export interface RecordedSse extends SseObservation {
  /** The last event ID buffer at the end of the watch, even when events were no longer stored. */
  lastEventId?: string;
  /** Events received beyond MAX_STORED_ITEMS (counted, not kept). */
  eventsNotStored: number;
}

const SSE_HEADERS = { Accept: 'text/event-stream', 'Cache-Control': 'no-cache' };

/** Resolves when the watch ends, the server ends the stream, or the exchange fails; never rejects. */
export function watchSse(url: string, options: SseWatchOptions): Promise<RecordedSse> {
  const { elapsed } = options;
  return new Promise((resolve) => {
    const obs: RecordedSse = {
      url,
      startMs: elapsed(),
      chunks: [],
      events: [],
      comments: [],
      stoppedMs: 0,
      eventsNotStored: 0,
    };
    const get = openGet(url, { ...SSE_HEADERS, ...options.headers });
    let seenEvent = false;
    let overtime = false;
    let done = false;
    let timer: NodeJS.Timeout;
    const stage = (): ProbeError['stage'] =>
      obs.status !== undefined ? 'stream' : get.connected() ? 'response' : 'connect';
    const finish = (error?: ProbeError): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      obs.stoppedMs = elapsed();
      if (error) obs.error = error;
      get.request.destroy();
      resolve(obs);
    };
    const stop = (): void => {
      if (obs.status === undefined) {
        finish(timeoutError(stage(), 'no response headers', elapsed() - obs.startMs));
      } else finish();
    };
    // The watch ends at durationMs, or later at firstEventTimeoutMs while no event has come.
    timer = setTimeout(() => {
      const more = options.firstEventTimeoutMs - options.durationMs;
      if (!seenEvent && more > 0) {
        overtime = true;
        timer = setTimeout(stop, more);
      } else stop();
    }, options.durationMs);

    const record = (items: SseItem[], atMs: number): void => {
      for (const item of items) {
        if (item.kind === 'event') {
          seenEvent = true;
          if (item.id !== undefined) obs.lastEventId = item.id;
          if (obs.events.length >= MAX_STORED_ITEMS) {
            obs.eventsNotStored++;
            continue;
          }
          const event: ObservedEvent = { atMs, event: item.event, data: clip(item.data) };
          if (item.id !== undefined) event.id = item.id;
          obs.events.push(event);
        } else if (item.kind === 'comment') {
          if (obs.comments.length < MAX_STORED_ITEMS) obs.comments.push({ atMs, text: clip(item.text) });
        } else {
          obs.retryMs = item.ms;
        }
      }
    };

    get.request.on('error', (error) => finish(toProbeError(error, stage())));
    get.request.on('response', (res) => {
      obs.headersMs = elapsed();
      obs.status = res.statusCode;
      const type = res.headers['content-type'];
      if (type !== undefined) obs.contentType = type;
      if (res.statusCode !== 200) return finish();
      res.socket?.setNoDelay(true);
      // A wrong Content-Type is judged, not refused: the body is still read and parsed.
      const decoder = new TextDecoder('utf-8');
      const parser = createSseParser();
      res.on('data', (chunk: Buffer) => {
        const atMs = elapsed();
        if (obs.chunks.length < MAX_STORED_ITEMS) obs.chunks.push({ atMs, bytes: chunk.length });
        record(parser.push(decoder.decode(chunk, { stream: true })), atMs);
        // Past the duration only to wait for a first event: it came, so the watch is over.
        if (overtime && seenEvent) finish();
      });
      res.on('end', () => {
        const atMs = elapsed();
        record([...parser.push(decoder.decode()), ...parser.end()], atMs);
        obs.endedMs = atMs;
        finish();
      });
      // Cut mid-stream (reset, proxy drop): the stream ended early, and the error says how.
      res.on('error', (error) => {
        if (done) return;
        obs.endedMs = elapsed();
        finish(toProbeError(error, 'stream'));
      });
      res.on('close', () => {
        if (done || res.complete) return;
        obs.endedMs = elapsed();
        finish({ stage: 'stream', message: 'connection closed before the stream ended', code: 'ECONNRESET' });
      });
    });
  });
}

export interface SseReconnectOptions {
  headers: Record<string, string>;
  /** How long to wait for the first event after reconnecting. */
  timeoutMs: number;
  elapsed: Elapsed;
}

/** Reconnects with `Last-Event-ID` and records the first event that comes back (WHATWG resumption). */
export function reconnectSse(
  url: string,
  lastEventId: string,
  options: SseReconnectOptions,
): Promise<ReconnectObservation> {
  const { elapsed } = options;
  return new Promise((resolve) => {
    const obs: ReconnectObservation = { lastEventId };
    const started = elapsed();
    const get = openGet(url, { ...SSE_HEADERS, ...options.headers, 'Last-Event-ID': lastEventId });
    let done = false;
    const finish = (error?: ProbeError): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      if (error) obs.error = error;
      get.request.destroy();
      resolve(obs);
    };
    const timer = setTimeout(() => {
      if (obs.status === undefined) {
        finish(
          timeoutError(get.connected() ? 'response' : 'connect', 'no response headers', elapsed() - started),
        );
      } else finish();
    }, options.timeoutMs);
    get.request.on('error', (error) =>
      finish(
        toProbeError(error, obs.status !== undefined ? 'stream' : get.connected() ? 'response' : 'connect'),
      ),
    );
    get.request.on('response', (res) => {
      obs.status = res.statusCode;
      if (res.statusCode !== 200) return finish();
      const decoder = new TextDecoder('utf-8');
      const parser = createSseParser();
      res.on('data', (chunk: Buffer) => {
        const atMs = elapsed();
        const first = parser
          .push(decoder.decode(chunk, { stream: true }))
          .find((item) => item.kind === 'event');
        if (first?.kind !== 'event') return;
        if (first.id !== undefined) obs.firstEventId = first.id;
        obs.firstEventData = clip(first.data);
        obs.firstEventMs = atMs;
        finish();
      });
      res.on('end', () => finish());
      res.on('error', (error) => finish(toProbeError(error, 'stream')));
    });
  });
}

function clip(text: string): string {
  return text.length > MAX_STORED_TEXT ? text.slice(0, MAX_STORED_TEXT) : text;
}
