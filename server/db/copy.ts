import { ensureMonth } from './partitions';
import { valuesList, type Database, type Param } from './sql';

// Moving up: a regency's SQLite database copied into PostgreSQL (`npm run agency -- migrate
// --to postgres://…`). Both are brought to the same schema first; every table is copied in key
// order, a page at a time; what is append-only is inserted once (a second run adds only what is
// new), what changes (posts, counters) takes the source's values. Then counts and sums are
// compared on both sides. Sessions, rate buckets, failure counters and leases are not copied:
// they are short-lived, and everyone simply logs in again.

interface Table {
  name: string;
  columns: readonly string[];
  key: readonly string[];
  /** Overwrite a row that exists (it can change at the source); otherwise keep the first copy. */
  update?: boolean;
  /** A numeric key to page on (`rowid` for tables without one). */
  order: string;
  /** Identity column whose sequence must follow the copied ids. */
  identity?: string;
}

const T = (name: string, columns: string, key: string, extra: Partial<Table> = {}): Table => ({
  name,
  columns: columns.split(/\s*,\s*/),
  key: key.split(/\s*,\s*/),
  order: key.split(/\s*,\s*/).join(', '),
  ...extra,
});

// Parents before children, so foreign keys hold at every step.
export const TABLES: readonly Table[] = [
  T('units', 'id, name, created_at, slug, archived_at', 'id', { update: true, identity: 'id' }),
  T('enroll_codes', 'code, unit_id, created_at', 'code', { update: true }),
  T('members', 'id, nip, name, unit_id, created_at, updated_at, x_handle, revoked_at', 'id', { update: true, identity: 'id' }),
  T('tokens', 'hash, member_id, created_at, revoked_at', 'hash', { update: true }),
  T('roster', 'nip, name, unit_id, updated_at', 'nip', { update: true }),
  T('accounts', 'id, username, name, role, unit_id, password_hash, created_at, updated_at, disabled_at, last_login_at', 'id', {
    update: true,
    identity: 'id',
  }),
  T('personal_codes', 'id, nip, code_hash, issued_by, created_at, expires_at, used_at', 'id', { update: true, identity: 'id' }),
  T('campaigns', 'slug, name, created_at, archived_at', 'slug', { update: true }),
  T('media', 'id, kind, mime, sha256, bytes, width, height, duration_ms, poster_id, file, removed, uploaded_by, created_at', 'id', {
    update: true,
  }),
  T(
    'posts',
    'id, unit_id, author_id, status, version, title, body, captions, hashtags, url, media, campaign, priority, publish_at, expires_at, created_at, updated_at, submitted_at, approved_by, approved_at, published_at, withdrawn_at, withdraw_reason',
    'id',
    { update: true },
  ),
  T('post_comments', 'id, post_id, account_id, kind, body, at', 'id', { identity: 'id' }),
  T('audit_log', 'id, at, account_id, username, action, post_id, subject, before_json, after_json', 'id', { identity: 'id' }),
  T(
    'feed_versions',
    'version, issued_at, body, etag, signature, items, state, reason, restored_from, created_by, created_at, live_at',
    'version',
    { update: true },
  ),
  T('published_items', 'item_id, first_published_at', 'item_id'),
  T('alerts', 'id, at, kind, subject, detail', 'id', { identity: 'id' }),
  T('verified_posts', 'status_id, member_id, at', 'status_id'),
  T('verify_jobs', 'share_id, member_id, item_id, platform, post_url, attempts, next_at', 'share_id', { update: true }),
  T(
    'shares',
    'id, member_id, item_id, feed_url, platform, action, at, post_url, received_at, day, unit_id, self_reported, verification',
    'id, day',
    { order: 'rowid' },
  ),
  T('posted_firsts', 'member_id, item_id, platform, unit_id, day, self_reported, verified', 'member_id, item_id, platform', {
    update: true,
  }),
  T('member_items', 'member_id, item_id, unit_id', 'member_id, item_id'),
  T('member_weeks', 'member_id, week', 'member_id, week'),
  T('rollup_unit', 'unit_id, members, events, posted, posted_self, posted_verified', 'unit_id', { update: true }),
  T('rollup_unit_day', 'unit_id, day, events, posted, posted_self', 'unit_id, day', { update: true }),
  T('rollup_unit_week', 'unit_id, week, active', 'unit_id, week', { update: true }),
  T('rollup_platform_day', 'platform, day, posted, posted_self', 'platform, day', { update: true }),
  T('rollup_item', 'item_id, posted, members', 'item_id', { update: true }),
  T('rollup_item_unit', 'item_id, unit_id, posted, members', 'item_id, unit_id', { update: true }),
  T('rollup_member', 'member_id, events, posted, posted_self, posted_verified', 'member_id', { update: true }),
  T('rollup_member_platform', 'member_id, platform, posted', 'member_id, platform', { update: true }),
  T('rollup_member_day', 'member_id, day, events', 'member_id, day', { update: true }),
];

/** Sums compared on both sides after the copy, beside every table's row count. */
const SUMS = [
  'SELECT COALESCE(SUM(events), 0) AS n FROM rollup_unit',
  'SELECT COALESCE(SUM(posted), 0) AS n FROM rollup_unit',
  'SELECT COALESCE(SUM(members), 0) AS n FROM rollup_unit',
  "SELECT COUNT(*) AS n FROM shares WHERE action = 'posted'",
  'SELECT COUNT(*) AS n FROM (SELECT DISTINCT member_id, item_id, platform FROM posted_firsts) AS d',
] as const;

const PAGE = 1000;

export interface CopyReport {
  tables: { name: string; source: number; target: number; copied: number }[];
  sums: { sql: string; source: number; target: number }[];
  ok: boolean;
}

function statement(table: Table, rows: number): string {
  const cols = table.columns.join(', ');
  const conflict = table.key.join(', ');
  const rest = table.columns.filter((c) => !table.key.includes(c));
  const onConflict =
    table.update && rest.length > 0
      ? `ON CONFLICT (${conflict}) DO UPDATE SET ${rest.map((c) => `${c} = excluded.${c}`).join(', ')}`
      : `ON CONFLICT (${conflict}) DO NOTHING`;
  return `INSERT INTO ${table.name} (${cols}) VALUES ${valuesList(rows, table.columns.length)} ${onConflict}`;
}

async function count(db: Database, table: string): Promise<number> {
  return Number((await db.get<{ n: number }>(`SELECT COUNT(*) AS n FROM ${table}`))!.n);
}

export async function copyDatabase(source: Database, target: Database, log: (line: string) => void = () => undefined): Promise<CopyReport> {
  if (source.dialect !== 'sqlite' || target.dialect !== 'postgres') throw new Error('copies a SQLite database into PostgreSQL');
  const report: CopyReport = { tables: [], sums: [], ok: true };
  // Months the events fall in get their partitions first, so none lands in the default one.
  const months = await source.all<{ m: string }>('SELECT DISTINCT substr(day, 1, 7) AS m FROM shares WHERE day IS NOT NULL');
  for (const { m } of months) await ensureMonth(target, m);
  for (const table of TABLES) {
    let copied = 0;
    const cols = table.columns.map((c) => (table.name === 'media' && c === 'poster_id' ? 'NULL AS poster_id' : c)).join(', ');
    const paged = table.order === 'rowid' ? `rowid AS k, ${cols}` : cols;
    for (let offset = 0, last: number | undefined; ;) {
      const rows =
        table.order === 'rowid'
          ? await source.all<Record<string, Param>>(`SELECT ${paged} FROM ${table.name} WHERE rowid > $1 ORDER BY rowid LIMIT ${PAGE}`, [
              last ?? 0,
            ])
          : await source.all<Record<string, Param>>(`SELECT ${paged} FROM ${table.name} ORDER BY ${table.order} LIMIT ${PAGE} OFFSET $1`, [
              offset,
            ]);
      if (rows.length === 0) break;
      await target.tx(async (q) => {
        await q.run(
          statement(table, rows.length),
          rows.flatMap((r) => table.columns.map((c) => r[c] ?? null)),
        );
      });
      copied += rows.length;
      offset += rows.length;
      last = Number(rows.at(-1)!.k ?? 0);
      if (rows.length < PAGE) break;
    }
    if (table.name === 'media') {
      for (const row of await source.all<{ id: string; poster_id: string }>(
        'SELECT id, poster_id FROM media WHERE poster_id IS NOT NULL',
      )) {
        await target.run('UPDATE media SET poster_id = $2 WHERE id = $1', [row.id, row.poster_id]);
      }
    }
    if (table.identity) {
      await target.run(
        `SELECT setval(pg_get_serial_sequence('${table.name}', '${table.identity}'), GREATEST(COALESCE(MAX(${table.identity}), 0), 1)) FROM ${table.name}`,
      );
    }
    const [s, t] = [await count(source, table.name), await count(target, table.name)];
    report.tables.push({ name: table.name, source: s, target: t, copied });
    if (s !== t) report.ok = false;
    log(`${table.name.padEnd(24)} ${String(s).padStart(10)} → ${String(t).padStart(10)}${s === t ? '' : '  ≠'}`);
  }
  const current = await source.get<{ version: number | null; pending: number | null; changed_at: string }>(
    'SELECT version, pending, changed_at FROM feed_current WHERE id = 1',
  );
  await target.run('UPDATE feed_current SET version = $1, pending = $2, changed_at = $3 WHERE id = 1', [
    current?.version ?? null,
    current?.pending ?? null,
    current?.changed_at ?? new Date(0).toISOString(),
  ]);
  for (const sql of SUMS) {
    const [s, t] = [Number((await source.get<{ n: number }>(sql))!.n), Number((await target.get<{ n: number }>(sql))!.n)];
    report.sums.push({ sql, source: s, target: t });
    if (s !== t) report.ok = false;
  }
  return report;
}
