// Helpers on parsed items. No zod here: the popup and content scripts use these without
// carrying the schemas in their bundles.
import type { FeedMeta, Item } from './feed';

export type { FeedMeta, Item };

export const LIMITS = {
  title: 300,
  caption: 2000,
  summary: 2000,
  contentText: 20_000,
  items: 1000,
  hashtags: 30,
  variants: 20,
  id: 200,
  name: 200,
  feedBytes: 5 * 1024 * 1024,
} as const;

export const PRIORITIES = ['normal', 'high', 'mandatory'] as const;
export type Priority = (typeof PRIORITIES)[number];

export function priorityOf(item: Item): Priority {
  return item._siar?.priority ?? 'normal';
}

export function isExpired(item: Item, now: number): boolean {
  const exp = item._siar?.expires_at;
  return exp !== undefined && Date.parse(exp) <= now;
}

/** Whether the item is meant for the platform; no `platforms` list means everywhere. */
export function isForPlatform(item: Item, platform: string): boolean {
  const list = item._siar?.platforms;
  return !list || list.length === 0 || list.includes(platform);
}

/** Refresh interval in minutes: the feed's suggestion, never more often than every 5 minutes. */
export function refreshMinutes(meta: FeedMeta | undefined, fallback = 30): number {
  const m = meta?._siar?.refresh_minutes ?? fallback;
  return Math.min(Math.max(m, 5), 24 * 60);
}
