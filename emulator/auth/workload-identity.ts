// Resource names of a Workload Identity pool and provider, and IAM member matching for federated
// identities (docs/platform.md "GitHub OIDC token", "STS exchange", "Service account impersonation").

/** Where a provider lives; the same fields as the public `WorkloadIdentityConfig`. */
export interface ProviderLocation {
  projectNumber: string;
  poolId: string;
  providerId: string;
}

/** A federated identity as STS minted it: its principal and the attributes the provider mapped. */
export interface FederatedIdentity {
  /** `principal://iam.googleapis.com/projects/NUM/locations/global/workloadIdentityPools/POOL/subject/SUB` */
  principal: string;
  subject: string;
  /** attribute.* values (repository, repository_owner, actor) used by principalSet members. */
  attributes: Record<string, string>;
}

const IAM_HOST = 'iam.googleapis.com';

/** `projects/NUM/locations/global/workloadIdentityPools/POOL`, the pool part of every principal. */
export function poolResourceName(location: ProviderLocation): string {
  return `projects/${location.projectNumber}/locations/global/workloadIdentityPools/${location.poolId}`;
}

/** The STS `audience` parameter naming the provider: `//iam.googleapis.com/projects/…/providers/PROV`. */
export function providerAudienceOf(location: ProviderLocation): string {
  return `//${IAM_HOST}/${poolResourceName(location)}/providers/${location.providerId}`;
}

/** The OIDC token audiences the provider accepts by default: its resource name with or without `https:`. */
export function acceptedOidcAudiences(location: ProviderLocation): string[] {
  const audience = providerAudienceOf(location);
  return [`https:${audience}`, audience];
}

/** True when `audience` has the shape of a workload identity provider's full resource name. */
export function isProviderAudienceShape(audience: string): boolean {
  return /^\/\/iam\.googleapis\.com\/projects\/[^/]+\/locations\/global\/workloadIdentityPools\/[^/]+\/providers\/[^/]+$/.test(
    audience,
  );
}

/** The `principal://…/subject/SUB` identifier of a federated subject in the pool. */
export function federatedPrincipal(location: ProviderLocation, subject: string): string {
  return `principal://${IAM_HOST}/${poolResourceName(location)}/subject/${subject}`;
}

/** Whether an IAM member (`principal://…`, `principalSet://…/attribute.NAME/VALUE` or `principalSet://…/*`) covers `identity`. */
export function memberIncludes(
  member: string,
  location: ProviderLocation,
  identity: FederatedIdentity,
): boolean {
  if (member.startsWith('principal://')) return member === identity.principal;
  const setPrefix = `principalSet://${IAM_HOST}/${poolResourceName(location)}/`;
  if (!member.startsWith(setPrefix)) return false;
  const selector = member.slice(setPrefix.length);
  if (selector === '*') return true;
  const attribute = /^attribute\.([^/]+)\/(.+)$/.exec(selector);
  if (!attribute) return false;
  return identity.attributes[attribute[1]] === attribute[2];
}
