// The GitHub Actions OIDC token endpoint (what ACTIONS_ID_TOKEN_REQUEST_URL points at) and its issuer key
// (docs/platform.md "id-token: write needed", "GitHub OIDC token").
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Faults } from '../faults';
import { bearerToken, sendJson } from './http-io';
import { createSigningKey, signJwt, verifyJwt, type JwtClaims } from './jwt';

export const GITHUB_OIDC_ISSUER = 'https://token.actions.githubusercontent.com';

/**
 * GitHub's example token (docs.github.com, "About security hardening with OpenID Connect") expires 5 minutes
 * after it is issued; the fake never lets a token live longer than that, and shorter when
 * `faults.settings.tokenLifetimeSeconds` is smaller.
 */
export const GITHUB_OIDC_LIFETIME_SECONDS = 300;

/** The workflow run whose claims the fake GitHub issuer signs. */
export interface GitHubRunnerIdentity {
  /** `owner/repo` */
  repository: string;
  /** e.g. `refs/heads/main` or `refs/pull/12/merge` */
  ref: string;
  sha: string;
  /** Workflow name. */
  workflow: string;
  /** Login of the user who triggered the run. */
  actor: string;
  /** e.g. `push`, `pull_request`, `workflow_dispatch` */
  eventName: string;
  runId: string;
}

export interface GitHubOidcOptions {
  faults: Faults;
  runner: GitHubRunnerIdentity;
  /** The bearer the runner must present (ACTIONS_ID_TOKEN_REQUEST_TOKEN). */
  requestToken: string;
  now: () => number;
}

export interface GitHubOidc {
  /** Answers `GET …/token?api-version=2.0&audience=AUD` like GitHub: `{ count, value }`. */
  handleTokenRequest(req: IncomingMessage, res: ServerResponse, url: URL): void;
  /** The claims of a token this issuer signed, if the signature holds (time claims unchecked). */
  verify(token: string): JwtClaims | undefined;
}

/** `repo:OWNER/REPO:pull_request` for PR events, else `repo:OWNER/REPO:ref:REF`, as GitHub's default subject. */
export function githubSubject(runner: GitHubRunnerIdentity): string {
  if (runner.eventName === 'pull_request' || runner.eventName === 'pull_request_target') {
    return `repo:${runner.repository}:pull_request`;
  }
  return `repo:${runner.repository}:ref:${runner.ref}`;
}

function refType(ref: string): string {
  if (ref.startsWith('refs/tags/')) return 'tag';
  if (ref.startsWith('refs/heads/')) return 'branch';
  return '';
}

/** Creates the fake GitHub OIDC endpoint with a signing key of its own (emulator/auth/jwt.ts). */
export function createGitHubOidc(options: GitHubOidcOptions): GitHubOidc {
  const key = createSigningKey('github-oidc');
  const { runner } = options;
  const owner = runner.repository.split('/')[0];

  function claimsFor(audience: string): JwtClaims {
    const nowMs = options.now();
    const lifetime = Math.min(GITHUB_OIDC_LIFETIME_SECONDS, options.faults.settings.tokenLifetimeSeconds);
    const iat = Math.floor(nowMs / 1000);
    return {
      jti: randomUUID(),
      sub: githubSubject(runner),
      aud: audience,
      ref: runner.ref,
      ref_type: refType(runner.ref),
      sha: runner.sha,
      repository: runner.repository,
      repository_owner: owner,
      run_id: runner.runId,
      actor: runner.actor,
      workflow: runner.workflow,
      event_name: runner.eventName,
      iss: GITHUB_OIDC_ISSUER,
      nbf: iat,
      iat,
      exp: iat + lifetime,
    };
  }

  return {
    handleTokenRequest(req, res, url) {
      const failure = options.faults.take('github.oidc');
      if (failure) {
        sendJson(res, failure.status, { message: failure.message ?? `injected failure ${failure.status}` });
        return;
      }
      if (req.method !== 'GET') {
        sendJson(res, 405, { message: 'The requested resource does not support this HTTP method.' });
        return;
      }
      if (bearerToken(req) !== options.requestToken) {
        sendJson(res, 401, {
          message: "Unauthorized: the bearer is not this job's ACTIONS_ID_TOKEN_REQUEST_TOKEN.",
        });
        return;
      }
      const audience = url.searchParams.get('audience') || `https://github.com/${owner}`;
      const value = signJwt(key, claimsFor(audience));
      sendJson(res, 200, { count: value.length, value });
    },
    verify: (token) => verifyJwt(key, token),
  };
}
