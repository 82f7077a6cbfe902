// The release report as text: the sticky PR comment, the job summary (with Mermaid charts of the rollout)
// and the one-line status description. Pure: no I/O, no clock; the same report always renders the same.
//
// Every piece of text that came from users or the platform (image names, check details, failure text) is
// stripped of token-looking strings, shortened, and escaped for the place it lands in (table cell, code
// span, fenced block), so it can neither break the markdown nor smuggle HTML.
import type { TrafficTarget } from './cloud-run-types';
import type { ReleaseReport, ReportFinding, ReportStep } from './report-types';
import type { SmokeResult } from './smoke-types';

/** GitHub cuts deployment status and commit status descriptions at 140 characters. */
const STATUS_LINE_MAX = 140;
/** Check and step details longer than this are cut (the comment must stay readable on a phone). */
const DETAIL_MAX = 160;
/** The failure text is shown whole up to this length. */
const FAILURE_MAX = 1500;
/** More findings than this are folded into a <details> block. */
const FINDINGS_SHOWN = 5;

/** The hidden marker that makes the PR comment sticky: one comment per service and region. */
export function reportMarker(project: string, region: string, service: string): string {
  // `--` cannot appear inside an HTML comment, and `>` would end it: keep the marker a valid comment.
  const part = (s: string) =>
    s.replace(/[^A-Za-z0-9._:-]/g, '_').replace(/-{2,}/g, (m) => '_'.repeat(m.length));
  return `<!-- stream-deploy:report ${part(project)}/${part(region)}/${part(service)} -->`;
}

/** The sticky PR comment (or commit comment on push): short, readable on a phone, no secrets. Starts with the marker. */
export function renderComment(report: ReleaseReport): string {
  return (
    [reportMarker(report.project, report.region, report.service), ...renderSections(report, false)].join(
      '\n\n',
    ) + '\n'
  );
}

/** The job summary: the comment's content plus Mermaid charts of the candidate's traffic and the smoke timings. */
export function renderSummary(report: ReleaseReport): string {
  return renderSections(report, true).join('\n\n') + '\n';
}

/** One line for a deployment status / commit status description, at most 140 characters (GitHub's limit). */
export function renderStatusLine(report: ReleaseReport): string {
  const parts = [`${statusWord(report)}: ${report.service} (${report.region})`, report.revision];
  if (report.failure) parts.push(report.failure);
  else if (report.smoke) parts.push(`smoke ${report.smoke.verdict}`);
  const line = redact(parts.filter((p) => p !== '').join(' - '))
    .replace(/\s+/g, ' ')
    .trim();
  return truncate(line, STATUS_LINE_MAX);
}

/** The status word for the phase, without emoji. */
function statusWord(report: ReleaseReport): string {
  const smokeFailed = report.smoke?.verdict === 'fail';
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
      return 'Rolled back';
    case 'failed':
      return smokeFailed ? 'Smoke test failed' : 'Failed';
  }
}

/** The candidate's share after the last step whose traffic was set. */
function currentPercent(steps: ReportStep[]): number {
  const set = steps.filter((s) => s.status === 'shifted' || s.status === 'verified');
  return set.length > 0 ? set[set.length - 1].percent : 0;
}

/** The report as markdown blocks, joined by blank lines; `charts` adds the Mermaid pictures (job summary). */
function renderSections(report: ReleaseReport, charts: boolean): string[] {
  const sections: string[] = [];
  sections.push(
    `### ${escapeText(statusWord(report))}: ${codeSpan(report.service)} in ${codeSpan(report.region)}`,
  );
  sections.push(renderFacts(report));
  if (report.failure) sections.push(renderFailure(report.failure));
  if (report.findings.length > 0) sections.push(renderFindings(report.findings));
  if (report.smoke) {
    sections.push(renderSmoke(report.smoke));
    if (charts) {
      const chart = renderSmokeChart(report.smoke);
      if (chart) sections.push(chart);
    }
  }
  if (report.steps.length > 0) {
    sections.push(renderSteps(report.steps));
    if (charts) sections.push(renderTrafficChart(report.steps));
  }
  const timings = renderTimings(report.timings);
  if (timings) sections.push(timings);
  const drain = renderDrain(report);
  if (drain) sections.push(drain);
  sections.push(renderFooter(report));
  return sections;
}

/** Image, revisions, URLs, the traffic now and the verdict, as a short list. */
function renderFacts(report: ReleaseReport): string {
  const lines = [`- **Image:** ${codeSpan(report.image)}`];
  const previous = report.previousRevision
    ? `previous ${codeSpan(report.previousRevision)}`
    : 'first deploy, no previous revision';
  lines.push(`- **Revision:** ${codeSpan(report.revision)} (${previous})`);
  if (report.tagUrl) lines.push(`- **Tag URL** (${codeSpan(report.tag)}): ${renderLink(report.tagUrl)}`);
  if (report.serviceUrl) lines.push(`- **Service URL:** ${renderLink(report.serviceUrl)}`);
  const outcome = trafficOutcome(report);
  if (report.traffic && report.traffic.length > 0) {
    const said = outcome ? ` (${OUTCOME_TEXT[outcome]})` : '';
    lines.push(`- **Traffic now:** ${renderTraffic(report.traffic)}${said}`);
  } else if (report.changedNothing) {
    lines.push(`- **Traffic:** ${OUTCOME_TEXT.baseline} (this run changed nothing on Cloud Run)`);
  }
  if (report.smoke) {
    const ok = report.smoke.checks.filter((c) => c.ok).length;
    lines.push(
      `- **Verdict:** smoke ${report.smoke.verdict} (${ok}/${report.smoke.checks.length} checks ok)`,
    );
  }
  return lines.join('\n');
}

/**
 * Where the release left the traffic, against what it found and what it planned: exactly as before (as
 * found, or with LATEST pinned to the revision it meant), exactly the planned final state, the baseline's
 * percentages with a tag moved (a candidate kept for debugging), or somewhere in between. Undefined when
 * the report does not know the traffic or the baseline yet.
 */
export function trafficOutcome(report: ReleaseReport): TrafficOutcome | undefined {
  if (report.changedNothing) return 'baseline';
  const now = report.traffic;
  if (!now || !report.baselineTraffic) return undefined;
  const before = [report.baselineTraffic, report.restoreTraffic].filter((t): t is TrafficTarget[] => !!t);
  if (before.some((t) => trafficKey(t, true) === trafficKey(now, true))) return 'baseline';
  if (report.plannedTraffic && trafficKey(report.plannedTraffic, true) === trafficKey(now, true))
    return 'planned';
  if (before.some((t) => trafficKey(t, false) === trafficKey(now, false))) return 'baseline-percentages';
  return 'between';
}

export type TrafficOutcome = 'baseline' | 'planned' | 'baseline-percentages' | 'between';

/** The words the report uses for each outcome; the fault suite reads them back. */
export const OUTCOME_TEXT: Readonly<Record<TrafficOutcome, string>> = {
  baseline: 'exactly as before this release',
  planned: 'exactly the planned final state',
  'baseline-percentages': 'the same split as before this release; only tags differ',
  between: 'neither as before this release nor the planned final state: check the service',
};

/** Serving entries (and with `tags`, 0 % tagged ones) as a comparable key; LATEST compares as itself. */
function trafficKey(traffic: readonly TrafficTarget[], tags: boolean): string {
  return JSON.stringify(
    traffic
      .filter((t) => t.percent > 0 || (tags && t.tag))
      .map((t) => [
        t.type === 'TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST' ? 'LATEST' : (t.revision ?? ''),
        t.percent,
        tags ? (t.tag ?? '') : '',
      ])
      .sort(),
  );
}

/** The service's split, e.g. `api-00042` 50 % · `api-00041` 50 %; tag-only 0 % entries are left out. */
function renderTraffic(traffic: TrafficTarget[]): string {
  const serving = traffic.filter((t) => t.percent > 0);
  if (serving.length === 0) return 'none';
  return serving
    .map((t) => {
      const name = t.type === 'TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST' ? 'LATEST' : (t.revision ?? 'unknown');
      return `${codeSpan(name)} ${t.percent} %`;
    })
    .join(' · ');
}

/** Why the release failed, in a fenced block so no character of it can break the markdown. */
function renderFailure(failure: string): string {
  return `**Why:**\n\n${fencedBlock(truncate(redact(failure), FAILURE_MAX))}`;
}

/** The linter's findings, errors first; a long list folds into <details>. */
function renderFindings(findings: ReportFinding[]): string {
  const sorted = [...findings].sort((a, b) => severityRank(a) - severityRank(b));
  const errors = findings.filter((f) => f.severity === 'error').length;
  const warnings = findings.length - errors;
  const title = `Streaming lint: ${plural(errors, 'error')}, ${plural(warnings, 'warning')}`;
  const items = sorted.map(
    (f) =>
      `- **${f.severity}** ${codeSpan(f.rule)}: ${escapeText(cut(f.message))} (${escapeText(cut(f.source))})`,
  );
  if (items.length <= FINDINGS_SHOWN) return `#### ${title}\n\n${items.join('\n')}`;
  return `#### ${title}\n\n<details><summary>Show all ${findings.length} findings</summary>\n\n${items.join('\n')}\n\n</details>`;
}

function severityRank(f: ReportFinding): number {
  return f.severity === 'error' ? 0 : 1;
}

/** The smoke checks (check | ok | detail) and the metrics, as tables. */
function renderSmoke(smoke: SmokeResult): string {
  const checks = [
    '| check | ok | detail |',
    '| --- | --- | --- |',
    ...smoke.checks.map((c) => `| ${cell(c.name)} | ${c.ok ? 'yes' : '**no**'} | ${cell(c.detail)} |`),
  ].join('\n');
  const m = smoke.metrics;
  const metrics = [
    '| metric | value |',
    '| --- | --- |',
    `| connect | ${formatMs(m.connectMs)} |`,
    `| first event | ${formatMs(m.firstEventMs)} |`,
    `| events | ${m.events} |`,
    `| largest gap | ${formatMs(m.largestGapMs)} |`,
    `| buffered | ${m.buffered ? '**yes**' : 'no'} |`,
    `| connections held | ${m.connectionsHeld} of ${m.connectionsTried} |`,
  ].join('\n');
  const title = `#### Smoke test (${smoke.protocol}): ${smoke.verdict}`;
  return `${title}\n\n${checks}\n\n${metrics}`;
}

/** The traffic at each step: step | percent | status | when | detail. */
function renderSteps(steps: ReportStep[]): string {
  const rows = steps.map(
    (s, i) =>
      `| ${i + 1} | ${s.percent} % | ${s.status} | ${s.at ? cell(formatClock(s.at)) : ''} | ${s.detail ? cell(s.detail) : ''} |`,
  );
  return [
    '#### Traffic steps',
    '',
    '| step | percent | status | when | detail |',
    '| --- | --- | --- | --- | --- |',
    ...rows,
  ].join('\n');
}

/**
 * The candidate's share per step as a Mermaid `xychart-beta`: bars for the planned share, a line for the
 * share actually reached (0 for pending and failed steps). Labels are quoted and limited to safe characters.
 */
function renderTrafficChart(steps: ReportStep[]): string {
  const labels = steps.map((s, i) => mermaidString(`${i + 1}: ${s.status}`));
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

/** How long each phase took, e.g. "deploy 42 s · smoke 11 s · rollout 3 min". */
function renderTimings(timings: Array<{ phase: string; ms: number }>): string | undefined {
  if (timings.length === 0) return undefined;
  return `**Took:** ${timings.map((t) => `${escapeText(t.phase)} ${formatDuration(t.ms)}`).join(' · ')}`;
}

/**
 * When streams on the revision that lost traffic end at the latest: a traffic change steers only new
 * requests and a stream lives until it closes or the request timeout cuts it; session affinity can keep
 * some clients on the old revision (FACTS.md "Streaming on Cloud Run").
 */
function renderDrain(report: ReleaseReport): string | undefined {
  if (!report.drainsBy) return undefined;
  const affinity = report.sessionAffinity
    ? ' Session affinity is on: its cookie can keep some clients on the old revision for new requests too.'
    : '';
  return (
    `**Old streams drained by:** ${escapeText(formatTime(report.drainsBy))} ` +
    `(open streams stay on the revision that took them until they close or the ${report.timeoutSeconds} s request timeout ends them).` +
    affinity
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

/** A link to an http(s) URL; anything else is shown as code, never as a link. */
function renderLink(url: string): string {
  if (!isSafeUrl(url)) return codeSpan(url);
  return `[${escapeText(url)}](${url})`;
}

function isSafeUrl(url: string): boolean {
  return /^https?:\/\/[^\s()<>"'`\\|[\]]+$/.test(url) && redact(url) === url;
}

// --- text safety ---------------------------------------------------------------------------------------

/** Replaces token-looking strings (Google access tokens, JWTs, GitHub tokens, bearer values) defensively. */
function redact(text: string): string {
  return text
    .replace(/\bya29\.[A-Za-z0-9._~+/=-]*/g, '(redacted)')
    .replace(/\beyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*/g, '(redacted)')
    .replace(/\b(?:gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,})/g, '(redacted)')
    .replace(/\b(Bearer|Basic)\s+(?!\(redacted\))[A-Za-z0-9._~+/=-]{8,}/gi, '$1 (redacted)');
}

/** Cuts text to `max` characters, ending with an ellipsis when it was cut. */
function truncate(text: string, max: number): string {
  const chars = Array.from(text);
  return chars.length <= max ? text : chars.slice(0, max - 1).join('') + '…';
}

/** A detail as shown: redacted, on one line, at most DETAIL_MAX characters (before escaping). */
function cut(text: string): string {
  return truncate(redact(text).replace(/\s+/g, ' ').trim(), DETAIL_MAX);
}

/** Markdown-inert text: HTML characters as entities, markdown punctuation backslash-escaped, one line. */
function escapeText(text: string): string {
  return text
    .replace(/\s+/g, ' ')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/[\\`*_[\]|#~!]/g, (c) => `\\${c}`);
}

/** A table cell: a short, redacted, escaped detail (so `|` cannot split the row). */
function cell(text: string): string {
  return escapeText(cut(text));
}

/** A code span that no backtick in the text can close early (used outside tables only). */
function codeSpan(text: string): string {
  const clean = truncate(redact(text).replace(/\s+/g, ' '), DETAIL_MAX);
  const longest = Math.max(0, ...Array.from(clean.matchAll(/`+/g), (m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  const pad = clean.startsWith('`') || clean.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${clean}${pad}${fence}`;
}

/** A fenced code block longer than any backtick run in the text, so the text cannot end it. */
function fencedBlock(text: string): string {
  const longest = Math.max(0, ...Array.from(text.matchAll(/`+/g), (m) => m[0].length));
  const fence = '`'.repeat(Math.max(3, longest + 1));
  return `${fence}text\n${text.replace(/\r\n?/g, '\n')}\n${fence}`;
}

/** A quoted Mermaid string: letters, digits, spaces and `.:()_-` only (no quote, no `%%` comment start). */
function mermaidString(text: string): string {
  return `"${text.replace(/[^A-Za-z0-9 .:()_-]/g, ' ')}"`;
}

// --- numbers and times ---------------------------------------------------------------------------------

function clampPercent(p: number): number {
  return Number.isFinite(p) ? Math.min(100, Math.max(0, Math.round(p))) : 0;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** Milliseconds for metrics: "85 ms", "1.2 s"; "n/a" when not measured. */
function formatMs(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return 'n/a';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  return `${(ms / 1000).toFixed(1)} s`;
}

/** A phase's duration: "0.4 s", "42 s", "3 min", "3 min 20 s", "1 h 5 min". */
function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return 'n/a';
  if (ms < 1000) return `${(ms / 1000).toFixed(1)} s`;
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds} s`;
  if (seconds < 3600) {
    const rest = seconds % 60;
    return `${Math.floor(seconds / 60)} min${rest ? ` ${rest} s` : ''}`;
  }
  const minutes = Math.round(seconds / 60);
  const rest = minutes % 60;
  return `${Math.floor(minutes / 60)} h${rest ? ` ${rest} min` : ''}`;
}

/** An ISO time as "HH:MM:SS UTC", short enough for a table on a phone. */
function formatClock(iso: string): string {
  const t = Date.parse(iso);
  return Number.isNaN(t) ? iso : `${new Date(t).toISOString().slice(11, 19)} UTC`;
}

/** An ISO time as "YYYY-MM-DD HH:MM:SS UTC" (parsing a given string is pure); unparsable text as given. */
function formatTime(iso: string): string {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return iso;
  const s = new Date(t).toISOString();
  return `${s.slice(0, 10)} ${s.slice(11, 19)} UTC`;
}
