// The cleanup orchestrator: removes a closed pull request's preview, its tag from the service (a
// traffic-only update that never changes a percentage) and its GitHub deployments (each marked inactive,
// then deleted). Idempotent: what is already gone is a notice, not an error. A Cloud Run failure throws
// (the preview may still be reachable); a GitHub failure is a warning in the outcome, as in a release.
import type { CloudRunPort, Log } from './ports';
import type { DeploymentsPort } from './adapters/github-deployments';
import { environmentName, unprojectedPreviewEnvironment } from './core/github-names';
import {
  describeCleanupLines,
  describeGitHubFailure,
  isNoOp,
  planTagRemoval,
  previewDeployments,
  previewPayload,
  refusePreviewTag,
  unprojectedDeployments,
  type CleanupOutcome,
  type DeploymentRecord,
} from './core/cleanup-plan';

/** Which preview to remove. */
export interface CleanupTarget {
  /** The service's full resource name. */
  name: string;
  project: string;
  service: string;
  region: string;
  /** The preview's tag: `pr-<number>` unless the release was given another (core/tag-rules.ts `previewTag`). */
  tag: string;
  /** The pull request whose deployments go; without it GitHub is not asked. */
  pullRequest?: number;
  /**
   * Set when the tag came from configuration that may be shared (the action on a pull request): the tag is
   * removed only when it is `previewTag` or one of the pull request's deployments recorded it; else the
   * cleanup refuses that part, naming `input`. Unset (the CLI): the operator's explicit choice.
   */
  tagGuard?: { previewTag?: string; input: string };
}

export interface CleanupPorts {
  cloudRun: Pick<CloudRunPort, 'getService' | 'setTraffic'>;
  /** GitHub's deployments; undefined when there is no token or repository (`deploymentsSkipped` says why). */
  deployments?: DeploymentsPort;
  deploymentsSkipped?: string;
  log: Log;
  /** Epoch ms, for the wait a rate-limited GitHub asks for; default Date.now. */
  now?: () => number;
}

/** Removes the preview's tag and deployments; resolves with what it did, which the caller reports. */
export async function cleanup(target: CleanupTarget, ports: CleanupPorts): Promise<CleanupOutcome> {
  const { cloudRun, log } = ports;
  const now = ports.now ?? Date.now;
  const where = `${target.service} (${target.project}/${target.region})`;
  const deployments: CleanupOutcome['deployments'] = { removed: [] };

  // This pull request's deployments first: the tags they recorded decide whether the tag may go.
  let mine: DeploymentRecord[] = [];
  const pullRequest = target.pullRequest;
  const github = ports.deployments;
  if (pullRequest === undefined) deployments.skipped = 'no pull request number';
  else if (!github) deployments.skipped = ports.deploymentsSkipped ?? 'no GitHub token or repository';
  else
    await log.group(`Find GitHub deployments of pull request #${pullRequest}`, async () => {
      const preview = { ...target, pullRequest };
      try {
        mine = previewDeployments(
          await github.list(environmentName(target.project, target.service, target.region, true)),
          preview,
        );
        // Deployments from before payloads named the project may be another project's: reported, not touched.
        const unprojected = unprojectedDeployments(
          await github.list(unprojectedPreviewEnvironment(target.service, target.region)),
          preview,
        );
        if (unprojected.length > 0) deployments.leftAlone = unprojected.map((d) => d.id);
      } catch (err) {
        deployments.failure = describeGitHubFailure(err, now());
      }
    });

  const refused =
    target.tagGuard && pullRequest !== undefined
      ? refusePreviewTag(target.tag, {
          pullRequest,
          ...target.tagGuard,
          recorded: mine.map((d) => previewPayload(d.payload)?.tag ?? '').filter((t) => t !== ''),
        })
      : undefined;
  const untagged: CleanupOutcome['untagged'] = [];
  const tagRevisions: string[] = [];
  const { tagResult, traffic } = refused
    ? { tagResult: 'refused' as const, traffic: undefined }
    : await log.group(`Remove tag ${target.tag} from ${where}`, async () => {
        const live = await cloudRun.getService(target.name);
        if (!live) return { tagResult: 'no-service' as const, traffic: undefined };
        const removal = planTagRemoval(live.traffic, target.tag);
        if (!removal) return { tagResult: 'absent' as const, traffic: live.traffic };
        log.debug(`Traffic ${JSON.stringify(live.traffic)} -> ${JSON.stringify(removal.traffic)}`);
        // docs/platform.md "Removing a tag is a traffic-only update"; refuses to overwrite a concurrent change.
        const after = await cloudRun.setTraffic(target.name, removal.traffic, {
          expectTraffic: live.traffic,
        });
        untagged.push(...removal.untagged);
        tagRevisions.push(...[...removal.dropped, ...removal.untagged].map((t) => t.revision ?? 'LATEST'));
        return { tagResult: 'removed' as const, traffic: after.traffic };
      });

  if (github && pullRequest !== undefined && mine.length > 0)
    await log.group(`Remove GitHub deployments of pull request #${pullRequest}`, async () => {
      try {
        for (const d of mine) {
          // docs/platform.md "Deleting a deployment needs it inactive".
          await github.deactivate(d.id, `Pull request #${pullRequest} closed: preview removed`);
          await github.remove(d.id);
          deployments.removed.push(d.id);
        }
      } catch (err) {
        deployments.failure = describeGitHubFailure(err, now());
      }
    });

  const outcome: CleanupOutcome = {
    project: target.project,
    service: target.service,
    region: target.region,
    tag: target.tag,
    ...(pullRequest !== undefined && { pullRequest }),
    tagResult,
    ...(refused !== undefined && { tagRefused: refused }),
    ...(tagRevisions.length > 0 && { tagRevisions }),
    untagged,
    ...(traffic !== undefined && { traffic }),
    deployments,
  };
  for (const line of describeCleanupLines(outcome)) (line.warning ? log.warning : log.info)(line.text);
  if (isNoOp(outcome)) log.info('Nothing to clean up: the preview is already gone, or never deployed.');
  return outcome;
}
