// The Compute Engine API's error bodies. Compute answers in the older Google JSON shape:
// `{ error: { code, message, errors: [{ message, domain, reason }] } }`, the reason naming the kind of
// failure (`forbidden`, `notFound`, `invalid`, `alreadyExists`, `resourceInUseByAnotherResource`); only the
// front end's own refusals (no or bad credentials, a disabled API) add `status` (emulator/README.md
// "Compute Engine API").
import type { ServerResponse } from 'node:http';
import { sendJson } from './google-errors';

/** The `errors[].reason` values the fake answers with. */
export type ComputeReason =
  | 'required'
  | 'authError'
  | 'accessNotConfigured'
  | 'forbidden'
  | 'notFound'
  | 'invalid'
  | 'alreadyExists'
  | 'resourceInUseByAnotherResource'
  | 'conditionNotMet';

/** An error the Compute fake answers with; thrown inside handlers and rendered once. */
export class ComputeError extends Error {
  constructor(
    readonly code: number,
    readonly reason: ComputeReason,
    message: string,
    /** Extra fields of the `errors[0]` entry (`location`, `locationType`, `extendedHelp`). */
    readonly extra: Record<string, string> = {},
    /** `error.status`, which Compute sets only on the front end's own refusals. */
    readonly status?: string,
    readonly details?: Array<Record<string, unknown>>,
  ) {
    super(message);
  }
}

/** Writes `err` as Compute's JSON error body with its HTTP status. */
export function sendComputeError(res: ServerResponse, err: ComputeError): void {
  sendJson(res, err.code, {
    error: {
      code: err.code,
      message: err.message,
      errors: [
        {
          message: err.reason === 'required' ? 'Login Required.' : err.message,
          domain: err.reason === 'accessNotConfigured' ? 'usageLimits' : 'global',
          reason: err.reason,
          ...err.extra,
        },
      ],
      ...(err.status ? { status: err.status } : {}),
      ...(err.details ? { details: err.details } : {}),
    },
  });
}

/** 404 for a resource (or project) that does not exist: `The resource '…' was not found`. */
export function notFound(path: string): ComputeError {
  return new ComputeError(404, 'notFound', `The resource '${path}' was not found`);
}

/** 400 for a field Google refuses: `Invalid value for field 'resource.x': 'v'. Why.` */
export function invalidField(field: string, value: unknown, why?: string): ComputeError {
  const shown = typeof value === 'string' ? value : JSON.stringify(value ?? '');
  return new ComputeError(
    400,
    'invalid',
    `Invalid value for field '${field}': '${shown}'.${why ? ` ${why}` : ''}`,
  );
}

/** 403 for a caller without the permission: `Required 'compute.x.list' permission for 'projects/P'`. */
export function forbidden(permission: string, resource: string): ComputeError {
  return new ComputeError(403, 'forbidden', `Required '${permission}' permission for '${resource}'`);
}

/** 401 without a bearer, or with one the auth fakes never minted (or that expired). */
export function unauthenticated(present: boolean): ComputeError {
  return present
    ? new ComputeError(
        401,
        'authError',
        'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.',
        { location: 'Authorization', locationType: 'header' },
        'UNAUTHENTICATED',
      )
    : new ComputeError(
        401,
        'required',
        'Request is missing required authentication credential. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.',
        { location: 'Authorization', locationType: 'header' },
        'UNAUTHENTICATED',
      );
}

/** 403 when the Compute Engine API is not enabled in the project (faults.settings.disabledApis). */
export function computeDisabled(projectNumber: string): ComputeError {
  const activationUrl = `https://console.developers.google.com/apis/api/compute.googleapis.com/overview?project=${projectNumber}`;
  const message =
    `Compute Engine API has not been used in project ${projectNumber} before or it is disabled. Enable it by ` +
    `visiting ${activationUrl} then retry. If you enabled this API recently, wait a few minutes for the ` +
    `action to propagate to our systems and retry.`;
  return new ComputeError(
    403,
    'accessNotConfigured',
    message,
    { extendedHelp: activationUrl },
    'PERMISSION_DENIED',
    [
      {
        '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
        reason: 'SERVICE_DISABLED',
        domain: 'googleapis.com',
        metadata: {
          service: 'compute.googleapis.com',
          consumer: `projects/${projectNumber}`,
          activationUrl,
          containerInfo: projectNumber,
          serviceTitle: 'Compute Engine API',
        },
      },
    ],
  );
}
