import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchFeed } from '@/utils/feed/fetch';
import { refreshFeedState } from '@/utils/feed/refresh';
import { feedWith, item } from './feeds';

// A real HTTP server on loopback; each path is one behaviour of a (mis)behaving agency.
let server: http.Server;
let base: string;
const goodBody = JSON.stringify(feedWith([item('a'), item('b')]));
let current = goodBody;
const seen: http.IncomingHttpHeaders[] = [];

beforeAll(async () => {
  server = http.createServer((req, res) => {
    seen.push(req.headers);
    const path = req.url ?? '/';
    if (path === '/feed.json') {
      const etag = `"${current.length}"`;
      if (req.headers['if-none-match'] === etag) return void res.writeHead(304).end();
      res.writeHead(200, { 'content-type': 'application/feed+json', etag, 'last-modified': 'Sat, 21 Nov 2026 01:00:00 GMT' });
      return void res.end(current);
    }
    if (path === '/lm.json') {
      if (req.headers['if-modified-since'] === 'Sat, 21 Nov 2026 01:00:00 GMT') return void res.writeHead(304).end();
      res.writeHead(200, { 'last-modified': 'Sat, 21 Nov 2026 01:00:00 GMT' });
      return void res.end(goodBody);
    }
    if (path === '/500') return void res.writeHead(500).end('oops');
    if (path === '/slow') return void setTimeout(() => res.end(goodBody), 2_000);
    if (path === '/big-declared') {
      res.writeHead(200, { 'content-length': String(6 * 1024 * 1024) });
      return void res.end();
    }
    if (path === '/big-chunked') {
      res.writeHead(200, { 'content-type': 'application/json' });
      const chunk = Buffer.alloc(256 * 1024, 0x20);
      let sent = 0;
      const pump = () => {
        while (sent < 24 && res.write(chunk)) sent++;
        if (sent < 24) res.once('drain', pump);
        else res.end();
      };
      return void pump();
    }
    if (path === '/invalid') return void res.end('{"version": "https://jsonfeed.org/version/1.1", "title": ');
    const hop = /^\/hop\/(\d+)$/.exec(path);
    if (hop) {
      const n = Number(hop[1]);
      if (n === 0) return void res.end(goodBody);
      return void res.writeHead(302, { location: `/hop/${n - 1}` }).end();
    }
    if (path === '/to-insecure') return void res.writeHead(301, { location: 'http://pemkab.example/feed.json' }).end();
    res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe('fetchFeed against a real server', () => {
  it('200 gives the body and the validators', async () => {
    const r = await fetchFeed(`${base}/feed.json`);
    expect(r.kind).toBe('ok');
    if (r.kind !== 'ok') return;
    expect(r.body).toBe(goodBody);
    expect(r.validators.etag).toBe(`"${goodBody.length}"`);
    expect(r.validators.lastModified).toBe('Sat, 21 Nov 2026 01:00:00 GMT');
  });

  it('sends If-None-Match and accepts 304', async () => {
    const r = await fetchFeed(`${base}/feed.json`, { validators: { etag: `"${goodBody.length}"` } });
    expect(r.kind).toBe('not_modified');
    expect(seen.at(-1)?.['if-none-match']).toBe(`"${goodBody.length}"`);
  });

  it('sends If-Modified-Since and accepts 304', async () => {
    const r = await fetchFeed(`${base}/lm.json`, { validators: { lastModified: 'Sat, 21 Nov 2026 01:00:00 GMT' } });
    expect(r.kind).toBe('not_modified');
  });

  it('reports 500 as an HTTP error', async () => {
    expect(await fetchFeed(`${base}/500`)).toEqual({ kind: 'error', error: { code: 'http', status: 500 } });
  });

  it('gives up after the timeout', async () => {
    expect(await fetchFeed(`${base}/slow`, { timeoutMs: 200 })).toEqual({ kind: 'error', error: { code: 'timeout' } });
  });

  it('refuses a body over 5 MiB, declared or streamed', async () => {
    expect(await fetchFeed(`${base}/big-declared`)).toEqual({ kind: 'error', error: { code: 'too_large' } });
    expect(await fetchFeed(`${base}/big-chunked`)).toEqual({ kind: 'error', error: { code: 'too_large' } });
  });

  it('follows 5 redirects, not 6', async () => {
    expect((await fetchFeed(`${base}/hop/5`)).kind).toBe('ok');
    expect(await fetchFeed(`${base}/hop/6`)).toEqual({ kind: 'error', error: { code: 'too_many_redirects' } });
  });

  it('refuses a redirect to plain http', async () => {
    expect(await fetchFeed(`${base}/to-insecure`)).toEqual({ kind: 'error', error: { code: 'bad_url' } });
  });

  it('reports an unreachable server as a network error', async () => {
    const r = await fetchFeed('http://127.0.0.1:1/feed.json');
    expect(r.kind === 'error' && r.error.code).toBe('network');
  });
});

describe('refreshFeedState keeps the last good copy', () => {
  it('stores a good feed, then keeps it through invalid JSON, 500 and 304', async () => {
    current = goodBody;
    const s1 = await refreshFeedState(`${base}/feed.json`, undefined, 1000);
    expect(s1.items.map((i) => i.id)).toEqual(['a', 'b']);
    expect(s1.lastError).toBeUndefined();

    current = '{"version": "https://jsonfeed.org/version/1.1", "title": "t", "items": [{"id": 7}]}';
    const s2 = await refreshFeedState(`${base}/feed.json`, s1, 2000);
    expect(s2.items.map((i) => i.id)).toEqual(['a', 'b']);
    expect(s2.lastError).toMatchObject({ code: 'invalid', problem: { kind: 'no_valid_items', dropped: 1 }, at: 2000 });
    expect(s2.fetchedAt).toBe(1000);
    // The bad copy's validators were not kept, so the next request is not answered 304 wrongly.
    expect(s2.validators).toEqual(s1.validators);

    const s3 = await refreshFeedState(`${base}/invalid`, { ...s2, feedUrl: `${base}/invalid` }, 3000);
    expect(s3.items).toHaveLength(2);
    expect(s3.lastError).toMatchObject({ code: 'invalid', problem: { kind: 'not_json' } });

    current = goodBody;
    const s4 = await refreshFeedState(`${base}/feed.json`, s2, 4000);
    expect(s4.lastError).toBeUndefined();
    expect(s4.fetchedAt).toBe(4000);
    expect(seen.at(-1)?.['if-none-match']).toBe(`"${goodBody.length}"`);

    const s5 = await refreshFeedState(`${base}/500`, { ...s4, feedUrl: `${base}/500` }, 5000);
    expect(s5.items).toHaveLength(2);
    expect(s5.lastError).toMatchObject({ code: 'http', status: 500 });
  });

  it('counts dropped items of a feed that is otherwise good', async () => {
    current = JSON.stringify(feedWith([item('a'), item('bad', { url: 'javascript:1' }), item('c')]));
    const s = await refreshFeedState(`${base}/feed.json`, undefined, 1);
    expect(s.items.map((i) => i.id)).toEqual(['a', 'c']);
    expect(s.dropped).toBe(1);
    current = goodBody;
  });
});
