// Plain HTTP for the smoke probes: a GET on its own socket (no pooling, Nagle off) so N probes are N
// sockets and every chunk is seen when it lands, failures as ProbeErrors with the stage they hit, and the
// `http` protocol's one-shot GET.
import http from 'node:http';
import https from 'node:https';
import type { HttpObservation, ProbeError } from '../core/smoke-types';

/** Milliseconds since the probe's common start. */
export type Elapsed = () => number;

/** A GET in flight, with whether its TCP connection was made (to tell `connect` from `response` failures). */
export interface OpenGet {
  request: http.ClientRequest;
  connected(): boolean;
}

// Opens a GET on a fresh socket (`agent: false`): a pooled agent would share sockets between streams.
export function openGet(url: string, headers: Record<string, string>): OpenGet {
  const target = new URL(url);
  const client = target.protocol === 'https:' ? https : http;
  let connected = false;
  const request = client.request(target, { method: 'GET', headers, agent: false });
  request.setNoDelay(true);
  request.once('socket', (socket) => socket.once('connect', () => (connected = true)));
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
