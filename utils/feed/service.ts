import { browser } from 'wxt/browser';
import { permissionPattern } from '../protocol/url';
import { loadFeedState, saveFeedState, type FeedState } from './cache';
import { refreshFeedState } from './refresh';

let inFlight: Promise<FeedState> | undefined;

/**
 * Fetches the feed once, stores the outcome and returns it. Concurrent callers (alarm, popup,
 * options) share one request.
 */
export function refreshFeed(feedUrl: string): Promise<FeedState> {
  inFlight ??= (async () => {
    const cached = await loadFeedState(feedUrl);
    const now = Date.now();
    const pattern = permissionPattern(feedUrl);
    let next: FeedState;
    if (!pattern || !(await browser.permissions.contains({ origins: [pattern] }))) {
      const base = cached ?? { feedUrl, items: [], dropped: 0 };
      next = { ...base, checkedAt: now, lastError: { code: pattern ? 'permission' : 'bad_url', at: now } };
    } else {
      next = await refreshFeedState(feedUrl, cached, now);
    }
    if (next.lastError) console.warn('[siar] feed refresh failed', feedUrl, next.lastError);
    await saveFeedState(next);
    return next;
  })().finally(() => {
    inFlight = undefined;
  });
  return inFlight;
}
