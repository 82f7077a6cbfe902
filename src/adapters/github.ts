// GitHub behind a small port: the sticky PR comment (or commit comment on push), a deployment with its
// statuses, and a commit status, over @actions/github's Octokit. GitHub Enterprise Server works through
// GITHUB_API_URL. Reporting failures are the caller's to turn into warnings: they never fail a release.
import { getOctokit } from '@actions/github';

export type DeploymentState = 'in_progress' | 'success' | 'failure' | 'inactive' | 'error';
export type CommitState = 'pending' | 'success' | 'failure' | 'error';

export interface GitHubPort {
  /** Creates or edits the one comment that carries `marker`: on the pull request, or on the commit on push. */
  upsertComment(marker: string, body: string): Promise<'created' | 'updated'>;
  /** Creates the deployment on first use, then adds a status to it. */
  deploymentStatus(state: DeploymentState, description: string, environmentUrl?: string): Promise<void>;
  commitStatus(state: CommitState, description: string, targetUrl?: string): Promise<void>;
}

export interface GitHubTarget {
  token: string;
  /** GITHUB_API_URL; https://api.github.com when unset. */
  apiUrl?: string;
  /** `owner/repo`. */
  repository: string;
  sha: string;
  /** The pull request number, when the event is one. */
  pullRequest?: number;
  /** The ref to deploy, e.g. `refs/pull/12/head` or the sha. */
  ref: string;
  environment: string;
  /** Previews are transient environments. */
  transient: boolean;
  /** `stream-deploy/SERVICE (REGION)`: the commit status context branch protection can require. */
  context: string;
  /** A link to the workflow run for statuses. */
  runUrl?: string;
}

/** Builds the port over Octokit. */
export function createGitHub(target: GitHubTarget): GitHubPort {
  const octokit = getOctokit(target.token, target.apiUrl ? { baseUrl: target.apiUrl } : {});
  const [owner, repo] = target.repository.split('/');
  let commentId: number | undefined;
  let deploymentId: number | undefined;

  async function findComment(marker: string): Promise<number | undefined> {
    if (target.pullRequest !== undefined) {
      const comments = await octokit.paginate(octokit.rest.issues.listComments, {
        owner,
        repo,
        issue_number: target.pullRequest,
        per_page: 100,
      });
      return comments.find((c) => c.body?.includes(marker))?.id;
    }
    const comments = await octokit.paginate(octokit.rest.repos.listCommentsForCommit, {
      owner,
      repo,
      commit_sha: target.sha,
      per_page: 100,
    });
    return comments.find((c) => c.body?.includes(marker))?.id;
  }

  return {
    async upsertComment(marker, body) {
      commentId ??= await findComment(marker);
      if (commentId !== undefined) {
        if (target.pullRequest !== undefined)
          await octokit.rest.issues.updateComment({ owner, repo, comment_id: commentId, body });
        else await octokit.rest.repos.updateCommitComment({ owner, repo, comment_id: commentId, body });
        return 'updated';
      }
      const created =
        target.pullRequest !== undefined
          ? await octokit.rest.issues.createComment({ owner, repo, issue_number: target.pullRequest, body })
          : await octokit.rest.repos.createCommitComment({ owner, repo, commit_sha: target.sha, body });
      commentId = created.data.id;
      return 'created';
    },
    async deploymentStatus(state, description, environmentUrl) {
      if (deploymentId === undefined) {
        const created = await octokit.rest.repos.createDeployment({
          owner,
          repo,
          ref: target.ref,
          environment: target.environment,
          auto_merge: false,
          required_contexts: [],
          transient_environment: target.transient,
          production_environment: !target.transient,
          description: description.slice(0, 140),
        });
        if (!('id' in created.data))
          throw new Error(`GitHub did not create the deployment: ${JSON.stringify(created.data)}`);
        deploymentId = created.data.id;
      }
      await octokit.rest.repos.createDeploymentStatus({
        owner,
        repo,
        deployment_id: deploymentId,
        state,
        description: description.slice(0, 140),
        ...(environmentUrl && { environment_url: environmentUrl }),
        ...(target.runUrl && { log_url: target.runUrl }),
      });
    },
    async commitStatus(state, description, targetUrl) {
      await octokit.rest.repos.createCommitStatus({
        owner,
        repo,
        sha: target.sha,
        state,
        context: target.context,
        description: description.slice(0, 140),
        ...((targetUrl ?? target.runUrl) && { target_url: targetUrl ?? target.runUrl }),
      });
    },
  };
}
