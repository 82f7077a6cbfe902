// Pull requests for the GitHub REST fake: only what the fake knows of one, its head commit, through
// GET /repos/{o}/{r}/pulls/{n} (docs.github.com/rest/pulls/pulls#get-a-pull-request).
import { formatTime, notFound } from './github-wire';
import { DOCS, R, htmlBase, repoUrl, type Route, type RouteContext } from './route';

/** The pull request route and the pull requests a test opened, for `createGitHubFake` to mount. */
export function createPullRoutes(ctx: RouteContext): {
  routes: Route[];
  registerPullRequest(n: number, headSha: string): void;
  /** The head SHA of pull request `n`, or undefined when none was opened. */
  headOf(n: number): string | undefined;
} {
  const pullRequests = new Map<number, { headSha: string; created: Date }>();

  const routes: Route[] = [
    // docs.github.com/rest/pulls/pulls#get-a-pull-request: what the fake knows of a pull request, its head.
    {
      verb: 'GET',
      pattern: new RegExp(`${R}/pulls/(\\d+)$`),
      method: 'pulls.get',
      needs: [['pull_requests', 'read']],
      docs: `${DOCS}/pulls/pulls#get-a-pull-request`,
      run: (call) => {
        const n = Number(call.params[0]);
        const pr = pullRequests.get(n);
        if (!pr) throw notFound(`${DOCS}/pulls/pulls#get-a-pull-request`);
        return {
          status: 200,
          body: {
            url: `${repoUrl(ctx, call.api)}/pulls/${n}`,
            html_url: `${htmlBase(ctx)}/pull/${n}`,
            number: n,
            state: 'open',
            created_at: formatTime(pr.created),
            head: { ref: `pr-${n}`, sha: pr.headSha },
            base: { ref: 'main' },
          },
        };
      },
    },
  ];

  return {
    routes,
    registerPullRequest(n, headSha) {
      pullRequests.set(n, { headSha: headSha.toLowerCase(), created: ctx.now() });
    },
    headOf: (n) => pullRequests.get(n)?.headSha,
  };
}
