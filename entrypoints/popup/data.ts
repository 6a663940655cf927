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
  /** What was done with each post, per platform. */
  states: ShareStates;
}

/**
 * What the popup's first list needs, read at once: the feed URL (settings and policy), the
 * feed's head and the items already shared. Started before the first render,
 * not from an effect that runs a frame later; the whole feed is read after the first paint.
 */
export async function loadPopupData(): Promise<PopupData> {
  const url = effectiveFeedUrl();
  const [feedUrl, head, states] = await Promise.all([url, loadFeedHeadOf(url), readShareStates()]);
  if (head || !feedUrl) return { feedUrl: feedUrl ?? null, state: head, complete: !feedUrl, states };
  return { feedUrl, state: await loadFeedState(feedUrl), complete: true, states };
}
