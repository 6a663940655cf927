import { fetchCapped } from './fetch';

// Pictures the sites accept in a post, and X's size limit for them.
const TYPES = ['image/jpeg', 'image/png', 'image/webp', 'image/gif'];
export const MAX_IMAGE_BYTES = 5 * 1024 * 1024;

export type ImageOutcome = { ok: true; bytes: Uint8Array; type: string; name: string } | { ok: false; error: string };

function sniff(b: Uint8Array): string | undefined {
  if (b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47) return 'image/png';
  if (b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'image/jpeg';
  if (b[0] === 0x47 && b[1] === 0x49 && b[2] === 0x46) return 'image/gif';
  if (b[0] === 0x52 && b[1] === 0x49 && b[2] === 0x46 && b[3] === 0x46 && b[8] === 0x57 && b[9] === 0x45) return 'image/webp';
  return undefined;
}

/** Fetches an item's picture; the bytes must really be one of the accepted image types. */
export async function fetchItemImage(url: string, opts: { fetch?: typeof fetch } = {}): Promise<ImageOutcome> {
  const r = await fetchCapped(url, { accept: TYPES.join(', '), maxBytes: MAX_IMAGE_BYTES, fetch: opts.fetch });
  if (r.kind === 'not_modified') return { ok: false, error: 'not_modified' };
  if (r.kind === 'error') return { ok: false, error: r.error.code };
  const type = sniff(r.bytes);
  if (!type || !TYPES.includes(type)) return { ok: false, error: 'not_an_image' };
  const ext = type.split('/')[1]!.replace('jpeg', 'jpg');
  const base =
    new URL(r.finalUrl).pathname
      .split('/')
      .pop()
      ?.replace(/\.[a-z0-9]+$/i, '') || 'gambar';
  return { ok: true, bytes: r.bytes, type, name: `${base.replace(/[^\w-]+/g, '_').slice(0, 60)}.${ext}` };
}

/**
 * Whether a picture's bytes are the ones a signed feed vouches for (`_siar.image_sha256`): the
 * signature covers the feed, not the bytes at the picture's address, which a hijacked media host
 * could swap. Without a hash the picture is not vouched for.
 */
export async function imageMatches(bytes: Uint8Array, sha256: string | undefined): Promise<boolean> {
  if (!sha256) return false;
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes.slice()));
  const hex = Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
  return hex === sha256.toLowerCase();
}

export function toBase64(bytes: Uint8Array): string {
  let bin = '';
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(bin);
}
