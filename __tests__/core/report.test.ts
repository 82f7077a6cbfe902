import type { ReleaseReport } from '../../src/core/report-types';
import {
  COMMENT_BUDGET_BYTES,
  renderComment,
  renderStatusLine,
  renderSummary,
  reportMarker,
} from '../../src/core/report';
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
      name: 'promoted, with the drain time (FACTS.md: open streams stay until they end or time out)',
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
      name: 'promoted with session affinity (FACTS.md: its cookie can keep a client on a revision)',
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

describe('renderComment: user text cannot break the markdown or leak secrets', () => {
  it('escapes `|` and <script> in a check detail so the table row stays whole', () => {
    const body = renderComment(
      report({
        smoke: smoke({
          checks: [{ name: 'echo', ok: false, detail: 'got a|b <script>alert(1)</script> back' }],
        }),
      }),
    );
    const row = body.split('\n').find((l) => l.startsWith('| echo |'));
    expect(row).toBe('| echo | **no** | got a\\|b &lt;script&gt;alert(1)&lt;/script&gt; back |');
    expect(body).not.toContain('<script>');
  });

  it('keeps backticks in the failure inside a longer fence', () => {
    const failure = 'bad ```\n## not a heading\n`x` <img src=x>';
    const body = renderComment(report({ phase: 'failed', failure }));
    expect(body).toContain('````text\n' + failure + '\n````');
  });

  it('keeps backticks in an image name inside its code span', () => {
    const body = renderComment(report({ image: 'evil`image' }));
    expect(body).toContain('**Image:** ``evil`image``');
  });

  it('shows a non-http URL as code, never as a link', () => {
    const body = renderComment(report({ tagUrl: 'javascript:alert(1)' }));
    expect(body).toContain('`javascript:alert(1)`');
    expect(body).not.toContain('](javascript:');
  });

  it('cuts long details to about 160 characters', () => {
    const body = renderComment(
      report({ smoke: smoke({ checks: [{ name: 'x', ok: true, detail: 'y'.repeat(500) }] }) }),
    );
    const row = body.split('\n').find((l) => l.startsWith('| x |'))!;
    expect(row).toContain('y'.repeat(159) + '…');
    expect(row).not.toContain('y'.repeat(160));
  });

  const ACCESS = 'ya29.a0AfB_byC-abcdefghijklmnop0123456789';
  const JWT = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJyZXBvOmFjbWUvYXBwIn0.c2lnbmF0dXJlLXBhcnQ';
  const tokens: Array<{ name: string; report: ReleaseReport; secret: string }> = [
    {
      name: 'access token in the failure',
      report: report({ failure: `401 with ${ACCESS}` }),
      secret: 'ya29.',
    },
    {
      name: 'JWT in a check detail',
      report: report({ smoke: smoke({ checks: [{ name: 'h', ok: false, detail: `token ${JWT}` }] }) }),
      secret: 'eyJhbGci',
    },
    {
      name: 'JWT in a step detail',
      report: report({ steps: [step(10, 'failed', JWT)] }),
      secret: 'eyJhbGci',
    },
    {
      name: 'access token in a finding',
      report: report({ findings: [{ rule: 'r', severity: 'error', message: ACCESS, source: 's' }] }),
      secret: 'ya29.',
    },
    { name: 'access token in the image', report: report({ image: `img?${ACCESS}` }), secret: 'ya29.' },
    {
      name: 'bearer value in the failure',
      report: report({ failure: 'Authorization: Bearer abcdef0123456789xyz' }),
      secret: 'abcdef0123456789xyz',
    },
  ];
  it.each(tokens)('strips token-looking strings: $name', ({ report: r, secret }) => {
    for (const text of [renderComment(r), renderSummary(r), renderStatusLine(r)]) {
      expect(text).not.toContain(secret);
    }
    expect(renderComment(r)).toContain('(redacted)');
  });
});

describe('renderSummary: the comment plus Mermaid charts', () => {
  const rolling = report({
    phase: 'rolling-out',
    smoke: smoke(),
    steps: [step(10, 'verified'), step(50, 'shifted'), step(100, 'pending')],
  });

  /** The bodies of the ```mermaid blocks. */
  function mermaidBlocks(markdown: string): string[][] {
    return Array.from(markdown.matchAll(/```mermaid\n([\s\S]*?)\n```/g), (m) => m[1].split('\n'));
  }

  it('has the comment content without the marker', () => {
    const summary = renderSummary(rolling);
    expect(summary).not.toContain('<!--');
    const comment = renderComment(rolling);
    for (const part of [
      '### Rolling out: 50 %:',
      '| step | percent | status | when | detail |',
      '| check | ok | detail |',
    ]) {
      expect(comment).toContain(part);
      expect(summary).toContain(part);
    }
  });

  it('charts the candidate share per step as an xychart-beta with quoted labels', () => {
    const traffic = mermaidBlocks(renderSummary(rolling)).find((b) => b[0] === 'xychart-beta');
    expect(traffic).toEqual([
      'xychart-beta',
      '  title "Candidate traffic by step"',
      '  x-axis "Step" ["1: verified", "2: shifted", "3: pending"]',
      '  y-axis "Candidate traffic (percent)" 0 --> 100',
      '  bar [10, 50, 100]',
      '  line [10, 50, 0]',
    ]);
  });

  it('charts the smoke timings as a horizontal bar chart', () => {
    const blocks = mermaidBlocks(renderSummary(rolling));
    expect(blocks).toHaveLength(2);
    const timings = blocks.find((b) => b[0] === 'xychart-beta horizontal')!;
    expect(timings).toEqual([
      'xychart-beta horizontal',
      '  title "Smoke timings (ms)"',
      '  x-axis ["connect", "first event", "largest gap"]',
      '  y-axis "milliseconds" 0 --> 1010',
      '  bar [40, 85, 1010]',
    ]);
  });

  it('follows the xychart grammar on every line, for every case', () => {
    const grammar = [
      /^xychart-beta( horizontal)?$/,
      /^ {2}title "[^"%]*"$/,
      /^ {2}x-axis ("[^"%]*" )?\["[^"%]*"(, "[^"%]*")*\]$/,
      /^ {2}y-axis "[^"%]*" -?\d+ --> \d+$/,
      /^ {2}(bar|line) \[-?\d+(\.\d+)?(, -?\d+(\.\d+)?)*\]$/,
    ];
    const weird = report({
      smoke: smoke({
        metrics: { events: 0, buffered: false, connectionsHeld: 0, connectionsTried: 1, connectMs: 3.7 },
      }),
      steps: [step(150, 'verified', '"quoted" %% detail'), step(-5, 'failed')],
    });
    for (const r of [rolling, weird]) {
      for (const block of mermaidBlocks(renderSummary(r))) {
        for (const line of block) expect(grammar.some((g) => g.test(line))).toBe(true);
      }
    }
  });

  it('has no chart without steps and no smoke chart without timings', () => {
    const plain = report({ steps: [], smoke: undefined });
    expect(renderSummary(plain)).not.toContain('```mermaid');
    const noTimings = report({
      steps: [],
      smoke: smoke({ metrics: { events: 0, buffered: false, connectionsHeld: 0, connectionsTried: 1 } }),
    });
    expect(renderSummary(noTimings)).not.toContain('```mermaid');
  });
});

describe('renderStatusLine: a deployment / commit status description', () => {
  const cases: Array<{ name: string; report: ReleaseReport; expected: string }> = [
    {
      name: 'promoted after a passing smoke test',
      report: report({ phase: 'promoted', smoke: smoke() }),
      expected: 'Promoted: api (us-central1) - api-00042 - smoke pass',
    },
    {
      name: 'rolled back, with the reason on one line',
      report: report({ phase: 'rolled-back', failure: 'share check failed\nrestored api-00041' }),
      expected: 'Rolled back: api (us-central1) - api-00042 - share check failed restored api-00041',
    },
    {
      name: 'rolled back before the failure text arrived: where it stopped, never "smoke pass"',
      report: report({
        phase: 'rolled-back',
        smoke: smoke(),
        steps: [step(10, 'verified'), step(50, 'failed')],
      }),
      expected: 'Rolled back at 50 %: api (us-central1) - api-00042',
    },
    {
      name: 'rolling out',
      report: report({ phase: 'rolling-out', steps: [step(10, 'verified'), step(50, 'shifted')] }),
      expected: 'Rolling out: 50 %: api (us-central1) - api-00042',
    },
  ];
  it.each(cases)('$name', ({ report: r, expected }) => {
    expect(renderStatusLine(r)).toBe(expected);
  });

  it('is at most 140 characters for long inputs (GitHub limit), ending with an ellipsis', () => {
    const line = renderStatusLine(
      report({
        phase: 'failed',
        service: 's'.repeat(49),
        revision: 'r'.repeat(63),
        failure: 'x'.repeat(5000),
      }),
    );
    expect(line.length).toBeLessThanOrEqual(140);
    expect(line.endsWith('…')).toBe(true);
    expect(line).not.toContain('\n');
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

describe('renderComment: text from the candidate cannot mention, reference, link or inject', () => {
  // GitHub finds these in the rendered text (docs/platform.md "Autolinked references and mentions").
  const github: Array<[string, RegExp]> = [
    ['mention', /(^|[^A-Za-z0-9])@[A-Za-z0-9]/],
    ['issue reference', /#\d/],
    ['GH- reference', /\bGH-\d/i],
    ['URL', /(https?|ftps?):\/\/|(mailto|xmpp):[^\u200B]/i],
    ['www autolink', /www\./i],
    ['commit SHA', /(?<![0-9A-Za-z])[0-9a-f]{7,40}(?![0-9A-Za-z])/i],
    ['math', /\$/],
  ];

  /** The text GitHub scans for autolinks: code, links and our own HTML removed, escapes and entities undone. */
  function scanned(markdown: string): string {
    return outsideCode(markdown)
      .replace(/\[[^\]]*\]\([^)]*\)/g, '')
      .replace(/<span>\$<\/span>/g, '')
      .replace(/<!--[^>]*-->/g, '')
      .replace(/\\(.)/g, '$1')
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&amp;/g, '&');
  }

  /** The markdown without code blocks and code spans, whose text GitHub shows as it is. */
  function outsideCode(markdown: string): string {
    return markdown.replace(/(`{3,})text\n[\s\S]*?\n\1/g, '').replace(/(`+)[^`]*?\1/g, '');
  }

  const hostile = [
    'ping @octocat and @acme/ops',
    'see #12, GH-7 and acme/app#3',
    'go to https://evil.example/x?y=1 or HTTP://EVIL.EXAMPLE',
    'or www.evil.example/login',
    'autolink <https://evil.example> and <mailto:x@evil.example>',
    'mail a.b@evil.example, xmpp:x@evil.example',
    'commit 0123456789abcdef0123456789abcdef01234567 and deadbee',
    'math $\\color{red}{X}$ and $$x$$',
    '<img src=x onerror=alert(1)> <a href="https://evil.example">x</a>',
  ];

  it.each(hostile)('in every place the comment prints it: %s', (text) => {
    const r = report({
      phase: 'rolled-back',
      smoke: smoke({ checks: [{ name: text, ok: false, detail: text }] }),
      steps: [step(10, 'failed', text)],
      findings: [{ rule: 'r', severity: 'warning', message: text, source: text }],
      changes: [{ setting: text, live: text, next: text }],
      timings: [{ phase: text, ms: 1000 }],
      drainsBy: text,
      failure: text,
    });
    for (const body of [renderComment(r), renderSummary(r)]) {
      const seen = scanned(body);
      for (const [what, pattern] of github)
        expect({ what, match: pattern.exec(seen)?.[0] }).toEqual({ what });
      // Only the report's own tags are HTML.
      for (const tag of outsideCode(body).match(/<\/?[A-Za-z][^>]*>/g) ?? [])
        expect(tag).toMatch(/^<\/?(details|summary|sub|span)>$/);
    }
  });

  it('drops bidi and control characters that could make a detail read otherwise', () => {
    const body = renderComment(
      report({ smoke: smoke({ checks: [{ name: 'x', ok: true, detail: 'a\u202Eb\u0007c' }] }) }),
    );
    expect(body).toContain('| x | yes | abc |');
  });

  it('leaves the report’s own links working', () => {
    const body = renderComment(report());
    expect(body).toContain(`[${TAG_URL}](${TAG_URL})`);
    expect(body).toContain(`[workflow run](${RUN_URL})`);
  });
});

describe('renderComment: under GitHub’s size limit (docs/platform.md "Comment size limit")', () => {
  const bytes = (s: string) => new TextEncoder().encode(s).length;
  const huge = report({
    phase: 'rolled-back',
    smoke: smoke({
      checks: Array.from({ length: 200 }, (_, i) => ({ name: `c${i}`, ok: false, detail: '&@€'.repeat(60) })),
    }),
    steps: [step(10, 'verified'), step(50, 'failed', '&'.repeat(500)), step(100, 'pending')],
    findings: Array.from({ length: 200 }, (_, i) => ({
      rule: `r${i}`,
      severity: 'warning' as const,
      message: '<'.repeat(300),
      source: 's',
    })),
    changes: Array.from({ length: 40 }, (_, i) => ({
      setting: `env V${i}`,
      live: '&'.repeat(200),
      next: 'x',
    })),
    failure: 'f'.repeat(5000),
  });

  it('stays under the budget, keeps the first screen, and says what it left out', () => {
    const body = renderComment(huge);
    expect(bytes(body)).toBeLessThanOrEqual(COMMENT_BUDGET_BYTES);
    expect(COMMENT_BUDGET_BYTES).toBeLessThan(65_536);
    for (const kept of ['### Rolled back at 50 %', '**Verdict:**', '**Why:**', '[workflow run]'])
      expect(body).toContain(kept);
    expect(body).toMatch(/\*Left out to stay under GitHub's size limit for a comment: [^*]+\*/);
    expect(body).toContain('the job summary and the workflow log show them');
  });

  it('leaves out the least important sections first', () => {
    // Room for the steps but not for the findings or the checks.
    const body = renderComment(huge);
    expect(body).toContain('the smoke metrics');
    expect(body).not.toContain('<summary>Smoke metrics</summary>');
    expect(body).toContain('<summary>Traffic steps:');
    expect(body).not.toContain('<summary>Streaming lint');
  });

  it('in the summary, drops the charts before any table', () => {
    const full = renderSummary(huge);
    expect(full).toContain('```mermaid');
    expect(full).not.toContain('Left out');
    const tight = renderSummary(huge, bytes(full) - 1);
    expect(bytes(tight)).toBeLessThan(bytes(full));
    expect(tight).toContain(
      "Left out to stay under GitHub's size limit for a job summary: the smoke timing chart",
    );
    expect(tight).toContain('<summary>Smoke metrics</summary>');
  });

  it('leaves an ordinary report whole', () => {
    const body = renderComment(report({ smoke: smoke(), steps: [step(10, 'verified')] }));
    expect(body).not.toContain('Left out');
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
