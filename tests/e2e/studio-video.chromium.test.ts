import { mkdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { Page, Route } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAgencyServer, type AgencyServer } from '../../server/app';
import { makePng } from '../../server/demo/png';
import { DEMO_ACCOUNTS } from '../../server/demo/seed';
import { DEFAULT_MEDIA_LIMITS, UPLOAD_PIECE } from '../../server/studio/media-store';
import { dict } from '../../server/studio/web/i18n';
import { megabytes } from '../../server/studio/web/video-upload';
import { ffmpeg, tempDir } from '../unit/media/ffmpeg';
import { launchChromium, type LaunchedChromium } from './support/chromium';

// The studio's video field in real Chromium (Indonesian UI, the page's own script under its CSP):
// an editor picks an MP4 of three pieces, watches the progress climb to the end through a piece
// that fails once (the upload resumes from the server's offset, it does not start over), sees the
// length and the play mark in the preview, and submits; saving while an upload runs is refused
// with a message and the upload is cancelled from the keyboard; bad files are named beside the
// field and the form keeps what was typed. Videos are made by ffmpeg at test time.
// Writes docs/studio-video.png.

const DOCS = fileURLToPath(new URL('../../docs/', import.meta.url));
const password = (user: string) => DEMO_ACCOUNTS.find((a) => a.user === user)!.password;
const t = dict('id');
const LIMIT = 12 * 1024 * 1024;

let agency: AgencyServer;
let base: string;
let browser: LaunchedChromium;
let page: Page;
let dir: Awaited<ReturnType<typeof tempDir>>;
const violations: string[] = [];
const videos: Record<'clip' | 'long' | 'hevc', Buffer> = {} as never;

async function make(name: string, seconds: number, video: string[], source: string): Promise<Buffer> {
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
}

async function login(user: string): Promise<void> {
  await page.goto(`${base}/login`);
  await page.getByLabel('Nama pengguna').fill(user);
  await page.getByLabel('Kata sandi').fill(password(user));
  await page.getByRole('button', { name: 'Masuk' }).click();
  await page.getByRole('button', { name: 'Keluar' }).waitFor();
}

async function newPost(): Promise<void> {
  await page.goto(`${base}/studio/posts/new`);
  await page.getByRole('heading', { name: 'Postingan baru' }).waitFor();
  await expect.poll(() => page.locator('#preview-mode').textContent()).toBe(t.preview.live);
}

const videoField = () => page.getByLabel('Video', { exact: true });
const mp4 = (name: string, buffer: Buffer) => ({ name, mimeType: 'video/mp4', buffer });

beforeAll(async () => {
  dir = await tempDir();
  // Busy pictures at high quality: about 8.8 MB in 20 s, so three pieces of 4 MiB.
  videos.clip = await make(
    'clip',
    20,
    ['-c:v', 'libx264', '-preset', 'ultrafast', '-crf', '10'],
    'testsrc2=size=640x360:rate=25:duration=20',
  );
  videos.long = await make('long', 150, ['-c:v', 'libx264', '-preset', 'ultrafast'], 'testsrc=size=160x120:rate=5:duration=150');
  videos.hevc = await make(
    'hevc',
    1,
    ['-c:v', 'libx265', '-preset', 'ultrafast', '-tag:v', 'hvc1', '-x265-params', 'log-level=error'],
    'testsrc=size=160x120:rate=5:duration=1',
  );
  agency = await createAgencyServer({
    quiet: true,
    demo: true,
    jobs: false,
    mediaLimits: { image: DEFAULT_MEDIA_LIMITS.image, videoBytes: LIMIT },
  });
  ({ base } = await agency.listen(0));
  browser = await launchChromium({ lang: 'id' });
  page = await browser.context.newPage();
  await page.setViewportSize({ width: 1440, height: 1000 });
  page.on('console', (message) => {
    if (/Content Security Policy|Refused to/i.test(message.text())) violations.push(message.text());
  });
  page.on('pageerror', (error) => violations.push(error.message));
  mkdirSync(DOCS, { recursive: true });
  await login('editor.kominfo');
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await agency?.close();
  await dir?.remove();
});

describe('the studio video field (Chromium, Indonesian UI)', () => {
  it('uploads an MP4 in pieces with visible progress, resumes after a failed piece without starting over, previews it and submits it', async () => {
    expect(videos.clip.length).toBeGreaterThan(2 * UPLOAD_PIECE);
    expect(videos.clip.length).toBeLessThan(3 * UPLOAD_PIECE);
    await newPost();
    // The script is here: the field is usable and the no-script explanation is gone.
    await expect.poll(() => videoField().isEnabled()).toBe(true);
    expect(await page.locator('#video-noscript').isVisible()).toBe(false);

    await page.getByLabel('Judul').fill('Video Posyandu Keliling');
    await page.getByLabel('Teks', { exact: true }).fill('Lihat bagaimana posyandu keliling menyambangi 12 desa terpencil setiap pekan.');
    await page
      .getByRole('group', { name: 'Keterangan X' })
      .getByLabel('Varian 1', { exact: true })
      .fill('Posyandu keliling kini hadir di 12 desa. Tonton videonya!');
    await page.getByLabel('Tagar').fill('CegahStunting');
    // The post's picture is the video's poster.
    await page.getByLabel('Gambar', { exact: true }).setInputFiles({
      name: 'sampul.png',
      mimeType: 'image/png',
      buffer: Buffer.from(makePng(1280, 720, (x, y) => [20 + (x % 180), 110 + (y % 120), 190])),
    });
    await page.getByText('Gambar terunggah.').waitFor();

    // What the page says and shows while the upload runs.
    await page.evaluate(() => {
      const seen = { values: [] as number[], max: [] as number[], labels: [] as string[], said: [] as string[] };
      (window as unknown as { seen: typeof seen }).seen = seen;
      const bar = document.getElementById('f-video-progress') as HTMLProgressElement;
      new MutationObserver(() => {
        seen.values.push(bar.value);
        seen.max.push(bar.max);
      }).observe(bar, { attributes: true, attributeFilter: ['value'] });
      new MutationObserver(() => seen.labels.push(document.getElementById('video-progress-label')!.textContent!)).observe(
        document.getElementById('video-progress-label')!,
        { childList: true, characterData: true, subtree: true },
      );
      new MutationObserver(() => seen.said.push(document.getElementById('video-status')!.textContent!)).observe(
        document.getElementById('video-status')!,
        {
          childList: true,
          characterData: true,
          subtree: true,
        },
      );
    });
    // The second piece fails once on the way (the connection drops); everything else goes through.
    const sent: string[] = [];
    let failed = false;
    await page.route('**/api/v1/uploads**', async (route: Route) => {
      const request = route.request();
      const range = request.headers()['content-range'];
      sent.push(request.method() === 'PUT' ? `PUT ${/^bytes (\d+)-/.exec(range ?? '')?.[1]}` : request.method());
      if (request.method() === 'PUT' && range?.startsWith(`bytes ${UPLOAD_PIECE}-`) && !failed) {
        failed = true;
        return route.abort('connectionreset');
      }
      return route.continue();
    });

    await videoField().setInputFiles(mp4('posyandu.mp4', videos.clip));
    const progress = page.getByRole('progressbar', { name: /^Mengunggah video / });
    await progress.waitFor();
    await page.getByText('Video terunggah.').waitFor({ timeout: 60_000 });
    await page.unroute('**/api/v1/uploads**');
    expect(await progress.isVisible()).toBe(false);

    // The offsets the page sent: the failed piece again from where the server stood, never 0 twice.
    const size = videos.clip.length;
    expect(sent).toEqual(['POST', 'PUT 0', `PUT ${UPLOAD_PIECE}`, 'GET', `PUT ${UPLOAD_PIECE}`, `PUT ${2 * UPLOAD_PIECE}`]);
    const seen = await page.evaluate(
      () => (window as unknown as { seen: { values: number[]; max: number[]; labels: string[]; said: string[] } }).seen,
    );
    expect(seen.max.every((m) => m === size)).toBe(true);
    expect(seen.values[0]).toBe(0);
    expect(seen.values.at(-1)).toBe(size);
    expect(new Set(seen.values).size).toBeGreaterThanOrEqual(4);
    // Once the first piece is in, the bar never goes back below it: no start over.
    const firstIn = seen.values.findIndex((v) => v >= UPLOAD_PIECE);
    expect(firstIn).toBeGreaterThan(0);
    expect(seen.values.slice(firstIn).every((v) => v >= UPLOAD_PIECE)).toBe(true);
    const [, total] = megabytes(size, size, 'id');
    expect(seen.labels[0]).toBe(`Mengunggah video 0,0 / ${total} MB`);
    expect(seen.labels.at(-1)).toBe(`Mengunggah video ${total} / ${total} MB`);
    expect(seen.said).toEqual(
      expect.arrayContaining([
        t.form.videoRetrying(1),
        t.form.videoResumed(megabytes(UPLOAD_PIECE, size, 'id')[0]),
        t.form.videoChecking,
        t.form.videoUploaded,
      ]),
    );

    // Its length and size beside the field; the poster, the play mark and the length in the card.
    expect(await page.locator('#video-info').textContent()).toBe(`Durasi 0:20 · ${t.bytes(size)}`);
    await expect.poll(() => page.locator('#preview-body .card .video-mark').textContent()).toBe('▶ 0:20');
    await expect
      .poll(() => page.locator('#preview-body .card-media img.thumb').evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth))
      .toBe(1280);
    expect(await page.getByRole('img', { name: 'Video, 0:20' }).count()).toBe(1);
    expect(await page.locator('#preview-body .video-note').count()).toBe(0);
    const id = await page.locator('input[name="video"]').inputValue();
    expect(id).toMatch(/^[a-z0-9]{16}$/);

    // From the top, nothing focused: the sticky preview then sits beside the form's start.
    await page.evaluate(() => {
      (document.activeElement as HTMLElement | null)?.blur();
      window.scrollTo(0, 0);
    });
    await page.screenshot({ path: `${DOCS}studio-video.png`, fullPage: true });

    await page.getByRole('button', { name: 'Ajukan' }).click();
    await page.getByText('Diajukan untuk ditinjau.').waitFor();
    const postId = decodeURIComponent(new URL(page.url()).pathname.split('/').pop()!);
    const row = await agency.db.get<{ media: string }>('SELECT media FROM posts WHERE id = $1', [postId]);
    expect(JSON.parse(row!.media)).toContain(id);
    // The server renders the same card for the saved post.
    expect(await page.locator('#preview-body .card .video-mark').textContent()).toBe('▶ 0:20');
    expect(violations).toEqual([]);
  });

  it('refuses to save while a video uploads, says why, and cancels the upload from the keyboard', async () => {
    await newPost();
    await page.getByLabel('Judul').fill('Judul yang sedang diketik');
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    await page.route('**/api/v1/uploads/*', async (route: Route) => {
      await gate;
      await route.continue().catch(() => undefined);
    });
    await videoField().setInputFiles(mp4('tertahan.mp4', videos.clip));
    await page.getByRole('progressbar', { name: /^Mengunggah video / }).waitFor();
    const url = page.url();
    await page.getByRole('button', { name: 'Simpan' }).click();
    await expect.poll(() => page.locator('#form-blocked').textContent()).toBe(t.form.videoWait);
    expect(await page.locator('#form-blocked').getAttribute('role')).toBe('alert');
    expect(page.url()).toBe(url);
    // The form stays usable meanwhile.
    await page.getByLabel('Judul').fill('Judul yang tetap diketik');

    const cancel = page.getByRole('button', { name: 'Batalkan unggahan' });
    await cancel.focus();
    await page.keyboard.press('Enter');
    await page.getByText(t.form.videoCancelled).waitFor();
    expect(await page.locator('#video-upload').isVisible()).toBe(false);
    expect(await page.locator('#form-blocked').isVisible()).toBe(false);
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('f-video');
    expect(await page.locator('input[name="video"]').inputValue()).toBe('');
    release();
    await page.unroute('**/api/v1/uploads/*');

    await page.getByRole('button', { name: 'Simpan' }).click();
    await page.getByText('Draf dibuat.').waitFor();
    expect(await page.getByLabel('Judul').inputValue()).toBe('Judul yang tetap diketik');
  });

  it('names a bad file beside the field in the page language and keeps what was typed; a long video is kept off X, said in the X block', async () => {
    await newPost();
    const title = 'Judul yang saya ketik';
    await page.getByLabel('Judul').fill(title);
    const refused = async (file: { name: string; mimeType: string; buffer: Buffer }, message: string | RegExp) => {
      await videoField().setInputFiles(file);
      const error = page.locator('#video-error');
      await expect.poll(() => error.textContent(), { timeout: 30_000 }).toMatch(message);
      expect(await error.getAttribute('role')).toBe('alert');
      expect(await videoField().getAttribute('aria-invalid')).toBe('true');
      expect((await videoField().getAttribute('aria-describedby'))?.split(' ')).toContain('video-error');
      expect(await page.getByLabel('Judul').inputValue()).toBe(title);
      expect(await page.locator('input[name="video"]').inputValue()).toBe('');
      expect(await page.locator('#video-upload').isVisible()).toBe(false);
    };
    // A picture renamed .mp4: known before a byte is sent.
    await refused(mp4('foto.mp4', Buffer.from(makePng(32, 32, () => [1, 2, 3]))), t.problems.video.not_mp4);
    // HEVC from a phone: the server reads the codec from the file.
    await refused(mp4('ponsel.mp4', videos.hevc), t.problems.video.unsupported_codec);
    // Over the limit, which the message names.
    const big = Buffer.alloc(LIMIT + 1024);
    videos.clip.copy(big);
    await refused(mp4('besar.mp4', big), 'Video terlalu besar: paling besar 12 MB.');
    // Cut short: it goes up in pieces, and the server finds it broken at the end.
    await refused(mp4('terpotong.mp4', videos.clip.subarray(0, UPLOAD_PIECE + 100_000)), t.problems.video.corrupt);

    // A good file clears the message; 150 s is more than X takes, which the X block says plainly.
    await videoField().setInputFiles(mp4('panjang.mp4', videos.long));
    await page.getByText('Video terunggah.').waitFor({ timeout: 30_000 });
    expect(await page.locator('#video-error').count()).toBe(0);
    expect(await videoField().getAttribute('aria-invalid')).toBeNull();
    const x = page.getByRole('region', { name: 'Teks yang disisipkan di X' });
    await expect
      .poll(() => x.locator('.video-note').textContent())
      .toBe('Video 150 detik, lebih dari 140 detik yang diterima X untuk akun biasa: di X hanya teks dan tautan yang disisipkan.');
    expect(await page.locator('#video-warning').textContent()).toContain('lebih dari 140 detik');
    // No picture yet: the video has no poster, said beside it.
    expect(await page.locator('#video-warning').textContent()).toContain('Video tanpa gambar sampul');
    expect(await page.locator('#preview-body .video-mark').textContent()).toBe('▶ 2:30');
    // Remove video, as remove picture: the preview drops it at once.
    await page.getByLabel('Hapus video').check();
    await expect.poll(() => page.locator('#preview-body .video-mark').count()).toBe(0);
    expect(violations).toEqual([]);
  });
});
