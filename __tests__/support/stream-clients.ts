// Small real streaming clients for tests: read the first SSE events through a URL, and talk to a
// WebSocket. The product's own probes (with WHATWG parsing and verdicts) live in src/ later.
import WebSocket from 'ws';

export interface SseEvent {
  id?: string;
  event?: string;
  data: string;
}

/** Reads `count` SSE events from `url` and closes; rejects on a non-200 answer or after `timeoutMs`. */
export async function readSse(
  url: string,
  count: number,
  headers: Record<string, string> = {},
  timeoutMs = 10_000,
): Promise<{ status: number; contentType: string | null; events: SseEvent[] }> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  try {
    const res = await fetch(url, {
      headers: { accept: 'text/event-stream', ...headers },
      signal: controller.signal,
    });
    const contentType = res.headers.get('content-type');
    if (res.status !== 200 || !res.body) {
      await res.body?.cancel();
      return { status: res.status, contentType, events: [] };
    }
    const events: SseEvent[] = [];
    const decoder = new TextDecoder();
    let buffer = '';
    const reader = res.body.getReader();
    while (events.length < count) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true });
      let idx: number;
      while ((idx = buffer.search(/\r?\n\r?\n/)) >= 0) {
        const block = buffer.slice(0, idx);
        buffer = buffer.slice(idx).replace(/^\r?\n\r?\n/, '');
        const ev: SseEvent = { data: '' };
        const data: string[] = [];
        for (const line of block.split(/\r?\n/)) {
          if (line.startsWith(':') || line === '') continue;
          const [field, ...rest] = line.split(':');
          const v = rest.join(':').replace(/^ /, '');
          if (field === 'data') data.push(v);
          else if (field === 'id') ev.id = v;
          else if (field === 'event') ev.event = v;
        }
        if (data.length > 0) {
          ev.data = data.join('\n');
          events.push(ev);
        }
      }
    }
    await reader.cancel().catch(() => undefined);
    // One read can carry more events than asked for (a busy machine batches them): exactly `count`.
    return { status: 200, contentType, events: events.slice(0, count) };
  } finally {
    clearTimeout(timer);
  }
}

/** Opens a WebSocket, sends `send`, and resolves with the echo and the first tick's revision. */
export function wsEchoAndTick(
  url: string,
  send: string,
  headers: Record<string, string> = {},
): Promise<{ echo: string; tickRevision: string }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    let echo: string | undefined;
    let tickRevision: string | undefined;
    const timer = setTimeout(() => {
      ws.terminate();
      reject(new Error(`WebSocket ${url}: no echo and tick within 10 s`));
    }, 10_000);
    ws.on('open', () => ws.send(send));
    ws.on('message', (raw) => {
      const text = raw.toString();
      if (text.startsWith('echo:')) echo = text;
      else {
        try {
          const msg = JSON.parse(text) as { type?: string; revision?: string };
          if (msg.type === 'tick') tickRevision = msg.revision;
        } catch {
          /* not a tick */
        }
      }
      if (echo !== undefined && tickRevision !== undefined) {
        clearTimeout(timer);
        ws.close(1000);
        resolve({ echo, tickRevision });
      }
    });
    ws.on('unexpected-response', (_req, res) => {
      clearTimeout(timer);
      reject(new Error(`WebSocket ${url}: HTTP ${res.statusCode}`));
    });
    ws.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}
