// Compact RS256 JSON Web Tokens over node:crypto: the fake GitHub OIDC issuer and the fake Google ID-token
// issuer each sign with a key pair of their own, held in memory and never written anywhere.
import { createSign, createVerify, generateKeyPairSync, randomUUID, type KeyObject } from 'node:crypto';
import { recordMinted } from './minted-tokens';

export type JwtClaims = Record<string, unknown>;

/** One issuer's RSA key pair and the `kid` its tokens carry in their header. */
export interface SigningKey {
  kid: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
}

/** The issuers the emulator runs, each with key material of its own. */
export type Issuer = 'github-oidc' | 'google-id-token';

/**
 * RSA-2048 key material per issuer, generated once per process: a pair costs about 150 ms of CPU, and every
 * emulator start (most test files start one or more) needed two. Each start still gets a fresh `kid`, which
 * verifyJwt checks, so a token from one emulator is refused by another.
 */
const material = new Map<Issuer, { privateKey: KeyObject; publicKey: KeyObject }>();

/** An issuer's signing key for one emulator start: its key material, and a `kid` of its own. */
export function createSigningKey(issuer: Issuer): SigningKey {
  let pair = material.get(issuer);
  if (!pair) {
    pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
    material.set(issuer, pair);
  }
  return { kid: randomUUID().replace(/-/g, ''), ...pair };
}

function encodeSegment(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

function decodeSegment(segment: string): unknown {
  return JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
}

/** Signs `claims` as an RS256 JWT with the header `{ alg, kid, typ }` real issuers send. */
export function signJwt(key: SigningKey, claims: JwtClaims): string {
  const signingInput = `${encodeSegment({ alg: 'RS256', kid: key.kid, typ: 'JWT' })}.${encodeSegment(claims)}`;
  const signature = createSign('RSA-SHA256').update(signingInput).sign(key.privateKey);
  return recordMinted(`${signingInput}.${signature.toString('base64url')}`);
}

/** The claims of `token` if it is an RS256 JWT signed by `key`, else undefined. Time claims are the caller's to check. */
export function verifyJwt(key: SigningKey, token: string): JwtClaims | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  const [header, payload, signature] = parts;
  try {
    const decodedHeader = decodeSegment(header) as { alg?: unknown; kid?: unknown };
    if (decodedHeader.alg !== 'RS256' || decodedHeader.kid !== key.kid) return undefined;
    const valid = createVerify('RSA-SHA256')
      .update(`${header}.${payload}`)
      .verify(key.publicKey, Buffer.from(signature, 'base64url'));
    if (!valid) return undefined;
    const claims = decodeSegment(payload);
    return claims !== null && typeof claims === 'object' && !Array.isArray(claims)
      ? (claims as JwtClaims)
      : undefined;
  } catch {
    return undefined;
  }
}
