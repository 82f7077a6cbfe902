// The SSE probe: one stream watched over node:http (not fetch: it needs each chunk's arrival time, its own
// socket and Nagle off), every chunk, event, comment and `retry:` stamped on the probe's clock; and the
// reconnect with `Last-Event-ID` that proves a stream resumes. Parsing is the pure WHATWG parser in core.
import zlib from 'node:zlib';
import type { IncomingMessage } from 'node:http';
import type {
  AcceptEncoding,
  ObservedEvent,
  ProbeError,
  ReconnectObservation,
  SseObservation,
} from '../core/smoke-types';
import { createSseParser, type SseItem } from '../core/sse-parser';
import { openGet, timeoutError, toProbeError, type Elapsed, type ProxyEnv } from './http-probe';

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
  /** `browser` (default) asks for gzip, deflate and br as EventSource does; `identity` for none. */
  acceptEncoding?: AcceptEncoding;
  elapsed: Elapsed;
  /** Where HTTPS_PROXY / NO_PROXY are read; default process.env. */
  env?: ProxyEnv;
  /** A comment ends the wait past `durationMs` as an event does (heartbeats count as liveness). */
  commentsAreLiveness?: boolean;
}

/** An SSE observation plus what the probe needs after the watch and what the caps left out. */
export interface RecordedSse extends SseObservation {
  /** The last event ID buffer at the end of the watch, even when events were no longer stored. */
  lastEventId?: string;
  /** Events received beyond MAX_STORED_ITEMS (counted, not kept). */
  eventsNotStored: number;
}

/** What a browser's EventSource sends (Chrome, Firefox), Accept-Encoding included unless `identity` is asked for. */
export function sseHeaders(acceptEncoding: AcceptEncoding = 'browser'): Record<string, string> {
  return {
    Accept: 'text/event-stream',
    'Cache-Control': 'no-cache',
    'Accept-Encoding': acceptEncoding === 'identity' ? 'identity' : 'gzip, deflate, br',
  };
}

/**
 * The `Last-Event-ID` header value for an id, or why none can be sent. Browsers send the id's UTF-8
 * bytes; Node writes header strings as Latin-1, so the UTF-8 bytes go as Latin-1 characters. Control
 * characters (other than tab) are refused by HTTP itself (RFC 9110 field values).
 */
export function encodeLastEventId(id: string): { value: string } | { notSent: string } {
  const value = Buffer.from(id, 'utf8').toString('latin1');
  const bad = /[^\t\x20-\x7e\x80-\xff]/.exec(value);
  if (bad) {
    const code = `U+${bad[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`;
    return {
      notSent: `the last event id contains ${code}, a control character no HTTP header may carry, so no client can resume with it`,
    };
  }
  return { value };
}

/** The body as decoded text chunks: gzip, deflate and br are inflated as they arrive (never at the end). */
function decodeBody(
  res: IncomingMessage,
  onText: (text: string) => void,
  onError: (error: Error) => void,
): { encoding?: string; end: (done: () => void) => void } {
  const encoding = (res.headers['content-encoding'] ?? '').trim().toLowerCase();
  const sync = { flush: zlib.constants.Z_SYNC_FLUSH, finishFlush: zlib.constants.Z_SYNC_FLUSH };
  const inflater =
    encoding === 'gzip' || encoding === 'x-gzip'
      ? zlib.createGunzip(sync)
      : encoding === 'deflate'
        ? zlib.createInflate(sync)
        : encoding === 'br'
          ? zlib.createBrotliDecompress({
              flush: zlib.constants.BROTLI_OPERATION_FLUSH,
              finishFlush: zlib.constants.BROTLI_OPERATION_FLUSH,
            })
          : undefined;
  const decoder = new TextDecoder('utf-8');
  const known = encoding === '' || encoding === 'identity' ? undefined : encoding;
  if (!inflater) {
    res.on('data', (chunk: Buffer) => onText(decoder.decode(chunk, { stream: true })));
    return { encoding: known, end: (done) => (onText(decoder.decode()), done()) };
  }
  inflater.on('data', (chunk: Buffer) => onText(decoder.decode(chunk, { stream: true })));
  inflater.on('error', (error) => onError(new Error(`cannot decode the ${encoding} body: ${error.message}`)));
  res.on('data', (chunk: Buffer) => inflater.write(chunk));
  return {
    encoding: known,
    end: (done) => {
      inflater.once('end', () => (onText(decoder.decode()), done()));
      inflater.end();
    },
  };
}

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
    let get: ReturnType<typeof openGet>;
    try {
      get = openGet(url, { ...sseHeaders(options.acceptEncoding), ...options.headers }, options.env);
    } catch (error) {
      obs.error = toProbeError(error, 'connect');
      return resolve(obs);
    }
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
          if (options.commentsAreLiveness) seenEvent = true;
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
      const parser = createSseParser(MAX_STORED_TEXT);
      // Items are stamped with the arrival of the wire chunk that completed them (decoded or not).
      let chunkAtMs = elapsed();
      res.on('data', (chunk: Buffer) => {
        chunkAtMs = elapsed();
        if (obs.chunks.length < MAX_STORED_ITEMS) obs.chunks.push({ atMs: chunkAtMs, bytes: chunk.length });
      });
      const body = decodeBody(
        res,
        (text) => {
          record(parser.push(text), chunkAtMs);
          // Past the duration only to wait for a first event: it came, so the watch is over.
          if (overtime && seenEvent) finish();
        },
        (error) => {
          if (done) return;
          obs.endedMs = elapsed();
          finish(toProbeError(error, 'stream'));
        },
      );
      if (body.encoding !== undefined) obs.contentEncoding = body.encoding;
      res.on('end', () => {
        const atMs = elapsed();
        body.end(() => {
          if (done) return;
          record(parser.end(), atMs);
          obs.endedMs = atMs;
          finish();
        });
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
  acceptEncoding?: AcceptEncoding;
  env?: ProxyEnv;
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
    const header = encodeLastEventId(lastEventId);
    if ('notSent' in header) {
      obs.notSent = header.notSent;
      return resolve(obs);
    }
    let get: ReturnType<typeof openGet>;
    try {
      get = openGet(
        url,
        {
          ...sseHeaders(options.acceptEncoding),
          ...options.headers,
          'Last-Event-ID': header.value,
        },
        options.env,
      );
    } catch (error) {
      obs.error = toProbeError(error, 'connect');
      return resolve(obs);
    }
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
      const parser = createSseParser(MAX_STORED_TEXT);
      const body = decodeBody(
        res,
        (text) => {
          if (done) return;
          const first = parser.push(text).find((item) => item.kind === 'event');
          if (first?.kind !== 'event') return;
          if (first.id !== undefined) obs.firstEventId = first.id;
          obs.firstEventData = clip(first.data);
          obs.firstEventMs = elapsed();
          finish();
        },
        (error) => finish(toProbeError(error, 'stream')),
      );
      res.on('end', () => body.end(() => finish()));
      res.on('error', (error) => finish(toProbeError(error, 'stream')));
    });
  });
}

// Cut to MAX_STORED_TEXT and copied: a V8 slice would keep the whole decoded chunk it came from alive.
function clip(text: string): string {
  return detach(text.length > MAX_STORED_TEXT ? text.slice(0, MAX_STORED_TEXT) : text);
}

/** A flat copy of `text`, holding no reference to a larger parent string. */
export function detach(text: string): string {
  return text.length < 13 ? text : Buffer.from(text, 'utf8').toString('utf8');
}
