import { LIMITS } from '../protocol/item';
import { isAllowedUrl } from '../protocol/url';

// docs/protocol.md "Fetching": conditional GET, at most 5 redirects, 20 s, 5 MiB.

export const FETCH_LIMITS = { timeoutMs: 20_000, maxBytes: LIMITS.feedBytes, maxRedirects: 5 };

export interface Validators {
  etag?: string;
  lastModified?: string;
}

export type FetchOutcome =
  | { kind: 'ok'; body: string; bytes: Uint8Array; validators: Validators; finalUrl: string }
  | { kind: 'not_modified' }
  | { kind: 'error'; error: FetchError };

export type FetchError =
  | { code: 'bad_url' }
  | { code: 'network'; detail: string }
  | { code: 'timeout' }
  | { code: 'http'; status: number }
  | { code: 'too_large' }
  | { code: 'too_many_redirects' }
  | { code: 'permission' };

export interface FetchOptions {
  validators?: Validators;
  fetch?: typeof fetch;
  timeoutMs?: number;
  maxBytes?: number;
  maxRedirects?: number;
  accept?: string;
}

/** Reads a body, giving up as soon as it passes `max` bytes. Returns undefined when too large. */
export async function readCapped(res: Response, max: number): Promise<Uint8Array | undefined> {
  const declared = Number(res.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > max) {
    await res.body?.cancel().catch(() => {});
    return undefined;
  }
  if (!res.body) return new Uint8Array(0);
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > max) {
      await reader.cancel().catch(() => {});
      return undefined;
    }
    chunks.push(value);
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}

/**
 * GETs `url` with the protocol's limits. Redirects are followed by hand, counted, and each hop
 * must be an allowed URL. Where the runtime hides redirect targets (browsers give an opaque
 * response to `redirect: 'manual'`), the browser follows them itself within the Fetch standard's
 * own cap of 20, and the final URL is still checked.
 */
export async function fetchCapped(
  url: string,
  opts: FetchOptions = {},
): Promise<
  { kind: 'response'; res: Response; bytes: Uint8Array; finalUrl: string } | { kind: 'not_modified' } | { kind: 'error'; error: FetchError }
> {
  const doFetch = opts.fetch ?? fetch;
  const timeoutMs = opts.timeoutMs ?? FETCH_LIMITS.timeoutMs;
  const maxBytes = opts.maxBytes ?? FETCH_LIMITS.maxBytes;
  const maxRedirects = opts.maxRedirects ?? FETCH_LIMITS.maxRedirects;
  if (!isAllowedUrl(url)) return { kind: 'error', error: { code: 'bad_url' } };

  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  const headers: Record<string, string> = { accept: opts.accept ?? 'application/feed+json, application/json;q=0.9' };
  if (opts.validators?.etag) headers['if-none-match'] = opts.validators.etag;
  if (opts.validators?.lastModified) headers['if-modified-since'] = opts.validators.lastModified;
  try {
    let current = url;
    for (let hop = 0; ; hop++) {
      let res = await doFetch(current, {
        headers,
        redirect: 'manual',
        signal: controller.signal,
        credentials: 'omit',
        cache: 'no-store',
      });
      if (res.type === 'opaqueredirect') {
        res = await doFetch(current, { headers, redirect: 'follow', signal: controller.signal, credentials: 'omit', cache: 'no-store' });
        if (res.url && !isAllowedUrl(res.url)) return { kind: 'error', error: { code: 'bad_url' } };
      }
      if (res.status >= 300 && res.status < 400 && res.status !== 304) {
        const location = res.headers.get('location');
        await res.body?.cancel().catch(() => {});
        if (!location) return { kind: 'error', error: { code: 'http', status: res.status } };
        if (hop >= maxRedirects) return { kind: 'error', error: { code: 'too_many_redirects' } };
        const next = new URL(location, current).href;
        if (!isAllowedUrl(next)) return { kind: 'error', error: { code: 'bad_url' } };
        current = next;
        continue;
      }
      if (res.status === 304) {
        await res.body?.cancel().catch(() => {});
        return { kind: 'not_modified' };
      }
      if (!res.ok) {
        await res.body?.cancel().catch(() => {});
        return { kind: 'error', error: { code: 'http', status: res.status } };
      }
      const bytes = await readCapped(res, maxBytes);
      if (!bytes) return { kind: 'error', error: { code: 'too_large' } };
      return { kind: 'response', res, bytes, finalUrl: res.url || current };
    }
  } catch (err) {
    if (controller.signal.aborted) return { kind: 'error', error: { code: 'timeout' } };
    return { kind: 'error', error: { code: 'network', detail: String((err as Error)?.message ?? err) } };
  } finally {
    clearTimeout(timer);
  }
}

export async function fetchFeed(url: string, opts: FetchOptions = {}): Promise<FetchOutcome> {
  const r = await fetchCapped(url, opts);
  if (r.kind !== 'response') return r;
  const validators: Validators = {};
  const etag = r.res.headers.get('etag');
  const lastModified = r.res.headers.get('last-modified');
  if (etag) validators.etag = etag;
  if (lastModified) validators.lastModified = lastModified;
  // Decoded as UTF-8 whatever the server claims: JSON is UTF-8 (RFC 8259).
  const body = new TextDecoder('utf-8').decode(r.bytes);
  return { kind: 'ok', body, bytes: r.bytes, validators, finalUrl: r.finalUrl };
}
