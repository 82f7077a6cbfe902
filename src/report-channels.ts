// The report and the channels it goes out on (the sticky comment, the deployment and the commit status
// through GitHub, and the job summary), built the same way by the main step and by the post step that
// finishes a report main could not: its own module, so the post bundle does not carry the release.
import * as core from '@actions/core';
import { actionsLog } from './adapters/log';
import type { DeployConfig, RunContext } from './core/config';
import { environmentName, statusContext } from './core/github-names';

// The report's channels: GitHub (when there is a token and a repository) and the job summary.
// A GitHub port that imports the real one on its first call; `target` is read once, then.
function lazyGitHub(
  target: () => import('./adapters/github').GitHubTarget,
  knownDeployment?: number,
): import('./adapters/github').GitHubPort {
  let port: Promise<import('./adapters/github').GitHubPort> | undefined;
  let loaded: import('./adapters/github').GitHubPort | undefined;
  const real = () =>
    (port ??= import('./adapters/github').then(({ createGitHub }) => (loaded = createGitHub(target()))));
  return {
    upsertComment: async (...args) => (await real()).upsertComment(...args),
    deploymentStatus: async (...args) => (await real()).deploymentStatus(...args),
    commitStatus: async (...args) => (await real()).commitStatus(...args),
    deploymentId: () => (loaded ? loaded.deploymentId?.() : knownDeployment),
  };
}

/**
 * The reporter and its channels, the same for both steps: main starts a report and keeps it for the post
 * step; post (`resume`) takes over the report main kept and adds to the same comment and deployment.
 */
export async function createReporter(
  config: DeployConfig,
  context: RunContext,
  resume?: import('./adapters/release-state').ReportSnapshot,
  /** `persistAs`: the state name main keeps this report under (a region's own report in a multi-region release). */
  options: { persistAs?: string } = {},
): Promise<import('./reporter').Reporter> {
  const { Reporter } = await import('./reporter');
  const env = process.env;
  const { githubToken, summary, deployment } = config.reporting;
  if (githubToken) core.setSecret(githubToken);
  const runUrl =
    context.repository && env.GITHUB_RUN_ID
      ? `${env.GITHUB_SERVER_URL ?? 'https://github.com'}/${context.repository}/actions/runs/${env.GITHUB_RUN_ID}`
      : undefined;
  const preview = config.rollout === 'candidate';
  // On a pull request the comment goes on it; elsewhere (a push) on the commit, only when asked: commit
  // comments need `contents: write` (docs/platform.md "Commit comments").
  const onPullRequest = context.pullRequest !== undefined;
  const comment = onPullRequest ? config.reporting.comment : config.reporting.commentOnCommit;
  // Statuses and the deployment go to the commit the pull request shows: its head, not the merge commit.
  const sha = context.headSha ?? context.sha;
  // Octokit loads with the first publish, which runs in the background while Cloud Run works, not
  // before the first Cloud Run call (start-up, bench/RESULTS.md).
  const github =
    githubToken && context.repository && sha
      ? lazyGitHub(
          () => ({
            token: githubToken,
            apiUrl: env.GITHUB_API_URL,
            repository: context.repository,
            sha,
            pullRequest: context.pullRequest,
            environment: environmentName(config.projectId, config.service, config.region, preview),
            transient: preview,
            context: statusContext(config.projectId, config.service, config.region),
            payload: {
              stream_deploy: {
                project: config.projectId,
                service: config.service,
                region: config.region,
                tag: config.tag,
                pull_request: context.pullRequest ?? null,
                ...(env.GITHUB_RUN_ID && { run_id: context.runId, run_attempt: context.runAttempt }),
              },
            },
            runUrl,
            debug: (line) => core.debug(line),
            deploymentId: resume?.deploymentId,
            // Main may have been cancelled after GitHub created its deployment and before it kept the id.
            findOwnDeployment: resume !== undefined,
          }),
          resume?.deploymentId,
        )
      : undefined;
  if (!github && (comment || deployment))
    core.warning('No `github_token` or repository: the comment and the deployment are skipped.');
  const base: import('./core/report-types').ReleaseReport = resume?.report ?? {
    project: config.projectId,
    region: config.region,
    service: config.service,
    image: config.image,
    revision: `${config.service}-${config.revisionSuffix}`,
    tag: config.tag,
    phase: 'planned',
    findings: [],
    steps: [],
    timings: [],
    timeoutSeconds: config.streaming.timeoutSeconds,
    sessionAffinity: config.streaming.sessionAffinity,
    sha: context.sha,
    runUrl,
    updatedAt: new Date().toISOString(),
  };
  const { saveReport } = await import('./adapters/release-state');
  return new Reporter(
    base,
    {
      github,
      writeSummary: env.GITHUB_STEP_SUMMARY
        ? async (markdown) =>
            void (await core.summary.emptyBuffer().addRaw(markdown).write({ overwrite: true }))
        : undefined,
      comment,
      commentOn: onPullRequest ? 'pull-request' : 'commit',
      deployment,
      summary,
      log: actionsLog(),
      now: () => Date.now(),
      // Only main keeps the report: the post step is the last to write it.
      ...(!resume && { persist: (snapshot) => saveReport(snapshot, options.persistAs) }),
    },
    resume?.phaseStartedAt,
  );
}
