import { tokenlessSkip, type TokenlessRunFacts } from '../../src/core/fork-skip';

const facts = (over: Partial<TokenlessRunFacts> = {}): TokenlessRunFacts => ({
  usesWorkloadIdentity: true,
  hasOidcRequest: false,
  actor: 'octocat',
  pullRequestRepos: { head: 'someone/streams', base: 'acme/streams' },
  ...over,
});

test.each<[string, Partial<TokenlessRunFacts>, 'skip' | 'go on']>([
  ["a fork's pull request without a token", {}, 'skip'],
  ['a deleted fork (head.repo null)', { pullRequestRepos: { head: null, base: 'acme/streams' } }, 'skip'],
  ['Dependabot on a push', { actor: 'dependabot[bot]', pullRequestRepos: undefined }, 'skip'],
  [
    "Dependabot's own branch",
    { actor: 'dependabot[bot]', pullRequestRepos: { head: 'acme/streams', base: 'acme/streams' } },
    'skip',
  ],
  // Every other missing token fails later, naming `permissions: id-token: write`.
  [
    'a same-repository pull request without a token',
    { pullRequestRepos: { head: 'acme/streams', base: 'acme/streams' } },
    'go on',
  ],
  ['a push without a token', { pullRequestRepos: undefined }, 'go on'],
  ['a fork with a token (pull_request_target)', { hasOidcRequest: true }, 'go on'],
  ['a fork without Workload Identity (credentials in the job)', { usesWorkloadIdentity: false }, 'go on'],
  [
    'owner names differ only in case',
    { pullRequestRepos: { head: 'ACME/streams', base: 'acme/streams' } },
    'go on',
  ],
])('%s -> %s', (_name, over, expected) => {
  expect(tokenlessSkip(facts(over)) === undefined ? 'go on' : 'skip').toBe(expected);
});

test('the notice says why and that nothing changed', () => {
  expect(tokenlessSkip(facts())).toMatch(/fork \(someone\/streams\).*no OIDC token.*Nothing was deployed/);
  expect(tokenlessSkip(facts({ actor: 'dependabot[bot]' }))).toContain('Dependabot');
});
