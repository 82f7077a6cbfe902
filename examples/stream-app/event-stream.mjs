// GET /events: a Server-Sent Events stream of numbered ticks, with the misbehaviours a streaming smoke
// test must catch (wrong content type, early close, stall, buffering, turning bad mid-stream).
import zlib from 'node:zlib';
import { endsThisOneEarly, firstEventDelay, MAX_MS, parseInteger } from './settings.mjs';

// Serves one SSE stream; registers a closer in `openStreams` so shutdown can end it. Once `isBad()` is
// true (faults bad-after, silent-after) the stream sends nothing more, events or heartbeats, but stays open.
export function serveEvents(req, res, url, settings, openStreams, isBad = () => false) {
  const interval = readQuery(url, 'interval', settings.tickMs, 1, MAX_MS);
  const count = readQuery(url, 'count', undefined, 1, Number.MAX_SAFE_INTEGER);
  if (interval === null || count === null) {
    res.writeHead(400, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ error: 'interval and count must be positive integers' }));
    return;
  }

  const { faults, revision } = settings;
  const buffered = faults.has('buffer');
  const total = count ?? (buffered ? settings.bufferEvents : undefined);
  let seq = resumeAfter(req.headers['last-event-id']);
  let sent = 0;
  const held = [];
  // `gzip-no-flush`: compression middleware that never flushes, so gzip holds the events until it ends.
  const gzip =
    faults.has('gzip-no-flush') && /\bgzip\b/.test(req.headers['accept-encoding'] ?? '')
      ? zlib.createGzip()
      : undefined;
  const out = gzip ?? res;
  const send = (chunk) => (buffered ? held.push(chunk) : out.write(chunk));

  req.socket.setNoDelay(true);
  res.writeHead(200, {
    'Content-Type': faults.has('wrong-content-type') ? 'text/plain' : 'text/event-stream',
    'Cache-Control': 'no-cache',
    'X-Accel-Buffering': 'no',
    ...(gzip && { 'Content-Encoding': 'gzip' }),
  });
  res.flushHeaders();
  if (gzip) gzip.pipe(res);
  send(`retry: ${settings.retryMs}\n\n`);

  let ticker;
  let heartbeat;
  let firstTimer;
  let earlyEnd;
  const stop = () => {
    clearTimeout(firstTimer);
    clearTimeout(earlyEnd);
    clearInterval(ticker);
    clearInterval(heartbeat);
  };
  const finish = () => {
    stop();
    openStreams.delete(finish);
    if (held.length > 0) out.write(held.splice(0).join(''));
    out.end();
  };
  const tick = () => {
    if (isBad()) return stop();
    const n = seq++;
    const data = JSON.stringify({ seq: n, revision, sentAt: Date.now() });
    send(`id: ${n}\nevent: tick\ndata: ${data}\n\n`);
    sent++;
    if (faults.has('close-after-first-event') || (total !== undefined && sent >= total)) finish();
    else if (faults.has('stall') && sent >= settings.stallAfter) stop();
  };

  openStreams.add(finish);
  res.on('close', () => {
    stop();
    openStreams.delete(finish);
  });
  if (faults.has('stall') && settings.stallAfter === 0) return;
  const beat = () => (isBad() ? stop() : send(': heartbeat\n\n'));
  if (settings.heartbeatMs > 0) heartbeat = setInterval(beat, settings.heartbeatMs);
  // `heartbeat-only`: an event-driven API with nothing to say: a heartbeat right away and every HEARTBEAT_MS.
  if (faults.has('heartbeat-only')) return void beat();
  // `end-early`: this stream is one the app ends (cleanly, as if it were done) long before the client would.
  if (endsThisOneEarly(settings)) earlyEnd = setTimeout(finish, settings.endEarlyMs);
  const delay = firstEventDelay(settings);
  const start = () => {
    ticker = setInterval(tick, interval);
    tick();
  };
  if (delay > 0) firstTimer = setTimeout(start, delay);
  else start();
}

// Next id after the client's Last-Event-ID (WHATWG resumption); a fresh stream starts at 1.
export function resumeAfter(lastEventId) {
  const last = parseInteger(
    typeof lastEventId === 'string' ? lastEventId : '',
    0,
    Number.MAX_SAFE_INTEGER - 1,
  );
  return last === undefined ? 1 : last + 1;
}

// The query value as an integer, `fallback` when absent, null when present but invalid.
function readQuery(url, name, fallback, min, max) {
  const raw = url.searchParams.get(name);
  if (raw === null) return fallback;
  return parseInteger(raw, min, max) ?? null;
}
