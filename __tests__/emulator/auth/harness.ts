// Shared pieces of the auth fakes' tests: the pool, provider and service accounts of a GitHub Actions job's
// Workload Identity Federation, the fakes behind a local HTTP server, and clients configured the way
// google-github-actions/auth configures them (docs/platform.md "Workload Identity Federation").
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { jest } from '@jest/globals';
import { IdentityPoolClient, Impersonated } from 'google-auth-library';
import {
  createAuthFakes,
  type AuthFakes,
  type GitHubRunnerIdentity,
} from '../../../emulator/auth/auth-fakes';
import { Faults } from '../../../emulator/faults';

export const PROJECT = '123456789';
export const POOL = 'github';
export const PROVIDER = 'stream-deploy';
export const REPO = 'acme/stream-api';
export const POOL_NAME = `projects/${PROJECT}/locations/global/workloadIdentityPools/${POOL}`;
export const DEPLOYER = 'deployer@demo-project.iam.gserviceaccount.com';
export const UNBOUND = 'unbound@demo-project.iam.gserviceaccount.com';
export const REQUEST_TOKEN = 'request-token-for-this-job';
export const OIDC_AUDIENCE = `https://iam.googleapis.com/${POOL_NAME}/providers/${PROVIDER}`;
export const RUN_APP_URL = 'https://api-abc123-uc.a.run.app';

export const RUNNER: GitHubRunnerIdentity = {
  repository: REPO,
  ref: 'refs/heads/main',
  sha: '0123456789abcdef0123456789abcdef01234567',
  workflow: 'deploy',
  actor: 'octocat',
  eventName: 'push',
  runId: '4242',
};

export interface Harness {
  base: string;
  fakes: AuthFakes;
  faults: Faults;
  /** Requests that reached the OIDC endpoint (each one a fresh subject token when it succeeds). */
  oidcRequests: () => number;
  close: () => Promise<void>;
}

export interface HarnessOptions {
  runner?: Partial<GitHubRunnerIdentity>;
  allowedRepositories?: string[];
  now?: () => number;
}

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const faults = new Faults();
  const fakes = createAuthFakes({
    faults,
    wif: {
      projectNumber: PROJECT,
      poolId: POOL,
      providerId: PROVIDER,
      allowedRepositories: options.allowedRepositories ?? [REPO],
      serviceAccounts: {
        [DEPLOYER]: {
          workloadIdentityUsers: [
            `principalSet://iam.googleapis.com/${POOL_NAME}/attribute.repository/${REPO}`,
          ],
        },
        [UNBOUND]: { workloadIdentityUsers: [] },
      },
    },
    runner: { ...RUNNER, ...options.runner },
    requestToken: REQUEST_TOKEN,
    now: options.now,
  });
  let oidcRequests = 0;
  const server: Server = createServer((req, res) => {
    if (req.url?.startsWith('/github/oidc/')) oidcRequests += 1;
    void fakes.handle(req, res).then((handled) => {
      if (!handled) {
        res.writeHead(404);
        res.end();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    base: `http://127.0.0.1:${port}`,
    fakes,
    faults,
    oidcRequests: () => oidcRequests,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

export interface ClientOptions {
  requestToken?: string;
  /** Impersonate this service account; omitted means direct WIF (a federated token). */
  serviceAccount?: string;
  eagerRefreshThresholdMillis?: number;
}

/** An IdentityPoolClient configured like a GitHub Actions job (a credentials file from google-github-actions/auth). */
export function jobCredentials(h: Harness, options: ClientOptions = {}): IdentityPoolClient {
  const { fakes, base } = h;
  return new IdentityPoolClient({
    type: 'external_account',
    audience: fakes.providerAudience,
    subject_token_type: 'urn:ietf:params:oauth:token-type:jwt',
    token_url: base + fakes.paths.stsTokenPath,
    credential_source: {
      url: `${base}${fakes.paths.oidcRequestPath}&audience=${encodeURIComponent(OIDC_AUDIENCE)}`,
      headers: { Authorization: `Bearer ${options.requestToken ?? REQUEST_TOKEN}` },
      format: { type: 'json', subject_token_field_name: 'value' },
    },
    ...(options.serviceAccount
      ? {
          service_account_impersonation_url: `${base}${fakes.paths.iamCredentialsBasePath}/projects/-/serviceAccounts/${options.serviceAccount}:generateAccessToken`,
        }
      : {}),
    ...(options.eagerRefreshThresholdMillis
      ? { eagerRefreshThresholdMillis: options.eagerRefreshThresholdMillis }
      : {}),
  });
}

/** google-auth-library's Impersonated wrapper pointed at the IAM Credentials fake (docs/platform.md "google-auth-library"). */
export function impersonated(h: Harness, source: IdentityPoolClient, targetPrincipal: string): Impersonated {
  const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
  try {
    return new Impersonated({
      sourceClient: source,
      targetPrincipal,
      targetScopes: ['https://www.googleapis.com/auth/cloud-platform'],
      endpoint: h.base + '/iamcredentials',
    });
  } finally {
    warn.mockRestore();
  }
}

export function decodeJwtPayload(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8')) as Record<
    string,
    unknown
  >;
}

export async function postJson(
  url: string,
  body: unknown,
  bearer?: string,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(bearer ? { authorization: `Bearer ${bearer}` } : {}) },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

export async function fetchOidcToken(h: Harness, audience?: string, requestToken = REQUEST_TOKEN) {
  const query = audience === undefined ? '' : `&audience=${encodeURIComponent(audience)}`;
  const res = await fetch(`${h.base}${h.fakes.paths.oidcRequestPath}${query}`, {
    headers: { authorization: `Bearer ${requestToken}` },
  });
  return {
    status: res.status,
    body: (await res.json()) as { value?: string; count?: number; message?: string },
  };
}

export function stsJsonExchange(h: Harness, subjectToken: string, overrides: Record<string, unknown> = {}) {
  return postJson(h.base + h.fakes.paths.stsTokenPath, {
    grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
    audience: h.fakes.providerAudience,
    scope: 'https://www.googleapis.com/auth/cloud-platform',
    requested_token_type: 'urn:ietf:params:oauth:token-type:access_token',
    subject_token: subjectToken,
    subject_token_type: 'urn:ietf:params:oauth:token-type:jwt',
    ...overrides,
  });
}

export const federatedPrincipal = `principal://iam.googleapis.com/${POOL_NAME}/subject/repo:${REPO}:ref:refs/heads/main`;
