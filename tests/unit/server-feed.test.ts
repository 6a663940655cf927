// @vitest-environment node
// The real server on a real socket with the real fetch: a DOM environment's fetch would add CORS.
import { inflateSync, crc32 as nodeCrc32 } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAgencyServer } from '../../server/app';
import { makePng } from '../../server/demo/png';
import type { FeedBody } from '../../server/feed';
import { isExpired, ItemSchema, parseFeedJson, parseFeedText, priorityOf } from '../../utils/protocol/feed';

const HOUR = 3_600_000;

async function start(options: Parameters<typeof createAgencyServer>[0] = {}) {
  const agency = createAgencyServer({ quiet: true, ...options });
  const { port } = await agency.listen(0);
  // 127.0.0.1, not the feed's `localhost`: Node may try ::1 first, where nothing listens.
  const origin = `http://127.0.0.1:${port}`;
  const get = (path: string, init?: RequestInit) => fetch(new URL(path, origin), init);
  return { agency, origin, get };
}

/** Splits a PNG into its chunks, checking every CRC with zlib's own implementation. */
function pngChunks(png: Uint8Array) {
  const buf = Buffer.from(png);
  expect([...buf.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const chunks: { type: string; data: Buffer }[] = [];
  for (let at = 8; at < buf.length;) {
    const length = buf.readUInt32BE(at);
    const type = buf.toString('latin1', at + 4, at + 8);
    const data = buf.subarray(at + 8, at + 8 + length);
    expect(buf.readUInt32BE(at + 8 + length), `CRC of ${type}`).toBe(nodeCrc32(buf.subarray(at + 4, at + 8 + length)));
    chunks.push({ type, data });
    at += 12 + length;
  }
  return chunks;
}

describe('agency server: feed hosting', () => {
  let server: Awaited<ReturnType<typeof start>>;
  beforeAll(async () => {
    server = await start();
  });
  afterAll(() => server.agency.close());

  it('serves the feed with a strong ETag, Last-Modified and the JSON Feed type', async () => {
    const res = await server.get('/feed.json');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/feed+json; charset=utf-8');
    expect(res.headers.get('etag')).toMatch(/^"[^"]+"$/);
    expect(Date.parse(res.headers.get('last-modified') ?? '')).not.toBeNaN();
    expect(res.headers.get('cache-control')).toBe('no-cache');
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    const body = await res.text();
    expect(Number(res.headers.get('content-length'))).toBe(Buffer.byteLength(body));
    // Same bytes, same tag.
    const again = await server.get('/feed.json');
    expect(again.headers.get('etag')).toBe(res.headers.get('etag'));
    expect(await again.text()).toBe(body);
  });

  it('answers If-None-Match with 304 and no body', async () => {
    const etag = (await server.get('/feed.json')).headers.get('etag')!;
    const res = await server.get('/feed.json', { headers: { 'If-None-Match': etag } });
    expect(res.status).toBe(304);
    expect(res.headers.get('etag')).toBe(etag);
    expect(await res.text()).toBe('');
    // A list, and a weak form of the same tag, match too; another tag does not.
    expect((await server.get('/feed.json', { headers: { 'If-None-Match': `"x", W/${etag}` } })).status).toBe(304);
    expect((await server.get('/feed.json', { headers: { 'If-None-Match': '"other"' } })).status).toBe(200);
  });

  it('answers If-Modified-Since with 304, and lets If-None-Match win when both are sent', async () => {
    const lastModified = (await server.get('/feed.json')).headers.get('last-modified')!;
    expect((await server.get('/feed.json', { headers: { 'If-Modified-Since': lastModified } })).status).toBe(304);
    const earlier = new Date(Date.parse(lastModified) - 60_000).toUTCString();
    expect((await server.get('/feed.json', { headers: { 'If-Modified-Since': earlier } })).status).toBe(200);
    const both = await server.get('/feed.json', { headers: { 'If-Modified-Since': lastModified, 'If-None-Match': '"stale"' } });
    expect(both.status).toBe(200);
  });

  it('answers HEAD with the headers of GET and no body', async () => {
    const get = await server.get('/feed.json');
    const getLength = Buffer.byteLength(await get.text());
    const head = await server.get('/feed.json', { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('etag')).toBe(get.headers.get('etag'));
    expect(head.headers.get('content-type')).toBe(get.headers.get('content-type'));
    expect(Number(head.headers.get('content-length'))).toBe(getLength);
    expect(await head.text()).toBe('');
  });

  it('serves the pictures as valid PNGs with a long cache', async () => {
    const res = await server.get('/media/posyandu.png');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/png');
    expect(res.headers.get('cache-control')).toMatch(/max-age=\d{5,}/);
    const etag = res.headers.get('etag')!;
    expect(etag).toMatch(/^"[^"]+"$/);
    const chunks = pngChunks(new Uint8Array(await res.arrayBuffer()));
    expect(chunks.map((c) => c.type)).toEqual(['IHDR', 'IDAT', 'IEND']);
    const ihdr = chunks[0]!.data;
    expect([ihdr.readUInt32BE(0), ihdr.readUInt32BE(4)]).toEqual([1200, 630]);
    expect(inflateSync(chunks[1]!.data).length).toBe(630 * (1 + 1200 * 3));
    expect((await server.get('/media/posyandu.png', { headers: { 'If-None-Match': etag } })).status).toBe(304);
  });

  it('answers unknown paths, pictures and methods with protocol JSON errors', async () => {
    for (const path of ['/nothing-here', '/media/nope.png', '/media/..%2Fpackage.json', '/berita/nope']) {
      const res = await server.get(path);
      expect(res.status, path).toBe(404);
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
      const body = (await res.json()) as { error: string; message: string };
      expect(body.error).toBe('not_found');
      expect(typeof body.message).toBe('string');
    }
    const post = await server.get('/feed.json', { method: 'POST', body: '{}' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
    expect(((await post.json()) as { error: string }).error).toBe('method_not_allowed');
  });
});

describe('agency server: the demo feed', () => {
  let server: Awaited<ReturnType<typeof start>>;
  const startedAt = Date.now();
  beforeAll(async () => {
    server = await start({ now: startedAt });
  });
  afterAll(() => server.agency.close());

  async function demoFeed() {
    const text = await (await server.get('/feed.json')).text();
    const parsed = parseFeedText(text);
    if (!parsed.ok) throw new Error(`demo feed does not parse: ${JSON.stringify(parsed.problem)}`);
    return { raw: JSON.parse(text) as { items: unknown[] }, feed: parsed.feed };
  }

  it('passes the protocol schemas with nothing dropped', async () => {
    const { raw, feed } = await demoFeed();
    expect(feed.dropped).toBe(0);
    expect(feed.overflow).toBe(0);
    expect(feed.items.length).toBe(raw.items.length);
    expect(feed.items.length).toBeGreaterThanOrEqual(8);
    for (const item of raw.items) expect(ItemSchema.safeParse(item).success).toBe(true);
    expect(parseFeedJson(raw).ok).toBe(true);
    expect(feed.meta._siar).toEqual({
      publisher: { id: 'kab-contoh', name: 'Pemerintah Kabupaten Contoh' },
      tally_url: `${server.agency.base}/`,
      refresh_minutes: 15,
    });
    expect(new Set(feed.items.map((i) => i._siar?.agency?.id)).size).toBeGreaterThanOrEqual(5);
  });

  it('has exactly one mandatory post, one or two high, one expired and one expiring within two hours', async () => {
    const { feed } = await demoFeed();
    const now = Date.now();
    expect(feed.items.filter((i) => priorityOf(i) === 'mandatory')).toHaveLength(1);
    expect(feed.items.filter((i) => priorityOf(i) === 'high').length).toBeOneOf([1, 2]);
    expect(feed.items.filter((i) => isExpired(i, now))).toHaveLength(1);
    const expiring = feed.items.filter((i) => !isExpired(i, now) && Date.parse(i._siar?.expires_at ?? '') <= startedAt + 2 * HOUR);
    expect(expiring).toHaveLength(1);
    expect(feed.items.filter((i) => i._siar?.platforms?.join() === 'facebook,whatsapp')).toHaveLength(1);
  });

  it('links every post to a news page and a picture the server serves', async () => {
    const { feed } = await demoFeed();
    for (const item of feed.items) {
      const page = await server.get(new URL(item.url!).pathname);
      expect(page.status, item.url).toBe(200);
      expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
      const html = await page.text();
      expect(html).toContain('<meta property="og:title"');
      expect(html).toContain(`<meta property="og:image" content="${item.image}">`);
      const picture = await server.get(new URL(item.image!).pathname, { method: 'HEAD' });
      expect(picture.status, item.image).toBe(200);
    }
  });
});

describe('agency server: swapping the feed at runtime', () => {
  it('serves whatever the provider returns, with a new ETag and Last-Modified when it changes', async () => {
    let body: FeedBody = { version: 'https://jsonfeed.org/version/1.1', title: 'Uji', items: [{ id: 'a', title: 'Satu' }] };
    const server = await start({ feed: () => body });
    try {
      const first = await server.get('/feed.json');
      const etag = first.headers.get('etag')!;
      const lastModified = first.headers.get('last-modified')!;
      const parsed = parseFeedText(await first.text());
      expect(parsed.ok && parsed.feed.items.map((i) => i.id)).toEqual(['a']);

      body = '{"version": "https://jsonfeed.org/version/1.1", "title": "Rusak", "items": [';
      const broken = await server.get('/feed.json', { headers: { 'If-None-Match': etag } });
      expect(broken.status).toBe(200);
      expect(broken.headers.get('etag')).not.toBe(etag);
      expect(parseFeedText(await broken.text())).toEqual({ ok: false, problem: { kind: 'not_json' } });

      // A client that only remembers the date must see the change even within the same second.
      body = { version: 'https://jsonfeed.org/version/1.1', title: 'Uji', items: [{ id: 'b', title: 'Dua' }] };
      const changed = await server.get('/feed.json', { headers: { 'If-Modified-Since': lastModified } });
      expect(changed.status).toBe(200);
      expect(Date.parse(changed.headers.get('last-modified')!)).toBeGreaterThan(Date.parse(lastModified));
    } finally {
      await server.agency.close();
    }
  });
});

describe('makePng', () => {
  it('encodes the pixels it is given, RGB and RGBA', () => {
    const rgb = pngChunks(makePng(2, 2, (x, y) => (x === y ? 0xff0000 : [0, 0, 255])));
    expect(rgb[0]!.data[9]).toBe(2);
    const unfilter = (raw: Buffer, width: number, channels: number) => {
      const rows: number[][] = [];
      for (let row = 0; row * (width * channels + 1) < raw.length; row++) {
        const at = row * (width * channels + 1);
        expect(raw[at]).toBe(1); // Sub filter
        const out: number[] = [];
        for (let i = 0; i < width * channels; i++) out.push((raw[at + 1 + i]! + (i >= channels ? out[i - channels]! : 0)) & 0xff);
        rows.push(out);
      }
      return rows;
    };
    expect(unfilter(inflateSync(rgb[1]!.data), 2, 3)).toEqual([
      [255, 0, 0, 0, 0, 255],
      [0, 0, 255, 255, 0, 0],
    ]);
    const rgba = pngChunks(makePng(1, 1, () => [10, 20, 30, 40], { alpha: true }));
    expect(rgba[0]!.data[9]).toBe(6);
    expect(unfilter(inflateSync(rgba[1]!.data), 1, 4)).toEqual([[10, 20, 30, 40]]);
  });
});
