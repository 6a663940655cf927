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

export const NOT_POSTED = `SELECT members.nip, members.name, 0 AS posted FROM members
  WHERE members.unit_id = $2
    AND NOT EXISTS (SELECT 1 FROM member_items WHERE member_items.member_id = members.id AND member_items.item_id = $1)
  ORDER BY members.name, members.id LIMIT $3 OFFSET $4`;
const POSTED = `SELECT members.nip, members.name, 1 AS posted FROM members
  WHERE members.unit_id = $2
    AND EXISTS (SELECT 1 FROM member_items WHERE member_items.member_id = members.id AND member_items.item_id = $1)
  ORDER BY members.name, members.id LIMIT $3 OFFSET $4`;

/**
 * Members of one unit, those who have not posted the item first, by name. Each half walks the
 * unit's members in name order on members (unit_id, name, id) and stops at the page's end; the
 * posted half is asked only when the page reaches it.
 */
export async function coverageMembers(
  q: Queryable,
  itemId: string,
  unitId: number,
  offset = 0,
  limit = 100,
): Promise<{ members: MemberCoverage[]; more: boolean }> {
  const rows = await q.all<MemberCoverage>(NOT_POSTED, [itemId, unitId, limit + 1, offset]);
  if (rows.length <= limit) {
    // How many have not posted: known from this page unless it began past their end.
    let notPosted = offset + rows.length;
    if (rows.length === 0 && offset > 0) {
      const row = await q.get<{ n: number }>(
        `SELECT COUNT(*) AS n FROM members WHERE members.unit_id = $2
         AND NOT EXISTS (SELECT 1 FROM member_items WHERE member_items.member_id = members.id AND member_items.item_id = $1)`,
        [itemId, unitId],
      );
      notPosted = Number(row?.n ?? 0);
    }
    rows.push(...(await q.all<MemberCoverage>(POSTED, [itemId, unitId, limit + 1 - rows.length, Math.max(0, offset - notPosted)])));
  }
  return { members: rows.slice(0, limit).map((r) => ({ ...r, posted: Number(r.posted) })), more: rows.length > limit };
}
