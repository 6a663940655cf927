import { describe, expect, it } from 'vitest';
import { agenciesOf, currentItems, feedTallyUrl, filterItems, isStale, unpostedUrgentCount } from '@/utils/feed/select';
import { itemMarksOf, statesFrom } from '@/utils/history/share-state';
import type { ShareAction } from '@/utils/protocol/tally';
import { ItemSchema } from '@/utils/protocol/feed';

const now = Date.parse('2026-11-21T12:00:00+07:00');
const mk = (id: string, published: string, siar: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) =>
  ItemSchema.parse({ id, title: `Judul ${id}`, date_published: published, _siar: siar, ...extra });

const items = [
  mk('old-normal', '2026-11-01T08:00:00+07:00', { agency: { id: 'dinkes', name: 'Dinas Kesehatan' } }),
  mk('new-normal', '2026-11-20T08:00:00+07:00', { agency: { id: 'disdik', name: 'Dinas Pendidikan' }, hashtags: ['Beasiswa'] }),
  mk('mandatory-old', '2026-11-10T08:00:00+07:00', { priority: 'mandatory', agency: { id: 'diskominfo', name: 'Dinas Kominfo' } }),
  mk('high', '2026-11-15T08:00:00+07:00', { priority: 'high' }),
  mk('expired', '2026-11-21T08:00:00+07:00', { priority: 'mandatory', expires_at: '2026-11-21T11:59:59+07:00' }),
];

describe('what the popup shows', () => {
  it('hides expired posts and puts mandatory first, then newest', () => {
    expect(currentItems(items, now).map((i) => i.id)).toEqual(['mandatory-old', 'new-normal', 'high', 'old-normal']);
  });

  it('searches case- and accent-insensitively over title, OPD and hashtags', () => {
    const cur = currentItems(items, now);
    expect(filterItems(cur, { query: 'PENDIDIKAN' }).map((i) => i.id)).toEqual(['new-normal']);
    expect(filterItems(cur, { query: 'beasiswa judul' }).map((i) => i.id)).toEqual(['new-normal']);
    expect(filterItems([mk('k', '2026-11-01T00:00:00Z', {}, { title: 'Kafé Desa' })], { query: 'kafe' })).toHaveLength(1);
    expect(filterItems(cur, { query: 'tidak-ada' })).toEqual([]);
  });

  it('filters by OPD and priority', () => {
    const cur = currentItems(items, now);
    expect(filterItems(cur, { agencyId: 'dinkes' }).map((i) => i.id)).toEqual(['old-normal']);
    expect(filterItems(cur, { priority: 'high' }).map((i) => i.id)).toEqual(['high']);
    expect(filterItems(cur, { priority: 'normal' }).map((i) => i.id)).toEqual(['new-normal', 'old-normal']);
    expect(agenciesOf(cur).map((a) => a.id)).toEqual(['dinkes', 'diskominfo', 'disdik']);
  });

  it('badge counts current mandatory and high posts not yet posted anywhere', () => {
    const states = (...events: [string, string, ShareAction, boolean?][]) =>
      statesFrom(itemMarksOf(events.map(([item_id, platform, action, self_reported]) => ({ item_id, platform, action, self_reported }))));
    expect(unpostedUrgentCount(items, new Map(), now)).toBe(2);
    // Attempts leave a post on the badge: copied, inserted, a share window opened.
    expect(
      unpostedUrgentCount(
        items,
        states(['high', 'other', 'copied'], ['high', 'x', 'inserted'], ['mandatory-old', 'whatsapp', 'intent_opened']),
        now,
      ),
    ).toBe(2);
    expect(unpostedUrgentCount(items, states(['high', 'x', 'posted']), now)).toBe(1);
    // Said to be sent counts as posted: the user did it where the extension cannot see.
    expect(unpostedUrgentCount(items, states(['high', 'facebook', 'posted'], ['mandatory-old', 'whatsapp', 'posted', true]), now)).toBe(0);
  });

  it('a copy is stale after its refresh interval', () => {
    const s = { feedUrl: 'u', items: [], dropped: 0, fetchedAt: now };
    expect(isStale(undefined, 30, now)).toBe(true);
    expect(isStale(s, 30, now + 29 * 60_000)).toBe(false);
    expect(isStale(s, 30, now + 30 * 60_000)).toBe(true);
  });
});

describe('which tally a feed may name', () => {
  const base = { feedUrl: 'https://kab-contoh.go.id/siar/feed.json', items: [], dropped: 0 };
  const meta = (tally: string) => ({ version: 'https://jsonfeed.org/version/1.1', title: 't', _siar: { tally_url: tally } });
  it('the feed host itself, or any host once the feed verified with the agency key', () => {
    expect(feedTallyUrl({ ...base, meta: meta('https://kab-contoh.go.id/siar/') })).toBe('https://kab-contoh.go.id/siar/');
    // An unsigned feed on a hijacked server must not send NIPs and names elsewhere.
    expect(feedTallyUrl({ ...base, meta: meta('https://rekap.evil.example/') })).toBeUndefined();
    expect(feedTallyUrl({ ...base, meta: meta('https://rekap.kab-contoh.go.id/'), verifiedWith: 'K'.repeat(43) })).toBe(
      'https://rekap.kab-contoh.go.id/',
    );
    expect(feedTallyUrl(undefined)).toBeUndefined();
  });
});
