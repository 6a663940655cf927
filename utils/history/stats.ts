import type { ShareEvent } from './db';

// Personal stats, computed from the local history alone (they work with no tally at all).
//
// Counting follows PROTOCOL.md §2 and the agency tally's `posts` view, so the options page and
// the dashboard show the same figures:
// - Posted: distinct (item_id, platform) pairs among `posted` events. A pair is counted once,
//   on the local day of its FIRST `posted` event (the tally's `posts.day` is the same: the first
//   day). So the bars of the chart add up to Posted, and This week is the pairs first posted this
//   week: posting an item again on the same platform never counts twice anywhere.
// - Attempts: `inserted` + `intent_opened` + `copied` events. Events: every event.
// - Streak: consecutive local days with at least one `posted` event (any, repeat or not), ending
//   today, or yesterday while today has no post yet.
// Days are the user's local days in `timeZone` (default: the browser's), found with Intl, never
// with the process's own zone.

export const DAY_MS = 86_400_000;

export interface PlatformRow {
  key: string;
  posted: number;
  attempts: number;
}
export interface AgencyRow {
  /** `item.agencyId`, or '' for events of posts without an OPD (shown as "Lainnya"). */
  key: string;
  /** The newest name seen for the id; '' for key ''. */
  name: string;
  posted: number;
  attempts: number;
}
export interface CampaignRow {
  /** `item.campaign`, or '' for posts outside any campaign. */
  key: string;
  posted: number;
  attempts: number;
}
export interface DayRow {
  /** Local date, `YYYY-MM-DD`. */
  day: string;
  posted: number;
}

export interface Stats {
  posted: number;
  attempts: number;
  events: number;
  thisWeek: number;
  streakDays: number;
  /** Sorted by posted, then attempts (descending), then key; the '' row last. */
  byPlatform: PlatformRow[];
  byAgency: AgencyRow[];
  byCampaign: CampaignRow[];
  /** Oldest → newest, exactly `days` entries ending today, zero-filled. */
  perDay: DayRow[];
  /** Today's local date, `YYYY-MM-DD`. */
  today: string;
  /** The Monday that starts the current local week, `YYYY-MM-DD`. */
  weekStart: string;
  timeZone: string;
}

export interface StatsOptions {
  /** How many days `perDay` covers, today included (30 or 90 in the options page). */
  days: number;
  /** IANA zone; default the browser's. For tests. */
  timeZone?: string;
}

export function defaultTimeZone(): string {
  return new Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function wallClockFormatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

interface ZoneCache {
  offsetAt: (ms: number) => number;
  /** UTC day → the offset at its first millisecond. */
  atDayStart: Map<number, number>;
  /** UTC day → its offset, or NaN where the offset changes during that day. */
  byUtcDay: Map<number, number>;
  /** Minute → offset, on the days that change. */
  byMinute: Map<number, number>;
}

const zones = new Map<string, ZoneCache>();

function zoneCache(timeZone: string): ZoneCache {
  let z = zones.get(timeZone);
  if (z) return z;
  const f = wallClockFormatter(timeZone);
  const offsetAt = (ms: number): number => {
    const s = Math.floor(ms / 1000) * 1000;
    let y = 1970;
    let mo = 1;
    let d = 1;
    let h = 0;
    let mi = 0;
    let se = 0;
    for (const p of f.formatToParts(s)) {
      const n = Number(p.value);
      switch (p.type) {
        case 'year':
          y = n;
          break;
        case 'month':
          mo = n;
          break;
        case 'day':
          d = n;
          break;
        case 'hour':
          h = n;
          break;
        case 'minute':
          mi = n;
          break;
        case 'second':
          se = n;
          break;
      }
    }
    return Date.UTC(y, mo - 1, d, h, mi, se) - s;
  };
  z = { offsetAt, atDayStart: new Map(), byUtcDay: new Map(), byMinute: new Map() };
  zones.set(timeZone, z);
  return z;
}

/**
 * A function from epoch ms to the local day number (days since 1970-01-01 in `timeZone`).
 *
 * Fast for 100,000 events: Intl is asked for the zone's offset once per UTC day (at its first
 * millisecond) and the answers are kept for the page's life. Where a day starts with the same
 * offset as the next one — every day but the few with a daylight-saving change — the whole day
 * has that offset. Only times on a changing day ask Intl themselves, memoised by minute (zones
 * change offset on whole minutes).
 */
export function localDayNumberer(timeZone: string): (ms: number) => number {
  const { offsetAt, atDayStart, byUtcDay, byMinute } = zoneCache(timeZone);
  const startOffset = (u: number): number => {
    let o = atDayStart.get(u);
    if (o === undefined) atDayStart.set(u, (o = offsetAt(u * DAY_MS)));
    return o;
  };
  // Events mostly come in time order: the last day's answer is kept at hand.
  let lastU = NaN;
  let lastOff = NaN;
  return (ms: number): number => {
    const u = Math.floor(ms / DAY_MS);
    if (u === lastU) return Math.floor((ms + lastOff) / DAY_MS);
    let off = byUtcDay.get(u);
    if (off === undefined) {
      const a = startOffset(u);
      off = a === startOffset(u + 1) ? a : NaN;
      byUtcDay.set(u, off);
    }
    if (off === off) {
      lastU = u;
      lastOff = off;
    } else {
      // NaN: this day changes offset.
      const m = Math.floor(ms / 60_000);
      off = byMinute.get(m);
      if (off === undefined) {
        off = offsetAt(ms);
        byMinute.set(m, off);
      }
    }
    return Math.floor((ms + off) / DAY_MS);
  };
}

/** `YYYY-MM-DD` of a day number. */
export function dayKey(dayNumber: number): string {
  return new Date(dayNumber * DAY_MS).toISOString().slice(0, 10);
}

/** Monday = 0 … Sunday = 6 (1970-01-01, day 0, was a Thursday). */
function isoWeekday(dayNumber: number): number {
  return (((dayNumber + 3) % 7) + 7) % 7;
}

interface Pair {
  /** The first `posted` event of the pair. */
  first: ShareEvent;
}

interface Tally {
  posted: number;
  attempts: number;
}

function rows<R extends { key: string; posted: number; attempts: number }>(m: Map<string, R>): R[] {
  return [...m.values()].sort(
    (a, b) =>
      Number(a.key === '') - Number(b.key === '') ||
      b.posted - a.posted ||
      b.attempts - a.attempts ||
      (a.key < b.key ? -1 : a.key > b.key ? 1 : 0),
  );
}

export function computeStats(events: readonly ShareEvent[], now: Date, opts: StatsOptions): Stats {
  const timeZone = opts.timeZone ?? defaultTimeZone();
  const dayOf = localDayNumberer(timeZone);
  const nowMs = now.getTime();
  const today = dayOf(nowMs);
  const monday = today - isoWeekday(today);
  const days = Math.max(0, Math.floor(opts.days));
  const firstChartDay = today - days + 1;

  const pairs = new Map<string, Pair>();
  const postedDays = new Set<number>();
  const platforms = new Map<string, PlatformRow>();
  const agencies = new Map<string, AgencyRow & { nameAt: number }>();
  const campaigns = new Map<string, CampaignRow>();
  let attempts = 0;

  const platformRow = (key: string): Tally => {
    let r = platforms.get(key);
    if (!r) platforms.set(key, (r = { key, posted: 0, attempts: 0 }));
    return r;
  };
  const agencyRow = (e: ShareEvent): Tally => {
    const key = e.item?.agencyId ?? '';
    let r = agencies.get(key);
    if (!r) agencies.set(key, (r = { key, name: '', posted: 0, attempts: 0, nameAt: -Infinity }));
    const name = e.item?.agencyName;
    if (key && name && e.atMs >= r.nameAt) {
      r.name = name;
      r.nameAt = e.atMs;
    }
    return r;
  };
  const campaignRow = (e: ShareEvent): Tally => {
    const key = e.item?.campaign ?? '';
    let r = campaigns.get(key);
    if (!r) campaigns.set(key, (r = { key, posted: 0, attempts: 0 }));
    return r;
  };

  for (const e of events) {
    if (e.action === 'posted') {
      const k = `${e.item_id}\u0000${e.platform}`;
      const p = pairs.get(k);
      if (!p) pairs.set(k, { first: e });
      else if (e.atMs < p.first.atMs) p.first = e;
      if (Number.isFinite(e.atMs)) postedDays.add(dayOf(e.atMs));
      agencyRow(e); // the newest OPD name, from any event
    } else {
      attempts++;
      platformRow(e.platform).attempts++;
      agencyRow(e).attempts++;
      campaignRow(e).attempts++;
    }
  }

  const perDayCounts = new Array<number>(days).fill(0);
  let thisWeek = 0;
  for (const { first } of pairs.values()) {
    platformRow(first.platform).posted++;
    agencyRow(first).posted++;
    campaignRow(first).posted++;
    if (!Number.isFinite(first.atMs)) continue;
    const d = dayOf(first.atMs);
    if (d >= monday && first.atMs <= nowMs) thisWeek++;
    if (d >= firstChartDay && d <= today) perDayCounts[d - firstChartDay]!++;
  }

  let streakDays = 0;
  for (let d = postedDays.has(today) ? today : today - 1; postedDays.has(d); d--) streakDays++;

  return {
    posted: pairs.size,
    attempts,
    events: events.length,
    thisWeek,
    streakDays,
    byPlatform: rows(platforms),
    byAgency: rows(agencies)
      // A row made only to remember a name (its pairs counted under the OPD of their first post).
      .filter((r) => r.posted > 0 || r.attempts > 0)
      .map(({ key, name, posted, attempts: a }) => ({ key, name, posted, attempts: a })),
    byCampaign: rows(campaigns),
    perDay: perDayCounts.map((posted, i) => ({ day: dayKey(firstChartDay + i), posted })),
    today: dayKey(today),
    weekStart: dayKey(monday),
    timeZone,
  };
}
