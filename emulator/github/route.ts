// What a route of the GitHub REST fake is, what it is given and what it answers, shared by the resource
// files (issue-comments.ts, commit-comments.ts, deployments.ts, commit-statuses.ts, pulls.ts, users.ts,
// releases.ts) and the router (github-fake.ts); plus the request-schema checks every route runs before its
// model rules (docs.github.com/rest, "Troubleshooting the REST API").
import type { IncomingMessage } from 'node:http';
import { GitHubError, invalidRequest, paginate, validationFailed } from './github-wire';

export const DOCS = 'https://docs.github.com/rest';
/** The repository part of every repository route's pattern; its groups are owner and repo. */
export const R = '^/repos/([^/]+)/([^/]+)';

/** A GITHUB_TOKEN permission scope as a workflow's `permissions:` block names it (with `_` for `-`). */
export type GitHubScope = 'issues' | 'pull_requests' | 'deployments' | 'statuses' | 'contents';
export type GitHubAccess = 'read' | 'write' | 'none';

/** A REST method as Octokit names it, e.g. `issues.createComment`, `repos.createDeploymentStatus`. */
export type GitHubMethod =
  | 'issues.listComments'
  | 'issues.createComment'
  | 'issues.updateComment'
  | 'issues.deleteComment'
  | 'repos.listCommentsForCommit'
  | 'repos.createCommitComment'
  | 'repos.updateCommitComment'
  | 'repos.listDeployments'
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

/** A GitHub account as REST objects show it (`user`, `creator`, `author`). */
export type GitHubUser = {
  login: string;
  id: number;
  node_id: string;
  type: string;
  site_admin: boolean;
};
/** The identity a GITHUB_TOKEN acts as. */
export const ACTIONS_BOT: GitHubUser = {
  login: 'github-actions[bot]',
  id: 41898282,
  node_id: 'MDM6Qm90NDE4OTgyODI=',
  type: 'Bot',
  site_admin: false,
};
/** Who a token acts as; an installation token (GITHUB_TOKEN, a GitHub App's) cannot use `GET /user`. */
export interface Caller {
  user: GitHubUser;
  installation: boolean;
}

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

/** What the router hands every resource file: the repository, the clock, ids, and the commit SHA check. */
export interface RouteContext {
  /** `owner/repo`. */
  repository: string;
  now: () => Date;
  /** The next id; one counter for every kind of object, as the fake has always numbered them. */
  nextId: () => number;
  nodeId: (kind: string, id: number) => string;
  /** The full SHA a ref names (see `resolveCommitSha`), or 422 "No commit found". */
  commitSha: (ref: string, docs: string) => string;
}

/** The REST URL of the repository as the client reached the API. */
export function repoUrl(ctx: RouteContext, api: string): string {
  return `${api}/repos/${ctx.repository}`;
}

/** The repository's page on github.com, the base of every `html_url`. */
export function htmlBase(ctx: RouteContext): string {
  return `https://github.com/${ctx.repository}`;
}

/** A list answer: one page of `items` rendered, with GitHub's `Link` header when there are more. */
export function listed<T>(items: T[], call: Call, render: (t: T) => unknown): Answer {
  const { page, link } = paginate(items, call.query, call.self);
  return { status: 200, body: page.map(render), headers: link ? { link } : {} };
}

/** 201 with the new object and its URL in `location`. */
export function created(body: { url: string }): Answer {
  return { status: 201, body, headers: { location: body.url } };
}

// ---- parameter checks (the request schema runs before the models) ----

/** The field, or 422 `"field" wasn't supplied.` */
export function need(body: Record<string, unknown>, field: string, docs: string): unknown {
  if (body[field] === undefined || body[field] === null)
    throw invalidRequest(docs, `"${field}" wasn't supplied.`);
  return body[field];
}

/** The field if it is a string, undefined if absent, else the schema's 422. */
export function str(body: Record<string, unknown>, field: string, docs: string): string | undefined {
  const v = body[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string')
    throw invalidRequest(docs, `For 'properties/${field}', ${JSON.stringify(v)} is not a string.`);
  return v;
}

/** The field if it is a boolean, undefined if absent, else the schema's 422. */
export function bool(body: Record<string, unknown>, field: string, docs: string): boolean | undefined {
  const v = body[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'boolean')
    throw invalidRequest(docs, `For 'properties/${field}', ${JSON.stringify(v)} is not a boolean.`);
  return v;
}

/** The schema's 422 unless `value` is one of `allowed`. */
export function oneOf(value: string, allowed: string[], field: string, docs: string): void {
  if (!allowed.includes(value))
    throw invalidRequest(
      docs,
      `For 'properties/${field}', ${JSON.stringify(value)} is not a member of ${JSON.stringify(allowed)}.`,
    );
}

/** GitHub's body limit for issue and commit comments. */
const MAX_COMMENT = 65536;

/** A comment's `body`: required, a string, at most 65536 characters (422 Validation Failed beyond). */
export function commentBody(body: Record<string, unknown>, resource: string, docs: string): string {
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
}

/** The full SHA `ref` names among the `known` ones, or GitHub's 422 "No commit found for SHA". */
// No git here: a full or abbreviated hex SHA names a commit; anything else is GitHub's "No commit found".
export function resolveCommitSha(ref: string, known: string[], docs: string): string {
  if (/^[0-9a-f]{40}$/i.test(ref)) return ref.toLowerCase();
  const hit = /^[0-9a-f]{7,39}$/i.test(ref) ? known.find((s) => s.startsWith(ref.toLowerCase())) : undefined;
  if (hit) return hit;
  throw new GitHubError(422, {
    message: `No commit found for SHA: ${ref}`,
    documentation_url: docs,
    status: '422',
  });
}
