// Auth failures from google-auth-library (gaxios errors from GitHub's OIDC endpoint, STS and IAM
// Credentials) turned into StepErrors that name the cause and the fix (docs/platform.md "Errors to explain"). Tokens never
// reach these messages: the original error, whose request config holds them, is not kept as the cause.
import { redactTokens } from '../core/request-redaction';
import { StepError } from '../errors';

/** What the adapter knows when a token request fails, for messages that name the missing binding. */
export interface AuthErrorContext {
  /** What was being done, e.g. "obtain an access token with"; used when the failure is not recognised. */
  operation: string;
  /** What it was done with, e.g. a service account or a credentials file. */
  target: string;
  /** `projects/NUM/locations/global/workloadIdentityPools/POOL/providers/PROV`, when known. */
  workloadIdentityProvider?: string;
  /** The service account being impersonated, when any. */
  serviceAccount?: string;
  /** `owner/repo` of the workflow run (GITHUB_REPOSITORY). */
  repository?: string;
  /** True when the caller of IAM Credentials is a federated identity (needs workloadIdentityUser), false for keys, users, VMs. */
  federated: boolean;
  /** ACTIONS_ID_TOKEN_REQUEST_URL (or a credentials file's credential_source.url), to recognise GitHub's answers. */
  oidcRequestUrl?: string;
  /** Removes known secrets from text; error bodies should hold none, this is the second line of defence. */
  scrub?: (text: string) => string;
}

/**
 * An explained auth failure that keeps the HTTP status of the token request that failed: google-gax maps
 * `status` to a gRPC code, so a refused credential (403) fails at once instead of being retried like a
 * network error until the call's deadline.
 */
export class AuthStepError extends StepError {
  readonly status?: number;

  constructor(details: ConstructorParameters<typeof StepError>[0], status: number | undefined) {
    super(details);
    this.name = 'StepError';
    if (status !== undefined) this.status = status;
  }
}

interface ErrorShape {
  message?: string;
  code?: string | number;
  status?: number;
  config?: { url?: unknown };
  response?: { status?: number; data?: unknown };
}

const PROVIDER_PATTERN =
  /^projects\/([^/]+)\/locations\/global\/workloadIdentityPools\/([^/]+)\/providers\/[^/]+$/;

/** The IAM member that holds workloadIdentityUser for every run of one repository (docs/platform.md "Service account impersonation"). */
export function repositoryPrincipalSet(
  workloadIdentityProvider: string,
  repository: string,
): string | undefined {
  const match = PROVIDER_PATTERN.exec(workloadIdentityProvider);
  if (!match) return undefined;
  return `principalSet://iam.googleapis.com/projects/${match[1]}/locations/global/workloadIdentityPools/${match[2]}/attribute.repository/${repository}`;
}

/** Turns an auth failure into a StepError naming the cause and the fix; StepErrors pass through unchanged. */
export function explainAuthError(err: unknown, context: AuthErrorContext): StepError {
  if (err instanceof StepError) return err;
  const e = (err ?? {}) as ErrorShape;
  const status = e.response?.status ?? (typeof e.status === 'number' ? e.status : undefined);
  const url = typeof e.config?.url === 'string' || e.config?.url instanceof URL ? String(e.config.url) : '';
  const data = e.response?.data;
  const clean = (text: string) => redactTokens(context.scrub ? context.scrub(text) : text);
  const make = (operation: string, target: string, cause: string, hint: string) =>
    new AuthStepError({ operation, target, cause: new Error(clean(cause)), hint: clean(hint) }, status);

  const oauth = oauthError(data);
  if (oauth) return explainSts(oauth, context, make);

  const iam = /\/serviceAccounts\/([^/:]+):(generateAccessToken|generateIdToken)$/.exec(url.split('?')[0]);
  if (iam) return explainIamCredentials(decodeURIComponent(iam[1]), iam[2], status, data, context, make);

  if (isGitHubOidcRequest(url, data, context.oidcRequestUrl) && status !== undefined) {
    const message = (data as { message?: string } | undefined)?.message ?? e.message ?? '';
    if (status === 401 || status === 403) {
      return make(
        'fetch a GitHub OIDC token from',
        'ACTIONS_ID_TOKEN_REQUEST_URL',
        `GitHub rejected the request token with ${status} (${message})`,
        'The request token belongs to one job and expires with it: run this step in the job that has `permissions: id-token: write`, and do not override ACTIONS_ID_TOKEN_REQUEST_TOKEN.',
      );
    }
    return make(
      'fetch a GitHub OIDC token from',
      'ACTIONS_ID_TOKEN_REQUEST_URL',
      `GitHub answered ${status} (${message})`,
      'Retry the job; if it keeps failing, check githubstatus.com.',
    );
  }

  const network = typeof e.code === 'string' && /^(E[A-Z]+|UND_ERR_\w+)$/.test(e.code) ? e.code : undefined;
  if (network || (status !== undefined && (status >= 500 || status === 429))) {
    return make(
      context.operation,
      context.target,
      `${network ? `network error ${network}` : `HTTP ${status}`}: ${e.message ?? 'no message'}`,
      'This is usually transient: retry the job. If it keeps failing, check the Google Cloud status page and any proxy (HTTPS_PROXY / NO_PROXY) on the runner.',
    );
  }
  return make(
    context.operation,
    context.target,
    e.message ?? String(err),
    'Check the credentials setup: `workload_identity_provider` and `service_account`, or the google-github-actions/auth step before this one.',
  );
}

type Make = (operation: string, target: string, cause: string, hint: string) => StepError;

function oauthError(data: unknown): { error: string; description: string } | undefined {
  if (!data || typeof data !== 'object') return undefined;
  const { error, error_description: description } = data as Record<string, unknown>;
  if (typeof error !== 'string') return undefined;
  return { error, description: typeof description === 'string' ? description : '' };
}

/** STS answers RFC 6749 errors (docs/platform.md "STS exchange"); the attribute condition and unknown providers are the usual causes. */
function explainSts(
  oauth: { error: string; description: string },
  context: AuthErrorContext,
  make: Make,
): StepError {
  const provider = context.workloadIdentityProvider ?? 'the workload identity provider';
  const cause = `STS refused the token exchange (${oauth.error}: ${oauth.description.replace(/[.\s]+$/, '')})`;
  const operation = 'exchange the GitHub OIDC token for a Google token with';
  switch (oauth.error) {
    case 'unauthorized_client':
      return make(
        operation,
        provider,
        cause,
        `The provider's attribute condition rejects this repository${context.repository ? ` (${context.repository})` : ''}: allow it in the condition (e.g. assertion.repository == '${context.repository ?? 'OWNER/REPO'}') or deploy from a repository the condition allows.`,
      );
    case 'invalid_target':
      return make(
        operation,
        provider,
        cause,
        'Check `workload_identity_provider`: the pool or provider does not exist or is disabled; expected projects/PROJECT_NUMBER/locations/global/workloadIdentityPools/POOL/providers/PROVIDER with the project number, not the id.',
      );
    case 'invalid_request':
      return make(
        operation,
        provider,
        cause,
        /audience/i.test(oauth.description)
          ? 'Check `workload_identity_provider`: expected projects/PROJECT_NUMBER/locations/global/workloadIdentityPools/POOL/providers/PROVIDER.'
          : 'The token exchange request was malformed; report this as a bug with the log above.',
      );
    case 'invalid_grant':
      return make(
        operation,
        provider,
        cause,
        "The provider did not accept GitHub's token: check that its issuer is https://token.actions.githubusercontent.com and that its allowed audiences are empty (the default) or include https://iam.googleapis.com/" +
          (context.workloadIdentityProvider ?? 'PROVIDER') +
          '.',
      );
    default:
      return make(
        operation,
        provider,
        cause,
        'Retry the job; if it keeps failing, check the provider in the Google Cloud console.',
      );
  }
}

/** IAM Credentials: a 403 means the caller lacks the binding on the account, or the account does not exist (docs/platform.md "Service account impersonation", "Errors to explain"). */
function explainIamCredentials(
  account: string,
  method: string,
  status: number | undefined,
  data: unknown,
  context: AuthErrorContext,
  make: Make,
): StepError {
  const body = (
    data as {
      error?: {
        message?: string;
        details?: Array<{ reason?: string; metadata?: { permission?: string; service?: string } }>;
      };
    }
  )?.error;
  const permission =
    body?.details?.find((d) => d.metadata?.permission)?.metadata?.permission ??
    (method === 'generateIdToken'
      ? 'iam.serviceAccounts.getOpenIdToken'
      : 'iam.serviceAccounts.getAccessToken');
  const operation =
    method === 'generateIdToken' ? 'mint an ID token as service account' : 'impersonate service account';
  const cause = `IAM Credentials answered ${status ?? 'an error'} (${body?.message ?? 'no message'})`;
  // docs/platform.md "Errors": a disabled API is a 403 too, told apart by its ErrorInfo reason.
  const disabled = body?.details?.find((d) => d.reason === 'SERVICE_DISABLED');
  if (disabled) {
    const api = disabled.metadata?.service ?? 'iamcredentials.googleapis.com';
    const project =
      /projects\/([^/]+)\/serviceAccounts/.exec(account)?.[1] ?? /@([^.]+)\./.exec(account)?.[1];
    return make(
      operation,
      account,
      cause,
      `The ${api} API (IAM Service Account Credentials, needed to act as a service account through Workload Identity Federation) is not enabled: run \`gcloud services enable ${api} --project ${project ?? 'PROJECT'}\` in the service account's project, wait a minute, and rerun.`,
    );
  }
  if (status === 403) {
    return make(operation, account, cause, missingBindingHint(account, permission, context));
  }
  if (status === 404) {
    return make(operation, account, cause, 'Check `service_account`: the service account does not exist.');
  }
  if (status === 401) {
    return make(
      operation,
      account,
      cause,
      'The federated token was not accepted; check `workload_identity_provider` and that the IAM Service Account Credentials API is enabled.',
    );
  }
  if (status !== undefined && (status >= 500 || status === 429)) {
    return make(operation, account, cause, 'This is usually transient: retry the job.');
  }
  return make(
    operation,
    account,
    cause,
    'Check `service_account` and the identity allowed to impersonate it.',
  );
}

function missingBindingHint(account: string, permission: string, context: AuthErrorContext): string {
  const idToken = permission.endsWith('getOpenIdToken');
  if (context.federated) {
    const member =
      context.workloadIdentityProvider && context.repository
        ? repositoryPrincipalSet(context.workloadIdentityProvider, context.repository)
        : undefined;
    const who =
      member ??
      'principalSet://iam.googleapis.com/projects/PROJECT_NUMBER/locations/global/workloadIdentityPools/POOL/attribute.repository/OWNER/REPO';
    return `The identity lacks ${permission}: grant roles/iam.workloadIdentityUser on service account ${account} to ${who}${idToken ? ' (or roles/iam.serviceAccountOpenIdTokenCreator)' : ''}, and check that the account exists.`;
  }
  return `The credentials in use lack ${permission}: grant ${idToken ? 'roles/iam.serviceAccountOpenIdTokenCreator' : 'roles/iam.serviceAccountTokenCreator'} on service account ${account} to that identity, and check that the account exists.`;
}

function isGitHubOidcRequest(url: string, data: unknown, oidcRequestUrl: string | undefined): boolean {
  if (oidcRequestUrl && url.startsWith(oidcRequestUrl.split('?')[0])) return true;
  if (/actions\.githubusercontent\.com/.test(url)) return true;
  // GitHub's own error bodies are `{ message }`, unlike Google's `{ error }`.
  return /[?&]audience=/.test(url) && !!data && typeof data === 'object' && 'message' in data;
}
