// The panel's stream clients, one per protocol, each holding one stream open until closed and telling its
// slot (./arm.ts) what happens as it happens: SSE over node:http on its own socket (the smoke probe's
// openGet, asking for gzip / deflate / br as browsers do and inflating as it comes, so buffering compression
// shows: docs/platform.md "Compression buffers SSE"; comments as heartbeats), WebSocket through `ws` with
// pings, and the gRPC health Watch through @grpc/grpc-js (h2c for http URLs, TLS for https).
import zlib from 'node:zlib';
import type { IncomingMessage } from 'node:http';
import type { Transform } from 'node:stream';
import WebSocket from 'ws';
import { Client, Metadata, credentials, status as GrpcStatus, type ServiceError } from '@grpc/grpc-js';
import { createSseParser } from '../../core/sse-parser';
import { decodeHealthCheckResponse, encodeHealthCheckRequest } from '../grpc-probe';
import { chooseProxy, openGet, TunnelAgent, type ProxyEnv } from '../http-probe';
import { encodeLastEventId, MAX_STORED_TEXT, sseHeaders } from '../sse-probe';
import { toWebSocketUrl } from '../websocket-probe';
import type { StreamEnd, StreamHandle, StreamHooks } from './arm';

/** How long a handshake may take before the try counts as a failed open. */
export const OPEN_TIMEOUT_MS = 10_000;
/** How long a client close waits for the server's side before the socket is dropped. */
const CLOSE_TIMEOUT_MS = 1000;

/** A stream's end, once: cleanup, then the slot is told unless the client closed it; `gone` resolves. */
class Ending {
  closing = false;
  done = false;
  private release: () => void = () => undefined;
  readonly gone = new Promise<void>((resolve) => (this.release = resolve));

  constructor(private readonly hooks: StreamHooks) {}

  end(how: StreamEnd, cleanup: () => void): void {
    if (this.done) return;
    this.done = true;
    cleanup();
    if (!this.closing) this.hooks.ended(how);
    this.release();
  }
}

/** The inflater for a Content-Encoding, flushing as data comes (a stream has no end to wait for). */
function inflaterFor(encoding: string): Transform | undefined {
  const sync = { flush: zlib.constants.Z_SYNC_FLUSH, finishFlush: zlib.constants.Z_SYNC_FLUSH };
  if (encoding === 'gzip' || encoding === 'x-gzip') return zlib.createGunzip(sync);
  if (encoding === 'deflate') return zlib.createInflate(sync);
  if (encoding === 'br')
    return zlib.createBrotliDecompress({
      flush: zlib.constants.BROTLI_OPERATION_FLUSH,
      finishFlush: zlib.constants.BROTLI_OPERATION_FLUSH,
    });
  return undefined;
}

/** One SSE stream; `lastEventId` is sent as `Last-Event-ID` when it can travel in a header. */
export function openSse(
  url: string,
  headers: Record<string, string>,
  hooks: StreamHooks,
  lastEventId?: string,
  env?: ProxyEnv,
): StreamHandle {
  const extra: Record<string, string> = {};
  if (lastEventId !== undefined) {
    const header = encodeLastEventId(lastEventId);
    if ('value' in header) extra['Last-Event-ID'] = header.value;
  }
  let get: ReturnType<typeof openGet> | undefined;
  const ending = new Ending(hooks);
  const end = (error?: string): void =>
    ending.end({ error }, () => {
      clearTimeout(timer);
      get?.request.destroy();
    });
  const timer = setTimeout(() => end(`no response headers within ${OPEN_TIMEOUT_MS} ms`), OPEN_TIMEOUT_MS);
  try {
    get = openGet(url, { ...sseHeaders('browser'), ...headers, ...extra }, env);
  } catch (error) {
    setImmediate(() => end(errorText(error)));
    return { close: () => ((ending.closing = true), ending.gone) };
  }
  get.request.on('error', (error) => end(errorText(error)));
  get.request.on('close', () => end('connection closed'));
  get.request.on('response', (res: IncomingMessage) => {
    clearTimeout(timer);
    if (res.statusCode !== 200) {
      res.resume();
      return end(`HTTP ${res.statusCode}`);
    }
    res.socket?.setNoDelay(true);
    hooks.opened();
    const parser = createSseParser(MAX_STORED_TEXT);
    const encoding = (res.headers['content-encoding'] ?? '').trim().toLowerCase();
    const inflater = inflaterFor(encoding);
    const text = inflater ? res.pipe(inflater) : res;
    text.setEncoding('utf8');
    text.on('data', (chunk: string) => {
      for (const item of parser.push(chunk)) {
        if (item.kind === 'event') hooks.signal('event', item.id);
        else if (item.kind === 'comment') hooks.signal('heartbeat');
      }
    });
    inflater?.on('error', (error) => end(`cannot decode the ${encoding} body: ${error.message}`));
    res.on('error', (error) => end(errorText(error)));
    res.on('end', () => end('the server ended the stream'));
    res.on('close', () => end(res.complete ? 'the server ended the stream' : 'connection closed mid-stream'));
  });
  return {
    close: () => {
      ending.closing = true;
      end();
      return ending.gone;
    },
  };
}

/** One WebSocket, pinged every `pingIntervalMs` from open; `send` goes once when it opens. */
export function openWebSocket(
  url: string,
  headers: Record<string, string>,
  hooks: StreamHooks,
  options: { pingIntervalMs: number; send?: string; now: () => number; env?: ProxyEnv },
): StreamHandle {
  const wsUrl = toWebSocketUrl(url);
  let proxy: URL | undefined;
  try {
    proxy = chooseProxy(wsUrl, options.env ?? process.env);
  } catch {
    setImmediate(() => hooks.ended({ error: 'HTTPS_PROXY (or HTTP_PROXY) is not a URL' }));
    return { close: async () => undefined };
  }
  const ws = new WebSocket(wsUrl, {
    headers,
    ...(proxy && { agent: new TunnelAgent(proxy, wsUrl.startsWith('wss:')) }),
    perMessageDeflate: false,
    followRedirects: false,
    handshakeTimeout: OPEN_TIMEOUT_MS,
  });
  const ending = new Ending(hooks);
  let wasOpen = false;
  let pinger: NodeJS.Timeout | undefined;
  let lastError: string | undefined;
  const pings = new Map<string, number>();
  let sent = 0;
  const finish = (code?: number): void =>
    ending.end(
      wasOpen
        ? { closeCode: code, error: lastError ?? `closed by the server with ${code}` }
        : { error: lastError ?? 'the upgrade failed' },
      () => clearInterval(pinger),
    );
  ws.on('unexpected-response', (req, res) => {
    res.resume();
    req.destroy();
    lastError = `HTTP ${res.statusCode}`;
    // ws emits no 'close' for a request aborted here.
    finish();
  });
  ws.on('open', () => {
    wasOpen = true;
    hooks.opened();
    if (options.send !== undefined) ws.send(options.send);
    const ping = (): void => {
      const payload = `panel-${++sent}`;
      pings.set(payload, options.now());
      ws.ping(payload);
    };
    ping();
    pinger = setInterval(ping, options.pingIntervalMs);
  });
  ws.on('message', () => hooks.signal('event'));
  ws.on('pong', (data: Buffer) => {
    const at = pings.get(data.toString());
    pings.delete(data.toString());
    if (at !== undefined) hooks.pingRtt(options.now() - at);
    hooks.signal('heartbeat');
  });
  ws.on('error', (error) => (lastError = errorText(error)));
  ws.on('close', (code: number) => finish(code));
  return {
    close: () => {
      ending.closing = true;
      clearInterval(pinger);
      if (ending.done) return ending.gone;
      if (ws.readyState === WebSocket.OPEN) ws.close(1000, 'panel done');
      else ws.terminate();
      const drop = setTimeout(() => ws.terminate(), CLOSE_TIMEOUT_MS);
      return ending.gone.then(() => clearTimeout(drop));
    },
  };
}

const WATCH_PATH = '/grpc.health.v1.Health/Watch';
const SERVING = 1;

/** One grpc.health.v1 Watch on its own HTTP/2 connection; the token goes as `authorization` metadata. */
export function openGrpcWatch(
  url: string,
  idToken: string | undefined,
  hooks: StreamHooks,
  options: { service: string },
): StreamHandle {
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    setImmediate(() => hooks.ended({ error: `not a URL: ${url}` }));
    return { close: async () => undefined };
  }
  const tls = target.protocol === 'https:';
  const client = new Client(
    `${target.hostname}:${target.port || (tls ? '443' : '80')}`,
    tls ? credentials.createSsl() : credentials.createInsecure(),
    // Its own connection, as each SSE stream has its own socket: one cut never ends every Watch.
    { 'grpc.use_local_subchannel_pool': 1, 'grpc.enable_retries': 0 },
  );
  const metadata = new Metadata();
  if (idToken) metadata.set('authorization', `Bearer ${idToken}`);
  const call = client.makeServerStreamRequest(
    WATCH_PATH,
    encodeHealthCheckRequest,
    decodeHealthCheckResponse,
    { service: options.service },
    metadata,
    { deadline: Infinity },
  );
  const ending = new Ending(hooks);
  let answered = false;
  const opened = (): void => {
    if (answered) return;
    answered = true;
    hooks.opened();
  };
  const timer = setTimeout(() => {
    if (!answered) call.cancel();
  }, OPEN_TIMEOUT_MS);
  call.on('metadata', opened);
  call.on('data', (message: { status: number }) => {
    opened();
    hooks.serving(message.status === SERVING);
    hooks.signal('event');
  });
  const end = (error?: string): void =>
    ending.end({ error }, () => {
      clearTimeout(timer);
      client.close();
    });
  call.on('error', (error: ServiceError) => {
    const name = GrpcStatus[error.code] ?? `code ${error.code}`;
    end(`${name}: ${error.details || error.message}`);
  });
  call.on('end', () => end('the server ended the Watch'));
  return {
    close: async () => {
      ending.closing = true;
      call.cancel();
      end();
    },
  };
}

function errorText(error: unknown): string {
  const err = error as NodeJS.ErrnoException;
  const message = err instanceof Error ? err.message : String(error);
  return err?.code && !message.includes(err.code) ? `${err.code}: ${message}` : message;
}
