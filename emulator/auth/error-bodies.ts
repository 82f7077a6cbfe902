// Error bodies in the shapes the real services send, so clients surface the same messages as in production.

const GOOGLE_STATUS: Record<number, string> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  409: 'ABORTED',
  429: 'RESOURCE_EXHAUSTED',
  500: 'INTERNAL',
  501: 'NOT_IMPLEMENTED',
  503: 'UNAVAILABLE',
  504: 'DEADLINE_EXCEEDED',
};

/** A google.rpc.ErrorInfo detail, as Google APIs attach to their errors. */
export interface ErrorInfoDetail {
  '@type': 'type.googleapis.com/google.rpc.ErrorInfo';
  reason: string;
  domain: string;
  metadata?: Record<string, string>;
}

export interface GoogleErrorBody {
  error: { code: number; message: string; status: string; details?: ErrorInfoDetail[] };
}

/** The `{ error: { code, message, status, details } }` body of Google JSON APIs such as IAM Credentials. */
export function googleErrorBody(code: number, message: string, details?: ErrorInfoDetail[]): GoogleErrorBody {
  const status = GOOGLE_STATUS[code] ?? (code >= 500 ? 'INTERNAL' : 'FAILED_PRECONDITION');
  return { error: { code, message, status, ...(details ? { details } : {}) } };
}

export interface OAuthErrorBody {
  error: string;
  error_description: string;
}

/** The RFC 6749 section 5.2 body that Google STS answers with (`{ error, error_description }`). */
export function oauthErrorBody(error: string, description: string): OAuthErrorBody {
  return { error, error_description: description };
}

/** The OAuth error code matching an HTTP status, for injected STS faults. */
export function oauthErrorCodeFor(status: number): string {
  if (status === 401) return 'invalid_client';
  if (status === 403) return 'access_denied';
  if (status === 429 || status === 503) return 'temporarily_unavailable';
  if (status >= 500) return 'server_error';
  return 'invalid_request';
}

/** IAM Credentials' answer when the caller lacks `permission` on the account, or the account does not exist (docs/platform.md "Errors to explain"). */
export function permissionDeniedBody(permission: string): GoogleErrorBody {
  return googleErrorBody(403, `Permission '${permission}' denied on resource (or it may not exist).`, [
    {
      '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
      reason: 'IAM_PERMISSION_DENIED',
      domain: 'iam.googleapis.com',
      metadata: { permission },
    },
  ]);
}

/** Google's 401 for a missing or unusable bearer token on `method` of `service`. */
export function unauthenticatedBody(service: string, method: string, missing: boolean): GoogleErrorBody {
  const message = missing
    ? 'Request is missing required authentication credential. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.'
    : 'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.';
  return googleErrorBody(401, message, [
    {
      '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
      reason: missing ? 'CREDENTIALS_MISSING' : 'ACCESS_TOKEN_TYPE_UNSUPPORTED',
      domain: 'googleapis.com',
      metadata: { service, method },
    },
  ]);
}
