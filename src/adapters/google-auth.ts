// The Google auth port: one access-token client for the Cloud Run API that refreshes itself (a new GitHub
// OIDC token on each refresh, docs/platform.md "GitHub OIDC token"), ID tokens for private-service smoke tests, and a
// description for the log. Every token is masked as it arrives; every failure is a StepError with the fix.
import type { AuthClient, Impersonated } from 'google-auth-library';
import { StepError } from '../errors';
import { applicationDefaultCredentials } from './application-default-credentials';
import { impersonate, type Credentials } from './credentials';
import { explainAuthError, type AuthErrorContext } from './google-auth-errors';
import type { GoogleEndpoints } from './google-endpoints';
import { SecretMasker } from './token-masking';
import { federatedCredentials } from './workload-identity';

export {
  resolveEndpoints,
  PRODUCTION_ENDPOINTS,
  type GoogleEndpoints,
  type ResolvedEndpoints,
  type RunApiEndpoint,
} from './google-endpoints';
export { explainAuthError, type AuthErrorContext } from './google-auth-errors';

/** The auth operations the orchestrator needs. */
export interface GoogleAuth {
  /** Which credentials are in use, e.g. "Workload Identity Federation (provider …, impersonating SA)". */
  describe(): string;
  /** For @google-cloud/run's `authClient` option; refreshes itself, and its token failures are explained StepErrors. */
  client(): AuthClient;
  /** An ID token whose audience is `audience` (the service URL), for private-service smoke tests; masked before returning. */
  idToken(audience: string): Promise<string>;
}

export interface GoogleAuthOptions {
  /** `workload_identity_provider`: `projects/NUM/locations/global/workloadIdentityPools/POOL/providers/PROV`. */
  workloadIdentityProvider?: string;
  /** `service_account` to impersonate. */
  serviceAccount?: string;
  /** The job's environment: ACTIONS_ID_TOKEN_REQUEST_*, GITHUB_REPOSITORY, credential file variables. */
  env: NodeJS.ProcessEnv;
  endpoints: GoogleEndpoints;
  /** Hides a secret from the log (core.setSecret). */
  mask: (secret: string) => void;
}

/** Chooses and builds credentials; throws a StepError before any network call when the environment cannot work. */
export function createGoogleAuth(options: GoogleAuthOptions): GoogleAuth {
  const masker = new SecretMasker(options.mask);
  const credentials: Credentials = options.workloadIdentityProvider
    ? federatedCredentials(
        {
          workloadIdentityProvider: options.workloadIdentityProvider,
          serviceAccount: options.serviceAccount,
          env: options.env,
          endpoints: options.endpoints,
        },
        masker,
      )
    : applicationDefaultCredentials(
        { serviceAccount: options.serviceAccount, env: options.env, endpoints: options.endpoints },
        masker,
      );
  const context = (operation: string, target: string): AuthErrorContext => ({
    ...credentials.errorContext,
    operation,
    target,
    scrub: (text) => masker.scrub(text),
  });
  const client = explainFailures(
    credentials.client,
    masker,
    context('obtain an access token with', credentials.description),
  );

  let idTokenClient: Impersonated | undefined;
  return {
    describe: () => credentials.description,
    client: () => client,
    async idToken(audience) {
      const source = credentials.idTokens;
      if (source.kind === 'unavailable') {
        throw new StepError({
          operation: 'mint an ID token for',
          target: audience,
          cause: source.cause,
          hint: source.hint,
        });
      }
      try {
        let token: string;
        if (source.kind === 'self') {
          token = await source.fetch(audience);
        } else {
          idTokenClient ??= impersonate(source.source(), source.serviceAccount, source.endpoint, masker);
          token = await idTokenClient.fetchIdToken(audience, { includeEmail: true });
        }
        masker.add(token);
        return token;
      } catch (err) {
        throw explainAuthError(err, context('mint an ID token for', audience));
      }
    },
  };
}

/**
 * Wraps the two methods callers use to get tokens, so a failure (at first use or at any later refresh)
 * surfaces as an explained StepError and every token handed out is masked even if no hook saw it.
 */
function explainFailures(client: AuthClient, masker: SecretMasker, context: AuthErrorContext): AuthClient {
  const getAccessToken = client.getAccessToken.bind(client);
  const getRequestHeaders = client.getRequestHeaders.bind(client);
  const guarded = client as {
    getAccessToken: AuthClient['getAccessToken'];
    getRequestHeaders: AuthClient['getRequestHeaders'];
  };
  guarded.getAccessToken = async () => {
    try {
      const response = await getAccessToken();
      masker.add(response.token);
      return response;
    } catch (err) {
      throw explainAuthError(err, context);
    }
  };
  guarded.getRequestHeaders = async (url) => {
    try {
      return await getRequestHeaders(url);
    } catch (err) {
      throw explainAuthError(err, context);
    }
  };
  return client;
}
