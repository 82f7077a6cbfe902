// The Google auth adapter against the emulator's GitHub OIDC, STS and IAM Credentials fakes and its Cloud
// Run API, over real HTTP through the real google-auth-library and @google-cloud/run (docs/platform.md "Workload Identity Federation").
import diagnosticsChannel from 'node:diagnostics_channel';
import type { IncomingMessage } from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ServicesClient } from '@google-cloud/run';
import { startEmulator, type Emulator, type EmulatorEndpoints } from '../../emulator/emulator';
import { StepError } from '../../src/errors';
import {
  createGoogleAuth,
  resolveEndpoints,
  PRODUCTION_ENDPOINTS,
  type GoogleAuth,
  type ResolvedEndpoints,
} from '../../src/adapters/google-auth';
import { PRODUCTION_OBSERVABILITY } from '../../src/adapters/google-endpoints';
import { LRO } from '../../emulator/clients';

const IMAGE = 'us-docker.pkg.dev/demo/streams/stream-app:v1';
const REPOSITORY = 'acme/streams';

/** Every request any in-process HTTP server (the emulator's API and its service routers) received. */
const received: Array<{ url: string; authorization?: string }> = [];
const recordRequest = (message: unknown) => {
  const { request } = message as { request: IncomingMessage };
  received.push({ url: request.url ?? '', authorization: request.headers.authorization });
};

let emulator: Emulator;
let e: EmulatorEndpoints;
let endpoints: ResolvedEndpoints;
const clients: ServicesClient[] = [];
const tempDirs: string[] = [];

beforeAll(async () => {
  diagnosticsChannel.subscribe('http.server.request.start', recordRequest);
  emulator = await startEmulator({ startupDeadlineMs: 5000 });
  e = emulator.endpoints;
  endpoints = endpointsFor(e);
});

afterAll(async () => {
  diagnosticsChannel.unsubscribe('http.server.request.start', recordRequest);
  await Promise.all(clients.map((c) => c.close()));
  await emulator?.stop();
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});

afterEach(() => emulator.faults.reset());

function endpointsFor(emu: EmulatorEndpoints): ResolvedEndpoints {
  return resolveEndpoints({
    STREAM_DEPLOY_ENDPOINTS: JSON.stringify({
      sts: emu.sts,
      iamCredentials: emu.iamCredentials,
      runApi: emu.runApi.url,
    }),
  });
}

/** The variables a GitHub job with `permissions: id-token: write` has. */
function jobEnv(emu: EmulatorEndpoints = e): NodeJS.ProcessEnv {
  return {
    ACTIONS_ID_TOKEN_REQUEST_URL: emu.githubOidc.requestUrl,
    ACTIONS_ID_TOKEN_REQUEST_TOKEN: emu.githubOidc.requestToken,
    GITHUB_REPOSITORY: REPOSITORY,
  };
}

function servicesFor(auth: GoogleAuth, resolved: ResolvedEndpoints = endpoints): ServicesClient {
  const client = new ServicesClient({ ...resolved.runApi, fallback: true, authClient: auth.client() });
  clients.push(client);
  return client;
}

function parentOf(emu: EmulatorEndpoints): string {
  return `projects/${emu.project}/locations/us-central1`;
}

function wif(
  options: {
    serviceAccount?: string;
    provider?: string;
    env?: NodeJS.ProcessEnv;
    emu?: EmulatorEndpoints;
  } = {},
) {
  const masked: string[] = [];
  const emu = options.emu ?? e;
  const auth = createGoogleAuth({
    workloadIdentityProvider: options.provider ?? emu.workloadIdentityProvider,
    serviceAccount: options.serviceAccount,
    env: options.env ?? jobEnv(emu),
    endpoints: emu === e ? endpoints.google : endpointsFor(emu).google,
    mask: (secret) => masked.push(secret),
  });
  return { auth, masked };
}

/** An external_account credentials file shaped like the one google-github-actions/auth writes, pointed at the emulator. */
function writeCredentialsFile(emu: EmulatorEndpoints, impersonate: boolean): string {
  const dir = mkdtempSync(join(tmpdir(), 'gha-creds-'));
  tempDirs.push(dir);
  const path = join(dir, 'gha-creds-test.json');
  const audience = `https://iam.googleapis.com/${emu.workloadIdentityProvider}`;
  writeFileSync(
    path,
    JSON.stringify({
      type: 'external_account',
      audience: `//iam.googleapis.com/${emu.workloadIdentityProvider}`,
      subject_token_type: 'urn:ietf:params:oauth:token-type:jwt',
      token_url: emu.sts,
      ...(impersonate
        ? {
            service_account_impersonation_url: `${emu.iamCredentials}/projects/-/serviceAccounts/${emu.serviceAccount}:generateAccessToken`,
          }
        : {}),
      credential_source: {
        url: `${emu.githubOidc.requestUrl}&audience=${encodeURIComponent(audience)}`,
        headers: { Authorization: `Bearer ${emu.githubOidc.requestToken}` },
        format: { type: 'json', subject_token_field_name: 'value' },
      },
    }),
  );
  return path;
}

function jwtPayload(token: string): Record<string, unknown> | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  try {
    return JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8')) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

async function createPrivateService(auth: GoogleAuth, id: string): Promise<string> {
  const [op] = await servicesFor(auth).createService(
    { parent: parentOf(e), serviceId: id, service: { template: { containers: [{ image: IMAGE }] } } },
    LRO,
  );
  const [svc] = await op.promise();
  return svc.uri as string;
}

describe('Workload Identity Federation', () => {
  test('with a service account: the impersonated token lists services on the Cloud Run API', async () => {
    const { auth } = wif({ serviceAccount: e.serviceAccount });
    expect(auth.describe()).toBe(
      `Workload Identity Federation (provider ${e.workloadIdentityProvider}, impersonating ${e.serviceAccount})`,
    );
    const [list] = await servicesFor(auth).listServices({ parent: parentOf(e) });
    expect(Array.isArray(list)).toBe(true);
  });

  test('direct (no service account): the federated token lists services; ID tokens are refused (docs/platform.md "Service account impersonation")', async () => {
    const { auth } = wif();
    expect(auth.describe()).toContain('direct');
    const [list] = await servicesFor(auth).listServices({ parent: parentOf(e) });
    expect(Array.isArray(list)).toBe(true);
    const before = received.length;
    const refusal = auth.idToken('http://127.0.0.1:1');
    await expect(refusal).rejects.toThrow(StepError);
    await expect(refusal).rejects.toThrow(/direct Workload Identity Federation.*cannot mint ID tokens/);
    await expect(refusal).rejects.toThrow(/`service_account`.*`allow_unauthenticated: true`/);
    expect(received.length).toBe(before);
  });

  test('ID token for the service URL opens a private service through the router (docs/platform.md "google-auth-library", "Private smoke requests")', async () => {
    const { auth, masked } = wif({ serviceAccount: e.serviceAccount });
    const uri = await createPrivateService(auth, 'private-idtoken');
    expect((await fetch(`${uri}/health`)).status).toBe(403);
    const token = await auth.idToken(uri);
    expect(jwtPayload(token)).toMatchObject({ aud: uri, email: e.serviceAccount });
    expect(masked).toContain(token);
    expect((await fetch(`${uri}/health`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(
      200,
    );
  });

  test.each(['ACTIONS_ID_TOKEN_REQUEST_URL', 'ACTIONS_ID_TOKEN_REQUEST_TOKEN'])(
    'without %s (no `id-token: write`, fork PRs) it fails before any network call (docs/platform.md "id-token: write needed")',
    (missing) => {
      emulator.faults.failNext('github.oidc', 1, { status: 500, message: 'must stay pending' });
      const calls = { ...emulator.api.wire.calls };
      const before = received.length;
      const env = jobEnv();
      delete env[missing];
      let error: unknown;
      try {
        wif({ serviceAccount: e.serviceAccount, env });
      } catch (err) {
        error = err;
      }
      expect(error).toBeInstanceOf(StepError);
      const message = (error as Error).message;
      expect(message).toContain(missing);
      expect(message).toContain('`permissions: id-token: write`');
      expect(message).toContain('forks');
      expect(received.length).toBe(before);
      expect(emulator.api.wire.calls).toEqual(calls);
      // The OIDC endpoint was never asked: the injected failure is still queued.
      expect(emulator.faults.take('github.oidc')).toEqual({ status: 500, message: 'must stay pending' });
    },
  );

  test('a service account without the binding: the error names roles/iam.workloadIdentityUser and the principalSet (docs/platform.md "Errors to explain")', async () => {
    const account = `unbound@${e.project}.iam.gserviceaccount.com`;
    const principalSet = `principalSet://iam.googleapis.com/projects/${e.projectNumber}/locations/global/workloadIdentityPools/github/attribute.repository/${REPOSITORY}`;
    const { auth } = wif({ serviceAccount: account });
    const direct = auth.client().getAccessToken();
    await expect(direct).rejects.toThrow(StepError);
    await expect(direct).rejects.toThrow(
      `grant roles/iam.workloadIdentityUser on service account ${account} to ${principalSet}`,
    );
    await expect(direct).rejects.toThrow("Permission 'iam.serviceAccounts.getAccessToken' denied");
    // Through the Cloud Run client the explanation survives, as PERMISSION_DENIED (7): not retried as if
    // the network had failed.
    const viaRun = servicesFor(auth).listServices({ parent: parentOf(e) });
    await expect(viaRun).rejects.toThrow(/roles\/iam\.workloadIdentityUser/);
    await expect(viaRun).rejects.toMatchObject({ code: 7 });
    const idToken = auth.idToken('http://127.0.0.1:1');
    await expect(idToken).rejects.toThrow(/mint an ID token/);
    await expect(idToken).rejects.toThrow(
      /iam\.serviceAccounts\.getOpenIdToken.*roles\/iam\.workloadIdentityUser/,
    );
  });

  test('a pool where the account has no bindings at all gives the same explanation', async () => {
    const emu = await startEmulator({ startupDeadlineMs: 5000, wif: { serviceAccounts: {} } });
    try {
      const { auth } = wif({ emu: emu.endpoints, serviceAccount: emu.endpoints.serviceAccount });
      await expect(auth.client().getAccessToken()).rejects.toThrow(
        /roles\/iam\.workloadIdentityUser on service account deployer@demo-project\.iam\.gserviceaccount\.com to principalSet:\/\/.*attribute\.repository\/acme\/streams/,
      );
    } finally {
      await emu.stop();
    }
  });

  test('the provider\'s attribute condition rejecting the repository is named as such (docs/platform.md "Errors to explain")', async () => {
    const emu = await startEmulator({
      startupDeadlineMs: 5000,
      wif: { allowedRepositories: ['other/repo'] },
    });
    try {
      const { auth } = wif({ emu: emu.endpoints, serviceAccount: emu.endpoints.serviceAccount });
      const attempt = auth.client().getAccessToken();
      await expect(attempt).rejects.toThrow(StepError);
      await expect(attempt).rejects.toThrow(/attribute condition rejects this repository \(acme\/streams\)/);
      await expect(attempt).rejects.toThrow(/unauthorized_client/);
    } finally {
      await emu.stop();
    }
  });

  test('an unknown provider points at `workload_identity_provider`', async () => {
    const provider = `projects/${e.projectNumber}/locations/global/workloadIdentityPools/nope/providers/nope`;
    const { auth } = wif({ provider, serviceAccount: e.serviceAccount });
    const attempt = auth.client().getAccessToken();
    await expect(attempt).rejects.toThrow(/invalid_target/);
    await expect(attempt).rejects.toThrow(/Check `workload_identity_provider`/);
  });

  test('a request token GitHub rejects is explained, and the token is not in the message', async () => {
    const env = { ...jobEnv(), ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'not-the-request-token-of-this-job' };
    const { auth, masked } = wif({ serviceAccount: e.serviceAccount, env });
    expect(masked).toContain('not-the-request-token-of-this-job');
    const attempt = auth.client().getAccessToken();
    await expect(attempt).rejects.toThrow(/fetch a GitHub OIDC token from ACTIONS_ID_TOKEN_REQUEST_URL.*401/);
    await expect(attempt).rejects.not.toThrow(/not-the-request-token-of-this-job/);
  });

  test('mask sees every token: the OIDC JWT, the federated and impersonated tokens, the ID token', async () => {
    const before = received.length;
    const { auth, masked } = wif({ serviceAccount: e.serviceAccount });
    const uri = await createPrivateService(auth, 'masked-api');
    const token = await auth.idToken(uri);
    expect((await fetch(`${uri}/health`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(
      200,
    );

    const bearers = received
      .slice(before)
      .map((r) => /^Bearer\s+(\S+)/i.exec(r.authorization ?? '')?.[1])
      .filter((b): b is string => !!b);
    // The runner's request token, the federated token (to IAM Credentials), the service account token (to
    // Cloud Run) and the ID token (to the service) all crossed the wire; each was masked.
    expect(new Set(bearers).size).toBeGreaterThanOrEqual(4);
    for (const bearer of bearers) expect(masked).toContain(bearer);
    // Each GitHub OIDC token fetched (one per federated client: the impersonating one and the ID-token source).
    const oidcRequests = received.slice(before).filter((r) => r.url.startsWith('/github/oidc/token')).length;
    const githubJwts = masked.filter(
      (m) => jwtPayload(m)?.iss === 'https://token.actions.githubusercontent.com',
    );
    expect(oidcRequests).toBeGreaterThan(0);
    expect(new Set(githubJwts).size).toBe(oidcRequests);
    expect(masked).toContain(token);
  });

  test.each([
    [3600, 1],
    [1, 2],
  ])(
    'tokens living %i s: two uses fetch %i GitHub OIDC token(s) (refresh gets a new subject token, docs/platform.md "GitHub OIDC token")',
    async (lifetime, oidcRequests) => {
      emulator.faults.update({ tokenLifetimeSeconds: lifetime });
      const { auth, masked } = wif({ serviceAccount: e.serviceAccount });
      const services = servicesFor(auth);
      const before = received.length;
      await services.listServices({ parent: parentOf(e) });
      await services.listServices({ parent: parentOf(e) });
      const oidc = received.slice(before).filter((r) => r.url.startsWith('/github/oidc/token'));
      expect(oidc).toHaveLength(oidcRequests);
      const githubJwts = masked.filter(
        (m) => jwtPayload(m)?.iss === 'https://token.actions.githubusercontent.com',
      );
      expect(new Set(githubJwts).size).toBe(oidcRequests);
    },
  );
});

describe('credentials already in the job (application default credentials)', () => {
  test.each([
    'GOOGLE_APPLICATION_CREDENTIALS',
    'GOOGLE_GHA_CREDS_PATH',
    'CLOUDSDK_AUTH_CREDENTIAL_FILE_OVERRIDE',
  ])(
    'an external_account file from %s (as google-github-actions/auth writes it) works and is named',
    async (variable) => {
      const path = writeCredentialsFile(e, true);
      const masked: string[] = [];
      const auth = createGoogleAuth({
        env: { [variable]: path, GITHUB_REPOSITORY: REPOSITORY },
        endpoints: PRODUCTION_ENDPOINTS,
        mask: (s) => masked.push(s),
      });
      expect(auth.describe()).toBe(
        `application-default credentials (${path} from ${variable}, external_account, impersonating ${e.serviceAccount})`,
      );
      const [list] = await servicesFor(auth).listServices({ parent: parentOf(e) });
      expect(Array.isArray(list)).toBe(true);
      const access = await auth.client().getAccessToken();
      expect(masked).toContain(access.token);
      expect(masked).toContain(e.githubOidc.requestToken);
    },
  );

  test('the file account also mints ID tokens, through the federated identity (docs/platform.md "google-auth-library")', async () => {
    const path = writeCredentialsFile(e, true);
    const auth = createGoogleAuth({
      env: { GOOGLE_APPLICATION_CREDENTIALS: path },
      endpoints: PRODUCTION_ENDPOINTS,
      mask: () => {},
    });
    const uri = await createPrivateService(auth, 'adc-idtoken');
    const token = await auth.idToken(uri);
    expect((await fetch(`${uri}/health`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(
      200,
    );
  });

  test('a direct file plus `service_account` impersonates that account with the endpoint override', async () => {
    const path = writeCredentialsFile(e, false);
    const auth = createGoogleAuth({
      serviceAccount: e.serviceAccount,
      env: { GOOGLE_APPLICATION_CREDENTIALS: path },
      endpoints: endpoints.google,
      mask: () => {},
    });
    expect(auth.describe()).toContain(`external_account, impersonating ${e.serviceAccount}`);
    const [list] = await servicesFor(auth).listServices({ parent: parentOf(e) });
    expect(Array.isArray(list)).toBe(true);
  });

  test('no credentials at all: both ways out are named, before any network call', () => {
    const before = received.length;
    expect(() => createGoogleAuth({ env: {}, endpoints: PRODUCTION_ENDPOINTS, mask: () => {} })).toThrow(
      /set `workload_identity_provider` \(and `service_account`\) on this step, or run google-github-actions\/auth before it/,
    );
    expect(received.length).toBe(before);
  });

  test('a credentials variable naming a missing file says which variable and file', () => {
    expect(() =>
      createGoogleAuth({
        env: { GOOGLE_GHA_CREDS_PATH: '/nonexistent/gha-creds.json' },
        endpoints: PRODUCTION_ENDPOINTS,
        mask: () => {},
      }),
    ).toThrow(/\/nonexistent\/gha-creds\.json \(from GOOGLE_GHA_CREDS_PATH\): ENOENT/);
  });
});

describe('resolveEndpoints', () => {
  test('unset or empty: production endpoints and the client library default for Cloud Run', () => {
    const production = { google: PRODUCTION_ENDPOINTS, observability: PRODUCTION_OBSERVABILITY };
    expect(resolveEndpoints({})).toEqual(production);
    expect(resolveEndpoints({ STREAM_DEPLOY_ENDPOINTS: ' ' })).toEqual(production);
    expect(PRODUCTION_OBSERVABILITY).toEqual({
      monitoring: 'https://monitoring.googleapis.com',
      logging: 'https://logging.googleapis.com',
      compute: 'https://compute.googleapis.com',
      scheduler: 'https://cloudscheduler.googleapis.com',
    });
  });

  test('Monitoring and Logging: loopback overrides without a trailing slash, production otherwise', () => {
    const both = resolveEndpoints({
      STREAM_DEPLOY_ENDPOINTS: JSON.stringify({
        monitoring: 'http://127.0.0.1:8931/',
        logging: 'http://localhost:8932',
        compute: 'http://127.0.0.1:8933/',
      }),
    });
    expect(both.observability).toEqual({
      monitoring: 'http://127.0.0.1:8931',
      logging: 'http://localhost:8932',
      compute: 'http://127.0.0.1:8933',
      scheduler: PRODUCTION_OBSERVABILITY.scheduler,
    });
    expect(both.google).toEqual(PRODUCTION_ENDPOINTS);
    const one = resolveEndpoints({
      STREAM_DEPLOY_ENDPOINTS: JSON.stringify({ monitoring: 'http://[::1]:8931' }),
    });
    expect(one.observability).toEqual({
      monitoring: 'http://[::1]:8931',
      logging: PRODUCTION_OBSERVABILITY.logging,
      compute: PRODUCTION_OBSERVABILITY.compute,
      scheduler: PRODUCTION_OBSERVABILITY.scheduler,
    });
  });

  test("the emulator's endpoints: IAM Credentials without /v1, Run API as host, port and protocol", () => {
    expect(endpoints.google.iamCredentials).toBe(`${e.runApi.url}/iamcredentials`);
    expect(endpoints.google.sts).toBe(e.sts);
    expect(endpoints.runApi).toEqual({ apiEndpoint: '127.0.0.1', port: e.runApi.port, protocol: 'http' });
  });

  test.each(['http://127.0.0.1:8900', 'http://127.3.4.5/x', 'https://localhost:9443', 'http://[::1]:8900'])(
    'accepts the loopback URL %s',
    (url) => {
      const resolved = resolveEndpoints({
        STREAM_DEPLOY_ENDPOINTS: JSON.stringify({ sts: url, runApi: { url } }),
      });
      expect(resolved.google.sts).toBe(new URL(url).href.replace(/\/$/, ''));
      expect(resolved.google.iamCredentials).toBe(PRODUCTION_ENDPOINTS.iamCredentials);
    },
  );

  test.each([
    [
      '{"sts":"https://sts.example.com/v1/token"}',
      /sts "https:\/\/sts\.example\.com\/v1\/token" is not a loopback address/,
    ],
    ['{"iamCredentials":"http://10.0.0.1"}', /iamCredentials .* is not a loopback address/],
    ['{"runApi":"http://127.0.0.1.nip.io"}', /runApi .* is not a loopback address/],
    ['{"sts":"http://user:pw@127.0.0.1"}', /carries credentials/],
    ['{"sts":"ftp://127.0.0.1"}', /is not an http\(s\) URL/],
    ['{"monitoring":"https://monitoring.googleapis.com"}', /monitoring .* is not a loopback address/],
    ['{"logging":"http://169.254.169.254"}', /logging .* is not a loopback address/],
    ['{"logging":"http://user:pw@localhost"}', /logging .* carries credentials/],
    ['{"sts":42}', /sts is not a URL string/],
    ['{"stss":"http://127.0.0.1"}', /unknown key\(s\) stss/],
    ['not json', /not valid JSON/],
    ['[]', /not a JSON object/],
  ])('refuses %s', (value, pattern) => {
    expect(() => resolveEndpoints({ STREAM_DEPLOY_ENDPOINTS: value })).toThrow(StepError);
    expect(() => resolveEndpoints({ STREAM_DEPLOY_ENDPOINTS: value })).toThrow(pattern);
    expect(() => resolveEndpoints({ STREAM_DEPLOY_ENDPOINTS: value })).toThrow(/only for the local emulator/);
  });
});
