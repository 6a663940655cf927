import { composeFor, variantCount } from '../compose';
import { isPostedOn, stateOn, type ShareStates } from '../history/share-state';
import type { PanelItem, PanelVideo } from '../messages/replies';
import { isForPlatform, priorityOf, videoOf, type Item } from '../protocol/item';
import { currentItems } from './select';

/** The post's video as the panel needs it; `signed`: the feed's signature was checked. */
export function panelVideo(item: Item, signed: boolean): PanelVideo | undefined {
  const v = videoOf(item);
  if (!v) return undefined;
  return {
    url: v.url,
    poster: v._siar?.poster,
    seconds: v.duration_in_seconds,
    bytes: v.size_in_bytes,
    sha256: v._siar?.sha256,
    hashRequired: signed,
  };
}

/**
 * The composer panel's list for a platform: current posts meant for it, texts composed, each
 * marked shared only where it was posted on this platform (a post on another one does not count).
 */
export function panelItems(items: readonly Item[], states: ShareStates, platform: string, now: number, signed = false): PanelItem[] {
  return currentItems(items, now)
    .filter((i) => isForPlatform(i, platform))
    .map((i) => ({
      id: i.id,
      title: i.title ?? i.summary ?? i.id,
      agency: i._siar?.agency?.name,
      priority: priorityOf(i),
      shared: isPostedOn(states, i.id, platform),
      tried: stateOn(states, i.id, platform) === 'attempted',
      hasImage: Boolean(i.image),
      video: panelVideo(i, signed),
      texts: Array.from({ length: variantCount(i, platform) }, (_, v) => {
        const c = composeFor(i, platform, v);
        return { text: c.text, weighted: c.weighted };
      }),
    }));
}
