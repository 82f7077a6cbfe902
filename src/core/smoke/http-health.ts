// Judging the health check and a plain HTTP GET: pure functions from what the probes saw to a check or
// a stream judgement. No I/O, no clock.

import type {
  HealthObservation,
  HttpObservation,
  SmokeCheck,
  SmokeCriteria,
  SmokeMetrics,
} from '../smoke-types';
import type { StreamJudgement } from './verdict';
import {
  CANNOT_JUDGE,
  describeNoAnswer,
  errorLabel,
  explainError,
  explainStatus,
  formatMs,
  isOutsideApp,
  isSuccess,
  listAttempts,
  plural,
} from './wording';

// Healthy when some attempt answered 2xx; the detail lists the attempts and the last answer.
export function judgeHealth(obs: HealthObservation, criteria: SmokeCriteria): SmokeCheck {
  const attempts = obs.attempts;
  if (attempts.length === 0) {
    return { name: 'health', ok: false, detail: `no health request was made to ${obs.url}` };
  }
  const answers = attempts.map((a) => (a.status !== undefined ? String(a.status) : errorLabel(a.error)));
  const list = listAttempts(answers);
  const okIndex = attempts.findIndex((a) => a.status !== undefined && isSuccess(a.status));
  if (okIndex >= 0) {
    const hit = attempts[okIndex];
    const earlier = okIndex > 0 ? ` (earlier: ${listAttempts(answers.slice(0, okIndex))})` : '';
    return {
      name: 'health',
      ok: true,
      detail: `${criteria.healthPath || obs.url} answered ${hit.status} on attempt ${okIndex + 1} of ${attempts.length}, at ${formatMs(hit.atMs)}${earlier}`,
    };
  }
  const last = attempts[attempts.length - 1];
  const span = `${attempts.length} ${plural(attempts.length, 'attempt')} over ${formatMs(last.atMs - attempts[0].atMs)}`;
  const expected = `expected a 2xx within ${formatMs(criteria.healthTimeoutMs)}`;
  if (attempts.every((a) => a.status === undefined && isOutsideApp(a.error))) {
    return {
      name: 'health',
      ok: false,
      detail: `${CANNOT_JUDGE}no health request reached ${obs.url} in ${span} (${list}); ${explainError(last.error)}`,
    };
  }
  const why = last.status !== undefined ? explainStatus(last.status, 'health') : explainError(last.error);
  return {
    name: 'health',
    ok: false,
    detail: `no 2xx from ${criteria.healthPath || obs.url} in ${span} (${list}); last: ${why}; ${expected}`,
  };
}

// A plain GET: a 2xx status and a body; the content type is not judged.
export function judgeHttp(obs: HttpObservation, criteria: SmokeCriteria): StreamJudgement {
  const checks: SmokeCheck[] = [];
  const connectMs = obs.headersMs;
  let unreachable = false;
  if (obs.status === undefined) {
    unreachable = isOutsideApp(obs.error);
    checks.push({
      name: 'handshake',
      ok: false,
      detail: describeNoAnswer(obs.error, 'GET ' + criteria.path),
    });
  } else if (!isSuccess(obs.status)) {
    checks.push({ name: 'handshake', ok: false, detail: explainStatus(obs.status, 'http', criteria.path) });
  } else {
    checks.push({
      name: 'handshake',
      ok: true,
      detail: `answered ${obs.status}${connectMs !== undefined ? ` after ${formatMs(connectMs)}` : ''}`,
    });
    checks.push(
      obs.bodyBytes > 0
        ? { name: 'body', ok: true, detail: `${obs.bodyBytes} bytes of body arrived` }
        : {
            name: 'body',
            ok: false,
            detail: obs.error
              ? `the body broke off before any byte arrived: ${explainError(obs.error)}`
              : 'the response had an empty body; expected some content',
          },
    );
  }
  const held = checks.every((c) => c.ok) ? 1 : 0;
  const metrics: SmokeMetrics = {
    connectMs,
    events: 0,
    buffered: false,
    connectionsHeld: held,
    connectionsTried: 1,
  };
  return {
    checks,
    metrics,
    verdict: unreachable ? 'inconclusive' : checks.every((c) => c.ok) ? 'pass' : 'fail',
  };
}
