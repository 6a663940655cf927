import type { Item } from '../protocol/feed';

// The text of a post without X's length limit: every platform but X. Apart from compose.ts so
// that the popup, which shows these, does not load twitter-text until someone shares on X.

/** The caption variants for a platform: captions[P], else captions.default, else title, else summary. */
export function captionVariants(item: Item, platform: string): string[] {
  const captions = item._siar?.captions ?? {};
  for (const key of [platform, 'default']) {
    // Own keys only: a platform named "constructor" must not find Object's.
    const c = Object.hasOwn(captions, key) ? captions[key] : undefined;
    const list = (Array.isArray(c) ? c : c === undefined ? [] : [c]).map((s) => s.trim()).filter(Boolean);
    if (list.length > 0) return list;
  }
  const fallback = (item.title ?? '').trim() || (item.summary ?? '').trim();
  return fallback ? [fallback] : [''];
}

export function hashtagLine(item: Item): string {
  return (item._siar?.hashtags ?? []).map((t) => `#${t}`).join(' ');
}

export function join(parts: string[]): string {
  return parts.filter((p) => p.length > 0).join('\n\n');
}

/** Caption variant `variant`, taken modulo the number of variants. */
export function pickCaption(item: Item, platform: string, variant: number): string {
  const variants = captionVariants(item, platform);
  return variants[((variant % variants.length) + variants.length) % variants.length] ?? '';
}

/** Caption, hashtags and link, each in its own paragraph: the text for platforms with no limit. */
export function plainText(item: Item, platform: string, variant = 0): string {
  return join([pickCaption(item, platform, variant), hashtagLine(item), item.url ?? '']);
}

export function variantCount(item: Item, platform: string): number {
  return captionVariants(item, platform).length;
}
