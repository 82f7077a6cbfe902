// The one duration grammar of the smoke and rollout settings, read by the action's inputs and the CLI's flags,
// and the Cloud Run API's own.
import { parseApiSeconds, parseDuration } from '../../src/core/durations';

test.each([
  ['500ms', 500],
  ['10s', 10_000],
  ['2m', 120_000],
  ['3', 3000],
  ['1.5s', 1500],
  [' 10s ', 10_000],
  ['0.5ms', 1],
  ['10 s', undefined],
  ['ten', undefined],
  ['-1s', undefined],
  ['1h', undefined],
  ['', undefined],
])('parseDuration(%j) = %j', (text, ms) => {
  expect(parseDuration(text)).toBe(ms);
});

test.each([
  ['300s', 300],
  ['0.5s', 0.5],
  ['3600s', 3600],
  ['300', undefined],
  ['5m', undefined],
  ['', undefined],
])('parseApiSeconds(%j) = %j', (text, seconds) => {
  expect(parseApiSeconds(text)).toBe(seconds);
});
