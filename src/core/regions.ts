// One region of a multi-region release (src/multi-region.ts): the inputs its own release runs with, and the
// inputs of its own report (a deployment and a commit status; the comment and the summary are the whole
// release's). Pure.
import type { DeployConfig } from './config';

/** The inputs of one region's release: its region, its wave's steps, its own VPC connector. */
export function regionConfig(config: DeployConfig, region: string, wave: number): DeployConfig {
  const { waves: _waves, waveTrafficSteps, waveStepWaitMs, beforeRolloutJob, ...one } = config;
  const connector = one.vpc?.connector;
  return {
    ...one,
    region,
    // The pre-rollout job (a migration) runs once: in the canary region, before its traffic moves.
    ...(beforeRolloutJob && region === config.region && { beforeRolloutJob }),
    ...(wave > 1 && waveTrafficSteps && { trafficSteps: waveTrafficSteps }),
    ...(wave > 1 && waveStepWaitMs && { stepWaitMs: waveStepWaitMs }),
    // A connector is regional: the short name given is the connector of that name in each region.
    ...(connector &&
      !connector.includes('/') && {
        vpc: {
          ...one.vpc,
          connector: `projects/${one.projectId}/locations/${region}/connectors/${connector}`,
        },
      }),
  };
}

/** The inputs a region's own report goes out with: its deployment and commit status only. */
export function regionReportConfig(config: DeployConfig, region: string, wave: number): DeployConfig {
  return {
    ...regionConfig(config, region, wave),
    reporting: { ...config.reporting, comment: false, commentOnCommit: false, summary: false },
  };
}

/** The inputs the whole release's report goes out with: the comment and the summary (deployments are per region). */
export function combinedReportConfig(config: DeployConfig): DeployConfig {
  return { ...config, reporting: { ...config.reporting, deployment: false } };
}
