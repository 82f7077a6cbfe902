// What the run knows about where it runs, from the runner's GITHUB_* environment and event file.
import { readFileSync } from 'node:fs';
import type { RunContext } from '../core/config';

/**
 * Reads the GitHub context; the pull request number and head commit come from the event payload
 * (`pull_request` and `pull_request_target` carry `pull_request.head.sha`; docs/platform.md
 * "Pull request head SHA").
 */
export function readRunContext(env: NodeJS.ProcessEnv): RunContext {
  let pullRequest: number | undefined;
  let headSha: string | undefined;
  const eventPath = env.GITHUB_EVENT_PATH;
  if (eventPath) {
    try {
      const event = JSON.parse(readFileSync(eventPath, 'utf8')) as {
        pull_request?: { number?: number; head?: { sha?: unknown } };
      };
      pullRequest = event.pull_request?.number ?? undefined;
      const head = event.pull_request?.head?.sha;
      headSha =
        typeof head === 'string' && /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/i.test(head)
          ? head.toLowerCase()
          : undefined;
    } catch {
      pullRequest = undefined;
    }
  }
  return {
    repository: env.GITHUB_REPOSITORY ?? '',
    sha: env.GITHUB_SHA ?? '',
    eventName: env.GITHUB_EVENT_NAME ?? '',
    pullRequest,
    ...(headSha && { headSha }),
    runId: env.GITHUB_RUN_ID ?? '0',
    runAttempt: env.GITHUB_RUN_ATTEMPT ?? '1',
    actor: env.GITHUB_ACTOR ?? '',
  };
}

/**
 * The pull request's head and base repositories (`owner/repo`) from the event payload, to tell a fork's
 * pull request (docs/platform.md "Fork pull requests get no OIDC token"); `head` is null when the fork is
 * gone. Undefined when the event carries no pull request.
 */
export function readPullRequestRepos(
  env: NodeJS.ProcessEnv,
): { head: string | null; base: string } | undefined {
  if (!env.GITHUB_EVENT_PATH) return undefined;
  try {
    const event = JSON.parse(readFileSync(env.GITHUB_EVENT_PATH, 'utf8')) as {
      pull_request?: {
        head?: { repo?: { full_name?: string } | null };
        base?: { repo?: { full_name?: string } };
      };
    };
    const base = event.pull_request?.base?.repo?.full_name;
    if (typeof base !== 'string') return undefined;
    const head = event.pull_request?.head?.repo?.full_name;
    return { head: typeof head === 'string' ? head : null, base };
  } catch {
    return undefined;
  }
}
