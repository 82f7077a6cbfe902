// The emulator's RS256 tokens (emulator/auth/jwt.ts): key material is generated once per process and issuer,
// so each emulator start must still refuse the tokens of another start (its own `kid`), and of the other
// issuer (its own key material).
import { createSigningKey, signJwt, verifyJwt } from '../../../emulator/auth/jwt';

describe('signing keys', () => {
  test('a token verifies with the key that signed it, and not with the next start of the same issuer', () => {
    const first = createSigningKey('github-oidc');
    const second = createSigningKey('github-oidc');
    const token = signJwt(first, { sub: 'repo:acme/streams' });
    expect(verifyJwt(first, token)).toEqual({ sub: 'repo:acme/streams' });
    expect(second.kid).not.toBe(first.kid);
    expect(verifyJwt(second, token)).toBeUndefined();
  });

  test("one issuer's signature does not verify as the other's, even under the other's kid", () => {
    const github = createSigningKey('github-oidc');
    const google = createSigningKey('google-id-token');
    const forged = signJwt({ ...github, kid: google.kid }, { aud: 'https://api' });
    expect(verifyJwt(google, forged)).toBeUndefined();
    expect(verifyJwt(google, signJwt(google, { aud: 'https://api' }))).toEqual({ aud: 'https://api' });
  });
});
