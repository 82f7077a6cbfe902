import type { ReleaseReport } from '../../src/core/report-types';
import { renderComment, renderStatusLine, renderSummary, reportMarker } from '../../src/core/report';
import {
  failedSmoke,
  report,
  REV,
  RUN_URL,
  SERVICE_URL,
  smoke,
  step,
  TAG_URL,
} from '../support/release-report';

describe('reportMarker: one sticky comment per project, region and service', () => {
  it('is a hidden HTML comment naming project/region/service', () => {
    expect(reportMarker('acme-prod', 'us-central1', 'api')).toBe(
      '<!-- stream-deploy:report acme-prod/us-central1/api -->',
    );
  });

  it('is stable for the same service and region', () => {
    expect(reportMarker('p', 'r', 's')).toBe(reportMarker('p', 'r', 's'));
  });

  const distinct: Array<[string, [string, string, string], [string, string, string]]> = [
    ['another region', ['p', 'us-central1', 'api'], ['p', 'europe-west1', 'api']],
    ['another service', ['p', 'us-central1', 'api'], ['p', 'us-central1', 'web']],
    ['another project', ['p1', 'us-central1', 'api'], ['p2', 'us-central1', 'api']],
    ['a prefix of another service', ['p', 'r', 'api'], ['p', 'r', 'api-v2']],
  ];
  it.each(distinct)('differs for %s', (_name, a, b) => {
    expect(reportMarker(...a)).not.toBe(reportMarker(...b));
  });

  it('stays a valid HTML comment whatever the names hold', () => {
    const marker = reportMarker('p', 'r', 'a-->b <x>');
    expect(marker.startsWith('<!--')).toBe(true);
    expect(marker.endsWith('-->')).toBe(true);
    expect(marker.slice(4, -3)).not.toMatch(/--|>|</);
  });

  it('starts the comment', () => {
    expect(renderComment(report()).split('\n')[0]).toBe(reportMarker('acme-prod', 'us-central1', 'api'));
  });
});

describe('renderComment: each phase shows its parts', () => {
  const common = ['`api`', '`us-central1`', '`api-00042`', `[workflow run](${RUN_URL})`, '`0123456`'];
  const cases: Array<{ name: string; report: ReleaseReport; has: string[]; hasNot?: string[] }> = [
    {
      name: 'planned',
      report: report({ phase: 'planned', tagUrl: undefined, traffic: undefined, timings: [] }),
      has: ['### Planned:', 'previous `api-00041`', SERVICE_URL],
      hasNot: ['**Tag URL**', '**Took:**', 'Smoke test (', '**Verdict:**'],
    },
    {
      name: 'candidate up',
      report: report({ phase: 'candidate-up' }),
      has: [
        '### Candidate deployed:',
        '`us-docker.pkg.dev/acme-prod/app/api@sha256:0123456789abcdef`',
        `[${TAG_URL}](${TAG_URL})`,
        `[${SERVICE_URL}](${SERVICE_URL})`,
        '**Traffic now:** `api-00041` 100 %',
        '**Took:** deploy 42 s',
      ],
      hasNot: ['**Why:**', 'Traffic steps'],
    },
    {
      name: 'smoke failed (rolled back by the verdict)',
      report: report({ phase: 'failed', smoke: failedSmoke(), failure: 'smoke test failed: not-buffered' }),
      has: [
        '### Smoke test failed:',
        '| check | ok | detail |',
        '| not-buffered | **no** | all 24 events arrived in one burst after 10002 ms |',
        '| buffered | **yes** |',
        '**Verdict:** smoke fail (1/2 checks ok)',
        '**Why:**',
        'smoke test failed: not-buffered',
      ],
    },
    {
      name: 'rolling out at 50 %',
      report: report({
        phase: 'rolling-out',
        smoke: smoke(),
        steps: [
          step(10, 'verified', 'share 11 % of 200 requests'),
          step(50, 'shifted'),
          step(100, 'pending'),
        ],
        traffic: [
          { type: REV, revision: 'api-00041', percent: 50 },
          { type: REV, revision: 'api-00042', percent: 50, tag: 'pr-12' },
        ],
        timings: [
          { phase: 'deploy', ms: 42_000 },
          { phase: 'smoke', ms: 11_000 },
          { phase: 'rollout', ms: 180_000 },
        ],
      }),
      has: [
        '### Rolling out: 50 %:',
        '| step | percent | status | when | detail |',
        '| 1 | 10 % | verified | 12:01:00 UTC | share 11 % of 200 requests |',
        '| 2 | 50 % | shifted | 12:05:00 UTC |  |',
        '| 3 | 100 % | pending |  |  |',
        '**Traffic now:** `api-00041` 50 % · `api-00042` 50 %',
        '**Took:** deploy 42 s · smoke 11 s · rollout 3 min',
        '| connect | 40 ms |',
        '| first event | 85 ms |',
        '| events | 24 |',
        '| largest gap | 1.0 s |',
        '| buffered | no |',
        '| connections held | 2 of 2 |',
        '**Verdict:** smoke pass (3/3 checks ok)',
      ],
      hasNot: ['```mermaid'],
    },
    {
      name: 'promoted, with the drain time (docs/platform.md "A stream is one request": open streams stay until they end or time out)',
      report: report({
        phase: 'promoted',
        smoke: smoke(),
        steps: [step(10, 'verified'), step(50, 'verified'), step(100, 'verified')],
        traffic: [{ type: REV, revision: 'api-00042', percent: 100, tag: 'pr-12' }],
        drainsBy: '2025-03-01T13:10:00Z',
      }),
      has: [
        '### Promoted:',
        '**Old streams drained by:** 2025-03-01 13:10:00 UTC',
        'the 3600 s request timeout',
      ],
      hasNot: ['Session affinity is on'],
    },
    {
      name: 'promoted with session affinity (docs/platform.md "Session affinity beats the split": its cookie can keep a client on a revision)',
      report: report({
        phase: 'promoted',
        sessionAffinity: true,
        timeoutSeconds: 900,
        drainsBy: '2025-03-01T12:25:00Z',
      }),
      has: ['the 900 s request timeout', 'Session affinity is on', 'keep some clients on the old revision'],
    },
    {
      name: 'rolled back: where it stopped, the reason, and the step that never ran',
      report: report({
        phase: 'rolled-back',
        smoke: smoke(),
        steps: [
          step(10, 'verified'),
          step(50, 'failed', 'share 12 % (expected about 50 %)'),
          step(100, 'pending'),
        ],
        failure: 'traffic check failed at 50 %; traffic restored to api-00041 100 %',
        drainsBy: '2025-03-01T13:05:00Z',
      }),
      has: [
        '### Rolled back at 50 %:',
        '**Verdict:** rolled back at step 2 of 3 (50 %), whose checks failed',
        '**Why:**\n\n```text\ntraffic check failed at 50 %; traffic restored to api-00041 100 %\n```',
        '| 2 | 50 % | failed |',
        '| 3 | 100 % | not run |  |  |',
        '<summary>Traffic steps: 1 verified, 1 failed, 1 not run</summary>',
        '**Old streams drained by:**',
      ],
      hasNot: ['smoke pass'],
    },
    {
      name: 'failed deploy (no smoke, no steps)',
      report: report({
        phase: 'failed',
        tagUrl: undefined,
        failure: "Revision 'api-00042' is not ready and cannot serve traffic. HEALTH_CHECK_CONTAINER_ERROR",
      }),
      has: ['### Failed:', 'HEALTH_CHECK_CONTAINER_ERROR', '**Why:**'],
      hasNot: ['Smoke test (', 'Traffic steps', '**Tag URL**'],
    },
    {
      name: 'first deploy without a previous revision',
      report: report({ phase: 'promoted', previousRevision: undefined }),
      has: ['### Promoted:', 'first deploy, no previous revision'],
      hasNot: ['previous `'],
    },
    {
      name: 'candidate only (preview)',
      report: report({ phase: 'candidate', smoke: smoke() }),
      has: ['### Candidate ready:', `[${TAG_URL}](${TAG_URL})`],
    },
    {
      name: 'canary stopped at 10 %',
      report: report({ phase: 'canary', steps: [step(10, 'verified')] }),
      has: ['### Canary at 10 %:'],
    },
  ];

  it.each(cases)('$name', ({ report: r, has, hasNot }) => {
    const body = renderComment(r);
    for (const part of [...common, ...has]) expect(body).toContain(part);
    for (const part of hasNot ?? []) expect(body).not.toContain(part);
  });
});

describe('renderComment: linter findings', () => {
  const finding = (i: number, severity: 'error' | 'warning') => ({
    rule: `rule-${i}`,
    severity,
    message: `message ${i}`,
    source: `input timeout`,
  });

  it('lists errors first, each with rule id, message and source, folded under the counts', () => {
    const body = renderComment(report({ findings: [finding(1, 'warning'), finding(2, 'error')] }));
    expect(body).toContain('<details><summary>Streaming lint: 1 error, 1 warning</summary>\n\n- **error**');
    const error = body.indexOf('- **error** `rule-2`: message 2 (input timeout)');
    const warning = body.indexOf('- **warning** `rule-1`: message 1 (input timeout)');
    expect(error).toBeGreaterThan(-1);
    expect(warning).toBeGreaterThan(error);
  });

  it('counts errors and warnings in the fold', () => {
    const findings = Array.from({ length: 7 }, (_, i) => finding(i, i % 2 ? 'error' : 'warning'));
    expect(renderComment(report({ findings }))).toContain(
      '<summary>Streaming lint: 3 errors, 4 warnings</summary>',
    );
  });
});

describe('renderComment: the first screen is the headline, the traffic and the verdict', () => {
  const full = report({
    phase: 'rolling-out',
    smoke: smoke(),
    steps: [step(10, 'verified'), step(50, 'shifted'), step(100, 'pending')],
    findings: [{ rule: 'timeout', severity: 'warning', message: 'short', source: 'timeout' }],
    changes: [{ setting: 'timeout', live: '300s', next: '3600s' }],
    failure: 'not yet',
  });

  /** The body's lines, each with whether it sits inside a <details> block. */
  function folded(body: string): Array<{ line: string; inside: boolean }> {
    let depth = 0;
    return body.split('\n').map((line) => {
      if (line.startsWith('<details>')) depth++;
      const inside = depth > 0;
      if (line === '</details>') depth--;
      return { line, inside };
    });
  }

  it.each([
    ['comment', renderComment(full)],
    ['summary', renderSummary(full)],
  ])('%s: every table is folded, the headline, traffic and verdict are not', (_name, body) => {
    const lines = folded(body);
    const tables = lines.filter((l) => l.line.startsWith('|'));
    expect(tables.length).toBeGreaterThan(10);
    for (const t of tables) expect(t).toEqual({ line: t.line, inside: true });
    for (const start of ['### Rolling out', '- **Verdict:**', '- **Traffic now:**', '**Why:**']) {
      expect(lines.find((l) => l.line.startsWith(start))).toEqual(expect.objectContaining({ inside: false }));
    }
    const firstFold = body.indexOf('<details>');
    expect(body.indexOf('- **Verdict:**')).toBeLessThan(firstFold);
    expect(body.indexOf('- **Traffic now:**')).toBeLessThan(firstFold);
  });

  it('opens and closes each fold with blank lines, so the markdown inside renders', () => {
    const body = renderComment(full);
    const opened = body.match(/<details><summary>[^<]*<\/summary>\n\n/g) ?? [];
    const closed = body.match(/\n\n<\/details>/g) ?? [];
    expect(opened.length).toBe(5); // changes, steps, smoke checks, smoke metrics, findings
    expect(closed.length).toBe(opened.length);
  });
});

describe('renderComment: the Changes table (settings this release changes, live -> new)', () => {
  const changes = [
    { setting: 'timeout', live: '300s', next: '3600s' },
    { setting: 'env LOG_LEVEL', live: '', next: 'debug' },
  ];

  it.each([
    ['comment', renderComment],
    ['summary', renderSummary],
  ] as const)('%s: folded, one row per setting', (_name, render) => {
    const body = render(report({ changes }));
    expect(body).toContain(
      [
        '<details><summary>Changes: 2 settings</summary>',
        '',
        '| setting | live | new |',
        '| --- | --- | --- |',
        '| timeout | 300s | 3600s |',
        '| env LOG\\_LEVEL | *not set* | debug |',
        '',
        '</details>',
      ].join('\n'),
    );
  });

  it.each([
    ['absent', undefined],
    ['empty', []],
  ])('renders nothing when %s', (_name, none) => {
    for (const body of [renderComment(report({ changes: none })), renderSummary(report({ changes: none }))])
      expect(body).not.toContain('Changes');
  });

  it('keeps the table short and says where the rest is', () => {
    const many = Array.from({ length: 45 }, (_, i) => ({ setting: `env V${i}`, live: 'a', next: 'b' }));
    const body = renderComment(report({ changes: many }));
    expect(body).toContain('<summary>Changes: 45 settings</summary>');
    expect(body).toContain('| env V39 | a | b |');
    expect(body).not.toContain('| env V40 |');
    expect(body).toContain('…and 5 more settings: the workflow log lists them all.');
  });

  it('escapes values so a row stays whole', () => {
    const body = renderComment(report({ changes: [{ setting: 'env X', live: 'a|b', next: '<b>c</b>' }] }));
    expect(body).toContain('| env X | a\\|b | &lt;b&gt;c&lt;/b&gt; |');
  });
});

describe('renderComment: the timings line names phases by what they measured', () => {
  const at = (
    phase: ReleaseReport['phase'],
    timings: ReleaseReport['timings'],
    extra: Partial<ReleaseReport> = {},
  ) =>
    renderComment(report({ phase, timings, ...extra }))
      .split('\n')
      .find((l) => l.startsWith('**Took:**'));

  test.each([
    [
      'a full rollout',
      at(
        'promoted',
        [
          { phase: 'planned', ms: 42_000 },
          { phase: 'candidate-up', ms: 11_000 },
          { phase: 'smoke-tested', ms: 1_000 },
          { phase: 'rolling-out', ms: 179_000 },
        ],
        { smoke: smoke() },
      ),
      '**Took:** deploy 42 s · smoke 11 s · rollout 3 min',
    ],
    [
      'no smoke test',
      at('promoted', [
        { phase: 'planned', ms: 30_000 },
        { phase: 'candidate-up', ms: 2_000 },
        { phase: 'rolling-out', ms: 58_000 },
      ]),
      '**Took:** deploy 30 s · rollout 1 min',
    ],
    [
      'a failed smoke test and the cleanup after it',
      at(
        'failed',
        [
          { phase: 'planned', ms: 40_000 },
          { phase: 'candidate-up', ms: 12_000 },
          { phase: 'smoke-tested', ms: 3_000 },
        ],
        { smoke: failedSmoke() },
      ),
      '**Took:** deploy 40 s · smoke 12 s · cleanup 3 s',
    ],
    ['a failed deploy', at('failed', [{ phase: 'planned', ms: 65_000 }]), '**Took:** deploy 1 min 5 s'],
  ])('%s', (_name, line, expected) => {
    expect(line).toBe(expected);
  });
});

describe('renderComment: where a stopped release stopped', () => {
  test.each([
    [
      'rolled back at the failed step',
      'rolled-back',
      [step(10, 'verified'), step(50, 'failed'), step(100, 'pending')],
      '### Rolled back at 50 %:',
      'rolled back at step 2 of 3 (50 %), whose checks failed',
    ],
    [
      'rolled back after an error while a step was shifted',
      'rolled-back',
      [step(10, 'verified'), step(50, 'shifted'), step(100, 'pending')],
      '### Rolled back at 50 %:',
      'rolled back at step 2 of 3 (50 %)',
    ],
    [
      'rolled back before any traffic moved',
      'rolled-back',
      [step(10, 'pending'), step(100, 'pending')],
      '### Rolled back before any traffic moved:',
      'rolled back before any traffic moved',
    ],
    [
      'failed (rollback failed too) at the failed step',
      'failed',
      [step(10, 'verified'), step(50, 'failed')],
      '### Failed at 50 %:',
      'failed at step 2 of 2 (50 %), whose checks failed',
    ],
  ] as const)('%s', (_name, phase, steps, headline, verdict) => {
    const body = renderComment(report({ phase, steps: [...steps], smoke: smoke() }));
    expect(body).toContain(headline);
    expect(body).toContain(`- **Verdict:** ${verdict}\n`);
    expect(body).not.toContain('smoke pass');
  });

  test.each([
    [
      'after a failed step, while the rollback runs',
      'rolling-out',
      [step(10, 'failed'), step(50, 'pending')],
      'not run',
    ],
    ['after a failed smoke test', 'failed', [step(10, 'pending'), step(50, 'pending')], 'not run'],
    ['in a rollout still going', 'rolling-out', [step(10, 'verified'), step(50, 'pending')], 'pending'],
  ] as const)('a step that never ran %s shows "%s"', (_name, phase, steps, shown) => {
    const body = renderComment(report({ phase, steps: [...steps] }));
    expect(body).toContain(`| 2 | 50 % | ${shown} |  |  |`);
  });
});

describe('rendering is deterministic', () => {
  const r = report({
    phase: 'rolled-back',
    smoke: failedSmoke(),
    steps: [step(10, 'verified'), step(50, 'failed')],
    findings: [{ rule: 'timeout', severity: 'warning', message: 'short', source: 'timeout' }],
    failure: 'boom',
    drainsBy: '2025-03-01T13:00:00Z',
  });
  const render: Array<[string, (x: ReleaseReport) => string]> = [
    ['renderComment', renderComment],
    ['renderSummary', renderSummary],
    ['renderStatusLine', renderStatusLine],
  ];
  it.each(render)('%s: same input, same output, input untouched', (_name, fn) => {
    const before = JSON.stringify(r);
    expect(fn(structuredClone(r))).toBe(fn(r));
    expect(JSON.stringify(r)).toBe(before);
  });
});
