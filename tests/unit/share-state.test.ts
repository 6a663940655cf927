import { IDBFactory } from 'fake-indexeddb';
import { beforeEach, describe, expect, it } from 'vitest';
import { panelItems } from '@/utils/feed/panel';
import { _resetHistoryDbForTests } from '@/utils/history/db';
import { deleteHistory } from '@/utils/history/delete';
import { readShareStates, readStatsInputs } from '@/utils/history/queries';
import { recordShare, toWire } from '@/utils/history/record';
import {
  addMark,
  isPostedAnywhere,
  isPostedOn,
  itemMarksOf,
  platformLines,
  stateOn,
  statesFrom,
  type ShareStates,
} from '@/utils/history/share-state';
import { computeStats, statsFromTotals } from '@/utils/history/stats';
import { ItemSchema } from '@/utils/protocol/feed';
import { PLATFORMS } from '@/utils/protocol/platforms';
import { ShareEventSchema, type ShareAction } from '@/utils/protocol/tally';

type Ev = [item: string, platform: string, action: ShareAction, self?: boolean];
const states = (...events: Ev[]): ShareStates =>
  statesFrom(itemMarksOf(events.map(([item_id, platform, action, self_reported]) => ({ item_id, platform, action, self_reported }))));

describe('per-platform share state', () => {
  it('a copy, an insert or an opened share window is an attempt, never shared', () => {
    const s = states(['wajib', 'other', 'copied'], ['wajib', 'x', 'inserted'], ['wajib', 'whatsapp', 'intent_opened']);
    for (const p of ['other', 'x', 'whatsapp']) {
      expect(stateOn(s, 'wajib', p)).toBe('attempted');
      expect(isPostedOn(s, 'wajib', p)).toBe(false);
    }
    expect(isPostedAnywhere(s, 'wajib')).toBe(false);
  });

  it('posted on X does not mark Facebook', () => {
    const s = states(['a', 'x', 'inserted'], ['a', 'x', 'posted'], ['a', 'facebook', 'inserted']);
    expect(stateOn(s, 'a', 'x')).toBe('posted');
    expect(stateOn(s, 'a', 'facebook')).toBe('attempted');
    expect(stateOn(s, 'a', 'whatsapp')).toBe('none');
    expect(isPostedAnywhere(s, 'a')).toBe(true);
    expect(stateOn(s, 'other-post', 'x')).toBe('none');
  });

  it('self-reported is posted, and a post the extension saw wins over it', () => {
    expect(stateOn(states(['a', 'whatsapp', 'posted', true]), 'a', 'whatsapp')).toBe('self_reported');
    expect(stateOn(states(['a', 'x', 'posted', true], ['a', 'x', 'posted']), 'a', 'x')).toBe('posted');
    // `self_reported` only qualifies a `posted`.
    expect(stateOn(states(['a', 'x', 'copied', true]), 'a', 'x')).toBe('attempted');
  });

  it('folds in any order to the same marks, each once', () => {
    const events: Ev[] = [
      ['a', 'x', 'posted'],
      ['a', 'x', 'inserted'],
      ['a', 'x', 'inserted'],
      ['a', 'other', 'copied'],
      ['b', 'whatsapp', 'posted', true],
    ];
    const forward = states(...events);
    const backward = states(...[...events].reverse());
    expect(forward).toEqual(backward);
    expect(forward.get('a')).toEqual({ x: ['posted', 'inserted'], other: ['copied'] });
    const once = addMark(undefined, { item_id: 'a', platform: 'x', action: 'copied' });
    expect(once.changed).toBe(true);
    expect(addMark(once.rec, { item_id: 'a', platform: 'x', action: 'copied' }).changed).toBe(false);
  });

  it('a platform named like an Object.prototype member reads nothing from it', () => {
    const s = states(['a', 'x', 'posted']);
    expect(stateOn(s, 'a', 'constructor')).toBe('none');
    expect(stateOn(states(['a', 'constructor', 'copied']), 'a', 'constructor')).toBe('attempted');
  });

  it('offers "I sent it" only where the send cannot be seen and nothing was posted there', () => {
    const s = states(
      ['a', 'whatsapp', 'intent_opened'],
      ['a', 'other', 'copied'],
      ['a', 'x', 'inserted'],
      ['a', 'facebook', 'intent_opened'],
      ['a', 'facebook', 'posted'],
    );
    const lines = platformLines(s, 'a', PLATFORMS);
    expect(lines.map((l) => [l.platform, l.state, l.canSelfReport])).toEqual([
      ['x', 'attempted', false],
      ['facebook', 'posted', false],
      ['whatsapp', 'attempted', true],
      ['other', 'attempted', true],
    ]);
    expect(lines[0]!.attempts).toEqual(['inserted']);
    expect(platformLines(s, 'none', PLATFORMS)).toEqual([]);
  });

  it("the composer panel marks a post shared only where it was posted on the panel's platform", () => {
    const item = ItemSchema.parse({ id: 'a', title: 'A', _siar: { priority: 'mandatory' } });
    const s = states(['a', 'facebook', 'posted'], ['a', 'x', 'inserted']);
    const [onX] = panelItems([item], s, 'x', 0);
    const [onFb] = panelItems([item], s, 'facebook', 0);
    expect(onX).toMatchObject({ shared: false, tried: true });
    expect(onFb).toMatchObject({ shared: true, tried: false });
  });
});

describe('self-reported posts in the history', () => {
  const item = ItemSchema.parse({ id: 'wajib', title: 'Wajib', _siar: { priority: 'mandatory', agency: { id: 'k', name: 'K' } } });
  const feedUrl = 'https://pemkab.example/siar/feed.json';
  beforeEach(() => {
    globalThis.indexedDB = new IDBFactory();
    _resetHistoryDbForTests();
  });

  it('go on the wire as `posted` with `self_reported: true`, and only a `posted` carries it', async () => {
    const e = await recordShare({ item, feedUrl, platform: 'whatsapp', action: 'posted', selfReported: true });
    expect(toWire(e)).toMatchObject({ action: 'posted', self_reported: true });
    expect(ShareEventSchema.parse(toWire(e))).toEqual(toWire(e));
    const copy = await recordShare({ item, feedUrl, platform: 'other', action: 'copied', selfReported: true });
    expect('self_reported' in toWire(copy)).toBe(false);
  });

  it('are counted in Posted and apart from the posts the extension saw', async () => {
    const at = new Date('2026-11-21T03:00:00Z');
    const events = [
      await recordShare({ item, feedUrl, platform: 'other', action: 'copied' }, at, 'UTC'),
      await recordShare({ item, feedUrl, platform: 'whatsapp', action: 'intent_opened' }, at, 'UTC'),
      await recordShare({ item, feedUrl, platform: 'whatsapp', action: 'posted', selfReported: true }, at, 'UTC'),
      await recordShare({ item, feedUrl, platform: 'other', action: 'posted', selfReported: true }, at, 'UTC'),
      await recordShare({ item, feedUrl, platform: 'x', action: 'posted' }, at, 'UTC'),
    ];
    const opts = { days: 30, timeZone: 'UTC' };
    const { totals, postedDays } = await readStatsInputs(at, 'UTC');
    const stored = statsFromTotals(totals, postedDays, at, opts);
    expect(stored).toMatchObject({ posted: 3, selfReported: 2, attempts: 2 });
    expect(computeStats(events, at, opts)).toEqual(stored);
    // Seen after said: the pair becomes a seen post, still one post.
    const later = await recordShare({ item, feedUrl, platform: 'whatsapp', action: 'posted' }, at, 'UTC');
    const after = await readStatsInputs(at, 'UTC');
    expect(statsFromTotals(after.totals, after.postedDays, at, opts)).toMatchObject({ posted: 3, selfReported: 1 });
    expect(computeStats([...events, later], at, opts)).toMatchObject({ posted: 3, selfReported: 1 });
    expect((await readShareStates()).get('wajib')).toEqual({
      other: ['self_reported', 'copied'],
      whatsapp: ['posted', 'self_reported', 'intent_opened'],
      x: ['posted'],
    });
  });

  it('the states follow a deletion of the history', async () => {
    await recordShare({ item, feedUrl, platform: 'x', action: 'posted' }, new Date(Date.now() - 10 * 86_400_000));
    await recordShare({ item, feedUrl, platform: 'facebook', action: 'inserted' });
    const { markSynced } = await import('@/utils/history/marks');
    const all = (await import('@/utils/history/queries')).recentEvents;
    await markSynced(
      (await all(10)).map((e) => e.id),
      Date.now(),
    );
    await deleteHistory({ olderThan: Date.now() - 86_400_000 });
    expect((await readShareStates()).get('wajib')).toEqual({ facebook: ['inserted'] });
  });
});
