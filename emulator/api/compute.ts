// The Compute Engine API fake (compute/v1 over REST), for the load-balancer resources that front a Cloud
// Run service: serverless network endpoint groups, backend services, URL maps, target HTTP(S) proxies and
// global forwarding rules. Lists, gets, inserts, updates and deletes, each passing the gate Google's front
// end applies (a bearer the auth fakes minted, the API enabled, the project known, the permission held),
// every write answering a `compute#operation` that is already DONE. The resources' own rules live in
// compute-resources.ts; the error bodies in compute-errors.ts (emulator/README.md "Compute Engine API").
import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';
import type { Faults } from '../faults';
import type { TokenVerifier } from '../model';
import { sendJson } from './google-errors';
import { REGIONS } from '../regions';
import {
  ComputeError,
  computeDisabled,
  forbidden,
  invalidField,
  notFound,
  sendComputeError,
  unauthenticated,
} from './compute-errors';
import {
  COLLECTIONS,
  COMPUTE_BASE,
  buildResource,
  inUse,
  newPath,
  referencesOf,
  resourcePath,
  type BuildContext,
  type Collection,
} from './compute-resources';

type Json = Record<string, unknown>;

/** Roles on the Compute fake: `compute.viewer` reads (list, get); `compute.loadBalancerAdmin` also writes. */
export type ComputeRole = 'compute.viewer' | 'compute.loadBalancerAdmin';

export interface ComputeApiOptions {
  verifier: TokenVerifier;
  faults: Faults;
  /** The project id (resource paths and links use it) and number (accepted in paths too). */
  project: string;
  projectNumber: string;
  /** Roles per principal (service account email, or `principal://…` for a direct-WIF token). */
  roles: Record<string, ComputeRole[]>;
  /** The emulator's own principal, which seeds: it holds every permission. */
  controlPrincipal: string;
  now?: () => Date;
}

type Verb = 'list' | 'get' | 'create' | 'update' | 'delete';

const AGGREGATED = /^\/compute\/v1\/projects\/([^/]+)\/aggregated\/([A-Za-z]+)$/;
const ROUTE = /^\/compute\/v1\/projects\/([^/]+)\/(?:global|regions\/([^/]+))\/([A-Za-z]+)(?:\/([^/]+))?$/;

export class ComputeApi {
  /** Calls by `collection.verb` (e.g. `backendServices.list`), counted before the gate, for tests. */
  readonly calls: Record<string, number> = {};
  private readonly resources = new Map<string, Json>();
  private readonly operations = new Map<string, Json>();
  private addresses = 0;

  constructor(private readonly opts: ComputeApiOptions) {}

  /** The stored resource a link names (full URL or `projects/…` path), as a GET would answer it. */
  lookup(link: string): Json | undefined {
    const found = this.resources.get(resourcePath(link, this.opts.project));
    return found && structuredClone(found);
  }

  /** Handles `/compute/v1/…` requests; resolves false for other paths. */
  async handle(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (!url.pathname.startsWith('/compute/v1/')) return false;
    try {
      sendJson(res, 200, await this.dispatch(req, url));
    } catch (err) {
      sendComputeError(
        res,
        err instanceof ComputeError ? err : new ComputeError(500, 'invalid', (err as Error).message),
      );
    }
    return true;
  }

  private async dispatch(req: IncomingMessage, url: URL): Promise<Json> {
    const method = req.method ?? 'GET';
    const agg = AGGREGATED.exec(url.pathname);
    if (agg && agg[2] in COLLECTIONS && method === 'GET') {
      const project = this.gate(req, agg[1], agg[2] as Collection, 'list');
      return this.aggregated(agg[2] as Collection, project);
    }
    const m = ROUTE.exec(url.pathname);
    if (!m) throw new ComputeError(404, 'notFound', `The requested URL ${url.pathname} was not found.`);
    const [, projectRef, region, kind, name] = m;
    if (region !== undefined && !REGIONS.includes(region)) {
      this.principal(req);
      throw invalidField('region', region, 'Unknown region.');
    }
    if (kind === 'operations' && name && method === 'GET') {
      const project = this.gate(req, projectRef, 'operations', 'get');
      const path = `projects/${project}/${region ? `regions/${region}` : 'global'}/operations/${name}`;
      const op = this.operations.get(path);
      if (!op) throw notFound(path);
      return op;
    }
    const collection = kind as Collection;
    if (!(kind in COLLECTIONS) || COLLECTIONS[collection].regional !== (region !== undefined))
      throw new ComputeError(404, 'notFound', `The requested URL ${url.pathname} was not found.`);
    const scope = (project: string): string =>
      `projects/${project}/${region ? `regions/${region}` : 'global'}`;
    if (!name && method === 'GET') {
      const project = this.gate(req, projectRef, collection, 'list');
      return this.list(collection, scope(project), url.searchParams);
    }
    if (!name && method === 'POST') {
      const project = this.gate(req, projectRef, collection, 'create', 'later');
      const body = await readBody(req);
      const path = newPath(collection, project, region, body);
      this.permit(req, collection, 'create', path);
      if (this.resources.has(path))
        throw new ComputeError(409, 'alreadyExists', `The resource '${path}' already exists`);
      const stored = buildResource(collection, this.context(project), path, body);
      this.resources.set(path, stored);
      return this.operation(project, region, 'insert', stored, req);
    }
    if (!name) throw new ComputeError(404, 'notFound', `The requested URL ${url.pathname} was not found.`);
    const project = this.gate(req, projectRef, collection, verbOf(method), 'later');
    const path = `${scope(project)}/${collection}/${name}`;
    this.permit(req, collection, verbOf(method), path);
    const current = this.resources.get(path);
    if (!current) throw notFound(path);
    if (method === 'GET') return structuredClone(current);
    if (
      (method === 'PATCH' || method === 'PUT') &&
      (collection === 'backendServices' || collection === 'urlMaps')
    ) {
      const body = await readBody(req);
      if (body.name !== undefined && body.name !== name)
        throw invalidField('resource.name', body.name, 'The name of a resource cannot change.');
      const merged = method === 'PATCH' ? { ...current, ...body } : { ...body, name };
      const stored = buildResource(collection, this.context(project), path, merged, current);
      this.resources.set(path, stored);
      return this.operation(project, region, method === 'PATCH' ? 'patch' : 'update', stored, req);
    }
    if (method === 'DELETE') {
      for (const [other, resource] of this.resources)
        if (referencesOf(resource, project).includes(path)) throw inUse(collection, path, other);
      this.resources.delete(path);
      return this.operation(project, region, 'delete', current, req);
    }
    throw new ComputeError(404, 'notFound', `The requested URL ${url.pathname} was not found.`);
  }

  /** A page of the collection in `scope`, by name; `items` left out when there are none, as Google does. */
  private list(collection: Collection, scope: string, q: URLSearchParams): Json {
    const prefix = `${scope}/${collection}/`;
    const all = [...this.resources.entries()]
      .filter(([path]) => path.startsWith(prefix))
      .map(([, resource]) => structuredClone(resource))
      .sort((a, b) => String(a.name).localeCompare(String(b.name)));
    const size = Math.min(Number(q.get('maxResults') ?? 0) || 500, 500);
    const start = Number(q.get('pageToken') ?? 0) || 0;
    const items = all.slice(start, start + size);
    return {
      kind: `${COLLECTIONS[collection].kind}List`,
      id: `${scope}/${collection}`,
      ...(items.length > 0 ? { items } : {}),
      ...(start + size < all.length ? { nextPageToken: String(start + size) } : {}),
      selfLink: `${COMPUTE_BASE}${scope}/${collection}`,
    };
  }

  /**
   * `aggregated/<collection>`: every scope keyed `global` or `regions/R`, its resources under the
   * collection's name, or a NO_RESULTS_ON_PAGE warning when it has none, as Google answers it.
   */
  private aggregated(collection: Collection, project: string): Json {
    const scopes = COLLECTIONS[collection].regional ? REGIONS.map((r) => `regions/${r}`) : ['global'];
    const items: Json = {};
    for (const scope of scopes) {
      const list = this.list(collection, `projects/${project}/${scope}`, new URLSearchParams());
      items[scope] = list.items
        ? { [collection]: list.items }
        : {
            warning: {
              code: 'NO_RESULTS_ON_PAGE',
              message: `There are no results for scope '${scope}' on this page.`,
              data: [{ key: 'scope', value: scope }],
            },
          };
    }
    return {
      kind: `${COLLECTIONS[collection].kind}AggregatedList`,
      id: `projects/${project}/aggregated/${collection}`,
      items,
      selfLink: `${COMPUTE_BASE}projects/${project}/aggregated/${collection}`,
    };
  }

  /**
   * Counts the call, authenticates, applies a disabled API and resolves the project (404 when unknown);
   * then checks the permission on the project, unless `later` (a write names its resource first).
   */
  private gate(
    req: IncomingMessage,
    projectRef: string,
    collection: Collection | 'operations',
    verb: Verb,
    later?: 'later',
  ): string {
    this.calls[`${collection}.${verb}`] = (this.calls[`${collection}.${verb}`] ?? 0) + 1;
    this.principal(req);
    if (this.opts.faults.settings.disabledApis.includes('compute.googleapis.com'))
      throw computeDisabled(this.opts.projectNumber);
    if (projectRef !== this.opts.project && projectRef !== this.opts.projectNumber)
      throw notFound(`projects/${projectRef}`);
    const project = this.opts.project;
    if (!later && collection !== 'operations') this.permit(req, collection, verb, `projects/${project}`);
    return project;
  }

  private principal(req: IncomingMessage): string {
    const header = req.headers.authorization;
    if (!header || !/^Bearer\s+\S+/i.test(header)) throw unauthenticated(false);
    const info = this.opts.verifier.verifyAccessToken(header.replace(/^Bearer\s+/i, ''));
    if (!info) throw unauthenticated(true);
    return info.principal;
  }

  /** 403 unless the caller holds `compute.<collection>.<verb>` (a viewer reads, a load balancer admin writes). */
  private permit(req: IncomingMessage, collection: Collection, verb: Verb, resource: string): void {
    const principal = this.principal(req);
    if (principal === this.opts.controlPrincipal) return;
    const roles = this.opts.roles[principal] ?? [];
    const reads = verb === 'list' || verb === 'get';
    if (roles.includes('compute.loadBalancerAdmin') || (reads && roles.includes('compute.viewer'))) return;
    throw forbidden(`compute.${COLLECTIONS[collection].permission}.${verb}`, resource);
  }

  private context(project: string): BuildContext {
    return {
      project,
      get: (path) => this.resources.get(path),
      newId,
      now: () => (this.opts.now?.() ?? new Date()).toISOString(),
      newFingerprint: () => randomBytes(8).toString('base64'),
      // Ephemeral addresses from a range Google's global external load balancers use.
      newAddress: () => {
        const n = ++this.addresses;
        return `34.117.${(n >> 8) & 255}.${n & 255}`;
      },
    };
  }

  /** A write's `compute#operation`: already DONE (the fake applies writes at once). */
  private operation(
    project: string,
    region: string | undefined,
    operationType: string,
    target: Json,
    req: IncomingMessage,
  ): Json {
    const name = `operation-${Date.now()}-${randomBytes(6).toString('hex')}`;
    const scope = region ? `regions/${region}` : 'global';
    const path = `projects/${project}/${scope}/operations/${name}`;
    const at = (this.opts.now?.() ?? new Date()).toISOString();
    const op: Json = {
      kind: 'compute#operation',
      id: newId(),
      name,
      operationType,
      targetLink: target.selfLink,
      targetId: target.id,
      status: 'DONE',
      user: this.principal(req),
      progress: 100,
      insertTime: at,
      startTime: at,
      endTime: at,
      selfLink: COMPUTE_BASE + path,
      ...(region ? { region: `${COMPUTE_BASE}projects/${project}/regions/${region}` } : {}),
    };
    this.operations.set(path, op);
    return op;
  }
}

function verbOf(method: string): Verb {
  if (method === 'GET') return 'get';
  if (method === 'DELETE') return 'delete';
  return 'update';
}

/** A resource id as Compute writes them: an unsigned 64-bit number in decimal. */
function newId(): string {
  return (randomBytes(8).readBigUInt64BE() >> 1n).toString();
}

async function readBody(req: IncomingMessage): Promise<Json> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') return {};
  try {
    const parsed = JSON.parse(text) as unknown;
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as Json;
  } catch {
    // Answered below.
  }
  throw new ComputeError(400, 'invalid', `Invalid JSON payload received.\n${text.slice(0, 40)}`);
}
