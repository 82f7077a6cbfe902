// The report of a `mode: job` run and its GitHub channels (the sticky comment and the deployment), built
// the same way by the job step and by the post step that finishes the report of a run the workflow
// cancelled. Its own module, so the post bundle does not carry the job orchestrator.
import * as core from '@actions/core';
import { actionsLog } from './adapters/log';
import type { DeploymentPayload, GitHubPort } from './adapters/github';
import type { DeployConfig, RunContext } from './core/config';
import { jobDeploymentPayload, jobEnvironmentName } from './core/github-names';
import type { JobReport } from './core/job-report';
import {
  decodeJobReportSnapshot,
  JOB_REPORT_STATE,
  JobReporter,
  type JobReportSnapshot,
} from './job-reporter';

/**
 * The reporter of this job run. The main step starts a report and keeps it for the post step while the
 * execution runs; the post step (`post`) adds to the same comment and the same deployment when main kept
 * them (`post.resume`), and keeps nothing itself.
 */
export async function createJobReporter(
  config: Readonly<DeployConfig>,
  context: RunContext,
  post?: { resume?: JobReportSnapshot },
): Promise<JobReporter> {
  const resume = post?.resume;
  const env = process.env;
  const job = config.job?.name ?? '';
  const { githubToken, deployment } = config.reporting;
  if (githubToken) core.setSecret(githubToken);
  const runUrl =
    context.repository && env.GITHUB_RUN_ID
      ? `${env.GITHUB_SERVER_URL ?? 'https://github.com'}/${context.repository}/actions/runs/${env.GITHUB_RUN_ID}`
      : undefined;
  // On a pull request the comment goes on it; elsewhere on the commit, only when asked: commit comments
  // need `contents: write` (docs/platform.md "Commit comments").
  const onPullRequest = context.pullRequest !== undefined;
  const comment = onPullRequest ? config.reporting.comment : config.reporting.commentOnCommit;
  // The deployment and a commit comment go to the commit the pull request shows (docs/platform.md "Pull request head SHA").
  const sha = context.headSha ?? context.sha;
  let github: GitHubPort | undefined;
  if (githubToken && context.repository && sha && (comment || deployment)) {
    const { createGitHub } = await import('./adapters/github');
    const environment = jobEnvironmentName(config.projectId, job, config.region);
    github = createGitHub({
      token: githubToken,
      apiUrl: env.GITHUB_API_URL,
      repository: context.repository,
      sha,
      pullRequest: context.pullRequest,
      environment,
      // The job stays once written, so its environment is not transient (docs/platform.md "Deployment statuses and environments").
      transient: false,
      // Job mode sends no commit status: the workflow job's own check already fails with the job.
      context: environment,
      // A job's payload has no `service`: cleanup never reads it as a preview (core/github-names.ts).
      payload: jobDeploymentPayload(
        config.projectId,
        job,
        config.region,
        context.pullRequest,
        env.GITHUB_RUN_ID ? { id: context.runId, attempt: context.runAttempt } : undefined,
      ) as unknown as DeploymentPayload,
      runUrl,
      debug: (line) => core.debug(line),
      deploymentId: resume?.deploymentId,
      // Main may have been cancelled after GitHub created its deployment and before it kept the id.
      findOwnDeployment: post !== undefined,
    });
  } else if (comment || deployment)
    core.warning('No `github_token` or repository: the job comment and the deployment are skipped.');
  const base: JobReport = resume?.report ?? {
    project: config.projectId,
    region: config.region,
    job,
    image: config.image,
    phase: 'writing',
    ...(sha && { sha }),
    ...(runUrl && { runUrl }),
  };
  return new JobReporter(base, {
    github,
    comment,
    commentOn: onPullRequest ? 'pull-request' : 'commit',
    deployment,
    log: actionsLog(),
    now: () => Date.now(),
    // Only main keeps the report: the post step is the last to write it.
    ...(!post && { persist: (s: JobReportSnapshot) => core.saveState(JOB_REPORT_STATE, JSON.stringify(s)) }),
  });
}

/** The report main kept while its execution ran, or undefined when there is none or it is unreadable. */
export function loadJobReport(): JobReportSnapshot | undefined {
  return decodeJobReportSnapshot(core.getState(JOB_REPORT_STATE));
}
