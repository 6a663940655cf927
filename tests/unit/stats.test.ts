// @vitest-environment happy-dom
import { h, render, type ComponentChild } from 'preact';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { AgencySummary } from '@/components/stats/AgencySummary';
import { Breakdown } from '@/components/stats/Breakdown';
import { DayChart } from '@/components/stats/DayChart';
import { HistoryTable } from '@/components/stats/HistoryTable';
import { StatCards } from '@/components/stats/StatCards';
import type { ShareEvent } from '@/utils/history/types';
import { makeShareEvent } from '@/utils/history/record';
import { computeStats } from '@/utils/history/stats';
import { dayKey } from '@/utils/time/local-day';
import { ItemSchema } from '@/utils/protocol/feed';
import { SHARE_ACTIONS, type ShareAction } from '@/utils/protocol/tally';

let seq = 0;
function ev(
  action: ShareAction,
  at: string,
  o: { item?: string; platform?: string; agency?: [string, string]; campaign?: string; title?: string } = {},
): ShareEvent {
  const atMs = Date.parse(at);
  if (Number.isNaN(atMs)) throw new Error(`bad date ${at}`);
  seq++;
  return {
    id: `00000000-0000-4000-8000-${String(seq).padStart(12, '0')}`,
    item_id: o.item ?? 'item-a',
    feed_url: 'https://pemkab.example/siar/feed.json',
    platform: o.platform ?? 'x',
    action,
    at,
    atMs,
    sync: 'pending',
    item: {
      title: o.title ?? 'Judul',
      agencyId: o.agency?.[0],
      agencyName: o.agency?.[1],
      campaign: o.campaign,
    },
  };
}

const JKT = { days: 30, timeZone: 'Asia/Jakarta' };

describe('computeStats: counting', () => {
  it('counts Posted as distinct (item, platform) pairs, Attempts apart, and every event', () => {
    const events = [
      ev('posted', '2026-11-20T09:00:00+07:00'),
      ev('posted', '2026-11-20T10:00:00+07:00'), // same item, same platform: once
      ev('posted', '2026-11-20T11:00:00+07:00', { platform: 'facebook' }),
      ev('posted', '2026-11-20T12:00:00+07:00', { item: 'item-b' }),
      ev('inserted', '2026-11-20T08:59:00+07:00'),
      ev('intent_opened', '2026-11-20T08:00:00+07:00', { platform: 'whatsapp' }),
      ev('copied', '2026-11-20T08:00:00+07:00'),
    ];
    const s = computeStats(events, new Date('2026-11-20T20:00:00+07:00'), JKT);
    expect(s.posted).toBe(3);
    expect(s.attempts).toBe(3);
    expect(s.events).toBe(7);
    expect(s.byPlatform).toEqual([
      { key: 'x', posted: 2, attempts: 2 },
      { key: 'facebook', posted: 1, attempts: 0 },
      { key: 'whatsapp', posted: 0, attempts: 1 },
    ]);
  });

  it('is empty and zero-filled with no history', () => {
    const s = computeStats([], new Date('2026-11-20T20:00:00+07:00'), JKT);
    expect(s).toMatchObject({ posted: 0, attempts: 0, events: 0, thisWeek: 0, streakDays: 0 });
    expect(s.byPlatform).toEqual([]);
    expect(s.perDay).toHaveLength(30);
    expect(s.perDay.every((d) => d.posted === 0)).toBe(true);
  });

  it('works on events made by makeShareEvent', () => {
    const item = ItemSchema.parse({
      id: 'panen-raya',
      title: 'Panen raya',
      _siar: { agency: { id: 'distan', name: 'Dinas Pertanian' }, campaign: 'ketahanan-pangan' },
    });
    const feedUrl = 'https://pemkab.example/siar/feed.json';
    const now = new Date('2026-11-21T02:14:03Z');
    const events = [
      makeShareEvent({ item, feedUrl, platform: 'x', action: 'inserted' }, now),
      makeShareEvent({ item, feedUrl, platform: 'x', action: 'posted' }, now),
    ];
    const s = computeStats(events, now, JKT);
    expect(s).toMatchObject({ posted: 1, attempts: 1, events: 2, streakDays: 1, thisWeek: 1 });
    expect(s.byAgency).toEqual([{ key: 'distan', name: 'Dinas Pertanian', posted: 1, attempts: 1 }]);
    expect(s.byCampaign).toEqual([{ key: 'ketahanan-pangan', posted: 1, attempts: 1 }]);
  });

  it('breaks down by OPD (no OPD last, as key "") and by campaign, the newest OPD name winning', () => {
    const kominfo: [string, string] = ['diskominfo', 'Dinas Kominfo'];
    const events = [
      ev('posted', '2026-11-18T09:00:00+07:00', { item: 'a', agency: ['diskominfo', 'Diskominfo (lama)'], campaign: 'apel' }),
      ev('posted', '2026-11-19T09:00:00+07:00', { item: 'b', agency: kominfo, campaign: 'apel' }),
      ev('posted', '2026-11-19T09:00:00+07:00', { item: 'c' }),
      ev('copied', '2026-11-19T09:00:00+07:00', { item: 'c' }),
      ev('posted', '2026-11-19T09:00:00+07:00', { item: 'd', agency: ['dinkes', 'Dinas Kesehatan'] }),
      ev('inserted', '2026-11-19T09:00:00+07:00', { item: 'd', agency: ['dinkes', 'Dinas Kesehatan'] }),
      ev('inserted', '2026-11-19T10:00:00+07:00', { item: 'd', agency: ['dinkes', 'Dinas Kesehatan'] }),
    ];
    const s = computeStats(events, new Date('2026-11-20T20:00:00+07:00'), JKT);
    expect(s.byAgency).toEqual([
      { key: 'diskominfo', name: 'Dinas Kominfo', posted: 2, attempts: 0 },
      { key: 'dinkes', name: 'Dinas Kesehatan', posted: 1, attempts: 2 },
      { key: '', name: '', posted: 1, attempts: 1 },
    ]);
    expect(s.byCampaign).toEqual([
      { key: 'apel', posted: 2, attempts: 0 },
      { key: '', posted: 2, attempts: 3 },
    ]);
  });
});

describe('computeStats: this week (Monday 00:00 local → now)', () => {
  it('splits at Monday 00:00 local time, not UTC', () => {
    const events = [
      ev('posted', '2026-11-22T23:30:00+07:00', { item: 'sunday' }), // Sunday 23:30 WIB
      ev('posted', '2026-11-23T00:10:00+07:00', { item: 'monday' }), // Monday 00:10 WIB = Sunday 17:10 UTC
      ev('copied', '2026-11-23T00:20:00+07:00', { item: 'copied-only' }),
    ];
    const now = new Date('2026-11-23T10:00:00+07:00'); // Monday 10:00 WIB = Monday 03:00 UTC
    const wib = computeStats(events, now, JKT);
    expect(wib.thisWeek).toBe(1);
    expect(wib.weekStart).toBe('2026-11-23');
    const utc = computeStats(events, now, { days: 30, timeZone: 'UTC' });
    expect(utc.thisWeek).toBe(0);
    // On Sunday both fall in the week that began on Monday the 16th.
    expect(computeStats(events, new Date('2026-11-23T00:30:00+07:00'), { days: 7, timeZone: 'UTC' }).thisWeek).toBe(2);
    expect(computeStats(events, new Date('2026-11-22T23:45:00+07:00'), JKT).thisWeek).toBe(1);
  });

  it('counts a pair in the week of its first post, like the tally (a repeat adds nothing)', () => {
    const events = [
      ev('posted', '2026-11-20T09:00:00+07:00', { item: 'a' }), // last Friday
      ev('posted', '2026-11-24T09:00:00+07:00', { item: 'a' }), // again this Tuesday
      ev('posted', '2026-11-24T09:00:00+07:00', { item: 'a', platform: 'facebook' }),
    ];
    expect(computeStats(events, new Date('2026-11-25T09:00:00+07:00'), JKT).thisWeek).toBe(1);
  });

  it('takes a week that began in the old year', () => {
    const events = [
      ev('posted', '2026-12-27T22:00:00+07:00', { item: 'sun' }), // Sunday
      ev('posted', '2026-12-28T08:00:00+07:00', { item: 'mon' }), // Monday
      ev('posted', '2026-12-31T23:59:00+07:00', { item: 'nye' }),
      ev('posted', '2027-01-01T00:01:00+07:00', { item: 'ny' }),
    ];
    const s = computeStats(events, new Date('2027-01-01T12:00:00+07:00'), JKT);
    expect(s.weekStart).toBe('2026-12-28');
    expect(s.thisWeek).toBe(3);
  });
});

describe('computeStats: streak', () => {
  const octNov = [
    ev('posted', '2026-10-28T09:00:00+07:00', { item: 'gap-before' }),
    ev('posted', '2026-10-30T09:00:00+07:00', { item: 'a' }),
    ev('posted', '2026-10-31T23:59:00+07:00', { item: 'b' }),
    ev('posted', '2026-11-01T00:00:00+07:00', { item: 'c' }),
    ev('posted', '2026-11-02T08:00:00+07:00', { item: 'a' }), // a repeat still makes the day
  ];

  it('runs across a month end', () => {
    expect(computeStats(octNov, new Date('2026-11-02T20:00:00+07:00'), JKT).streakDays).toBe(4);
  });

  it('ends yesterday while today has no post yet, and breaks after a whole day without', () => {
    expect(computeStats(octNov, new Date('2026-11-03T07:00:00+07:00'), JKT).streakDays).toBe(4);
    expect(computeStats(octNov, new Date('2026-11-03T23:59:59+07:00'), JKT).streakDays).toBe(4);
    expect(computeStats(octNov, new Date('2026-11-04T00:00:00+07:00'), JKT).streakDays).toBe(0);
  });

  it('counts only posts, not attempts', () => {
    const events = [...octNov, ev('copied', '2026-11-03T09:00:00+07:00'), ev('inserted', '2026-11-04T09:00:00+07:00')];
    expect(computeStats(events, new Date('2026-11-04T10:00:00+07:00'), JKT).streakDays).toBe(0);
  });

  it('runs across a year end', () => {
    const events = [
      ev('posted', '2026-12-30T09:00:00+07:00', { item: 'a' }),
      ev('posted', '2026-12-31T09:00:00+07:00', { item: 'b' }),
      ev('posted', '2027-01-01T09:00:00+07:00', { item: 'c' }),
      ev('posted', '2027-01-02T09:00:00+07:00', { item: 'd' }),
    ];
    expect(computeStats(events, new Date('2027-01-02T10:00:00+07:00'), JKT).streakDays).toBe(4);
    expect(computeStats(events, new Date('2027-01-03T10:00:00+07:00'), JKT).streakDays).toBe(4);
    expect(computeStats(events, new Date('2027-01-01T10:00:00+07:00'), JKT).streakDays).toBe(3);
  });
});

describe('computeStats: local days in the user time zone', () => {
  // 16:30 UTC on 20 Nov is 23:30 WIB (20 Nov) in Jakarta and 01:30 WIT (21 Nov) in Jayapura.
  const instant = '2026-11-20T16:30:00Z';
  const now = new Date('2026-11-21T05:00:00Z'); // 21 Nov everywhere below
  const events = [ev('posted', instant)];
  const postedDays = (timeZone: string) =>
    computeStats(events, now, { days: 3, timeZone })
      .perDay.filter((d) => d.posted)
      .map((d) => d.day);

  it('puts the same instant on different days', () => {
    expect(postedDays('Asia/Jakarta')).toEqual(['2026-11-20']);
    expect(postedDays('Asia/Jayapura')).toEqual(['2026-11-21']);
    expect(postedDays('UTC')).toEqual(['2026-11-20']);
    expect(postedDays('Asia/Makassar')).toEqual(['2026-11-21']); // 00:30 WITA
  });

  it('counts 23:30 WIB for that WIB day: today, with a streak of 1', () => {
    const s = computeStats([ev('posted', '2026-11-20T23:30:00+07:00')], new Date('2026-11-20T23:45:00+07:00'), JKT);
    expect(s.today).toBe('2026-11-20');
    expect(s.perDay.at(-1)).toEqual({ day: '2026-11-20', posted: 1 });
    expect(s.streakDays).toBe(1);
  });

  it('does not use the process time zone', () => {
    const before = process.env.TZ;
    process.env.TZ = 'America/Los_Angeles';
    try {
      expect(postedDays('Asia/Jakarta')).toEqual(['2026-11-20']);
    } finally {
      if (before === undefined) delete process.env.TZ;
      else process.env.TZ = before;
    }
  });
});

describe('computeStats: posts per day', () => {
  it('has exactly `days` entries, oldest first, ending today, zero-filled', () => {
    const events = [
      ev('posted', '2026-11-02T09:00:00+07:00', { item: 'a' }),
      ev('posted', '2026-11-02T10:00:00+07:00', { item: 'b' }),
      ev('posted', '2026-11-02T11:00:00+07:00', { item: 'b' }), // repeat: not again
      ev('posted', '2026-11-05T11:00:00+07:00', { item: 'b' }), // repeat on a later day: not again
      ev('posted', '2026-10-31T09:00:00+07:00', { item: 'c' }),
      ev('posted', '2026-08-01T09:00:00+07:00', { item: 'old' }), // outside 30 days
      ev('copied', '2026-11-05T09:00:00+07:00', { item: 'd' }),
    ];
    const now = new Date('2026-11-05T12:00:00+07:00');
    const s30 = computeStats(events, now, JKT);
    expect(s30.perDay).toHaveLength(30);
    expect(s30.perDay[0]!.day).toBe('2026-10-07');
    expect(s30.perDay.at(-1)!.day).toBe('2026-11-05');
    for (let i = 1; i < 30; i++) {
      expect(Date.parse(s30.perDay[i]!.day) - Date.parse(s30.perDay[i - 1]!.day)).toBe(86_400_000);
    }
    const nonZero = Object.fromEntries(s30.perDay.filter((d) => d.posted).map((d) => [d.day, d.posted]));
    expect(nonZero).toEqual({ '2026-10-31': 1, '2026-11-02': 2 });
    // Every pair counts on one day only: the bars add up to Posted (the old one is off the chart).
    expect(s30.perDay.reduce((a, d) => a + d.posted, 0)).toBe(s30.posted - 1);

    const s90 = computeStats(events, now, { days: 90, timeZone: 'Asia/Jakarta' });
    expect(s90.perDay).toHaveLength(90);
    expect(s90.perDay[0]!.day).toBe('2026-08-08');
    expect(s90.perDay.reduce((a, d) => a + d.posted, 0)).toBe(3);
  });
});

describe('computeStats at scale', () => {
  it('computes 100,000 events in one pass', () => {
    const start = Date.parse('2025-11-21T00:00:00Z');
    const events: ShareEvent[] = [];
    for (let i = 0; i < 100_000; i++) {
      const atMs = start + Math.floor((i / 100_000) * 365 * 86_400_000);
      events.push({
        id: `e${i}`,
        item_id: `item-${i % 700}`,
        feed_url: 'https://pemkab.example/siar/feed.json',
        platform: ['x', 'facebook', 'whatsapp'][i % 3]!,
        action: SHARE_ACTIONS[i % 4]!,
        at: new Date(atMs).toISOString(),
        atMs,
        sync: 'synced',
        item: { agencyId: `opd-${i % 30}`, agencyName: `OPD ${i % 30}`, campaign: `c${i % 7}` },
      });
    }
    const t0 = performance.now();
    const s = computeStats(events, new Date('2026-11-21T00:00:00Z'), { days: 90, timeZone: 'Asia/Jakarta' });
    const ms = performance.now() - t0;
    console.log(`computeStats: 100,000 events in ${ms.toFixed(1)} ms`);
    expect(s.events).toBe(100_000);
    expect(s.attempts).toBe(75_000);
    expect(s.posted).toBeGreaterThan(0);
    expect(s.posted).toBeLessThanOrEqual(700 * 3);
    expect(s.perDay).toHaveLength(90);
  });
});

// The components, rendered: the fake i18n answers `key|sub|sub`, so the words are checked by key.
describe('stats components', () => {
  let root: HTMLElement;
  const n = (x: number) => new Intl.NumberFormat('id').format(x);
  const mount = (vnode: ComponentChild) => {
    root = document.createElement('div');
    document.body.append(root);
    render(vnode, root);
    return root;
  };
  afterEach(() => {
    render(null, root);
    root.remove();
  });

  it('StatCards shows the four figures by their UI words', () => {
    const el = mount(h(StatCards, { stats: { posted: 1234, attempts: 5, thisWeek: 2, streakDays: 3, events: 1300 }, formatNumber: n }));
    const pairs = [...el.querySelectorAll('.stat-card')].map((c) => [
      c.querySelector('dt')!.textContent,
      c.querySelector('dd')!.textContent,
    ]);
    expect(pairs).toEqual([
      ['stats_posted', '1.234'],
      ['stats_attempts', '5'],
      ['stats_this_week', '2'],
      ['stats_streak', '3'],
    ]);
    expect(el.textContent).toContain('stats_events|1.300');
  });

  it('Breakdown is a captioned table; no OPD reads "Lainnya"', () => {
    const el = mount(
      h(Breakdown, {
        by: 'agency',
        rows: [
          { key: 'dinkes', name: 'Dinas Kesehatan', posted: 2, attempts: 1 },
          { key: '', name: '', posted: 1, attempts: 0 },
        ],
        formatNumber: n,
      }),
    );
    expect(el.querySelector('caption')!.textContent).toBe('breakdown_by_opd');
    expect([...el.querySelectorAll('thead th')].map((x) => x.textContent)).toEqual(['breakdown_opd', 'stats_posted', 'stats_attempts']);
    expect([...el.querySelectorAll('tbody th[scope="row"]')].map((x) => x.textContent)).toEqual(['Dinas Kesehatan', 'stats_other']);
  });

  it('DayChart: an SVG image with a summary, a table of the same data, and a range switch', () => {
    const perDay = Array.from({ length: 30 }, (_, i) => ({ day: dayKey(20_000 + i), posted: i === 29 ? 4 : i % 5 === 0 ? 1 : 0 }));
    const onDays = vi.fn();
    const el = mount(h(DayChart, { perDay, days: 30, onDays, formatNumber: n, formatDay: (d: string) => d }));
    const svg = el.querySelector('svg')!;
    expect(svg.getAttribute('role')).toBe('img');
    expect(svg.getAttribute('aria-label')).toBe('chart_summary|30|10|4');
    expect(svg.querySelectorAll('rect')).toHaveLength(7);
    expect(el.querySelectorAll('table tbody tr')).toHaveLength(30);
    const buttons = [...el.querySelectorAll('button')];
    expect(buttons.map((b) => [b.textContent, b.getAttribute('aria-pressed')])).toEqual([
      ['chart_days|30', 'true'],
      ['chart_days|90', 'false'],
    ]);
    buttons[1]!.click();
    expect(onDays).toHaveBeenCalledWith(90);
  });

  it('HistoryTable: words for action and sync, https links only, paging', () => {
    const rows = [
      {
        ...ev('posted', '2026-11-20T09:00:00+07:00', { title: 'Panen raya', agency: ['distan', 'Dinas Pertanian'] }),
        post_url: 'https://x.com/a/status/1',
        sync: 'synced' as const,
      },
      {
        ...ev('copied', '2026-11-20T08:00:00+07:00'),
        post_url: 'http://x.com/a/status/2',
        sync: 'rejected' as const,
        rejectReason: 'unknown_item',
      },
      { ...ev('inserted', '2026-11-20T07:00:00+07:00'), post_url: 'javascript:alert(1)' },
    ];
    const onPage = vi.fn();
    const onFilter = vi.fn();
    const el = mount(
      h(HistoryTable, {
        rows,
        total: 100_000,
        page: 0,
        pageSize: 50,
        onPage,
        filter: {},
        onFilter,
        platforms: ['x', 'facebook'],
        formatTime: (ms: number) => new Date(ms).toISOString(),
        formatNumber: n,
      }),
    );
    const body = [...el.querySelectorAll('tbody tr')].map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent));
    expect(body[0]!.slice(1, 6)).toEqual(['Panen raya', 'Dinas Pertanian', 'X', 'action_posted', 'sync_state_synced']);
    expect(body[1]!.slice(3, 6)).toEqual(['X', 'action_copied', 'sync_state_rejected_reason|reject_unknown_item']);
    expect(body[2]![5]).toBe('sync_state_pending');
    const links = [...el.querySelectorAll('a')];
    expect(links).toHaveLength(1);
    expect(links[0]!.getAttribute('href')).toBe('https://x.com/a/status/1');
    expect(links[0]!.getAttribute('rel')).toBe('noopener noreferrer');
    expect(links[0]!.getAttribute('target')).toBe('_blank');
    expect(el.querySelector('.pager [role="status"]')!.textContent).toBe('history_range|1|50|100.000');
    const [prev, next] = [...el.querySelectorAll<HTMLButtonElement>('.pager button')];
    expect(prev!.disabled).toBe(true);
    next!.click();
    expect(onPage).toHaveBeenCalledWith(1);
    const platform = el.querySelectorAll('select')[0]!;
    platform.value = 'facebook';
    platform.dispatchEvent(new Event('change', { bubbles: true }));
    expect(onFilter).toHaveBeenCalledWith({ platform: 'facebook' });
  });

  it('HistoryTable on the last page, and with nothing found', () => {
    const props = {
      rows: [ev('posted', '2026-11-20T09:00:00+07:00')],
      total: 101,
      page: 2,
      pageSize: 50,
      onPage: () => {},
      filter: {},
      onFilter: () => {},
      platforms: [],
      formatTime: String,
      formatNumber: n,
    };
    let el = mount(h(HistoryTable, props));
    expect(el.querySelector('.pager [role="status"]')!.textContent).toBe('history_range|101|101|101');
    const [prev, next] = [...el.querySelectorAll<HTMLButtonElement>('.pager button')];
    expect([prev!.disabled, next!.disabled]).toEqual([false, true]);
    render(null, root);
    root.remove();
    el = mount(h(HistoryTable, { ...props, rows: [], total: 0, page: 0, filter: { query: 'zzz' } }));
    expect(el.querySelector('tbody')!.textContent).toBe('history_no_match');
    expect(el.querySelector('.pager [role="status"]')!.textContent).toBe('history_range|0|0|0');
  });

  it('formats numbers and days in the UI language by default', () => {
    vi.spyOn(fakeBrowser.i18n, 'getUILanguage').mockReturnValue('id');
    const perDay = [
      { day: '2026-11-20', posted: 1200 },
      { day: '2026-11-21', posted: 0 },
    ];
    const el = mount(h(DayChart, { perDay, days: 30, onDays: () => {} }));
    expect(el.querySelector('svg')!.getAttribute('aria-label')).toBe('chart_summary|30|1.200|1.200');
    expect([...el.querySelectorAll('tbody th')].map((x) => x.textContent)).toEqual(['20 Nov', '21 Nov']);
  });

  it('AgencySummary shows the unit rank, or nothing without a summary', () => {
    const el = mount(
      h(AgencySummary, {
        summary: {
          events: 41,
          posted: 30,
          by_platform: { x: 12, facebook: 18 },
          unit: { name: 'Dinas Kominfo', posted: 340, rank: 3, units: 42 },
        },
        formatNumber: n,
      }),
    );
    expect(el.textContent).toContain('agency_rank|3|42');
    expect(el.textContent).toContain('agency_unit_posted|Dinas Kominfo|340');
    expect(el.textContent).toContain('agency_me|30|41');
    render(h(AgencySummary, { summary: undefined }), root);
    expect(root.innerHTML).toBe('');
  });

  it('AgencySummary gives no rank before the first post: "1 of 7" with nothing posted says nothing', () => {
    const unit = { name: 'Dinas Kominfo', posted: 0, rank: 1, units: 7 };
    const el = mount(h(AgencySummary, { summary: { events: 2, posted: 0, by_platform: {}, unit }, formatNumber: n }));
    expect(el.querySelector('.agency-rank')).toBeNull();
    expect(el.textContent).not.toContain('agency_rank|');
    expect(el.textContent).not.toContain('agency_unit_posted');
    expect(el.textContent).toContain('agency_rank_after_first');
    expect(el.textContent).toContain('agency_me|0|2');
    // Posted, but the unit's count at the tally not there yet: still no place in the ranking.
    render(h(AgencySummary, { summary: { events: 3, posted: 1, by_platform: { x: 1 }, unit }, formatNumber: n }), root);
    expect(root.querySelector('.agency-rank')).toBeNull();
    expect(root.textContent).not.toContain('agency_rank_after_first');
  });
});
