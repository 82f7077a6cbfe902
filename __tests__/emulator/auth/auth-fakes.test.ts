// The auth fakes driven by the real google-auth-library over real HTTP, the way a GitHub Actions job runs
// Workload Identity Federation (docs/platform.md "Workload Identity Federation", "Private smoke requests").
import {
  DEPLOYER,
  OIDC_AUDIENCE,
  POOL_NAME,
  PROVIDER,
  REPO,
  RUNNER,
  RUN_APP_URL,
  UNBOUND,
  decodeJwtPayload,
  federatedPrincipal,
  fetchOidcToken,
  impersonated,
  jobCredentials,
  postJson,
  startHarness,
  stsJsonExchange,
  type Harness,
} from './harness';

describe('auth fakes with the real google-auth-library', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h.close();
  });
  beforeEach(() => h.faults.reset());

  test('provider audience and paths name the configured pool and provider', () => {
    expect(h.fakes.providerAudience).toBe(`//iam.googleapis.com/${POOL_NAME}/providers/${PROVIDER}`);
    expect(h.fakes.paths).toEqual({
      oidcRequestPath: '/github/oidc/token?api-version=2.0',
      stsTokenPath: '/sts/v1/token',
      iamCredentialsBasePath: '/iamcredentials/v1',
    });
  });

  test('GitHub OIDC endpoint returns { count, value } with a JWT carrying the run claims (WIF point 2)', async () => {
    const { status, body } = await fetchOidcToken(h, OIDC_AUDIENCE);
    expect(status).toBe(200);
    expect(typeof body.value).toBe('string');
    expect(body.count).toBe(body.value!.length);
    const header = JSON.parse(Buffer.from(body.value!.split('.')[0], 'base64url').toString('utf8'));
    expect(header).toMatchObject({ alg: 'RS256', typ: 'JWT' });
    const claims = decodeJwtPayload(body.value!);
    expect(claims).toMatchObject({
      iss: 'https://token.actions.githubusercontent.com',
      aud: OIDC_AUDIENCE,
      sub: `repo:${REPO}:ref:refs/heads/main`,
      repository: REPO,
      repository_owner: 'acme',
      ref: 'refs/heads/main',
      sha: RUNNER.sha,
      workflow: 'deploy',
      actor: 'octocat',
      event_name: 'push',
      run_id: '4242',
    });
    expect((claims.exp as number) - (claims.iat as number)).toBe(300);
    expect(claims.exp as number).toBeGreaterThan(Date.now() / 1000);
  });

  test('GitHub OIDC audience defaults to https://github.com/OWNER when none is requested', async () => {
    const { body } = await fetchOidcToken(h);
    expect(decodeJwtPayload(body.value!).aud).toBe('https://github.com/acme');
  });

  test('GitHub OIDC endpoint refuses a wrong request token with 401', async () => {
    const { status, body } = await fetchOidcToken(h, OIDC_AUDIENCE, 'not-the-job-token');
    expect(status).toBe(401);
    expect(body.value).toBeUndefined();
  });

  test('through a service account: the client gets a service-account token the verifier accepts (WIF points 3-4)', async () => {
    const client = jobCredentials(h, { serviceAccount: DEPLOYER });
    const { token } = await client.getAccessToken();
    expect(token).toBeTruthy();
    const info = h.fakes.verifier.verifyAccessToken(token!);
    expect(info).toMatchObject({ kind: 'service-account', principal: DEPLOYER });
    expect(info!.expiresAt).toBeGreaterThan(Date.now());
  });

  test('direct WIF: without impersonation the client holds a federated token for the principal://…/subject/SUB', async () => {
    const client = jobCredentials(h);
    const { token } = await client.getAccessToken();
    expect(h.fakes.verifier.verifyAccessToken(token!)).toMatchObject({
      kind: 'federated',
      principal: federatedPrincipal,
    });
  });

  test('Impersonated.fetchIdToken mints an ID token for the run.app audience that verifyIdToken accepts (Private services)', async () => {
    const idTokens = impersonated(h, jobCredentials(h), DEPLOYER);
    const idToken = await idTokens.fetchIdToken(RUN_APP_URL);
    const claims = h.fakes.verifier.verifyIdToken(idToken);
    expect(claims).toMatchObject({ iss: 'https://accounts.google.com', aud: RUN_APP_URL, email: DEPLOYER });
    expect(claims!.sub).toMatch(/^\d{21}$/);
    expect(claims!.exp * 1000).toBeGreaterThan(Date.now());
    expect(h.fakes.verifier.verifyIdToken(idToken.slice(0, -4) + 'AAAA')).toBeUndefined();
  });

  test('direct WIF tokens cannot mint ID tokens for a service account without the binding (WIF point 5)', async () => {
    const idTokens = impersonated(h, jobCredentials(h), UNBOUND);
    await expect(idTokens.fetchIdToken(RUN_APP_URL)).rejects.toMatchObject({
      status: 403,
      message: expect.stringContaining("Permission 'iam.serviceAccounts.getOpenIdToken' denied"),
    });
  });

  test('wrong request token: the client fails with the GitHub 401 (WIF point 1)', async () => {
    const client = jobCredentials(h, { requestToken: 'stale-token', serviceAccount: DEPLOYER });
    await expect(client.getAccessToken()).rejects.toMatchObject({ status: 401 });
  });

  test('service account without the workloadIdentityUser binding: 403 getAccessToken denied (WIF point 8)', async () => {
    const client = jobCredentials(h, { serviceAccount: UNBOUND });
    const error = (await client.getAccessToken().catch((e: unknown) => e)) as {
      status?: number;
      response?: { data?: unknown };
    };
    expect(error.status).toBe(403);
    expect(error.response?.data).toEqual({
      error: {
        code: 403,
        message: "Permission 'iam.serviceAccounts.getAccessToken' denied on resource (or it may not exist).",
        status: 'PERMISSION_DENIED',
        details: [
          {
            '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
            reason: 'IAM_PERMISSION_DENIED',
            domain: 'iam.googleapis.com',
            metadata: { permission: 'iam.serviceAccounts.getAccessToken' },
          },
        ],
      },
    });
  });

  test('an unknown service account gets the same 403 "(or it may not exist)"', async () => {
    const client = jobCredentials(h, { serviceAccount: 'ghost@demo-project.iam.gserviceaccount.com' });
    await expect(client.getAccessToken()).rejects.toMatchObject({ status: 403 });
  });

  test('IAM Credentials refuses missing and unknown bearers with Google 401 bodies', async () => {
    const url = `${h.base}/iamcredentials/v1/projects/-/serviceAccounts/${DEPLOYER}:generateAccessToken`;
    const missing = await postJson(url, { scope: ['https://www.googleapis.com/auth/cloud-platform'] });
    expect(missing.status).toBe(401);
    expect(missing.body).toMatchObject({
      error: {
        code: 401,
        status: 'UNAUTHENTICATED',
        message: expect.stringContaining('missing required authentication credential'),
      },
    });
    const unknown = await postJson(url, { scope: ['x'] }, 'ya29.not-minted-here');
    expect(unknown.status).toBe(401);
    expect(unknown.body).toMatchObject({
      error: { code: 401, message: expect.stringContaining('invalid authentication credentials') },
    });
  });

  test('injected 503 on sts.token: one is retried away by the client, four surface as the error', async () => {
    h.faults.failNext('sts.token', 1, { status: 503 });
    const { token } = await jobCredentials(h).getAccessToken();
    expect(h.fakes.verifier.verifyAccessToken(token!)?.kind).toBe('federated');

    h.faults.failNext('sts.token', 4, { status: 503, message: 'STS is down' });
    await expect(jobCredentials(h).getAccessToken()).rejects.toMatchObject({
      status: 503,
      message: 'Error code temporarily_unavailable: STS is down',
    });
    expect(h.faults.take('sts.token')).toBeUndefined();
  });

  test('injected failures on github.oidc and iamcredentials answer their status', async () => {
    h.faults.failNext('github.oidc', 1, { status: 500, message: 'runner hiccup' });
    const oidc = await fetchOidcToken(h, OIDC_AUDIENCE);
    expect(oidc).toEqual({ status: 500, body: { message: 'runner hiccup' } });

    h.faults.failNext('iamcredentials.generateIdToken', 1, { status: 403 });
    await expect(
      impersonated(h, jobCredentials(h), DEPLOYER).fetchIdToken(RUN_APP_URL),
    ).rejects.toMatchObject({
      status: 403,
      response: { data: { error: { code: 403, status: 'PERMISSION_DENIED' } } },
    });
  });

  test('JSON-body STS exchange works as well as form-encoded (WIF point 3)', async () => {
    const { body: oidc } = await fetchOidcToken(h, OIDC_AUDIENCE);
    const { status, body } = await stsJsonExchange(h, oidc.value!);
    expect(status).toBe(200);
    expect(body).toMatchObject({
      issued_token_type: 'urn:ietf:params:oauth:token-type:access_token',
      token_type: 'Bearer',
      expires_in: 3600,
    });
    expect(h.fakes.verifier.verifyAccessToken(String(body.access_token))).toMatchObject({
      principal: federatedPrincipal,
    });
  });

  test('STS accepts the id_token subject type and the //iam.googleapis.com audience form in the JWT', async () => {
    const { body: oidc } = await fetchOidcToken(h, h.fakes.providerAudience);
    const { status } = await stsJsonExchange(h, oidc.value!, {
      subject_token_type: 'urn:ietf:params:oauth:token-type:id_token',
    });
    expect(status).toBe(200);
  });

  test.each([
    [
      'a malformed audience',
      { audience: 'projects/123/providers/x' },
      'invalid_request',
      'Invalid value for "audience"',
    ],
    [
      'another provider',
      { audience: `//iam.googleapis.com/${POOL_NAME}/providers/other` },
      'invalid_target',
      'The target service indicated by the "audience" parameters is invalid',
    ],
    ['a wrong grant type', { grant_type: 'client_credentials' }, 'unsupported_grant_type', 'grant_type'],
    [
      'a wrong requested token type',
      { requested_token_type: 'urn:ietf:params:oauth:token-type:id_token' },
      'invalid_request',
      'requested_token_type',
    ],
    [
      'a wrong subject token type',
      { subject_token_type: 'urn:ietf:params:aws:token-type:aws4_request' },
      'invalid_request',
      'subject_token_type',
    ],
    [
      'a forged subject token',
      { subject_token: 'eyJhbGciOiJSUzI1NiJ9.e30.c2ln' },
      'invalid_grant',
      'could not be verified',
    ],
  ])('STS rejects %s with 400 { error, error_description }', async (_name, overrides, error, description) => {
    const { body: oidc } = await fetchOidcToken(h, OIDC_AUDIENCE);
    const result = await stsJsonExchange(h, oidc.value!, overrides);
    expect(result.status).toBe(400);
    expect(result.body).toEqual({ error, error_description: expect.stringContaining(description) });
  });

  test("STS rejects an OIDC token minted for GitHub's default audience (WIF point 2)", async () => {
    const { body: oidc } = await fetchOidcToken(h);
    const result = await stsJsonExchange(h, oidc.value!);
    expect(result).toEqual({
      status: 400,
      body: {
        error: 'invalid_grant',
        error_description: `The audience in ID Token [https://github.com/acme] does not match the expected audience ${OIDC_AUDIENCE}.`,
      },
    });
  });

  test('unrelated paths are left to the caller', async () => {
    const res = await fetch(`${h.base}/v2/projects/p/locations/l/services`);
    expect(res.status).toBe(404);
    await res.arrayBuffer();
  });
});

describe('auth fakes: attribute condition, expiry and refresh', () => {
  test('a repository outside the attribute condition is rejected by STS (WIF point 8)', async () => {
    const h = await startHarness({ runner: { repository: 'mallory/fork' } });
    try {
      await expect(jobCredentials(h, { serviceAccount: DEPLOYER }).getAccessToken()).rejects.toMatchObject({
        status: 400,
        message:
          'Error code unauthorized_client: The given credential is rejected by the attribute condition.',
      });
    } finally {
      await h.close();
    }
  });

  test('principalSet matches on attribute.repository: another allowed repository is denied the deployer account', async () => {
    const h = await startHarness({
      runner: { repository: 'acme/other' },
      allowedRepositories: [REPO, 'acme/other'],
    });
    try {
      const client = jobCredentials(h, { serviceAccount: DEPLOYER });
      await expect(client.getAccessToken()).rejects.toMatchObject({ status: 403 });
      const { token } = await jobCredentials(h).getAccessToken();
      expect(h.fakes.verifier.verifyAccessToken(token!)?.principal).toBe(
        `principal://iam.googleapis.com/${POOL_NAME}/subject/repo:acme/other:ref:refs/heads/main`,
      );
    } finally {
      await h.close();
    }
  });

  test('pull_request runs get the repo:OWNER/REPO:pull_request subject', async () => {
    const h = await startHarness({ runner: { eventName: 'pull_request', ref: 'refs/pull/12/merge' } });
    try {
      const { body } = await fetchOidcToken(h, OIDC_AUDIENCE);
      expect(decodeJwtPayload(body.value!).sub).toBe(`repo:${REPO}:pull_request`);
    } finally {
      await h.close();
    }
  });

  test('expired tokens: the verifier and IAM Credentials reject them, STS rejects an expired subject token (WIF point 7)', async () => {
    let clock = Date.now();
    const h = await startHarness({ now: () => clock });
    try {
      h.faults.update({ tokenLifetimeSeconds: 120 });
      const source = jobCredentials(h);
      const { token: federated } = await source.getAccessToken();
      const { token: saToken } = await jobCredentials(h, { serviceAccount: DEPLOYER }).getAccessToken();
      const idToken = await impersonated(h, jobCredentials(h), DEPLOYER).fetchIdToken(RUN_APP_URL);
      const { body: oidc } = await fetchOidcToken(h, OIDC_AUDIENCE);
      expect(h.fakes.verifier.verifyAccessToken(saToken!)).toBeDefined();
      expect(h.fakes.verifier.verifyIdToken(idToken)).toBeDefined();

      clock += 150_000;
      expect(h.fakes.verifier.verifyAccessToken(federated!)).toBeUndefined();
      expect(h.fakes.verifier.verifyAccessToken(saToken!)).toBeUndefined();
      expect(h.fakes.verifier.verifyIdToken(idToken)).toBeUndefined();
      const iam = await postJson(
        `${h.base}/iamcredentials/v1/projects/-/serviceAccounts/${DEPLOYER}:generateIdToken`,
        { audience: RUN_APP_URL },
        federated!,
      );
      expect(iam.status).toBe(401);
      const sts = await stsJsonExchange(h, oidc.value!);
      expect(sts.status).toBe(400);
      expect(sts.body).toEqual({
        error: 'invalid_grant',
        error_description: expect.stringContaining('expired'),
      });
    } finally {
      await h.close();
    }
  });

  test('refresh: after the token expires the client fetches a new subject token from GitHub (WIF points 6-7)', async () => {
    const h = await startHarness();
    try {
      h.faults.update({ tokenLifetimeSeconds: 1 });
      const client = jobCredentials(h, { serviceAccount: DEPLOYER, eagerRefreshThresholdMillis: 1 });
      const first = await client.getAccessToken();
      const cached = await client.getAccessToken();
      expect(cached.token).toBe(first.token);
      expect(h.oidcRequests()).toBe(1);

      await new Promise((resolve) => setTimeout(resolve, 1100));
      expect(h.fakes.verifier.verifyAccessToken(first.token!)).toBeUndefined();
      const second = await client.getAccessToken();
      expect(second.token).not.toBe(first.token);
      expect(h.oidcRequests()).toBe(2);
      expect(h.fakes.verifier.verifyAccessToken(second.token!)).toMatchObject({
        kind: 'service-account',
        principal: DEPLOYER,
      });
    } finally {
      await h.close();
    }
  });
});
