import { inList, type Queryable } from '../db/sql';
import { localDay } from '../tally/validate';

// The dashboard's figures, from rollup rows only: a few hundred rows whatever the number of
// events. "Posted" counts each member, item and platform once (docs/protocol.md, "Counting");
// days are the members' own dates, weeks start on Monday.

const DAY_MS = 86_400_000;
export const CHART_DAYS = 30;
export const TOP_ITEMS = 50;

export interface UnitStats {
  id: number;
  name: string;
  members: number;
  /** Members who posted at least once this week. */
  active: number;
  posted: number;
  posted_self: number;
  posted_verified: number;
}

export interface DashboardStats {
  today: string;
  weekStart: string;
  totals: {
    units: number;
    members: number;
    events: number;
    posted: number;
    posted_self: number;
    posted_verified: number;
    active: number;
  };
  /** The last CHART_DAYS days, oldest first, each present. */
  days: { day: string; posted: number; posted_self: number }[];
  units: UnitStats[];
  /** The most shared items, at most TOP_ITEMS. */
  items: { item_id: string; posted: number; members: number }[];
  platforms: { platform: string; posted: number; posted_self: number }[];
}

export { localDay };

export function weekStartOf(now: number, offsetMinutes: number): string {
  const today = localDay(now, offsetMinutes);
  const weekday = (new Date(`${today}T00:00:00Z`).getUTCDay() + 6) % 7; // Monday = 0
  return localDay(now - weekday * DAY_MS, offsetMinutes);
}

const n = (v: unknown) => Number(v ?? 0);

export async function readStats(q: Queryable, now: number, offsetMinutes: number): Promise<DashboardStats> {
  const today = localDay(now, offsetMinutes);
  const weekStart = weekStartOf(now, offsetMinutes);
  const first = localDay(now - (CHART_DAYS - 1) * DAY_MS, offsetMinutes);
  const units = (
    await q.all<UnitStats>(
      `SELECT units.id, units.name, COALESCE(r.members, 0) AS members, COALESCE(w.active, 0) AS active,
         COALESCE(r.posted, 0) AS posted, COALESCE(r.posted_self, 0) AS posted_self, COALESCE(r.posted_verified, 0) AS posted_verified
       FROM units LEFT JOIN rollup_unit AS r ON r.unit_id = units.id
       LEFT JOIN rollup_unit_week AS w ON w.unit_id = units.id AND w.week = $1
       WHERE units.archived_at IS NULL OR COALESCE(r.posted, 0) > 0
       ORDER BY COALESCE(r.posted, 0) DESC, units.name`,
      [weekStart],
    )
  ).map((u) => ({
    ...u,
    id: n(u.id),
    members: n(u.members),
    active: n(u.active),
    posted: n(u.posted),
    posted_self: n(u.posted_self),
    posted_verified: n(u.posted_verified),
  }));
  const totals = await q.get<Record<string, number>>(
    `SELECT COALESCE(SUM(members), 0) AS members, COALESCE(SUM(events), 0) AS events, COALESCE(SUM(posted), 0) AS posted,
       COALESCE(SUM(posted_self), 0) AS posted_self, COALESCE(SUM(posted_verified), 0) AS posted_verified FROM rollup_unit`,
  );
  const active = await q.get<{ active: number }>('SELECT COALESCE(SUM(active), 0) AS active FROM rollup_unit_week WHERE week = $1', [
    weekStart,
  ]);
  const liveUnits = await q.get<{ n: number }>('SELECT COUNT(*) AS n FROM units WHERE archived_at IS NULL');
  const dayRows = await q.all<{ day: string; posted: number; posted_self: number }>(
    `SELECT day, SUM(posted) AS posted, SUM(posted_self) AS posted_self FROM rollup_unit_day
     WHERE day >= $1 AND day <= $2 GROUP BY day`,
    [first, today],
  );
  const byDay = new Map(dayRows.map((r) => [String(r.day), r]));
  const days = Array.from({ length: CHART_DAYS }, (_, i) => {
    const day = localDay(now - (CHART_DAYS - 1 - i) * DAY_MS, offsetMinutes);
    const row = byDay.get(day);
    return { day, posted: n(row?.posted), posted_self: n(row?.posted_self) };
  });
  const items = (
    await q.all<{ item_id: string; posted: number; members: number }>(
      `SELECT item_id, posted, members FROM rollup_item WHERE posted > 0 ORDER BY posted DESC, item_id LIMIT ${TOP_ITEMS}`,
    )
  ).map((r) => ({ item_id: r.item_id, posted: n(r.posted), members: n(r.members) }));
  const platforms = (
    await q.all<{ platform: string; posted: number; posted_self: number }>(
      `SELECT platform, SUM(posted) AS posted, SUM(posted_self) AS posted_self FROM rollup_platform_day
       GROUP BY platform HAVING SUM(posted) > 0 ORDER BY SUM(posted) DESC, platform`,
    )
  ).map((r) => ({ platform: r.platform, posted: n(r.posted), posted_self: n(r.posted_self) }));
  return {
    today,
    weekStart,
    totals: {
      units: n(liveUnits?.n),
      members: n(totals?.members),
      events: n(totals?.events),
      posted: n(totals?.posted),
      posted_self: n(totals?.posted_self),
      posted_verified: n(totals?.posted_verified),
      active: n(active?.active),
    },
    days,
    units,
    items,
    platforms,
  };
}

export interface Alert {
  at: string;
  kind: string;
  subject: string;
  detail: string;
}

/** Alerts of the last `days` days, newest first: guessing of codes and passwords. */
export async function recentAlerts(q: Queryable, now: number, days = 7, limit = 20): Promise<Alert[]> {
  return q.all<Alert>('SELECT at, kind, subject, detail FROM alerts WHERE at >= $1 ORDER BY at DESC LIMIT $2', [
    new Date(now - days * DAY_MS).toISOString(),
    limit,
  ]);
}

/** Browsers by what they last saw of the feed in the last `minutes`: a broken feed shows here within minutes. */
export async function feedHealthReports(q: Queryable, now: number, minutes = 30): Promise<{ kind: string; browsers: number }[]> {
  const rows = await q.all<{ kind: string; browsers: number }>(
    'SELECT kind, COUNT(*) AS browsers FROM feed_reports WHERE at >= $1 GROUP BY kind ORDER BY kind',
    [new Date(now - minutes * 60_000).toISOString()],
  );
  return rows.map((r) => ({ kind: r.kind, browsers: Number(r.browsers) }));
}

/** Titles of items by id: the studio's posts. */
export async function itemTitles(q: Queryable, ids: readonly string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  if (ids.length === 0) return out;
  const rows = await q.all<{ id: string; title: string }>(`SELECT id, title FROM posts WHERE id IN (${inList(ids.length)})`, ids);
  for (const row of rows) out.set(row.id, row.title);
  return out;
}
