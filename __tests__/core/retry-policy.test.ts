import { API_RETRY, describeCode, isTransient, retryDelayMs } from '../../src/core/retry-policy';

describe('isTransient', () => {
  test.each([
    [8, true], // 429 RESOURCE_EXHAUSTED
    [13, true], // 500 INTERNAL
    [2, true], // 500 UNKNOWN
    [14, true], // 503 UNAVAILABLE
    [4, true], // 504 DEADLINE_EXCEEDED
    [7, false], // 403 PERMISSION_DENIED: retrying cannot grant a role
    [5, false], // 404 NOT_FOUND
    [3, false], // 400 INVALID_ARGUMENT
    [10, false], // 409 ABORTED: a stale etag is re-read, not resent
    [16, false], // 401 UNAUTHENTICATED
    [undefined, false],
  ])('code %p -> %p', (code, expected) => expect(isTransient(code)).toBe(expected));
});

test('describeCode names the code and the HTTP status people see in the docs', () => {
  expect(describeCode(14)).toBe('UNAVAILABLE (HTTP 503)');
  expect(describeCode(8)).toBe('RESOURCE_EXHAUSTED (HTTP 429)');
  expect(describeCode(99)).toBe('code 99');
});

describe('retryDelayMs', () => {
  test('doubles from 0.5 s with equal jitter: half fixed, half random', () => {
    expect([1, 2, 3, 4].map((a) => retryDelayMs(API_RETRY, a, 0))).toEqual([250, 500, 1000, 2000]);
    expect([1, 2, 3, 4].map((a) => retryDelayMs(API_RETRY, a, 0.999999))).toEqual([500, 1000, 2000, 4000]);
  });

  test('no pause after the last try', () => {
    expect(retryDelayMs(API_RETRY, API_RETRY.attempts, 0.5)).toBeUndefined();
    expect(retryDelayMs({ ...API_RETRY, attempts: 1 }, 1, 0.5)).toBeUndefined();
  });

  test('capped at maxDelayMs', () => {
    const policy = { attempts: 20, initialDelayMs: 500, multiplier: 2, maxDelayMs: 3000 };
    expect(retryDelayMs(policy, 15, 0.999999)).toBe(3000);
  });

  test('the whole budget stays a few seconds, so a run fails clearly instead of hanging', () => {
    let worst = 0;
    for (let a = 1; a < API_RETRY.attempts; a++) worst += retryDelayMs(API_RETRY, a, 0.999999) ?? 0;
    expect(worst).toBe(7500);
  });
});
