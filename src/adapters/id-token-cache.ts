// ID tokens for the smoke tests, minted once per audience and reused until five minutes before they
// expire (Google's ID tokens live an hour), instead of one IAM Credentials call per gate round.

/** Tokens are minted again this long before their `exp`. */
const REFRESH_BEFORE_MS = 5 * 60_000;

/** The `exp` of a JWT in epoch ms, or undefined when the token cannot be read. */
export function jwtExpiryMs(token: string): number | undefined {
  const payload = token.split('.')[1];
  if (!payload) return undefined;
  try {
    const exp = (JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { exp?: unknown }).exp;
    return typeof exp === 'number' && Number.isFinite(exp) ? exp * 1000 : undefined;
  } catch {
    return undefined;
  }
}

/** Wraps `mint` so that a token is reused per audience while it has more than five minutes left. */
export function cacheIdTokens(
  mint: (audience: string) => Promise<string>,
  now: () => number = Date.now,
): (audience: string) => Promise<string> {
  const cache = new Map<string, { token: string; expiresMs: number }>();
  return async (audience) => {
    const hit = cache.get(audience);
    if (hit && hit.expiresMs - REFRESH_BEFORE_MS > now()) return hit.token;
    const token = await mint(audience);
    const expiresMs = jwtExpiryMs(token);
    if (expiresMs !== undefined) cache.set(audience, { token, expiresMs });
    else cache.delete(audience);
    return token;
  };
}
