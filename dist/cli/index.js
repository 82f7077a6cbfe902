#!/usr/bin/env node
/******/ (() => { // webpackBootstrap
/******/ 	"use strict";
/******/ 	var __webpack_modules__ = ({

/***/ 5970:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   Mr: () => (/* binding */ RECORD_ANNOTATION),
/* harmony export */   Ym: () => (/* binding */ encodeRecord),
/* harmony export */   eT: () => (/* binding */ decodeRecord),
/* harmony export */   lA: () => (/* binding */ planRecovery)
/* harmony export */ });
/** Service annotation key holding the record. Not under a reserved prefix (FACTS.md "reserved labels"). */
const RECORD_ANNOTATION = 'stream-deploy.dev/release';
/** JSON for the runner state and the annotation. */
function encodeRecord(record) {
    return JSON.stringify(record);
}
/** The record, or undefined when the text is not one (absent, corrupt, or another version). */
function decodeRecord(text) {
    if (!text)
        return undefined;
    try {
        const r = JSON.parse(text);
        const traffic = (t) => Array.isArray(t) &&
            t.every((e) => e && typeof e === 'object' && typeof e.percent === 'number');
        if (r.version !== 1 ||
            typeof r.service !== 'string' ||
            typeof r.candidate !== 'string' ||
            !traffic(r.restoreTraffic) ||
            !traffic(r.finalTraffic))
            return undefined;
        if (!Array.isArray(r.stepPercents) || typeof r.step !== 'number' || typeof r.verifiedStep !== 'number')
            return undefined;
        if (!['rolling-out', 'promoted', 'rolled-back', 'abandoned'].includes(String(r.phase)))
            return undefined;
        return r;
    }
    catch {
        return undefined;
    }
}
/** What to do with a release found unfinished (cancelled job, rerun, manual rollback). */
function planRecovery(record, mode) {
    if (!record)
        return { action: 'nothing', reason: 'no release record was found' };
    if (mode === 'rollback') {
        return {
            action: 'restore',
            traffic: record.restoreTraffic,
            reason: `restoring the baseline recorded before ${record.candidate} (${record.origin})`,
        };
    }
    if (record.phase !== 'rolling-out')
        return {
            action: 'nothing',
            reason: `the release of ${record.candidate} had already ended (${record.phase})`,
        };
    const last = record.stepPercents.length - 1;
    if (record.verifiedStep === last && last >= 0) {
        return {
            action: 'finish',
            traffic: record.finalTraffic,
            reason: `the last step (${record.stepPercents[last]} %) had passed its checks, so the promotion is finished`,
        };
    }
    const where = record.step < 0
        ? 'before the first traffic step'
        : `at step ${record.step + 1} of ${record.stepPercents.length} (${record.stepPercents[record.step]} %), verified through ${record.verifiedStep < 0 ? 'no step' : `step ${record.verifiedStep + 1}`}`;
    return {
        action: 'restore',
        traffic: record.restoreTraffic,
        reason: `the rollout of ${record.candidate} stopped ${where}, so the baseline is restored`,
    };
}


/***/ }),

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

/***/ 2250:
/***/ ((module) => {

module.exports = require("dns");

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

/***/ 8056:
/***/ ((module) => {

module.exports = require("http2");

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
/******/ 			id: moduleId,
/******/ 			loaded: false,
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
/******/ 		// Flag the module as loaded
/******/ 		module.loaded = true;
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
/******/ 	/* webpack/runtime/node module decorator */
/******/ 	(() => {
/******/ 		__nccwpck_require__.nmd = (module) => {
/******/ 			module.paths = [];
/******/ 			if (!module.children) module.children = [];
/******/ 			return module;
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

// EXTERNAL MODULE: ./src/core/release-record.ts
var release_record = __nccwpck_require__(5970);
;// CONCATENATED MODULE: ./src/core/rollback-args.ts

const ROLLBACK_USAGE = `Usage: stream-deploy rollback --service S --region R --project P [--json]

Restores the traffic recorded before the last stream-deploy release of service S: the baseline as it was
found, read from the release record on the service. Uses the credentials already in the environment
(application default credentials). Exits 0 when the baseline is restored or there is nothing to restore,
1 when the restore failed, 2 on a usage error.

Options:
  --service S    Cloud Run service id (required)
  --region R     Cloud Run region, e.g. us-central1 (required)
  --project P    Google Cloud project id (required)
  --json         print one JSON object {action, ok, traffic, message} instead of text
  -h, --help     show this help
`;
// FACTS.md "service id": starts with a letter, letters/digits/`-`, under 50 characters; lowercase, no
// trailing hyphen (the same rule as the `service` input).
const SERVICE_ID = /^[a-z]([a-z0-9-]{0,47}[a-z0-9])?$/;
// Region names: `us-central1`, `europe-west4`, `northamerica-northeast1`.
const REGION = /^[a-z]+-[a-z]+[0-9]+$/;
// Project ids: 6 to 30 lowercase letters, digits and hyphens; legacy domain-scoped `example.com:my-project`.
const PROJECT_ID = /^(?:[a-z][a-z0-9.-]*[a-z0-9]:)?[a-z][a-z0-9-]{4,28}[a-z0-9]$/;
const rollback_args_VALUE_FLAGS = {
    '--service': {
        key: 'service',
        valid: SERVICE_ID,
        expected: 'a Cloud Run service id such as `api` (lowercase letters, digits, hyphens, starting with a letter)',
    },
    '--region': { key: 'region', valid: REGION, expected: 'a Cloud Run region such as `us-central1`' },
    '--project': {
        key: 'project',
        valid: PROJECT_ID,
        expected: 'a Google Cloud project id such as `my-project` (not the project number)',
    },
};
/** Parses `rollback` flags (after the command word); `help` when asked, else the args or every problem. */
function parseRollbackArgs(argv) {
    const values = {};
    let json = false;
    const problems = [];
    for (let i = 0; i < argv.length; i++) {
        const eq = argv[i].startsWith('--') ? argv[i].indexOf('=') : -1;
        const [flag, inline] = eq > 0 ? [argv[i].slice(0, eq), argv[i].slice(eq + 1)] : [argv[i], undefined];
        if (flag === '-h' || flag === '--help')
            return { help: true };
        if (flag === '--json' && inline === undefined)
            json = true;
        else if (flag in rollback_args_VALUE_FLAGS) {
            const { key, valid, expected } = rollback_args_VALUE_FLAGS[flag];
            const value = inline ?? argv[++i];
            if (value === undefined || value.startsWith('--')) {
                problems.push(`${flag} needs a value; expected ${expected}`);
                if (value !== undefined)
                    i--;
            }
            else if (values[key] !== undefined)
                problems.push(`${flag} is given twice`);
            else if (!valid.test(value))
                problems.push(`${flag} ${JSON.stringify(value)} is not valid; expected ${expected}`);
            else
                values[key] = value;
        }
        else
            problems.push(`unknown ${flag.startsWith('-') ? 'option' : 'argument'} ${JSON.stringify(flag)}`);
    }
    for (const [flag, { key, expected }] of Object.entries(rollback_args_VALUE_FLAGS)) {
        const seen = argv.some((a) => a === flag || a.startsWith(`${flag}=`));
        if (!seen && values[key] === undefined)
            problems.push(`${flag} is required; expected ${expected}`);
    }
    if (problems.length > 0)
        return { problems };
    const { service, region, project } = values;
    return { args: { service, region, project, json } };
}
/** The service's full resource name, as the Cloud Run API names it. */
function serviceResourceName(args) {
    return `projects/${args.project}/locations/${args.region}/services/${args.service}`;
}
/**
 * The release record on the live service, or what to tell the user instead: `ok` (exit 0) when no release
 * was ever recorded, not ok (exit 1) when the service is missing or its record is unusable.
 */
function findServiceRecord(service, name) {
    if (!service)
        return { ok: false, message: `Service ${name} was not found: check --service, --region and --project.` };
    const text = service.annotations?.[release_record/* RECORD_ANNOTATION */.Mr];
    if (text === undefined || text === '') {
        return {
            ok: true,
            message: `No stream-deploy release is recorded on ${name} (annotation ${release_record/* RECORD_ANNOTATION */.Mr}); nothing to restore.`,
        };
    }
    const record = (0,release_record/* decodeRecord */.eT)(text);
    if (!record) {
        return {
            ok: false,
            message: `The release record on ${name} (annotation ${release_record/* RECORD_ANNOTATION */.Mr}) is unreadable or from another version of stream-deploy; traffic was left as it is.`,
        };
    }
    if (record.service !== name) {
        return {
            ok: false,
            message: `The release record on ${name} names another service (${record.service}), as if copied from it; traffic was left as it is.`,
        };
    }
    return { record };
}

;// CONCATENATED MODULE: ./src/cli.ts
// `stream-deploy`: the smoke test from a terminal, for checking a service by hand or from other CI
// systems, and `rollback` to restore the baseline recorded by the last release. Thin: arguments are parsed
// in core/smoke-args.ts and core/rollback-args.ts, probes, judging and recovery are the action's own.



const USAGE = `Usage: stream-deploy <command> [options]

Ship streaming APIs (SSE, WebSocket, gRPC) to Google Cloud Run.

Commands:
  smoke          run the streaming smoke test against a URL (stream-deploy smoke --help)
  rollback       restore the traffic recorded before the last release (stream-deploy rollback --help)

Options:
  -h, --help     Show this help and exit
  -v, --version  Print the version and exit
`;
// Exit codes: 0 pass / success, 1 a failed or inconclusive smoke test or a failed rollback, 2 a usage error.
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
    if (first === 'rollback')
        return runRollback(rest);
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
        const { createGoogleAuth, resolveEndpoints } = await Promise.all(/* import() */[__nccwpck_require__.e(492), __nccwpck_require__.e(607)]).then(__nccwpck_require__.bind(__nccwpck_require__, 1607));
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
// Deadline for the one traffic update a rollback makes (the default LRO polling has none: FACTS.md).
const ROLLBACK_TIMEOUT_SECONDS = 300;
async function runRollback(argv) {
    const parsed = parseRollbackArgs(argv);
    if ('help' in parsed) {
        process.stdout.write(ROLLBACK_USAGE);
        return 0;
    }
    if ('problems' in parsed) {
        process.stderr.write(`stream-deploy rollback: ${parsed.problems.join('\nstream-deploy rollback: ')}\n\n${ROLLBACK_USAGE}`);
        return 2;
    }
    const { json, project } = parsed.args;
    const name = serviceResourceName(parsed.args);
    const { connectGoogleCloud } = await Promise.all(/* import() */[__nccwpck_require__.e(492), __nccwpck_require__.e(475), __nccwpck_require__.e(607), __nccwpck_require__.e(529)]).then(__nccwpck_require__.bind(__nccwpck_require__, 7529));
    const { recoverRelease } = await Promise.all(/* import() */[__nccwpck_require__.e(492), __nccwpck_require__.e(475), __nccwpck_require__.e(615)]).then(__nccwpck_require__.bind(__nccwpck_require__, 3615));
    const log = stderrLog();
    // The credentials already in the environment (no Workload Identity provider); the emulator via
    // STREAM_DEPLOY_ENDPOINTS, as in the action.
    const { cloudRun } = await connectGoogleCloud({
        projectId: project,
        deployTimeoutSeconds: ROLLBACK_TIMEOUT_SECONDS,
        env: process.env,
        mask: () => undefined,
        log: (line) => log.info(line),
    });
    try {
        const found = findServiceRecord(await cloudRun.getService(name), name);
        const outcome = 'record' in found
            ? await recoverRelease(found.record, 'rollback', { cloudRun, log })
            : { action: 'nothing', ok: found.ok, traffic: undefined, message: found.message };
        if (json) {
            const { action, ok, traffic, message } = outcome;
            process.stdout.write(`${JSON.stringify({ action, ok, traffic: traffic ?? null, message })}\n`);
        }
        else
            (outcome.ok ? process.stdout : process.stderr).write(`${outcome.message}\n`);
        return outcome.ok ? 0 : 1;
    }
    finally {
        await cloudRun.close();
    }
}
// Progress for people on stderr, so stdout carries only the result (and stays one JSON object with --json).
function stderrLog() {
    const write = (line) => process.stderr.write(`${line}\n`);
    return {
        info: write,
        warning: (line) => write(`warning: ${line}`),
        error: (line) => write(`error: ${line}`),
        debug: () => undefined,
        group: (title, fn) => {
            write(title);
            return fn();
        },
    };
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