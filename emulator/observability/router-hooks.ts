// The router's two observability hooks, kept here so the router stays about routing: a trace per request
// (recorded when it ends) and a lease that reports its instance's in-flight count on take and release.
import type http from 'node:http';
import type http2 from 'node:http2';
import type { Lease } from '../data-plane/revision-pool';
import { RequestTrace, type RequestSink } from './request-log';

/** A trace of one request to `service`, recorded into `sink` when it ends. */
export function traceRequest(
  sink: RequestSink | undefined,
  service: string,
  host: string,
  req: http.IncomingMessage | http2.Http2ServerRequest,
): RequestTrace {
  const authority = String(req.headers.host ?? req.headers[':authority'] ?? host);
  return new RequestTrace(sink, {
    service,
    method: req.method ?? 'GET',
    url: `http://${authority}${req.url ?? '/'}`,
    protocol: `HTTP/${req.httpVersion}`,
    userAgent: req.headers['user-agent'],
    remoteIp: req.socket?.remoteAddress,
  });
}

/** `lease`, reporting its instance's in-flight count to `sink` when taken and when released. */
export function observeLease(
  sink: RequestSink | undefined,
  service: string,
  revision: string,
  lease: Lease,
): Lease {
  if (!sink) return lease;
  const sample = (): void =>
    sink.concurrency({
      service,
      revision,
      instance: lease.instance.id,
      at: Date.now(),
      inFlight: lease.instance.inFlight,
    });
  sample();
  let released = false;
  return {
    instance: lease.instance,
    release: () => {
      lease.release();
      if (!released) sample();
      released = true;
    },
  };
}
