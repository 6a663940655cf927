// @vitest-environment node
// The studio's pages against the real server on both databases, driven through their own forms:
// each form is read from the served HTML and sent back the way a browser would send it (its
// fields, the pressed button, a picture in multipart), so a test fails when a page loses a
// field, a token or a button, not only when a handler does.
import type { IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';
import { Window } from 'happy-dom';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makePng } from '../../server/demo/png';
import { HttpError } from '../../server/http';
import { generateSigningKey, signFeed } from '../../server/signing';
import { boundaryOf, readMultipart } from '../../server/studio/web/multipart';
import { xWeightedLength } from '../../utils/compose/compose';
import { parseFeedText } from '../../utils/protocol/feed';
import { BACKENDS, DEMO, DINKES, KOMINFO, nip, startAgency, type Backend, type Harness } from '../support/agency';

const window = new Window({
  settings: {
    disableJavaScriptEvaluation: true,
    disableJavaScriptFileLoading: true,
    disableCSSFileLoading: true,
    disableIframePageLoading: true,
  },
});
type Doc = ReturnType<InstanceType<typeof window.DOMParser>['parseFromString']>;
type El = NonNullable<ReturnType<Doc['querySelector']>>;

afterAll(async () => {
  await window.happyDOM.close();
});

const png = (w = 16, h = 9) => Buffer.from(makePng(w, h, () => [29, 155, 240]));

interface Page {
  status: number;
  headers: Headers;
  text: string;
  doc: Doc;
  url: URL;
}

type Entry = string | { file: Buffer; name: string; type: string };
type Value = Entry | string[];

let addresses = 0;

/** One browser: a cookie jar, its own client address (login budgets are per address), and forms. */
class Browser {
  private jar = new Map<string, string>();
  readonly address = `198.51.100.${++addresses % 250}`;

  constructor(
    private readonly h: Harness,
    private readonly lang?: string,
  ) {}

  get cookie(): string {
    return [...this.jar].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  setCookie(name: string, value: string): void {
    this.jar.set(name, value);
  }

  private keep(res: Response): void {
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const eq = pair!.indexOf('=');
      const [k, v] = [pair!.slice(0, eq), pair!.slice(eq + 1)];
      if (/Max-Age=0/i.test(line) || !v) this.jar.delete(k);
      else this.jar.set(k, v);
    }
  }

  async request(path: string | URL, init: RequestInit = {}): Promise<Page> {
    const url = new URL(path, this.h.origin);
    const res = await fetch(url, {
      redirect: 'manual',
      ...init,
      headers: {
        'x-forwarded-for': this.address,
        ...(this.lang ? { 'accept-language': this.lang } : {}),
        ...(this.jar.size ? { cookie: this.cookie } : {}),
        ...(init.headers as Record<string, string>),
      },
    });
    this.keep(res);
    const text = await res.text();
    return {
      status: res.status,
      headers: res.headers,
      text,
      doc: new window.DOMParser().parseFromString(text, 'text/html') as unknown as Doc,
      url,
    };
  }

  get(path: string | URL): Promise<Page> {
    return this.request(path);
  }

  /** Follows a 303 the way a browser does after a form. */
  async follow(page: Page): Promise<Page> {
    expect(page.status, page.text.slice(0, 500)).toBe(303);
    return this.get(new URL(page.headers.get('location')!, page.url));
  }

  async login(user: string, password = DEMO[user]!.password): Promise<Page> {
    const page = await this.get('/login');
    return this.submit(page, 'form.login', { user, password });
  }

  /**
   * Sends the form `selector` of `page` as a browser would: its fields with their current values,
   * `values` typed over them, and the pressed button's name and value.
   */
  async submit(
    page: Page,
    selector: string | El,
    values: Record<string, Value> = {},
    button?: { name: string; value: string },
    extraHeaders: Record<string, string> = {},
  ): Promise<Page> {
    const form = (typeof selector === 'string' ? page.doc.querySelector(selector) : selector) as El | null;
    if (!form) throw new Error(`no form ${String(selector)} on ${page.url.pathname}: ${page.text.slice(0, 300)}`);
    const entries: [string, Entry][] = [];
    for (const el of form.querySelectorAll('input, textarea, select')) {
      const name = el.getAttribute('name');
      if (!name || el.hasAttribute('disabled')) continue;
      const tag = el.tagName.toLowerCase();
      const type = (el.getAttribute('type') ?? 'text').toLowerCase();
      if (tag === 'input' && (type === 'checkbox' || type === 'radio')) {
        if (el.hasAttribute('checked')) entries.push([name, el.getAttribute('value') ?? 'on']);
      } else if (tag === 'input' && type === 'file') {
        continue;
      } else if (tag === 'select') {
        const chosen = el.querySelector('option[selected]') ?? el.querySelector('option');
        entries.push([name, chosen?.getAttribute('value') ?? chosen?.textContent ?? '']);
      } else if (tag === 'textarea') {
        entries.push([name, el.textContent ?? '']);
      } else {
        entries.push([name, el.getAttribute('value') ?? '']);
      }
    }
    // Typed values replace the field's own, in its place (a repeated name: all of them).
    for (const [name, value] of Object.entries(values)) {
      const found = entries.findIndex(([n]) => n === name);
      const at = found < 0 ? entries.length : found;
      const list = (Array.isArray(value) ? value : [value]).map((v) => [name, v] as [string, Entry]);
      const before = entries.slice(0, at);
      const after = entries.slice(at).filter(([n]) => n !== name);
      entries.splice(0, entries.length, ...before, ...list, ...after);
    }
    if (button) entries.push([button.name, button.value]);
    const action = new URL(form.getAttribute('action') ?? '', page.url);
    const method = (form.getAttribute('method') ?? 'get').toLowerCase();
    if (method === 'get') {
      for (const [k, v] of entries) if (typeof v === 'string') action.searchParams.append(k, v);
      return this.get(action);
    }
    let body: FormData | URLSearchParams;
    if (form.getAttribute('enctype') === 'multipart/form-data') {
      body = new FormData();
      for (const [k, v] of entries) {
        if (typeof v === 'string') body.append(k, v);
        else body.append(k, new Blob([new Uint8Array(v.file)], { type: v.type }), v.name);
      }
    } else {
      body = new URLSearchParams(entries.filter((e): e is [string, string] => typeof e[1] === 'string'));
    }
    return this.request(action, { method: 'POST', body, headers: extraHeaders });
  }

  /** A form posting to `action` (the one that holds a hidden `action` field equal to `act`, when given). */
  form(page: Page, action: string, act?: string): El {
    const forms = [...page.doc.querySelectorAll('form')].filter((f) => (f.getAttribute('action') ?? '').endsWith(action));
    const form = act ? forms.find((f) => f.querySelector(`input[name="action"][value="${act}"]`)) : forms[0];
    if (!form) throw new Error(`no form for ${action} ${act ?? ''} on ${page.url.pathname}`);
    return form as unknown as El;
  }
}

const text = (page: Page, selector: string) => page.doc.querySelector(selector)?.textContent?.trim() ?? '';
const idOf = (page: Page) => decodeURIComponent(page.url.pathname.split('/').pop()!);

async function feedIds(h: Harness): Promise<string[]> {
  const res = await h.call('/feed.json');
  const parsed = parseFeedText(await res.text());
  if (!parsed.ok) throw new Error('feed does not parse');
  return parsed.feed.items.map((i) => i.id);
}

/** A new post by `b` through the new-post form; the post's page afterwards. */
async function draft(b: Browser, values: Record<string, Value>, button = { name: 'intent', value: 'save' }): Promise<Page> {
  const form = await b.get('/studio/posts/new');
  expect(form.status).toBe(200);
  return b.follow(await b.submit(form, '#post-form', values, button));
}

describe.each(BACKENDS)('the studio pages on %s', (backend: Backend) => {
  let h: Harness;

  beforeAll(async () => {
    h = await startAgency(backend, { trustProxy: 1 });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('logs in and out through the forms; logout needs the CSRF token; cookies are HttpOnly and SameSite=Strict', async () => {
    const b = new Browser(h);
    const login = await b.get('/login');
    expect(login.status).toBe(200);
    expect(login.doc.querySelector('label[for="login-user"]')?.textContent).toBe('Nama pengguna');
    const wrong = await b.submit(login, 'form.login', { user: 'editor.kominfo', password: 'salah-sekali-ya' });
    expect(wrong.status).toBe(401);
    expect(text(wrong, '[role="alert"]')).toBe('Nama pengguna atau kata sandi salah.');

    const right = await b.submit(login, 'form.login', { user: 'editor.kominfo', password: DEMO['editor.kominfo']!.password });
    expect(right.status).toBe(303);
    const set = right.headers.getSetCookie()[0]!;
    expect(set).toMatch(/^siar_session=/);
    expect(set).toContain('HttpOnly');
    expect(set).toContain('SameSite=Strict');
    expect(set).not.toContain('Secure');

    const posts = await b.get('/studio/posts');
    expect(posts.status).toBe(200);
    expect(text(posts, '.top .role')).toContain('Editor');
    const logout = posts.doc.querySelector('form[action$="logout"]')!;
    // Without the token (a cross-site form), and with a wrong one, the session lives on.
    const session = set.split(';')[0]!.split('=')[1]!;
    const still = new Browser(h);
    still.setCookie('siar_session', session);
    await still.request('/logout', { method: 'POST', body: new URLSearchParams({}) });
    still.setCookie('siar_session', session);
    await still.request('/logout', { method: 'POST', body: new URLSearchParams({ _csrf: 'x'.repeat(32) }) });
    still.setCookie('siar_session', session);
    expect((await still.get('/studio/posts')).status).toBe(200);
    const out = await b.submit(posts, logout as unknown as El);
    expect(out.status).toBe(303);
    expect(out.headers.get('location')).toBe('login');
    const after = await still.get('/studio/posts');
    expect(after.status).toBe(302);
    expect(after.headers.get('location')).toBe('../login');
  });

  const NAV: Record<string, string[]> = {
    'editor.dinkes': ['Dasbor', 'Postingan', 'Unit dan kode', 'Anggota'],
    penyetuju: ['Dasbor', 'Postingan', 'Antrean tinjauan', 'Kesehatan feed', 'Log audit', 'Unit dan kode', 'Anggota'],
    admin: [
      'Dasbor',
      'Postingan',
      'Antrean tinjauan',
      'Kesehatan feed',
      'Log audit',
      'Unit dan kode',
      'Anggota',
      'Daftar pegawai',
      'Akun',
      'Kampanye',
    ],
  };

  it('opens each page to the roles it is for, with the strict headers, and refuses the others', async () => {
    const anonymous = new Browser(h);
    expect((await anonymous.get('/studio/posts')).status).toBe(302);
    const places = [
      '/studio/posts',
      '/studio/posts/new',
      '/studio/review',
      '/studio/feed',
      '/studio/audit',
      '/studio/units',
      '/studio/members',
      '/studio/roster',
      '/studio/accounts',
      '/studio/campaigns',
      '/',
    ];
    const expected: Record<string, number[]> = {
      'editor.dinkes': [200, 200, 403, 403, 403, 200, 200, 403, 403, 403, 200],
      penyetuju: [200, 200, 200, 200, 200, 200, 200, 403, 403, 403, 200],
      admin: [200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200],
    };
    for (const [user, statuses] of Object.entries(expected)) {
      const b = new Browser(h);
      expect((await b.login(user)).status).toBe(303);
      const pages = [];
      for (const place of places) pages.push(await b.get(place));
      expect(
        pages.map((p) => p.status),
        user,
      ).toEqual(statuses);
      for (const page of pages) {
        const csp = page.headers.get('content-security-policy')!;
        expect(csp).toContain("default-src 'none'");
        expect(csp).toContain("frame-ancestors 'none'");
        expect(csp).toContain("form-action 'self'");
        expect(csp).toContain("style-src 'self'");
        expect(csp).not.toContain('unsafe');
        expect(page.headers.get('x-frame-options')).toBe('DENY');
        expect(page.headers.get('referrer-policy')).toBe('no-referrer');
        expect(page.headers.get('cache-control')).toBe('no-store');
        expect(page.text).not.toMatch(/\son\w+=|style=/i);
        // A script only where the live preview needs it, and only from this server.
        const scripts = [...page.doc.querySelectorAll('script')];
        if (page.url.pathname === '/studio/posts/new') {
          expect(csp).toContain("script-src 'self'");
          expect(scripts.map((s) => s.getAttribute('src'))).toEqual([
            expect.stringMatching(/^\.\.\/\.\.\/studio\/assets\/editor\.js\?v=[0-9a-f]{16}$/),
          ]);
        } else {
          expect(csp).not.toContain('script-src');
          expect(scripts).toHaveLength(0);
        }
      }
      // The navigation offers exactly the places the role may open.
      expect(
        [...pages[0]!.doc.querySelectorAll('nav.main a')].map((a) => a.textContent),
        user,
      ).toEqual(NAV[user]);
      for (const page of pages.filter((p) => p.status === 403)) {
        expect(text(page, '[role="alert"]')).toBe('Peran Anda tidak boleh membuka halaman ini atau melakukan tindakan ini.');
      }
    }
    const editor = new Browser(h);
    await editor.login('editor.kominfo');
    expect((await editor.get('/studio/audit.csv')).status).toBe(403);
  });

  it("never shows or changes another unit's post for an editor (404), in the list or by its address", async () => {
    const kominfo = new Browser(h);
    await kominfo.login('editor.kominfo');
    const page = await draft(kominfo, { title: 'Rahasia Kominfo', caption_x: 'Hanya untuk Kominfo' });
    const id = idOf(page);
    expect(text(page, 'h1')).toContain('Rahasia Kominfo');

    const dinkes = new Browser(h);
    await dinkes.login('editor.dinkes');
    const list = await dinkes.get('/studio/posts?q=Rahasia');
    expect(list.text).not.toContain('Rahasia Kominfo');
    expect(text(list, 'main .muted')).toBe('Hanya postingan Dinas Kesehatan.');
    const direct = await dinkes.get(`/studio/posts/${id}`);
    expect(direct.status).toBe(404);
    expect(direct.text).not.toContain('Rahasia Kominfo');
    expect((await dinkes.get(`/studio/posts/${id}/coverage`)).status).toBe(404);
    // Its own forms, pointed at the other unit's post, change nothing.
    const own = await draft(dinkes, { title: 'Milik Dinkes', caption_x: 'Teks Dinkes' });
    const forged = await dinkes.submit(own, '#post-form', { title: 'Dibajak' }, { name: 'intent', value: 'submit' });
    expect(forged.status).toBe(303);
    const csrf = own.doc.querySelector('input[name="_csrf"]')!.getAttribute('value')!;
    const edit = await dinkes.request(`/studio/posts/${id}`, {
      method: 'POST',
      body: new URLSearchParams({ _csrf: csrf, title: 'Dibajak', version: '1', intent: 'save' }),
    });
    expect(edit.status).toBe(404);
    const act = await dinkes.request(`/studio/posts/${id}/act`, {
      method: 'POST',
      body: new URLSearchParams({ _csrf: csrf, action: 'withdraw', reason: 'x' }),
    });
    expect(act.status).toBe(404);
    const comment = await dinkes.request(`/studio/posts/${id}/comment`, {
      method: 'POST',
      body: new URLSearchParams({ _csrf: csrf, comment: 'halo' }),
    });
    expect(comment.status).toBe(404);
    const again = await kominfo.get(`/studio/posts/${id}`);
    expect(text(again, 'h1')).toContain('Rahasia Kominfo');
    expect(again.text).not.toContain('halo');
  });

  it('runs the whole workflow through the forms: draft with a picture, changes requested, a stale save refused, approval, the feed, withdrawal', async () => {
    const editor = new Browser(h);
    await editor.login('editor.kominfo');
    const caption = 'Layanan Kominfo kini bisa diakses dari rumah. Ayo coba!';
    const created = await draft(editor, {
      title: 'Layanan daring Kominfo',
      text: 'Warga kini dapat mengurus layanan dari rumah.',
      caption_x: caption,
      caption_facebook: ['Varian Facebook satu', 'Varian Facebook dua'],
      hashtags: '#KabupatenContoh LayananDaring',
      picture_file: { file: png(32, 18), name: 'layanan.png', type: 'image/png' },
    });
    const id = idOf(created);
    expect(text(created, '.notice')).toBe('Draf dibuat.');
    expect(text(created, '.meta-list .status')).toBe('Draf');
    // The picture was uploaded through the form, and is in the page and the preview.
    const pictureId = created.doc.querySelector('input[name="picture"]')!.getAttribute('value');
    expect(pictureId).toMatch(/^[a-z0-9]{16}$/);
    const thumb = created.doc.querySelector('#preview-body img.thumb')!.getAttribute('src')!;
    expect(thumb).toMatch(/^\.\.\/\.\.\/media\/[a-z0-9]+\.png$/);
    expect((await editor.get(new URL(thumb, created.url))).status).toBe(200);
    expect([...created.doc.querySelectorAll('pre.inserted[data-platform="x"]')].map((p) => p.textContent)).toEqual([
      `${caption}\n\n#KabupatenContoh #LayananDaring\n\n${h.agency.base}/p/${id}`,
    ]);
    expect([...created.doc.querySelectorAll('pre.inserted[data-platform="facebook"]')]).toHaveLength(2);
    expect(text(created, '.x-count')).toMatch(/^Panjang menurut hitungan X: \d+ \/ 280$/);
    expect(created.doc.querySelectorAll('textarea[name="caption_facebook"]')).toHaveLength(2);

    // Submitted from the form (saved first), it waits in the approver's queue.
    const submitted = await editor.follow(await editor.submit(created, '#post-form', {}, { name: 'intent', value: 'submit' }));
    expect(text(submitted, '.notice')).toBe('Diajukan untuk ditinjau.');
    expect(text(submitted, '.meta-list .status')).toBe('Diajukan');
    expect(submitted.doc.querySelector('#post-form')).toBeNull();
    // An editor has no review buttons, and a forged approval is refused.
    expect(submitted.doc.querySelectorAll('form[action$="/act"]')).toHaveLength(0);
    const csrf = submitted.doc.querySelector('input[name="_csrf"]')!.getAttribute('value')!;
    const forged = await editor.request(`/studio/posts/${id}/act`, {
      method: 'POST',
      body: new URLSearchParams({ _csrf: csrf, action: 'approve' }),
    });
    expect(forged.status).toBe(403);

    const approver = new Browser(h);
    await approver.login('penyetuju');
    const queue = await approver.get('/studio/review');
    expect([...queue.doc.querySelectorAll('table a')].map((a) => a.textContent)).toContain('Layanan daring Kominfo');
    const review = await approver.get(`/studio/posts/${id}`);
    const noComment = await approver.submit(review, approver.form(review, '/act', 'request_changes'), { comment: '   ' });
    expect(noComment.status).toBe(400);
    expect(text(noComment, '#actions-heading + [role="alert"]')).toBe('Tulis apa yang perlu diperbaiki.');
    const sentBack = await approver.follow(
      await approver.submit(review, approver.form(review, '/act', 'request_changes'), { comment: 'Tambahkan jam layanan.' }),
    );
    expect(text(sentBack, '.meta-list .status')).toBe('Perlu perbaikan');
    expect(text(sentBack, 'ol.comments li.request_changes p')).toBe('Tambahkan jam layanan.');

    // The editor fixes it; a second tab's save from the old version is refused, never merged.
    const fix = await editor.get(`/studio/posts/${id}`);
    expect(text(fix, 'ol.comments li p')).toBe('Tambahkan jam layanan.');
    const version = fix.doc.querySelector('input[name="version"]')!.getAttribute('value');
    const saved = await editor.follow(await editor.submit(fix, '#post-form', { text: 'Layanan buka 08.00–16.00 WIB.' }));
    expect(text(saved, '.notice')).toBe('Tersimpan.');
    expect(saved.doc.querySelector('input[name="version"]')!.getAttribute('value')).toBe(String(Number(version) + 1));
    const stale = await editor.submit(fix, '#post-form', { title: 'Judul dari tab lama' });
    expect(stale.status).toBe(409);
    expect(text(stale, '#post-form [role="alert"]')).toMatch(/^Postingan ini sudah diubah orang lain/);
    expect(stale.doc.querySelector('input[name="title"]')!.getAttribute('value')).toBe('Judul dari tab lama');
    expect(text(await editor.get(`/studio/posts/${id}`), 'h1')).toContain('Layanan daring Kominfo');

    const resubmitted = await editor.follow(await editor.submit(saved, '#post-form', {}, { name: 'intent', value: 'submit' }));
    expect(text(resubmitted, '.meta-list .status')).toBe('Diajukan');

    // Approved by someone else: in the feed at once, with the uploaded picture's hash.
    const again = await approver.get(`/studio/posts/${id}`);
    expect(text(again, '.action-forms')).toContain('Setelah disetujui, postingan langsung terbit di feed.');
    const approved = await approver.follow(await approver.submit(again, approver.form(again, '/act', 'approve')));
    expect(text(approved, '.notice')).toBe('Disetujui.');
    expect(text(approved, '.meta-list .status')).toBe('Terbit');
    expect(await feedIds(h)).toContain(id);
    const item = JSON.parse(await (await h.call('/feed.json')).text()).items.find((i: { id: string }) => i.id === id);
    expect(item._siar.image_sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(item.content_text).toBe('Layanan buka 08.00–16.00 WIB.');

    // Withdrawn with a reason (without one: refused), and gone from the feed.
    const noReason = await approver.submit(approved, approver.form(approved, '/act', 'withdraw'), { reason: '' });
    expect(noReason.status).toBe(400);
    expect(await feedIds(h)).toContain(id);
    const withdrawn = await approver.follow(
      await approver.submit(approved, approver.form(approved, '/act', 'withdraw'), { reason: 'Jam layanan berubah.' }),
    );
    expect(text(withdrawn, '.meta-list .status')).toBe('Ditarik');
    expect(withdrawn.text).toContain('Jam layanan berubah.');
    expect(await feedIds(h)).not.toContain(id);

    // Every step is in the post's history, with before and after.
    const trail = [...withdrawn.doc.querySelectorAll('#trail-heading + .table-wrap tbody tr td:nth-child(3) code')].map(
      (c) => c.textContent,
    );
    expect(trail).toEqual(expect.arrayContaining(['create', 'submit', 'request_changes', 'edit', 'approve', 'publish', 'withdraw']));
    const audit = await h.agency.db.all<{ action: string }>('SELECT action FROM audit_log WHERE subject = $1', [`media:${pictureId}`]);
    expect(audit.map((a) => a.action)).toEqual(['media_upload']);
  });

  it('keeps four eyes: an approver cannot approve their own post', async () => {
    const approver = new Browser(h);
    await approver.login('penyetuju');
    const own = await draft(approver, { title: 'Tulisan penyetuju', caption_x: 'Teks penyetuju' }, { name: 'intent', value: 'submit' });
    expect(text(own, '.meta-list .status')).toBe('Diajukan');
    expect(own.doc.querySelector('form[action$="/act"] input[value="approve"]')).toBeNull();
    expect(text(own, '.warn')).toBe('Anda penulis postingan ini: orang lain yang meninjaunya.');
    const csrf = own.doc.querySelector('input[name="_csrf"]')!.getAttribute('value')!;
    const forced = await approver.request(`${own.url.pathname}/act`, {
      method: 'POST',
      body: new URLSearchParams({ _csrf: csrf, action: 'approve' }),
    });
    expect(forced.status).toBe(403);
    expect(text(forced, '[role="alert"]')).toBe('Postingan ditinjau oleh orang lain, bukan penulisnya sendiri.');
    expect(text(await approver.get(own.url.pathname), '.meta-list .status')).toBe('Diajukan');
  });

  it('refuses a form without the CSRF token, with a wrong one, or from another site, and changes nothing', async () => {
    const editor = new Browser(h);
    await editor.login('editor.kominfo');
    const page = await draft(editor, { title: 'Uji CSRF', caption_x: 'Teks' });
    const before = await h.agency.db.get<{ version: number; status: string }>('SELECT version, status FROM posts WHERE id = $1', [
      idOf(page),
    ]);
    const missing = await editor.submit(page, '#post-form', { _csrf: [], title: 'Tanpa token' });
    const wrong = await editor.submit(
      page,
      '#post-form',
      { _csrf: 'A'.repeat(32), title: 'Token salah' },
      { name: 'intent', value: 'submit' },
    );
    const crossSite = await editor.submit(page, '#post-form', { title: 'Dari situs lain' }, undefined, { 'sec-fetch-site': 'cross-site' });
    const newPost = await editor.request('/studio/posts/new', { method: 'POST', body: new URLSearchParams({ title: 'Tanpa token baru' }) });
    for (const refused of [missing, wrong, crossSite, newPost]) {
      expect(refused.status).toBe(403);
      expect(text(refused, '[role="alert"]')).toBe(
        'Formulir ini kedaluwarsa atau tidak berasal dari studio. Muat ulang halaman, lalu coba lagi.',
      );
    }
    const after = await h.agency.db.get<{ version: number; status: string }>('SELECT version, status FROM posts WHERE id = $1', [
      idOf(page),
    ]);
    expect(after).toEqual(before);
    expect(await h.agency.db.get('SELECT id FROM posts WHERE title = $1', ['Tanpa token baru'])).toBeUndefined();
    // The picture upload of the page's script: the session's token in a header, or nothing.
    const csrf = page.doc.querySelector('input[name="_csrf"]')!.getAttribute('value')!;
    const upload = (headers: Record<string, string>) =>
      editor.request('/api/v1/media', { method: 'POST', headers: { 'content-type': 'image/png', ...headers }, body: png() });
    expect((await upload({})).status).toBe(403);
    const ok = await upload({ 'x-csrf-token': csrf });
    expect(ok.status).toBe(201);
    expect(JSON.parse(ok.text).id).toMatch(/^[a-z0-9]+$/);
  });

  it('shows a hostile title as text everywhere, and keeps it out of attributes and scripts', async () => {
    const editor = new Browser(h);
    await editor.login('editor.kominfo');
    const hostile = '<script>alert(1)</script><img src=x onerror=alert(2)>"\'&';
    const page = await draft(
      editor,
      { title: hostile, caption_x: `"><svg onload=alert(3)>`, caption_facebook: '</textarea><b>tebal</b>' },
      { name: 'intent', value: 'submit' },
    );
    const approver = new Browser(h);
    await approver.login('penyetuju');
    const views = [
      page,
      await editor.get('/studio/posts'),
      await approver.get('/studio/review'),
      await approver.get(page.url.pathname),
      await approver.get(`/studio/audit?post=${encodeURIComponent(idOf(page))}`),
    ];
    for (const view of views) {
      expect(view.status).toBe(200);
      expect(view.text).not.toContain('<script>alert(1)');
      expect(view.text).not.toContain('<img src=x');
      expect(view.text).not.toContain('<svg onload');
      expect(view.text).not.toContain('<b>tebal</b>');
      expect(view.doc.querySelectorAll('script:not([src])')).toHaveLength(0);
      expect(view.doc.querySelectorAll('img[src="x"], svg, b')).toHaveLength(0);
    }
    expect(text(views[3]!, 'h1')).toContain(hostile);
    expect(text(views[3]!, '.card-title')).toBe(hostile);
    expect([...views[1]!.doc.querySelectorAll('table a')].map((a) => a.textContent)).toContain(hostile);
  });

  it('exports the audit log as CSV in which no cell can start a spreadsheet formula', async () => {
    const admin = new Browser(h);
    await admin.login('admin');
    const accounts = await admin.get('/studio/accounts');
    const made = await admin.submit(accounts, 'form[action$="studio/accounts"]', {
      user: '-cmd.user',
      name: '=HYPERLINK("http://evil.example","klik")',
      password: 'kata-sandi-panjang-1',
      role: 'approver',
      unit: '',
    });
    expect(made.status).toBe(200);
    expect(text(made, '.notice')).toBe('Akun -cmd.user dibuat.');
    const editor = new Browser(h);
    await editor.login('editor.kominfo');
    const page = await draft(editor, { title: '@SUM(1+1)', caption_x: 'Teks' });
    await editor.follow(
      await editor.submit(page, `form[action$="/comment"]`, { comment: 'ok;=HYPERLINK("http://evil.example");+1,-2\r\n@x\t=1' }),
    );

    // The account with a dangerous name acts, so its name starts a cell (the user column).
    const odd = new Browser(h);
    expect((await odd.login('-cmd.user', 'kata-sandi-panjang-1')).status).toBe(303);
    await odd.follow(await odd.submit(await odd.get(page.url.pathname), 'form[action$="/comment"]', { comment: '-2+3' }));

    const csv = await admin.get('/studio/audit.csv');
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(csv.headers.get('content-disposition')).toMatch(/^attachment; filename="siar-audit-\d{4}-\d{2}-\d{2}\.csv"$/);
    // (fetch's text() drops the byte order mark that makes Excel read UTF-8.)
    expect(csv.text.startsWith('id,at,user,action,post,subject,before,after\r\n')).toBe(true);
    expect(csv.text).toContain("'-cmd.user");
    expect(csv.text).not.toMatch(/(^|[,;\n])"?([=+\-@\t]|\r(?!\n))/);
    expect(csv.text).not.toMatch(/[,;]=HYPERLINK/);
    expect(csv.text).toContain(";'=HYPERLINK");
    // The page itself: filtered by post, by user and by action.
    const byPost = await admin.get(`/studio/audit?post=${encodeURIComponent(idOf(page))}&action=comment`);
    expect([...byPost.doc.querySelectorAll('tbody tr td:nth-child(2)')].map((td) => td.textContent)).toEqual([
      '-cmd.user',
      'editor.kominfo',
    ]);
    const filtered = await admin.submit(byPost, 'form.filters', { user: 'editor.kominfo' });
    expect(filtered.doc.querySelectorAll('tbody tr')).toHaveLength(1);
    expect(text(filtered, 'tbody tr td:nth-child(2)')).toBe('editor.kominfo');
    const byUser = await admin.get('/studio/audit?user=-cmd.user');
    expect([...byUser.doc.querySelectorAll('tbody tr td:nth-child(3) code')].map((c) => c.textContent)).toEqual(['comment']);
  });

  it('puts a clear message next to the field for bad input, and keeps everything that was typed', async () => {
    const editor = new Browser(h);
    await editor.login('editor.kominfo');
    const form = await editor.get('/studio/posts/new');
    const typed = { title: 'Judul yang saya ketik', text: 'Teks panjang saya.', caption_x: 'Keterangan saya', hashtags: 'Tagar_Saya' };
    const check = (page: Page, field: string, message: RegExp) => {
      expect(page.status, page.text.slice(0, 300)).toBeGreaterThanOrEqual(400);
      expect(text(page, `#${field}-error`)).toMatch(message);
      const control = page.doc.querySelector(field === 'caption_x' ? 'textarea[name="caption_x"]' : `#f-${field}`);
      expect(control?.getAttribute('aria-invalid')).toBe('true');
      expect(control?.getAttribute('aria-describedby')).toContain(`${field}-error`);
      expect(page.doc.querySelector('input[name="title"]')!.getAttribute('value')).toBe(typed.title);
      expect(page.doc.querySelector('textarea[name="text"]')!.textContent).toBe(typed.text);
      expect(page.doc.querySelector('textarea[name="caption_x"]')!.textContent).toBe(typed.caption_x);
    };
    const big = Buffer.alloc(30 * 1024 * 1024);
    png().copy(big);
    check(
      await editor.submit(form, '#post-form', { ...typed, picture_file: { file: big, name: 'besar.png', type: 'image/png' } }),
      'picture',
      /^Gambar terlalu besar: paling besar 10 MB\.$/,
    );
    const exe = Buffer.concat([Buffer.from('MZ\x90\x00\x03\x00\x00\x00'), Buffer.alloc(2048, 1)]);
    check(
      await editor.submit(form, '#post-form', { ...typed, picture_file: { file: exe, name: 'foto.png', type: 'image/png' } }),
      'picture',
      /^Berkas ini bukan gambar JPEG, PNG, atau WebP/,
    );
    const past = await editor.submit(form, '#post-form', { ...typed, publish_at: '2020-01-01T08:00' });
    check(past, 'publish_at', /^Waktu terbit sudah lewat/);
    expect(past.doc.querySelector('input[name="publish_at"]')!.getAttribute('value')).toBe('2020-01-01T08:00');
    check(
      await editor.submit(form, '#post-form', { ...typed, publish_at: '2099-03-01T08:00', expires_at: '2099-02-01T08:00' }),
      'expires_at',
      /^Waktu berakhir harus sesudah waktu terbit\.$/,
    );
    check(
      await editor.submit(form, '#post-form', { ...typed, publish_at: '2099-02-31T08:00' }),
      'publish_at',
      /^Tulis tanggal dan jam yang benar\.$/,
    );
    // Hashtags and a link that leave X no room for even one letter of the caption.
    const url = 'https://pemkab.go.id/berita/layanan';
    const list = Array.from({ length: 9 }, (_, i) => `TagarPanjangSekaliNo${i}`);
    let last = 'Akhir';
    while (xWeightedLength(`${[...list, last].map((t) => `#${t}`).join(' ')}\n\n${url}`) < 278) last += 'x';
    const tags = [...list, last].join(' ');
    expect(xWeightedLength(`${[...list, last].map((t) => `#${t}`).join(' ')}\n\n${url}`)).toBeLessThanOrEqual(280);
    const noFit = await editor.submit(form, '#post-form', { ...typed, hashtags: tags, url });
    check(noFit, 'caption_x', /^Teks untuk X tidak muat 280 karakter/);
    expect(noFit.doc.querySelector('input[name="hashtags"]')!.getAttribute('value')).toBe(tags);
    check(await editor.submit(form, '#post-form', { ...typed, url: 'http://pemkab.example/berita' }), 'url', /^Tautan harus alamat https/);
    check(await editor.submit(form, '#post-form', { ...typed, hashtags: 'bukan-tagar!' }), 'hashtags', /^Tagar hanya boleh/);
    const untitled = await editor.submit(form, '#post-form', { ...typed, title: '' });
    expect(untitled.status).toBe(400);
    expect(text(untitled, '#title-error')).toBe('Isi judul (paling banyak 300 karakter).');
    expect(await h.agency.db.get('SELECT id FROM posts WHERE title = $1', [typed.title])).toBeUndefined();
    // An X caption over 280 is saved (the extension shortens it), with the cut named beside the field.
    const long = `${'Kata '.repeat(60)}akhir kalimat ini hilang`;
    const cut = await editor.follow(await editor.submit(form, '#post-form', { ...typed, title: 'Keterangan panjang', caption_x: long }));
    expect(text(cut, '.notice')).toBe('Draf dibuat.');
    expect(text(cut, '#caption_x-warning')).toMatch(/^Varian X 1 melebihi 280 karakter dan akan dipotong: ".*akhir kalimat ini hilang"\.$/);
    expect(text(cut, '.x-cut del')).toMatch(/akhir kalimat ini hilang$/);
  });

  it('adds and removes caption variants and previews without saving, when there is no script', async () => {
    const editor = new Browser(h);
    await editor.login('editor.kominfo');
    const form = await editor.get('/studio/posts/new');
    const added = await editor.submit(form, '#post-form', { title: 'Varian', caption_x: 'Satu' }, { name: 'intent', value: 'add:x' });
    expect(added.status).toBe(200);
    expect([...added.doc.querySelectorAll('textarea[name="caption_x"]')].map((t) => t.textContent)).toEqual(['Satu', '']);
    const two = await editor.submit(added, '#post-form', { caption_x: ['Satu', 'Satu'] }, { name: 'intent', value: 'preview' });
    expect([...two.doc.querySelectorAll('.preview-warnings li')].map((l) => l.getAttribute('data-code'))).toContain('identical_variants');
    const removed = await editor.submit(two, '#post-form', { caption_x: ['Satu', 'Dua'] }, { name: 'intent', value: 'remove:x:0' });
    expect([...removed.doc.querySelectorAll('textarea[name="caption_x"]')].map((t) => t.textContent)).toEqual(['Dua']);
    expect([...removed.doc.querySelectorAll('pre.inserted[data-platform="x"]')].map((p) => p.textContent!.split('\n\n')[0])).toEqual([
      'Dua',
    ]);
    expect(await h.agency.db.get('SELECT id FROM posts WHERE title = $1', ['Varian'])).toBeUndefined();
    // The live preview's script is served from here, bundled with the preview's own code.
    const script = await editor.get(
      removed.doc
        .querySelector('script')!
        .getAttribute('src')!
        .replace(/^(\.\.\/)+/, '/'),
    );
    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(script.text).toContain('Panjang menurut hitungan X');
  });

  it('finds posts by title and status, a page at a time, and lists the review queue oldest first', async () => {
    const admin = new Browser(h);
    await admin.login('admin');
    const all = await admin.get('/studio/posts?status=published');
    const rows = [...all.doc.querySelectorAll('tbody tr')];
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((r) => r.querySelector('.status')?.textContent === 'Terbit')).toBe(true);
    const search = await admin.submit(all, 'form.filters', { q: 'stunting', status: '' });
    expect(search.url.searchParams.get('q')).toBe('stunting');
    const found = [...search.doc.querySelectorAll('tbody tr a')].map((a) => a.textContent ?? '');
    expect(found.length).toBeGreaterThan(0);
    expect(found.every((title) => /stunting/i.test(title))).toBe(true);
    const first = await admin.get('/studio/posts');
    const next = first.doc.querySelector('a[rel="next"]');
    if (next) {
      const second = await admin.get(new URL(next.getAttribute('href')!, first.url));
      expect(second.status).toBe(200);
      expect(second.doc.querySelector('a[rel="prev"]')).not.toBeNull();
    }
    const queue = await admin.get('/studio/review');
    const waited = [...queue.doc.querySelectorAll('tbody tr')].map((r) => r.querySelector('a')!.getAttribute('href')!);
    const times = await Promise.all(
      waited.map(
        async (href) =>
          (await h.agency.db.get<{ updated_at: string }>('SELECT updated_at FROM posts WHERE id = $1', [
            decodeURIComponent(href.split('/').pop()!),
          ]))!.updated_at,
      ),
    );
    expect(times).toEqual([...times].sort());
  });

  it('manages units and codes (admin) and shows an editor their own codes read-only', async () => {
    const admin = new Browser(h);
    await admin.login('admin');
    const units = await admin.get('/studio/units');
    const created = await admin.submit(units, 'form[action$="studio/units"]', { name: 'Dinas Perikanan' });
    expect(text(created, '.notice')).toMatch(/^Unit Dinas Perikanan dibuat dengan kode [A-Z0-9-]+\.$/);
    const code = /kode ([A-Z0-9-]+)\.$/.exec(text(created, '.notice'))![1]!;
    const row = [...created.doc.querySelectorAll('tbody tr')].find((r) =>
      r.querySelector('td')!.textContent!.startsWith('Dinas Perikanan'),
    )!;
    expect(row.textContent).toContain(code);
    const add = [...row.querySelectorAll('form')].find((f) => f.querySelector('input[name="code"]:not([type="hidden"])'))!;
    const weak = await admin.submit(created, add as unknown as El, { code: 'IKAN-2026' });
    expect(weak.status).toBe(400);
    expect(text(weak, '[role="alert"]')).toContain('paling sedikit 12 huruf dan angka');
    const added = await admin.submit(created, add as unknown as El, { code: 'IKAN-7QKD-M2XP' });
    expect(text(added, '.notice')).toBe('Kode IKAN-7QKD-M2XP ditambahkan.');
    const taken = await admin.submit(created, add as unknown as El, { code });
    expect(taken.status).toBe(409);
    const rowAgain = [...added.doc.querySelectorAll('tbody tr')].find((r) =>
      r.querySelector('td')!.textContent!.startsWith('Dinas Perikanan'),
    )!;
    const revoke = [...rowAgain.querySelectorAll('form')].find((f) =>
      f.querySelector('input[type="hidden"][name="code"][value="IKAN-7QKD-M2XP"]'),
    )!;
    expect(text(await admin.submit(added, revoke as unknown as El), '.notice')).toBe('Kode IKAN-7QKD-M2XP dicabut.');
    const rotate = [...rowAgain.querySelectorAll('form')].find((f) => f.querySelector('input[name="rotate"]'))!;
    const rotated = await admin.submit(added, rotate as unknown as El);
    expect(text(rotated, '.notice')).toMatch(/^Semua kode lama dicabut\. Kode baru: [A-Z0-9-]+\.$/);
    expect(await h.agency.db.get('SELECT code FROM enroll_codes WHERE code = $1', [code])).toBeUndefined();
    const archive = [...rowAgain.querySelectorAll('form')].find((f) => f.querySelector('input[name="archived"]'))!;
    expect(text(await admin.submit(added, archive as unknown as El), '.notice')).toBe('Unit diarsipkan.');
    expect(
      await h.agency.db.all(
        "SELECT action FROM audit_log WHERE action IN ('unit_create', 'code_create', 'code_revoke', 'code_rotate', 'unit_archive')",
      ),
    ).toHaveLength(5);

    const editor = new Browser(h);
    await editor.login('editor.dinkes');
    const own = await editor.get('/studio/units');
    expect([...own.doc.querySelectorAll('tbody tr td:first-child')].map((td) => td.textContent)).toEqual([DINKES.unit]);
    expect(own.text).toContain(DINKES.code);
    expect(own.doc.querySelectorAll('main form')).toHaveLength(0);
    const csrf = own.doc.querySelector('input[name="_csrf"]')!.getAttribute('value')!;
    expect(
      (await editor.request('/studio/units', { method: 'POST', body: new URLSearchParams({ _csrf: csrf, name: 'Dinas Siluman' }) })).status,
    ).toBe(403);
  });

  it('finds members, moves and revokes them (admin), and issues a personal code once within reach', async () => {
    await h.member(101, KOMINFO, 'Siti Kominfo');
    const token = await h.member(102, DINKES, 'Ahmad Dinkes');
    const editor = new Browser(h);
    await editor.login('editor.kominfo');
    const members = await editor.get('/studio/members?q=Siti');
    expect([...members.doc.querySelectorAll('tbody tr td:nth-child(2)')].map((td) => td.textContent)).toEqual(['Siti Kominfo']);
    expect((await editor.get('/studio/members?q=Ahmad')).doc.querySelectorAll('tbody tr')).toHaveLength(0);
    expect(members.doc.querySelectorAll('form[action*="/move"]')).toHaveLength(0);
    const issued = await editor.submit(members, 'form[action$="studio/personal-codes"]', { nip: nip(101) });
    expect(issued.status).toBe(200);
    expect(text(issued, '.secret')).toMatch(/^[A-Z0-9-]{6,}$/);
    expect(text(issued, '.notice')).toContain(`NIP ${nip(101)}`);
    expect(text(issued, '.notice')).toContain('Kode ini tampil sekali saja.');
    expect((await editor.get('/studio/members')).doc.querySelector('.secret')).toBeNull();
    const other = await editor.submit(members, 'form[action$="studio/personal-codes"]', { nip: nip(102) });
    expect(other.status).toBe(404);
    expect(text(other, '[role="alert"]')).toBe('Tidak ada anggota atau pegawai di daftar dengan NIP ini dalam jangkauan Anda.');

    const admin = new Browser(h);
    await admin.login('admin');
    const found = await admin.get(`/studio/members?q=${nip(102).slice(0, 10)}`);
    const row = [...found.doc.querySelectorAll('tbody tr')].find((r) => r.textContent!.includes('Ahmad Dinkes'))!;
    const move = row.querySelector('form[action*="/move"]')!;
    const moved = await admin.submit(found, move as unknown as El, { unit: KOMINFO.unit });
    expect(text(moved, '.notice')).toBe(`Ahmad Dinkes dipindahkan ke ${KOMINFO.unit}.`);
    const revoked = await admin.submit(found, row.querySelector('form[action*="/revoke"]') as unknown as El);
    expect(text(revoked, '.notice')).toBe('1 token dicabut: perangkat itu harus mendaftar lagi.');
    expect((await h.json('GET', '/v1/me/summary', undefined, token)).status).toBe(401);
  });

  it('loads the roster from a CSV file and says whether one is loaded', async () => {
    const admin = new Browser(h);
    await admin.login('admin');
    const page = await admin.get('/studio/roster');
    expect(text(page, 'main > p.warn, main > p.notice')).toMatch(
      /^(Belum ada daftar pegawai: siapa pun yang memegang kode|Daftar pegawai dimuat)/,
    );
    const csv = [
      'NIP;Nama;Unit',
      `${nip(201)};Rina Roster;${KOMINFO.unit}`,
      `${nip(202)};Budi Roster;${DINKES.unit}`,
      `123;Salah;${KOMINFO.unit}`,
      `${nip(203)};Tanpa Unit;Dinas Entah`,
    ].join('\r\n');
    const result = await admin.submit(page, 'form[action$="studio/roster"]', {
      roster: { file: Buffer.from(csv), name: 'pegawai.csv', type: 'text/csv' },
    });
    expect(result.status).toBe(200);
    const figures = [...result.doc.querySelectorAll('[role="status"] dl dd')].map((d) => d.textContent);
    expect(figures).toEqual(['2', '0', '0', '2']);
    expect([...result.doc.querySelectorAll('[role="status"] tbody tr')].map((r) => r.textContent)).toEqual([
      expect.stringMatching(/^4NIP tidak sah \(/),
      '5unit tidak dikenal "Dinas Entah"',
    ]);
    expect(text(result, 'main > p.notice')).toMatch(/^Daftar pegawai dimuat: \d+ NIP\. Hanya NIP di daftar yang dapat mendaftar/);
    const pasted = await admin.submit(page, 'form[action$="studio/roster"]', { text: `${nip(201)},Rina Roster Baru,${KOMINFO.unit}` });
    expect([...pasted.doc.querySelectorAll('[role="status"] dl dd')].map((d) => d.textContent)).toEqual(['0', '1', '0', '0']);
  });

  it('creates, disables and resets accounts, and lists campaigns posts can pick (admin)', async () => {
    const admin = new Browser(h);
    await admin.login('admin');
    const page = await admin.get('/studio/accounts');
    const weak = await admin.submit(page, 'form[action$="studio/accounts"]', {
      user: 'editor.baru',
      name: 'Editor Baru',
      password: 'pendek',
      role: 'editor',
      unit: DINKES.unit,
    });
    expect(weak.status).toBe(400);
    expect(text(weak, '[role="alert"]')).toMatch(/^Kata sandi terlalu lemah/);
    const noUnit = await admin.submit(page, 'form[action$="studio/accounts"]', {
      user: 'editor.baru',
      name: 'Editor Baru',
      password: 'kata-sandi-yang-kuat',
      role: 'editor',
      unit: '',
    });
    expect(text(noUnit, '[role="alert"]')).toBe('Editor harus punya unit kerja yang ada.');
    const made = await admin.submit(page, 'form[action$="studio/accounts"]', {
      user: 'editor.baru',
      name: 'Editor Baru',
      password: 'kata-sandi-yang-kuat',
      role: 'editor',
      unit: DINKES.unit,
    });
    expect(text(made, '.notice')).toBe('Akun editor.baru dibuat.');
    const fresh = new Browser(h);
    expect((await fresh.login('editor.baru', 'kata-sandi-yang-kuat')).status).toBe(303);
    const row = [...made.doc.querySelectorAll('tbody tr')].find((r) => r.textContent!.includes('editor.baru'))!;
    const reset = await admin.submit(made, row.querySelector('form[action$="/password"]') as unknown as El);
    const password = text(reset, '.secret');
    expect(password).toMatch(/^[A-Za-z0-9_-]{16}$/);
    expect((await fresh.get('/studio/posts')).status).toBe(302);
    expect((await new Browser(h).login('editor.baru', password)).status).toBe(303);
    const disabled = await admin.submit(made, row.querySelector('form[action$="/disable"]') as unknown as El);
    expect(text(disabled, '.notice')).toBe('Akun editor.baru dinonaktifkan; sesinya diakhiri.');
    expect((await new Browser(h).login('editor.baru', password)).status).toBe(401);
    expect(made.doc.querySelector(`form[action$="studio/accounts/admin/disable"]`)).toBeNull();

    const campaigns = await admin.get('/studio/campaigns');
    const created = await admin.submit(campaigns, 'form[action$="studio/campaigns"]', { name: 'Hari Jadi Kabupaten', slug: '' });
    expect(text(created, '.notice')).toBe('Kampanye Hari Jadi Kabupaten dibuat.');
    const form = await admin.get('/studio/posts/new');
    const option = [...form.doc.querySelectorAll('select[name="campaign"] option')].find((o) => o.textContent === 'Hari Jadi Kabupaten');
    expect(option?.getAttribute('value')).toBe('hari-jadi-kabupaten');
    const archive = [...created.doc.querySelectorAll('tbody tr')].find((r) => r.textContent!.includes('Hari Jadi'))!.querySelector('form')!;
    await admin.submit(created, archive as unknown as El);
    const after = await admin.get('/studio/posts/new');
    expect([...after.doc.querySelectorAll('select[name="campaign"] option')].map((o) => o.textContent)).not.toContain(
      'Hari Jadi Kabupaten',
    );
  });

  it('shows feed health and restores a version after a confirmation (admin)', async () => {
    const approver = new Browser(h);
    await approver.login('penyetuju');
    const health = await approver.get('/studio/feed');
    expect(text(health, '#served-heading + dl')).toMatch(/Tanda tangan\s*Sah/);
    expect(health.doc.querySelector('#public-key')!.getAttribute('value')).toBe(h.agency.publicKey);
    expect(text(health, '#warn-heading + p')).toBe('Semuanya baik.');
    expect(health.doc.querySelectorAll('a[href*="/restore"]')).toHaveLength(0);

    const admin = new Browser(h);
    await admin.login('admin');
    const page = await admin.get('/studio/feed');
    const link = page.doc.querySelector('a[href*="/restore"]');
    expect(link).not.toBeNull();
    const confirm = await admin.get(new URL(link!.getAttribute('href')!, page.url));
    expect(text(confirm, 'h1')).toMatch(/^Pulihkan versi \d+\?$/);
    const before = (await h.agency.publisher.current())!.version;
    const restored = await admin.follow(await admin.submit(confirm, 'main form'));
    expect(text(restored, '.notice')).toMatch(/^Dipulihkan sebagai versi \d+\.$/);
    expect((await h.agency.publisher.current())!.version).toBeGreaterThan(before);
    const csrf = restored.doc.querySelector('input[name="_csrf"]')!.getAttribute('value')!;
    expect(
      (await approver.request('/studio/feed/versions/1/restore', { method: 'POST', body: new URLSearchParams({ _csrf: csrf }) })).status,
    ).toBe(403);
  });

  it('speaks English when the browser or the switch asks for it', async () => {
    const english = new Browser(h, 'en-GB,en;q=0.9,id;q=0.5');
    const login = await english.get('/login');
    expect(login.doc.documentElement.getAttribute('lang')).toBe('en');
    expect(text(login, 'h1')).toBe('Log in');
    await english.login('penyetuju');
    const review = await english.get('/studio/review');
    expect(text(review, 'h1')).toBe('Review queue');
    expect(text(review, 'form[action$="logout"] button')).toBe('Log out');
    const switchLink = review.doc.querySelector('a[hreflang="id"]')!;
    const switched = await english.get(new URL(switchLink.getAttribute('href')!, review.url));
    expect(switched.status).toBe(303);
    expect(switched.headers.get('location')).toBe('../studio/review');
    expect(switched.headers.getSetCookie()[0]).toMatch(/^lang=id; Path=\/; HttpOnly; SameSite=Strict/);
    const back = await english.follow(switched);
    expect(text(back, 'h1')).toBe('Antrean tinjauan');
    // Nothing but a path on this server is a place to come back to.
    const away = await english.get('/studio/lang?to=en&back=//evil.example/x');
    expect(away.headers.get('location')).toBe('../');
  });

  it('shows coverage of a mandatory post per unit, an editor only their own', async () => {
    const editor = new Browser(h);
    await editor.login('editor.kominfo');
    const mine = await editor.get('/studio/posts/kab-contoh-apel-asn-medsos/coverage');
    expect(mine.status).toBe(200);
    expect([...mine.doc.querySelectorAll('main section:first-of-type tbody tr td:first-child')].map((td) => td.textContent)).toEqual([
      KOMINFO.unit,
    ]);
    expect(text(mine, '#who-heading')).toBe(`Anggota ${KOMINFO.unit}`);
    const dinkesId = (await h.agency.db.get<{ id: number }>('SELECT id FROM units WHERE name = $1', [DINKES.unit]))!.id;
    expect((await editor.get(`/studio/posts/kab-contoh-apel-asn-medsos/coverage?unit=${dinkesId}`)).status).toBe(404);
    const admin = new Browser(h);
    await admin.login('admin');
    const all = await admin.get('/studio/posts/kab-contoh-apel-asn-medsos/coverage');
    expect(all.doc.querySelectorAll('main section:first-of-type tbody tr').length).toBeGreaterThan(3);
  });
});

describe.each(BACKENDS)('offline signing through the feed page on %s', (backend: Backend) => {
  it('offers the exact pending bytes, refuses a wrong signature and takes the right one', async () => {
    const key = generateSigningKey();
    const h = await startAgency(backend, { trustProxy: 1, offlinePublicKey: key.publicKey });
    try {
      const approver = new Browser(h);
      await approver.login('penyetuju');
      const page = await approver.get('/studio/feed');
      const pending = await h.agency.publisher.pending();
      expect(pending).toBeDefined();
      expect([...page.doc.querySelectorAll('#warn-heading + ul li')].map((l) => l.textContent)).toContain(
        `Versi ${pending!.version} menunggu tanda tangan: ASN masih mendapat versi sebelumnya.`,
      );
      expect(text(page, '#offline-heading ~ p code')).toBe('npm run agency -- sign feed.json --key siar-signing-key.pem');
      const download = await approver.get(new URL(page.doc.querySelector('a[download="feed.json"]')!.getAttribute('href')!, page.url));
      expect(download.headers.get('content-disposition')).toBe('attachment; filename="feed.json"');
      const bytes = Buffer.from(download.text);
      expect(bytes.equals(pending!.body)).toBe(true);
      const wrong = await approver.submit(page, 'form[action$="studio/feed/signature"]', {
        signature: signFeed(bytes, generateSigningKey()),
      });
      expect(wrong.status).toBe(422);
      expect(text(wrong, '[role="alert"]')).toBe('Tanda tangan tidak cocok dengan kunci publik agensi. Versi tetap menunggu.');
      const right = await approver.follow(
        await approver.submit(page, 'form[action$="studio/feed/signature"]', { signature: signFeed(bytes, key) }),
      );
      expect(text(right, '.notice')).toBe(`Tanda tangan sah: versi ${pending!.version} kini disajikan.`);
      expect((await h.call('/feed.json')).status).toBe(200);
    } finally {
      await h.close();
    }
  });
});

describe('the multipart reader behind the no-script forms', () => {
  const boundary = '----siar7MA4YWxkTrZu0gW';
  const body = (big = 10) =>
    Buffer.concat([
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="title"\r\n\r\nJudul ünïcode\r\n`),
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="picture_file"; filename="a \\"b\\".png"\r\nContent-Type: image/png\r\n\r\n`,
      ),
      Buffer.alloc(big, 0x2d),
      Buffer.from(
        `\r\n--${boundary}\r\nContent-Disposition: form-data; name="caption_x"\r\n\r\nsatu\r\n--${boundary}\r\nContent-Disposition: form-data; name="caption_x"\r\n\r\ndua\r\n`,
      ),
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="empty"; filename=""\r\nContent-Type: application/octet-stream\r\n\r\n\r\n--${boundary}--\r\n`,
      ),
    ]);
  const request = (bytes: Buffer, chunk: number) => {
    const parts: Buffer[] = [];
    for (let i = 0; i < bytes.length; i += chunk) parts.push(bytes.subarray(i, i + chunk));
    return Object.assign(Readable.from(parts), {
      headers: { 'content-type': `multipart/form-data; boundary="${boundary}"` },
    }) as unknown as IncomingMessage;
  };
  const limits = { fieldBytes: 1024, fileBytes: 64, totalBytes: 4096, parts: 10 };

  it('reads fields and files the same whatever the chunking, and drops an empty file input', async () => {
    expect(boundaryOf(`multipart/form-data; boundary="${boundary}"`)).toBe(boundary);
    expect(boundaryOf('application/x-www-form-urlencoded')).toBeUndefined();
    for (const chunk of [1, 7, 64, 100_000]) {
      const { fields, files } = await readMultipart(request(body(), chunk), boundary, limits);
      expect(fields.get('title')).toBe('Judul ünïcode');
      expect(fields.getAll('caption_x')).toEqual(['satu', 'dua']);
      expect(files.get('picture_file')).toMatchObject({ filename: 'a "b".png', type: 'image/png', size: 10, tooLarge: false });
      expect(files.get('picture_file')!.bytes.equals(Buffer.alloc(10, 0x2d))).toBe(true);
      expect(files.has('empty')).toBe(false);
    }
  });

  it('keeps the fields after a file over its limit, and refuses a body over the whole limit or cut short', async () => {
    const { fields, files } = await readMultipart(request(body(1000), 13), boundary, limits);
    expect(files.get('picture_file')).toMatchObject({ size: 1000, tooLarge: true });
    expect(files.get('picture_file')!.bytes.length).toBe(0);
    expect(fields.getAll('caption_x')).toEqual(['satu', 'dua']);
    await expect(readMultipart(request(body(5000), 512), boundary, limits)).rejects.toMatchObject({ status: 413 });
    const cut = body().subarray(0, 150);
    await expect(readMultipart(request(cut, 32), boundary, limits)).rejects.toBeInstanceOf(HttpError);
    await expect(readMultipart(request(cut, 32), boundary, limits)).rejects.toMatchObject({ status: 400 });
  });
});
