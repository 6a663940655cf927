// @vitest-environment node
// Nothing heavy on the request path (issue 12's misses at 10 million events): SQLite writers never
// checkpoint and plain reads never queue behind transactions; ingest gives the event loop turns;
// a full ingest queue answers 503 at once; PostgreSQL's duplicate check prunes partitions; member
// lists walk their indexes. Orders and counts are asserted, never times.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { openDatabase } from '../../server/db/database';
import { ensureMonth, monthPartition } from '../../server/db/partitions';
import type { PostgresDatabase } from '../../server/db/postgres';
import { positional, type Database } from '../../server/db/sql';
import { SqliteDatabase } from '../../server/db/sqlite';
import { coverageMembers, NOT_POSTED } from '../../server/dashboard/coverage';
import { configFromEnv } from '../../server/env';
import { PG_STORED, ShareIngest, SUB_BATCH } from '../../server/tally/ingest';
import { searchMembers } from '../../server/tally/members';
import { SMALL_BATCH_BYTES } from '../../server/tally/routes';
import { feedKey } from '../../server/tally/validate';
import { BACKENDS, freshDatabase, nip, startAgency, type Backend } from '../support/agency';
import { createDatabaseAt } from '../support/postgres';

const dir = mkdtempSync(join(tmpdir(), 'siar-path-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('SQLite: the WAL is checkpointed by the job, never by a writer', () => {
  it('writers leave the WAL alone however large it grows; checkpoint() copies all of it off the event loop', async () => {
    const file = join(dir, 'wal.db');
    const db = new SqliteDatabase(file);
    try {
      expect(await db.writerPragma('wal_autocheckpoint')).toBe(0);
      await db.exec('CREATE TABLE t (b BLOB)');
      const before = statSync(file).size;
      // 2,400 pages of 4 KiB in 12 commits: SQLite's default would checkpoint past 1,000 pages.
      for (let i = 0; i < 12; i++) {
        await db.tx(async (q) => {
          await q.run(`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 200)
                       INSERT INTO t SELECT randomblob(4000) FROM n`);
        });
      }
      // Everything is still in the WAL: the database file has not grown.
      expect(statSync(file).size).toBe(before);
      expect(statSync(`${file}-wal`).size).toBeGreaterThan(2000 * 4096);

      const r = await db.checkpoint();
      expect(r.mode).toBe('PASSIVE');
      expect(r.log).toBeGreaterThan(2000);
      expect(r.checkpointed).toBe(r.log);
      expect(statSync(file).size).toBeGreaterThan(2000 * 4096);
      // The next write starts the WAL over from its beginning: the file does not grow.
      const wal = statSync(`${file}-wal`).size;
      await db.run("INSERT INTO t VALUES (x'00')");
      expect(statSync(`${file}-wal`).size).toBe(wal);
      expect((await db.get<{ n: number }>('SELECT COUNT(*) AS n FROM t'))!.n).toBe(2401);
    } finally {
      await db.close();
    }
  });

  it('a WAL file past its limit is emptied by the checkpoint; below it, left for the next write to reuse', async () => {
    for (const [limit, mode] of [
      [1024 * 1024, 'TRUNCATE'],
      [64 * 1024 * 1024, 'PASSIVE'],
    ] as const) {
      const file = join(dir, `limit-${limit}.db`);
      const db = new SqliteDatabase(file, limit);
      try {
        await db.exec('CREATE TABLE t (b BLOB)');
        for (let i = 0; i < 4; i++) await db.run('INSERT INTO t VALUES (randomblob(500000))');
        const wal = statSync(`${file}-wal`).size;
        expect(wal).toBeGreaterThan(1024 * 1024);
        const r = await db.checkpoint();
        expect(r.mode).toBe(mode);
        expect(r.checkpointed).toBe(r.log);
        expect(r.walBytes).toBe(mode === 'TRUNCATE' ? 0 : wal);
        expect(statSync(`${file}-wal`).size).toBe(r.walBytes);
        expect((await db.get<{ n: number }>('SELECT COUNT(*) AS n FROM t'))!.n).toBe(4);
      } finally {
        await db.close();
      }
    }
  });

  it('closing the database closes every file the writer and checkpoint threads opened', async () => {
    const file = join(dir, 'fds.db');
    const open = () =>
      readdirSync('/proc/self/fd').filter((fd) => {
        try {
          return readlinkSync(`/proc/self/fd/${fd}`).startsWith(file);
        } catch {
          return false; // closed between the listing and the look
        }
      }).length;
    const db = new SqliteDatabase(file);
    await db.exec('CREATE TABLE t (b BLOB)');
    for (let i = 0; i < 3; i++) await db.run('INSERT INTO t VALUES (randomblob(100000))');
    // The checkpoint thread opens the file twice: its connection and the descriptor it flushes.
    const r = await db.checkpoint();
    expect(r.checkpointed).toBe(r.log);
    expect(open()).toBeGreaterThan(0);
    await db.close();
    expect(open()).toBe(0);
  });

  it('statements sent behind one that made SQLite roll the transaction back never run outside it', async () => {
    const db = new SqliteDatabase(join(dir, 'aborted.db'));
    try {
      await db.exec(`CREATE TABLE t (n INTEGER);
        CREATE TABLE boom (n INTEGER);
        CREATE TRIGGER boom_rolls_back BEFORE INSERT ON boom BEGIN SELECT RAISE(ROLLBACK, 'boom'); END;`);
      // Sent together, as the ingest sends its counter statements: the second ends the transaction.
      let behind: Promise<unknown> | undefined;
      const sent = db.tx((q) => {
        const first = [q.run('INSERT INTO t VALUES (1)'), q.run('INSERT INTO boom VALUES (1)')];
        behind = q.run('INSERT INTO t VALUES (2)');
        return Promise.all([...first, behind]);
      });
      await expect(sent).rejects.toThrow('boom');
      await expect(behind).rejects.toThrow('not run');
      expect(await db.all('SELECT n FROM t')).toEqual([]);
      // The next transaction runs as usual.
      await db.tx(async (q) => void (await q.run('INSERT INTO t VALUES (3)')));
      expect(await db.all('SELECT n FROM t')).toEqual([{ n: 3 }]);
    } finally {
      await db.close();
    }
  });

  it('/healthz answers 503 once the writer thread has stopped, though reads still work', async () => {
    const s = await startAgency('sqlite');
    const db = s.agency.db as SqliteDatabase;
    try {
      expect((await s.call('/healthz')).status).toBe(200);
      // Nothing in the server stops the thread on purpose; a crash in it is what this stands for.
      const thread = (db as unknown as { writer: { thread: { worker: { terminate(): Promise<number> } } } }).writer.thread;
      await thread.worker.terminate();
      expect(db.writerStopped()).toBeInstanceOf(Error);
      expect((await s.call('/feed.json')).status).toBe(200);
      const res = await s.call('/healthz');
      expect(res.status).toBe(503);
      expect(await res.json()).toMatchObject({ error: 'unavailable' });
    } finally {
      await s.close();
    }
  });

  it('a checkpoint that must empty the WAL while a reader holds it never makes a write busy (no 503)', async () => {
    const file = join(dir, 'held.db');
    const db = new SqliteDatabase(file, 1024 * 1024);
    // A reader outside the server (a backup) in the middle of its read: the WAL cannot be emptied.
    const outside = new BetterSqlite3(file, { readonly: true });
    try {
      await db.exec('CREATE TABLE t (b BLOB)');
      outside.exec('BEGIN');
      outside.prepare('SELECT COUNT(*) AS n FROM t').get();
      for (let i = 0; i < 4; i++) await db.run('INSERT INTO t VALUES (randomblob(500000))');

      // Steady ingest while the checkpoint runs: transactions and plain writes, one after another.
      let done = false;
      let writes = 0;
      const failures: unknown[] = [];
      const ingest = (async () => {
        while (!done) {
          try {
            await db.tx(async (q) => void (await q.run('INSERT INTO t VALUES (randomblob(100))')));
            await db.run('INSERT INTO t VALUES (randomblob(100))');
            writes += 2;
          } catch (error) {
            failures.push(error);
          }
          await new Promise((resolve) => setTimeout(resolve, 1));
        }
      })();
      const r = await db.checkpoint().finally(() => (done = true));
      await ingest;
      expect(failures).toEqual([]);
      expect(writes).toBeGreaterThan(0);
      // It could not empty what the reader still uses, and said so by leaving the file.
      expect(r.mode).toBe('TRUNCATE');
      expect(r.walBytes).toBeGreaterThan(0);

      // Once the reader is gone the same job empties it.
      outside.exec('COMMIT');
      const after = await db.checkpoint();
      expect(after.mode).toBe('TRUNCATE');
      expect(after.walBytes).toBe(0);
      expect((await db.get<{ n: number }>('SELECT COUNT(*) AS n FROM t'))!.n).toBe(4 + writes);
    } finally {
      outside.close();
      await db.close();
    }
  });

  it('under steady writes the checkpoint still lets the WAL start over, so it stays bounded', async () => {
    const file = join(dir, 'restart.db');
    // The WAL starts over once it holds more than 256 KiB, when the copy keeps up with the writes;
    // past 2 MiB it is emptied in the write queue's turn whether or not it kept up.
    const db = new SqliteDatabase(file, 2 * 1024 * 1024, 256 * 1024);
    // The WAL header's checkpoint sequence number and salts change each time the WAL starts over.
    const header = () => readFileSync(`${file}-wal`).subarray(12, 24).toString('hex');
    try {
      await db.exec('CREATE TABLE t (b BLOB)');
      let done = false;
      let commits = 0;
      const ingest = (async () => {
        while (!done) {
          await db.tx(async (q) => void (await q.run('INSERT INTO t VALUES (randomblob(20000))')));
          commits++;
        }
      })();
      const headers = [header()];
      for (let i = 0; i < 3; i++) {
        // About 3 MB of new WAL between two checkpoints, as a second of ingest would write.
        const until = commits + 150;
        while (commits < until) await turn();
        await db.checkpoint();
        await db.tx(async (q) => void (await q.run('INSERT INTO t VALUES (randomblob(20000))')));
        headers.push(header());
      }
      done = true;
      await ingest;
      expect(new Set(headers).size).toBe(headers.length);
    } finally {
      await db.close();
    }
  });

  it('the server runs the checkpoint as a job', async () => {
    const s = await startAgency('sqlite');
    try {
      const runs: string[] = [];
      const original = (s.agency.db as SqliteDatabase).checkpoint.bind(s.agency.db);
      (s.agency.db as SqliteDatabase).checkpoint = async () => {
        runs.push('checkpoint');
        return original();
      };
      s.agency.jobs.start();
      while (runs.length === 0) await new Promise((resolve) => setTimeout(resolve, 20));
      expect(runs).toContain('checkpoint');
    } finally {
      await s.close();
    }
  });
});

describe('SQLite: reads and writes wait for the open transaction, not the queue behind it', () => {
  it('a SELECT answers at once from the read connection; a write goes between two queued transactions', async () => {
    const db = new SqliteDatabase(join(dir, 'queue.db'));
    try {
      await db.exec('CREATE TABLE t (n INTEGER)');
      const order: string[] = [];
      let started = false;
      const txs = Array.from({ length: 20 }, (_, i) =>
        db.tx(async (q) => {
          started = true;
          await q.run('INSERT INTO t VALUES ($1)', [i]);
          for (let k = 0; k < 3; k++) await turn();
          order.push(`tx${i}`);
        }),
      );
      while (!started) await turn();
      const read = db.get<{ n: number }>('SELECT COUNT(*) AS n FROM t').then((r) => order.push(`read:${r!.n}`));
      const write = db.run('INSERT INTO t VALUES (-1)').then(() => order.push('write'));
      await Promise.all([...txs, read, write]);
      // The read saw the last commit (nothing yet) and did not wait for the transaction.
      expect(order[0]).toBe('read:0');
      // The write waited for the open transaction only.
      expect(order.indexOf('write')).toBeLessThan(order.indexOf('tx2'));
      expect((await db.get<{ n: number }>('SELECT COUNT(*) AS n FROM t'))!.n).toBe(21);
    } finally {
      await db.close();
    }
  });

  it('ingesting a batch of 500 gives the event loop a turn every sub-batch', async () => {
    const s = await startAgency('sqlite');
    try {
      await s.member(1);
      const member = await s.agency.db.get<{ id: number }>('SELECT id FROM members WHERE nip = $1', [nip(1)]);
      const ingest = new ShareIngest(s.agency.db, {
        dailyCap: 100_000,
        utcOffsetMinutes: 420,
        feedUrls: () => new Set([feedKey(s.feedUrl)]),
      });
      const events = Array.from({ length: 500 }, () => s.share());
      let ticks = 0;
      let done = false;
      const ticker = (async () => {
        while (!done) {
          await turn();
          ticks++;
        }
      })();
      const warm = ticks;
      const result = await ingest.record(Number(member!.id), events);
      const during = ticks - warm;
      done = true;
      await ticker;
      expect(result.accepted).toHaveLength(500);
      // A turn between every two sub-batches of the existence check and of the insert.
      expect(during).toBeGreaterThanOrEqual(2 * (500 / SUB_BATCH - 1));
    } finally {
      await s.close();
    }
  });
});

describe.each(BACKENDS)('admission control for POST v1/shares on %s', (backend: Backend) => {
  /** A request body padded with blanks after the JSON (still JSON) to `bytes`. */
  const padded = (shares: unknown[], bytes: number) => JSON.stringify({ shares }).padEnd(bytes, ' ');

  it('past the in-flight cap a batch is answered 503 with Retry-After at once, and is taken when it comes back', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let held = false;
    const s = await startAgency(backend, {
      sharesInFlight: 1,
      faults: async () => {
        if (!held) {
          held = true;
          await gate;
        }
        return 'ok' as const;
      },
    });
    try {
      const a = await s.member(1);
      const b = await s.member(2);
      // Batches larger than SMALL_BATCH_BYTES: the batches' cap.
      const big = SMALL_BATCH_BYTES + 1;
      const first = s.share();
      const pending = s.json('POST', '/v1/shares', padded([first], big), a);
      while (!held) await new Promise((resolve) => setTimeout(resolve, 5));
      const second = s.share();
      const busy = await s.json('POST', '/v1/shares', padded([second], big), b);
      expect(busy.status).toBe(503);
      expect(busy.headers.get('retry-after')).toBe('2');
      expect(((await busy.json()) as { error: string }).error).toBe('unavailable');
      release();
      const ok = await pending;
      expect(ok.status).toBe(200);
      expect(((await ok.json()) as { accepted: string[] }).accepted).toEqual([first.id]);
      // Nothing of the refused batch was stored; sent again, it is taken.
      const again = await s.json('POST', '/v1/shares', padded([second], big), b);
      expect(again.status).toBe(200);
      expect(((await again.json()) as { accepted: string[] }).accepted).toEqual([second.id]);
    } finally {
      release();
      await s.close();
    }
  });

  it("small requests have a cap of their own, so a peak of one-event requests is not turned away by the batches' cap", async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let held = 0;
    const s = await startAgency(backend, {
      sharesInFlight: 1,
      smallSharesInFlight: 3,
      faults: async () => {
        held++;
        await gate;
        return 'ok' as const;
      },
    });
    try {
      const tokens = [await s.member(1), await s.member(2), await s.member(3), await s.member(4), await s.member(5)];
      // Three small requests held: past the batches' cap of one, within the small cap of three.
      const smallOnes = tokens.slice(0, 3).map((t) => s.json('POST', '/v1/shares', { shares: [s.share()] }, t));
      while (held < 3) await new Promise((resolve) => setTimeout(resolve, 5));
      // A fourth small one is refused; a large batch still has its own place.
      const fourth = await s.json('POST', '/v1/shares', { shares: [s.share()] }, tokens[3]);
      expect(fourth.status).toBe(503);
      const bigOne = s.json('POST', '/v1/shares', padded([s.share()], SMALL_BATCH_BYTES + 1), tokens[4]);
      while (held < 4) await new Promise((resolve) => setTimeout(resolve, 5));
      release();
      for (const res of [...(await Promise.all(smallOnes)), await bigOne]) expect(res.status).toBe(200);
    } finally {
      release();
      await s.close();
    }
  });

  it('of the batches admitted, only a budget of body bytes is read and held parsed at once; the rest wait unread and are all taken', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let parsed = 0;
    let most = 0;
    // Every body padded to the same length (blanks after JSON are JSON): four fit in the budget.
    const size = 1024;
    const s = await startAgency(backend, {
      sharesParseBytes: 4 * size,
      // The fault hook runs with the batch parsed, before it is stored.
      faults: async () => {
        most = Math.max(most, ++parsed);
        await gate;
        parsed--;
        return 'ok' as const;
      },
    });
    try {
      const members = await Promise.all(Array.from({ length: 8 }, (_, i) => s.member(i + 1)));
      const sent = members.map(() => s.share());
      const replies = members.map((m, i) => s.json('POST', '/v1/shares', JSON.stringify({ shares: [sent[i]] }).padEnd(size), m));
      while (parsed < 4) await new Promise((resolve) => setTimeout(resolve, 5));
      // Time for the other requests to arrive (were they read, they would be parsed by now).
      await new Promise((resolve) => setTimeout(resolve, 300));
      release();
      const answers = await Promise.all(replies);
      expect(answers.map((r) => r.status)).toEqual(members.map(() => 200));
      const accepted = await Promise.all(answers.map(async (r) => ((await r.json()) as { accepted: string[] }).accepted));
      expect(accepted).toEqual(sent.map((e) => [e.id]));
      expect(most).toBe(4);
    } finally {
      release();
      await s.close();
    }
  });
});

describe('configuration', () => {
  it('SIAR_DB_POOL and SIAR_SHARES_IN_FLIGHT are read as whole numbers', () => {
    const base = { SIAR_DEMO: '1' };
    expect(configFromEnv({ ...base, SIAR_DB_POOL: '4', SIAR_SHARES_IN_FLIGHT: '32' })).toMatchObject({ dbPool: 4, sharesInFlight: 32 });
    expect(configFromEnv(base).dbPool).toBeUndefined();
    expect(() => configFromEnv({ ...base, SIAR_DB_POOL: '2.5' })).toThrow(/SIAR_DB_POOL/);
    expect(() => configFromEnv({ ...base, SIAR_SHARES_IN_FLIGHT: '0' })).toThrow(/SIAR_SHARES_IN_FLIGHT/);
  });

  it('the PostgreSQL pool has the size asked for', async () => {
    const s = await startAgency('postgres', { dbPool: 3 });
    try {
      expect((s.agency.db as PostgresDatabase).pool.options.max).toBe(3);
    } finally {
      await s.close();
    }
  });
});

describe('PostgreSQL: the duplicate check searches only the partitions of the events’ days', () => {
  it('its plan names the one month asked for, of several', async () => {
    const db = await openDatabase(await createDatabaseAt(inject('pgUrl')));
    try {
      const months = [Date.UTC(2026, 8, 15), Date.UTC(2026, 9, 15), Date.UTC(2026, 10, 15)];
      for (const m of ['2026-09', '2026-10', '2026-11']) await ensureMonth(db, m);
      const plan = await db.all<{ 'QUERY PLAN': string }>(`EXPLAIN ${PG_STORED}`, [[randomUUID(), randomUUID()], ['2026-10-03']]);
      const text = plan.map((r) => r['QUERY PLAN']).join('\n');
      expect(text).toContain(monthPartition(months[1]!).name);
      expect(text).not.toContain(monthPartition(months[0]!).name);
      expect(text).not.toContain(monthPartition(months[2]!).name);
    } finally {
      await db.close();
    }
  });
});

async function unitWithMembers(db: Database, names: string[], posted: Set<string>): Promise<number> {
  const at = new Date().toISOString();
  const unit = await db.get<{ id: number }>('INSERT INTO units (name, created_at) VALUES ($1, $2) RETURNING id', [
    `Unit ${randomUUID()}`,
    at,
  ]);
  for (const [i, name] of names.entries()) {
    const m = await db.get<{ id: number }>(
      'INSERT INTO members (nip, name, unit_id, created_at, updated_at) VALUES ($1, $2, $3, $4, $4) RETURNING id',
      [nip(i + 1), name, unit!.id, at],
    );
    if (posted.has(name))
      await db.run('INSERT INTO member_items (member_id, item_id, unit_id) VALUES ($1, $2, $3)', [m!.id, 'item-1', unit!.id]);
  }
  return Number(unit!.id);
}

describe.each(BACKENDS)('member lists on %s', (backend: Backend) => {
  it('coverage pages: those who have not posted first, by name, then those who have, across page ends', async () => {
    const db = await openDatabase(await freshDatabase(backend));
    try {
      const names = ['Eka', 'Ani', 'Dewi', 'Budi', 'Gita', 'Citra', 'Fajar'];
      const unit = await unitWithMembers(db, names, new Set(['Ani', 'Dewi', 'Gita']));
      const expected = ['Budi', 'Citra', 'Eka', 'Fajar', 'Ani', 'Dewi', 'Gita'];
      for (const limit of [1, 2, 3, 4, 7, 10]) {
        const seen: { name: string; posted: number }[] = [];
        for (let offset = 0; ; offset += limit) {
          const page = await coverageMembers(db, 'item-1', unit, offset, limit);
          seen.push(...page.members.map((m) => ({ name: m.name, posted: m.posted })));
          expect(page.members.length, `limit ${limit} offset ${offset}`).toBe(Math.min(limit, names.length - offset));
          if (!page.more) break;
        }
        expect(
          seen.map((m) => m.name),
          `limit ${limit}`,
        ).toEqual(expected);
        expect(seen.map((m) => m.posted)).toEqual([0, 0, 0, 0, 1, 1, 1]);
      }
      // A page past the end of those who have not posted.
      expect((await coverageMembers(db, 'item-1', unit, 5, 2)).members.map((m) => m.name)).toEqual(['Dewi', 'Gita']);
      const all = await searchMembers(db, {});
      expect(all.members.map((m) => m.name)).toEqual([...names].sort());
      expect((await searchMembers(db, { unitId: unit, limit: 3 })).members.map((m) => m.name)).toEqual(['Ani', 'Budi', 'Citra']);
    } finally {
      await db.close();
    }
  });
});

describe('SQLite: member lists walk their indexes in name order', () => {
  it('neither the coverage page nor the member search sorts in a temporary B-tree', async () => {
    const file = await freshDatabase('sqlite');
    const db = await openDatabase(file);
    await db.close();
    const raw = new BetterSqlite3(file, { readonly: true });
    try {
      const plan = (sql: string) =>
        (raw.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...(sql.includes('?') ? ['x', 1, 101, 0] : [])) as { detail: string }[])
          .map((r) => r.detail)
          .join('\n');
      const coverage = plan(positional(NOT_POSTED, ['x', 1, 101, 0]).sql);
      expect(coverage).toMatch(/members_unit_name/);
      expect(coverage).not.toMatch(/TEMP B-TREE/);
      const everyone = plan('SELECT members.id FROM members ORDER BY members.name, members.id LIMIT 51');
      expect(everyone).toMatch(/members_name/);
      expect(everyone).not.toMatch(/TEMP B-TREE/);
    } finally {
      raw.close();
    }
  });
});
