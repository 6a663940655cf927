// @vitest-environment node
// A province's setup: several server processes on one PostgreSQL database (state in the database,
// nothing in a process), monthly partitions of the events, archiving old months, and moving a
// regency's SQLite database up to PostgreSQL. Real processes, a real cluster, real files.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { wib } from '../../server/demo/feed';
import { archiveBefore } from '../../server/db/archive';
import { copyDatabase, TABLES } from '../../server/db/copy';
import { openDatabase } from '../../server/db/database';
import { ensureMonth } from '../../server/db/partitions';
import { DEMO, DINKES, freshDatabase, KOMINFO, MANDATORY_ITEM, nip, startAgency } from '../support/agency';
import { createDatabaseAt } from '../support/postgres';

const ROOT = new URL('../../', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'siar-scale-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Proc {
  child: ChildProcess;
  origin: string;
  output: () => string;
}

/** The bundle `npm run serve` builds and runs (built once for this file). */
let bundle: string | undefined;
function serverBundle(): string {
  if (bundle) return bundle;
  const built = spawnSync(process.execPath, ['scripts/build-server.mjs'], { cwd: ROOT, encoding: 'utf8' });
  if (built.status !== 0) throw new Error(`npm run build:server failed:\n${built.stderr}`);
  return (bundle = join(ROOT, 'server/.bundle/main.mjs'));
}

/** `npm run serve` as its own process on a free port, demo seeded, jobs running. */
async function serve(db: string, env: Record<string, string> = {}): Promise<Proc> {
  let out = '';
  const child = spawn(process.execPath, [serverBundle()], {
    cwd: ROOT,
    env: {
      ...process.env,
      SIAR_DEMO: '1',
      SIAR_DATABASE_URL: db,
      SIAR_PORT: '0',
      SIAR_BASE_URL: 'http://localhost:8787',
      SIAR_SIGNING_KEY: join(dir, 'key.pem'),
      SIAR_MEDIA_DIR: join(dir, 'media'),
      SIAR_RATE_PER_MINUTE: '6',
      SIAR_RATE_BURST: '3',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${out}`)), 60_000);
    child.on('message', (m: { siar?: string; port?: number }) => {
      if (m?.siar === 'ready' && m.port) {
        clearTimeout(timer);
        resolve(m.port);
      }
    });
    child.once('exit', (code) => reject(new Error(`server exited ${code}:\n${out}`)));
  });
  return { child, origin: `http://127.0.0.1:${port}`, output: () => out };
}

async function stop(p: Proc, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (p.child.exitCode !== null || p.child.signalCode !== null) return;
  await new Promise<void>((resolve) => {
    p.child.once('exit', () => resolve());
    p.child.kill(signal);
  });
}

const json = (origin: string, method: string, path: string, body?: unknown, token?: string) =>
  fetch(`${origin}${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });

const share = (over: Record<string, unknown> = {}) => ({
  id: randomUUID(),
  item_id: MANDATORY_ITEM,
  feed_url: 'http://localhost:8787/feed.json',
  platform: 'x',
  action: 'posted',
  at: wib(Date.now()),
  ...over,
});

describe('two server processes on one PostgreSQL database', () => {
  it('count the same events sent to both once, share sessions and rate limits, and lose nothing acknowledged when one is killed', async () => {
    const db = await createDatabaseAt(inject('pgUrl'));
    const a = await serve(db);
    const b = await serve(db);
    try {
      const t0 = Date.now();
      const step = (what: string) => console.log(`[processes] ${Date.now() - t0} ms: ${what}`);
      // Enrolled on one, known to the other.
      const res = await json(a.origin, 'POST', '/v1/enroll', { nip: nip(1), name: 'Satu', ...KOMINFO });
      expect(res.status).toBe(201);
      const { token } = (await res.json()) as { token: string };
      const batch = Array.from({ length: 40 }, (_, i) =>
        share({ platform: i % 2 ? 'x' : 'facebook', action: i % 3 ? 'posted' : 'inserted' }),
      );
      const [ra, rb] = await Promise.all([
        json(a.origin, 'POST', '/v1/shares', { shares: batch }, token),
        json(b.origin, 'POST', '/v1/shares', { shares: batch }, token),
      ]);
      const [xa, xb] = [
        (await ra.json()) as { accepted: string[]; duplicate: string[] },
        (await rb.json()) as { accepted: string[]; duplicate: string[] },
      ];
      expect(new Set([...xa.accepted, ...xb.accepted])).toEqual(new Set(batch.map((s) => s.id)));
      expect(xa.accepted.length + xb.accepted.length).toBe(40);
      const summary = (await (await json(b.origin, 'GET', '/v1/me/summary', undefined, token)).json()) as {
        events: number;
        posted: number;
      };
      expect(summary.events).toBe(40);
      expect(summary.posted).toBe(2);

      step('batches');
      // One bucket for the member, whichever process answers: 3 at once, then 429 on both.
      const tries = [];
      for (let i = 0; i < 4; i++) tries.push((await json(i % 2 ? b.origin : a.origin, 'GET', '/v1/me/summary', undefined, token)).status);
      expect(tries.filter((s) => s === 429).length).toBeGreaterThanOrEqual(2);

      step('rate');
      // A studio session made by one process works on the other; logging out on one ends it on both.
      const login = await json(a.origin, 'POST', '/api/v1/session', { user: 'penyetuju', password: DEMO.penyetuju!.password });
      const studio = ((await login.json()) as { token: string }).token;
      expect((await json(b.origin, 'GET', '/api/v1/feed', undefined, studio)).status).toBe(200);
      expect((await json(b.origin, 'DELETE', '/api/v1/session', undefined, studio)).status).toBe(204);
      expect((await json(a.origin, 'GET', '/api/v1/feed', undefined, studio)).status).toBe(401);

      // A process killed while batches are in flight: what it acknowledged is stored; a resend of
      // everything to the survivor is counted once.
      const member2 = (
        (await (await json(b.origin, 'POST', '/v1/enroll', { nip: nip(2), name: 'Dua', ...DINKES })).json()) as { token: string }
      ).token;
      const many = Array.from({ length: 8 }, () => Array.from({ length: 25 }, () => share({ action: 'copied', platform: 'other' })));
      const acknowledged: string[] = [];
      let firstAck: () => void = () => undefined;
      const acked = new Promise<void>((resolve) => (firstAck = resolve));
      const inFlight = many.map(async (chunk) => {
        try {
          const r = await json(a.origin, 'POST', '/v1/shares', { shares: chunk }, member2);
          if (r.status === 200) {
            acknowledged.push(...((await r.json()) as { accepted: string[] }).accepted);
            firstAck();
          }
        } catch {
          // The connection died with the process: the client does not know, and will resend.
        }
      });
      // Killed the moment it has acknowledged something, with the other batches still in flight.
      await acked;
      step('kill');
      await stop(a, 'SIGKILL');
      await Promise.all(inFlight);
      step('in flight settled');
      const check = await openDatabase(db);
      try {
        const stored = new Set((await check.all<{ id: string }>("SELECT id FROM shares WHERE action = 'copied'")).map((r) => r.id));
        expect(acknowledged.length).toBeGreaterThan(0);
        for (const id of acknowledged) expect(stored.has(id)).toBe(true);
        const all = many.flat();
        for (let i = 0; i < all.length; i += 100) {
          let r = await json(b.origin, 'POST', '/v1/shares', { shares: all.slice(i, i + 100) }, member2);
          // The survivor's rate limit is the member's: wait as a client would.
          while (r.status === 429) {
            await new Promise((w) => setTimeout(w, 1000 * Number(r.headers.get('retry-after') ?? 1)));
            r = await json(b.origin, 'POST', '/v1/shares', { shares: all.slice(i, i + 100) }, member2);
          }
          expect(r.status).toBe(200);
        }
        expect(Number((await check.get<{ n: number }>("SELECT COUNT(*) AS n FROM shares WHERE action = 'copied'"))!.n)).toBe(200);
        expect(
          Number(
            (await check.get<{ n: number }>(
              'SELECT events AS n FROM rollup_member WHERE member_id = (SELECT id FROM members WHERE nip = $1)',
              [nip(2)],
            ))!.n,
          ),
        ).toBe(200);
        console.log(`[processes] ${acknowledged.length} of 200 events acknowledged before the kill; all 200 stored once after the resend`);
      } finally {
        await check.close();
      }
    } finally {
      await stop(a);
      await stop(b);
    }
  }, 180_000);

  it('SIAR_WORKERS starts several processes behind one port', async () => {
    const db = await createDatabaseAt(inject('pgUrl'));
    const p = await serve(db, { SIAR_WORKERS: '2' });
    try {
      await new Promise((r) => setTimeout(r, 500));
      const res = await fetch(`${p.origin}/healthz`);
      expect(res.status).toBe(200);
      await expect.poll(() => p.output(), { timeout: 60_000 }).toContain('2 server processes running');
    } finally {
      await stop(p);
    }
  }, 120_000);
});

describe('monthly partitions and archiving', () => {
  it('keeps events in a partition per month; an old month leaves as a CSV file, its counts stay', async () => {
    const s = await startAgency('postgres');
    try {
      const partitions = (
        await s.agency.db.all<{ name: string }>(
          "SELECT relname AS name FROM pg_class WHERE relname LIKE 'shares\\_____\\___' ORDER BY relname",
        )
      ).map((r) => r.name);
      const month = new Date().toISOString().slice(0, 7).replace('-', '_');
      expect(partitions).toContain(`shares_${month}`);
      const token = await s.member(5);
      await s.json('POST', '/v1/shares', { shares: [s.share(), s.share({ platform: 'facebook' })] }, token);
      // An event of long ago, as an archive would find it (the API refuses events this old).
      await ensureMonth(s.agency.db, '2026-01');
      const member = (await s.agency.db.get<{ id: number; unit_id: number }>('SELECT id, unit_id FROM members WHERE nip = $1', [nip(5)]))!;
      await s.agency.db.run(
        `INSERT INTO shares (id, member_id, item_id, feed_url, platform, action, at, received_at, day, unit_id)
         VALUES ($1, $2, 'lama', 'x', 'x', 'posted', '2026-01-05T08:00:00+07:00', '2026-01-05T01:00:00Z', '2026-01-05', $3)`,
        [randomUUID(), member.id, member.unit_id],
      );
      const rollup = await s.agency.db.get('SELECT events, posted FROM rollup_unit WHERE unit_id = $1', [member.unit_id]);
      const out = join(dir, 'archive');
      const result = await archiveBefore(s.agency.db, '2026-02', out);
      expect(result.map((r) => [r.file.replace(out, ''), r.rows])).toEqual([['/shares_2026_01.csv.gz', 1]]);
      expect(gunzipSync(readFileSync(result[0]!.file)).toString()).toContain(',lama,');
      expect(await s.agency.db.get("SELECT 1 AS ok FROM pg_class WHERE relname = 'shares_2026_01'")).toBeUndefined();
      expect(Number((await s.agency.db.get<{ n: number }>('SELECT COUNT(*) AS n FROM shares'))!.n)).toBe(2);
      expect(await s.agency.db.get('SELECT events, posted FROM rollup_unit WHERE unit_id = $1', [member.unit_id])).toEqual(rollup);
    } finally {
      await s.close();
    }
  });

  it('archives on SQLite too, deleting the old rows after writing them out', async () => {
    const s = await startAgency('sqlite');
    try {
      const token = await s.member(6);
      await s.json('POST', '/v1/shares', { shares: [s.share()] }, token);
      const member = (await s.agency.db.get<{ id: number; unit_id: number }>('SELECT id, unit_id FROM members WHERE nip = $1', [nip(6)]))!;
      await s.agency.db.run(
        `INSERT INTO shares (id, member_id, item_id, feed_url, platform, action, at, received_at, day, unit_id)
         VALUES ($1, $2, 'lama', 'x', 'x', 'posted', '2026-01-05T08:00:00+07:00', '2026-01-05T01:00:00Z', '2026-01-05', $3)`,
        [randomUUID(), member.id, member.unit_id],
      );
      const [r] = await archiveBefore(s.agency.db, '2026-02', join(dir, 'archive-sqlite'));
      expect(r!.rows).toBe(1);
      expect(existsSync(r!.file)).toBe(true);
      expect(Number((await s.agency.db.get<{ n: number }>('SELECT COUNT(*) AS n FROM shares'))!.n)).toBe(1);
    } finally {
      await s.close();
    }
  });
});

describe('moving a regency from SQLite up to PostgreSQL', () => {
  it('copies members, tokens, events, posts and the audit log, checks counts and sums, and is safe to run twice', async () => {
    // A regency with some life in it: members, events on several days, a studio post, an audit trail.
    const file = await freshDatabase('sqlite');
    const regency = await startAgency('sqlite', { db: file });
    const tokens = [await regency.member(10), await regency.member(11, DINKES), await regency.member(12)];
    for (const [i, token] of tokens.entries()) {
      await regency.json(
        'POST',
        '/v1/shares',
        {
          shares: [
            regency.share(),
            regency.share({ platform: 'facebook' }),
            regency.share({
              item_id: 'kab-contoh-musrenbang-usulan-warga',
              action: 'copied',
              platform: 'other',
              at: wib(Date.now() - (i + 1) * 86_400_000),
            }),
          ],
        },
        token,
      );
    }
    const editor = await regency.login('editor.dinkes');
    const post = await regency.api(editor, 'POST', '/posts', { title: 'Pindah ke PostgreSQL' });
    expect(post.status).toBe(201);
    await regency.close();

    const target = await createDatabaseAt(inject('pgUrl'));
    const source = await openDatabase(file);
    const pg = await openDatabase(target);
    try {
      const first = await copyDatabase(source, pg);
      expect(first.ok).toBe(true);
      expect(first.tables.map((t) => t.name)).toEqual(TABLES.map((t) => t.name));
      expect(first.tables.find((t) => t.name === 'shares')).toMatchObject({ source: 9, target: 9 });
      expect(first.sums.every((s) => s.source === s.target)).toBe(true);
      const second = await copyDatabase(source, pg);
      expect(second.ok).toBe(true);
      expect(second.tables).toEqual(first.tables.map((t) => ({ ...t })));
    } finally {
      await source.close();
      await pg.close();
    }

    // The copy runs: the same tokens and logins work on PostgreSQL, and new ids do not collide.
    const moved = await startAgency('postgres', { db: target, mediaDir: join(file, '..', 'media') });
    try {
      const summary = await moved.call('/v1/me/summary', { headers: { Authorization: `Bearer ${tokens[0]}` } });
      expect(await summary.json()).toMatchObject({ events: 3, posted: 2 });
      const approver = await moved.login('penyetuju');
      expect((await moved.api(approver, 'GET', `/posts/${post.body.id}`)).body.title).toBe('Pindah ke PostgreSQL');
      expect((await moved.api(await moved.login('editor.dinkes'), 'POST', '/posts', { title: 'Sesudah pindah' })).status).toBe(201);
      expect((await moved.json('POST', '/v1/enroll', { nip: nip(13), name: 'Baru', ...KOMINFO })).status).toBe(201);
    } finally {
      await moved.close();
    }
  }, 120_000);
});
