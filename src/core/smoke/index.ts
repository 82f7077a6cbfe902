// Judging the streaming smoke test: pure functions from what the probes saw (timelines in ms from the
// probe's start, src/core/smoke-types.ts) and the criteria to named checks, metrics and a verdict.
// A failed smoke test is data that drives rollback, not an exception. No I/O, no clock.
// One module per protocol (sse, websocket, http-health), the per-connection checks (connection), the
// verdict and its text (verdict), and the words they share (wording).

export { judgeHealth, judgeHttp } from './http-health';
export { judgeSse } from './sse';
export { judgeWebSocket, matchesExpectation } from './websocket';
export { describeFailures, judgeSmoke, summarizeSmoke, type StreamJudgement } from './verdict';
export { CANNOT_JUDGE, formatMs } from './wording';
