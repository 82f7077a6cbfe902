// Issue (and pull request) comments for the GitHub REST fake: list, create, update, delete. Shapes and
// errors follow docs.github.com/rest/issues/comments: oldest first, `since`, paging with Link, 201 with
// `location`, 204 on delete, 404 for an unknown comment, 422 for a missing or over-long body.
import { formatTime, notFound, readBody } from './github-wire';
import {
  DOCS,
  R,
  commentBody,
  created,
  htmlBase,
  listed,
  repoUrl,
  type GitHubUser,
  type Route,
  type RouteContext,
} from './route';

interface Comment {
  id: number;
  issue: number;
  body: string;
  user: GitHubUser;
  created: Date;
  updated: Date;
}

/** An issue comment as the fake's test helper shows it. */
export interface IssueCommentView {
  id: number;
  body: string;
  user: { login: string };
  created_at: string;
  updated_at: string;
}

/** The issue comment routes and their state, for `createGitHubFake` to mount. */
export function createIssueCommentRoutes(ctx: RouteContext): {
  routes: Route[];
  comments(issueNumber: number): IssueCommentView[];
  seedComment(issueNumber: number, body: string, login: string): number;
} {
  const comments: Comment[] = [];

  const render = (c: Comment, api: string) => ({
    url: `${repoUrl(ctx, api)}/issues/comments/${c.id}`,
    html_url: `${htmlBase(ctx)}/issues/${c.issue}#issuecomment-${c.id}`,
    issue_url: `${repoUrl(ctx, api)}/issues/${c.issue}`,
    id: c.id,
    node_id: ctx.nodeId('IC', c.id),
    user: c.user,
    created_at: formatTime(c.created),
    updated_at: formatTime(c.updated),
    author_association: c.user.type === 'Bot' ? 'NONE' : 'MEMBER',
    body: c.body,
    performed_via_github_app: null,
  });
  const issueNumber = (raw: string) => Number(raw);
  const findComment = (id: string, docs: string) => {
    const c = comments.find((x) => x.id === Number(id));
    if (!c) throw notFound(docs);
    return c;
  };

  // docs.github.com/rest/issues/comments
  const routes: Route[] = [
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
        return listed(items, call, (c) => render(c, call.api));
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
        const t = ctx.now();
        const c: Comment = {
          id: ctx.nextId(),
          issue: issueNumber(call.params[0]),
          body,
          user: call.caller.user,
          created: t,
          updated: t,
        };
        comments.push(c);
        return created(render(c, call.api));
      },
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
        c.updated = ctx.now();
        return { status: 200, body: render(c, call.api) };
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
  ];

  return {
    routes,
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
    seedComment(n, body, login) {
      const t = ctx.now();
      const c: Comment = {
        id: ctx.nextId(),
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
