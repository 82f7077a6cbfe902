import { inputsWithProblems, parse, problemsOf } from './fixtures';

describe('parseInputs: auth', () => {
  const PROVIDER =
    'projects/123456789012/locations/global/workloadIdentityPools/github-pool/providers/my-repo';

  it.each([
    [PROVIDER, PROVIDER],
    [`//iam.googleapis.com/${PROVIDER}`, PROVIDER],
    [`https://iam.googleapis.com/${PROVIDER}`, PROVIDER],
  ])('accepts provider %s, without its prefix', (given, stored) => {
    expect(parse({ workload_identity_provider: given }).workloadIdentityProvider).toBe(stored);
  });

  it.each([
    [
      PROVIDER.replace('123456789012', 'my-project'),
      'names project "my-project", but provider names use the project NUMBER',
    ],
    [PROVIDER.replace('global', 'us-central1'), 'workload identity pools live in `global`'],
    [PROVIDER.replace('github-pool', 'gh'), 'invalid pool id "gh"'],
    [PROVIDER.replace('my-repo', 'My_Repo'), 'invalid provider id "My_Repo"'],
    [
      'projects/123/locations/global/workloadIdentityPools/github-pool',
      'is not a workload identity provider name',
    ],
    ['github-pool/my-repo', 'is not a workload identity provider name'],
  ])('refuses provider %j', (workload_identity_provider, wrong) => {
    expect(problemsOf({ workload_identity_provider })).toEqual([
      { input: 'workload_identity_provider', message: expect.stringContaining(wrong) },
    ]);
  });

  it('explains how to find the project number when given the project id', () => {
    const [problem] = problemsOf({
      workload_identity_provider: PROVIDER.replace('123456789012', 'my-project'),
    });
    expect(problem.message).toContain('gcloud projects describe my-project --format="value(projectNumber)"');
  });

  it.each([
    ['deployer@my-project.iam.gserviceaccount.com', true],
    ['123456789012-compute@developer.gserviceaccount.com', true],
    ['my-project@appspot.gserviceaccount.com', true],
    ['deployer@my-project.example.com.iam.gserviceaccount.com', true],
    ['deployer', false],
    ['serviceAccount:deployer@my-project.iam.gserviceaccount.com', false],
    ['someone@example.com', false],
  ])('service account %j valid: %s', (email, valid) => {
    expect(inputsWithProblems({ service_account: email })).toEqual(valid ? [] : ['service_account']);
    expect(inputsWithProblems({ runtime_service_account: email })).toEqual(
      valid ? [] : ['runtime_service_account'],
    );
  });

  it('takes a provider without a service account, and a service account without a provider', () => {
    expect(() => parse({ workload_identity_provider: PROVIDER })).not.toThrow();
    expect(() => parse({ service_account: 'deployer@my-project.iam.gserviceaccount.com' })).not.toThrow();
  });
});
