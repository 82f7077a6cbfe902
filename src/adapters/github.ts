// GitHub behind a small port: the sticky comment (on the pull request, or on the commit when asked), a
// deployment with its statuses, and a commit status, over @actions/github's Octokit. GitHub Enterprise
// Server works through GITHUB_API_URL. Reporting failures are the caller's to turn into warnings: they
// never fail a release.
import { getOctokit } from '@actions/github';

export type DeploymentState = 'in_progress' | 'success' | 'failure' | 'inactive' | 'error';
export type CommitState = 'pending' | 'success' | 'failure' | 'error';

export interface GitHubPort {
  /**
   * Creates or edits the one comment that carries `marker` and was written by this token's own identity:
   * on the pull request, or on the commit when there is none. Another author's comment is never edited.
   */
  upsertComment(marker: string, body: string): Promise<'created' | 'updated'>;
  /** Creates the deployment on first use, then adds a status to it. */
  deploymentStatus(state: DeploymentState, description: string, environmentUrl?: string): Promise<void>;
  commitStatus(state: CommitState, description: string, targetUrl?: string): Promise<void>;
  /** The deployment statuses go to, once created (or as given): the post step adds its status to the same one. */
  deploymentId?(): number | undefined;
}

/** What every deployment the action creates carries, so the cleanup mode can find a pull request's previews. */
export interface DeploymentPayload {
  stream_deploy: {
    project: string;
    service: string;
    region: string;
    tag: string;
    pull_request: number | null;
    /** The workflow run and attempt that created it: how the post step finds the deployment main created. */
    run_id?: string;
    run_attempt?: string;
  };
}

export interface GitHubTarget {
  token: string;
  /** GITHUB_API_URL; https://api.github.com when unset. */
  apiUrl?: string;
  /** `owner/repo`. */
  repository: string;
  /**
   * The commit the statuses, the deployment and a commit comment go to: the pull request's head on
   * `pull_request` events, where GITHUB_SHA is a merge commit (docs/platform.md "Pull request head SHA").
   */
  sha: string;
  /** The pull request number, when the event is one: the comment goes on it. */
  pullRequest?: number;
  environment: string;
  /** Previews are transient environments. */
  transient: boolean;
  /** The commit status context branch protection can require. */
  context: string;
  payload: DeploymentPayload;
  /** A link to the workflow run for statuses. */
  runUrl?: string;
  /** Debug lines (never the token). */
  debug?: (line: string) => void;
  /** A deployment an earlier step created: statuses go to it, no new one is created. */
  deploymentId?: number;
  /**
   * The post step: with no `deploymentId`, look for the deployment this run already created (same commit,
   * environment and payload, run and attempt included) before creating one. Main can be cancelled between
   * GitHub creating its deployment and main keeping the id (docs/platform.md "List deployments by environment").
   */
  findOwnDeployment?: boolean;
}

/**
 * The login GitHub shows as the author of comments a GITHUB_TOKEN writes. Used only when neither GraphQL
 * `viewer` nor `GET /user` could say who the token is (docs/platform.md "Token identity").
 */
export const ACTIONS_BOT_LOGIN = 'github-actions[bot]';

interface Authored {
  id: number;
  body?: string | null;
  user?: { login?: string } | null;
}

/** The first comment that carries the marker and was written by `login`; another author's never counts. */
export function ownComment(comments: readonly Authored[], marker: string, login: string): number | undefined {
  return comments.find((c) => c.user?.login === login && (c.body ?? '').includes(marker))?.id;
}

/** Builds the port over Octokit. */
export function createGitHub(target: GitHubTarget): GitHubPort {
  const octokit = getOctokit(target.token, target.apiUrl ? { baseUrl: target.apiUrl } : {});
  const [owner, repo] = target.repository.split('/');
  const debug = target.debug ?? (() => undefined);
  let commentId: number | undefined;
  let deploymentId: number | undefined = target.deploymentId;
  let login: Promise<string | undefined> | undefined;

  // Who this token is, asked once and only when a comment with the marker exists. GraphQL `viewer`
  // answers for a PAT and for installation tokens (GITHUB_TOKEN, a GitHub App's), where `GET /user` is
  // refused; `GET /user` is the fallback, and a refusal there means an installation token, which for the
  // default `github_token` is github-actions[bot] (docs/platform.md "Token identity").
  async function whoAmI(): Promise<string | undefined> {
    try {
      const answer = await octokit.graphql<{ viewer: { login: string } }>('query { viewer { login } }');
      if (answer.viewer?.login) return answer.viewer.login;
    } catch (err) {
      debug(`GraphQL viewer: ${(err as Error).message}`);
    }
    try {
      return (await octokit.rest.users.getAuthenticated()).data.login;
    } catch (err) {
      if ((err as { status?: number }).status === 403) return ACTIONS_BOT_LOGIN;
      debug(`GET /user: ${(err as Error).message}`);
      return undefined;
    }
  }

  async function findComment(marker: string): Promise<number | undefined> {
    const comments: Authored[] =
      target.pullRequest !== undefined
        ? await octokit.paginate(octokit.rest.issues.listComments, {
            owner,
            repo,
            issue_number: target.pullRequest,
            per_page: 100,
          })
        : await octokit.paginate(octokit.rest.repos.listCommentsForCommit, {
            owner,
            repo,
            commit_sha: target.sha,
            per_page: 100,
          });
    if (!comments.some((c) => (c.body ?? '').includes(marker))) return undefined;
    const me = await (login ??= whoAmI());
    // Without an identity no existing comment is safe to edit: a new one is written instead.
    if (me === undefined) return undefined;
    return ownComment(comments, marker, me);
  }

  // The deployment this run created, when main could not hand its id over: the newest on this commit and
  // environment whose payload is ours, run and attempt included. Without a run id nothing is ours for sure.
  async function findOwnDeployment(): Promise<number | undefined> {
    const ours = target.payload.stream_deploy as unknown as Record<string, unknown>;
    if (!ours.run_id) return undefined;
    const { data } = await octokit.rest.repos.listDeployments({
      owner,
      repo,
      sha: target.sha,
      environment: target.environment,
      per_page: 100,
    });
    const found = data.find((d) => {
      const theirs =
        typeof d.payload === 'object' ? (d.payload as { stream_deploy?: unknown }).stream_deploy : undefined;
      return (
        typeof theirs === 'object' &&
        theirs !== null &&
        Object.entries(ours).every(([k, v]) => (theirs as Record<string, unknown>)[k] === v)
      );
    });
    if (found) debug(`Deployment ${found.id}: created by this run before the post step, reused.`);
    return found?.id;
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
      if (deploymentId === undefined && target.findOwnDeployment) {
        // A lookup that fails must not cost the final status: a second deployment is the lesser harm.
        deploymentId = await findOwnDeployment().catch((err: Error) => {
          debug(`Looking for this run's deployment failed (${err.message}): creating one.`);
          return undefined;
        });
      }
      if (deploymentId === undefined) {
        const created = await octokit.rest.repos.createDeployment({
          owner,
          repo,
          ref: target.sha,
          environment: target.environment,
          auto_merge: false,
          required_contexts: [],
          transient_environment: target.transient,
          production_environment: !target.transient,
          description: description.slice(0, 140),
          payload: target.payload as unknown as Record<string, unknown>,
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
    deploymentId: () => deploymentId,
  };
}
