// The front end of one service: its URL and tag URLs, each a local listener. A request is checked
// (ingress, invoker IAM), given a revision (tag, affinity cookie or weighted split), given a slot on one
// instance, then proxied without buffering. Live connections are never re-routed, so a traffic change
// steers only new requests (docs/platform.md "Routing changes take time").
import { randomUUID } from 'node:crypto';
import type http from 'node:http';
import http2 from 'node:http2';
import type { Duplex } from 'node:stream';
import type { BadImageMode, Faults } from '../faults';
import type { InvokerCheck, RevisionRuntimeSpec, ServiceRouting, ServiceUrls } from '../model';
import { locationOf } from '../regions';
import {
  badGateway,
  ingressBlocked,
  injectedServerError,
  invokerDenied,
  noInstance,
  requestTimedOut,
  reservedPath,
  revisionUnavailable,
  writeRawPage,
  type ErrorPage,
} from './error-pages';
import { brokenAppAnswer, silencedOnceBad } from './bad-images';
import { openListener, type Listener } from './listener';
import type { Lease, RevisionPool } from './revision-pool';
import { endToEndHeaders, openH2c, openHttp1, openTunnel, type UpstreamRequest } from './upstream';
import type { RequestSink, RequestTrace } from '../observability/request-log';
import { observeLease, traceRequest } from '../observability/router-hooks';

type ClientRequest = http.IncomingMessage | http2.Http2ServerRequest;
type ClientResponse = http.ServerResponse | http2.Http2ServerResponse;

export interface RouterContext {
  host: string;
  faults: Faults;
  invokerCheck: InvokerCheck;
  random: () => number;
  /** The pool of a started revision, if any. */
  pool(service: string, revision: string): RevisionPool | undefined;
  /** Receives every request when it ends, and instance concurrency (the Monitoring and Logging fakes). */
  requests?: RequestSink;
}

/** Which URL a request came in on. */
type Entry = { kind: 'service' } | { kind: 'tag'; tag: string };

/**
 * Paths Google's front end answers itself with a 404 before the container sees them
 * (docs/platform.md "Reserved URL paths"): `/healthz` exactly, `/eventlog`, and everything under `/_ah/`; the query string
 * does not matter. `/healthz/`, `/readyz` and `/health` reach the app.
 */
export function isReservedPath(url: string): boolean {
  const path = url.split('?')[0].split('#')[0];
  return path === '/healthz' || path === '/eventlog' || path.startsWith('/_ah/');
}

type Admission =
  | { page: ErrorPage }
  | { pool: RevisionPool; revision: string; preferredInstance?: number; affinity?: { cookie?: string } };

/** Cookie that pins a client to a revision and instance (template.sessionAffinity, docs/platform.md "Session affinity": best effort). */
export function affinityCookieName(serviceId: string): string {
  return `emulator-affinity-${serviceId}`;
}

export class ServiceRouter {
  private main?: Listener;
  /** The second service URL (the hash form, `SERVICE-HASH-REGION.a.run.app`), routed like the first. */
  private alt?: Listener;
  private readonly tagListeners = new Map<string, Listener>();
  /** A routing change waiting out the routing lag. */
  private pending?: NodeJS.Timeout;

  constructor(
    private readonly ctx: RouterContext,
    private routing: ServiceRouting,
  ) {}

  /** Applies `routing`: keeps the service listener, opens listeners for new tags, closes removed ones. */
  /**
   * Routes by `routing` from now, or `lagMs` from now (docs/platform.md "Traffic": routing changes are not
   * instantaneous): until then new requests follow the previous routing and a new tag's URL answers 404.
   * The URLs exist at once, as Cloud Run reports them with the operation.
   */
  async apply(routing: ServiceRouting, lagMs = 0): Promise<ServiceUrls> {
    clearTimeout(this.pending);
    if (lagMs > 0 && this.main) {
      this.pending = setTimeout(
        () => void this.closeUnwanted(routing).finally(() => (this.routing = routing)),
        lagMs,
      );
      this.pending.unref?.();
    } else {
      this.routing = routing;
      await this.closeUnwanted(routing);
    }
    this.main ??= await this.listen({ kind: 'service' });
    this.alt ??= await this.listen({ kind: 'service' });
    const wanted = new Set(routing.tags.map((t) => t.tag));
    for (const tag of wanted) {
      if (!this.tagListeners.has(tag)) this.tagListeners.set(tag, await this.listen({ kind: 'tag', tag }));
    }
    const tagUris: Record<string, string> = {};
    for (const [tag, listener] of this.tagListeners) tagUris[tag] = this.url(listener);
    return { uri: this.url(this.main), urls: [this.url(this.main), this.url(this.alt)], tagUris };
  }

  /** Closes the listeners of tags that `routing` no longer has. */
  private async closeUnwanted(routing: ServiceRouting): Promise<void> {
    const wanted = new Set(routing.tags.map((t) => t.tag));
    for (const [tag, listener] of this.tagListeners) {
      if (!wanted.has(tag)) {
        this.tagListeners.delete(tag);
        await listener.close();
      }
    }
  }

  /** Closes every listener of the service and drops its open connections. */
  async close(): Promise<void> {
    clearTimeout(this.pending);
    const listeners = [this.main, this.alt, ...this.tagListeners.values()];
    this.main = undefined;
    this.alt = undefined;
    this.tagListeners.clear();
    await Promise.all(listeners.map((listener) => listener?.close()));
  }

  private url(listener: Listener): string {
    return `http://${this.ctx.host}:${listener.port}`;
  }

  private listen(entry: Entry): Promise<Listener> {
    return openListener(
      this.ctx.host,
      (req, res) => void this.handleRequest(entry, req, res),
      (req, socket, head) => void this.handleUpgrade(entry, req, socket, head),
    );
  }

  // Ingress first (a blocked service is invisible: 404), then invoker IAM, then the revision choice.
  private admit(entry: Entry, headers: http.IncomingHttpHeaders, path: string): Admission {
    const routing = this.routing;
    // Every router client counts as outside the VPC, so only INGRESS_TRAFFIC_ALL lets requests in.
    if (routing.ingress !== 'INGRESS_TRAFFIC_ALL') return { page: ingressBlocked(path) };
    const decision = this.ctx.invokerCheck(routing.service, headers.authorization);
    if (!decision.allow) return { page: invokerDenied(decision.status, path, decision.message) };

    let revision: string | undefined;
    let preferredInstance: number | undefined;
    if (entry.kind === 'tag') {
      revision = routing.tags.find((t) => t.tag === entry.tag)?.revision;
      // A tag the routing does not serve yet (routing lag): Google's front end has no such host yet.
      if (!revision) return { page: ingressBlocked(path) };
    } else {
      const sticky = this.stickyTarget(headers.cookie);
      revision = sticky?.revision ?? this.pickRevision();
      preferredInstance = sticky?.instance;
    }
    if (!revision) return { page: revisionUnavailable('(none)') };
    const pool = this.ctx.pool(routing.service, revision);
    if (!pool) return { page: revisionUnavailable(revision) };
    const affinity =
      entry.kind === 'service' && pool.spec.sessionAffinity
        ? { cookie: readCookie(headers.cookie, affinityCookieName(routing.serviceId)) }
        : undefined;
    return { pool, revision, preferredInstance, affinity };
  }

  /** How the revision's image fails in its service's region, if a test turned it bad (fault `badImages`). */
  private badMode(spec: RevisionRuntimeSpec): BadImageMode | undefined {
    return this.ctx.faults.badImage(spec.image, locationOf(spec.service));
  }

  private pickRevision(): string | undefined {
    const targets = this.routing.split.filter((s) => s.percent > 0);
    const point = this.ctx.random() * 100;
    let sum = 0;
    for (const target of targets) {
      sum += target.percent;
      if (point < sum) return target.revision;
    }
    return targets.at(-1)?.revision;
  }

  // The cookie counts only while its revision still has traffic and still asks for affinity.
  private stickyTarget(
    cookieHeader: string | undefined,
  ): { revision: string; instance?: number } | undefined {
    const value = readCookie(cookieHeader, affinityCookieName(this.routing.serviceId));
    if (!value) return undefined;
    const [revision, instance] = value.split('.');
    if (!this.routing.split.some((s) => s.revision === revision && s.percent > 0)) return undefined;
    if (!this.ctx.pool(this.routing.service, revision)?.spec.sessionAffinity) return undefined;
    const id = Number(instance);
    return { revision, instance: Number.isInteger(id) ? id : undefined };
  }

  private async handleRequest(entry: Entry, req: ClientRequest, res: ClientResponse): Promise<void> {
    const path = req.url ?? '/';
    // Every request is recorded when it ends, the front end's own answers included (Cloud Run counts them).
    const trace = traceRequest(this.ctx.requests, this.routing.service, this.ctx.host, req);
    res.on('close', () => res.headersSent && trace.end(res.statusCode));
    const page = (answer: ErrorPage): void => {
      trace.bytes += Buffer.byteLength(answer.body);
      sendPage(res, answer);
    };
    if (isReservedPath(path)) return page(reservedPath(path));
    const admission = this.admit(entry, req.headers, path);
    if ('page' in admission) return page(admission.page);
    trace.revision = admission.revision;
    const rate = this.ctx.faults.settings.serverErrorRate;
    if (rate > 0 && Math.random() < rate) return page(injectedServerError());
    const bad = this.badMode(admission.pool.spec);
    if (bad === 'errors') return page(brokenAppAnswer(admission.revision));
    if (bad === 'stall') return holdUnanswered(res, admission.pool.spec.timeoutSeconds);
    const acquired = await admission.pool.acquire(admission.preferredInstance);
    if ('error' in acquired) {
      return page(acquired.error === 'overloaded' ? noInstance() : revisionUnavailable(admission.revision));
    }
    const lease = observeLease(this.ctx.requests, this.routing.service, admission.revision, acquired.lease);
    if (res.writableEnded || isClosed(res)) return lease.release();
    const cookie = admission.affinity ? this.affinityCookie(admission, lease) : undefined;
    this.proxy(req, res, admission.pool, lease, trace, cookie);
  }

  private affinityCookie(
    admission: Extract<Admission, { pool: RevisionPool }>,
    lease: Lease,
  ): string | undefined {
    const value = `${admission.revision}.${lease.instance.id}`;
    if (admission.affinity?.cookie === value) return undefined;
    return `${affinityCookieName(this.routing.serviceId)}=${value}; Path=/; HttpOnly`;
  }

  private proxy(
    req: ClientRequest,
    res: ClientResponse,
    pool: RevisionPool,
    lease: Lease,
    trace: RequestTrace,
    setCookie?: string,
  ): void {
    const { spec } = pool;
    const settings = this.ctx.faults.settings;
    const request: UpstreamRequest = {
      method: req.method ?? 'GET',
      path: req.url ?? '/',
      authority: String(req.headers.host ?? req.headers[':authority'] ?? `${this.ctx.host}`),
      headers: { ...endToEndHeaders(req.headers), ...forwardingHeaders(req) },
      trailers: /\btrailers\b/i.test(String(req.headers.te ?? '')),
    };
    const exchange =
      spec.portName === 'h2c'
        ? openH2c(lease.instance, request)
        : openHttp1(this.ctx.host, lease.instance, request);

    const timers: NodeJS.Timeout[] = [];
    let finished = false;
    const finish = (): void => {
      if (finished) return;
      finished = true;
      timers.forEach(clearTimeout);
      exchange.abort();
      lease.release();
    };
    res.on('close', finish);
    // The request timeout cuts every request, stream included (docs/platform.md "A stream is one request").
    timers.push(
      setTimeout(() => {
        if (!res.headersSent) {
          const page = requestTimedOut();
          trace.bytes += Buffer.byteLength(page.body);
          sendPage(res, page);
        } else cut(res);
        finish();
      }, spec.timeoutSeconds * 1000),
    );
    if (settings.dropStreamsAfterMs > 0) {
      timers.push(
        setTimeout(() => {
          cut(res);
          finish();
        }, settings.dropStreamsAfterMs),
      );
    }

    req.on('error', () => {
      cut(res);
      finish();
    });
    req.pipe(exchange.request);
    exchange.response.then(
      (upstream) => {
        if (finished) return void upstream.body.destroy();
        const headers = { ...upstream.headers };
        if (setCookie) headers['set-cookie'] = [...toArray(headers['set-cookie']), setCookie];
        res.writeHead(upstream.status, headers);
        (res as http.ServerResponse).flushHeaders?.();
        upstream.body.on('error', () => cut(res));
        upstream.body.on('close', () => {
          if (!upstream.body.readableEnded) cut(res);
        });
        // An image a test turns bad goes silent on the streams it already serves (fault `badImages`).
        const body = upstream.body.pipe(silencedOnceBad(() => this.badMode(spec) !== undefined));
        body.on('data', (chunk: Buffer) => (trace.bytes += chunk.length));
        if (settings.bufferSse && isEventStream(upstream.headers['content-type'])) {
          // A buffering proxy: the client sees nothing until the stream is over.
          const chunks: Buffer[] = [];
          body.on('data', (chunk: Buffer) => chunks.push(chunk));
          body.on('end', () => res.end(Buffer.concat(chunks)));
        } else if (upstream.trailers) {
          // h2c: the body, then the instance's trailers (gRPC's status travels there).
          body.pipe(res as NodeJS.WritableStream, { end: false });
          body.on('end', () => {
            const trailers = upstream.trailers?.();
            if (trailers && Object.keys(trailers).length > 0)
              res.addTrailers(trailers as http.OutgoingHttpHeaders);
            res.end();
          });
        } else {
          body.pipe(res as NodeJS.WritableStream);
        }
      },
      (error: Error) => {
        if (finished) return;
        if (!res.headersSent) {
          const page = badGateway(error.message);
          trace.bytes += Buffer.byteLength(page.body);
          sendPage(res, page);
        } else cut(res);
        finish();
      },
    );
  }

  private async handleUpgrade(
    entry: Entry,
    req: http.IncomingMessage,
    socket: Duplex,
    head: Buffer,
  ): Promise<void> {
    socket.on('error', () => socket.destroy());
    // A WebSocket is one request, recorded when the socket closes: a 101 if the app accepted it.
    const trace = traceRequest(this.ctx.requests, this.routing.service, this.ctx.host, req);
    let status = 0;
    socket.on('close', () => status > 0 && trace.end(status));
    const page = (answer: ErrorPage): void => {
      status = answer.status;
      trace.bytes += Buffer.byteLength(answer.body);
      writeRawPage(socket, answer);
    };
    if (isReservedPath(req.url ?? '/')) return page(reservedPath(req.url ?? '/'));
    const admission = this.admit(entry, req.headers, req.url ?? '/');
    if ('page' in admission) return page(admission.page);
    trace.revision = admission.revision;
    const bad = this.badMode(admission.pool.spec);
    if (bad === 'errors') return page(brokenAppAnswer(admission.revision));
    if (bad === 'stall') {
      // Never answered: the socket waits until the client gives up or the request timeout cuts it.
      const timer = setTimeout(() => socket.destroy(), admission.pool.spec.timeoutSeconds * 1000);
      socket.on('close', () => clearTimeout(timer));
      return;
    }
    if (admission.pool.spec.portName === 'h2c') {
      // End-to-end HTTP/2 and WebSockets do not mix (docs/platform.md "WebSockets advice").
      return page(badGateway('the revision speaks h2c, which cannot carry a WebSocket upgrade'));
    }
    const acquired = await admission.pool.acquire(admission.preferredInstance);
    if ('error' in acquired) {
      return page(acquired.error === 'overloaded' ? noInstance() : revisionUnavailable(admission.revision));
    }
    const lease = observeLease(this.ctx.requests, this.routing.service, admission.revision, acquired.lease);
    if (socket.destroyed) return lease.release();

    const { spec } = admission.pool;
    const upstream = openTunnel(this.ctx.host, lease.instance, {
      method: req.method ?? 'GET',
      path: req.url ?? '/',
      httpVersion: req.httpVersion,
      rawHeaders: req.rawHeaders,
      extra: forwardingHeaders(req),
    });
    if (head.length > 0) upstream.write(head);
    let connected = false;
    const timers: NodeJS.Timeout[] = [];
    let finished = false;
    const finish = (keepClient = false): void => {
      if (finished) return;
      finished = true;
      timers.forEach(clearTimeout);
      upstream.destroy();
      if (!keepClient) socket.destroy();
      lease.release();
    };
    upstream.once('connect', () => (connected = true));
    upstream.on('error', (error) => {
      if (!connected && !finished) {
        page(badGateway(error.message));
        finish(true);
      } else finish();
    });
    upstream.on('close', () => finish());
    socket.on('close', () => finish());
    timers.push(setTimeout(() => finish(), spec.timeoutSeconds * 1000));
    const dropAfter = this.ctx.faults.settings.dropStreamsAfterMs;
    if (dropAfter > 0) timers.push(setTimeout(() => finish(), dropAfter));
    socket.pipe(upstream);
    upstream.on('data', (chunk: Buffer) => {
      // The app's answer to the upgrade: its status line is the request's status (101 when accepted).
      if (status === 0)
        status = Number(/^HTTP\/\d\.\d (\d{3})/.exec(chunk.toString('latin1', 0, 16))?.[1] ?? 0);
      trace.bytes += chunk.length;
    });
    upstream.pipe(silencedOnceBad(() => this.badMode(spec) !== undefined)).pipe(socket);
  }
}

function forwardingHeaders(req: ClientRequest): Record<string, string> {
  const headers: Record<string, string> = {
    'x-forwarded-for': req.socket?.remoteAddress ?? '127.0.0.1',
    'x-forwarded-proto': 'http',
  };
  if (!req.headers['x-cloud-trace-context']) {
    // A trace id (32 hex digits) and a span id, as the front end adds; randomUUID draws from a cached pool.
    headers['x-cloud-trace-context'] =
      `${randomUUID().replace(/-/g, '')}/${Math.floor(Math.random() * 2 ** 32)};o=1`;
  }
  return headers;
}

function sendPage(res: ClientResponse, page: ErrorPage): void {
  if (res.headersSent || res.writableEnded) return cut(res);
  res.writeHead(page.status, {
    ...page.headers,
    'content-type': page.contentType,
    'content-length': Buffer.byteLength(page.body),
  });
  res.end(page.body);
}

// A request an image turned bad (`stall`) never answers: it waits until the client gives up, or until
// the request timeout, when the front end answers 504 as it does for any app that sends nothing.
function holdUnanswered(res: ClientResponse, timeoutSeconds: number): void {
  const timer = setTimeout(() => sendPage(res, requestTimedOut()), timeoutSeconds * 1000);
  res.on('close', () => clearTimeout(timer));
}

// Drops the client connection mid-response: HTTP/1.1 loses its socket, HTTP/2 its stream.
function cut(res: ClientResponse): void {
  if ('stream' in res && res.stream) {
    if (!res.stream.destroyed) res.stream.close(http2.constants.NGHTTP2_INTERNAL_ERROR);
    return;
  }
  (res as http.ServerResponse).destroy();
}

function isClosed(res: ClientResponse): boolean {
  if ('stream' in res && res.stream) return res.stream.destroyed;
  return (res as http.ServerResponse).socket?.destroyed ?? true;
}

function isEventStream(contentType: unknown): boolean {
  return typeof contentType === 'string' && contentType.toLowerCase().startsWith('text/event-stream');
}

function toArray(value: unknown): string[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value.map(String) : [String(value)];
}

function readCookie(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}
