// The load balancer's front door: one local HTTP/1.1 listener per global forwarding rule (plain http; a
// real load balancer's TLS is out of scope). Each request walks the live configuration the Compute fake
// holds (forwarding rule → target proxy → URL map → backend service → serverless NEG → Cloud Run service
// and tag), passes IAP when the backend service enables it, and is proxied to the router's listener for
// that service or tag URL, streaming both ways; WebSocket upgrades are tunnelled. Cloud CDN's cache fills,
// dynamic compression and route timeouts act on the response as the real ones do (emulator/README.md
// "Load-balancer front door"); the decisions are in front-door-rules.ts.
import http from 'node:http';
import net from 'node:net';
import { brotliCompressSync, gzipSync } from 'node:zlib';
import { randomBytes, randomUUID } from 'node:crypto';
import type { Duplex } from 'node:stream';
import type { IdTokenClaims, ServiceUrls } from '../model';
import { badGateway, ingressBlocked, requestTimedOut, writeRawPage, type ErrorPage } from './error-pages';
import { endToEndHeaders } from './upstream';
import {
  cacheTtlMs,
  cdnSettings,
  checkIap,
  chooseBackend,
  compressibleSize,
  compressionFor,
  negTarget,
  requestHost,
} from './front-door-rules';

type Json = Record<string, unknown>;

/** What the front door reads: the Compute fake's resources, the router's URLs, the ID token check. */
export interface FrontDoorContext {
  host: string;
  /** The project the resources live in (Cloud Run service names are built in it). */
  project: string;
  /** The Compute resource a link names, read anew for every request (so changes apply at once). */
  lookup(link: string): Json | undefined;
  /** The local URLs of a Cloud Run service (full name) as the router serves them now. */
  serviceUrls(service: string): ServiceUrls | undefined;
  verifyIdToken(token: string): IdTokenClaims | undefined;
}

/** A listening front door. */
export interface FrontDoor {
  /** `http://127.0.0.1:PORT`. */
  url: string;
  /** The forwarding rule's self link. */
  forwardingRule: string;
  close(): Promise<void>;
}

/** Where one request goes, or the load balancer's own answer. */
type Route =
  | { page: ErrorPage }
  | { backend: Json; target: string; timeoutMs?: number; identity?: IdTokenClaims; clientIp: string };

interface CachedResponse {
  status: number;
  headers: http.OutgoingHttpHeaders;
  body: Buffer;
  storedAt: number;
  expiresAt: number;
}

/** Opens the front door of `forwardingRule` on an OS-chosen port of `ctx.host`. */
export async function openFrontDoor(ctx: FrontDoorContext, forwardingRule: string): Promise<FrontDoor> {
  const cache = new Map<string, CachedResponse>();
  const server = http.createServer({ requestTimeout: 0, keepAliveTimeout: 5000 });
  const sockets = new Set<Duplex>();
  server.on('connection', (socket: net.Socket) => {
    socket.setNoDelay(true);
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
    const route = resolve(ctx, forwardingRule, req);
    if ('page' in route) return sendPage(res, route.page);
    proxy(route, req, res, cache);
  });
  server.on('upgrade', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    const route = resolve(ctx, forwardingRule, req);
    if ('page' in route) return writeRawPage(socket, route.page);
    tunnel(route, req, socket, head, ctx.host);
  });
  await new Promise<void>((done, reject) => {
    server.once('error', reject);
    server.listen(0, ctx.host, () => done());
  });
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `http://${ctx.host}:${port}`,
    forwardingRule,
    close: () =>
      new Promise<void>((done) => {
        server.close(() => done());
        for (const socket of sockets) socket.destroy();
      }),
  };
}

// Forwarding rule → proxy → URL map → backend service → NEG → service URL, then IAP.
function resolve(ctx: FrontDoorContext, forwardingRule: string, req: http.IncomingMessage): Route {
  const path = req.url ?? '/';
  const missing = { page: ingressBlocked(path) };
  const rule = ctx.lookup(forwardingRule);
  const proxy = rule && ctx.lookup(String(rule.target));
  const urlMap = proxy && ctx.lookup(String(proxy.urlMap));
  if (!urlMap) return missing;
  const host = requestHost(req.headers.host);
  const choice = chooseBackend(urlMap, host, path);
  const backend = choice.service ? ctx.lookup(choice.service) : undefined;
  if (!backend) return missing;
  const clientIp = req.socket.remoteAddress ?? '127.0.0.1';
  let identity: IdTokenClaims | undefined;
  const iap = backend.iap as Json | undefined;
  if (iap?.enabled === true) {
    const verdict = checkIap(
      req.headers,
      iap.oauth2ClientId as string | undefined,
      (token) => ctx.verifyIdToken(token),
      randomBytes(12).toString('base64url'),
    );
    if ('page' in verdict) return verdict;
    identity = verdict.identity;
  }
  // One serverless NEG per region; the emulator's services live in one place, so the first one serves.
  const group = ((backend.backends as Json[] | undefined) ?? [])[0]?.group;
  const neg = typeof group === 'string' ? ctx.lookup(group) : undefined;
  const target = neg && negTarget((neg.cloudRun as Json | undefined) ?? {}, host, path);
  if (!neg || !target) return missing;
  const region = String(neg.region).split('/').at(-1);
  const urls = ctx.serviceUrls(`projects/${ctx.project}/locations/${region}/services/${target.service}`);
  // A NEG pinned to a tag the service no longer has (or to a service that is gone) finds nothing.
  const base = target.tag ? urls?.tagUris[target.tag] : urls?.uri;
  if (!base) return missing;
  return { backend, target: base, timeoutMs: choice.timeoutMs, identity, clientIp };
}

/** The headers the load balancer adds on its way to the backend (and the credentials IAP consumed, dropped). */
function upstreamHeaders(
  route: Extract<Route, { target: string }>,
  req: http.IncomingMessage,
): http.OutgoingHttpHeaders {
  const headers: http.OutgoingHttpHeaders = { ...endToEndHeaders(req.headers) };
  delete headers['proxy-authorization'];
  headers.host = req.headers.host ?? new URL(route.target).host;
  headers['x-forwarded-for'] = route.clientIp;
  headers['x-forwarded-proto'] = 'https';
  headers.via = '1.1 google';
  headers['x-cloud-trace-context'] ??=
    `${randomUUID().replace(/-/g, '')}/${Math.floor(Math.random() * 2 ** 32)};o=1`;
  if (route.identity) {
    const who = route.identity.email ?? route.identity.sub;
    headers['x-goog-authenticated-user-email'] = `accounts.google.com:${who}`;
    headers['x-goog-authenticated-user-id'] = `accounts.google.com:${route.identity.sub}`;
  }
  return headers;
}

function proxy(
  route: Extract<Route, { target: string }>,
  req: http.IncomingMessage,
  res: http.ServerResponse,
  cache: Map<string, CachedResponse>,
): void {
  const method = req.method ?? 'GET';
  const cdn = cdnSettings(route.backend);
  const cacheKey = `${String(route.backend.selfLink)} https://${requestHost(req.headers.host)}${req.url ?? '/'}`;
  const acceptEncoding = req.headers['accept-encoding'] as string | undefined;
  if (cdn && (method === 'GET' || method === 'HEAD')) {
    const hit = cache.get(cacheKey);
    if (hit && hit.expiresAt > Date.now()) {
      req.resume();
      const age = String(Math.floor((Date.now() - hit.storedAt) / 1000));
      return send(res, hit.status, { ...hit.headers, age }, hit.body, route.backend, acceptEncoding, method);
    }
  }
  const upstream = http.request(`${route.target}${req.url ?? '/'}`, {
    method,
    headers: upstreamHeaders(route, req),
    agent: false,
  });
  upstream.on('socket', (socket) => (socket as net.Socket).setNoDelay(true));
  const timers: NodeJS.Timeout[] = [];
  let finished = false;
  const finish = (): void => {
    if (finished) return;
    finished = true;
    timers.forEach(clearTimeout);
    upstream.destroy();
  };
  res.on('close', finish);
  // A route timeout runs from the end of the request until the response is complete; past it the load
  // balancer answers 504 before headers, or cuts the response after them.
  if (route.timeoutMs !== undefined) {
    const start = (): void => {
      timers.push(
        setTimeout(() => {
          if (!res.headersSent) sendPage(res, requestTimedOut());
          else res.destroy();
          finish();
        }, route.timeoutMs),
      );
    };
    if (req.complete) start();
    else req.on('end', start);
  }
  req.on('error', () => {
    res.destroy();
    finish();
  });
  req.pipe(upstream);
  upstream.on('error', (error) => {
    if (finished) return;
    if (!res.headersSent) sendPage(res, badGateway(error.message));
    else res.destroy();
    finish();
  });
  upstream.on('response', (answer) => {
    if (finished) return void answer.destroy();
    const status = answer.statusCode ?? 502;
    const headers: http.OutgoingHttpHeaders = { ...endToEndHeaders(answer.headers), via: '1.1 google' };
    const ttl = cdn ? cacheTtlMs(cdn, method, status, headers) : 0;
    const encoding = compressionFor(route.backend, acceptEncoding, headers);
    answer.on('error', () => res.destroy());
    answer.on('close', () => {
      if (!answer.complete) res.destroy();
    });
    if (ttl === 0 && !encoding) {
      // The ordinary path: headers at once, then every chunk as it comes.
      res.writeHead(status, headers);
      res.flushHeaders();
      answer.pipe(res);
      return;
    }
    // A cache fill, or a dynamically compressed response: held whole until the backend ends it.
    const chunks: Buffer[] = [];
    answer.on('data', (chunk: Buffer) => chunks.push(chunk));
    answer.on('end', () => {
      const body = Buffer.concat(chunks);
      if (ttl > 0) {
        const now = Date.now();
        cache.set(cacheKey, { status, headers, body, storedAt: now, expiresAt: now + ttl });
      }
      send(res, status, headers, body, route.backend, acceptEncoding, method);
    });
  });
}

/** Sends a whole body, compressed when dynamic compression applies and the size is in its window. */
function send(
  res: http.ServerResponse,
  status: number,
  headers: http.OutgoingHttpHeaders,
  body: Buffer,
  backend: Json,
  acceptEncoding: string | undefined,
  method: string,
): void {
  if (res.writableEnded || res.destroyed) return;
  const out: http.OutgoingHttpHeaders = { ...headers };
  delete out['content-length'];
  delete out['transfer-encoding'];
  const encoding = compressionFor(backend, acceptEncoding, headers);
  let payload = body;
  if (encoding && compressibleSize(body.length)) {
    payload = encoding === 'br' ? brotliCompressSync(body) : gzipSync(body);
    out['content-encoding'] = encoding;
    out.vary = 'Accept-Encoding';
    // A compressed cache miss has no Content-Length (cloud.google.com/cdn/docs/dynamic-compression).
    res.writeHead(status, out);
    res.end(method === 'HEAD' ? undefined : payload);
    return;
  }
  out['content-length'] = String(payload.length);
  res.writeHead(status, out);
  res.end(method === 'HEAD' ? undefined : payload);
}

// A WebSocket upgrade: the request head replayed on a TCP connection to the router's listener, then bytes
// both ways. CDN and compression never touch an upgraded connection.
function tunnel(
  route: Extract<Route, { target: string }>,
  req: http.IncomingMessage,
  socket: Duplex,
  head: Buffer,
  host: string,
): void {
  const target = new URL(route.target);
  const upstream = net.connect(Number(target.port), target.hostname || host);
  upstream.setNoDelay(true);
  const added = upstreamHeaders(route, req);
  const skip = new Set(['proxy-authorization', 'x-forwarded-for', 'x-forwarded-proto', 'via']);
  const lines = [`${req.method ?? 'GET'} ${req.url ?? '/'} HTTP/${req.httpVersion}`];
  for (let i = 0; i < req.rawHeaders.length; i += 2)
    if (!skip.has(req.rawHeaders[i].toLowerCase()))
      lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
  for (const name of ['x-forwarded-for', 'x-forwarded-proto', 'via', 'x-goog-authenticated-user-email'])
    if (added[name] !== undefined) lines.push(`${name}: ${String(added[name])}`);
  upstream.write(`${lines.join('\r\n')}\r\n\r\n`);
  if (head.length > 0) upstream.write(head);
  let connected = false;
  upstream.once('connect', () => (connected = true));
  const close = (): void => {
    upstream.destroy();
    socket.destroy();
  };
  upstream.on('error', (error) => {
    if (!connected) writeRawPage(socket, badGateway(error.message));
    else close();
  });
  upstream.on('close', close);
  socket.on('close', close);
  socket.pipe(upstream);
  upstream.pipe(socket);
}

function sendPage(res: http.ServerResponse, page: ErrorPage): void {
  if (res.headersSent || res.writableEnded) return void res.destroy();
  res.writeHead(page.status, {
    ...page.headers,
    'content-type': page.contentType,
    'content-length': Buffer.byteLength(page.body),
    via: '1.1 google',
  });
  res.end(page.body);
}
