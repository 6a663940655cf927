import type { Item } from '../protocol/feed';
import { ShareEventSchema, type ShareAction, type ShareEventWire } from '../protocol/tally';
import { defaultTimeZone } from '../time/local-day';
import { historyDb } from './db';
import { addMark, type ItemMarks } from './share-state';
import type { ShareEvent } from './types';
import { addToStoredTotals } from './totals';

/** `2026-11-21T09:14:03+07:00`: local wall time with the local offset. */
export function toLocalRfc3339(date: Date): string {
  const pad = (n: number, w = 2) => String(Math.abs(n)).padStart(w, '0');
  const off = -date.getTimezoneOffset();
  const sign = off >= 0 ? '+' : '-';
  return (
    `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}` +
    `T${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}` +
    `${sign}${pad(Math.trunc(off / 60))}:${pad(off % 60)}`
  );
}

export interface NewShare {
  item: Item;
  feedUrl: string;
  platform: string;
  action: ShareAction;
  postUrl?: string;
  /** A `posted` the user said they did: the extension cannot see the send (WhatsApp, a copy). */
  selfReported?: boolean;
}

export function makeShareEvent(share: NewShare, now: Date, id: string = crypto.randomUUID()): ShareEvent {
  const s = share.item._siar;
  const event: ShareEvent = {
    id,
    item_id: share.item.id,
    feed_url: share.feedUrl,
    platform: share.platform,
    action: share.action,
    at: toLocalRfc3339(now),
    atMs: now.getTime(),
    sync: 'pending',
    item: {
      title: share.item.title,
      agencyId: s?.agency?.id,
      agencyName: s?.agency?.name,
      campaign: s?.campaign,
      priority: s?.priority,
    },
  };
  if (share.postUrl) event.post_url = share.postUrl;
  // Only a `posted` can be self-reported (the tally refuses anything else).
  if (share.selfReported && share.action === 'posted') event.self_reported = true;
  // What goes on the wire must be valid now, not found invalid by the tally later.
  ShareEventSchema.parse(toWire(event));
  return event;
}

/** The part of an event that leaves the browser (docs/protocol.md "Share events and the tally"). */
export function toWire(e: ShareEvent): ShareEventWire {
  const { id, item_id, feed_url, platform, action, at, post_url, self_reported } = e;
  const wire: ShareEventWire = { id, item_id, feed_url, platform, action, at };
  if (post_url) wire.post_url = post_url;
  if (self_reported) wire.self_reported = true;
  return wire;
}

/** `timeZone`: the zone of the stored posted days (utils/history/totals.ts); tests pick one. */
export async function recordShare(share: NewShare, now = new Date(), timeZone = defaultTimeZone()): Promise<ShareEvent> {
  const event = makeShareEvent(share, now);
  const tx = (await historyDb()).transaction(['events', 'totals', 'item_states'], 'readwrite');
  const events = tx.objectStore('events');
  await Promise.all([
    events.add(event),
    addToStoredTotals(tx.objectStore('totals'), events.index('by_action_at'), event, timeZone),
    addToItemState(tx.objectStore('item_states'), event),
    tx.done,
  ]);
  return event;
}

async function addToItemState(
  store: { get(k: string): Promise<ItemMarks | undefined>; put(v: ItemMarks): Promise<unknown> },
  e: ShareEvent,
): Promise<void> {
  const { rec, changed } = addMark(await store.get(e.item_id), e);
  if (changed) await store.put(rec);
}

/** Adds a post link to an earlier event still in the outbox (X's toast comes after Post). */
export async function attachPostUrl(id: string, postUrl: string): Promise<boolean> {
  const d = await historyDb();
  const tx = d.transaction('events', 'readwrite');
  const e = await tx.store.get(id);
  if (!e || e.sync !== 'pending' || e.post_url) {
    await tx.done;
    return false;
  }
  e.post_url = postUrl;
  ShareEventSchema.parse(toWire(e));
  await tx.store.put(e);
  await tx.done;
  return true;
}
