// Feeds and history events made for the bench, in the shapes the extension and the tally use.
import { buildDemoFeed, wib, type JsonFeed } from '../server/demo/feed';

const DAY = 86_400_000;

/**
 * A feed of `n` current posts cloned from the demo feed's shape (captions, variants, hashtags,
 * agencies, priorities, pictures), each with its own id, link, title and date. Nothing is
 * expired, so every post is one the popup lists. Each `run` value gives different texts.
 */
export function bigFeed(base: string, n: number, now = Date.now(), run = ''): JsonFeed {
  const demo = buildDemoFeed({ base, now });
  const items = Array.from({ length: n }, (_, i) => {
    const t = demo.items[i % demo.items.length]!;
    return {
      ...t,
      id: `${t.id}-b${i}`,
      // `run` makes every composed text new (the link is part of it), so repeated runs measure
      // the work, not a cache.
      url: `${t.url}-${i}${run}`,
      title: `${t.title} (${i + 1})`,
      date_published: wib(now - i * 60_000),
      _siar: { ...t._siar, expires_at: wib(now + 30 * DAY) },
    };
  });
  return { ...demo, items };
}

/** The demo feed with the picture taken off the posts whose index is odd (for text-only inserts). */
export function demoFeedHalfPictures(base: string, now = Date.now()): { feed: JsonFeed; withPicture: string[]; textOnly: string[] } {
  const demo = buildDemoFeed({ base, now });
  const withPicture: string[] = [];
  const textOnly: string[] = [];
  const items = demo.items.map((item, i) => {
    if (i % 2 === 1) {
      textOnly.push(item.title ?? item.id);
      const { image: _image, ...rest } = item;
      return rest;
    }
    withPicture.push(item.title ?? item.id);
    return item;
  });
  return { feed: { ...demo, items }, withPicture, textOnly };
}

export interface SeedOptions {
  count: number;
  itemIds: string[];
  titles: string[];
  feedUrl: string;
  sync: 'pending' | 'synced';
  /** Spread over this many days before now. */
  days: number;
  now: number;
  /**
   * An outbox the tally takes whole (goal 7): each item's events fall between its first
   * publication (`publishedAt[k]`, ms) and now, on the tally's platforms only, a `posted` on X or
   * Facebook carries that platform's post address and one on WhatsApp is self-reported.
   * Without it: goal 6's history, spread over `days` on every platform.
   */
  valid?: { publishedAt: number[] };
}

/**
 * Runs INSIDE an extension page (serialized with Function#toString, so self-contained): writes
 * `count` share events into a new `siar-history` with one raw IndexedDB transaction, in the v2 shape of
 * utils/history/db.ts (ShareEvent). Returns the milliseconds the write took.
 */
export async function seedHistoryInPage(o: SeedOptions): Promise<number> {
  const t0 = performance.now();
  // A fresh v2 history, as a user updating from a version before v3 has: the extension upgrades
  // it when it next opens it. Open connections close on `versionchange` (utils/history/db.ts).
  await new Promise<void>((resolve, reject) => {
    const req = indexedDB.deleteDatabase('siar-history');
    req.onsuccess = () => resolve();
    req.onerror = () => reject(req.error);
  });
  const db = await new Promise<IDBDatabase>((resolve, reject) => {
    const req = indexedDB.open('siar-history', 2);
    req.onupgradeneeded = (ev) => {
      const d = req.result;
      const tx = req.transaction!;
      if ((ev as IDBVersionChangeEvent).oldVersion < 1) {
        const s = d.createObjectStore('events', { keyPath: 'id' });
        s.createIndex('by_sync', 'sync');
        s.createIndex('by_at', 'atMs');
      }
      if ((ev as IDBVersionChangeEvent).oldVersion < 2) tx.objectStore('events').createIndex('by_item', 'item_id');
    };
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
  const actions = ['posted', 'inserted', 'copied', 'intent_opened'];
  const platforms = ['x', 'facebook', 'whatsapp', 'x', 'facebook', 'other'];
  const agencies = [
    ['diskominfo', 'Dinas Komunikasi dan Informatika'],
    ['dinkes', 'Dinas Kesehatan'],
    ['disdik', 'Dinas Pendidikan'],
    ['dpupr', 'Dinas Pekerjaan Umum dan Penataan Ruang'],
  ];
  const pad = (n: number) => String(n).padStart(2, '0');
  const rfc3339 = (ms: number) => {
    const d = new Date(ms);
    const off = -d.getTimezoneOffset();
    const sign = off >= 0 ? '+' : '-';
    const a = Math.abs(off);
    return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}${sign}${pad(Math.floor(a / 60))}:${pad(a % 60)}`;
  };
  const span = o.days * 86_400_000;
  const validPlatforms = ['x', 'facebook', 'whatsapp'];
  await new Promise<void>((resolve, reject) => {
    const tx = db.transaction('events', 'readwrite');
    const store = tx.objectStore('events');
    for (let i = 0; i < o.count; i++) {
      const k = i % o.itemIds.length;
      // Oldest first, evenly over the span, so days and streaks have something to count; for a
      // valid outbox, the span of each item is from a minute after it was published to a minute ago.
      const from = o.valid ? Math.max(o.valid.publishedAt[k]! + 60_000, o.now - span) : o.now - span;
      const to = o.valid ? o.now - 60_000 : o.now;
      const atMs = Math.floor(from + ((to - from) * (i + 1)) / o.count);
      const ag = agencies[k % agencies.length]!;
      // Platforms and actions vary on different strides, so every pair occurs.
      const platform = o.valid ? validPlatforms[Math.floor(i / 4) % validPlatforms.length]! : platforms[i % platforms.length]!;
      const action = actions[i % actions.length]!;
      const e: Record<string, unknown> = {
        id: crypto.randomUUID(),
        item_id: o.itemIds[k],
        feed_url: o.feedUrl,
        platform,
        action,
        at: rfc3339(atMs),
        atMs,
        sync: o.sync,
        item: {
          title: o.titles[k],
          agencyId: ag[0],
          agencyName: ag[1],
          campaign: `kampanye-${k % 5}`,
          priority: k % 3 ? 'normal' : 'high',
        },
      };
      if (o.sync === 'synced') e.syncedAt = atMs + 5000;
      if (o.valid && action === 'posted') {
        const n = String(1_800_000_000_000_000_000n + BigInt(i));
        if (platform === 'x') e.post_url = `https://x.com/contoh_asn/status/${n}`;
        else if (platform === 'facebook') e.post_url = `https://www.facebook.com/contoh.asn/posts/${n}`;
        else e.self_reported = true;
      }
      store.put(e);
    }
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error);
  });
  db.close();
  return performance.now() - t0;
}

/** Runs INSIDE an extension page: how many events of `siar-history` are in each sync state. */
export async function countSyncInPage(): Promise<Record<string, number>> {
  const db = await new Promise<IDBDatabase>((resolve, reject) => {
    const req = indexedDB.open('siar-history');
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
  const out: Record<string, number> = {};
  if (!db.objectStoreNames.contains('events')) {
    db.close();
    return out;
  }
  const index = db.transaction('events').objectStore('events').index('by_sync');
  for (const state of ['pending', 'synced', 'rejected']) {
    out[state] = await new Promise<number>((resolve, reject) => {
      const r = index.count(state);
      r.onsuccess = () => resolve(r.result);
      r.onerror = () => reject(r.error);
    });
  }
  db.close();
  return out;
}

/** Runs INSIDE an extension page: the events the tally rejected, counted by its reason. */
export async function rejectReasonsInPage(): Promise<Record<string, number>> {
  const db = await new Promise<IDBDatabase>((resolve, reject) => {
    const req = indexedDB.open('siar-history');
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
  const rejected = await new Promise<{ rejectReason?: string }[]>((resolve, reject) => {
    const r = db.transaction('events').objectStore('events').index('by_sync').getAll('rejected');
    r.onsuccess = () => resolve(r.result as { rejectReason?: string }[]);
    r.onerror = () => reject(r.error);
  });
  db.close();
  const out: Record<string, number> = {};
  for (const e of rejected) out[e.rejectReason ?? '?'] = (out[e.rejectReason ?? '?'] ?? 0) + 1;
  return out;
}

/** Share events as the tally takes them (docs/protocol.md "Share events and the tally"), for the load generator. */
export function wireShares(n: number, itemIds: readonly string[], feedUrl: string, now = Date.now()): object[] {
  const actions = ['posted', 'inserted', 'copied', 'intent_opened'] as const;
  const platforms = ['x', 'facebook', 'whatsapp'] as const;
  const at = wib(now - 60_000);
  return Array.from({ length: n }, (_, i) => ({
    id: crypto.randomUUID(),
    item_id: itemIds[i % itemIds.length]!,
    feed_url: feedUrl,
    platform: platforms[i % platforms.length]!,
    action: actions[i % actions.length]!,
    at,
  }));
}
