// Every token the auth clients obtain goes through `mask` (core.setSecret in production) the moment it
// arrives, before the library hands it to anything that could print it (STYLE.md "Every token obtained
// at run time goes through core.setSecret").
import { gaxios, type AuthClient, type Credentials } from 'google-auth-library';

/** Response fields that carry tokens: OAuth/STS, IAM Credentials, and GitHub's OIDC endpoint (`value`, docs/platform.md "GitHub OIDC token"). */
const TOKEN_FIELDS = ['access_token', 'id_token', 'refresh_token', 'accessToken', 'token', 'value'];

/** Shorter strings are not tokens; masking them would blank common words in the log. */
const MIN_SECRET_LENGTH = 16;

/** Masks each secret once and remembers it, so error messages can be scrubbed of it too. */
export class SecretMasker {
  private readonly seen = new Set<string>();

  constructor(private readonly mask: (secret: string) => void) {}

  add(secret: unknown): void {
    if (typeof secret !== 'string' || secret.length < MIN_SECRET_LENGTH || this.seen.has(secret)) return;
    this.seen.add(secret);
    this.mask(secret);
  }

  /** `text` with every secret seen so far replaced. */
  scrub(text: string): string {
    let result = text;
    for (const secret of this.seen) result = result.split(secret).join('***');
    return result;
  }
}

/**
 * A gaxios instance for one auth client that masks bearer tokens it sends and token fields it receives.
 * google-auth-library sends the GitHub OIDC request, IAM Credentials calls and ID-token calls through the
 * client's transporter; STS has a transporter of its own, so its token is caught by `maskTokenEvents` (direct
 * WIF) or here as the bearer of the IAM Credentials call (impersonation).
 */
export function createMaskingTransporter(masker: SecretMasker): gaxios.Gaxios {
  const transporter = new gaxios.Gaxios();
  transporter.interceptors.request.add({
    resolved: async (config) => {
      const authorization = config.headers.get('authorization');
      const bearer = authorization ? /^Bearer\s+(\S+)/i.exec(authorization) : null;
      if (bearer) masker.add(bearer[1]);
      return config;
    },
  });
  transporter.interceptors.response.add({
    resolved: async (response) => {
      const data: unknown = response.data;
      if (data && typeof data === 'object') {
        for (const field of TOKEN_FIELDS) masker.add((data as Record<string, unknown>)[field]);
      }
      return response;
    },
  });
  return transporter;
}

/** Masks tokens the client announces on its 'tokens' event (external account, JWT, user and Compute clients). */
export function maskTokenEvents(client: AuthClient, masker: SecretMasker): void {
  client.on('tokens', (tokens: Credentials) => {
    masker.add(tokens.access_token);
    masker.add(tokens.id_token);
    masker.add(tokens.refresh_token);
  });
}
