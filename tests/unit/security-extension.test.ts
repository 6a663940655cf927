// Security review (docs/security.md), the extension's side, from its source: what code runs in
// pages (and what it can reach), no code from strings or markup from data, where the tally
// token goes, and that a signed feed cannot be rolled back (an open finding).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { IDBFactory } from 'fake-indexeddb';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { fetchCapped } from '@/utils/feed/fetch';
import { fetchItemImage, MAX_IMAGE_BYTES } from '@/utils/feed/image';
import { refreshFeedState } from '@/utils/feed/refresh';
import { _resetHistoryDbForTests } from '@/utils/history/db';
import { markRejected, markSynced } from '@/utils/history/marks';
import { pendingEvents } from '@/utils/history/queries';
import { recordShare } from '@/utils/history/record';
import { ItemSchema } from '@/utils/protocol/feed';
import { enrol, fetchSummary, getEnrolment, type Enrolment } from '@/utils/sync/enrolment';
import { drainOutbox } from '@/utils/sync/drain';
import { COMPOSER_SITES } from '@/utils/sites/registry';
import { syncNow } from '@/utils/sync/service';
import { generateSigningKey, signFeed } from '../../server/signing';
import { feedWith, item as feedItem } from './feeds';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const rel = (file: string) => path.relative(ROOT, file).split(path.sep).join('/');

function walk(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) walk(full, out);
    else if (/\.(ts|tsx)$/.test(name)) out.push(full);
  }
  return out;
}
/** Our own code: what we write and ship (the extension) or run (the agency server). */
const OWN_SOURCE = ['entrypoints', 'components', 'utils', 'server'].flatMap((d) => walk(path.join(ROOT, d)));

/** Resolves an import specifier as Vite does for this project ('@/' is the root). */
function resolveImport(from: string, spec: string): string | undefined {
  const bare = spec.replace(/\?.*$/, '');
  let base: string;
  if (bare.startsWith('@/')) base = path.join(ROOT, bare.slice(2));
  else if (bare.startsWith('.')) base = path.resolve(path.dirname(from), bare);
  else return undefined;
  for (const ext of ['', '.ts', '.tsx', '/index.ts', '/index.tsx']) {
    const candidate = base + ext;
    try {
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // Try the next extension.
    }
  }
  return undefined;
}

/**
 * Every module and package a bundle entry pulls in at run time. Type-only imports are erased by
 * the compiler, so they are not followed.
 */
function runtimeGraph(entry: string): { files: Set<string>; packages: Set<string> } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const queue = [path.join(ROOT, entry)];
  while (queue.length > 0) {
    const file = queue.pop()!;
    if (files.has(file)) continue;
    files.add(file);
    if (!/\.(ts|tsx)$/.test(file)) continue;
    const text = readFileSync(file, 'utf8');
    const statements = text.matchAll(
      /^\s*(import|export)\s+(type\s+)?([^;]*?)\s*from\s*['"]([^'"]+)['"]|^\s*import\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/gm,
    );
    for (const m of statements) {
      if (m[2]) continue; // `import type …` / `export type …`
      const spec = (m[4] ?? m[5] ?? m[6])!;
      const resolved = resolveImport(file, spec);
      if (resolved) queue.push(resolved);
      else if (!spec.startsWith('.') && !spec.startsWith('@/')) packages.add(spec);
    }
  }
  return { files: new Set([...files].map(rel)), packages };
}

describe('code that runs in x.com and facebook.com pages', () => {
  it('the main-world script is the inserter alone: no extension API, no settings, no token', () => {
    const { files, packages } = runtimeGraph('entrypoints/composer-main.content.ts');
    expect([...files].sort()).toEqual(['entrypoints/composer-main.content.ts', 'utils/insert/bridge.ts', 'utils/insert/editors.ts']);
    expect([...packages]).toEqual([]);
    for (const file of files) {
      const text = readFileSync(path.join(ROOT, file), 'utf8');
      expect(text, file).not.toMatch(/\b(browser|chrome)\.(runtime|storage|tabs)|#imports|wxt\/browser/);
    }
  });

  // Every site's composer content script (x, facebook, …).
  it.each(COMPOSER_SITES.map((s) => `entrypoints/${s.id}.content/index.ts`))(
    '%s reaches no storage, settings, token, history or feed cache: only messages to the background',
    (entry) => {
      const { files, packages } = runtimeGraph(entry);
      // The walk does reach the integration and the bridge to the background.
      expect(files).toContain('utils/composer/integration.tsx');
      expect(files).toContain('utils/messages/messages.ts');
      const forbidden = [...files].filter((f) =>
        /^utils\/(sync|settings|history)\/|^utils\/feed\/(cache|fetch|service|refresh)\.ts$|^utils\/sites\/status\.ts$|^utils\/messages\/table\.ts$/.test(
          f,
        ),
      );
      expect(forbidden).toEqual([]);
      expect(packages.has('#imports')).toBe(false);
      expect(packages.has('idb')).toBe(false);
      for (const file of files) {
        const text = readFileSync(path.join(ROOT, file), 'utf8');
        expect(text, file).not.toMatch(/\bstorage\.(local|sync|session|managed)\b|defineItem\(|indexedDB|\btoken\b/i);
      }
    },
  );
});

describe('no code from strings, no markup from data', () => {
  it('our source never evaluates strings or writes HTML from strings', () => {
    const hits: string[] = [];
    const pattern =
      /\beval\s*\(|new\s+Function\b|\bFunction\s*\(|innerHTML|outerHTML|insertAdjacentHTML|dangerouslySetInnerHTML|document\.write|createContextualFragment|setTimeout\(\s*['"`]|setInterval\(\s*['"`]/;
    for (const file of OWN_SOURCE) {
      readFileSync(file, 'utf8')
        .split('\n')
        .forEach((line, i) => {
          if (pattern.test(line) && !/^\s*(\/\/|\*)/.test(line)) hits.push(`${rel(file)}:${i + 1}: ${line.trim()}`);
        });
    }
    expect(hits).toEqual([]);
  });

  it('no <script> element is created and nothing is imported from another origin', () => {
    for (const file of OWN_SOURCE.filter((f) => !rel(f).startsWith('server/'))) {
      const text = readFileSync(file, 'utf8');
      expect(text, rel(file)).not.toMatch(/createElement\(\s*['"`]script|importScripts|import\(\s*['"`]https?:/);
    }
  });
});

describe('the tally token goes to the enrolled tally only, as a bearer header, never with cookies', () => {
  const TALLY = 'https://tally.kab-contoh.go.id/siar/';
  const item = ItemSchema.parse({ id: 'apel-asn', title: 'Apel ASN' });
  const feedUrl = 'https://diskominfo.kab-contoh.go.id/siar/feed.json';
  type Call = { url: string; init: RequestInit };
  const capture = (respond: (url: string) => Response) => {
    const calls: Call[] = [];
    const fn = (async (url: string | URL, init: RequestInit = {}) => {
      calls.push({ url: String(url), init });
      return respond(String(url));
    }) as typeof fetch;
    return { calls, fn };
  };
  const headersOf = (c: Call) => new Headers(c.init.headers);
  const json = (status: number, body: unknown) =>
    new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

  beforeEach(() => {
    globalThis.indexedDB = new IDBFactory();
    _resetHistoryDbForTests();
  });
  afterEach(() => vi.restoreAllMocks());
  beforeEach(() => {
    vi.spyOn(console, 'info').mockImplementation(() => {});
  });

  it('only the sync and the enrolment modules ever write an Authorization header', () => {
    const writers = OWN_SOURCE.filter((f) => !rel(f).startsWith('server/') && /authorization\s*:/i.test(readFileSync(f, 'utf8'))).map(rel);
    expect(writers.sort()).toEqual(['utils/sync/drain.ts', 'utils/sync/enrolment.ts']);
  });

  it('enrolment keeps the token in extension-local storage, never sync or session storage', async () => {
    const { calls, fn } = capture(() =>
      json(201, { token: 't'.repeat(43), member: { nip: '198503152010012003', name: 'Pegawai', unit: 'Dinas Kominfo' } }),
    );
    const r = await enrol(TALLY, { nip: '198503152010012003', name: 'Pegawai', unit: 'Dinas Kominfo', code: 'KODE' }, fn);
    expect(r.ok).toBe(true);
    expect(calls.map((c) => [c.url, c.init.method, c.init.credentials])).toEqual([[`${TALLY}v1/enroll`, 'POST', 'omit']]);
    expect(headersOf(calls[0]!).has('authorization')).toBe(false);
    expect((await getEnrolment())?.token).toBe('t'.repeat(43));
    expect(await fakeBrowser.storage.sync.get(null)).toEqual({});
    expect(await fakeBrowser.storage.session.get(null)).toEqual({});
  });

  it('the outbox and the summary send it to the tally endpoints, without credentials', async () => {
    await recordShare({ item, feedUrl, platform: 'x', action: 'posted' });
    const { calls, fn } = capture((url) =>
      url.endsWith('/v1/shares')
        ? json(200, { accepted: [], duplicate: [], rejected: [] })
        : json(200, { events: 0, posted: 0, by_platform: {} }),
    );
    await drainOutbox(
      { tallyUrl: TALLY, token: 'secret-token', fetch: fn, pending: pendingEvents, markSynced, markRejected, now: Date.now },
      { failures: 0 },
    );
    const e: Enrolment = { tallyUrl: TALLY, token: 'secret-token', member: { nip: '1', name: 'n', unit: 'u' }, at: 0 };
    await fetchSummary(e, fn);
    expect(calls.map((c) => c.url)).toEqual([`${TALLY}v1/shares`, `${TALLY}v1/me/summary`]);
    for (const c of calls) {
      expect(headersOf(c).get('authorization')).toBe('Bearer secret-token');
      expect(c.init.credentials).toBe('omit');
    }
  });

  it('feed and picture requests carry no token and no cookies', async () => {
    const { calls, fn } = capture(() => new Response('{}', { status: 200 }));
    await fetchCapped(feedUrl, { fetch: fn });
    await fetchCapped('https://kab-contoh.go.id/media/apel.png', { fetch: fn, accept: 'image/png' });
    expect(calls).toHaveLength(2);
    for (const c of calls) {
      expect(headersOf(c).has('authorization')).toBe(false);
      expect(c.init.credentials).toBe('omit');
    }
  });

  it('once enrolled, shares go to the tally of the enrolment, whatever the settings or a feed say later', async () => {
    await fakeBrowser.storage.local.set({
      enrolment: { tallyUrl: TALLY, token: 'secret-token', member: { nip: '1', name: 'n', unit: 'u' }, at: 0 },
      settings: { tallyUrl: 'https://evil.example/tally/' },
    });
    await recordShare({ item, feedUrl, platform: 'x', action: 'posted' });
    const { calls, fn } = capture(() => json(200, { accepted: [], duplicate: [], rejected: [] }));
    await syncNow({ force: true, fetch: fn });
    expect(calls.map((c) => c.url)).toEqual([`${TALLY}v1/shares`]);
  });
});

describe('pictures from a feed are checked before they reach a page', () => {
  const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]);
  const serve = (body: BodyInit, type: string) =>
    (async () => new Response(body, { status: 200, headers: { 'content-type': type } })) as unknown as typeof fetch;

  it('takes JPEG, PNG, GIF or WebP by their bytes, whatever the server says; never SVG or HTML', async () => {
    expect(await fetchItemImage('https://kab-contoh.go.id/media/a.png', { fetch: serve(PNG, 'image/png') })).toMatchObject({
      ok: true,
      type: 'image/png',
    });
    const svg = '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>';
    expect(await fetchItemImage('https://kab-contoh.go.id/media/a.svg', { fetch: serve(svg, 'image/svg+xml') })).toEqual({
      ok: false,
      error: 'not_an_image',
    });
    expect(
      await fetchItemImage('https://kab-contoh.go.id/media/a.png', { fetch: serve('<script>alert(1)</script>', 'image/png') }),
    ).toEqual({ ok: false, error: 'not_an_image' });
  });

  it('refuses a picture over 5 MiB and names the file from safe characters only', async () => {
    const big = new Uint8Array(MAX_IMAGE_BYTES + 1);
    big.set(PNG);
    expect(await fetchItemImage('https://kab-contoh.go.id/media/a.png', { fetch: serve(big, 'image/png') })).toEqual({
      ok: false,
      error: 'too_large',
    });
    const r = await fetchItemImage('https://kab-contoh.go.id/media/%22%3E%3Cimg%20onerror=x%3E..%2F..%2Fetc.png', {
      fetch: serve(PNG, 'image/png'),
    });
    expect(r.ok && r.name).toMatch(/^[\w-]{1,60}\.png$/);
  });

  it('fetches only allowed URLs: https, or http on loopback', async () => {
    const never = (async () => {
      throw new Error('fetched');
    }) as unknown as typeof fetch;
    for (const url of [
      'http://kab-contoh.go.id/a.png',
      'file:///etc/passwd',
      'javascript:alert(1)',
      'https://u:p@kab-contoh.go.id/a.png',
    ]) {
      expect(await fetchItemImage(url, { fetch: never })).toEqual({ ok: false, error: 'bad_url' });
    }
  });
});

describe('F5 (fixed): a signed feed cannot be rolled back to an older signed copy', () => {
  // Ed25519 proves who wrote the bytes, not when: a hijacked server (or a network attacker on a
  // feed served over plain http on loopback) could serve last month's signed feed again, bringing
  // back posts the agency has since withdrawn. Signed feeds carry `_siar.issued_at` now.
  it('refuses a validly signed feed older than the verified copy it holds', async () => {
    const key = generateSigningKey();
    const issued = (feed: ReturnType<typeof feedWith>, at: string) => ({
      ...feed,
      _siar: { ...(feed as { _siar?: object })._siar, issued_at: at },
    });
    const old = Buffer.from(
      JSON.stringify(
        issued(
          feedWith([
            feedItem('ditarik', {
              title: 'Ditarik',
              date_published: '2026-11-01T08:00:00+07:00',
              date_modified: '2026-11-01T08:00:00+07:00',
            }),
          ]),
          '2026-11-01T08:00:00+07:00',
        ),
      ),
    );
    const current = Buffer.from(
      JSON.stringify(
        issued(
          feedWith([
            feedItem('baru', { title: 'Baru', date_published: '2026-11-20T08:00:00+07:00', date_modified: '2026-11-20T08:00:00+07:00' }),
          ]),
          '2026-11-20T08:00:00+07:00',
        ),
      ),
    );
    let served = current;
    const url = 'https://diskominfo.kab-contoh.go.id/siar/feed.json';
    const fetchImpl = (async (u: string | URL) =>
      String(u).endsWith('.sig') ? new Response(signFeed(served, key)) : new Response(served, { status: 200 })) as typeof fetch;
    const now = await refreshFeedState(url, undefined, 1, { publicKey: key.publicKey, fetch: fetchImpl });
    expect(now.items.map((i) => i.id)).toEqual(['baru']);
    served = old;
    const replayed = await refreshFeedState(url, now, 2, { publicKey: key.publicKey, fetch: fetchImpl });
    expect(replayed.items.map((i) => i.id)).toEqual(['baru']);
    expect(replayed.lastError?.code).toBe('replayed');
    // Stripping the issue time does not help: once held, it is required.
    served = Buffer.from(JSON.stringify(feedWith([feedItem('ditarik', { title: 'Ditarik' })])));
    expect((await refreshFeedState(url, now, 3, { publicKey: key.publicKey, fetch: fetchImpl })).lastError?.code).toBe('replayed');
  });

  it('looks once more when the signature belongs to a version published between the two requests', async () => {
    const key = generateSigningKey();
    const v1 = Buffer.from(JSON.stringify({ ...feedWith([feedItem('satu')]), _siar: { issued_at: '2026-11-20T08:00:00+07:00' } }));
    const v2 = Buffer.from(JSON.stringify({ ...feedWith([feedItem('dua')]), _siar: { issued_at: '2026-11-20T09:00:00+07:00' } }));
    let feedCalls = 0;
    // The first feed request gets v1; by the time the signature is asked for, v2 is live.
    const fetchImpl = (async (u: string | URL) =>
      String(u).endsWith('.sig')
        ? new Response(signFeed(v2, key))
        : new Response(++feedCalls === 1 ? v1 : v2, { status: 200 })) as typeof fetch;
    const state = await refreshFeedState('https://diskominfo.kab-contoh.go.id/siar/feed.json', undefined, 1, {
      publicKey: key.publicKey,
      fetch: fetchImpl,
    });
    expect(state.lastError).toBeUndefined();
    expect(state.items.map((i) => i.id)).toEqual(['dua']);
    expect(feedCalls).toBe(2);
  });
});
