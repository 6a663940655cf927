import type { Item } from '../protocol/feed';
import { siteById } from '../sites/registry';
import { composeText, type Composed } from './compose';

/** `composeText` fitted to the site's own text limit, as the site registry declares it. */
export function composeFor(item: Item, platform: string, variant = 0): Composed {
  return composeText(item, platform, variant, siteById(platform)?.textLimit?.max);
}
