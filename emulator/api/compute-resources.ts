// The load-balancer resources of the Compute Engine API fake (compute/v1): what an insert or a patch
// may hold, checked as Google checks it, and the stored form a GET answers. Every rule names its source
// in emulator/README.md "Compute Engine API".
import { createHash } from 'node:crypto';
import { invalidField, notFound, ComputeError } from './compute-errors';
import { REGIONS } from '../regions';

type Json = Record<string, unknown>;

/** Compute answers every link with this host, whichever endpoint the client called. */
export const COMPUTE_BASE = 'https://www.googleapis.com/compute/v1/';

export type Collection =
  | 'networkEndpointGroups'
  | 'backendServices'
  | 'urlMaps'
  | 'targetHttpsProxies'
  | 'targetHttpProxies'
  | 'forwardingRules';

interface CollectionInfo {
  /** `kind` of one resource; the list's kind adds `List`. */
  kind: string;
  /** The middle of its IAM permissions: `compute.<permission>.list`. */
  permission: string;
  regional: boolean;
  /** How in-use refusals name the resource type. */
  noun: string;
}

export const COLLECTIONS: Record<Collection, CollectionInfo> = {
  networkEndpointGroups: {
    kind: 'compute#networkEndpointGroup',
    permission: 'networkEndpointGroups',
    regional: true,
    noun: 'network_endpoint_group',
  },
  backendServices: {
    kind: 'compute#backendService',
    permission: 'backendServices',
    regional: false,
    noun: 'backend_service',
  },
  urlMaps: { kind: 'compute#urlMap', permission: 'urlMaps', regional: false, noun: 'url_map' },
  targetHttpsProxies: {
    kind: 'compute#targetHttpsProxy',
    permission: 'targetHttpsProxies',
    regional: false,
    noun: 'target_https_proxy',
  },
  targetHttpProxies: {
    kind: 'compute#targetHttpProxy',
    permission: 'targetHttpProxies',
    regional: false,
    noun: 'target_http_proxy',
  },
  // Global forwarding rules have their own permissions (compute.globalForwardingRules.*).
  forwardingRules: {
    kind: 'compute#forwardingRule',
    permission: 'globalForwardingRules',
    regional: false,
    noun: 'forwarding_rule',
  },
};

/** What building a resource may read: the project, the stored resources, ids and the clock. */
export interface BuildContext {
  project: string;
  /** The stored resource at `projects/P/…`, if any. */
  get(path: string): Json | undefined;
  newId(): string;
  now(): string;
  newFingerprint(): string;
  /** A new ephemeral external address for a forwarding rule without one. */
  newAddress(): string;
}

const NAME = /^(?:[a-z](?:[-a-z0-9]{0,61}[a-z0-9])?)$/;
const SESSION_AFFINITIES = [
  'NONE',
  'CLIENT_IP',
  'CLIENT_IP_PORT_PROTO',
  'CLIENT_IP_PROTO',
  'GENERATED_COOKIE',
  'HEADER_FIELD',
  'HTTP_COOKIE',
  'STRONG_COOKIE_AFFINITY',
];
const CACHE_MODES = ['CACHE_ALL_STATIC', 'USE_ORIGIN_HEADERS', 'FORCE_CACHE_ALL'];
const SCHEMES = ['EXTERNAL', 'EXTERNAL_MANAGED'];

/** `projects/P/…` for a reference given as a full URL, `projects/…`, `global/…` or `regions/…`. */
export function resourcePath(link: string, project: string): string {
  const path = link.replace(/^https?:\/\/[^/]+\/compute\/(v1|beta|alpha)\//, '');
  return /^(global|regions)\//.test(path) ? `projects/${project}/${path}` : path;
}

/** The path of the stored resource a reference names, if it is of `collection`; else a 400 for `field`. */
function reference(ctx: BuildContext, field: string, value: unknown, collection: Collection): string {
  if (typeof value !== 'string' || value === '') throw invalidField(field, value ?? '');
  const path = resourcePath(value, ctx.project);
  const parts = path.split('/');
  if (parts.at(-2) !== collection)
    throw invalidField(field, value, `Must be a ${COLLECTIONS[collection].noun}.`);
  if (!ctx.get(path)) throw notFound(path);
  return path;
}

function checkName(body: Json): string {
  const name = body.name;
  if (typeof name !== 'string' || !NAME.test(name))
    throw invalidField(
      'resource.name',
      name ?? '',
      "Must be a match of regex '(?:[a-z](?:[-a-z0-9]{0,61}[a-z0-9])?)'",
    );
  return name;
}

function oneOf(field: string, value: unknown, allowed: string[], fallback: string): string {
  if (value === undefined || value === null) return fallback;
  if (typeof value !== 'string' || !allowed.includes(value)) throw invalidField(field, value);
  return value;
}

function base(ctx: BuildContext, collection: Collection, path: string, previous?: Json): Json {
  return {
    kind: COLLECTIONS[collection].kind,
    id: previous?.id ?? ctx.newId(),
    creationTimestamp: previous?.creationTimestamp ?? ctx.now(),
    name: path.split('/').at(-1),
    selfLink: COMPUTE_BASE + path,
  };
}

/** The stored form of `body` inserted (or, with `previous`, updated) at `path`; throws Google's refusal. */
export function buildResource(
  collection: Collection,
  ctx: BuildContext,
  path: string,
  body: Json,
  previous?: Json,
): Json {
  switch (collection) {
    case 'networkEndpointGroups':
      return buildNeg(ctx, path, body);
    case 'backendServices':
      return buildBackendService(ctx, path, body, previous);
    case 'urlMaps':
      return buildUrlMap(ctx, path, body, previous);
    case 'targetHttpsProxies':
    case 'targetHttpProxies':
      return buildProxy(ctx, collection, path, body);
    case 'forwardingRules':
      return buildForwardingRule(ctx, path, body);
  }
}

/** The path a new resource of `collection` named in `body` gets (after its name is checked). */
export function newPath(
  collection: Collection,
  project: string,
  region: string | undefined,
  body: Json,
): string {
  const name = checkName(body);
  const scope = COLLECTIONS[collection].regional ? `regions/${region}` : 'global';
  return `projects/${project}/${scope}/${collection}/${name}`;
}

// Serverless NEGs only: the kind that fronts Cloud Run (cloud.google.com/load-balancing/docs/negs/serverless-neg-concepts).
function buildNeg(ctx: BuildContext, path: string, body: Json): Json {
  const region = path.split('/')[3];
  if (!REGIONS.includes(region)) throw invalidField('region', region, 'Unknown region.');
  const type = body.networkEndpointType ?? 'GCE_VM_IP_PORT';
  if (type !== 'SERVERLESS')
    throw invalidField(
      'resource.networkEndpointType',
      type,
      'The emulator serves SERVERLESS network endpoint groups only.',
    );
  const run = body.cloudRun as Json | undefined;
  if (body.appEngine || body.cloudFunction || body.serverlessDeployment)
    throw invalidField(
      'resource',
      '',
      'The emulator serves Cloud Run serverless network endpoint groups only.',
    );
  if (!run || (typeof run.service !== 'string' && typeof run.urlMask !== 'string'))
    throw invalidField('resource.cloudRun', run ?? '', 'A Cloud Run NEG names a service or a URL mask.');
  const cloudRun: Json = {};
  for (const key of ['service', 'tag', 'urlMask'])
    if (typeof run[key] === 'string' && run[key] !== '') cloudRun[key] = run[key];
  return {
    ...base(ctx, 'networkEndpointGroups', path),
    networkEndpointType: 'SERVERLESS',
    size: 0,
    region: `${COMPUTE_BASE}projects/${ctx.project}/regions/${region}`,
    cloudRun,
    ...(typeof body.description === 'string' ? { description: body.description } : {}),
  };
}

/** Whether the stored backend service at `path` has a serverless NEG among its backends. */
export function hasServerlessBackend(ctx: Pick<BuildContext, 'get' | 'project'>, backends: unknown): boolean {
  return ((backends as Json[] | undefined) ?? []).some(
    (b) =>
      typeof b.group === 'string' &&
      ctx.get(resourcePath(b.group, ctx.project))?.networkEndpointType === 'SERVERLESS',
  );
}

function buildBackendService(ctx: BuildContext, path: string, body: Json, previous?: Json): Json {
  const backends = ((body.backends as Json[] | undefined) ?? []).map((b, i) => {
    const group = reference(ctx, `resource.backends[${i}].group`, b.group, 'networkEndpointGroups');
    const { group: _g, ...rest } = b;
    return { ...rest, group: COMPUTE_BASE + group };
  });
  const serverless = hasServerlessBackend(ctx, backends);
  // Google refuses a timeout on serverless backends; the default (30) that a GET shows and a whole-resource
  // update sends back is not a change (serverless-neg-concepts "Limitations with backend services";
  // terraform-google-modules/terraform-google-lb-http#358).
  if (serverless && body.timeoutSec !== undefined && Number(body.timeoutSec) !== 30)
    throw invalidField(
      'resource.timeoutSec',
      String(body.timeoutSec),
      'Timeout sec is not supported for a backend service with Serverless network endpoint groups.',
    );
  const timeoutSec = body.timeoutSec === undefined ? 30 : Number(body.timeoutSec);
  if (!Number.isInteger(timeoutSec) || timeoutSec < 1)
    throw invalidField('resource.timeoutSec', String(body.timeoutSec));
  const enableCDN = body.enableCDN === true;
  const iap = body.iap as Json | undefined;
  // IAP and Cloud CDN cannot be enabled on the same backend service (serverless-neg-concepts; iap/docs/faq).
  if (iap?.enabled === true && enableCDN)
    throw invalidField(
      'resource.iap',
      iap,
      'IAP and Cloud CDN cannot be enabled on the same backend service.',
    );
  const out: Json = {
    ...base(ctx, 'backendServices', path, previous),
    backends,
    protocol: oneOf('resource.protocol', body.protocol, ['HTTP', 'HTTPS', 'HTTP2'], 'HTTP'),
    loadBalancingScheme: oneOf('resource.loadBalancingScheme', body.loadBalancingScheme, SCHEMES, 'EXTERNAL'),
    timeoutSec,
    port: 80,
    portName: 'http',
    // Accepted on serverless backends, where it "won't work" (serverless-neg-concepts "Limitations with
    // traffic management features"): the front door ignores it, the action must flag it.
    sessionAffinity: oneOf('resource.sessionAffinity', body.sessionAffinity, SESSION_AFFINITIES, 'NONE'),
    affinityCookieTtlSec: Number(body.affinityCookieTtlSec ?? 0),
    enableCDN,
    connectionDraining: { drainingTimeoutSec: 0 },
    fingerprint: ctx.newFingerprint(),
  };
  if (enableCDN || body.cdnPolicy) out.cdnPolicy = cdnPolicy(body.cdnPolicy as Json | undefined);
  if (body.compressionMode !== undefined)
    out.compressionMode = oneOf(
      'resource.compressionMode',
      body.compressionMode,
      ['AUTOMATIC', 'DISABLED'],
      'DISABLED',
    );
  if (iap) {
    if (typeof iap.enabled !== 'boolean') throw invalidField('resource.iap.enabled', iap.enabled ?? '');
    out.iap = {
      enabled: iap.enabled,
      ...(typeof iap.oauth2ClientId === 'string' ? { oauth2ClientId: iap.oauth2ClientId } : {}),
      // The secret is write-only: a GET shows its digest, and an update that leaves it out keeps it.
      ...(typeof iap.oauth2ClientSecret === 'string'
        ? { oauth2ClientSecretSha256: sha256Hex(iap.oauth2ClientSecret) }
        : typeof iap.oauth2ClientSecretSha256 === 'string'
          ? { oauth2ClientSecretSha256: iap.oauth2ClientSecretSha256 }
          : {}),
    };
  }
  if (body.logConfig) {
    const log = body.logConfig as Json;
    const rate = log.sampleRate === undefined ? 1 : Number(log.sampleRate);
    if (!(rate >= 0 && rate <= 1))
      throw invalidField('resource.logConfig.sampleRate', String(log.sampleRate));
    out.logConfig = { enable: log.enable === true, ...(log.enable === true ? { sampleRate: rate } : {}) };
  }
  for (const key of ['description', 'healthChecks', 'customRequestHeaders', 'customResponseHeaders'])
    if (body[key] !== undefined) out[key] = body[key];
  return out;
}

// Cloud CDN's defaults for what a policy leaves out (cloud.google.com/cdn/docs/using-cache-modes).
function cdnPolicy(policy: Json = {}): Json {
  const cacheMode = oneOf('resource.cdnPolicy.cacheMode', policy.cacheMode, CACHE_MODES, 'CACHE_ALL_STATIC');
  const out: Json = {
    cacheMode,
    ...(cacheMode !== 'USE_ORIGIN_HEADERS' ? { defaultTtl: Number(policy.defaultTtl ?? 3600) } : {}),
    ...(cacheMode !== 'USE_ORIGIN_HEADERS' ? { clientTtl: Number(policy.clientTtl ?? 3600) } : {}),
    ...(cacheMode === 'CACHE_ALL_STATIC' ? { maxTtl: Number(policy.maxTtl ?? 86400) } : {}),
    negativeCaching: policy.negativeCaching === true,
    serveWhileStale: Number(policy.serveWhileStale ?? 0),
    signedUrlCacheMaxAgeSec: String(policy.signedUrlCacheMaxAgeSec ?? '0'),
    cacheKeyPolicy: policy.cacheKeyPolicy ?? {
      includeHost: true,
      includeProtocol: true,
      includeQueryString: true,
    },
  };
  return out;
}

function buildUrlMap(ctx: BuildContext, path: string, body: Json, previous?: Json): Json {
  const service = (field: string, value: unknown): string =>
    COMPUTE_BASE + reference(ctx, field, value, 'backendServices');
  const matchers = ((body.pathMatchers as Json[] | undefined) ?? []).map((m, i) => {
    const at = `resource.pathMatchers[${i}]`;
    if (typeof m.name !== 'string' || !NAME.test(m.name)) throw invalidField(`${at}.name`, m.name ?? '');
    const pathRules = ((m.pathRules as Json[] | undefined) ?? []).map((r, j) => ({
      paths: checkPaths(`${at}.pathRules[${j}].paths`, r.paths),
      service: service(`${at}.pathRules[${j}].service`, r.service),
      ...routeAction(`${at}.pathRules[${j}].routeAction`, r.routeAction),
    }));
    return {
      name: m.name,
      ...(m.defaultService !== undefined
        ? { defaultService: service(`${at}.defaultService`, m.defaultService) }
        : {}),
      ...(pathRules.length > 0 ? { pathRules } : {}),
      ...routeAction(`${at}.defaultRouteAction`, m.defaultRouteAction, 'defaultRouteAction'),
    };
  });
  const names = new Set(matchers.map((m) => m.name));
  const hostRules = ((body.hostRules as Json[] | undefined) ?? []).map((h, i) => {
    const hosts = h.hosts;
    if (
      !Array.isArray(hosts) ||
      hosts.length === 0 ||
      hosts.some((x) => typeof x !== 'string' || !validHost(x))
    )
      throw invalidField(`resource.hostRules[${i}].hosts`, hosts ?? '');
    if (typeof h.pathMatcher !== 'string' || !names.has(h.pathMatcher))
      throw invalidField(
        `resource.hostRules[${i}].pathMatcher`,
        h.pathMatcher ?? '',
        'No path matcher has this name.',
      );
    return { hosts, pathMatcher: h.pathMatcher };
  });
  return {
    ...base(ctx, 'urlMaps', path, previous),
    ...(body.defaultService !== undefined
      ? { defaultService: service('resource.defaultService', body.defaultService) }
      : {}),
    ...(hostRules.length > 0 ? { hostRules } : {}),
    ...(matchers.length > 0 ? { pathMatchers: matchers } : {}),
    ...routeAction('resource.defaultRouteAction', body.defaultRouteAction, 'defaultRouteAction'),
    fingerprint: ctx.newFingerprint(),
  };
}

// "Each must start with / and the only place a * is allowed is at the end following a /"; no ? or #
// (compute/v1 urlMaps PathRule.paths).
function checkPaths(field: string, paths: unknown): string[] {
  if (!Array.isArray(paths) || paths.length === 0) throw invalidField(field, paths ?? '');
  for (const p of paths) {
    if (
      typeof p !== 'string' ||
      !p.startsWith('/') ||
      /[?#]/.test(p) ||
      (p.includes('*') && !/^[^*]*\/\*$/.test(p))
    )
      throw invalidField(field, p, 'Each path must start with / and may hold * only at its end, after a /.');
  }
  return paths as string[];
}

// "* must be the first character and must be followed in the pattern by either - or ." (HostRule.hosts).
function validHost(host: string): boolean {
  return host === '*' || /^(\*[-.])?[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/i.test(host);
}

// HttpRouteAction.timeout is a Duration object: `{ seconds: '30', nanos: 0 }` (int64 seconds as a string).
function routeAction(field: string, action: unknown, key = 'routeAction'): Json {
  if (action === undefined || action === null) return {};
  const out: Json = { ...(action as Json) };
  const timeout = out.timeout as Json | undefined;
  if (timeout !== undefined) {
    const seconds = Number(timeout.seconds ?? 0);
    const nanos = Number(timeout.nanos ?? 0);
    if (
      !Number.isInteger(seconds) ||
      seconds < 0 ||
      !Number.isInteger(nanos) ||
      nanos < 0 ||
      nanos > 999_999_999
    )
      throw invalidField(`${field}.timeout`, timeout);
    out.timeout = { seconds: String(seconds), ...(nanos > 0 ? { nanos } : {}) };
  }
  return { [key]: out };
}

function buildProxy(ctx: BuildContext, collection: Collection, path: string, body: Json): Json {
  const urlMap = COMPUTE_BASE + reference(ctx, 'resource.urlMap', body.urlMap, 'urlMaps');
  return {
    ...base(ctx, collection, path),
    urlMap,
    ...(collection === 'targetHttpsProxies'
      ? { sslCertificates: (body.sslCertificates as string[] | undefined) ?? [], quicOverride: 'NONE' }
      : {}),
    fingerprint: ctx.newFingerprint(),
  };
}

function buildForwardingRule(ctx: BuildContext, path: string, body: Json): Json {
  if (typeof body.target !== 'string') throw invalidField('resource.target', body.target ?? '');
  const targetPath = resourcePath(body.target, ctx.project);
  const kind = targetPath.split('/').at(-2);
  if (kind !== 'targetHttpsProxies' && kind !== 'targetHttpProxies')
    throw invalidField('resource.target', body.target, 'The emulator serves HTTP(S) target proxies only.');
  reference(ctx, 'resource.target', body.target, kind);
  const ports = String(body.portRange ?? (kind === 'targetHttpsProxies' ? '443' : '80'));
  const m = /^(\d+)(?:-(\d+))?$/.exec(ports);
  if (!m) throw invalidField('resource.portRange', ports);
  return {
    ...base(ctx, 'forwardingRules', path),
    IPAddress: typeof body.IPAddress === 'string' ? body.IPAddress : ctx.newAddress(),
    IPProtocol: oneOf('resource.IPProtocol', body.IPProtocol, ['TCP'], 'TCP'),
    portRange: `${m[1]}-${m[2] ?? m[1]}`,
    target: COMPUTE_BASE + targetPath,
    loadBalancingScheme: oneOf('resource.loadBalancingScheme', body.loadBalancingScheme, SCHEMES, 'EXTERNAL'),
    networkTier: 'PREMIUM',
    ipVersion: 'IPV4',
    fingerprint: ctx.newFingerprint(),
    labelFingerprint: '42WmSpB8rSM=',
  };
}

/** The paths of the stored resources `resource` refers to (for refusing deletes of resources in use). */
export function referencesOf(resource: Json, project: string): string[] {
  const links: string[] = [];
  const visit = (value: unknown): void => {
    if (typeof value === 'string' && value.startsWith(COMPUTE_BASE) && value !== resource.selfLink)
      links.push(resourcePath(value, project));
    else if (Array.isArray(value)) value.forEach(visit);
    else if (value && typeof value === 'object') Object.values(value).forEach(visit);
  };
  const { region: _r, selfLink: _s, ...rest } = resource;
  visit(rest);
  return links;
}

/** A refusal to delete a resource another one still uses. */
export function inUse(collection: Collection, path: string, user: string): ComputeError {
  return new ComputeError(
    400,
    'resourceInUseByAnotherResource',
    `The ${COLLECTIONS[collection].noun} resource '${path}' is already being used by '${user}'`,
  );
}

function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
