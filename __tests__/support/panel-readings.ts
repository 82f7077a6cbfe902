// One arm's window of the stream-health panel for tests of the orchestration: three streams held for 10 s
// with an event a second, and six first events (streams and probes) after `firstMs`; override what a test
// is about. The judge's own case tables build theirs in __tests__/core/stream-panel.test.ts.
import type { ArmReading } from '../../src/core/stream-panel';

export function armReading(firstMs = 100, gapMs = 1000, overrides: Partial<ArmReading> = {}): ArmReading {
  return {
    protocol: 'sse',
    windowMs: 10_000,
    opened: 3,
    openNow: 3,
    streamSeconds: 30,
    firstEventMs: Array<number>(6).fill(firstMs),
    gapsMs: Array<number>(27).fill(gapMs),
    openGapsMs: [],
    events: 30,
    heartbeats: 0,
    disconnects: 0,
    resumes: { tried: 0, ok: 0 },
    pingRttMs: [],
    closeCodes: {},
    notServing: 0,
    openFailures: 0,
    attempts: 6,
    probes: { watched: 3, endedEarly: 0 },
    errors: [],
    ...overrides,
  };
}
