// Shared pieces of the GitHub fake's tests: the repository the job token belongs to, a commit, the sticky
// comment marker, and what GitHub answered to a request Octokit rejected.
import type { Emulator } from '../../../emulator/emulator';

export const OWNER = 'acme';
export const REPO = 'streams';
export const SHA = '0123456789abcdef0123456789abcdef01234567';
export const MARKER = '<!-- stream-deploy:api:us-central1 -->';

/** The RequestError Octokit throws, with the answer GitHub gave. */
export async function failureOf(p: Promise<unknown>): Promise<{
  status: number;
  data: Record<string, unknown>;
  headers: Record<string, string | undefined>;
}> {
  try {
    await p;
  } catch (err) {
    const e = err as {
      status: number;
      response: { data: Record<string, unknown>; headers: Record<string, string> };
    };
    return { status: e.status, data: e.response.data, headers: e.response.headers };
  }
  throw new Error('expected the request to fail');
}

/** Gives the job token every scope back (the fake's default), after a test narrowed its permissions. */
export function restoreAllWrite(emulator: Emulator): void {
  emulator.github.setPermissions({
    issues: 'write',
    pull_requests: 'write',
    deployments: 'write',
    statuses: 'write',
    contents: 'write',
  });
}
