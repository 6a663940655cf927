import type { Item } from '../protocol/feed-schema';
import type { Site } from '../sites/types';

/**
 * Where a share by link goes: the site's own link share for the post and its composed text, else
 * the site's composer page.
 */
export function linkShareUrl(site: Site, item: Item, text: string): string | undefined {
  return site.share.intentUrl(item, text) ?? site.composerUrl;
}
