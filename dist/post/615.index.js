"use strict";
exports.id = 615;
exports.ids = [615];
exports.modules = {

/***/ 47985:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   XI: () => (/* binding */ createCloudRun),
/* harmony export */   zD: () => (/* binding */ trafficKey)
/* harmony export */ });
/* unused harmony exports DeployFailure, ConcurrentChange, fromApi, toApi */
/* harmony import */ var _google_cloud_run__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(89475);
/* harmony import */ var _errors__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(83916);
// Cloud Run behind a small task-shaped port, over @google-cloud/run's REST transport (FACTS.md, client
// library behaviour). Converts between the client's objects and the core's plain JSON, waits for
// operations with a total deadline, and turns API failures into StepErrors that say what to do.


/** A Cloud Run operation failure with the revision's own reason when there is one. */
class DeployFailure extends _errors__WEBPACK_IMPORTED_MODULE_1__/* .StepError */ .zg {
}
/** Someone else changed the service's traffic since this run set it: the run stops instead of overwriting. */
class ConcurrentChange extends _errors__WEBPACK_IMPORTED_MODULE_1__/* .StepError */ .zg {
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
    const services = new _google_cloud_run__WEBPACK_IMPORTED_MODULE_0__/* .ServicesClient */ .WF(clientOptions);
    const revisions = new _google_cloud_run__WEBPACK_IMPORTED_MODULE_0__/* .RevisionsClient */ .Uy(clientOptions);
    // gax reads LRO polling from the starting call's options; operation.promise() takes none.
    const lro = {
        longrunning: {
            initialRetryDelayMillis: 250,
            retryDelayMultiplier: 1.5,
            maxRetryDelayMillis: 5000,
            initialRpcTimeoutMillis: 60_000,
            rpcTimeoutMultiplier: 1,
            maxRpcTimeoutMillis: 60_000,
            totalTimeoutMillis: options.operationTimeoutSeconds * 1000,
        },
    };
    const fail = (operation, target, err) => {
        // gax wraps an auth failure (already explained by the auth adapter) in a code-7 GoogleError.
        const cause = err.cause;
        if (cause instanceof _errors__WEBPACK_IMPORTED_MODULE_1__/* .StepError */ .zg)
            throw cause;
        throw new _errors__WEBPACK_IMPORTED_MODULE_1__/* .StepError */ .zg({ operation, target, cause: err, hint: hintFor(err, options.project) });
    };
    const getService = async (name) => {
        try {
            const [svc] = await services.getService({ name });
            return fromApi(svc);
        }
        catch (err) {
            if (err.code === 5)
                return undefined;
            return fail('read service', name, err);
        }
    };
    const awaitOperation = async (operation, target, start) => {
        let op;
        try {
            [op] = (await start());
        }
        catch (err) {
            return fail(operation, target, err);
        }
        try {
            const [result] = await op.promise();
            return fromApi(result);
        }
        catch (err) {
            const e = err;
            if (/total timeout/i.test(e.message ?? '')) {
                throw new _errors__WEBPACK_IMPORTED_MODULE_1__/* .StepError */ .zg({
                    operation,
                    target,
                    cause: `the operation did not finish within ${options.operationTimeoutSeconds} s`,
                    hint: 'Cloud Run may still finish it: check the service, or raise `deploy_timeout`.',
                });
            }
            throw new DeployFailure({ operation, target, cause: err, hint: hintFor(e, options.project) });
        }
    };
    return {
        getService,
        applyService(service, action) {
            const body = toApi(service);
            if (action === 'create') {
                const [, project, , location, , id] = service.name.split('/');
                const { name: _name, etag: _etag, ...rest } = body;
                return awaitOperation('create service', service.name, () => services.createService({ parent: `projects/${project}/locations/${location}`, serviceId: id, service: rest }, lro));
            }
            return awaitOperation('update service', service.name, () => services.updateService({ service: body }, lro));
        },
        async setTraffic(name, traffic, options = {}) {
            for (let attempt = 1;; attempt++) {
                const live = await getService(name);
                if (!live)
                    return fail('set traffic on', name, new Error('the service no longer exists'));
                if (options.expectTraffic && trafficKey(live.traffic) !== trafficKey(options.expectTraffic)) {
                    throw new ConcurrentChange({
                        operation: 'set traffic on',
                        target: name,
                        cause: `someone else changed its traffic since this run set it (expected ${JSON.stringify(options.expectTraffic)}, found ${JSON.stringify(live.traffic)})`,
                        hint: 'This run did not overwrite it. Another release may be running: use a `concurrency:` group per service and region in the workflow.',
                    });
                }
                const annotations = options.annotations
                    ? { ...(live.annotations ?? {}), ...options.annotations }
                    : live.annotations;
                const body = toApi({ ...live, traffic, ...(annotations && { annotations }) });
                try {
                    return await awaitOperation('set traffic on', name, () => services.updateService({ service: body }, lro));
                }
                catch (err) {
                    // A stale etag (ABORTED): someone wrote in between; re-read and check again, once.
                    const aborted = err instanceof _errors__WEBPACK_IMPORTED_MODULE_1__/* .StepError */ .zg && /etag|ABORTED/i.test(err.message);
                    if (!aborted || attempt >= 2)
                        throw err;
                }
            }
        },
        async revisionFailure(service, revision) {
            try {
                const [rev] = await revisions.getRevision({ name: `${service}/revisions/${revision}` });
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
                const [policy] = await services.getIamPolicy({ resource: name });
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
                await services.setIamPolicy({
                    resource: name,
                    policy: { ...policy, bindings: bindings.filter((b) => b.members.length > 0) },
                });
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

/***/ 13615:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   recoverRelease: () => (/* binding */ recoverRelease)
/* harmony export */ });
/* unused harmony exports describeTraffic, describeManualFix */
/* harmony import */ var _core_release_record__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(85970);
/* harmony import */ var _adapters_cloud_run__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(47985);


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