import type { ReleaseReport } from '../../src/core/report-types';
import { renderComment, renderStatusLine, renderSummary } from '../../src/core/report';
import { inertLinks } from '../../src/core/report-text';
import { report, RUN_URL, smoke, step, TAG_URL } from '../support/release-report';

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

  it('keeps the text readable: only zero-width spaces are added', () => {
    const text = 'ping @octocat about #12 at https://evil.example';
    expect(inertLinks(text).replace(/\u200B/g, '')).toBe(text);
    expect(inertLinks(text)).toBe('ping @\u200Boctocat about #\u200B12 at https:\u200B//evil.example');
  });
});
