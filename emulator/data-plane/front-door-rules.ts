// The load balancer's decisions, kept pure so the front door (front-door.ts) stays about moving bytes: which
// backend service a URL map picks for a host and path, which Cloud Run service and tag a serverless NEG
// names, what IAP answers a request without valid credentials, and what Cloud CDN caches or compresses.
// Each rule's source is in emulator/README.md "Load-balancer front door".
import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';
import type { IdTokenClaims } from '../model';
import type { ErrorPage } from './error-pages';

type Json = Record<string, unknown>;

/** What the URL map chose: a backend service link and the route's timeout, if it has one. */
export interface UrlMapChoice {
  service?: string;
  timeoutMs?: number;
}

/** The host a request names, lowercased, without its port. */
export function requestHost(header: string | undefined): string {
  const host = (header ?? '').trim().toLowerCase();
  if (host.startsWith('[')) return host.slice(0, host.indexOf(']') + 1);
  return host.replace(/:\d+$/, '');
}

/**
 * The URL map's choice for `host` and `path` (query and fragment ignored): the host rule whose hosts
 * match (an exact host first, then the longest `*.suffix` / `*-suffix`, then `*`) picks a path matcher,
 * whose path rules match longest-path-first (`/x/*` is a prefix match on `/x/`); no rule → that matcher's
 * default service; no host rule → the URL map's default service.
 */
export function chooseBackend(urlMap: Json, host: string, rawPath: string): UrlMapChoice {
  const path = rawPath.split(/[?#]/)[0] || '/';
  const matcherName = matchHostRule((urlMap.hostRules as Json[] | undefined) ?? [], host);
  const matcher = ((urlMap.pathMatchers as Json[] | undefined) ?? []).find((m) => m.name === matcherName);
  if (!matcher) return withTimeout(urlMap.defaultService, urlMap.defaultRouteAction);
  let best: { rule: Json; score: number } | undefined;
  for (const rule of (matcher.pathRules as Json[] | undefined) ?? []) {
    for (const pattern of (rule.paths as string[] | undefined) ?? []) {
      const score = pathScore(pattern, path);
      if (score >= 0 && (!best || score > best.score)) best = { rule, score };
    }
  }
  if (best) return withTimeout(best.rule.service, best.rule.routeAction);
  return withTimeout(matcher.defaultService ?? urlMap.defaultService, matcher.defaultRouteAction);
}

function withTimeout(service: unknown, action: unknown): UrlMapChoice {
  const timeout = (action as Json | undefined)?.timeout as Json | undefined;
  const ms =
    timeout === undefined
      ? undefined
      : Number(timeout.seconds ?? 0) * 1000 + Number(timeout.nanos ?? 0) / 1e6;
  return {
    ...(typeof service === 'string' ? { service } : {}),
    ...(ms !== undefined ? { timeoutMs: ms } : {}),
  };
}

function matchHostRule(rules: Json[], host: string): string | undefined {
  let best: { matcher: string; score: number } | undefined;
  for (const rule of rules) {
    for (const pattern of (rule.hosts as string[] | undefined) ?? []) {
      const p = pattern.toLowerCase();
      let score = -1;
      if (p === host) score = 10_000;
      else if (p === '*') score = 0;
      else if (p.startsWith('*') && host.endsWith(p.slice(1)) && host.length > p.length - 1)
        score = /^[a-z0-9.-]*$/.test(host.slice(0, host.length - p.length + 1)) ? p.length : -1;
      if (score >= 0 && (!best || score > best.score)) best = { matcher: String(rule.pathMatcher), score };
    }
  }
  return best?.matcher;
}

// An exact path outranks a prefix of the same length; longer wins.
function pathScore(pattern: string, path: string): number {
  if (pattern.endsWith('/*')) {
    const prefix = pattern.slice(0, -1);
    return path.startsWith(prefix) ? prefix.length * 2 : -1;
  }
  return pattern === path ? pattern.length * 2 + 1 : -1;
}

/** The Cloud Run service (`service`, short name) and tag a serverless NEG sends this request to. */
export function negTarget(
  cloudRun: Json,
  host: string,
  rawPath: string,
): { service: string; tag?: string } | undefined {
  if (typeof cloudRun.urlMask !== 'string' || cloudRun.urlMask === '') {
    if (typeof cloudRun.service !== 'string') return undefined;
    return { service: cloudRun.service, ...(typeof cloudRun.tag === 'string' ? { tag: cloudRun.tag } : {}) };
  }
  // A URL mask such as `example.com/<service>` or `<tag>.example.com/<service>`: the parts are read
  // from the request's host and path (serverless-neg-concepts "URL masks").
  const mask = cloudRun.urlMask;
  const slash = mask.indexOf('/');
  const hostMask = slash < 0 ? mask : mask.slice(0, slash);
  const pathMask = slash < 0 ? '' : mask.slice(slash);
  const names: string[] = [];
  const pattern = (text: string): string =>
    text
      .split(/(<service>|<tag>)/)
      .map((part) => {
        if (part === '<service>' || part === '<tag>') {
          names.push(part.slice(1, -1));
          return '([a-z0-9-]+)';
        }
        return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      })
      .join('');
  const re = new RegExp(`^${hostMask ? pattern(hostMask) : '[^/]*'}${pattern(pathMask)}(?:/|$)`);
  const m = re.exec(`${host}${rawPath.split(/[?#]/)[0]}`);
  if (!m) return undefined;
  const found: Record<string, string> = {};
  names.forEach((name, i) => (found[name] = m[i + 1]));
  const service = found.service ?? (typeof cloudRun.service === 'string' ? cloudRun.service : undefined);
  if (!service) return undefined;
  const tag = found.tag ?? (typeof cloudRun.tag === 'string' ? cloudRun.tag : undefined);
  return { service, ...(tag ? { tag } : {}) };
}

/** IAP's verdict: the identity it passes on, or its own answer. */
export type IapVerdict = { identity: IdTokenClaims } | { page: ErrorPage };

/**
 * IAP in front of a backend service: a bearer ID token (in `Proxy-Authorization`, else `Authorization`)
 * signed by Google (here: the IAM Credentials fake) whose audience is the backend's OAuth client id.
 * Without a token: a 302 to Google's sign-in for a client that can follow it, a 401 for one that says it
 * cannot (an XMLHttpRequest, or an Accept naming neither HTML nor anything); body `Invalid IAP
 * credentials: empty token`. A token that is not a JWT, is not signed, or is for another audience: 401.
 */
export function checkIap(
  headers: IncomingHttpHeaders,
  clientId: string | undefined,
  verify: (token: string) => IdTokenClaims | undefined,
  nonce: string,
): IapVerdict {
  const header = String(headers['proxy-authorization'] ?? headers.authorization ?? '');
  const token = /^Bearer\s+(\S+)/i.exec(header)?.[1];
  if (!token) {
    const accept = String(headers.accept ?? '');
    const ajax = String(headers['x-requested-with'] ?? '').toLowerCase() === 'xmlhttprequest';
    const followsRedirects = !ajax && (accept === '' || /text\/html|\*\/\*/.test(accept));
    if (!followsRedirects) return { page: iapPage(401, 'empty token') };
    const id = clientId ?? 'iap-managed.apps.googleusercontent.com';
    const location =
      `https://accounts.google.com/o/oauth2/v2/auth?client_id=${encodeURIComponent(id)}` +
      `&response_type=code&scope=openid+email&redirect_uri=${encodeURIComponent(`https://iap.googleapis.com/v1/oauth/clientIds/${id}:handleRedirect`)}` +
      `&state=${nonce}`;
    return {
      page: iapPage(302, 'empty token', {
        location,
        'set-cookie': `GCP_IAP_XSRF_NONCE_${nonce}=1; Max-Age=600; Path=/; Secure; HttpOnly`,
      }),
    };
  }
  if (!isJwt(token)) return { page: iapPage(401, 'Unable to parse JWT') };
  const claims = verify(token);
  if (!claims) return { page: iapPage(401, 'JWT signature is invalid') };
  if (!clientId || claims.aud !== clientId)
    return { page: iapPage(401, 'Invalid bearer token. Invalid JWT audience.') };
  return { identity: claims };
}

function iapPage(status: 302 | 401, why: string, headers: Record<string, string> = {}): ErrorPage {
  return {
    status,
    contentType: 'text/html; charset=utf-8',
    body: `Invalid IAP credentials: ${why}`,
    headers: { 'x-goog-iap-generated-response': 'true', ...headers },
  };
}

function isJwt(token: string): boolean {
  const parts = token.split('.');
  if (parts.length !== 3) return false;
  try {
    return typeof JSON.parse(Buffer.from(parts[0], 'base64url').toString('utf8')) === 'object';
  } catch {
    return false;
  }
}

/** Cloud CDN's cache settings for a backend service, or undefined when CDN is off. */
export interface CdnSettings {
  cacheMode: 'CACHE_ALL_STATIC' | 'USE_ORIGIN_HEADERS' | 'FORCE_CACHE_ALL';
  defaultTtl: number;
  maxTtl: number;
}

export function cdnSettings(backend: Json): CdnSettings | undefined {
  if (backend.enableCDN !== true) return undefined;
  const policy = (backend.cdnPolicy as Json | undefined) ?? {};
  return {
    cacheMode: (policy.cacheMode as CdnSettings['cacheMode'] | undefined) ?? 'CACHE_ALL_STATIC',
    defaultTtl: Number(policy.defaultTtl ?? 3600),
    maxTtl: Number(policy.maxTtl ?? 86400),
  };
}

const SUCCESS = [200, 203, 204, 206];
const STATIC_TYPES =
  /^(image|video|audio|font)\/|^text\/(css|javascript)|^application\/(javascript|x-javascript|wasm|pdf|octet-stream)/i;

/**
 * How long Cloud CDN keeps this response (ms), or 0 when it does not cache it. FORCE_CACHE_ALL caches
 * every successful response whatever its Cache-Control says; CACHE_ALL_STATIC caches static content and
 * responses with valid directives; USE_ORIGIN_HEADERS only the latter. A `Set-Cookie`, or (outside
 * FORCE_CACHE_ALL) `private` / `no-store` / `no-cache`, keeps a response out.
 */
export function cacheTtlMs(
  cdn: CdnSettings,
  method: string,
  status: number,
  headers: OutgoingHttpHeaders,
): number {
  if ((method !== 'GET' && method !== 'HEAD') || !SUCCESS.includes(status) || headers['set-cookie']) return 0;
  if (cdn.cacheMode === 'FORCE_CACHE_ALL') return cdn.defaultTtl * 1000;
  const cc = String(headers['cache-control'] ?? '').toLowerCase();
  if (/\b(private|no-store|no-cache)\b/.test(cc)) return 0;
  const age = /\bs-maxage=(\d+)/.exec(cc)?.[1] ?? /\bmax-age=(\d+)/.exec(cc)?.[1];
  if (age !== undefined && Number(age) > 0) return Math.min(Number(age), cdn.maxTtl) * 1000;
  if (cdn.cacheMode === 'CACHE_ALL_STATIC' && STATIC_TYPES.test(String(headers['content-type'] ?? '')))
    return cdn.defaultTtl * 1000;
  return 0;
}

const COMPRESSIBLE =
  /^(text\/[-+.\w]+|application\/(json|javascript|x-javascript|xml|ld\+json|manifest\+json|vnd\.apple\.mpegurl|dash\+xml)|image\/svg\+xml)\b/i;

/**
 * The encoding dynamic compression gives this response, if any: with `compressionMode: AUTOMATIC` (CDN on
 * or not: the harsher reading), for a client whose Accept-Encoding names br (preferred) or gzip, a
 * compressible type (text/*, text/event-stream included, JSON, JavaScript, XML, SVG) not already encoded.
 */
export function compressionFor(
  backend: Json,
  acceptEncoding: string | undefined,
  headers: OutgoingHttpHeaders,
): 'br' | 'gzip' | undefined {
  if (backend.compressionMode !== 'AUTOMATIC') return undefined;
  if (headers['content-encoding'] || !COMPRESSIBLE.test(String(headers['content-type'] ?? '')))
    return undefined;
  const accepted = (acceptEncoding ?? '')
    .split(',')
    .map((part) => part.trim().split(';'))
    .filter(([, q]) => !q || Number(q.trim().replace(/^q=/, '')) > 0)
    .map(([name]) => name.trim().toLowerCase());
  if (accepted.includes('br')) return 'br';
  if (accepted.includes('gzip')) return 'gzip';
  return undefined;
}

/** Dynamic compression's size window: from 1 KiB to 10 MiB. */
export function compressibleSize(bytes: number): boolean {
  return bytes >= 1024 && bytes <= 10 * 1024 * 1024;
}
