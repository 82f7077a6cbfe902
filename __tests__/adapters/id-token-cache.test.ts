import { cacheIdTokens, jwtExpiryMs } from '../../src/adapters/id-token-cache';

const jwt = (exp: unknown) => `e30.${Buffer.from(JSON.stringify({ exp })).toString('base64url')}.sig`;

test.each<[string, string, number | undefined]>([
  ['a JWT', jwt(1_800_000_000), 1_800_000_000_000],
  ['no exp', jwt(undefined), undefined],
  ['not a JWT', 'opaque-token', undefined],
  ['a payload that is not JSON', 'a.bm90LWpzb24.c', undefined],
])('jwtExpiryMs: %s', (_name, token, expected) => {
  expect(jwtExpiryMs(token)).toBe(expected);
});

test('a token is reused per audience until five minutes before it expires', async () => {
  let clock = 1_000_000_000_000;
  let minted = 0;
  const mint = async (audience: string) => {
    minted++;
    return `${jwt(clock / 1000 + 3600)}#${audience}`.replace(/#.*/, '');
  };
  const idToken = cacheIdTokens(mint, () => clock);
  const first = await idToken('https://a.run.app');
  expect(await idToken('https://a.run.app')).toBe(first);
  expect(minted).toBe(1);
  await idToken('https://b.run.app');
  expect(minted).toBe(2);
  clock += 54 * 60_000; // six minutes left: still reused
  await idToken('https://a.run.app');
  expect(minted).toBe(2);
  clock += 2 * 60_000; // four minutes left: minted again
  await idToken('https://a.run.app');
  expect(minted).toBe(3);
});

test('a token whose expiry cannot be read is never reused', async () => {
  let minted = 0;
  const idToken = cacheIdTokens(async () => `opaque-${++minted}`);
  await idToken('x');
  await idToken('x');
  expect(minted).toBe(2);
});
