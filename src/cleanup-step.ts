// The main step in `mode: cleanup` (main.ts has read the inputs and started signing in): builds the real
// adapters, calls cleanup(), writes the outputs and the job summary, and returns the failure text for
// main.ts, which fails the step. Loaded by main.ts only in that mode.
import * as core from '@actions/core';
import { actionsLog } from './adapters/log';
import { setOutput } from './adapters/runner-commands';
import { writeOutputs } from './outputs';
import { cleanup } from './cleanup';
import { renderCleanupSummary } from './core/cleanup-plan';
import { previewTag, TAG_AND_SERVICE_MAX } from './core/tag-rules';
import { serviceName } from './core/service-plan';
import type { DeployConfig, RunContext } from './core/config';
import type { GoogleCloud } from './adapters/google-cloud';
import type { DeploymentsPort } from './adapters/github-deployments';

/** Removes the closed pull request's preview; resolves with the failure text (undefined when it succeeded). */
export async function cleanupStep(
  config: Readonly<DeployConfig>,
  context: RunContext,
  connecting: Promise<GoogleCloud>,
): Promise<string | undefined> {
  const { githubToken, deployment, summary } = config.reporting;
  if (githubToken) core.setSecret(githubToken);
  let deployments: DeploymentsPort | undefined;
  let deploymentsSkipped: string | undefined;
  if (!deployment) deploymentsSkipped = '`github_deployment` is `false`';
  else if (!githubToken || !context.repository) deploymentsSkipped = 'no `github_token` or repository';
  else {
    const { createGitHubDeployments } = await import('./adapters/github-deployments');
    deployments = createGitHubDeployments({
      token: githubToken,
      apiUrl: process.env.GITHUB_API_URL,
      repository: context.repository,
    });
  }
  let cloudRun: GoogleCloud['cloudRun'] | undefined;
  try {
    ({ cloudRun } = await connecting);
    const outcome = await cleanup(
      {
        name: serviceName(config),
        project: config.projectId,
        service: config.service,
        region: config.region,
        tag: config.tag,
        ...(context.pullRequest !== undefined && {
          pullRequest: context.pullRequest,
          // `tag` may come from a `with:` block shared with releases: only this PR's preview tag goes.
          tagGuard: {
            previewTag: previewTag(context.pullRequest, TAG_AND_SERVICE_MAX - config.service.length),
            input: 'tag',
          },
        }),
      },
      { cloudRun, deployments, deploymentsSkipped, log: actionsLog() },
    );
    writeOutputs(setOutput, {
      verdict: 'cleaned_up',
      traffic: outcome.traffic && JSON.stringify(outcome.traffic),
    });
    if (summary && process.env.GITHUB_STEP_SUMMARY)
      await core.summary.emptyBuffer().addRaw(renderCleanupSummary(outcome)).write();
    return undefined;
  } catch (error) {
    writeOutputs(setOutput, { verdict: 'failed' });
    return error instanceof Error ? error.message : String(error);
  } finally {
    await cloudRun?.close();
  }
}
