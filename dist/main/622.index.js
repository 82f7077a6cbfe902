"use strict";
exports.id = 622;
exports.ids = [622];
exports.modules = {

/***/ 65622:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   Reporter: () => (/* binding */ Reporter)
/* harmony export */ });
/* harmony import */ var _core_report__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(88557);

const DEPLOYMENT_STATE = {
    planned: 'in_progress',
    'candidate-up': 'in_progress',
    'smoke-tested': 'in_progress',
    'rolling-out': 'in_progress',
    promoted: 'success',
    canary: 'success',
    candidate: 'success',
    'rolled-back': 'failure',
    failed: 'failure',
};
const COMMIT_STATE = {
    in_progress: 'pending',
    success: 'success',
    failure: 'failure',
    inactive: 'success',
    error: 'error',
};
/** The report's owner: `update` merges a change and publishes it on every enabled channel. */
class Reporter {
    channels;
    report;
    broken = new Set();
    phaseStartedAt;
    constructor(base, channels) {
        this.channels = channels;
        this.report = base;
        this.phaseStartedAt = channels.now();
    }
    /** The report as last published. */
    current() {
        return this.report;
    }
    async update(patch) {
        const now = this.channels.now();
        const timings = [...this.report.timings];
        if (patch.phase && patch.phase !== this.report.phase) {
            timings.push({ phase: this.report.phase, ms: now - this.phaseStartedAt });
            this.phaseStartedAt = now;
        }
        this.report = { ...this.report, ...patch, timings, updatedAt: new Date(now).toISOString() };
        const r = this.report;
        const { github } = this.channels;
        if (github && this.channels.comment) {
            await this.attempt('PR comment', () => github.upsertComment((0,_core_report__WEBPACK_IMPORTED_MODULE_0__/* .reportMarker */ .lO)(r.project, r.region, r.service), (0,_core_report__WEBPACK_IMPORTED_MODULE_0__/* .renderComment */ .wQ)(r)));
        }
        if (github && this.channels.deployment) {
            const state = DEPLOYMENT_STATE[r.phase];
            const url = r.phase === 'promoted' || r.phase === 'canary' ? r.serviceUrl : r.tagUrl;
            const line = (0,_core_report__WEBPACK_IMPORTED_MODULE_0__/* .renderStatusLine */ .Hf)(r);
            await this.attempt('deployment status', () => github.deploymentStatus(state, line, url));
            await this.attempt('commit status', () => github.commitStatus(COMMIT_STATE[state], line));
        }
        if (this.channels.writeSummary && this.channels.summary) {
            const write = this.channels.writeSummary;
            await this.attempt('job summary', () => write((0,_core_report__WEBPACK_IMPORTED_MODULE_0__/* .renderSummary */ .Br)(r)));
        }
    }
    // Runs one channel's call; its first failure warns with the fix and turns the channel off.
    async attempt(channel, call) {
        if (this.broken.has(channel))
            return;
        try {
            await call();
        }
        catch (err) {
            this.broken.add(channel);
            const status = err.status;
            const hint = status === 403 || status === 401
                ? ' Give the job `permissions: pull-requests: write, deployments: write, statuses: write` (or turn this part off with `comment_on_pr` / `github_deployment`).'
                : '';
            this.channels.log.warning(`Could not update the ${channel}: ${err.message}.${hint} The release goes on.`);
        }
    }
}


/***/ })

};
;