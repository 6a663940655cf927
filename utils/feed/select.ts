import { foldForSearch } from '../format/search';
import { isExpired, priorityOf, type Item, type Priority } from '../protocol/item';
import { isPostedAnywhere, type ShareStates } from '../history/share-state';
import type { FeedState } from './types';

// What the popup and the composer panel show, as pure functions of the cached items.

const PRIORITY_RANK: Record<Priority, number> = { mandatory: 0, high: 1, normal: 2 };

function publishedAt(item: Item): number {
  return Date.parse(item.date_published ?? item.date_modified ?? '') || 0;
}

/** Current posts (expired hidden), mandatory first, then newest. */
export function currentItems(items: readonly Item[], now: number): Item[] {
  // Keys worked out once per item, not in every comparison: dates parsed 10,000 times for a
  // 1,000-post feed were a tenth of the popup's script time.
  return items
    .filter((i) => !isExpired(i, now))
    .map((item) => ({ item, mandatory: priorityOf(item) === 'mandatory' ? 0 : 1, at: publishedAt(item) }))
    .sort((a, b) => a.mandatory - b.mandatory || b.at - a.at)
    .map((k) => k.item);
}

export interface ItemFilter {
  query?: string;
  agencyId?: string;
  priority?: Priority;
}

export function searchableText(item: Item): string {
  const s = item._siar;
  const captions = Object.values(s?.captions ?? {}).flat();
  return foldForSearch(
    [item.title, item.summary, s?.agency?.name, s?.campaign, ...(s?.hashtags ?? []), ...captions].filter(Boolean).join('\n'),
  );
}

export function filterItems(items: readonly Item[], f: ItemFilter): Item[] {
  const words = foldForSearch(f.query ?? '')
    .split(/\s+/)
    .filter(Boolean);
  return items.filter((item) => {
    if (f.agencyId && item._siar?.agency?.id !== f.agencyId) return false;
    if (f.priority && priorityOf(item) !== f.priority) return false;
    if (words.length === 0) return true;
    const hay = searchableText(item);
    return words.every((w) => hay.includes(w));
  });
}

/** The OPDs that own at least one of the items, by name. */
export function agenciesOf(items: readonly Item[]): { id: string; name: string }[] {
  const byId = new Map<string, string>();
  for (const i of items) if (i._siar?.agency) byId.set(i._siar.agency.id, i._siar.agency.name);
  return [...byId].map(([id, name]) => ({ id, name })).sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * The toolbar badge: current mandatory and high-priority posts not yet posted anywhere. A copy,
 * an insert or an opened share window leaves a post on it: only a post takes it off.
 */
export function unpostedUrgentCount(items: readonly Item[], states: ShareStates, now: number): number {
  return items.filter((i) => !isExpired(i, now) && PRIORITY_RANK[priorityOf(i)] <= 1 && !isPostedAnywhere(states, i.id)).length;
}

/** Whether the cached copy is older than the refresh interval. */
export function isStale(state: FeedState | undefined, intervalMinutes: number, now: number): boolean {
  return !state?.fetchedAt || now - state.fetchedAt >= intervalMinutes * 60_000;
}

/**
 * The tally URL the feed names, when it may be trusted with where the user's NIP and name go:
 * the feed verified with the agency's key, or the tally on the feed's own host.
 */
export function feedTallyUrl(state: FeedState | undefined): string | undefined {
  const url = state?.meta?._siar?.tally_url;
  if (!state || !url) return undefined;
  if (state.verifiedWith) return url;
  try {
    return new URL(url).hostname === new URL(state.feedUrl).hostname ? url : undefined;
  } catch {
    return undefined;
  }
}
