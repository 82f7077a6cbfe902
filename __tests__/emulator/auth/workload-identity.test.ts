// IAM member matching for federated identities (docs/platform.md "Service account impersonation", "Errors to explain").
import {
  acceptedOidcAudiences,
  federatedPrincipal,
  isProviderAudienceShape,
  memberIncludes,
  providerAudienceOf,
  type FederatedIdentity,
} from '../../../emulator/auth/workload-identity';

const provider = { projectNumber: '42', poolId: 'github', providerId: 'deploy' };
const pool = 'iam.googleapis.com/projects/42/locations/global/workloadIdentityPools/github';
const subject = 'repo:acme/api:ref:refs/heads/main';
const identity: FederatedIdentity = {
  principal: federatedPrincipal(provider, subject),
  subject,
  attributes: { repository: 'acme/api', repository_owner: 'acme', actor: 'octocat' },
};

test('resource names follow the provider location', () => {
  expect(providerAudienceOf(provider)).toBe(`//${pool}/providers/deploy`);
  expect(acceptedOidcAudiences(provider)).toEqual([
    `https://${pool}/providers/deploy`,
    `//${pool}/providers/deploy`,
  ]);
  expect(identity.principal).toBe(`principal://${pool}/subject/${subject}`);
  expect(isProviderAudienceShape(`//${pool}/providers/deploy`)).toBe(true);
  expect(isProviderAudienceShape(`https://${pool}/providers/deploy`)).toBe(false);
  expect(
    isProviderAudienceShape('projects/42/locations/global/workloadIdentityPools/github/providers/deploy'),
  ).toBe(false);
});

test.each([
  [`principal://${pool}/subject/${subject}`, true],
  [`principal://${pool}/subject/repo:acme/api:ref:refs/heads/dev`, false],
  [`principalSet://${pool}/attribute.repository/acme/api`, true],
  [`principalSet://${pool}/attribute.repository/acme/api-fork`, false],
  [`principalSet://${pool}/attribute.repository_owner/acme`, true],
  [`principalSet://${pool}/attribute.ref/refs/heads/main`, false],
  [`principalSet://${pool}/*`, true],
  ['principalSet://iam.googleapis.com/projects/42/locations/global/workloadIdentityPools/other/*', false],
  [`principalSet://${pool}/group/admins`, false],
  ['serviceAccount:deployer@p.iam.gserviceaccount.com', false],
])('member %s includes the identity: %s', (member, expected) => {
  expect(memberIncludes(member, provider, identity)).toBe(expected);
});
