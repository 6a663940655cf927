// @vitest-environment node
// The studio: the workflow as a pure table, then its JSON API against the real server on both
// databases — posts, four eyes, version conflicts, uploads, the preview, publishing (validated,
// signed, swapped whole), the clock, offline signing, restoring a version, and the audit log.
import { createHash } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makePng } from '../../server/demo/png';
import { generateSigningKey, signFeed, verifyFeed } from '../../server/signing';
import { afterApproval, isLive, mayDo, type PostAction } from '../../server/studio/workflow';
import { composeFor } from '../../utils/compose/for-site';
import { captionVariants } from '../../utils/compose/caption';
import { parseFeedText, type Item } from '../../utils/protocol/feed';
import { POST_STATUSES, PostObjectSchema, type PostStatus } from '../../utils/protocol/studio';
import { BACKENDS, DINKES, startAgency, type Backend, type Harness } from '../support/agency';

const HOUR = 3_600_000;

describe('the workflow (pure)', () => {
  const editor = { id: 10, role: 'editor' as const, unit_id: 1 };
  const otherEditor = { id: 11, role: 'editor' as const, unit_id: 2 };
  const approver = { id: 20, role: 'approver' as const, unit_id: 1 };
  const admin = { id: 30, role: 'admin' as const, unit_id: null };
  const post = (status: PostStatus, author = 10, unit = 1) => ({ status, author_id: author, unit_id: unit });
  const allowed = (action: PostAction, actor: typeof editor | typeof approver | typeof admin | typeof otherEditor, author = 10) =>
    POST_STATUSES.filter((s) => mayDo(action, post(s, author), actor).ok);

  it('lets each action happen only from the states the flow has', () => {
    expect(allowed('edit', editor)).toEqual(['draft', 'changes_requested']);
    expect(allowed('submit', editor)).toEqual(['draft', 'changes_requested']);
    expect(allowed('approve', approver, 99)).toEqual(['submitted']);
    expect(allowed('request_changes', approver, 99)).toEqual(['submitted']);
    expect(allowed('withdraw', approver)).toEqual(['approved', 'scheduled', 'published']);
    expect(allowed('publish_now', admin)).toEqual(['approved', 'scheduled']);
    expect(allowed('view', editor)).toEqual([...POST_STATUSES]);
  });

  it('keeps reviewing to approvers and admins, never the author (four eyes)', () => {
    expect(allowed('approve', editor, 99)).toEqual([]);
    expect(allowed('withdraw', editor)).toEqual([]);
    expect(allowed('approve', approver, approver.id)).toEqual([]);
    expect(mayDo('approve', post('submitted', approver.id), approver)).toMatchObject({ ok: false, status: 403, code: 'four_eyes' });
    expect(mayDo('request_changes', post('submitted', admin.id), admin)).toMatchObject({ ok: false, code: 'four_eyes' });
    expect(mayDo('approve', post('submitted', approver.id), admin)).toEqual({ ok: true });
    expect(mayDo('approve', post('published', 99), approver)).toMatchObject({ ok: false, status: 409 });
  });

  it("hides another unit's posts from an editor entirely (404), whatever the action", () => {
    for (const action of ['view', 'edit', 'submit', 'comment'] as const) {
      expect(mayDo(action, post('draft', 10, 1), otherEditor)).toMatchObject({ ok: false, status: 404 });
    }
    expect(mayDo('view', post('draft', 10, 1), approver)).toEqual({ ok: true });
  });

  it('schedules an approval for later or publishes it now, and knows what is live', () => {
    const now = Date.parse('2026-12-03T08:00:00Z');
    expect(afterApproval(null, now)).toBe('approved');
    expect(afterApproval('2026-12-03T07:00:00Z', now)).toBe('approved');
    expect(afterApproval('2026-12-03T09:00:00Z', now)).toBe('scheduled');
    const live = (status: PostStatus, publish: string | null, expires: string | null) =>
      isLive({ status, publish_at: publish, expires_at: expires }, now);
    expect(live('published', null, null)).toBe(true);
    expect(live('scheduled', '2026-12-03T09:00:00Z', null)).toBe(false);
    expect(live('scheduled', '2026-12-03T07:59:00Z', null)).toBe(true);
    expect(live('published', null, '2026-12-03T08:00:00Z')).toBe(false);
    expect(live('withdrawn', null, null)).toBe(false);
    expect(live('submitted', null, null)).toBe(false);
  });
});

describe('the feed build (pure)', () => {
  it('builds the same bytes piece by piece as whole, and the extension reads every post back', async () => {
    const { buildFeed, feedBytes, feedPieces } = await import('../../server/publish/build');
    const ctx = {
      base: 'https://siar.kab-contoh.go.id',
      publisher: { id: 'kab', name: 'Kab' },
      title: 'Feed',
      refreshMinutes: 15,
      utcOffsetMinutes: 420,
    };
    const post = (i: number) => ({
      id: `p-${i}`,
      title: `Judul "${i}" ✓ 👶`,
      body: `Isi ${i}\n\nParagraf`,
      captions: { x: [`X ${i}`], default: ['a', 'b'] },
      hashtags: ['KabupatenContoh'],
      url: i % 2 ? null : `https://berita.example/${i}`,
      unit: { slug: 'dinkes', name: 'Dinas Kesehatan' },
      campaign: i % 3 ? null : { slug: 'c', name: 'Cegah Stunting' },
      priority: 'normal' as const,
      published_at: '2026-12-01T01:00:00.000Z',
      updated_at: '2026-12-01T02:00:00.000Z',
      expires_at: null,
      image: { url: `https://siar.kab-contoh.go.id/media/${i}.png`, sha256: 'a'.repeat(64), mime: 'image/png', bytes: 10 },
      video: null,
    });
    for (const n of [0, 1, 7]) {
      const feed = buildFeed(
        Array.from({ length: n }, (_, i) => post(i)),
        ctx,
        '2026-12-03T01:00:00.000Z',
      );
      expect(feedPieces(feed).bytes.equals(feedBytes(feed))).toBe(true);
      const parsed = parseFeedText(feedPieces(feed).bytes.toString('utf8'));
      expect(parsed.ok && [parsed.feed.items.length, parsed.feed.dropped]).toEqual([n, 0]);
    }
  });
});

/** A PNG with a text chunk carrying a location, as a phone's editing app might leave. */
function pngWithLocation(): Buffer {
  const png = Buffer.from(makePng(40, 30, (x, y) => ((x * 7 + y * 3) & 0xff) * 0x10101));
  const iend = png.length - 12;
  const data = Buffer.from('Comment\0GPS -6.914744, 107.609810 Bandung');
  const chunk = Buffer.alloc(12 + data.length);
  chunk.writeUInt32BE(data.length, 0);
  chunk.write('tEXt', 4, 'latin1');
  data.copy(chunk, 8);
  chunk.writeUInt32BE(crc32(chunk.subarray(4, 8 + data.length)), 8 + data.length);
  return Buffer.concat([png.subarray(0, iend), chunk, png.subarray(iend)]);
}

async function upload(s: Harness, token: string, bytes: Uint8Array, type: string) {
  const res = await s.call('/api/v1/media', {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': type },
    body: Buffer.from(bytes),
  });
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- read loosely: each test checks its fields
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}

async function feedNow(s: Harness) {
  const res = await s.call('/feed.json');
  const bytes = Buffer.from(await res.arrayBuffer());
  const parsed = parseFeedText(bytes.toString('utf8'));
  if (!parsed.ok) throw new Error('feed does not parse');
  return {
    bytes,
    etag: res.headers.get('etag'),
    items: parsed.feed.items,
    meta: parsed.feed.meta,
    signature: await (await s.call('/feed.json.sig')).text(),
  };
}

describe.each(BACKENDS)('the studio API on %s', (backend: Backend) => {
  let s: Harness;
  let editor: string;
  let approver: string;
  let admin: string;
  let otherEditor: string;
  beforeAll(async () => {
    s = await startAgency(backend, { mediaLimits: { image: { maxBytes: 256 * 1024, maxPixels: 4_000_000 }, videoBytes: 1024 * 1024 } });
    [editor, approver, admin, otherEditor] = await Promise.all([
      s.login('editor.dinkes'),
      s.login('penyetuju'),
      s.login('admin'),
      s.login('editor.kominfo'),
    ]);
  });
  afterAll(() => s.close());

  it('takes a post from draft to the feed through changes requested, four eyes and version checks, and audits every step', async () => {
    const picture = await upload(s, editor, pngWithLocation(), 'image/png');
    expect(picture.status).toBe(201);
    expect(picture.body).toMatchObject({ width: 40, height: 30, mime_type: 'image/png' });
    const stored = Buffer.from(await (await s.call(new URL(picture.body.url).pathname)).arrayBuffer());
    // Metadata gone before anyone could fetch it; the hash is of the bytes served.
    expect(stored.includes(Buffer.from('GPS'))).toBe(false);
    expect(createHash('sha256').update(stored).digest('hex')).toBe(picture.body.sha256);

    const draft = await s.api(editor, 'POST', '/posts', {
      title: 'Posyandu Keliling Hadir di 12 Desa',
      text: 'Posyandu keliling menjangkau desa terpencil.\n\nJadwal di puskesmas.',
      captions: {
        x: ['Posyandu keliling hadir di 12 desa!', 'Ayo timbang balita di posyandu keliling.'],
        facebook: ['Posyandu keliling kini hadir di 12 desa terpencil.'],
        whatsapp: ['Info: posyandu keliling di 12 desa.'],
      },
      hashtags: ['#KabupatenContoh', 'CegahStunting'],
      media: [picture.body.id],
      campaign: 'cegah-stunting',
      priority: 'high',
    });
    expect(draft.status).toBe(201);
    const post = PostObjectSchema.parse(draft.body);
    expect(post).toMatchObject({
      status: 'draft',
      version: 1,
      author: 'editor.dinkes',
      unit: DINKES.unit,
      hashtags: ['KabupatenContoh', 'CegahStunting'],
    });
    expect(post.link).toBe(`${s.agency.base}/p/${post.id}`);

    // Two tabs: the second save from the old version is refused, not merged.
    const saved = await s.api(editor, 'PATCH', `/posts/${post.id}`, { version: 1, title: 'Posyandu Keliling Hadir di 12 Desa Terpencil' });
    expect(saved.body.version).toBe(2);
    const stale = await s.api(editor, 'PATCH', `/posts/${post.id}`, { version: 1, text: 'versi tab lain' });
    expect(stale.status).toBe(409);
    expect(stale.body.error).toBe('version_conflict');
    expect((await s.api(editor, 'GET', `/posts/${post.id}`)).body.text).not.toBe('versi tab lain');

    expect((await s.api(editor, 'POST', `/posts/${post.id}/submit`)).body.status).toBe('submitted');
    // Editors do not review; nobody reviews their own post.
    expect((await s.api(editor, 'POST', `/posts/${post.id}/approve`)).status).toBe(403);
    const noComment = await s.api(approver, 'POST', `/posts/${post.id}/request-changes`, {});
    expect(noComment.status).toBe(400);
    const sentBack = await s.api(approver, 'POST', `/posts/${post.id}/request-changes`, { comment: 'Sebutkan nama desanya.' });
    expect(sentBack.body.status).toBe('changes_requested');
    expect(sentBack.body.comments).toEqual([
      expect.objectContaining({ user: 'penyetuju', kind: 'request_changes', text: 'Sebutkan nama desanya.' }),
    ]);
    // Only drafts and posts with changes requested can be edited; a transition the state lacks is 409.
    expect((await s.api(approver, 'POST', `/posts/${post.id}/approve`)).status).toBe(409);
    const fixed = await s.api(editor, 'PATCH', `/posts/${post.id}`, {
      version: 2,
      text: 'Posyandu keliling menjangkau Desa Sukamaju dan 11 desa lain.',
    });
    expect(fixed.body.version).toBe(3);
    await s.api(editor, 'POST', `/posts/${post.id}/submit`);
    const before = await feedNow(s);
    const approved = await s.api(approver, 'POST', `/posts/${post.id}/approve`);
    expect(approved.body.status).toBe('published');
    expect((await s.api(editor, 'PATCH', `/posts/${post.id}`, { version: 3, title: 'x' })).status).toBe(409);

    // In the feed at once: validated, signed, its picture's hash inside the signed bytes.
    const after = await feedNow(s);
    expect(after.etag).not.toBe(before.etag);
    expect(Date.parse(after.meta._siar!.issued_at!)).toBeGreaterThanOrEqual(Date.parse(before.meta._siar!.issued_at!));
    expect(verifyFeed(after.bytes, after.signature, s.agency.publicKey)).toBe(true);
    const item = after.items.find((i) => i.id === post.id)!;
    expect(item).toMatchObject({ title: 'Posyandu Keliling Hadir di 12 Desa Terpencil', image: picture.body.url, url: post.link });
    expect(item._siar).toMatchObject({
      priority: 'high',
      campaign: 'cegah-stunting',
      campaign_name: 'Cegah Stunting',
      image_sha256: picture.body.sha256,
      agency: { name: DINKES.unit },
    });

    // The preview is what the extension inserts, composed by the extension's own code.
    const preview = await s.api(editor, 'GET', `/posts/${post.id}/preview`);
    for (const platform of ['x', 'facebook', 'whatsapp'] as const) {
      const expected = captionVariants(item, platform).map((_, v) => composeFor(item, platform, v).text);
      expect(preview.body[platform].map((t: { text: string }) => t.text)).toEqual(expected);
    }
    expect(preview.body.x[0].weighted_length).toBe(composeFor(item, 'x', 0).weighted);

    // Withdrawn: gone from the very next version, with its reason; the old signature no longer matches.
    expect((await s.api(approver, 'POST', `/posts/${post.id}/withdraw`, {})).status).toBe(400);
    const withdrawn = await s.api(approver, 'POST', `/posts/${post.id}/withdraw`, { reason: 'Data desa keliru.' });
    expect(withdrawn.body).toMatchObject({ status: 'withdrawn', withdraw_reason: 'Data desa keliru.' });
    const gone = await feedNow(s);
    expect(gone.items.map((i) => i.id)).not.toContain(post.id);
    expect(verifyFeed(gone.bytes, gone.signature, s.agency.publicKey)).toBe(true);
    expect(verifyFeed(gone.bytes, after.signature, s.agency.publicKey)).toBe(false);
    expect((await s.call(`/p/${post.id}`)).status).toBe(410);

    const audit = await s.api(approver, 'GET', `/audit?post=${post.id}`);
    expect(audit.body.entries.map((e: { action: string }) => e.action).reverse()).toEqual([
      'create',
      'edit',
      'submit',
      'request_changes',
      'edit',
      'submit',
      'approve',
      'publish',
      'withdraw',
    ]);
    const edit = audit.body.entries.find((e: { action: string }) => e.action === 'edit');
    expect(edit.before).toEqual({ text: 'Posyandu keliling menjangkau desa terpencil.\n\nJadwal di puskesmas.' });
    expect(edit.after).toEqual({ text: 'Posyandu keliling menjangkau Desa Sukamaju dan 11 desa lain.' });
    expect((await s.api(editor, 'GET', `/audit?post=${post.id}`)).status).toBe(403);
  });

  it("keeps an editor inside their unit: another unit's post is 404, another unit's post cannot be written", async () => {
    const mine = await s.api(otherEditor, 'POST', '/posts', { title: 'Kabar Kominfo' });
    expect(mine.status).toBe(201);
    expect((await s.api(editor, 'GET', `/posts/${mine.body.id}`)).status).toBe(404);
    expect((await s.api(editor, 'PATCH', `/posts/${mine.body.id}`, { version: 1, title: 'diubah' })).status).toBe(404);
    expect((await s.api(editor, 'POST', `/posts/${mine.body.id}/submit`)).status).toBe(404);
    expect((await s.api(editor, 'POST', '/posts', { title: 'Menyusup', unit: 'Dinas Komunikasi dan Informatika' })).status).toBe(403);
    const list = await s.api(editor, 'GET', '/posts');
    expect(list.body.posts.every((p: { unit: string }) => p.unit === DINKES.unit)).toBe(true);
    expect((await s.api(approver, 'GET', `/posts/${mine.body.id}`)).status).toBe(200);
  });

  it('an approver who wrote a post waits for another approver or an admin', async () => {
    const own = await s.api(approver, 'POST', '/posts', { title: 'Tulisan Penyetuju', unit: DINKES.unit });
    await s.api(approver, 'POST', `/posts/${own.body.id}/submit`);
    const self = await s.api(approver, 'POST', `/posts/${own.body.id}/approve`);
    expect(self.status).toBe(403);
    expect(self.body.error).toBe('four_eyes');
    expect((await s.api(admin, 'POST', `/posts/${own.body.id}/approve`)).body.status).toBe('published');
  });

  it('refuses bad input with a clear reason: times, media, campaigns, units', async () => {
    const now = Date.now();
    const bad = async (body: Record<string, unknown>, error: string) => {
      const res = await s.api(editor, 'POST', '/posts', { title: 'Uji', ...body });
      expect(res.status, error).toBeGreaterThanOrEqual(400);
      expect(res.body.error, JSON.stringify(res.body)).toBe(error);
    };
    await bad({ publish_at: new Date(now - HOUR).toISOString() }, 'publish_in_past');
    await bad(
      { publish_at: new Date(now + 2 * HOUR).toISOString(), expires_at: new Date(now + HOUR).toISOString() },
      'expiry_before_publish',
    );
    await bad({ media: ['tidakada'] }, 'unknown_media');
    await bad({ campaign: 'kampanye-asing' }, 'unknown_campaign');
    await bad({ url: 'http://berita.example/a' }, 'bad_request');
    await bad({ captions: { x: [''] } }, 'bad_request');
    await bad({ title: '' }, 'bad_request');
  });

  it('refuses uploads that are not what they claim, or too big, and says why', async () => {
    const exe = Buffer.concat([Buffer.from('MZ\x90\x00\x03\x00\x00\x00', 'latin1'), Buffer.alloc(200)]);
    const renamed = await upload(s, editor, exe, 'image/png');
    expect(renamed.status).toBe(415);
    expect(renamed.body.error).toBe('not_image');
    const png = Buffer.from(makePng(4, 4, () => 0x336699));
    const mismatch = await upload(s, editor, png, 'image/jpeg');
    expect(mismatch.status).toBe(415);
    expect(mismatch.body.error).toBe('type_mismatch');
    const huge = await upload(s, editor, Buffer.concat([png, Buffer.alloc(300 * 1024)]), 'image/png');
    expect(huge.status).toBe(413);
    expect(await s.agency.db.get('SELECT COUNT(*) AS n FROM media WHERE uploaded_by IS NOT NULL AND mime <> $1', ['image/png'])).toEqual({
      n: 0,
    });
  });

  it('publishes a scheduled post when its time comes and takes it out when it expires, without anyone pressing a button', async () => {
    const now = Date.now();
    const post = await s.api(editor, 'POST', '/posts', {
      title: 'Pengumuman Terjadwal',
      publish_at: new Date(now + 2 * HOUR).toISOString(),
      expires_at: new Date(now + 5 * HOUR).toISOString(),
    });
    await s.api(editor, 'POST', `/posts/${post.body.id}/submit`);
    expect((await s.api(approver, 'POST', `/posts/${post.body.id}/approve`)).body.status).toBe('scheduled');
    expect((await feedNow(s)).items.map((i) => i.id)).not.toContain(post.body.id);
    const next = await s.agency.publisher.tick(now + HOUR);
    expect(next.rebuilt).toBe(false);
    // It knows when to look again: at the latest when this post is due (a demo post may expire sooner).
    expect(next.next).toBeLessThanOrEqual(Date.parse(new Date(now + 2 * HOUR).toISOString()));
    expect((await s.agency.publisher.tick(now + 2 * HOUR + 1000)).rebuilt).toBe(true);
    expect((await feedNow(s)).items.map((i) => i.id)).toContain(post.body.id);
    expect((await s.api(editor, 'GET', `/posts/${post.body.id}`)).body.status).toBe('published');
    expect((await s.agency.publisher.tick(now + 5 * HOUR + 1000)).rebuilt).toBe(true);
    expect((await feedNow(s)).items.map((i) => i.id)).not.toContain(post.body.id);
    expect((await s.api(editor, 'GET', `/posts/${post.body.id}`)).body.status).toBe('expired');
  });

  it('keeps every version, lists them, and restores one as a new version with the posts following it', async () => {
    const post = await s.api(editor, 'POST', '/posts', { title: 'Akan Ditarik Keliru' });
    await s.api(editor, 'POST', `/posts/${post.body.id}/submit`);
    await s.api(approver, 'POST', `/posts/${post.body.id}/approve`);
    const withIt = (await s.api(approver, 'GET', '/feed')).body.version;
    await s.api(approver, 'POST', `/posts/${post.body.id}/withdraw`, { reason: 'keliru pilih' });
    expect((await feedNow(s)).items.map((i) => i.id)).not.toContain(post.body.id);
    const versions = await s.api(approver, 'GET', '/feed/versions');
    expect(versions.body.versions[0]).toMatchObject({ state: 'live', signed: true });
    expect(versions.body.versions.map((v: { version: number }) => v.version)).toContain(withIt);
    expect((await s.api(approver, 'POST', `/feed/versions/${withIt}/restore`)).status).toBe(403);
    const restored = await s.api(admin, 'POST', `/feed/versions/${withIt}/restore`);
    expect(restored.status).toBe(200);
    expect(restored.body.version).toBeGreaterThan(withIt);
    const feed = await feedNow(s);
    expect(feed.items.map((i) => i.id)).toContain(post.body.id);
    expect(verifyFeed(feed.bytes, feed.signature, s.agency.publicKey)).toBe(true);
    expect((await s.api(editor, 'GET', `/posts/${post.body.id}`)).body.status).toBe('published');
    // The clock does not undo a restore.
    expect((await s.agency.publisher.tick()).rebuilt).toBe(false);
  });

  it('never serves half a version: a publish that fails midway leaves the old feed and signature served', async () => {
    const before = await feedNow(s);
    const post = await s.api(editor, 'POST', '/posts', { title: 'Terputus Saat Terbit' });
    await s.api(editor, 'POST', `/posts/${post.body.id}/submit`);
    await expect(
      s.agency.db.tx(async (q) => {
        await q.run("UPDATE posts SET status = 'approved' WHERE id = $1", [post.body.id]);
        await s.agency.publisher.rebuild(q, { id: null, username: 'uji' }, 'uji');
        throw new Error('the process died here');
      }),
    ).rejects.toThrow('died');
    const after = await feedNow(s);
    expect(after.bytes.equals(before.bytes)).toBe(true);
    expect(verifyFeed(after.bytes, after.signature, s.agency.publicKey)).toBe(true);
    expect((await s.api(editor, 'GET', `/posts/${post.body.id}`)).body.status).toBe('submitted');
  });

  it('refuses to change or remove an audit entry, at the database itself', async () => {
    await expect(s.agency.db.run("UPDATE audit_log SET username = 'siapa'")).rejects.toThrow(/audit log/);
    await expect(s.agency.db.run('DELETE FROM audit_log')).rejects.toThrow(/audit log/);
  });

  it('manages accounts, campaigns, units and codes, each step audited', async () => {
    const weak = await s.api(admin, 'POST', '/accounts', {
      user: 'editor.baru',
      name: 'Editor Baru',
      password: 'pendek',
      role: 'editor',
      unit: DINKES.unit,
    });
    expect(weak).toMatchObject({ status: 400, body: { error: 'weak_password' } });
    expect(
      (
        await s.api(admin, 'POST', '/accounts', {
          user: 'editor.baru',
          name: 'E',
          password: 'cukup-panjang-sekali',
          role: 'editor',
          unit: 'Dinas Entah',
        })
      ).body.error,
    ).toBe('unknown_unit');
    const made = await s.api(admin, 'POST', '/accounts', {
      user: 'editor.baru',
      name: 'Editor Baru',
      password: 'cukup-panjang-sekali',
      role: 'editor',
      unit: DINKES.unit,
    });
    expect(made).toEqual({ status: 201, body: { user: 'editor.baru', role: 'editor', unit: DINKES.unit } });
    expect(
      (await s.api(admin, 'POST', '/accounts', { user: 'EDITOR.BARU', name: 'x', password: 'cukup-panjang-sekali', role: 'approver' }))
        .status,
    ).toBe(409);
    expect(
      (await s.api(approver, 'POST', '/accounts', { user: 'x.y', name: 'x', password: 'cukup-panjang-sekali', role: 'admin' })).status,
    ).toBe(403);
    expect(typeof (await s.login('editor.baru', 'cukup-panjang-sekali'))).toBe('string');
    const stored = await s.agency.db.get<{ password_hash: string }>('SELECT password_hash FROM accounts WHERE username = $1', [
      'editor.baru',
    ]);
    expect(stored!.password_hash).toMatch(/^scrypt\$/);
    expect(stored!.password_hash).not.toContain('cukup-panjang');

    const campaign = await s.api(admin, 'POST', '/campaigns', { name: 'Bulan Bakti Gotong Royong' });
    expect(campaign.body).toMatchObject({ slug: 'bulan-bakti-gotong-royong', name: 'Bulan Bakti Gotong Royong' });
    await s.api(admin, 'POST', '/campaigns/bulan-bakti-gotong-royong/archive', { archived: true });
    expect((await s.api(editor, 'POST', '/posts', { title: 'x', campaign: 'bulan-bakti-gotong-royong' })).body.error).toBe(
      'unknown_campaign',
    );

    const unit = await s.api(admin, 'POST', '/units', { name: 'Dinas Pariwisata' });
    expect(unit.status).toBe(201);
    const [code] = unit.body.codes as string[];
    expect(code).toMatch(/^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$/);
    const rotated = await s.api(admin, 'POST', `/units/${unit.body.id}/codes`, { rotate: true });
    expect(rotated.body.revoked).toEqual([code]);
    expect((await s.json('POST', '/v1/enroll', { nip: '198503152010012901', name: 'A', code })).status).toBe(403);
    expect((await s.json('POST', '/v1/enroll', { nip: '198503152010012901', name: 'A', code: rotated.body.code })).status).toBe(201);
    expect((await s.api(admin, 'DELETE', `/codes/${rotated.body.code}`)).status).toBe(204);
    // A code typed by hand must be hard to guess; a long one is taken as typed.
    const weakCode = await s.api(admin, 'POST', `/units/${unit.body.id}/codes`, { code: 'PARIWISATA-1' });
    expect(weakCode).toMatchObject({ status: 400, body: { error: 'weak_code' } });
    expect(weakCode.body.message).toContain('11 letters and digits');
    const typed = await s.api(admin, 'POST', `/units/${unit.body.id}/codes`, { code: 'wisata-7qkd-m2xp' });
    expect(typed).toMatchObject({ status: 201, body: { code: 'WISATA-7QKD-M2XP' } });
    const actions = (await s.api(admin, 'GET', '/audit?limit=50')).body.entries.map((e: { action: string }) => e.action);
    for (const a of ['account_create', 'campaign_create', 'campaign_archive', 'unit_create', 'code_rotate', 'code_revoke'])
      expect(actions).toContain(a);
  });

  it('shows who has and has not posted a mandatory post, an editor their unit only', async () => {
    const token = await s.member(301, DINKES, 'Ani Sudah');
    await s.member(302, DINKES, 'Bambang Belum');
    await s.json('POST', '/v1/shares', { shares: [s.share({ item_id: 'kab-contoh-apel-asn-medsos' })] }, token);
    const units = await s.api(approver, 'GET', '/posts/kab-contoh-apel-asn-medsos/coverage');
    const dinkes = units.body.units.find((u: { unit: string }) => u.unit === DINKES.unit);
    expect(dinkes).toMatchObject({ members: 2, posted: 1 });
    const mine = await s.api(editor, 'GET', '/posts/kab-contoh-apel-asn-medsos/coverage');
    expect(mine.body.members.map((m: { name: string; posted: number }) => [m.name, m.posted])).toEqual([
      ['Bambang Belum', 0],
      ['Ani Sudah', 1],
    ]);
    const other = units.body.units.find((u: { unit: string }) => u.unit !== DINKES.unit);
    expect((await s.api(editor, 'GET', `/posts/kab-contoh-apel-asn-medsos/coverage?unit=${other.unit_id}`)).status).toBe(404);
  });
});

describe.each(BACKENDS)('offline signing on %s', (backend: Backend) => {
  it('waits for a signature made elsewhere; a wrong one is 422, the right one puts the exact bytes live', async () => {
    const key = generateSigningKey();
    const s = await startAgency(backend, { offlinePublicKey: key.publicKey });
    try {
      const approver = await s.login('penyetuju');
      // The first version itself waits for its signature: nothing is served unsigned.
      const status = await s.api(approver, 'GET', '/feed');
      expect(status.body).toMatchObject({ mode: 'offline', version: 0, pending: 1, public_key: key.publicKey });
      expect((await s.call('/feed.json')).status).toBe(503);
      const pending = await s.call('/api/v1/feed/pending', { headers: { Authorization: `Bearer ${approver}` } });
      const bytes = Buffer.from(await pending.arrayBuffer());
      const wrong = await s.call('/api/v1/feed/pending/signature', {
        method: 'POST',
        headers: { Authorization: `Bearer ${approver}` },
        body: signFeed(Buffer.concat([bytes, Buffer.from(' ')]), key),
      });
      expect(wrong.status).toBe(422);
      expect((await s.call('/feed.json')).status).toBe(503);
      const right = await s.call('/api/v1/feed/pending/signature', {
        method: 'POST',
        headers: { Authorization: `Bearer ${approver}` },
        body: signFeed(bytes, key),
      });
      expect(right.status).toBe(200);
      const feed = await feedNow(s);
      expect(feed.bytes.equals(bytes)).toBe(true);
      expect(verifyFeed(feed.bytes, feed.signature, key.publicKey)).toBe(true);
      const items: Item[] = feed.items;
      expect(items).toHaveLength(8);
    } finally {
      await s.close();
    }
  });
});
