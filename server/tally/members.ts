import { createHash } from 'node:crypto';
import { checkNip, normalizeNip } from '../../utils/protocol/nip';
import { inList, type Queryable } from '../db/sql';
import { normalizeCode, normalizeUnit, randomCode, sameUnit, type EnrollCodes } from './codes';

// Units (OPD), their enrolment codes, members, the roster and personal codes: the data the
// tally's enrolment reads and the studio's "Unit dan kode", "Anggota" and "Daftar pegawai" pages
// change. Every change is one function here, so the studio and the JSON API cannot differ.

export interface Unit {
  id: number;
  name: string;
  slug: string | null;
  archived_at: string | null;
}

export interface UnitWithCounts extends Unit {
  members: number;
  codes: string[];
}

const iso = (now: number) => new Date(now).toISOString();

/** `Dinas Kesehatan` → `dinas-kesehatan`: the OPD's id in the feed. */
export function slugify(text: string): string {
  const slug = text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60)
    .replace(/-+$/, '');
  return slug || 'unit';
}

export async function unitByName(q: Queryable, name: string): Promise<Unit | undefined> {
  return q.get<Unit>('SELECT id, name, slug, archived_at FROM units WHERE lower(name) = lower($1)', [normalizeUnit(name)]);
}

export async function unitById(q: Queryable, id: number): Promise<Unit | undefined> {
  return q.get<Unit>('SELECT id, name, slug, archived_at FROM units WHERE id = $1', [id]);
}

/** The live unit a code leads to. */
export async function unitByCode(q: Queryable, code: string): Promise<Unit | undefined> {
  return q.get<Unit>(
    `SELECT units.id, units.name, units.slug, units.archived_at FROM enroll_codes
     JOIN units ON units.id = enroll_codes.unit_id
     WHERE enroll_codes.code = $1 AND units.archived_at IS NULL`,
    [normalizeCode(code)],
  );
}

export async function listUnits(q: Queryable): Promise<UnitWithCounts[]> {
  const units = await q.all<Unit & { members: number | null }>(
    `SELECT units.id, units.name, units.slug, units.archived_at, rollup_unit.members
     FROM units LEFT JOIN rollup_unit ON rollup_unit.unit_id = units.id ORDER BY units.name`,
  );
  const codes = await q.all<{ unit_id: number; code: string }>('SELECT unit_id, code FROM enroll_codes ORDER BY code');
  return units.map((u) => ({
    ...u,
    id: Number(u.id),
    members: Number(u.members ?? 0),
    codes: codes.filter((c) => Number(c.unit_id) === Number(u.id)).map((c) => c.code),
  }));
}

/** Creates a unit (or returns the one of that name, whatever its case). */
export async function ensureUnit(q: Queryable, name: string, now = Date.now()): Promise<Unit> {
  const clean = normalizeUnit(name);
  const known = await unitByName(q, clean);
  if (known) return known;
  let slug = slugify(clean);
  for (let n = 2; await q.get('SELECT id FROM units WHERE slug = $1', [slug]); n++) slug = `${slugify(clean)}-${n}`;
  const row = await q.get<{ id: number }>('INSERT INTO units (name, created_at, slug) VALUES ($1, $2, $3) RETURNING id', [
    clean,
    iso(now),
    slug,
  ]);
  await q.run('INSERT INTO rollup_unit (unit_id) VALUES ($1) ON CONFLICT DO NOTHING', [Number(row!.id)]);
  return { id: Number(row!.id), name: clean, slug, archived_at: null };
}

export async function setUnitArchived(q: Queryable, unitId: number, archived: boolean, now = Date.now()): Promise<void> {
  await q.run('UPDATE units SET archived_at = $2 WHERE id = $1', [unitId, archived ? iso(now) : null]);
}

export async function addCode(q: Queryable, unitId: number, code = randomCode(), now = Date.now()): Promise<string> {
  const clean = normalizeCode(code);
  if (!/^[A-Z0-9][A-Z0-9-]{3,40}$/.test(clean)) throw new Error('a code is 4–41 letters, digits or dashes');
  const taken = await q.get<{ unit_id: number }>('SELECT unit_id FROM enroll_codes WHERE code = $1', [clean]);
  if (taken) throw new Error(`code ${clean} is already in use`);
  await q.run('INSERT INTO enroll_codes (code, unit_id, created_at) VALUES ($1, $2, $3)', [clean, unitId, iso(now)]);
  return clean;
}

export async function revokeCode(q: Queryable, code: string): Promise<number> {
  return (await q.run('DELETE FROM enroll_codes WHERE code = $1', [normalizeCode(code)])).changes;
}

/** Every code of the unit revoked, one new random code in their place. */
export async function rotateCodes(q: Queryable, unitId: number, now = Date.now()): Promise<{ revoked: string[]; code: string }> {
  const revoked = (await q.all<{ code: string }>('SELECT code FROM enroll_codes WHERE unit_id = $1', [unitId])).map((r) => r.code);
  await q.run('DELETE FROM enroll_codes WHERE unit_id = $1', [unitId]);
  return { revoked, code: await addCode(q, unitId, randomCode(), now) };
}

/** Seeds units and codes (SIAR_ENROLL_CODES, or the demo's) on a database that has none. */
export async function seedCodes(q: Queryable, codes: EnrollCodes, now = Date.now()): Promise<void> {
  for (const [unit, list] of Object.entries(codes)) {
    const u = await ensureUnit(q, unit, now);
    for (const code of list) {
      const taken = await q.get('SELECT code FROM enroll_codes WHERE code = $1', [normalizeCode(code)]);
      if (!taken) await addCode(q, u.id, code, now);
    }
  }
}

// --- members ----------------------------------------------------------------------------------

export interface MemberRow {
  id: number;
  nip: string;
  name: string;
  unit_id: number;
  unit: string;
  x_handle: string | null;
  created_at: string;
  live_tokens: number;
  posted: number;
}

const MEMBER_COLUMNS = `members.id, members.nip, members.name, members.unit_id, units.name AS unit, members.x_handle,
  members.created_at,
  (SELECT COUNT(*) FROM tokens WHERE tokens.member_id = members.id AND tokens.revoked_at IS NULL) AS live_tokens,
  COALESCE(rollup_member.posted, 0) AS posted`;

const asMember = (r: MemberRow): MemberRow => ({
  ...r,
  id: Number(r.id),
  unit_id: Number(r.unit_id),
  live_tokens: Number(r.live_tokens),
  posted: Number(r.posted),
});

/**
 * Members whose NIP starts with, or whose name contains, `text` (case-insensitive), a page at a
 * time in name order; `unitId` narrows to one unit (an editor's own).
 */
export async function searchMembers(
  q: Queryable,
  { text = '', unitId, offset = 0, limit = 50 }: { text?: string; unitId?: number; offset?: number; limit?: number },
): Promise<{ members: MemberRow[]; more: boolean }> {
  const digits = normalizeNip(text);
  const byNip = /^\d{3,18}$/.test(digits);
  const pattern = `%${text
    .trim()
    .toLowerCase()
    .replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  // Two statements rather than `($4 = 0 OR unit_id = $4)`, so each has its index to walk in name
  // order: members (name, id) for everyone, members (unit_id, name, id) for one unit.
  const rows = await q.all<MemberRow>(
    unitId
      ? `SELECT ${MEMBER_COLUMNS} FROM members JOIN units ON units.id = members.unit_id
     LEFT JOIN rollup_member ON rollup_member.member_id = members.id
     WHERE ($1 = '' OR members.nip LIKE $2 OR lower(members.name) LIKE $3 ESCAPE '\\') AND members.unit_id = $4
     ORDER BY members.name, members.id LIMIT $5 OFFSET $6`
      : `SELECT ${MEMBER_COLUMNS} FROM members JOIN units ON units.id = members.unit_id
     LEFT JOIN rollup_member ON rollup_member.member_id = members.id
     WHERE ($1 = '' OR members.nip LIKE $2 OR lower(members.name) LIKE $3 ESCAPE '\\') AND $4 = 0
     ORDER BY members.name, members.id LIMIT $5 OFFSET $6`,
    // A NIP is searched by its start; `''` matches no NIP when the text is a name.
    [text.trim(), byNip ? `${digits}%` : '', pattern, unitId ?? 0, limit + 1, offset],
  );
  return { members: rows.slice(0, limit).map(asMember), more: rows.length > limit };
}

export async function memberById(q: Queryable, id: number): Promise<MemberRow | undefined> {
  const row = await q.get<MemberRow>(
    `SELECT ${MEMBER_COLUMNS} FROM members JOIN units ON units.id = members.unit_id
     LEFT JOIN rollup_member ON rollup_member.member_id = members.id WHERE members.id = $1`,
    [id],
  );
  return row && asMember(row);
}

/** Moves a member to another unit: their past posts stay counted where they were made. */
export async function moveMember(q: Queryable, memberId: number, unitId: number, now = Date.now()): Promise<void> {
  const m = await q.get<{ unit_id: number }>('SELECT unit_id FROM members WHERE id = $1', [memberId]);
  if (!m || Number(m.unit_id) === unitId) return;
  await q.run('UPDATE members SET unit_id = $2, updated_at = $3 WHERE id = $1', [memberId, unitId, iso(now)]);
  await q.run('UPDATE rollup_unit SET members = members - 1 WHERE unit_id = $1', [Number(m.unit_id)]);
  await q.run(
    'INSERT INTO rollup_unit (unit_id, members) VALUES ($1, 1) ON CONFLICT (unit_id) DO UPDATE SET members = rollup_unit.members + 1',
    [unitId],
  );
}

export async function revokeTokens(q: Queryable, memberId: number, now = Date.now()): Promise<number> {
  return (await q.run('UPDATE tokens SET revoked_at = $2 WHERE member_id = $1 AND revoked_at IS NULL', [memberId, iso(now)])).changes;
}

export async function liveTokens(q: Queryable, memberId: number): Promise<number> {
  const row = await q.get<{ n: number }>('SELECT COUNT(*) AS n FROM tokens WHERE member_id = $1 AND revoked_at IS NULL', [memberId]);
  return Number(row?.n ?? 0);
}

// --- personal codes ---------------------------------------------------------------------------

/**
 * The unit whose editor may issue a personal code for `nip`: the enrolled member's unit, else the
 * roster's. Undefined: nobody's, so the NIP stays unknown to whoever asked.
 */
export async function personalCodeUnit(q: Queryable, nip: string): Promise<number | undefined> {
  const clean = normalizeNip(nip);
  const member = await q.get<{ unit_id: number }>('SELECT unit_id FROM members WHERE nip = $1', [clean]);
  if (member) return Number(member.unit_id);
  return (await rosterEntry(q, clean))?.unit_id;
}

export const PERSONAL_CODE_DAYS = 7;

export const hashCode = (code: string): Buffer => createHash('sha256').update(normalizeCode(code)).digest();

/** A one-time code for `nip` to enrol again from another browser; shown once, stored hashed. */
export async function issuePersonalCode(
  q: Queryable,
  nip: string,
  issuedBy: number | null,
  now = Date.now(),
): Promise<{ code: string; expires_at: string }> {
  const code = randomCode(3);
  const expires = iso(now + PERSONAL_CODE_DAYS * 86_400_000);
  // One live code per NIP: a new one replaces any unused one.
  await q.run('UPDATE personal_codes SET used_at = $2 WHERE nip = $1 AND used_at IS NULL', [normalizeNip(nip), iso(now)]);
  await q.run('INSERT INTO personal_codes (nip, code_hash, issued_by, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)', [
    normalizeNip(nip),
    hashCode(code),
    issuedBy,
    iso(now),
    expires,
  ]);
  return { code, expires_at: expires };
}

/** Uses up a personal code of `nip`; false if it is wrong, used or expired. */
export async function usePersonalCode(q: Queryable, nip: string, code: string, now = Date.now()): Promise<boolean> {
  const { changes } = await q.run(
    'UPDATE personal_codes SET used_at = $4 WHERE nip = $1 AND code_hash = $2 AND used_at IS NULL AND expires_at > $3',
    [normalizeNip(nip), hashCode(code), iso(now), iso(now)],
  );
  return changes === 1;
}

// --- roster -----------------------------------------------------------------------------------

export async function rosterSize(q: Queryable): Promise<number> {
  const row = await q.get<{ n: number }>('SELECT COUNT(*) AS n FROM roster');
  return Number(row?.n ?? 0);
}

export async function rosterEntry(q: Queryable, nip: string): Promise<{ name: string; unit_id: number } | undefined> {
  const row = await q.get<{ name: string; unit_id: number }>('SELECT name, unit_id FROM roster WHERE nip = $1', [normalizeNip(nip)]);
  return row && { name: row.name, unit_id: Number(row.unit_id) };
}

/** Splits one CSV line (`,` or `;` separated, RFC 4180 quotes). */
export function csvFields(line: string, separator: string): string[] {
  const out: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"' && field === '') quoted = true;
    else if (c === separator) {
      out.push(field);
      field = '';
    } else field += c;
  }
  out.push(field);
  return out.map((f) => f.trim());
}

export interface RosterResult {
  added: number;
  updated: number;
  removed: number;
  refused: { line: number; reason: string }[];
}

export const MAX_ROSTER_LINES = 200_000;

/**
 * Loads the personnel list (NIP, name, unit), one person a line, with or without a header; `,`
 * or `;` as Excel writes it. Lines that cannot be used are refused with their reason; the rest
 * are added or updated. With `replace`, people not in the list leave the roster (their enrolments
 * stay until an admin revokes them).
 */
export async function loadRoster(q: Queryable, text: string, { replace = false, now = Date.now() } = {}): Promise<RosterResult> {
  const lines = text.replace(/^\uFEFF/, '').split(/\r\n|\n|\r/);
  const result: RosterResult = { added: 0, updated: 0, removed: 0, refused: [] };
  if (lines.length > MAX_ROSTER_LINES) throw new Error(`at most ${MAX_ROSTER_LINES} lines`);
  const first = lines.find((l) => l.trim()) ?? '';
  const separator = (first.match(/;/g)?.length ?? 0) > (first.match(/,/g)?.length ?? 0) ? ';' : ',';
  const units = await q.all<{ id: number; name: string }>('SELECT id, name FROM units WHERE archived_at IS NULL');
  const seen = new Set<string>();
  const rows: { nip: string; name: string; unit: number }[] = [];
  lines.forEach((line, index) => {
    if (!line.trim()) return;
    const [nipRaw = '', name = '', unitName = ''] = csvFields(line, separator);
    const n = index + 1;
    if (index === lines.indexOf(first) && !/\d{6}/.test(nipRaw)) return; // a header line
    const nip = normalizeNip(nipRaw);
    const check = checkNip(nip);
    if (!check.ok) return void result.refused.push({ line: n, reason: `invalid NIP (${check.problem})` });
    if (!name) return void result.refused.push({ line: n, reason: 'no name' });
    if (name.length > 200) return void result.refused.push({ line: n, reason: 'name over 200 characters' });
    const unit = units.find((u) => sameUnit(u.name, unitName));
    if (!unit) return void result.refused.push({ line: n, reason: `unknown unit "${unitName.slice(0, 100)}"` });
    if (seen.has(nip)) return void result.refused.push({ line: n, reason: 'NIP listed twice' });
    seen.add(nip);
    rows.push({ nip, name, unit: Number(unit.id) });
  });
  const stamp = iso(now);
  for (let i = 0; i < rows.length; i += 500) {
    const part = rows.slice(i, i + 500);
    const existing = new Set(
      (
        await q.all<{ nip: string }>(
          `SELECT nip FROM roster WHERE nip IN (${inList(part.length)})`,
          part.map((r) => r.nip),
        )
      ).map((r) => r.nip),
    );
    for (const row of part) {
      if (existing.has(row.nip)) {
        await q.run('UPDATE roster SET name = $2, unit_id = $3, updated_at = $4 WHERE nip = $1', [row.nip, row.name, row.unit, stamp]);
        result.updated++;
      } else {
        await q.run('INSERT INTO roster (nip, name, unit_id, updated_at) VALUES ($1, $2, $3, $4)', [row.nip, row.name, row.unit, stamp]);
        result.added++;
      }
    }
  }
  if (replace) result.removed = (await q.run('DELETE FROM roster WHERE updated_at < $1', [stamp])).changes;
  return result;
}
