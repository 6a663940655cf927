import { describe, expect, it, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { DEFAULT_TIME_ZONE, isWorkingTime, minuteOfDay, parseHours, resolveWorkHours, type WorkHours } from '@/utils/notify/hours';
import { EMPTY_MEMORY, newMandatoryPosts } from '@/utils/notify/new-posts';
import { notifyNewPosts, openPostFromNotification, takePopupFocus } from '@/utils/notify/notifier';
import type { Item } from '@/utils/protocol/item';

const item = (id: string, priority: 'mandatory' | 'high' | 'normal', expires_at?: string): Item =>
  ({ id, title: `Judul ${id}`, url: `https://kab.example/${id}`, _siar: { priority, ...(expires_at ? { expires_at } : {}) } }) as Item;

const WIB: WorkHours = { start: 7 * 60, end: 17 * 60, timeZone: 'Asia/Jakarta' };

describe('working hours in a zone', () => {
  it('reads the time on the zone’s wall clock, not the machine’s', () => {
    // 00:30 UTC is 07:30 in Jakarta (UTC+7), 09:30 in Jayapura (UTC+9), and 19:30 the day before in Santiago (UTC-5 in summer).
    const t = Date.parse('2026-12-03T00:30:00Z');
    expect(minuteOfDay(t, 'Asia/Jakarta')).toBe(7 * 60 + 30);
    expect(minuteOfDay(t, 'Asia/Jayapura')).toBe(9 * 60 + 30);
    expect(minuteOfDay(t, 'UTC')).toBe(30);
  });

  it('07:00–17:00 WIB: inside from 07:00, outside from 17:00', () => {
    expect(isWorkingTime(Date.parse('2026-12-03T06:59:00+07:00'), WIB)).toBe(false);
    expect(isWorkingTime(Date.parse('2026-12-03T07:00:00+07:00'), WIB)).toBe(true);
    expect(isWorkingTime(Date.parse('2026-12-03T12:00:00+07:00'), WIB)).toBe(true);
    expect(isWorkingTime(Date.parse('2026-12-03T16:59:00+07:00'), WIB)).toBe(true);
    expect(isWorkingTime(Date.parse('2026-12-03T17:00:00+07:00'), WIB)).toBe(false);
    expect(isWorkingTime(Date.parse('2026-12-03T23:00:00+07:00'), WIB)).toBe(false);
    // The same instant is 08:00 in WITA and 09:00 in WIT: the zone decides.
    const sixWib = Date.parse('2026-12-03T06:30:00+07:00');
    expect(isWorkingTime(sixWib, WIB)).toBe(false);
    expect(isWorkingTime(sixWib, { ...WIB, timeZone: 'Asia/Makassar' })).toBe(true);
  });

  it('hours across midnight (a night shift)', () => {
    const night = { start: 22 * 60, end: 6 * 60, timeZone: 'UTC' };
    expect(isWorkingTime(Date.parse('2026-12-03T23:00:00Z'), night)).toBe(true);
    expect(isWorkingTime(Date.parse('2026-12-03T05:59:00Z'), night)).toBe(true);
    expect(isWorkingTime(Date.parse('2026-12-03T06:00:00Z'), night)).toBe(false);
    expect(isWorkingTime(Date.parse('2026-12-03T12:00:00Z'), night)).toBe(false);
  });

  it('parses "HH:MM-HH:MM" and refuses the rest', () => {
    expect(parseHours('07:00-17:00')).toEqual({ start: 420, end: 1020 });
    expect(parseHours(' 08:30 – 16:15 ')).toEqual({ start: 510, end: 975 });
    for (const bad of ['', '7-17', '07:00', '07:00-07:00', '24:00-25:00', '07:60-17:00', '07:00-17:00-18:00', 'pagi-sore']) {
      expect(parseHours(bad), bad).toBeUndefined();
    }
  });

  it('policy first, then the user, then 07:00–17:00 in WIB; a bad value falls through', () => {
    expect(resolveWorkHours([undefined, undefined], [undefined, undefined])).toEqual(WIB);
    expect(resolveWorkHours(['08:00-16:00', '06:00-20:00'], ['Asia/Jayapura', 'Asia/Makassar'])).toEqual({
      start: 480,
      end: 960,
      timeZone: 'Asia/Jayapura',
    });
    expect(resolveWorkHours(['nonsense', '06:00-20:00'], ['Mars/Olympus', 'Asia/Makassar'])).toEqual({
      start: 360,
      end: 1200,
      timeZone: 'Asia/Makassar',
    });
    expect(DEFAULT_TIME_ZONE).toBe('Asia/Jakarta');
  });
});

describe('which mandatory posts are new', () => {
  const now = Date.parse('2026-12-03T09:00:00+07:00');

  it('the first feed seen primes the memory: nothing there at install is "new"', () => {
    const r = newMandatoryPosts([item('a', 'mandatory'), item('b', 'normal')], EMPTY_MEMORY, now);
    expect(r.fresh).toEqual([]);
    expect(r.memory).toEqual({ primed: true, seen: ['a'] });
  });

  it('a mandatory post is new once; high and normal posts, and expired ones, never', () => {
    const memory = { primed: true, seen: ['a'] };
    const items = [item('c', 'mandatory'), item('a', 'mandatory'), item('h', 'high'), item('x', 'mandatory', '2026-12-01T00:00:00Z')];
    const first = newMandatoryPosts(items, memory, now);
    expect(first.fresh.map((i) => i.id)).toEqual(['c']);
    expect(newMandatoryPosts(items, first.memory, now).fresh).toEqual([]);
  });
});

describe('notifications (fake browser, injected clock)', () => {
  const inHours = Date.parse('2026-12-03T09:00:00+07:00');
  const atNight = Date.parse('2026-12-03T21:00:00+07:00');

  it('shows one per new mandatory post inside working hours, never twice', async () => {
    const show = vi.fn(async () => {});
    const deps = { now: () => inHours, allowed: async () => true, show };
    await notifyNewPosts([item('a', 'mandatory')], deps);
    expect(show).not.toHaveBeenCalled();
    expect(await notifyNewPosts([item('b', 'mandatory'), item('a', 'mandatory')], deps)).toEqual(['b']);
    expect(show).toHaveBeenCalledWith('siar-post:b', 'notify_title|Judul b', 'notify_body');
    expect(await notifyNewPosts([item('b', 'mandatory'), item('a', 'mandatory')], deps)).toEqual([]);
    expect(show).toHaveBeenCalledTimes(1);
  });

  it('none outside working hours, and the post is not brought back later', async () => {
    const show = vi.fn(async () => {});
    await notifyNewPosts([item('a', 'mandatory')], { now: () => atNight, allowed: async () => true, show });
    expect(await notifyNewPosts([item('n', 'mandatory')], { now: () => atNight, allowed: async () => true, show })).toEqual([]);
    expect(await notifyNewPosts([item('n', 'mandatory')], { now: () => inHours, allowed: async () => true, show })).toEqual([]);
    expect(show).not.toHaveBeenCalled();
  });

  it('without the permission nothing is shown, and nothing else is asked', async () => {
    const show = vi.fn(async () => {});
    const allowed = vi.fn(async () => false);
    await notifyNewPosts([], { now: () => inHours, allowed, show });
    expect(await notifyNewPosts([item('p', 'mandatory')], { now: () => inHours, allowed, show })).toEqual([]);
    expect(show).not.toHaveBeenCalled();
  });

  it('the working hours the user set are the ones kept', async () => {
    await fakeBrowser.storage.local.set({ settings: { workHours: '20:00-23:00', timeZone: 'Asia/Jakarta' } });
    const show = vi.fn(async () => {});
    await notifyNewPosts([], { now: () => atNight, allowed: async () => true, show });
    expect(await notifyNewPosts([item('q', 'mandatory')], { now: () => atNight, allowed: async () => true, show })).toEqual(['q']);
  });

  it('a click opens the popup on the post, or the popup page in a tab where the popup cannot open', async () => {
    const tabs = vi.spyOn(fakeBrowser.tabs, 'create').mockResolvedValue({} as never);
    // The fake browser has no openPopup: the tab is the way.
    expect(await openPostFromNotification('siar-post:abc')).toBe('tab');
    expect(tabs).toHaveBeenCalledWith({ url: expect.stringMatching(/\/popup\.html\?item=abc$/) });
    expect(await openPostFromNotification('other')).toBeUndefined();
    expect(await takePopupFocus('?item=abc')).toBe('abc');
    expect(await takePopupFocus('')).toBeUndefined();
  });
});
