import { parseFeedText } from '../protocol/feed';
import { fetchCapped, fetchFeed, type FetchOptions } from './fetch';
import type { FeedError, FeedState } from './types';
import { signatureUrl, verifyFeedSignature } from './signature';

export interface RefreshOptions extends Omit<FetchOptions, 'validators'> {
  /** The agency's Ed25519 public key: when set, only a feed signed with it is used. */
  publicKey?: string;
}

/** Fetches feed.json.sig and checks it against the exact bytes received. */
async function checkSignature(feedUrl: string, bytes: Uint8Array, publicKey: string, opts: FetchOptions): Promise<FeedError | undefined> {
  const r = await fetchCapped(signatureUrl(feedUrl), { ...opts, validators: undefined, accept: 'text/plain', maxBytes: 1024 });
  if (r.kind === 'error') return r.error.code === 'http' && r.error.status === 404 ? { code: 'unsigned' } : r.error;
  if (r.kind !== 'response') return { code: 'unsigned' };
  const signature = new TextDecoder().decode(r.bytes);
  return (await verifyFeedSignature(bytes, signature, publicKey)) ? undefined : { code: 'bad_signature' };
}

/**
 * Whether a signed feed is older than the verified copy held: Ed25519 says who wrote the bytes,
 * not when, so last month's signed feed served again must not bring back withdrawn posts. Once a
 * copy with an issue time is held, a feed without one is refused too.
 */
export function isReplay(held: string | undefined, received: string | undefined): boolean {
  if (!held) return false;
  if (!received) return true;
  return Date.parse(received) < Date.parse(held);
}

/**
 * One refresh step, pure apart from the network: the new state from the cached one and what the
 * agency answered. A bad answer keeps the last good items and records why.
 */
export async function refreshFeedState(
  feedUrl: string,
  cached: FeedState | undefined,
  now: number,
  opts: RefreshOptions = {},
): Promise<FeedState> {
  const { publicKey, ...fetchOpts } = opts;
  let base: FeedState = cached?.feedUrl === feedUrl ? cached : { feedUrl, items: [], dropped: 0 };
  // A copy not verified with the key now set was never good under it: it is not kept, and the
  // feed is fetched whole to be checked.
  if (publicKey && base.verifiedWith !== publicKey) base = { feedUrl, items: [], dropped: 0 };
  const outcome = await fetchFeed(feedUrl, {
    ...fetchOpts,
    // Validators only make sense when we still hold the copy they describe.
    validators: base.items.length > 0 ? base.validators : undefined,
  });
  if (outcome.kind === 'not_modified') {
    const { lastError: _gone, ...rest } = base;
    return { ...rest, fetchedAt: now, checkedAt: now };
  }
  if (outcome.kind === 'error') return { ...base, checkedAt: now, lastError: { ...outcome.error, at: now } };
  let got = outcome;
  if (publicKey) {
    let problem = await checkSignature(feedUrl, got.bytes, publicKey, fetchOpts);
    // The agency may have published a new version between our two requests: the signature then
    // belongs to other bytes. Both are asked for once more before the feed is called forged.
    if (problem?.code === 'bad_signature') {
      const again = await fetchFeed(feedUrl, { ...fetchOpts, validators: undefined });
      if (again.kind === 'ok') {
        got = again;
        problem = await checkSignature(feedUrl, got.bytes, publicKey, fetchOpts);
      }
    }
    if (problem) return { ...base, checkedAt: now, lastError: { ...problem, at: now } };
  }
  const parsed = parseFeedText(got.body);
  if (!parsed.ok) return { ...base, checkedAt: now, lastError: { code: 'invalid', problem: parsed.problem, at: now } };
  if (publicKey && isReplay(base.meta?._siar?.issued_at, parsed.feed.meta._siar?.issued_at)) {
    return { ...base, checkedAt: now, lastError: { code: 'replayed', at: now } };
  }
  return {
    ...(publicKey ? { verifiedWith: publicKey } : {}),
    feedUrl,
    meta: parsed.feed.meta,
    items: parsed.feed.items,
    dropped: parsed.feed.dropped,
    fetchedAt: now,
    checkedAt: now,
    validators: got.validators,
  };
}
