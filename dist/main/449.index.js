"use strict";
exports.id = 449;
exports.ids = [449];
exports.modules = {

/***/ 92449:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  createSmokeProbe: () => (/* binding */ createSmokeProbe)
});

// UNUSED EXPORTS: joinUrl

// EXTERNAL MODULE: external "node:perf_hooks"
var external_node_perf_hooks_ = __webpack_require__(643);
// EXTERNAL MODULE: ./src/core/smoke-verdict.ts
var smoke_verdict = __webpack_require__(28198);
// EXTERNAL MODULE: external "node:http"
var external_node_http_ = __webpack_require__(37067);
var external_node_http_default = /*#__PURE__*/__webpack_require__.n(external_node_http_);
// EXTERNAL MODULE: external "node:https"
var external_node_https_ = __webpack_require__(44708);
var external_node_https_default = /*#__PURE__*/__webpack_require__.n(external_node_https_);
;// CONCATENATED MODULE: ./src/adapters/http-probe.ts
// Plain HTTP for the smoke probes: a GET on its own socket (no pooling, Nagle off) so N probes are N
// sockets and every chunk is seen when it lands, failures as ProbeErrors with the stage they hit, and the
// `http` protocol's one-shot GET.


// Opens a GET on a fresh socket (`agent: false`): a pooled agent would share sockets between streams.
function openGet(url, headers) {
    const target = new URL(url);
    const client = target.protocol === 'https:' ? (external_node_https_default()) : (external_node_http_default());
    let connected = false;
    const request = client.request(target, { method: 'GET', headers, agent: false });
    request.setNoDelay(true);
    request.once('socket', (socket) => socket.once('connect', () => (connected = true)));
    request.end();
    return { request, connected: () => connected };
}
// A Node error as a ProbeError; `stage` says where the exchange was when it failed.
function toProbeError(error, stage) {
    const err = error;
    const message = err instanceof Error ? err.message : String(error);
    return typeof err?.code === 'string' ? { stage, message, code: err.code } : { stage, message };
}
// The ProbeError for a deadline that passed before the named stage completed.
function timeoutError(stage, what, ms) {
    return { stage, message: `${what} within ${Math.round(ms)} ms`, code: 'ETIMEDOUT' };
}
/** Body bytes are counted, never kept: the `http` protocol judges status, type and that a body came. */
function probeHttp(url, options) {
    return new Promise((resolve) => {
        const obs = { url, bodyBytes: 0 };
        const get = openGet(url, options.headers);
        let done = false;
        const finish = (error) => {
            if (done)
                return;
            done = true;
            clearTimeout(timer);
            if (error)
                obs.error = error;
            get.request.destroy();
            resolve(obs);
        };
        const timer = setTimeout(() => {
            const stage = obs.status !== undefined ? 'stream' : get.connected() ? 'response' : 'connect';
            finish(timeoutError(stage, obs.status !== undefined ? 'body not complete' : 'no response', options.timeoutMs));
        }, options.timeoutMs);
        get.request.on('error', (error) => finish(toProbeError(error, obs.status !== undefined ? 'stream' : get.connected() ? 'response' : 'connect')));
        get.request.on('response', (res) => {
            obs.headersMs = options.elapsed();
            obs.status = res.statusCode;
            const type = res.headers['content-type'];
            if (type !== undefined)
                obs.contentType = type;
            res.on('data', (chunk) => (obs.bodyBytes += chunk.length));
            res.on('end', () => finish());
            res.on('error', (error) => finish(toProbeError(error, 'stream')));
        });
    });
}

;// CONCATENATED MODULE: ./src/adapters/health-probe.ts

/** Always makes at least one attempt; stops at the first 2xx. */
async function probeHealth(url, options) {
    const { elapsed } = options;
    const deadline = elapsed() + options.timeoutMs;
    const maxBackoff = options.maxBackoffMs ?? 2000;
    let backoff = options.initialBackoffMs ?? 250;
    const attempts = [];
    for (;;) {
        const left = deadline - elapsed();
        const attempt = await attemptHealth(url, options.headers, Math.max(1, Math.min(options.attemptTimeoutMs ?? 5000, left)), elapsed);
        attempts.push(attempt);
        if (attempt.status !== undefined && attempt.status >= 200 && attempt.status < 300)
            break;
        const pause = Math.min(backoff, deadline - elapsed());
        if (pause <= 0)
            break;
        await new Promise((resolve) => setTimeout(resolve, pause));
        backoff = Math.min(backoff * 2, maxBackoff);
    }
    return { url, attempts };
}
// One GET: resolves with the status as soon as headers arrive; the small body is drained, then closed.
function attemptHealth(url, headers, timeoutMs, elapsed) {
    return new Promise((resolve) => {
        const atMs = elapsed();
        const get = openGet(url, headers);
        let answered = false;
        const settle = (attempt) => {
            if (answered)
                return;
            answered = true;
            resolve(attempt);
        };
        // Also bounds the body: a health path that streams forever must not keep its socket open.
        const timer = setTimeout(() => {
            settle({ atMs, error: timeoutError(get.connected() ? 'response' : 'connect', 'no answer', timeoutMs) });
            get.request.destroy();
        }, timeoutMs);
        get.request.on('error', (error) => {
            clearTimeout(timer);
            settle({ atMs, error: toProbeError(error, get.connected() ? 'response' : 'connect') });
        });
        get.request.on('response', (res) => {
            settle({ atMs, status: res.statusCode });
            res.on('error', () => undefined);
            res.on('end', () => clearTimeout(timer));
            res.resume();
        });
    });
}

;// CONCATENATED MODULE: ./src/core/sse-parser.ts
// An incremental parser for `text/event-stream`, following the WHATWG HTML rules for interpreting an
// event stream (html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation).
// It takes text already decoded from UTF-8 (the caller uses TextDecoder with `stream: true`) in chunks
// of any size and returns what each chunk completed. Pure: no I/O, no clock.
const BOM = '\uFEFF';
const LF = '\n';
const CR = '\r';
/** Characters kept of one line or one event's data (1 MiB): beyond that a probe keeps only the start. */
const MAX_TEXT = 1 << 20;
/** Creates a parser holding the per-stream state: partial line, data/event-type buffers, last event ID. */
function createSseParser() {
    let started = false;
    let ended = false;
    let partialLine = '';
    // A CR ended the previous chunk: an LF at the start of the next chunk belongs to the same line end.
    let skipLeadingLf = false;
    let dataBuffer = '';
    let eventTypeBuffer = '';
    let lastEventId = '';
    function dispatch(out) {
        // Spec: an empty data buffer resets the buffers without dispatching; the last event ID still stands.
        if (dataBuffer === '') {
            eventTypeBuffer = '';
            return;
        }
        const data = dataBuffer.endsWith(LF) ? dataBuffer.slice(0, -1) : dataBuffer;
        const item = {
            kind: 'event',
            event: eventTypeBuffer === '' ? 'message' : eventTypeBuffer,
            data,
        };
        if (lastEventId !== '')
            item.id = lastEventId;
        out.push(item);
        dataBuffer = '';
        eventTypeBuffer = '';
    }
    function processLine(line, out) {
        if (line === '') {
            dispatch(out);
            return;
        }
        if (line.startsWith(':')) {
            const text = line.slice(1);
            out.push({ kind: 'comment', text: text.startsWith(' ') ? text.slice(1) : text });
            return;
        }
        const colon = line.indexOf(':');
        let field = line;
        let value = '';
        if (colon >= 0) {
            field = line.slice(0, colon);
            value = line.slice(colon + 1);
            if (value.startsWith(' '))
                value = value.slice(1);
        }
        switch (field) {
            case 'event':
                eventTypeBuffer = value;
                break;
            case 'data':
                if (dataBuffer.length < MAX_TEXT)
                    dataBuffer = (dataBuffer + value + LF).slice(0, MAX_TEXT);
                break;
            case 'id':
                if (!value.includes('\u0000'))
                    lastEventId = value;
                break;
            case 'retry':
                if (/^[0-9]+$/.test(value))
                    out.push({ kind: 'retry', ms: Number.parseInt(value, 10) });
                break;
            default:
                // Unknown fields are ignored.
                break;
        }
    }
    return {
        push(chunk) {
            const out = [];
            if (ended || chunk === '')
                return out;
            let text = chunk;
            if (!started) {
                started = true;
                if (text.startsWith(BOM))
                    text = text.slice(1);
            }
            let pos = 0;
            if (skipLeadingLf) {
                skipLeadingLf = false;
                if (text.startsWith(LF))
                    pos = 1;
            }
            while (pos < text.length) {
                const cr = text.indexOf(CR, pos);
                const lf = text.indexOf(LF, pos);
                const eol = cr < 0 ? lf : lf < 0 ? cr : Math.min(cr, lf);
                if (eol < 0) {
                    // A probe must survive a server that never ends a line: keep at most MAX_TEXT characters of it.
                    partialLine = (partialLine + text.slice(pos)).slice(0, MAX_TEXT);
                    break;
                }
                const line = partialLine + text.slice(pos, eol);
                partialLine = '';
                pos = eol + 1;
                if (text[eol] === CR) {
                    if (pos < text.length) {
                        if (text[pos] === LF)
                            pos += 1;
                    }
                    else {
                        skipLeadingLf = true;
                    }
                }
                processLine(line, out);
            }
            return out;
        },
        end() {
            ended = true;
            partialLine = '';
            dataBuffer = '';
            eventTypeBuffer = '';
            return [];
        },
    };
}

;// CONCATENATED MODULE: ./src/adapters/sse-probe.ts


/** Per connection, at most this many events, chunks and comments are kept (1000 streams in one process). */
const MAX_STORED_ITEMS = 10_000;
/** Event data and comments longer than this are cut when stored. */
const MAX_STORED_TEXT = 4096;
const SSE_HEADERS = { Accept: 'text/event-stream', 'Cache-Control': 'no-cache' };
/** Resolves when the watch ends, the server ends the stream, or the exchange fails; never rejects. */
function watchSse(url, options) {
    const { elapsed } = options;
    return new Promise((resolve) => {
        const obs = {
            url,
            startMs: elapsed(),
            chunks: [],
            events: [],
            comments: [],
            stoppedMs: 0,
            eventsNotStored: 0,
        };
        const get = openGet(url, { ...SSE_HEADERS, ...options.headers });
        let seenEvent = false;
        let overtime = false;
        let done = false;
        let timer;
        const stage = () => obs.status !== undefined ? 'stream' : get.connected() ? 'response' : 'connect';
        const finish = (error) => {
            if (done)
                return;
            done = true;
            clearTimeout(timer);
            obs.stoppedMs = elapsed();
            if (error)
                obs.error = error;
            get.request.destroy();
            resolve(obs);
        };
        const stop = () => {
            if (obs.status === undefined) {
                finish(timeoutError(stage(), 'no response headers', elapsed() - obs.startMs));
            }
            else
                finish();
        };
        // The watch ends at durationMs, or later at firstEventTimeoutMs while no event has come.
        timer = setTimeout(() => {
            const more = options.firstEventTimeoutMs - options.durationMs;
            if (!seenEvent && more > 0) {
                overtime = true;
                timer = setTimeout(stop, more);
            }
            else
                stop();
        }, options.durationMs);
        const record = (items, atMs) => {
            for (const item of items) {
                if (item.kind === 'event') {
                    seenEvent = true;
                    if (item.id !== undefined)
                        obs.lastEventId = item.id;
                    if (obs.events.length >= MAX_STORED_ITEMS) {
                        obs.eventsNotStored++;
                        continue;
                    }
                    const event = { atMs, event: item.event, data: clip(item.data) };
                    if (item.id !== undefined)
                        event.id = item.id;
                    obs.events.push(event);
                }
                else if (item.kind === 'comment') {
                    if (obs.comments.length < MAX_STORED_ITEMS)
                        obs.comments.push({ atMs, text: clip(item.text) });
                }
                else {
                    obs.retryMs = item.ms;
                }
            }
        };
        get.request.on('error', (error) => finish(toProbeError(error, stage())));
        get.request.on('response', (res) => {
            obs.headersMs = elapsed();
            obs.status = res.statusCode;
            const type = res.headers['content-type'];
            if (type !== undefined)
                obs.contentType = type;
            if (res.statusCode !== 200)
                return finish();
            res.socket?.setNoDelay(true);
            // A wrong Content-Type is judged, not refused: the body is still read and parsed.
            const decoder = new TextDecoder('utf-8');
            const parser = createSseParser();
            res.on('data', (chunk) => {
                const atMs = elapsed();
                if (obs.chunks.length < MAX_STORED_ITEMS)
                    obs.chunks.push({ atMs, bytes: chunk.length });
                record(parser.push(decoder.decode(chunk, { stream: true })), atMs);
                // Past the duration only to wait for a first event: it came, so the watch is over.
                if (overtime && seenEvent)
                    finish();
            });
            res.on('end', () => {
                const atMs = elapsed();
                record([...parser.push(decoder.decode()), ...parser.end()], atMs);
                obs.endedMs = atMs;
                finish();
            });
            // Cut mid-stream (reset, proxy drop): the stream ended early, and the error says how.
            res.on('error', (error) => {
                if (done)
                    return;
                obs.endedMs = elapsed();
                finish(toProbeError(error, 'stream'));
            });
            res.on('close', () => {
                if (done || res.complete)
                    return;
                obs.endedMs = elapsed();
                finish({ stage: 'stream', message: 'connection closed before the stream ended', code: 'ECONNRESET' });
            });
        });
    });
}
/** Reconnects with `Last-Event-ID` and records the first event that comes back (WHATWG resumption). */
function reconnectSse(url, lastEventId, options) {
    const { elapsed } = options;
    return new Promise((resolve) => {
        const obs = { lastEventId };
        const started = elapsed();
        const get = openGet(url, { ...SSE_HEADERS, ...options.headers, 'Last-Event-ID': lastEventId });
        let done = false;
        const finish = (error) => {
            if (done)
                return;
            done = true;
            clearTimeout(timer);
            if (error)
                obs.error = error;
            get.request.destroy();
            resolve(obs);
        };
        const timer = setTimeout(() => {
            if (obs.status === undefined) {
                finish(timeoutError(get.connected() ? 'response' : 'connect', 'no response headers', elapsed() - started));
            }
            else
                finish();
        }, options.timeoutMs);
        get.request.on('error', (error) => finish(toProbeError(error, obs.status !== undefined ? 'stream' : get.connected() ? 'response' : 'connect')));
        get.request.on('response', (res) => {
            obs.status = res.statusCode;
            if (res.statusCode !== 200)
                return finish();
            const decoder = new TextDecoder('utf-8');
            const parser = createSseParser();
            res.on('data', (chunk) => {
                const atMs = elapsed();
                const first = parser
                    .push(decoder.decode(chunk, { stream: true }))
                    .find((item) => item.kind === 'event');
                if (first?.kind !== 'event')
                    return;
                if (first.id !== undefined)
                    obs.firstEventId = first.id;
                obs.firstEventData = clip(first.data);
                obs.firstEventMs = atMs;
                finish();
            });
            res.on('end', () => finish());
            res.on('error', (error) => finish(toProbeError(error, 'stream')));
        });
    });
}
function clip(text) {
    return text.length > MAX_STORED_TEXT ? text.slice(0, MAX_STORED_TEXT) : text;
}

// EXTERNAL MODULE: ./node_modules/ws/wrapper.mjs
var wrapper = __webpack_require__(52977);
;// CONCATENATED MODULE: ./src/adapters/websocket-probe.ts
// The WebSocket probe: one socket through the `ws` client, watched for the smoke duration: the upgrade's
// status, every message, the optional message sent once open, pings and pongs, and how the socket closed
// (our close(1000) answered by the server's close frame, or a close by the server or the network).


/** Per connection, at most this many messages are kept. */
const MAX_STORED_MESSAGES = 10_000;
/** Messages longer than this are cut when stored. */
const websocket_probe_MAX_STORED_TEXT = 4096;
/** The service URL with its scheme switched to ws/wss (http -> ws, https -> wss). */
function toWebSocketUrl(url) {
    const target = new URL(url);
    if (target.protocol === 'http:')
        target.protocol = 'ws:';
    else if (target.protocol === 'https:')
        target.protocol = 'wss:';
    return target.toString();
}
// Early failures that never reached the server's HTTP layer.
const CONNECT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);
/** Resolves once the socket has closed (or never opened); never rejects. */
function watchWebSocket(url, options) {
    const { elapsed } = options;
    const wsUrl = toWebSocketUrl(url);
    return new Promise((resolve) => {
        const obs = {
            url: wsUrl,
            startMs: elapsed(),
            messages: [],
            pingsSentMs: [],
            pongsMs: [],
            stoppedMs: 0,
            messagesNotStored: 0,
        };
        const ws = new wrapper/* default */.Ay(wsUrl, {
            headers: options.headers,
            // One zlib context per socket is too much for a thousand probes, and compression hides nothing here.
            perMessageDeflate: false,
            followRedirects: false,
            handshakeTimeout: Math.max(options.durationMs, options.firstEventTimeoutMs),
        });
        let closing = false;
        let overtime = false;
        let done = false;
        const timers = [];
        let pinger;
        const fail = (error) => {
            if (!obs.error)
                obs.error = error;
        };
        const finish = () => {
            if (done)
                return;
            done = true;
            timers.forEach(clearTimeout);
            clearInterval(pinger);
            obs.stoppedMs = elapsed();
            resolve(obs);
        };
        const stop = () => {
            if (closing || done)
                return;
            closing = true;
            clearInterval(pinger);
            if (ws.readyState === wrapper/* default */.Ay.CONNECTING) {
                fail(timeoutError('upgrade', 'no upgrade answer', elapsed() - obs.startMs));
                ws.terminate();
                return;
            }
            ws.close(1000, 'smoke test done');
            timers.push(setTimeout(() => ws.terminate(), options.closeTimeoutMs ?? 2000));
        };
        timers.push(setTimeout(() => {
            const more = options.firstEventTimeoutMs - options.durationMs;
            if (obs.messages.length === 0 && obs.messagesNotStored === 0 && more > 0) {
                overtime = true;
                timers.push(setTimeout(stop, more));
            }
            else
                stop();
        }, options.durationMs));
        ws.on('upgrade', (res) => (obs.upgradeStatus = res.statusCode));
        ws.on('unexpected-response', (req, res) => {
            obs.upgradeStatus = res.statusCode;
            fail({ stage: 'upgrade', message: `the server answered the upgrade with HTTP ${res.statusCode}` });
            res.resume();
            req.destroy();
            // ws emits no 'close' for a request aborted here.
            finish();
        });
        ws.on('open', () => {
            obs.openMs = elapsed();
            if (options.send !== undefined) {
                ws.send(options.send);
                obs.sentMs = elapsed();
            }
            const ping = () => {
                obs.pingsSentMs.push(elapsed());
                ws.ping(`smoke-${obs.pingsSentMs.length}`);
            };
            ping();
            pinger = setInterval(ping, options.pingIntervalMs ?? 1000);
        });
        ws.on('message', (data, isBinary) => {
            const atMs = elapsed();
            // Past the duration only to wait for a first message: it came, so the watch is over.
            if (overtime)
                stop();
            if (obs.messages.length >= MAX_STORED_MESSAGES) {
                obs.messagesNotStored++;
                return;
            }
            const text = isBinary ? `<binary ${byteLength(data)} bytes>` : rawText(data);
            obs.messages.push({
                atMs,
                data: text.length > websocket_probe_MAX_STORED_TEXT ? text.slice(0, websocket_probe_MAX_STORED_TEXT) : text,
            });
        });
        ws.on('pong', () => obs.pongsMs.push(elapsed()));
        ws.on('error', (error) => {
            if (ws.readyState === wrapper/* default */.Ay.CLOSING && closing)
                return;
            const opened = obs.openMs !== undefined;
            fail(toProbeError(error, opened ? 'stream' : CONNECT_CODES.has(error.code ?? '') ? 'connect' : 'upgrade'));
        });
        ws.on('close', (code, reason) => {
            const atMs = elapsed();
            if (obs.openMs !== undefined) {
                // 1006: no close frame came (ws's code for an abnormal closure).
                const clean = code !== 1006;
                const by = closing ? 'client' : clean ? 'server' : 'network';
                obs.close = { atMs, by, clean };
                if (code !== 1005 && code !== 1006)
                    obs.close.code = code;
                const text = reason.toString();
                if (text !== '')
                    obs.close.reason = text;
            }
            finish();
        });
    });
}
function rawText(data) {
    if (Array.isArray(data))
        return Buffer.concat(data).toString('utf8');
    return Buffer.from(data).toString('utf8');
}
function byteLength(data) {
    if (Array.isArray(data))
        return data.reduce((sum, part) => sum + part.length, 0);
    return data.byteLength;
}

;// CONCATENATED MODULE: ./src/adapters/smoke-probe.ts
// The smoke-probe port: runs one whole smoke test against a URL (health, `connections` streams at once,
// the SSE reconnect) on one clock, then hands the observations to the pure judge in core. The ID token
// goes only to the service's own URLs (FACTS.md, Streaming on Cloud Run: private services).






/** A probe that records on one clock from the run's start and judges with src/core/smoke-verdict. */
function createSmokeProbe(options) {
    const now = options.now ?? (() => external_node_perf_hooks_.performance.now());
    const log = options.log ?? (() => undefined);
    const allowed = new Set(options.allowedOrigins.map(originOf));
    return {
        async run(url, criteria, auth) {
            const start = now();
            const elapsed = () => now() - start;
            const headers = {};
            if (auth) {
                if (options.sendTokenAnywhere || allowed.has(originOf(url))) {
                    headers.Authorization = `Bearer ${auth.idToken}`;
                }
                else {
                    log(`Not sending the ID token to ${originOf(url)}: not one of the service's URLs (opt in to send it anywhere).`);
                }
            }
            const scrub = (obs) => {
                if (auth)
                    scrubToken(obs, auth.idToken);
            };
            let healthCheck;
            if (criteria.healthPath !== '') {
                const health = await probeHealth(joinUrl(url, criteria.healthPath), {
                    headers,
                    timeoutMs: criteria.healthTimeoutMs,
                    elapsed,
                });
                scrub(health);
                log(`Health ${health.url}: ${describeHealth(health)}`);
                healthCheck = (0,smoke_verdict/* judgeHealth */.u7)(health, criteria);
            }
            const target = joinUrl(url, criteria.path);
            const count = Math.max(1, criteria.connections);
            const watch = {
                headers,
                durationMs: criteria.durationMs,
                firstEventTimeoutMs: criteria.firstEventTimeoutMs,
                elapsed,
            };
            let stream;
            switch (criteria.protocol) {
                case 'sse': {
                    log(`SSE ${target}: ${count} connection(s) for ${criteria.durationMs} ms`);
                    const conns = await openRamped(count, () => watchSse(target, watch));
                    let reconnect;
                    const lastEventId = conns.find((c) => c.lastEventId !== undefined)?.lastEventId;
                    if (criteria.checkReconnect && lastEventId !== undefined) {
                        log(`SSE ${target}: reconnecting with Last-Event-ID ${lastEventId}`);
                        reconnect = await reconnectSse(target, lastEventId, {
                            headers,
                            timeoutMs: criteria.firstEventTimeoutMs,
                            elapsed,
                        });
                    }
                    conns.forEach(scrub);
                    scrub(reconnect);
                    log(`SSE ${target}: ${describeSse(conns)}`);
                    stream = (0,smoke_verdict/* judgeSse */.d6)(conns, reconnect, criteria);
                    break;
                }
                case 'websocket': {
                    log(`WebSocket ${target}: ${count} connection(s) for ${criteria.durationMs} ms`);
                    const conns = await openRamped(count, () => watchWebSocket(target, { ...watch, send: criteria.send }));
                    conns.forEach(scrub);
                    stream = (0,smoke_verdict/* judgeWebSocket */.fs)(conns, criteria);
                    break;
                }
                case 'http': {
                    const obs = await probeHttp(target, {
                        headers,
                        timeoutMs: Math.max(criteria.durationMs, criteria.firstEventTimeoutMs),
                        elapsed,
                    });
                    scrub(obs);
                    stream = (0,smoke_verdict/* judgeHttp */.i2)(obs, criteria);
                    break;
                }
            }
            const result = (0,smoke_verdict/* judgeSmoke */.Hb)(url, criteria, healthCheck, stream);
            log(`Smoke ${url}: ${result.verdict}`);
            return result;
        },
    };
}
/** `url` + `path`, with exactly one slash between them; `path` may carry a query. */
function joinUrl(url, path) {
    return `${url.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`;
}
function originOf(url) {
    return new URL(url).origin;
}
// Node puts no header values in its error messages, but a token in an observation would reach the
// result's details and the log, so every string field is checked anyway.
function scrubToken(value, token) {
    if (value === null || typeof value !== 'object' || token === '')
        return;
    const record = value;
    for (const [key, field] of Object.entries(record)) {
        if (typeof field === 'string' && field.includes(token))
            record[key] = field.split(token).join('***');
        else if (typeof field === 'object')
            scrubToken(field, token);
    }
}
function describeHealth(health) {
    const last = health.attempts[health.attempts.length - 1];
    const outcome = last?.status !== undefined ? `HTTP ${last.status}` : (last?.error?.message ?? 'no attempt');
    return `${outcome} after ${health.attempts.length} attempt(s)`;
}
function describeSse(conns) {
    const events = conns.reduce((sum, c) => sum + c.events.length + c.eventsNotStored, 0);
    const open = conns.filter((c) => c.status === 200 && c.endedMs === undefined && !c.error).length;
    return `${events} event(s), ${open}/${conns.length} still open at the end`;
}
/** Streams opened per batch, and the pause between batches: see bench/RESULTS.md. */
const RAMP_BATCH = 20;
const RAMP_PAUSE_MS = 20;
/**
 * Opens `count` streams in batches of 20 every 20 ms instead of all at once: with 1,000 at once the burst of
 * connection set-ups stalls the event loop and first events wait unread (p95 error 143 ms SSE / 252 ms
 * WebSocket), ramped they are read within ~10 ms (bench/RESULTS.md). Each stream's own timeline starts at its
 * request, so judging is unchanged; they all still overlap for the watch.
 */
async function openRamped(count, open) {
    const pending = [];
    for (let i = 0; i < count; i++) {
        if (i > 0 && i % RAMP_BATCH === 0)
            await new Promise((resolve) => setTimeout(resolve, RAMP_PAUSE_MS));
        pending.push(open());
    }
    return Promise.all(pending);
}


/***/ })

};
;