import type { Queryable } from '../db/sql';

// Coverage of a mandatory post: per unit, how many members posted it (on any platform), and who
// has and who has not. Counts come from rollups; the names are one unit's members, a page at a
// time, so a unit of thousands costs one indexed page.

export interface UnitCoverage {
  unit_id: number;
  unit: string;
  members: number;
  posted: number;
}

export async function coverageByUnit(q: Queryable, itemId: string, unitId?: number): Promise<UnitCoverage[]> {
  const rows = await q.all<UnitCoverage>(
    `SELECT units.id AS unit_id, units.name AS unit, COALESCE(rollup_unit.members, 0) AS members,
       COALESCE(rollup_item_unit.members, 0) AS posted
     FROM units LEFT JOIN rollup_unit ON rollup_unit.unit_id = units.id
     LEFT JOIN rollup_item_unit ON rollup_item_unit.unit_id = units.id AND rollup_item_unit.item_id = $1
     WHERE units.archived_at IS NULL AND ($2 = 0 OR units.id = $2)
     ORDER BY units.name`,
    [itemId, unitId ?? 0],
  );
  return rows.map((r) => ({ ...r, unit_id: Number(r.unit_id), members: Number(r.members), posted: Number(r.posted) }));
}

export interface MemberCoverage {
  nip: string;
  name: string;
  posted: number;
}

/** Members of one unit, those who have not posted the item first, by name. */
export async function coverageMembers(
  q: Queryable,
  itemId: string,
  unitId: number,
  offset = 0,
  limit = 100,
): Promise<{ members: MemberCoverage[]; more: boolean }> {
  const rows = await q.all<MemberCoverage>(
    `SELECT members.nip, members.name, CASE WHEN member_items.member_id IS NULL THEN 0 ELSE 1 END AS posted
     FROM members LEFT JOIN member_items ON member_items.member_id = members.id AND member_items.item_id = $1
     WHERE members.unit_id = $2
     ORDER BY CASE WHEN member_items.member_id IS NULL THEN 0 ELSE 1 END, members.name, members.id
     LIMIT $3 OFFSET $4`,
    [itemId, unitId, limit + 1, offset],
  );
  return { members: rows.slice(0, limit).map((r) => ({ ...r, posted: Number(r.posted) })), more: rows.length > limit };
}
