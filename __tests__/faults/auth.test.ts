// Fault matrix, credentials: tokens that expire mid-rollout (docs/platform.md "GitHub OIDC token": refresh, never reuse),
// GitHub's OIDC endpoint, STS and IAM Credentials failing (docs/platform.md "Workload Identity Federation"), and an ID token
// that cannot be minted for a private service's smoke test. A failure before any Cloud Run write must say
// the traffic is exactly as before. Through the built action; invariants in __tests__/support/fault-suite.ts.
import type { ApiMethod, InjectedFailure } from '../../emulator/faults';
import {
  checkCase,
  promoted,
  releaseInputs,
  runMain,
  seedBaseline,
  useFaultWorld,
  type Entry,
} from '../support/fault-suite';

const w = useFaultWorld('auth');
const GROUP = 'Credentials';

/** v1 as a private service (no allUsers invoker, the invoker check on): its smoke tests need an ID token. */
const seedPrivate = (service: string): Promise<Entry[]> => seedBaseline(w, service, { public: false });

test('tokens that live 2 s during a longer rollout are refreshed (docs/platform.md "GitHub OIDC token"): promoted', async () => {
  const service = 'auth-short-tokens';
  const before = await seedBaseline(w, service);
  w.emulator.faults.update({ tokenLifetimeSeconds: 2 });
  // One step baking 3 s: a 2 s token expires during the smoke test and the bake, so the bake's gate rounds,
  // its reads and the promotion's write after it all need refreshed tokens. A second step would only
  // repeat the same refresh (it has no token path of its own).
  const run = await runMain(
    w,
    releaseInputs(w.emulator, service, 'v2', { traffic_steps: '100', step_wait: '3s' }),
  );
  await checkCase(w, run, {
    group: GROUP,
    title: 'tokens expire during the rollout',
    fault: 'access and ID tokens live 2 s; the rollout bakes 3 s before its promotion',
    service,
    before,
    planned: promoted(run.outputs.revision),
    expected: 'planned',
    verdict: 'promoted',
    exit: 0,
  });
  // Refreshing is routine: not even a warning.
  expect(run.annotations).toEqual([]);
});

interface TransientCase {
  service: string;
  method: ApiMethod;
  failure: InjectedFailure;
  title: string;
  fault: string;
}

// One failed answer from a token endpoint is what a network blip looks like: the release must go on.
const TRANSIENT: TransientCase[] = [
  {
    service: 'auth-sts-500-once',
    method: 'sts.token',
    failure: { status: 500 },
    title: 'STS 500 once',
    fault: 'sts.token answers 500 once, then recovers',
  },
  {
    service: 'auth-oidc-500-once',
    method: 'github.oidc',
    failure: { status: 500 },
    title: 'GitHub OIDC 500 once',
    fault: 'the GitHub OIDC endpoint answers 500 once, then recovers',
  },
];

test.each(TRANSIENT)('$title: retried, the release is promoted', async (c) => {
  const before = await seedBaseline(w, c.service);
  w.emulator.faults.failNext(c.method, 1, c.failure);
  // One traffic step: the token endpoints are called while authenticating, before any step.
  const run = await runMain(w, releaseInputs(w.emulator, c.service, 'v2', { traffic_steps: '100' }));
  await checkCase(w, run, {
    group: GROUP,
    title: c.title,
    fault: c.fault,
    service: c.service,
    before,
    planned: promoted(run.outputs.revision),
    expected: 'planned',
    verdict: 'promoted',
    exit: 0,
  });
});

interface PermanentCase extends TransientCase {
  says: { pattern: RegExp; label: string };
}

// Failures that outlast any retry, before the first Cloud Run write: a clear failure, nothing changed.
const PERMANENT: PermanentCase[] = [
  {
    service: 'auth-sts-500-always',
    method: 'sts.token',
    failure: { status: 500 },
    title: 'STS 500 every time',
    fault: 'sts.token answers 500 on every call',
    says: {
      pattern: /exchange the GitHub OIDC token[\s\S]*server_error[\s\S]*Retry the job/,
      label: 'STS server_error; retry the job',
    },
  },
  {
    service: 'auth-sts-400',
    method: 'sts.token',
    failure: { status: 400, message: 'The audience in the subject token does not match the provider.' },
    title: 'STS 400 (audience)',
    fault: 'sts.token answers 400 invalid_request about the audience',
    says: {
      pattern: /STS refused the token exchange \(invalid_request[\s\S]*Check `workload_identity_provider`/,
      label: 'STS refused the exchange; check `workload_identity_provider`',
    },
  },
  {
    service: 'auth-sts-403',
    method: 'sts.token',
    failure: { status: 403, message: 'The caller does not have permission.' },
    title: 'STS 403',
    fault: 'sts.token answers 403 access_denied',
    says: {
      pattern: /STS refused the token exchange \(access_denied[\s\S]*provider/,
      label: 'STS refused the exchange (access_denied)',
    },
  },
  {
    service: 'auth-impersonate-403',
    method: 'iamcredentials.generateAccessToken',
    failure: {
      status: 403,
      message: "Permission 'iam.serviceAccounts.getAccessToken' denied on resource (or it may not exist).",
    },
    title: 'generateAccessToken 403',
    fault: 'IAM Credentials generateAccessToken answers 403 on every call',
    says: {
      pattern: /iam\.serviceAccounts\.getAccessToken[\s\S]*roles\/iam\.workloadIdentityUser/,
      label: 'names roles/iam.workloadIdentityUser',
    },
  },
  {
    service: 'auth-oidc-503-always',
    method: 'github.oidc',
    failure: { status: 503 },
    title: 'GitHub OIDC 503 every time',
    fault: 'the GitHub OIDC endpoint answers 503 on every call',
    says: {
      pattern: /GitHub OIDC token[\s\S]*GitHub answered 503[\s\S]*Retry the job/,
      label: 'GitHub OIDC answered 503; retry the job',
    },
  },
];

test.each(PERMANENT)(
  '$title: a clear failure before any Cloud Run write, reported as exactly as before',
  async (c) => {
    const before = await seedBaseline(w, c.service);
    const updates = w.emulator.api.wire.calls['services.update'] ?? 0;
    w.emulator.faults.failNext(c.method, 50, c.failure);
    const run = await runMain(w, releaseInputs(w.emulator, c.service, 'v2'));
    expect((w.emulator.api.wire.calls['services.update'] ?? 0) - updates).toBe(0);
    await checkCase(w, run, {
      group: GROUP,
      title: c.title,
      fault: c.fault,
      service: c.service,
      before,
      expected: 'baseline',
      verdict: 'failed',
      exit: 1,
      says: c.says,
    });
    expect(run.summary).toContain('this run changed nothing on Cloud Run');
  },
);

// The smoke test of a private service needs an ID token (docs/platform.md "Private smoke requests"); when none can be minted
// the failure must name that cause, not only the 403 it leads to.
test('generateIdToken failing on a PRIVATE service: the smoke test fails, traffic exactly as before, and the error names the ID token that could not be minted', async () => {
  const service = 'auth-private-no-id-token';
  const before = await seedPrivate(service);
  w.emulator.faults.failNext('iamcredentials.generateIdToken', 50, {
    status: 403,
    message: "Permission 'iam.serviceAccounts.getOpenIdToken' denied on resource (or it may not exist).",
  });
  // Without an ID token the private service answers 403, and the health check retries it until
  // `health_timeout`, in each of the smoke test's two runs: its smallest value (1 s) instead of the default
  // keeps that wait short; the 403 and the missing ID token are what the case is about.
  const run = await runMain(
    w,
    releaseInputs(w.emulator, service, 'v2', { allow_unauthenticated: 'false', health_timeout: '1s' }),
  );
  const warnings = run.annotations.filter((a) => a.startsWith('::warning')).join('\n');
  expect(warnings).toMatch(/Smoke test without an ID token[\s\S]*getOpenIdToken/);
  await checkCase(w, run, {
    group: GROUP,
    title: 'generateIdToken 403 on a private service',
    fault: 'IAM Credentials generateIdToken answers 403; the service is private',
    service,
    before,
    expected: 'baseline',
    verdict: 'failed',
    exit: 1,
    says: {
      pattern: /smoke test[\s\S]*failed[\s\S]*(no ID token|without an ID token)[\s\S]*getOpenIdToken/i,
      label: 'smoke test fails; names the ID token that could not be minted',
    },
  });
}, 180_000);
