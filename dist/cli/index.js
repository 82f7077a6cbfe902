#!/usr/bin/env node
/******/ (() => { // webpackBootstrap
/******/ 	"use strict";
/******/ 	var __webpack_modules__ = ({

/***/ 2613:
/***/ ((module) => {

module.exports = require("assert");

/***/ }),

/***/ 181:
/***/ ((module) => {

module.exports = require("buffer");

/***/ }),

/***/ 5317:
/***/ ((module) => {

module.exports = require("child_process");

/***/ }),

/***/ 6982:
/***/ ((module) => {

module.exports = require("crypto");

/***/ }),

/***/ 4434:
/***/ ((module) => {

module.exports = require("events");

/***/ }),

/***/ 9896:
/***/ ((module) => {

module.exports = require("fs");

/***/ }),

/***/ 8611:
/***/ ((module) => {

module.exports = require("http");

/***/ }),

/***/ 5692:
/***/ ((module) => {

module.exports = require("https");

/***/ }),

/***/ 9278:
/***/ ((module) => {

module.exports = require("net");

/***/ }),

/***/ 4573:
/***/ ((module) => {

module.exports = require("node:buffer");

/***/ }),

/***/ 3024:
/***/ ((module) => {

module.exports = require("node:fs");

/***/ }),

/***/ 7067:
/***/ ((module) => {

module.exports = require("node:http");

/***/ }),

/***/ 4708:
/***/ ((module) => {

module.exports = require("node:https");

/***/ }),

/***/ 7030:
/***/ ((module) => {

module.exports = require("node:net");

/***/ }),

/***/ 6760:
/***/ ((module) => {

module.exports = require("node:path");

/***/ }),

/***/ 643:
/***/ ((module) => {

module.exports = require("node:perf_hooks");

/***/ }),

/***/ 1708:
/***/ ((module) => {

module.exports = require("node:process");

/***/ }),

/***/ 7075:
/***/ ((module) => {

module.exports = require("node:stream");

/***/ }),

/***/ 7830:
/***/ ((module) => {

module.exports = require("node:stream/web");

/***/ }),

/***/ 3136:
/***/ ((module) => {

module.exports = require("node:url");

/***/ }),

/***/ 7975:
/***/ ((module) => {

module.exports = require("node:util");

/***/ }),

/***/ 8522:
/***/ ((module) => {

module.exports = require("node:zlib");

/***/ }),

/***/ 857:
/***/ ((module) => {

module.exports = require("os");

/***/ }),

/***/ 6928:
/***/ ((module) => {

module.exports = require("path");

/***/ }),

/***/ 932:
/***/ ((module) => {

module.exports = require("process");

/***/ }),

/***/ 3480:
/***/ ((module) => {

module.exports = require("querystring");

/***/ }),

/***/ 2203:
/***/ ((module) => {

module.exports = require("stream");

/***/ }),

/***/ 4756:
/***/ ((module) => {

module.exports = require("tls");

/***/ }),

/***/ 2018:
/***/ ((module) => {

module.exports = require("tty");

/***/ }),

/***/ 7016:
/***/ ((module) => {

module.exports = require("url");

/***/ }),

/***/ 9023:
/***/ ((module) => {

module.exports = require("util");

/***/ }),

/***/ 8167:
/***/ ((module) => {

module.exports = require("worker_threads");

/***/ }),

/***/ 3106:
/***/ ((module) => {

module.exports = require("zlib");

/***/ })

/******/ 	});
/************************************************************************/
/******/ 	// The module cache
/******/ 	var __webpack_module_cache__ = {};
/******/ 	
/******/ 	// The require function
/******/ 	function __nccwpck_require__(moduleId) {
/******/ 		// Check if module is in cache
/******/ 		var cachedModule = __webpack_module_cache__[moduleId];
/******/ 		if (cachedModule !== undefined) {
/******/ 			return cachedModule.exports;
/******/ 		}
/******/ 		// Create a new module (and put it into the cache)
/******/ 		var module = __webpack_module_cache__[moduleId] = {
/******/ 			// no module.id needed
/******/ 			// no module.loaded needed
/******/ 			exports: {}
/******/ 		};
/******/ 	
/******/ 		// Execute the module function
/******/ 		var threw = true;
/******/ 		try {
/******/ 			__webpack_modules__[moduleId].call(module.exports, module, module.exports, __nccwpck_require__);
/******/ 			threw = false;
/******/ 		} finally {
/******/ 			if(threw) delete __webpack_module_cache__[moduleId];
/******/ 		}
/******/ 	
/******/ 		// Return the exports of the module
/******/ 		return module.exports;
/******/ 	}
/******/ 	
/******/ 	// expose the modules object (__webpack_modules__)
/******/ 	__nccwpck_require__.m = __webpack_modules__;
/******/ 	
/************************************************************************/
/******/ 	/* webpack/runtime/asset-relocator-loader */
/******/ 	if (typeof __nccwpck_require__ !== 'undefined') __nccwpck_require__.ab = __dirname + "/";
/******/ 	
/******/ 	/* webpack/runtime/compat get default export */
/******/ 	(() => {
/******/ 		// getDefaultExport function for compatibility with non-harmony modules
/******/ 		__nccwpck_require__.n = (module) => {
/******/ 			var getter = module && module.__esModule ?
/******/ 				() => (module['default']) :
/******/ 				() => (module);
/******/ 			__nccwpck_require__.d(getter, { a: getter });
/******/ 			return getter;
/******/ 		};
/******/ 	})();
/******/ 	
/******/ 	/* webpack/runtime/create fake namespace object */
/******/ 	(() => {
/******/ 		var getProto = Object.getPrototypeOf ? (obj) => (Object.getPrototypeOf(obj)) : (obj) => (obj.__proto__);
/******/ 		var leafPrototypes;
/******/ 		// create a fake namespace object
/******/ 		// mode & 1: value is a module id, require it
/******/ 		// mode & 2: merge all properties of value into the ns
/******/ 		// mode & 4: return value when already ns object
/******/ 		// mode & 16: return value when it's Promise-like
/******/ 		// mode & 8|1: behave like require
/******/ 		__nccwpck_require__.t = function(value, mode) {
/******/ 			if(mode & 1) value = this(value);
/******/ 			if(mode & 8) return value;
/******/ 			if(typeof value === 'object' && value) {
/******/ 				if((mode & 4) && value.__esModule) return value;
/******/ 				if((mode & 16) && typeof value.then === 'function') return value;
/******/ 			}
/******/ 			var ns = Object.create(null);
/******/ 			__nccwpck_require__.r(ns);
/******/ 			var def = {};
/******/ 			leafPrototypes = leafPrototypes || [null, getProto({}), getProto([]), getProto(getProto)];
/******/ 			for(var current = mode & 2 && value; typeof current == 'object' && !~leafPrototypes.indexOf(current); current = getProto(current)) {
/******/ 				Object.getOwnPropertyNames(current).forEach((key) => (def[key] = () => (value[key])));
/******/ 			}
/******/ 			def['default'] = () => (value);
/******/ 			__nccwpck_require__.d(ns, def);
/******/ 			return ns;
/******/ 		};
/******/ 	})();
/******/ 	
/******/ 	/* webpack/runtime/define property getters */
/******/ 	(() => {
/******/ 		// define getter functions for harmony exports
/******/ 		__nccwpck_require__.d = (exports, definition) => {
/******/ 			for(var key in definition) {
/******/ 				if(__nccwpck_require__.o(definition, key) && !__nccwpck_require__.o(exports, key)) {
/******/ 					Object.defineProperty(exports, key, { enumerable: true, get: definition[key] });
/******/ 				}
/******/ 			}
/******/ 		};
/******/ 	})();
/******/ 	
/******/ 	/* webpack/runtime/ensure chunk */
/******/ 	(() => {
/******/ 		__nccwpck_require__.f = {};
/******/ 		// This file contains only the entry chunk.
/******/ 		// The chunk loading function for additional chunks
/******/ 		__nccwpck_require__.e = (chunkId) => {
/******/ 			return Promise.all(Object.keys(__nccwpck_require__.f).reduce((promises, key) => {
/******/ 				__nccwpck_require__.f[key](chunkId, promises);
/******/ 				return promises;
/******/ 			}, []));
/******/ 		};
/******/ 	})();
/******/ 	
/******/ 	/* webpack/runtime/get javascript chunk filename */
/******/ 	(() => {
/******/ 		// This function allow to reference async chunks
/******/ 		__nccwpck_require__.u = (chunkId) => {
/******/ 			// return url for filenames based on template
/******/ 			return "" + chunkId + ".index.js";
/******/ 		};
/******/ 	})();
/******/ 	
/******/ 	/* webpack/runtime/hasOwnProperty shorthand */
/******/ 	(() => {
/******/ 		__nccwpck_require__.o = (obj, prop) => (Object.prototype.hasOwnProperty.call(obj, prop))
/******/ 	})();
/******/ 	
/******/ 	/* webpack/runtime/make namespace object */
/******/ 	(() => {
/******/ 		// define __esModule on exports
/******/ 		__nccwpck_require__.r = (exports) => {
/******/ 			if(typeof Symbol !== 'undefined' && Symbol.toStringTag) {
/******/ 				Object.defineProperty(exports, Symbol.toStringTag, { value: 'Module' });
/******/ 			}
/******/ 			Object.defineProperty(exports, '__esModule', { value: true });
/******/ 		};
/******/ 	})();
/******/ 	
/******/ 	/* webpack/runtime/require chunk loading */
/******/ 	(() => {
/******/ 		// no baseURI
/******/ 		
/******/ 		// object to store loaded chunks
/******/ 		// "1" means "loaded", otherwise not loaded yet
/******/ 		var installedChunks = {
/******/ 			792: 1
/******/ 		};
/******/ 		
/******/ 		// no on chunks loaded
/******/ 		
/******/ 		var installChunk = (chunk) => {
/******/ 			var moreModules = chunk.modules, chunkIds = chunk.ids, runtime = chunk.runtime;
/******/ 			for(var moduleId in moreModules) {
/******/ 				if(__nccwpck_require__.o(moreModules, moduleId)) {
/******/ 					__nccwpck_require__.m[moduleId] = moreModules[moduleId];
/******/ 				}
/******/ 			}
/******/ 			if(runtime) runtime(__nccwpck_require__);
/******/ 			for(var i = 0; i < chunkIds.length; i++)
/******/ 				installedChunks[chunkIds[i]] = 1;
/******/ 		
/******/ 		};
/******/ 		
/******/ 		// require() chunk loading for javascript
/******/ 		__nccwpck_require__.f.require = (chunkId, promises) => {
/******/ 			// "1" is the signal for "already loaded"
/******/ 			if(!installedChunks[chunkId]) {
/******/ 				if(true) { // all chunks have JS
/******/ 					installChunk(require("./" + __nccwpck_require__.u(chunkId)));
/******/ 				} else installedChunks[chunkId] = 1;
/******/ 			}
/******/ 		};
/******/ 		
/******/ 		// no external install chunk
/******/ 		
/******/ 		// no HMR
/******/ 		
/******/ 		// no HMR manifest
/******/ 	})();
/******/ 	
/************************************************************************/
var __webpack_exports__ = {};

;// CONCATENATED MODULE: ./package.json
const package_namespaceObject = {"rE":"0.1.0"};
;// CONCATENATED MODULE: ./src/core/smoke-args.ts
const SMOKE_USAGE = `Usage: stream-deploy smoke --url URL [options]

Runs the streaming smoke test against URL and prints the checks; exits 0 on pass, 1 on fail or
inconclusive, 2 on a usage error.

Options:
  --url URL                    the service or tag URL to test, or the stream's own URL (required)
  --protocol sse|websocket|http
                               what to test (default: sse)
  --path P                     stream path (default: /events for sse, /ws for websocket, / for http)
  --health-path P|none         answered 2xx before streaming, retried while an instance starts (default: /healthz)
  --duration D                 how long each stream is watched (default: 10s)
  --min-events N               at least N events or messages (default: 3 for sse, 0 otherwise)
  --first-event-timeout D      the first event or reply within D (default: 5s)
  --max-gap D                  no silence longer than D between events (default: 5s)
  --connections N              streams opened at once, 1 to 1000 (default: 1)
  --send TEXT                  websocket: send TEXT once open
  --expect TEXT                websocket: the reply must contain TEXT, or match /pattern/flags
  --no-reconnect               sse: skip the Last-Event-ID reconnect check
  --id-token-audience AUD      send an ID token for AUD (the service URL of a private service), minted from
                               the application default credentials
  --json                       print one JSON object {verdict, checks, metrics} instead of text
  -h, --help                   show this help

Durations: 500ms, 10s, 2m (a bare number is seconds).
`;
/** Milliseconds of `500ms`, `10s`, `2m` or a bare number of seconds; undefined when malformed. */
function parseDuration(text) {
    const m = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(text.trim());
    if (!m)
        return undefined;
    return Math.round(Number(m[1]) * (m[2] === 'ms' ? 1 : m[2] === 'm' ? 60_000 : 1000));
}
const VALUE_FLAGS = [
    '--url',
    '--protocol',
    '--path',
    '--health-path',
    '--duration',
    '--min-events',
    '--first-event-timeout',
    '--max-gap',
    '--connections',
    '--send',
    '--expect',
    '--id-token-audience',
];
/** Parses `smoke` flags (after the command word); `help` when asked, else the args or every problem. */
function parseSmokeArgs(argv) {
    const values = new Map();
    const switches = new Set();
    const problems = [];
    for (let i = 0; i < argv.length; i++) {
        const [flag, inline] = argv[i].startsWith('--') && argv[i].includes('=')
            ? [argv[i].slice(0, argv[i].indexOf('=')), argv[i].slice(argv[i].indexOf('=') + 1)]
            : [argv[i], undefined];
        if (flag === '-h' || flag === '--help')
            return { help: true };
        if (flag === '--json' || flag === '--no-reconnect')
            switches.add(flag);
        else if (VALUE_FLAGS.includes(flag)) {
            const value = inline ?? argv[++i];
            if (value === undefined)
                problems.push(`${flag} needs a value`);
            else
                values.set(flag, value);
        }
        else
            problems.push(`unknown option ${JSON.stringify(flag)}`);
    }
    const url = values.get('--url');
    if (!url)
        problems.push('--url is required');
    else {
        try {
            if (!/^https?:$/.test(new URL(url).protocol))
                problems.push(`--url ${JSON.stringify(url)} must be http or https`);
        }
        catch {
            problems.push(`--url ${JSON.stringify(url)} is not a URL`);
        }
    }
    const protocol = (values.get('--protocol') ?? 'sse');
    if (!['sse', 'websocket', 'http'].includes(protocol))
        problems.push(`--protocol must be sse, websocket or http (got ${JSON.stringify(protocol)})`);
    const duration = (flag, fallback, min, max) => {
        const text = values.get(flag);
        if (text === undefined)
            return fallback;
        const ms = parseDuration(text);
        if (ms === undefined || ms < min || ms > max) {
            problems.push(`${flag} ${JSON.stringify(text)} must be a duration from ${min}ms to ${max / 1000}s, such as 500ms, 10s or 2m`);
            return fallback;
        }
        return ms;
    };
    const integer = (flag, fallback, min, max) => {
        const text = values.get(flag);
        if (text === undefined)
            return fallback;
        if (!/^\d+$/.test(text) || Number(text) < min || Number(text) > max) {
            problems.push(`${flag} ${JSON.stringify(text)} must be a whole number from ${min} to ${max}`);
            return fallback;
        }
        return Number(text);
    };
    const path = (flag, fallback) => {
        const text = values.get(flag) ?? fallback;
        if (flag === '--health-path' && text === 'none')
            return '';
        if (!text.startsWith('/'))
            problems.push(`${flag} ${JSON.stringify(text)} must start with /`);
        return text;
    };
    // A URL with a path names the stream itself, unless --path says otherwise.
    let urlPath;
    try {
        const parsed = new URL(url ?? '');
        if (parsed.pathname !== '/' || parsed.search)
            urlPath = parsed.pathname + parsed.search;
    }
    catch {
        urlPath = undefined;
    }
    const criteria = {
        protocol,
        path: path('--path', urlPath ?? (protocol === 'websocket' ? '/ws' : protocol === 'sse' ? '/events' : '/')),
        healthPath: path('--health-path', '/healthz'),
        healthTimeoutMs: 60_000,
        durationMs: duration('--duration', 10_000, 100, 3_600_000),
        firstEventTimeoutMs: duration('--first-event-timeout', 5000, 1, 600_000),
        minEvents: integer('--min-events', protocol === 'sse' ? 3 : 0, 0, 1_000_000),
        maxGapMs: duration('--max-gap', 5000, 1, 3_600_000),
        connections: integer('--connections', 1, 1, 1000),
        checkReconnect: !switches.has('--no-reconnect'),
        ...(values.has('--send') && { send: values.get('--send') }),
        ...(values.has('--expect') && { expect: values.get('--expect') }),
    };
    if ((criteria.send !== undefined || criteria.expect !== undefined) && protocol !== 'websocket')
        problems.push('--send and --expect need --protocol websocket');
    if (problems.length > 0)
        return { problems };
    return {
        args: {
            url: new URL(url).origin,
            criteria,
            json: switches.has('--json'),
            ...(values.has('--id-token-audience') && { idTokenAudience: values.get('--id-token-audience') }),
        },
    };
}

;// CONCATENATED MODULE: ./src/cli.ts
// `stream-deploy`: the smoke test from a terminal, for checking a service by hand or from other CI
// systems. Thin: arguments are parsed in core/smoke-args.ts, probes and judging are the action's own.


const USAGE = `Usage: stream-deploy <command> [options]

Ship streaming APIs (SSE, WebSocket, gRPC) to Google Cloud Run.

Commands:
  smoke          run the streaming smoke test against a URL (stream-deploy smoke --help)

Options:
  -h, --help     Show this help and exit
  -v, --version  Print the version and exit
`;
// Exit codes: 0 pass / success, 1 a failed or inconclusive smoke test, 2 a usage error.
async function runCli(args) {
    const [first, ...rest] = args;
    if (first === '--help' || first === '-h' || first === 'help') {
        process.stdout.write(USAGE);
        return 0;
    }
    if (first === '--version' || first === '-v') {
        process.stdout.write(`${package_namespaceObject.rE}\n`);
        return 0;
    }
    if (first === 'smoke')
        return runSmoke(rest);
    if (first === undefined) {
        process.stderr.write(`stream-deploy: missing command\n\n${USAGE}`);
        return 2;
    }
    const kind = first.startsWith('-') ? 'option' : 'command';
    process.stderr.write(`stream-deploy: unknown ${kind} "${first}"; run \`stream-deploy --help\` for usage\n`);
    return 2;
}
async function runSmoke(argv) {
    const parsed = parseSmokeArgs(argv);
    if ('help' in parsed) {
        process.stdout.write(SMOKE_USAGE);
        return 0;
    }
    if ('problems' in parsed) {
        process.stderr.write(`stream-deploy smoke: ${parsed.problems.join('\nstream-deploy smoke: ')}\n\n${SMOKE_USAGE}`);
        return 2;
    }
    const { url, criteria, json, idTokenAudience } = parsed.args;
    let idToken;
    if (idTokenAudience) {
        const { createGoogleAuth, resolveEndpoints } = await Promise.all(/* import() */[__nccwpck_require__.e(492), __nccwpck_require__.e(588)]).then(__nccwpck_require__.bind(__nccwpck_require__, 9588));
        const auth = createGoogleAuth({
            env: process.env,
            endpoints: resolveEndpoints(process.env).google,
            mask: () => undefined,
        });
        idToken = await auth.idToken(idTokenAudience);
    }
    const { createSmokeProbe } = await Promise.all(/* import() */[__nccwpck_require__.e(977), __nccwpck_require__.e(198), __nccwpck_require__.e(449)]).then(__nccwpck_require__.bind(__nccwpck_require__, 2449));
    const { summarizeSmoke } = await __nccwpck_require__.e(/* import() */ 198).then(__nccwpck_require__.bind(__nccwpck_require__, 8198));
    // The user named this URL, so it may receive the token they asked for.
    const result = await createSmokeProbe({ allowedOrigins: [url] }).run(url, criteria, idToken ? { idToken } : undefined);
    if (json) {
        process.stdout.write(`${JSON.stringify({ verdict: result.verdict, checks: result.checks, metrics: result.metrics })}\n`);
    }
    else {
        for (const c of result.checks)
            process.stdout.write(`${c.ok ? 'ok  ' : 'FAIL'} ${c.name}: ${c.detail}\n`);
        process.stdout.write(`${summarizeSmoke(result)}\n`);
    }
    return result.verdict === 'pass' ? 0 : 1;
}
runCli(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
}, (err) => {
    process.stderr.write(`stream-deploy: ${err.message}\n`);
    process.exitCode = 1;
});

module.exports = __webpack_exports__;
/******/ })()
;