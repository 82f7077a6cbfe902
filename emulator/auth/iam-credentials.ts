// IAM Credentials `generateAccessToken` and `generateIdToken` for service accounts that federated
// identities may impersonate (docs/platform.md "Service account impersonation", "Errors to explain", "Private smoke requests").
import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Faults } from '../faults';
import type { AccessTokenStore, IssuedAccessToken } from './access-token-store';
import { googleErrorBody, permissionDeniedBody, unauthenticatedBody } from './error-bodies';
import { serviceDisabledError } from '../service-disabled';
import { bearerToken, parseRequestFields, readRequestBody, sendJson } from './http-io';
import { signJwt, type SigningKey } from './jwt';
import { memberIncludes, type ProviderLocation } from './workload-identity';

export const GOOGLE_ID_TOKEN_ISSUER = 'https://accounts.google.com';
const SERVICE = 'iamcredentials.googleapis.com';
/** Longest lifetime generateAccessToken grants without the org policy that extends it to 12 h. */
const MAX_ACCESS_TOKEN_SECONDS = 3600;

type IamMethod = 'generateAccessToken' | 'generateIdToken';

const PERMISSION: Record<IamMethod, string> = {
  generateAccessToken: 'iam.serviceAccounts.getAccessToken',
  generateIdToken: 'iam.serviceAccounts.getOpenIdToken',
};

export interface IamCredentialsOptions {
  faults: Faults;
  provider: ProviderLocation;
  /** Service account email -> IAM members holding roles/iam.workloadIdentityUser on it. */
  serviceAccounts: Record<string, { workloadIdentityUsers: string[] }>;
  store: AccessTokenStore;
  /** Key of the fake Google ID-token issuer. */
  idTokenKey: SigningKey;
  now: () => number;
}

/** A stable 21-digit numeric id for a service account, the shape of Google's `uniqueId` (and of ID-token `sub`). */
export function serviceAccountUniqueId(email: string): string {
  const digest = createHash('sha256').update(email).digest();
  return '1' + (digest.readBigUInt64BE(0) % 10n ** 20n).toString().padStart(20, '0');
}

/** `…/projects/-/serviceAccounts/EMAIL:METHOD` split into its account and method, or undefined. */
export function parseIamCredentialsPath(rest: string): { account: string; method: IamMethod } | undefined {
  const match = /^\/projects\/[^/]+\/serviceAccounts\/([^/:]+):(generateAccessToken|generateIdToken)$/.exec(
    rest,
  );
  if (!match) return undefined;
  try {
    return { account: decodeURIComponent(match[1]), method: match[2] as IamMethod };
  } catch {
    return undefined;
  }
}

/** Seconds from a Duration string like `"3600s"`, undefined if malformed. */
function parseDurationSeconds(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const match = /^(\d+(?:\.\d+)?)s$/.exec(value);
  return match ? Number(match[1]) : undefined;
}

/** Creates the handler for `POST /iamcredentials/v1/projects/-/serviceAccounts/EMAIL:{generateAccessToken,generateIdToken}`. */
export function createIamCredentials(
  options: IamCredentialsOptions,
): (req: IncomingMessage, res: ServerResponse, rest: string) => Promise<void> {
  const { faults, store, now } = options;

  function callerMayImpersonate(caller: IssuedAccessToken, account: string): boolean {
    const binding = options.serviceAccounts[account];
    if (!binding || caller.kind !== 'federated' || !caller.identity) return false;
    const identity = caller.identity;
    return binding.workloadIdentityUsers.some((member) => memberIncludes(member, options.provider, identity));
  }

  function generateAccessToken(res: ServerResponse, account: string, body: Record<string, unknown>): void {
    const scope = body.scope;
    if (!Array.isArray(scope) || scope.length === 0 || !scope.every((s) => typeof s === 'string')) {
      sendJson(
        res,
        400,
        googleErrorBody(
          400,
          'Request contains an invalid argument: "scope" must list at least one OAuth scope.',
        ),
      );
      return;
    }
    let requested = MAX_ACCESS_TOKEN_SECONDS;
    if (body.lifetime !== undefined) {
      const parsed = parseDurationSeconds(body.lifetime);
      if (parsed === undefined || parsed <= 0 || parsed > MAX_ACCESS_TOKEN_SECONDS) {
        sendJson(
          res,
          400,
          googleErrorBody(
            400,
            `Request contains an invalid argument: "lifetime" must be a Duration between 1s and ${MAX_ACCESS_TOKEN_SECONDS}s.`,
          ),
        );
        return;
      }
      requested = parsed;
    }
    const lifetimeSeconds = Math.min(requested, faults.settings.tokenLifetimeSeconds);
    const expiresAt = now() + lifetimeSeconds * 1000;
    const accessToken = store.issue({ principal: account, kind: 'service-account', expiresAt });
    sendJson(res, 200, { accessToken, expireTime: new Date(expiresAt).toISOString() });
  }

  function generateIdToken(res: ServerResponse, account: string, body: Record<string, unknown>): void {
    if (typeof body.audience !== 'string' || body.audience === '') {
      sendJson(
        res,
        400,
        googleErrorBody(400, 'Request contains an invalid argument: "audience" is required.'),
      );
      return;
    }
    const iat = Math.floor(now() / 1000);
    const uniqueId = serviceAccountUniqueId(account);
    const includeEmail = body.includeEmail === true;
    const token = signJwt(options.idTokenKey, {
      iss: GOOGLE_ID_TOKEN_ISSUER,
      aud: body.audience,
      azp: body.useEmailAzp === true ? account : uniqueId,
      sub: uniqueId,
      ...(includeEmail ? { email: account, email_verified: true } : {}),
      iat,
      exp: iat + faults.settings.tokenLifetimeSeconds,
    });
    sendJson(res, 200, { token });
  }

  return async (req, res, rest) => {
    const target = parseIamCredentialsPath(rest);
    if (!target) {
      sendJson(
        res,
        404,
        googleErrorBody(404, `The requested URL /iamcredentials/v1${rest} was not found on this server.`),
      );
      return;
    }
    const failure = faults.take(`iamcredentials.${target.method}`);
    if (failure) {
      sendJson(
        res,
        failure.status,
        googleErrorBody(failure.status, failure.message ?? `Injected failure ${failure.status}.`),
      );
      return;
    }
    if (req.method !== 'POST') {
      sendJson(res, 405, googleErrorBody(405, `Method ${req.method ?? ''} is not allowed; use POST.`));
      return;
    }
    const bearer = bearerToken(req);
    const caller = bearer === undefined ? undefined : store.lookup(bearer);
    if (!caller) {
      const rpc = `google.iam.credentials.v1.IAMCredentials.${target.method[0].toUpperCase()}${target.method.slice(1)}`;
      sendJson(res, 401, unauthenticatedBody(SERVICE, rpc, bearer === undefined));
      return;
    }
    // docs/platform.md "Disabled API": the API not enabled in the project answers 403 SERVICE_DISABLED.
    if (faults.settings.disabledApis.includes(SERVICE)) {
      sendJson(res, 403, { error: serviceDisabledError(SERVICE, options.provider.projectNumber) });
      return;
    }
    if (!callerMayImpersonate(caller, target.account)) {
      sendJson(res, 403, permissionDeniedBody(PERMISSION[target.method]));
      return;
    }
    const body = parseRequestFields(req.headers['content-type'], await readRequestBody(req));
    if (!body) {
      sendJson(res, 400, googleErrorBody(400, 'Invalid JSON payload received.'));
      return;
    }
    if (target.method === 'generateAccessToken') generateAccessToken(res, target.account, body);
    else generateIdToken(res, target.account, body);
  };
}
