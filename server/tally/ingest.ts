import type { Platform } from '../../utils/protocol/platforms';
import type { RejectReason, ShareEventWire, SharesResponse } from '../../utils/protocol/tally';
import { inList, valuesList, type Database, type Param, type Queryable } from '../db/sql';
import { checkShare, dayOf, localDay, weekOf, xPost, type ShareCheck } from './validate';

// Storing a batch of share events (`POST v1/shares`) and keeping every count up to date in the
// same transaction: the dashboard and the member summary read these rollups and never scan the
// events. One transaction per request, a few multi-row statements whatever the batch's size.

export interface IngestOptions {
  /** Events a member may add per agency day (default 300). */
  dailyCap: number;
  /** The agency's offset from UTC, for "today" of the daily cap. */
  utcOffsetMinutes: number;
  /** The agency's feed addresses, normalised with `feedKey`. */
  feedUrls: () => ReadonlySet<string>;
}

export const DEFAULT_DAILY_CAP = 300;

/**
 * Events per statement. On SQLite every statement runs on the event loop, so between two of them
 * the loop gets a turn (`turn`): a batch of 500 never holds off the feed, or a request's reading,
 * for more than one sub-batch.
 */
export const SUB_BATCH = 100;

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

interface Member {
  id: number;
  unit_id: number;
  x_handle: string | null;
}

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

/** `INSERT … ON CONFLICT (keys) DO UPDATE SET c = t.c + excluded.c` for counter rows, in key order. */
async function bump(
  q: Queryable,
  table: string,
  keys: readonly string[],
  counters: readonly string[],
  rows: Map<string, { key: Param[]; values: number[] }>,
): Promise<void> {
  if (rows.size === 0) return;
  // Key order: two transactions touching the same rows lock them in the same order (no deadlock).
  const sorted = [...rows.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, r]) => r);
  const columns = [...keys, ...counters];
  const updates = counters.map((c) => `${c} = ${table}.${c} + excluded.${c}`).join(', ');
  const sql = `INSERT INTO ${table} (${columns.join(', ')}) VALUES ${valuesList(sorted.length, columns.length)}
    ON CONFLICT (${keys.join(', ')}) DO UPDATE SET ${updates}`;
  const params = sorted.flatMap((r) => [...r.key, ...r.values]);
  await q.run(sql, params);
}

function counterRows(): Map<string, { key: Param[]; values: number[] }> {
  return new Map();
}

function count(rows: Map<string, { key: Param[]; values: number[] }>, key: Param[], values: number[]): void {
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

export class ShareIngest {
  readonly published = new PublishedItems();

  constructor(
    private readonly db: Database,
    private readonly options: IngestOptions,
  ) {}

  async record(memberId: number, raw: readonly unknown[], now = Date.now()): Promise<SharesResponse> {
    const result: SharesResponse = { accepted: [], duplicate: [], rejected: [] };
    const member = await this.db.get<Member>('SELECT id, unit_id, x_handle FROM members WHERE id = $1', [memberId]);
    if (!member) throw new Error(`member ${memberId} is gone`);

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

    const outcome = new Map<string, { kind: 'accepted' | 'duplicate' } | { kind: 'rejected'; reason: RejectReason }>();
    if (candidates.length > 0) {
      await this.db.tx((q) => this.store(q, member, candidates, outcome, now));
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

  private async store(
    q: Queryable,
    member: Member,
    candidates: Share[],
    outcome: Map<string, { kind: 'accepted' | 'duplicate' } | { kind: 'rejected'; reason: RejectReason }>,
    now: number,
  ): Promise<void> {
    outcome.clear();
    const stamp = new Date(now).toISOString();
    const today = localDay(now, this.options.utcOffsetMinutes);

    // The member's counter row for today, taken first: two batches of one member (two tabs, two
    // server processes) take turns from here, so neither counts against the cap what the other
    // is about to find a duplicate.
    const used = await q.get<{ events: number }>(
      `INSERT INTO rollup_member_day (member_id, day, events) VALUES ($1, $2, 0)
       ON CONFLICT (member_id, day) DO UPDATE SET events = rollup_member_day.events RETURNING events`,
      [member.id, today],
    );
    // Ids already stored: the same member's are duplicates, another member's cannot be claimed.
    const owners = new Map<string, number>();
    for (let i = 0; i < candidates.length; i += SUB_BATCH) {
      if (i > 0) await turn(q);
      const part = candidates.slice(i, i + SUB_BATCH);
      const ids = part.map((s) => s.id);
      // PostgreSQL: the events' days as well, so only their months' partitions are searched (an
      // id is unique within its day there: a resend carries the same day).
      const rows =
        q.dialect === 'postgres'
          ? await q.all<{ id: string; member_id: number }>(PG_STORED, [ids, [...new Set(part.map((s) => dayOf(s.at)))]])
          : await q.all<{ id: string; member_id: number }>(`SELECT id, member_id FROM shares WHERE id IN (${inList(ids.length)})`, ids);
      for (const row of rows) owners.set(row.id, Number(row.member_id));
    }
    const fresh: Share[] = [];
    for (const share of candidates) {
      const owner = owners.get(share.id);
      if (owner === undefined) fresh.push(share);
      else if (owner === member.id) outcome.set(share.id, { kind: 'duplicate' });
      else outcome.set(share.id, { kind: 'rejected', reason: 'id_taken' });
    }

    // The daily cap, per member (not per token: a member may hold several).
    const room = Math.max(0, this.options.dailyCap - Number(used?.events ?? 0));
    const admitted = fresh.slice(0, room);
    for (const share of fresh.slice(room)) outcome.set(share.id, { kind: 'rejected', reason: 'over_cap' });
    if (admitted.length === 0) return;

    const handle = member.x_handle?.toLowerCase();
    const rows: Param[][] = admitted.map((s) => {
      const selfReported = s.self_reported === true && s.action === 'posted';
      let verification: string | null = null;
      if (s.platform === 'x' && s.action === 'posted' && !selfReported && s.post_url) {
        verification = handle && xPost(s.post_url)?.handle === handle ? 'pending' : 'unverified';
      }
      return [
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
    });
    const inserted = new Set<string>();
    for (let i = 0; i < rows.length; i += SUB_BATCH) {
      if (i > 0) await turn(q);
      const part = rows.slice(i, i + SUB_BATCH);
      const got = await q.all<{ id: string }>(
        `INSERT INTO shares (${SHARE_COLUMNS.join(', ')}) VALUES ${valuesList(part.length, SHARE_COLUMNS.length)}
         ON CONFLICT DO NOTHING RETURNING id`,
        part.flat(),
      );
      for (const row of got) inserted.add(row.id);
    }
    const accepted = admitted.filter((s) => inserted.has(s.id));
    for (const share of admitted) {
      // Lost a race with another process storing the same id: it is stored, by whom decides.
      if (!inserted.has(share.id)) {
        const row = await q.get<{ member_id: number }>('SELECT member_id FROM shares WHERE id = $1 AND day = $2', [
          share.id,
          dayOf(share.at),
        ]);
        outcome.set(
          share.id,
          row && Number(row.member_id) === member.id ? { kind: 'duplicate' } : { kind: 'rejected', reason: 'id_taken' },
        );
      } else outcome.set(share.id, { kind: 'accepted' });
    }
    if (accepted.length === 0) return;
    await this.count(
      q,
      member,
      accepted,
      rows.filter((r) => inserted.has(r[0] as string)),
      today,
      now,
    );
  }

  private async count(q: Queryable, member: Member, accepted: Share[], rows: Param[][], today: string, now: number): Promise<void> {
    const unit = member.unit_id;
    // The first post of each (item, platform) in this batch: earliest, and seen before self-reported.
    const firsts = new Map<string, { share: Share; self: boolean }>();
    for (const share of accepted) {
      if (share.action !== 'posted') continue;
      const self = share.self_reported === true;
      const key = `${share.item_id}\u0000${share.platform}`;
      const known = firsts.get(key);
      if (!known || (known.self && !self) || (known.self === self && share.at < known.share.at)) firsts.set(key, { share, self });
    }
    const newFirsts: { share: Share; self: boolean }[] = [];
    const candidates = [...firsts.values()];
    for (let i = 0; i < candidates.length; i += SUB_BATCH) {
      if (i > 0) await turn(q);
      const part = candidates.slice(i, i + SUB_BATCH);
      const got = await q.all<{ item_id: string; platform: string }>(
        `INSERT INTO posted_firsts (member_id, item_id, platform, unit_id, day, self_reported, verified)
         VALUES ${valuesList(part.length, 7)} ON CONFLICT DO NOTHING RETURNING item_id, platform`,
        part.flatMap(({ share, self }) => [member.id, share.item_id, share.platform, unit, dayOf(share.at), self ? 1 : 0, 0]),
      );
      const made = new Set(got.map((r) => `${r.item_id}\u0000${r.platform}`));
      for (const f of part) if (made.has(`${f.share.item_id}\u0000${f.share.platform}`)) newFirsts.push(f);
    }

    const byUnit = counterRows();
    const byUnitDay = counterRows();
    const byPlatformDay = counterRows();
    const byItem = counterRows();
    const byItemUnit = counterRows();
    const byMember = counterRows();
    const byMemberPlatform = counterRows();
    const byUnitWeek = counterRows();

    // A pair first self-reported and now seen by the extension becomes a seen post.
    const isNew = new Set(newFirsts.map((f) => `${f.share.item_id}\u0000${f.share.platform}`));
    for (const { share, self } of candidates) {
      if (self || isNew.has(`${share.item_id}\u0000${share.platform}`)) continue;
      const was = await q.get<{ day: string; unit_id: number }>(
        `UPDATE posted_firsts SET self_reported = 0
         WHERE member_id = $1 AND item_id = $2 AND platform = $3 AND self_reported = 1 RETURNING day, unit_id`,
        [member.id, share.item_id, share.platform],
      );
      if (!was) continue;
      const day = String(was.day);
      count(byUnit, [Number(was.unit_id)], [0, 0, -1]);
      count(byUnitDay, [Number(was.unit_id), day], [0, 0, -1]);
      count(byPlatformDay, [share.platform, day], [0, -1]);
      count(byMember, [member.id], [0, 0, -1]);
    }

    // Members who posted each item at all, and weeks in which they posted.
    const newItems = new Set<string>();
    const itemIds = [...new Set(newFirsts.map((f) => f.share.item_id))];
    if (itemIds.length > 0) {
      const got = await q.all<{ item_id: string }>(
        `INSERT INTO member_items (member_id, item_id, unit_id) VALUES ${valuesList(itemIds.length, 3)}
         ON CONFLICT DO NOTHING RETURNING item_id`,
        itemIds.flatMap((id) => [member.id, id, unit]),
      );
      for (const row of got) newItems.add(row.item_id);
    }
    const weeks = [...new Set(accepted.filter((s) => s.action === 'posted').map((s) => weekOf(dayOf(s.at))))];
    if (weeks.length > 0) {
      const got = await q.all<{ week: string }>(
        `INSERT INTO member_weeks (member_id, week) VALUES ${valuesList(weeks.length, 2)}
         ON CONFLICT DO NOTHING RETURNING week`,
        weeks.flatMap((w) => [member.id, w]),
      );
      for (const row of got) count(byUnitWeek, [unit, String(row.week)], [1]);
    }

    count(byUnit, [unit], [accepted.length, 0, 0]);
    count(byMember, [member.id], [accepted.length, 0, 0]);
    for (const share of accepted) count(byUnitDay, [unit, dayOf(share.at)], [1, 0, 0]);
    for (const { share, self } of newFirsts) {
      const s = self ? 1 : 0;
      const day = dayOf(share.at);
      count(byUnit, [unit], [0, 1, s]);
      count(byUnitDay, [unit, day], [0, 1, s]);
      count(byPlatformDay, [share.platform, day], [1, s]);
      count(byMember, [member.id], [0, 1, s]);
      count(byMemberPlatform, [member.id, share.platform], [1]);
      count(byItem, [share.item_id], [1, 0]);
      count(byItemUnit, [share.item_id, unit], [1, 0]);
    }
    for (const id of newItems) {
      count(byItem, [id], [0, 1]);
      count(byItemUnit, [id, unit], [0, 1]);
    }

    await bump(
      q,
      'rollup_member_day',
      ['member_id', 'day'],
      ['events'],
      new Map([['k', { key: [member.id, today], values: [accepted.length] }]]),
    );
    await bump(q, 'rollup_member', ['member_id'], ['events', 'posted', 'posted_self'], byMember);
    await bump(q, 'rollup_member_platform', ['member_id', 'platform'], ['posted'], byMemberPlatform);
    await bump(q, 'rollup_item', ['item_id'], ['posted', 'members'], byItem);
    await bump(q, 'rollup_item_unit', ['item_id', 'unit_id'], ['posted', 'members'], byItemUnit);
    await bump(q, 'rollup_platform_day', ['platform', 'day'], ['posted', 'posted_self'], byPlatformDay);
    await bump(q, 'rollup_unit_week', ['unit_id', 'week'], ['active'], byUnitWeek);
    await bump(q, 'rollup_unit_day', ['unit_id', 'day'], ['events', 'posted', 'posted_self'], byUnitDay);
    await bump(q, 'rollup_unit', ['unit_id'], ['events', 'posted', 'posted_self'], byUnit);

    // X posts under the member's own handle are checked against X later, off the request path.
    const jobs = rows.filter((r) => r[12] === 'pending');
    if (jobs.length > 0) {
      const next = new Date(now).toISOString();
      await q.run(
        `INSERT INTO verify_jobs (share_id, member_id, item_id, platform, post_url, attempts, next_at)
         VALUES ${valuesList(jobs.length, 7)} ON CONFLICT DO NOTHING`,
        jobs.flatMap((r) => [r[0]!, member.id, r[2]!, r[4]!, r[7]!, 0, next]),
      );
    }
  }
}
