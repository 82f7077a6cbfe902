// Real Google clients pointed at the local emulator, for the tests and the demo: the Workload Identity
// Federation chain through the emulator's GitHub OIDC, STS and IAM Credentials fakes (docs/platform.md "Workload Identity Federation"), and the Cloud Run
// clients over REST with protocol 'http' (docs/platform.md "Local REST transport").
import { OAuth2Client, IdentityPoolClient, Impersonated, type AuthClient } from 'google-auth-library';
import {
  ExecutionsClient,
  JobsClient,
  RevisionsClient,
  ServicesClient,
  TasksClient,
} from '@google-cloud/run';
import type { EmulatorEndpoints } from './emulator';

/** A GitHub-Actions-style external account client; impersonates the deployer unless `direct`. */
export function wifClient(e: EmulatorEndpoints, direct = false): IdentityPoolClient {
  const oidcAudience = `https://iam.googleapis.com/${e.workloadIdentityProvider}`;
  return new IdentityPoolClient({
    type: 'external_account',
    audience: e.providerAudience,
    subject_token_type: 'urn:ietf:params:oauth:token-type:jwt',
    token_url: e.sts,
    credential_source: {
      url: `${e.githubOidc.requestUrl}&audience=${encodeURIComponent(oidcAudience)}`,
      headers: { Authorization: `Bearer ${e.githubOidc.requestToken}` },
      format: { type: 'json', subject_token_field_name: 'value' },
    },
    ...(direct
      ? {}
      : {
          service_account_impersonation_url: `${e.iamCredentials}/projects/-/serviceAccounts/${e.serviceAccount}:generateAccessToken`,
        }),
  });
}

/** An ID token for `audience`, minted for the deployer through IAM Credentials (docs/platform.md "google-auth-library"). */
export async function idToken(e: EmulatorEndpoints, audience: string): Promise<string> {
  const impersonated = new Impersonated({
    sourceClient: wifClient(e, true),
    targetPrincipal: e.serviceAccount,
    targetScopes: ['https://www.googleapis.com/auth/cloud-platform'],
    endpoint: e.iamCredentials.replace(/\/v1$/, ''),
  });
  return impersonated.fetchIdToken(audience, { includeEmail: true });
}

export function runClients(
  e: EmulatorEndpoints,
  authClient: AuthClient,
): { services: ServicesClient; revisions: RevisionsClient } {
  const opts = {
    apiEndpoint: e.runApi.apiEndpoint,
    port: e.runApi.port,
    fallback: true as const,
    protocol: 'http',
    authClient,
  };
  return { services: new ServicesClient(opts), revisions: new RevisionsClient(opts) };
}

/** The Cloud Run jobs clients (v2, REST fallback) pointed at the emulator, set up as `runClients` is. */
export function jobClients(
  e: EmulatorEndpoints,
  authClient: AuthClient,
): { jobs: JobsClient; executions: ExecutionsClient; tasks: TasksClient } {
  const opts = {
    apiEndpoint: e.runApi.apiEndpoint,
    port: e.runApi.port,
    fallback: true as const,
    protocol: 'http',
    authClient,
  };
  return { jobs: new JobsClient(opts), executions: new ExecutionsClient(opts), tasks: new TasksClient(opts) };
}

/**
 * Call options with LRO polling that has a total deadline: the default polling has none (docs/platform.md "LRO options").
 * gax reads them from the call that starts the operation; `operation.promise()` takes no options.
 */
export const LRO = {
  longrunning: {
    initialRetryDelayMillis: 50,
    retryDelayMultiplier: 1.5,
    maxRetryDelayMillis: 500,
    initialRpcTimeoutMillis: 10_000,
    rpcTimeoutMultiplier: 1,
    maxRpcTimeoutMillis: 10_000,
    totalTimeoutMillis: 30_000,
  },
};

/** A plain OAuth2Client holding an access token the IAM Credentials fake minted (the deployer's, or with
 * `direct` the bare federated principal's): what the REST adapters are given in their emulator tests. */
export async function signedInClient(e: EmulatorEndpoints, direct = false): Promise<OAuth2Client> {
  const { token } = await wifClient(e, direct).getAccessToken();
  const client = new OAuth2Client();
  client.setCredentials({ access_token: token, expiry_date: Date.now() + 3_600_000 });
  return client;
}
