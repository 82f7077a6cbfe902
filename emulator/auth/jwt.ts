// Compact RS256 JSON Web Tokens over node:crypto: the fake GitHub OIDC issuer and the fake Google ID-token
// issuer each hold one key pair, generated at start and never written anywhere.
import { createSign, createVerify, generateKeyPairSync, randomUUID, type KeyObject } from 'node:crypto';
import { recordMinted } from './minted-tokens';

export type JwtClaims = Record<string, unknown>;

/** One issuer's RSA key pair and the `kid` its tokens carry in their header. */
export interface SigningKey {
  kid: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
}

/** Generates a fresh RSA-2048 key pair for an issuer (one per emulator start). */
export function createSigningKey(): SigningKey {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { kid: randomUUID().replace(/-/g, ''), privateKey, publicKey };
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
