import { loadFeedStateOf, type FeedState } from '@/utils/feed/cache';
import { sharedItemIds } from '@/utils/history/queries';
import { effectiveFeedUrl } from '@/utils/settings';

export interface PopupData {
  /** null: no feed is set. */
  feedUrl: string | null;
  state?: FeedState;
  shared: Set<string>;
}

/**
 * Everything the popup's first list needs, read at once: the feed URL (settings and policy),
 * the cached feed and the items already shared. Started before the first render (issue 5,
 * goal 5), not from an effect that runs a frame later.
 */
export async function loadPopupData(): Promise<PopupData> {
  const url = effectiveFeedUrl();
  const [feedUrl, state, shared] = await Promise.all([url, loadFeedStateOf(url), sharedItemIds()]);
  return { feedUrl: feedUrl ?? null, state, shared };
}
