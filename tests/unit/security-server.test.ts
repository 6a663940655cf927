// @vitest-environment node
// Security review (docs/security.md), the agency server: SQL only from constants, bodies capped
// before they are read, auth before the body, rate limits on enrolment and login, tokens kept
// as hashes only, and the dashboard's session and headers. A real socket, fetch and SQLite file.
import { createHash, randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { afterAll, describe, expect, it } from 'vitest';
import { createAgencyServer, type AgencyServerOptions } from '../../server/app';
import { credentialsMatch, Sessions } from '../../server/dashboard/auth';
import { wib } from '../../server/demo/feed';
import { configFromEnv, describeServer } from '../../server/env';
import { EnrollResponseSchema, type ShareEventWire } from '../../utils/protocol/tally';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const dir = mkdtempSync(path.join(tmpdir(), 'siar-security-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const KOMINFO = { unit: 'Dinas Komunikasi dan Informatika', code: 'KOMINFO-2026' };
const nip = (seq: number) => `198503152010012${String(seq).padStart(3, '0')}`;
const share = (over: Partial<ShareEventWire> = {}): ShareEventWire => ({
  id: randomUUID(),
  item_id: 'kab-contoh-apel-asn-medsos',
  feed_url: 'http://localhost:8787/feed.json',
  platform: 'x',
  action: 'posted',
  at: wib(Date.now()),
  ...over,
});

let dbCount = 0;
async function start(options: AgencyServerOptions = {}) {
  const db = path.join(dir, `tally-${++dbCount}.db`);
  const agency = createAgencyServer({ quiet: true, db, ...options });
  const { port } = await agency.listen(0);
  const origin = `http://127.0.0.1:${port}`;
  const call = (p: string, init?: RequestInit) => fetch(new URL(p, origin), { redirect: 'manual', ...init });
  const post = (p: string, body: unknown, headers: Record<string, string> = {}) =>
    call(p, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
  const enrol = async (seq: number, name = `Pegawai ${seq}`) => {
    const res = await post('/v1/enroll', { nip: nip(seq), name, ...KOMINFO });
    expect(res.status).toBe(201);
    return EnrollResponseSchema.parse(await res.json()).token;
  };
  const login = (user: string, password: string) => call('/login', { method: 'POST', body: new URLSearchParams({ user, password }) });
  /** A request that declares `length` bytes of body and sends none: the answer shows whether the server waited to read it. */
  const declared = (p: string, length: number, headers: Record<string, string> = {}) =>
    new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = http.request(
        `${origin}${p}`,
        { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': String(length), ...headers } },
        (res) => {
          let body = '';
          res.on('data', (c: Buffer) => (body += c.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.setTimeout(5000, () => reject(new Error('the server waited for a body it should have refused')));
      req.flushHeaders();
      // The body is never sent; the request is torn down once the answer is in.
      req.on('response', (res) => res.on('end', () => req.destroy()));
    });
  return { agency, db, origin, call, post, enrol, login, declared };
}

describe('SQL is parameterised: statements are constants, values are bound', () => {
  // Read from the source with the TypeScript parser, so a future `db.prepare(\`… ${value} …\`)`
  // fails here rather than in production.
  const files = (d: string): string[] =>
    readdirSync(d).flatMap((n) => {
      const full = path.join(d, n);
      return statSync(full).isDirectory() ? files(full) : n.endsWith('.ts') ? [full] : [];
    });
  const SERVER = files(path.join(ROOT, 'server'));
  const SQL_START = /^\s*(SELECT|INSERT|UPDATE|DELETE|CREATE|DROP|ALTER|WITH|PRAGMA|REPLACE)\b/i;

  interface Checked {
    sites: string[];
    problems: string[];
  }

  function check(file: string, out: Checked, text = readFileSync(file, 'utf8')) {
    const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
    const where = (n: ts.Node) => `${path.relative(ROOT, file)}:${sf.getLineAndCharacterOfPosition(n.getStart()).line + 1}`;
    const consts = new Map<string, ts.Expression | undefined>();
    const calls: ts.CallExpression[] = [];
    const sqlLiterals: ts.Node[] = [];
    const visit = (n: ts.Node) => {
      if (
        ts.isVariableDeclaration(n) &&
        ts.isIdentifier(n.name) &&
        ts.isVariableDeclarationList(n.parent) &&
        n.parent.flags & ts.NodeFlags.Const
      ) {
        consts.set(n.name.text, n.initializer);
      }
      if (ts.isCallExpression(n)) calls.push(n);
      if ((ts.isStringLiteral(n) || ts.isNoSubstitutionTemplateLiteral(n)) && SQL_START.test(n.text)) sqlLiterals.push(n);
      if (ts.isTemplateExpression(n) && SQL_START.test(n.head.text)) sqlLiterals.push(n);
      ts.forEachChild(n, visit);
    };
    visit(sf);

    /** A compile-time constant: a literal, or a template whose every `${}` is such a constant. */
    const constant = (e: ts.Expression | undefined, seen = new Set<string>()): boolean => {
      if (!e) return false;
      if (ts.isStringLiteral(e) || ts.isNoSubstitutionTemplateLiteral(e) || ts.isNumericLiteral(e)) return true;
      if (ts.isParenthesizedExpression(e)) return constant(e.expression, seen);
      if (ts.isTemplateExpression(e)) return e.templateSpans.every((s) => constant(s.expression, seen));
      if (ts.isIdentifier(e) && consts.has(e.text) && !seen.has(e.text)) return constant(consts.get(e.text), new Set([...seen, e.text]));
      return false;
    };

    // Every SQL text in the file, wherever it is written, is a constant.
    for (const lit of sqlLiterals) if (!constant(lit as ts.Expression)) out.problems.push(`${where(lit)}: SQL built from a value`);

    // Every call into the database takes a constant, or the one-line `p(sql)` helper whose
    // every call takes a constant, or a migration's own constant SQL.
    const DB_METHODS = new Set(['prepare', 'exec', 'pragma']);
    for (const call of calls) {
      const callee = call.expression;
      if (!ts.isPropertyAccessExpression(callee) || !DB_METHODS.has(callee.name.text)) continue;
      const receiver = callee.expression.getText(sf);
      if (receiver !== 'db' && receiver !== 'this.db') continue;
      const arg = call.arguments[0];
      out.sites.push(where(call));
      if (constant(arg)) continue;
      if (arg && ts.isIdentifier(arg)) {
        // `const p = (sql: string) => db.prepare(sql)`: check the helper's callers instead.
        const fn = ts.findAncestor(call, ts.isArrowFunction);
        const decl = fn && ts.isVariableDeclaration(fn.parent) && ts.isIdentifier(fn.parent.name) ? fn.parent.name.text : undefined;
        const isParam = fn?.parameters.some((p) => ts.isIdentifier(p.name) && p.name.text === arg.text);
        if (decl && isParam) {
          const uses = calls.filter((c) => ts.isIdentifier(c.expression) && c.expression.text === decl);
          expect(uses.length, `${where(call)}: callers of ${decl}`).toBeGreaterThan(0);
          for (const use of uses) {
            out.sites.push(where(use));
            if (!constant(use.arguments[0])) out.problems.push(`${where(use)}: ${decl}() given a non-constant`);
          }
          continue;
        }
      }
      if (arg && arg.getText(sf) === 'migration.sql' && file.endsWith(path.join('db', 'migrations.ts'))) {
        // MIGRATIONS is a constant array; each `sql:` in it is checked as a constant.
        const sqls: ts.Expression[] = [];
        const find = (n: ts.Node) => {
          if (ts.isPropertyAssignment(n) && n.name.getText(sf) === 'sql') sqls.push(n.initializer);
          ts.forEachChild(n, find);
        };
        find(consts.get('MIGRATIONS')!);
        expect(sqls.length).toBeGreaterThan(0);
        for (const s of sqls) if (!constant(s)) out.problems.push(`${where(s)}: migration SQL is not a constant`);
        continue;
      }
      out.problems.push(`${where(call)}: ${callee.name.text}(${arg?.getText(sf) ?? ''}) is not a constant`);
    }
  }

  it('no statement in server/ is built from a value', () => {
    const out: Checked = { sites: [], problems: [] };
    for (const file of SERVER) check(file, out);
    expect(out.problems).toEqual([]);
    // Not vacuous: the store, the stats, the CSV export, the migrations and the pragmas.
    expect(out.sites.length).toBeGreaterThan(30);
    for (const f of ['tally/store.ts', 'dashboard/stats.ts', 'dashboard/routes.ts', 'db/migrations.ts', 'db/database.ts']) {
      expect(
        out.sites.some((s) => s.startsWith(`server/${f}`)),
        f,
      ).toBe(true);
    }
  });

  it('the check itself catches a value spliced into SQL, directly or through the helper', () => {
    const bad = [
      'const x = req.url; db.prepare(`SELECT * FROM shares WHERE id = ${x}`);',
      "db.exec('DELETE FROM shares WHERE id = ' + id);",
      'const p = (sql: string) => db.prepare(sql); p(`SELECT ${column} FROM members`);',
      "const q = `UPDATE members SET name = '${name}'`;",
    ];
    for (const source of bad) {
      const out: Checked = { sites: [], problems: [] };
      check(path.join(ROOT, 'server/example.ts'), out, source);
      expect(out.problems, source).not.toEqual([]);
    }
    const good: Checked = { sites: [], problems: [] };
    check(
      path.join(ROOT, 'server/example.ts'),
      good,
      'const N = 50; const p = (sql: string) => db.prepare(sql); p(`SELECT id FROM shares LIMIT ${N}`).all(req.id);',
    );
    expect(good).toEqual({ sites: ['server/example.ts:1', 'server/example.ts:1'], problems: [] });
  });

  it('hostile strings are stored as data, and every table is still there', async () => {
    const s = await start();
    try {
      const evil = "Robert'); DROP TABLE shares; --";
      const token = await s.enrol(1, evil);
      const res = await s.post(
        '/v1/shares',
        { shares: [share({ item_id: "x' OR '1'='1" }), share({ platform: 'x"--' })] },
        { authorization: `Bearer ${token}` },
      );
      const body = (await res.json()) as { accepted: string[]; rejected: unknown[] };
      expect(body.accepted).toHaveLength(1);
      expect(body.rejected).toHaveLength(1); // the platform name breaks the protocol, not the query
      const db = s.agency.tally.db;
      expect(db.prepare('SELECT name FROM members').all()).toEqual([{ name: evil }]);
      expect(db.prepare('SELECT item_id FROM shares').all()).toEqual([{ item_id: "x' OR '1'='1" }]);
      const tables = (
        db.prepare("SELECT name FROM sqlite_master WHERE type IN ('table', 'view') ORDER BY name").all() as { name: string }[]
      ).map((r) => r.name);
      expect(tables).toEqual(['enroll_codes', 'members', 'migrations', 'posts', 'shares', 'tokens', 'units']);
    } finally {
      await s.agency.close();
    }
  });
});

describe('size limits: refused before they are read', () => {
  it('answers 413 to enrolment over 16 KiB and to a login form over 4 KiB', async () => {
    const s = await start();
    try {
      const big = await s.post('/v1/enroll', { nip: nip(2), name: 'A', ...KOMINFO, padding: 'x'.repeat(16 * 1024) });
      expect(big.status).toBe(413);
      expect(await big.json()).toMatchObject({ error: 'too_large' });
      const form = await s.call('/login', { method: 'POST', body: new URLSearchParams({ user: 'admin', password: 'x'.repeat(5000) }) });
      expect(form.status).toBe(413);
      expect(s.agency.tally.db.prepare('SELECT COUNT(*) AS n FROM members').get()).toEqual({ n: 0 });
    } finally {
      await s.agency.close();
    }
  });

  it('refuses a declared Content-Length over the cap without waiting for the body', async () => {
    const s = await start();
    try {
      const token = await s.enrol(3);
      expect((await s.declared('/v1/enroll', 17 * 1024)).status).toBe(413);
      expect((await s.declared('/v1/shares', 2 * 1024 * 1024, { authorization: `Bearer ${token}` })).status).toBe(413);
      expect((await s.declared('/login', 5000)).status).toBe(413);
    } finally {
      await s.agency.close();
    }
  });

  it('checks the token before reading a body: no body is read for a stranger', async () => {
    const s = await start();
    try {
      const r = await s.declared('/v1/shares', 1024 * 1024 - 1);
      expect(r.status).toBe(401);
      expect(JSON.parse(r.body)).toMatchObject({ error: 'unauthorized' });
    } finally {
      await s.agency.close();
    }
  });
});

describe('rate limits on guessing', () => {
  it('enrolment: 429 with Retry-After per client address once the burst is spent, even for the right code', async () => {
    const s = await start({ enrollRateLimit: { perMinute: 6, burst: 3 } });
    try {
      for (let i = 0; i < 3; i++) {
        const wrong = await s.post('/v1/enroll', { nip: nip(4), name: 'A', unit: KOMINFO.unit, code: `TEBAK-${i}` });
        expect(wrong.status).toBe(403);
      }
      const right = await s.post('/v1/enroll', { nip: nip(4), name: 'A', ...KOMINFO });
      expect(right.status).toBe(429);
      expect(Number(right.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(await right.json()).toMatchObject({ error: 'rate_limited' });
    } finally {
      await s.agency.close();
    }
  });

  it('dashboard login: 10 tries a minute per address, then 429 even with the right password', async () => {
    const s = await start({ admin: { user: 'admin', password: 'kata-sandi-uji' } });
    try {
      for (let i = 0; i < 10; i++) expect((await s.login('admin', `salah-${i}`)).status).toBe(401);
      const right = await s.login('admin', 'kata-sandi-uji');
      expect(right.status).toBe(429);
      expect(Number(right.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(right.headers.get('set-cookie')).toBeNull();
    } finally {
      await s.agency.close();
    }
  });
});

describe('enrolment tells nothing to someone without a code', () => {
  it('a wrong code is 403 even for a NIP enrolled in another unit (no 409 that would reveal it)', async () => {
    const s = await start();
    try {
      const dinkes = await s.post('/v1/enroll', { nip: nip(7), name: 'A', unit: 'Dinas Kesehatan', code: 'DINKES-2026' });
      expect(dinkes.status).toBe(201);
      const guess = await s.post('/v1/enroll', { nip: nip(7), name: 'A', unit: KOMINFO.unit, code: 'TEBAKAN' });
      expect(guess.status).toBe(403);
      expect(await guess.json()).toMatchObject({ error: 'wrong_code' });
    } finally {
      await s.agency.close();
    }
  });
});

describe('secrets from the environment are never printed', () => {
  it("the start-up banner names the password and codes only when they are the demo's", async () => {
    const config = configFromEnv({
      SIAR_DB: ':memory:',
      SIAR_ADMIN_PASSWORD: 'sandi-produksi-rahasia',
      SIAR_ENROLL_CODES: 'Dinas Kominfo=KODE-RAHASIA-9F2K',
    });
    const s = await start();
    try {
      const banner = describeServer(s.agency, config);
      expect(banner).not.toContain('sandi-produksi-rahasia');
      expect(banner).not.toContain('KODE-RAHASIA-9F2K');
      expect(banner).toContain('(SIAR_ADMIN_PASSWORD)');
    } finally {
      await s.agency.close();
    }
  });
});

describe('tokens at rest', () => {
  it('no token is anywhere in the database files, only its SHA-256', async () => {
    const s = await start();
    try {
      const token = await s.enrol(5);
      const hashes = (s.agency.tally.db.prepare('SELECT hash FROM tokens').all() as { hash: Buffer }[]).map((r) => r.hash.toString('hex'));
      expect(hashes).toEqual([createHash('sha256').update(token).digest('hex')]);
      const bytes = readdirSync(dir)
        .filter((n) => n.startsWith(path.basename(s.db)))
        .map((n) => readFileSync(path.join(dir, n)));
      expect(bytes.length).toBeGreaterThan(0);
      for (const b of bytes) expect(b.includes(Buffer.from(token))).toBe(false);
    } finally {
      await s.agency.close();
    }
  });
});

describe('dashboard: session and headers', () => {
  it('every page and answer carries nosniff; HTML pages the strict CSP, DENY framing and no referrer', async () => {
    const s = await start();
    try {
      for (const p of ['/login', '/v1/me/summary', '/export/shares.csv', '/nothing', '/']) {
        const res = await s.call(p);
        expect(res.headers.get('x-content-type-options'), p).toBe('nosniff');
      }
      const login = await s.call('/login');
      expect(login.headers.get('content-security-policy')).toBe(
        "default-src 'none'; style-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
      );
      expect(login.headers.get('x-frame-options')).toBe('DENY');
      expect(login.headers.get('referrer-policy')).toBe('no-referrer');
      expect(login.headers.get('cache-control')).toBe('no-store');
      expect(await login.text()).not.toMatch(/<script|\son\w+=/i);
    } finally {
      await s.agency.close();
    }
  });

  it('only the dashboard sets a cookie, and it is no CORS target; the tally is CORS * without credentials', async () => {
    const s = await start();
    try {
      const dash = await s.call('/login', { headers: { origin: 'https://evil.example' } });
      expect(dash.headers.get('access-control-allow-origin')).toBeNull();
      const tally = await s.call('/v1/me/summary', { headers: { origin: 'https://evil.example' } });
      expect(tally.headers.get('access-control-allow-origin')).toBe('*');
      expect(tally.headers.get('access-control-allow-credentials')).toBeNull();
      expect(tally.headers.get('set-cookie')).toBeNull();
    } finally {
      await s.agency.close();
    }
  });

  it('a made-up, a logged-out or an expired session opens nothing; each login gets a new session id', async () => {
    const s = await start({ admin: { user: 'admin', password: 'kata-sandi-uji' } });
    try {
      const forged = await s.call('/', { headers: { cookie: `siar_session=${'A'.repeat(43)}` } });
      expect(forged.status).toBe(302);
      expect((await s.call('/export/shares.csv', { headers: { cookie: 'siar_session=' } })).status).toBe(401);
      const ids = new Set<string>();
      for (let i = 0; i < 2; i++) {
        const res = await s.login('admin', 'kata-sandi-uji');
        expect(res.status).toBe(303);
        ids.add(res.headers.get('set-cookie')!.split(';')[0]!);
      }
      expect(ids.size).toBe(2);
      const [cookie] = [...ids];
      expect((await s.call('/', { headers: { cookie: cookie! } })).status).toBe(200);
      await s.call('/logout', { method: 'POST', headers: { cookie: cookie! } });
      // Logged out on the server, not just in the browser: the old cookie is dead.
      expect((await s.call('/', { headers: { cookie: cookie! } })).status).toBe(302);
    } finally {
      await s.agency.close();
    }

    let now = 0;
    const sessions = new Sessions(() => now);
    const id = sessions.create();
    const req = { headers: { cookie: `siar_session=${id}` } } as http.IncomingMessage;
    expect(sessions.of(req)).toBe(id);
    now += 12 * 3_600_000;
    expect(sessions.of(req)).toBeUndefined();
  });

  it("the session cookie is Secure when the public URL is https (behind the agency's TLS proxy)", async () => {
    const s = await start({ admin: { user: 'admin', password: 'kata-sandi-uji' }, baseUrl: 'https://siar.kab-contoh.go.id' });
    try {
      const cookie = (await s.login('admin', 'kata-sandi-uji')).headers.get('set-cookie')!;
      expect(cookie.split('; ').slice(1).sort()).toEqual(['HttpOnly', 'Max-Age=43200', 'Path=/', 'SameSite=Strict', 'Secure']);
    } finally {
      await s.agency.close();
    }
  });

  it('compares credentials in constant time: fixed-length digests, both fields always compared', () => {
    const admin = { user: 'admin', password: 'kata-sandi-uji' };
    expect(credentialsMatch(admin, admin)).toBe(true);
    expect(credentialsMatch({ user: 'admin', password: 'kata-sandi-uj' }, admin)).toBe(false);
    expect(credentialsMatch({ user: 'root', password: admin.password }, admin)).toBe(false);
    // Lengths that differ from the secret's do not throw (timingSafeEqual would, on raw input).
    expect(credentialsMatch({ user: '', password: 'x'.repeat(4000) }, admin)).toBe(false);
    const source = readFileSync(path.join(ROOT, 'server/dashboard/auth.ts'), 'utf8');
    const body = /export function credentialsMatch[\s\S]*?\n}/.exec(source)![0];
    expect(body.match(/timingSafeEqual\(digest\(/g)).toHaveLength(2);
    expect(body).not.toMatch(/===|!==|==|\bequals\(/);
    // Both comparisons run before the result is combined: no short circuit between them.
    expect(body).toMatch(/const user = [^\n]+\n\s*const password = [^\n]+\n\s*return user && password;/);
  });
});

describe('open finding F2: the tally limits requests per token, and a member can mint tokens', () => {
  // Re-enrolling with the unit's code issues another live token with a fresh bucket, so one
  // member (or anyone holding the unit's code and a colleague's NIP) multiplies the rate limit.
  it.fails("a second token of the same member shares the first one's rate limit", async () => {
    const s = await start({ rateLimit: { perMinute: 6, burst: 3 } });
    try {
      const first = await s.enrol(6);
      for (let i = 0; i < 3; i++)
        expect((await s.post('/v1/shares', { shares: [share()] }, { authorization: `Bearer ${first}` })).status).toBe(200);
      expect((await s.post('/v1/shares', { shares: [share()] }, { authorization: `Bearer ${first}` })).status).toBe(429);
      const second = await s.enrol(6);
      expect((await s.post('/v1/shares', { shares: [share()] }, { authorization: `Bearer ${second}` })).status).toBe(429);
    } finally {
      await s.agency.close();
    }
  });
});
