"use strict";
exports.id = 966;
exports.ids = [966];
exports.modules = {

/***/ 50966:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   sampleRevisions: () => (/* binding */ sampleRevisions)
/* harmony export */ });
/* harmony import */ var node_http__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(37067);
/* harmony import */ var node_http__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__webpack_require__.n(node_http__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var node_https__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(44708);
/* harmony import */ var node_https__WEBPACK_IMPORTED_MODULE_1___default = /*#__PURE__*/__webpack_require__.n(node_https__WEBPACK_IMPORTED_MODULE_1__);
// Samples which revision the service URL sends new requests to, by the `X-Revision` header the app
// sets (when it sets one): one fresh connection per request, so each is a new routing decision.


/** GETs `url + path` `count` times (a few at once) and counts the revisions that answered. */
async function sampleRevisions(url, path, count, candidate, idToken) {
    const sample = { total: 0, candidate: 0, unidentified: 0, errors: 0 };
    const target = new URL(path, url);
    const one = () => new Promise((resolve) => {
        const lib = target.protocol === 'https:' ? (node_https__WEBPACK_IMPORTED_MODULE_1___default()) : (node_http__WEBPACK_IMPORTED_MODULE_0___default());
        const req = lib.get(target, { agent: false, timeout: 5000, headers: idToken ? { authorization: `Bearer ${idToken}` } : {} }, (res) => {
            res.resume();
            const ok = (res.statusCode ?? 0) >= 200 && (res.statusCode ?? 0) < 300;
            const revision = res.headers['x-revision'];
            if (!ok)
                sample.errors++;
            else {
                sample.total++;
                if (typeof revision !== 'string')
                    sample.unidentified++;
                else if (revision === candidate)
                    sample.candidate++;
            }
            res.on('end', resolve);
            res.on('error', () => resolve());
        });
        req.on('timeout', () => req.destroy(new Error('timeout')));
        req.on('error', () => {
            sample.errors++;
            resolve();
        });
    });
    const batch = 5;
    for (let done = 0; done < count; done += batch) {
        await Promise.all(Array.from({ length: Math.min(batch, count - done) }, one));
    }
    return sample;
}


/***/ })

};
;