import {
  DEFAULT_PANEL_THRESHOLDS,
  judgePanel,
  mergeReadings,
  percentile,
  resumedAfter,
  timeWeightedPercentile,
  type ArmReading,
  type PanelProtocol,
} from '../../src/core/stream-panel';
import { renderPanelTable } from '../../src/core/report-gates';
import { seeded } from '../support/prng';

const T = DEFAULT_PANEL_THRESHOLDS;

/** An arm of `streams` SSE streams open for the whole window, one event every `everyMs`. */
function arm(over: Partial<ArmReading> = {}, streams = 3, windowMs = 20_000, everyMs = 1000): ArmReading {
  const gaps = Array.from({ length: streams * Math.floor(windowMs / everyMs) }, () => everyMs);
  return {
    protocol: 'sse',
    windowMs,
    opened: streams,
    openNow: streams,
    streamSeconds: (streams * windowMs) / 1000,
    // Three streams and three first-event probes in the window.
    firstEventMs: Array.from({ length: 2 * streams }, () => 300),
    gapsMs: gaps,
    openGapsMs: [],
    events: gaps.length,
    heartbeats: 0,
    disconnects: 0,
    resumes: { tried: 0, ok: 0 },
    pingRttMs: [],
    closeCodes: {},
    notServing: 0,
    openFailures: 0,
    // The held streams' opens and the probes', the probes watched past their first event.
    attempts: 2 * streams,
    probes: { watched: streams, endedEarly: 0 },
    errors: [],
    ...over,
  };
}

/** An arm on which no stream opened: `failures` tries failed with `error`. */
const noStreams = (failures: number, error: string) =>
  arm({
    opened: 0,
    openNow: 0,
    streamSeconds: 0,
    firstEventMs: [],
    gapsMs: [],
    events: 0,
    openFailures: failures,
    attempts: failures,
    probes: { watched: 0, endedEarly: 0 },
    errors: [error],
  });

const failing = (c: ArmReading, b: ArmReading) =>
  judgePanel(c, b, T)
    .rows.filter((r) => r.ok === false)
    .map((r) => r.metric);

describe('percentile, timeWeightedPercentile and resumedAfter', () => {
  test.each<[number[], number, number | undefined]>([
    [[], 50, undefined],
    [[5], 95, 5],
    [[1, 2, 3, 4], 50, 2],
    [[4, 3, 2, 1], 100, 4],
    [Array.from({ length: 100 }, (_, i) => i + 1), 95, 95],
    [[10, 20], 0, 10],
  ])('percentile(%j, %d) = %j', (values, p, want) => expect(percentile(values, p)).toBe(want));

  test.each<[number[], number, number | undefined]>([
    [[], 95, undefined],
    [[0, 0], 95, 0],
    [[1000, 1000, 1000, 1000], 95, 1000],
    [[...Array<number>(45).fill(1000), 15_000], 95, 15_000],
    [[...Array<number>(45).fill(1000), 15_000], 50, 1000],
  ])('timeWeightedPercentile(%j, %d) = %j', (gaps, p, want) =>
    expect(timeWeightedPercentile(gaps, p)).toBe(want),
  );

  test.each<[string, string | undefined, string | undefined, boolean]>([
    ['41', '42', '1', true],
    ['41', '41', '1', false],
    ['41', '1', '1', false],
    ['b', 'c', 'a', true],
    ['b', 'a', 'a', false],
    ['b', undefined, 'a', false],
  ])('resumedAfter(%j, %j, first %j) = %j', (last, got, first, want) =>
    expect(resumedAfter(last, got, first)).toBe(want),
  );
});

describe('judgePanel: case table', () => {
  test.each<[string, ArmReading, ArmReading, 'pass' | 'fail' | 'inconclusive', string[]]>([
    ['healthy equal arms', arm(), arm(), 'pass', []],
    [
      'candidate 3x slower to the first event',
      arm({ firstEventMs: [3500, 3600, 3900, 3500, 3600, 3900] }),
      arm({ firstEventMs: [1100, 1200, 1300, 1100, 1200, 1300] }),
      'fail',
      ['time to first event p50'],
    ],
    [
      'a fixed first-event delay 3x longer (900 ms vs 300 ms): tight samples leave only the floor',
      arm({ firstEventMs: [900, 900, 910, 900, 900, 910] }),
      arm({ firstEventMs: [300, 300, 310, 300, 300, 310] }),
      'fail',
      ['time to first event p50'],
    ],
    [
      'first events spread over a 1 s timer tick (900 ms vs 300 ms medians of 3): within their noise',
      arm({ firstEventMs: [100, 900, 990, 700, 950, 980] }),
      arm({ firstEventMs: [20, 300, 950, 100, 400, 900] }),
      'pass',
      [],
    ],
    [
      'candidate silent after 8 s of a 20 s window',
      arm({ gapsMs: [...Array<number>(24).fill(1000), 12_000, 12_000, 12_000], events: 24 }),
      arm(),
      'fail',
      ['gap p95 (time-weighted)', 'events per stream-minute'],
    ],
    [
      'one of three streams silent for its last 15 s: time-weighted, the silence outweighs 45 ticks',
      arm({ gapsMs: [...Array<number>(45).fill(1000), 15_000] }),
      arm(),
      'fail',
      ['gap p95 (time-weighted)'],
    ],
    [
      'candidate ends 20 % of ten streams early over 5 min (each cut stream cut again): enough evidence',
      arm({ disconnects: 10, resumes: { tried: 10, ok: 10 } }, 10, 300_000),
      arm({}, 10, 300_000),
      'fail',
      ['disconnects'],
    ],
    [
      'candidate ends 20 % of ten streams early in a 20 s window: two disconnects are not enough',
      arm({ disconnects: 2, resumes: { tried: 2, ok: 2 } }, 10),
      arm({}, 10),
      'pass',
      [],
    ],
    ['one disconnect in a short window', arm({ disconnects: 1 }), arm(), 'pass', []],
    [
      'disconnects on both arms alike (a network blip)',
      arm({ disconnects: 5 }),
      arm({ disconnects: 4 }),
      'pass',
      [],
    ],
    ['baseline opened no stream', arm(), noStreams(3, 'HTTP 404'), 'inconclusive', []],
    [
      'baseline sent too few signals',
      arm(),
      arm({ events: 2, gapsMs: [9000, 9000], firstEventMs: [1000] }),
      'inconclusive',
      [],
    ],
    [
      'candidate streamed too little, without failing',
      arm({ streamSeconds: 4, openNow: 0, opened: 1 }),
      arm(),
      'inconclusive',
      [],
    ],
    [
      'candidate opens nothing: every try fails',
      noStreams(40, 'HTTP 503'),
      arm({ attempts: 40 }),
      'fail',
      ['failed opens'],
    ],
    [
      'candidate fails 5 % of 300 tries, the baseline none: 15 against 0',
      arm({ openFailures: 15, attempts: 300 }),
      arm({ attempts: 300 }),
      'fail',
      ['failed opens'],
    ],
    [
      'both arms fail 1 % of 300 tries (a front end answering 503 to some requests): shared noise',
      arm({ openFailures: 5, attempts: 300 }),
      arm({ openFailures: 2, attempts: 300 }),
      'pass',
      [],
    ],
    [
      'probes ended early: 12 of 60 watched on the candidate, none of 60 on the baseline',
      arm({ probes: { watched: 60, endedEarly: 12 } }),
      arm({ probes: { watched: 60, endedEarly: 0 } }),
      'fail',
      ['probes ended early'],
    ],
    [
      'resume with Last-Event-ID broken on the candidate only',
      arm({ disconnects: 3, resumes: { tried: 3, ok: 0 } }),
      arm({ disconnects: 3, resumes: { tried: 3, ok: 3 } }),
      'fail',
      ['resumes after a disconnect'],
    ],
    [
      'resume broken on both arms: not a regression',
      arm({ disconnects: 3, resumes: { tried: 3, ok: 0 } }),
      arm({ disconnects: 3, resumes: { tried: 3, ok: 0 } }),
      'pass',
      [],
    ],
    [
      'heartbeats only: no events, comments as signals',
      arm({ events: 0, heartbeats: 6, gapsMs: [5000, 5000, 5000, 3000, 2000, 1000] }),
      arm({ events: 0, heartbeats: 6, gapsMs: [5000, 5000, 5000, 2500, 2000, 900] }),
      'pass',
      [],
    ],
  ])('%s', (_name, candidate, baseline, verdict, failed) => {
    const judged = judgePanel(candidate, baseline, T);
    expect(judged.verdict).toBe(verdict);
    expect(failing(candidate, baseline).sort()).toEqual([...failed].sort());
    expect(judged.detail.startsWith(`${verdict}:`)).toBe(true);
    expect(judged.detail).not.toMatch(/\n/);
  });

  test('a count unlikely by chance but short of the limit passes and is marked suspect', () => {
    // 5 failures against none: p = 0.5^5 = 0.03, under SUSPECT_P but over countP.
    const judged = judgePanel(arm({ openFailures: 5, attempts: 300 }), arm({ attempts: 300 }), T);
    expect(judged.verdict).toBe('pass');
    expect(judged.suspect).toMatch(/^failed opens 5 of 300 tries vs 0 of 300 tries$/);
    expect(judgePanel(arm({ openFailures: 1, attempts: 300 }), arm({ attempts: 300 }), T).suspect).toBe(
      undefined,
    );
  });

  test("mergeReadings adds two windows up; open streams and open gaps are the later window's", () => {
    const earlier = arm({ openFailures: 2, openGapsMs: [400, 500, 600], closeCodes: { '1011': 1 } });
    const later = arm({
      openFailures: 1,
      openNow: 2,
      openGapsMs: [100],
      closeCodes: { '1011': 2, '1000': 1 },
    });
    const merged = mergeReadings(earlier, later);
    expect(merged).toMatchObject({
      windowMs: 40_000,
      openNow: 2,
      openFailures: 3,
      attempts: 12,
      streamSeconds: 120,
      openGapsMs: [100],
      closeCodes: { '1011': 3, '1000': 1 },
      probes: { watched: 6, endedEarly: 0 },
    });
    expect(merged.gapsMs).toHaveLength(earlier.gapsMs.length + later.gapsMs.length);
    expect(merged.firstEventMs).toHaveLength(12);
  });

  test('the fail detail names the metric and both numbers', () => {
    const judged = judgePanel(
      arm({ firstEventMs: [3500, 3600, 3900, 3500, 3600, 3900] }),
      arm({ firstEventMs: [1100, 1200, 1300, 1100, 1200, 1300] }),
      T,
    );
    expect(judged.detail).toMatch(
      /time to first event p50 3\.6 s \(n=6\) on the candidate vs 1\.2 s \(n=6\) \(limit ≤ 2\.4 s\)/,
    );
  });
});

describe('judgePanel: WebSocket and gRPC rows', () => {
  const ws = (over: Partial<ArmReading> = {}) =>
    arm({ protocol: 'websocket', pingRttMs: Array<number>(20).fill(40), ...over });

  test.each<[string, ArmReading, ArmReading, 'pass' | 'fail', string[]]>([
    ['equal sockets', ws(), ws(), 'pass', []],
    [
      'ping 10x slower than the baseline and past the floor',
      ws({ pingRttMs: Array<number>(20).fill(400) }),
      ws(),
      'fail',
      ['ping round trip p50'],
    ],
    ['ping 3x slower, within the floor', ws({ pingRttMs: Array<number>(20).fill(120) }), ws(), 'pass', []],
    [
      'server closes with 1011 twelve times against none',
      ws({ disconnects: 12, closeCodes: { '1011': 12 } }),
      ws(),
      'fail',
      ['disconnects', 'unexpected close codes'],
    ],
    [
      'three 1011 closes in 20 s against none: one in eight by chance, not a failure',
      ws({ disconnects: 3, closeCodes: { '1011': 3 } }),
      ws(),
      'pass',
      [],
    ],
    [
      'server closes with 1001 twice (going away)',
      ws({ disconnects: 2, closeCodes: { '1001': 2 } }),
      ws(),
      'pass',
      [],
    ],
  ])('%s', (_name, candidate, baseline, verdict, failed) => {
    expect(judgePanel(candidate, baseline, T).verdict).toBe(verdict);
    expect(failing(candidate, baseline).sort()).toEqual([...failed].sort());
  });

  const grpc = (over: Partial<ArmReading> = {}) =>
    arm({ protocol: 'grpc' as PanelProtocol, gapsMs: [], events: 3, firstEventMs: [50, 60, 70], ...over });

  test.each<[string, ArmReading, ArmReading, 'pass' | 'fail' | 'inconclusive']>([
    ['Watch SERVING on both', grpc(), grpc(), 'pass'],
    ['candidate turns NOT_SERVING', grpc({ notServing: 3, events: 6 }), grpc(), 'fail'],
    ['baseline Watch sent no status', grpc(), grpc({ events: 0, firstEventMs: [] }), 'inconclusive'],
  ])('%s', (_name, candidate, baseline, verdict) => {
    const judged = judgePanel(candidate, baseline, T);
    expect(judged.verdict).toBe(verdict);
    expect(judged.rows.find((r) => r.metric === 'gap p95 (time-weighted)')?.ok).toBeUndefined();
  });
});

const prng = seeded;

/** A pause of the client process: every stream of both arms reads nothing for `ms`. */
interface Stall {
  atMs: number;
  ms: number;
}

/**
 * One arm on a loaded runner: events every 1000±400 ms, a first event after 0–1.4 s, pings of 5–300 ms,
 * a rare disconnect, 10 probes a second of which a front end fails 1 % and the server ends 0.5 % early,
 * and the runner's stalls (shared by both arms: one client process) added to the gap they fall in.
 */
function noisyArm(
  rand: () => number,
  stalls: Stall[],
  protocol: PanelProtocol,
  probeRand: () => number,
): ArmReading {
  const streams = 3;
  const windowMs = 20_000;
  const gapsMs: number[] = [];
  for (let s = 0; s < streams; s++) {
    let at = 0;
    while (at < windowMs) {
      let gap = 600 + rand() * 800;
      for (const stall of stalls) if (stall.atMs >= at && stall.atMs < at + gap) gap += stall.ms;
      gapsMs.push(Math.min(gap, windowMs - at));
      at += gap;
    }
  }
  const disconnects = rand() < 0.1 ? 1 : 0;
  const probes = 200;
  const count = (n: number, p: number) =>
    Array.from({ length: n }, () => probeRand() < p).filter(Boolean).length;
  const failedProbes = count(probes, 0.01);
  return {
    protocol,
    windowMs,
    opened: streams + disconnects,
    openNow: streams,
    streamSeconds: (streams * windowMs) / 1000 - disconnects * rand(),
    firstEventMs: [
      ...Array.from({ length: streams + disconnects }, () => rand() * 1400),
      ...Array.from({ length: probes - failedProbes }, () => probeRand() * 1400),
    ],
    gapsMs,
    openGapsMs: [],
    events: gapsMs.length,
    heartbeats: 0,
    disconnects,
    resumes: { tried: disconnects, ok: disconnects },
    pingRttMs: protocol === 'websocket' ? Array.from({ length: 60 }, () => 5 + rand() * 295) : [],
    closeCodes: disconnects > 0 && protocol === 'websocket' ? { '1001': 1 } : {},
    notServing: 0,
    // A held stream's reconnect fails now and then, as in the trials before the probes.
    openFailures: (rand() < 0.05 ? 1 : 0) + failedProbes,
    attempts: streams + disconnects + probes,
    probes: { watched: probes - failedProbes, endedEarly: count(probes - failedProbes, 0.005) },
    errors: [],
  };
}

test.each<PanelProtocol>(['sse', 'websocket'])(
  '%s: the jitter of a loaded runner on both arms passes 1000 seeded trials',
  (protocol) => {
    const rand = prng(protocol === 'sse' ? 15 : 16);
    // The probes draw from their own sequence, so the held streams' trials are those the judge passed before.
    const probeRand = prng(protocol === 'sse' ? 115 : 116);
    const verdicts: Record<string, number> = {};
    for (let trial = 0; trial < 1000; trial++) {
      const stalls = Array.from({ length: Math.floor(rand() * 3) }, () => ({
        atMs: rand() * 20_000,
        ms: 500 + rand() * 2500,
      }));
      const judged = judgePanel(
        noisyArm(rand, stalls, protocol, probeRand),
        noisyArm(rand, stalls, protocol, probeRand),
        T,
      );
      const key = judged.verdict === 'pass' ? 'pass' : judged.detail;
      verdicts[key] = (verdicts[key] ?? 0) + 1;
    }
    expect(verdicts).toEqual({ pass: 1000 });
  },
);

test('the Markdown table has a row per metric and escapes pipes', () => {
  const judged = judgePanel(arm({ errors: ['a|b'] }), arm(), T);
  const table = renderPanelTable(judged);
  expect(table.split('\n')).toHaveLength(4 + judged.rows.length);
  expect(table).toContain('| time to first event p50 | 300 ms (n=6) | 300 ms (n=6) |');
  expect(
    renderPanelTable({
      ...judged,
      rows: [{ metric: 'x|y', candidate: '1', baseline: '2', limit: 'z', ok: false }],
    }),
  ).toContain('| x\\|y | 1 | 2 | z | ❌ |');
});
