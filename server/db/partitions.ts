import type { Database, Queryable } from './sql';

// PostgreSQL keeps share events in one partition per month of the event's own day. Partitions
// are made ahead of time (this month and the next two), so the default partition stays empty and
// an old month can be archived and dropped whole (`npm run agency -- archive`). SQLite has one
// table and nothing to do here.

const pad = (n: number) => String(n).padStart(2, '0');

/** `{ name: 'shares_2026_12', from: '2026-12-01', to: '2027-01-01' }` for the month of `ms`. */
export function monthPartition(ms: number): { name: string; from: string; to: string } {
  const d = new Date(ms);
  const y = d.getUTCFullYear();
  const m = d.getUTCMonth();
  const next = new Date(Date.UTC(y, m + 1, 1));
  return {
    name: `shares_${y}_${pad(m + 1)}`,
    from: `${y}-${pad(m + 1)}-01`,
    to: `${next.getUTCFullYear()}-${pad(next.getUTCMonth() + 1)}-01`,
  };
}

/**
 * A partition's name and bounds go into DDL as text (PostgreSQL takes no parameters there): they
 * are made from dates here and checked against their only possible shapes before use.
 */
export function partitionName(name: string): string {
  if (!/^shares_\d{4}_\d{2}$/.test(name)) throw new Error(`not a partition name: ${name}`);
  return name;
}

export function partitionBound(day: string): string {
  if (!/^\d{4}-\d{2}-01$/.test(day)) throw new Error(`not a month bound: ${day}`);
  return `'${day}'`;
}

export async function lockFor(q: Queryable, name: string): Promise<void> {
  // Two processes doing the same one-off work (seeding, partitions) take turns; SQLite's write
  // transactions are already one at a time.
  if (q.dialect === 'postgres') await q.run('SELECT pg_advisory_xact_lock(hashtext($1))', [name]);
}

/** Makes the partition of one month (`YYYY-MM`) unless it exists; true when it was made. */
export async function ensureMonth(db: Database, month: string): Promise<boolean> {
  if (db.dialect !== 'postgres') return false;
  const [y, m] = month.split('-').map(Number);
  const p = monthPartition(Date.UTC(y!, m! - 1, 1));
  return db.tx(async (q) => {
    await lockFor(q, 'siar-partitions');
    const exists = await q.get("SELECT 1 AS ok FROM pg_class WHERE relname = $1 AND relkind IN ('r', 'p')", [p.name]);
    if (exists) return false;
    // Rows that landed in the default partition for this month (none, normally) move in.
    const stray = await q.get<{ n: number }>('SELECT COUNT(*) AS n FROM shares_default WHERE day >= $1 AND day < $2', [p.from, p.to]);
    if (Number(stray?.n ?? 0) > 0) {
      await q.exec(`CREATE TABLE ${partitionName(p.name)} (LIKE shares INCLUDING DEFAULTS)`);
      await q.run(`INSERT INTO ${partitionName(p.name)} SELECT * FROM shares_default WHERE day >= $1 AND day < $2`, [p.from, p.to]);
      await q.run('DELETE FROM shares_default WHERE day >= $1 AND day < $2', [p.from, p.to]);
      await q.exec(
        `ALTER TABLE shares ATTACH PARTITION ${partitionName(p.name)} FOR VALUES FROM (${partitionBound(p.from)}) TO (${partitionBound(p.to)})`,
      );
    } else {
      await q.exec(
        `CREATE TABLE ${partitionName(p.name)} PARTITION OF shares FOR VALUES FROM (${partitionBound(p.from)}) TO (${partitionBound(p.to)})`,
      );
    }
    return true;
  });
}

/** Makes the partitions for last month, this month and the next two (those that are missing). */
export async function ensurePartitions(db: Database, now = Date.now()): Promise<string[]> {
  if (db.dialect !== 'postgres') return [];
  const made: string[] = [];
  const d = new Date(now);
  for (let k = -1; k <= 2; k++) {
    const p = monthPartition(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + k, 1));
    if (await ensureMonth(db, p.from.slice(0, 7))) made.push(p.name);
  }
  return made;
}

/** The monthly partitions that hold only days before `before` (`YYYY-MM-01`). */
export async function partitionsBefore(db: Database, before: string): Promise<{ name: string; to: string }[]> {
  if (db.dialect !== 'postgres') return [];
  const rows = await db.all<{ name: string }>(
    "SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = 'shares' AND c.relname LIKE 'shares\\_____\\___' ORDER BY c.relname",
  );
  return rows
    .map((r) => {
      const [, y, m] = /^shares_(\d{4})_(\d{2})$/.exec(r.name)!;
      return { name: r.name, to: monthPartition(Date.UTC(Number(y), Number(m), 1)).from };
    })
    .filter((p) => p.to <= before);
}
