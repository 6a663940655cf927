import { loadFeedHeadOf, loadFeedState } from '@/utils/feed/cache';
import type { FeedState } from '@/utils/feed/types';
import { readShareStates } from '@/utils/history/queries';
import type { ShareStates } from '@/utils/history/share-state';
import { effectiveFeedUrl } from '@/utils/settings';

export interface PopupData {
  /** null: no feed is set. */
  feedUrl: string | null;
  /** The feed's head (its first posts), or the whole feed where it has no head yet. */
  state?: FeedState;
  /** `state` holds every post. */
  complete: boolean;
  /**
   * What was done with each post, per platform. Not waited for: it opens a second database, and
   * the titles (what the user looks for first) need only the feed; the lines follow a frame later.
   */
  states: Promise<ShareStates>;
}

/**
 * What the popup's first list needs, read at once: the feed URL (settings and policy), the
 * feed's head and the items already shared. Started before the first render,
 * not from an effect that runs a frame later; the whole feed is read after the first paint.
 */
export async function loadPopupData(): Promise<PopupData> {
  const url = effectiveFeedUrl();
  // Marks for the bench (bench/popup-probe.ts): where the first list's time goes.
  const marked = <T>(name: string, p: Promise<T>) => p.then((v) => (performance.mark(`siar:${name}`), v));
  const states = marked('states', readShareStates());
  const [feedUrl, head] = await Promise.all([marked('feed-url', url), marked('head', loadFeedHeadOf(url))]);
  if (head || !feedUrl) return { feedUrl: feedUrl ?? null, state: head, complete: !feedUrl, states };
  return { feedUrl, state: await loadFeedState(feedUrl), complete: true, states };
}
