// Google STS token exchange (`POST https://sts.googleapis.com/v1/token`) for one GitHub provider
// (docs/platform.md "STS exchange"). Errors are RFC 6749 `{ error, error_description }`
// bodies with status 400, as the real STS sends; the descriptions quoted from public reports are the real
// texts, the others are the emulator's own wording.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Faults } from '../faults';
import type { AccessTokenStore } from './access-token-store';
import { oauthErrorBody, oauthErrorCodeFor } from './error-bodies';
import { GITHUB_OIDC_ISSUER, type GitHubOidc } from './github-oidc';
import { parseRequestFields, readRequestBody, sendJson } from './http-io';
import type { JwtClaims } from './jwt';
import {
  acceptedOidcAudiences,
  federatedPrincipal,
  isProviderAudienceShape,
  providerAudienceOf,
  type FederatedIdentity,
  type ProviderLocation,
} from './workload-identity';

const GRANT_TOKEN_EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';
const TOKEN_TYPE_ACCESS_TOKEN = 'urn:ietf:params:oauth:token-type:access_token';
/** Leeway on the subject token's `exp` and `nbf`, as JWT validators allow for clock skew between issuers. */
const CLOCK_SKEW_SECONDS = 10;
const SUBJECT_TOKEN_TYPES = [
  'urn:ietf:params:oauth:token-type:jwt',
  'urn:ietf:params:oauth:token-type:id_token',
];

export interface StsOptions {
  faults: Faults;
  provider: ProviderLocation;
  /** Attribute condition: `assertion.repository in [...]`. */
  allowedRepositories: string[];
  github: GitHubOidc;
  store: AccessTokenStore;
  now: () => number;
}

type Exchange = { ok: true; identity: FederatedIdentity } | { ok: false; error: string; description: string };

function reject(error: string, description: string): Exchange {
  return { ok: false, error, description };
}

function stringField(fields: Record<string, unknown>, name: string): string | undefined {
  const value = fields[name];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** The identity a GitHub OIDC token maps to: google.subject=assertion.sub plus repository, owner and actor attributes. */
function mapAttributes(provider: ProviderLocation, claims: JwtClaims): FederatedIdentity {
  const subject = String(claims.sub ?? '');
  const attributes: Record<string, string> = {};
  for (const name of ['repository', 'repository_owner', 'actor']) {
    if (typeof claims[name] === 'string') attributes[name] = claims[name] as string;
  }
  return { principal: federatedPrincipal(provider, subject), subject, attributes };
}

/** Checks one exchange request the way STS and the provider's configuration would, in that order. */
function judgeExchange(options: StsOptions, fields: Record<string, unknown>): Exchange {
  const { provider } = options;
  if (stringField(fields, 'grant_type') !== GRANT_TOKEN_EXCHANGE) {
    return reject(
      'unsupported_grant_type',
      `Invalid value for "grant_type". Expected "${GRANT_TOKEN_EXCHANGE}".`,
    );
  }
  const audience = stringField(fields, 'audience');
  if (!audience || !isProviderAudienceShape(audience)) {
    return reject(
      'invalid_request',
      'Invalid value for "audience". This value should be the full resource name of the Identity Provider. See https://cloud.google.com/iam/docs/reference/sts/rest/v1/TopLevel/token for the list of possible formats.',
    );
  }
  if (audience !== providerAudienceOf(provider)) {
    return reject(
      'invalid_target',
      'The target service indicated by the "audience" parameters is invalid. This might either be because the pool or provider is disabled or deleted or because it doesn\'t exist.',
    );
  }
  if (stringField(fields, 'requested_token_type') !== TOKEN_TYPE_ACCESS_TOKEN) {
    return reject(
      'invalid_request',
      `Invalid value for "requested_token_type". Expected "${TOKEN_TYPE_ACCESS_TOKEN}".`,
    );
  }
  const subjectTokenType = stringField(fields, 'subject_token_type');
  if (!subjectTokenType || !SUBJECT_TOKEN_TYPES.includes(subjectTokenType)) {
    return reject(
      'invalid_request',
      `Invalid value for "subject_token_type". Expected one of ${SUBJECT_TOKEN_TYPES.join(', ')}.`,
    );
  }
  const subjectToken = stringField(fields, 'subject_token');
  if (!subjectToken) return reject('invalid_request', 'Missing required parameter: "subject_token".');

  const claims = options.github.verify(subjectToken);
  if (!claims || claims.iss !== GITHUB_OIDC_ISSUER) {
    return reject(
      'invalid_grant',
      "The ID Token could not be verified with the keys of the provider's issuer.",
    );
  }
  const nowSeconds = options.now() / 1000;
  if (typeof claims.exp !== 'number' || claims.exp + CLOCK_SKEW_SECONDS <= nowSeconds) {
    return reject(
      'invalid_grant',
      `The ID Token expired at ${String(claims.exp)}; request a fresh token from the issuer.`,
    );
  }
  if (typeof claims.nbf === 'number' && claims.nbf - CLOCK_SKEW_SECONDS > nowSeconds) {
    return reject('invalid_grant', `The ID Token is not valid before ${claims.nbf}.`);
  }
  const expected = acceptedOidcAudiences(provider);
  if (typeof claims.aud !== 'string' || !expected.includes(claims.aud)) {
    return reject(
      'invalid_grant',
      `The audience in ID Token [${String(claims.aud)}] does not match the expected audience ${expected[0]}.`,
    );
  }
  if (typeof claims.repository !== 'string' || !options.allowedRepositories.includes(claims.repository)) {
    return reject('unauthorized_client', 'The given credential is rejected by the attribute condition.');
  }
  return { ok: true, identity: mapAttributes(provider, claims) };
}

/** Creates the handler for `POST /sts/v1/token`, accepting form-encoded (google-auth-library) and JSON bodies. */
export function createSts(options: StsOptions): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  return async (req, res) => {
    const failure = options.faults.take('sts.token');
    if (failure) {
      const description = failure.message ?? `Injected failure ${failure.status}.`;
      sendJson(res, failure.status, oauthErrorBody(oauthErrorCodeFor(failure.status), description));
      return;
    }
    if (req.method !== 'POST') {
      sendJson(res, 405, oauthErrorBody('invalid_request', 'The token endpoint accepts only POST.'));
      return;
    }
    const fields = parseRequestFields(req.headers['content-type'], await readRequestBody(req));
    if (!fields) {
      sendJson(
        res,
        400,
        oauthErrorBody('invalid_request', 'The request body is neither JSON nor form-encoded.'),
      );
      return;
    }
    const verdict = judgeExchange(options, fields);
    if (!verdict.ok) {
      sendJson(res, 400, oauthErrorBody(verdict.error, verdict.description));
      return;
    }
    const lifetimeSeconds = options.faults.settings.tokenLifetimeSeconds;
    const accessToken = options.store.issue({
      principal: verdict.identity.principal,
      kind: 'federated',
      expiresAt: options.now() + lifetimeSeconds * 1000,
      identity: verdict.identity,
    });
    sendJson(res, 200, {
      access_token: accessToken,
      issued_token_type: TOKEN_TYPE_ACCESS_TOKEN,
      token_type: 'Bearer',
      expires_in: lifetimeSeconds,
    });
  };
}
