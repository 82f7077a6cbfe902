// Cleanup of a closed pull request's preview as data: which tag the preview used, the service's traffic
// without it, which GitHub deployments are the preview's, and the report of what was done. Pure.
import type { TrafficTarget } from './cloud-run-types';

/** Cloud Run allows a tag and its service's name together at most 46 characters (docs/platform.md "Limits on inputs"). */
export const TAG_AND_SERVICE_MAX = 46;

/**
 * The tag a preview of pull request `n` gets by default: `pr-N`, shortened to `prN` or `pN` when the
 * service's name leaves less `room` (TAG_AND_SERVICE_MAX minus its length); undefined when none fits. The
 * release's default `tag` (src/inputs.ts) and the cleanup's are this one function, so cleanup finds what
 * the release made.
 */
export function previewTag(n: number, room: number): string | undefined {
  return [`pr-${n}`, `pr${n}`, `p${n}`].find((t) => t.length <= room);
}

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
    service: p.service,
    region: p.region,
    tag: typeof p.tag === 'string' ? p.tag : '',
    pull_request: typeof p.pull_request === 'number' ? p.pull_request : null,
  };
}

/** The deployments a pull request's previews of one service and region made; others are never touched. */
export function previewDeployments<D extends DeploymentRecord>(
  deployments: readonly D[],
  preview: { service: string; region: string; pullRequest: number },
): D[] {
  return deployments.filter((d) => {
    const p = previewPayload(d.payload);
    return (
      p !== undefined &&
      p.pull_request === preview.pullRequest &&
      p.service === preview.service &&
      p.region === preview.region
    );
  });
}

/** What GitHub answered when a call failed (an Octokit RequestError), naming the permission it needs. */
export function describeGitHubFailure(err: unknown): string {
  const e = err as { status?: number; message?: string };
  if (e.status === 403 || e.status === 404)
    return `GitHub answered ${e.status} (${e.message ?? 'forbidden'}): the job's token needs \`permissions: deployments: write\``;
  return e.status ? `GitHub answered ${e.status}: ${e.message ?? ''}`.trim() : String(e.message ?? err);
}

/** What one cleanup did, for the log, the job summary and the CLI's JSON. */
export interface CleanupOutcome {
  service: string;
  region: string;
  tag: string;
  pullRequest?: number;
  /** `removed`: the tag was taken off; `absent`: the service has no such tag; `no-service`: it does not exist. */
  tagResult: 'removed' | 'absent' | 'no-service';
  /** Targets that kept their traffic and only lost the tag (a preview that had been promoted). */
  untagged: TrafficTarget[];
  /** The service's traffic after cleanup; undefined when there is no service. */
  traffic?: TrafficTarget[];
  /** Deployment ids removed; `skipped` says why GitHub was not asked; `failure` why it failed. */
  deployments: { removed: number[]; skipped?: string; failure?: string };
}

/** True when the cleanup found nothing to remove: a second run, or a pull request that never deployed. */
export function isNoOp(outcome: CleanupOutcome): boolean {
  return outcome.tagResult !== 'removed' && outcome.deployments.removed.length === 0;
}

/** One line per fact, in the words the log and the summary use. */
export function describeCleanup(outcome: CleanupOutcome): string[] {
  const where = `${outcome.service} (${outcome.region})`;
  const lines: string[] = [];
  if (outcome.tagResult === 'no-service')
    lines.push(`Service ${where} does not exist: there is no tag ${outcome.tag} to remove.`);
  else if (outcome.tagResult === 'absent')
    lines.push(`Service ${where} has no tag ${outcome.tag}: nothing to remove there.`);
  else lines.push(`Removed tag ${outcome.tag} from ${where}; traffic percentages unchanged.`);
  for (const t of outcome.untagged)
    lines.push(
      `${t.revision ?? 'LATEST'} still serves ${t.percent} % of ${outcome.service}: only its tag was removed.`,
    );
  const d = outcome.deployments;
  if (d.failure) lines.push(`GitHub deployments were not removed: ${d.failure}`);
  else if (d.skipped) lines.push(`GitHub deployments were not looked at: ${d.skipped}`);
  else if (d.removed.length === 0)
    lines.push(
      `No GitHub deployment of ${outcome.pullRequest === undefined ? 'this preview' : `pull request #${outcome.pullRequest}`} to remove.`,
    );
  else
    lines.push(
      `Removed ${d.removed.length} GitHub deployment${d.removed.length === 1 ? '' : 's'} (${d.removed.map((id) => `#${id}`).join(', ')}), each marked inactive first.`,
    );
  return lines;
}

/** The job summary of a cleanup, as Markdown. */
export function renderCleanupSummary(outcome: CleanupOutcome): string {
  const title =
    outcome.pullRequest === undefined
      ? `Preview ${outcome.tag} of ${outcome.service} (${outcome.region})`
      : `Preview of pull request #${outcome.pullRequest}: ${outcome.service} (${outcome.region})`;
  const state = isNoOp(outcome) ? 'nothing to clean up' : 'cleaned up';
  const escape = (text: string) => text.replace(/[<>&]/g, (c) => `&#${c.charCodeAt(0)};`);
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
