import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

// Feed signatures (docs/protocol.md "Signed feeds"): Ed25519 over the exact bytes of feed.json,
// base64url in feed.json.sig. The public key travels as its 32 raw bytes in base64url.

export interface SigningKey {
  privateKey: KeyObject;
  /** base64url of the 32-byte Ed25519 public key: what the extension is configured with. */
  publicKey: string;
}

function rawPublicKey(key: KeyObject): string {
  // The SPKI DER of an Ed25519 key ends with the 32 raw key bytes.
  const der = createPublicKey(key).export({ format: 'der', type: 'spki' });
  return Buffer.from(der.subarray(der.length - 32)).toString('base64url');
}

export function generateSigningKey(): SigningKey {
  const { privateKey } = generateKeyPairSync('ed25519');
  return { privateKey, publicKey: rawPublicKey(privateKey) };
}

export function signingKeyFromPem(pem: string): SigningKey {
  const privateKey = createPrivateKey(pem);
  if (privateKey.asymmetricKeyType !== 'ed25519') throw new Error('the signing key is not an Ed25519 key');
  return { privateKey, publicKey: rawPublicKey(privateKey) };
}

export function privateKeyPem(key: SigningKey): string {
  return key.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
}

/** Reads the key at `file`, or makes one there (mode 600) when it does not exist yet. */
export function loadOrCreateSigningKey(file: string): SigningKey {
  if (existsSync(file)) return signingKeyFromPem(readFileSync(file, 'utf8'));
  const key = generateSigningKey();
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, privateKeyPem(key), { mode: 0o600 });
  return key;
}

export function signFeed(bytes: Uint8Array, key: SigningKey): string {
  return sign(null, bytes, key.privateKey).toString('base64url');
}

export function verifyFeed(bytes: Uint8Array, signature: string, publicKey: string): boolean {
  const spki = Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), Buffer.from(publicKey, 'base64url')]);
  return verify(null, bytes, createPublicKey({ key: spki, format: 'der', type: 'spki' }), Buffer.from(signature, 'base64url'));
}
