import { renderComment, renderSummary } from '../../src/core/report';
import { regionPhase, renderRegions } from '../../src/core/report-regions';
import type { RegionReport } from '../../src/core/report-types';
import { report, REV, step } from '../support/release-report';

const BEFORE = [{ type: REV, revision: 'api-00041', percent: 100 }];
const KEPT = [...BEFORE, { type: REV, revision: 'api-00042', percent: 0, tag: 'pr-12' }];
const EU_TAG = 'https://pr-12---api-abc123-ew.a.run.app';

/** A region of the release; overrides for the case at hand. */
function region(overrides: Partial<RegionReport> & Pick<RegionReport, 'region' | 'wave'>): RegionReport {
  return {
    phase: 'promoted',
    revision: 'api-00042',
    steps: [],
    traffic: KEPT,
    baselineTraffic: BEFORE,
    ...overrides,
  };
}

/** Three waves: the canary wave promoted, wave 2 rolled back at its step 2, wave 3 withdrawn. */
const waves: RegionReport[] = [
  // Given out of wave order: the table puts them in order.
  region({
    region: 'asia-east1',
    wave: 3,
    phase: 'failed',
    steps: [step(100, 'pending')],
    failure: 'withdrawn: wave 2 (europe-west1) was rolled back',
  }),
  region({
    region: 'us-central1',
    wave: 1,
    phase: 'promoted',
    smoke: 'pass',
    steps: [step(10, 'verified'), step(50, 'verified'), step(100, 'verified')],
    traffic: [{ type: REV, revision: 'api-00042', percent: 100, tag: 'pr-12' }],
    tagUrl: 'https://pr-12---api-abc123-uc.a.run.app',
  }),
  region({
    region: 'europe-west1',
    wave: 2,
    phase: 'rolled-back',
    smoke: 'pass',
    steps: [step(50, 'verified'), step(100, 'failed')],
    failure: 'step 2 (100 %) failed: request errors 4.1 % > 1 %; traffic restored',
    tagUrl: EU_TAG,
  }),
];

describe('renderRegions: a table of regions by steps, in wave order', () => {
  const text = renderRegions(waves);
  const lines = text.split('\n');

  it('leads with the regions counted by phase', () => {
    expect(lines[0]).toBe('**Regions:** 1 promoted, 1 rolled back, 1 withdrawn');
  });

  it('has one column per step percent of any region, ascending, and a row per region in wave order', () => {
    const table = lines.filter((l) => l.startsWith('|'));
    expect(table).toEqual([
      '| Region | Wave | 10 % | 50 % | 100 % | Now | Phase |',
      '| --- | --- | --- | --- | --- | --- | --- |',
      '| us-central1 | 1 | ✅ verified | ✅ verified | ✅ verified | candidate 100 % | promoted |',
      '| europe-west1 | 2 | – | ✅ verified | ❌ failed | baseline | rolled back |',
      '| asia-east1 | 3 | – | – | ⏭️ not run | baseline | withdrawn |',
    ]);
  });

  it('says why each failed region failed, and links each tag URL', () => {
    expect(lines.filter((l) => l.startsWith('- '))).toEqual([
      '- **us-central1**: tag URL [https://pr-12---api-abc123-uc.a.run.app](https://pr-12---api-abc123-uc.a.run.app)',
      `- **europe-west1**: step 2 (100 %) failed: request errors 4.1 % &gt; 1 %; traffic restored · tag URL [${EU_TAG}](${EU_TAG})`,
      '- **asia-east1**: withdrawn: wave 2 (europe-west1) was rolled back',
    ]);
  });

  it('shows steps still to come as pending while a region waits for its wave', () => {
    const waiting = region({
      region: 'europe-west1',
      wave: 2,
      phase: 'smoke-tested',
      smoke: 'pass',
      steps: [step(50, 'pending'), step(100, 'pending')],
    });
    expect(renderRegions([waiting])).toContain(
      '| europe-west1 | 2 | ⏳ pending | ⏳ pending | baseline | waiting |',
    );
  });

  it('makes failure text inert: no markdown, HTML, mention, reference or link survives', () => {
    const hostile = region({
      region: 'europe-west1',
      wave: 2,
      phase: 'rolled-back',
      failure: '**boom** <img src=x onerror=alert(1)> cc @octocat see #12 [here](https://evil.example) | `x`',
    });
    const line = renderRegions([hostile])
      .split('\n')
      .find((l) => l.startsWith('- **europe-west1**'));
    expect(line).toBe(
      '- **europe-west1**: \\*\\*boom\\*\\* &lt;img src=x onerror=alert(1)&gt; cc @\u200Boctocat see \\#\u200B12 ' +
        '\\[here\\](https:\u200B//evil.example) \\| \\`x\\`',
    );
  });

  it('escapes a region name in its cell and its line', () => {
    const odd = region({ region: 'eu|<b>', wave: 1, failure: 'x' });
    const text = renderRegions([odd]);
    expect(text).toContain('| eu\\|&lt;b&gt; | 1 |');
    expect(text).toContain('- **eu\\|&lt;b&gt;**: x');
  });

  it('shows a tag URL that is not a plain http(s) URL as code, never as a link', () => {
    const text = renderRegions([region({ region: 'us-central1', wave: 1, tagUrl: 'javascript:alert(1)' })]);
    expect(text).toContain('tag URL `javascript:alert(1)`');
    expect(text).not.toContain('](javascript');
  });
});

describe('renderRegions: where each region is now', () => {
  const now = (overrides: Partial<RegionReport>) =>
    renderRegions([region({ region: 'r', wave: 1, ...overrides })])
      .split('\n')
      .find((l) => l.startsWith('| r |'))!
      .split(' | ')
      .at(-2);

  test.each([
    [
      'the candidate serves',
      {
        traffic: [
          ...BEFORE.map((t) => ({ ...t, percent: 75 })),
          { type: REV, revision: 'api-00042', percent: 25 },
        ],
      },
      'candidate 25 %',
    ],
    ['the split found before the release', { traffic: KEPT }, 'baseline'],
    ['another split', { traffic: [{ type: REV, revision: 'api-00040', percent: 100 }] }, 'api-00040 100 %'],
    ['not known', { traffic: undefined }, '–'],
  ] as Array<[string, Partial<RegionReport>, string]>)('%s -> %s', (_name, overrides, cell) => {
    expect(now(overrides)).toBe(cell);
  });
});

describe('regionPhase: where a region is, in words', () => {
  test.each([
    ['planned', { phase: 'planned' }, 'planned'],
    ['candidate up, steps to come', { phase: 'candidate-up', steps: [step(50, 'pending')] }, 'waiting'],
    [
      'smoke passed, steps to come',
      { phase: 'smoke-tested', smoke: 'pass', steps: [step(50, 'pending')] },
      'waiting',
    ],
    ['smoke failed', { phase: 'smoke-tested', smoke: 'fail', steps: [step(50, 'pending')] }, 'smoke failed'],
    ['rolling out', { phase: 'rolling-out', steps: [step(50, 'shifted')] }, 'rolling out'],
    ['promoted', { phase: 'promoted' }, 'promoted'],
    ['rolled back', { phase: 'rolled-back', steps: [step(50, 'failed')] }, 'rolled back'],
    ['failed after traffic moved', { phase: 'failed', steps: [step(50, 'failed')] }, 'failed'],
    ['failed before any traffic moved', { phase: 'failed', steps: [step(50, 'pending')] }, 'withdrawn'],
    [
      'failed by its own smoke test',
      { phase: 'failed', smoke: 'fail', steps: [step(50, 'pending')] },
      'smoke failed',
    ],
  ] as Array<[string, Partial<RegionReport>, string]>)('%s -> %s', (_name, overrides, words) => {
    expect(regionPhase(region({ region: 'r', wave: 1, ...overrides }))).toBe(words);
  });
});

describe('renderComment and renderSummary: the regions of a multi-region release', () => {
  const release = report({
    phase: 'rolled-back',
    steps: [step(10, 'verified'), step(50, 'verified'), step(100, 'verified')],
    regions: waves,
  });
  const row = '| europe-west1 | 2 | – | ✅ verified | ❌ failed | baseline | rolled back |';

  test.each([
    ['comment', renderComment(release)],
    ['summary', renderSummary(release)],
  ])('the %s has the table right after the traffic steps, and names the regions', (_name, body) => {
    expect(body).toContain('| Region | Wave | 10 % | 50 % | 100 % | Now | Phase |');
    expect(body).toContain(row);
    expect(body).toContain('- **Regions:** `us-central1`, `europe-west1`, `asia-east1`');
    expect(body).toContain(': `api` in 3 regions');
    const steps = body.indexOf('| step | percent | status | when | detail |');
    expect(steps).toBeGreaterThan(0);
    expect(body.indexOf('**Regions:** 1 promoted')).toBeGreaterThan(steps);
  });

  it('shows no regions for a one-region release', () => {
    const one = renderComment(report({ steps: [step(10, 'verified')] }));
    expect(one).not.toContain('| Region | Wave |');
    expect(one).not.toContain('**Regions:**');
    expect(one).toContain(': `api` in `us-central1`');
  });

  it('keeps the regions longer than the traffic steps when the comment is too big', () => {
    const full = renderComment(release);
    const fitted = renderComment(release, new TextEncoder().encode(full).length - 1);
    expect(fitted).toContain("*Left out to stay under GitHub's size limit for a comment: the traffic steps;");
    expect(fitted).not.toContain('| step | percent |');
    expect(fitted).toContain(row);
  });
});
