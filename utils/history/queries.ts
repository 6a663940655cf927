import { historyDb, type ShareEvent } from './db';

/** Ids of the items this profile has shared in any way. */
export async function sharedItemIds(): Promise<Set<string>> {
  const d = await historyDb();
  const ids = new Set<string>();
  let cursor = await d.transaction('events').store.index('by_item').openKeyCursor(null, 'nextunique');
  while (cursor) {
    ids.add(cursor.key);
    cursor = await cursor.continue();
  }
  return ids;
}

export async function pendingEvents(limit: number): Promise<ShareEvent[]> {
  return (await historyDb()).getAllFromIndex('events', 'by_sync', 'pending', limit);
}

export async function countBySync(): Promise<Record<'pending' | 'synced' | 'rejected', number>> {
  const d = await historyDb();
  const [pending, synced, rejected] = await Promise.all([
    d.countFromIndex('events', 'by_sync', 'pending'),
    d.countFromIndex('events', 'by_sync', 'synced'),
    d.countFromIndex('events', 'by_sync', 'rejected'),
  ]);
  return { pending, synced, rejected };
}

/** Newest first. */
export async function recentEvents(limit: number): Promise<ShareEvent[]> {
  const d = await historyDb();
  const out: ShareEvent[] = [];
  let cursor = await d.transaction('events').store.index('by_at').openCursor(null, 'prev');
  while (cursor && out.length < limit) {
    out.push(cursor.value);
    cursor = await cursor.continue();
  }
  return out;
}
