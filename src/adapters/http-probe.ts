// Plain HTTP for the smoke probes: a GET on its own socket (no pooling, Nagle off) so N probes are N
// sockets and every chunk is seen when it lands, failures as ProbeErrors with the stage they hit, and the
// `http` protocol's one-shot GET.
import http from 'node:http';
import https from 'node:https';
import type { Duplex } from 'node:stream';
import tls from 'node:tls';
import type { HttpObservation, ProbeError } from '../core/smoke-types';

/** Milliseconds since the probe's common start. */
export type Elapsed = () => number;

/** A GET in flight, with whether its TCP connection was made (to tell `connect` from `response` failures). */
export interface OpenGet {
  request: http.ClientRequest;
  connected(): boolean;
}

/** The environment the proxy settings are read from. */
export type ProxyEnv = Record<string, string | undefined>;

/**
 * The proxy a request to `url` goes through, or undefined: the same rules as the Google API client
 * (gaxios): `HTTPS_PROXY`, `https_proxy`, `HTTP_PROXY`, `http_proxy`, first set wins, for every URL;
 * `NO_PROXY` / `no_proxy` lists hosts (`api.example.com`), origins, or suffixes (`.example.com`,
 * `*.example.com`) to reach directly, and `*` for all.
 */
export function chooseProxy(url: string, env: ProxyEnv): URL | undefined {
  const raw = env.HTTPS_PROXY || env.https_proxy || env.HTTP_PROXY || env.http_proxy;
  if (!raw) return undefined;
  const target = new URL(url);
  const origin = target.origin === 'null' ? '' : target.origin;
  for (const rule of (env.NO_PROXY ?? env.no_proxy ?? '').split(',').map((r) => r.trim())) {
    if (rule === '') continue;
    if (rule === '*') return undefined;
    if (rule.startsWith('*.') || rule.startsWith('.')) {
      if (target.hostname.endsWith(rule.replace(/^\*\./, '.'))) return undefined;
    } else if (rule === target.hostname || rule === target.host || rule === origin) return undefined;
  }
  return new URL(raw.includes('://') ? raw : `http://${raw}`);
}

/** `Proxy-Authorization` for a proxy URL with user:password, else nothing. */
function proxyAuth(proxy: URL): Record<string, string> {
  if (proxy.username === '') return {};
  const user = `${decodeURIComponent(proxy.username)}:${decodeURIComponent(proxy.password)}`;
  return { 'Proxy-Authorization': `Basic ${Buffer.from(user).toString('base64')}` };
}

/**
 * An agent whose every socket is a CONNECT tunnel through `proxy`, wrapped in TLS for https/wss targets.
 * No keep-alive: one request, one tunnel, so N probes are still N connections.
 */
export class TunnelAgent extends https.Agent {
  constructor(
    private readonly proxy: URL,
    private readonly secure: boolean,
  ) {
    super({ keepAlive: false });
    // http.request refuses an agent of the other scheme: a plain ws:// tunnel must say `http:`.
    (this as unknown as { protocol: string }).protocol = secure ? 'https:' : 'http:';
  }

  override createConnection(
    options: http.ClientRequestArgs & tls.ConnectionOptions,
    callback?: (err: Error | null, stream: Duplex) => void,
  ): Duplex | null | undefined {
    const done = callback ?? (() => undefined);
    const host = options.hostname ?? options.host ?? 'localhost';
    const port = Number(options.port ?? (this.secure ? 443 : 80));
    const authority = `${host.includes(':') ? `[${host}]` : host}:${port}`;
    const client = this.proxy.protocol === 'https:' ? https : http;
    const connect = client.request({
      host: this.proxy.hostname,
      port: this.proxy.port || (this.proxy.protocol === 'https:' ? 443 : 80),
      method: 'CONNECT',
      path: authority,
      headers: { Host: authority, ...proxyAuth(this.proxy) },
      agent: false,
    });
    connect.once('connect', (res, socket) => {
      if (res.statusCode !== 200) {
        socket.destroy();
        const error = new Error(
          `the proxy ${this.proxy.host} answered CONNECT ${authority} with HTTP ${res.statusCode} (check HTTPS_PROXY / NO_PROXY)`,
        ) as NodeJS.ErrnoException;
        error.code = 'EPROXY';
        return done(error, socket);
      }
      socket.setNoDelay(true);
      if (!this.secure) return done(null, socket);
      const secure = tls.connect({ ...options, socket, servername: options.servername || host });
      secure.once('secureConnect', () => done(null, secure));
      secure.once('error', (error) => done(error, secure));
    });
    connect.once('error', (error) => done(error, connect.socket as Duplex));
    connect.end();
    return undefined;
  }
}

// Opens a GET on a fresh socket (`agent: false`): a pooled agent would share sockets between streams.
// Through a proxy (chooseProxy): plain http in absolute form to the proxy, https in a CONNECT tunnel.
export function openGet(url: string, headers: Record<string, string>, env: ProxyEnv = process.env): OpenGet {
  const target = new URL(url);
  const secure = target.protocol === 'https:';
  let proxy: URL | undefined;
  let proxyError: Error | undefined;
  try {
    proxy = chooseProxy(url, env);
  } catch {
    proxyError = new Error(
      'HTTPS_PROXY (or HTTP_PROXY) is not a URL; expected e.g. http://proxy.internal:3128',
    );
  }
  let connected = false;
  let request: http.ClientRequest;
  if (proxy && !secure) {
    const client = proxy.protocol === 'https:' ? https : http;
    request = client.request({
      host: proxy.hostname,
      port: proxy.port || (proxy.protocol === 'https:' ? 443 : 80),
      path: target.href,
      method: 'GET',
      headers: { Host: target.host, ...proxyAuth(proxy), ...headers },
      agent: false,
    });
  } else {
    const agent = proxy ? new TunnelAgent(proxy, true) : false;
    request = (secure ? https : http).request(target, { method: 'GET', headers, agent });
  }
  // Reported as the request's error (on the next tick, once the caller listens), never thrown.
  if (proxyError) request.destroy(proxyError);
  request.setNoDelay(true);
  request.once('socket', (socket) => {
    // A tunnelled socket arrives already connected.
    if (!socket.connecting) connected = true;
    else socket.once('connect', () => (connected = true));
  });
  request.end();
  return { request, connected: () => connected };
}

// A Node error as a ProbeError; `stage` says where the exchange was when it failed.
export function toProbeError(error: unknown, stage: ProbeError['stage']): ProbeError {
  const err = error as NodeJS.ErrnoException;
  const message = err instanceof Error ? err.message : String(error);
  return typeof err?.code === 'string' ? { stage, message, code: err.code } : { stage, message };
}

// The ProbeError for a deadline that passed before the named stage completed.
export function timeoutError(stage: ProbeError['stage'], what: string, ms: number): ProbeError {
  return { stage, message: `${what} within ${Math.round(ms)} ms`, code: 'ETIMEDOUT' };
}

export interface HttpGetOptions {
  headers: Record<string, string>;
  /** The whole exchange (headers and body) must finish within this. */
  timeoutMs: number;
  elapsed: Elapsed;
}

/** Body bytes are counted, never kept: the `http` protocol judges status, type and that a body came. */
export function probeHttp(url: string, options: HttpGetOptions): Promise<HttpObservation> {
  return new Promise((resolve) => {
    const obs: HttpObservation = { url, bodyBytes: 0 };
    const get = openGet(url, options.headers);
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
      const stage = obs.status !== undefined ? 'stream' : get.connected() ? 'response' : 'connect';
      finish(
        timeoutError(
          stage,
          obs.status !== undefined ? 'body not complete' : 'no response',
          options.timeoutMs,
        ),
      );
    }, options.timeoutMs);
    get.request.on('error', (error) =>
      finish(
        toProbeError(error, obs.status !== undefined ? 'stream' : get.connected() ? 'response' : 'connect'),
      ),
    );
    get.request.on('response', (res) => {
      obs.headersMs = options.elapsed();
      obs.status = res.statusCode;
      const type = res.headers['content-type'];
      if (type !== undefined) obs.contentType = type;
      res.on('data', (chunk: Buffer) => (obs.bodyBytes += chunk.length));
      res.on('end', () => finish());
      res.on('error', (error) => finish(toProbeError(error, 'stream')));
    });
  });
}
