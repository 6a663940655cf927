import type { Platform } from '../../utils/protocol/platforms';
import type { RejectReason, ShareEventWire, SharesResponse } from '../../utils/protocol/tally';
import { DbBusyError, inList, valuesList, type Database, type Param, type Queryable } from '../db/sql';
import type { TokenHolder } from './enrol';
import { checkShare, dayOf, localDay, weekOf, xPost, type ShareCheck } from './validate';

// Storing a batch of share events (`POST v1/shares`) and keeping every count up to date in the
// same transaction: the dashboard and the member summary read these rollups and never scan the
// events. A few multi-row statements per transaction whatever the batch's size.
//
// Group commit: requests that arrive while a transaction is being stored wait for the next one
// and are stored together, as one transaction of a few statements with their counts merged, so a
// flood of one-event requests (a mandatory post at 08:00) costs the database a statement set per
// group, not per request. A request alone is stored at once. Each request still gets its own
// answer; a group that fails (a deadlock on PostgreSQL that outlived its retries, a bug) is
// stored again one request at a time, so one bad request fails only itself.

export interface IngestOptions {
  /** Events a member may add per agency day (default 300). */
  dailyCap: number;
  /** The agency's offset from UTC, for "today" of the daily cap. */
  utcOffsetMinutes: number;
  /** The agency's feed addresses, normalised with `feedKey`. */
  feedUrls: () => ReadonlySet<string>;
  /**
   * Group transactions of this process at once (default: 1 on SQLite, which writes one at a time
   * anyway; 4 on PostgreSQL, whose connections work in parallel).
   */
  groups?: number;
}

export const DEFAULT_DAILY_CAP = 300;

/**
 * Events per statement. On SQLite every statement runs on the event loop, so between two of them
 * the loop gets a turn (`turn`): a batch of 500 never holds off the feed, or a request's reading,
 * for more than one sub-batch.
 */
export const SUB_BATCH = 100;

/**
 * Events stored in one group transaction at most: a 500-event batch goes alone, a hundred
 * one-event requests go together. The first request of a group is always taken, whatever its size.
 */
export const GROUP_EVENTS = 500;

/**
 * PostgreSQL: which of these ids are stored, searched only in the partitions of the events' days
 * (both as arrays: `IN ($1, $2, …)` with one placeholder per id defeats plan-time pruning on a
 * generic plan, and a list of days lets the planner drop every month not named).
 */
export const PG_STORED = 'SELECT id, member_id FROM shares WHERE id = ANY($1::text[]) AND day = ANY($2::date[])';

/** SQLite: let the event loop run (PostgreSQL already waits on the network between statements). */
function turn(q: Queryable): Promise<void> | undefined {
  if (q.dialect !== 'sqlite') return undefined;
  return new Promise((resolve) => setImmediate(resolve));
}

type Share = ShareEventWire & { platform: Platform };

type Member = TokenHolder;

/**
 * When each item was first published, cached per process: a published item's first time never
 * changes, and an item not yet published is asked for again next time.
 */
export class PublishedItems {
  private readonly known = new Map<string, number>();
  constructor(private readonly max = 100_000) {}

  async lookup(q: Queryable, ids: readonly string[]): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    const missing: string[] = [];
    for (const id of new Set(ids)) {
      const at = this.known.get(id);
      if (at === undefined) missing.push(id);
      else out.set(id, at);
    }
    for (let i = 0; i < missing.length; i += 500) {
      const part = missing.slice(i, i + 500);
      const rows = await q.all<{ item_id: string; first_published_at: string }>(
        `SELECT item_id, first_published_at FROM published_items WHERE item_id IN (${inList(part.length)})`,
        part,
      );
      for (const row of rows) {
        const at = Date.parse(row.first_published_at);
        out.set(row.item_id, at);
        if (this.known.size >= this.max) this.known.clear();
        this.known.set(row.item_id, at);
      }
    }
    return out;
  }
}

type CounterRows = Map<string, { key: Param[]; values: number[] }>;

/** Counter rows in key order: two transactions touching the same rows lock them in the same order (no deadlock). */
function inKeyOrder(rows: CounterRows): { key: Param[]; values: number[] }[] {
  return [...rows.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, r]) => r);
}

/** SQLite: `INSERT … ON CONFLICT (keys) DO UPDATE SET c = t.c + excluded.c` for counter rows, in key order. */
async function bump(q: Queryable, table: string, keys: readonly string[], counters: readonly string[], rows: CounterRows): Promise<void> {
  if (rows.size === 0) return;
  const sorted = inKeyOrder(rows);
  const columns = [...keys, ...counters];
  const updates = counters.map((c) => `${c} = ${table}.${c} + excluded.${c}`).join(', ');
  const sql = `INSERT INTO ${table} (${columns.join(', ')}) VALUES ${valuesList(sorted.length, columns.length)}
    ON CONFLICT (${keys.join(', ')}) DO UPDATE SET ${updates}`;
  const params = sorted.flatMap((r) => [...r.key, ...r.values]);
  await q.run(sql, params);
}

/**
 * PostgreSQL: the counter tables in two statements, each table's rows from one array per column
 * (rows in key order; an empty array adds nothing). The counters every group shares (a unit's
 * day, a platform's day, the mandatory item) stay locked from their update to the commit, and
 * every other group waits for them: so they come last, all in one statement right before the
 * commit, after the members' own rows (which no other group shares, and which may need reading
 * from disk). One round trip between the first shared lock and the commit, where a statement
 * per table was six. Every group runs the same statements, so all take the tables in one order.
 */
export const PG_BUMP_MEMBER_COUNTERS = `WITH
  member_day AS (INSERT INTO rollup_member_day (member_id, day, events)
    SELECT * FROM unnest($1::bigint[], $2::date[], $3::bigint[])
    ON CONFLICT (member_id, day) DO UPDATE SET events = rollup_member_day.events + excluded.events),
  member AS (INSERT INTO rollup_member (member_id, events, posted, posted_self)
    SELECT * FROM unnest($4::bigint[], $5::bigint[], $6::bigint[], $7::bigint[])
    ON CONFLICT (member_id) DO UPDATE SET events = rollup_member.events + excluded.events,
      posted = rollup_member.posted + excluded.posted, posted_self = rollup_member.posted_self + excluded.posted_self)
INSERT INTO rollup_member_platform (member_id, platform, posted)
  SELECT * FROM unnest($8::bigint[], $9::text[], $10::bigint[])
  ON CONFLICT (member_id, platform) DO UPDATE SET posted = rollup_member_platform.posted + excluded.posted`;

export const PG_BUMP_SHARED_COUNTERS = `WITH
  item AS (INSERT INTO rollup_item (item_id, posted, members)
    SELECT * FROM unnest($1::text[], $2::bigint[], $3::bigint[])
    ON CONFLICT (item_id) DO UPDATE SET posted = rollup_item.posted + excluded.posted, members = rollup_item.members + excluded.members),
  item_unit AS (INSERT INTO rollup_item_unit (item_id, unit_id, posted, members)
    SELECT * FROM unnest($4::text[], $5::bigint[], $6::bigint[], $7::bigint[])
    ON CONFLICT (item_id, unit_id) DO UPDATE SET posted = rollup_item_unit.posted + excluded.posted,
      members = rollup_item_unit.members + excluded.members),
  platform_day AS (INSERT INTO rollup_platform_day (platform, day, posted, posted_self)
    SELECT * FROM unnest($8::text[], $9::date[], $10::bigint[], $11::bigint[])
    ON CONFLICT (platform, day) DO UPDATE SET posted = rollup_platform_day.posted + excluded.posted,
      posted_self = rollup_platform_day.posted_self + excluded.posted_self),
  unit_week AS (INSERT INTO rollup_unit_week (unit_id, week, active)
    SELECT * FROM unnest($12::bigint[], $13::date[], $14::bigint[])
    ON CONFLICT (unit_id, week) DO UPDATE SET active = rollup_unit_week.active + excluded.active),
  unit_day AS (INSERT INTO rollup_unit_day (unit_id, day, events, posted, posted_self)
    SELECT * FROM unnest($15::bigint[], $16::date[], $17::bigint[], $18::bigint[], $19::bigint[])
    ON CONFLICT (unit_id, day) DO UPDATE SET events = rollup_unit_day.events + excluded.events,
      posted = rollup_unit_day.posted + excluded.posted, posted_self = rollup_unit_day.posted_self + excluded.posted_self)
INSERT INTO rollup_unit (unit_id, events, posted, posted_self)
  SELECT * FROM unnest($20::bigint[], $21::bigint[], $22::bigint[], $23::bigint[])
  ON CONFLICT (unit_id) DO UPDATE SET events = rollup_unit.events + excluded.events,
    posted = rollup_unit.posted + excluded.posted, posted_self = rollup_unit.posted_self + excluded.posted_self`;

type SeenAfterSelf = { member_id: number; platform: string; day: string; unit_id: number };

/** The self-reported first posts of these (member, item, platform) pairs become seen ones. */
export const PG_SEEN_AFTER_SELF = `UPDATE posted_firsts SET self_reported = 0
  FROM unnest($1::bigint[], $2::text[], $3::text[]) AS seen (member_id, item_id, platform)
  WHERE posted_firsts.member_id = seen.member_id AND posted_firsts.item_id = seen.item_id
    AND posted_firsts.platform = seen.platform AND posted_firsts.self_reported = 1
  RETURNING posted_firsts.member_id, posted_firsts.platform, posted_firsts.day, posted_firsts.unit_id`;

/** SQLite's form of PG_SEEN_AFTER_SELF: a VALUES list, each row found by the primary key. */
function sqliteSeenAfterSelf(pairs: number): string {
  return `UPDATE posted_firsts SET self_reported = 0 FROM (VALUES ${valuesList(pairs, 3)}) AS seen
    WHERE posted_firsts.member_id = seen.column1 AND posted_firsts.item_id = seen.column2
      AND posted_firsts.platform = seen.column3 AND posted_firsts.self_reported = 1
    RETURNING posted_firsts.member_id, posted_firsts.platform, posted_firsts.day, posted_firsts.unit_id`;
}

function columnsOfPairs(pairs: readonly { member: Member; share: Share }[]): string[][] {
  return [pairs.map((p) => String(p.member.id)), pairs.map((p) => p.share.item_id), pairs.map((p) => p.share.platform)];
}

/** Counter rows in key order as one array per column: `width` columns, keys then counters. */
function columnsOf(rows: CounterRows, width: number): string[][] {
  const sorted = inKeyOrder(rows).map((r) => [...r.key, ...r.values]);
  return Array.from({ length: width }, (_, c) => sorted.map((row) => String(row[c])));
}

function counterRows(): CounterRows {
  return new Map();
}

function count(rows: CounterRows, key: Param[], values: number[]): void {
  const id = JSON.stringify(key);
  const row = rows.get(id);
  if (!row) rows.set(id, { key, values: [...values] });
  else values.forEach((v, i) => (row.values[i]! += v));
}

const SHARE_COLUMNS = [
  'id',
  'member_id',
  'item_id',
  'feed_url',
  'platform',
  'action',
  'at',
  'post_url',
  'received_at',
  'day',
  'unit_id',
  'self_reported',
  'verification',
] as const;

type Outcome = { kind: 'accepted' | 'duplicate' } | { kind: 'rejected'; reason: RejectReason };

/** One request's events waiting for, or in, a group transaction. */
interface Job {
  member: Member;
  candidates: Share[];
  now: number;
  /** The member's day (agency time) for the daily cap. */
  today: string;
  outcome: Map<string, Outcome>;
  done: () => void;
  failed: (error: unknown) => void;
}

/** A counter row's key: the member's day row, as `rollup_member_day` holds it. */
const dayKey = (memberId: number, day: string) => `${memberId}\u0000${day}`;
const pairKey = (memberId: number, itemId: string, platform: string) => `${memberId}\u0000${itemId}\u0000${platform}`;

export class ShareIngest {
  readonly published = new PublishedItems();
  private readonly pending: Job[] = [];
  /** Members with requests in a running group, and how many. */
  private readonly storing = new Map<number, number>();
  private running = 0;
  private readonly maxGroups: number;

  constructor(
    private readonly db: Database,
    private readonly options: IngestOptions,
  ) {
    this.maxGroups = Math.max(1, options.groups ?? (db.dialect === 'sqlite' ? 1 : 4));
  }

  /** Stores a request's events for a member (as `Enrolment.memberOf` gives them, or by id). */
  async record(who: number | Member, raw: readonly unknown[], now = Date.now()): Promise<SharesResponse> {
    const result: SharesResponse = { accepted: [], duplicate: [], rejected: [] };
    const member = typeof who === 'number' ? await this.member(who) : who;

    const itemIds = raw.flatMap((r) => {
      const id = (r as { item_id?: unknown } | null)?.item_id;
      return typeof id === 'string' && id.length <= 200 ? [id] : [];
    });
    const published = await this.published.lookup(this.db, itemIds);
    const feedUrls = this.options.feedUrls();
    const checks: ShareCheck[] = raw.map((r) => checkShare(r, { now, feedUrls, publishedAt: (id) => published.get(id) }));

    // An id sent twice in one batch is one event: the first decides, the rest follow it.
    const firstIndex = new Map<string, number>();
    const candidates: Share[] = [];
    checks.forEach((check, i) => {
      if (!check.ok) return;
      if (firstIndex.has(check.share.id)) return;
      firstIndex.set(check.share.id, i);
      candidates.push(check.share);
    });

    const outcome = new Map<string, Outcome>();
    if (candidates.length > 0) {
      await new Promise<void>((done, failed) => {
        const today = localDay(now, this.options.utcOffsetMinutes);
        this.pending.push({ member, candidates, now, today, outcome, done, failed });
        this.startGroups();
      });
    }

    // Each id once per list; a repeat of an accepted id in the same batch is its duplicate.
    const listed = { accepted: new Set<string>(), duplicate: new Set<string>(), rejected: new Set<string>() };
    checks.forEach((check, i) => {
      if (!check.ok) {
        result.rejected.push({ id: check.id, reason: check.reason });
        return;
      }
      const id = check.share.id;
      const o = outcome.get(id)!;
      const kind = o.kind === 'accepted' && firstIndex.get(id) !== i ? 'duplicate' : o.kind;
      if (listed[kind].has(id)) return;
      listed[kind].add(id);
      if (o.kind === 'rejected') result.rejected.push({ id, reason: o.reason });
      else result[kind as 'accepted' | 'duplicate'].push(id);
    });
    return result;
  }

  private async member(id: number): Promise<Member> {
    const row = await this.db.get<Member>('SELECT id, unit_id, x_handle FROM members WHERE id = $1', [id]);
    if (!row) throw new Error(`member ${id} is gone`);
    return { id: Number(row.id), unit_id: Number(row.unit_id), x_handle: row.x_handle };
  }

  /** Requests waiting for a place in a group transaction (for the health figures and tests). */
  get waiting(): number {
    return this.pending.length;
  }

  /**
   * Starts group transactions while there are waiting requests and free places for them. A
   * member's requests are never in two of this process's groups at once: the second group would
   * only wait for the first's lock on the member's day row, holding its own members' rows
   * meanwhile (under a backlog, groups grow until they share members, and then every group waited
   * for another). Such a request waits for the next group, and keeps its place in the queue.
   */
  private startGroups(): void {
    while (this.running < this.maxGroups && this.pending.length > 0) {
      const group: Job[] = [];
      const left: Job[] = [];
      const behind = new Set<number>();
      let events = 0;
      for (const job of this.pending) {
        const fits = group.length === 0 || events + job.candidates.length <= GROUP_EVENTS;
        // `behind`: a member's requests keep their order.
        if (fits && !this.storing.has(job.member.id) && !behind.has(job.member.id)) {
          group.push(job);
          events += job.candidates.length;
        } else {
          left.push(job);
          behind.add(job.member.id);
        }
        if (events >= GROUP_EVENTS) {
          left.push(...this.pending.slice(group.length + left.length));
          break;
        }
      }
      if (group.length === 0) return;
      this.pending.splice(0, this.pending.length, ...left);
      for (const job of group) this.storing.set(job.member.id, (this.storing.get(job.member.id) ?? 0) + 1);
      this.running++;
      void this.storeGroup(group).finally(() => {
        for (const job of group) {
          const n = this.storing.get(job.member.id)! - 1;
          if (n > 0) this.storing.set(job.member.id, n);
          else this.storing.delete(job.member.id);
        }
        this.running--;
        this.startGroups();
      });
    }
  }

  private async storeGroup(group: Job[]): Promise<void> {
    try {
      await this.db.tx((q) => this.store(q, group));
      for (const job of group) job.done();
      return;
    } catch (error) {
      // Busy affects everyone alike (answered 503, sent again later); anything else is retried
      // request by request, so that it fails only the request it belongs to.
      if (group.length === 1 || error instanceof DbBusyError) {
        for (const job of group) job.failed(error);
        return;
      }
    }
    for (const job of group) {
      try {
        await this.db.tx((q) => this.store(q, [job]));
        job.done();
      } catch (error) {
        job.failed(error);
      }
    }
  }

  /** Stores a group's events in transaction `q`, filling in each job's outcome. Run again on a retry. */
  private async store(q: Queryable, group: readonly Job[]): Promise<void> {
    for (const job of group) job.outcome.clear();

    // The members' counter rows for their day, taken first and in key order: two transactions
    // with a member in common (two tabs, two server processes) take turns from here, so neither
    // counts against the cap what the other is about to find a duplicate, and they never wait for
    // each other in opposite orders.
    const days = new Map<string, [number, string]>();
    for (const job of group) days.set(dayKey(job.member.id, job.today), [job.member.id, job.today]);
    const dayRows = [...days.values()].sort(([m1, d1], [m2, d2]) => m1 - m2 || (d1 < d2 ? -1 : d1 > d2 ? 1 : 0));
    const used = new Map<string, number>();
    for (let i = 0; i < dayRows.length; i += SUB_BATCH) {
      const part = dayRows.slice(i, i + SUB_BATCH);
      const got = await q.all<{ member_id: number; day: string; events: number }>(
        `INSERT INTO rollup_member_day (member_id, day, events) VALUES ${valuesList(part.length, 3)}
         ON CONFLICT (member_id, day) DO UPDATE SET events = rollup_member_day.events RETURNING member_id, day, events`,
        part.flatMap(([m, d]) => [m, d, 0]),
      );
      for (const row of got) used.set(dayKey(Number(row.member_id), String(row.day)), Number(row.events));
    }

    // Ids already stored: the same member's are duplicates, another member's cannot be claimed.
    const all = group.flatMap((job) => job.candidates);
    const owners = new Map<string, number>();
    for (let i = 0; i < all.length; i += SUB_BATCH) {
      if (i > 0) await turn(q);
      const part = all.slice(i, i + SUB_BATCH);
      const ids = [...new Set(part.map((s) => s.id))];
      // PostgreSQL: the events' days as well, so only their months' partitions are searched (an
      // id is unique within its day there: a resend carries the same day).
      const rows =
        q.dialect === 'postgres'
          ? await q.all<{ id: string; member_id: number }>(PG_STORED, [ids, [...new Set(part.map((s) => dayOf(s.at)))]])
          : await q.all<{ id: string; member_id: number }>(`SELECT id, member_id FROM shares WHERE id IN (${inList(ids.length)})`, ids);
      for (const row of rows) owners.set(row.id, Number(row.member_id));
    }

    // In the group's order, as if each request had its own transaction: an id stored by an
    // earlier request of the group is taken, and the cap counts what earlier requests added.
    const admitted: { job: Job; share: Share; row: Param[] }[] = [];
    for (const job of group) {
      const { member, outcome } = job;
      const fresh: Share[] = [];
      for (const share of job.candidates) {
        const owner = owners.get(share.id);
        if (owner === undefined) fresh.push(share);
        else if (owner === member.id) outcome.set(share.id, { kind: 'duplicate' });
        else outcome.set(share.id, { kind: 'rejected', reason: 'id_taken' });
      }
      // The daily cap, per member (not per token: a member may hold several).
      const key = dayKey(member.id, job.today);
      const room = Math.max(0, this.options.dailyCap - (used.get(key) ?? 0));
      const taken = fresh.slice(0, room);
      for (const share of fresh.slice(room)) outcome.set(share.id, { kind: 'rejected', reason: 'over_cap' });
      used.set(key, (used.get(key) ?? 0) + taken.length);
      const stamp = new Date(job.now).toISOString();
      const handle = member.x_handle?.toLowerCase();
      for (const s of taken) {
        owners.set(s.id, member.id);
        const selfReported = s.self_reported === true && s.action === 'posted';
        let verification: string | null = null;
        if (s.platform === 'x' && s.action === 'posted' && !selfReported && s.post_url) {
          verification = handle && xPost(s.post_url)?.handle === handle ? 'pending' : 'unverified';
        }
        const row = [
          s.id,
          member.id,
          s.item_id,
          s.feed_url,
          s.platform,
          s.action,
          s.at,
          s.post_url ?? null,
          stamp,
          dayOf(s.at),
          member.unit_id,
          selfReported ? 1 : 0,
          verification,
        ];
        admitted.push({ job, share: s, row });
      }
    }
    if (admitted.length === 0) return;

    const inserted = new Set<string>();
    for (let i = 0; i < admitted.length; i += SUB_BATCH) {
      if (i > 0) await turn(q);
      const part = admitted.slice(i, i + SUB_BATCH);
      const got = await q.all<{ id: string }>(
        `INSERT INTO shares (${SHARE_COLUMNS.join(', ')}) VALUES ${valuesList(part.length, SHARE_COLUMNS.length)}
         ON CONFLICT DO NOTHING RETURNING id`,
        part.flatMap((a) => a.row),
      );
      for (const row of got) inserted.add(row.id);
    }
    const accepted: { job: Job; share: Share; row: Param[] }[] = [];
    for (const a of admitted) {
      // Lost a race with another process storing the same id: it is stored, by whom decides.
      if (!inserted.has(a.share.id)) {
        const row = await q.get<{ member_id: number }>('SELECT member_id FROM shares WHERE id = $1 AND day = $2', [
          a.share.id,
          dayOf(a.share.at),
        ]);
        a.job.outcome.set(
          a.share.id,
          row && Number(row.member_id) === a.job.member.id ? { kind: 'duplicate' } : { kind: 'rejected', reason: 'id_taken' },
        );
      } else {
        a.job.outcome.set(a.share.id, { kind: 'accepted' });
        accepted.push(a);
      }
    }
    if (accepted.length > 0) await this.count(q, accepted);
  }

  private async count(q: Queryable, accepted: readonly { job: Job; share: Share; row: Param[] }[]): Promise<void> {
    // The first post of each (member, item, platform) in this group: earliest, and seen before self-reported.
    const firsts = new Map<string, { member: Member; share: Share; self: boolean }>();
    for (const { job, share } of accepted) {
      if (share.action !== 'posted') continue;
      const self = share.self_reported === true;
      const key = pairKey(job.member.id, share.item_id, share.platform);
      const known = firsts.get(key);
      if (!known || (known.self && !self) || (known.self === self && share.at < known.share.at)) {
        firsts.set(key, { member: job.member, share, self });
      }
    }
    const newFirsts: { member: Member; share: Share; self: boolean }[] = [];
    // In key order, like every other row the group writes (see `store`).
    const candidates = [...firsts.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, f]) => f);
    for (let i = 0; i < candidates.length; i += SUB_BATCH) {
      if (i > 0) await turn(q);
      const part = candidates.slice(i, i + SUB_BATCH);
      const got = await q.all<{ member_id: number; item_id: string; platform: string }>(
        `INSERT INTO posted_firsts (member_id, item_id, platform, unit_id, day, self_reported, verified)
         VALUES ${valuesList(part.length, 7)} ON CONFLICT DO NOTHING RETURNING member_id, item_id, platform`,
        part.flatMap(({ member, share, self }) => [
          member.id,
          share.item_id,
          share.platform,
          member.unit_id,
          dayOf(share.at),
          self ? 1 : 0,
          0,
        ]),
      );
      const made = new Set(got.map((r) => pairKey(Number(r.member_id), r.item_id, r.platform)));
      for (const f of part) if (made.has(pairKey(f.member.id, f.share.item_id, f.share.platform))) newFirsts.push(f);
    }

    const byUnit = counterRows();
    const byUnitDay = counterRows();
    const byPlatformDay = counterRows();
    const byItem = counterRows();
    const byItemUnit = counterRows();
    const byMember = counterRows();
    const byMemberDay = counterRows();
    const byMemberPlatform = counterRows();
    const byUnitWeek = counterRows();

    // A pair first self-reported and now seen by the extension becomes a seen post: one statement
    // for up to SUB_BATCH pairs (a statement each was a round trip each, dozens per batch).
    const isNew = new Set(newFirsts.map((f) => pairKey(f.member.id, f.share.item_id, f.share.platform)));
    const seen = candidates.filter(({ member, share, self }) => !self && !isNew.has(pairKey(member.id, share.item_id, share.platform)));
    for (let i = 0; i < seen.length; i += SUB_BATCH) {
      if (i > 0) await turn(q);
      const part = seen.slice(i, i + SUB_BATCH);
      const was =
        q.dialect === 'postgres'
          ? await q.all<SeenAfterSelf>(PG_SEEN_AFTER_SELF, columnsOfPairs(part))
          : await q.all<SeenAfterSelf>(
              sqliteSeenAfterSelf(part.length),
              part.flatMap(({ member, share }) => [member.id, share.item_id, share.platform]),
            );
      for (const row of was) {
        const day = String(row.day);
        count(byUnit, [Number(row.unit_id)], [0, 0, -1]);
        count(byUnitDay, [Number(row.unit_id), day], [0, 0, -1]);
        count(byPlatformDay, [row.platform, day], [0, -1]);
        count(byMember, [Number(row.member_id)], [0, 0, -1]);
      }
    }

    // Members who posted each item at all, and weeks in which they posted.
    const members = new Map<number, Member>();
    for (const { job } of accepted) members.set(job.member.id, job.member);
    const newItems: { member: Member; itemId: string }[] = [];
    const memberItems = new Map<string, [number, string]>();
    for (const { member, share } of newFirsts) memberItems.set(`${member.id}\u0000${share.item_id}`, [member.id, share.item_id]);
    if (memberItems.size > 0) {
      const pairs = [...memberItems.values()];
      for (let i = 0; i < pairs.length; i += SUB_BATCH) {
        const part = pairs.slice(i, i + SUB_BATCH);
        const got = await q.all<{ member_id: number; item_id: string }>(
          `INSERT INTO member_items (member_id, item_id, unit_id) VALUES ${valuesList(part.length, 3)}
           ON CONFLICT DO NOTHING RETURNING member_id, item_id`,
          part.flatMap(([m, item]) => [m, item, members.get(m)!.unit_id]),
        );
        for (const row of got) newItems.push({ member: members.get(Number(row.member_id))!, itemId: row.item_id });
      }
    }
    const weeks = new Map<string, [number, string]>();
    for (const { job, share } of accepted) {
      if (share.action !== 'posted') continue;
      const week = weekOf(dayOf(share.at));
      weeks.set(`${job.member.id}\u0000${week}`, [job.member.id, week]);
    }
    if (weeks.size > 0) {
      const pairs = [...weeks.values()];
      for (let i = 0; i < pairs.length; i += SUB_BATCH) {
        const part = pairs.slice(i, i + SUB_BATCH);
        const got = await q.all<{ member_id: number; week: string }>(
          `INSERT INTO member_weeks (member_id, week) VALUES ${valuesList(part.length, 2)}
           ON CONFLICT DO NOTHING RETURNING member_id, week`,
          part.flat(),
        );
        for (const row of got) count(byUnitWeek, [members.get(Number(row.member_id))!.unit_id, String(row.week)], [1]);
      }
    }

    for (const { job, share } of accepted) {
      const { member } = job;
      count(byUnit, [member.unit_id], [1, 0, 0]);
      count(byMember, [member.id], [1, 0, 0]);
      count(byMemberDay, [member.id, job.today], [1]);
      count(byUnitDay, [member.unit_id, dayOf(share.at)], [1, 0, 0]);
    }
    for (const { member, share, self } of newFirsts) {
      const s = self ? 1 : 0;
      const day = dayOf(share.at);
      const unit = member.unit_id;
      count(byUnit, [unit], [0, 1, s]);
      count(byUnitDay, [unit, day], [0, 1, s]);
      count(byPlatformDay, [share.platform, day], [1, s]);
      count(byMember, [member.id], [0, 1, s]);
      count(byMemberPlatform, [member.id, share.platform], [1]);
      count(byItem, [share.item_id], [1, 0]);
      count(byItemUnit, [share.item_id, unit], [1, 0]);
    }
    for (const { member, itemId } of newItems) {
      count(byItem, [itemId], [0, 1]);
      count(byItemUnit, [itemId, member.unit_id], [0, 1]);
    }

    // X posts under the member's own handle are checked against X later, off the request path.
    const jobs = accepted.filter((a) => a.row[12] === 'pending');
    for (let i = 0; i < jobs.length; i += SUB_BATCH) {
      const part = jobs.slice(i, i + SUB_BATCH);
      await q.run(
        `INSERT INTO verify_jobs (share_id, member_id, item_id, platform, post_url, attempts, next_at)
         VALUES ${valuesList(part.length, 7)} ON CONFLICT DO NOTHING`,
        part.flatMap(({ job, row }) => [row[0]!, job.member.id, row[2]!, row[4]!, row[7]!, 0, new Date(job.now).toISOString()]),
      );
    }

    // Always in this order of tables, each in key order: no two transactions wait for each other.
    if (q.dialect === 'postgres') {
      await q.run(PG_BUMP_MEMBER_COUNTERS, [...columnsOf(byMemberDay, 3), ...columnsOf(byMember, 4), ...columnsOf(byMemberPlatform, 3)]);
      // Last before the commit: see PG_BUMP_SHARED_COUNTERS.
      await q.run(PG_BUMP_SHARED_COUNTERS, [
        ...columnsOf(byItem, 3),
        ...columnsOf(byItemUnit, 4),
        ...columnsOf(byPlatformDay, 4),
        ...columnsOf(byUnitWeek, 3),
        ...columnsOf(byUnitDay, 5),
        ...columnsOf(byUnit, 4),
      ]);
      return;
    }
    // SQLite: sent together, without waiting for each answer (none is read): the writer runs them
    // in the order sent, and the transaction waits once instead of nine times for its thread. If
    // one fails in a way that ends the transaction, the writer thread refuses those behind it
    // (sqlite.ts). Each bump sends its statement before its first await, so all are sent before
    // the rollback; a body that went on sending after a failure would not be covered.
    await Promise.all([
      bump(q, 'rollup_member_day', ['member_id', 'day'], ['events'], byMemberDay),
      bump(q, 'rollup_member', ['member_id'], ['events', 'posted', 'posted_self'], byMember),
      bump(q, 'rollup_member_platform', ['member_id', 'platform'], ['posted'], byMemberPlatform),
      bump(q, 'rollup_item', ['item_id'], ['posted', 'members'], byItem),
      bump(q, 'rollup_item_unit', ['item_id', 'unit_id'], ['posted', 'members'], byItemUnit),
      bump(q, 'rollup_platform_day', ['platform', 'day'], ['posted', 'posted_self'], byPlatformDay),
      bump(q, 'rollup_unit_week', ['unit_id', 'week'], ['active'], byUnitWeek),
      bump(q, 'rollup_unit_day', ['unit_id', 'day'], ['events', 'posted', 'posted_self'], byUnitDay),
      bump(q, 'rollup_unit', ['unit_id'], ['events', 'posted', 'posted_self'], byUnit),
    ]);
  }
}
