import type { ReleaseReport } from '../../src/core/report-types';
import { renderStatusLine } from '../../src/core/report';
import { report, smoke, step } from '../support/release-report';

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
