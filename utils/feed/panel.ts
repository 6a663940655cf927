import { composeFor, variantCount } from '../compose';
import type { PanelItem } from '../messages/replies';
import { isForPlatform, priorityOf, type Item } from '../protocol/item';
import { currentItems } from './select';

/** The composer panel's list for a platform: current posts meant for it, texts composed. */
export function panelItems(items: readonly Item[], shared: ReadonlySet<string>, platform: string, now: number): PanelItem[] {
  return currentItems(items, now)
    .filter((i) => isForPlatform(i, platform))
    .map((i) => ({
      id: i.id,
      title: i.title ?? i.summary ?? i.id,
      agency: i._siar?.agency?.name,
      priority: priorityOf(i),
      shared: shared.has(i.id),
      hasImage: Boolean(i.image),
      texts: Array.from({ length: variantCount(i, platform) }, (_, v) => {
        const c = composeFor(i, platform, v);
        return { text: c.text, weighted: c.weighted };
      }),
    }));
}
