// A GitHub REST API v3 fake for the action's reporting: issue comments, commit comments, deployments
// and their statuses, commit statuses, for one repository, behind a job token with GITHUB_TOKEN-style
// permissions. Served under /github-api so `GITHUB_API_URL=<emulator>/github-api` works like a GitHub
// Enterprise Server base URL. Shapes and errors follow docs.github.com/rest (cited per route below).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Faults } from '../faults';
import {
  GitHubError,
  RATE_LIMIT,
  commonHeaders,
  formatTime,
  invalidRequest,
  notFound,
  paginate,
  readBody,
  sendGitHub,
  validationFailed,
} from './github-wire';
import { createReleaseRoutes, type ReleaseView } from './releases';

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

/** A GITHUB_TOKEN permission scope as a workflow's `permissions:` block names it (with `_` for `-`). */
export type GitHubScope = 'issues' | 'pull_requests' | 'deployments' | 'statuses' | 'contents';
export type GitHubAccess = 'read' | 'write' | 'none';

/** A REST method as Octokit names it, e.g. `issues.createComment`, `repos.createDeploymentStatus`. */
export type GitHubMethod =
  | 'issues.listComments'
  | 'issues.getComment'
  | 'issues.createComment'
  | 'issues.updateComment'
  | 'issues.deleteComment'
  | 'repos.listCommentsForCommit'
  | 'repos.createCommitComment'
  | 'repos.updateCommitComment'
  | 'repos.listDeployments'
  | 'repos.getDeployment'
  | 'repos.createDeployment'
  | 'repos.deleteDeployment'
  | 'users.getAuthenticated'
  | 'graphql'
  | 'pulls.get'
  | 'repos.listDeploymentStatuses'
  | 'repos.createDeploymentStatus'
  | 'repos.listCommitStatusesForRef'
  | 'repos.getCombinedStatusForRef'
  | 'repos.createCommitStatus'
  | 'repos.listReleases'
  | 'repos.getLatestRelease'
  | 'repos.getReleaseByTag'
  | 'repos.createRelease';

/** What an injected failure looks like: GitHub's primary or secondary rate limit, or a server error. */
export type GitHubFailureKind = 'rate-limit' | 'secondary-rate-limit' | 'server-error';

export interface GitHubFake {
  handle(req: IncomingMessage, res: ServerResponse): Promise<boolean>;
  /** Test helpers: the state as GitHub would show it. */
  comments(
    issueNumber: number,
  ): Array<{ id: number; body: string; user: { login: string }; created_at: string; updated_at: string }>;
  commitComments(sha: string): Array<{ id: number; body: string; user: { login: string } }>;
  deployments(): Array<{
    id: number;
    ref: string;
    sha: string;
    environment: string;
    payload: unknown;
    statuses: Array<{ state: string; environment_url?: string; log_url?: string; description?: string }>;
  }>;
  commitStatuses(
    sha: string,
  ): Array<{ state: string; context: string; description?: string; target_url?: string }>;
  /** Permissions of the token, to test missing `pull-requests: write`, `deployments: write`, `statuses: write`. */
  setPermissions(p: Partial<Record<GitHubScope, GitHubAccess>>): void;
  /** Makes the next `count` calls of `method` fail; kind defaults from the status (429/403: rate limits). */
  failNext(method: GitHubMethod, count: number, status: number, kind?: GitHubFailureKind): void;
  /** Adds a comment by another user (a human, another bot), so marker lookups have something to skip. */
  seedComment(issueNumber: number, body: string, login: string): number;
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
/** A GitHub account as REST objects show it (`user`, `creator`, `author`). */
type GitHubUser = {
  login: string;
  id: number;
  node_id: string;
  type: string;
  site_admin: boolean;
};
/** The identity a GITHUB_TOKEN acts as. */
const ACTIONS_BOT: GitHubUser = {
  login: 'github-actions[bot]',
  id: 41898282,
  node_id: 'MDM6Qm90NDE4OTgyODI=',
  type: 'Bot',
  site_admin: false,
};
/** Who a token acts as; an installation token (GITHUB_TOKEN, a GitHub App's) cannot use `GET /user`. */
interface Caller {
  user: GitHubUser;
  installation: boolean;
}
const REPOSITORY_ID = 700000001;
const DOCS = 'https://docs.github.com/rest';
const DEPLOYMENT_STATES = ['error', 'failure', 'inactive', 'in_progress', 'queued', 'pending', 'success'];
const COMMIT_STATES = ['error', 'failure', 'pending', 'success'];
/** GitHub's body limit for issue and commit comments. */
const MAX_COMMENT = 65536;
/** Description limit of deployment statuses and commit statuses (422 beyond). */
const MAX_DESCRIPTION = 140;
/** Statuses GitHub keeps per SHA and context. */
const MAX_STATUSES_PER_CONTEXT = 1000;

interface Comment {
  id: number;
  issue: number;
  body: string;
  user: GitHubUser;
  created: Date;
  updated: Date;
}
interface CommitComment {
  id: number;
  sha: string;
  body: string;
  user: GitHubUser;
  path: string | null;
  position: number | null;
  line: number | null;
  created: Date;
  updated: Date;
}
interface DeploymentStatus {
  id: number;
  state: string;
  description: string;
  environment: string;
  environment_url: string;
  log_url: string;
  created: Date;
}
interface Deployment {
  id: number;
  ref: string;
  sha: string;
  task: string;
  payload: unknown;
  environment: string;
  original_environment: string;
  description: string | null;
  transient_environment: boolean;
  production_environment: boolean;
  created: Date;
  updated: Date;
  statuses: DeploymentStatus[];
}
interface CommitStatus {
  id: number;
  sha: string;
  state: string;
  description: string | null;
  target_url: string | null;
  context: string;
  created: Date;
}

type Permissions = Record<GitHubScope, GitHubAccess>;
const ALL_WRITE: Permissions = {
  issues: 'write',
  pull_requests: 'write',
  deployments: 'write',
  statuses: 'write',
  contents: 'write',
};

export interface Call {
  method: GitHubMethod;
  params: string[];
  query: URLSearchParams;
  req: IncomingMessage;
  /** This request's own URL, absolute, for Link headers. */
  self: string;
  /** API base as the client reached it, e.g. http://127.0.0.1:PORT/github-api. */
  api: string;
  /** Who the request's token acts as. */
  caller: Caller;
}
export interface Answer {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}
export interface Route {
  verb: string;
  pattern: RegExp;
  method: GitHubMethod;
  /** Any one of these grants the call (docs: "Fine-grained access tokens" per endpoint); none: any token. */
  needs: Array<[GitHubScope, 'read' | 'write']>;
  docs: string;
  /** Not under /repos/OWNER/REPO (`/user`, `/graphql`): the pattern's groups are the params. */
  repoless?: boolean;
  run(call: Call): Promise<Answer> | Answer;
}

/** Builds the fake; mount it with `handle` on the emulator's server. */
export function createGitHubFake(options: GitHubFakeOptions): GitHubFake {
  const now = options.now ?? (() => new Date());
  const [owner, repo] = options.repository.split('/');
  let permissions: Permissions = { ...ALL_WRITE };
  let nextId = 1_000_001;
  let remaining = RATE_LIMIT;
  const resetAt = Math.floor(now().getTime() / 1000) + 3600;
  const comments: Comment[] = [];
  const commitComments: CommitComment[] = [];
  const deployments: Deployment[] = [];
  const statuses: CommitStatus[] = [];
  const pending = new Map<GitHubMethod, Array<{ status: number; kind: GitHubFailureKind }>>();
  const requests: Array<{ method: string; path: string }> = [];
  const tokens = new Map<string, Caller>([[options.token, { user: ACTIONS_BOT, installation: true }]]);
  const pullRequests = new Map<number, { headSha: string; created: Date }>();
  const htmlBase = `https://github.com/${options.repository}`;

  const nodeId = (kind: string, id: number) => `${kind}_${Buffer.from(`${kind}${id}`).toString('base64url')}`;
  const repoUrl = (api: string) => `${api}/repos/${options.repository}`;

  // ---- renderers: the documented response objects ----
  const renderComment = (c: Comment, api: string) => ({
    url: `${repoUrl(api)}/issues/comments/${c.id}`,
    html_url: `${htmlBase}/issues/${c.issue}#issuecomment-${c.id}`,
    issue_url: `${repoUrl(api)}/issues/${c.issue}`,
    id: c.id,
    node_id: nodeId('IC', c.id),
    user: c.user,
    created_at: formatTime(c.created),
    updated_at: formatTime(c.updated),
    author_association: c.user.type === 'Bot' ? 'NONE' : 'MEMBER',
    body: c.body,
    performed_via_github_app: null,
  });
  const renderCommitComment = (c: CommitComment, api: string) => ({
    url: `${repoUrl(api)}/comments/${c.id}`,
    html_url: `${htmlBase}/commit/${c.sha}#commitcomment-${c.id}`,
    id: c.id,
    node_id: nodeId('CC', c.id),
    body: c.body,
    path: c.path,
    position: c.position,
    line: c.line,
    commit_id: c.sha,
    user: c.user,
    created_at: formatTime(c.created),
    updated_at: formatTime(c.updated),
    author_association: 'NONE',
  });
  const renderDeployment = (d: Deployment, api: string) => ({
    url: `${repoUrl(api)}/deployments/${d.id}`,
    id: d.id,
    node_id: nodeId('DE', d.id),
    sha: d.sha,
    ref: d.ref,
    task: d.task,
    payload: d.payload,
    original_environment: d.original_environment,
    environment: d.environment,
    description: d.description,
    creator: ACTIONS_BOT,
    created_at: formatTime(d.created),
    updated_at: formatTime(d.updated),
    statuses_url: `${repoUrl(api)}/deployments/${d.id}/statuses`,
    repository_url: repoUrl(api),
    transient_environment: d.transient_environment,
    production_environment: d.production_environment,
    performed_via_github_app: null,
  });
  const renderDeploymentStatus = (d: Deployment, s: DeploymentStatus, api: string) => ({
    url: `${repoUrl(api)}/deployments/${d.id}/statuses/${s.id}`,
    id: s.id,
    node_id: nodeId('DES', s.id),
    state: s.state,
    creator: ACTIONS_BOT,
    description: s.description,
    environment: s.environment,
    target_url: s.log_url,
    created_at: formatTime(s.created),
    updated_at: formatTime(s.created),
    deployment_url: `${repoUrl(api)}/deployments/${d.id}`,
    repository_url: repoUrl(api),
    environment_url: s.environment_url,
    log_url: s.log_url,
    performed_via_github_app: null,
  });
  const renderStatus = (s: CommitStatus, api: string) => ({
    url: `${repoUrl(api)}/statuses/${s.sha}`,
    avatar_url: 'https://avatars.githubusercontent.com/in/15368?v=4',
    id: s.id,
    node_id: nodeId('SC', s.id),
    state: s.state,
    description: s.description,
    target_url: s.target_url,
    context: s.context,
    created_at: formatTime(s.created),
    updated_at: formatTime(s.created),
    creator: ACTIONS_BOT,
  });

  // ---- parameter checks (the request schema runs before the models) ----
  const need = (body: Record<string, unknown>, field: string, docs: string): unknown => {
    if (body[field] === undefined || body[field] === null)
      throw invalidRequest(docs, `"${field}" wasn't supplied.`);
    return body[field];
  };
  const str = (body: Record<string, unknown>, field: string, docs: string): string | undefined => {
    const v = body[field];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'string')
      throw invalidRequest(docs, `For 'properties/${field}', ${JSON.stringify(v)} is not a string.`);
    return v;
  };
  const bool = (body: Record<string, unknown>, field: string, docs: string): boolean | undefined => {
    const v = body[field];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'boolean')
      throw invalidRequest(docs, `For 'properties/${field}', ${JSON.stringify(v)} is not a boolean.`);
    return v;
  };
  const oneOf = (value: string, allowed: string[], field: string, docs: string) => {
    if (!allowed.includes(value))
      throw invalidRequest(
        docs,
        `For 'properties/${field}', ${JSON.stringify(value)} is not a member of ${JSON.stringify(allowed)}.`,
      );
  };
  const commentBody = (body: Record<string, unknown>, resource: string, docs: string): string => {
    need(body, 'body', docs);
    const text = str(body, 'body', docs)!;
    if (text.length > MAX_COMMENT)
      throw validationFailed(docs, {
        resource,
        code: 'unprocessable',
        field: 'data',
        message: `Body is too long (maximum is ${MAX_COMMENT} characters)`,
      });
    return text;
  };
  // No git here: a full or abbreviated hex SHA names a commit; anything else is GitHub's "No commit found".
  const commitSha = (ref: string, docs: string): string => {
    if (/^[0-9a-f]{40}$/i.test(ref)) return ref.toLowerCase();
    const known = [
      ...statuses.map((s) => s.sha),
      ...deployments.map((d) => d.sha),
      ...commitComments.map((c) => c.sha),
    ];
    const hit = /^[0-9a-f]{7,39}$/i.test(ref)
      ? known.find((s) => s.startsWith(ref.toLowerCase()))
      : undefined;
    if (hit) return hit;
    throw new GitHubError(422, {
      message: `No commit found for SHA: ${ref}`,
      documentation_url: docs,
      status: '422',
    });
  };
  // A deployment's ref may be a branch, tag or SHA; branches resolve to a stable made-up SHA.
  const resolveRef = (ref: string): string => {
    if (/^[0-9a-f]{40}$/i.test(ref)) return ref.toLowerCase();
    const earlier = deployments.find((d) => d.ref === ref);
    return earlier?.sha ?? createHash('sha1').update(`ref:${ref}`).digest('hex');
  };
  const issueNumber = (raw: string) => Number(raw);
  const findComment = (id: string, docs: string) => {
    const c = comments.find((x) => x.id === Number(id));
    if (!c) throw notFound(docs);
    return c;
  };
  const findDeployment = (id: string, docs: string) => {
    const d = deployments.find((x) => x.id === Number(id));
    if (!d) throw notFound(docs);
    return d;
  };
  const listed = <T>(items: T[], call: Call, render: (t: T) => unknown): Answer => {
    const { page, link } = paginate(items, call.query, call.self);
    return { status: 200, body: page.map(render), headers: link ? { link } : {} };
  };
  const created = (body: { url: string }): Answer => ({ status: 201, body, headers: { location: body.url } });

  const R = '^/repos/([^/]+)/([^/]+)';
  const routes: Route[] = [
    // docs.github.com/rest/users/users#get-the-authenticated-user: an installation token (GITHUB_TOKEN, a
    // GitHub App's) is refused, 403 "Resource not accessible by integration"; a user's token gets its user.
    {
      verb: 'GET',
      pattern: /^\/user$/,
      method: 'users.getAuthenticated',
      needs: [],
      repoless: true,
      docs: `${DOCS}/users/users#get-the-authenticated-user`,
      run: (call) => {
        if (call.caller.installation)
          throw new GitHubError(403, {
            message: 'Resource not accessible by integration',
            documentation_url: `${DOCS}/users/users#get-the-authenticated-user`,
            status: '403',
          });
        const u = call.caller.user;
        return { status: 200, body: { ...u, html_url: `https://github.com/${u.login}` } };
      },
    },
    // docs.github.com/graphql: only `viewer { login }`, which answers every kind of token; a bot's login
    // carries `[bot]` as in REST (docs/platform.md "Token identity").
    {
      verb: 'POST',
      pattern: /^\/graphql$/,
      method: 'graphql',
      needs: [],
      repoless: true,
      docs: 'https://docs.github.com/graphql',
      run: async (call) => {
        const input = await readBody(call.req);
        const query = typeof input.query === 'string' ? input.query : '';
        if (/\bviewer\s*\{\s*login\s*\}/.test(query))
          return { status: 200, body: { data: { viewer: { login: call.caller.user.login } } } };
        return {
          status: 200,
          body: { errors: [{ message: 'The emulator answers only `query { viewer { login } }`.' }] },
        };
      },
    },
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
            url: `${repoUrl(call.api)}/pulls/${n}`,
            html_url: `${htmlBase}/pull/${n}`,
            number: n,
            state: 'open',
            created_at: formatTime(pr.created),
            head: { ref: `pr-${n}`, sha: pr.headSha },
            base: { ref: 'main' },
          },
        };
      },
    },
    // docs.github.com/rest/issues/comments
    {
      verb: 'GET',
      pattern: new RegExp(`${R}/issues/(\\d+)/comments$`),
      method: 'issues.listComments',
      needs: [
        ['issues', 'read'],
        ['pull_requests', 'read'],
      ],
      docs: `${DOCS}/issues/comments#list-issue-comments`,
      run: (call) => {
        const n = issueNumber(call.params[0]);
        const since = call.query.get('since');
        const items = comments.filter((c) => c.issue === n && (!since || c.updated >= new Date(since)));
        return listed(items, call, (c) => renderComment(c, call.api));
      },
    },
    {
      verb: 'POST',
      pattern: new RegExp(`${R}/issues/(\\d+)/comments$`),
      method: 'issues.createComment',
      needs: [
        ['issues', 'write'],
        ['pull_requests', 'write'],
      ],
      docs: `${DOCS}/issues/comments#create-an-issue-comment`,
      run: async (call) => {
        const body = commentBody(
          await readBody(call.req),
          'IssueComment',
          `${DOCS}/issues/comments#create-an-issue-comment`,
        );
        const t = now();
        const c: Comment = {
          id: nextId++,
          issue: issueNumber(call.params[0]),
          body,
          user: call.caller.user,
          created: t,
          updated: t,
        };
        comments.push(c);
        return created(renderComment(c, call.api));
      },
    },
    {
      verb: 'GET',
      pattern: new RegExp(`${R}/issues/comments/(\\d+)$`),
      method: 'issues.getComment',
      needs: [
        ['issues', 'read'],
        ['pull_requests', 'read'],
      ],
      docs: `${DOCS}/issues/comments#get-an-issue-comment`,
      run: (call) => ({
        status: 200,
        body: renderComment(
          findComment(call.params[0], `${DOCS}/issues/comments#get-an-issue-comment`),
          call.api,
        ),
      }),
    },
    {
      verb: 'PATCH',
      pattern: new RegExp(`${R}/issues/comments/(\\d+)$`),
      method: 'issues.updateComment',
      needs: [
        ['issues', 'write'],
        ['pull_requests', 'write'],
      ],
      docs: `${DOCS}/issues/comments#update-an-issue-comment`,
      run: async (call) => {
        const docs = `${DOCS}/issues/comments#update-an-issue-comment`;
        const c = findComment(call.params[0], docs);
        c.body = commentBody(await readBody(call.req), 'IssueComment', docs);
        c.updated = now();
        return { status: 200, body: renderComment(c, call.api) };
      },
    },
    {
      verb: 'DELETE',
      pattern: new RegExp(`${R}/issues/comments/(\\d+)$`),
      method: 'issues.deleteComment',
      needs: [
        ['issues', 'write'],
        ['pull_requests', 'write'],
      ],
      docs: `${DOCS}/issues/comments#delete-an-issue-comment`,
      run: (call) => {
        const c = findComment(call.params[0], `${DOCS}/issues/comments#delete-an-issue-comment`);
        comments.splice(comments.indexOf(c), 1);
        return { status: 204, body: undefined };
      },
    },
    // docs.github.com/rest/commits/comments
    {
      verb: 'GET',
      pattern: new RegExp(`${R}/commits/([^/]+)/comments$`),
      method: 'repos.listCommentsForCommit',
      needs: [['contents', 'read']],
      docs: `${DOCS}/commits/comments#list-commit-comments`,
      run: (call) => {
        const sha = commitSha(call.params[0], `${DOCS}/commits/comments#list-commit-comments`);
        return listed(
          commitComments.filter((c) => c.sha === sha),
          call,
          (c) => renderCommitComment(c, call.api),
        );
      },
    },
    {
      verb: 'POST',
      pattern: new RegExp(`${R}/commits/([^/]+)/comments$`),
      method: 'repos.createCommitComment',
      needs: [['contents', 'write']],
      docs: `${DOCS}/commits/comments#create-a-commit-comment`,
      run: async (call) => {
        const docs = `${DOCS}/commits/comments#create-a-commit-comment`;
        const input = await readBody(call.req);
        const sha = commitSha(call.params[0], docs);
        const t = now();
        const c: CommitComment = {
          id: nextId++,
          sha,
          body: commentBody(input, 'CommitComment', docs),
          user: call.caller.user,
          path: str(input, 'path', docs) ?? null,
          position: typeof input.position === 'number' ? input.position : null,
          line: typeof input.line === 'number' ? input.line : null,
          created: t,
          updated: t,
        };
        commitComments.push(c);
        return created(renderCommitComment(c, call.api));
      },
    },
    {
      verb: 'PATCH',
      pattern: new RegExp(`${R}/comments/(\\d+)$`),
      method: 'repos.updateCommitComment',
      needs: [['contents', 'write']],
      docs: `${DOCS}/commits/comments#update-a-commit-comment`,
      run: async (call) => {
        const docs = `${DOCS}/commits/comments#update-a-commit-comment`;
        const c = commitComments.find((x) => x.id === Number(call.params[0]));
        if (!c) throw notFound(docs);
        c.body = commentBody(await readBody(call.req), 'CommitComment', docs);
        c.updated = now();
        return { status: 200, body: renderCommitComment(c, call.api) };
      },
    },
    // docs.github.com/rest/deployments/deployments
    {
      verb: 'GET',
      pattern: new RegExp(`${R}/deployments$`),
      method: 'repos.listDeployments',
      needs: [['deployments', 'read']],
      docs: `${DOCS}/deployments/deployments#list-deployments`,
      run: (call) => {
        const q = call.query;
        const items = deployments
          .filter(
            (d) =>
              (!q.get('sha') || d.sha === q.get('sha')) &&
              (!q.get('ref') || d.ref === q.get('ref')) &&
              (!q.get('task') || d.task === q.get('task')) &&
              (!q.get('environment') || d.environment === q.get('environment')),
          )
          .slice()
          .reverse();
        return listed(items, call, (d) => renderDeployment(d, call.api));
      },
    },
    {
      verb: 'GET',
      pattern: new RegExp(`${R}/deployments/(\\d+)$`),
      method: 'repos.getDeployment',
      needs: [['deployments', 'read']],
      docs: `${DOCS}/deployments/deployments#get-a-deployment`,
      run: (call) => ({
        status: 200,
        body: renderDeployment(
          findDeployment(call.params[0], `${DOCS}/deployments/deployments#get-a-deployment`),
          call.api,
        ),
      }),
    },
    {
      verb: 'DELETE',
      pattern: new RegExp(`${R}/deployments/(\\d+)$`),
      method: 'repos.deleteDeployment',
      needs: [['deployments', 'write']],
      docs: `${DOCS}/deployments/deployments#delete-a-deployment`,
      run: (call) => {
        const docs = `${DOCS}/deployments/deployments#delete-a-deployment`;
        const d = findDeployment(call.params[0], docs);
        // "If the repository has more than one deployment, you can only delete inactive deployments": made
        // inactive by any non-successful status. Harsher than GitHub on one point: a deployment with no
        // status yet counts as active.
        const last = d.statuses.at(-1)?.state;
        if (deployments.length > 1 && !['inactive', 'error', 'failure'].includes(last ?? ''))
          throw validationFailed(docs, {
            resource: 'Deployment',
            code: 'custom',
            field: 'id',
            message:
              'We cannot delete an active deployment unless it is the only deployment in a given environment.',
          });
        deployments.splice(deployments.indexOf(d), 1);
        return { status: 204, body: undefined };
      },
    },
    {
      verb: 'POST',
      pattern: new RegExp(`${R}/deployments$`),
      method: 'repos.createDeployment',
      needs: [['deployments', 'write']],
      docs: `${DOCS}/deployments/deployments#create-a-deployment`,
      run: async (call) => {
        const docs = `${DOCS}/deployments/deployments#create-a-deployment`;
        const input = await readBody(call.req);
        need(input, 'ref', docs);
        const ref = str(input, 'ref', docs)!;
        const environment = str(input, 'environment', docs) ?? 'production';
        // auto_merge and required_contexts are accepted, not enforced: there is no default branch here to
        // merge and no contexts are required, which is what `required_contexts: []` asks for anyway.
        bool(input, 'auto_merge', docs);
        if (input.required_contexts !== undefined && !Array.isArray(input.required_contexts))
          throw invalidRequest(
            docs,
            `For 'properties/required_contexts', ${JSON.stringify(input.required_contexts)} is not an array.`,
          );
        let payload: unknown = input.payload ?? {};
        if (typeof payload === 'string') {
          try {
            payload = JSON.parse(payload);
          } catch {
            // GitHub keeps a payload that is not JSON as the string it was given.
          }
        }
        const t = now();
        const d: Deployment = {
          id: nextId++,
          ref,
          sha: resolveRef(ref),
          task: str(input, 'task', docs) ?? 'deploy',
          payload,
          environment,
          original_environment: environment,
          description: str(input, 'description', docs) ?? null,
          transient_environment: bool(input, 'transient_environment', docs) ?? false,
          production_environment: bool(input, 'production_environment', docs) ?? environment === 'production',
          created: t,
          updated: t,
          statuses: [],
        };
        deployments.push(d);
        return created(renderDeployment(d, call.api));
      },
    },
    // docs.github.com/rest/deployments/statuses
    {
      verb: 'GET',
      pattern: new RegExp(`${R}/deployments/(\\d+)/statuses$`),
      method: 'repos.listDeploymentStatuses',
      needs: [['deployments', 'read']],
      docs: `${DOCS}/deployments/statuses#list-deployment-statuses`,
      run: (call) => {
        const d = findDeployment(call.params[0], `${DOCS}/deployments/statuses#list-deployment-statuses`);
        return listed(d.statuses.slice().reverse(), call, (s) => renderDeploymentStatus(d, s, call.api));
      },
    },
    {
      verb: 'POST',
      pattern: new RegExp(`${R}/deployments/(\\d+)/statuses$`),
      method: 'repos.createDeploymentStatus',
      needs: [['deployments', 'write']],
      docs: `${DOCS}/deployments/statuses#create-a-deployment-status`,
      run: async (call) => {
        const docs = `${DOCS}/deployments/statuses#create-a-deployment-status`;
        const d = findDeployment(call.params[0], docs);
        const input = await readBody(call.req);
        need(input, 'state', docs);
        const state = str(input, 'state', docs)!;
        oneOf(state, DEPLOYMENT_STATES, 'state', docs);
        const description = str(input, 'description', docs) ?? '';
        if (description.length > MAX_DESCRIPTION)
          throw validationFailed(docs, {
            resource: 'DeploymentStatus',
            code: 'custom',
            field: 'description',
            message: `description is too long (maximum is ${MAX_DESCRIPTION} characters)`,
          });
        const environment = str(input, 'environment', docs);
        if (environment) d.environment = environment;
        const t = now();
        const s: DeploymentStatus = {
          id: nextId++,
          state,
          description,
          environment: d.environment,
          environment_url: str(input, 'environment_url', docs) ?? '',
          log_url: str(input, 'log_url', docs) ?? str(input, 'target_url', docs) ?? '',
          created: t,
        };
        d.statuses.push(s);
        d.updated = t;
        // auto_inactive (default true): a new success marks earlier successful deployments to the same
        // environment inactive, unless they are transient or production ones.
        if (state === 'success' && bool(input, 'auto_inactive', docs) !== false) {
          for (const other of deployments) {
            const last = other.statuses.at(-1);
            if (
              other !== d &&
              other.environment === d.environment &&
              !other.transient_environment &&
              !other.production_environment &&
              last?.state === 'success'
            ) {
              other.statuses.push({ ...last, id: nextId++, state: 'inactive', created: t });
              other.updated = t;
            }
          }
        }
        return created(renderDeploymentStatus(d, s, call.api));
      },
    },
    // docs.github.com/rest/commits/statuses
    {
      verb: 'POST',
      pattern: new RegExp(`${R}/statuses/([^/]+)$`),
      method: 'repos.createCommitStatus',
      needs: [['statuses', 'write']],
      docs: `${DOCS}/commits/statuses#create-a-commit-status`,
      run: async (call) => {
        const docs = `${DOCS}/commits/statuses#create-a-commit-status`;
        const input = await readBody(call.req);
        const sha = commitSha(call.params[0], docs);
        need(input, 'state', docs);
        const state = str(input, 'state', docs)!;
        const context = str(input, 'context', docs) ?? 'default';
        const description = str(input, 'description', docs) ?? null;
        const problems = [
          ...(COMMIT_STATES.includes(state)
            ? []
            : [
                {
                  resource: 'Status',
                  code: 'custom' as const,
                  field: 'state',
                  message: 'state is not included in the list',
                },
              ]),
          ...(description && description.length > MAX_DESCRIPTION
            ? [
                {
                  resource: 'Status',
                  code: 'custom' as const,
                  field: 'description',
                  message: `description is too long (maximum is ${MAX_DESCRIPTION} characters)`,
                },
              ]
            : []),
        ];
        if (problems.length) throw validationFailed(docs, ...problems);
        if (statuses.filter((s) => s.sha === sha && s.context === context).length >= MAX_STATUSES_PER_CONTEXT)
          throw validationFailed(docs, {
            resource: 'Status',
            code: 'custom',
            field: 'context',
            message: 'This SHA and context has reached the maximum number of statuses.',
          });
        const s: CommitStatus = {
          id: nextId++,
          sha,
          state,
          description,
          target_url: str(input, 'target_url', docs) ?? null,
          context,
          created: now(),
        };
        statuses.push(s);
        return created(renderStatus(s, call.api));
      },
    },
    {
      verb: 'GET',
      pattern: new RegExp(`${R}/commits/([^/]+)/statuses$`),
      method: 'repos.listCommitStatusesForRef',
      needs: [['statuses', 'read']],
      docs: `${DOCS}/commits/statuses#list-commit-statuses-for-a-reference`,
      run: (call) => {
        const sha = commitSha(
          call.params[0],
          `${DOCS}/commits/statuses#list-commit-statuses-for-a-reference`,
        );
        const items = statuses.filter((s) => s.sha === sha).reverse();
        return listed(items, call, (s) => renderStatus(s, call.api));
      },
    },
    {
      verb: 'GET',
      pattern: new RegExp(`${R}/commits/([^/]+)/status$`),
      method: 'repos.getCombinedStatusForRef',
      needs: [['statuses', 'read']],
      docs: `${DOCS}/commits/statuses#get-the-combined-status-for-a-specific-reference`,
      run: (call) => {
        const sha = commitSha(
          call.params[0],
          `${DOCS}/commits/statuses#get-the-combined-status-for-a-specific-reference`,
        );
        const latest = new Map<string, CommitStatus>();
        for (const s of statuses.filter((x) => x.sha === sha)) latest.set(s.context, s);
        const all = [...latest.values()];
        const state = all.some((s) => s.state === 'error' || s.state === 'failure')
          ? 'failure'
          : all.length === 0 || all.some((s) => s.state === 'pending')
            ? 'pending'
            : 'success';
        return {
          status: 200,
          body: {
            state,
            statuses: all.map((s) => renderStatus(s, call.api)),
            sha,
            total_count: all.length,
            commit_url: `${repoUrl(call.api)}/commits/${sha}`,
            url: `${repoUrl(call.api)}/commits/${sha}/status`,
          },
        };
      },
    },
  ];

  const releaseFake = createReleaseRoutes({
    repository: options.repository,
    author: ACTIONS_BOT,
    now,
    nextId: () => nextId++,
    nodeId,
  });
  routes.push(...releaseFake.routes);

  const authenticate = (header: string | undefined) => {
    if (!header)
      throw new GitHubError(401, {
        message: 'Requires authentication',
        documentation_url: DOCS,
        status: '401',
      });
    const m = /^(?:token|bearer)\s+(\S+)\s*$/i.exec(header);
    const given = Buffer.from(m?.[1] ?? '');
    for (const [token, caller] of tokens) {
      const want = Buffer.from(token);
      if (m && given.length === want.length && timingSafeEqual(given, want)) return caller;
    }
    throw new GitHubError(401, { message: 'Bad credentials', documentation_url: DOCS, status: '401' });
  };

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
      const caller = authenticate(req.headers.authorization);
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
    comments: (n) =>
      comments
        .filter((c) => c.issue === n)
        .map((c) => ({
          id: c.id,
          body: c.body,
          user: { login: c.user.login },
          created_at: formatTime(c.created),
          updated_at: formatTime(c.updated),
        })),
    commitComments: (sha) =>
      commitComments
        .filter((c) => c.sha === sha.toLowerCase())
        .map((c) => ({ id: c.id, body: c.body, user: { login: c.user.login } })),
    addToken(token, identity) {
      const id = 900_000 + tokens.size;
      tokens.set(token, {
        user: {
          login: identity.login,
          id,
          node_id: nodeId(identity.type === 'Bot' ? 'BOT' : 'U', id),
          type: identity.type,
          site_admin: false,
        },
        installation: identity.type === 'Bot',
      });
    },
    registerPullRequest(n, headSha) {
      pullRequests.set(n, { headSha: headSha.toLowerCase(), created: now() });
    },
    pullRequestStatuses(n) {
      const pr = pullRequests.get(n);
      return pr
        ? statuses
            .filter((s) => s.sha === pr.headSha)
            .map((s) => ({
              state: s.state,
              context: s.context,
              ...(s.description !== null ? { description: s.description } : {}),
            }))
        : [];
    },
    deployments: () =>
      deployments.map((d) => ({
        id: d.id,
        ref: d.ref,
        sha: d.sha,
        environment: d.environment,
        payload: d.payload,
        statuses: d.statuses.map((s) => ({
          state: s.state,
          ...(s.environment_url ? { environment_url: s.environment_url } : {}),
          ...(s.log_url ? { log_url: s.log_url } : {}),
          ...(s.description ? { description: s.description } : {}),
        })),
      })),
    commitStatuses: (sha) =>
      statuses
        .filter((s) => s.sha === sha.toLowerCase())
        .map((s) => ({
          state: s.state,
          context: s.context,
          ...(s.description !== null ? { description: s.description } : {}),
          ...(s.target_url !== null ? { target_url: s.target_url } : {}),
        })),
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
    seedComment(n, body, login) {
      const t = now();
      const c: Comment = {
        id: nextId++,
        issue: n,
        body,
        user: { login, id: 583231, node_id: 'MDQ6VXNlcjU4MzIzMQ==', type: 'User', site_admin: false },
        created: t,
        updated: t,
      };
      comments.push(c);
      return c.id;
    },
  };
}
