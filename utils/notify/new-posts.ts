import { isExpired, priorityOf, type Item } from '../protocol/item';

// Which mandatory posts are new to this browser. Pure: the memory goes in and comes out.

export interface NotifyMemory {
  /** False until the first feed was seen: what was there at install is not "new". */
  primed: boolean;
  /** Mandatory posts already seen (notified or not), newest first, bounded. */
  seen: string[];
}

export const EMPTY_MEMORY: NotifyMemory = { primed: false, seen: [] };
const MAX_SEEN = 2000;

/**
 * The current mandatory posts not seen before, and the memory with them added. Each post is new
 * once: whether it was shown (working hours, permission) is the caller's choice, never asked twice.
 */
export function newMandatoryPosts(items: readonly Item[], memory: NotifyMemory, now: number): { fresh: Item[]; memory: NotifyMemory } {
  const mandatory = items.filter((i) => priorityOf(i) === 'mandatory' && !isExpired(i, now));
  const seen = new Set(memory.seen);
  const fresh = memory.primed ? mandatory.filter((i) => !seen.has(i.id)) : [];
  const next = [...new Set([...mandatory.map((i) => i.id), ...memory.seen])].slice(0, MAX_SEEN);
  return { fresh, memory: { primed: true, seen: next } };
}
