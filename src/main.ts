// Composition root of the main step and the only place that fails it: reads the inputs and the GitHub
// context, and only when they are valid starts signing in to Google and loads the release step
// (@actions/core, Octokit, the orchestrator). A bad input is refused before any of that loads and before
// any network call, within about twice a bare `node -e 0` (bench/RESULTS.md).
import { readActionConfig } from './adapters/action-config';
import { readPullRequestRepos } from './adapters/github-context';
import { tokenlessSkip } from './core/fork-skip';
import { addMask, escapeData, info, setFailed, setOutput } from './adapters/runner-commands';
import { InputError } from './errors';
import { writeOutputs } from './outputs';

async function main(): Promise<void> {
  let failure: string | undefined;
  try {
    const { context, config } = await readActionConfig();
    if (config.reporting.githubToken) addMask(config.reporting.githubToken);
    // Inputs accepted but ignored or risky in their combination: `::warning::` annotations (what
    // core.warning writes), before anything else happens.
    for (const line of config.inputWarnings) info(`::warning::${escapeData(line)}`);
    // A fork's pull request or a Dependabot run never gets an OIDC token: a notice, not a failure.
    const skip = tokenlessSkip({
      usesWorkloadIdentity: config.workloadIdentityProvider !== undefined,
      hasOidcRequest: Boolean(process.env.ACTIONS_ID_TOKEN_REQUEST_URL),
      actor: context.actor,
      pullRequestRepos: readPullRequestRepos(process.env),
    });
    if (skip !== undefined) {
      info(`::notice::${escapeData(skip)}`);
      writeOutputs(setOutput, { verdict: 'skipped' });
      return;
    }
    // Signing in waits on the network (GitHub OIDC, STS, IAM Credentials): start it first, then load
    // the rest while it waits. Every token is masked before anything can print it.
    const { connectGoogleCloud } = await import('./adapters/google-cloud');
    const connecting = connectGoogleCloud({ ...config, env: process.env, mask: addMask, log: info });
    connecting.catch(() => undefined); // awaited (and reported) by the release step
    if (config.mode === 'job') {
      const { jobStep } = await import('./job-step');
      failure = await jobStep(config, context, connecting);
    } else if (config.mode === 'cleanup') {
      const { cleanupStep } = await import('./cleanup-step');
      failure = await cleanupStep(config, context, connecting);
    } else {
      if (config.waves) {
        const { multiRegionStep } = await import('./multi-region-step');
        failure = await multiRegionStep(config, context, connecting);
      } else {
        const { releaseStep } = await import('./release-step');
        failure = await releaseStep(config, context, connecting);
      }
    }
  } catch (error) {
    // Bad inputs (every problem at once, with the warnings found beside them), or a bundle that failed to
    // load: nothing changed.
    if (error instanceof InputError)
      for (const line of error.warnings) info(`::warning::${escapeData(line)}`);
    failure = error instanceof Error ? error.message : String(error);
    writeOutputs(setOutput, { verdict: 'failed' });
  }
  if (failure !== undefined) setFailed(failure);
}

void main();
