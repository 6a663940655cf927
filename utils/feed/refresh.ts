import { parseFeedText } from '../protocol/feed';
import { fetchFeed, type FetchOptions } from './fetch';
import type { FeedState } from './cache';

/**
 * One refresh step, pure apart from the network: the new state from the cached one and what the
 * agency answered. A bad answer keeps the last good items and records why.
 */
export async function refreshFeedState(
  feedUrl: string,
  cached: FeedState | undefined,
  now: number,
  opts: Omit<FetchOptions, 'validators'> = {},
): Promise<FeedState> {
  const base: FeedState = cached?.feedUrl === feedUrl ? cached : { feedUrl, items: [], dropped: 0 };
  const outcome = await fetchFeed(feedUrl, {
    ...opts,
    // Validators only make sense when we still hold the copy they describe.
    validators: base.items.length > 0 ? base.validators : undefined,
  });
  if (outcome.kind === 'not_modified') {
    const { lastError: _gone, ...rest } = base;
    return { ...rest, fetchedAt: now, checkedAt: now };
  }
  if (outcome.kind === 'error') return { ...base, checkedAt: now, lastError: { ...outcome.error, at: now } };
  const parsed = parseFeedText(outcome.body);
  if (!parsed.ok) return { ...base, checkedAt: now, lastError: { code: 'invalid', problem: parsed.problem, at: now } };
  return {
    feedUrl,
    meta: parsed.feed.meta,
    items: parsed.feed.items,
    dropped: parsed.feed.dropped,
    fetchedAt: now,
    checkedAt: now,
    validators: outcome.validators,
  };
}
