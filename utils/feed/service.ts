import { browser } from 'wxt/browser';
import { permissionPattern } from '../protocol/url';
import { loadFeedState, saveFeedState } from './cache';
import type { FeedState } from './types';
import { refreshFeedState } from './refresh';
import { effectiveFeedPublicKey } from '../settings/settings';

const inFlight = new Map<string, Promise<FeedState>>();

/**
 * Fetches the feed once, stores the outcome and returns it. Concurrent callers for the same feed
 * (alarm, popup, options) share one request; a new feed URL never waits on the old one's.
 */
export function refreshFeed(feedUrl: string): Promise<FeedState> {
  const running = inFlight.get(feedUrl);
  if (running) return running;
  const next = (async () => {
    const cached = await loadFeedState(feedUrl);
    const now = Date.now();
    const pattern = permissionPattern(feedUrl);
    let next: FeedState;
    if (!pattern || !(await browser.permissions.contains({ origins: [pattern] }))) {
      const base = cached ?? { feedUrl, items: [], dropped: 0 };
      next = { ...base, checkedAt: now, lastError: { code: pattern ? 'permission' : 'bad_url', at: now } };
    } else {
      next = await refreshFeedState(feedUrl, cached, now, { publicKey: await effectiveFeedPublicKey() });
    }
    if (next.lastError) console.warn('[siar] feed refresh failed', feedUrl, next.lastError);
    await saveFeedState(next);
    return next;
  })().finally(() => {
    inFlight.delete(feedUrl);
  });
  inFlight.set(feedUrl, next);
  return next;
}
