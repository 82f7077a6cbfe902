// The smoke test's defaults and reserved paths, shared by the action's inputs and `stream-deploy smoke`.
import { findPathHazard, smokeDefaults } from '../../src/core/smoke-rules';
import type { SmokeProtocol } from '../../src/core/smoke-types';

test.each<[SmokeProtocol, string, string, number]>([
  ['sse', '/events', '/health', 3],
  ['websocket', '/ws', '/health', 0],
  ['http', '/', '/health', 0],
  // gRPC checks health with grpc.health.v1 itself: no HTTP health path.
  ['grpc', '/', '', 0],
])('smokeDefaults(%j): path %j, health %j, %j events', (protocol, path, healthPath, minEvents) => {
  expect(smokeDefaults(protocol)).toEqual({
    path,
    healthPath,
    healthTimeoutMs: 60_000,
    durationMs: 10_000,
    firstEventTimeoutMs: 5000,
    minEvents,
    maxGapMs: 5000,
    connections: 1,
    checkReconnect: true,
    acceptEncoding: 'browser',
  });
});

// docs/platform.md "Reserved URL paths"; https://cloud.google.com/run/docs/known-issues.
test.each([
  ['/healthz', 'reserved'],
  ['/healthz?x=1', 'reserved'],
  ['/eventlog', 'reserved'],
  ['/_ah/start', 'reserved'],
  ['//evil.example/x', 'other-host'],
  ['/\\evil.example/x', 'other-host'],
  ['/statusz', 'ends-in-z'],
  ['/readyz#top', 'ends-in-z'],
  ['/a/livez', 'ends-in-z'],
  ['/health', undefined],
  ['/healthz/', undefined],
  ['/_ah', undefined],
  ['/events?q=z', undefined],
  ['/', undefined],
])('findPathHazard(%j) is %j', (path, kind) => {
  expect(findPathHazard(path)?.kind).toBe(kind);
});
