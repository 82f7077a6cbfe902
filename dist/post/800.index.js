"use strict";
exports.id = 800;
exports.ids = [800];
exports.modules = {

/***/ 89082:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  XI: () => (/* binding */ createCloudRun),
  zD: () => (/* binding */ trafficKey)
});

// UNUSED EXPORTS: ConcurrentChange, DeployFailure, OperationUnsettled, fromApi, toApi

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

/***/ 10800:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  connectGoogleCloud: () => (/* binding */ connectGoogleCloud)
});

// EXTERNAL MODULE: ./src/errors.ts
var errors = __webpack_require__(83916);
// EXTERNAL MODULE: external "node:fs"
var external_node_fs_ = __webpack_require__(73024);
// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __webpack_require__(76760);
// EXTERNAL MODULE: ./node_modules/google-auth-library/build/src/index.js
var src = __webpack_require__(492);
;// CONCATENATED MODULE: ./src/adapters/token-masking.ts
// Every token the auth clients obtain goes through `mask` (core.setSecret in production) the moment it
// arrives, before the library hands it to anything that could print it (STYLE.md "Every token obtained
// at run time goes through core.setSecret").

/** Response fields that carry tokens: OAuth/STS, IAM Credentials, and GitHub's OIDC endpoint (`value`, FACTS.md WIF point 2). */
const TOKEN_FIELDS = ['access_token', 'id_token', 'refresh_token', 'accessToken', 'token', 'value'];
/** Shorter strings are not tokens; masking them would blank common words in the log. */
const MIN_SECRET_LENGTH = 16;
/** Masks each secret once and remembers it, so error messages can be scrubbed of it too. */
class SecretMasker {
    mask;
    seen = new Set();
    constructor(mask) {
        this.mask = mask;
    }
    add(secret) {
        if (typeof secret !== 'string' || secret.length < MIN_SECRET_LENGTH || this.seen.has(secret))
            return;
        this.seen.add(secret);
        this.mask(secret);
    }
    /** `text` with every secret seen so far replaced. */
    scrub(text) {
        let result = text;
        for (const secret of this.seen)
            result = result.split(secret).join('***');
        return result;
    }
}
/**
 * A gaxios instance for one auth client that masks bearer tokens it sends and token fields it receives.
 * google-auth-library sends the GitHub OIDC request, IAM Credentials calls and ID-token calls through the
 * client's transporter; STS has a transporter of its own, so its token is caught by `maskTokenEvents` (direct
 * WIF) or here as the bearer of the IAM Credentials call (impersonation).
 */
function createMaskingTransporter(masker) {
    const transporter = new src.gaxios.Gaxios();
    transporter.interceptors.request.add({
        resolved: async (config) => {
            const authorization = config.headers.get('authorization');
            const bearer = authorization ? /^Bearer\s+(\S+)/i.exec(authorization) : null;
            if (bearer)
                masker.add(bearer[1]);
            return config;
        },
    });
    transporter.interceptors.response.add({
        resolved: async (response) => {
            const data = response.data;
            if (data && typeof data === 'object') {
                for (const field of TOKEN_FIELDS)
                    masker.add(data[field]);
            }
            return response;
        },
    });
    return transporter;
}
/** Masks tokens the client announces on its 'tokens' event (external account, JWT, user and Compute clients). */
function maskTokenEvents(client, masker) {
    client.on('tokens', (tokens) => {
        masker.add(tokens.access_token);
        masker.add(tokens.id_token);
        masker.add(tokens.refresh_token);
    });
}

;// CONCATENATED MODULE: ./src/adapters/credentials.ts
// What the auth adapter builds from the environment: one access-token client for the Cloud Run API, a way
// to mint ID tokens (or the reason there is none), and what error messages need to name the fix.


const CLOUD_PLATFORM_SCOPE = 'https://www.googleapis.com/auth/cloud-platform';
/** google-auth-library's Impersonated over `source`; its `endpoint` is the IAM Credentials base without /v1 (FACTS.md WIF point 6). */
function impersonate(source, serviceAccount, endpoint, masker) {
    return new src.Impersonated({
        sourceClient: source,
        targetPrincipal: serviceAccount,
        targetScopes: [CLOUD_PLATFORM_SCOPE],
        endpoint,
        transporter: createMaskingTransporter(masker),
    });
}

;// CONCATENATED MODULE: ./src/adapters/application-default-credentials.ts
// The credentials already in the job when no `workload_identity_provider` is given: the file that
// google-github-actions/auth writes (and exports as GOOGLE_APPLICATION_CREDENTIALS, GOOGLE_GHA_CREDS_PATH and
// CLOUDSDK_AUTH_CREDENTIAL_FILE_OVERRIDE), gcloud's application-default file, or a GCE metadata server.
// Each credential type is built with its own constructor, as google-auth-library recommends for files
// whose type is known, rather than its generic fromJSON.






/** Where credential files are announced, in the order google-auth-library, other actions and gcloud read them. */
const CREDENTIAL_FILE_VARIABLES = [
    'GOOGLE_APPLICATION_CREDENTIALS',
    'GOOGLE_GHA_CREDS_PATH',
    'CLOUDSDK_AUTH_CREDENTIAL_FILE_OVERRIDE',
];
const NO_CREDENTIALS_HINT = 'Either set `workload_identity_provider` (and `service_account`) on this step, or run google-github-actions/auth before it.';
/** Finds the credentials file from `env`; undefined when there is none. */
function findCredentialsFile(env) {
    for (const name of CREDENTIAL_FILE_VARIABLES) {
        const path = env[name];
        if (path)
            return { path, source: name };
    }
    const configDir = env.CLOUDSDK_CONFIG || (env.HOME ? (0,external_node_path_.join)(env.HOME, '.config', 'gcloud') : undefined);
    const wellKnown = configDir ? (0,external_node_path_.join)(configDir, 'application_default_credentials.json') : undefined;
    if (wellKnown && (0,external_node_fs_.existsSync)(wellKnown))
        return { path: wellKnown, source: 'gcloud application-default' };
    return undefined;
}
/** Builds credentials from the job's environment; throws a StepError naming both ways out when there are none. */
function applicationDefaultCredentials(options, masker) {
    const file = findCredentialsFile(options.env);
    if (file)
        return fromFile(file, options, masker);
    if (src.gcpMetadata.getGCPResidency())
        return fromMetadataServer(options, masker);
    throw new errors/* StepError */.zg({
        operation: 'find Google credentials for',
        target: 'this job',
        cause: `no workload_identity_provider was given and none of ${CREDENTIAL_FILE_VARIABLES.join(', ')} is set`,
        hint: NO_CREDENTIALS_HINT,
    });
}
function readJson(file) {
    let text;
    try {
        text = (0,external_node_fs_.readFileSync)(file.path, 'utf8');
    }
    catch (err) {
        throw new errors/* StepError */.zg({
            operation: 'read the credentials file',
            target: `${file.path} (from ${file.source})`,
            cause: err.code ?? err,
            hint: `The file is gone or unreadable: run google-github-actions/auth earlier in the same job, or unset ${file.source}. ${NO_CREDENTIALS_HINT}`,
        });
    }
    try {
        const json = JSON.parse(text);
        if (json && typeof json === 'object' && !Array.isArray(json))
            return json;
    }
    catch {
        // Reported below without echoing the content, which may hold a private key.
    }
    throw new errors/* StepError */.zg({
        operation: 'read the credentials file',
        target: `${file.path} (from ${file.source})`,
        cause: 'it is not a JSON object',
        hint: NO_CREDENTIALS_HINT,
    });
}
function fromFile(file, options, masker) {
    const json = readJson(file);
    const type = typeof json.type === 'string' ? json.type : 'unknown';
    const described = (extra) => `application-default credentials (${file.path} from ${file.source}, ${type}${extra})`;
    switch (type) {
        case 'external_account':
            return fromExternalAccount(json, described, options, masker);
        case 'service_account': {
            const client = new src.JWT({
                email: String(json.client_email ?? ''),
                key: String(json.private_key ?? ''),
                keyId: typeof json.private_key_id === 'string' ? json.private_key_id : undefined,
                scopes: [CLOUD_PLATFORM_SCOPE],
                transporter: createMaskingTransporter(masker),
            });
            maskTokenEvents(client, masker);
            return withOptionalImpersonation(client, described(`, ${String(json.client_email)}`), options, masker, {
                kind: 'self',
                fetch: (audience) => client.fetchIdToken(audience),
            });
        }
        case 'authorized_user': {
            const client = new src.UserRefreshClient({
                clientId: String(json.client_id ?? ''),
                clientSecret: String(json.client_secret ?? ''),
                refreshToken: String(json.refresh_token ?? ''),
                transporter: createMaskingTransporter(masker),
            });
            maskTokenEvents(client, masker);
            return withOptionalImpersonation(client, described(''), options, masker, {
                kind: 'unavailable',
                cause: "user credentials mint ID tokens for gcloud's OAuth client, not for a service URL",
                hint: 'Set `service_account` to a service account these credentials may impersonate, or make the service public with `allow_unauthenticated: true`.',
            });
        }
        default:
            throw new errors/* StepError */.zg({
                operation: 'use the credentials file',
                target: `${file.path} (from ${file.source})`,
                cause: `credential type "${type}" is not supported here (supported: external_account, service_account, authorized_user)`,
                hint: NO_CREDENTIALS_HINT,
            });
    }
}
/** The file google-github-actions/auth writes for Workload Identity Federation: an identity pool with a URL or file source. */
function fromExternalAccount(json, described, options, masker) {
    const source = (json.credential_source ?? {});
    if (!source.url && !source.file) {
        throw new errors/* StepError */.zg({
            operation: 'use the external_account credentials in',
            target: described(''),
            cause: 'only credential_source.url or credential_source.file is supported (not AWS, executables or certificates)',
            hint: NO_CREDENTIALS_HINT,
        });
    }
    const impersonationUrl = typeof json.service_account_impersonation_url === 'string' ? json.service_account_impersonation_url : '';
    const fileAccount = /\/serviceAccounts\/([^/:]+):generateAccessToken$/.exec(impersonationUrl)?.[1];
    const build = (withImpersonation) => {
        const config = { ...json };
        if (!withImpersonation) {
            delete config.service_account_impersonation_url;
            delete config.service_account_impersonation;
        }
        const client = new src.IdentityPoolClient({
            ...config,
            scopes: [CLOUD_PLATFORM_SCOPE],
            transporter: createMaskingTransporter(masker),
        });
        maskTokenEvents(client, masker);
        return client;
    };
    let direct;
    const directClient = () => (direct ??= build(false));
    const audience = typeof json.audience === 'string' ? json.audience : '';
    const errorContext = {
        workloadIdentityProvider: audience.replace(/^\/\/iam\.googleapis\.com\//, '') || undefined,
        repository: options.env.GITHUB_REPOSITORY,
        federated: true,
        oidcRequestUrl: typeof source.url === 'string' ? source.url : undefined,
    };
    const wanted = options.serviceAccount;
    if (wanted && wanted !== fileAccount) {
        // The federated identity impersonates the requested account itself, as with `workload_identity_provider`.
        const iam = options.endpoints.iamCredentials;
        return {
            description: described(`, impersonating ${wanted}`),
            client: impersonate(directClient(), wanted, iam, masker),
            idTokens: { kind: 'impersonate', serviceAccount: wanted, endpoint: iam, source: directClient },
            errorContext: { ...errorContext, serviceAccount: wanted },
        };
    }
    if (fileAccount) {
        const decoded = decodeURIComponent(fileAccount);
        return {
            description: described(`, impersonating ${decoded}`),
            client: build(true),
            idTokens: {
                kind: 'impersonate',
                serviceAccount: decoded,
                endpoint: impersonationUrl.replace(/\/v1\/projects\/.*$/, ''),
                source: directClient,
            },
            errorContext: { ...errorContext, serviceAccount: decoded },
        };
    }
    return {
        description: described(', direct'),
        client: directClient(),
        idTokens: {
            kind: 'unavailable',
            // FACTS.md WIF point 5.
            cause: 'direct Workload Identity Federation (no service account) cannot mint ID tokens',
            hint: 'Set `service_account` (here or in google-github-actions/auth), or make the service public with `allow_unauthenticated: true`.',
        },
        errorContext,
    };
}
/** Self-hosted runners on Compute Engine: the VM's service account from the metadata server. */
function fromMetadataServer(options, masker) {
    const client = new src.Compute({
        scopes: [CLOUD_PLATFORM_SCOPE],
        transporter: createMaskingTransporter(masker),
    });
    maskTokenEvents(client, masker);
    return withOptionalImpersonation(client, 'the Compute Engine metadata server', options, masker, {
        kind: 'self',
        fetch: (audience) => client.fetchIdToken(audience),
    });
}
/** Keys, users and VMs: impersonate `service_account` when given (needs roles/iam.serviceAccountTokenCreator). */
function withOptionalImpersonation(client, description, options, masker, ownIdTokens) {
    const wanted = options.serviceAccount;
    if (!wanted) {
        return { description, client, idTokens: ownIdTokens, errorContext: { federated: false } };
    }
    const iam = options.endpoints.iamCredentials;
    return {
        description: `${description}, impersonating ${wanted}`,
        client: impersonate(client, wanted, iam, masker),
        idTokens: { kind: 'impersonate', serviceAccount: wanted, endpoint: iam, source: () => client },
        errorContext: { federated: false, serviceAccount: wanted },
    };
}

;// CONCATENATED MODULE: ./src/adapters/google-auth-errors.ts
// Auth failures from google-auth-library (gaxios errors from GitHub's OIDC endpoint, STS and IAM
// Credentials) turned into StepErrors that name the cause and the fix (FACTS.md WIF point 8). Tokens never
// reach these messages: the original error, whose request config holds them, is not kept as the cause.

/**
 * An explained auth failure that keeps the HTTP status of the token request that failed: google-gax maps
 * `status` to a gRPC code, so a refused credential (403) fails at once instead of being retried like a
 * network error until the call's deadline.
 */
class AuthStepError extends errors/* StepError */.zg {
    status;
    constructor(details, status) {
        super(details);
        this.name = 'StepError';
        if (status !== undefined)
            this.status = status;
    }
}
const PROVIDER_PATTERN = /^projects\/([^/]+)\/locations\/global\/workloadIdentityPools\/([^/]+)\/providers\/[^/]+$/;
/** The IAM member that holds workloadIdentityUser for every run of one repository (FACTS.md WIF point 4). */
function repositoryPrincipalSet(workloadIdentityProvider, repository) {
    const match = PROVIDER_PATTERN.exec(workloadIdentityProvider);
    if (!match)
        return undefined;
    return `principalSet://iam.googleapis.com/projects/${match[1]}/locations/global/workloadIdentityPools/${match[2]}/attribute.repository/${repository}`;
}
/** Turns an auth failure into a StepError naming the cause and the fix; StepErrors pass through unchanged. */
function explainAuthError(err, context) {
    if (err instanceof errors/* StepError */.zg)
        return err;
    const e = (err ?? {});
    const status = e.response?.status ?? (typeof e.status === 'number' ? e.status : undefined);
    const url = typeof e.config?.url === 'string' || e.config?.url instanceof URL ? String(e.config.url) : '';
    const data = e.response?.data;
    const clean = (text) => redactTokens(context.scrub ? context.scrub(text) : text);
    const make = (operation, target, cause, hint) => new AuthStepError({ operation, target, cause: new Error(clean(cause)), hint: clean(hint) }, status);
    const oauth = oauthError(data);
    if (oauth)
        return explainSts(oauth, context, make);
    const iam = /\/serviceAccounts\/([^/:]+):(generateAccessToken|generateIdToken)$/.exec(url.split('?')[0]);
    if (iam)
        return explainIamCredentials(decodeURIComponent(iam[1]), iam[2], status, data, context, make);
    if (isGitHubOidcRequest(url, data, context.oidcRequestUrl) && status !== undefined) {
        const message = data?.message ?? e.message ?? '';
        if (status === 401 || status === 403) {
            return make('fetch a GitHub OIDC token from', 'ACTIONS_ID_TOKEN_REQUEST_URL', `GitHub rejected the request token with ${status} (${message})`, 'The request token belongs to one job and expires with it: run this step in the job that has `permissions: id-token: write`, and do not override ACTIONS_ID_TOKEN_REQUEST_TOKEN.');
        }
        return make('fetch a GitHub OIDC token from', 'ACTIONS_ID_TOKEN_REQUEST_URL', `GitHub answered ${status} (${message})`, 'Retry the job; if it keeps failing, check githubstatus.com.');
    }
    const network = typeof e.code === 'string' && /^(E[A-Z]+|UND_ERR_\w+)$/.test(e.code) ? e.code : undefined;
    if (network || (status !== undefined && (status >= 500 || status === 429))) {
        return make(context.operation, context.target, `${network ? `network error ${network}` : `HTTP ${status}`}: ${e.message ?? 'no message'}`, 'This is usually transient: retry the job. If it keeps failing, check the Google Cloud status page and any proxy (HTTPS_PROXY / NO_PROXY) on the runner.');
    }
    return make(context.operation, context.target, e.message ?? String(err), 'Check the credentials setup: `workload_identity_provider` and `service_account`, or the google-github-actions/auth step before this one.');
}
function oauthError(data) {
    if (!data || typeof data !== 'object')
        return undefined;
    const { error, error_description: description } = data;
    if (typeof error !== 'string')
        return undefined;
    return { error, description: typeof description === 'string' ? description : '' };
}
/** STS answers RFC 6749 errors (FACTS.md WIF point 3); the attribute condition and unknown providers are the usual causes. */
function explainSts(oauth, context, make) {
    const provider = context.workloadIdentityProvider ?? 'the workload identity provider';
    const cause = `STS refused the token exchange (${oauth.error}: ${oauth.description.replace(/[.\s]+$/, '')})`;
    const operation = 'exchange the GitHub OIDC token for a Google token with';
    switch (oauth.error) {
        case 'unauthorized_client':
            return make(operation, provider, cause, `The provider's attribute condition rejects this repository${context.repository ? ` (${context.repository})` : ''}: allow it in the condition (e.g. assertion.repository == '${context.repository ?? 'OWNER/REPO'}') or deploy from a repository the condition allows.`);
        case 'invalid_target':
            return make(operation, provider, cause, 'Check `workload_identity_provider`: the pool or provider does not exist or is disabled; expected projects/PROJECT_NUMBER/locations/global/workloadIdentityPools/POOL/providers/PROVIDER with the project number, not the id.');
        case 'invalid_request':
            return make(operation, provider, cause, /audience/i.test(oauth.description)
                ? 'Check `workload_identity_provider`: expected projects/PROJECT_NUMBER/locations/global/workloadIdentityPools/POOL/providers/PROVIDER.'
                : 'The token exchange request was malformed; report this as a bug with the log above.');
        case 'invalid_grant':
            return make(operation, provider, cause, "The provider did not accept GitHub's token: check that its issuer is https://token.actions.githubusercontent.com and that its allowed audiences are empty (the default) or include https://iam.googleapis.com/" +
                (context.workloadIdentityProvider ?? 'PROVIDER') +
                '.');
        default:
            return make(operation, provider, cause, 'Retry the job; if it keeps failing, check the provider in the Google Cloud console.');
    }
}
/** IAM Credentials: a 403 means the caller lacks the binding on the account, or the account does not exist (FACTS.md WIF points 4, 8). */
function explainIamCredentials(account, method, status, data, context, make) {
    const body = data?.error;
    const permission = body?.details?.find((d) => d.metadata?.permission)?.metadata?.permission ??
        (method === 'generateIdToken'
            ? 'iam.serviceAccounts.getOpenIdToken'
            : 'iam.serviceAccounts.getAccessToken');
    const operation = method === 'generateIdToken' ? 'mint an ID token as service account' : 'impersonate service account';
    const cause = `IAM Credentials answered ${status ?? 'an error'} (${body?.message ?? 'no message'})`;
    if (status === 403) {
        return make(operation, account, cause, missingBindingHint(account, permission, context));
    }
    if (status === 404) {
        return make(operation, account, cause, 'Check `service_account`: the service account does not exist.');
    }
    if (status === 401) {
        return make(operation, account, cause, 'The federated token was not accepted; check `workload_identity_provider` and that the IAM Service Account Credentials API is enabled.');
    }
    if (status !== undefined && (status >= 500 || status === 429)) {
        return make(operation, account, cause, 'This is usually transient: retry the job.');
    }
    return make(operation, account, cause, 'Check `service_account` and the identity allowed to impersonate it.');
}
function missingBindingHint(account, permission, context) {
    const idToken = permission.endsWith('getOpenIdToken');
    if (context.federated) {
        const member = context.workloadIdentityProvider && context.repository
            ? repositoryPrincipalSet(context.workloadIdentityProvider, context.repository)
            : undefined;
        const who = member ??
            'principalSet://iam.googleapis.com/projects/PROJECT_NUMBER/locations/global/workloadIdentityPools/POOL/attribute.repository/OWNER/REPO';
        return `The identity lacks ${permission}: grant roles/iam.workloadIdentityUser on service account ${account} to ${who}${idToken ? ' (or roles/iam.serviceAccountOpenIdTokenCreator)' : ''}, and check that the account exists.`;
    }
    return `The credentials in use lack ${permission}: grant ${idToken ? 'roles/iam.serviceAccountOpenIdTokenCreator' : 'roles/iam.serviceAccountTokenCreator'} on service account ${account} to that identity, and check that the account exists.`;
}
function isGitHubOidcRequest(url, data, oidcRequestUrl) {
    if (oidcRequestUrl && url.startsWith(oidcRequestUrl.split('?')[0]))
        return true;
    if (/actions\.githubusercontent\.com/.test(url))
        return true;
    // GitHub's own error bodies are `{ message }`, unlike Google's `{ error }`.
    return /[?&]audience=/.test(url) && !!data && typeof data === 'object' && 'message' in data;
}
/** JWTs, OAuth access tokens and bearer values replaced, in case a library put one into a message. */
function redactTokens(text) {
    return text
        .replace(/eyJ[\w-]+\.[\w-]+\.[\w-]+/g, '<redacted token>')
        .replace(/ya29\.[\w.-]+/g, '<redacted token>')
        .replace(/(Bearer\s+)(?!<redacted)\S+/gi, '$1<redacted>');
}

;// CONCATENATED MODULE: ./src/adapters/workload-identity.ts
// Workload Identity Federation from a GitHub Actions job with google-auth-library's IdentityPoolClient:
// GitHub OIDC token as subject, STS exchange, optional service account impersonation (FACTS.md WIF points 1-7).




const JWT_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:jwt';
/** `url` with `audience` added to its query: GitHub's request URL already carries `?api-version=…` (FACTS.md WIF point 2). */
function withAudience(url, audience) {
    return `${url}${url.includes('?') ? '&' : '?'}audience=${encodeURIComponent(audience)}`;
}
/** Credentials from the job's GitHub OIDC token; throws before any network call when the job has none (FACTS.md WIF point 1). */
function federatedCredentials(options, masker) {
    const { env, endpoints, serviceAccount } = options;
    const provider = options.workloadIdentityProvider.replace(/^(https:)?\/\/iam\.googleapis\.com\//, '');
    const requestUrl = env.ACTIONS_ID_TOKEN_REQUEST_URL;
    const requestToken = env.ACTIONS_ID_TOKEN_REQUEST_TOKEN;
    if (!requestUrl || !requestToken) {
        const missing = [
            !requestUrl && 'ACTIONS_ID_TOKEN_REQUEST_URL',
            !requestToken && 'ACTIONS_ID_TOKEN_REQUEST_TOKEN',
        ].filter(Boolean);
        throw new errors/* StepError */.zg({
            operation: 'get a GitHub OIDC token for',
            target: provider,
            cause: `the job has no GitHub OIDC token (${missing.join(' and ')} ${missing.length > 1 ? 'are' : 'is'} not set)`,
            hint: 'Add `permissions: id-token: write` to the job. Pull requests from forks never get one: use `pull_request_target` with care, or skip deploys for forks.',
        });
    }
    // The runner's own bearer for the OIDC endpoint is as sensitive as the tokens it fetches.
    masker.add(requestToken);
    const build = (impersonating) => {
        const client = new src.IdentityPoolClient({
            type: 'external_account',
            audience: `//iam.googleapis.com/${provider}`,
            subject_token_type: JWT_TOKEN_TYPE,
            token_url: endpoints.sts,
            credential_source: {
                // The provider's default allowed audience (FACTS.md WIF point 2).
                url: withAudience(requestUrl, `https://iam.googleapis.com/${provider}`),
                headers: { Authorization: `Bearer ${requestToken}` },
                format: { type: 'json', subject_token_field_name: 'value' },
            },
            ...(impersonating
                ? {
                    service_account_impersonation_url: `${endpoints.iamCredentials}/v1/projects/-/serviceAccounts/${impersonating}:generateAccessToken`,
                }
                : {}),
            scopes: [CLOUD_PLATFORM_SCOPE],
            transporter: createMaskingTransporter(masker),
        });
        maskTokenEvents(client, masker);
        return client;
    };
    // ID tokens come from the federated identity calling generateIdToken, not from the impersonated token.
    let direct;
    const directClient = () => (direct ??= build());
    return {
        description: serviceAccount
            ? `Workload Identity Federation (provider ${provider}, impersonating ${serviceAccount})`
            : `Workload Identity Federation (provider ${provider}, direct)`,
        client: serviceAccount ? build(serviceAccount) : directClient(),
        idTokens: serviceAccount
            ? { kind: 'impersonate', serviceAccount, endpoint: endpoints.iamCredentials, source: directClient }
            : {
                kind: 'unavailable',
                // FACTS.md WIF point 5.
                cause: 'direct Workload Identity Federation (no service account) cannot mint ID tokens',
                hint: 'Set `service_account` to a service account the workflow may impersonate, or make the service public with `allow_unauthenticated: true`.',
            },
        errorContext: {
            workloadIdentityProvider: provider,
            serviceAccount,
            repository: env.GITHUB_REPOSITORY,
            federated: true,
            oidcRequestUrl: requestUrl,
        },
    };
}

;// CONCATENATED MODULE: ./src/adapters/google-endpoints.ts
// Where Google's token services and the Cloud Run API live. Production by default; overridable only
// towards loopback addresses, for the local emulator, so a workflow cannot send tokens anywhere else.

const PRODUCTION_ENDPOINTS = Object.freeze({
    sts: 'https://sts.googleapis.com/v1/token',
    iamCredentials: 'https://iamcredentials.googleapis.com',
});
/** The environment variable holding overrides, as JSON `{"sts":…,"iamCredentials":…,"runApi":…}`. */
const ENDPOINTS_VARIABLE = 'STREAM_DEPLOY_ENDPOINTS';
const KNOWN_KEYS = ['sts', 'iamCredentials', 'runApi'];
/** Reads STREAM_DEPLOY_ENDPOINTS: production when unset; loopback http(s) URLs only, anything else is an error. */
function resolveEndpoints(env) {
    const raw = env[ENDPOINTS_VARIABLE];
    if (raw === undefined || raw.trim() === '')
        return { google: { ...PRODUCTION_ENDPOINTS } };
    const problems = [];
    let parsed;
    try {
        parsed = JSON.parse(raw);
    }
    catch {
        throw refuse('it is not valid JSON');
    }
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed))
        throw refuse('it is not a JSON object');
    const fields = parsed;
    const unknown = Object.keys(fields).filter((key) => !KNOWN_KEYS.includes(key));
    if (unknown.length > 0)
        problems.push(`unknown key(s) ${unknown.join(', ')}`);
    const url = (key, value) => {
        if (value === undefined)
            return undefined;
        if (typeof value !== 'string') {
            problems.push(`${key} is not a URL string`);
            return undefined;
        }
        const problem = loopbackProblem(value);
        if (problem) {
            problems.push(`${key} ${JSON.stringify(value)} ${problem}`);
            return undefined;
        }
        return new URL(value);
    };
    const sts = url('sts', fields.sts);
    const iam = url('iamCredentials', fields.iamCredentials);
    const runApiValue = fields.runApi && typeof fields.runApi === 'object'
        ? fields.runApi.url
        : fields.runApi;
    const runApi = url('runApi', runApiValue);
    if (problems.length > 0)
        throw refuse(problems.join('; '));
    return {
        google: {
            sts: sts ? stripTrailingSlash(sts.href) : PRODUCTION_ENDPOINTS.sts,
            // The emulator prints its IAM Credentials base with `/v1`; Impersonated adds it itself.
            iamCredentials: iam
                ? stripTrailingSlash(iam.href).replace(/\/v1$/, '')
                : PRODUCTION_ENDPOINTS.iamCredentials,
        },
        ...(runApi
            ? {
                runApi: {
                    apiEndpoint: runApi.hostname,
                    port: runApi.port ? Number(runApi.port) : runApi.protocol === 'https:' ? 443 : 80,
                    protocol: runApi.protocol === 'https:' ? 'https' : 'http',
                },
            }
            : {}),
    };
}
/** Why `value` is not an acceptable override (undefined when it is): http(s), no credentials, loopback host. */
function loopbackProblem(value) {
    let url;
    try {
        url = new URL(value);
    }
    catch {
        return 'is not a URL';
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:')
        return 'is not an http(s) URL';
    if (url.username || url.password)
        return 'carries credentials';
    if (!isLoopbackHost(url.hostname))
        return 'is not a loopback address (127.0.0.0/8, localhost or [::1])';
    return undefined;
}
function isLoopbackHost(hostname) {
    if (hostname === 'localhost' || hostname === '[::1]')
        return true;
    // WHATWG URL parsing already normalised IPv4 forms such as 127.1 or 0x7f.1 to dotted decimal.
    return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname);
}
function stripTrailingSlash(href) {
    return href.replace(/\/+$/, '');
}
function refuse(cause) {
    return new errors/* StepError */.zg({
        operation: 'read endpoint overrides from',
        target: ENDPOINTS_VARIABLE,
        cause,
        hint: `Overrides exist only for the local emulator: give http(s) URLs on 127.0.0.1, localhost or [::1] for sts, iamCredentials and runApi, or unset ${ENDPOINTS_VARIABLE} to use Google.`,
    });
}

;// CONCATENATED MODULE: ./src/adapters/google-auth.ts








/** Chooses and builds credentials; throws a StepError before any network call when the environment cannot work. */
function createGoogleAuth(options) {
    const masker = new SecretMasker(options.mask);
    const credentials = options.workloadIdentityProvider
        ? federatedCredentials({
            workloadIdentityProvider: options.workloadIdentityProvider,
            serviceAccount: options.serviceAccount,
            env: options.env,
            endpoints: options.endpoints,
        }, masker)
        : applicationDefaultCredentials({ serviceAccount: options.serviceAccount, env: options.env, endpoints: options.endpoints }, masker);
    const context = (operation, target) => ({
        ...credentials.errorContext,
        operation,
        target,
        scrub: (text) => masker.scrub(text),
    });
    const client = explainFailures(credentials.client, masker, context('obtain an access token with', credentials.description));
    let idTokenClient;
    return {
        describe: () => credentials.description,
        client: () => client,
        async idToken(audience) {
            const source = credentials.idTokens;
            if (source.kind === 'unavailable') {
                throw new errors/* StepError */.zg({
                    operation: 'mint an ID token for',
                    target: audience,
                    cause: source.cause,
                    hint: source.hint,
                });
            }
            try {
                let token;
                if (source.kind === 'self') {
                    token = await source.fetch(audience);
                }
                else {
                    idTokenClient ??= impersonate(source.source(), source.serviceAccount, source.endpoint, masker);
                    token = await idTokenClient.fetchIdToken(audience, { includeEmail: true });
                }
                masker.add(token);
                return token;
            }
            catch (err) {
                throw explainAuthError(err, context('mint an ID token for', audience));
            }
        },
    };
}
/**
 * Wraps the two methods callers use to get tokens, so a failure (at first use or at any later refresh)
 * surfaces as an explained StepError and every token handed out is masked even if no hook saw it.
 */
function explainFailures(client, masker, context) {
    const getAccessToken = client.getAccessToken.bind(client);
    const getRequestHeaders = client.getRequestHeaders.bind(client);
    const guarded = client;
    guarded.getAccessToken = async () => {
        try {
            const response = await getAccessToken();
            masker.add(response.token);
            return response;
        }
        catch (err) {
            throw explainAuthError(err, context);
        }
    };
    guarded.getRequestHeaders = async (url) => {
        try {
            return await getRequestHeaders(url);
        }
        catch (err) {
            throw explainAuthError(err, context);
        }
    };
    return client;
}

// EXTERNAL MODULE: ./src/adapters/cloud-run.ts + 1 modules
var cloud_run = __webpack_require__(89082);
;// CONCATENATED MODULE: ./src/adapters/google-cloud.ts
// Google credentials and the Cloud Run port for one run, built the same way by the main step, the post
// step and the CLI: endpoints from the environment (loopback overrides only), then auth, then Cloud Run.


/** Signs in (failing early with the auth adapter's explanation, before any Cloud Run call) and builds the port. */
async function connectGoogleCloud(options) {
    const endpoints = resolveEndpoints(options.env);
    const auth = createGoogleAuth({
        workloadIdentityProvider: options.workloadIdentityProvider,
        serviceAccount: options.serviceAccount,
        env: options.env,
        endpoints: endpoints.google,
        mask: options.mask,
    });
    options.log(`Authenticating with ${auth.describe()}.`);
    await auth.client().getAccessToken();
    const cloudRun = (0,cloud_run/* createCloudRun */.XI)({
        authClient: auth.client(),
        endpoint: endpoints.runApi,
        operationTimeoutSeconds: options.deployTimeoutSeconds,
        project: options.projectId,
        log: options.log,
    });
    return { auth, cloudRun };
}


/***/ })

};
;