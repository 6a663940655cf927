import type { ServerResponse } from 'node:http';
import { StringDecoder } from 'node:string_decoder';
import { Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { to as copyTo } from 'pg-copy-streams';
import type { PostgresDatabase } from '../db/postgres';
import type { Database } from '../db/sql';
import { csvLine } from './csv';

// Every share event as CSV, streamed a page at a time (keyset, never OFFSET): memory stays flat
// whatever the number of events, a slow client is waited for between pages, and no transaction
// is held open while it downloads, so ingest never waits for an export.

export const CSV_COLUMNS = [
  'id',
  'nip',
  'name',
  'unit',
  'item_id',
  'feed_url',
  'platform',
  'action',
  'at',
  'post_url',
  'received_at',
  'self_reported',
  'verification',
] as const;

const PAGE = 2000;

type Row = Record<(typeof CSV_COLUMNS)[number], string | number | null> & { k: number };

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

/**
 * PostgreSQL's COPY text format (tab-separated, backslash escapes, `\N` for null) turned into our
 * guarded CSV a line at a time: the database streams, we only re-quote.
 */
export class CopyTextToCsv extends Transform {
  private rest = '';
  // A chunk may end inside a character of several bytes: the decoder keeps its first bytes.
  private readonly decoder = new StringDecoder('utf8');

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    const text = this.rest + this.decoder.write(chunk);
    const lines = text.split('\n');
    this.rest = lines.pop() ?? '';
    done(null, lines.map((line) => csvLine(line.split('\t').map(unescapeCopy))).join(''));
  }

  override _flush(done: TransformCallback): void {
    const rest = this.rest + this.decoder.end();
    done(null, rest ? csvLine(rest.split('\t').map(unescapeCopy)) : '');
  }
}

function unescapeCopy(field: string): string | null {
  if (field === '\\N') return null;
  return field.replace(/\\(.)/g, (_, c: string) => ({ n: '\n', r: '\r', t: '\t', b: '\b', f: '\f', v: '\v' })[c] ?? c);
}

/** Exports at a time per process: each holds a database connection while it streams. */
let exporting = 0;
export const MAX_EXPORTS = 2;

/** Whether another export must wait (checked before the answer starts). */
export function exportsBusy(): boolean {
  return exporting >= MAX_EXPORTS;
}

async function copyFromPostgres(db: PostgresDatabase, res: ServerResponse): Promise<void> {
  await db.session(async (client) => {
    // A long read under MVCC: it sees one snapshot and blocks no writer. Not bound by the
    // request statement timeout, which would cut a large export short.
    await client.query('BEGIN READ ONLY');
    try {
      await client.query('SET LOCAL statement_timeout = 0');
      const source = client.query(
        copyTo(`COPY (${SELECT} FROM shares JOIN members ON members.id = shares.member_id
          JOIN units ON units.id = members.unit_id ORDER BY shares.received_at, shares.id) TO STDOUT`),
      );
      await pipeline(source, new CopyTextToCsv(), res, { end: false });
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    }
  });
  res.end();
}

export async function streamSharesCsv(db: Database, res: ServerResponse): Promise<void> {
  // The byte order mark makes Excel read the file as UTF-8 rather than the locale's code page.
  res.write(`\uFEFF${csvLine(CSV_COLUMNS)}`);
  if (db.dialect === 'postgres') {
    exporting++;
    try {
      return await copyFromPostgres(db as PostgresDatabase, res);
    } finally {
      exporting--;
    }
  }
  // SQLite walks its rowid, a page at a time, each page its own short read.
  for (let last = 0; ;) {
    const rows = await db.all<Row>(
      `${SELECT}, shares.rowid AS k FROM shares JOIN members ON members.id = shares.member_id
       JOIN units ON units.id = members.unit_id WHERE shares.rowid > $1 ORDER BY shares.rowid LIMIT ${PAGE}`,
      [last],
    );
    const chunk = rows.map((row) => csvLine(CSV_COLUMNS.map((c) => row[c]))).join('');
    if (chunk && !res.write(chunk)) await drained(res);
    if (res.destroyed) return;
    if (rows.length < PAGE) break;
    last = rows.at(-1)!.k;
  }
  res.end();
}
