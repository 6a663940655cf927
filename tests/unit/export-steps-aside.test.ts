// @vitest-environment node
// An export steps aside for ingest in any server process: on PostgreSQL it asks pg_stat_activity
// whether other server connections are at work, and holds COPY's chunks while they are.
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { IngestFirst, paceDelay, PG_OTHERS_AT_WORK } from '../../server/dashboard/export';
import { PG_APPLICATION_NAME } from '../../server/db/postgres';
import { createDatabaseAt } from '../support/postgres';

async function through(transform: IngestFirst, chunks: string[]): Promise<string[]> {
  const out: string[] = [];
  await pipeline(
    Readable.from(chunks.map((c) => Buffer.from(c))),
    transform,
    new Writable({
      write(chunk: Buffer, _enc, done) {
        out.push(chunk.toString());
        done();
      },
    }),
  );
  return out;
}

describe('an export on PostgreSQL waits for other server processes', () => {
  it('holds a chunk while the others are at work, asking again until they are not', async () => {
    const answers = [true, true, true, false];
    let asked = 0;
    // A wait bound far beyond the test's length: only the answers decide.
    const out = await through(new IngestFirst(async () => answers[asked++] ?? false, 600_000), ['a', 'b']);
    expect(out).toEqual(['a', 'b']);
    // Three answers "at work", then quiet: the first chunk went after the fourth question; the
    // second chunk came within PROBE_EVERY_MS and used that answer, or asked once more.
    expect(asked).toBeGreaterThanOrEqual(4);
    expect(asked).toBeLessThanOrEqual(5);
  });

  it('is slowed, never stopped, by others always at work, and a failing question stops nothing', async () => {
    let asked = 0;
    expect(await through(new IngestFirst(async () => (asked++, true), 120), ['a', 'b'])).toEqual(['a', 'b']);
    expect(asked).toBeGreaterThan(0);
    expect(await through(new IngestFirst(() => Promise.reject(new Error('gone'))), ['c'])).toEqual(['c']);
  });

  describe('the question, on a real cluster', () => {
    let url: string;
    const clients: pg.Client[] = [];
    const connect = async (name: string) => {
      const c = new pg.Client({ connectionString: url, application_name: name });
      await c.connect();
      clients.push(c);
      return c;
    };
    beforeAll(async () => {
      url = await createDatabaseAt(inject('pgUrl'));
    });
    afterAll(async () => {
      for (const c of clients) await c.end().catch(() => undefined);
    });

    it('counts server connections inside a transaction, not idle ones, not its own, not the COPY’s, not other programs', async () => {
      const asker = await connect(PG_APPLICATION_NAME);
      const copy = await connect(PG_APPLICATION_NAME);
      const other = await connect(PG_APPLICATION_NAME);
      const psql = await connect('psql');
      const copyPid = Number((await copy.query('SELECT pg_backend_pid() AS pid')).rows[0].pid);
      const ask = async () => Number((await asker.query(PG_OTHERS_AT_WORK.replace('$1', String(copyPid)))).rows[0].n);
      expect(await ask()).toBe(0);
      await copy.query('BEGIN');
      await psql.query('BEGIN');
      expect(await ask()).toBe(0);
      await other.query('BEGIN');
      await other.query('SELECT 1');
      expect(await ask()).toBe(1);
      await other.query('COMMIT');
      expect(await ask()).toBe(0);
      // Another export's COPY is not ingest: two exports must not wait for each other.
      const export2 = await connect(PG_APPLICATION_NAME);
      await export2.query('BEGIN');
      await pipeline(export2.query(copyTo('COPY (SELECT 1) TO STDOUT')), new Writable({ write: (_c, _e, done) => done() }));
      expect(await ask()).toBe(0);
      await export2.query('COMMIT');
    });
  });
});

describe('pace of an export while others work', () => {
  it('waits what the bytes cost at the rate, less the time already passed', () => {
    expect(paceDelay(12 * 1024 * 1024, 0, 12 * 1024 * 1024)).toBe(1000);
    expect(paceDelay(64 * 1024, 2, 1024 * 1024)).toBe(60.5);
    expect(paceDelay(64 * 1024, 100, 1024 * 1024)).toBe(0);
  });
});
