import { createHash, randomBytes } from 'node:crypto';

// Bearer tokens: 32 random bytes, base64url. The database keeps only their SHA-256 — a fast hash
// is enough, since 256 random bits cannot be guessed, unlike a password.

export const newToken = (): string => randomBytes(32).toString('base64url');

export const hashToken = (token: string): Buffer => createHash('sha256').update(token).digest();

/** The token of an `Authorization: Bearer <token>` header, or undefined. */
export function bearerToken(header: string | undefined): string | undefined {
  const match = /^Bearer +([A-Za-z0-9._~+/-]+=*) *$/i.exec(header ?? '');
  return match?.[1];
}
