// @vitest-environment node
// The studio's video field on both databases: the post form as served (the field, its progress,
// and what it says without script), a post with a video previewed by the server (the poster under
// a play mark and the length; X's 140-second rule said in the X block and beside the field), a
// stale video id named next to the field, and the editor's upload code (`VideoUpload`, the same
// module the page's script runs) against the real server: pieces, a lost piece, a lost answer, a
// piece delivered twice, a cancel, and every refusal in the page's words. Videos are made by
// ffmpeg at test time: no binaries in the repository.
import { readdirSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { Window } from 'happy-dom';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makePng } from '../../server/demo/png';
import { UPLOAD_PIECE } from '../../server/studio/media-store';
import { dict } from '../../server/studio/web/i18n';
import {
  localProblem,
  megabytes,
  videoProblem,
  VideoUpload,
  type Answer,
  type UploadTransport,
} from '../../server/studio/web/video-upload';
import { BACKENDS, DEMO, startAgency, type Backend, type Harness } from '../support/agency';
import { ffmpeg, tempDir } from './media/ffmpeg';

const window = new Window({
  settings: {
    disableJavaScriptEvaluation: true,
    disableJavaScriptFileLoading: true,
    disableCSSFileLoading: true,
    disableIframePageLoading: true,
  },
});
type Doc = ReturnType<InstanceType<typeof window.DOMParser>['parseFromString']>;

const ID = dict('id');
const EN = dict('en');

let dir: Awaited<ReturnType<typeof tempDir>>;
const videos: Record<'short' | 'long' | 'big' | 'hevc' | 'mpeg4', Buffer> = {} as never;

beforeAll(async () => {
  dir = await tempDir();
  const make = async (name: string, seconds: number, video: string[], source = `testsrc=size=160x120:rate=5:duration=${seconds}`) => {
    const out = dir.file(`${name}.mp4`);
    await ffmpeg([
      '-f',
      'lavfi',
      '-i',
      source,
      '-f',
      'lavfi',
      '-i',
      `sine=frequency=440:duration=${seconds}`,
      ...video,
      '-pix_fmt',
      'yuv420p',
      '-c:a',
      'aac',
      '-b:a',
      '32k',
      '-movflags',
      '+faststart',
      out,
    ]);
    return readFile(out);
  };
  const h264 = ['-c:v', 'libx264', '-preset', 'ultrafast'];
  videos.short = await make('short', 3, h264);
  videos.long = await make('long', 150, h264);
  // Busy pictures at high quality: over one piece (4 MiB) in a dozen seconds.
  videos.big = await make('big', 12, [...h264, '-crf', '10'], 'testsrc2=size=640x360:rate=25:duration=12');
  videos.hevc = await make('hevc', 1, ['-c:v', 'libx265', '-preset', 'ultrafast', '-tag:v', 'hvc1', '-x265-params', 'log-level=error']);
  videos.mpeg4 = await make('mpeg4', 1, ['-c:v', 'mpeg4']);
}, 180_000);

afterAll(async () => {
  await dir?.remove();
  await window.happyDOM.close();
});

const png = () => Buffer.from(makePng(64, 36, (x, y) => [20 + x, 100 + y, 200]));

interface Page {
  status: number;
  headers: Headers;
  text: string;
  doc: Doc;
  url: URL;
}

let addresses = 0;

/** A browser without script: a cookie jar and the post form sent back as the browser sends it. */
class Browser {
  private jar = new Map<string, string>();
  private readonly address = `203.0.113.${++addresses % 250}`;

  constructor(
    private readonly h: Harness,
    private readonly lang?: string,
  ) {}

  async request(path: string | URL, init: RequestInit = {}): Promise<Page> {
    const url = new URL(path, this.h.origin);
    const res = await fetch(url, {
      redirect: 'manual',
      ...init,
      headers: {
        'x-forwarded-for': this.address,
        ...(this.lang ? { 'accept-language': this.lang } : {}),
        ...(this.jar.size ? { cookie: [...this.jar].map(([k, v]) => `${k}=${v}`).join('; ') } : {}),
        ...(init.headers as Record<string, string>),
      },
    });
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const eq = pair!.indexOf('=');
      this.jar.set(pair!.slice(0, eq), pair!.slice(eq + 1));
    }
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

  async follow(page: Page): Promise<Page> {
    expect(page.status, page.text.slice(0, 500)).toBe(303);
    return this.get(new URL(page.headers.get('location')!, page.url));
  }

  async login(user: string): Promise<void> {
    const page = await this.get('/login');
    const form = page.doc.querySelector('form.login')!;
    const body = new URLSearchParams({ user, password: DEMO[user]!.password });
    const res = await this.request(new URL(form.getAttribute('action')!, page.url), { method: 'POST', body });
    expect(res.status).toBe(303);
  }

  /** The post form with its current values, `values` typed over them (a file as `{file, name, type}`). */
  async submitPost(
    page: Page,
    values: Record<string, string | { file: Buffer; name: string; type: string }>,
    intent = 'save',
  ): Promise<Page> {
    const form = page.doc.querySelector('#post-form');
    if (!form) throw new Error(`no post form on ${page.url.pathname}: ${page.text.slice(0, 300)}`);
    const body = new FormData();
    const seen = new Set<string>();
    const put = (name: string, value: string | { file: Buffer; name: string; type: string }) => {
      if (typeof value === 'string') body.append(name, value);
      else body.append(name, new Blob([new Uint8Array(value.file)], { type: value.type }), value.name);
    };
    for (const el of form.querySelectorAll('input, textarea, select')) {
      const name = el.getAttribute('name');
      const type = (el.getAttribute('type') ?? 'text').toLowerCase();
      if (!name || el.hasAttribute('disabled') || type === 'file') continue;
      if (name in values) {
        if (!seen.has(name)) put(name, values[name]!);
        seen.add(name);
        continue;
      }
      if (type === 'checkbox') {
        if (el.hasAttribute('checked')) body.append(name, el.getAttribute('value') ?? 'on');
      } else if (el.tagName.toLowerCase() === 'textarea') body.append(name, el.textContent ?? '');
      else if (el.tagName.toLowerCase() === 'select')
        body.append(name, (el.querySelector('option[selected]') ?? el.querySelector('option'))?.getAttribute('value') ?? '');
      else body.append(name, el.getAttribute('value') ?? '');
    }
    for (const [name, value] of Object.entries(values)) if (!seen.has(name)) put(name, value);
    body.append('intent', intent);
    return this.request(new URL(form.getAttribute('action')!, page.url), { method: 'POST', body });
  }
}

const text = (page: Page, selector: string) => page.doc.querySelector(selector)?.textContent?.trim() ?? '';
const codes = (page: Page) => [...page.doc.querySelectorAll('#preview-body .warnings li')].map((li) => li.getAttribute('data-code'));

/** The editor's upload code's way to the server, as a script with an API token would go. */
function fetchTransport(h: Harness, token: string): UploadTransport & { puts: number[]; gets: number } {
  const answer = async (res: Response): Promise<Answer> => {
    const body = (await res.json().catch(() => ({}))) as Record<string, unknown>;
    return { status: res.status, body, header: (name) => res.headers.get(name) };
  };
  const transport = {
    puts: [] as number[],
    gets: 0,
    async json(method: 'POST' | 'GET', path: string, payload?: unknown) {
      if (method === 'GET') transport.gets++;
      return answer(
        await h.call(`/${path}`, {
          method,
          headers: { Authorization: `Bearer ${token}`, ...(payload === undefined ? {} : { 'Content-Type': 'application/json' }) },
          body: payload === undefined ? undefined : JSON.stringify(payload),
        }),
      );
    },
    async put(path: string, range: string, piece: Blob, onSent: (bytes: number) => void, signal: AbortSignal) {
      transport.puts.push(Number(/^bytes (\d+)-/.exec(range)![1]));
      const res = await h.call(`/${path}`, {
        method: 'PUT',
        headers: { Authorization: `Bearer ${token}`, 'Content-Range': range, 'Content-Type': 'application/octet-stream' },
        body: new Uint8Array(await piece.arrayBuffer()),
        signal,
      });
      onSent(piece.size);
      return answer(res);
    },
  };
  return transport;
}

const instantly = { delays: [0, 0, 0], sleep: async () => undefined };

describe('the video words', () => {
  it('names every refusal of the server in both languages, and the limit when a file is too big', () => {
    for (const t of [ID, EN]) {
      const failed = t.problems.video.failed;
      for (const code of ['not_mp4', 'unsupported_codec', 'corrupt', 'no_video', 'session', 'gone', 'media']) {
        expect(videoProblem(t, code, 1), code).not.toBe(failed);
      }
      expect(videoProblem(t, 'something_new', 1)).toBe(failed);
    }
    expect(videoProblem(ID, 'too_large', 100 * 1024 * 1024)).toBe('Video terlalu besar: paling besar 100 MB.');
    expect(videoProblem(EN, 'too_large', 100 * 1024 * 1024)).toBe('The video is too large: at most 100 MB.');
    expect(megabytes(12 * 1024 * 1024, 48 * 1024 * 1024, 'id')).toEqual(['12', '48']);
    expect(megabytes(4 * 1024 * 1024, 8.4 * 1024 * 1024, 'id')).toEqual(['4,0', '8,4']);
    expect(megabytes(4 * 1024 * 1024, 8.4 * 1024 * 1024, 'en')).toEqual(['4.0', '8.4']);
    // Known before a byte is sent: not an MP4 at all (no ftyp box), or over the limit.
    expect(localProblem(new Uint8Array(png().subarray(0, 12)), 5000, 1e6)).toBe('not_mp4');
    expect(localProblem(new Uint8Array(videos.short.subarray(0, 12)), videos.short.length, 1e6)).toBeUndefined();
    expect(localProblem(new Uint8Array(videos.short.subarray(0, 12)), 2e6, 1e6)).toBe('too_large');
  });
});

describe.each(BACKENDS)('the studio video field on %s', (backend: Backend) => {
  let h: Harness;
  let token: string;
  /** Sends `bytes` through the editor's upload code; the outcome and what the client sent. */
  const upload = async (bytes: Buffer, transport = fetchTransport(h, token)) => {
    const outcome = await new VideoUpload(new Blob([new Uint8Array(bytes)]), transport, { progress: () => undefined }, instantly).run();
    return { outcome, transport };
  };
  const uploaded = async (bytes: Buffer) => {
    const { outcome } = await upload(bytes);
    if (!outcome.ok) throw new Error(`upload refused: ${outcome.code}`);
    return outcome.media;
  };

  beforeAll(async () => {
    h = await startAgency(backend, { trustProxy: 1 });
    token = await h.login('editor.kominfo');
  });
  afterAll(async () => {
    await h?.close();
  });

  it('renders the Video field beside the picture, with its progress and what it says without script', async () => {
    const editor = new Browser(h);
    await editor.login('editor.kominfo');
    const page = await editor.get('/studio/posts/new');
    expect(page.status).toBe(200);
    const input = page.doc.querySelector('#f-video')!;
    expect(text(page, 'label[for="f-video"]')).toBe('Video');
    expect(input.getAttribute('type')).toBe('file');
    expect(input.getAttribute('accept')).toContain('video/mp4');
    // No name: a video never rides in the form's multipart body, and without script it cannot be chosen.
    expect(input.hasAttribute('name')).toBe(false);
    expect(input.hasAttribute('disabled')).toBe(true);
    expect(input.getAttribute('aria-describedby')!.split(' ')).toEqual(expect.arrayContaining(['video-hint', 'video-noscript']));
    expect(text(page, '#video-noscript')).toBe(ID.form.videoNoScript);
    expect(text(page, '#video-noscript')).toMatch(/^Video perlu JavaScript/);
    expect(text(page, '#video-hint')).toBe(
      'MP4 dengan video H.264 dan suara AAC, paling besar 100 MB. Gambar postingan menjadi sampul video.',
    );
    // Right after the picture's field, in the same form.
    expect(page.doc.querySelector('.picture + .video')).not.toBeNull();
    expect(page.doc.querySelector('#post-form input[type="hidden"][name="video"]')).not.toBeNull();
    const progress = page.doc.querySelector('#video-upload progress#f-video-progress');
    expect(progress).not.toBeNull();
    expect(page.doc.querySelector('#video-upload')!.hasAttribute('hidden')).toBe(true);
    expect(text(page, 'label[for="f-video-progress"]')).toBe('Unggahan video');
    expect(page.doc.querySelector('#video-cancel')!.getAttribute('type')).toBe('button');
    expect(page.doc.querySelector('#video-status')!.getAttribute('role')).toBe('status');
    // The CSP holds: no inline script or style anywhere on the page.
    expect(page.headers.get('content-security-policy')).toMatch(/script-src 'self';/);
    expect(page.headers.get('content-security-policy')).not.toContain('unsafe-inline');
    expect(page.doc.querySelectorAll('[style]').length).toBe(0);
    expect([...page.doc.querySelectorAll('script')].every((s) => s.hasAttribute('src') && !s.textContent?.trim())).toBe(true);

    const english = new Browser(h, 'en-GB,en;q=0.8');
    await english.login('editor.kominfo');
    const en = await english.get('/studio/posts/new');
    expect(text(en, 'label[for="f-video"]')).toBe('Video');
    expect(text(en, '#video-noscript')).toBe(EN.form.videoNoScript);
    expect(text(en, '#video-noscript')).toMatch(/^A video needs JavaScript/);
  });

  it('previews a post with a video: the poster under a play mark and the length; removing the picture or the video works without script', async () => {
    const video = await uploaded(videos.short);
    expect(video.duration_in_seconds).toBeGreaterThan(2.8);
    const editor = new Browser(h);
    await editor.login('editor.kominfo');
    const form = await editor.get('/studio/posts/new');
    const page = await editor.follow(
      await editor.submitPost(form, {
        title: 'Video Posyandu',
        caption_x: 'Tonton videonya!',
        video: video.id,
        picture_file: { file: png(), name: 'sampul.png', type: 'image/png' },
      }),
    );
    expect(text(page, '.notice')).toBe('Draf dibuat.');
    const id = decodeURIComponent(page.url.pathname.split('/').pop()!);
    const row = await h.agency.db.get<{ media: string }>('SELECT media FROM posts WHERE id = $1', [id]);
    const media = JSON.parse(row!.media) as string[];
    expect(media).toHaveLength(2);
    expect(media).toContain(video.id);

    // The card as the extension's popup shows it: the post's picture as the poster, ▶ and the length.
    expect(text(page, '#preview-body .card .video-mark')).toBe('▶ 0:03');
    expect(page.doc.querySelector('#preview-body .card-media')!.getAttribute('aria-label')).toBe('Video, 0:03');
    expect(page.doc.querySelector('#preview-body .card-media img.thumb')!.getAttribute('src')).toMatch(
      /^\.\.\/\.\.\/media\/[a-z0-9]{16}\.png$/,
    );
    expect(codes(page)).not.toContain('x_video_too_long');
    expect(codes(page)).not.toContain('video_without_poster');
    expect(page.doc.querySelector('.platform .video-note')).toBeNull();
    // The field: the video's length and size, its id in the hidden field, a way to remove it.
    expect(page.doc.querySelector('#video-current')!.hasAttribute('hidden')).toBe(false);
    expect(text(page, '#video-info')).toBe(`Durasi 0:03 · ${ID.bytes(videos.short.length)}`);
    expect(page.doc.querySelector('input[name="video"]')!.getAttribute('value')).toBe(video.id);
    expect(page.doc.querySelector('#f-remove_video')!.parentElement!.textContent!.trim()).toBe('Hapus video');

    // Without the picture the video has no poster: said beside the video, and the card shows a blank under ▶.
    const noPoster = await editor.follow(await editor.submitPost(page, { remove_picture: '1' }));
    expect(codes(noPoster)).toContain('video_without_poster');
    expect(text(noPoster, '#video-warning')).toBe('Video tanpa gambar sampul: tambahkan gambar, yang akan tampil sebelum video diputar.');
    expect(noPoster.doc.querySelector('#preview-body .card-media .no-poster')).not.toBeNull();
    expect(text(noPoster, '#preview-body .video-mark')).toBe('▶ 0:03');

    const removed = await editor.follow(await editor.submitPost(noPoster, { remove_video: '1' }));
    expect(text(removed, '.notice')).toBe('Tersimpan.');
    expect(JSON.parse((await h.agency.db.get<{ media: string }>('SELECT media FROM posts WHERE id = $1', [id]))!.media)).toEqual([]);
    expect(removed.doc.querySelector('#preview-body .video-mark')).toBeNull();
    expect(removed.doc.querySelector('#video-current')!.hasAttribute('hidden')).toBe(true);
    expect(removed.doc.querySelector('input[name="video"]')!.getAttribute('value')).toBe('');
  });

  it('says in the X block and beside the field that a video over 140 s does not go to X, in the page language', async () => {
    const video = await uploaded(videos.long);
    expect(video.duration_in_seconds).toBeGreaterThan(149);
    const editor = new Browser(h);
    await editor.login('editor.kominfo');
    const page = await editor.follow(
      await editor.submitPost(await editor.get('/studio/posts/new'), {
        title: 'Video Panjang',
        video: video.id,
        picture_file: { file: png(), name: 'sampul.png', type: 'image/png' },
      }),
    );
    const words = 'Video 150 detik, lebih dari 140 detik yang diterima X untuk akun biasa: di X hanya teks dan tautan yang disisipkan.';
    expect(codes(page)).toContain('x_video_too_long');
    expect(text(page, '#preview-body [data-code="x_video_too_long"]')).toBe(words);
    const x = [...page.doc.querySelectorAll('#preview-body section.platform')].find(
      (s) => s.querySelector('h3')?.textContent === 'Teks yang disisipkan di X',
    )!;
    expect(x.querySelector('.video-note')?.textContent).toBe(words);
    // Only X refuses it.
    expect(page.doc.querySelectorAll('#preview-body section.platform .video-note')).toHaveLength(1);
    expect(text(page, '#video-warning')).toBe(words);
    expect(text(page, '#preview-body .video-mark')).toBe('▶ 2:30');

    const english = new Browser(h, 'en');
    await english.login('editor.kominfo');
    const en = await english.get(page.url);
    expect(text(en, '#preview-body section.platform .video-note')).toBe(
      'The video is 150 s, longer than the 140 s X accepts from ordinary accounts: on X only the text and link are inserted.',
    );
  });

  it('names a video the server does not know next to the field, and keeps what was typed', async () => {
    const editor = new Browser(h);
    await editor.login('editor.kominfo');
    const form = await editor.get('/studio/posts/new');
    const typed = { title: 'Judul yang saya ketik', text: 'Teks saya.', caption_x: 'Keterangan saya' };
    const page = await editor.submitPost(form, { ...typed, video: 'tidakadasamasekali' });
    expect(page.status).toBe(400);
    expect(text(page, '#video-error')).toBe(ID.problems.video.media);
    expect(page.doc.querySelector('#video-error')!.getAttribute('role')).toBe('alert');
    expect(page.doc.querySelector('#f-video')!.getAttribute('aria-invalid')).toBe('true');
    expect(page.doc.querySelector('#f-video')!.getAttribute('aria-describedby')).toContain('video-error');
    expect(page.doc.querySelector('input[name="title"]')!.getAttribute('value')).toBe(typed.title);
    expect(page.doc.querySelector('textarea[name="text"]')!.textContent).toBe(typed.text);
    expect(page.doc.querySelector('textarea[name="caption_x"]')!.textContent).toBe(typed.caption_x);
    // The stale id is dropped, so the next save goes through.
    expect(page.doc.querySelector('input[name="video"]')!.getAttribute('value')).toBe('');
    expect(await h.agency.db.get('SELECT id FROM posts WHERE title = $1', [typed.title])).toBeUndefined();
  });

  it('uploads in pieces and resumes after a lost piece, a lost answer and a piece delivered twice, never from the start', async () => {
    const bytes = videos.big;
    expect(bytes.length).toBeGreaterThan(UPLOAD_PIECE);
    expect(bytes.length).toBeLessThan(2 * UPLOAD_PIECE);
    const sha256 = createHash('sha256').update(bytes).digest('hex');

    // The second piece is lost on the way: the client asks where the upload stands and sends it again.
    const lost = fetchTransport(h, token);
    const put = lost.put.bind(lost);
    let calls = 0;
    lost.put = async (...args) => {
      if (++calls === 2) {
        lost.puts.push(-1);
        throw new TypeError('fetch failed');
      }
      return put(...args);
    };
    const progress: number[] = [];
    const retries: number[] = [];
    const one = await new VideoUpload(
      new Blob([new Uint8Array(bytes)]),
      lost,
      { progress: (sent) => progress.push(sent), retrying: (_, n) => retries.push(n) },
      instantly,
    ).run();
    expect(one.ok && one.media.sha256).toBe(sha256);
    expect(lost.puts).toEqual([0, -1, UPLOAD_PIECE]);
    expect(lost.gets).toBe(1);
    expect(retries).toEqual([1]);
    expect(progress.at(-1)).toBe(bytes.length);

    // The first piece arrives but its answer is lost: the server's offset says so, and nothing is sent twice.
    const quiet = fetchTransport(h, token);
    const put2 = quiet.put.bind(quiet);
    let first = true;
    quiet.put = async (...args) => {
      const answer = await put2(...args);
      if (first) {
        first = false;
        throw new TypeError('the connection dropped before the answer');
      }
      return answer;
    };
    const two = await new VideoUpload(new Blob([new Uint8Array(bytes)]), quiet, { progress: () => undefined }, instantly).run();
    expect(two.ok && two.media.sha256).toBe(sha256);
    expect(quiet.puts).toEqual([0, UPLOAD_PIECE]);
    expect(quiet.gets).toBe(1);

    // A proxy delivers the first piece twice: the second answer (409) says where to go on from.
    const twice = fetchTransport(h, token);
    const put3 = twice.put.bind(twice);
    let doubled = false;
    twice.put = async (...args) => {
      if (!doubled) {
        doubled = true;
        await put3(...args);
        twice.puts.pop();
      }
      return put3(...args);
    };
    const three = await new VideoUpload(new Blob([new Uint8Array(bytes)]), twice, { progress: () => undefined }, instantly).run();
    expect(three.ok && three.media.sha256).toBe(sha256);
    expect(twice.puts).toEqual([0, UPLOAD_PIECE]);
    expect(twice.gets).toBe(0);

    // The line stays down: the retries run out, the upload stalls, and a later run resumes it.
    const down = fetchTransport(h, token);
    const put4 = down.put.bind(down);
    let broken = false;
    down.put = async (...args) => {
      if (broken) throw new TypeError('fetch failed');
      const answer = await put4(...args);
      broken = true;
      return answer;
    };
    const stalled = new VideoUpload(new Blob([new Uint8Array(bytes)]), down, { progress: () => undefined }, instantly);
    expect(await stalled.run()).toEqual({ ok: false, code: 'stalled' });
    broken = false;
    down.puts.length = 0;
    const resumed = await stalled.run();
    expect(resumed.ok && resumed.media.sha256).toBe(sha256);
    expect(down.puts).toEqual([UPLOAD_PIECE]);
  });

  it('stops when cancelled, and the server frees what it had received', async () => {
    const transport = fetchTransport(h, token);
    const upload = new VideoUpload(
      new Blob([new Uint8Array(videos.big)]),
      transport,
      { progress: (sent) => sent > 0 && upload.cancel() },
      instantly,
    );
    expect(await upload.run()).toEqual({ ok: false, code: 'cancelled' });
    expect(transport.puts).toEqual([0]);
    await expect.poll(async () => (await h.api(token, 'GET', `/uploads/${upload.id}`)).status).toBe(404);
    await expect.poll(() => readdirSync(h.agency.media.dir).filter((f) => f.startsWith(`.${upload.id}`))).toEqual([]);
  });

  it('finds the finished video when the answer to the last piece was lost', async () => {
    const bytes = videos.big;
    const start = await h.api(token, 'POST', '/uploads', { type: 'video/mp4', size: bytes.length });
    const id = start.body.id as string;
    for (let at = 0; at < bytes.length; at += UPLOAD_PIECE) {
      const end = Math.min(at + UPLOAD_PIECE, bytes.length);
      await h.call(`/api/v1/uploads/${id}`, {
        method: 'PUT',
        headers: { Authorization: `Bearer ${token}`, 'Content-Range': `bytes ${at}-${end - 1}/${bytes.length}` },
        body: new Uint8Array(bytes.subarray(at, end)),
      });
    }
    // The client never saw the 201: asking where the upload stands gives the video.
    const state = await h.api(token, 'GET', `/uploads/${id}`);
    expect(state.body).toMatchObject({ offset: bytes.length, size: bytes.length, media: { mime_type: 'video/mp4', bytes: bytes.length } });
    // The page's uploader, resuming that upload from an offset it no longer trusts: it is told the
    // upload is finished, asks, and ends with the same video instead of "expired".
    const transport = fetchTransport(h, token);
    const resumed = new VideoUpload(new Blob([new Uint8Array(bytes)]), transport, { progress: () => undefined }, instantly);
    resumed.id = id;
    resumed.offset = 0;
    expect(await resumed.run()).toMatchObject({ ok: true, media: { id: state.body.media.id } });
    expect(transport.puts.length).toBeLessThanOrEqual(1);
  });

  it('turns every refusal of the server into words for the field: not an MP4, HEVC, MPEG-4 Part 2, broken, too large', async () => {
    const refused = async (bytes: Buffer) => {
      const { outcome } = await upload(bytes);
      expect(outcome.ok).toBe(false);
      return outcome.ok ? '' : outcome.code;
    };
    // A picture renamed .mp4 (the browser refuses it before sending; the server would too).
    expect(await refused(png())).toBe('not_mp4');
    expect(await refused(videos.hevc)).toBe('unsupported_codec');
    expect(await refused(videos.mpeg4)).toBe('unsupported_codec');
    expect(await refused(videos.big.subarray(0, UPLOAD_PIECE + 1000))).toBe('corrupt');
    const limits = h.agency.media.limits;
    const before = limits.videoBytes;
    limits.videoBytes = 1024 * 1024;
    try {
      expect(await refused(videos.big)).toBe('too_large');
    } finally {
      limits.videoBytes = before;
    }
    expect(videoProblem(ID, 'unsupported_codec', 0)).toMatch(/^Jenis video ini tidak didukung: hanya video H\.264 dengan suara AAC/);
    expect(videoProblem(ID, 'corrupt', 0)).toBe(
      'Video rusak atau terpotong dan tidak dapat dibaca. Ekspor ulang atau salin lagi berkasnya.',
    );
    expect(videoProblem(ID, 'not_mp4', 0)).toMatch(/^Berkas ini bukan video MP4/);
    expect(videoProblem(EN, 'too_large', 1024 * 1024)).toBe('The video is too large: at most 1 MB.');
  });
});
