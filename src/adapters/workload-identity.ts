// Workload Identity Federation from a GitHub Actions job with google-auth-library's IdentityPoolClient:
// GitHub OIDC token as subject, STS exchange, optional service account impersonation (docs/platform.md "Workload Identity Federation").
import { IdentityPoolClient } from 'google-auth-library';
import { StepError } from '../errors';
import { CLOUD_PLATFORM_SCOPE, type Credentials } from './credentials';
import type { GoogleEndpoints } from './google-endpoints';
import { createMaskingTransporter, maskTokenEvents, type SecretMasker } from './token-masking';

const JWT_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:jwt';

export interface FederationOptions {
  /** `projects/NUM/locations/global/workloadIdentityPools/POOL/providers/PROV`. */
  workloadIdentityProvider: string;
  serviceAccount?: string;
  env: NodeJS.ProcessEnv;
  endpoints: GoogleEndpoints;
}

/** `url` with `audience` added to its query: GitHub's request URL already carries `?api-version=…` (docs/platform.md "GitHub OIDC token"). */
export function withAudience(url: string, audience: string): string {
  return `${url}${url.includes('?') ? '&' : '?'}audience=${encodeURIComponent(audience)}`;
}

/** Credentials from the job's GitHub OIDC token; throws before any network call when the job has none (docs/platform.md "id-token: write needed"). */
export function federatedCredentials(options: FederationOptions, masker: SecretMasker): Credentials {
  const { env, endpoints, serviceAccount } = options;
  const provider = options.workloadIdentityProvider.replace(/^(https:)?\/\/iam\.googleapis\.com\//, '');
  const requestUrl = env.ACTIONS_ID_TOKEN_REQUEST_URL;
  const requestToken = env.ACTIONS_ID_TOKEN_REQUEST_TOKEN;
  if (!requestUrl || !requestToken) {
    const missing = [
      !requestUrl && 'ACTIONS_ID_TOKEN_REQUEST_URL',
      !requestToken && 'ACTIONS_ID_TOKEN_REQUEST_TOKEN',
    ].filter(Boolean);
    throw new StepError({
      operation: 'get a GitHub OIDC token for',
      target: provider,
      cause: `the job has no GitHub OIDC token (${missing.join(' and ')} ${missing.length > 1 ? 'are' : 'is'} not set)`,
      hint: 'Add `permissions: id-token: write` to the job. Pull requests from forks never get one: use `pull_request_target` with care, or skip deploys for forks.',
    });
  }
  // The runner's own bearer for the OIDC endpoint is as sensitive as the tokens it fetches.
  masker.add(requestToken);

  const build = (impersonating?: string): IdentityPoolClient => {
    const client = new IdentityPoolClient({
      type: 'external_account',
      audience: `//iam.googleapis.com/${provider}`,
      subject_token_type: JWT_TOKEN_TYPE,
      token_url: endpoints.sts,
      credential_source: {
        // The provider's default allowed audience (docs/platform.md "GitHub OIDC token").
        url: withAudience(requestUrl, `https://iam.googleapis.com/${provider}`),
        headers: { Authorization: `Bearer ${requestToken}` },
        format: { type: 'json', subject_token_field_name: 'value' },
      },
      ...(impersonating
        ? {
            service_account_impersonation_url: `${endpoints.iamCredentials}/v1/projects/-/serviceAccounts/${impersonating}:generateAccessToken`,
          }
        : {}),
      scopes: [CLOUD_PLATFORM_SCOPE],
      transporter: createMaskingTransporter(masker),
    });
    maskTokenEvents(client, masker);
    return client;
  };

  // ID tokens come from the federated identity calling generateIdToken, not from the impersonated token.
  let direct: IdentityPoolClient | undefined;
  const directClient = () => (direct ??= build());
  return {
    description: serviceAccount
      ? `Workload Identity Federation (provider ${provider}, impersonating ${serviceAccount})`
      : `Workload Identity Federation (provider ${provider}, direct)`,
    client: serviceAccount ? build(serviceAccount) : directClient(),
    idTokens: serviceAccount
      ? { kind: 'impersonate', serviceAccount, endpoint: endpoints.iamCredentials, source: directClient }
      : {
          kind: 'unavailable',
          // docs/platform.md "Service account impersonation".
          cause: 'direct Workload Identity Federation (no service account) cannot mint ID tokens',
          hint: 'Set `service_account` to a service account the workflow may impersonate, or make the service public with `allow_unauthenticated: true`.',
        },
    errorContext: {
      workloadIdentityProvider: provider,
      serviceAccount,
      repository: env.GITHUB_REPOSITORY,
      federated: true,
      oidcRequestUrl: requestUrl,
    },
  };
}
