#!/usr/bin/env node
// The sample streaming app that stream-deploy ships to Cloud Run (or the local emulator): health, hello,
// SSE on /events and WebSocket on /ws, every response tagged with the revision that served it.
// Run: PORT=8080 node examples/stream-app/server.mjs
import http from 'node:http';
import { serveEvents } from './event-stream.mjs';
import { failsThisOne, readSettings } from './settings.mjs';
import { attachSockets } from './tick-socket.mjs';

const HARD_EXIT_MS = 900;

// Run as a Cloud Run job's task (CLOUD_RUN_JOB is set), the same image is its own migration: it logs,
// works for MIGRATE_MS and exits with MIGRATE_EXIT (a pre-rollout job of a release, docs/jobs.md).
if (process.env.CLOUD_RUN_JOB) {
  const code = Number(process.env.MIGRATE_EXIT ?? 0);
  console.log(
    `stream-app: migration task ${process.env.CLOUD_RUN_TASK_INDEX ?? 0} of ${process.env.CLOUD_RUN_JOB}`,
  );
  await new Promise((resolve) => setTimeout(resolve, Number(process.env.MIGRATE_MS ?? 200)));
  if (code !== 0) console.error(`stream-app: migration failed (exit ${code}): MIGRATE_EXIT is set`);
  process.exit(code);
}

let settings;
try {
  const read = readSettings(process.env);
  settings = read.settings;
  for (const warning of read.warnings) console.error(`stream-app: warning: ${warning}`);
} catch (error) {
  console.error(`stream-app: bad configuration: ${error.message}`);
  process.exit(1);
}
const { faults, revision } = settings;

if (faults.has('crash-on-start')) {
  console.error('stream-app: fault crash-on-start: exiting before listening');
  process.exit(1);
}

/** Closers of open SSE streams and WebSockets, run on shutdown. */
const openStreams = new Set();

const logRequest = (method, path, status) => console.log(`${method} ${path} ${status}`);

/** Set once by the `bad-after` fault: the app has turned bad (a candidate that fails mid-rollout). */
let turnedBad = false;
const isBad = () => turnedBad;
let badTimer;
/** Set once by the `silent-after` fault: every stream stays open and sends nothing more. */
let silent = false;
const isQuiet = () => turnedBad || silent;
const isSilent = () => silent;
let silentTimer;

const server = http.createServer({ noDelay: true }, (req, res) => {
  const url = new URL(req.url ?? '/', 'http://localhost');
  res.setHeader('X-Revision', revision);
  res.on('close', () => logRequest(req.method, url.pathname, res.statusCode));
  if (req.method !== 'GET') return sendJson(res, 405, { error: 'method not allowed' }, { Allow: 'GET' });
  switch (url.pathname) {
    // `/health` is the one to probe on Cloud Run: Google's front end answers `/healthz` itself with a 404
    // before the container sees it (docs/platform.md "Reserved URL paths"). `/healthz` still answers here,
    // the same way, for runs of the app outside Cloud Run.
    case '/health':
    case '/healthz':
      return faults.has('unhealthy') || turnedBad
        ? sendJson(res, 503, { status: 'unhealthy', revision })
        : sendJson(res, 200, { status: 'ok', revision });
    case '/':
      if (failsThisOne(settings)) return sendInjectedError(res);
      return sendJson(res, 200, {
        greeting: settings.greeting,
        service: settings.service,
        revision,
        configuration: settings.configuration,
      });
    case '/events':
      if (turnedBad)
        return sendJson(res, 500, { error: 'the app has turned bad (fault bad-after)', revision });
      if (failsThisOne(settings)) return sendInjectedError(res);
      return serveEvents(req, res, url, settings, openStreams, isQuiet);
    default:
      return sendJson(res, 404, { error: 'not found' });
  }
});
attachSockets(server, settings, openStreams, logRequest, isBad, isSilent);
server.on('error', (error) => {
  console.error(`stream-app: cannot listen on ${settings.host}:${settings.port}: ${error.message}`);
  process.exit(1);
});

let startTimer;
let keepAlive;
// Before anything is said on stderr, so that a line there means a SIGTERM is handled.
process.once('SIGTERM', () => shutdown('SIGTERM'));
process.once('SIGINT', () => shutdown('SIGINT'));
if (faults.has('never-listen')) {
  console.error('stream-app: fault never-listen: staying up without listening');
  keepAlive = setInterval(() => {}, 60_000);
} else if (faults.has('slow-start')) {
  console.error(`stream-app: fault slow-start: listening in ${settings.startDelayMs} ms`);
  startTimer = setTimeout(listen, settings.startDelayMs);
} else {
  listen();
}

function listen() {
  server.listen(settings.port, settings.host, () => {
    console.log(`stream-app ${revision} listening on http://${settings.host}:${settings.port}`);
    if (faults.has('bad-after')) {
      console.error(`stream-app: fault bad-after: turning bad in ${settings.badAfterMs} ms`);
      badTimer = setTimeout(() => {
        turnedBad = true;
        console.error('stream-app: fault bad-after: now bad (health 503, new requests 500, streams stop)');
      }, settings.badAfterMs);
    }
    if (faults.has('silent-after')) {
      console.error(`stream-app: fault silent-after: going silent in ${settings.silentAfterMs} ms`);
      silentTimer = setTimeout(() => {
        silent = true;
        // The moment, for the benchmarks (bench/gate-accuracy.ts): epoch ms, as `sentAt` in the events.
        console.error(
          `stream-app: fault silent-after: silent from ${Date.now()} (streams open, nothing sent)`,
        );
      }, settings.silentAfterMs);
    }
  });
}

// Cloud Run sends SIGTERM and kills the container after a grace period: stop accepting, end every
// stream and socket, and exit 0 well within a second.
function shutdown(signal) {
  console.log(`stream-app: ${signal}: shutting down`);
  clearTimeout(startTimer);
  clearTimeout(badTimer);
  clearTimeout(silentTimer);
  clearInterval(keepAlive);
  if (server.listening) server.close();
  for (const close of [...openStreams]) close();
  setTimeout(() => server.closeIdleConnections(), 0);
  setTimeout(() => process.exit(0), HARD_EXIT_MS).unref();
}

// `error-rate`: the 500 a failing dependency gives one request in so many.
function sendInjectedError(res) {
  sendJson(res, 500, { error: 'internal error (fault error-rate)', revision });
}

function sendJson(res, status, body, headers = {}) {
  res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}
