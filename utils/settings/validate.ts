/** An Ed25519 public key as the agency publishes it: base64url, 43 characters (32 bytes). */
export function isPublicKey(v: string): boolean {
  return /^[A-Za-z0-9_-]{43}$/.test(v.trim());
}
