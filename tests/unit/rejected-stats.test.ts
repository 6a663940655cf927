import { IDBFactory } from 'fake-indexeddb';
import { beforeEach, describe, expect, it } from 'vitest';
import { allEvents } from '@/utils/history/browse';
import { _resetHistoryDbForTests } from '@/utils/history/db';
import { deleteHistory } from '@/utils/history/delete';
import { markRejected, markSynced } from '@/utils/history/marks';
import { readStatsInputs } from '@/utils/history/queries';
import { recordShare } from '@/utils/history/record';
import { computeStats, statsFromTotals } from '@/utils/history/stats';
import { ItemSchema } from '@/utils/protocol/feed';

// Events the tally refused stay in the history, counted apart: the stats show them as Rejected
// and count them nowhere else, as the agency does not count them either.

const feedUrl = 'https://pemkab.example/siar/feed.json';
const ZONE = 'Asia/Jakarta';
const item = (id: string) => ItemSchema.parse({ id, title: id, _siar: { agency: { id: 'opd', name: 'OPD' }, campaign: 'c' } });
const at = (iso: string) => new Date(iso);
const NOW = at('2026-11-20T12:00:00+07:00');

beforeEach(() => {
  globalThis.indexedDB = new IDBFactory();
  _resetHistoryDbForTests();
});

async function stats() {
  const inputs = await readStatsInputs(NOW, ZONE);
  const stored = statsFromTotals(inputs.totals, inputs.postedDays, NOW, { days: 30, timeZone: ZONE });
  // The stored totals agree with the stats of every event, read afresh.
  expect(stored).toEqual(computeStats(await allEvents(), NOW, { days: 30, timeZone: ZONE }));
  return stored;
}

describe('refused events in the stats', () => {
  it('a refused first post gives the pair to the next counted post, and its day leaves the streak', async () => {
    const first = await recordShare({ item: item('a'), feedUrl, platform: 'x', action: 'posted' }, at('2026-11-18T09:00:00+07:00'), ZONE);
    const second = await recordShare({ item: item('a'), feedUrl, platform: 'x', action: 'posted' }, at('2026-11-19T09:00:00+07:00'), ZONE);
    await recordShare({ item: item('b'), feedUrl, platform: 'x', action: 'posted' }, at('2026-11-20T09:00:00+07:00'), ZONE);
    const copy = await recordShare(
      { item: item('b'), feedUrl, platform: 'other', action: 'copied' },
      at('2026-11-20T10:00:00+07:00'),
      ZONE,
    );
    expect(await stats()).toMatchObject({ posted: 2, attempts: 1, events: 4, rejected: 0, streakDays: 3 });

    await markRejected([{ id: first.id, reason: 'bad_time' }], NOW.getTime());
    const s = await stats();
    expect(s).toMatchObject({ posted: 2, attempts: 1, events: 4, rejected: 1, streakDays: 2 });
    // Pair a now counts from its second post, on the 19th.
    expect(s.perDay.find((d) => d.day === '2026-11-19')?.posted).toBe(1);
    expect(s.perDay.find((d) => d.day === '2026-11-18')?.posted).toBe(0);

    await markRejected(
      [
        { id: second.id, reason: 'unknown_item' },
        { id: copy.id, reason: 'over_cap' },
      ],
      NOW.getTime(),
    );
    expect(await stats()).toMatchObject({ posted: 1, attempts: 0, events: 4, rejected: 3, streakDays: 1 });
    expect((await stats()).byPlatform).toEqual([{ key: 'x', posted: 1, attempts: 0 }]);
  });

  it('a day keeps its place in the streak while another counted post was made that day', async () => {
    const early = await recordShare({ item: item('a'), feedUrl, platform: 'x', action: 'posted' }, at('2026-11-20T08:00:00+07:00'), ZONE);
    const late = await recordShare({ item: item('b'), feedUrl, platform: 'x', action: 'posted' }, at('2026-11-20T09:00:00+07:00'), ZONE);
    await markSynced([late.id], NOW.getTime());
    await markRejected([{ id: early.id, reason: 'bad_post_url' }], NOW.getTime());
    expect(await stats()).toMatchObject({ posted: 1, rejected: 1, streakDays: 1 });
  });

  it('stay refused through a rebuild of the totals (a deletion)', async () => {
    const old = await recordShare({ item: item('a'), feedUrl, platform: 'x', action: 'posted' }, at('2026-10-01T09:00:00+07:00'), ZONE);
    const refused = await recordShare({ item: item('b'), feedUrl, platform: 'x', action: 'posted' }, at('2026-11-20T09:00:00+07:00'), ZONE);
    await markSynced([old.id], NOW.getTime());
    await markRejected([{ id: refused.id, reason: 'foreign_feed' }], NOW.getTime());
    expect(await deleteHistory({ olderThan: at('2026-11-01T00:00:00+07:00').getTime(), timeZone: ZONE })).toBe(1);
    expect(await stats()).toMatchObject({ posted: 0, events: 1, rejected: 1, streakDays: 0 });
  });

  it('one reply refusing many events at once: each record, pair and day counted as one by one', async () => {
    const events = [];
    // Two posts of pair a on the 18th (both refused), pair b's posts on the 19th (one refused,
    // one kept), and five copies on one attempt record (four refused).
    for (const [id, day, hour] of [
      ['a', '18', '08'],
      ['a', '18', '09'],
      ['b', '19', '08'],
      ['b', '19', '09'],
      ['c', '20', '08'],
    ] as const) {
      events.push(
        await recordShare({ item: item(id), feedUrl, platform: 'x', action: 'posted' }, at(`2026-11-${day}T${hour}:00:00+07:00`), ZONE),
      );
    }
    const copies = [];
    for (let i = 0; i < 5; i++) {
      copies.push(
        await recordShare({ item: item('c'), feedUrl, platform: 'other', action: 'copied' }, at(`2026-11-20T1${i}:00:00+07:00`), ZONE),
      );
    }
    expect(await stats()).toMatchObject({ posted: 3, attempts: 5, events: 10, rejected: 0, streakDays: 3 });

    const refused = [events[0]!, events[1]!, events[2]!, ...copies.slice(0, 4)];
    expect(
      await markRejected(
        refused.map((e) => ({ id: e.id, reason: 'unknown_item' })),
        NOW.getTime(),
      ),
    ).toBe(7);
    // stats() checks the stored totals against every event read afresh.
    const s = await stats();
    expect(s).toMatchObject({ posted: 2, attempts: 1, events: 10, rejected: 7, streakDays: 2 });
    expect(s.perDay.find((d) => d.day === '2026-11-19')?.posted).toBe(1);
    expect(s.perDay.find((d) => d.day === '2026-11-18')?.posted).toBe(0);
  });
});
