// @vitest-environment node
// The tally and the dashboard against the real server: a real socket, the real fetch and a real
// SQLite file in a temporary directory. No mocks.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAgencyServer, type AgencyServerOptions } from '../../server/app';
import { csvCell, csvLine } from '../../server/dashboard/csv';
import { buildDemoFeed, wib } from '../../server/demo/feed';
import { configFromEnv } from '../../server/env';
import { DEMO_ENROLL_CODES, parseEnrollCodes } from '../../server/tally/codes';
import { RateLimiter } from '../../server/tally/rate-limit';
import { EnrollResponseSchema, ErrorSchema, SharesResponseSchema, SummarySchema, type ShareEventWire } from '../../utils/protocol/tally';

const dir = mkdtempSync(join(tmpdir(), 'siar-tally-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const KOMINFO = { unit: 'Dinas Komunikasi dan Informatika', code: 'KOMINFO-2026' };
const DINKES = { unit: 'Dinas Kesehatan', code: 'DINKES-2026' };
const MANDATORY_ITEM = 'kab-contoh-apel-asn-medsos';

/** A valid NIP, different for each `seq` (1–999): born 15 March 1985, appointed January 2010. */
const nip = (seq: number) => `198503152010012${String(seq).padStart(3, '0')}`;

function share(overrides: Partial<ShareEventWire> = {}): ShareEventWire {
  return {
    id: randomUUID(),
    item_id: MANDATORY_ITEM,
    feed_url: 'http://localhost:8787/feed.json',
    platform: 'x',
    action: 'posted',
    at: wib(Date.now()),
    ...overrides,
  };
}

let dbCount = 0;
/** A fresh database file, unless a test names one to reopen. */
const freshDb = () => join(dir, `tally-${++dbCount}.db`);

async function start(options: AgencyServerOptions = {}) {
  const agency = createAgencyServer({ quiet: true, db: freshDb(), ...options });
  const { port } = await agency.listen(0);
  // 127.0.0.1, not `localhost`: Node may try ::1 first, where nothing listens.
  const origin = `http://127.0.0.1:${port}`;
  const call = (path: string, init?: RequestInit) => fetch(new URL(path, origin), init);
  const json = (method: string, path: string, body: unknown, token?: string) =>
    call(path, {
      method,
      headers: {
        'Content-Type': 'application/json',
        ...(token ? { Authorization: `Bearer ${token}` } : {}),
      },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
  const enroll = (body: Record<string, unknown>) => json('POST', '/v1/enroll', body);
  /** Enrols and returns the token, failing the test if enrolment fails. */
  const member = async (seq: number, where = KOMINFO, name = `Pegawai ${seq}`) => {
    const res = await enroll({ nip: nip(seq), name, ...where });
    expect(res.status).toBe(201);
    return EnrollResponseSchema.parse(await res.json()).token;
  };
  const post = (token: string | undefined, shares: unknown[]) => json('POST', '/v1/shares', { shares }, token);
  const postOk = async (token: string, shares: unknown[]) => {
    const res = await post(token, shares);
    expect(res.status).toBe(200);
    return SharesResponseSchema.parse(await res.json());
  };
  const summary = async (token: string) => {
    const res = await call('/v1/me/summary', { headers: { Authorization: `Bearer ${token}` } });
    expect(res.status).toBe(200);
    return SummarySchema.parse(await res.json());
  };
  return { agency, origin, call, json, enroll, member, post, postOk, summary };
}
type Server = Awaited<ReturnType<typeof start>>;

async function expectError(res: Response, status: number, error?: string) {
  expect(res.status).toBe(status);
  expect(res.headers.get('content-type')).toContain('application/json');
  const body = ErrorSchema.parse(await res.json());
  if (error) expect(body.error).toBe(error);
  return body;
}

describe('tally: enrolment', () => {
  let s: Server;
  beforeAll(async () => {
    s = await start();
  });
  afterAll(() => s.agency.close());

  it('enrols with 201, a token and the member, in the unit as the agency spells it', async () => {
    // Codes are not case-sensitive and unit names ignore case and extra spaces.
    const res = await s.enroll({ nip: nip(1), name: ' Siti Aminah ', unit: 'dinas  kesehatan', code: 'dinkes-2026' });
    expect(res.status).toBe(201);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    const body = EnrollResponseSchema.parse(await res.json());
    expect(body.member).toEqual({ nip: nip(1), name: 'Siti Aminah', unit: 'Dinas Kesehatan' });
    expect(body.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    // The database holds the token's hash only.
    const stored = s.agency.tally.db.prepare('SELECT hash FROM tokens').all() as { hash: Buffer }[];
    expect(stored.map((row) => row.hash.length)).toEqual([32]);
    expect(stored.some((row) => row.hash.toString('base64url') === body.token)).toBe(false);
    // A NIP typed in groups is stored as 18 digits.
    const spaced = await s.enroll({ nip: '19850315 201001 2 006', name: 'B', ...KOMINFO });
    expect(EnrollResponseSchema.parse(await spaced.json()).member.nip).toBe(nip(6));
  });

  it('answers 400 for a bad NIP (naming the problem), missing fields and bad JSON', async () => {
    const badDate = await s.enroll({ nip: '198502302010012001', name: 'A', ...KOMINFO });
    expect((await expectError(badDate, 400, 'invalid_nip')).message).toContain('birth_date');
    await expectError(await s.enroll({ nip: '19850315', name: 'A', ...KOMINFO }), 400, 'invalid_nip');
    await expectError(await s.enroll({ nip: '198503152010013001', name: 'A', ...KOMINFO }), 400, 'invalid_nip');
    const noName = await expectError(await s.enroll({ nip: nip(2), ...KOMINFO }), 400, 'bad_request');
    expect(noName.message).toContain('name');
    await expectError(await s.enroll({ nip: nip(2), name: 'A', unit: KOMINFO.unit }), 400, 'bad_request');
    await expectError(await s.json('POST', '/v1/enroll', '{"nip":'), 400, 'bad_json');
  });

  it('answers 403 for a wrong code, and for a real code of another unit', async () => {
    await expectError(await s.enroll({ nip: nip(3), name: 'A', unit: KOMINFO.unit, code: 'NOPE' }), 403, 'wrong_code');
    await expectError(await s.enroll({ nip: nip(3), name: 'A', unit: KOMINFO.unit, code: DINKES.code }), 403, 'wrong_code');
  });

  it('answers 409 for a NIP already enrolled in another unit', async () => {
    await s.member(4, KOMINFO);
    await expectError(await s.enroll({ nip: nip(4), name: 'A', ...DINKES }), 409, 'enrolled_elsewhere');
  });

  it('re-enrols the same NIP in the same unit: a new token, the same member, both tokens live', async () => {
    const first = await s.member(5, KOMINFO, 'Budi');
    const accepted = await s.postOk(first, [share()]);
    expect(accepted.accepted).toHaveLength(1);
    const res = await s.enroll({ nip: nip(5), name: 'Budi Santoso', ...KOMINFO });
    expect(res.status).toBe(201);
    const again = EnrollResponseSchema.parse(await res.json());
    expect(again.token).not.toBe(first);
    expect(again.member.name).toBe('Budi Santoso');
    // The same member: the events sent with the first token count for the second.
    expect((await s.summary(again.token)).events).toBe(1);
    expect((await s.summary(first)).events).toBe(1);
    const members = s.agency.tally.db.prepare('SELECT COUNT(*) AS n FROM members WHERE nip = ?').get(nip(5));
    expect(members).toEqual({ n: 1 });
  });

  it('answers CORS preflight for /v1/*', async () => {
    for (const path of ['/v1/enroll', '/v1/shares', '/v1/me/summary']) {
      const res = await s.call(path, { method: 'OPTIONS' });
      expect(res.status).toBe(204);
      expect(res.headers.get('access-control-allow-origin')).toBe('*');
      expect(res.headers.get('access-control-allow-headers')).toBe('authorization, content-type');
      expect(res.headers.get('access-control-allow-methods')).toContain('POST');
    }
  });
});

describe('tally: shares', () => {
  let s: Server;
  let alice: string;
  let bob: string;
  beforeAll(async () => {
    s = await start();
    alice = await s.member(10, KOMINFO);
    bob = await s.member(11, DINKES);
  });
  afterAll(() => s.agency.close());

  it('accepts good shares, rejects bad ones one by one, and calls a resend duplicate', async () => {
    const [a, b] = [share(), share({ action: 'inserted', post_url: 'https://x.com/contoh/status/1' })];
    const badPlatform = share({ platform: 'X!' });
    const badId = { ...share(), id: 'not-a-uuid' };
    const noItem: Record<string, unknown> = share();
    delete noItem.item_id;
    const first = await s.postOk(alice, [a, badPlatform, b, badId, noItem, 42]);
    expect(first.accepted).toEqual([a.id, b.id]);
    expect(first.duplicate).toEqual([]);
    expect(first.rejected.map((r) => r.id)).toEqual([badPlatform.id, 'not-a-uuid', noItem.id, '']);
    expect(first.rejected[0]!.reason).toMatch(/^platform: /);
    expect(first.rejected[1]!.reason).toMatch(/^id: /);
    expect(first.rejected[2]!.reason).toMatch(/^item_id: /);

    const again = await s.postOk(alice, [a, b]);
    expect(again).toEqual({ accepted: [], duplicate: [a.id, b.id], rejected: [] });
  });

  it("rejects an id already stored by another member, and keeps the owner's event", async () => {
    const mine = share();
    await s.postOk(alice, [mine]);
    const theirs = await s.postOk(bob, [{ ...mine, platform: 'facebook' }]);
    expect(theirs.accepted).toEqual([]);
    expect(theirs.rejected).toEqual([{ id: mine.id, reason: expect.stringContaining('another member') }]);
    const row = s.agency.tally.db.prepare('SELECT platform FROM shares WHERE id = ?').get(mine.id);
    expect(row).toEqual({ platform: 'x' });
  });

  it('counts the same batch posted twice at once only once', async () => {
    const token = await s.member(12, DINKES);
    const batch = Array.from({ length: 200 }, () => share({ item_id: `item-${randomUUID()}` }));
    const [one, two] = await Promise.all([s.postOk(token, batch), s.postOk(token, batch)]);
    const ids = batch.map((x) => x.id);
    // Each request is one transaction: one stores all, the other finds all stored.
    expect([one, two].map((r) => r.accepted.length).sort()).toEqual([0, 200]);
    expect([...one.accepted, ...two.accepted].sort()).toEqual([...ids].sort());
    expect([...one.duplicate, ...two.duplicate].sort()).toEqual([...ids].sort());
    expect(one.rejected.concat(two.rejected)).toEqual([]);
    expect((await s.summary(token)).events).toBe(200);
  });

  it('answers 401 without a token, with an unknown one, and with a revoked one', async () => {
    const res = await s.post(undefined, [share()]);
    await expectError(res, 401, 'unauthorized');
    expect(res.headers.get('www-authenticate')).toBe('Bearer');
    await expectError(await s.post('x'.repeat(43), [share()]), 401, 'unauthorized');
    await expectError(await s.call('/v1/me/summary'), 401, 'unauthorized');
    const token = await s.member(13, KOMINFO);
    expect(s.agency.tally.revokeTokens(nip(13))).toBe(1);
    await expectError(await s.post(token, [share()]), 401, 'unauthorized');
  });

  it('answers 413 for more than 500 shares and for more than 1 MiB, storing nothing', async () => {
    const before = (await s.summary(alice)).events;
    const many = Array.from({ length: 501 }, () => share());
    await expectError(await s.post(alice, many), 413, 'too_large');
    const big = { shares: [share()], padding: 'x'.repeat(1024 * 1024) };
    await expectError(await s.json('POST', '/v1/shares', big, alice), 413, 'too_large');
    expect((await s.summary(alice)).events).toBe(before);
    // 500 is allowed.
    expect((await s.postOk(alice, many.slice(0, 500))).accepted).toHaveLength(500);
  });

  it('answers 400 for a body that is not {"shares": [...]}', async () => {
    await expectError(await s.json('POST', '/v1/shares', { share: [] }, alice), 400, 'bad_request');
    await expectError(await s.json('POST', '/v1/shares', 'nope', alice), 400, 'bad_json');
  });
});

describe('tally: rate limit', () => {
  it('answers 429 with Retry-After after the burst, per token', async () => {
    const s = await start({ rateLimit: { perMinute: 6, burst: 3 } });
    try {
      const [a, b] = [await s.member(20), await s.member(21)];
      for (let i = 0; i < 3; i++) expect((await s.post(a, [share()])).status).toBe(200);
      const res = await s.post(a, [share()]);
      await expectError(res, 429, 'rate_limited');
      // One token every 10 s at 6 a minute.
      expect(Number(res.headers.get('retry-after'))).toBeGreaterThanOrEqual(9);
      expect(Number(res.headers.get('retry-after'))).toBeLessThanOrEqual(10);
      expect(res.headers.get('access-control-expose-headers')).toBe('Retry-After');
      expect((await s.post(b, [share()])).status).toBe(200);
    } finally {
      await s.agency.close();
    }
  });

  it('refills the bucket at the configured rate', () => {
    let now = 0;
    const limiter = new RateLimiter({ perMinute: 60, burst: 2 }, () => now);
    expect([limiter.take('k'), limiter.take('k'), limiter.take('k')]).toEqual([0, 0, 1]);
    now += 1000;
    expect([limiter.take('k'), limiter.take('k')]).toEqual([0, 1]);
    expect(limiter.take('other')).toBe(0);
  });
});

describe('tally: summary', () => {
  it('counts events and distinct posts, by platform, and ranks the unit', async () => {
    const s = await start();
    try {
      const [a1, a2, b1] = [await s.member(30, KOMINFO), await s.member(31, KOMINFO), await s.member(32, DINKES)];
      await s.postOk(a1, [
        share({ item_id: 'A' }),
        share({ item_id: 'A' }), // the same item and platform again: an event, not a second post
        share({ item_id: 'A', platform: 'facebook' }),
        share({ item_id: 'B', action: 'inserted' }),
        share({ item_id: 'B', action: 'copied' }),
        share({ item_id: 'B', action: 'intent_opened', platform: 'whatsapp' }),
      ]);
      await s.postOk(a2, [share({ item_id: 'A' })]);
      await s.postOk(b1, [share({ item_id: 'A' }), share({ item_id: 'B' }), share({ item_id: 'C' }), share({ item_id: 'D' })]);

      const units = Object.keys(DEMO_ENROLL_CODES).length;
      expect(await s.summary(a1)).toEqual({
        events: 6,
        posted: 2,
        by_platform: { facebook: 1, x: 1 },
        unit: { name: KOMINFO.unit, posted: 3, rank: 2, units },
      });
      expect((await s.summary(b1)).unit).toEqual({ name: DINKES.unit, posted: 4, rank: 1, units });
      // A member who has sent nothing still gets a summary; two units tied share a place.
      await s.postOk(a2, [share({ item_id: 'E' })]);
      const idle = await s.member(33, { unit: 'Dinas Pertanian', code: 'DISTAN-2026' });
      expect((await s.summary(a1)).unit!.rank).toBe(1);
      expect(await s.summary(idle)).toEqual({
        events: 0,
        posted: 0,
        by_platform: {},
        unit: { name: 'Dinas Pertanian', posted: 0, rank: 3, units },
      });
    } finally {
      await s.agency.close();
    }
  });
});

describe('tally: persistence', () => {
  it('keeps members, tokens and shares across a restart on the same file', async () => {
    const file = freshDb();
    const first = await start({ db: file });
    const token = await first.member(40, KOMINFO);
    const batch = [share(), share({ platform: 'facebook' }), share({ action: 'copied' })];
    await first.postOk(token, batch);
    const before = await first.summary(token);
    await first.agency.close();

    const second = await start({ db: file });
    try {
      expect(await second.summary(token)).toEqual(before);
      expect(await second.postOk(token, batch)).toEqual({
        accepted: [],
        duplicate: batch.map((x) => x.id),
        rejected: [],
      });
      // Migrations ran once, at the first start.
      const migrations = second.agency.tally.db.prepare('SELECT version FROM migrations').all();
      expect(migrations).toEqual([{ version: 1 }]);
      expect(second.agency.tally.db.pragma('journal_mode', { simple: true })).toBe('wal');
      second.agency.tally.db.prepare("INSERT INTO migrations VALUES (99, 'future', '')").run();
    } finally {
      await second.agency.close();
    }
    // A database from a newer server is refused rather than misread.
    expect(() => createAgencyServer({ quiet: true, db: file })).toThrow(/newer/);
  });
});

describe('tally: injected faults (for the outbox tests)', () => {
  it('answers as told, and drops the connection before or after storing', async () => {
    const plan: Parameters<NonNullable<AgencyServerOptions['faults']>>[0][] = [];
    let next: Awaited<ReturnType<NonNullable<AgencyServerOptions['faults']>>> = 'ok';
    const s = await start({
      faults: (request) => {
        plan.push(request);
        const fault = next;
        next = 'ok';
        return fault;
      },
    });
    try {
      const token = await s.member(50);
      const batch = [share()];

      next = { status: 503, retryAfter: 7 };
      const unavailable = await s.post(token, batch);
      await expectError(unavailable, 503, 'unavailable');
      expect(unavailable.headers.get('retry-after')).toBe('7');

      next = 'drop-before-store';
      await expect(s.post(token, batch)).rejects.toThrow();
      expect((await s.summary(token)).events).toBe(0);

      next = 'drop-after-store';
      await expect(s.post(token, batch)).rejects.toThrow();
      expect((await s.summary(token)).events).toBe(1);
      expect(await s.postOk(token, batch)).toEqual({ accepted: [], duplicate: [batch[0]!.id], rejected: [] });

      next = { delayMs: 50 };
      const started = Date.now();
      expect((await s.postOk(token, [share()])).accepted).toHaveLength(1);
      expect(Date.now() - started).toBeGreaterThanOrEqual(45);
      expect(plan).toHaveLength(5);
      expect(plan[0]!.shares).toEqual(batch);
    } finally {
      await s.agency.close();
    }
  });
});

describe('dashboard', () => {
  let s: Server;
  let cookie: string;
  const admin = { user: 'admin', password: 'rahasia-uji' };
  const page = async (path: string) => {
    const res = await s.call(path, { headers: { Cookie: cookie }, redirect: 'manual' });
    return { res, html: await res.text() };
  };

  beforeAll(async () => {
    s = await start({ admin });
    const a = await s.member(60, KOMINFO, '=HYPERLINK("http://evil.example","klik")');
    const b = await s.member(61, KOMINFO, 'Budi, "Bud" Santoso');
    const c = await s.member(62, DINKES);
    await s.postOk(a, [
      share(),
      share({ platform: 'facebook' }),
      share({ item_id: '<script>alert(1)</script>', post_url: 'https://x.com/a/status/1' }),
      share({ action: 'inserted' }),
    ]);
    await s.postOk(b, [share({ action: 'copied' })]);
    await s.postOk(c, [share({ item_id: 'kab-contoh-stunting-turun-posyandu', platform: 'whatsapp' })]);
  });
  afterAll(() => s.agency.close());

  it('needs a login: / redirects, the export answers 401', async () => {
    const res = await s.call('/', { redirect: 'manual' });
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe('login');
    await expectError(await s.call('/export/shares.csv'), 401, 'unauthorized');
    const login = await s.call('/login');
    expect(login.status).toBe(200);
    expect(await login.text()).toContain('<form class="login" method="post" action="login">');
  });

  it('refuses a wrong password and logs in with the right one', async () => {
    const form = (password: string) =>
      s.call('/login', {
        method: 'POST',
        body: new URLSearchParams({ user: admin.user, password }),
        redirect: 'manual',
      });
    const wrong = await form('salah');
    expect(wrong.status).toBe(401);
    expect(await wrong.text()).toContain('kata sandi salah');
    expect(wrong.headers.get('set-cookie')).toBeNull();

    const right = await form(admin.password);
    expect(right.status).toBe(303);
    expect(right.headers.get('location')).toBe('./');
    const setCookie = right.headers.get('set-cookie')!;
    expect(setCookie).toMatch(/^siar_session=[A-Za-z0-9_-]{43}; /);
    expect(setCookie).toContain('HttpOnly');
    expect(setCookie).toContain('SameSite=Strict');
    expect(setCookie).not.toContain('Secure'); // plain-http loopback
    cookie = setCookie.split(';')[0]!;
  });

  it('shows the figures, safely escaped, under a strict CSP', async () => {
    const { res, html } = await page('/');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(res.headers.get('content-security-policy')).not.toContain('script');
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    expect(res.headers.get('cache-control')).toBe('no-store');
    const card = (label: string) => new RegExp(`<span>${label}</span><strong>([^<]*)`).exec(html)?.[1];
    expect(card('Postingan dibagikan')).toBe('4');
    expect(card('Semua peristiwa')).toBe('6');
    expect(card('ASN terdaftar')).toBe('3');
    expect(card('Aktif minggu ini')).toBe('2 ');
    // Titles come from the current feed; an unknown item shows its id, escaped.
    expect(html).toContain('Bupati Ajak Seluruh ASN Sebarkan Capaian Pembangunan Lewat Media Sosial');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).not.toMatch(/<script/i);
    // Coverage of the mandatory item: one of the two Kominfo members posted it.
    expect(html).toContain('Cakupan konten wajib per OPD');
    expect(html).toMatch(/Dinas Komunikasi dan Informatika<\/td><td class="num">1 \/ 2 <meter/);
    expect(html).toMatch(/Dinas Kesehatan<\/td><td class="num">0 \/ 1 <meter/);
    expect(html).toContain('<svg class="chart"');
    expect(html).toMatch(/<td>WhatsApp<\/td><td class="num">1 <meter/);
    const css = await s.call('/dashboard.css');
    expect(css.headers.get('content-type')).toBe('text/css; charset=utf-8');
  });

  it('exports every event as CSV, escaped and guarded against formulas', async () => {
    const { res, html: text } = await page('/export/shares.csv');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="siar-shares-\d{4}-\d{2}-\d{2}\.csv"$/);
    const lines = text
      .replace(/^\uFEFF/, '')
      .trimEnd()
      .split('\r\n');
    expect(lines[0]).toBe('id,nip,name,unit,item_id,feed_url,platform,action,at,post_url,received_at');
    expect(lines).toHaveLength(1 + 6);
    expect(text).toContain(`,${nip(60)},"'=HYPERLINK(""http://evil.example"",""klik"")",Dinas Komunikasi dan Informatika,`);
    expect(text).toContain(`,${nip(61)},"Budi, ""Bud"" Santoso",`);
    expect(text).toContain(',<script>alert(1)</script>,');
  });

  it('logs out', async () => {
    const res = await s.call('/logout', { method: 'POST', headers: { Cookie: cookie }, redirect: 'manual' });
    expect(res.status).toBe(303);
    expect(res.headers.get('set-cookie')).toContain('Max-Age=0');
    expect((await page('/')).res.status).toBe(302);
  });
});

describe('server configuration', () => {
  it('gives every unit of the demo feed a demo enrolment code', () => {
    const agencies = new Set(buildDemoFeed({ base: 'http://localhost:8787' }).items.map((i) => i._siar?.agency?.name));
    expect(new Set(Object.keys(DEMO_ENROLL_CODES))).toEqual(agencies);
  });

  it('parses SIAR_ENROLL_CODES, several codes per unit, and refuses ambiguity', () => {
    expect(parseEnrollCodes('Dinas Kominfo=KOMINFO-2026, KOMINFO-B ; Dinas Kesehatan=DINKES-2026;')).toEqual({
      'Dinas Kominfo': ['KOMINFO-2026', 'KOMINFO-B'],
      'Dinas Kesehatan': ['DINKES-2026'],
    });
    expect(parseEnrollCodes('A=1;a=2')).toEqual({ A: ['1', '2'] });
    expect(() => parseEnrollCodes('A=X;B=x')).toThrow(/both/);
    expect(() => parseEnrollCodes('A=')).toThrow();
    expect(() => parseEnrollCodes('KODE')).toThrow();
    expect(() => parseEnrollCodes(' ; ')).toThrow();
  });

  it('reads the environment with demo defaults', () => {
    const demo = configFromEnv({});
    expect(demo.db).toMatch(/server[/\\]data[/\\]siar\.db$/);
    expect(demo.admin).toEqual({ user: 'admin', password: 'siar-demo' });
    expect(demo.rateLimit).toEqual({ perMinute: 120, burst: 60 });
    expect(demo.utcOffsetMinutes).toBe(420);
    const set = configFromEnv({
      SIAR_DB: ':memory:',
      SIAR_ADMIN_USER: 'root',
      SIAR_ADMIN_PASSWORD: 'p',
      SIAR_RATE_PER_MINUTE: '30',
      SIAR_RATE_BURST: '5',
      SIAR_UTC_OFFSET: '+08:00',
      SIAR_ENROLL_CODES: 'Dinas X=X1',
    });
    expect(set).toMatchObject({
      db: ':memory:',
      admin: { user: 'root', password: 'p' },
      rateLimit: { perMinute: 30, burst: 5 },
      utcOffsetMinutes: 480,
      enrollCodes: { 'Dinas X': ['X1'] },
    });
    expect(() => configFromEnv({ SIAR_ADMIN_PASSWORD: '' })).toThrow();
    expect(() => configFromEnv({ SIAR_RATE_BURST: 'many' })).toThrow();
    expect(() => configFromEnv({ SIAR_UTC_OFFSET: '7' })).toThrow();
  });

  it('escapes CSV cells', () => {
    expect(csvLine(['a', 'b,c', 'd"e', 'f\ng', null, 3])).toBe('a,"b,c","d""e","f\ng",,3\r\n');
    expect(['=1+1', '+1', '-1', '@SUM(A1)', '\tx'].map(csvCell)).toEqual(["'=1+1", "'+1", "'-1", "'@SUM(A1)", "'\tx"]);
  });
});
