// The emulator's stand-ins for GitHub's OIDC token endpoint, Google STS and IAM Credentials, served on the
// emulator's own HTTP server so the real google-auth-library runs the whole Workload Identity Federation
// chain against them (docs/platform.md "Workload Identity Federation", "Private smoke requests").
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Faults } from '../faults';
import type { IdTokenClaims, TokenVerifier } from '../model';
import { AccessTokenStore } from './access-token-store';
import { googleErrorBody } from './error-bodies';
import { createGitHubOidc, type GitHubRunnerIdentity } from './github-oidc';
import { sendJson } from './http-io';
import { createIamCredentials, GOOGLE_ID_TOKEN_ISSUER } from './iam-credentials';
import { createSigningKey, verifyJwt } from './jwt';
import { createSts } from './sts';
import { providerAudienceOf } from './workload-identity';

export type { GitHubRunnerIdentity } from './github-oidc';

export interface WorkloadIdentityConfig {
  /** Project number owning the pool, e.g. '123456789'. */
  projectNumber: string;
  /** Workload identity pool id, e.g. 'github'. */
  poolId: string;
  /** Provider id in the pool, e.g. 'stream-deploy'. */
  providerId: string;
  /** Attribute condition: repositories ('owner/repo') whose OIDC tokens the provider accepts. */
  allowedRepositories: string[];
  /**
   * Service account email -> members holding roles/iam.workloadIdentityUser on it, as principal or
   * principalSet strings, e.g.
   * 'principalSet://iam.googleapis.com/projects/NUM/locations/global/workloadIdentityPools/POOL/attribute.repository/owner/repo'.
   */
  serviceAccounts: Record<string, { workloadIdentityUsers: string[] }>;
}

export interface AuthFakesOptions {
  /** Fault registry: failures for 'github.oidc', 'sts.token', 'iamcredentials.*' and settings.tokenLifetimeSeconds. */
  faults: Faults;
  wif: WorkloadIdentityConfig;
  /** Claims the fake GitHub OIDC endpoint puts into its JWTs. */
  runner: GitHubRunnerIdentity;
  /** Bearer the runner uses to ask GitHub for an OIDC token (what ACTIONS_ID_TOKEN_REQUEST_TOKEN holds). */
  requestToken: string;
  /** Clock in epoch ms, for tests of expiry; defaults to Date.now. */
  now?: () => number;
}

export interface AuthFakes {
  /** Handles the request if its path belongs to the auth fakes; resolves false otherwise (caller routes it elsewhere). */
  handle(req: IncomingMessage, res: ServerResponse): Promise<boolean>;
  verifier: TokenVerifier;
  /** Paths relative to the server's base URL. */
  paths: { oidcRequestPath: string; stsTokenPath: string; iamCredentialsBasePath: string };
  /** Audience string of the provider: '//iam.googleapis.com/projects/NUM/locations/global/workloadIdentityPools/POOL/providers/PROV'. */
  providerAudience: string;
}

const OIDC_PATH = '/github/oidc/token';
const STS_PATH = '/sts/v1/token';
const IAM_CREDENTIALS_BASE = '/iamcredentials/v1';

/** Builds the three fakes over shared state; tokens they mint are never logged. */
export function createAuthFakes(options: AuthFakesOptions): AuthFakes {
  const now = options.now ?? Date.now;
  const { faults, wif } = options;
  const store = new AccessTokenStore(now);
  const idTokenKey = createSigningKey('google-id-token');
  const github = createGitHubOidc({
    faults,
    runner: options.runner,
    requestToken: options.requestToken,
    now,
  });
  const sts = createSts({
    faults,
    provider: wif,
    allowedRepositories: wif.allowedRepositories,
    github,
    store,
    now,
  });
  const iamCredentials = createIamCredentials({
    faults,
    provider: wif,
    serviceAccounts: wif.serviceAccounts,
    store,
    idTokenKey,
    now,
  });

  const verifier: TokenVerifier = {
    verifyAccessToken(token) {
      const entry = store.lookup(token);
      return entry && { principal: entry.principal, kind: entry.kind, expiresAt: entry.expiresAt };
    },
    verifyIdToken(token) {
      const claims = verifyJwt(idTokenKey, token);
      if (!claims || claims.iss !== GOOGLE_ID_TOKEN_ISSUER) return undefined;
      const { aud, sub, email, exp, iat } = claims;
      if (
        typeof aud !== 'string' ||
        typeof sub !== 'string' ||
        typeof exp !== 'number' ||
        typeof iat !== 'number'
      )
        return undefined;
      if (exp * 1000 <= now()) return undefined;
      const result: IdTokenClaims = { iss: GOOGLE_ID_TOKEN_ISSUER, aud, sub, exp, iat };
      if (typeof email === 'string') result.email = email;
      return result;
    },
  };

  async function route(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname === OIDC_PATH) {
      github.handleTokenRequest(req, res, url);
      return true;
    }
    if (url.pathname === STS_PATH) {
      await sts(req, res);
      return true;
    }
    if (url.pathname.startsWith(`${IAM_CREDENTIALS_BASE}/`)) {
      await iamCredentials(req, res, url.pathname.slice(IAM_CREDENTIALS_BASE.length));
      return true;
    }
    return false;
  }

  return {
    async handle(req, res) {
      try {
        return await route(req, res);
      } catch (error) {
        if (!res.headersSent)
          sendJson(res, 500, googleErrorBody(500, `auth fake failed: ${(error as Error).message}`));
        else res.destroy();
        return true;
      }
    },
    verifier,
    paths: {
      oidcRequestPath: `${OIDC_PATH}?api-version=2.0`,
      stsTokenPath: STS_PATH,
      iamCredentialsBasePath: IAM_CREDENTIALS_BASE,
    },
    providerAudience: providerAudienceOf(wif),
  };
}
