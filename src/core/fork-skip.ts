// Whether a run that cannot sign in is one GitHub never gives an OIDC token (a fork's pull request, a
// Dependabot run), so the action skips with a notice instead of failing. Pure: the facts come in.

/** What the run knows about itself that decides the skip. */
export interface TokenlessRunFacts {
  /** Workload Identity Federation is configured: the run needs GitHub's OIDC token. */
  usesWorkloadIdentity: boolean;
  /** ACTIONS_ID_TOKEN_REQUEST_URL is set. */
  hasOidcRequest: boolean;
  /** GITHUB_ACTOR. */
  actor: string;
  /** The pull request's head and base repositories, when the event carries one (`head` null: fork deleted). */
  pullRequestRepos?: { head: string | null; base: string };
}

/**
 * The notice to skip with, or undefined to go on: only when the run needs an OIDC token, has none, and is
 * a fork's pull request or a Dependabot run (docs/platform.md "Fork pull requests get no OIDC token",
 * "Dependabot runs are treated like forks"). Any other run without a token goes on and fails, naming
 * `permissions: id-token: write` (src/adapters/workload-identity.ts).
 */
export function tokenlessSkip(facts: TokenlessRunFacts): string | undefined {
  if (!facts.usesWorkloadIdentity || facts.hasOidcRequest) return undefined;
  const repos = facts.pullRequestRepos;
  const fromFork = repos !== undefined && repos.head?.toLowerCase() !== repos.base.toLowerCase();
  const dependabot = facts.actor === 'dependabot[bot]';
  if (!fromFork && !dependabot) return undefined;
  const who = dependabot
    ? 'Dependabot runs are treated like pull requests from forks'
    : `this pull request comes from a fork (${repos!.head ?? 'a deleted repository'})`;
  return `Skipped: ${who}, and GitHub gives such runs no OIDC token, so Workload Identity Federation cannot sign in to Google Cloud. Nothing was deployed or changed. To preview such changes, push them to a branch of this repository.`;
}
