import { dayKey, defaultTimeZone, isoWeekday, localDayNumberer } from '../time/local-day';
import type { HistoryTotals, ShareEvent } from './types';

// Personal stats, computed from the local history alone (they work with no tally at all).
//
// Counting follows docs/protocol.md "Share events and the tally" and the agency tally's `posts` view, so the options page and
// the dashboard show the same figures:
// - Posted: distinct (item_id, platform) pairs among `posted` events. A pair is counted once,
//   on the local day of its FIRST `posted` event (the tally's `posts.day` is the same: the first
//   day). So the bars of the chart add up to Posted, and This week is the pairs first posted this
//   week: posting an item again on the same platform never counts twice anywhere.
//   Self-reported: the Posted pairs whose every `posted` was self-reported (the user said it was
//   sent, where the extension cannot see it), counted apart as the tally does.
// - Attempts: `inserted` + `intent_opened` + `copied` events. Events: every event.
// - Events the tally refused (`rejected`) count in Events and in Rejected only: not in Posted,
//   Attempts, the breakdowns or the streak, as the tally does not count them either.
// - Streak: consecutive local days with at least one `posted` event (any, repeat or not), ending
//   today, or yesterday while today has no post yet.
// Days are the user's local days in `timeZone` (default: the browser's), found with Intl, never
// with the process's own zone.

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
  /** Of `posted`: the pairs the user said they posted (WhatsApp, a copy), none seen by the extension. */
  selfReported: number;
  attempts: number;
  events: number;
  /** Events the tally refused: in `events`, in nothing else. */
  rejected: number;
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

export function emptyTotals(): HistoryTotals {
  return { events: 0, sync: { pending: 0, synced: 0, rejected: 0 }, pairs: new Map(), attempts: new Map(), names: new Map() };
}

export const pairKey = (itemId: string, platform: string) => `${itemId}\u0000${platform}`;
export const attemptKey = (platform: string, agencyId: string, campaign: string) => `${platform}\u0000${agencyId}\u0000${campaign}`;

/** A `posted` event that makes a day with a post (for the streak): not one the tally refused. */
export function countsAsPost(e: ShareEvent): boolean {
  return e.action === 'posted' && e.sync !== 'rejected' && Number.isFinite(e.atMs);
}

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
  // Refused by the tally: kept and shown in the history, counted apart (sync.rejected), never as
  // a post or an attempt, so these figures stay the ones the agency counts.
  if (e.sync === 'rejected') return t;
  if (e.action === 'posted') {
    const k = pairKey(e.item_id, e.platform);
    const p = t.pairs.get(k);
    // Self-reported while every post of the pair was: one the extension saw makes it seen.
    const self = (p ? p.self === true : true) && e.self_reported === true;
    if (!p || e.atMs < p.atMs || (e.atMs === p.atMs && e.id < p.id))
      t.pairs.set(k, { item_id: e.item_id, platform: e.platform, atMs: e.atMs, id: e.id, agencyId, campaign, self });
    else p.self = self;
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
  let selfReported = 0;
  for (const first of t.pairs.values()) {
    if (first.self) selfReported++;
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
    selfReported,
    attempts,
    events: t.events,
    rejected: t.sync.rejected,
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
  for (const e of events) if (countsAsPost(e)) postedDays.add(dayOf(e.atMs));
  return statsFromTotals(totalsOf(events), postedDays, now, opts);
}
