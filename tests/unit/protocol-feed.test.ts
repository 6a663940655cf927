import { describe, expect, it } from 'vitest';
import { parseFeedJson, parseFeedText, ItemSchema } from '@/utils/protocol/feed';
import { isExpired, isForPlatform, priorityOf, refreshMinutes } from '@/utils/protocol/item';
import { isAllowedUrl, permissionPattern } from '@/utils/protocol/url';
import { feedWith, item, protocolExampleFeed } from './feeds';

describe('feed schema: good feeds', () => {
  it('accepts the example feed of docs/protocol.md as is', () => {
    const r = parseFeedJson(protocolExampleFeed());
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.feed.dropped).toBe(0);
    expect(r.feed.items).toHaveLength(1);
    expect(r.feed.meta._siar?.publisher?.name).toBe('Pemerintah Kabupaten Contoh');
    expect(priorityOf(r.feed.items[0]!)).toBe('mandatory');
  });

  it('ignores unknown fields instead of failing (forward compatibility)', () => {
    const f = protocolExampleFeed();
    (f as Record<string, unknown>).future_field = { x: 1 };
    f.items[0]!.extra = 'ignored';
    (f.items[0]!._siar as Record<string, unknown>).new_thing = [1, 2];
    const r = parseFeedJson(f);
    expect(r.ok && r.feed.dropped).toBe(0);
    expect(r.ok && 'extra' in r.feed.items[0]!).toBe(false);
  });

  it('accepts an item with only a caption', () => {
    expect(ItemSchema.safeParse({ id: 'a', _siar: { captions: { default: 'Halo' } } }).success).toBe(true);
  });

  it('accepts loopback http for development, and Z as an offset', () => {
    const r = parseFeedJson(feedWith([item('a', { url: 'http://localhost:8787/berita/a', date_published: '2026-11-21T01:00:00Z' })]));
    expect(r.ok && r.feed.items[0]!.url).toBe('http://localhost:8787/berita/a');
  });
});

describe('feed schema: broken and hostile input', () => {
  it.each([
    ['not JSON', '<html>Situs ini diretas</html>', 'not_json'],
    ['JSON but not a feed', '{"hello": "world"}', 'not_json_feed'],
    [
      'another JSON Feed version',
      JSON.stringify({ version: 'https://jsonfeed.org/version/2', title: 'x', items: [item('a')] }),
      'not_json_feed',
    ],
    ['items not a list', JSON.stringify({ version: 'https://jsonfeed.org/version/1.1', title: 'x', items: {} }), 'not_json_feed'],
    ['no valid item', JSON.stringify(feedWith([{ id: 5 }, { title: 'no id' }])), 'no_valid_items'],
    ['empty', '', 'not_json'],
    ['null', 'null', 'not_json_feed'],
  ])('refuses %s', (_name, body, kind) => {
    const r = parseFeedText(body);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.problem.kind).toBe(kind);
  });

  it('drops and counts bad items, keeps the good ones', () => {
    const r = parseFeedJson(
      feedWith([
        item('good-1'),
        item('js-link', { url: 'javascript:alert(1)' }),
        item('http-link', { url: 'http://pemkab.example/berita' }),
        item('data-image', { image: 'data:image/png;base64,AAAA' }),
        item('bad-priority', { _siar: { priority: 'urgent' } }),
        item('bad-hashtag', { _siar: { hashtags: ['ok', 'not ok'] } }),
        item('hash-prefixed', { _siar: { hashtags: ['#Tag'] } }),
        item('long-title', { title: 'x'.repeat(301) }),
        item('long-caption', { _siar: { captions: { default: 'y'.repeat(2001) } } }),
        item('bad-date', { date_published: '21/11/2026' }),
        item('no-offset', { _siar: { expires_at: '2026-11-28T23:59:59' } }),
        { id: 'empty-item' },
        item('good-1', { title: 'impostor with a repeated id' }),
        'not an object',
        null,
        item('good-2'),
      ]),
    );
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.feed.items.map((i) => i.id)).toEqual(['good-1', 'good-2']);
    expect(r.feed.items[0]!.title).toBe('Judul good-1');
    expect(r.feed.dropped).toBe(14);
  });

  it('keeps markup and script-looking strings as plain text, unchanged', () => {
    const evil = '<img src=x onerror=alert(1)><script>alert(2)</script>';
    const r = parseFeedJson(feedWith([item('evil', { title: evil, content_html: '<b>bold</b>' })]));
    expect(r.ok && r.feed.items[0]!.title).toBe(evil);
    expect(r.ok && 'content_html' in r.feed.items[0]!).toBe(false);
  });

  it('survives prototype-pollution keys', () => {
    const body = `{"version":"https://jsonfeed.org/version/1.1","title":"t","__proto__":{"polluted":1},"items":[{"id":"a","title":"b","__proto__":{"polluted":2},"_siar":{"captions":{"__proto__":"x","default":"c"}}}]}`;
    const r = parseFeedText(body);
    expect(r.ok).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('ignores a broken _siar block of the feed rather than refusing the feed', () => {
    const r = parseFeedJson(feedWith([item('a')], { _siar: { refresh_minutes: 'often', tally_url: 'ftp://x' } }));
    expect(r.ok).toBe(true);
    expect(r.ok && r.feed.meta._siar).toBeUndefined();
  });

  it('keeps only the newest 1,000 items', () => {
    const items = Array.from({ length: 1005 }, (_, n) =>
      item(`i${n}`, { date_published: new Date(Date.UTC(2026, 0, 1) + n * 60_000).toISOString() }),
    );
    const r = parseFeedJson(feedWith(items));
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.feed.items).toHaveLength(1000);
    expect(r.feed.overflow).toBe(5);
    expect(r.feed.items.some((i) => i.id === 'i0')).toBe(false);
    expect(r.feed.items.some((i) => i.id === 'i1004')).toBe(true);
  });
});

describe('item helpers', () => {
  it('expiry, platforms and priority defaults', () => {
    const it1 = ItemSchema.parse(item('a', { _siar: { expires_at: '2026-11-28T23:59:59+07:00', platforms: ['facebook'] } }));
    expect(isExpired(it1, Date.parse('2026-11-28T16:59:58Z'))).toBe(false);
    expect(isExpired(it1, Date.parse('2026-11-28T17:00:00Z'))).toBe(true);
    expect(isForPlatform(it1, 'x')).toBe(false);
    expect(isForPlatform(it1, 'facebook')).toBe(true);
    expect(priorityOf(it1)).toBe('normal');
  });

  it('never polls more often than every 5 minutes', () => {
    expect(refreshMinutes({ version: 'v', title: 't', _siar: { refresh_minutes: 1 } })).toBe(5);
    expect(refreshMinutes({ version: 'v', title: 't', _siar: { refresh_minutes: 45 } })).toBe(45);
    expect(refreshMinutes(undefined)).toBe(30);
  });
});

describe('URLs', () => {
  it.each([
    ['https://pemkab.example/a', true],
    ['http://localhost:8787/feed.json', true],
    ['http://127.0.0.1/feed.json', true],
    ['http://[::1]:8080/feed.json', true],
    ['http://pemkab.example/feed.json', false],
    ['http://localhost.evil.example/feed.json', false],
    ['javascript:alert(1)', false],
    ['data:text/html,hi', false],
    ['https://user:pass@pemkab.example/', false],
    ['not a url', false],
  ])('%s allowed: %s', (u, ok) => {
    expect(isAllowedUrl(u)).toBe(ok);
  });

  it('asks for one origin, without the port', () => {
    expect(permissionPattern('http://localhost:8787/feed.json')).toBe('http://localhost/*');
    expect(permissionPattern('https://pemkab.example/siar/feed.json')).toBe('https://pemkab.example/*');
    expect(permissionPattern('http://evil.example/')).toBeUndefined();
  });
});
