import { COMMENT_BUDGET_BYTES, renderComment, renderSummary } from '../../src/core/report';
import { report, smoke, step } from '../support/release-report';

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
