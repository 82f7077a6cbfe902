// The step gates in the report (src/core/report-gates.ts): the panel table per step, every Monitoring and
// Logging number beside its query, the split, the last log lines of a failed step, and app text made inert.
import { renderStepGates } from '../../src/core/report-gates';
import type { ReportStep } from '../../src/core/report-types';

const panel = {
  verdict: 'fail' as const,
  detail: 'first event 3 s vs 100 ms',
  rows: [{ metric: 'first event p50', candidate: '3 s', baseline: '100 ms', limit: '≤ 1.3 s', ok: false }],
};

const steps: ReportStep[] = [
  { percent: 10, status: 'verified' },
  {
    percent: 50,
    status: 'failed',
    gates: {
      panel,
      checks: [
        {
          gate: 'requests',
          verdict: 'inconclusive',
          reason: 'not readable yet',
          numbers: [
            {
              label: 'candidate requests',
              value: '12',
              query: 'metric.type = "run.googleapis.com/request_count"',
            },
          ],
        },
        {
          gate: 'logs',
          verdict: 'fail',
          reason: 'the candidate crashed: @octocat <b>boom</b> #12',
          numbers: [],
          lastLines: ['2026-12-02T06:00:00Z ERROR panic ``` @octocat'],
        },
      ],
      split: {
        configuredPercent: 50,
        observedNewPercent: 47.5,
        warnings: ['session affinity is on'],
        numbers: [{ label: 'observed % of new requests', value: '47.5 %' }],
      },
      decision: 'fail: 1 failed checks in a row: panel: first event',
    },
  },
];

describe('renderStepGates', () => {
  test('no step with gates renders nothing', () => {
    expect(renderStepGates([{ percent: 10, status: 'verified' }])).toBeUndefined();
  });

  test('one folded block: the panel table, the numbers with their queries, the split and the failed step’s last log lines', () => {
    const text = renderStepGates(steps)!;
    expect(text).toMatch(/^<details><summary>Stream-health panel: fail<\/summary>/);
    expect(text).toContain('**Step 2 (50 %):** fail: 1 failed checks in a row: panel: first event');
    expect(text).toContain('| first event p50 | 3 s | 100 ms | ≤ 1.3 s | ❌ |');
    expect(text).toContain('- Request errors (Cloud Monitoring): **inconclusive**: not readable yet');
    expect(text).toContain(
      '  - candidate requests: **12**: `metric.type = "run.googleapis.com/request_count"`',
    );
    expect(text).toContain('  - observed % of new requests: **47.5 %**');
    expect(text).toContain(
      "The candidate's last log lines:\n\n````text\n2026-12-02T06:00:00Z ERROR panic ``` @octocat\n````",
    );
  });

  test('app text in a reason cannot mention, link or inject HTML', () => {
    const text = renderStepGates(steps)!;
    const line = text.split('\n').find((l) => l.startsWith('- Logs'))!;
    expect(line).not.toMatch(/@octocat|<b>|#12/);
    expect(line).toContain('&lt;b&gt;');
  });
});
