// @vitest-environment node
// The real server on a real socket with the real fetch: a DOM environment's fetch would add CORS.
// The feed is the studio's: published versions in the database, on SQLite and on PostgreSQL.
import { inflateSync, crc32 as nodeCrc32 } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makePng } from '../../server/demo/png';
import type { FeedBody } from '../../server/publish/routes';
import { verifyFeed } from '../../server/signing';
import { isExpired, ItemSchema, parseFeedJson, parseFeedText, priorityOf } from '../../utils/protocol/feed';
import { BACKENDS, startAgency, type Backend, type Harness } from '../support/agency';

const HOUR = 3_600_000;

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

const path = (url: string) => new URL(url).pathname;

describe.each(BACKENDS)('agency server on %s', (backend: Backend) => {
  describe('feed hosting', () => {
    let server: Harness;
    const startedAt = Date.now();
    beforeAll(async () => {
      server = await startAgency(backend, { now: startedAt });
    });
    afterAll(() => server.close());
    const get = (p: string, init?: RequestInit) => server.call(p, init);

    it('serves the feed with a strong ETag, Last-Modified and the JSON Feed type', async () => {
      const res = await get('/feed.json');
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
      const again = await get('/feed.json');
      expect(again.headers.get('etag')).toBe(res.headers.get('etag'));
      expect(await again.text()).toBe(body);
    });

    it('serves feed.json.sig of exactly the bytes served, with the agency key', async () => {
      const body = Buffer.from(await (await get('/feed.json')).arrayBuffer());
      const sig = await get('/feed.json.sig');
      expect(sig.status).toBe(200);
      expect(verifyFeed(body, await sig.text(), server.agency.publicKey)).toBe(true);
    });

    it('answers If-None-Match with 304 and no body', async () => {
      const etag = (await get('/feed.json')).headers.get('etag')!;
      const res = await get('/feed.json', { headers: { 'If-None-Match': etag } });
      expect(res.status).toBe(304);
      expect(res.headers.get('etag')).toBe(etag);
      expect(await res.text()).toBe('');
      // A list, and a weak form of the same tag, match too; another tag does not.
      expect((await get('/feed.json', { headers: { 'If-None-Match': `"x", W/${etag}` } })).status).toBe(304);
      expect((await get('/feed.json', { headers: { 'If-None-Match': '"other"' } })).status).toBe(200);
    });

    it('answers If-Modified-Since with 304, and lets If-None-Match win when both are sent', async () => {
      const lastModified = (await get('/feed.json')).headers.get('last-modified')!;
      expect((await get('/feed.json', { headers: { 'If-Modified-Since': lastModified } })).status).toBe(304);
      const earlier = new Date(Date.parse(lastModified) - 60_000).toUTCString();
      expect((await get('/feed.json', { headers: { 'If-Modified-Since': earlier } })).status).toBe(200);
      const both = await get('/feed.json', { headers: { 'If-Modified-Since': lastModified, 'If-None-Match': '"stale"' } });
      expect(both.status).toBe(200);
    });

    it('answers HEAD with the headers of GET and no body', async () => {
      const got = await get('/feed.json');
      const getLength = Buffer.byteLength(await got.text());
      const head = await get('/feed.json', { method: 'HEAD' });
      expect(head.status).toBe(200);
      expect(head.headers.get('etag')).toBe(got.headers.get('etag'));
      expect(head.headers.get('content-type')).toBe(got.headers.get('content-type'));
      expect(Number(head.headers.get('content-length'))).toBe(getLength);
      expect(await head.text()).toBe('');
    });

    async function demoFeed() {
      const text = await (await get('/feed.json')).text();
      const parsed = parseFeedText(text);
      if (!parsed.ok) throw new Error(`demo feed does not parse: ${JSON.stringify(parsed.problem)}`);
      return { raw: JSON.parse(text) as { items: unknown[] }, feed: parsed.feed };
    }

    it('the demo feed passes the protocol schemas with nothing dropped, and signs its issue time and pictures', async () => {
      const { raw, feed } = await demoFeed();
      expect(feed.dropped).toBe(0);
      expect(feed.overflow).toBe(0);
      expect(feed.items.length).toBe(raw.items.length);
      expect(feed.items.length).toBe(8);
      for (const item of raw.items) expect(ItemSchema.safeParse(item).success).toBe(true);
      expect(parseFeedJson(raw).ok).toBe(true);
      expect(feed.meta._siar).toEqual({
        publisher: { id: 'kab-contoh', name: 'Pemerintah Kabupaten Contoh' },
        tally_url: `${server.agency.base}/`,
        refresh_minutes: 15,
        issued_at: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+07:00$/),
      });
      expect(new Set(feed.items.map((i) => i._siar?.agency?.id)).size).toBeGreaterThanOrEqual(5);
      for (const item of feed.items) {
        expect(item._siar?.image_sha256).toMatch(/^[0-9a-f]{64}$/);
        const bytes = Buffer.from(await (await get(path(item.image!))).arrayBuffer());
        const { createHash } = await import('node:crypto');
        expect(createHash('sha256').update(bytes).digest('hex')).toBe(item._siar?.image_sha256);
      }
      // Campaigns travel with their display names.
      const stunting = feed.items.find((i) => i._siar?.campaign === 'cegah-stunting');
      expect(stunting?._siar?.campaign_name).toBe('Cegah Stunting');
    });

    it('has one mandatory post, one or two high, one expiring within two hours, and leaves the expired one out', async () => {
      const { feed } = await demoFeed();
      const now = Date.now();
      expect(feed.items.filter((i) => priorityOf(i) === 'mandatory')).toHaveLength(1);
      expect(feed.items.filter((i) => priorityOf(i) === 'high').length).toBeOneOf([1, 2]);
      expect(feed.items.filter((i) => isExpired(i, now))).toHaveLength(0);
      expect(feed.items.map((i) => i.id)).not.toContain('kab-contoh-donor-darah-hkn');
      const expiring = feed.items.filter((i) => Date.parse(i._siar?.expires_at ?? '') <= startedAt + 2 * HOUR);
      expect(expiring).toHaveLength(1);
    });

    it('links every post to its own public page with a card, and to a picture the server serves', async () => {
      const { feed } = await demoFeed();
      for (const item of feed.items) {
        expect(item.url).toBe(`${server.agency.base}/p/${item.id}`);
        const page = await get(path(item.url!));
        expect(page.status, item.url).toBe(200);
        expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
        const html = await page.text();
        expect(html).toContain(`<meta property="og:title" content="${item.title!.replace(/&/g, '&amp;')}">`);
        expect(html).toContain(`<meta property="og:image" content="${item.image}">`);
        expect(html).toContain('<meta name="twitter:card" content="summary_large_image">');
        const picture = await get(path(item.image!), { method: 'HEAD' });
        expect(picture.status, item.image).toBe(200);
      }
      // The expired post's page still answers (old shares keep their card); a draft's does not exist.
      expect((await get('/p/kab-contoh-donor-darah-hkn')).status).toBe(200);
      expect((await get('/p/tidak-ada')).status).toBe(404);
    });

    it('serves the pictures as cleaned PNGs: cacheable for good, CORS for the composer sites, byte ranges', async () => {
      const { feed } = await demoFeed();
      const url = path(feed.items[0]!.image!);
      const res = await get(url);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('image/png');
      expect(res.headers.get('cache-control')).toContain('immutable');
      expect(res.headers.get('access-control-allow-origin')).toBe('*');
      expect(res.headers.get('accept-ranges')).toBe('bytes');
      const etag = res.headers.get('etag')!;
      const whole = new Uint8Array(await res.arrayBuffer());
      const chunks = pngChunks(whole);
      expect(chunks.map((c) => c.type)).toEqual(['IHDR', 'IDAT', 'IEND']);
      const ihdr = chunks[0]!.data;
      expect([ihdr.readUInt32BE(0), ihdr.readUInt32BE(4)]).toEqual([1200, 630]);
      expect((await get(url, { headers: { 'If-None-Match': etag } })).status).toBe(304);
      const part = await get(url, { headers: { Range: 'bytes=8-23' } });
      expect(part.status).toBe(206);
      expect(part.headers.get('content-range')).toBe(`bytes 8-23/${whole.length}`);
      expect([...new Uint8Array(await part.arrayBuffer())]).toEqual([...whole.subarray(8, 24)]);
      const tail = await get(url, { headers: { Range: 'bytes=-12' } });
      expect([...new Uint8Array(await tail.arrayBuffer())]).toEqual([...whole.subarray(whole.length - 12)]);
      expect((await get(url, { headers: { Range: `bytes=${whole.length}-` } })).status).toBe(416);
    });

    it('answers unknown paths, media and methods with protocol JSON errors', async () => {
      for (const p of ['/nothing-here', '/media/nope.png', '/media/..%2Fpackage.json', '/media/abcdefghijklmnop.png', '/berita/nope']) {
        const res = await get(p);
        expect(res.status, p).toBe(404);
        expect(res.headers.get('content-type')).toMatch(/^application\/json/);
        const body = (await res.json()) as { error: string; message: string };
        expect(body.error).toBe('not_found');
        expect(typeof body.message).toBe('string');
      }
      const post = await get('/feed.json', { method: 'POST', body: '{}' });
      expect(post.status).toBe(405);
      expect(post.headers.get('allow')).toBe('GET, HEAD');
      expect(((await post.json()) as { error: string }).error).toBe('method_not_allowed');
    });
  });
});

describe('agency server: a feed given by a test instead of the studio', () => {
  it('serves whatever the provider returns, with a new ETag and Last-Modified when it changes', async () => {
    let body: FeedBody = { version: 'https://jsonfeed.org/version/1.1', title: 'Uji', items: [{ id: 'a', title: 'Satu' }] };
    const server = await startAgency('sqlite', { feed: () => body });
    const get = (p: string, init?: RequestInit) => server.call(p, init);
    try {
      const first = await get('/feed.json');
      const etag = first.headers.get('etag')!;
      const lastModified = first.headers.get('last-modified')!;
      const parsed = parseFeedText(await first.text());
      expect(parsed.ok && parsed.feed.items.map((i) => i.id)).toEqual(['a']);
      // Its items count as published: the tally takes events for them.
      const token = await server.member(1);
      const res = await server.json('POST', '/v1/shares', { shares: [server.share({ item_id: 'a' })] }, token);
      expect(((await res.json()) as { accepted: string[] }).accepted).toHaveLength(1);

      body = '{"version": "https://jsonfeed.org/version/1.1", "title": "Rusak", "items": [';
      const broken = await get('/feed.json', { headers: { 'If-None-Match': etag } });
      expect(broken.status).toBe(200);
      expect(broken.headers.get('etag')).not.toBe(etag);
      expect(parseFeedText(await broken.text())).toEqual({ ok: false, problem: { kind: 'not_json' } });

      // A client that only remembers the date must see the change even within the same second.
      body = { version: 'https://jsonfeed.org/version/1.1', title: 'Uji', items: [{ id: 'b', title: 'Dua' }] };
      const changed = await get('/feed.json', { headers: { 'If-Modified-Since': lastModified } });
      expect(changed.status).toBe(200);
      expect(Date.parse(changed.headers.get('last-modified')!)).toBeGreaterThan(Date.parse(lastModified));
      // Unsigned unless the test gives a signature.
      expect((await get('/feed.json.sig')).status).toBe(404);
    } finally {
      await server.close();
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
