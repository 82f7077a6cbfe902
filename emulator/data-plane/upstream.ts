// The router's leg to one instance: HTTP/1.1, or HTTP/2 cleartext with prior knowledge when the revision's
// port is named h2c (docs/platform.md "Port name selects the protocol"), and raw tunnels for WebSocket upgrades.
import http, { type IncomingHttpHeaders, type OutgoingHttpHeaders } from 'node:http';
import http2 from 'node:http2';
import net from 'node:net';
import type { Readable, Writable } from 'node:stream';
import type { Instance } from './instances';

/** Headers that belong to one hop and are never forwarded (RFC 9110 section 7.6.1, plus HTTP/2's rules). */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'http2-settings',
]);

/** Copies end-to-end headers: drops hop-by-hop ones, HTTP/2 pseudo-headers and `host`. */
export function endToEndHeaders(headers: IncomingHttpHeaders): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || name.startsWith(':') || name === 'host' || HOP_BY_HOP.has(name)) continue;
    out[name] = value;
  }
  return out;
}

export interface UpstreamResponse {
  status: number;
  headers: OutgoingHttpHeaders;
  body: Readable;
  /** HTTP/2 trailers (gRPC's `grpc-status`, `grpc-message`), once the body has ended; h2c only. */
  trailers?: () => OutgoingHttpHeaders | undefined;
}

/** One request in flight to an instance: write the request body to `request`, await `response`. */
export interface UpstreamExchange {
  request: Writable;
  response: Promise<UpstreamResponse>;
  abort(): void;
}

export interface UpstreamRequest {
  method: string;
  path: string;
  authority: string;
  headers: OutgoingHttpHeaders;
  /** The client asked for trailers (`te: trailers`, as gRPC clients do). */
  trailers?: boolean;
}

/** HTTP/1.1 to the instance, one connection per request so nothing queues behind a stream. */
export function openHttp1(host: string, instance: Instance, request: UpstreamRequest): UpstreamExchange {
  const upstream = http.request({
    host,
    port: instance.port,
    method: request.method,
    path: request.path,
    headers: { ...request.headers, host: request.authority },
    agent: false,
  });
  upstream.on('socket', (socket) => (socket as net.Socket).setNoDelay(true));
  const response = new Promise<UpstreamResponse>((resolve, reject) => {
    upstream.on('response', (res) =>
      resolve({ status: res.statusCode ?? 502, headers: endToEndHeaders(res.headers), body: res }),
    );
    upstream.on('error', reject);
  });
  response.catch(() => undefined);
  return { request: upstream, response, abort: () => upstream.destroy() };
}

/** HTTP/2 over cleartext (prior knowledge) to the instance on its shared session. */
export function openH2c(instance: Instance, request: UpstreamRequest): UpstreamExchange {
  const stream = instance.http2Session().request({
    ...request.headers,
    // The one `te` HTTP/2 allows; gRPC servers require it.
    ...(request.trailers && { te: 'trailers' }),
    ':method': request.method,
    ':path': request.path,
    ':authority': request.authority,
    ':scheme': 'http',
  });
  let trailers: OutgoingHttpHeaders | undefined;
  stream.on('trailers', (received) => (trailers = endToEndHeaders(received as IncomingHttpHeaders)));
  const response = new Promise<UpstreamResponse>((resolve, reject) => {
    stream.on('response', (headers) => {
      const status = Number(headers[':status'] ?? 502);
      resolve({
        status,
        headers: endToEndHeaders(headers as IncomingHttpHeaders),
        body: stream,
        trailers: () => trailers,
      });
    });
    stream.on('error', reject);
    stream.on('close', () => reject(new Error(`stream closed with code ${stream.rstCode}`)));
  });
  response.catch(() => undefined);
  return { request: stream, response, abort: () => stream.close(http2.constants.NGHTTP2_CANCEL) };
}

/** Opens a TCP tunnel to the instance and replays the client's upgrade request head on it. */
export function openTunnel(
  host: string,
  instance: Instance,
  head: {
    method: string;
    path: string;
    httpVersion: string;
    rawHeaders: string[];
    extra: Record<string, string>;
  },
): net.Socket {
  const socket = net.connect(instance.port, host);
  socket.setNoDelay(true);
  const lines = [`${head.method} ${head.path} HTTP/${head.httpVersion}`];
  for (let i = 0; i < head.rawHeaders.length; i += 2)
    lines.push(`${head.rawHeaders[i]}: ${head.rawHeaders[i + 1]}`);
  for (const [name, value] of Object.entries(head.extra)) lines.push(`${name}: ${value}`);
  socket.write(`${lines.join('\r\n')}\r\n\r\n`);
  return socket;
}
