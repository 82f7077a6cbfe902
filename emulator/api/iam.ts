// A service's IAM policy: getIamPolicy / setIamPolicy with their etag, the permission to switch the invoker
// check off, and the policy the data plane's invoker check sees while a change propagates.
import { createHash, randomBytes } from 'node:crypto';
import { ApiError } from './google-errors';
import { mustGetService, type ApiState, type ServiceRecord } from './records';
import type { Json } from './service-rules';

/** What the invoker check needs of a service: IAM bindings, invokerIamDisabled, URLs, custom audiences. */
export interface InvokerView {
  bindings: Json[];
  invokerIamDisabled: boolean;
  uri?: string;
  urls: string[];
  customAudiences: string[];
}

/** The service record for the invoker check, or undefined for an unknown service. */
export function invokerView(state: ApiState, serviceName: string): InvokerView | undefined {
  const s = state.services.get(serviceName);
  if (!s) return undefined;
  return {
    bindings: propagatedBindings(state, s),
    invokerIamDisabled: Boolean(s.spec.invokerIamDisabled),
    uri: s.uri,
    urls: s.urls ?? (s.uri ? [s.uri] : []),
    customAudiences: (s.spec.customAudiences as string[] | undefined) ?? [],
  };
}

/**
 * The bindings the invoker check sees: the policy as it was `iamPropagationMs` ago (docs/platform.md
 * "Public access and IAM"), the oldest known before that.
 */
function propagatedBindings(state: ApiState, s: ServiceRecord): Json[] {
  const lag = state.opts.faults.settings.iamPropagationMs;
  if (lag <= 0 || s.policyHistory.length === 0) return s.policy.bindings;
  const cutoff = Date.now() - lag;
  let seen = s.policyHistory[0].bindings;
  for (const entry of s.policyHistory) if (entry.at <= cutoff) seen = entry.bindings;
  return seen;
}

/** Refuses a change of invokerIamDisabled to a principal without run.services.setIamPolicy on the service. */
// docs/platform.md "Public access and IAM": turning the invoker IAM check off or on needs
// run.services.setIamPolicy besides create/update (cloud.google.com/run/docs/authenticating/public,
// "Required roles"), which roles/run.developer lacks.
export function requireInvokerControl(state: ApiState, principal: string, name: string): void {
  if (state.opts.permits && !state.opts.permits(principal, 'run.services.setIamPolicy', name))
    throw new ApiError(
      'PERMISSION_DENIED',
      `Permission 'run.services.setIamPolicy' denied on resource '${name}' (or resource may not exist).`,
    );
}

/** A fresh policy etag: it changes on every write, even of the same bindings. */
export function policyEtag(bindings: Json[]): string {
  return createHash('sha256')
    .update(JSON.stringify(bindings))
    .update(randomBytes(4))
    .digest('base64')
    .slice(0, 12);
}

/** getIamPolicy: the service's policy with its etag. */
export function getPolicy(state: ApiState, name: string): Json {
  const p = mustGetService(state, name).policy;
  return { version: p.version, bindings: p.bindings, etag: p.etag };
}

/** setIamPolicy: replaces the bindings; a stale etag is ABORTED, a malformed member INVALID_ARGUMENT. */
export function setPolicy(state: ApiState, name: string, policy: Json): Json {
  const s = mustGetService(state, name);
  if (policy.etag && policy.etag !== s.policy.etag) {
    throw new ApiError(
      'ABORTED',
      'There were concurrent policy changes. Please retry the whole read-modify-write with exponential backoff.',
    );
  }
  const bindings = ((policy.bindings ?? []) as Json[]).map((b) => ({
    role: String(b.role),
    members: [...((b.members ?? []) as string[])],
  }));
  // docs/platform.md "Public access and IAM": under the Domain Restricted Sharing org policy, public members are refused.
  if (
    state.opts.faults.settings.domainRestrictedSharing &&
    bindings.some((b) => b.members.some((m) => m === 'allUsers' || m === 'allAuthenticatedUsers'))
  ) {
    throw new ApiError(
      'FAILED_PRECONDITION',
      'One or more users named in the policy do not belong to a permitted customer, perhaps due to an organization policy.',
    );
  }
  for (const b of bindings) {
    for (const member of b.members) {
      if (
        !/^(allUsers|allAuthenticatedUsers|(user|serviceAccount|group|domain|principal|principalSet):.+)$/.test(
          member,
        )
      ) {
        throw new ApiError('INVALID_ARGUMENT', `Invalid member '${member}' in binding for role '${b.role}'.`);
      }
    }
  }
  s.policy = { version: Number(policy.version ?? 1) || 1, bindings, etag: policyEtag(bindings) };
  s.policyHistory.push({ at: Date.now(), bindings });
  return getPolicy(state, name);
}
