// Opaque access tokens minted by the STS and IAM Credentials fakes, remembered until they expire so the
// Cloud Run API and service URLs can check them.
import { randomBytes } from 'node:crypto';
import type { AccessTokenInfo } from '../model';
import type { FederatedIdentity } from './workload-identity';
import { recordMinted } from './minted-tokens';

/** What the store keeps per token: the public info plus, for federated tokens, the mapped identity. */
export interface IssuedAccessToken extends AccessTokenInfo {
  identity?: FederatedIdentity;
}

export class AccessTokenStore {
  private readonly tokens = new Map<string, IssuedAccessToken>();

  constructor(private readonly now: () => number) {}

  /** Mints a new random, `ya29.`-prefixed token (the shape of Google's access tokens) for `entry`. */
  issue(entry: IssuedAccessToken): string {
    this.forgetExpired();
    const token = `ya29.${entry.kind === 'federated' ? 'd' : 'c'}.${randomBytes(48).toString('base64url')}`;
    this.tokens.set(token, entry);
    return recordMinted(token);
  }

  /** The entry for `token` if it was minted here and has not expired. */
  lookup(token: string): IssuedAccessToken | undefined {
    const entry = this.tokens.get(token);
    if (!entry || entry.expiresAt <= this.now()) return undefined;
    return entry;
  }

  private forgetExpired(): void {
    const now = this.now();
    for (const [token, entry] of this.tokens) if (entry.expiresAt <= now) this.tokens.delete(token);
  }
}
