// Deployments and their statuses for the GitHub REST fake: list, create, delete a deployment; list and
// create its statuses. Shapes and errors follow docs.github.com/rest/deployments/deployments and
// rest/deployments/statuses (`auto_inactive`: developer.github.com PR #976).
import { createHash } from 'node:crypto';
import { formatTime, invalidRequest, notFound, readBody, validationFailed } from './github-wire';
import {
  ACTIONS_BOT,
  DOCS,
  R,
  bool,
  created,
  listed,
  need,
  oneOf,
  repoUrl,
  str,
  type Route,
  type RouteContext,
} from './route';

const DEPLOYMENT_STATES = ['error', 'failure', 'inactive', 'in_progress', 'queued', 'pending', 'success'];
/** Description limit of deployment statuses (422 beyond). */
const MAX_DESCRIPTION = 140;

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

/** A deployment as the fake's test helper shows it. */
export interface DeploymentView {
  id: number;
  ref: string;
  sha: string;
  environment: string;
  payload: unknown;
  statuses: Array<{ state: string; environment_url?: string; log_url?: string; description?: string }>;
}

/** The deployment and deployment status routes and their state, for `createGitHubFake` to mount. */
export function createDeploymentRoutes(ctx: RouteContext): {
  routes: Route[];
  deployments(): DeploymentView[];
  /** SHAs the deployments name, for abbreviated SHA lookups. */
  shas(): string[];
} {
  const deployments: Deployment[] = [];

  const renderDeployment = (d: Deployment, api: string) => ({
    url: `${repoUrl(ctx, api)}/deployments/${d.id}`,
    id: d.id,
    node_id: ctx.nodeId('DE', d.id),
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
    statuses_url: `${repoUrl(ctx, api)}/deployments/${d.id}/statuses`,
    repository_url: repoUrl(ctx, api),
    transient_environment: d.transient_environment,
    production_environment: d.production_environment,
    performed_via_github_app: null,
  });
  const renderDeploymentStatus = (d: Deployment, s: DeploymentStatus, api: string) => ({
    url: `${repoUrl(ctx, api)}/deployments/${d.id}/statuses/${s.id}`,
    id: s.id,
    node_id: ctx.nodeId('DES', s.id),
    state: s.state,
    creator: ACTIONS_BOT,
    description: s.description,
    environment: s.environment,
    target_url: s.log_url,
    created_at: formatTime(s.created),
    updated_at: formatTime(s.created),
    deployment_url: `${repoUrl(ctx, api)}/deployments/${d.id}`,
    repository_url: repoUrl(ctx, api),
    environment_url: s.environment_url,
    log_url: s.log_url,
    performed_via_github_app: null,
  });
  // A deployment's ref may be a branch, tag or SHA; branches resolve to a stable made-up SHA.
  const resolveRef = (ref: string): string => {
    if (/^[0-9a-f]{40}$/i.test(ref)) return ref.toLowerCase();
    const earlier = deployments.find((d) => d.ref === ref);
    return earlier?.sha ?? createHash('sha1').update(`ref:${ref}`).digest('hex');
  };
  const findDeployment = (id: string, docs: string) => {
    const d = deployments.find((x) => x.id === Number(id));
    if (!d) throw notFound(docs);
    return d;
  };

  const routes: Route[] = [
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
        const t = ctx.now();
        const d: Deployment = {
          id: ctx.nextId(),
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
        const t = ctx.now();
        const s: DeploymentStatus = {
          id: ctx.nextId(),
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
              other.statuses.push({ ...last, id: ctx.nextId(), state: 'inactive', created: t });
              other.updated = t;
            }
          }
        }
        return created(renderDeploymentStatus(d, s, call.api));
      },
    },
  ];

  return {
    routes,
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
    shas: () => deployments.map((d) => d.sha),
  };
}
