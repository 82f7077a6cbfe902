// Minimal real clients for the stream-app tests: an SSE reader over node:http that timestamps what
// arrives, and a recording WebSocket. The product's own WHATWG parser lives in src/; this one only needs
// the fields the sample app writes (id, event, data, retry, comments).
import { EventEmitter } from 'node:events';
import http from 'node:http';
import WebSocket from 'ws';

export interface SseItem {
  kind: 'event' | 'comment' | 'retry';
  id?: string;
  event?: string;
  data?: string;
  /** Comment text or retry value. */
  text?: string;
  /** Epoch ms when the chunk carrying the item's last line arrived. */
  arrivedAt: number;
}

export interface SseStream {
  status: number;
  headers: http.IncomingHttpHeaders;
  items: SseItem[];
  events(): SseItem[];
  ended(): boolean;
  /** Resolves once `done(items)` holds; rejects when the stream ends first or after `deadlineMs`. */
  waitFor(done: (items: SseItem[]) => boolean, deadlineMs?: number): Promise<SseItem[]>;
  /** Resolves when the response ends (server closed it), or rejects after `deadlineMs`. */
  waitForEnd(deadlineMs?: number): Promise<void>;
  close(): void;
}

// GETs `path` with a fresh connection and parses the body as it streams in.
export function openSse(
  port: number,
  path: string,
  headers: Record<string, string> = {},
): Promise<SseStream> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path, headers, agent: false }, (res) => {
      const items: SseItem[] = [];
      const changes = new EventEmitter();
      let ended = false;
      let pending = '';
      let fields: Partial<SseItem> = {};
      const onLine = (line: string, arrivedAt: number) => {
        if (line === '') {
          if (fields.data !== undefined) items.push({ ...fields, kind: 'event', arrivedAt });
          else if (fields.text !== undefined) items.push({ kind: 'retry', text: fields.text, arrivedAt });
          fields = {};
          return;
        }
        if (line.startsWith(':'))
          return void items.push({ kind: 'comment', text: line.slice(1).trim(), arrivedAt });
        const colon = line.indexOf(':');
        const name = colon < 0 ? line : line.slice(0, colon);
        const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
        if (name === 'id' || name === 'event') fields[name] = value;
        else if (name === 'data')
          fields.data = fields.data === undefined ? value : `${fields.data}\n${value}`;
        else if (name === 'retry') fields.text = value;
      };
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        const arrivedAt = Date.now();
        const lines = (pending + chunk).split(/\r\n|\r|\n/);
        pending = lines.pop() ?? '';
        for (const line of lines) onLine(line, arrivedAt);
        changes.emit('change');
      });
      const finish = () => {
        ended = true;
        changes.emit('change');
      };
      res.on('end', finish);
      res.on('close', finish);
      res.on('error', () => undefined);

      const waitFor = (done: (items: SseItem[]) => boolean, deadlineMs = 5000) =>
        new Promise<SseItem[]>((ok, fail) => {
          const check = () => {
            if (done(items)) settle(() => ok(items));
            else if (ended) settle(() => fail(new Error(`stream ended early: ${JSON.stringify(items)}`)));
          };
          const timer = setTimeout(
            () => settle(() => fail(new Error(`no match in ${deadlineMs} ms: ${JSON.stringify(items)}`))),
            deadlineMs,
          );
          const settle = (then: () => void) => {
            clearTimeout(timer);
            changes.off('change', check);
            then();
          };
          changes.on('change', check);
          check();
        });

      resolve({
        status: res.statusCode ?? 0,
        headers: res.headers,
        items,
        events: () => items.filter((item) => item.kind === 'event'),
        ended: () => ended,
        waitFor,
        waitForEnd: async (deadlineMs = 5000) => {
          await waitFor(() => false, deadlineMs).catch((error: Error) => {
            if (!ended) throw error;
          });
        },
        close: () => req.destroy(),
      });
    });
    req.on('error', reject);
  });
}

export interface Message {
  text: string;
  arrivedAt: number;
}

export interface RecordingSocket {
  ws: WebSocket;
  /** The 101 response's headers. */
  upgradeHeaders: http.IncomingHttpHeaders;
  messages: Message[];
  ticks(): Array<{ type: string; seq: number; revision: string; sentAt: number }>;
  waitFor(done: (messages: Message[]) => boolean, deadlineMs?: number): Promise<void>;
  closed: Promise<{ code: number; reason: string }>;
}

// Opens a WebSocket and records every text message with its arrival time.
export function openSocket(port: number, path = '/ws'): Promise<RecordingSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}${path}`);
    const messages: Message[] = [];
    const changes = new EventEmitter();
    let upgradeHeaders: http.IncomingHttpHeaders = {};
    const closed = new Promise<{ code: number; reason: string }>((ok) =>
      ws.once('close', (code, reason) => ok({ code, reason: reason.toString() })),
    );
    ws.on('upgrade', (res) => (upgradeHeaders = res.headers));
    ws.on('message', (data, isBinary) => {
      if (!isBinary) messages.push({ text: data.toString(), arrivedAt: Date.now() });
      changes.emit('change');
    });
    ws.once('error', reject);
    ws.once('open', () =>
      resolve({
        ws,
        upgradeHeaders,
        messages,
        ticks: () =>
          messages
            .filter((m) => m.text.startsWith('{'))
            .map((m) => JSON.parse(m.text) as ReturnType<RecordingSocket['ticks']>[0]),
        waitFor: (done, deadlineMs = 5000) =>
          new Promise<void>((ok, fail) => {
            const check = () => {
              if (!done(messages)) return;
              clearTimeout(timer);
              changes.off('change', check);
              ok();
            };
            const timer = setTimeout(() => {
              changes.off('change', check);
              fail(new Error(`no match in ${deadlineMs} ms: ${JSON.stringify(messages)}`));
            }, deadlineMs);
            changes.on('change', check);
            check();
          }),
        closed,
      }),
    );
  });
}

// The status of a refused WebSocket upgrade (the server's HTTP answer instead of 101).
export function refusedUpgradeStatus(port: number, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}${path}`);
    ws.on('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      ws.terminate();
    });
    ws.on('error', () => undefined);
    ws.on('open', () => {
      ws.terminate();
      reject(new Error(`upgrade to ${path} was accepted`));
    });
  });
}
