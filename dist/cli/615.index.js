"use strict";
exports.id = 615;
exports.ids = [615];
exports.modules = {

/***/ 9082:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  XI: () => (/* binding */ createCloudRun),
  zD: () => (/* binding */ trafficKey)
});

// UNUSED EXPORTS: ConcurrentChange, DeployFailure, OperationUnsettled, fromApi, toApi

// EXTERNAL MODULE: ./node_modules/@google-cloud/run/build/src/index.js
var src = __webpack_require__(9475);
// EXTERNAL MODULE: ./src/errors.ts
var errors = __webpack_require__(3916);
;// CONCATENATED MODULE: ./src/core/retry-policy.ts
// When and how long to wait before calling the Cloud Run API again after it failed. Pure: the adapter
// supplies the error's code and a random number; no clock, no I/O.
/** gRPC status codes as google-gax reports them (google/rpc/code.proto). */
const GRPC_CODE_NAMES = {
    1: 'CANCELLED',
    2: 'UNKNOWN',
    3: 'INVALID_ARGUMENT',
    4: 'DEADLINE_EXCEEDED',
    5: 'NOT_FOUND',
    6: 'ALREADY_EXISTS',
    7: 'PERMISSION_DENIED',
    8: 'RESOURCE_EXHAUSTED',
    9: 'FAILED_PRECONDITION',
    10: 'ABORTED',
    11: 'OUT_OF_RANGE',
    12: 'UNIMPLEMENTED',
    13: 'INTERNAL',
    14: 'UNAVAILABLE',
    15: 'DATA_LOSS',
    16: 'UNAUTHENTICATED',
};
/** The HTTP status Google's REST front end sends with each code (google/rpc/code.proto's mapping). */
const HTTP_OF_CODE = {
    1: 499,
    2: 500,
    3: 400,
    4: 504,
    5: 404,
    6: 409,
    7: 403,
    8: 429,
    9: 400,
    10: 409,
    11: 400,
    12: 501,
    13: 500,
    14: 503,
    15: 500,
    16: 401,
};
/**
 * Codes worth another try: the request was throttled (429 RESOURCE_EXHAUSTED), the front end or backend
 * failed (500 INTERNAL/UNKNOWN, 503 UNAVAILABLE) or timed out (504 DEADLINE_EXCEEDED). Google's own
 * guidance: retry these with truncated exponential backoff and jitter
 * (cloud.google.com/storage/docs/retry-strategy, cloud.google.com/apis/design/errors#retrying_errors).
 */
const TRANSIENT = new Set([2, 4, 8, 13, 14]);
/** Five tries over about 7 s (0.5 + 1 + 2 + 4 s, each with up to half taken off by jitter). */
const API_RETRY = { attempts: 5, initialDelayMs: 500, multiplier: 2, maxDelayMs: 8000 };
/** True for errors another identical request may not hit. */
function isTransient(code) {
    return code !== undefined && TRANSIENT.has(code);
}
/** e.g. `UNAVAILABLE (HTTP 503)` for messages people can match against the docs. */
function describeCode(code) {
    if (code === undefined)
        return 'an error';
    const name = GRPC_CODE_NAMES[code] ?? `code ${code}`;
    const http = HTTP_OF_CODE[code];
    return http ? `${name} (HTTP ${http})` : name;
}
/**
 * The pause after failed try number `attempt` (1-based), or undefined when no try is left.
 * "Equal jitter": half the exponential delay plus a random share of the other half, so many runners
 * throttled at once do not come back in step. `random` is in [0, 1).
 */
function retryDelayMs(policy, attempt, random) {
    if (attempt >= policy.attempts)
        return undefined;
    const base = Math.min(policy.initialDelayMs * policy.multiplier ** (attempt - 1), policy.maxDelayMs);
    return Math.round(base / 2 + (base / 2) * Math.min(Math.max(random, 0), 1));
}

;// CONCATENATED MODULE: ./src/adapters/cloud-run.ts
// Cloud Run behind a small task-shaped port, over @google-cloud/run's REST transport (FACTS.md, client
// library behaviour). Converts between the client's objects and the core's plain JSON, waits for
// operations with a total deadline, and turns API failures into StepErrors that say what to do.



/** A Cloud Run operation failure with the revision's own reason when there is one. */
class DeployFailure extends errors/* StepError */.zg {
}
/** Cloud Run took the request but this run could not see the operation finish (polls failed, or the deadline passed). */
class OperationUnsettled extends errors/* StepError */.zg {
}
/** Someone else changed the service's traffic since this run set it: the run stops instead of overwriting. */
class ConcurrentChange extends errors/* StepError */.zg {
}
/** Traffic as a comparable key: order, LATEST vs names and empty tags do not matter. */
function trafficKey(traffic) {
    return JSON.stringify(traffic.map((t) => [t.type, t.revision ?? '', t.percent, t.tag ?? '']).sort());
}
/** Builds the port over the real client library. */
function createCloudRun(options) {
    const clientOptions = options.endpoint
        ? { ...options.endpoint, fallback: true, authClient: options.authClient }
        : { fallback: true, authClient: options.authClient };
    const services = new src/* ServicesClient */.WF(clientOptions);
    const revisions = new src/* RevisionsClient */.Uy(clientOptions);
    const policy = options.retry ?? API_RETRY;
    const sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    const random = options.random ?? Math.random;
    const now = options.now ?? Date.now;
    // One retry policy, ours: gax's own (GetService retries UNAVAILABLE for 10 s, nothing else) is off, so
    // a call is never retried twice over. Operations are polled by awaitOperation, not by gax.
    const once = { retry: null };
    /** Calls the API, trying again after transient errors with backoff and jitter, then failing clearly. */
    const withRetry = async (operation, target, call) => {
        for (let attempt = 1;; attempt++) {
            try {
                return await call();
            }
            catch (err) {
                const code = err.code;
                const pause = isTransient(code) ? retryDelayMs(policy, attempt, random()) : undefined;
                if (pause === undefined) {
                    if (isTransient(code))
                        throw new errors/* StepError */.zg(exhausted(operation, target, err, attempt));
                    throw err;
                }
                options.log?.(`Cloud Run answered ${describeCode(code)} to ${operation} ${target}; trying again in ${(pause / 1000).toFixed(1)} s (try ${attempt + 1} of ${policy.attempts}).`);
                await sleep(pause);
            }
        }
    };
    const fail = (operation, target, err) => {
        // gax wraps an auth failure (already explained by the auth adapter) in a code-7 GoogleError.
        const cause = err.cause;
        if (cause instanceof errors/* StepError */.zg)
            throw cause;
        throw new errors/* StepError */.zg({ operation, target, cause: err, hint: hintFor(err, options.project) });
    };
    const getService = async (name) => {
        try {
            const [svc] = await withRetry('read service', name, () => services.getService({ name }, once));
            return fromApi(svc);
        }
        catch (err) {
            if (err.code === 5)
                return undefined;
            return fail('read service', name, err);
        }
    };
    /**
     * Starts an operation and polls it (FACTS.md: LRO polling) until it is done or `operationTimeoutSeconds`
     * has passed. A transient error while polling is retried like any call; only a done operation's own
     * error is a DeployFailure (the revision's fault), so a flaky poll never reads as a failed revision.
     */
    const awaitOperation = async (operation, target, start) => {
        let op;
        try {
            [op] = (await withRetry(operation, target, start));
        }
        catch (err) {
            return fail(operation, target, err);
        }
        const deadline = now() + options.operationTimeoutSeconds * 1000;
        let delay = 100;
        let failedPolls = 0;
        for (;;) {
            try {
                const [result] = await op.getOperation();
                if (op.latestResponse.done)
                    return fromApi(result);
                failedPolls = 0;
            }
            catch (err) {
                const e = err;
                if (op.latestResponse.done) {
                    throw new DeployFailure({ operation, target, cause: err, hint: hintFor(e, options.project) });
                }
                const pause = isTransient(e.code) ? retryDelayMs(policy, ++failedPolls, random()) : undefined;
                if (pause === undefined) {
                    if (isTransient(e.code))
                        throw exhausted(`poll the operation to ${operation}`, target, err, failedPolls);
                    return fail(`poll the operation to ${operation}`, target, err);
                }
                options.log?.(`Cloud Run answered ${describeCode(e.code)} while polling the operation to ${operation} ${target}; polling again in ${(pause / 1000).toFixed(1)} s.`);
                delay = Math.max(delay, pause);
            }
            const left = deadline - now();
            if (left <= 0) {
                throw new OperationUnsettled({
                    operation,
                    target,
                    cause: `the operation did not finish within ${options.operationTimeoutSeconds} s (\`deploy_timeout\`)`,
                    hint: 'Cloud Run may still finish it: check the service, or raise `deploy_timeout`.',
                });
            }
            await sleep(Math.min(delay, left));
            // Short first polls (a traffic-only update is done in well under a second), backing off to 2 s.
            delay = Math.min(Math.round(delay * 1.5), 2000);
        }
    };
    /** A transient error that outlasted every retry: say how often, for how long, and what is left to do. */
    const exhausted = (operation, target, err, tries) => ({
        operation,
        target,
        cause: `Cloud Run answered ${describeCode(err.code)} ${tries} times in a row (last: ${err.message})`,
        hint: "Cloud Run is throttling or failing requests for now: retry the job later; if it persists, check the Cloud Run status page and the project's API quota.",
    });
    return {
        getService,
        applyService(service, action) {
            const body = toApi(service);
            if (action === 'create') {
                const [, project, , location, , id] = service.name.split('/');
                const { name: _name, etag: _etag, ...rest } = body;
                return awaitOperation('create service', service.name, () => services.createService({ parent: `projects/${project}/locations/${location}`, serviceId: id, service: rest }, once));
            }
            return awaitOperation('update service', service.name, () => services.updateService({ service: body }, once));
        },
        async setTraffic(name, traffic, opts = {}) {
            for (let attempt = 1;; attempt++) {
                const live = await getService(name);
                if (!live)
                    return fail('set traffic on', name, new Error('the service no longer exists'));
                const annotated = (svc) => !opts.annotations || Object.entries(opts.annotations).every(([k, v]) => svc.annotations?.[k] === v);
                // Already there (an earlier try of this very update landed but its answer was lost): done.
                if (trafficKey(live.traffic) === trafficKey(traffic) && annotated(live) && !live.reconciling)
                    return live;
                const allowed = opts.expectTraffic ? [opts.expectTraffic, ...(opts.alsoExpect ?? [])] : [];
                if (allowed.length > 0 && !allowed.some((t) => trafficKey(t) === trafficKey(live.traffic))) {
                    throw new ConcurrentChange({
                        operation: 'set traffic on',
                        target: name,
                        cause: `someone else changed its traffic since this run set it (expected ${JSON.stringify(opts.expectTraffic)}, found ${JSON.stringify(live.traffic)})`,
                        hint: 'This run did not overwrite it. Another release may be running: use a `concurrency:` group per service and region in the workflow.',
                    });
                }
                const annotations = opts.annotations
                    ? { ...(live.annotations ?? {}), ...opts.annotations }
                    : live.annotations;
                const body = toApi({ ...live, traffic, ...(annotations && { annotations }) });
                try {
                    return await awaitOperation('set traffic on', name, () => services.updateService({ service: body }, once));
                }
                catch (err) {
                    // A stale etag (ABORTED): someone wrote in between, or an earlier try of this update landed;
                    // re-read and check again, once.
                    const aborted = err instanceof errors/* StepError */.zg && /etag|ABORTED/i.test(err.message);
                    if (!aborted || attempt >= 2)
                        throw err;
                }
            }
        },
        async revisionFailure(service, revision) {
            try {
                const [rev] = await withRetry('read revision', revision, () => revisions.getRevision({ name: `${service}/revisions/${revision}` }, once));
                const ready = (rev.conditions ?? []).find((c) => c.type === 'Ready');
                if (!ready)
                    return undefined;
                const reason = ready.revisionReason && ready.revisionReason !== 'REVISION_REASON_UNDEFINED'
                    ? String(ready.revisionReason)
                    : ready.reason
                        ? String(ready.reason)
                        : undefined;
                return { reason, message: ready.message ?? undefined };
            }
            catch {
                return undefined;
            }
        },
        async setPublicAccess(name, allow) {
            try {
                const [policy] = await withRetry('read the IAM policy of', name, () => services.getIamPolicy({ resource: name }, once));
                const bindings = (policy.bindings ?? []).map((b) => ({
                    role: b.role ?? '',
                    members: [...(b.members ?? [])],
                }));
                let invoker = bindings.find((b) => b.role === 'roles/run.invoker');
                const has = Boolean(invoker?.members.includes('allUsers'));
                if (has === allow)
                    return 'unchanged';
                if (allow) {
                    if (!invoker)
                        bindings.push((invoker = { role: 'roles/run.invoker', members: [] }));
                    invoker.members.push('allUsers');
                }
                else if (invoker) {
                    invoker.members = invoker.members.filter((m) => m !== 'allUsers');
                }
                // The policy carries its etag, so a repeated try after a lost answer is refused, not doubled.
                await withRetry('set the IAM policy of', name, () => services.setIamPolicy({ resource: name, policy: { ...policy, bindings: bindings.filter((b) => b.members.length > 0) } }, once));
                return allow ? 'added' : 'removed';
            }
            catch (err) {
                return fail(allow ? 'allow unauthenticated access to' : 'remove unauthenticated access from', name, err);
            }
        },
        async close() {
            await Promise.all([services.close(), revisions.close()]);
        },
    };
}
/** What to do about an API error, by its gRPC code. */
function hintFor(err, project) {
    switch (err.code) {
        case 7:
            return `Grant the deploying identity roles/run.developer (or roles/run.admin to change IAM policies) on project ${project}, and roles/iam.serviceAccountUser on the runtime service account.`;
        case 16:
            return 'The credentials were not accepted: check the Workload Identity Federation setup or the credentials from google-github-actions/auth.';
        case 5:
            return 'Check `project_id` and `region`.';
        case 10:
            return 'Someone else changed the service at the same time; rerun, and use a `concurrency:` group per service and region in the workflow.';
        case 3:
            return 'Cloud Run refused the service definition; the message says which field.';
        case 9:
        case 13:
            return 'The revision did not become ready: see its logs; traffic stays where it was.';
        default:
            return 'Retry the job; if it keeps failing, check the Cloud Run status page and the service in the console.';
    }
}
/** The client's objects as the core's JSON: empty defaults dropped, Durations as "Ns", int64 as numbers, short revision names. */
function fromApi(raw) {
    const clean = JSON.parse(JSON.stringify(raw, (key, value) => {
        if (value === null || value === '' || (Array.isArray(value) && value.length === 0))
            return undefined;
        if (value && typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length === 0)
            return undefined;
        return value;
    }));
    const template = (clean.template ?? { containers: [] });
    template.containers ??= [];
    if (template.timeout && typeof template.timeout === 'object') {
        const d = template.timeout;
        template.timeout = `${Number(d.seconds ?? 0) + (d.nanos ?? 0) / 1e9}s`;
    }
    const short = (full) => (typeof full === 'string' ? full.split('/').pop() : undefined);
    // Operation results may carry numeric enums (FACTS.md "LRO results are decoded with numeric enums").
    const trafficType = (t) => t === 1 || t === 'TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST'
        ? 'TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST'
        : 'TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION';
    const ingress = [
        'INGRESS_TRAFFIC_UNSPECIFIED',
        'INGRESS_TRAFFIC_ALL',
        'INGRESS_TRAFFIC_INTERNAL_ONLY',
        'INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER',
        'INGRESS_TRAFFIC_NONE',
    ];
    if (typeof clean.ingress === 'number')
        clean.ingress = ingress[clean.ingress];
    return {
        ...clean,
        template,
        traffic: (clean.traffic ?? []).map((t) => ({
            ...t,
            type: trafficType(t.type),
            percent: t.percent ?? 0,
        })),
        trafficStatuses: clean.trafficStatuses?.map((t) => ({
            ...t,
            type: trafficType(t.type),
            percent: t.percent ?? 0,
        })),
        generation: clean.generation === undefined ? undefined : Number(clean.generation),
        observedGeneration: clean.observedGeneration === undefined ? undefined : Number(clean.observedGeneration),
        latestReadyRevision: short(clean.latestReadyRevision),
        latestCreatedRevision: short(clean.latestCreatedRevision),
    };
}
const OUTPUT_ONLY = [
    'uri',
    'urls',
    'generation',
    'observedGeneration',
    'reconciling',
    'latestReadyRevision',
    'latestCreatedRevision',
    'trafficStatuses',
    'terminalCondition',
    'conditions',
    'uid',
    'createTime',
    'updateTime',
    'creator',
    'lastModifier',
];
/** The core's JSON as the client expects it: Durations as `{ seconds }`, status fields left out. */
function toApi(service) {
    const body = structuredClone(service);
    for (const key of OUTPUT_ONLY)
        delete body[key];
    const template = body.template;
    if (typeof template.timeout === 'string')
        template.timeout = { seconds: Math.round(parseFloat(template.timeout)) };
    return body;
}


/***/ }),

/***/ 3916:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   zg: () => (/* binding */ StepError)
/* harmony export */ });
/* unused harmony exports InputError, LintError */
/** Every problem found in the action's inputs, reported together so one run shows them all. */
class InputError extends Error {
    problems;
    constructor(problems) {
        super(problems.map((p) => `\`${p.input}\`: ${p.message}`).join('\n'));
        this.name = 'InputError';
        this.problems = Object.freeze([...problems]);
    }
}
/** An I/O step that failed; its message names the operation, the target, the cause and a hint. */
class StepError extends Error {
    operation;
    target;
    hint;
    constructor(details) {
        super(`Failed to ${details.operation} ${details.target}: ${describeCause(details.cause)}. ${details.hint}`, {
            cause: details.cause,
        });
        this.name = 'StepError';
        this.operation = details.operation;
        this.target = details.target;
        this.hint = details.hint;
    }
}
function describeCause(cause) {
    const text = cause instanceof Error ? cause.message : String(cause);
    return text.replace(/[.\s]+$/, '') || 'unknown error';
}
/** The linter found problems that stop the release before anything is deployed. */
class LintError extends Error {
    findings;
    constructor(findings) {
        super(`The streaming linter stopped the release before deploying:\n${findings.map((f) => `- [${f.rule}] ${f.message} (${f.source})`).join('\n')}`);
        this.name = 'LintError';
        this.findings = Object.freeze([...findings]);
    }
}


/***/ }),

/***/ 3615:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   recoverRelease: () => (/* binding */ recoverRelease)
/* harmony export */ });
/* unused harmony exports describeTraffic, describeManualFix */
/* harmony import */ var _core_release_record__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(5970);
/* harmony import */ var _adapters_cloud_run__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(9082);


/** Applies planRecovery(record, mode) to the live service; never throws, a failure is `ok: false`. */
async function recoverRelease(record, mode, ports) {
    const { cloudRun, log } = ports;
    const recovery = (0,_core_release_record__WEBPACK_IMPORTED_MODULE_1__/* .planRecovery */ .lA)(record, mode);
    if (recovery.action === 'nothing' || !record) {
        return { action: 'nothing', ok: true, message: `Nothing to restore: ${recovery.reason}.` };
    }
    const { action, traffic } = recovery;
    const goal = action === 'finish' ? 'finish the promotion of' : 'restore the baseline of';
    const failed = (why) => ({
        action,
        ok: false,
        message: `Could not ${goal} ${record.service}: ${why} To set it by hand: ${describeManualFix(record.service, traffic)}`,
    });
    try {
        const live = await cloudRun.getService(record.service);
        if (!live)
            return failed('the service no longer exists.');
        // The annotation is written with each traffic change, so it can be newer than the runner state.
        const onService = (0,_core_release_record__WEBPACK_IMPORTED_MODULE_1__/* .decodeRecord */ .eT)(live.annotations?.[_core_release_record__WEBPACK_IMPORTED_MODULE_1__/* .RECORD_ANNOTATION */ .Mr]);
        if (onService && !isSameRelease(onService, record)) {
            return {
                action,
                ok: false,
                message: `Traffic on ${record.service} was left as it is: another release (${onService.candidate}, ${onService.origin}, ` +
                    `${onService.phase}) has recorded itself on the service since ${record.candidate}'s, and this step does not ` +
                    'overwrite it. Use a `concurrency:` group per service and region in the workflow.',
            };
        }
        if (mode === 'auto' && onService && onService.phase !== 'rolling-out') {
            return {
                action: 'nothing',
                ok: true,
                message: `Nothing to restore: the service records that the release of ${record.candidate} had already ended (${onService.phase}).`,
            };
        }
        log.info(`${action === 'finish' ? 'Finishing the promotion' : 'Restoring the baseline'} of ${record.service}: ${recovery.reason}.`);
        log.info(`Traffic now: ${describeTraffic(live.traffic)}; setting: ${describeTraffic(traffic)}.`);
        const phase = action === 'finish' ? 'promoted' : 'rolled-back';
        // One update, refused if the traffic moves between the read above and the write (FACTS.md "optimistic concurrency").
        await cloudRun.setTraffic(record.service, traffic, {
            expectTraffic: live.traffic,
            annotations: { [_core_release_record__WEBPACK_IMPORTED_MODULE_1__/* .RECORD_ANNOTATION */ .Mr]: (0,_core_release_record__WEBPACK_IMPORTED_MODULE_1__/* .encodeRecord */ .Ym)({ ...record, phase }) },
        });
        const after = await cloudRun.getService(record.service);
        if (!after || (0,_adapters_cloud_run__WEBPACK_IMPORTED_MODULE_0__/* .trafficKey */ .zD)(after.traffic) !== (0,_adapters_cloud_run__WEBPACK_IMPORTED_MODULE_0__/* .trafficKey */ .zD)(traffic)) {
            return failed(`after the update its traffic reads ${after ? describeTraffic(after.traffic) : '(service gone)'}.`);
        }
        const why = mode === 'rollback'
            ? `Restored the baseline recorded before ${record.candidate} (${record.origin})`
            : capitalize(recovery.reason);
        return {
            action,
            ok: true,
            traffic: after.traffic,
            message: `${why}. Traffic on ${record.service} is now ${describeTraffic(after.traffic)} (read back and verified).`,
        };
    }
    catch (err) {
        return failed(`${(err instanceof Error ? err.message : String(err)).replace(/\s+$/, '')}`);
    }
}
// Same release when candidate and start time match; the step and phase may differ (newer on the service).
function isSameRelease(a, b) {
    return a.candidate === b.candidate && a.startedAt === b.startedAt && a.service === b.service;
}
/** Traffic for people: `api-00001 70 %, api-00002 30 % (tag blue)`; tag-only entries as `tag pr-1 -> api-00003`. */
function describeTraffic(traffic) {
    const name = (t) => t.type === 'TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST' ? 'LATEST' : (t.revision ?? '?');
    const parts = traffic.map((t) => t.percent > 0
        ? `${name(t)} ${t.percent} %${t.tag ? ` (tag ${t.tag})` : ''}`
        : `tag ${t.tag ?? '(none)'} -> ${name(t)}`);
    return parts.length > 0 ? parts.join(', ') : '(none)';
}
/** The gcloud command that sets `traffic` on the service, for when the automatic restore fails. */
function describeManualFix(service, traffic) {
    const [, project, , region, , id] = service.split('/');
    const name = (t) => t.type === 'TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST' ? 'LATEST' : (t.revision ?? '');
    const split = traffic.filter((t) => t.percent > 0).map((t) => `${name(t)}=${t.percent}`);
    const tags = traffic.filter((t) => t.tag).map((t) => `${t.tag}=${name(t)}`);
    return (`gcloud run services update-traffic ${id} --region=${region} --project=${project} --to-revisions=${split.join(',')}` +
        (tags.length > 0 ? ` --set-tags=${tags.join(',')}` : ''));
}
function capitalize(text) {
    return text.charAt(0).toUpperCase() + text.slice(1);
}


/***/ })

};
;