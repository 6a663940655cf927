import type { ShareEvent, SyncState } from './db';

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

/**
 * A function from a local day number to the epoch ms its first millisecond falls on (the
 * smallest ms whose day is `day` or later). A search, not arithmetic: a day may start at 01:00
 * where the clocks skip midnight.
 */
export function localDayStarter(timeZone: string): (day: number) => number {
  const dayOf = localDayNumberer(timeZone);
  return (day: number): number => {
    // Offsets lie within ±16 h, so the start lies in this window.
    let lo = day * DAY_MS - 16 * 3_600_000;
    let hi = day * DAY_MS + 16 * 3_600_000;
    while (lo < hi) {
      const mid = Math.floor((lo + hi) / 2);
      if (dayOf(mid) >= day) hi = mid;
      else lo = mid + 1;
    }
    return lo;
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

/**
 * What the stats need from a history, kept small enough to store and update share by share
 * (utils/history/totals.ts keeps it in IndexedDB, so the options page never reads every event).
 * Folding is order-free: the same events in any order give the same totals.
 */
export interface HistoryTotals {
  events: number;
  /** Events by outbox state (for the settings' sync line, not the stats). */
  sync: Record<SyncState, number>;
  /** `item_id \0 platform` → the pair's first `posted` event (earliest; ties: smallest id). */
  pairs: Map<string, PairFirst>;
  /** `platform \0 OPD \0 campaign` → how many attempts (non-`posted` events). */
  attempts: Map<string, AttemptCount>;
  /** OPD id → its newest name (newest event; ties: the greater name). */
  names: Map<string, AgencyName>;
}
export interface PairFirst {
  item_id: string;
  platform: string;
  atMs: number;
  id: string;
  agencyId: string;
  campaign: string;
}
export interface AttemptCount {
  platform: string;
  agencyId: string;
  campaign: string;
  n: number;
}
export interface AgencyName {
  agencyId: string;
  name: string;
  at: number;
}

export function emptyTotals(): HistoryTotals {
  return { events: 0, sync: { pending: 0, synced: 0, rejected: 0 }, pairs: new Map(), attempts: new Map(), names: new Map() };
}

export const pairKey = (itemId: string, platform: string) => `${itemId}\u0000${platform}`;
export const attemptKey = (platform: string, agencyId: string, campaign: string) => `${platform}\u0000${agencyId}\u0000${campaign}`;

/** Adds one event to `t` (in place), and returns it. */
export function addToTotals(t: HistoryTotals, e: ShareEvent): HistoryTotals {
  t.events++;
  t.sync[e.sync]++;
  const agencyId = e.item?.agencyId ?? '';
  const campaign = e.item?.campaign ?? '';
  const name = e.item?.agencyName;
  if (agencyId && name) {
    const n = t.names.get(agencyId);
    // A time that is not a number never names an OPD.
    if (!Number.isNaN(e.atMs) && (!n || e.atMs > n.at || (e.atMs === n.at && name > n.name)))
      t.names.set(agencyId, { agencyId, name, at: e.atMs });
  }
  if (e.action === 'posted') {
    const k = pairKey(e.item_id, e.platform);
    const p = t.pairs.get(k);
    if (!p || e.atMs < p.atMs || (e.atMs === p.atMs && e.id < p.id))
      t.pairs.set(k, { item_id: e.item_id, platform: e.platform, atMs: e.atMs, id: e.id, agencyId, campaign });
  } else {
    const k = attemptKey(e.platform, agencyId, campaign);
    const a = t.attempts.get(k);
    if (a) a.n++;
    else t.attempts.set(k, { platform: e.platform, agencyId, campaign, n: 1 });
  }
  return t;
}

export function totalsOf(events: Iterable<ShareEvent>): HistoryTotals {
  const t = emptyTotals();
  for (const e of events) addToTotals(t, e);
  return t;
}

/**
 * Consecutive days in `postedDays` ending today, or yesterday while today has none.
 * `postedDays` needs only the run that ends today or yesterday (what historyStats reads).
 */
export function streakOf(postedDays: ReadonlySet<number>, today: number): number {
  let n = 0;
  for (let d = postedDays.has(today) ? today : today - 1; postedDays.has(d); d--) n++;
  return n;
}

/** Where `computeStats` ends: the stats of stored totals plus the days with a post. */
export function statsFromTotals(t: HistoryTotals, postedDays: ReadonlySet<number>, now: Date, opts: StatsOptions): Stats {
  const timeZone = opts.timeZone ?? defaultTimeZone();
  const dayOf = localDayNumberer(timeZone);
  const nowMs = now.getTime();
  const today = dayOf(nowMs);
  const monday = today - isoWeekday(today);
  const days = Math.max(0, Math.floor(opts.days));
  const firstChartDay = today - days + 1;

  const platforms = new Map<string, PlatformRow>();
  const agencies = new Map<string, AgencyRow>();
  const campaigns = new Map<string, CampaignRow>();
  const row = <R extends { key: string; posted: number; attempts: number }>(m: Map<string, R>, key: string, make: () => R): R => {
    let r = m.get(key);
    if (!r) m.set(key, (r = make()));
    return r;
  };
  const platformRow = (key: string) => row(platforms, key, () => ({ key, posted: 0, attempts: 0 }));
  const agencyRow = (key: string) =>
    row(agencies, key, () => ({ key, name: (key && t.names.get(key)?.name) || '', posted: 0, attempts: 0 }));
  const campaignRow = (key: string) => row(campaigns, key, () => ({ key, posted: 0, attempts: 0 }));

  let attempts = 0;
  for (const a of t.attempts.values()) {
    attempts += a.n;
    platformRow(a.platform).attempts += a.n;
    agencyRow(a.agencyId).attempts += a.n;
    campaignRow(a.campaign).attempts += a.n;
  }

  const perDayCounts = new Array<number>(days).fill(0);
  let thisWeek = 0;
  for (const first of t.pairs.values()) {
    platformRow(first.platform).posted++;
    agencyRow(first.agencyId).posted++;
    campaignRow(first.campaign).posted++;
    if (!Number.isFinite(first.atMs)) continue;
    const d = dayOf(first.atMs);
    if (d >= monday && first.atMs <= nowMs) thisWeek++;
    if (d >= firstChartDay && d <= today) perDayCounts[d - firstChartDay]!++;
  }

  return {
    posted: t.pairs.size,
    attempts,
    events: t.events,
    thisWeek,
    streakDays: streakOf(postedDays, today),
    byPlatform: rows(platforms),
    byAgency: rows(agencies),
    byCampaign: rows(campaigns),
    perDay: perDayCounts.map((posted, i) => ({ day: dayKey(firstChartDay + i), posted })),
    today: dayKey(today),
    weekStart: dayKey(monday),
    timeZone,
  };
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

/** The stats of a list of events: the reference that the stored totals are tested against. */
export function computeStats(events: readonly ShareEvent[], now: Date, opts: StatsOptions): Stats {
  const dayOf = localDayNumberer(opts.timeZone ?? defaultTimeZone());
  const postedDays = new Set<number>();
  for (const e of events) if (e.action === 'posted' && Number.isFinite(e.atMs)) postedDays.add(dayOf(e.atMs));
  return statsFromTotals(totalsOf(events), postedDays, now, opts);
}
