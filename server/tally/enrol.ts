import type { z } from 'zod';
import type { EnrollRequest, MemberSchema } from '../../utils/protocol/tally';
import type { Database, Queryable } from '../db/sql';
import { lockFor } from '../db/partitions';
import { networkOf } from '../guard/client';
import { blockedFor, recordFailure, type FailureKey } from '../guard/failures';
import { BUCKET_FIRST_TAKE, BUCKET_TAKE, takeParams, waitAfter, type RateLimit, type RateLimiter } from '../guard/rate';
import { sameUnit } from './codes';
import { liveTokens, rosterEntry, rosterSize, unitByCode, usePersonalCode, type Unit } from './members';
import { hashToken, newToken } from './tokens';

// Enrolment (`POST v1/enroll`, `POST v1/enroll/check`), bound to the person: the code decides the
// unit; with a roster only a NIP listed for that unit enrols, under the roster's name; a NIP that
// already has a live token needs a one-time personal code. Wrong codes and refused NIPs are
// failures counted per address, per network and per NIP, with growing waits, and raise dashboard
// alerts. Over all addresses they are only counted: see failureKeys.

type Member = z.infer<typeof MemberSchema>;

export type EnrolOutcome =
  { ok: true; token: string; member: Member } | { ok: false; status: 403 | 409 | 429; error: string; message: string; retryAfter?: number };

const MESSAGES = {
  wrong_code: 'the enrolment code is not valid',
  unit_mismatch: 'this code belongs to another unit than the one given',
  not_on_roster: "this NIP is not on the agency's personnel list for the code's unit",
  already_enrolled: 'this NIP is already enrolled; enrol again with a personal code from your unit or an admin',
  enrolled_elsewhere: 'this NIP is enrolled in another unit; the agency can move it',
  handle_taken: 'this X handle is already given by another member; the agency can correct it',
} as const;

function refuse(status: 403 | 409, error: keyof typeof MESSAGES): Extract<EnrolOutcome, { ok: false }> {
  return { ok: false, status, error, message: MESSAGES[error] };
}

/** Failures a whole network (an IPv4 /24, an IPv6 /64) is forgiven: an office may share one. */
export const NETWORK_FREE_FAILURES = 20;

/**
 * Keys counted when a guess fails. The NIP is the target a wrong code names (a wrong code matches
 * no unit); the address and its network are who guesses. Over all addresses failures only raise
 * alerts: a counter there that blocked would let anyone with enough addresses stop every new
 * colleague enrolling (docs/security.md, F3).
 */
function failureKeys(address: string, nip?: string): FailureKey[] {
  return [
    { key: `enrol-addr:${address}` },
    { key: `enrol-net:${networkOf(address)}`, free: NETWORK_FREE_FAILURES },
    ...(nip ? [{ key: `enrol-nip:${nip}` }] : []),
    { key: 'enrol-any', free: Infinity },
  ];
}

/** The longest wait among the keys that block enrolment from `address` (and for `nip`). */
async function waitFor(q: Queryable, address: string, nip?: string): Promise<number> {
  const keys = [`enrol-addr:${address}`, `enrol-net:${networkOf(address)}`, ...(nip ? [`enrol-nip:${nip}`] : [])];
  let longest = 0;
  for (const key of keys) longest = Math.max(longest, await blockedFor(q, key));
  return longest;
}

const alertFor = (key: string, count: number) => ({
  kind: 'enrol_guessing',
  subject: key.startsWith('enrol-nip:')
    ? `NIP ${key.slice(10)}`
    : key.startsWith('enrol-addr:')
      ? `alamat ${key.slice(11)}`
      : key.startsWith('enrol-net:')
        ? `jaringan ${key.slice(10)}`
        : 'semua alamat',
  detail: `${count} percobaan pendaftaran gagal dalam 24 jam`,
});

/** A member as the tally stores their events: their unit, and their X handle for verification. */
export interface TokenHolder {
  id: number;
  unit_id: number;
  x_handle: string | null;
}

export class Enrolment {
  constructor(private readonly db: Database) {}

  /** Seconds the address, its network (or the NIP) must still wait after failures; 0 if none. */
  async wait(address: string, nip?: string): Promise<number> {
    return waitFor(this.db, address, nip);
  }

  private async failed(q: Queryable, address: string, nip?: string): Promise<number> {
    return recordFailure(q, failureKeys(address, nip), alertFor);
  }

  /** `POST v1/enroll/check`: the unit a code leads to, shown to the person before they confirm. */
  async check(code: string, address: string): Promise<{ ok: true; unit: string; roster: boolean } | Extract<EnrolOutcome, { ok: false }>> {
    const wait = await this.wait(address);
    if (wait > 0)
      return { ok: false, status: 429, error: 'rate_limited', message: `too many failed tries; retry in ${wait} s`, retryAfter: wait };
    const unit = await unitByCode(this.db, code);
    if (!unit) {
      await this.db.tx((q) => this.failed(q, address));
      return refuse(403, 'wrong_code');
    }
    return { ok: true, unit: unit.name, roster: (await rosterSize(this.db)) > 0 };
  }

  /** Enrols `request` (parsed by EnrollRequestSchema: trimmed, the NIP as 18 digits). */
  async enrol(request: EnrollRequest, address: string, now = Date.now()): Promise<EnrolOutcome> {
    const { nip } = request;
    const wait = await this.wait(address, nip);
    if (wait > 0)
      return { ok: false, status: 429, error: 'rate_limited', message: `too many failed tries; retry in ${wait} s`, retryAfter: wait };
    return this.db.tx(async (q) => {
      // Tries for one NIP take turns, and each sees the failures before it: a volley of guesses
      // sent at once meets the same growing wait as guesses sent one by one.
      await lockFor(q, `enrol-nip:${nip}`);
      const waitNow = await waitFor(q, address, nip);
      if (waitNow > 0)
        return {
          ok: false,
          status: 429,
          error: 'rate_limited',
          message: `too many failed tries; retry in ${waitNow} s`,
          retryAfter: waitNow,
        } as const;
      // The code first: without a valid one nobody learns whether a NIP is enrolled, or where.
      const unit: Unit | undefined = await unitByCode(q, request.code);
      if (!unit) {
        await this.failed(q, address, nip);
        return refuse(403, 'wrong_code');
      }
      if (request.unit !== undefined && !sameUnit(unit.name, request.unit)) return refuse(403, 'unit_mismatch');
      let name = request.name;
      if ((await rosterSize(q)) > 0) {
        const listed = await rosterEntry(q, nip);
        if (!listed || listed.unit_id !== Number(unit.id)) {
          await this.failed(q, address, nip);
          return refuse(403, 'not_on_roster');
        }
        name = listed.name;
      }
      const stamp = new Date(now).toISOString();
      const existing = await q.get<{ id: number; unit_id: number }>('SELECT id, unit_id FROM members WHERE nip = $1', [nip]);
      // An X handle is one person's: the tally checks X posts against it.
      if (request.x_handle) {
        const holder = await q.get<{ id: number }>('SELECT id FROM members WHERE lower(x_handle) = lower($1)', [request.x_handle]);
        if (holder && Number(holder.id) !== Number(existing?.id ?? -1)) return refuse(409, 'handle_taken');
      }
      let memberId: number;
      if (existing) {
        memberId = Number(existing.id);
        if (Number(existing.unit_id) !== Number(unit.id)) return refuse(409, 'enrolled_elsewhere');
        if ((await liveTokens(q, memberId)) > 0) {
          const personal = request.personal_code;
          if (!personal) return refuse(409, 'already_enrolled');
          if (!(await usePersonalCode(q, nip, personal, now))) {
            await this.failed(q, address, nip);
            return refuse(403, 'wrong_code');
          }
        }
        await q.run('UPDATE members SET name = $2, x_handle = COALESCE($3, x_handle), updated_at = $4 WHERE id = $1', [
          memberId,
          name,
          request.x_handle ?? null,
          stamp,
        ]);
      } else {
        const row = await q.get<{ id: number }>(
          'INSERT INTO members (nip, name, unit_id, x_handle, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $5) RETURNING id',
          [nip, name, Number(unit.id), request.x_handle ?? null, stamp],
        );
        memberId = Number(row!.id);
        await q.run(
          'INSERT INTO rollup_unit (unit_id, members) VALUES ($1, 1) ON CONFLICT (unit_id) DO UPDATE SET members = rollup_unit.members + 1',
          [Number(unit.id)],
        );
      }
      const token = newToken();
      await q.run('INSERT INTO tokens (hash, member_id, created_at) VALUES ($1, $2, $3)', [hashToken(token), memberId, stamp]);
      const handle = await q.get<{ x_handle: string | null }>('SELECT x_handle FROM members WHERE id = $1', [memberId]);
      return { ok: true, token, member: { nip, name, unit: unit.name, x_handle: handle?.x_handle ?? null } };
    });
  }

  /** The member a live token belongs to: what storing their events needs, in one read. */
  async memberOf(token: string): Promise<TokenHolder | undefined> {
    const row = await this.db.get<TokenHolder>(TOKEN_HOLDER, [hashToken(token)]);
    return row ? holder(row) : undefined;
  }

  /**
   * The member a live token belongs to, and a take from that member's bucket (`member:<id>`):
   * `wait` is 0 when allowed, else seconds until a request would be. On PostgreSQL one statement
   * (one round trip a request, not two); on SQLite the read, then `limiter`'s grouped take.
   */
  async memberWithin(
    token: string,
    limiter: RateLimiter,
    limit: RateLimit,
    now = Date.now(),
  ): Promise<{ member: TokenHolder; wait: number } | undefined> {
    if (this.db.dialect !== 'postgres') {
      const member = await this.memberOf(token);
      return member && { member, wait: await limiter.take(`member:${member.id}`, limit, now) };
    }
    const row = await this.db.get<TokenHolder & { tokens: number; allowed: number }>(PG_TOKEN_HOLDER_TAKE, [
      hashToken(token),
      ...takeParams(limit, now),
    ]);
    return row && { member: holder(row), wait: waitAfter(row, limit) };
  }
}

const TOKEN_HOLDER = `SELECT members.id, members.unit_id, members.x_handle FROM tokens JOIN members ON members.id = tokens.member_id
  WHERE tokens.hash = $1 AND tokens.revoked_at IS NULL`;

/** `TOKEN_HOLDER`, and `takeToken` on the bucket `member:<id>` of the member found ($2–$4: `takeParams`). */
const PG_TOKEN_HOLDER_TAKE = `WITH holder AS (${TOKEN_HOLDER}),
  take AS (INSERT INTO rate_buckets (key, tokens, at, allowed) SELECT 'member:' || holder.id, ${BUCKET_FIRST_TAKE} FROM holder
    ${BUCKET_TAKE})
  SELECT holder.id, holder.unit_id, holder.x_handle, take.tokens, take.allowed FROM holder, take`;

function holder(row: TokenHolder): TokenHolder {
  return { id: Number(row.id), unit_id: Number(row.unit_id), x_handle: row.x_handle };
}
