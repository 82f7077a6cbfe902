// The gates of each traffic step in the report: the stream-health panel's table (candidate against
// baseline), the Monitoring and Logging checks with every number beside the query it came from, the
// effective split, and the candidate's last log lines when a step failed. Pure; text from the app (log
// lines, reasons quoting them) is escaped like every other user text in the report (report-text.ts).
import type { GateNumber, GateVerdict } from './metric-gate';
import type { ReportStep, StepGateReport } from './report-types';
import { codeSpan, escapeText, fencedBlock, htmlText } from './report-text';
import type { PanelVerdict } from './stream-panel';

const GATE_NAME: Record<GateVerdict['gate'], string> = {
  panel: 'Stream-health panel',
  requests: 'Request errors (Cloud Monitoring)',
  logs: 'Logs (Cloud Logging)',
  step: 'Step',
};

/** One folded block with the gates of every step that was judged; undefined when no step had gates. */
export function renderStepGates(steps: readonly ReportStep[]): string | undefined {
  const judged = steps.flatMap((s, i) => (s.gates ? [{ step: s, index: i, gates: s.gates }] : []));
  if (judged.length === 0) return undefined;
  const blocks = judged.map(({ step, index, gates }) =>
    renderOne(`Step ${index + 1} (${step.percent} %)`, gates),
  );
  const panels = judged.filter((j) => j.gates.panel).map((j) => j.gates.panel!.verdict);
  const summary = panels.length > 0 ? `Stream-health panel: ${panels.join(', ')}` : 'Step gates';
  return `<details><summary>${htmlText(summary)}</summary>\n\n${blocks.join('\n\n')}\n\n</details>`;
}

function renderOne(title: string, gates: StepGateReport): string {
  const parts = [`**${title}:** ${escapeText(gates.decision)}`];
  if (gates.panel) parts.push(renderPanelTable(gates.panel));
  const lines: string[] = [];
  for (const check of gates.checks) {
    lines.push(`- ${GATE_NAME[check.gate]}: **${check.verdict}**: ${escapeText(check.reason)}`);
    lines.push(...check.numbers.map(renderNumber));
  }
  if (gates.split) {
    lines.push('- Effective split:');
    lines.push(...gates.split.numbers.map(renderNumber));
    lines.push(...gates.split.warnings.map((w) => `  - ⚠️ ${escapeText(w)}`));
  }
  if (lines.length > 0) parts.push(lines.join('\n'));
  const failedLogs = gates.checks.find(
    (c) => c.gate === 'logs' && c.verdict === 'fail' && c.lastLines?.length,
  );
  if (failedLogs)
    parts.push(`The candidate's last log lines:\n\n${fencedBlock(failedLogs.lastLines!.join('\n'))}`);
  return parts.join('\n\n');
}

function renderNumber(n: GateNumber): string {
  return `  - ${escapeText(n.label)}: **${escapeText(n.value)}**${n.query ? `: ${codeSpan(n.query)}` : ''}`;
}

/** The panel as a small Markdown table for the PR comment and the job summary. */
export function renderPanelTable(verdict: PanelVerdict): string {
  const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
  const mark = (ok: boolean | undefined) => (ok === undefined ? '–' : ok ? '✅' : '❌');
  const lines = [
    `**Stream-health panel: ${verdict.verdict}**`,
    '',
    '| Metric | Candidate | Baseline | Limit | |',
    '| --- | --- | --- | --- | --- |',
    ...verdict.rows.map(
      (row) =>
        `| ${cell(row.metric)} | ${cell(row.candidate)} | ${cell(row.baseline)} | ${cell(row.limit)} | ${mark(row.ok)} |`,
    ),
  ];
  return lines.join('\n');
}
