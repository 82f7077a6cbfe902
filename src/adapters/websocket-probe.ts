// The WebSocket probe: one socket through the `ws` client, watched for the smoke duration: the upgrade's
// status, every message, the optional message sent once open, pings and pongs, and how the socket closed
// (our close(1000) answered by the server's close frame, or a close by the server or the network).
import WebSocket from 'ws';
import type { ProbeError, WebSocketObservation } from '../core/smoke-types';
import {
  chooseProxy,
  timeoutError,
  toProbeError,
  TunnelAgent,
  type Elapsed,
  type ProxyEnv,
} from './http-probe';

/** Per connection, at most this many messages are kept. */
export const MAX_STORED_MESSAGES = 10_000;
/** Messages longer than this are cut when stored. */
export const MAX_STORED_TEXT = 4096;

export interface WebSocketWatchOptions {
  /** Extra handshake headers (Authorization when allowed). */
  headers: Record<string, string>;
  /** How long the socket is watched, from the handshake request. */
  durationMs: number;
  /** When no message has come by `durationMs`, the watch goes on until the first one or until this (from the request). */
  firstEventTimeoutMs: number;
  /** A text message sent once, as soon as the socket is open. */
  send?: string;
  elapsed: Elapsed;
  /** Pause between pings; the first goes out on open. Default 1 s. */
  pingIntervalMs?: number;
  /** How long our close(1000) waits for the server's close frame before the socket is dropped. Default 2 s. */
  closeTimeoutMs?: number;
  /** Where HTTPS_PROXY / NO_PROXY are read; default process.env. */
  env?: ProxyEnv;
}

/** An observation plus the messages the cap left out. */
export interface RecordedWebSocket extends WebSocketObservation {
  /** Messages received beyond MAX_STORED_MESSAGES (counted, not kept). */
  messagesNotStored: number;
}

/** The service URL with its scheme switched to ws/wss (http -> ws, https -> wss). */
export function toWebSocketUrl(url: string): string {
  const target = new URL(url);
  if (target.protocol === 'http:') target.protocol = 'ws:';
  else if (target.protocol === 'https:') target.protocol = 'wss:';
  return target.toString();
}

// Early failures that never reached the server's HTTP layer.
const CONNECT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

/** Resolves once the socket has closed (or never opened); never rejects. */
export function watchWebSocket(url: string, options: WebSocketWatchOptions): Promise<RecordedWebSocket> {
  const { elapsed } = options;
  const wsUrl = toWebSocketUrl(url);
  return new Promise((resolve) => {
    const obs: RecordedWebSocket = {
      url: wsUrl,
      startMs: elapsed(),
      messages: [],
      pingsSentMs: [],
      pongsMs: [],
      stoppedMs: 0,
      messagesNotStored: 0,
    };
    let proxy: URL | undefined;
    try {
      proxy = chooseProxy(wsUrl, options.env ?? process.env);
    } catch {
      obs.error = { stage: 'connect', message: 'HTTPS_PROXY (or HTTP_PROXY) is not a URL' };
      obs.stoppedMs = elapsed();
      return resolve(obs);
    }
    const ws = new WebSocket(wsUrl, {
      headers: options.headers,
      // Through a proxy: a CONNECT tunnel, as browsers open WebSockets behind one.
      ...(proxy && { agent: new TunnelAgent(proxy, wsUrl.startsWith('wss:')) }),
      // One zlib context per socket is too much for a thousand probes, and compression hides nothing here.
      perMessageDeflate: false,
      followRedirects: false,
      handshakeTimeout: Math.max(options.durationMs, options.firstEventTimeoutMs),
    });
    let closing = false;
    let overtime = false;
    let done = false;
    const timers: NodeJS.Timeout[] = [];
    let pinger: NodeJS.Timeout | undefined;
    const fail = (error: ProbeError): void => {
      if (!obs.error) obs.error = error;
    };
    const finish = (): void => {
      if (done) return;
      done = true;
      timers.forEach(clearTimeout);
      clearInterval(pinger);
      obs.stoppedMs = elapsed();
      resolve(obs);
    };
    const stop = (): void => {
      if (closing || done) return;
      closing = true;
      clearInterval(pinger);
      if (ws.readyState === WebSocket.CONNECTING) {
        fail(timeoutError('upgrade', 'no upgrade answer', elapsed() - obs.startMs));
        ws.terminate();
        return;
      }
      ws.close(1000, 'smoke test done');
      timers.push(setTimeout(() => ws.terminate(), options.closeTimeoutMs ?? 2000));
    };
    timers.push(
      setTimeout(() => {
        const more = options.firstEventTimeoutMs - options.durationMs;
        if (obs.messages.length === 0 && obs.messagesNotStored === 0 && more > 0) {
          overtime = true;
          timers.push(setTimeout(stop, more));
        } else stop();
      }, options.durationMs),
    );

    ws.on('upgrade', (res) => (obs.upgradeStatus = res.statusCode));
    ws.on('unexpected-response', (req, res) => {
      obs.upgradeStatus = res.statusCode;
      fail({ stage: 'upgrade', message: `the server answered the upgrade with HTTP ${res.statusCode}` });
      res.resume();
      req.destroy();
      // ws emits no 'close' for a request aborted here.
      finish();
    });
    ws.on('open', () => {
      obs.openMs = elapsed();
      if (options.send !== undefined) {
        ws.send(options.send);
        obs.sentMs = elapsed();
      }
      const ping = (): void => {
        obs.pingsSentMs.push(elapsed());
        ws.ping(`smoke-${obs.pingsSentMs.length}`);
      };
      ping();
      pinger = setInterval(ping, options.pingIntervalMs ?? 1000);
    });
    ws.on('message', (data: WebSocket.RawData, isBinary: boolean) => {
      const atMs = elapsed();
      // Past the duration only to wait for a first message: it came, so the watch is over.
      if (overtime) stop();
      if (obs.messages.length >= MAX_STORED_MESSAGES) {
        obs.messagesNotStored++;
        return;
      }
      const text = isBinary ? `<binary ${byteLength(data)} bytes>` : clippedText(data);
      obs.messages.push({ atMs, data: text });
    });
    ws.on('pong', () => obs.pongsMs.push(elapsed()));
    ws.on('error', (error: NodeJS.ErrnoException) => {
      if (ws.readyState === WebSocket.CLOSING && closing) return;
      const opened = obs.openMs !== undefined;
      fail(
        toProbeError(error, opened ? 'stream' : CONNECT_CODES.has(error.code ?? '') ? 'connect' : 'upgrade'),
      );
    });
    ws.on('close', (code: number, reason: Buffer) => {
      const atMs = elapsed();
      if (obs.openMs !== undefined) {
        // 1006: no close frame came (ws's code for an abnormal closure).
        const clean = code !== 1006;
        const by = closing ? 'client' : clean ? 'server' : 'network';
        obs.close = { atMs, by, clean };
        if (code !== 1005 && code !== 1006) obs.close.code = code;
        const text = reason.toString();
        if (text !== '') obs.close.reason = text;
      }
      finish();
    });
  });
}

/**
 * At most MAX_STORED_TEXT characters of a text message, decoded from only its first bytes (4 per
 * character at most) and copied flat: a 1 MiB message is never decoded, joined or kept whole here.
 */
export function clippedText(data: WebSocket.RawData): string {
  const parts = Array.isArray(data) ? data : [Buffer.from(data as ArrayBuffer)];
  const want = MAX_STORED_TEXT * 4;
  const head: Buffer[] = [];
  let have = 0;
  for (const part of parts) {
    if (have >= want) break;
    const piece = part.subarray(0, want - have);
    head.push(piece);
    have += piece.length;
  }
  const text = Buffer.concat(head).toString('utf8');
  if (text.length <= MAX_STORED_TEXT) return text;
  // Not cut inside a surrogate pair, then copied so no slice keeps the decoded head alive.
  const end = /[\uD800-\uDBFF]/.test(text[MAX_STORED_TEXT - 1]) ? MAX_STORED_TEXT - 1 : MAX_STORED_TEXT;
  return Buffer.from(text.slice(0, end), 'utf8').toString('utf8');
}

function byteLength(data: WebSocket.RawData): number {
  if (Array.isArray(data)) return data.reduce((sum, part) => sum + part.length, 0);
  return (data as Buffer | ArrayBuffer).byteLength;
}
