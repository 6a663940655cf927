// Helpers on parsed items. No zod here: the popup and content scripts use these without
// carrying the schemas in their bundles (the types below are erased).
import type { Attachment, FeedMeta, Item } from './feed-schema';
import type { Priority } from './limits';

export type { Attachment, FeedMeta, Item };
export { LIMITS, PRIORITIES, type Priority } from './limits';

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

/** The post's video: its first MP4 attachment (Siar attaches one video per post). */
export function videoOf(item: Item): Attachment | undefined {
  return item.attachments?.find((a) => a.mime_type === 'video/mp4');
}
