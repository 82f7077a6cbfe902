// Commit statuses for the GitHub REST fake (what branch protection reads): create, list for a ref, and
// the combined status. Shapes and errors follow docs.github.com/rest/commits/statuses.
import { formatTime, readBody, validationFailed } from './github-wire';
import {
  ACTIONS_BOT,
  DOCS,
  R,
  created,
  listed,
  need,
  repoUrl,
  str,
  type Route,
  type RouteContext,
} from './route';

const COMMIT_STATES = ['error', 'failure', 'pending', 'success'];
/** Description limit of commit statuses (422 beyond). */
const MAX_DESCRIPTION = 140;
/** Statuses GitHub keeps per SHA and context. */
const MAX_STATUSES_PER_CONTEXT = 1000;

interface CommitStatus {
  id: number;
  sha: string;
  state: string;
  description: string | null;
  target_url: string | null;
  context: string;
  created: Date;
}

/** A commit status as the fake's test helpers show it. */
export interface CommitStatusView {
  state: string;
  context: string;
  description?: string;
  target_url?: string;
}

/** The commit status routes and their state, for `createGitHubFake` to mount. */
export function createCommitStatusRoutes(ctx: RouteContext): {
  routes: Route[];
  commitStatuses(sha: string): CommitStatusView[];
  /** The statuses on a head commit as a pull request's page shows them (no target URL). */
  statusesOnHead(headSha: string): Array<{ state: string; context: string; description?: string }>;
  /** SHAs the statuses name, for abbreviated SHA lookups. */
  shas(): string[];
} {
  const statuses: CommitStatus[] = [];

  const render = (s: CommitStatus, api: string) => ({
    url: `${repoUrl(ctx, api)}/statuses/${s.sha}`,
    avatar_url: 'https://avatars.githubusercontent.com/in/15368?v=4',
    id: s.id,
    node_id: ctx.nodeId('SC', s.id),
    state: s.state,
    description: s.description,
    target_url: s.target_url,
    context: s.context,
    created_at: formatTime(s.created),
    updated_at: formatTime(s.created),
    creator: ACTIONS_BOT,
  });

  // docs.github.com/rest/commits/statuses
  const routes: Route[] = [
    {
      verb: 'POST',
      pattern: new RegExp(`${R}/statuses/([^/]+)$`),
      method: 'repos.createCommitStatus',
      needs: [['statuses', 'write']],
      docs: `${DOCS}/commits/statuses#create-a-commit-status`,
      run: async (call) => {
        const docs = `${DOCS}/commits/statuses#create-a-commit-status`;
        const input = await readBody(call.req);
        const sha = ctx.commitSha(call.params[0], docs);
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
          id: ctx.nextId(),
          sha,
          state,
          description,
          target_url: str(input, 'target_url', docs) ?? null,
          context,
          created: ctx.now(),
        };
        statuses.push(s);
        return created(render(s, call.api));
      },
    },
    {
      verb: 'GET',
      pattern: new RegExp(`${R}/commits/([^/]+)/statuses$`),
      method: 'repos.listCommitStatusesForRef',
      needs: [['statuses', 'read']],
      docs: `${DOCS}/commits/statuses#list-commit-statuses-for-a-reference`,
      run: (call) => {
        const sha = ctx.commitSha(
          call.params[0],
          `${DOCS}/commits/statuses#list-commit-statuses-for-a-reference`,
        );
        const items = statuses.filter((s) => s.sha === sha).reverse();
        return listed(items, call, (s) => render(s, call.api));
      },
    },
    {
      verb: 'GET',
      pattern: new RegExp(`${R}/commits/([^/]+)/status$`),
      method: 'repos.getCombinedStatusForRef',
      needs: [['statuses', 'read']],
      docs: `${DOCS}/commits/statuses#get-the-combined-status-for-a-specific-reference`,
      run: (call) => {
        const sha = ctx.commitSha(
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
            statuses: all.map((s) => render(s, call.api)),
            sha,
            total_count: all.length,
            commit_url: `${repoUrl(ctx, call.api)}/commits/${sha}`,
            url: `${repoUrl(ctx, call.api)}/commits/${sha}/status`,
          },
        };
      },
    },
  ];

  return {
    routes,
    commitStatuses: (sha) =>
      statuses
        .filter((s) => s.sha === sha.toLowerCase())
        .map((s) => ({
          state: s.state,
          context: s.context,
          ...(s.description !== null ? { description: s.description } : {}),
          ...(s.target_url !== null ? { target_url: s.target_url } : {}),
        })),
    statusesOnHead: (headSha) =>
      statuses
        .filter((s) => s.sha === headSha)
        .map((s) => ({
          state: s.state,
          context: s.context,
          ...(s.description !== null ? { description: s.description } : {}),
        })),
    shas: () => statuses.map((s) => s.sha),
  };
}
