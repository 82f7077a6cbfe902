// Cleanup of a closed pull request's preview as data: which tag the preview used, the service's traffic
// without it, which GitHub deployments are the preview's, and the report of what was done. Pure.
import type { TrafficTarget } from './cloud-run-types';
import { classifyFailure } from './github-failures';
import { escapeText } from './report-text';

/** What removing a tag does to the service's traffic. */
export interface TagRemoval {
  /** The traffic to write: every target as it was, without the tag. */
  traffic: TrafficTarget[];
  /** Targets that carried only the tag (0 %): dropped. */
  dropped: TrafficTarget[];
  /** Targets that also carry traffic: kept with their percent, only the tag goes. */
  untagged: TrafficTarget[];
}

/**
 * The service's traffic without `tag` (docs/platform.md "Removing a tag is a traffic-only update"): a
 * target with 0 % that only existed for the tag is dropped; one that carries traffic keeps its percent and
 * loses the tag. Percentages never change. Undefined when no target has the tag (nothing to write).
 */
export function planTagRemoval(traffic: readonly TrafficTarget[], tag: string): TagRemoval | undefined {
  if (!traffic.some((t) => t.tag === tag)) return undefined;
  const dropped: TrafficTarget[] = [];
  const untagged: TrafficTarget[] = [];
  const kept: TrafficTarget[] = [];
  for (const target of traffic) {
    if (target.tag !== tag) kept.push({ ...target });
    else if (target.percent > 0) {
      const { tag: _removed, ...rest } = target;
      untagged.push(target);
      kept.push(rest);
    } else dropped.push(target);
  }
  return { traffic: kept, dropped, untagged };
}

/** The part of a GitHub deployment cleanup reads. */
export interface DeploymentRecord {
  id: number;
  environment: string;
  /** As GitHub returns it: the object the release sent, or a string when it was not JSON. */
  payload: unknown;
}

/** What a release writes in its deployment's payload (the contract between the release and cleanup). */
export interface PreviewPayload {
  /** The Google Cloud project; absent in deployments made before releases recorded it. */
  project?: string;
  service: string;
  region: string;
  tag: string;
  pull_request: number | null;
}

/** The `stream_deploy` part of a deployment's payload, or undefined when it has none. */
export function previewPayload(payload: unknown): PreviewPayload | undefined {
  let value = payload;
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value);
    } catch {
      return undefined;
    }
  }
  const part = (value as { stream_deploy?: unknown } | null)?.stream_deploy;
  if (part === null || typeof part !== 'object') return undefined;
  const p = part as Record<string, unknown>;
  if (typeof p.service !== 'string' || typeof p.region !== 'string') return undefined;
  return {
    ...(typeof p.project === 'string' && { project: p.project }),
    service: p.service,
    region: p.region,
    tag: typeof p.tag === 'string' ? p.tag : '',
    pull_request: typeof p.pull_request === 'number' ? p.pull_request : null,
  };
}

/** Which preview cleanup is after: one pull request's previews of one project's service in one region. */
export interface PreviewIdentity {
  project: string;
  service: string;
  region: string;
  pullRequest: number;
}

/** The deployments a pull request's previews of this project's service and region made; others are never touched. */
export function previewDeployments<D extends DeploymentRecord>(
  deployments: readonly D[],
  preview: PreviewIdentity,
): D[] {
  return deployments.filter((d) => {
    const p = previewPayload(d.payload);
    return p !== undefined && p.project === preview.project && matchesPreview(p, preview);
  });
}

/**
 * Deployments of this pull request, service and region whose payload names no project (made before
 * releases recorded it): they may be another project's, so cleanup reports them and leaves them alone.
 */
export function unprojectedDeployments<D extends DeploymentRecord>(
  deployments: readonly D[],
  preview: PreviewIdentity,
): D[] {
  return deployments.filter((d) => {
    const p = previewPayload(d.payload);
    return p !== undefined && p.project === undefined && matchesPreview(p, preview);
  });
}

function matchesPreview(p: PreviewPayload, preview: PreviewIdentity): boolean {
  return (
    p.pull_request === preview.pullRequest && p.service === preview.service && p.region === preview.region
  );
}

/**
 * Why a pull request's cleanup must leave `tag` on the service, or undefined when it may remove it: only
 * the pull request's default preview tag, or a tag one of its own deployments recorded, is its preview's;
 * any other (a `tag` shared in a `with:` block) may be another pull request's preview or a release's tag.
 */
export function refusePreviewTag(
  tag: string,
  preview: { pullRequest: number; previewTag?: string; recorded: readonly string[]; input: string },
): string | undefined {
  if (tag === preview.previewTag || preview.recorded.includes(tag)) return undefined;
  const own =
    preview.previewTag === undefined
      ? 'has no default preview tag'
      : `'s preview tag is ${preview.previewTag}`;
  const recorded =
    preview.recorded.length === 0
      ? 'none of its deployments recorded a tag'
      : `its deployments recorded ${[...new Set(preview.recorded)].join(', ')}`;
  return (
    `\`${preview.input}\` is ${tag}, which is not pull request #${preview.pullRequest}'s preview (the pull request${own}; ${recorded}), ` +
    `so the tag was left on the service: it may be another preview's or a release's. Leave \`${preview.input}\` unset in the cleanup step, ` +
    `or remove the tag with \`stream-deploy cleanup --tag ${tag}\` if it is really this preview's.`
  );
}

/**
 * What GitHub answered when a call failed (an Octokit RequestError): the permission it needs only when it
 * is a refusal (core/github-failures.ts), the wait when it is a rate limit. A 404 may be either a missing
 * repository or one the token may not see (docs/platform.md "A 404 can hide a missing permission").
 */
export function describeGitHubFailure(err: unknown, now: number): string {
  const e = err as { status?: number; message?: string };
  const answered = e.status ? `GitHub answered ${e.status}${e.message ? ` (${e.message})` : ''}` : undefined;
  const failure = classifyFailure(err, now);
  if (failure.kind === 'rate-limited') {
    const seconds = Math.max(1, Math.ceil((failure.retryAt - now) / 1000));
    return `${answered ?? 'GitHub'}: the token is rate-limited${failure.secondary ? ' (secondary rate limit)' : ''}; run the cleanup again after ${seconds} s`;
  }
  if (failure.kind === 'denied')
    return `${answered}: the job's token needs \`permissions: deployments: write\``;
  if (e.status === 404)
    return `${answered}: the repository does not exist or this token may not see it (a token without \`deployments: write\` can get 404 too)`;
  return answered ?? String(e.message ?? err);
}

/** What one cleanup did, for the log, the job summary and the CLI's JSON. */
export interface CleanupOutcome {
  project: string;
  service: string;
  region: string;
  tag: string;
  pullRequest?: number;
  /**
   * `removed`: the tag was taken off; `absent`: the service has no such tag; `no-service`: it does not
   * exist; `refused`: the tag is not this pull request's preview (`tagRefused` says why), left as it is.
   */
  tagResult: 'removed' | 'absent' | 'no-service' | 'refused';
  tagRefused?: string;
  /** The revisions the tag pointed at when it was removed (`LATEST` for a target that follows the latest). */
  tagRevisions?: string[];
  /** Targets that kept their traffic and only lost the tag (a preview that had been promoted). */
  untagged: TrafficTarget[];
  /** The service's traffic after cleanup; undefined when there is no service. */
  traffic?: TrafficTarget[];
  /**
   * Deployment ids removed; `skipped` says why GitHub was not asked; `failure` why it failed; `leftAlone`:
   * this pull request's deployments whose payload names no project (unprojectedDeployments), not touched.
   */
  deployments: { removed: number[]; skipped?: string; failure?: string; leftAlone?: number[] };
}

/** True when the cleanup found nothing to remove: a second run, or a pull request that never deployed. */
export function isNoOp(outcome: CleanupOutcome): boolean {
  return (
    (outcome.tagResult === 'absent' || outcome.tagResult === 'no-service') &&
    outcome.deployments.removed.length === 0 &&
    !outcome.deployments.leftAlone?.length
  );
}

/** One line per fact, in the words the log and the summary use. */
export function describeCleanup(outcome: CleanupOutcome): string[] {
  return describeCleanupLines(outcome).map((l) => l.text);
}

/** The lines of describeCleanup, each marked when the log shows it as a warning. */
export function describeCleanupLines(outcome: CleanupOutcome): { text: string; warning: boolean }[] {
  const where = `${outcome.service} (${outcome.project}/${outcome.region})`;
  const lines: { text: string; warning: boolean }[] = [];
  const say = (text: string, warning = false) => lines.push({ text, warning });
  if (outcome.tagResult === 'no-service')
    say(`Service ${where} does not exist: there is no tag ${outcome.tag} to remove.`);
  else if (outcome.tagResult === 'absent')
    say(`Service ${where} has no tag ${outcome.tag}: nothing to remove there.`);
  else if (outcome.tagResult === 'refused')
    say(`Tag ${outcome.tag} was not removed: ${outcome.tagRefused}`, true);
  else {
    const pointed = outcome.tagRevisions?.length ? ` (it pointed at ${outcome.tagRevisions.join(', ')})` : '';
    say(`Removed tag ${outcome.tag}${pointed} from ${where}; traffic percentages unchanged.`);
  }
  for (const t of outcome.untagged)
    say(
      `${t.revision ?? 'LATEST'} still serves ${t.percent} % of ${outcome.service}: only its tag was removed.`,
    );
  const d = outcome.deployments;
  const ids = (list: number[]) => list.map((id) => `#${id}`).join(', ');
  if (d.failure) say(`GitHub deployments were not removed: ${d.failure}`, true);
  else if (d.skipped) say(`GitHub deployments were not looked at: ${d.skipped}`);
  else if (d.removed.length === 0)
    say(
      `No GitHub deployment of ${outcome.pullRequest === undefined ? 'this preview' : `pull request #${outcome.pullRequest}`} to remove.`,
    );
  else
    say(
      `Removed ${d.removed.length} GitHub deployment${d.removed.length === 1 ? '' : 's'} (${ids(d.removed)}), each marked inactive first.`,
    );
  if (d.leftAlone?.length)
    say(
      `Left ${d.leftAlone.length} GitHub deployment${d.leftAlone.length === 1 ? '' : 's'} of pull request #${outcome.pullRequest} alone (${ids(d.leftAlone)}): ` +
        `made before deployments recorded their project, ${d.leftAlone.length === 1 ? 'it' : 'they'} may be another project's preview of ${outcome.service} (${outcome.region}). Delete by hand what is this project's.`,
      true,
    );
  return lines;
}

/** The job summary of a cleanup, as Markdown. */
export function renderCleanupSummary(outcome: CleanupOutcome): string {
  const title =
    outcome.pullRequest === undefined
      ? `Preview ${outcome.tag} of ${outcome.service} (${outcome.project}/${outcome.region})`
      : `Preview of pull request #${outcome.pullRequest}: ${outcome.service} (${outcome.project}/${outcome.region})`;
  const state = isNoOp(outcome)
    ? 'nothing to clean up'
    : outcome.tagResult === 'refused'
      ? 'tag left in place'
      : 'cleaned up';
  // The report's escaping: no HTML, no mention, reference or link (docs/platform.md "Autolinked references and mentions").
  const escape = (text: string) => escapeText(text);
  const traffic =
    outcome.traffic === undefined
      ? []
      : [
          '',
          '| Revision | Percent | Tag |',
          '| --- | --- | --- |',
          ...outcome.traffic.map(
            (t) => `| ${escape(t.revision ?? 'LATEST')} | ${t.percent} % | ${escape(t.tag ?? '')} |`,
          ),
        ];
  return [
    `### ${escape(title)}: ${state}`,
    '',
    ...describeCleanup(outcome).map((line) => `- ${escape(line)}`),
    ...traffic,
    '',
  ].join('\n');
}
