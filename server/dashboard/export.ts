import type { ServerResponse } from 'node:http';
import { Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { to as copyTo } from 'pg-copy-streams';
import { setTimeout as sleep } from 'node:timers/promises';
import { PG_APPLICATION_NAME, type PostgresDatabase } from '../db/postgres';
import type { Database } from '../db/sql';
import { ingestQuiet } from '../guard/ingest-first';
import { csvLine } from './csv';

// Every share event as CSV, streamed: memory stays flat whatever the number of events, a slow
// client is waited for, and ingest never waits for an export. SQLite: a page at a time (keyset,
// never OFFSET) on the read connection, the event loop free between pages. PostgreSQL: one COPY
// in a read-only snapshot, guarded and quoted by the database, passed through untouched but for
// line ends. Either way the export steps aside while this process stores a batch; on PostgreSQL
// also while any other server process uses the database (asked of pg_stat_activity), since
// there the processes behind the load balancer share the cores with the COPY.

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

/**
 * Rows per page on SQLite. Each page is read and formatted on the event loop between two turns of
 * the writer (a sub-batch of ingest), so a page is kept to a few milliseconds: with 1,000 rows each
 * 100 events of ingest waited for a whole page, and ingest piled up during an export.
 */
const PAGE = 250;

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

// PostgreSQL guards and quotes every cell itself, so its COPY output goes to the client as it
// comes: the same guard as csvCell (server/dashboard/csv.ts) as a regular expression, an
// apostrophe before `= + - @`, tab or CR wherever a spreadsheet could start a cell — at the start,
// and after a `,` `;` CR or LF (blanks and quotes between) — and FORCE_QUOTE on every cell.
const PG_FORMULA = `E'(^|[,;\\r\\n][[:space:]"'']*)([-=+@\\t\\r])'`;
const GUARD = `, ${PG_FORMULA}, E'\\\\1''\\\\2', 'g')`;

const PG_SELECT = `SELECT
  regexp_replace(shares.id${GUARD},
  regexp_replace(members.nip${GUARD},
  regexp_replace(members.name${GUARD},
  regexp_replace(units.name${GUARD},
  regexp_replace(shares.item_id${GUARD},
  regexp_replace(shares.feed_url${GUARD},
  regexp_replace(shares.platform${GUARD},
  regexp_replace(shares.action${GUARD},
  regexp_replace(shares.at${GUARD},
  regexp_replace(shares.post_url${GUARD},
  regexp_replace(shares.received_at${GUARD},
  shares.self_reported, regexp_replace(shares.verification${GUARD}`;

/**
 * COPY's CSV ends records with LF; ours (and RFC 4180's) with CRLF. A record ends at an LF outside
 * quotes: a byte scan that keeps the quote state across chunks (a quote is one byte in UTF-8, so a
 * chunk cut inside a character changes nothing).
 */
export class CsvLineEnds extends Transform {
  private quoted = false;

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    const parts: Buffer[] = [];
    let from = 0;
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i]!;
      if (b === 0x22) this.quoted = !this.quoted;
      else if (b === 0x0a && !this.quoted && chunk[i - 1] !== 0x0d) {
        parts.push(chunk.subarray(from, i), CR);
        from = i;
      }
    }
    if (parts.length === 0) return done(null, chunk);
    parts.push(chunk.subarray(from));
    done(null, Buffer.concat(parts));
  }
}
const CR = Buffer.from('\r');

/** The longest an export page or chunk waits for the batches being stored (server/guard/ingest-first.ts). */
const INGEST_WAIT_MS = 200;

/** How often, at most, the export asks PostgreSQL whether other server connections are at work. */
const PROBE_EVERY_MS = 50;

/**
 * While other server processes have been at work in the last BUSY_RECENTLY_MS, the export passes
 * at most this many bytes a second. Pausing alone reacts late: COPY fills the socket's buffers
 * (megabytes) before it notices, so under steady ingest it ran flat out between the pauses. At
 * this rate its backend works about half the time, and the export takes about twice as long.
 */
export const SHARED_EXPORT_BYTES_PER_S = 12 * 1024 * 1024;
const BUSY_RECENTLY_MS = 2_000;

/** How long to wait before passing `bytes` more, at `bytesPerS`, `sinceMs` after the last pass. */
export function paceDelay(bytes: number, sinceMs: number, bytesPerS: number): number {
  return Math.max(0, (bytes / bytesPerS) * 1000 - sinceMs);
}

/**
 * Connections of any Siar server process, other than the asking one and the COPY's, running a
 * statement or inside a transaction: ingest elsewhere. Another export's COPY is not ingest (two
 * exports that each waited for the other would both crawl). The server's pool names its connections.
 */
export const PG_OTHERS_AT_WORK = `SELECT COUNT(*) AS n FROM pg_stat_activity
  WHERE application_name = '${PG_APPLICATION_NAME}' AND backend_type = 'client backend'
    AND pid <> pg_backend_pid() AND pid <> $1 AND state IN ('active', 'idle in transaction')
    AND query NOT LIKE 'COPY %'`;

/**
 * Passes COPY's chunks on once no batch is being stored, here or (on PostgreSQL) in another
 * server process: while it waits, the socket from PostgreSQL fills and its COPY pauses, leaving
 * the cores to ingest. Waits at most INGEST_WAIT_MS a chunk: steady ingest slows an export, it
 * never stops it.
 */
export class IngestFirst extends Transform {
  private probedAt = -Infinity;
  private othersBusy = false;
  private busySeenAt = -Infinity;
  private passedAt = -Infinity;

  constructor(
    private readonly othersAtWork?: () => Promise<boolean>,
    private readonly waitMs = INGEST_WAIT_MS,
  ) {
    super();
  }

  private async quiet(): Promise<void> {
    const until = performance.now() + this.waitMs;
    await ingestQuiet(this.waitMs);
    if (!this.othersAtWork) return;
    for (;;) {
      const now = performance.now();
      if (now - this.probedAt >= PROBE_EVERY_MS) {
        this.probedAt = now;
        // A probe that fails costs the export nothing: it goes on as if no one were at work.
        this.othersBusy = await this.othersAtWork().catch(() => false);
        if (this.othersBusy) this.busySeenAt = performance.now();
      }
      if (!this.othersBusy || performance.now() >= until) return;
      await sleep(PROBE_EVERY_MS);
    }
  }

  /** Paced while others have been at work lately (PostgreSQL only: it has the probe). */
  private async paced(bytes: number): Promise<void> {
    const now = performance.now();
    if (this.othersAtWork && now - this.busySeenAt < BUSY_RECENTLY_MS) {
      const delay = paceDelay(bytes, now - this.passedAt, SHARED_EXPORT_BYTES_PER_S);
      if (delay > 0) await sleep(delay);
    }
    this.passedAt = performance.now();
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    void this.quiet()
      .then(() => this.paced(chunk.length))
      .then(() => done(null, chunk));
  }
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
    const copyPid = Number((await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid);
    const othersAtWork = async () => Number((await db.get<{ n: number }>(PG_OTHERS_AT_WORK, [copyPid]))?.n ?? 0) > 0;
    await client.query('BEGIN READ ONLY');
    try {
      await client.query('SET LOCAL statement_timeout = 0');
      const source = client.query(
        copyTo(`COPY (${PG_SELECT} FROM shares JOIN members ON members.id = shares.member_id
          JOIN units ON units.id = members.unit_id ORDER BY shares.received_at, shares.id)
          TO STDOUT (FORMAT csv, FORCE_QUOTE *)`),
      );
      await pipeline(source, new IngestFirst(othersAtWork), new CsvLineEnds(), res, { end: false });
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
    // Each page is read and formatted on the event loop: give the requests waiting a turn, and
    // let the batches being stored finish first.
    await new Promise<void>((resolve) => setImmediate(resolve));
    await ingestQuiet(INGEST_WAIT_MS);
  }
  res.end();
}
