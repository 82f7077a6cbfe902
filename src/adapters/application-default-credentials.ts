// The credentials already in the job when no `workload_identity_provider` is given: the file that
// google-github-actions/auth writes (and exports as GOOGLE_APPLICATION_CREDENTIALS, GOOGLE_GHA_CREDS_PATH and
// CLOUDSDK_AUTH_CREDENTIAL_FILE_OVERRIDE), gcloud's application-default file, or a GCE metadata server.
// Each credential type is built with its own constructor, as google-auth-library recommends for files
// whose type is known, rather than its generic fromJSON.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  Compute,
  IdentityPoolClient,
  JWT,
  UserRefreshClient,
  gcpMetadata,
  type AuthClient,
  type IdentityPoolClientOptions,
} from 'google-auth-library';
import { StepError } from '../errors';
import { CLOUD_PLATFORM_SCOPE, impersonate, type Credentials, type IdTokenSource } from './credentials';
import type { GoogleEndpoints } from './google-endpoints';
import { createMaskingTransporter, maskTokenEvents, type SecretMasker } from './token-masking';

/** Where credential files are announced, in the order google-auth-library, other actions and gcloud read them. */
export const CREDENTIAL_FILE_VARIABLES = [
  'GOOGLE_APPLICATION_CREDENTIALS',
  'GOOGLE_GHA_CREDS_PATH',
  'CLOUDSDK_AUTH_CREDENTIAL_FILE_OVERRIDE',
] as const;

export interface ApplicationDefaultOptions {
  serviceAccount?: string;
  env: NodeJS.ProcessEnv;
  endpoints: GoogleEndpoints;
}

const NO_CREDENTIALS_HINT =
  'Either set `workload_identity_provider` (and `service_account`) on this step, or run google-github-actions/auth before it.';

interface CredentialsFile {
  path: string;
  /** The variable that named it, or "gcloud application-default". */
  source: string;
}

/** Finds the credentials file from `env`; undefined when there is none. */
export function findCredentialsFile(env: NodeJS.ProcessEnv): CredentialsFile | undefined {
  for (const name of CREDENTIAL_FILE_VARIABLES) {
    const path = env[name];
    if (path) return { path, source: name };
  }
  const configDir = env.CLOUDSDK_CONFIG || (env.HOME ? join(env.HOME, '.config', 'gcloud') : undefined);
  const wellKnown = configDir ? join(configDir, 'application_default_credentials.json') : undefined;
  if (wellKnown && existsSync(wellKnown)) return { path: wellKnown, source: 'gcloud application-default' };
  return undefined;
}

/** Builds credentials from the job's environment; throws a StepError naming both ways out when there are none. */
export function applicationDefaultCredentials(
  options: ApplicationDefaultOptions,
  masker: SecretMasker,
): Credentials {
  const file = findCredentialsFile(options.env);
  if (file) return fromFile(file, options, masker);
  if (gcpMetadata.getGCPResidency()) return fromMetadataServer(options, masker);
  throw new StepError({
    operation: 'find Google credentials for',
    target: 'this job',
    cause: `no workload_identity_provider was given and none of ${CREDENTIAL_FILE_VARIABLES.join(', ')} is set`,
    hint: NO_CREDENTIALS_HINT,
  });
}

function readJson(file: CredentialsFile): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file.path, 'utf8');
  } catch (err) {
    throw new StepError({
      operation: 'read the credentials file',
      target: `${file.path} (from ${file.source})`,
      cause: (err as NodeJS.ErrnoException).code ?? err,
      hint: `The file is gone or unreadable: run google-github-actions/auth earlier in the same job, or unset ${file.source}. ${NO_CREDENTIALS_HINT}`,
    });
  }
  try {
    const json: unknown = JSON.parse(text);
    if (json && typeof json === 'object' && !Array.isArray(json)) return json as Record<string, unknown>;
  } catch {
    // Reported below without echoing the content, which may hold a private key.
  }
  throw new StepError({
    operation: 'read the credentials file',
    target: `${file.path} (from ${file.source})`,
    cause: 'it is not a JSON object',
    hint: NO_CREDENTIALS_HINT,
  });
}

function fromFile(
  file: CredentialsFile,
  options: ApplicationDefaultOptions,
  masker: SecretMasker,
): Credentials {
  const json = readJson(file);
  const type = typeof json.type === 'string' ? json.type : 'unknown';
  const described = (extra: string) =>
    `application-default credentials (${file.path} from ${file.source}, ${type}${extra})`;
  switch (type) {
    case 'external_account':
      return fromExternalAccount(json, described, options, masker);
    case 'service_account': {
      const client = new JWT({
        email: String(json.client_email ?? ''),
        key: String(json.private_key ?? ''),
        keyId: typeof json.private_key_id === 'string' ? json.private_key_id : undefined,
        scopes: [CLOUD_PLATFORM_SCOPE],
        transporter: createMaskingTransporter(masker),
      });
      maskTokenEvents(client, masker);
      return withOptionalImpersonation(client, described(`, ${String(json.client_email)}`), options, masker, {
        kind: 'self',
        fetch: (audience) => client.fetchIdToken(audience),
      });
    }
    case 'authorized_user': {
      const client = new UserRefreshClient({
        clientId: String(json.client_id ?? ''),
        clientSecret: String(json.client_secret ?? ''),
        refreshToken: String(json.refresh_token ?? ''),
        transporter: createMaskingTransporter(masker),
      });
      maskTokenEvents(client, masker);
      return withOptionalImpersonation(client, described(''), options, masker, {
        kind: 'unavailable',
        cause: "user credentials mint ID tokens for gcloud's OAuth client, not for a service URL",
        hint: 'Set `service_account` to a service account these credentials may impersonate, or make the service public with `allow_unauthenticated: true`.',
      });
    }
    default:
      throw new StepError({
        operation: 'use the credentials file',
        target: `${file.path} (from ${file.source})`,
        cause: `credential type "${type}" is not supported here (supported: external_account, service_account, authorized_user)`,
        hint: NO_CREDENTIALS_HINT,
      });
  }
}

/** The file google-github-actions/auth writes for Workload Identity Federation: an identity pool with a URL or file source. */
function fromExternalAccount(
  json: Record<string, unknown>,
  described: (extra: string) => string,
  options: ApplicationDefaultOptions,
  masker: SecretMasker,
): Credentials {
  const source = (json.credential_source ?? {}) as Record<string, unknown>;
  if (!source.url && !source.file) {
    throw new StepError({
      operation: 'use the external_account credentials in',
      target: described(''),
      cause:
        'only credential_source.url or credential_source.file is supported (not AWS, executables or certificates)',
      hint: NO_CREDENTIALS_HINT,
    });
  }
  const impersonationUrl =
    typeof json.service_account_impersonation_url === 'string' ? json.service_account_impersonation_url : '';
  const fileAccount = /\/serviceAccounts\/([^/:]+):generateAccessToken$/.exec(impersonationUrl)?.[1];
  const build = (withImpersonation: boolean): IdentityPoolClient => {
    const config = { ...json };
    if (!withImpersonation) {
      delete config.service_account_impersonation_url;
      delete config.service_account_impersonation;
    }
    const client = new IdentityPoolClient({
      ...(config as unknown as IdentityPoolClientOptions),
      scopes: [CLOUD_PLATFORM_SCOPE],
      transporter: createMaskingTransporter(masker),
    });
    maskTokenEvents(client, masker);
    return client;
  };
  let direct: IdentityPoolClient | undefined;
  const directClient = () => (direct ??= build(false));
  const audience = typeof json.audience === 'string' ? json.audience : '';
  const errorContext = {
    workloadIdentityProvider: audience.replace(/^\/\/iam\.googleapis\.com\//, '') || undefined,
    repository: options.env.GITHUB_REPOSITORY,
    federated: true,
    oidcRequestUrl: typeof source.url === 'string' ? source.url : undefined,
  };
  const wanted = options.serviceAccount;

  if (wanted && wanted !== fileAccount) {
    // The federated identity impersonates the requested account itself, as with `workload_identity_provider`.
    const iam = options.endpoints.iamCredentials;
    return {
      description: described(`, impersonating ${wanted}`),
      client: impersonate(directClient(), wanted, iam, masker),
      idTokens: { kind: 'impersonate', serviceAccount: wanted, endpoint: iam, source: directClient },
      errorContext: { ...errorContext, serviceAccount: wanted },
    };
  }
  if (fileAccount) {
    const decoded = decodeURIComponent(fileAccount);
    return {
      description: described(`, impersonating ${decoded}`),
      client: build(true),
      idTokens: {
        kind: 'impersonate',
        serviceAccount: decoded,
        endpoint: impersonationUrl.replace(/\/v1\/projects\/.*$/, ''),
        source: directClient,
      },
      errorContext: { ...errorContext, serviceAccount: decoded },
    };
  }
  return {
    description: described(', direct'),
    client: directClient(),
    idTokens: {
      kind: 'unavailable',
      // docs/platform.md "Service account impersonation".
      cause: 'direct Workload Identity Federation (no service account) cannot mint ID tokens',
      hint: 'Set `service_account` (here or in google-github-actions/auth), or make the service public with `allow_unauthenticated: true`.',
    },
    errorContext,
  };
}

/** Self-hosted runners on Compute Engine: the VM's service account from the metadata server. */
function fromMetadataServer(options: ApplicationDefaultOptions, masker: SecretMasker): Credentials {
  const client = new Compute({
    scopes: [CLOUD_PLATFORM_SCOPE],
    transporter: createMaskingTransporter(masker),
  });
  maskTokenEvents(client, masker);
  return withOptionalImpersonation(client, 'the Compute Engine metadata server', options, masker, {
    kind: 'self',
    fetch: (audience) => client.fetchIdToken(audience),
  });
}

/** Keys, users and VMs: impersonate `service_account` when given (needs roles/iam.serviceAccountTokenCreator). */
function withOptionalImpersonation(
  client: AuthClient,
  description: string,
  options: ApplicationDefaultOptions,
  masker: SecretMasker,
  ownIdTokens: IdTokenSource,
): Credentials {
  const wanted = options.serviceAccount;
  if (!wanted) {
    return { description, client, idTokens: ownIdTokens, errorContext: { federated: false } };
  }
  const iam = options.endpoints.iamCredentials;
  return {
    description: `${description}, impersonating ${wanted}`,
    client: impersonate(client, wanted, iam, masker),
    idTokens: { kind: 'impersonate', serviceAccount: wanted, endpoint: iam, source: () => client },
    errorContext: { federated: false, serviceAccount: wanted },
  };
}
