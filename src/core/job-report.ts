// The job summary of `mode: job`: the job, the execution's status and counts, and each failed task with
// its exit code or signal, attempts and last ERROR lines. Pure markdown from the outcome.
import type { DeployConfig } from './config';
import type { ExecutionOutcome } from './job-outcome';
import { shortName } from './job-outcome';

interface Outcome {
  verdict: string;
  failure?: string;
  job: string;
  execution?: string;
  outcome?: ExecutionOutcome;
}

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function renderJobSummary(config: Pick<DeployConfig, 'image' | 'region'>, o: Outcome): string {
  const lines = [
    `### Cloud Run job \`${shortName(o.job)}\` in \`${config.region}\`: ${o.verdict}`,
    '',
    `- image: \`${config.image}\``,
  ];
  if (o.execution) lines.push(`- execution: \`${shortName(o.execution)}\``);
  const x = o.outcome;
  if (x) {
    lines.push(
      `- tasks: ${x.counts.succeeded} succeeded, ${x.counts.failed} failed, ${x.counts.cancelled} cancelled, ${x.counts.retried} retried, of ${x.counts.tasks}`,
    );
    if (x.logUri) lines.push(`- logs: ${x.logUri}`);
    if (x.failedTasks.length > 0) {
      lines.push(
        '',
        '| task | exit code / signal | attempts | last ERROR lines |',
        '| --- | --- | --- | --- |',
      );
      for (const f of x.failedTasks)
        lines.push(
          `| ${f.index} | ${f.signal !== undefined ? `signal ${f.signal}` : String(f.exitCode ?? '?')} | ${f.attempts} | ${cell(f.logLines.join(' / ') || (f.message ?? ''))} |`,
        );
    }
  } else if (o.failure) lines.push('', '```', o.failure, '```');
  return `${lines.join('\n')}\n`;
}
