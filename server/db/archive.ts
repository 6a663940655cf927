import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { createGzip } from 'node:zlib';
import { csvLine } from '../dashboard/csv';
import { partitionName, partitionsBefore } from './partitions';
import type { PostgresDatabase } from './postgres';
import type { Database } from './sql';

// Old share events leave the live database as compressed CSV files (`npm run agency -- archive
// --before 2026-01 --out DIR`): a whole monthly partition on PostgreSQL, dropped in one step; on
// SQLite, the rows deleted a page at a time. Every count the dashboard and the members' summaries
// show lives in the rollups and stays. Events older than 30 days are refused anyway, so none of
// the archived ones can come back.

const COLUMNS = [
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
const PAGE = 5000;

export interface ArchiveResult {
  file: string;
  rows: number;
}

async function writeCsv(file: string, rows: AsyncIterable<string>): Promise<void> {
  await pipeline(Readable.from(rows), createGzip(), createWriteStream(file, { mode: 0o600 }));
}

/** Archives every event of a month before `before` (`YYYY-MM`) into `outDir`. */
export async function archiveBefore(db: Database, before: string, outDir: string): Promise<ArchiveResult[]> {
  if (!/^\d{4}-\d{2}$/.test(before)) throw new Error('--before is a month: YYYY-MM');
  const bound = `${before}-01`;
  await mkdir(outDir, { recursive: true, mode: 0o700 });
  const done: ArchiveResult[] = [];
  if (db.dialect === 'postgres') {
    for (const p of await partitionsBefore(db, bound)) {
      const file = join(outDir, `${p.name}.csv.gz`);
      let rows = 0;
      const name = partitionName(p.name);
      async function* lines() {
        yield csvLine(COLUMNS);
        for (let last = ''; ;) {
          const page = await db.all<Record<string, string | number | null>>(
            `SELECT ${COLUMNS.join(', ')} FROM ${name} WHERE id > $1 ORDER BY id LIMIT ${PAGE}`,
            [last],
          );
          for (const r of page) yield csvLine(COLUMNS.map((c) => r[c] ?? null));
          rows += page.length;
          if (page.length < PAGE) return;
          last = String(page.at(-1)!.id);
        }
      }
      await writeCsv(file, lines());
      await (db as PostgresDatabase).tx(async (q) => {
        await q.exec(`DROP TABLE ${name}`);
      });
      done.push({ file, rows });
    }
    return done;
  }
  const file = join(outDir, `shares_before_${before.replace('-', '_')}.csv.gz`);
  let rows = 0;
  async function* lines() {
    yield csvLine(COLUMNS);
    for (let last = 0; ;) {
      const page = await db.all<Record<string, string | number | null> & { k: number }>(
        `SELECT rowid AS k, ${COLUMNS.join(', ')} FROM shares WHERE day < $1 AND rowid > $2 ORDER BY rowid LIMIT ${PAGE}`,
        [bound, last],
      );
      for (const r of page) yield csvLine(COLUMNS.map((c) => r[c] ?? null));
      rows += page.length;
      if (page.length < PAGE) return;
      last = page.at(-1)!.k;
    }
  }
  await writeCsv(file, lines());
  // Deleted in pages, each its own short transaction: ingest goes on meanwhile.
  for (;;) {
    const { changes } = await db.run(`DELETE FROM shares WHERE rowid IN (SELECT rowid FROM shares WHERE day < $1 LIMIT ${PAGE})`, [bound]);
    if (changes === 0) break;
  }
  done.push({ file, rows });
  return done;
}
