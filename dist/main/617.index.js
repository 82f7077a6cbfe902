"use strict";
exports.id = 617;
exports.ids = [617,378];
exports.modules = {

/***/ 89082:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  yg: () => (/* binding */ ConcurrentChange),
  Qt: () => (/* binding */ DeployFailure),
  IA: () => (/* binding */ OperationUnsettled),
  XI: () => (/* binding */ createCloudRun)
});

// UNUSED EXPORTS: fromApi, toApi, trafficKey

// EXTERNAL MODULE: ./node_modules/@google-cloud/run/build/src/index.js
var src = __webpack_require__(89475);
// EXTERNAL MODULE: ./src/errors.ts
var errors = __webpack_require__(83916);
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

/***/ 85970:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
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

/***/ 25378:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   $: () => (/* binding */ planCandidate),
/* harmony export */   serviceName: () => (/* binding */ serviceName)
/* harmony export */ });
/* unused harmony export provenanceLabels */
const INGRESS = {
    all: 'INGRESS_TRAFFIC_ALL',
    internal: 'INGRESS_TRAFFIC_INTERNAL_ONLY',
    'internal-and-cloud-load-balancing': 'INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER',
    none: 'INGRESS_TRAFFIC_NONE',
};
/** Labels that say who deployed what from which commit; values follow Cloud Run's label syntax. */
function provenanceLabels(context) {
    const clean = (value) => value
        .toLowerCase()
        .replace(/[^a-z0-9_-]+/g, '-')
        .slice(0, 63);
    return {
        'managed-by': 'stream-deploy',
        'stream-deploy-commit': clean(context.sha),
        'stream-deploy-run': clean(`${context.runId}-${context.runAttempt}`),
        'stream-deploy-actor': clean(context.actor),
        'stream-deploy-repo': clean(context.repository),
    };
}
/** The service name `projects/P/locations/L/services/S` for a config. */
function serviceName(config) {
    return `projects/${config.projectId}/locations/${config.region}/services/${config.service}`;
}
/** Plans the candidate revision and its 0 % tagged traffic entry against the live service. */
function planCandidate(config, current, context) {
    const revision = `${config.service}-${config.revisionSuffix}`;
    const labels = { ...(current?.labels ?? {}), ...config.labels, 'managed-by': 'stream-deploy' };
    const template = planTemplate(config, current?.template, revision, context);
    const notes = [];
    // What LATEST means now. Not necessarily what serves: a candidate rolled back earlier can be the latest ready.
    const latestReady = current?.latestReadyRevision || undefined;
    let traffic;
    let takesAllTraffic = false;
    if (!current || !latestReady) {
        // FACTS.md "first deploy": the API needs 100 % somewhere, so the first revision takes all traffic.
        traffic = [{ type: 'TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION', revision, percent: 100, tag: config.tag }];
        takesAllTraffic = true;
        notes.push(current
            ? `Service ${config.service} has no ready revision, so ${revision} takes all traffic at once.`
            : `First deploy of ${config.service}: ${revision} takes all traffic, since no earlier revision can serve.`);
    }
    else {
        traffic = [
            ...pinLatest(current.traffic, latestReady, config.tag),
            { type: 'TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION', revision, percent: 0, tag: config.tag },
        ];
        notes.push(`${revision} gets no traffic; it is reachable only through tag ${config.tag}.`);
    }
    const desired = {
        name: serviceName(config),
        labels,
        template,
        traffic,
    };
    if (current?.annotations && Object.keys(current.annotations).length > 0)
        desired.annotations = { ...current.annotations };
    const ingress = config.ingress ? INGRESS[config.ingress] : current?.ingress;
    if (ingress)
        desired.ingress = ingress;
    if (current?.invokerIamDisabled !== undefined)
        desired.invokerIamDisabled = current.invokerIamDisabled;
    if (current?.customAudiences?.length)
        desired.customAudiences = [...current.customAudiences];
    if (current?.etag)
        desired.etag = current.etag;
    const previousRevision = current && latestReady ? servingRevision(pinLatest(current.traffic, latestReady)) : undefined;
    return {
        action: current ? 'update' : 'create',
        desired,
        revision,
        previousRevision,
        baselineTraffic: current ? current.traffic.map((t) => ({ ...t })) : [],
        restoreTraffic: current && latestReady ? pinLatest(current.traffic, latestReady) : [],
        tag: config.tag,
        takesAllTraffic,
        notes,
    };
}
/** The revision with the largest share of the traffic (the first one on a tie): what served before this run. */
function servingRevision(traffic) {
    const shares = new Map();
    for (const t of traffic)
        if (t.revision && t.percent > 0)
            shares.set(t.revision, (shares.get(t.revision) ?? 0) + t.percent);
    let best;
    for (const [revision, percent] of shares)
        if (best === undefined || percent > shares.get(best))
            best = revision;
    return best;
}
/** Replaces LATEST by the ready revision's short name and, given a tag, takes it off every target (FACTS.md "--no-traffic --tag X in v2 terms"). */
function pinLatest(traffic, latestReady, tag) {
    const out = [];
    for (const t of traffic) {
        const pinned = t.type === 'TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST'
            ? {
                type: 'TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION',
                revision: latestReady,
                percent: t.percent,
                ...(t.tag ? { tag: t.tag } : {}),
            }
            : { ...t };
        if (tag !== undefined && pinned.tag === tag) {
            if (pinned.percent === 0)
                continue;
            delete pinned.tag;
        }
        out.push(pinned);
    }
    return out;
}
function planTemplate(config, live, revision, context) {
    const s = config.streaming;
    const base = live ? structuredClone(live) : { containers: [] };
    const liveContainer = base.containers[0] ?? { image: config.image };
    const container = planContainer(config, liveContainer);
    const template = {
        ...base,
        revision,
        labels: { ...(base.labels ?? {}), ...config.labels, ...provenanceLabels(context) },
        timeout: `${s.timeoutSeconds}s`,
        maxInstanceRequestConcurrency: s.concurrency,
        scaling: {
            ...(base.scaling ?? {}),
            minInstanceCount: s.minInstances,
            ...(config.maxInstances !== undefined ? { maxInstanceCount: config.maxInstances } : {}),
        },
        sessionAffinity: s.sessionAffinity,
        containers: [container, ...base.containers.slice(1)],
    };
    if (config.executionEnvironment)
        template.executionEnvironment =
            config.executionEnvironment === 'gen1' ? 'EXECUTION_ENVIRONMENT_GEN1' : 'EXECUTION_ENVIRONMENT_GEN2';
    if (config.runtimeServiceAccount)
        template.serviceAccount = config.runtimeServiceAccount;
    return template;
}
function planContainer(config, live) {
    const s = config.streaming;
    const livePort = live.ports?.[0];
    const limits = { ...(live.resources?.limits ?? {}) };
    if (config.cpu)
        limits.cpu = config.cpu;
    if (config.memory)
        limits.memory = config.memory;
    const resources = {
        ...(Object.keys(limits).length > 0 ? { limits } : {}),
        // FACTS.md "CPU always allocated": with `resources` sent, cpuIdle false means always allocated.
        cpuIdle: !s.cpuAlwaysAllocated,
    };
    const boost = config.startupCpuBoost ?? live.resources?.startupCpuBoost;
    if (boost !== undefined)
        resources.startupCpuBoost = boost;
    return {
        ...structuredClone(live),
        image: config.image,
        env: planEnv(config, live.env ?? []),
        // FACTS.md "end-to-end HTTP/2": the one port is named h2c, else http1.
        ports: [
            { name: s.useHttp2 ? 'h2c' : 'http1', containerPort: config.port ?? livePort?.containerPort ?? 8080 },
        ],
        resources,
    };
}
/** The live env with the inputs' variables and secrets upserted, in input order, values byte for byte. */
function planEnv(config, live) {
    const setting = new Set([...config.envVars.map((e) => e.name), ...config.secrets.map((e) => e.name)]);
    return [
        ...live.filter((e) => !setting.has(e.name)).map((e) => structuredClone(e)),
        ...config.envVars.map((e) => ({ name: e.name, value: e.value })),
        ...config.secrets.map((e) => ({
            name: e.name,
            valueSource: { secretKeyRef: { secret: e.ref.secret, version: e.ref.version } },
        })),
    ];
}


/***/ }),

/***/ 17617:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  run: () => (/* binding */ run)
});

// UNUSED EXPORTS: describeTraffic

// EXTERNAL MODULE: ./src/core/service-plan.ts
var service_plan = __webpack_require__(25378);
;// CONCATENATED MODULE: ./src/core/streaming-lint.ts
// The streaming linter: checks the revision the planner will send against Cloud Run's streaming pitfalls
// before anything is deployed. Pure: it reads the planned service (the effective settings, which may come
// from the live service rather than the inputs) and the config (the profile's intent, auth, invoker policy).
/** A stream shorter than this is cut so often that streaming barely works: stop the release. */
const TIMEOUT_ERROR_BELOW_SECONDS = 60;
/** Below this, every client is cut and reconnects more than four times an hour: worth a warning. */
const TIMEOUT_WARNING_BELOW_SECONDS = 900;
/** Above this many open streams per instance, one instance carries too many users. */
const CONCURRENCY_WARNING_ABOVE = 500;
const STREAMING_PROFILES = new Set(['sse', 'websocket', 'grpc']);
const DOCS = 'https://cloud.google.com/run/docs';
// Checks the planned revision against Cloud Run's streaming pitfalls; errors first, then warnings.
function lintStreaming(config, planned) {
    const effective = readEffectiveSettings(planned);
    const findings = RULES.flatMap((rule) => rule(config, effective));
    return [
        ...findings.filter((f) => f.severity === 'error'),
        ...findings.filter((f) => f.severity === 'warning'),
    ];
}
// Errors always stop the release; warnings stop it only when the team chose `lint_level: strict`.
function blockingFindings(findings, lintLevel) {
    return findings.filter((f) => f.severity === 'error' || lintLevel === 'strict');
}
const RULES = [
    checkTimeout,
    checkWebSocketHttp2,
    checkWebSocketAffinity,
    checkGrpcHttp2,
    checkCpuAllocation,
    checkMinInstances,
    checkConcurrency,
    checkIngress,
    checkSmokeIdentity,
];
function readEffectiveSettings(planned) {
    const template = planned.template;
    const container = template.containers[0];
    const resources = container?.resources;
    return {
        // FACTS.md "request timeout": default 300 s.
        timeoutSeconds: template.timeout === undefined ? 300 : parseDurationSeconds(template.timeout),
        // FACTS.md "concurrency": 0 or absent means the default, 80.
        concurrency: template.maxInstanceRequestConcurrency || 80,
        minInstances: template.scaling?.minInstanceCount ?? 0,
        sessionAffinity: template.sessionAffinity === true,
        // FACTS.md "end-to-end HTTP/2": the port named h2c; anything else is HTTP/1 to the container.
        http2: container?.ports?.[0]?.name === 'h2c',
        // FACTS.md "CPU always allocated": with `resources` sent, always allocated unless cpuIdle is true. A
        // service created without `resources` gets CPU only during requests.
        cpuAlwaysAllocated: resources !== undefined && resources.cpuIdle !== true,
        ingress: planned.ingress ?? 'INGRESS_TRAFFIC_ALL',
        invokerIamDisabled: planned.invokerIamDisabled === true,
    };
}
function parseDurationSeconds(duration) {
    const match = /^(\d+(?:\.\d+)?)s$/.exec(duration.trim());
    return match ? Number(match[1]) : undefined;
}
function isStreaming(config) {
    return STREAMING_PROFILES.has(config.profile);
}
function describeDuration(seconds) {
    if (seconds < 120)
        return `${seconds} s`;
    const minutes = seconds / 60;
    return Number.isInteger(minutes)
        ? `${minutes} minutes`
        : `${seconds} s (about ${Math.round(minutes)} minutes)`;
}
// FACTS.md "A stream is one request": it lives until it closes or the request timeout cuts it.
function checkTimeout(config, s) {
    const seconds = s.timeoutSeconds;
    if (!isStreaming(config) || seconds === undefined || seconds >= TIMEOUT_WARNING_BELOW_SECONDS)
        return [];
    const severity = seconds < TIMEOUT_ERROR_BELOW_SECONDS ? 'error' : 'warning';
    const reconnects = Math.ceil(3600 / seconds);
    return [
        {
            rule: 'timeout-too-short',
            severity,
            message: `Service \`${config.service}\` (profile \`${config.profile}\`) has a request timeout of ${describeDuration(seconds)}. ` +
                `On Cloud Run a stream is one request, and Cloud Run cuts every stream at the request timeout ` +
                `(the 300 s default ends streams after 5 minutes): every client is disconnected at least ` +
                `${reconnects} times an hour, and each cut is a reconnect, a replay and a gap for users. ` +
                `Set \`timeout: 3600\` (the maximum) and make clients reconnect when the stream ends.`,
            source: `FACTS.md "A stream is one request" and "request timeout"; ${DOCS}/configuring/request-timeout`,
        },
    ];
}
// FACTS.md "WebSockets": do NOT enable end-to-end HTTP/2 for WebSocket services.
function checkWebSocketHttp2(config, s) {
    if (config.profile !== 'websocket' || !s.http2)
        return [];
    return [
        {
            rule: 'websocket-http2',
            severity: 'error',
            message: `Service \`${config.service}\` (profile \`websocket\`) would run with end-to-end HTTP/2 (port named \`h2c\`). ` +
                `Cloud Run's WebSocket guide says not to enable end-to-end HTTP/2 for WebSockets: the WebSocket ` +
                `upgrade is an HTTP/1.1 mechanism, and clients' upgrade handshakes can fail so no socket opens. ` +
                `Set \`use_http2: false\`.`,
            source: `FACTS.md "Streaming on Cloud Run" (WebSockets); ${DOCS}/triggering/websockets`,
        },
    ];
}
// FACTS.md "WebSockets": consider session affinity; FACTS.md "session affinity": best effort, cookie based.
function checkWebSocketAffinity(config, s) {
    if (config.profile !== 'websocket' || s.sessionAffinity)
        return [];
    return [
        {
            rule: 'websocket-no-affinity',
            severity: 'warning',
            message: `Service \`${config.service}\` (profile \`websocket\`) has session affinity off. When a socket drops ` +
                `(request timeout, scale-in, deploy), the client's reconnect can land on any instance, so state the ` +
                `old instance kept for that client (subscriptions, buffers, rooms) is gone and the client starts over. ` +
                `Set \`session_affinity: true\` (best effort: keep shared state outside the instance as well).`,
            source: `FACTS.md "Streaming on Cloud Run" (WebSockets, session affinity) and "session affinity"; ${DOCS}/triggering/websockets; ${DOCS}/configuring/session-affinity`,
        },
    ];
}
// Streaming gRPC needs HTTP/2 to the container (cloud.google.com/run/docs/triggering/grpc).
function checkGrpcHttp2(config, s) {
    if (config.profile !== 'grpc' || s.http2)
        return [];
    return [
        {
            rule: 'grpc-no-http2',
            severity: 'warning',
            message: `Service \`${config.service}\` (profile \`grpc\`) has no end-to-end HTTP/2 (its port is not named \`h2c\`). ` +
                `Cloud Run's gRPC guide requires HTTP/2 for streaming gRPC: client-streaming and bidirectional RPCs ` +
                `(and metadata) do not work over the HTTP/1 hop Cloud Run otherwise uses to reach the container; ` +
                `only simple unary calls may. Set \`use_http2: true\` and make the server accept h2c (cleartext HTTP/2).`,
            source: `FACTS.md "end-to-end HTTP/2"; ${DOCS}/triggering/grpc; ${DOCS}/configuring/http2`,
        },
    ];
}
// FACTS.md "CPU always allocated": without it an instance's CPU is throttled outside requests.
function checkCpuAllocation(config, s) {
    if (!isStreaming(config) || s.cpuAlwaysAllocated)
        return [];
    return [
        {
            rule: 'cpu-throttled',
            severity: 'warning',
            message: `Service \`${config.service}\` (profile \`${config.profile}\`) gets CPU only while requests are in ` +
                `flight (request-based billing). An open stream is a request, so an instance has CPU while a stream ` +
                `is open; but everything outside a request is throttled to almost nothing: timers and heartbeats on ` +
                `an instance whose streams have all closed, upstream subscriptions that fill replay buffers between ` +
                `connections, and work after a stream ends (flushing, cleanup). Those stall or fire late, so ` +
                `reconnecting clients can miss events and upstream leases can expire. ` +
                `Set \`cpu_always_allocated: true\` (instance-based billing: you pay for idle instances too).`,
            source: `FACTS.md "CPU always allocated"; ${DOCS}/configuring/billing-settings; ${DOCS}/tips/general`,
        },
    ];
}
// FACTS.md "scaling": min instances default 0; a streaming service's clients reconnect in bursts.
function checkMinInstances(config, s) {
    if (!isStreaming(config) || s.minInstances > 0)
        return [];
    return [
        {
            rule: 'min-instances-zero',
            severity: 'warning',
            message: `Service \`${config.service}\` (profile \`${config.profile}\`) keeps no instance warm (min instances 0). ` +
                `Streaming clients reconnect together, after a deploy, a scale-in or a request timeout cut, and with ` +
                `no warm instance that reconnect storm waits on cold starts, so users see stalled streams and ` +
                `retries. Set \`min_instances: 1\` or more (each warm instance is billed while idle).`,
            source: `FACTS.md "scaling" and "A stream is one request"; ${DOCS}/configuring/min-instances`,
        },
    ];
}
// FACTS.md "concurrency": each open stream holds one request slot for its whole life.
function checkConcurrency(config, s) {
    if (!isStreaming(config))
        return [];
    if (s.concurrency === 1) {
        return [
            {
                rule: 'concurrency-one',
                severity: 'warning',
                message: `Service \`${config.service}\` (profile \`${config.profile}\`) allows 1 request per instance. Each ` +
                    `open stream holds its request for its whole life, so every connected client needs an instance of ` +
                    `its own: you pay for one instance per open stream (mostly idle, waiting to push), and ` +
                    `\`max_instances\` caps how many clients can connect at all. Set \`concurrency\` to what one ` +
                    `instance can carry, e.g. \`concurrency: 250\` for SSE or WebSocket.`,
                source: `FACTS.md "concurrency" and "A stream is one request"; ${DOCS}/about-concurrency`,
            },
        ];
    }
    if (s.concurrency > CONCURRENCY_WARNING_ABOVE) {
        return [
            {
                rule: 'concurrency-too-high',
                severity: 'warning',
                message: `Service \`${config.service}\` (profile \`${config.profile}\`) allows ${s.concurrency} requests per ` +
                    `instance. Streams are long-lived, so one instance can hold that many users at once, sharing its ` +
                    `memory and CPU: a slow or crashing instance, or a scale-in, drops all of them together and they ` +
                    `reconnect in one burst, and Cloud Run adds instances only when the slots fill. ` +
                    `Set \`concurrency\` to what one instance has been measured to carry, e.g. \`concurrency: 250\`.`,
                source: `FACTS.md "concurrency" and "A stream is one request"; ${DOCS}/about-concurrency`,
            },
        ];
    }
    return [];
}
/** Ingress settings that keep the GitHub runner out, described for the message. */
const RESTRICTED_INGRESS = {
    INGRESS_TRAFFIC_INTERNAL_ONLY: 'internal-only ingress',
    INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER: 'ingress limited to internal sources and Cloud Load Balancing',
    INGRESS_TRAFFIC_NONE: 'ingress closed to all traffic',
};
// The smoke test calls the candidate's tag URL (a run.app URL) from the GitHub runner, outside any VPC.
function checkIngress(config, s) {
    const described = RESTRICTED_INGRESS[s.ingress];
    // Without a smoke test (`smoke_protocol: none`) or with `smoke_url` (e.g. a self-hosted runner inside the VPC
    // or a load balancer), nothing needs to reach the tag URL from the runner.
    if (described === undefined || !config.smoke || config.smokeUrl)
        return [];
    return [
        {
            rule: 'ingress-internal-smoke',
            severity: 'error',
            message: `Service \`${config.service}\` would have ${described} (\`${s.ingress}\`). The smoke test must reach ` +
                `the candidate's tag URL, a run.app address, from the GitHub runner, which is outside your VPC: ` +
                `Cloud Run refuses those requests (404), so the candidate could never pass its smoke test. ` +
                `Set \`ingress: all\` (and leave \`allow_unauthenticated\` unset or false so IAM still guards the service).`,
            source: `FACTS.md "ingress"; ${DOCS}/securing/ingress`,
        },
    ];
}
// FACTS.md "Private services" and WIF point 5: the smoke test needs an ID token; direct WIF cannot mint one.
function checkSmokeIdentity(config, s) {
    const directWif = config.workloadIdentityProvider !== undefined && config.serviceAccount === undefined;
    if (!directWif || config.allowUnauthenticated === true || s.invokerIamDisabled)
        return [];
    const explicit = config.allowUnauthenticated === false;
    return [
        {
            rule: 'private-no-idtoken',
            severity: explicit ? 'error' : 'warning',
            message: (explicit
                ? `Service \`${config.service}\` is private (\`allow_unauthenticated: false\`), `
                : `Service \`${config.service}\` may be private (\`allow_unauthenticated\` is unset, so its invoker ` +
                    `policy is left as it is), `) +
                `so the smoke test needs an ID token for the service URL, and direct Workload Identity Federation ` +
                `(\`workload_identity_provider\` without \`service_account\`) cannot mint ID tokens: the smoke test ` +
                `would get 401/403 and the candidate could never pass. Set \`service_account\` to an account the ` +
                `provider may impersonate (roles/iam.workloadIdentityUser on it, and roles/run.invoker on the ` +
                `service), or set \`allow_unauthenticated: true\` if the service is meant to be public.`,
            source: `FACTS.md "Workload Identity Federation" point 5 and "Private services"; ${DOCS}/authenticating/service-to-service`,
        },
    ];
}

// EXTERNAL MODULE: ./src/errors.ts
var errors = __webpack_require__(83916);
// EXTERNAL MODULE: ./src/adapters/cloud-run.ts + 1 modules
var cloud_run = __webpack_require__(89082);
// EXTERNAL MODULE: ./src/core/smoke-verdict.ts
var smoke_verdict = __webpack_require__(28198);
// EXTERNAL MODULE: ./src/core/release-record.ts
var release_record = __webpack_require__(85970);
;// CONCATENATED MODULE: ./src/core/traffic-plan.ts
const REVISION = 'TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION';
const LATEST = 'TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST';
/**
 * The traffic for each step, from the pinned baseline (`CandidatePlan.restoreTraffic`, no LATEST entries).
 *
 * - The candidate gets the step's percent on one entry that carries its tag at every step.
 * - Baseline entries serving traffic share the rest in their original proportions, as whole percents that
 *   sum to exactly 100 (largest remainder; ties go to the earlier entry). An entry rounded down to 0 % stays
 *   as a 0 % entry only when it carries a tag (user tags stay where they are); otherwise it is left out.
 * - 0 % tag-only entries stay exactly as they are; untagged 0 % entries carry nothing and are left out.
 * - The candidate's tag moves to the candidate: a baseline entry carrying it loses it (tags are unique in
 *   a service's traffic; planCandidate moved it the same way, FACTS.md "--no-traffic --tag X in v2 terms").
 * - If the baseline already names the candidate (it should not: the candidate is new), those entries' percents
 *   are not part of the baseline share: the candidate gets exactly the step's percent on its one entry and the
 *   other baseline revisions share the rest; a user tag on such an entry stays on a 0 % entry. When no other
 *   revision serves (e.g. an empty baseline), the candidate takes 100 % at every step, as nothing else can.
 * - A partial canary (last step below 100) stops at its last step; `followLatest` applies only at 100 %.
 *
 * Throws on a LATEST entry in the baseline or a step outside 0..100 (caller bugs: the plan would be wrong).
 */
function planSteps(restoreTraffic, candidate, tag, stepPercents, options) {
    if (restoreTraffic.some((t) => t.type === LATEST || !t.revision)) {
        throw new Error('planSteps: the baseline must name revisions explicitly (pin LATEST first)');
    }
    const bad = stepPercents.find((p) => !Number.isInteger(p) || p < 0 || p > 100);
    if (bad !== undefined)
        throw new Error(`planSteps: step percent ${bad} is not a whole number from 0 to 100`);
    // The baseline with the candidate's tag taken off; the candidate's own entries reduced to their user tags.
    const baseline = restoreTraffic.map((t) => {
        const entry = { type: REVISION, revision: t.revision, percent: t.percent };
        if (t.tag && t.tag !== tag)
            entry.tag = t.tag;
        if (t.revision === candidate)
            entry.percent = 0;
        return entry;
    });
    const serving = baseline.map((t, i) => ({ index: i, weight: t.percent })).filter((s) => s.weight > 0);
    const last = stepPercents.length - 1;
    return stepPercents.map((percent, step) => {
        const candidatePercent = serving.length === 0 ? 100 : percent;
        const shares = shareRemainder(100 - candidatePercent, serving.map((s) => s.weight));
        const shareOf = new Map(serving.map((s, k) => [s.index, shares[k]]));
        const traffic = [];
        baseline.forEach((t, i) => {
            const p = shareOf.get(i) ?? 0;
            if (p === 0 && !t.tag)
                return;
            traffic.push({ ...t, percent: p });
        });
        if (options.followLatest && step === last && percent === 100) {
            // LATEST only on request: a LATEST entry sends all traffic to whatever revision becomes ready next, so
            // every later deploy (including a plain `gcloud run deploy` or a broken image) goes live at once with no
            // canary. The candidate keeps its tag on a 0 % entry so its tag URL keeps working (FACTS.md "traffic":
            // a 0 % tag-only entry may sit beside the revision's percent entry).
            traffic.push({ type: REVISION, revision: candidate, percent: 0, tag });
            traffic.push({ type: LATEST, percent: 100 });
        }
        else {
            traffic.push({ type: REVISION, revision: candidate, percent: candidatePercent, tag });
        }
        return traffic;
    });
}
/** `total` split in proportion to `weights` as whole numbers summing to `total` (largest remainder, ties to the earlier). */
function shareRemainder(total, weights) {
    const sum = weights.reduce((a, b) => a + b, 0);
    if (weights.length === 0 || sum === 0)
        return weights.map(() => 0);
    // Integer arithmetic: floor and remainder of total * w / sum, so no rounding error decides a tie.
    const parts = weights.map((w, i) => ({ i, floor: Math.floor((total * w) / sum), rest: (total * w) % sum }));
    let left = total - parts.reduce((a, p) => a + p.floor, 0);
    const order = [...parts].sort((a, b) => b.rest - a.rest || a.i - b.i);
    const out = parts.map((p) => p.floor);
    for (const p of order) {
        if (left <= 0)
            break;
        out[p.i] += 1;
        left -= 1;
    }
    return out;
}
/** Share checks with fewer identified requests than this are judged, but the detail says the sample is small. */
const SMALL_SAMPLE = 20;
/**
 * The share check: did the service URL send about `percent` % of the identified requests to the candidate?
 * Tolerance, in percentage points: the larger of 3 binomial standard deviations (sampling noise) and a floor
 * of min(10, p/2, (100-p)/2) for what sampling does not explain (FACTS.md "Session affinity is best effort").
 * The floor shrinks at small shares so that a candidate getting nothing at 10 % fails once the sample is big
 * enough to show it (a flat 10-point floor would pass 0 of 1000 at 10 %). At 0 % and 100 % it must be exact.
 * Responses that do not identify their revision are not counted; when none do, the check is not made (ok).
 * An empty sample fails: a gate with no evidence must not pass.
 */
function judgeShare(sample, percent) {
    const { total, candidate, unidentified } = sample;
    if (total <= 0) {
        return {
            ok: false,
            detail: `no requests were sampled through the service URL; expected ${percent} % on the candidate`,
        };
    }
    if (unidentified >= total) {
        return { ok: true, detail: 'not checked: responses do not identify their revision' };
    }
    const n = total - unidentified;
    const observed = (100 * candidate) / n;
    const tolerance = shareTolerance(percent, n);
    const ok = Math.abs(observed - percent) <= tolerance + 1e-9;
    const notes = [];
    if (unidentified > 0)
        notes.push(`${unidentified} of ${total} responses did not identify their revision and were not counted`);
    if (n < SMALL_SAMPLE)
        notes.push(`small sample: ${n} identified requests`);
    const expected = percent === 0 || percent === 100 ? `exactly ${percent} %` : `${percent} % ± ${round1(tolerance)} points`;
    const detail = `service URL sent ${candidate} of ${n} identified requests (${round1(observed)} %) to the candidate; ` +
        `expected ${expected}${ok ? '' : ': outside the expected share'}` +
        (notes.length ? ` (${notes.join('; ')})` : '');
    return { ok, detail };
}
/** Allowed distance in percentage points between the observed and the configured share, for n identified requests. */
function shareTolerance(percent, n) {
    if (percent <= 0 || percent >= 100)
        return 0;
    const noise = 3 * Math.sqrt((percent * (100 - percent)) / n);
    const floor = Math.min(10, percent / 2, (100 - percent) / 2);
    return Math.max(noise, floor);
}
function round1(x) {
    return (Math.round(x * 10) / 10).toFixed(1);
}
/** The latest moment a stream on an old revision can still be open: the final shift plus the request timeout (FACTS.md "A traffic change steers only new requests", "A stream is one request"). */
function drainDeadline(finalShiftAt, timeoutSeconds) {
    return new Date(finalShiftAt.getTime() + timeoutSeconds * 1000);
}

;// CONCATENATED MODULE: ./src/run.ts








/** Deploys the candidate revision with no traffic and its tag URL; throws StepError or LintError. */
async function run(config, context, ports) {
    const { cloudRun, log } = ports;
    const name = (0,service_plan.serviceName)(config);
    const current = await log.group(`Read service ${config.service} (${config.region})`, async () => {
        const svc = await cloudRun.getService(name);
        log.info(svc
            ? `Found ${name}; ready revision ${svc.latestReadyRevision ?? 'none'}; traffic ${describeTraffic(svc.traffic)}.`
            : `${name} does not exist yet.`);
        return svc;
    });
    const live = current ? await resumeUnfinished(current, ports) : current;
    const plan = (0,service_plan/* planCandidate */.$)(config, live, context);
    const findings = lintStreaming(config, plan.desired);
    await log.group(`Lint streaming settings (${config.profile} profile)`, async () => {
        if (findings.length === 0)
            log.info('No streaming pitfalls found.');
        for (const f of findings)
            (f.severity === 'error' ? log.error : log.warning)(`[${f.rule}] ${f.message} (${f.source})`);
    });
    await ports.report?.({
        phase: 'planned',
        revision: plan.revision,
        previousRevision: plan.previousRevision,
        baselineTraffic: plan.baselineTraffic,
        restoreTraffic: plan.restoreTraffic,
        plannedTraffic: plannedTraffic(config, plan),
        findings,
        steps: config.rollout === 'candidate' || plan.takesAllTraffic
            ? []
            : config.trafficSteps.map((percent) => ({ percent, status: 'pending' })),
    });
    const blocking = blockingFindings(findings, config.lintLevel);
    if (blocking.length > 0)
        throw new errors/* LintError */.kk(blocking);
    const title = plan.takesAllTraffic
        ? `Deploy ${plan.revision} (first ready revision: all traffic)`
        : `Deploy candidate ${plan.revision} (no traffic)`;
    const deployed = await log.group(title, async () => {
        for (const note of plan.notes)
            log.info(note);
        log.debug(`Service sent: ${JSON.stringify(plan.desired)}`);
        try {
            return await cloudRun.applyService(plan.desired, plan.action);
        }
        catch (err) {
            // Cloud Run took the update: the revision failed, or its outcome is unknown (polls failed, deadline).
            if (err instanceof cloud_run/* DeployFailure */.Qt || err instanceof cloud_run/* OperationUnsettled */.IA)
                throw await explainFailedRevision(plan, name, err, ports);
            throw err;
        }
    });
    const tagUrl = deployed.trafficStatuses?.find((t) => t.tag === config.tag)?.uri;
    if (!deployed.uri || !tagUrl) {
        throw new errors/* StepError */.zg({
            operation: 'read the URLs of',
            target: name,
            cause: `Cloud Run reported ${deployed.uri ? 'no URL for tag ' + config.tag : 'no service URL'}`,
            hint: 'Tag URLs come from trafficStatuses[].uri (FACTS.md "tag URLs"); check that the service has a default URL (defaultUriDisabled).',
        });
    }
    log.info(`Candidate ${plan.revision} is ready at ${tagUrl}; service URL ${deployed.uri}; traffic ${describeTraffic(deployed.traffic)}.`);
    await ports.report?.({
        phase: 'candidate-up',
        tagUrl,
        serviceUrl: deployed.uri,
        traffic: deployed.traffic,
    });
    let publicAccess;
    if (config.allowUnauthenticated !== undefined) {
        publicAccess = await log.group(config.allowUnauthenticated ? 'Allow unauthenticated invocations' : 'Require authenticated invocations', async () => {
            const change = await cloudRun.setPublicAccess(name, config.allowUnauthenticated);
            log.info(`allUsers as roles/run.invoker: ${change}.`);
            return change;
        });
    }
    const result = {
        url: deployed.uri,
        tagUrl,
        revision: plan.revision,
        previousRevision: plan.previousRevision,
        traffic: deployed.traffic,
        findings,
        tookAllTraffic: plan.takesAllTraffic,
        publicAccess,
        verdict: 'candidate',
    };
    if (!config.smoke) {
        log.warning('The smoke test is off (`smoke_protocol: none`): nothing checked that the candidate streams.');
        return rollOut(config, plan, result, name, ports);
    }
    const origins = [deployed.uri, ...(deployed.trafficStatuses ?? []).map((t) => t.uri)].filter((u) => Boolean(u));
    const target = config.smokeUrl ?? tagUrl;
    const smoke = await log.group(`Smoke test ${config.smoke.protocol.toUpperCase()} via ${config.smokeUrl ? target : `tag ${config.tag}`}`, async () => {
        const token = await mintIdToken(config, deployed.uri, publicAccess, ports);
        const outcome = await ports.smoke.run(target, config.smoke, origins, token);
        for (const check of outcome.checks)
            (check.ok ? log.info : log.error)(`${check.ok ? 'ok  ' : 'FAIL'} ${check.name}: ${check.detail}`);
        log.info((0,smoke_verdict/* summarizeSmoke */.dH)(outcome));
        return outcome;
    });
    result.smoke = smoke;
    await ports.report?.({ phase: 'smoke-tested', smoke });
    if (smoke.verdict === 'pass')
        return rollOut(config, plan, result, name, ports);
    result.verdict = 'failed';
    const traffic = await log.group(config.keepFailedCandidate
        ? `Keep failed candidate ${plan.revision} for debugging`
        : `Remove tag ${config.tag} from failed candidate ${plan.revision}`, () => settleFailedCandidate(config, plan, name, ports));
    result.traffic = traffic.traffic;
    result.failure = `The smoke test through ${target} ${smoke.verdict === 'fail' ? 'failed' : 'was inconclusive'}, so ${plan.revision} gets no traffic.\n${(0,smoke_verdict/* describeFailures */.ng)(smoke)}\n${traffic.state}`;
    return result;
}
/** A release left unfinished by an earlier run (killed without its post step): settle it first, as the post step would have. */
async function resumeUnfinished(current, { cloudRun, log }) {
    const record = (0,release_record/* decodeRecord */.eT)(current.annotations?.[release_record/* RECORD_ANNOTATION */.Mr]);
    const recovery = (0,release_record/* planRecovery */.lA)(record, 'auto');
    if (!record || recovery.action === 'nothing')
        return current;
    return log.group(`Settle the unfinished release of ${record.candidate}`, async () => {
        log.warning(`An earlier run left the release of ${record.candidate} unfinished: ${recovery.reason}.`);
        const phase = recovery.action === 'finish' ? 'promoted' : 'rolled-back';
        const settled = await cloudRun.setTraffic(current.name, recovery.traffic, {
            expectTraffic: current.traffic,
            annotations: { [release_record/* RECORD_ANNOTATION */.Mr]: (0,release_record/* encodeRecord */.Ym)({ ...record, phase }) },
        });
        log.info(`Traffic now ${describeTraffic(settled.traffic)}.`);
        return settled;
    });
}
/** Moves users to the passed candidate in steps, with a gate at each; on a failed gate, back to the baseline. */
async function rollOut(config, plan, result, name, ports) {
    const { cloudRun, log } = ports;
    if (plan.takesAllTraffic) {
        log.info(`${plan.revision} already serves all traffic (first deploy): nothing to shift.`);
        return { ...result, verdict: 'promoted' };
    }
    if (config.rollout === 'candidate') {
        log.info(`Candidate ${plan.revision} is ready at ${result.tagUrl} with no traffic (\`rollout: candidate\`).`);
        return result;
    }
    const steps = planSteps(plan.restoreTraffic, plan.revision, plan.tag, config.trafficSteps, {
        followLatest: config.followLatest,
    });
    let record = {
        version: 1,
        service: name,
        candidate: plan.revision,
        tag: plan.tag,
        restoreTraffic: plan.restoreTraffic,
        finalTraffic: steps[steps.length - 1],
        stepPercents: config.trafficSteps,
        step: -1,
        verifiedStep: -1,
        phase: 'rolling-out',
        startedAt: new Date(ports.now()).toISOString(),
        origin: `${name.split('/').pop()} ${plan.revision}`,
    };
    const save = (next) => {
        record = next;
        ports.saveRecord(record);
        return { [release_record/* RECORD_ANNOTATION */.Mr]: (0,release_record/* encodeRecord */.Ym)(record) };
    };
    save(record);
    const reportSteps = config.trafficSteps.map((percent) => ({ percent, status: 'pending' }));
    const reportStep = async (i, step, traffic) => {
        reportSteps[i] = { ...reportSteps[i], ...step };
        await ports.report?.({
            phase: 'rolling-out',
            steps: reportSteps.map((x) => ({ ...x })),
            ...(traffic && { traffic }),
        });
    };
    let expected = result.traffic;
    let i = 0;
    try {
        for (; i < steps.length; i++) {
            const percent = config.trafficSteps[i];
            const live = await log.group(`Shift traffic ${percent}% -> ${plan.revision} (step ${i + 1} of ${steps.length})`, async () => {
                const updated = await cloudRun.setTraffic(name, steps[i], {
                    expectTraffic: expected,
                    annotations: save({ ...record, step: i }),
                });
                log.info(`Traffic now ${describeTraffic(updated.traffic)}.`);
                return updated;
            });
            expected = live.traffic;
            await reportStep(i, { status: 'shifted', at: new Date(ports.now()).toISOString() }, live.traffic);
            const failures = await log.group(`Check step ${i + 1}: ${percent}% for ${Math.round(config.stepWaitMs[i] / 1000)} s`, () => checkStep(config, plan, result, percent, config.stepWaitMs[i], ports));
            if (failures.length > 0) {
                await reportStep(i, { status: 'failed', detail: failures.join('; ') });
                const why = `Step ${i + 1} (${percent} %) failed its checks:\n${failures.join('\n')}`;
                return rollBack(config, plan, result, name, [expected], why, save, record, ports);
            }
            save({ ...record, verifiedStep: i });
            await reportStep(i, { status: 'verified' });
        }
    }
    catch (err) {
        const at = `step ${Math.min(i, steps.length - 1) + 1} (${config.trafficSteps[Math.min(i, steps.length - 1)]} %)`;
        if (err instanceof cloud_run/* ConcurrentChange */.yg) {
            save({ ...record, phase: 'abandoned' });
            return {
                ...result,
                traffic: expected,
                verdict: 'failed',
                failure: `${err.message} The release stopped at ${at} and left the traffic as the other change set it.`,
            };
        }
        // Anything else (the API failing past its retries, a token that cannot be refreshed): traffic may be
        // at the step before or at this step (an update whose answer was lost); either way, back to the baseline.
        const why = `The release failed at ${at}: ${err.message}`;
        log.error(why);
        return rollBack(config, plan, result, name, [expected, ...(steps[i] ? [steps[i]] : [])], why, save, record, ports);
    }
    let finalTraffic;
    try {
        finalTraffic = await cloudRun.setTraffic(name, expected, {
            expectTraffic: expected,
            annotations: save({ ...record, phase: 'promoted' }),
        });
    }
    catch (err) {
        // Every step passed and traffic is already at the planned final state; only the record on the service
        // is stale, which the next run reads as a finished release (planRecovery finishes it, a no-op).
        log.warning(`Traffic is at the planned final state, but marking the release promoted on the service failed: ${err.message}`);
        finalTraffic = { ...(await cloudRun.getService(name).catch(() => undefined)), traffic: expected };
    }
    const last = config.trafficSteps[config.trafficSteps.length - 1];
    const drainsBy = drainDeadline(new Date(ports.now()), config.streaming.timeoutSeconds).toISOString();
    log.info(last === 100
        ? `Promoted: ${plan.revision} serves all new requests. Streams already open on ${plan.previousRevision} stay there until they close, at the latest by ${drainsBy} (request timeout ${config.streaming.timeoutSeconds} s); session affinity can keep some clients there until then. Do not delete ${plan.previousRevision} before that.`
        : `Partial canary: ${plan.revision} holds ${last} % of new requests; the rest stay on the baseline.`);
    return {
        ...result,
        traffic: finalTraffic.traffic,
        verdict: last === 100 ? 'promoted' : 'canary',
        drainsBy,
    };
}
/** The gate of one step: repeated light smoke tests via the tag and service URLs, and the share check, for the bake time. */
async function checkStep(config, plan, result, percent, waitMs, ports) {
    const { smoke, log } = ports;
    const origins = [result.url, result.tagUrl];
    const until = ports.now() + waitMs;
    for (let round = 1;; round++) {
        const failures = [];
        const token = await mintIdToken(config, result.url, result.publicAccess, ports);
        if (config.smoke) {
            const light = {
                ...config.smoke,
                durationMs: Math.min(config.smoke.durationMs, 2000),
                connections: 1,
                checkReconnect: false,
                healthPath: '',
            };
            for (const [label, url] of [
                ['tag URL', result.tagUrl],
                ['service URL', result.url],
            ]) {
                const outcome = await smoke.run(url, light, origins, token);
                log.info(`Round ${round}, ${label}: ${(0,smoke_verdict/* summarizeSmoke */.dH)(outcome)}`);
                if (outcome.verdict !== 'pass')
                    failures.push(`${label}: ${(0,smoke_verdict/* describeFailures */.ng)(outcome)}`);
            }
        }
        const sample = await smoke.sample(result.url, config.smoke?.healthPath || '/', 40, plan.revision, token);
        // When the candidate names itself but some answers do not, those came from a baseline that does not.
        const counted = sample.candidate > 0 && sample.unidentified < sample.total ? { ...sample, unidentified: 0 } : sample;
        const share = judgeShare(counted, percent);
        log.info(`Round ${round}, share: ${share.detail}${sample.errors ? `; ${sample.errors} requests failed` : ''}`);
        if (!share.ok)
            failures.push(`share: ${share.detail}`);
        if (sample.errors > 0)
            failures.push(`service URL: ${sample.errors} of ${sample.errors + sample.total} sampled requests failed`);
        if (failures.length > 0 || ports.now() >= until)
            return failures;
        await ports.sleep(Math.min(1000, until - ports.now()));
    }
}
/**
 * Sets the baseline back in one update, verifies it, and reports why, without hiding the gate's failure.
 * `expected` lists the traffic states this run may have left (the first is the one it knows it set).
 */
async function rollBack(config, plan, result, name, expected, why, save, record, { cloudRun, log }) {
    const target = config.keepFailedCandidate ? plan.desired.traffic : plan.restoreTraffic;
    return log.group(`Roll back to the baseline`, async () => {
        try {
            const restored = await cloudRun.setTraffic(name, target, {
                expectTraffic: expected[0],
                alsoExpect: expected.slice(1),
                annotations: save({ ...record, phase: 'rolled-back' }),
            });
            const state = config.keepFailedCandidate
                ? `Traffic is back on the baseline; ${plan.revision} stays at 0 % behind tag ${plan.tag} for debugging.`
                : describeRestore(plan, restored.traffic);
            const drainsBy = drainDeadline(new Date(), config.streaming.timeoutSeconds).toISOString();
            log.info(`${state} Streams already open on ${plan.revision} stay there until they close, at the latest by ${drainsBy}.`);
            return {
                ...result,
                traffic: restored.traffic,
                verdict: 'rolled_back',
                failure: `${why}\n${state}`,
                drainsBy,
            };
        }
        catch (err) {
            log.error(`Rollback failed: ${err.message}`);
            return {
                ...result,
                traffic: expected[0],
                verdict: 'failed',
                failure: `${why}\nThe rollback failed too (${err.message}); traffic may still be at step ${record.step + 1}: the post step will try again, or run \`stream-deploy rollback --service ${name.split('/')[5]} --region ${name.split('/')[3]} --project ${name.split('/')[1]}\`.`,
            };
        }
    });
}
/** Where the plan means traffic to end: the deploy's own traffic (first deploy, candidate rollout) or the last step. */
function plannedTraffic(config, plan) {
    if (plan.takesAllTraffic || config.rollout === 'candidate')
        return plan.desired.traffic;
    const steps = planSteps(plan.restoreTraffic, plan.revision, plan.tag, config.trafficSteps, {
        followLatest: config.followLatest,
    });
    return steps[steps.length - 1];
}
/** An ID token for the service URL unless the service is known to be public; none when auth cannot mint one. */
async function mintIdToken(config, audience, publicAccess, { idToken, log }) {
    if (config.allowUnauthenticated === true || config.smokeUrl)
        return undefined;
    try {
        return await idToken(audience);
    }
    catch (err) {
        log.warning(`Smoke test without an ID token${publicAccess === undefined ? ' (a private service will answer 403)' : ''}: ${err.message}`);
        return undefined;
    }
}
/** After a failed smoke test: traffic as found (tag removed) unless the team keeps the candidate; says which. */
async function settleFailedCandidate(config, plan, name, { cloudRun, log }) {
    if (plan.takesAllTraffic) {
        const state = `${plan.revision} is the service's only ready revision and already serves all traffic (first deploy): there is nothing to roll back to.`;
        log.error(state);
        return { traffic: plan.desired.traffic, state };
    }
    if (config.keepFailedCandidate) {
        const state = `Traffic is as it was; ${plan.revision} stays reachable at tag ${plan.tag} with 0 % for debugging (\`keep_failed_candidate: true\`).`;
        log.info(state);
        return { traffic: plan.desired.traffic, state };
    }
    try {
        const restored = await cloudRun.setTraffic(name, plan.restoreTraffic);
        const state = describeRestore(plan, restored.traffic);
        log.info(state);
        return { traffic: restored.traffic, state };
    }
    catch (err) {
        const state = `Traffic percentages are as they were (the candidate never had any), but removing tag ${plan.tag} failed: ${err.message}`;
        log.error(state);
        return { traffic: plan.desired.traffic, state };
    }
}
/** After a revision failed: restore the baseline traffic (removing the half-made tag) and say why it failed. */
async function explainFailedRevision(plan, name, err, { cloudRun, log }) {
    const why = await cloudRun.revisionFailure(name, plan.revision);
    const reason = why ? `${why.reason ?? 'not ready'}: ${why.message ?? err.message}` : err.message;
    let trafficState;
    if (plan.action === 'create') {
        trafficState = `The service was created but has no ready revision, so it serves nothing yet.`;
    }
    else {
        try {
            const restored = await cloudRun.setTraffic(name, plan.restoreTraffic);
            trafficState = describeRestore(plan, restored.traffic);
        }
        catch (restoreErr) {
            // Cleanup never hides the original failure. The failed revision never served, so percents are unchanged.
            log.error(`Could not remove tag ${plan.tag} from the failed revision: ${restoreErr.message}`);
            trafficState = `Traffic percentages are as they were (the failed revision never served), but tag ${plan.tag} may still point at ${plan.revision}.`;
        }
    }
    log.info(trafficState);
    return new errors/* StepError */.zg({
        operation: `deploy revision ${plan.revision} of`,
        target: name,
        cause: reason,
        hint: `${trafficState} Inspect the revision: gcloud run revisions describe ${plan.revision} --region ${name.split('/')[3]} --project ${name.split('/')[1]}.`,
    });
}
/** Says whether the live traffic is exactly the restore target, and how LATEST was pinned if it was. */
function describeRestore(plan, live) {
    if (!sameTraffic(live, plan.restoreTraffic)) {
        return `Traffic was set back but reads ${describeTraffic(live)}; expected ${describeTraffic(plan.restoreTraffic)}.`;
    }
    // restoreTraffic keeps the baseline's order, so the LATEST entry's pinned name sits at the same index.
    const latestAt = plan.baselineTraffic.findIndex((t) => t.type === 'TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST');
    const pinned = latestAt >= 0
        ? ` LATEST was pinned to ${plan.restoreTraffic[latestAt]?.revision}, the revision it meant before this run, so the candidate cannot take it over.`
        : '';
    return `Traffic and tags are exactly as they were (${describeTraffic(plan.restoreTraffic)}): nothing points at ${plan.revision}.${pinned}`;
}
/** Traffic as `rev=percent` pairs, with tags, for log lines. */
function describeTraffic(traffic) {
    return traffic
        .map((t) => `${t.type === 'TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST' ? 'LATEST' : t.revision}=${t.percent}%${t.tag ? ` (tag ${t.tag})` : ''}`)
        .join(', ');
}
function sameTraffic(a, b) {
    const key = (list) => JSON.stringify(list.map((t) => [t.type, t.revision ?? '', t.percent, t.tag ?? '']).sort());
    return key(a) === key(b);
}


/***/ })

};
;