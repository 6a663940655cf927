import fc from 'fast-check';
import { IDBFactory } from 'fake-indexeddb';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { allEvents } from '@/utils/history/browse';
import { _resetHistoryDbForTests, historyDb, openHistoryDb } from '@/utils/history/db';
import type { ShareEvent } from '@/utils/history/types';
import { deleteHistory } from '@/utils/history/delete';
import { markRejected, markSynced } from '@/utils/history/marks';
import { countBySync, pendingEvents, readStatsInputs } from '@/utils/history/queries';
import { makeShareEvent, recordShare } from '@/utils/history/record';
import { computeStats, statsFromTotals } from '@/utils/history/stats';
import { DAY_MS } from '@/utils/time/local-day';
import { ItemSchema, type Item } from '@/utils/protocol/feed';
import { SHARE_ACTIONS } from '@/utils/protocol/tally';

// The options page's stats come from stored totals (history v3) and a walk over the days with a
// post. These tests hold them to computeStats over every event, which stats.test.ts pins down.

const feedUrl = 'https://pemkab.example/siar/feed.json';
const T0 = Date.parse('2026-10-01T00:00:00Z');
const ZONES = ['Asia/Jakarta', 'Asia/Jayapura', 'Europe/Berlin', 'America/Santiago', 'Asia/Kolkata', 'Pacific/Kiritimati'];

function item(i: number, agency: number, nameVariant: number, campaign: number): Item {
  return ItemSchema.parse({
    id: `pos-${i}`,
    title: `Pos ${i}`,
    _siar: {
      ...(agency > 0 ? { agency: { id: `opd-${agency}`, name: `OPD ${agency}${nameVariant ? ' (baru)' : ''}` } } : {}),
      ...(campaign > 0 ? { campaign: `kampanye-${campaign}` } : {}),
    },
  });
}

beforeEach(() => {
  globalThis.indexedDB = new IDBFactory();
  _resetHistoryDbForTests();
});
afterEach(() => {
  vi.restoreAllMocks();
});

async function stored(now: Date, timeZone: string, days: number) {
  const inputs = await readStatsInputs(now, timeZone);
  return statsFromTotals(inputs.totals, inputs.postedDays, now, { days, timeZone });
}

const share = fc.record({
  item: fc.nat(3),
  agency: fc.nat(3),
  nameVariant: fc.nat(1),
  campaign: fc.nat(2),
  platform: fc.constantFrom('x', 'facebook', 'whatsapp', 'other'),
  action: fc.constantFrom(...SHARE_ACTIONS, 'posted', 'posted'),
  // Minutes over 40 days, often the same few: ties in time must not depend on the order of writes.
  minute: fc.oneof(fc.nat(40 * 1440), fc.constantFrom(0, 1439, 1440, 39 * 1440 + 700)),
  // The browser's zone when sharing: it changes now and then (a trip, a changed setting).
  zone: fc.oneof({ weight: 4, arbitrary: fc.constant(ZONES[0]!) }, { weight: 1, arbitrary: fc.constantFrom(...ZONES) }),
});
const step = fc.oneof(
  { weight: 12, arbitrary: share.map((s) => ({ kind: 'share' as const, ...s })) },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('delete' as const), minute: fc.nat(40 * 1440), zone: fc.constantFrom(...ZONES) }),
  },
  // The outbox marks the oldest pending events, as a sync does.
  { weight: 2, arbitrary: fc.record({ kind: fc.constantFrom('synced' as const, 'rejected' as const), n: fc.nat(6) }) },
  // Stats read halfway, in one zone or another: reading changes nothing.
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('read' as const), zone: fc.constantFrom(...ZONES), minute: fc.nat(42 * 1440) }) },
);

describe('stats from stored totals', () => {
  it('equal computeStats over every event, after any shares and deletions', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(step, { maxLength: 45 }),
        // The zone the browser has when reading.
        fc.oneof(fc.constant(ZONES[0]!), fc.constantFrom(...ZONES)),
        fc.nat(42 * 1440),
        fc.constantFrom(30, 90),
        async (steps, timeZone, nowMinute, days) => {
          globalThis.indexedDB = new IDBFactory();
          _resetHistoryDbForTests();
          for (const s of steps) {
            if (s.kind === 'share') {
              await recordShare(
                { item: item(s.item, s.agency, s.nameVariant, s.campaign), feedUrl, platform: s.platform, action: s.action },
                new Date(T0 + s.minute * 60_000),
                s.zone,
              );
            } else if (s.kind === 'delete') {
              await deleteHistory({ olderThan: T0 + s.minute * 60_000, includePending: true, timeZone: s.zone });
            } else if (s.kind === 'read') {
              await readStatsInputs(new Date(T0 + s.minute * 60_000), s.zone);
            } else {
              const ids = (await pendingEvents(s.n)).map((e) => e.id);
              if (s.kind === 'synced') await markSynced(ids, 1);
              else
                await markRejected(
                  ids.map((id) => ({ id, reason: 'ditolak' })),
                  1,
                );
            }
          }
          const now = new Date(T0 + nowMinute * 60_000);
          const all = await allEvents();
          expect(await stored(now, timeZone, days)).toEqual(computeStats(all, now, { days, timeZone }));
          const bySync = { pending: 0, synced: 0, rejected: 0 };
          for (const e of all) bySync[e.sync]++;
          expect(await countBySync()).toEqual(bySync);

          // A post in the reading zone stores that zone's days: the read then uses them, unwalked.
          await recordShare({ item: item(0, 1, 0, 0), feedUrl, platform: 'x', action: 'posted' }, now, timeZone);
          const daysRecord = await (await historyDb()).get('totals', 'days');
          expect(daysRecord).toMatchObject({ kind: 'days', timeZone });
          expect(await stored(now, timeZone, days)).toEqual(computeStats(await allEvents(), now, { days, timeZone }));
          (await historyDb()).close();
        },
      ),
      { seed: 20261129, numRuns: 200 },
    );
  });

  it('credits a pair posted twice in one millisecond to the same OPD whatever the order of writes', async () => {
    vi.spyOn(crypto, 'randomUUID')
      .mockReturnValueOnce('00000000-0000-4000-8000-000000000002')
      .mockReturnValueOnce('00000000-0000-4000-8000-000000000001');
    const at = new Date(T0);
    await recordShare({ item: item(1, 1, 0, 0), feedUrl, platform: 'x', action: 'posted' }, at);
    await recordShare({ item: item(1, 2, 0, 0), feedUrl, platform: 'x', action: 'posted' }, at);
    const s = await stored(at, 'Asia/Jakarta', 30);
    expect(s.byAgency.map((r) => [r.key, r.posted])).toEqual([['opd-2', 1]]);
    expect(s).toEqual(computeStats(await allEvents(), at, { days: 30, timeZone: 'Asia/Jakarta' }));
  });

  it('finds a 200-day streak among 1,000 posts, days walked newest first', async () => {
    // 200 days, 5 posts a day, in Jakarta: a streak of 200 ending today.
    const d = await historyDb();
    const tx = d.transaction('events', 'readwrite');
    for (let day = 0; day < 200; day++)
      for (let k = 0; k < 5; k++)
        void tx.store.put(
          makeShareEvent({ item: item(k, 1, 0, 0), feedUrl, platform: 'x', action: 'posted' }, new Date(T0 + day * DAY_MS + k * 3_600_000)),
        );
    await tx.done;
    const now = new Date(T0 + 199 * DAY_MS + 12 * 3_600_000);
    const { postedDays } = await readStatsInputs(now, 'Asia/Jakarta');
    expect(postedDays.size).toBe(200);
    expect(computeStats(await allEvents(), now, { days: 30, timeZone: 'Asia/Jakarta' }).streakDays).toBe(200);
  });

  it('upgrades a v2 history, folding its events into the totals once', async () => {
    const v2 = await openHistoryDb(2);
    const events: ShareEvent[] = [];
    for (let i = 0; i < 30; i++) {
      const e = makeShareEvent(
        { item: item(i % 4, i % 3, 0, i % 2), feedUrl, platform: i % 2 ? 'x' : 'facebook', action: SHARE_ACTIONS[i % 4]! },
        new Date(T0 + i * 7 * 3_600_000),
      );
      events.push(e);
      await v2.add('events', e);
    }
    v2.close();
    const now = new Date(T0 + 12 * DAY_MS);
    const want = computeStats(events, now, { days: 30, timeZone: 'Asia/Jakarta' });
    expect(want.posted).toBeGreaterThan(0);
    expect(await stored(now, 'Asia/Jakarta', 30)).toEqual(want);
    const d = await historyDb();
    expect([...d.transaction('events').store.indexNames]).toContain('by_action_at');
  });
});
