// Signed feeds (docs/protocol.md "Signed feeds"): the agency publishes feed.json.sig, the base64url
// Ed25519 signature of the exact bytes of feed.json. WebCrypto verifies it (Chrome 137+,
// Firefox 129+); no library is needed.

function fromBase64url(s: string): Uint8Array<ArrayBuffer> {
  const b64 = s.trim().replace(/-/g, '+').replace(/_/g, '/');
  const bin = atob(b64 + '='.repeat((4 - (b64.length % 4)) % 4));
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** feed.json → feed.json.sig, next to it (any query is kept off: the signature file is static). */
export function signatureUrl(feedUrl: string): string {
  const u = new URL(feedUrl);
  u.search = '';
  u.hash = '';
  u.pathname += '.sig';
  return u.href;
}

export async function verifyFeedSignature(bytes: Uint8Array, signature: string, publicKey: string): Promise<boolean> {
  try {
    const raw = fromBase64url(publicKey);
    const sig = fromBase64url(signature);
    if (raw.length !== 32 || sig.length !== 64) return false;
    const key = await crypto.subtle.importKey('raw', raw, { name: 'Ed25519' }, false, ['verify']);
    return await crypto.subtle.verify({ name: 'Ed25519' }, key, sig, bytes.slice());
  } catch {
    // Malformed base64, or a runtime without Ed25519: never "verified".
    return false;
  }
}
