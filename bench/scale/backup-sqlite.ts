// An online backup of the server's SQLite file from another process, with better-sqlite3's
// backup API (the sqlite3 CLI's `.backup` is not installed here):
//
//   node --import tsx bench/scale/backup-sqlite.ts SOURCE.db DEST.db
//
// Prints one JSON line: seconds, pages, restarts seen, bytes. SQLite restarts a backup from the
// first page whenever another connection writes to the source between two steps; with the default
// 100 pages a step and a server ingesting all the time, that can go on forever (issue 12: "not
// finished after 80 s"). So after the first step this asks for all remaining pages in one step:
// one read transaction, one consistent snapshot (WAL: the server keeps writing meanwhile).
import { statSync } from 'node:fs';
import Database from 'better-sqlite3';

const [source, dest] = process.argv.slice(2);
if (!source || !dest) {
  console.error('usage: backup-sqlite.ts SOURCE DEST');
  process.exit(2);
}
const db = new Database(source, { readonly: true, fileMustExist: true });
const t0 = performance.now();
let steps = 0;
let restarts = 0;
let lastRemaining = Infinity;
const result = await db.backup(dest, {
  progress({ totalPages, remainingPages }) {
    steps++;
    if (remainingPages > lastRemaining) restarts++;
    lastRemaining = remainingPages;
    return Math.max(totalPages, 100);
  },
});
const seconds = (performance.now() - t0) / 1000;
db.close();
const check = new Database(dest, { readonly: true });
const tables = (check.prepare("SELECT COUNT(*) AS n FROM sqlite_master WHERE type = 'table'").get() as { n: number }).n;
const maxRowid = (check.prepare('SELECT MAX(rowid) AS n FROM shares').get() as { n: number }).n;
check.close();
console.log(JSON.stringify({ seconds, totalPages: result.totalPages, steps, restarts, bytes: statSync(dest).size, tables, maxRowid }));
