import type { Statement } from 'better-sqlite3';
import type { Db } from '../db/database';

// The dashboard's figures. "Posted" is always the `posts` view (PROTOCOL.md §2: once per member,
// item and platform); days are the member's own local dates, as in the `at` they sent.

const DAY_MS = 86_400_000;
export const CHART_DAYS = 30;
const TOP_ITEMS = 50;

export interface UnitStats {
  id: number;
  name: string;
  members: number;
  /** Members who posted at least once this week. */
  active: number;
  posted: number;
}

export interface DashboardStats {
  today: string;
  weekStart: string;
  totals: { units: number; members: number; events: number; posted: number; active: number };
  /** The last CHART_DAYS days, oldest first, each present. */
  days: { day: string; posted: number }[];
  units: UnitStats[];
  /** The most shared items, at most TOP_ITEMS. */
  items: { itemId: string; posted: number; members: number }[];
  platforms: { platform: string; posted: number }[];
}

/** `YYYY-MM-DD` of the moment `ms` at `offsetMinutes` from UTC. */
export function localDay(ms: number, offsetMinutes: number): string {
  return new Date(ms + offsetMinutes * 60_000).toISOString().slice(0, 10);
}

export class Stats {
  private readonly q: Record<
    'totals' | 'days' | 'units' | 'items' | 'platforms' | 'coverage',
    Statement
  >;

  constructor(db: Db) {
    const p = (sql: string) => db.prepare(sql);
    const postedSince = `SELECT DISTINCT member_id FROM shares
      WHERE action = 'posted' AND substr(at, 1, 10) >= @weekStart`;
    this.q = {
      totals: p(`SELECT
        (SELECT COUNT(*) FROM units) AS units,
        (SELECT COUNT(*) FROM members) AS members,
        (SELECT COUNT(*) FROM shares) AS events,
        (SELECT COUNT(*) FROM posts) AS posted,
        (SELECT COUNT(*) FROM (${postedSince})) AS active`),
      days: p(`SELECT day, COUNT(*) AS posted FROM posts
        WHERE day BETWEEN ? AND ? GROUP BY day`),
      units: p(`SELECT units.id, units.name,
          COALESCE(m.members, 0) AS members,
          COALESCE(a.active, 0) AS active,
          COALESCE(c.posted, 0) AS posted
        FROM units
        LEFT JOIN (SELECT unit_id, COUNT(*) AS members FROM members GROUP BY unit_id) AS m
          ON m.unit_id = units.id
        LEFT JOIN (SELECT members.unit_id, COUNT(*) AS active
          FROM (${postedSince}) AS recent JOIN members ON members.id = recent.member_id
          GROUP BY members.unit_id) AS a
          ON a.unit_id = units.id
        LEFT JOIN (SELECT members.unit_id, COUNT(*) AS posted
          FROM posts JOIN members ON members.id = posts.member_id
          GROUP BY members.unit_id) AS c
          ON c.unit_id = units.id
        ORDER BY posted DESC, units.name`),
      items: p(`SELECT item_id AS itemId, COUNT(*) AS posted, COUNT(DISTINCT member_id) AS members
        FROM posts GROUP BY item_id ORDER BY posted DESC, item_id LIMIT ${TOP_ITEMS}`),
      platforms: p(`SELECT platform, COUNT(*) AS posted FROM posts
        GROUP BY platform ORDER BY posted DESC, platform`),
      // Members of each unit who posted the item at least once, on any platform.
      coverage: p(`SELECT members.unit_id AS unitId, COUNT(DISTINCT posts.member_id) AS members
        FROM posts JOIN members ON members.id = posts.member_id
        WHERE posts.item_id = ? GROUP BY members.unit_id`),
    };
  }

  /** The figures as of `now`, with days and weeks (from Monday) in the agency's offset. */
  read(now: number, offsetMinutes: number): DashboardStats {
    const today = localDay(now, offsetMinutes);
    const weekday = (new Date(`${today}T00:00:00Z`).getUTCDay() + 6) % 7; // Monday = 0
    const weekStart = localDay(now - weekday * DAY_MS, offsetMinutes);
    const first = localDay(now - (CHART_DAYS - 1) * DAY_MS, offsetMinutes);
    const counts = new Map(
      (this.q.days.all(first, today) as { day: string; posted: number }[]).map((row) => [
        row.day,
        row.posted,
      ]),
    );
    const days = Array.from({ length: CHART_DAYS }, (_, i) => {
      const day = localDay(now - (CHART_DAYS - 1 - i) * DAY_MS, offsetMinutes);
      return { day, posted: counts.get(day) ?? 0 };
    });
    return {
      today,
      weekStart,
      totals: this.q.totals.get({ weekStart }) as DashboardStats['totals'],
      days,
      units: this.q.units.all({ weekStart }) as UnitStats[],
      items: this.q.items.all() as DashboardStats['items'],
      platforms: this.q.platforms.all() as DashboardStats['platforms'],
    };
  }

  /** Unit id → how many of its members posted the item. */
  coverage(itemId: string): Map<number, number> {
    const rows = this.q.coverage.all(itemId) as { unitId: number; members: number }[];
    return new Map(rows.map((row) => [row.unitId, row.members]));
  }
}
