// A GitHub REST API v3 fake for the action's reporting: issue comments, commit comments, deployments
// and their statuses, commit statuses, for one repository, behind a job token with GITHUB_TOKEN-style
// permissions. Served under /github-api so `GITHUB_API_URL=<emulator>/github-api` works like a GitHub
// Enterprise Server base URL. Shapes and errors follow docs.github.com/rest (cited per route in the
// resource files). This file is the server: it mounts each resource's routes, authenticates, checks the
// token's permissions, injects failures and counts the rate limit.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Faults } from '../faults';
import { createCommitCommentRoutes } from './commit-comments';
import { createCommitStatusRoutes, type CommitStatusView } from './commit-statuses';
import { createDeploymentRoutes, type DeploymentView } from './deployments';
import { GitHubError, RATE_LIMIT, commonHeaders, notFound, sendGitHub } from './github-wire';
import { createIssueCommentRoutes, type IssueCommentView } from './issue-comments';
import { createPullRoutes } from './pulls';
import { createReleaseRoutes, type ReleaseView } from './releases';
import {
  ACTIONS_BOT,
  DOCS,
  resolveCommitSha,
  type GitHubAccess,
  type GitHubMethod,
  type GitHubScope,
  type Route,
  type RouteContext,
} from './route';
import { createUserRoutes } from './users';

export type { GitHubAccess, GitHubMethod, GitHubScope } from './route';

export interface GitHubFakeOptions {
  /** The emulator's fault registry (GitHub methods are not in it; see `failNext` on the fake). */
  faults: Faults;
  /** The job's GITHUB_TOKEN: the only credential the fake accepts. */
  token: string;
  /** `owner/repo` the token belongs to, e.g. `acme/streams`; every other repository is 404. */
  repository: string;
  /** Clock for `created_at` / `updated_at`; default the wall clock. */
  now?: () => Date;
}

/** What an injected failure looks like: GitHub's primary or secondary rate limit, or a server error. */
export type GitHubFailureKind = 'rate-limit' | 'secondary-rate-limit' | 'server-error';

export interface GitHubFake {
  handle(req: IncomingMessage, res: ServerResponse): Promise<boolean>;
  /** Test helpers: the state as GitHub would show it. */
  comments(issueNumber: number): IssueCommentView[];
  commitComments(sha: string): Array<{ id: number; body: string; user: { login: string } }>;
  deployments(): DeploymentView[];
  commitStatuses(sha: string): CommitStatusView[];
  /** Permissions of the token, to test missing `pull-requests: write`, `deployments: write`, `statuses: write`. */
  setPermissions(p: Partial<Record<GitHubScope, GitHubAccess>>): void;
  /** Makes the next `count` calls of `method` fail; kind defaults from the status (429/403: rate limits). */
  failNext(method: GitHubMethod, count: number, status: number, kind?: GitHubFailureKind): void;
  /** Adds a comment by another user (a human, another bot), so marker lookups have something to skip. */
  seedComment(issueNumber: number, body: string, login: string): number;
  /**
   * The next call of `method` does its work at once and answers `ms` later: a client stopped meanwhile (a
   * cancelled step) never hears of what GitHub did.
   */
  answerLate(method: GitHubMethod, ms: number): void;
  /**
   * Accepts another token: a personal access token (`type: 'User'`, `GET /user` answers) or another GitHub
   * App's installation token (`type: 'Bot'`, login `slug[bot]`, `GET /user` refused). It writes as that identity.
   */
  addToken(token: string, identity: { login: string; type: 'User' | 'Bot' }): void;
  /** Opens pull request `n` with its head commit: `pulls.get` shows it and the statuses on its head show on it. */
  registerPullRequest(n: number, headSha: string): void;
  /** The commit statuses a pull request's page shows: those on its head commit. */
  pullRequestStatuses(n: number): Array<{ state: string; context: string; description?: string }>;
  requests: Array<{ method: string; path: string }>;
  /** Releases, oldest first (releases.ts). */
  releases(): ReleaseView[];
}

const PREFIX = '/github-api';
const REPOSITORY_ID = 700000001;

type Permissions = Record<GitHubScope, GitHubAccess>;
const ALL_WRITE: Permissions = {
  issues: 'write',
  pull_requests: 'write',
  deployments: 'write',
  statuses: 'write',
  contents: 'write',
};

/** Builds the fake; mount it with `handle` on the emulator's server. */
export function createGitHubFake(options: GitHubFakeOptions): GitHubFake {
  const now = options.now ?? (() => new Date());
  const [owner, repo] = options.repository.split('/');
  let permissions: Permissions = { ...ALL_WRITE };
  let nextId = 1_000_001;
  let remaining = RATE_LIMIT;
  const resetAt = Math.floor(now().getTime() / 1000) + 3600;
  const pending = new Map<GitHubMethod, Array<{ status: number; kind: GitHubFailureKind }>>();
  const requests: Array<{ method: string; path: string }> = [];
  const late = new Map<GitHubMethod, number>();

  const ctx: RouteContext = {
    repository: options.repository,
    now,
    nextId: () => nextId++,
    nodeId: (kind, id) => `${kind}_${Buffer.from(`${kind}${id}`).toString('base64url')}`,
    // A short SHA resolves among the commits the fake has seen: statuses, deployments, commit comments.
    commitSha: (ref, docs) =>
      resolveCommitSha(ref, [...statuses.shas(), ...deployments.shas(), ...commitComments.shas()], docs),
  };
  const users = createUserRoutes(ctx, options.token);
  const pulls = createPullRoutes(ctx);
  const issueComments = createIssueCommentRoutes(ctx);
  const commitComments = createCommitCommentRoutes(ctx);
  const deployments = createDeploymentRoutes(ctx);
  const statuses = createCommitStatusRoutes(ctx);
  const releaseFake = createReleaseRoutes({
    repository: options.repository,
    author: ACTIONS_BOT,
    now,
    nextId: ctx.nextId,
    nodeId: ctx.nodeId,
  });
  const routes: Route[] = [
    ...users.routes,
    ...pulls.routes,
    ...issueComments.routes,
    ...commitComments.routes,
    ...deployments.routes,
    ...statuses.routes,
    ...releaseFake.routes,
  ];

  const injected = (route: Route): GitHubError | undefined => {
    const queue = pending.get(route.method);
    const next = queue?.shift();
    if (queue && queue.length === 0) pending.delete(route.method);
    if (!next) return undefined;
    const reset = String(resetAt);
    if (next.kind === 'rate-limit')
      return new GitHubError(
        next.status,
        {
          message: 'API rate limit exceeded for installation ID 1.',
          documentation_url: `${DOCS}/overview/rate-limits-for-the-rest-api`,
          status: String(next.status),
        },
        { 'x-ratelimit-remaining': '0', 'x-ratelimit-used': String(RATE_LIMIT), 'x-ratelimit-reset': reset },
      );
    if (next.kind === 'secondary-rate-limit')
      return new GitHubError(
        next.status,
        {
          message:
            'You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID 0000:0000:0000000:0000000:00000000.',
          documentation_url: `${DOCS}/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits`,
          status: String(next.status),
        },
        { 'retry-after': '60', 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': reset },
      );
    return new GitHubError(next.status, { message: 'Server Error', status: String(next.status) });
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname !== PREFIX && !url.pathname.startsWith(PREFIX + '/')) return false;
    // GitHub's Link headers name repositories by id (/repositories/ID/...): accept that form too.
    const path = url.pathname
      .slice(PREFIX.length)
      .replace(new RegExp(`^/repositories/${REPOSITORY_ID}(?=/|$)`), `/repos/${owner}/${repo}`);
    const verb = req.method ?? 'GET';
    requests.push({ method: verb, path });
    const api = `http://${req.headers.host ?? 'localhost'}${PREFIX}`;
    try {
      const caller = users.authenticate(req.headers.authorization);
      remaining -= 1;
      const route = routes.find((r) => r.verb === verb && r.pattern.test(path));
      if (!route) throw notFound();
      const groups = route.pattern.exec(path)!.slice(1);
      const [o, r, ...params] = route.repoless ? [owner, repo, ...groups] : groups;
      if (o.toLowerCase() !== owner.toLowerCase() || r.toLowerCase() !== repo.toLowerCase())
        throw notFound(route.docs);
      const failure = injected(route);
      if (failure) throw failure;
      // The job token has its workflow's `permissions:`; another token (a PAT, an App's) may write.
      const scopes = caller.user === ACTIONS_BOT ? permissions : ALL_WRITE;
      const granted =
        route.needs.length === 0 ||
        route.needs.some(
          ([scope, level]) => scopes[scope] === 'write' || (level === 'read' && scopes[scope] === 'read'),
        );
      if (!granted)
        throw new GitHubError(
          403,
          { message: 'Resource not accessible by integration', documentation_url: route.docs, status: '403' },
          { 'x-accepted-github-permissions': route.needs.map(([s, l]) => `${s}=${l}`).join('; ') },
        );
      const self = route.repoless
        ? `http://${req.headers.host ?? 'localhost'}${PREFIX}${path}${url.search}`
        : `http://${req.headers.host ?? 'localhost'}${PREFIX}/repositories/${REPOSITORY_ID}${path.slice(`/repos/${o}/${r}`.length)}${url.search}`;
      const answer = await route.run({
        method: route.method,
        params,
        query: url.searchParams,
        req,
        self,
        api,
        caller,
      });
      const holdMs = late.get(route.method);
      if (holdMs !== undefined) {
        late.delete(route.method);
        // Held, unless the client goes away first (nothing then waits on the answer).
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, holdMs);
          res.once('close', () => {
            clearTimeout(timer);
            resolve();
          });
        });
        if (res.destroyed) return true;
      }
      sendGitHub(res, answer.status, answer.body, {
        ...commonHeaders(remaining, resetAt),
        ...answer.headers,
      });
    } catch (err) {
      if (!(err instanceof GitHubError)) throw err;
      req.resume();
      sendGitHub(res, err.httpStatus, err.body, { ...commonHeaders(remaining, resetAt), ...err.headers });
    }
    return true;
  }

  return {
    handle,
    requests,
    releases: releaseFake.releases,
    comments: issueComments.comments,
    commitComments: commitComments.commitComments,
    addToken: users.addToken,
    registerPullRequest: pulls.registerPullRequest,
    pullRequestStatuses(n) {
      const head = pulls.headOf(n);
      return head ? statuses.statusesOnHead(head) : [];
    },
    deployments: deployments.deployments,
    commitStatuses: statuses.commitStatuses,
    // Like a workflow's `permissions:` block: naming any scope sets every scope not named to none.
    setPermissions(p) {
      permissions = {
        issues: 'none',
        pull_requests: 'none',
        deployments: 'none',
        statuses: 'none',
        contents: 'none',
        ...p,
      };
    },
    failNext(method, count, status, kind) {
      const queue = pending.get(method) ?? [];
      const k: GitHubFailureKind =
        kind ??
        (status === 429 || status === 403
          ? status === 429
            ? 'secondary-rate-limit'
            : 'rate-limit'
          : 'server-error');
      for (let i = 0; i < count; i++) queue.push({ status, kind: k });
      pending.set(method, queue);
    },
    seedComment: issueComments.seedComment,
    answerLate(method, ms) {
      late.set(method, ms);
    },
  };
}
