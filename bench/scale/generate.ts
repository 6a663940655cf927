// Writes the data set (dataset.ts) straight into the project's own schema, as the server would
// have left it after 90 days, without going through HTTP:
//
// 1. `openDatabase` runs the server's migrations; units, codes and the admin account go through
//    the server's own functions (seedCodes, createAccount), and on PostgreSQL the monthly
//    partitions are made with `ensureMonth`, so the small tables are exactly what the server makes.
// 2. Members, tokens, posts, published items and the events are bulk-loaded: SQLite through one
//    prepared INSERT in large transactions (better-sqlite3), PostgreSQL through COPY
//    (pg-copy-streams) into the partitioned `shares`.
// 3. The counters (posted_firsts, member_items, member_weeks, rollup_*) are filled after the load
//    with INSERT … SELECT aggregates over the events, the way ingest would have left them.
// 4. Checks: every rollup total equals the events (and each other), and for a sample of members
//    and items the rollup rows equal both a recount from `shares` and what the generator itself
//    counted while it made the events.
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { openDatabase } from '../../server/db/database';
import { ensureMonth } from '../../server/db/partitions';
import type { Database } from '../../server/db/sql';
import type { SqliteDatabase } from '../../server/db/sqlite';
import { createAccount } from '../../server/studio/accounts';
import { seedCodes } from '../../server/tally/members';
import {
  ADMIN_PASSWORD,
  ADMIN_USER,
  HISTORIC_FEED_URL,
  memberToken,
  newExpectation,
  shareDays,
  tokenHash,
  wib,
  type Agency,
  type Expectation,
  type ShareRow,
} from './dataset';

export type Backend = 'sqlite' | 'postgres';

export interface Stage {
  stage: string;
  seconds: number;
}

export interface Check {
  what: string;
  ok: boolean;
  detail: string;
}

export interface GenerationReport {
  backend: Backend;
  stages: Stage[];
  seconds: number;
  checks: Check[];
  /** Figures that must be the same on both backends (same generator, same seed). */
  fingerprint: Record<string, number>;
}

const log = (s: string) => console.error(`[scale] ${s}`);

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
];

function shareValues(r: ShareRow): (string | number | null)[] {
  return [
    r.id,
    r.member,
    r.item,
    HISTORIC_FEED_URL,
    r.platform,
    r.action,
    r.at,
    r.postUrl,
    r.received,
    r.day,
    r.unit,
    r.self,
    r.verification,
  ];
}

/** The small tables, through the server's own functions (identical on both backends). */
async function seedAgency(db: Database, agency: Agency): Promise<void> {
  const now = agency.t0 - 300 * 86_400_000;
  await db.tx(async (q) => {
    await seedCodes(q, Object.fromEntries(agency.units.map((u) => [u.name, [u.code]])), now);
    await createAccount(
      q,
      { user: ADMIN_USER, password: ADMIN_PASSWORD, role: 'admin', name: 'Admin Diskominfo', unit: agency.units[5]?.name },
      now,
    );
    await createAccount(
      q,
      { user: 'penyetuju', password: `${ADMIN_PASSWORD}-2`, role: 'approver', name: 'Penyetuju', unit: agency.units[5]?.name },
      now,
    );
  });
  const rows = await db.all<{ id: number; name: string }>('SELECT id, name FROM units ORDER BY id');
  rows.forEach((r, i) => {
    if (Number(r.id) !== i + 1 || r.name !== agency.units[i]!.name)
      throw new Error(`unit ${i + 1} is ${r.id} ${r.name}: ids must follow the data set`);
  });
}

type Value = string | number | null | Buffer;

function memberRows(agency: Agency): Value[][] {
  return agency.members.map((m) => [m.id, m.nip, m.name, m.unit, m.createdAt, m.createdAt, m.xHandle, null]);
}

function tokenRows(agency: Agency): Value[][] {
  return agency.members.map((m) => [tokenHash(memberToken(agency.params.seed, m.id)), m.id, m.createdAt, null]);
}

const POST_COLUMNS = [
  'id',
  'unit_id',
  'author_id',
  'status',
  'version',
  'title',
  'body',
  'captions',
  'hashtags',
  'url',
  'media',
  'campaign',
  'priority',
  'publish_at',
  'expires_at',
  'created_at',
  'updated_at',
  'approved_by',
  'approved_at',
  'published_at',
];

function postRows(agency: Agency): Value[][] {
  return agency.posts.map((p) => {
    const at = new Date(p.publishedMs).toISOString();
    const done = p.status === 'published' || p.status === 'expired';
    const body = `${p.title}. Informasi resmi untuk warga; bagikan ke keluarga dan tetangga.`;
    return [
      p.id,
      p.unit,
      1,
      p.status,
      1,
      p.title,
      body,
      JSON.stringify({ default: [body.slice(0, 200)], x: [`${p.title} #InfoResmi`.slice(0, 250)] }),
      JSON.stringify(['InfoResmi']),
      null,
      '[]',
      null,
      p.priority,
      done ? at : null,
      p.expiresMs === null ? null : new Date(p.expiresMs).toISOString(),
      at,
      at,
      done ? 2 : null,
      done ? at : null,
      done ? at : null,
    ];
  });
}

function publishedRows(agency: Agency): Value[][] {
  return agency.posts
    .filter((p) => p.status === 'published' || p.status === 'expired')
    .map((p) => [p.id, new Date(p.publishedMs).toISOString()]);
}

// ---------------------------------------------------------------------------------------------
// Counters after the load: the same meaning as server/tally/ingest.ts, over all events at once.

interface Dialect {
  /** The Monday on or before a `day` column. */
  week(col: string): string;
  /** The agency's (WIB) day of a `received_at` column: the daily cap's day. */
  receivedDay(col: string): string;
}

const SQLITE: Dialect = {
  week: (c) => `date(${c}, '-' || ((CAST(strftime('%w', ${c}) AS INTEGER) + 6) % 7) || ' days')`,
  receivedDay: (c) => `date(${c}, '+7 hours')`,
};
const POSTGRES: Dialect = {
  week: (c) => `date_trunc('week', ${c}::timestamp)::date`,
  receivedDay: (c) => `((${c})::timestamptz AT TIME ZONE 'UTC' + interval '7 hours')::date`,
};

function rollupStatements(d: Dialect): [string, string][] {
  return [
    [
      'posted_firsts',
      `INSERT INTO posted_firsts (member_id, item_id, platform, unit_id, day, self_reported, verified)
      SELECT member_id, item_id, platform, MIN(unit_id), MIN(day), MIN(self_reported), MAX(CASE WHEN verification = 'verified' THEN 1 ELSE 0 END)
      FROM shares WHERE action = 'posted' GROUP BY member_id, item_id, platform`,
    ],
    [
      'member_items',
      `INSERT INTO member_items (member_id, item_id, unit_id)
      SELECT member_id, item_id, MIN(unit_id) FROM posted_firsts GROUP BY member_id, item_id`,
    ],
    [
      'member_weeks',
      `INSERT INTO member_weeks (member_id, week)
      SELECT DISTINCT member_id, ${d.week('day')} FROM (SELECT DISTINCT member_id, day FROM shares WHERE action = 'posted') AS p`,
    ],
    ['rollup_unit', `DELETE FROM rollup_unit`],
    [
      'rollup_unit',
      `INSERT INTO rollup_unit (unit_id, members, events, posted, posted_self, posted_verified)
      SELECT units.id, COALESCE(m.n, 0), COALESCE(s.n, 0), COALESCE(f.posted, 0), COALESCE(f.self, 0), COALESCE(f.verified, 0)
      FROM units
      LEFT JOIN (SELECT unit_id, COUNT(*) AS n FROM members GROUP BY unit_id) AS m ON m.unit_id = units.id
      LEFT JOIN (SELECT unit_id, COUNT(*) AS n FROM shares GROUP BY unit_id) AS s ON s.unit_id = units.id
      LEFT JOIN (SELECT unit_id, COUNT(*) AS posted, SUM(self_reported) AS self, SUM(verified) AS verified FROM posted_firsts GROUP BY unit_id) AS f ON f.unit_id = units.id`,
    ],
    [
      'rollup_unit_day',
      `INSERT INTO rollup_unit_day (unit_id, day, events, posted, posted_self)
      SELECT unit_id, day, SUM(events), SUM(posted), SUM(posted_self) FROM (
        SELECT unit_id, day, COUNT(*) AS events, 0 AS posted, 0 AS posted_self FROM shares GROUP BY unit_id, day
        UNION ALL
        SELECT unit_id, day, 0, COUNT(*), SUM(self_reported) FROM posted_firsts GROUP BY unit_id, day
      ) AS t GROUP BY unit_id, day`,
    ],
    [
      'rollup_unit_week',
      `INSERT INTO rollup_unit_week (unit_id, week, active)
      SELECT members.unit_id, member_weeks.week, COUNT(*) FROM member_weeks JOIN members ON members.id = member_weeks.member_id
      GROUP BY members.unit_id, member_weeks.week`,
    ],
    [
      'rollup_platform_day',
      `INSERT INTO rollup_platform_day (platform, day, posted, posted_self)
      SELECT platform, day, COUNT(*), SUM(self_reported) FROM posted_firsts GROUP BY platform, day`,
    ],
    [
      'rollup_item',
      `INSERT INTO rollup_item (item_id, posted, members)
      SELECT f.item_id, f.posted, COALESCE(mi.members, 0)
      FROM (SELECT item_id, COUNT(*) AS posted FROM posted_firsts GROUP BY item_id) AS f
      LEFT JOIN (SELECT item_id, COUNT(*) AS members FROM member_items GROUP BY item_id) AS mi ON mi.item_id = f.item_id`,
    ],
    [
      'rollup_item_unit',
      `INSERT INTO rollup_item_unit (item_id, unit_id, posted, members)
      SELECT f.item_id, f.unit_id, f.posted, COALESCE(mi.members, 0)
      FROM (SELECT item_id, unit_id, COUNT(*) AS posted FROM posted_firsts GROUP BY item_id, unit_id) AS f
      LEFT JOIN (SELECT item_id, unit_id, COUNT(*) AS members FROM member_items GROUP BY item_id, unit_id) AS mi
        ON mi.item_id = f.item_id AND mi.unit_id = f.unit_id`,
    ],
    [
      'rollup_member',
      `INSERT INTO rollup_member (member_id, events, posted, posted_self, posted_verified)
      SELECT s.member_id, s.events, COALESCE(f.posted, 0), COALESCE(f.self, 0), COALESCE(f.verified, 0)
      FROM (SELECT member_id, COUNT(*) AS events FROM shares GROUP BY member_id) AS s
      LEFT JOIN (SELECT member_id, COUNT(*) AS posted, SUM(self_reported) AS self, SUM(verified) AS verified FROM posted_firsts GROUP BY member_id) AS f
        ON f.member_id = s.member_id`,
    ],
    [
      'rollup_member_platform',
      `INSERT INTO rollup_member_platform (member_id, platform, posted)
      SELECT member_id, platform, COUNT(*) FROM posted_firsts GROUP BY member_id, platform`,
    ],
    [
      'rollup_member_day',
      `INSERT INTO rollup_member_day (member_id, day, events)
      SELECT member_id, rday, COUNT(*) FROM (SELECT member_id, ${d.receivedDay('received_at')} AS rday FROM shares) AS r GROUP BY member_id, rday`,
    ],
  ];
}

// ---------------------------------------------------------------------------------------------
// Checks, on both backends through one tiny query interface.

interface Ask {
  all(sql: string, params?: (string | number)[]): Promise<Record<string, unknown>[]>;
}

const num = (v: unknown) => Number(v ?? 0);

async function checks(ask: Ask, agency: Agency, expect: Expectation): Promise<{ checks: Check[]; fingerprint: Record<string, number> }> {
  const out: Check[] = [];
  const one = async (sql: string) => (await ask.all(sql))[0] ?? {};
  const n = agency.params.events;
  const shares = num((await one('SELECT COUNT(*) AS n FROM shares')).n);
  const firsts = num((await one('SELECT COUNT(*) AS n FROM posted_firsts')).n);
  const items = num((await one('SELECT COUNT(*) AS n FROM member_items')).n);
  const unit = await one(
    'SELECT SUM(members) AS members, SUM(events) AS events, SUM(posted) AS posted, SUM(posted_self) AS self, SUM(posted_verified) AS verified FROM rollup_unit',
  );
  const member = await one(
    'SELECT SUM(events) AS events, SUM(posted) AS posted, SUM(posted_self) AS self, SUM(posted_verified) AS verified FROM rollup_member',
  );
  const sums: [string, number, number][] = [
    ['shares = events generated', shares, n],
    ['SUM(rollup_unit.events) = COUNT(shares)', num(unit.events), shares],
    ['SUM(rollup_member.events) = COUNT(shares)', num(member.events), shares],
    ['SUM(rollup_unit_day.events) = COUNT(shares)', num((await one('SELECT SUM(events) AS n FROM rollup_unit_day')).n), shares],
    ['SUM(rollup_member_day.events) = COUNT(shares)', num((await one('SELECT SUM(events) AS n FROM rollup_member_day')).n), shares],
    ['SUM(rollup_unit.posted) = COUNT(posted_firsts)', num(unit.posted), firsts],
    ['SUM(rollup_member.posted) = COUNT(posted_firsts)', num(member.posted), firsts],
    ['SUM(rollup_unit_day.posted) = COUNT(posted_firsts)', num((await one('SELECT SUM(posted) AS n FROM rollup_unit_day')).n), firsts],
    [
      'SUM(rollup_platform_day.posted) = COUNT(posted_firsts)',
      num((await one('SELECT SUM(posted) AS n FROM rollup_platform_day')).n),
      firsts,
    ],
    ['SUM(rollup_item.posted) = COUNT(posted_firsts)', num((await one('SELECT SUM(posted) AS n FROM rollup_item')).n), firsts],
    ['SUM(rollup_item_unit.posted) = COUNT(posted_firsts)', num((await one('SELECT SUM(posted) AS n FROM rollup_item_unit')).n), firsts],
    [
      'SUM(rollup_member_platform.posted) = COUNT(posted_firsts)',
      num((await one('SELECT SUM(posted) AS n FROM rollup_member_platform')).n),
      firsts,
    ],
    ['SUM(rollup_item.members) = COUNT(member_items)', num((await one('SELECT SUM(members) AS n FROM rollup_item')).n), items],
    ['SUM(rollup_unit.members) = COUNT(members)', num(unit.members), num((await one('SELECT COUNT(*) AS n FROM members')).n)],
    ['SUM(rollup_unit.posted_self) = SUM(rollup_member.posted_self)', num(unit.self), num(member.self)],
    ['SUM(rollup_unit.posted_verified) = SUM(rollup_member.posted_verified)', num(unit.verified), num(member.verified)],
    [
      'SUM(rollup_unit_week.active) = COUNT(member_weeks)',
      num((await one('SELECT SUM(active) AS n FROM rollup_unit_week')).n),
      num((await one('SELECT COUNT(*) AS n FROM member_weeks')).n),
    ],
  ];
  for (const [what, got, want] of sums)
    out.push({ what, ok: got === want, detail: `${got.toLocaleString('en-US')} vs ${want.toLocaleString('en-US')}` });

  // Sample members: the rollup row, a recount from the raw events, and the generator's own count.
  const ids = [...expect.members.keys()];
  const list = ids.map((_, i) => `$${i + 1}`).join(', ');
  const rolled = new Map(
    (await ask.all(`SELECT member_id, events, posted, posted_self FROM rollup_member WHERE member_id IN (${list})`, ids)).map((r) => [
      num(r.member_id),
      r,
    ]),
  );
  const raw = new Map(
    (await ask.all(`SELECT member_id, COUNT(*) AS events FROM shares WHERE member_id IN (${list}) GROUP BY member_id`, ids)).map((r) => [
      num(r.member_id),
      num(r.events),
    ]),
  );
  const pairs = await ask.all(
    `SELECT member_id, COUNT(*) AS posted, SUM(s) AS self FROM (SELECT member_id, item_id, platform, MIN(self_reported) AS s FROM shares
     WHERE action = 'posted' AND member_id IN (${list}) GROUP BY member_id, item_id, platform) AS p GROUP BY member_id`,
    ids,
  );
  const rawPairs = new Map(pairs.map((r) => [num(r.member_id), { posted: num(r.posted), self: num(r.self) }]));
  let bad = 0;
  let withEvents = 0;
  const problems: string[] = [];
  for (const [id, e] of expect.members) {
    const r = rolled.get(id);
    const genPosted = e.pairs.size;
    const genSelf = [...e.pairs.values()].filter((v) => v === 1).length;
    if (e.events > 0) withEvents++;
    const got = { events: num(r?.events), posted: num(r?.posted), self: num(r?.posted_self) };
    const recount = { events: raw.get(id) ?? 0, posted: rawPairs.get(id)?.posted ?? 0, self: rawPairs.get(id)?.self ?? 0 };
    const same =
      got.events === e.events &&
      recount.events === e.events &&
      got.posted === genPosted &&
      recount.posted === genPosted &&
      got.self === genSelf &&
      recount.self === genSelf;
    if (!same) {
      bad++;
      if (problems.length < 3)
        problems.push(
          `member ${id}: rollup ${JSON.stringify(got)}, recount ${JSON.stringify(recount)}, generated ${JSON.stringify({ events: e.events, posted: genPosted, self: genSelf })}`,
        );
    }
  }
  out.push({
    what: `${ids.length} sample members: rollup_member = recount from shares = generator's count`,
    ok: bad === 0,
    detail: bad ? problems.join('; ') : `all equal (${withEvents} of them with events)`,
  });

  const itemIds = [...expect.items.keys()];
  const ilist = itemIds.map((_, i) => `$${i + 1}`).join(', ');
  const rItems = new Map(
    (await ask.all(`SELECT item_id, posted FROM rollup_item WHERE item_id IN (${ilist})`, itemIds)).map((r) => [
      String(r.item_id),
      num(r.posted),
    ]),
  );
  const cItems = new Map(
    (
      await ask.all(
        `SELECT item_id, COUNT(*) AS posted FROM (SELECT DISTINCT item_id, member_id, platform FROM shares WHERE action = 'posted' AND item_id IN (${ilist})) AS p GROUP BY item_id`,
        itemIds,
      )
    ).map((r) => [String(r.item_id), num(r.posted)]),
  );
  const itemProblems = itemIds.filter(
    (id) => (rItems.get(id) ?? 0) !== expect.items.get(id)!.size || (cItems.get(id) ?? 0) !== expect.items.get(id)!.size,
  );
  out.push({
    what: `${itemIds.length} sample items: rollup_item.posted = recount = generator's count`,
    ok: itemProblems.length === 0,
    detail: itemProblems.length
      ? itemProblems.map((id) => `${id}: ${rItems.get(id)} / ${cItems.get(id)} / ${expect.items.get(id)!.size}`).join('; ')
      : itemIds.map((id) => expect.items.get(id)!.size).join(', '),
  });
  const actions = await ask.all('SELECT action, COUNT(*) AS n FROM shares GROUP BY action');
  const actionProblems = actions.filter((r) => num(r.n) !== (expect.actions[String(r.action)] ?? 0));
  out.push({
    what: 'events per action = generator',
    ok: actionProblems.length === 0,
    detail: actions.map((r) => `${String(r.action)} ${num(r.n).toLocaleString('en-US')}`).join(', '),
  });

  const fingerprint: Record<string, number> = {
    shares,
    posted_firsts: firsts,
    member_items: items,
    posted_self: num(unit.self),
    posted_verified: num(unit.verified),
    member_weeks: num((await one('SELECT COUNT(*) AS n FROM member_weeks')).n),
    rollup_member_day_rows: num((await one('SELECT COUNT(*) AS n FROM rollup_member_day')).n),
  };
  return { checks: out, fingerprint };
}

// ---------------------------------------------------------------------------------------------

async function timed<T>(stages: Stage[], stage: string, work: () => Promise<T> | T): Promise<T> {
  const t0 = performance.now();
  const result = await work();
  const seconds = (performance.now() - t0) / 1000;
  stages.push({ stage, seconds });
  log(`  ${stage}: ${seconds.toFixed(1)} s`);
  return result;
}

/** SQLite: one file, loaded without waiting for the disk (the cache is rebuilt if a load is cut short). */
export async function generateSqlite(file: string, agency: Agency): Promise<GenerationReport> {
  const stages: Stage[] = [];
  const t0 = performance.now();
  const db = (await openDatabase(file)) as SqliteDatabase;
  const raw = db.raw;
  const expect = newExpectation(agency);
  try {
    await timed(stages, 'schema (server migrations), units, codes, accounts', () => seedAgency(db, agency));
    // Durability is not wanted while loading (a cut-short load is generated again); the file
    // stays in WAL mode, as the server opened it.
    raw.pragma('synchronous = OFF');
    raw.pragma('foreign_keys = OFF');
    raw.pragma('cache_size = -1000000');
    raw.pragma('temp_store = MEMORY');
    const insertAll = (table: string, columns: string[], rows: Iterable<Value[]>) => {
      const stmt = raw.prepare(`INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`);
      raw.transaction((list: Iterable<Value[]>) => {
        for (const r of list) stmt.run(...r);
      })(rows);
    };
    await timed(
      stages,
      `members, tokens, posts (${agency.members.length.toLocaleString('en-US')} members, ${agency.posts.length} posts)`,
      () => {
        insertAll('members', ['id', 'nip', 'name', 'unit_id', 'created_at', 'updated_at', 'x_handle', 'revoked_at'], memberRows(agency));
        insertAll('tokens', ['hash', 'member_id', 'created_at', 'revoked_at'], tokenRows(agency));
        insertAll('posts', POST_COLUMNS, postRows(agency));
        insertAll('published_items', ['item_id', 'first_published_at'], publishedRows(agency));
      },
    );
    await timed(stages, `shares: ${agency.params.events.toLocaleString('en-US')} events generated and inserted`, () => {
      const stmt = raw.prepare(`INSERT INTO shares (${SHARE_COLUMNS.join(', ')}) VALUES (${SHARE_COLUMNS.map(() => '?').join(', ')})`);
      const day = raw.transaction((rows: ShareRow[]) => {
        for (const r of rows) stmt.run(...shareValues(r));
      });
      let done = 0;
      let d = 0;
      for (const rows of shareDays(agency, expect)) {
        day(rows);
        done += rows.length;
        if (++d % 10 === 0) log(`    day ${d}: ${done.toLocaleString('en-US')} events`);
      }
    });
    for (const [table, sql] of rollupStatements(SQLITE)) await timed(stages, `fill ${table}`, () => void raw.exec(sql));
    const result = await timed(stages, 'checks', () => checks({ all: async (sql, params = []) => db.all(sql, params) }, agency, expect));
    await timed(stages, 'checkpoint (WAL into the file)', () => {
      raw.pragma('synchronous = NORMAL');
      raw.pragma('foreign_keys = ON');
      raw.pragma('wal_checkpoint(TRUNCATE)');
    });
    return { backend: 'sqlite', stages, seconds: (performance.now() - t0) / 1000, ...result };
  } finally {
    await db.close();
  }
}

/** COPY text format: tab-separated, `\N` for null, backslash escapes. */
function copyLine(values: readonly Value[]): string {
  return `${values
    .map((v) => {
      if (v === null) return '\\N';
      if (Buffer.isBuffer(v)) return `\\\\x${v.toString('hex')}`;
      if (typeof v === 'number') return String(v);
      return v.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r');
    })
    .join('\t')}\n`;
}

async function copyInto(
  client: pg.Client,
  table: string,
  columns: readonly string[],
  chunks: AsyncIterable<string> | Iterable<string>,
): Promise<void> {
  await pipeline(Readable.from(chunks), client.query(copyFrom(`COPY ${table} (${columns.join(', ')}) FROM STDIN`)));
}

function* batched(rows: Iterable<Value[]>, size = 2000): Generator<string> {
  let buf = '';
  let n = 0;
  for (const r of rows) {
    buf += copyLine(r);
    if (++n % size === 0) {
      yield buf;
      buf = '';
    }
  }
  if (buf) yield buf;
}

/** PostgreSQL: the database `siar` in a running cluster. */
export async function generatePostgres(url: string, agency: Agency): Promise<GenerationReport> {
  const stages: Stage[] = [];
  const t0 = performance.now();
  const expect = newExpectation(agency);
  const db = await openDatabase(url);
  const client = new pg.Client({ connectionString: url, application_name: 'siar-scale-generate' });
  await client.connect();
  try {
    await timed(stages, 'schema (server migrations), units, codes, accounts, partitions (ensureMonth)', async () => {
      await seedAgency(db, agency);
      const months = new Set<string>();
      for (let t = agency.t0 - 3 * 86_400_000; t <= agency.t1 + 92 * 86_400_000; t += 86_400_000) months.add(wib(t).slice(0, 7));
      for (const m of months) await ensureMonth(db, m);
    });
    await client.query("SET work_mem = '1GB'");
    await client.query("SET maintenance_work_mem = '1GB'");
    await timed(
      stages,
      `members, tokens, posts (COPY; ${agency.members.length.toLocaleString('en-US')} members, ${agency.posts.length} posts)`,
      async () => {
        await copyInto(
          client,
          'members',
          ['id', 'nip', 'name', 'unit_id', 'created_at', 'updated_at', 'x_handle', 'revoked_at'],
          batched(memberRows(agency)),
        );
        // Identity columns were given explicit ids: the sequence must continue after them.
        await client.query("SELECT setval(pg_get_serial_sequence('members', 'id'), (SELECT MAX(id) FROM members))");
        await copyInto(client, 'tokens', ['hash', 'member_id', 'created_at', 'revoked_at'], batched(tokenRows(agency)));
        await copyInto(client, 'posts', POST_COLUMNS, batched(postRows(agency)));
        await copyInto(client, 'published_items', ['item_id', 'first_published_at'], batched(publishedRows(agency)));
      },
    );
    await timed(
      stages,
      `shares: ${agency.params.events.toLocaleString('en-US')} events generated and COPY'd into the partitions`,
      async () => {
        let done = 0;
        let d = 0;
        async function* chunks(): AsyncGenerator<string> {
          for (const rows of shareDays(agency, expect)) {
            let buf = '';
            for (let i = 0; i < rows.length; i++) {
              buf += copyLine(shareValues(rows[i]!));
              if (i % 2000 === 1999) {
                yield buf;
                buf = '';
              }
            }
            if (buf) yield buf;
            done += rows.length;
            if (++d % 10 === 0) log(`    day ${d}: ${done.toLocaleString('en-US')} events`);
          }
        }
        await copyInto(client, 'shares', SHARE_COLUMNS, chunks());
      },
    );
    for (const [table, sql] of rollupStatements(POSTGRES))
      await timed(stages, `fill ${table}`, () => client.query(sql).then(() => undefined));
    // Autovacuum would do this within minutes of a real load; the measured server should not
    // depend on when it got round to it.
    await timed(stages, 'VACUUM ANALYZE', () => client.query('VACUUM (ANALYZE)').then(() => undefined));
    const result = await timed(stages, 'checks', () =>
      checks({ all: async (sql, params = []) => (await client.query(sql, params)).rows as Record<string, unknown>[] }, agency, expect),
    );
    return { backend: 'postgres', stages, seconds: (performance.now() - t0) / 1000, ...result };
  } finally {
    await client.end();
    await db.close();
  }
}
