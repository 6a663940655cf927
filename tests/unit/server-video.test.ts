// @vitest-environment node
// Videos through the studio on both databases: an MP4 checked by its bytes, its recording
// location removed, uploaded whole or in pieces that resume after a lost answer, served with byte
// ranges, carried in the signed feed with its hash and poster; the 140-second rule for X.
// Small videos are made by ffmpeg at test time: no binaries in the repository.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makePng } from '../../server/demo/png';
import { verifyFeed } from '../../server/signing';
import { parseFeedText } from '../../utils/protocol/feed';
import { BACKENDS, startAgency, type Backend, type Harness } from '../support/agency';
import { ffmpeg, tempDir } from './media/ffmpeg';

let dir: Awaited<ReturnType<typeof tempDir>>;
const videos: Record<'short' | 'long' | 'located', Buffer> = {} as never;

beforeAll(async () => {
  dir = await tempDir();
  const make = async (name: string, seconds: number, extra: string[] = []) => {
    const out = dir.file(`${name}.mp4`);
    await ffmpeg([
      '-f',
      'lavfi',
      '-i',
      `testsrc=size=160x120:rate=5:duration=${seconds}`,
      '-f',
      'lavfi',
      '-i',
      `sine=frequency=440:duration=${seconds}`,
      '-c:v',
      'libx264',
      '-preset',
      'ultrafast',
      '-pix_fmt',
      'yuv420p',
      '-c:a',
      'aac',
      '-b:a',
      '32k',
      '-movflags',
      '+faststart',
      ...extra,
      out,
    ]);
    return readFile(out);
  };
  videos.short = await make('short', 3);
  videos.long = await make('long', 150);
  // A phone's recording place, as Android and QuickTime write it.
  videos.located = await make('located', 2, ['-metadata', 'location=-06.9147+107.6098/']);
}, 120_000);
afterAll(() => dir?.remove());

async function upload(s: Harness, token: string, bytes: Uint8Array, type: string) {
  const res = await s.call('/api/v1/media', {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': type },
    body: Buffer.from(bytes),
  });
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- read loosely: each test checks its fields
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}

describe.each(BACKENDS)('videos on %s', (backend: Backend) => {
  let s: Harness;
  let editor: string;
  let approver: string;
  beforeAll(async () => {
    s = await startAgency(backend, { mediaLimits: { image: { maxBytes: 1024 * 1024, maxPixels: 4_000_000 }, videoBytes: 600 * 1024 } });
    [editor, approver] = [await s.login('editor.dinkes'), await s.login('penyetuju')];
  });
  afterAll(() => s.close());

  it('takes an MP4 checked by its bytes and reads its duration from the file', async () => {
    const up = await upload(s, editor, videos.short, 'video/mp4');
    expect(up.status).toBe(201);
    expect(up.body).toMatchObject({ mime_type: 'video/mp4', width: 160, height: 120, bytes: videos.short.length });
    expect(up.body.duration_in_seconds).toBeGreaterThan(2.8);
    expect(up.body.duration_in_seconds).toBeLessThan(3.3);
    expect(up.body.sha256).toBe(createHash('sha256').update(videos.short).digest('hex'));
    // Byte ranges and CORS, as the extension's fetch from a composer page needs.
    const url = new URL(up.body.url).pathname;
    const part = await s.call(url, { headers: { Range: 'bytes=0-99' } });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe(`bytes 0-99/${videos.short.length}`);
    expect(part.headers.get('access-control-allow-origin')).toBe('*');
    expect(Buffer.from(await part.arrayBuffer()).equals(videos.short.subarray(0, 100))).toBe(true);
    // A video that is gone says so with CORS too: the extension tells "gone" from "network down".
    const gone = await s.call('/media/aaaaaaaaaaaaaaaa.mp4');
    expect(gone.status).toBe(404);
    expect(gone.headers.get('access-control-allow-origin')).toBe('*');
  });

  it('refuses a renamed non-MP4 and a file over the limit, saying why', async () => {
    const png = Buffer.from(makePng(8, 8, () => 0x112233));
    const renamed = await upload(s, editor, png, 'video/mp4');
    expect(renamed.status).toBe(415);
    expect(renamed.body.error).toBe('not_mp4');
    const big = Buffer.concat([videos.short, Buffer.alloc(700 * 1024)]);
    const over = await upload(s, editor, big, 'video/mp4');
    expect(over.status).toBe(413);
    expect(over.body.error).toBe('too_large');
    const start = await s.api(editor, 'POST', '/uploads', { type: 'video/mp4', size: 700 * 1024 });
    expect(start.status).toBe(413);
  });

  it('removes the recording location and keeps the video playable', async () => {
    // ffmpeg writes it as a 3GPP `loci` box (binary coordinates) in the movie's user data.
    expect(videos.located.includes(Buffer.from('loci'))).toBe(true);
    const up = await upload(s, editor, videos.located, 'video/mp4');
    expect(up.status).toBe(201);
    const served = Buffer.from(await (await s.call(new URL(up.body.url).pathname)).arrayBuffer());
    expect(served.includes(Buffer.from('loci'))).toBe(false);
    expect(served.includes(Buffer.from('udta'))).toBe(false);
    const at = videos.located.indexOf(Buffer.from('udta')) - 4;
    const size = videos.located.readUInt32BE(at);
    expect(served.subarray(at + 4, at + 8).toString('latin1')).toBe('free');
    expect(served.subarray(at + 8, at + size).every((b) => b === 0)).toBe(true);
    expect(served.length).toBe(videos.located.length);
    expect(createHash('sha256').update(served).digest('hex')).toBe(up.body.sha256);
    const out = dir.file('served.mp4');
    await import('node:fs/promises').then((fs) => fs.writeFile(out, served));
    await ffmpeg(['-v', 'error', '-i', out, '-f', 'null', '-']);
  });

  it('takes a video in pieces that resume after a lost answer', async () => {
    const bytes = videos.short;
    const start = await s.api(editor, 'POST', '/uploads', { type: 'video/mp4', size: bytes.length });
    expect(start.status).toBe(201);
    const { id, piece } = start.body as { id: string; piece: number };
    const put = (from: number, to: number) =>
      s.call(`/api/v1/uploads/${id}`, {
        method: 'PUT',
        headers: { Authorization: `Bearer ${editor}`, 'Content-Range': `bytes ${from}-${to - 1}/${bytes.length}` },
        body: new Uint8Array(bytes.subarray(from, to)),
      });
    const half = Math.floor(bytes.length / 2);
    expect(half).toBeLessThan(piece);
    expect((await put(0, half)).status).toBe(200);
    // The same piece again (its answer was lost): told where the upload stands, nothing written twice.
    const again = await put(0, half);
    expect(again.status).toBe(409);
    expect(again.headers.get('upload-offset')).toBe(String(half));
    expect((await s.api(editor, 'GET', `/uploads/${id}`)).body).toEqual({ offset: half, size: bytes.length });
    // Another account does not see it.
    expect((await s.api(approver, 'GET', `/uploads/${id}`)).status).toBe(404);
    const last = await put(half, bytes.length);
    expect(last.status).toBe(201);
    const media = (await last.json()) as { sha256: string; duration_in_seconds: number };
    expect(media.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
    expect(media.duration_in_seconds).toBeGreaterThan(2.8);
  });

  it('puts the video in the signed feed with its hash, size, duration and the post picture as poster; warns when X would refuse it', async () => {
    const video = await upload(s, editor, videos.short, 'video/mp4');
    const poster = await upload(s, editor, Buffer.from(makePng(64, 36, (x) => x * 0x030201)), 'image/png');
    const post = await s.api(editor, 'POST', '/posts', {
      title: 'Video Posyandu',
      media: [video.body.id, poster.body.id],
      captions: { x: ['Tonton!'] },
    });
    expect(post.status).toBe(201);
    await s.api(editor, 'POST', `/posts/${post.body.id}/submit`);
    expect((await s.api(approver, 'POST', `/posts/${post.body.id}/approve`)).body.status).toBe('published');
    const res = await s.call('/feed.json');
    const body = Buffer.from(await res.arrayBuffer());
    expect(verifyFeed(body, await (await s.call('/feed.json.sig')).text(), s.agency.publicKey)).toBe(true);
    const parsed = parseFeedText(body.toString('utf8'));
    const item = parsed.ok ? parsed.feed.items.find((i) => i.id === post.body.id) : undefined;
    expect(item?.attachments).toEqual([
      {
        url: video.body.url,
        mime_type: 'video/mp4',
        size_in_bytes: videos.short.length,
        duration_in_seconds: expect.closeTo(3, 0),
        _siar: { sha256: video.body.sha256, poster: poster.body.url, poster_sha256: poster.body.sha256 },
      },
    ]);
    expect(item?.image).toBe(poster.body.url);
    expect((await s.api(editor, 'GET', `/posts/${post.body.id}/preview`)).body.warnings.map((w: { code: string }) => w.code)).not.toContain(
      'x_video_too_long',
    );

    // 150 s: longer than X takes from ordinary accounts. (Raised limit for this one file.)
    const limits = s.agency.media.limits;
    Object.assign(limits, { videoBytes: 5 * 1024 * 1024 });
    const long = await upload(s, editor, videos.long, 'video/mp4');
    expect(long.status).toBe(201);
    expect(long.body.duration_in_seconds).toBeGreaterThan(149);
    const lp = await s.api(editor, 'POST', '/posts', { title: 'Video Panjang', media: [long.body.id] });
    const warnings = (await s.api(editor, 'GET', `/posts/${lp.body.id}/preview`)).body.warnings.map((w: { code: string }) => w.code);
    expect(warnings).toEqual(expect.arrayContaining(['x_video_too_long', 'video_without_poster']));
  });
});
