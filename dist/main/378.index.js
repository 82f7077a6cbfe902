"use strict";
exports.id = 378;
exports.ids = [378];
exports.modules = {

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


/***/ })

};
;