import type { Statement } from 'better-sqlite3';
import type { z } from 'zod';
import {
  ShareEventSchema,
  type EnrollRequest,
  type MemberSchema,
  type SharesResponse,
  type Summary,
} from '../../utils/protocol/tally';
import type { Db } from '../db/database';
import { sameUnit, type EnrollCodes } from './codes';
import { hashToken, newToken } from './tokens';

// The tally's data (PROTOCOL.md §2) on SQLite. better-sqlite3 is synchronous and Node runs one
// handler at a time, so a transaction here is never interleaved with another request's; IMMEDIATE
// transactions keep that true when another process writes to the same file.

type Member = z.infer<typeof MemberSchema>;

export type EnrollOutcome =
  | { ok: true; token: string; member: Member }
  | { ok: false; status: 403 | 409; error: string; message: string };

interface UnitRow {
  id: number;
  name: string;
}

interface MemberRow {
  id: number;
  unit_id: number;
}

const MAX_REASON = 300;

/** The share's id if it has one, so the client can mark exactly that event rejected. */
function idOf(raw: unknown): string {
  const id = (raw as { id?: unknown } | null)?.id;
  return typeof id === 'string' ? id : '';
}

function reasonOf(error: z.ZodError): string {
  const text = error.issues
    .map((issue) => `${issue.path.join('.') || 'share'}: ${issue.message}`)
    .join('; ');
  return text.length > MAX_REASON ? `${text.slice(0, MAX_REASON - 1)}…` : text;
}

export class TallyStore {
  private readonly q: Record<
    | 'upsertUnit'
    | 'unitByName'
    | 'clearCodes'
    | 'insertCode'
    | 'unitByCode'
    | 'memberByNip'
    | 'insertMember'
    | 'renameMember'
    | 'insertToken'
    | 'memberOfToken'
    | 'revokeTokens'
    | 'insertShare'
    | 'shareOwner'
    | 'memberUnit'
    | 'eventCount'
    | 'postedByPlatform'
    | 'unitStandings',
    Statement
  >;

  constructor(readonly db: Db) {
    const p = (sql: string) => db.prepare(sql);
    this.q = {
      // The configured spelling wins over an older one that differs only in case.
      upsertUnit: p(`INSERT INTO units (name, created_at) VALUES (?, ?)
        ON CONFLICT (name) DO UPDATE SET name = excluded.name`),
      unitByName: p('SELECT id, name FROM units WHERE name = ?'),
      clearCodes: p('DELETE FROM enroll_codes'),
      insertCode: p('INSERT INTO enroll_codes (code, unit_id) VALUES (?, ?)'),
      unitByCode: p(`SELECT units.id, units.name FROM enroll_codes
        JOIN units ON units.id = enroll_codes.unit_id WHERE enroll_codes.code = ?`),
      memberByNip: p('SELECT id, unit_id FROM members WHERE nip = ?'),
      insertMember: p(`INSERT INTO members (nip, name, unit_id, created_at, updated_at)
        VALUES (?, ?, ?, ?, ?)`),
      renameMember: p('UPDATE members SET name = ?, updated_at = ? WHERE id = ?'),
      insertToken: p('INSERT INTO tokens (hash, member_id, created_at) VALUES (?, ?, ?)'),
      memberOfToken: p('SELECT member_id FROM tokens WHERE hash = ? AND revoked_at IS NULL'),
      revokeTokens: p(`UPDATE tokens SET revoked_at = ? WHERE revoked_at IS NULL
        AND member_id = (SELECT id FROM members WHERE nip = ?)`),
      insertShare: p(`INSERT INTO shares
        (id, member_id, item_id, feed_url, platform, action, at, post_url, received_at)
        VALUES (@id, @member_id, @item_id, @feed_url, @platform, @action, @at, @post_url, @received_at)
        ON CONFLICT (id) DO NOTHING`),
      shareOwner: p('SELECT member_id FROM shares WHERE id = ?'),
      memberUnit: p('SELECT unit_id FROM members WHERE id = ?'),
      eventCount: p('SELECT COUNT(*) AS n FROM shares WHERE member_id = ?'),
      postedByPlatform: p(`SELECT platform, COUNT(*) AS n FROM posts WHERE member_id = ?
        GROUP BY platform ORDER BY platform`),
      unitStandings: p(`SELECT units.id, units.name, COALESCE(counts.posted, 0) AS posted
        FROM units LEFT JOIN (
          SELECT members.unit_id, COUNT(*) AS posted
          FROM posts JOIN members ON members.id = posts.member_id
          GROUP BY members.unit_id
        ) AS counts ON counts.unit_id = units.id`),
    };
  }

  /**
   * Makes `codes` the only valid enrolment codes. Units are created as needed and never removed:
   * their members and shares stay, they just take no new members without a code.
   */
  setEnrollCodes(codes: EnrollCodes, now = new Date()): void {
    this.db.transaction(() => {
      this.q.clearCodes.run();
      for (const [unit, unitCodes] of Object.entries(codes)) {
        this.q.upsertUnit.run(unit, now.toISOString());
        const { id } = this.q.unitByName.get(unit) as UnitRow;
        for (const code of unitCodes) this.q.insertCode.run(code, id);
      }
    }).immediate();
  }

  /**
   * Enrols `request` (parsed by EnrollRequestSchema, so trimmed): a new member, or a new token
   * for the same NIP in the same unit (a second browser profile keeps its own token working).
   */
  enroll(request: EnrollRequest, now = new Date()): EnrollOutcome {
    const unit = this.q.unitByCode.get(request.code) as UnitRow | undefined;
    // Checked before the NIP, so that without a valid code nobody learns who is enrolled.
    if (!unit || !sameUnit(unit.name, request.unit)) {
      const message = 'the enrolment code is not valid for this unit';
      return { ok: false, status: 403, error: 'wrong_code', message };
    }
    // checkNip allows spaces between the groups of digits; the stored NIP has none.
    const nip = request.nip.replace(/\s+/g, '');
    const { name } = request;
    const stamp = now.toISOString();
    return this.db.transaction((): EnrollOutcome => {
      const existing = this.q.memberByNip.get(nip) as MemberRow | undefined;
      if (existing && existing.unit_id !== unit.id) {
        const message = 'this NIP is enrolled in another unit; the agency can move it';
        return { ok: false, status: 409, error: 'enrolled_elsewhere', message };
      }
      let memberId: number;
      if (existing) {
        this.q.renameMember.run(name, stamp, existing.id);
        memberId = existing.id;
      } else {
        memberId = Number(this.q.insertMember.run(nip, name, unit.id, stamp, stamp).lastInsertRowid);
      }
      const token = newToken();
      this.q.insertToken.run(hashToken(token), memberId, stamp);
      return { ok: true, token, member: { nip, name, unit: unit.name } };
    }).immediate();
  }

  /** The member a live token belongs to. */
  memberOf(token: string): number | undefined {
    const row = this.q.memberOfToken.get(hashToken(token)) as { member_id: number } | undefined;
    return row?.member_id;
  }

  /** Revokes every token of a member, e.g. a lost laptop; they enrol again to get a new one. */
  revokeTokens(nip: string, now = new Date()): number {
    return this.q.revokeTokens.run(now.toISOString(), nip).changes;
  }

  /**
   * Stores a batch for `memberId`. Each share stands alone: an invalid one is rejected with the
   * reason, the rest are kept. The id is the idempotency key: a stored id is a duplicate when it
   * is the same member's, and rejected when it is another member's (a client cannot claim it).
   */
  recordShares(memberId: number, shares: readonly unknown[], now = new Date()): SharesResponse {
    const result: SharesResponse = { accepted: [], duplicate: [], rejected: [] };
    const receivedAt = now.toISOString();
    this.db.transaction(() => {
      for (const raw of shares) {
        const parsed = ShareEventSchema.safeParse(raw);
        if (!parsed.success) {
          result.rejected.push({ id: idOf(raw), reason: reasonOf(parsed.error) });
          continue;
        }
        const share = parsed.data;
        const { changes } = this.q.insertShare.run({
          ...share,
          post_url: share.post_url ?? null,
          member_id: memberId,
          received_at: receivedAt,
        });
        if (changes === 1) {
          result.accepted.push(share.id);
        } else if ((this.q.shareOwner.get(share.id) as { member_id: number }).member_id === memberId) {
          result.duplicate.push(share.id);
        } else {
          result.rejected.push({ id: share.id, reason: 'id: already used by another member' });
        }
      }
    }).immediate();
    return result;
  }

  /** `GET v1/me/summary`: the member's counts and the unit's place among all units. */
  summary(memberId: number): Summary {
    const { n: events } = this.q.eventCount.get(memberId) as { n: number };
    const byPlatform: Record<string, number> = {};
    let posted = 0;
    for (const row of this.q.postedByPlatform.all(memberId) as { platform: string; n: number }[]) {
      byPlatform[row.platform] = row.n;
      posted += row.n;
    }
    const { unit_id: unitId } = this.q.memberUnit.get(memberId) as Pick<MemberRow, 'unit_id'>;
    const standings = this.q.unitStandings.all() as (UnitRow & { posted: number })[];
    const mine = standings.find((unit) => unit.id === unitId)!;
    // Competition ranking: units with equal counts share a place.
    const rank = 1 + standings.filter((unit) => unit.posted > mine.posted).length;
    return {
      events,
      posted,
      by_platform: byPlatform,
      unit: { name: mine.name, posted: mine.posted, rank, units: standings.length },
    };
  }
}
