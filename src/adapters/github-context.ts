// What the run knows about where it runs, from the runner's GITHUB_* environment and event file.
import { readFileSync } from 'node:fs';
import type { RunContext } from '../core/config';

/** Reads the GitHub context; the pull request number comes from the event payload. */
export function readRunContext(env: NodeJS.ProcessEnv): RunContext {
  let pullRequest: number | undefined;
  const eventPath = env.GITHUB_EVENT_PATH;
  if (eventPath) {
    try {
      const event = JSON.parse(readFileSync(eventPath, 'utf8')) as {
        pull_request?: { number?: number };
        number?: number;
      };
      pullRequest = event.pull_request?.number ?? undefined;
    } catch {
      pullRequest = undefined;
    }
  }
  return {
    repository: env.GITHUB_REPOSITORY ?? '',
    sha: env.GITHUB_SHA ?? '',
    eventName: env.GITHUB_EVENT_NAME ?? '',
    pullRequest,
    runId: env.GITHUB_RUN_ID ?? '0',
    runAttempt: env.GITHUB_RUN_ATTEMPT ?? '1',
    actor: env.GITHUB_ACTOR ?? '',
  };
}
