// @vitest-environment node
// The tally and the dashboard against the real server on both databases: a real socket, the real
// fetch, a real SQLite file or a real PostgreSQL database. No mocks.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { csvCell, csvLine } from '../../server/dashboard/csv';
import { buildDemoFeed, wib } from '../../server/demo/feed';
import { configFromEnv } from '../../server/env';
import { DEMO_ENROLL_CODES, parseEnrollCodes } from '../../server/tally/codes';
import {
  EnrollCheckResponseSchema,
  EnrollResponseSchema,
  ErrorSchema,
  SharesResponseSchema,
  SummarySchema,
} from '../../utils/protocol/tally';
import {
  BACKENDS,
  DEMO,
  DINKES,
  freshDatabase,
  KOMINFO,
  MANDATORY_ITEM,
  nip,
  startAgency,
  type Backend,
  type Harness,
} from '../support/agency';

const STUNTING = 'kab-contoh-stunting-turun-posyandu';
const BEASISWA = 'kab-contoh-beasiswa-contoh-cerdas';
const JALAN = 'kab-contoh-jalan-desa-42-km';
const PANEN = 'kab-contoh-panen-raya-sukamaju';
const EXPIRED = 'kab-contoh-donor-darah-hkn';

async function expectError(res: Response, status: number, error?: string) {
  expect(res.status).toBe(status);
  expect(res.headers.get('content-type')).toContain('application/json');
  const body = ErrorSchema.parse(await res.json());
  if (error) expect(body.error).toBe(error);
  return body;
}

function tools(s: Harness) {
  const enroll = (body: Record<string, unknown>) => s.json('POST', '/v1/enroll', body);
  const post = (token: string | undefined, shares: unknown[]) => s.json('POST', '/v1/shares', { shares }, token);
  const postOk = async (token: string, shares: unknown[]) => {
    const res = await post(token, shares);
    expect(res.status).toBe(200);
    return SharesResponseSchema.parse(await res.json());
  };
  const summary = async (token: string) => {
    const res = await s.call('/v1/me/summary', { headers: { Authorization: `Bearer ${token}` } });
    expect(res.status).toBe(200);
    return SummarySchema.parse(await res.json());
  };
  const count = async (sql: string, params: (string | number)[] = []) => Number((await s.agency.db.get<{ n: number }>(sql, params))!.n);
  return { enroll, post, postOk, summary, count };
}

/** One CSV record (RFC 4180: quoted cells, `""` for a quote) without its line end. */
function csvRecord(line: string): string[] {
  const cells: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      cells.push(cell);
      cell = '';
    } else cell += c;
  }
  return [...cells, cell];
}

describe.each(BACKENDS)('tally on %s', (backend: Backend) => {
  describe('enrolment', () => {
    let s: Harness;
    let t: ReturnType<typeof tools>;
    beforeAll(async () => {
      s = await startAgency(backend);
      t = tools(s);
    });
    afterAll(() => s.close());

    it('enrols with 201, a token and the member, in the unit the code belongs to, as the agency spells it', async () => {
      // Codes are not case-sensitive; a unit given may differ in case and spaces; it may be left out.
      const res = await t.enroll({ nip: nip(1), name: ' Siti Aminah ', unit: 'dinas  kesehatan', code: 'dinkes-2026' });
      expect(res.status).toBe(201);
      expect(res.headers.get('access-control-allow-origin')).toBe('*');
      const body = EnrollResponseSchema.parse(await res.json());
      expect(body.member).toEqual({ nip: nip(1), name: 'Siti Aminah', unit: 'Dinas Kesehatan', x_handle: null });
      expect(body.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
      const stored = await s.agency.db.all<{ hash: Buffer }>('SELECT hash FROM tokens');
      expect(stored.map((row) => Buffer.from(row.hash).length)).toEqual([32]);
      expect(stored.some((row) => Buffer.from(row.hash).toString('base64url') === body.token)).toBe(false);
      const noUnit = EnrollResponseSchema.parse(await (await t.enroll({ nip: nip(2), name: 'B', code: KOMINFO.code })).json());
      expect(noUnit.member.unit).toBe(KOMINFO.unit);
    });

    it('takes a NIP as people write it: groups separated by spaces, dots or dashes', async () => {
      for (const [seq, written] of [
        [6, '19850315 201001 2 006'],
        [7, '19850315-201001-2-007'],
        [8, '19850315.201001.2.008'],
      ] as const) {
        const res = await t.enroll({ nip: written, name: 'B', ...KOMINFO });
        expect(res.status, written).toBe(201);
        expect(EnrollResponseSchema.parse(await res.json()).member.nip).toBe(nip(seq));
      }
    });

    it('answers 400 for a bad NIP (naming the problem), missing fields and bad JSON', async () => {
      const badDate = await t.enroll({ nip: '198502302010012001', name: 'A', ...KOMINFO });
      expect((await expectError(badDate, 400, 'invalid_nip')).message).toContain('birth_date');
      await expectError(await t.enroll({ nip: '19850315', name: 'A', ...KOMINFO }), 400, 'invalid_nip');
      await expectError(await t.enroll({ nip: '198503152010013001', name: 'A', ...KOMINFO }), 400, 'invalid_nip');
      const noName = await expectError(await t.enroll({ nip: nip(20), ...KOMINFO }), 400, 'bad_request');
      expect(noName.message).toContain('name');
      await expectError(await t.enroll({ nip: nip(20), name: 'A', unit: KOMINFO.unit }), 400, 'bad_request');
      await expectError(await s.json('POST', '/v1/enroll', '{"nip":'), 400, 'bad_json');
    });

    it('answers 403 wrong_code for a wrong code, and unit_mismatch for a real code of another unit', async () => {
      await expectError(await t.enroll({ nip: nip(3), name: 'A', unit: KOMINFO.unit, code: 'NOPE' }), 403, 'wrong_code');
      await expectError(await t.enroll({ nip: nip(3), name: 'A', unit: KOMINFO.unit, code: DINKES.code }), 403, 'unit_mismatch');
    });

    it('tells the unit of a code before the person confirms (v1/enroll/check)', async () => {
      const res = await s.json('POST', '/v1/enroll/check', { code: ' kominfo-2026 ' });
      expect(res.status).toBe(200);
      expect(EnrollCheckResponseSchema.parse(await res.json())).toEqual({ unit: KOMINFO.unit, roster: false });
      await expectError(await s.json('POST', '/v1/enroll/check', { code: 'TEBAKAN' }), 403, 'wrong_code');
    });

    it('answers 409 for a NIP enrolled in another unit', async () => {
      await s.member(4, KOMINFO);
      await expectError(await t.enroll({ nip: nip(4), name: 'A', ...DINKES }), 409, 'enrolled_elsewhere');
    });

    it('a NIP holding a live token enrols again only with a one-time personal code; both tokens then count for one member', async () => {
      const first = await s.member(5, KOMINFO, 'Budi');
      expect((await t.postOk(first, [s.share()])).accepted).toHaveLength(1);
      // The unit's code alone cannot take over a colleague's NIP.
      await expectError(await t.enroll({ nip: nip(5), name: 'Penyusup', ...KOMINFO }), 409, 'already_enrolled');
      const editor = await s.login('editor.kominfo');
      const issued = await s.api(editor, 'POST', '/personal-codes', { nip: nip(5) });
      expect(issued.status).toBe(201);
      expect(issued.body.code).toMatch(/^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$/);
      await expectError(await t.enroll({ nip: nip(5), name: 'Budi', ...KOMINFO, personal_code: 'SALAH-KODE-0000' }), 403, 'wrong_code');
      const res = await t.enroll({ nip: nip(5), name: 'Budi Santoso', ...KOMINFO, personal_code: issued.body.code });
      expect(res.status).toBe(201);
      const again = EnrollResponseSchema.parse(await res.json());
      expect(again.token).not.toBe(first);
      expect(again.member.name).toBe('Budi Santoso');
      expect((await t.summary(again.token)).events).toBe(1);
      expect((await t.summary(first)).events).toBe(1);
      expect(await t.count('SELECT COUNT(*) AS n FROM members WHERE nip = $1', [nip(5)])).toBe(1);
      // One time only.
      await expectError(await t.enroll({ nip: nip(5), name: 'Budi', ...KOMINFO, personal_code: issued.body.code }), 403, 'wrong_code');
      // An editor of another unit cannot issue one for this NIP.
      const other = await s.login('editor.dinkes');
      expect((await s.api(other, 'POST', '/personal-codes', { nip: nip(5) })).status).toBe(404);
    });

    it('a member whose tokens were revoked enrols again with the unit code', async () => {
      await s.member(9, KOMINFO);
      const member = await s.agency.db.get<{ id: number }>('SELECT id FROM members WHERE nip = $1', [nip(9)]);
      const admin = await s.login('admin');
      expect((await s.api(admin, 'POST', `/members/${member!.id}/revoke`)).body).toEqual({ revoked: 1 });
      expect((await t.enroll({ nip: nip(9), name: 'A', ...KOMINFO })).status).toBe(201);
    });

    it('answers CORS preflight for /v1/*', async () => {
      for (const path of ['/v1/enroll', '/v1/enroll/check', '/v1/shares', '/v1/me/summary']) {
        const res = await s.call(path, { method: 'OPTIONS' });
        expect(res.status).toBe(204);
        expect(res.headers.get('access-control-allow-origin')).toBe('*');
        expect(res.headers.get('access-control-allow-headers')).toBe('authorization, content-type');
        expect(res.headers.get('access-control-allow-methods')).toContain('POST');
      }
    });
  });

  describe('the roster', () => {
    it("with a roster only a NIP listed for the code's unit enrols, under the roster's name; without one anyone with the code", async () => {
      const s = await startAgency(backend);
      const t = tools(s);
      try {
        expect((await t.enroll({ nip: nip(30), name: 'Sebelum Roster', ...KOMINFO })).status).toBe(201);
        const admin = await s.login('admin');
        const csv = [
          'NIP;Nama;Unit',
          `${nip(31)};Rina Kominfo;Dinas Komunikasi dan Informatika`,
          `19850315-201001-2-032;Dedi Dinkes;dinas kesehatan`,
          `${nip(33)};Tanpa Unit;Dinas Entah`,
          `123;Salah NIP;Dinas Kesehatan`,
          `${nip(31)};Dua Kali;Dinas Kesehatan`,
        ].join('\r\n');
        const res = await s.call('/api/v1/roster', {
          method: 'POST',
          headers: { Authorization: `Bearer ${admin}`, 'Content-Type': 'text/csv' },
          body: csv,
        });
        expect(res.status).toBe(200);
        const result = (await res.json()) as { added: number; updated: number; refused: { line: number; reason: string }[] };
        expect(result.added).toBe(2);
        expect(result.updated).toBe(0);
        expect(result.refused.map((r) => r.line)).toEqual([4, 5, 6]);
        expect(result.refused[0]!.reason).toContain('unknown unit');
        expect(result.refused[1]!.reason).toContain('invalid NIP');
        expect(result.refused[2]!.reason).toContain('twice');
        const check = EnrollCheckResponseSchema.parse(await (await s.json('POST', '/v1/enroll/check', { code: KOMINFO.code })).json());
        expect(check.roster).toBe(true);
        // Listed for Kominfo: enrols, with the roster's name whatever was typed.
        const ok = EnrollResponseSchema.parse(await (await t.enroll({ nip: nip(31), name: 'rina', ...KOMINFO })).json());
        expect(ok.member.name).toBe('Rina Kominfo');
        // Listed, but for another unit; not listed at all.
        await expectError(await t.enroll({ nip: nip(32), name: 'Dedi', ...KOMINFO }), 403, 'not_on_roster');
        await expectError(await t.enroll({ nip: nip(34), name: 'Asing', ...KOMINFO }), 403, 'not_on_roster');
        expect((await t.enroll({ nip: nip(32), name: 'x', ...DINKES })).status).toBe(201);
        // Editors cannot load a roster.
        const editor = await s.login('editor.kominfo');
        expect((await s.call('/api/v1/roster', { method: 'POST', headers: { Authorization: `Bearer ${editor}` }, body: csv })).status).toBe(
          403,
        );
      } finally {
        await s.close();
      }
    });
  });

  describe('shares', () => {
    let s: Harness;
    let t: ReturnType<typeof tools>;
    let alice: string;
    let bob: string;
    beforeAll(async () => {
      s = await startAgency(backend, { dailyCap: 40 });
      t = tools(s);
      alice = await s.member(10, KOMINFO);
      bob = await s.member(11, DINKES);
    });
    afterAll(() => s.close());

    it("accepts good shares, rejects bad ones one by one with the protocol's reasons, and calls a resend duplicate", async () => {
      const [a, b] = [s.share(), s.share({ action: 'inserted', post_url: 'https://x.com/contoh/status/1' })];
      const badPlatform = s.share({ platform: 'X!' });
      const tiktok = s.share({ platform: 'tiktok' });
      const badAction = s.share({ action: 'liked' as never });
      const badId = { ...s.share(), id: 'not-a-uuid' };
      const noItem: Record<string, unknown> = s.share();
      delete noItem.item_id;
      const first = await t.postOk(alice, [a, badPlatform, b, badId, noItem, 42, tiktok, badAction]);
      expect(first.accepted).toEqual([a.id, b.id]);
      expect(first.duplicate).toEqual([]);
      expect(first.rejected).toEqual([
        { id: badPlatform.id, reason: 'bad_platform' },
        { id: 'not-a-uuid', reason: 'malformed' },
        { id: noItem.id, reason: 'malformed' },
        { id: '', reason: 'bad_platform' },
        { id: tiktok.id, reason: 'bad_platform' },
        { id: badAction.id, reason: 'bad_action' },
      ]);
      const again = await t.postOk(alice, [a, b]);
      expect(again).toEqual({ accepted: [], duplicate: [a.id, b.id], rejected: [] });
    });

    it('counts only posts this agency published, from its own feed, at a believable time, with a real post address', async () => {
      const now = Date.now();
      const cases: [ReturnType<Harness['share']>, string][] = [
        [s.share({ item_id: `item-${randomUUID()}` }), 'unknown_item'],
        [s.share({ feed_url: 'https://evil.example/feed.json' }), 'foreign_feed'],
        [s.share({ at: wib(now + 60 * 60_000) }), 'bad_time'],
        [s.share({ at: wib(now - 31 * 86_400_000) }), 'bad_time'],
        // Weeks before the post existed (the demo posts were published hours ago).
        [s.share({ at: wib(now - 20 * 86_400_000) }), 'bad_time'],
        [s.share({ post_url: 'https://x.com/contoh' }), 'bad_post_url'],
        [s.share({ post_url: 'https://x.com/contoh/status/12/photo/1' }), 'bad_post_url'],
        [s.share({ platform: 'facebook', post_url: 'https://x.com/contoh/status/1' }), 'bad_post_url'],
        [s.share({ platform: 'facebook', post_url: 'https://www.facebook.com/profile.php?id=1' }), 'bad_post_url'],
        [s.share({ platform: 'whatsapp', post_url: 'https://wa.me/628123' }), 'bad_post_url'],
        [s.share({ platform: 'other', post_url: 'https://example.com/a' }), 'bad_post_url'],
        [s.share({ action: 'copied', self_reported: true }), 'bad_action'],
      ];
      const result = await t.postOk(
        alice,
        cases.map(([share]) => share),
      );
      expect(result.accepted).toEqual([]);
      expect(result.rejected).toEqual(cases.map(([share, reason]) => ({ id: share.id, reason })));
      // And the good counterparts are accepted.
      const good = [
        s.share({ post_url: 'https://twitter.com/contoh/status/1861234567890' }),
        s.share({ platform: 'facebook', post_url: 'https://www.facebook.com/groups/kabcontoh/posts/1234567890/' }),
        s.share({ platform: 'facebook', post_url: 'https://www.facebook.com/permalink.php?story_fbid=pfbid02abc&id=1' }),
        s.share({ at: wib(now + 5 * 60_000) }),
        s.share({ item_id: EXPIRED }),
      ];
      expect((await t.postOk(alice, good)).accepted).toEqual(good.map((g) => g.id));
    });

    it("rejects an id already stored by another member, and keeps the owner's event", async () => {
      const mine = s.share();
      await t.postOk(alice, [mine]);
      const theirs = await t.postOk(bob, [{ ...mine, platform: 'facebook' }]);
      expect(theirs.accepted).toEqual([]);
      expect(theirs.rejected).toEqual([{ id: mine.id, reason: 'id_taken' }]);
      const row = await s.agency.db.get('SELECT platform FROM shares WHERE id = $1', [mine.id]);
      expect(row).toEqual({ platform: 'x' });
    });

    it('counts the same batch posted twice at once only once', async () => {
      const token = await s.member(12, DINKES);
      const items = [MANDATORY_ITEM, STUNTING, BEASISWA, JALAN, PANEN];
      const batch = Array.from({ length: 30 }, (_, i) =>
        s.share({ item_id: items[i % items.length], platform: i % 2 ? 'x' : 'facebook', action: i % 3 ? 'posted' : 'inserted' }),
      );
      const [one, two] = await Promise.all([t.postOk(token, batch), t.postOk(token, batch)]);
      const ids = batch.map((x) => x.id);
      // Each request is one transaction: one stores all, the other finds all stored.
      expect([one, two].map((r) => r.accepted.length).sort()).toEqual([0, 30]);
      expect([...one.accepted, ...two.accepted].sort()).toEqual([...ids].sort());
      expect([...one.duplicate, ...two.duplicate].sort()).toEqual([...ids].sort());
      expect(one.rejected.concat(two.rejected)).toEqual([]);
      const summary = await t.summary(token);
      expect(summary.events).toBe(30);
      expect(summary.posted).toBe(new Set(batch.filter((b) => b.action === 'posted').map((b) => `${b.item_id}/${b.platform}`)).size);
    });

    it('caps the events a member adds in one agency day, whatever token they use', async () => {
      const token = await s.member(14, DINKES);
      const first = await t.postOk(
        token,
        Array.from({ length: 35 }, () => s.share({ action: 'copied', platform: 'other' })),
      );
      expect(first.accepted).toHaveLength(35);
      const over = Array.from({ length: 10 }, () => s.share({ action: 'copied', platform: 'other' }));
      const second = await t.postOk(token, over);
      expect(second.accepted).toHaveLength(5);
      expect(second.rejected).toEqual(over.slice(5).map((x) => ({ id: x.id, reason: 'over_cap' })));
      expect((await t.summary(token)).events).toBe(40);
    });

    it('answers 401 without a token, with an unknown one, and with a revoked one', async () => {
      const res = await t.post(undefined, [s.share()]);
      await expectError(res, 401, 'unauthorized');
      expect(res.headers.get('www-authenticate')).toBe('Bearer');
      await expectError(await t.post('x'.repeat(43), [s.share()]), 401, 'unauthorized');
      await expectError(await s.call('/v1/me/summary'), 401, 'unauthorized');
      const token = await s.member(13, KOMINFO);
      const member = await s.agency.db.get<{ id: number }>('SELECT id FROM members WHERE nip = $1', [nip(13)]);
      const admin = await s.login('admin');
      expect((await s.api(admin, 'POST', `/members/${member!.id}/revoke`)).body).toEqual({ revoked: 1 });
      await expectError(await t.post(token, [s.share()]), 401, 'unauthorized');
    });

    it('answers 413 for more than 500 shares and for more than 1 MiB, storing nothing', async () => {
      const token = await s.member(15, KOMINFO);
      const before = (await t.summary(token)).events;
      const many = Array.from({ length: 501 }, () => s.share());
      await expectError(await t.post(token, many), 413, 'too_large');
      const big = { shares: [s.share()], padding: 'x'.repeat(1024 * 1024) };
      await expectError(await s.json('POST', '/v1/shares', big, token), 413, 'too_large');
      expect((await t.summary(token)).events).toBe(before);
      // 500 is allowed (the cap here is 40 a day: the rest are refused as over_cap, not the request).
      const answer = await t.postOk(token, many.slice(0, 500));
      expect(answer.accepted.length + answer.rejected.length).toBe(500);
    });

    it('answers 400 for a body that is not {"shares": [...]}', async () => {
      await expectError(await s.json('POST', '/v1/shares', { share: [] }, alice), 400, 'bad_request');
      await expectError(await s.json('POST', '/v1/shares', 'nope', alice), 400, 'bad_json');
    });
  });

  describe('rate limit', () => {
    it('answers 429 with Retry-After after the burst, per member (a second token shares the bucket)', async () => {
      const s = await startAgency(backend, { rateLimit: { perMinute: 6, burst: 3 } });
      const t = tools(s);
      try {
        const [a, b] = [await s.member(20), await s.member(21)];
        for (let i = 0; i < 3; i++) expect((await t.post(a, [s.share()])).status).toBe(200);
        const res = await t.post(a, [s.share()]);
        await expectError(res, 429, 'rate_limited');
        // One request every 10 s at 6 a minute.
        expect(Number(res.headers.get('retry-after'))).toBeGreaterThanOrEqual(9);
        expect(Number(res.headers.get('retry-after'))).toBeLessThanOrEqual(10);
        expect(res.headers.get('access-control-expose-headers')).toBe('Retry-After');
        expect((await t.post(b, [s.share()])).status).toBe(200);
      } finally {
        await s.close();
      }
    });
  });

  describe('summary', () => {
    it('counts events and distinct posts, by platform, seen apart from self-reported, and ranks the unit', async () => {
      const s = await startAgency(backend);
      const t = tools(s);
      try {
        const [a1, a2, b1] = [await s.member(30, KOMINFO), await s.member(31, KOMINFO), await s.member(32, DINKES)];
        await t.postOk(a1, [
          s.share({ item_id: MANDATORY_ITEM }),
          s.share({ item_id: MANDATORY_ITEM }), // the same item and platform again: an event, not a second post
          s.share({ item_id: MANDATORY_ITEM, platform: 'facebook' }),
          s.share({ item_id: STUNTING, action: 'inserted' }),
          s.share({ item_id: STUNTING, action: 'copied', platform: 'other' }),
          s.share({ item_id: STUNTING, action: 'intent_opened', platform: 'whatsapp' }),
          s.share({ item_id: STUNTING, platform: 'whatsapp', self_reported: true }),
        ]);
        await t.postOk(a2, [s.share({ item_id: MANDATORY_ITEM })]);
        await t.postOk(b1, [
          s.share({ item_id: MANDATORY_ITEM }),
          s.share({ item_id: STUNTING }),
          s.share({ item_id: BEASISWA }),
          s.share({ item_id: JALAN }),
          s.share({ item_id: PANEN }),
        ]);

        const units = Object.keys(DEMO_ENROLL_CODES).length;
        expect(await t.summary(a1)).toEqual({
          events: 7,
          posted: 3,
          self_reported: 1,
          verified: 0,
          by_platform: { facebook: 1, whatsapp: 1, x: 1 },
          unit: { name: KOMINFO.unit, posted: 4, rank: 2, units },
        });
        expect((await t.summary(b1)).unit).toEqual({ name: DINKES.unit, posted: 5, rank: 1, units });
        // A seen post after a self-reported one on the same platform makes it a seen post.
        await t.postOk(a1, [s.share({ item_id: STUNTING, platform: 'whatsapp' })]);
        expect(await t.summary(a1)).toMatchObject({ events: 8, posted: 3, self_reported: 0 });
        // A member who has sent nothing still gets a summary; two units tied share a place.
        await t.postOk(a2, [s.share({ item_id: BEASISWA })]);
        const idle = await s.member(33, { code: 'DISTAN-2026' });
        expect((await t.summary(a1)).unit!.rank).toBe(1);
        expect(await t.summary(idle)).toEqual({
          events: 0,
          posted: 0,
          self_reported: 0,
          verified: 0,
          by_platform: {},
          unit: { name: 'Dinas Pertanian', posted: 0, rank: 3, units },
        });
        // The rollups equal a count over the events themselves.
        expect(
          await t.count(
            "SELECT COUNT(*) AS n FROM (SELECT DISTINCT member_id, item_id, platform FROM shares WHERE action = 'posted') AS d",
          ),
        ).toBe(await t.count('SELECT COALESCE(SUM(posted), 0) AS n FROM rollup_unit'));
        expect(await t.count('SELECT COUNT(*) AS n FROM shares')).toBe(
          await t.count('SELECT COALESCE(SUM(events), 0) AS n FROM rollup_unit'),
        );
      } finally {
        await s.close();
      }
    });

    it('turns every self-reported post a batch then sees into a seen post, and only those', async () => {
      const s = await startAgency(backend);
      const t = tools(s);
      try {
        const [a, b] = [await s.member(34, KOMINFO), await s.member(35, DINKES)];
        await t.postOk(a, [
          s.share({ item_id: STUNTING, platform: 'whatsapp', self_reported: true }),
          s.share({ item_id: BEASISWA, platform: 'whatsapp', self_reported: true }),
          s.share({ item_id: JALAN, platform: 'facebook' }),
        ]);
        await t.postOk(b, [s.share({ item_id: STUNTING, platform: 'facebook', self_reported: true })]);
        expect(await t.summary(a)).toMatchObject({ posted: 3, self_reported: 2 });
        // Both members at once (on PostgreSQL two transactions side by side).
        await Promise.all([
          t.postOk(a, [
            s.share({ item_id: STUNTING, platform: 'whatsapp' }),
            s.share({ item_id: BEASISWA, platform: 'whatsapp' }),
            s.share({ item_id: JALAN, platform: 'facebook' }), // already seen: nothing changes
            s.share({ item_id: PANEN, platform: 'x' }), // a new seen post
            s.share({ item_id: PANEN, platform: 'facebook', self_reported: true }), // a new self-reported one
          ]),
          t.postOk(b, [s.share({ item_id: STUNTING, platform: 'facebook' })]),
        ]);
        expect(await t.summary(a)).toMatchObject({ posted: 5, self_reported: 1 });
        expect(await t.summary(b)).toMatchObject({ posted: 1, self_reported: 0 });
        const selfReported = await t.count('SELECT COUNT(*) AS n FROM posted_firsts WHERE self_reported = 1');
        expect(selfReported).toBe(1);
        for (const table of ['rollup_unit', 'rollup_unit_day', 'rollup_platform_day', 'rollup_member']) {
          expect(await t.count(`SELECT COALESCE(SUM(posted_self), 0) AS n FROM ${table}`), table).toBe(selfReported);
        }
      } finally {
        await s.close();
      }
    });
  });

  describe('feed reports', () => {
    it('counts browsers by what they last saw of the feed, with nothing personal', async () => {
      const s = await startAgency(backend);
      try {
        const report = (reporter: string, kind: string) => s.json('POST', '/v1/feed-reports', { reporter, kind });
        expect((await report('a'.repeat(22), 'bad_signature')).status).toBe(204);
        expect((await report('b'.repeat(22), 'bad_signature')).status).toBe(204);
        expect((await report('c'.repeat(22), 'ok')).status).toBe(204);
        // A browser that recovers is counted once, as it is now.
        expect((await report('b'.repeat(22), 'ok')).status).toBe(204);
        expect((await report('short', 'ok')).status).toBe(400);
        expect((await report('d'.repeat(22), 'name: Budi')).status).toBe(400);
        const { feedHealthReports } = await import('../../server/dashboard/stats');
        expect(await feedHealthReports(s.agency.db, Date.now())).toEqual([
          { kind: 'bad_signature', browsers: 1 },
          { kind: 'ok', browsers: 2 },
        ]);
        expect(await s.agency.db.all('SELECT * FROM feed_reports WHERE reporter = $1', ['a'.repeat(22)])).toEqual([
          { reporter: 'a'.repeat(22), kind: 'bad_signature', at: expect.any(String) },
        ]);
        // The dashboard says it loudly.
        const login = await s.call('/login', {
          method: 'POST',
          body: new URLSearchParams({ user: 'admin', password: DEMO.admin!.password }),
        });
        const html = await (await s.call('/', { headers: { Cookie: login.headers.get('set-cookie')!.split(';')[0]! } })).text();
        expect(html).toContain('1 dari 3 peramban yang melapor dalam 30 menit terakhir tidak menerima feed yang baik');
        expect(html).toMatch(/Tanda tangan tidak sah<\/td><td class="num">1</);
      } finally {
        await s.close();
      }
    });
  });

  describe('persistence', () => {
    it('keeps members, tokens and shares across a restart on the same database', async () => {
      const db = await freshDatabase(backend);
      const first = await startAgency(backend, { db });
      const t1 = tools(first);
      const token = await first.member(40, KOMINFO);
      const batch = [first.share(), first.share({ platform: 'facebook' }), first.share({ action: 'copied', platform: 'other' })];
      await t1.postOk(token, batch);
      const before = await t1.summary(token);
      await first.close();

      const second = await startAgency(backend, { db });
      const t2 = tools(second);
      try {
        expect(await t2.summary(token)).toEqual(before);
        // The feed address is the same (a new port, the same data): events name the new one.
        const resent = batch.map((b) => ({ ...b, feed_url: second.feedUrl }));
        expect(await t2.postOk(token, resent)).toEqual({ accepted: [], duplicate: batch.map((x) => x.id), rejected: [] });
        // Migrations ran once; the demo was seeded once.
        expect(await second.agency.db.all('SELECT version FROM migrations ORDER BY version')).toEqual([
          { version: 1 },
          { version: 2 },
          { version: 3 },
        ]);
        expect(await t2.count('SELECT COUNT(*) AS n FROM posts')).toBe(9);
        await second.agency.db.run("INSERT INTO migrations VALUES (99, 'future', '')");
      } finally {
        await second.close();
      }
      // A database from a newer server is refused rather than misread.
      await expect(startAgency(backend, { db })).rejects.toThrow(/newer/);
    });
  });

  describe('injected faults (for the outbox tests)', () => {
    it('answers as told, and drops the connection before or after storing', async () => {
      const plan: unknown[] = [];
      let next: 'ok' | 'drop-before-store' | 'drop-after-store' | { status: 503; retryAfter: number } | { delayMs: number } = 'ok';
      const s = await startAgency(backend, {
        faults: (request) => {
          plan.push(request.shares);
          const fault = next;
          next = 'ok';
          return fault;
        },
      });
      const t = tools(s);
      try {
        const token = await s.member(50);
        const batch = [s.share()];

        next = { status: 503, retryAfter: 7 };
        const unavailable = await t.post(token, batch);
        await expectError(unavailable, 503, 'unavailable');
        expect(unavailable.headers.get('retry-after')).toBe('7');

        next = 'drop-before-store';
        await expect(t.post(token, batch)).rejects.toThrow();
        expect((await t.summary(token)).events).toBe(0);

        next = 'drop-after-store';
        await expect(t.post(token, batch)).rejects.toThrow();
        expect((await t.summary(token)).events).toBe(1);
        expect(await t.postOk(token, batch)).toEqual({ accepted: [], duplicate: [batch[0]!.id], rejected: [] });

        next = { delayMs: 50 };
        expect((await t.postOk(token, [s.share()])).accepted).toHaveLength(1);
        expect(plan).toHaveLength(5);
        expect(plan[0]).toEqual(batch);
      } finally {
        await s.close();
      }
    });
  });

  describe('dashboard', () => {
    let s: Harness;
    let cookie: string;
    let csrf: string;
    const page = async (path: string) => {
      const res = await s.call(path, { headers: { Cookie: cookie } });
      return { res, html: await res.text() };
    };

    beforeAll(async () => {
      s = await startAgency(backend);
      const t = tools(s);
      const a = await s.member(60, KOMINFO, '=HYPERLINK("http://evil.example","klik")');
      const b = await s.member(61, KOMINFO, 'Budi, "Bud" Santoso;=1+2;');
      const c = await s.member(62, DINKES);
      await t.postOk(a, [
        s.share(),
        s.share({ platform: 'facebook' }),
        s.share({ item_id: STUNTING, post_url: 'https://x.com/a/status/1' }),
        s.share({ action: 'inserted' }),
      ]);
      await t.postOk(b, [s.share({ action: 'copied', platform: 'other' })]);
      await t.postOk(c, [s.share({ item_id: STUNTING, platform: 'whatsapp' })]);
    });
    afterAll(() => s.close());

    it('needs a login: / redirects, the export answers 401', async () => {
      const res = await s.call('/');
      expect(res.status).toBe(302);
      expect(res.headers.get('location')).toBe('login');
      await expectError(await s.call('/export/shares.csv'), 401, 'unauthorized');
      const login = await s.call('/login');
      expect(login.status).toBe(200);
      expect(await login.text()).toMatch(/<form[^>]*method="post"[^>]*action="login"/);
    });

    it('refuses a wrong password and logs in with the right one', async () => {
      const form = (password: string) => s.call('/login', { method: 'POST', body: new URLSearchParams({ user: 'admin', password }) });
      const wrong = await form('salah-sekali-ini');
      expect(wrong.status).toBe(401);
      expect(await wrong.text()).toContain('kata sandi salah');
      expect(wrong.headers.get('set-cookie')).toBeNull();

      const right = await form(DEMO.admin!.password);
      expect(right.status).toBe(303);
      expect(right.headers.get('location')).toBe('./');
      const setCookie = right.headers.get('set-cookie')!;
      expect(setCookie).toMatch(/^siar_session=[A-Za-z0-9_-]{43}; /);
      expect(setCookie).toContain('HttpOnly');
      expect(setCookie).toContain('SameSite=Strict');
      expect(setCookie).not.toContain('Secure'); // plain-http loopback
      cookie = setCookie.split(';')[0]!;
    });

    it('shows the figures from the rollups, safely escaped, under a strict CSP, with the demo said', async () => {
      const { res, html } = await page('/');
      expect(res.status).toBe(200);
      expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
      expect(res.headers.get('content-security-policy')).not.toContain('script');
      expect(res.headers.get('x-frame-options')).toBe('DENY');
      expect(res.headers.get('cache-control')).toBe('no-store');
      csrf = /name="_csrf" value="([^"]+)"/.exec(html)![1]!;
      const card = (label: string) => new RegExp(`<span>${label}</span><strong>([^<]*)`).exec(html)?.[1];
      expect(card('Postingan dibagikan')).toBe('4');
      expect(card('Semua peristiwa')).toBe('6');
      expect(card('ASN terdaftar')).toBe('3');
      expect(card('Aktif minggu ini')).toBe('2 ');
      expect(html).toContain('Bupati Ajak Seluruh ASN Sebarkan Capaian Pembangunan Lewat Media Sosial');
      expect(html).not.toMatch(/<script/i);
      expect(html).toContain('DEMO');
      // Coverage of the mandatory item: one of the two Kominfo members posted it.
      expect(html).toContain('Cakupan konten wajib per OPD');
      expect(html).toMatch(/Dinas Komunikasi dan Informatika<\/td><td class="num">1 \/ 2 <meter/);
      expect(html).toMatch(/Dinas Kesehatan<\/td><td class="num">0 \/ 1 <meter/);
      expect(html).toContain('<svg class="chart"');
      expect(html).toMatch(/<td>WhatsApp<\/td><td class="num">1 <meter/);
      const css = await s.call('/dashboard.css');
      expect(css.headers.get('content-type')).toBe('text/css; charset=utf-8');
    });

    it('exports every event as CSV to admins only, guarded against formulas under both separators', async () => {
      const editor = await s.call('/login', {
        method: 'POST',
        body: new URLSearchParams({ user: 'editor.kominfo', password: DEMO['editor.kominfo']!.password }),
      });
      const editorCookie = editor.headers.get('set-cookie')!.split(';')[0]!;
      expect((await s.call('/export/shares.csv', { headers: { Cookie: editorCookie } })).status).toBe(403);
      const { res, html: text } = await page('/export/shares.csv');
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
      expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="siar-shares-\d{4}-\d{2}-\d{2}\.csv"$/);
      const lines = text
        .replace(/^\uFEFF/, '')
        .trimEnd()
        .split('\r\n');
      expect(lines[0]).toBe('id,nip,name,unit,item_id,feed_url,platform,action,at,post_url,received_at,self_reported,verification');
      expect(lines).toHaveLength(1 + 6);
      // SQLite quotes a cell when it must, PostgreSQL's COPY quotes every cell (FORCE_QUOTE): the
      // records read back the same either way.
      const records = lines.map(csvRecord);
      const row = (seq: number) => records.find((r) => r[1] === nip(seq));
      expect(row(60)?.slice(2, 4)).toEqual([`'=HYPERLINK("http://evil.example","klik")`, 'Dinas Komunikasi dan Informatika']);
      expect(row(61)?.[2]).toBe(`Budi, "Bud" Santoso;'=1+2;`);
      expect(text).toContain(`,"'=HYPERLINK(""http://evil.example"",""klik"")",`);
      expect(text).toContain(`"Budi, ""Bud"" Santoso;'=1+2;"`);
      for (const separator of [',', ';']) {
        for (const field of text.split(/[\r\n]+/).flatMap((l) => l.split(separator))) {
          // A spreadsheet drops spaces and an opening quote; `'` is the guard that makes text of it.
          expect(field.replace(/^[ "]*/, ''), field).not.toMatch(/^[=+@\t\r]|^-[^0-9]/);
        }
      }
    });

    it('logs out with the CSRF token', async () => {
      const without = await s.call('/logout', { method: 'POST', headers: { Cookie: cookie } });
      expect(without.status).toBe(303);
      expect((await page('/')).res.status).toBe(200); // no token: the session lives on
      const res = await s.call('/logout', { method: 'POST', headers: { Cookie: cookie }, body: new URLSearchParams({ _csrf: csrf }) });
      expect(res.status).toBe(303);
      expect(res.headers.get('set-cookie')).toContain('Max-Age=0');
      expect((await page('/')).res.status).toBe(302);
    });
  });
});

describe('server configuration', () => {
  it('gives every unit of the demo feed a demo enrolment code', () => {
    const agencies = new Set(buildDemoFeed({ base: 'http://localhost:8787' }).items.map((i) => i._siar?.agency?.name));
    expect(new Set(Object.keys(DEMO_ENROLL_CODES))).toEqual(agencies);
  });

  it('parses SIAR_ENROLL_CODES, several codes per unit, and refuses ambiguity', () => {
    expect(parseEnrollCodes('Dinas Kominfo=KOMINFO-7QKD-M2XP, KOMINFO-9HRT-4XZW ; Dinas Kesehatan=DINKES-K7QD-M2XP;')).toEqual({
      'Dinas Kominfo': ['KOMINFO-7QKD-M2XP', 'KOMINFO-9HRT-4XZW'],
      'Dinas Kesehatan': ['DINKES-K7QD-M2XP'],
    });
    expect(parseEnrollCodes('A=KODE-0000-0001;a=KODE-0000-0002')).toEqual({ A: ['KODE-0000-0001', 'KODE-0000-0002'] });
    expect(() => parseEnrollCodes('A=KODE-XXXX-XXXX;B=kode-xxxx-xxxx')).toThrow(/both/);
    // A code chosen by hand must be hard to guess: the demo's kind of code is refused.
    expect(() => parseEnrollCodes('Dinas Kesehatan=DINKES-2026')).toThrow(/DINKES-2026 has 10 letters and digits.*at least 12/);
    expect(() => parseEnrollCodes('A=')).toThrow();
    expect(() => parseEnrollCodes('KODE')).toThrow();
    expect(() => parseEnrollCodes(' ; ')).toThrow();
  });

  it('reads the environment: no demo and no secret unless asked for', () => {
    const plain = configFromEnv({});
    expect(plain.demo).toBe(false);
    expect(plain.admin).toBeUndefined();
    expect(plain.enrollCodes).toBeUndefined();
    expect(plain.db).toMatch(/server[/\\]data[/\\]siar\.db$/);
    expect(plain.rateLimit).toEqual({ perMinute: 120, burst: 60 });
    expect(plain.utcOffsetMinutes).toBe(420);
    expect(configFromEnv({ SIAR_DEMO: '1' }).demo).toBe(true);
    expect(configFromEnv({}, { demo: true }).demo).toBe(true);
    expect(configFromEnv({ SIAR_DEMO: '0' }, { demo: true }).demo).toBe(false);
    const set = configFromEnv({
      SIAR_DB: ':memory:',
      SIAR_ADMIN_USER: 'root',
      SIAR_ADMIN_PASSWORD: 'kata-sandi-produksi',
      SIAR_RATE_PER_MINUTE: '30',
      SIAR_RATE_BURST: '5',
      SIAR_UTC_OFFSET: 'WITA',
      SIAR_ENROLL_CODES: 'Dinas X=X1-7QKD-M2XP-9HRT',
      SIAR_TRUST_PROXY: '1',
    });
    expect(set).toMatchObject({
      db: ':memory:',
      admin: { user: 'root', password: 'kata-sandi-produksi' },
      rateLimit: { perMinute: 30, burst: 5 },
      utcOffsetMinutes: 480,
      enrollCodes: { 'Dinas X': ['X1-7QKD-M2XP-9HRT'] },
      trustProxy: 1,
    });
    expect(configFromEnv({ SIAR_DATABASE_URL: 'postgres://siar@db/siar' }).db).toBe('postgres://siar@db/siar');
    expect(() => configFromEnv({ SIAR_ADMIN_PASSWORD: 'pendek' })).toThrow(/12/);
    expect(() => configFromEnv({ SIAR_RATE_BURST: 'many' })).toThrow();
    expect(() => configFromEnv({ SIAR_UTC_OFFSET: '7' })).toThrow();
    expect(() => configFromEnv({ SIAR_FEED_FILE: 'feed.json' })).toThrow(/studio/);
    expect(() => configFromEnv({ SIAR_SIGNING_MODE: 'offline' })).toThrow(/SIAR_FEED_PUBLIC_KEY/);
  });

  it('escapes CSV cells', () => {
    expect(csvLine(['a', 'b,c', 'd"e', 'f\ng', null, 3])).toBe('a,"b,c","d""e","f\ng",,3\r\n');
    expect(['=1+1', '+1', '-1', '@SUM(A1)', '\tx'].map(csvCell)).toEqual(["'=1+1", "'+1", "'-1", "'@SUM(A1)", "'\tx"]);
    expect(csvCell('Budi;=1+2;')).toBe(`"Budi;'=1+2;"`);
    expect(csvCell('a\n@b')).toBe(`"a\n'@b"`);
  });
});
