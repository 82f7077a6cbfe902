// Who a token acts as, for the GitHub REST fake: the tokens it accepts (the job token, plus any a test
// adds), authentication with GitHub's 401s, GET /user (docs.github.com/rest/users/users) and the GraphQL
// `viewer { login }` query (docs.github.com/graphql).
import { timingSafeEqual } from 'node:crypto';
import { GitHubError, readBody } from './github-wire';
import { ACTIONS_BOT, DOCS, type Caller, type Route, type RouteContext } from './route';

/** The token table and the identity routes, for `createGitHubFake` to mount. */
export function createUserRoutes(
  ctx: RouteContext,
  jobToken: string,
): {
  routes: Route[];
  /** The caller an `Authorization` header names, or GitHub's 401. */
  authenticate(header: string | undefined): Caller;
  addToken(token: string, identity: { login: string; type: 'User' | 'Bot' }): void;
} {
  const tokens = new Map<string, Caller>([[jobToken, { user: ACTIONS_BOT, installation: true }]]);

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
  ];

  return {
    routes,
    authenticate(header) {
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
    },
    addToken(token, identity) {
      const id = 900_000 + tokens.size;
      tokens.set(token, {
        user: {
          login: identity.login,
          id,
          node_id: ctx.nodeId(identity.type === 'Bot' ? 'BOT' : 'U', id),
          type: identity.type,
          site_admin: false,
        },
        installation: identity.type === 'Bot',
      });
    },
  };
}
