// The cleanup orchestrator: removes a closed pull request's preview, its tag from the service (a
// traffic-only update that never changes a percentage) and its GitHub deployments (each marked inactive,
// then deleted). Idempotent: what is already gone is a notice, not an error. A Cloud Run failure throws
// (the preview may still be reachable); a GitHub failure is a warning in the outcome, as in a release.
import type { CloudRunPort } from './adapters/cloud-run';
import type { Log } from './adapters/log';
import type { DeploymentsPort } from './adapters/github-deployments';
import { environmentName } from './core/github-names';
import {
  describeCleanup,
  describeGitHubFailure,
  isNoOp,
  planTagRemoval,
  previewDeployments,
  type CleanupOutcome,
} from './core/cleanup-plan';

/** Which preview to remove. */
export interface CleanupTarget {
  /** The service's full resource name. */
  name: string;
  service: string;
  region: string;
  /** The preview's tag: `pr-<number>` unless the release was given another (core/cleanup-plan.ts `previewTag`). */
  tag: string;
  /** The pull request whose deployments go; without it GitHub is not asked. */
  pullRequest?: number;
}

export interface CleanupPorts {
  cloudRun: Pick<CloudRunPort, 'getService' | 'setTraffic'>;
  /** GitHub's deployments; undefined when there is no token or repository (`deploymentsSkipped` says why). */
  deployments?: DeploymentsPort;
  deploymentsSkipped?: string;
  log: Log;
}

/** Removes the preview's tag and deployments; resolves with what it did, which the caller reports. */
export async function cleanup(target: CleanupTarget, ports: CleanupPorts): Promise<CleanupOutcome> {
  const { cloudRun, log } = ports;
  const where = `${target.service} (${target.region})`;
  const untagged: CleanupOutcome['untagged'] = [];
  const { tagResult, traffic } = await log.group(`Remove tag ${target.tag} from ${where}`, async () => {
    const live = await cloudRun.getService(target.name);
    if (!live) return { tagResult: 'no-service' as const, traffic: undefined };
    const removal = planTagRemoval(live.traffic, target.tag);
    if (!removal) return { tagResult: 'absent' as const, traffic: live.traffic };
    log.debug(`Traffic ${JSON.stringify(live.traffic)} -> ${JSON.stringify(removal.traffic)}`);
    // docs/platform.md "Removing a tag is a traffic-only update"; refuses to overwrite a concurrent change.
    const after = await cloudRun.setTraffic(target.name, removal.traffic, { expectTraffic: live.traffic });
    untagged.push(...removal.untagged);
    return { tagResult: 'removed' as const, traffic: after.traffic };
  });

  const deployments: CleanupOutcome['deployments'] = { removed: [] };
  if (target.pullRequest === undefined) deployments.skipped = 'no pull request number';
  else if (!ports.deployments)
    deployments.skipped = ports.deploymentsSkipped ?? 'no GitHub token or repository';
  else {
    const github = ports.deployments;
    const pullRequest = target.pullRequest;
    await log.group(`Remove GitHub deployments of pull request #${pullRequest}`, async () => {
      try {
        const environment = environmentName(target.service, target.region, true);
        const mine = previewDeployments(await github.list(environment), {
          service: target.service,
          region: target.region,
          pullRequest,
        });
        for (const d of mine) {
          // docs/platform.md "Deleting a deployment needs it inactive".
          await github.deactivate(d.id, `Pull request #${pullRequest} closed: preview removed`);
          await github.remove(d.id);
          deployments.removed.push(d.id);
        }
      } catch (err) {
        deployments.failure = describeGitHubFailure(err);
      }
    });
  }

  const outcome: CleanupOutcome = {
    service: target.service,
    region: target.region,
    tag: target.tag,
    ...(target.pullRequest !== undefined && { pullRequest: target.pullRequest }),
    tagResult,
    untagged,
    ...(traffic !== undefined && { traffic }),
    deployments,
  };
  for (const line of describeCleanup(outcome))
    (deployments.failure && line.startsWith('GitHub') ? log.warning : log.info)(line);
  if (isNoOp(outcome)) log.info('Nothing to clean up: the preview is already gone, or never deployed.');
  return outcome;
}
