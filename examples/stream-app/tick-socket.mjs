// /ws: a WebSocket that echoes text and pushes numbered ticks, on the same port as HTTP (Cloud Run gives
// a container one port). Serve it over HTTP/1.1: docs/platform.md "WebSockets advice".
import { endsThisOneEarly, failsThisOne, firstEventDelay, MAX_MS, parseInteger } from './settings.mjs';

const REASONS = { 400: 'Bad Request', 404: 'Not Found', 500: 'Internal Server Error' };

// Takes over `server`'s upgrade requests: /ws becomes a tick-and-echo socket, any other path gets 404;
// once `isBad()` is true (fault bad-after) every upgrade is refused with 500, and so is a share of them
// with the fault error-rate. Once `isSilent()` is true (fault silent-after) sockets stay open, silent.
export function attachSockets(
  server,
  settings,
  openStreams,
  logRequest,
  isBad = () => false,
  isSilent = () => false,
) {
  // `ws` loads on the first upgrade, not at start: importing it costs about 0.2 s of CPU, more than the
  // rest of the app's start, and most instances never see a WebSocket.
  let loading;
  const sockets = () =>
    (loading ??= import('ws').then(({ WebSocketServer }) => {
      const wss = new WebSocketServer({ noServer: true, autoPong: true, clientTracking: false });
      wss.on('headers', (headers) => headers.push(`X-Revision: ${settings.revision}`));
      return wss;
    }));

  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const raw = url.searchParams.get('interval');
    const interval = raw === null ? settings.tickMs : parseInteger(raw, 1, MAX_MS);
    const refusal =
      url.pathname !== '/ws'
        ? 404
        : interval === undefined
          ? 400
          : isBad() || failsThisOne(settings)
            ? 500
            : 0;
    if (refusal !== 0) {
      socket.end(
        `HTTP/1.1 ${refusal} ${REASONS[refusal]}\r\n` +
          `X-Revision: ${settings.revision}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`,
      );
      logRequest(req.method, url.pathname, refusal);
      return;
    }
    sockets().then(
      (wss) =>
        wss.handleUpgrade(req, socket, head, (ws) => {
          logRequest(req.method, url.pathname, 101);
          serveSocket(ws, interval, settings, openStreams, isSilent);
        }),
      () => socket.destroy(),
    );
  });
}

function serveSocket(ws, interval, settings, openStreams, isSilent) {
  let seq = 1;
  let ticker;
  const tick = () => {
    if (isSilent()) return;
    const message = { type: 'tick', seq: seq++, revision: settings.revision, sentAt: Date.now() };
    ws.send(JSON.stringify(message));
  };
  const start = () => {
    ticker = setInterval(tick, interval);
    tick();
  };
  const delay = firstEventDelay(settings);
  const firstTimer = delay > 0 ? setTimeout(start, delay) : undefined;
  // `end-early`: this socket is one the app closes (1011) long before the client would.
  const earlyEnd = endsThisOneEarly(settings)
    ? setTimeout(() => ws.close(1011, 'ended early'), settings.endEarlyMs)
    : undefined;
  const closer = () => ws.close(1001, 'server shutting down');
  openStreams.add(closer);
  ws.on('close', () => {
    clearTimeout(firstTimer);
    clearTimeout(earlyEnd);
    clearInterval(ticker);
    openStreams.delete(closer);
  });
  ws.on('error', () => ws.terminate());
  ws.on('message', (data, isBinary) => {
    if (isBinary) return;
    const text = data.toString();
    if (text === 'close') ws.close(1000, 'bye');
    else if (!settings.faults.has('ws-no-echo') && !isSilent()) ws.send(`echo:${text}`);
  });
  if (delay === 0) start();
}
