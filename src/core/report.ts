// The release report as text: the sticky PR comment, the job summary (with Mermaid charts of the rollout)
// and the one-line status description. Pure: no I/O, no clock; the same report always renders the same.
//
// Every piece of text that came from users, the candidate or the platform (image names, check details,
// failure text, settings) is stripped of token-looking strings, shortened, and made inert for the place it
// lands in (table cell, code span, fenced block): it can neither break the markdown, smuggle HTML, nor
// mention, reference or link anything (docs/platform.md "Autolinked references and mentions").
// The first screen is the headline, the traffic and the verdict; the detail tables fold into <details>,
// and the whole body stays under GitHub's size limit (docs/platform.md "Comment size limit").
// The pieces it is made of: text safety in report-text.ts, numbers and times in report-numbers.ts, the
// traffic outcome in report-traffic.ts, the regions of a multi-region release in report-regions.ts.
import { renderStepGates } from './report-gates';
import { ENDED, isSafeUrl, renderLink, renderRegionList, renderRegions, shownStatus } from './report-regions';
import type {
  LoadBalancerReport,
  ReleaseReport,
  ReportFinding,
  ReportPhase,
  ReportStep,
} from './report-types';
import { clampPercent, formatClock, formatDuration, formatMs, formatTime, plural } from './report-numbers';
import {
  cell,
  codeSpan,
  cut,
  escapeText,
  fencedBlock,
  htmlText,
  mermaidString,
  redact,
  truncate,
} from './report-text';
import { OUTCOME_TEXT, renderTraffic, trafficOutcome } from './report-traffic';
import type { SmokeResult } from './smoke-types';

export { escapeText, inertLinks } from './report-text';
export { OUTCOME_TEXT, trafficOutcome, type TrafficOutcome } from './report-traffic';

/** GitHub cuts deployment status and commit status descriptions at 140 characters. */
const STATUS_LINE_MAX = 140;
/** The failure text is shown whole up to this length. */
const FAILURE_MAX = 1500;
/** The Changes table shows at most this many settings; the log has them all. */
const CHANGES_SHOWN = 40;
/**
 * Size budgets in UTF-8 bytes, which are never fewer than characters: GitHub refuses a comment over 65,536
 * characters (docs/platform.md "Comment size limit") and drops a step summary over 1024 KiB
 * (docs/platform.md "Job summary size limit"); each keeps a margin.
 */
export const COMMENT_BUDGET_BYTES = 60_000;
export const SUMMARY_BUDGET_BYTES = 1_000_000;

/** The hidden marker that makes the PR comment sticky: one comment per service and region. */
export function reportMarker(project: string, region: string, service: string): string {
  // `--` cannot appear inside an HTML comment, and `>` would end it: keep the marker a valid comment.
  const part = (s: string) =>
    s.replace(/[^A-Za-z0-9._:-]/g, '_').replace(/-{2,}/g, (m) => '_'.repeat(m.length));
  return `<!-- stream-deploy:report ${part(project)}/${part(region)}/${part(service)} -->`;
}

/** The sticky PR comment (or commit comment on push): short, readable on a phone, no secrets, under GitHub's size limit. Starts with the marker. */
export function renderComment(report: ReleaseReport, budget = COMMENT_BUDGET_BYTES): string {
  const marker: Section = { text: reportMarker(report.project, report.region, report.service) };
  const sections = fitSections([marker, ...renderSections(report, false)], budget, 'comment');
  return sections.join('\n\n') + '\n';
}

/** The job summary: the comment's content plus Mermaid charts of the candidate's traffic and the smoke timings. */
export function renderSummary(report: ReleaseReport, budget = SUMMARY_BUDGET_BYTES): string {
  return fitSections(renderSections(report, true), budget, 'job summary').join('\n\n') + '\n';
}

/** One line for a deployment status / commit status description, at most 140 characters (GitHub's limit). */
export function renderStatusLine(report: ReleaseReport): string {
  const parts = [`${statusWord(report)}: ${report.service} (${report.region})`, report.revision];
  if (report.failure) parts.push(report.failure);
  else if (report.smoke && !stoppedRollout(report)) parts.push(`smoke ${report.smoke.verdict}`);
  const line = redact(parts.filter((p) => p !== '').join(' - '))
    .replace(/\s+/g, ' ')
    .trim();
  return truncate(line, STATUS_LINE_MAX);
}

/** The status word for the phase, without emoji; a stopped rollout says where it stopped. */
function statusWord(report: ReleaseReport): string {
  const smokeFailed = report.smoke?.verdict === 'fail';
  const stop = stopPoint(report.steps);
  switch (report.phase) {
    case 'planned':
      return 'Planned';
    case 'candidate-up':
      return 'Candidate deployed';
    case 'smoke-tested':
      if (!report.smoke) return 'Smoke tested';
      return report.smoke.verdict === 'pass'
        ? 'Smoke test passed'
        : smokeFailed
          ? 'Smoke test failed'
          : 'Smoke test inconclusive';
    case 'rolling-out':
      return `Rolling out: ${currentPercent(report.steps)} %`;
    case 'promoted':
      return 'Promoted';
    case 'canary':
      return `Canary at ${currentPercent(report.steps)} %`;
    case 'candidate':
      return 'Candidate ready';
    case 'rolled-back':
      if (report.steps.length === 0) return 'Rolled back';
      return stop ? `Rolled back at ${stop.percent} %` : 'Rolled back before any traffic moved';
    case 'failed':
      if (smokeFailed) return 'Smoke test failed';
      return stop ? `Failed at ${stop.percent} %` : 'Failed';
  }
}

/** The candidate's share after the last step whose traffic was set. */
function currentPercent(steps: ReportStep[]): number {
  const set = steps.filter((s) => s.status === 'shifted' || s.status === 'verified');
  return set.length > 0 ? set[set.length - 1].percent : 0;
}

/** Where a rollout stopped: the failed step, else the last step whose traffic was set. */
function stopPoint(steps: ReportStep[]): { index: number; percent: number; failed: boolean } | undefined {
  const failed = steps.findIndex((s) => s.status === 'failed');
  if (failed >= 0) return { index: failed, percent: steps[failed].percent, failed: true };
  let last = -1;
  steps.forEach((s, i) => {
    if (s.status === 'shifted' || s.status === 'verified') last = i;
  });
  return last >= 0 ? { index: last, percent: steps[last].percent, failed: false } : undefined;
}

/** A rolled-back release, or a failed one that had moved traffic: its verdict is the rollout's, not the smoke test's. */
function stoppedRollout(report: ReleaseReport): boolean {
  return report.phase === 'rolled-back' || (report.phase === 'failed' && !!stopPoint(report.steps));
}

// --- sections and the size budget ----------------------------------------------------------------------

/** A markdown block; `drop` marks the optional ones, lowest dropped first when the body is too big. */
interface Section {
  text: string;
  drop?: number;
  /** What the section shows, for the note that says it was left out. */
  name?: string;
}

/**
 * The blocks that fit the budget: the optional ones go, least important first, until the whole (with a
 * note before the footer saying which went) fits, as joined and ended by the renderers. Sizes are UTF-8
 * bytes (never fewer than characters).
 */
function fitSections(sections: Section[], budget: number, where: 'comment' | 'job summary'): string[] {
  const optional = sections
    .filter((s) => s.drop !== undefined)
    .sort((a, b) => (a.drop as number) - (b.drop as number));
  const elsewhere =
    where === 'comment' ? 'the job summary and the workflow log show them' : 'the workflow log shows them';
  let texts = sections.map((s) => s.text);
  for (let n = 1; n <= optional.length && byteLength(texts.join('\n\n') + '\n') > budget; n++) {
    const left = optional.slice(0, n);
    const note = `*Left out to stay under GitHub's size limit for a ${where}: ${left.map((s) => s.name).join(', ')}; ${elsewhere}.*`;
    texts = sections.filter((s) => !left.includes(s)).map((s) => s.text);
    texts.splice(texts.length - 1, 0, note);
  }
  return texts;
}

function byteLength(text: string): number {
  return new TextEncoder().encode(text).length;
}

/** The report as markdown blocks, joined by blank lines; `charts` adds the Mermaid pictures (job summary). */
function renderSections(report: ReleaseReport, charts: boolean): Section[] {
  const sections: Section[] = [];
  const add = (text: string | undefined, drop?: number, name?: string) => {
    if (text) sections.push({ text, drop, name });
  };
  const regions = report.regions ?? [];
  const where = regions.length > 0 ? plural(regions.length, 'region') : codeSpan(report.region);
  add(`### ${escapeText(statusWord(report))}: ${codeSpan(report.service)} in ${where}`);
  add(renderFacts(report));
  if (report.failure) add(renderFailure(report.failure));
  add(renderChanges(report.changes ?? []), 5, 'the settings changed');
  if (report.steps.length > 0) add(renderSteps(report.steps, report.phase), 6, 'the traffic steps');
  if (regions.length > 0) add(renderRegions(regions), 6, 'the regions');
  if (report.steps.length > 0) {
    if (charts) add(renderTrafficChart(report.steps, report.phase), 1, 'the traffic chart');
    add(renderStepGates(report.steps), 5, 'the step gates');
  }
  if (report.smoke) {
    add(renderSmokeChecks(report.smoke), 4, 'the smoke checks');
    add(renderSmokeMetrics(report.smoke), 2, 'the smoke metrics');
    if (charts) add(renderSmokeChart(report.smoke), 0, 'the smoke timing chart');
  }
  if (report.findings.length > 0) add(renderFindings(report.findings), 3, 'the streaming lint findings');
  if (report.loadBalancer && report.loadBalancer.status !== 'off')
    add(renderLoadBalancer(report.loadBalancer), 3, 'the load balancer');
  add(renderTimings(report));
  add(renderDrain(report));
  add(renderFooter(report));
  return sections;
}

/** The verdict and the traffic first, then the URLs, the revision and the image, as a short list. */
function renderFacts(report: ReleaseReport): string {
  const lines: string[] = [];
  const verdict = renderVerdict(report);
  if (verdict) lines.push(`- **Verdict:** ${verdict}`);
  const outcome = trafficOutcome(report);
  if (report.traffic && report.traffic.length > 0) {
    const said = outcome ? ` (${OUTCOME_TEXT[outcome]})` : '';
    lines.push(`- **Traffic now:** ${renderTraffic(report.traffic)}${said}`);
  } else if (report.changedNothing) {
    lines.push(`- **Traffic:** ${OUTCOME_TEXT.baseline} (this run changed nothing on Cloud Run)`);
  }
  if (report.regions?.length) lines.push(`- **Regions:** ${renderRegionList(report.regions)}`);
  if (report.tagUrl) lines.push(`- **Tag URL** (${codeSpan(report.tag)}): ${renderLink(report.tagUrl)}`);
  if (report.serviceUrl) lines.push(`- **Service URL:** ${renderLink(report.serviceUrl)}`);
  const previous = report.previousRevision
    ? `previous ${codeSpan(report.previousRevision)}`
    : 'first deploy, no previous revision';
  lines.push(`- **Revision:** ${codeSpan(report.revision)} (${previous})`);
  lines.push(`- **Image:** ${codeSpan(report.image)}`);
  return lines.join('\n');
}

/** The release's verdict: where a stopped rollout stopped, else the smoke test's verdict; none before either. */
function renderVerdict(report: ReleaseReport): string | undefined {
  if (stoppedRollout(report)) {
    const word = report.phase === 'rolled-back' ? 'rolled back' : 'failed';
    const stop = stopPoint(report.steps);
    if (!stop) return report.steps.length > 0 ? `${word} before any traffic moved` : word;
    const where = `at step ${stop.index + 1} of ${report.steps.length} (${stop.percent} %)`;
    return `${word} ${where}${stop.failed ? ', whose checks failed' : ''}`;
  }
  if (!report.smoke) return undefined;
  const ok = report.smoke.checks.filter((c) => c.ok).length;
  return `smoke ${report.smoke.verdict} (${ok}/${report.smoke.checks.length} checks ok)`;
}

/** Why the release failed, in a fenced block so no character of it can break the markdown. */
function renderFailure(failure: string): string {
  return `**Why:**\n\n${fencedBlock(truncate(redact(failure), FAILURE_MAX))}`;
}

/** The settings this release changes, live -> new, folded; nothing when it changes none. */
function renderChanges(changes: NonNullable<ReleaseReport['changes']>): string | undefined {
  if (changes.length === 0) return undefined;
  const value = (v: string) => (v.trim() === '' ? '*not set*' : cell(v));
  const rows = changes
    .slice(0, CHANGES_SHOWN)
    .map((c) => `| ${cell(c.setting)} | ${value(c.live)} | ${value(c.next)} |`);
  const more =
    changes.length > CHANGES_SHOWN
      ? `\n\n…and ${plural(changes.length - CHANGES_SHOWN, 'more setting')}: the workflow log lists them all.`
      : '';
  const table = ['| setting | live | new |', '| --- | --- | --- |', ...rows].join('\n');
  return details(`Changes: ${plural(changes.length, 'setting')}`, table + more);
}

/** The linter's findings, errors first, folded. */
function renderFindings(findings: ReportFinding[]): string {
  const sorted = [...findings].sort((a, b) => severityRank(a) - severityRank(b));
  const errors = findings.filter((f) => f.severity === 'error').length;
  const warnings = findings.length - errors;
  const title = `Streaming lint: ${plural(errors, 'error')}, ${plural(warnings, 'warning')}`;
  const items = sorted.map(
    (f) =>
      `- **${f.severity}** ${codeSpan(f.rule)}: ${escapeText(cut(f.message))} (${escapeText(cut(f.source))})`,
  );
  return details(title, items.join('\n'));
}

/** The load balancer in front: what the check found (its findings are among the lint's), folded. */
function renderLoadBalancer(lb: LoadBalancerReport): string {
  const smoke = lb.smoke
    ? `Smoke test through ${codeSpan(lb.smoke.url)}: **${escapeText(lb.smoke.verdict)}**, ${escapeText(cut(lb.smoke.summary))}`
    : lb.url
      ? `The last step smoke-tests through ${codeSpan(lb.url)}.`
      : '';
  const chain = (lb.chain ?? []).map((line) => `- ${escapeText(cut(line))}`).join('\n');
  const body = [chain, smoke].filter((part) => part !== '').join('\n\n') || escapeText(lb.detail);
  return details(`Load balancer: ${lb.detail}`, body);
}

function severityRank(f: ReportFinding): number {
  return f.severity === 'error' ? 0 : 1;
}

/** The smoke checks (check | ok | detail), folded under the smoke verdict. */
function renderSmokeChecks(smoke: SmokeResult): string {
  const ok = smoke.checks.filter((c) => c.ok).length;
  const table = [
    '| check | ok | detail |',
    '| --- | --- | --- |',
    ...smoke.checks.map((c) => `| ${cell(c.name)} | ${c.ok ? 'yes' : '**no**'} | ${cell(c.detail)} |`),
  ].join('\n');
  return details(
    `Smoke test (${smoke.protocol}): ${smoke.verdict}, ${ok} of ${plural(smoke.checks.length, 'check')} ok`,
    table,
  );
}

/** What the smoke test measured, folded. */
function renderSmokeMetrics(smoke: SmokeResult): string {
  const m = smoke.metrics;
  const table = [
    '| metric | value |',
    '| --- | --- |',
    `| connect | ${formatMs(m.connectMs)} |`,
    `| first event | ${formatMs(m.firstEventMs)} |`,
    `| events | ${m.events} |`,
    `| largest gap | ${formatMs(m.largestGapMs)} |`,
    `| buffered | ${m.buffered ? '**yes**' : 'no'} |`,
    `| connections held | ${m.connectionsHeld} of ${m.connectionsTried} |`,
  ].join('\n');
  return details('Smoke metrics', table);
}

/** The traffic at each step (step | percent | status | when | detail), folded; steps that never ran say so. */
function renderSteps(steps: ReportStep[], phase: ReportPhase): string {
  const shown = steps.map((_, i) => shownStatus(steps, i, phase));
  const rows = steps.map(
    (s, i) =>
      `| ${i + 1} | ${s.percent} % | ${shown[i]} | ${s.at ? cell(formatClock(s.at)) : ''} | ${s.detail ? cell(s.detail) : ''} |`,
  );
  const counts = [...new Set(shown)].map((st) => `${shown.filter((x) => x === st).length} ${st}`);
  const table = [
    '| step | percent | status | when | detail |',
    '| --- | --- | --- | --- | --- |',
    ...rows,
  ].join('\n');
  return details(`Traffic steps: ${counts.join(', ')}`, table);
}

/** A folded block: the summary line (plain text, HTML-escaped) and markdown inside. */
function details(summary: string, body: string): string {
  return `<details><summary>${htmlText(summary)}</summary>\n\n${body}\n\n</details>`;
}

/**
 * The candidate's share per step as a Mermaid `xychart-beta`: bars for the planned share, a line for the
 * share actually reached (0 for pending and failed steps). Labels are quoted and limited to safe characters.
 */
function renderTrafficChart(steps: ReportStep[], phase: ReportPhase): string {
  const labels = steps.map((_, i) => mermaidString(`${i + 1}: ${shownStatus(steps, i, phase)}`));
  const planned = steps.map((s) => clampPercent(s.percent));
  const reached = steps.map((s) =>
    s.status === 'shifted' || s.status === 'verified' ? clampPercent(s.percent) : 0,
  );
  return [
    '```mermaid',
    'xychart-beta',
    `  title ${mermaidString('Candidate traffic by step')}`,
    `  x-axis ${mermaidString('Step')} [${labels.join(', ')}]`,
    `  y-axis ${mermaidString('Candidate traffic (percent)')} 0 --> 100`,
    `  bar [${planned.join(', ')}]`,
    `  line [${reached.join(', ')}]`,
    '```',
  ].join('\n');
}

/** The smoke timings (connect, first event, largest gap) as a horizontal Mermaid bar chart; none without timings. */
function renderSmokeChart(smoke: SmokeResult): string | undefined {
  const m = smoke.metrics;
  const timings = (
    [
      ['connect', m.connectMs],
      ['first event', m.firstEventMs],
      ['largest gap', m.largestGapMs],
    ] as Array<[string, number | undefined]>
  ).filter((t): t is [string, number] => typeof t[1] === 'number' && Number.isFinite(t[1]));
  if (timings.length === 0) return undefined;
  const top = Math.max(1, ...timings.map((t) => Math.ceil(t[1])));
  return [
    '```mermaid',
    'xychart-beta horizontal',
    `  title ${mermaidString('Smoke timings (ms)')}`,
    `  x-axis [${timings.map((t) => mermaidString(t[0])).join(', ')}]`,
    `  y-axis ${mermaidString('milliseconds')} 0 --> ${top}`,
    `  bar [${timings.map((t) => Math.max(0, Math.round(t[1]))).join(', ')}]`,
    '```',
  ].join('\n');
}

/** How long each phase took, named by what it measured, e.g. "deploy 42 s · smoke 11 s · rollout 3 min". */
function renderTimings(report: ReleaseReport): string | undefined {
  const named: Array<{ name: string; ms: number }> = [];
  report.timings.forEach((t, i) => {
    const next = report.timings[i + 1]?.phase ?? report.phase;
    const name = timingName(t.phase, next, report);
    const last = named[named.length - 1];
    if (last && last.name === name) last.ms += t.ms;
    else named.push({ name, ms: t.ms });
  });
  if (named.length === 0) return undefined;
  return `**Took:** ${named.map((t) => `${escapeText(t.name)} ${formatDuration(t.ms)}`).join(' · ')}`;
}

/**
 * What the time spent in a phase measured (src/reporter.ts records the phase that was left and the time
 * spent in it): `planned` runs until the candidate is up (sign-in, plan, deploy), `candidate-up` until
 * the smoke verdict, `smoke-tested` and `rolling-out` until the rollout ends (or the cleanup after a
 * failed smoke test). Names that are not phases are shown as they are.
 */
function timingName(phase: string, next: string, report: ReleaseReport): string {
  switch (phase) {
    case 'planned':
      return 'deploy';
    case 'candidate-up':
      return next === 'smoke-tested' ? 'smoke' : next === 'rolling-out' ? 'rollout' : 'finish';
    case 'smoke-tested':
      if (next === 'rolling-out') return 'rollout';
      return report.smoke && report.smoke.verdict !== 'pass' ? 'cleanup' : 'finish';
    case 'rolling-out':
      return 'rollout';
    default:
      return ENDED.has(phase as ReportPhase) ? 'finish' : phase;
  }
}

/**
 * When streams on the revision that lost traffic end at the latest: a traffic change steers only new
 * requests and a stream lives until it closes or the request timeout cuts it; session affinity can keep
 * some clients on the old revision (docs/platform.md "Streaming").
 */
function renderDrain(report: ReleaseReport): string | undefined {
  if (!report.drainsBy) return undefined;
  const affinity = report.sessionAffinity
    ? ' Session affinity is on: its cookie can keep some clients on the old revision for new requests too.'
    : '';
  return (
    `**Old streams drained by:** ${escapeText(formatTime(report.drainsBy))} ` +
    `(open streams stay on the revision that took them until they close or the ${report.timeoutSeconds} s request timeout ends them).` +
    affinity +
    (report.drain ? ` Measured: ${escapeText(report.drain)}.` : '')
  );
}

/** The run link, the short SHA and the time of this update. */
function renderFooter(report: ReleaseReport): string {
  const parts: string[] = [];
  if (report.runUrl)
    parts.push(isSafeUrl(report.runUrl) ? `[workflow run](${report.runUrl})` : codeSpan(report.runUrl));
  if (report.sha) parts.push(`commit ${codeSpan(report.sha.slice(0, 7))}`);
  parts.push(`updated ${escapeText(formatTime(report.updatedAt))}`);
  return `<sub>${parts.join(' · ')}</sub>`;
}
