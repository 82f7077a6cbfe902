// The gate of the Monitoring and Logging fakes, as Google's front end applies it: a bearer access token
// minted by the auth fakes (401 otherwise), the API enabled (403 SERVICE_DISABLED), the project known and
// the permission held through a role (403 PERMISSION_DENIED).
import type { IncomingMessage } from 'node:http';
import type { Faults } from '../faults';
import type { TokenVerifier } from '../model';
import { ApiError } from '../api/google-errors';
import { serviceDisabledError } from '../service-disabled';

/** The roles the fakes know: each grants the one list permission its API needs. */
export type ObservabilityRole = 'monitoring.viewer' | 'logging.viewer';

/** What the gate needs from the emulator. */
export interface GateOptions {
  verifier: TokenVerifier;
  faults: Faults;
  projectNumber: string;
  /** The project id and number: other projects are refused like ones the caller cannot see. */
  projects: string[];
  /** Roles per principal (service account email, or a `principal://` for a direct-WIF token). */
  roles: Record<string, ObservabilityRole[]>;
}

/** Checks a call to `api` needing `permission` on `project` via `role`; throws the ApiError Google answers. */
export function gate(
  opts: GateOptions,
  req: IncomingMessage,
  call: { api: string; permission: string; role: ObservabilityRole; project: string; message: string },
): string {
  const header = req.headers.authorization;
  if (!header || !/^Bearer\s+\S+/i.test(header)) {
    throw new ApiError(
      'UNAUTHENTICATED',
      'Request is missing required authentication credential. Expected OAuth 2 access token, login cookie or other valid authentication credential.',
    );
  }
  const info = opts.verifier.verifyAccessToken(header.replace(/^Bearer\s+/i, ''));
  if (!info) {
    throw new ApiError(
      'UNAUTHENTICATED',
      'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.',
    );
  }
  if (opts.faults.settings.disabledApis.includes(call.api)) {
    const e = serviceDisabledError(call.api, opts.projectNumber);
    throw new ApiError('PERMISSION_DENIED', e.message, e.details);
  }
  const held = opts.roles[info.principal] ?? [];
  if (!opts.projects.includes(call.project) || !held.includes(call.role)) {
    throw new ApiError('PERMISSION_DENIED', call.message, [
      {
        '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
        reason: 'IAM_PERMISSION_DENIED',
        domain: 'iam.googleapis.com',
        metadata: { permission: call.permission },
      },
    ]);
  }
  return info.principal;
}

/** RFC 3339 with milliseconds, UTC (`2024-05-01T12:00:00.123Z`), as Google's JSON timestamps read. */
export function rfc3339(ms: number): string {
  return new Date(ms).toISOString();
}

/** Epoch ms of an RFC 3339 timestamp, or undefined when it is not one. */
export function parseRfc3339(text: string | null | undefined): number | undefined {
  if (!text || !/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?(Z|[+-]\d\d:\d\d)$/i.test(text)) return undefined;
  const ms = Date.parse(text.replace(/(\.\d{3})\d+/, '$1'));
  return Number.isNaN(ms) ? undefined : ms;
}
