import type { ServerResponse } from 'node:http';
import type { Database } from '../db/sql';
import { csvLine } from './csv';

// Every share event as CSV, streamed a page at a time (keyset, never OFFSET): memory stays flat
// whatever the number of events, a slow client is waited for between pages, and no transaction
// is held open while it downloads, so ingest never waits for an export.

export const CSV_COLUMNS = [
  'id', 'nip', 'name', 'unit', 'item_id', 'feed_url', 'platform', 'action', 'at', 'post_url', 'received_at',
  'self_reported', 'verification',
] as const;

const PAGE = 2000;

type Row = Record<(typeof CSV_COLUMNS)[number], string | number | null> & { k1: string | number; k2: string };

/** Resolves when `res` can take more, or is gone. */
function drained(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

const SELECT = `SELECT shares.id, members.nip, members.name, units.name AS unit, shares.item_id, shares.feed_url,
    shares.platform, shares.action, shares.at, shares.post_url, shares.received_at, shares.self_reported, shares.verification`;

export async function streamSharesCsv(db: Database, res: ServerResponse): Promise<void> {
  // The byte order mark makes Excel read the file as UTF-8 rather than the locale's code page.
  res.write(`\uFEFF${csvLine(CSV_COLUMNS)}`);
  // SQLite walks its rowid; PostgreSQL (no rowid across partitions) the (received_at, id) index.
  const sqlite = db.dialect === 'sqlite';
  let k1: string | number = sqlite ? 0 : '';
  let k2 = '';
  for (;;) {
    const rows = sqlite
      ? await db.all<Row>(
          `${SELECT}, shares.rowid AS k1, '' AS k2 FROM shares JOIN members ON members.id = shares.member_id
           JOIN units ON units.id = members.unit_id WHERE shares.rowid > $1 ORDER BY shares.rowid LIMIT ${PAGE}`,
          [k1],
        )
      : await db.all<Row>(
          `${SELECT}, shares.received_at AS k1, shares.id AS k2 FROM shares JOIN members ON members.id = shares.member_id
           JOIN units ON units.id = members.unit_id WHERE (shares.received_at, shares.id) > ($1, $2)
           ORDER BY shares.received_at, shares.id LIMIT ${PAGE}`,
          [k1, k2],
        );
    const chunk = rows.map((row) => csvLine(CSV_COLUMNS.map((c) => row[c]))).join('');
    if (chunk && !res.write(chunk)) await drained(res);
    if (res.destroyed) return;
    if (rows.length < PAGE) break;
    k1 = rows.at(-1)!.k1;
    k2 = rows.at(-1)!.k2;
  }
  res.end();
}
