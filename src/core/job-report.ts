// The report of `mode: job` as data and as text. One function renders it (renderJobReport): the sticky
// comment (behind its own marker) and the job summary are the same body, so they never disagree; the
// deployment status gets one plain line (renderJobStatusLine). Pure: no I/O, no clock.
//
// Every text that came from the job, its logs or the platform is stripped of token-looking strings, cut,
// and made inert for the place it lands in (docs/platform.md "Autolinked references and mentions"); the
// comment stays far under GitHub's size limit (docs/platform.md "Comment size limit") by showing at most
// TASK_ROWS.comment failed tasks.
import type { ExecutionOutcome, FailedTask } from './job-outcome';
import { shortName } from './job-outcome';
import { formatTime } from './report-numbers';
import { codeSpan, cut, escapeText, fencedBlock, redact, truncate } from './report-text';

/** Where a job run is: writing the job, its execution running, or how the run ended. */
export type JobPhase = 'writing' | 'running' | 'succeeded' | 'failed' | 'cancelled' | 'deployed';

export interface JobReport {
  project: string;
  region: string;
  /** The job id (`migrate`). */
  job: string;
  image: string;
  phase: JobPhase;
  /** The execution's full name, once it started. */
  execution?: string;
  /** The execution's console link (`Execution.logUri`), once read. */
  logUri?: string;
  /** How the execution ended: its counts and failed tasks. */
  outcome?: ExecutionOutcome;
  /** Why the run failed where there is no execution outcome (a Cloud Run error, a failed sign-in). */
  failure?: string;
  /** How the report came to end where it did, when the execution did not say (the workflow was cancelled). */
  note?: string;
  /** The commit the run is for. */
  sha?: string;
  runUrl?: string;
  /** ISO time of the last update. */
  updatedAt?: string;
}

/** How a job run ended, as src/job.ts returns it (`deployed`: the job was written, not executed). */
export interface JobEnding {
  verdict: 'succeeded' | 'failed' | 'cancelled' | 'deployed';
  failure?: string;
  execution?: string;
  outcome?: ExecutionOutcome;
}

/** Where a report is shown: the comment carries the marker and fewer failed-task rows. */
export type JobReportView = 'comment' | 'summary';

/** The most failed tasks listed; the `tasks` output has every one. */
export const TASK_ROWS: Readonly<Record<JobReportView, number>> = { comment: 20, summary: 200 };

/** The failure text shown at most (it sits in a fenced block). */
const FAILURE_MAX = 1500;
/** A status description's limit (docs/platform.md "Status descriptions"). */
const STATUS_LINE_MAX = 140;

const PHASE_TEXT: Readonly<Record<JobPhase, string>> = {
  writing: 'writing the job',
  running: 'running',
  succeeded: 'succeeded',
  failed: 'failed',
  cancelled: 'cancelled',
  deployed: 'deployed (not executed)',
};

/**
 * The hidden marker that makes a job's comment sticky: one per project, region and job, and never one a
 * service's comment carries (`stream-deploy:report`, core/report.ts), so a job and a service named alike
 * never edit each other's comment. Kept a valid HTML comment (no `--`, no `>`).
 */
export function jobReportMarker(project: string, region: string, job: string): string {
  const part = (s: string) =>
    s.replace(/[^A-Za-z0-9._:-]/g, '_').replace(/-{2,}/g, (m) => '_'.repeat(m.length));
  return `<!-- stream-deploy:job ${part(project)}/${part(region)}/${part(job)} -->`;
}

/** The report once the run ended: its phase is the verdict, with what the execution came to. */
export function endJobReport(report: JobReport, ending: JobEnding): JobReport {
  const { outcome } = ending;
  return {
    ...report,
    phase: ending.verdict,
    ...(ending.execution !== undefined && { execution: ending.execution }),
    ...(outcome && { outcome }),
    ...(outcome?.logUri && { logUri: outcome.logUri }),
    ...(ending.failure !== undefined && { failure: ending.failure }),
  };
}

/** The report as markdown: the headline, the facts, the failed tasks, why it failed, the run link. */
export function renderJobReport(r: JobReport, view: JobReportView): string {
  const blocks: string[] = [];
  if (view === 'comment') blocks.push(jobReportMarker(r.project, r.region, r.job));
  blocks.push(`### Cloud Run job ${codeSpan(r.job)} in ${codeSpan(r.region)}: ${PHASE_TEXT[r.phase]}`);
  blocks.push(renderFacts(r));
  const failed = r.outcome?.failedTasks ?? [];
  if (failed.length > 0) blocks.push(renderFailedTasks(failed, TASK_ROWS[view]));
  if (r.failure && !r.outcome)
    blocks.push(`**Why:**\n\n${fencedBlock(truncate(redact(r.failure), FAILURE_MAX))}`);
  const footer = renderFooter(r);
  if (footer) blocks.push(footer);
  return `${blocks.join('\n\n')}\n`;
}

/** The sticky comment (on the pull request, or on the commit when asked). */
export function renderJobComment(r: JobReport): string {
  return renderJobReport(r, 'comment');
}

/** The job summary: the comment's body without the marker, with more failed tasks. */
export function renderJobSummary(r: JobReport): string {
  return renderJobReport(r, 'summary');
}

/** One plain line for the deployment status, at most 140 characters. */
export function renderJobStatusLine(r: JobReport): string {
  const parts = [`Job ${r.job} (${r.region}) ${PHASE_TEXT[r.phase]}`];
  if (r.execution) parts.push(shortName(r.execution));
  const o = r.outcome;
  if (o) {
    const c = o.counts;
    const others = [c.failed > 0 && `${c.failed} failed`, c.cancelled > 0 && `${c.cancelled} cancelled`];
    parts.push([`${c.succeeded} of ${c.tasks} tasks succeeded`, ...others.filter(Boolean)].join(', '));
  } else if (r.failure) parts.push(r.failure);
  else if (r.note) parts.push(r.note);
  return truncate(redact(parts.join(' - ')).replace(/\s+/g, ' ').trim(), STATUS_LINE_MAX);
}

function renderFacts(r: JobReport): string {
  const lines = [`- **Project:** ${codeSpan(r.project)}`, `- **Image:** ${codeSpan(r.image)}`];
  if (r.execution) lines.push(`- **Execution:** ${codeSpan(shortName(r.execution))}`);
  const o = r.outcome;
  if (o) {
    const c = o.counts;
    lines.push(
      `- **Tasks:** ${c.succeeded} succeeded, ${c.failed} failed, ${c.cancelled} cancelled, ${c.retried} retried, of ${c.tasks}`,
    );
    if (o.status !== 'succeeded')
      lines.push(`- **Outcome:** ${escapeText(truncate(redact(o.summary), 400))}`);
  }
  if (r.logUri) lines.push(`- **Logs:** ${renderLink('the execution in the Cloud console', r.logUri)}`);
  if (r.note) lines.push(`- **Note:** ${escapeText(truncate(redact(r.note), 400))}`);
  return lines.join('\n');
}

/** Each failed task by index, with its exit code or signal, attempts and last ERROR lines (or its status message). */
function renderFailedTasks(tasks: readonly FailedTask[], max: number): string {
  const rows = tasks.slice(0, max).map((f) => {
    const stopped = f.signal !== undefined ? `signal ${f.signal}` : String(f.exitCode ?? '?');
    const lines =
      f.logLines.length > 0
        ? f.logLines.map((l) => escapeText(cut(l))).join('<br>')
        : escapeText(cut(f.message ?? ''));
    return `| ${f.index} | ${stopped} | ${f.attempts} | ${lines} |`;
  });
  const table = [
    '| task | exit code / signal | attempts | last ERROR lines |',
    '| --- | --- | --- | --- |',
    ...rows,
  ].join('\n');
  const more = tasks.length - rows.length;
  return more > 0
    ? `${table}\n\n…and ${more} more failed ${more === 1 ? 'task' : 'tasks'}: the \`tasks\` output lists every one.`
    : table;
}

/** The run link, the short SHA and the time of this update. */
function renderFooter(r: JobReport): string | undefined {
  const parts: string[] = [];
  if (r.runUrl) parts.push(renderLink('workflow run', r.runUrl));
  if (r.sha) parts.push(`commit ${codeSpan(r.sha.slice(0, 7))}`);
  if (r.updatedAt) parts.push(`updated ${escapeText(formatTime(r.updatedAt))}`);
  return parts.length > 0 ? `<sub>${parts.join(' · ')}</sub>` : undefined;
}

/** A link to an http(s) URL with our own text; anything else is shown as code, never as a link. */
function renderLink(text: string, url: string): string {
  const safe = /^https?:\/\/[^\s()<>"'`\\|[\]]+$/.test(url) && redact(url) === url;
  return safe ? `[${escapeText(text)}](${url})` : codeSpan(url);
}
