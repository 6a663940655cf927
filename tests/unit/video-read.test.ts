// Reading a post's video (utils/media/): the streaming SHA-256 against Node's, the whole-or-nothing
// read with its refusals, and the Firefox port between the background and a content script.
import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';
import { Sha256 } from '@/utils/media/sha256';
import { portSource, serveVideoPort, type PortLike } from '@/utils/media/video-port';
import { fetchSource, megabytes, readVideo, videoFileName, type VideoSource } from '@/utils/media/video-read';
import { clockTime, minutesAndSeconds } from '@/utils/format/duration';

const hex = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

function source(pieces: Uint8Array[], total?: number): () => Promise<VideoSource> {
  return async () => ({
    total,
    chunks: (async function* () {
      for (const p of pieces) yield p;
    })(),
  });
}

describe('Sha256', () => {
  it.each([0, 1, 55, 56, 63, 64, 65, 119, 120, 1000, 100_003])('matches node:crypto for %i bytes, fed in uneven pieces', (n) => {
    const data = randomBytes(n);
    const h = new Sha256();
    for (let at = 0, step = 1; at < n; at += step, step = 1 + ((step * 7 + 3) % 997)) h.update(data.subarray(at, at + step));
    expect(h.hex()).toBe(hex(data));
  });
});

describe('readVideo', () => {
  const bytes = randomBytes(3_000_000);
  const pieces = [bytes.subarray(0, 1_000_000), bytes.subarray(1_000_000, 2_500_000), bytes.subarray(2_500_000)];

  it('gives one video/mp4 Blob of every byte when the hash holds, with progress', async () => {
    const seen: number[] = [];
    const r = await readVideo(source(pieces, bytes.length), { sha256: hex(bytes), hashRequired: true, bytes: bytes.length }, (p) =>
      seen.push(p.received),
    );
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.blob.type).toBe('video/mp4');
    expect(Buffer.from(await r.blob.arrayBuffer()).equals(bytes)).toBe(true);
    expect(seen[0]).toBe(0);
    expect(seen.at(-1)).toBe(bytes.length);
    expect(seen.length).toBeGreaterThan(2);
  });

  it('refuses other bytes (mismatch), and bytes with no hash under a signed feed (not_vouched)', async () => {
    const other = await readVideo(source(pieces), { sha256: 'f'.repeat(64), hashRequired: true });
    expect(other).toMatchObject({ ok: false, problem: 'mismatch' });
    const unvouched = await readVideo(source(pieces), { hashRequired: true });
    expect(unvouched).toMatchObject({ ok: false, problem: 'not_vouched' });
    // Unsigned feed, no hash: taken as it comes (the picture rule).
    expect(await readVideo(source(pieces), { hashRequired: false })).toMatchObject({ ok: true });
  });

  it('a drop midway (fewer bytes than announced, or a throwing stream) is a network failure, never a Blob', async () => {
    const short = await readVideo(source(pieces.slice(0, 2), bytes.length), { sha256: hex(bytes), hashRequired: true });
    expect(short).toMatchObject({ ok: false, problem: 'network' });
    const broken = await readVideo(
      async () => ({
        total: bytes.length,
        chunks: (async function* () {
          yield pieces[0]!;
          throw new TypeError('network error');
        })(),
      }),
      { sha256: hex(bytes), hashRequired: true },
    );
    expect(broken).toMatchObject({ ok: false, problem: 'network', detail: 'network error' });
  });

  it('keeps every byte when the source hands each piece in the same reused buffer', async () => {
    const reused = new Uint8Array(700_000);
    const r = await readVideo(
      async () => ({
        total: bytes.length,
        chunks: (async function* () {
          for (let at = 0; at < bytes.length; at += reused.length) {
            const n = Math.min(reused.length, bytes.length - at);
            reused.set(bytes.subarray(at, at + n));
            yield reused.subarray(0, n);
          }
          reused.fill(0);
        })(),
      }),
      { sha256: hex(bytes), hashRequired: true },
    );
    expect(r.ok).toBe(true);
    if (r.ok) expect(Buffer.from(await r.blob.arrayBuffer()).equals(bytes)).toBe(true);
  });

  it('stops reading past the announced size (too_large)', async () => {
    const r = await readVideo(source(pieces), { sha256: hex(bytes), hashRequired: true, bytes: 1_500_000 });
    expect(r).toMatchObject({ ok: false, problem: 'too_large' });
  });
});

describe('fetchSource', () => {
  it('404 is not_found; other errors http; a refused fetch network', async () => {
    const answer = (status: number) => vi.fn(async () => new Response('x', { status }));
    await expect(fetchSource('https://a.example/v.mp4', answer(404))).rejects.toMatchObject({ problem: 'not_found' });
    await expect(fetchSource('https://a.example/v.mp4', answer(500))).rejects.toMatchObject({ problem: 'http' });
    const refused = vi.fn(async () => {
      throw new TypeError('Failed to fetch');
    });
    await expect(fetchSource('https://a.example/v.mp4', refused)).rejects.toMatchObject({ problem: 'network' });
  });

  it('streams the body with its Content-Length as total', async () => {
    const body = randomBytes(70_000);
    const src = await fetchSource('https://a.example/v.mp4', async () => new Response(body, { headers: { 'content-length': '70000' } }));
    expect(src.total).toBe(70_000);
    const r = await readVideo(async () => src, { sha256: hex(body), hashRequired: true });
    expect(r.ok).toBe(true);
  });

  it('reads a body of many pieces into one reused buffer, every byte in order', async () => {
    const body = randomBytes(9_000_000);
    const stream = new ReadableStream<Uint8Array>({
      type: 'bytes',
      start(c) {
        for (let at = 0; at < body.length; at += 300_001) c.enqueue(new Uint8Array(body.subarray(at, at + 300_001)));
        c.close();
      },
    });
    const src = await fetchSource('https://a.example/v.mp4', async () => new Response(stream));
    const r = await readVideo(async () => src, { sha256: hex(body), hashRequired: true });
    expect(r.ok).toBe(true);
    if (r.ok) expect(Buffer.from(await r.blob.arrayBuffer()).equals(body)).toBe(true);
  });
});

/** Two connected ends of a runtime port; messages are cloned as Firefox does. */
function portPair(): [PortLike, PortLike] {
  const make = () => ({ msg: [] as ((m: unknown) => void)[], gone: [] as (() => void)[], closed: false });
  const a = make();
  const b = make();
  const end = (self: typeof a, other: typeof a): PortLike => ({
    postMessage: (m) => {
      if (self.closed) throw new Error('closed');
      const copy = structuredClone(m);
      queueMicrotask(() => other.msg.forEach((cb) => cb(copy)));
    },
    disconnect: () => {
      if (self.closed) return;
      self.closed = other.closed = true;
      queueMicrotask(() => other.gone.forEach((cb) => cb()));
    },
    onMessage: { addListener: (cb) => void self.msg.push(cb) },
    onDisconnect: { addListener: (cb) => void self.gone.push(cb) },
  });
  return [end(a, b), end(b, a)];
}

describe('the Firefox port', () => {
  it('carries the current feed’s video as Uint8Array pieces, and the read checks them', async () => {
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    const body = randomBytes(2_500_000);
    const [content, background] = portPair();
    const asked: string[] = [];
    serveVideoPort(
      background,
      async (id) => {
        asked.push(id);
        return 'https://agency.example/media/v.mp4';
      },
      async () => new Response(body, { headers: { 'content-length': String(body.length) } }),
    );
    const r = await readVideo(() => portSource(content, 'post-1'), { sha256: hex(body), hashRequired: true });
    expect(asked).toEqual(['post-1']);
    expect(r.ok).toBe(true);
    if (r.ok) expect(Buffer.from(await r.blob.arrayBuffer()).equals(body)).toBe(true);
  });

  it('a post without a video, or a 404, comes back as not_found', async () => {
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    const [content, background] = portPair();
    serveVideoPort(background, async () => undefined);
    expect(await readVideo(() => portSource(content, 'nope'), { hashRequired: false })).toMatchObject({ ok: false, problem: 'not_found' });
    const [c2, b2] = portPair();
    serveVideoPort(
      b2,
      async () => 'https://agency.example/gone.mp4',
      async () => new Response('', { status: 404 }),
    );
    expect(await readVideo(() => portSource(c2, 'x'), { hashRequired: false })).toMatchObject({ ok: false, problem: 'not_found' });
  });
});

describe('words', () => {
  it('names files and sizes', () => {
    expect(videoFileName('https://a.example/media/abc123.mp4?x=1')).toBe('abc123.mp4');
    expect(videoFileName('not a url')).toBe('video.mp4');
    expect(megabytes({ received: 12_400_000, total: 48_000_000 })).toEqual({ received: 12, total: 48 });
    expect(clockTime(65)).toBe('1:05');
    expect(clockTime(3725)).toBe('1:02:05');
    expect(minutesAndSeconds(140.4)).toEqual({ minutes: 2, seconds: 20 });
  });
});
