// @vitest-environment node
// Group commit on both databases: requests that arrive while a transaction is being stored are
// stored together in the next one. The oracle is the same requests stored one at a time on a
// second agency: every answer, every stored event and every counter row must be the same, and a
// request that fails inside a group fails alone.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { wib } from '../../server/demo/feed';
import type { Database, Param, Queryable } from '../../server/db/sql';
import type { TokenHolder } from '../../server/tally/enrol';
import { ShareIngest } from '../../server/tally/ingest';
import { feedKey } from '../../server/tally/validate';
import type { ShareEventWire, SharesResponse } from '../../utils/protocol/tally';
import { BACKENDS, DINKES, KOMINFO, MANDATORY_ITEM, nip, startAgency, type Backend, type Harness } from '../support/agency';

const FEED = 'https://siar.example.go.id/feed.json';
const ITEMS = [MANDATORY_ITEM, 'kab-contoh-stunting-turun-posyandu', 'kab-contoh-beasiswa-contoh-cerdas'];
const POISON = '00000000-0000-4000-8000-00000000dead';
const CAP = 12;

/** Counts transactions, and fails any statement that carries the poisoned id (as a bug would). */
function watched(db: Database, gate: Promise<void> = Promise.resolve()): { db: Database; transactions: () => number } {
  let transactions = 0;
  const poisoned = (params: readonly Param[] | undefined) =>
    (params ?? []).some((p) => p === POISON || (Array.isArray(p) && p.includes(POISON)));
  const wrap = (q: Queryable): Queryable =>
    new Proxy(q, {
      get(target, name) {
        const value = Reflect.get(target, name) as unknown;
        if (typeof value !== 'function') return value;
        return (sql: string, params?: readonly Param[]) => {
          if (name !== 'exec' && poisoned(params)) throw new Error('poisoned statement');
          return (value as (s: string, p?: readonly Param[]) => unknown).call(target, sql, params);
        };
      },
    });
  const proxy = new Proxy(db, {
    get(target, name) {
      if (name === 'tx') {
        return <T>(body: (q: Queryable) => Promise<T>) => {
          transactions++;
          return gate.then(() => target.tx((q) => body(wrap(q))));
        };
      }
      const value = Reflect.get(target, name) as unknown;
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
  return { db: proxy, transactions: () => transactions };
}

interface Request {
  seq: number;
  shares: ShareEventWire[];
}

/** Single-event and small requests from six members, with every case the store decides on. */
function requests(now: number): Request[] {
  const at = (minutesAgo: number) => wib(now - minutesAgo * 60_000);
  const share = (o: Partial<ShareEventWire> = {}): ShareEventWire => ({
    id: randomUUID(),
    item_id: ITEMS[0]!,
    feed_url: FEED,
    platform: 'x',
    action: 'posted',
    at: at(5),
    ...o,
  });
  const out: Request[] = [];
  // One-event requests, members 1–4 in turn, over the items and platforms.
  for (let k = 0; k < 24; k++) {
    const platform = (['x', 'facebook', 'whatsapp'] as const)[k % 3];
    const action = k % 4 === 3 ? 'inserted' : 'posted';
    out.push({ seq: 1 + (k % 4), shares: [share({ item_id: ITEMS[k % ITEMS.length]!, platform, action, at: at(30 - k) })] });
  }
  // A resend of an event in the same group: a duplicate; the same id from another member: taken.
  const resent = share({ item_id: ITEMS[1]! });
  out.push({ seq: 5, shares: [resent] }, { seq: 5, shares: [resent] }, { seq: 6, shares: [resent] });
  // Self-reported first, then seen by the extension, in two requests of the same group.
  const self = share({ item_id: ITEMS[2]!, platform: 'whatsapp', self_reported: true, at: at(20) });
  out.push({ seq: 6, shares: [self] }, { seq: 6, shares: [share({ item_id: ITEMS[2]!, platform: 'whatsapp', at: at(10) })] });
  // Member 5 goes past the daily cap over several requests of the group.
  for (let k = 0; k < CAP + 1; k++) out.push({ seq: 5, shares: [share({ action: 'copied', platform: 'other', at: at(40 - k) })] });
  // An X post under member 6's own handle: a verification job.
  out.push({ seq: 6, shares: [share({ post_url: 'https://x.com/pegawai6/status/1861234567890123' })] });
  // One larger batch.
  out.push({ seq: 4, shares: Array.from({ length: 5 }, (_, k) => share({ item_id: ITEMS[k % 3]!, at: at(50 - k) })) });
  return out;
}

type Answer = SharesResponse | { error: string };

async function agency(backend: Backend): Promise<{ s: Harness; members: Map<number, number> }> {
  const s = await startAgency(backend, { feedUrls: [FEED] });
  const members = new Map<number, number>();
  for (let seq = 1; seq <= 6; seq++) {
    await s.member(seq, seq % 2 ? KOMINFO : DINKES);
    const row = await s.agency.db.get<{ id: number }>('SELECT id FROM members WHERE nip = $1', [nip(seq)]);
    members.set(seq, Number(row!.id));
  }
  await s.agency.db.run("UPDATE members SET x_handle = 'pegawai6' WHERE nip = $1", [nip(6)]);
  return { s, members };
}

/** Every stored event and counter row, by NIP rather than member id, in a stable order. */
async function snapshot(db: Database): Promise<Record<string, string[]>> {
  const nips = new Map((await db.all<{ id: number; nip: string }>('SELECT id, nip FROM members')).map((m) => [Number(m.id), m.nip]));
  const tables: Record<string, string> = {
    shares: 'SELECT id, member_id, item_id, platform, action, at, day, unit_id, self_reported, verification FROM shares',
    posted_firsts: 'SELECT * FROM posted_firsts',
    member_items: 'SELECT * FROM member_items',
    member_weeks: 'SELECT * FROM member_weeks',
    verify_jobs: 'SELECT share_id, member_id, item_id, platform, post_url, attempts FROM verify_jobs',
    ...Object.fromEntries(
      [
        'rollup_member_day',
        'rollup_member',
        'rollup_member_platform',
        'rollup_item',
        'rollup_item_unit',
        'rollup_platform_day',
        'rollup_unit_week',
        'rollup_unit_day',
        'rollup_unit',
      ].map((t) => [t, `SELECT * FROM ${t}`]),
    ),
  };
  const out: Record<string, string[]> = {};
  for (const [name, sql] of Object.entries(tables)) {
    const rows = await db.all<Record<string, unknown>>(sql);
    out[name] = rows
      .map((row) => {
        const r = Object.fromEntries(Object.entries(row).map(([k, v]) => [k, typeof v === 'bigint' ? Number(v) : v]));
        if ('member_id' in r) r.member_id = nips.get(Number(r.member_id));
        return JSON.stringify(Object.fromEntries(Object.entries(r).sort(([a], [b]) => (a < b ? -1 : 1))));
      })
      .sort();
  }
  return out;
}

describe.each(BACKENDS)('group commit on %s', (backend: Backend) => {
  let alone: Awaited<ReturnType<typeof agency>>;
  let grouped: Awaited<ReturnType<typeof agency>>;
  beforeAll(async () => {
    [alone, grouped] = [await agency(backend), await agency(backend)];
  });
  afterAll(async () => {
    await alone.s.close();
    await grouped.s.close();
  });

  const ingestFor = (db: Database, dailyCap: number) =>
    new ShareIngest(db, { dailyCap, utcOffsetMinutes: 420, feedUrls: () => new Set([feedKey(FEED)]), groups: 1 });
  const answer = (p: Promise<SharesResponse>): Promise<Answer> => p.catch((e: unknown) => ({ error: (e as Error).message }));

  /** The requests stored one at a time on one agency and all at once on the other. */
  async function both(list: Request[], now: number, cap = CAP) {
    const one = watched(alone.s.agency.db);
    const oneIngest = ingestFor(one.db, cap);
    const expected: Answer[] = [];
    for (const r of list) expected.push(await answer(oneIngest.record(alone.members.get(r.seq)!, r.shares, now)));
    // The first request's transaction is held until all the others wait, in the oracle's order
    // (requests at once have no order of their own; this gives them the oracle's).
    let open!: () => void;
    const many = watched(grouped.s.agency.db, new Promise<void>((resolve) => (open = resolve)));
    const manyIngest = ingestFor(many.db, cap);
    const answers: Promise<Answer>[] = [];
    for (const [k, r] of list.entries()) {
      answers.push(answer(manyIngest.record(grouped.members.get(r.seq)!, r.shares, now)));
      while (k > 0 && manyIngest.waiting < k) await new Promise((resolve) => setTimeout(resolve, 1));
    }
    open();
    const got = await Promise.all(answers);
    return { expected, got, alone: one.transactions(), grouped: many.transactions() };
  }

  it('stores requests that arrive together in fewer transactions, with the answers and counts of one at a time', async () => {
    const now = Date.now();
    const list = requests(now);
    const run = await both(list, now);
    // The oracle saw every case: duplicates, a taken id, the cap.
    const answers = run.expected.filter((a): a is SharesResponse => 'accepted' in a);
    expect(answers).toHaveLength(list.length);
    expect(answers.some((a) => a.duplicate.length > 0)).toBe(true);
    expect(answers.flatMap((a) => a.rejected.map((r) => r.reason)).sort()).toEqual(['id_taken', 'over_cap', 'over_cap']);

    expect(run.got).toEqual(run.expected);
    expect(run.alone).toBe(list.length);
    // The first alone, all the others together (their 47 events fit one group of GROUP_EVENTS).
    expect(run.grouped).toBe(2);
    expect(await snapshot(grouped.s.agency.db)).toEqual(await snapshot(alone.s.agency.db));
  });

  it('a request that fails inside a group fails alone; the others are stored as if alone', async () => {
    const now = Date.now();
    const list = requests(now).slice(0, 12);
    list.splice(6, 0, { seq: 3, shares: [{ ...list[0]!.shares[0]!, id: POISON }] });
    const run = await both(list, now, 1000);
    expect(run.expected.filter((a) => 'error' in a)).toEqual([{ error: 'poisoned statement' }]);
    expect(run.expected.filter((a) => 'accepted' in a && a.accepted.length === 1)).toHaveLength(list.length - 1);
    expect(run.got).toEqual(run.expected);
    expect(await snapshot(grouped.s.agency.db)).toEqual(await snapshot(alone.s.agency.db));
  });
});

describe.each(BACKENDS)('several groups at once on %s', (backend: Backend) => {
  it("never has a member's requests in two groups at once, and keeps each member's order", async () => {
    const { s, members } = await agency(backend);
    try {
      // Each group: when its transaction was asked for and when it ended, its members (the first
      // statement of a group takes their day rows: member ids at every third parameter) and the
      // events it stored.
      const groups: { from: number; to: number; members: number[]; ids: string[] }[] = [];
      let clock = 0;
      let open!: () => void;
      const gate = new Promise<void>((resolve) => (open = resolve));
      const db = new Proxy(s.agency.db, {
        get(target, name) {
          if (name === 'tx') {
            return async <T>(body: (q: Queryable) => Promise<T>) => {
              const group = { from: clock++, to: Infinity, members: [] as number[], ids: [] as string[] };
              groups.push(group);
              try {
                await gate;
                return await target.tx((q) =>
                  body(
                    new Proxy(q, {
                      get(qt, qn) {
                        const value = Reflect.get(qt, qn) as unknown;
                        if (typeof value !== 'function') return value;
                        return (sql: string, params: readonly Param[] = []) => {
                          if (group.members.length === 0 && sql.includes('INSERT INTO rollup_member_day')) {
                            group.members = params.filter((_, i) => i % 3 === 0).map(Number);
                          }
                          // The events stored, id first of 13 columns a row.
                          if (sql.includes('INSERT INTO shares')) group.ids.push(...params.filter((_, i) => i % 13 === 0).map(String));
                          return (value as (x: string, p: readonly Param[]) => unknown).call(qt, sql, params);
                        };
                      },
                    }),
                  ),
                );
              } finally {
                group.to = clock++;
              }
            };
          }
          const value = Reflect.get(target, name) as unknown;
          return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
        },
      });
      const ingest = new ShareIngest(db, { dailyCap: 100, utcOffsetMinutes: 420, feedUrls: () => new Set([feedKey(FEED)]), groups: 4 });
      const now = Date.now();
      // The items' first publication known beforehand: requests then reach the queue in the
      // order sent, with no read in between.
      await ingest.published.lookup(s.agency.db, ITEMS);
      const holders = new Map<number, TokenHolder>();
      for (let seq = 1; seq <= 4; seq++) {
        const row = await s.agency.db.get<TokenHolder>('SELECT id, unit_id, x_handle FROM members WHERE id = $1', [members.get(seq)!]);
        holders.set(seq, { id: Number(row!.id), unit_id: Number(row!.unit_id), x_handle: row!.x_handle });
      }
      // Members 1–4, three one-event requests each, all at once: the first four make four
      // groups (held at the gate), the rest wait.
      const sent: { seq: number; id: string; answer: Promise<SharesResponse> }[] = [];
      for (let round = 0; round < 3; round++) {
        for (let seq = 1; seq <= 4; seq++) {
          const id = randomUUID();
          const share: ShareEventWire = {
            id,
            item_id: ITEMS[round]!,
            feed_url: FEED,
            platform: 'x',
            action: 'posted',
            at: wib(now - 60_000),
          };
          sent.push({ seq, id, answer: ingest.record(holders.get(seq)!, [share], now) });
        }
      }
      await new Promise((resolve) => setImmediate(resolve));
      expect(ingest.waiting).toBe(8);
      open();
      for (const r of sent) expect((await r.answer).accepted).toEqual([r.id]);

      expect(groups.length).toBeGreaterThan(4);
      for (const [i, a] of groups.entries()) {
        for (const b of groups.slice(i + 1)) {
          if (a.to < b.from || b.to < a.from) continue;
          expect(
            a.members.filter((m) => b.members.includes(m)),
            `groups ${i} and ${groups.indexOf(b)} at once`,
          ).toEqual([]);
        }
      }
      // Each member's events went in in the order sent: groups one after another, by start.
      const stored = groups.flatMap((g) => g.ids);
      for (let seq = 1; seq <= 4; seq++) {
        const mine = sent.filter((r) => r.seq === seq).map((r) => r.id);
        expect(stored.filter((id) => mine.includes(id))).toEqual(mine);
      }
    } finally {
      await s.close();
    }
  });
});
