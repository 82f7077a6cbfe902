// Commit comments for the GitHub REST fake (the report channel of push events): list, create, update.
// Shapes and errors follow docs.github.com/rest/commits/comments; a SHA that names no known commit is 422.
import { formatTime, notFound, readBody } from './github-wire';
import {
  DOCS,
  R,
  commentBody,
  created,
  htmlBase,
  listed,
  repoUrl,
  str,
  type GitHubUser,
  type Route,
  type RouteContext,
} from './route';

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

/** The commit comment routes and their state, for `createGitHubFake` to mount. */
export function createCommitCommentRoutes(ctx: RouteContext): {
  routes: Route[];
  commitComments(sha: string): Array<{ id: number; body: string; user: { login: string } }>;
  /** SHAs the comments name, for abbreviated SHA lookups. */
  shas(): string[];
} {
  const commitComments: CommitComment[] = [];

  const render = (c: CommitComment, api: string) => ({
    url: `${repoUrl(ctx, api)}/comments/${c.id}`,
    html_url: `${htmlBase(ctx)}/commit/${c.sha}#commitcomment-${c.id}`,
    id: c.id,
    node_id: ctx.nodeId('CC', c.id),
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

  // docs.github.com/rest/commits/comments
  const routes: Route[] = [
    {
      verb: 'GET',
      pattern: new RegExp(`${R}/commits/([^/]+)/comments$`),
      method: 'repos.listCommentsForCommit',
      needs: [['contents', 'read']],
      docs: `${DOCS}/commits/comments#list-commit-comments`,
      run: (call) => {
        const sha = ctx.commitSha(call.params[0], `${DOCS}/commits/comments#list-commit-comments`);
        return listed(
          commitComments.filter((c) => c.sha === sha),
          call,
          (c) => render(c, call.api),
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
        const sha = ctx.commitSha(call.params[0], docs);
        const t = ctx.now();
        const c: CommitComment = {
          id: ctx.nextId(),
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
        return created(render(c, call.api));
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
        c.updated = ctx.now();
        return { status: 200, body: render(c, call.api) };
      },
    },
  ];

  return {
    routes,
    commitComments: (sha) =>
      commitComments
        .filter((c) => c.sha === sha.toLowerCase())
        .map((c) => ({ id: c.id, body: c.body, user: { login: c.user.login } })),
    shas: () => commitComments.map((c) => c.sha),
  };
}
