// GitHub failure classification from a table of errors as Octokit raises them: no mocks.
import { classifyFailure } from '../../src/core/github-failures';

test.each([
  [
    '403 with x-ratelimit-remaining 0 waits until x-ratelimit-reset',
    {
      status: 403,
      message: 'API rate limit exceeded',
      headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '1100' },
    },
    { kind: 'rate-limited', secondary: false, retryAt: 1_100_000 },
  ],
  [
    '429 waits retry-after seconds',
    { status: 429, message: 'x', headers: { 'retry-after': '30' } },
    { kind: 'rate-limited', secondary: true, retryAt: 1_030_000 },
  ],
  [
    'a secondary limit with no header waits a minute',
    { status: 403, message: 'You have exceeded a secondary rate limit', headers: {} },
    { kind: 'rate-limited', secondary: true, retryAt: 1_060_000 },
  ],
  [
    '403 Resource not accessible is a permission',
    { status: 403, message: 'Resource not accessible by integration', headers: {} },
    { kind: 'denied' },
  ],
  [
    '401 Bad credentials is a permission',
    { status: 401, message: 'Bad credentials', headers: {} },
    { kind: 'denied' },
  ],
  ['500 passes', { status: 500, message: 'Server Error', headers: {} }, { kind: 'transient' }],
] as const)('classifyFailure: %s', (_name, e, expected) => {
  const err = Object.assign(new Error(e.message), { status: e.status, response: { headers: e.headers } });
  expect(classifyFailure(err, 1_000_000)).toEqual(expected);
});
