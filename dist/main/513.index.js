"use strict";
exports.id = 513;
exports.ids = [513];
exports.modules = {

/***/ 14513:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   saveRecord: () => (/* binding */ saveRecord)
/* harmony export */ });
/* unused harmony exports RELEASE_STATE, loadRecord */
/* harmony import */ var _actions_core__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(14116);
/* harmony import */ var _core_release_record__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(85970);
// The release record in the runner's step state, so the post step of the same job can find a rollout
// that main left unfinished (FACTS.md GitHub Actions: state between main and post via saveState/getState).


/** The state name; the runner hands it to the post step as `STATE_release`. */
const RELEASE_STATE = 'release';
/** Saves the record for the post step; call it whenever the record changes. */
function saveRecord(record) {
    _actions_core__WEBPACK_IMPORTED_MODULE_0__/* .saveState */ .LZ(RELEASE_STATE, (0,_core_release_record__WEBPACK_IMPORTED_MODULE_1__/* .encodeRecord */ .Ym)(record));
}
/** The record main saved, or undefined when there is none or it is unreadable. */
function loadRecord() {
    return decodeRecord(core.getState(RELEASE_STATE));
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


/***/ })

};
;