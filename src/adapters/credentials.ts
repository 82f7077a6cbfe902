// What the auth adapter builds from the environment: one access-token client for the Cloud Run API, a way
// to mint ID tokens (or the reason there is none), and what error messages need to name the fix.
import { Impersonated, type AuthClient } from 'google-auth-library';
import type { AuthErrorContext } from './google-auth-errors';
import { createMaskingTransporter, type SecretMasker } from './token-masking';

export const CLOUD_PLATFORM_SCOPE = 'https://www.googleapis.com/auth/cloud-platform';

/** How ID tokens for a service URL are minted with these credentials. */
export type IdTokenSource =
  /** Through IAM Credentials generateIdToken as `serviceAccount`, called with `source`'s token (docs/platform.md "google-auth-library"). */
  | { kind: 'impersonate'; serviceAccount: string; endpoint: string; source: () => AuthClient }
  /** By the credentials themselves (service account key, metadata server). */
  | { kind: 'self'; fetch: (audience: string) => Promise<string> }
  | { kind: 'unavailable'; cause: string; hint: string };

export interface Credentials {
  /** For the log line "Authenticating with …". */
  description: string;
  /** The access-token client handed to the Cloud Run client library. */
  client: AuthClient;
  idTokens: IdTokenSource;
  /** What auth error messages need besides the operation and target. */
  errorContext: Omit<AuthErrorContext, 'operation' | 'target' | 'scrub'>;
}

/** google-auth-library's Impersonated over `source`; its `endpoint` is the IAM Credentials base without /v1 (docs/platform.md "google-auth-library"). */
export function impersonate(
  source: AuthClient,
  serviceAccount: string,
  endpoint: string,
  masker: SecretMasker,
): Impersonated {
  return new Impersonated({
    sourceClient: source,
    targetPrincipal: serviceAccount,
    targetScopes: [CLOUD_PLATFORM_SCOPE],
    endpoint,
    transporter: createMaskingTransporter(masker),
  });
}
