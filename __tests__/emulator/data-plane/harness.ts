// Shared pieces of the data-plane tests: a catalogue pointing at the fixture app, revision specs, and
// real clients (http for SSE so a stream can be held open and observed, ws for WebSockets).
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import type { ImageCatalogue } from '../../../emulator/data-plane/image-catalogue';
import type { InvokerCheck, RevisionRuntimeSpec, ServiceRouting } from '../../../emulator/model';

export const FIXTURE_IMAGE = 'fixture.local/streams/app';
export const SERVICE = 'projects/p/locations/us-central1/services/api';

export const fixtureCatalogue: ImageCatalogue = {
  root: path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures'),
  repositories: {
    [FIXTURE_IMAGE]: {
      entrypoint: ['node'],
      args: ['stream-server.mjs'],
      tags: {
        latest: {},
        v1: { env: { GREETING: 'v1' }, digest: `sha256:${'a'.repeat(64)}` },
        v2: { env: { GREETING: 'v2' } },
        crash: { env: { STREAM_APP_FAULT: 'crash-on-start' } },
        'never-listen': { env: { STREAM_APP_FAULT: 'never-listen' } },
        slow: { env: { STREAM_APP_FAULT: 'slow-start', STREAM_APP_START_DELAY_MS: '400' } },
        h2c: { env: { FIXTURE_H2C: '1' } },
      },
    },
  },
};

export const allowAll: InvokerCheck = () => ({ allow: true });

/** A runnable spec for revision `revision` of the test service; fields override the defaults. */
export function spec(revision: string, overrides: Partial<RevisionRuntimeSpec> = {}): RevisionRuntimeSpec {
  return {
    service: SERVICE,
    serviceId: 'api',
    revision,
    image: `${FIXTURE_IMAGE}:v1`,
    env: { TICK_MS: '40' },
    containerPort: 8080,
    portName: 'http1',
    timeoutSeconds: 30,
    concurrency: 80,
    minInstances: 0,
    maxInstances: 10,
    sessionAffinity: false,
    startupDeadlineMs: 5000,
    ...overrides,
  };
}

export function routing(overrides: Partial<ServiceRouting>): ServiceRouting {
  return {
    service: SERVICE,
    serviceId: 'api',
    ingress: 'INGRESS_TRAFFIC_ALL',
    split: [],
    tags: [],
    ...overrides,
  };
}

export interface SseData {
  seq: number;
  revision: string;
  service: string;
  configuration: string;
  greeting?: string;
}

/** An SSE stream held open: parsed `data:` payloads arrive in `events` as they come. */
export interface SseStream {
  status: number;
  headers: http.IncomingHttpHeaders;
  events: SseData[];
  /** Resolves once `count` events have arrived; rejects if the stream ends or breaks first. */
  waitFor(count: number): Promise<SseData[]>;
  /** Resolves when the stream is over: `ended` true for a clean end, false when the connection was cut. */
  done: Promise<{ ended: boolean }>;
  close(): void;
}

/** Opens GET `url` and parses it as SSE; resolves once response headers are in. */
export function openSse(url: string, headers: Record<string, string> = {}): Promise<SseStream> {
  return new Promise((resolve, reject) => {
    const req = http.get(
      url,
      { headers: { accept: 'text/event-stream', ...headers }, agent: false },
      (res) => {
        const events: SseData[] = [];
        const watchers: Array<() => void> = [];
        let buffer = '';
        let over = false;
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          buffer += chunk;
          let end: number;
          while ((end = buffer.indexOf('\n\n')) >= 0) {
            const block = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            const data = block
              .split('\n')
              .filter((line) => line.startsWith('data:'))
              .map((line) => line.slice(5).trim())
              .join('\n');
            if (data) {
              try {
                events.push(JSON.parse(data) as SseData);
              } catch {
                // Non-JSON payloads are not ours to check here.
              }
            }
          }
          watchers.forEach((w) => w());
        });
        const done = new Promise<{ ended: boolean }>((settle) => {
          res.on('end', () => settle({ ended: true }));
          res.on('error', () => settle({ ended: false }));
          res.on('close', () => settle({ ended: res.complete }));
        }).finally(() => {
          over = true;
          watchers.forEach((w) => w());
        });
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          events,
          done,
          close: () => req.destroy(),
          waitFor: (count) =>
            new Promise((ok, fail) => {
              const check = (): void => {
                if (events.length >= count) ok(events.slice(0, count));
                else if (over) fail(new Error(`stream ended after ${events.length} of ${count} events`));
                else return;
                watchers.splice(watchers.indexOf(check), 1);
              };
              watchers.push(check);
              check();
            }),
        });
      },
    );
    req.on('error', reject);
  });
}

/** Reads `count` events from a fresh stream and closes it. */
export async function readEvents(
  url: string,
  count: number,
  headers?: Record<string, string>,
): Promise<SseData[]> {
  const stream = await openSse(`${url}/events`, headers);
  try {
    if (stream.status !== 200) throw new Error(`status ${stream.status}`);
    return await stream.waitFor(count);
  } finally {
    stream.close();
  }
}

/** A connected WebSocket client that records every message. */
export async function openSocket(
  url: string,
): Promise<{ ws: WebSocket; messages: string[]; next: (match: (m: string) => boolean) => Promise<string> }> {
  const ws = new WebSocket(url.replace(/^http/, 'ws'));
  const messages: string[] = [];
  const watchers: Array<() => void> = [];
  ws.on('message', (data) => {
    messages.push(String(data));
    watchers.forEach((w) => w());
  });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
    ws.once('unexpected-response', (_req, res) => reject(new Error(`status ${res.statusCode}`)));
  });
  const next = (match: (m: string) => boolean): Promise<string> =>
    new Promise((resolve, reject) => {
      const check = (): void => {
        const found = messages.find(match);
        if (found !== undefined) {
          watchers.splice(watchers.indexOf(check), 1);
          resolve(found);
        }
      };
      watchers.push(check);
      ws.once('close', () => reject(new Error('socket closed')));
      check();
    });
  return { ws, messages, next };
}

/** True while a process with this pid exists. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Polls `condition` every 20 ms until it holds; rejects after `ms`. */
export async function waitUntil(condition: () => boolean, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
