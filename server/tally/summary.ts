import type { Summary } from '../../utils/protocol/tally';
import type { Queryable } from '../db/sql';

// `GET v1/me/summary`: the member's counts and their unit's place, read from rollup rows only
// (a handful of rows whatever the number of events).

export async function memberSummary(q: Queryable, memberId: number): Promise<Summary> {
  const totals = await q.get<{ events: number; posted: number; posted_self: number; posted_verified: number }>(
    'SELECT events, posted, posted_self, posted_verified FROM rollup_member WHERE member_id = $1',
    [memberId],
  );
  const platforms = await q.all<{ platform: string; posted: number }>(
    'SELECT platform, posted FROM rollup_member_platform WHERE member_id = $1 AND posted > 0 ORDER BY platform',
    [memberId],
  );
  const member = await q.get<{ unit_id: number }>('SELECT unit_id FROM members WHERE id = $1', [memberId]);
  const standings = await q.all<{ id: number; name: string; posted: number }>(
    `SELECT units.id, units.name, COALESCE(rollup_unit.posted, 0) AS posted FROM units
     LEFT JOIN rollup_unit ON rollup_unit.unit_id = units.id
     WHERE units.archived_at IS NULL OR units.id = $1`,
    [Number(member?.unit_id ?? 0)],
  );
  const mine = standings.find((u) => Number(u.id) === Number(member?.unit_id));
  const byPlatform: Record<string, number> = {};
  for (const row of platforms) byPlatform[row.platform] = Number(row.posted);
  const summary: Summary = {
    events: Number(totals?.events ?? 0),
    posted: Number(totals?.posted ?? 0),
    self_reported: Number(totals?.posted_self ?? 0),
    verified: Number(totals?.posted_verified ?? 0),
    by_platform: byPlatform,
  };
  if (mine) {
    // Competition ranking: units with equal counts share a place.
    const rank = 1 + standings.filter((u) => Number(u.posted) > Number(mine.posted)).length;
    summary.unit = { name: mine.name, posted: Number(mine.posted), rank, units: standings.length };
  }
  return summary;
}
