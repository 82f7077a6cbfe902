// A closed pull request's GitHub deployments behind a small port: list an environment's deployments, mark
// one inactive, delete it (docs/platform.md "Deleting a deployment needs it inactive"). Over @actions/github's
// Octokit; GitHub Enterprise Server works through GITHUB_API_URL. The environment itself stays: a
// GITHUB_TOKEN cannot delete one (docs/platform.md "A GITHUB_TOKEN cannot delete an environment").
import { getOctokit } from '@actions/github';
import type { DeploymentRecord } from '../core/cleanup-plan';

export interface DeploymentsPort {
  /** Every deployment in `environment`, newest first, with its payload. */
  list(environment: string): Promise<DeploymentRecord[]>;
  /** Adds an `inactive` status, which is what lets GitHub delete the deployment. */
  deactivate(id: number, description: string): Promise<void>;
  /** Deletes the deployment; `gone` when it no longer exists (an earlier cleanup got there first). */
  remove(id: number): Promise<'deleted' | 'gone'>;
}

export interface DeploymentsTarget {
  token: string;
  /** GITHUB_API_URL; https://api.github.com when unset. */
  apiUrl?: string;
  /** `owner/repo`. */
  repository: string;
}

/** Builds the port over Octokit. */
export function createGitHubDeployments(target: DeploymentsTarget): DeploymentsPort {
  const octokit = getOctokit(target.token, target.apiUrl ? { baseUrl: target.apiUrl } : {});
  const [owner, repo] = target.repository.split('/');
  return {
    async list(environment) {
      const found = await octokit.paginate(octokit.rest.repos.listDeployments, {
        owner,
        repo,
        environment,
        per_page: 100,
      });
      return found.map((d) => ({ id: d.id, environment: d.environment, payload: d.payload }));
    },
    async deactivate(id, description) {
      await octokit.rest.repos.createDeploymentStatus({
        owner,
        repo,
        deployment_id: id,
        state: 'inactive',
        description: description.slice(0, 140),
      });
    },
    async remove(id) {
      try {
        await octokit.rest.repos.deleteDeployment({ owner, repo, deployment_id: id });
        return 'deleted';
      } catch (err) {
        if ((err as { status?: number }).status === 404) return 'gone';
        throw err;
      }
    },
  };
}
