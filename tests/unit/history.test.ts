import { IDBFactory } from 'fake-indexeddb';
import { beforeEach, describe, expect, it } from 'vitest';
import { _resetHistoryDbForTests, DB_VERSION, MIGRATIONS, openHistoryDb } from '@/utils/history/db';
import { attachPostUrl, makeShareEvent, recordShare, toLocalRfc3339, toWire } from '@/utils/history/record';
import { countBySync, pendingEvents, readShareStates, recentEvents } from '@/utils/history/queries';
import { ItemSchema } from '@/utils/protocol/feed';
import { ShareEventSchema } from '@/utils/protocol/tally';

const item = ItemSchema.parse({
  id: 'panen-raya',
  title: 'Panen raya',
  _siar: { agency: { id: 'distan', name: 'Dinas Pertanian' }, campaign: 'ketahanan-pangan', priority: 'high' },
});
const feedUrl = 'https://pemkab.example/siar/feed.json';

beforeEach(() => {
  globalThis.indexedDB = new IDBFactory();
  _resetHistoryDbForTests();
});

describe('share events', () => {
  it('records an event that is valid on the wire, pending, with item context', async () => {
    const e = await recordShare({ item, feedUrl, platform: 'x', action: 'copied' }, new Date('2026-11-21T02:14:03Z'));
    expect(ShareEventSchema.parse(toWire(e))).toEqual(toWire(e));
    expect(e.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(e.sync).toBe('pending');
    expect(e.item).toMatchObject({ agencyName: 'Dinas Pertanian', campaign: 'ketahanan-pangan' });
    // Context for stats stays local: the wire form is exactly the protocol's fields.
    expect(Object.keys(toWire(e)).sort()).toEqual(['action', 'at', 'feed_url', 'id', 'item_id', 'platform']);
    expect((await pendingEvents(10)).map((x) => x.id)).toEqual([e.id]);
    // A copy is an attempt, kept per platform: nothing is posted.
    expect(await readShareStates()).toEqual(new Map([['panen-raya', { x: ['copied'] }]]));
    expect(await countBySync()).toEqual({ pending: 1, synced: 0, rejected: 0 });
  });

  it('gives every event its own id', async () => {
    const a = await recordShare({ item, feedUrl, platform: 'x', action: 'inserted' });
    const b = await recordShare({ item, feedUrl, platform: 'x', action: 'inserted' });
    expect(a.id).not.toBe(b.id);
    expect((await recentEvents(10)).length).toBe(2);
  });

  it('refuses an event the tally would reject', () => {
    expect(() => makeShareEvent({ item, feedUrl: 'http://evil.example/', platform: 'x', action: 'copied' }, new Date())).toThrow();
    expect(() => makeShareEvent({ item, feedUrl, platform: 'X!', action: 'copied' }, new Date())).toThrow();
  });

  it('adds a post link to a pending event once', async () => {
    const e = await recordShare({ item, feedUrl, platform: 'x', action: 'posted' });
    expect(await attachPostUrl(e.id, 'https://x.com/contoh/status/1')).toBe(true);
    expect(await attachPostUrl(e.id, 'https://x.com/contoh/status/2')).toBe(false);
    expect((await recentEvents(1))[0]!.post_url).toBe('https://x.com/contoh/status/1');
  });

  it('writes local time with its offset', () => {
    const s = toLocalRfc3339(new Date('2026-11-21T02:14:03Z'));
    expect(s).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$/);
    expect(Date.parse(s)).toBe(Date.parse('2026-11-21T02:14:03Z'));
  });
});

describe('history database upgrade', () => {
  it('upgrades a v1 database to the current version, keeping its events', async () => {
    expect(DB_VERSION).toBe(MIGRATIONS.length);
    const v1 = await openHistoryDb(1);
    const old = makeShareEvent({ item, feedUrl, platform: 'facebook', action: 'posted' }, new Date());
    await v1.add('events', old);
    expect(v1.objectStoreNames.contains('events')).toBe(true);
    expect([...v1.transaction('events').store.indexNames]).not.toContain('by_item');
    v1.close();

    const current = await openHistoryDb();
    expect(current.version).toBe(DB_VERSION);
    expect([...current.transaction('events').store.indexNames].sort()).toEqual(['by_action_at', 'by_at', 'by_item', 'by_sync']);
    expect(await current.get('events', old.id)).toEqual(old);
    current.close();
    // The per-platform states are built from the events already there.
    expect(await readShareStates()).toEqual(new Map([['panen-raya', { facebook: ['posted'] }]]));
  });
});
