// Fuzz suite, part 1: generated and mutated feeds through the parser and the text composer
// Deterministic: every property runs from FUZZ_SEED (printed at the end) with a
// fixed number of runs; SIAR_FUZZ_SEED=<n> explores another seed, SIAR_FUZZ_SCALE=<k> runs k times
// as many cases.
//   npx vitest run tests/unit/fuzz-*.test.ts
import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { composeFor, xWeightedLength } from '@/utils/compose';
import { parseFeedJson, parseFeedText, type FeedParseResult, type Item } from '@/utils/protocol/feed';
import { LIMITS, refreshMinutes } from '@/utils/protocol/item';
import {
  BAD_URLS,
  FUZZ_SEED,
  capUnits,
  envelopeArb,
  feedCaseArb,
  hasLoneSurrogate,
  nested,
  runs,
  textArb,
  timeArb,
  urlArb,
  validItemArb,
  xStressItemArb,
  type FeedCase,
  type Json,
  type Raw,
} from './fuzz/arbitraries';

/** X's limit, as X states it (compose.test.ts checks the X site file says the same). */
const X_MAX_WEIGHTED = 280;

// Runs per property. Together they put 10,000 generated or mutated feeds through the parser, and
// every item of every accepted feed through the composer (X, and one other platform in turn; the
// X property composes for all five).
const RUNS = {
  anyString: runs(3150),
  anyJson: runs(3150),
  mixedFeeds: runs(1200),
  textMutations: runs(1500),
  envelopeMutations: runs(500),
  xComposer: runs(490),
  overflow: runs(10),
} as const;
const TOTAL_FEEDS = Object.values(RUNS).reduce((a, b) => a + b, 0);
/** Runs of each known-bug property: it stops at its first counterexample, so these are a cap. */
const KNOWN_BUG_RUNS = 200;

const stats = {
  feeds: 0,
  parsed: 0,
  okFeeds: 0,
  keptItems: 0,
  droppedItems: 0,
  composed: 0,
  xShortened: 0,
  xTagsCut: 0,
  xUrlOverLimit: 0,
  msParse: 0,
  msCompose: 0,
  msOracle: 0,
  knownBugRuns: 0,
};
const started = performance.now();
const startedCpu = process.cpuUsage();
let seedOffset = 0;

/** fc.assert with the suite's seed (one offset per property, so they do not share a stream). */
function check<T>(arb: fc.Arbitrary<T>, runs: number, predicate: (v: T) => void): void {
  const seed = FUZZ_SEED + seedOffset++;
  fc.assert(
    fc.property(arb, (v) => {
      stats.feeds++;
      predicate(v);
    }),
    { seed, numRuns: runs },
  );
}

/** The same for a known-bug property: stops at the first counterexample, no shrinking. */
function checkKnownBug<T>(arb: fc.Arbitrary<T>, predicate: (v: T) => void): void {
  const seed = FUZZ_SEED + seedOffset++;
  fc.assert(
    fc.property(arb, (v) => {
      stats.knownBugRuns++;
      predicate(v);
    }),
    { seed, numRuns: KNOWN_BUG_RUNS, endOnFailure: true },
  );
}

const PROTO_KEYS = Object.getOwnPropertyNames(Object.prototype).sort().join();
function expectPrototypeIntact(): void {
  must(Object.getOwnPropertyNames(Object.prototype).sort().join() === PROTO_KEYS, 'Object.prototype changed');
  must(({} as Raw).polluted === undefined && ({} as Raw).isAdmin === undefined, 'Object.prototype polluted');
}

/** A cheap assertion for hot paths (expect() costs more than the code under test here). */
function must(cond: unknown, message: string | (() => string)): asserts cond {
  if (!cond) throw new Error(typeof message === 'string' ? message : message());
}

/** An item through a one-item feed, as the extension would get it. */
function parsedSingle(raw: Raw): Item {
  const r = parseText(JSON.stringify({ version: 'https://jsonfeed.org/version/1.1', title: 'T', items: [raw] }));
  if (!r.ok) throw new Error(`refused: ${JSON.stringify(raw).slice(0, 200)}`);
  return r.feed.items[0]!;
}

function timed<T>(key: 'msParse' | 'msCompose', f: () => T): T {
  const t = performance.now();
  try {
    return f();
  } finally {
    stats[key] += performance.now() - t;
  }
}
function parseText(text: string): FeedParseResult {
  stats.parsed++;
  return timed('msParse', () => parseFeedText(text));
}
function parseJson(value: unknown): FeedParseResult {
  stats.parsed++;
  return timed('msParse', () => parseFeedJson(value));
}

function tally(r: FeedParseResult): void {
  if (r.ok) {
    stats.okFeeds++;
    stats.keptItems += r.feed.items.length;
    stats.droppedItems += r.feed.dropped;
  } else if (r.problem.kind === 'no_valid_items') stats.droppedItems += r.problem.dropped;
}

// ---------------------------------------------------------------------------------------------
// Protocol invariants of an item that passed the schema (written from docs/protocol.md, not the schema)

const ITEM_KEYS = new Set([
  'id',
  'url',
  'title',
  'summary',
  'content_text',
  'image',
  'date_published',
  'date_modified',
  'tags',
  'attachments',
  '_siar',
]);
const SIAR_KEYS = new Set([
  'agency',
  'captions',
  'hashtags',
  'priority',
  'expires_at',
  'platforms',
  'campaign',
  'campaign_name',
  'image_sha256',
]);
const ATTACHMENT_KEYS = new Set(['url', 'mime_type', 'title', 'size_in_bytes', 'duration_in_seconds', '_siar']);
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;
const PLATFORM = /^[a-z][a-z0-9_-]{0,31}$/;
const HASHTAG = /^[\p{L}\p{M}\p{Nd}_]+$/u;

function urlAllowed(value: string): boolean {
  if (value.length > 2048) return false;
  // What a browser would act on: tabs and newlines vanish, leading C0/space is skipped.
  // eslint-disable-next-line no-control-regex -- C0 controls are exactly what a browser skips
  const squashed = value.replace(/[\t\n\r]/g, '').replace(/^[\u0000-\u0020]+/, '');
  if (/^(javascript|data|vbscript|file|blob|about):/i.test(squashed)) return false;
  let u: URL;
  try {
    u = new URL(value);
  } catch {
    return false;
  }
  if (u.username !== '' || u.password !== '') return false;
  if (u.protocol === 'https:') return u.host !== '';
  return u.protocol === 'http:' && ['localhost', '127.0.0.1', '[::1]'].includes(u.hostname);
}

function expectPlainObject(v: unknown, keys: Set<string>, where: string): asserts v is Raw {
  must(typeof v === 'object' && v !== null && !Array.isArray(v), () => where);
  must(Object.getPrototypeOf(v) === Object.prototype, () => `${where} prototype`);
  for (const k of Object.keys(v as Raw)) must(keys.has(k), () => `${where}: unexpected key ${JSON.stringify(k)}`);
}

function expectString(v: unknown, min: number, max: number, where: string): void {
  must(typeof v === 'string', () => where);
  const n = (v as string).length;
  must(n >= min && n <= max, () => `${where}: length ${n} not in [${min}, ${max}]`);
}

function expectTime(v: unknown, where: string): void {
  must(typeof v === 'string', () => where);
  must(RFC3339.test(v as string), () => `${where}: ${String(v)} is not RFC 3339 with an offset`);
  must(Number.isFinite(Date.parse(v as string)), () => `${where}: ${String(v)} does not parse`);
}

function expectItemInvariants(item: Item): void {
  const w = `item ${JSON.stringify(item.id)}`;
  expectPlainObject(item, ITEM_KEYS, w);
  expectString(item.id, 1, LIMITS.id, `${w}.id`);
  for (const k of ['url', 'image'] as const) {
    const u = item[k];
    if (u !== undefined) must(urlAllowed(u), () => `${w}.${k} ${JSON.stringify(u.slice(0, 80))} is not an allowed URL`);
  }
  if (item.title !== undefined) expectString(item.title, 0, LIMITS.title, `${w}.title`);
  if (item.summary !== undefined) expectString(item.summary, 0, LIMITS.summary, `${w}.summary`);
  if (item.content_text !== undefined) expectString(item.content_text, 0, LIMITS.contentText, `${w}.content_text`);
  if (item.date_published !== undefined) expectTime(item.date_published, `${w}.date_published`);
  if (item.date_modified !== undefined) expectTime(item.date_modified, `${w}.date_modified`);
  if (item.attachments !== undefined) {
    // Kept only when readable; garbage is left out without costing the item.
    must(Array.isArray(item.attachments) && item.attachments.length >= 1 && item.attachments.length <= 10, () => `${w}.attachments`);
    for (const a of item.attachments) {
      expectPlainObject(a, ATTACHMENT_KEYS, `${w}.attachments[]`);
      must(urlAllowed(a.url), () => `${w}.attachments[].url`);
      expectString(a.mime_type, 1, 100, `${w}.attachments[].mime_type`);
    }
  }
  if (item.tags !== undefined) {
    must(Array.isArray(item.tags) && item.tags.length <= 50, () => `${w}.tags`);
    for (const t of item.tags) expectString(t, 0, 100, `${w}.tags[]`);
  }
  const s = item._siar;
  let hasCaption = false;
  if (s !== undefined) {
    expectPlainObject(s, SIAR_KEYS, `${w}._siar`);
    if (s.agency !== undefined) {
      expectPlainObject(s.agency, new Set(['id', 'name']), `${w}.agency`);
      expectString(s.agency.id, 1, LIMITS.id, `${w}.agency.id`);
      expectString(s.agency.name, 1, LIMITS.name, `${w}.agency.name`);
    }
    if (s.captions !== undefined) {
      must(Object.getPrototypeOf(s.captions) === Object.prototype, () => `${w}.captions prototype`);
      for (const [k, c] of Object.entries(s.captions)) {
        must(PLATFORM.test(k), () => `${w}.captions key ${JSON.stringify(k)}`);
        const list = Array.isArray(c) ? c : [c];
        if (Array.isArray(c)) must(c.length >= 1 && c.length <= LIMITS.variants, () => `${w}.captions.${k} variants`);
        for (const v of list) expectString(v, 0, LIMITS.caption, `${w}.captions.${k}`);
        hasCaption ||= list.some(Boolean);
      }
    }
    const tags = s.hashtags;
    if (tags !== undefined) {
      must(tags.length <= LIMITS.hashtags, () => `${w}: ${tags.length} hashtags`);
      for (const t of tags) {
        must(HASHTAG.test(t) && [...t].length <= 100, () => `${w}: hashtag ${JSON.stringify(t)}`);
      }
    }
    if (s.priority !== undefined) must(['normal', 'high', 'mandatory'].includes(s.priority), () => `${w}: priority ${s.priority}`);
    if (s.expires_at !== undefined) expectTime(s.expires_at, `${w}.expires_at`);
    if (s.platforms !== undefined) {
      must(s.platforms.length <= 32, () => `${w}.platforms`);
      for (const p of s.platforms) must(PLATFORM.test(p), () => `${w}: platform ${JSON.stringify(p)}`);
    }
    if (s.campaign !== undefined) expectString(s.campaign, 0, LIMITS.name, `${w}.campaign`);
    if (s.campaign_name !== undefined) expectString(s.campaign_name, 0, LIMITS.name, `${w}.campaign_name`);
    if (s.image_sha256 !== undefined) must(/^[0-9a-f]{64}$/.test(s.image_sha256), () => `${w}.image_sha256`);
  }
  must(Boolean(item.url || item.title || item.summary || item.content_text) || hasCaption, () => `${w}: nothing to share`);
}

function expectResultInvariants(r: FeedParseResult): void {
  must(typeof r.ok === 'boolean', 'ok is a boolean');
  if (!r.ok) {
    must(['not_json', 'not_json_feed', 'no_valid_items'].includes(r.problem.kind), () => `problem ${JSON.stringify(r.problem)}`);
    return;
  }
  const { feed } = r;
  // None at all only when none was sent: an empty feed is "nothing to share now".
  must((feed.items.length > 0 || feed.dropped === 0) && feed.items.length <= LIMITS.items, () => `${feed.items.length} items`);
  must(new Set(feed.items.map((i) => i.id)).size === feed.items.length, 'ids are unique');
  must(feed.meta.version.startsWith('https://jsonfeed.org/version/1') && feed.meta.title.length > 0, 'version and title');
  const m = refreshMinutes(feed.meta);
  must(m >= 5 && m <= 24 * 60, () => `refresh ${m}`);
  for (const u of [feed.meta.home_page_url, feed.meta.feed_url, feed.meta._siar?.tally_url, feed.meta._siar?.about]) {
    if (u !== undefined) must(urlAllowed(u), () => `feed URL ${u}`);
  }
  for (const item of feed.items) expectItemInvariants(item);
}

// ---------------------------------------------------------------------------------------------
// Composer oracle (docs/protocol.md "How a post becomes the text that is inserted")

const PLATFORMS = ['x', 'facebook', 'whatsapp', 'default', 'other'] as const;
const joinParts = (parts: string[]) => parts.filter((p) => p.length > 0).join('\n\n');
const hashLine = (tags: readonly string[]) => tags.map((t) => `#${t}`).join(' ');
const mod = (v: number, n: number) => ((v % n) + n) % n;

function expectedVariants(item: Item, platform: string): string[] {
  const captions = item._siar?.captions ?? {};
  for (const key of [platform, 'default']) {
    const c = Object.hasOwn(captions, key) ? captions[key] : undefined;
    const list = (c === undefined ? [] : Array.isArray(c) ? c : [c]).map((s) => s.trim()).filter((s) => s.length > 0);
    if (list.length) return list;
  }
  const fallback = (item.title ?? '').trim() || (item.summary ?? '').trim();
  return [fallback];
}

const graphemes = new Intl.Segmenter('und', { granularity: 'grapheme' });
function graphemeBoundaries(s: string): Set<number> {
  const b = new Set<number>([s.length]);
  for (const g of graphemes.segment(s)) b.add(g.index);
  return b;
}

/**
 * Two deviations of the X shortener are counted here rather than failed on; each has its own
 * targeted property below (see "known bugs").
 */
const deviations = { ellipsisOnWholeCaption: 0, splitGrapheme: 0 };

function expectComposed(item: Item, platform: string, variant: number): void {
  const r = timed('msCompose', () => composeFor(item, platform, variant));
  stats.composed++;
  const t0 = performance.now();
  try {
    expectComposedText(item, platform, variant, r);
  } finally {
    stats.msOracle += performance.now() - t0;
  }
}

function expectComposedText(item: Item, platform: string, variant: number, r: ReturnType<typeof composeFor>): void {
  const where = `composeFor(${JSON.stringify(item.id)}, ${platform}, ${variant})`;
  const variants = expectedVariants(item, platform);
  const caption = variants[mod(variant, variants.length)]!;
  const tags = item._siar?.hashtags ?? [];
  const url = item.url ?? '';
  const full = joinParts([caption, hashLine(tags), url]);
  const inputsWellFormed = ![caption, url, ...tags].some(hasLoneSurrogate);
  if (inputsWellFormed) must(!hasLoneSurrogate(r.text), () => `${where}: lone surrogate in ${JSON.stringify(r.text)}`);

  if (platform !== 'x') {
    if (r.text !== full) expect(r.text, where).toBe(full);
    must(!r.shortened, () => `${where}: shortened`);
    return;
  }
  const fits = (t: string) => xWeightedLength(t) <= X_MAX_WEIGHTED;
  const wFull = xWeightedLength(full);
  if (wFull <= X_MAX_WEIGHTED) {
    if (r.text !== full) expect(r.text, `${where}: fits, so unchanged`).toBe(full);
    must(r.weighted === wFull && !r.shortened, () => `${where}: weighted ${r.weighted}, shortened ${r.shortened}`);
    return;
  }
  const wText = xWeightedLength(r.text);
  must(r.weighted === wText, () => `${where}: weighted ${r.weighted}, counted ${wText}`);
  stats.xShortened++;
  must(r.shortened, () => `${where}: shortened flag`);
  // Hashtags are dropped from the end only while hashtags + URL alone are over the limit: the
  // text ends with the URL after the longest prefix of the hashtags that fits beside it.
  const tailOf = (k: number) => joinParts([hashLine(tags.slice(0, k)), url]);
  let k = tags.length;
  while (k > 0 && !r.text.endsWith(tailOf(k))) k--;
  const tail = tailOf(k);
  must(r.text.endsWith(tail), () => `${where}: keeps ${JSON.stringify(tail)} at the end of ${JSON.stringify(r.text)}`);
  if (k < tags.length) {
    stats.xTagsCut++;
    must(!fits(tailOf(k + 1)), () => `${where}: dropped hashtags although ${JSON.stringify(tailOf(k + 1))} fits`);
  }
  if (k > 0) must(fits(tail), () => `${where}: kept hashtags that do not fit beside the URL`);
  if (url) must(r.text.endsWith(url), () => `${where}: keeps the URL`);
  // Over the limit only where the URL alone is.
  if (wText > X_MAX_WEIGHTED) {
    must(!fits(url), () => `${where}: ${JSON.stringify(r.text)} is ${wText} weighted`);
    stats.xUrlOverLimit++;
  }

  const head = r.text.slice(0, r.text.length - tail.length);
  let part = head;
  if (tail.length > 0 && head.length > 0) {
    must(head.endsWith('\n\n'), () => `${where}: blank line before the tail`);
    part = head.slice(0, -2);
  }
  if (part === caption) return;
  // Known bug 1: the whole caption fits beside the kept tail, yet it was "shortened".
  if (fits(joinParts([caption, tail]))) deviations.ellipsisOnWholeCaption++;
  if (part === '') return;
  must(part.endsWith('…'), () => `${where}: shortened caption ends with …: ${JSON.stringify(part)}`);
  const kept = part.slice(0, -1);
  must(caption.startsWith(kept), () => `${where}: ${JSON.stringify(kept)} is a prefix of the caption`);
  must(!/\s$/u.test(kept), () => `${where}: no space before …`);
  // At a word boundary, unless the caption starts with one word too long to fit.
  const rest = caption.slice(kept.length);
  const atWordBoundary = rest === '' || /^[\s.,;:!?…-]*(\s|$)/u.test(rest);
  must(
    atWordBoundary || !/\s/u.test(kept),
    () => `${where}: cut inside a word: ${JSON.stringify(kept.slice(-20))}|${JSON.stringify(rest.slice(0, 20))}`,
  );
  // Known bug 2: a long word is cut inside a grapheme.
  if (!graphemeBoundaries(caption).has(kept.length)) deviations.splitGrapheme++;
}

/** X for every item, and one of the other platforms in turn (the X property covers all five). */
function composeAll(items: readonly Item[], variants: readonly number[], turn: number): void {
  items.forEach((item, n) => {
    const v = variants[n % variants.length]!;
    expectComposed(item, 'x', v);
    expectComposed(item, PLATFORMS[1 + ((turn + n) % 4)]!, v);
  });
}

const NOT_JSON = { ok: false, problem: { kind: 'not_json' } };

/** Deep equality; node's is fast, vitest's explains a difference. */
function expectSame(actual: unknown, expected: unknown, what?: string): void {
  if (!isDeepStrictEqual(actual, expected)) expect(actual, what).toEqual(expected);
}

const variantArb = fc.oneof(
  fc.integer(),
  fc.integer({ min: -3, max: 25 }),
  fc.constantFrom(Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER, 2 ** 31, -(2 ** 31), -0),
);

// ---------------------------------------------------------------------------------------------
// Expected outcome of a generated feed

function expectFeedOutcome(c: FeedCase, r: FeedParseResult): void {
  const seen = new Set<string>();
  const kept: Item[] = [];
  for (const e of c.entries) {
    if (e.kind === 'valid' && !seen.has(e.clean.id)) {
      seen.add(e.clean.id);
      kept.push(e.clean);
    }
  }
  const dropped = c.entries.length - kept.length;
  if (kept.length === 0 && dropped > 0) {
    expectSame(r, { ok: false, problem: { kind: 'no_valid_items', dropped } });
    return;
  }
  if (!r.ok) {
    // Name the culprit: the first valid entry that the parser refused on its own.
    const lone = c.entries.find((e) => e.kind === 'valid' && !parseFeedJson({ ...c.env, items: [e.raw] }).ok);
    expect.fail(
      `feed refused (${JSON.stringify(r.problem)}); first refused valid item: ${JSON.stringify(lone && lone.kind === 'valid' ? lone.clean : undefined)}`,
    );
  }
  const wrongBad = c.entries.filter((e) => e.kind === 'bad' && parseFeedJson({ ...c.env, items: [e.raw] }).ok);
  if (wrongBad.length)
    expect(
      wrongBad.map((e) => (e.kind === 'bad' ? e.why : '')),
      'bad neighbours that were accepted',
    ).toEqual([]);
  expectSame(
    r.feed.items.map((i) => i.id),
    kept.map((i) => i.id),
    'same ids, same order',
  );
  expectSame(r.feed.items, kept, 'items come out as they went in, unknown keys stripped');
  must(
    r.feed.dropped === dropped && r.feed.overflow === 0,
    () => `dropped ${r.feed.dropped} (expected ${dropped}), overflow ${r.feed.overflow}`,
  );
  if (!isDeepStrictEqual(r.feed.meta, c.meta)) expect(r.feed.meta).toEqual(c.meta);
}

// ---------------------------------------------------------------------------------------------

describe('fuzz: feed parser', { timeout: 120_000 }, () => {
  it(`never throws on any string (${RUNS.anyString} runs)`, () => {
    const arb = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 300 }),
      fc.string({ unit: 'grapheme', maxLength: 300 }),
      fc.json({ maxDepth: 4 }),
      fc.json({ maxDepth: 3 }).map((j) => `{"version":"https://jsonfeed.org/version/1.1","title":"T","items":[${j}]}`),
      fc.constantFrom(
        '<html><body>Situs ini diretas. Slot gacor 777</body></html>',
        '',
        ' ',
        '\uFEFF',
        'null',
        'undefined',
        'NaN',
        '{',
        '}',
        '[',
        '{"items":',
        '\u0000',
        '"\\ud800"',
        '1e999',
        '-0',
        '{"__proto__":{"polluted":true},"version":"https://jsonfeed.org/version/1.1","title":"T","items":[{"id":"a","title":"t"}]}',
        '{"constructor":{"prototype":{"polluted":true}}}',
        '['.repeat(5000) + ']'.repeat(5000),
        '{"a":'.repeat(3000) + '1' + '}'.repeat(3000),
        JSON.stringify({ version: 'https://jsonfeed.org/version/1.1', title: 'T', items: [{ id: 'a', title: 't', _x: nested(1500) }] }),
      ),
    );
    check(arb, RUNS.anyString, (s) => {
      const r = parseText(s);
      tally(r);
      expectResultInvariants(r);
      expectPrototypeIntact();
      if (r.ok) composeAll(r.feed.items, [0, s.length], s.length);
    });
  });

  it(`never throws on any JSON value or feed-shaped garbage (${RUNS.anyJson} runs)`, () => {
    const knownKey = fc.constantFrom(
      'id',
      'url',
      'title',
      'summary',
      'content_text',
      'content_html',
      'image',
      'date_published',
      'date_modified',
      'tags',
      '_siar',
      'agency',
      'captions',
      'hashtags',
      'priority',
      'expires_at',
      'platforms',
      'campaign',
      '__proto__',
      'constructor',
      'prototype',
    );
    const nearValue: fc.Arbitrary<Json> = fc.oneof(
      fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<Json>,
      timeArb,
      urlArb,
      textArb(300),
      fc.constantFrom<Json>(
        ...BAD_URLS.slice(0, 12),
        'https://pemkab.example/',
        'Judul',
        'high',
        ['x'],
        ['Tag'],
        { default: 'Halo' },
        { x: ['a', 'b'] },
      ),
    );
    const garbageItem: fc.Arbitrary<Json> = fc.letrec<{ item: Json }>((tie) => ({
      item: fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        fc.dictionary(knownKey, nearValue, { maxKeys: 8 }) as fc.Arbitrary<Json>,
        fc.dictionary(knownKey, fc.oneof(nearValue, tie('item')), { maxKeys: 5 }) as fc.Arbitrary<Json>,
      ),
    })).item;
    const feedShaped = fc.record({
      version: fc.constantFrom<Json>(
        'https://jsonfeed.org/version/1.1',
        'https://jsonfeed.org/version/1',
        'https://jsonfeed.org/version/1.0.9',
        5,
      ),
      title: fc.oneof(fc.constant<Json>('Feed'), fc.jsonValue({ maxDepth: 1 }) as fc.Arbitrary<Json>),
      items: fc.array(fc.oneof(garbageItem, fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<Json>), { maxLength: 8 }),
      _siar: fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<Json>,
    });
    const arb = fc.oneof(fc.jsonValue({ maxDepth: 4 }) as fc.Arbitrary<Json>, feedShaped as fc.Arbitrary<Json>);
    check(arb, RUNS.anyJson, (v) => {
      const r = parseJson(v);
      tally(r);
      expectResultInvariants(r);
      // The same value as text takes the same path.
      expectSame(parseText(JSON.stringify(v)), r);
      if (r.ok) {
        const n = (v as { items: unknown[] }).items.length;
        must(r.feed.items.length + r.feed.dropped === n, 'every item is kept or counted');
        composeAll(r.feed.items, [0, -1, n], n);
      }
      expectPrototypeIntact();
    });
  });

  it(`keeps every valid item beside bad neighbours, first id wins (${RUNS.mixedFeeds} runs)`, () => {
    const arb = fc.tuple(feedCaseArb({ longTokens: 40 }, 8), fc.array(variantArb, { minLength: 1, maxLength: 3 }), fc.nat(3));
    check(arb, RUNS.mixedFeeds, ([c, variants, turn]) => {
      const r = parseJson(c.feed);
      tally(r);
      expectFeedOutcome(c, r);
      expectResultInvariants(r);
      // The bytes as served: own `__proto__` keys become JSON keys, and come back as data.
      expectSame(parseText(JSON.stringify(c.feed)), r);
      expectPrototypeIntact();
      if (r.ok) composeAll(r.feed.items, variants, turn);
    });
  });

  it(`survives mutated feed text: truncation, BOM, edits, random bytes, non-JSON (${RUNS.textMutations} runs)`, () => {
    type TextMutation =
      | { k: 'truncate'; at: number }
      | { k: 'bom' }
      | { k: 'edits'; edits: [number, number, string][] }
      | { k: 'bytes'; bytes: Uint8Array }
      | { k: 'garbage-after'; tail: string }
      | { k: 'whitespace'; before: string; after: string }
      | { k: 'escape-non-ascii' }
      | { k: 'html' }
      | { k: 'deep'; depth: number };
    const editChar = fc.oneof(
      fc.constantFrom(
        '"',
        '{',
        '}',
        '[',
        ']',
        ',',
        ':',
        '\\',
        '\u0000',
        '\n',
        '\uD800',
        '\uDC00',
        '\uFEFF',
        'null',
        'true',
        '1e999',
        '"__proto__"',
        '',
      ),
      fc.string({ unit: 'binary', maxLength: 3 }),
    );
    const mutation: fc.Arbitrary<TextMutation> = fc.oneof(
      fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }).map((at) => ({ k: 'truncate' as const, at })),
      fc.constant({ k: 'bom' as const }),
      fc
        .array(
          fc.tuple(
            fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }).map((x) => x),
            fc.integer({ min: 0, max: 3 }),
            editChar,
          ),
          { minLength: 1, maxLength: 5 },
        )
        .map((edits) => ({
          k: 'edits' as const,
          edits: edits as [number, number, string][],
        })),
      fc.uint8Array({ maxLength: 400 }).map((bytes) => ({ k: 'bytes' as const, bytes })),
      fc.constantFrom('x', ',', '}', ']', '{}', 'null', '<!-- -->', '\u0000').map((tail) => ({ k: 'garbage-after' as const, tail })),
      fc
        .tuple(fc.constantFrom('', ' ', '\n', '\t', '\r\n  '), fc.constantFrom('', ' ', '\n', '\t\n'))
        .map(([before, after]) => ({ k: 'whitespace' as const, before, after })),
      fc.constant({ k: 'escape-non-ascii' as const }),
      fc.constant({ k: 'html' as const }),
      fc.integer({ min: 1000, max: 20_000 }).map((depth) => ({ k: 'deep' as const, depth })),
    );
    const utf8 = new TextEncoder();
    check(fc.tuple(feedCaseArb({ longTokens: 20 }, 3), mutation), RUNS.textMutations, ([c, m]) => {
      const text = JSON.stringify(c.feed);
      const base = parseFeedText(text);
      let r: FeedParseResult;
      switch (m.k) {
        case 'truncate': {
          const cut = capUnits(text, Math.floor(m.at * text.length));
          r = parseText(cut);
          // A proper prefix of a JSON object is never JSON.
          expectSame(r, NOT_JSON);
          break;
        }
        case 'bom': {
          r = parseText(`\uFEFF${text}`);
          // fetch.ts decodes with TextDecoder, which drops a UTF-8 BOM: the extension sees `text`.
          const bytes = new Uint8Array([0xef, 0xbb, 0xbf, ...utf8.encode(text)]);
          expectSame(parseText(new TextDecoder('utf-8').decode(bytes)), base);
          break;
        }
        case 'edits': {
          let t = text;
          for (const [at, del, ins] of m.edits) {
            const i = Math.floor(at * t.length);
            t = t.slice(0, i) + ins + t.slice(i + del);
          }
          r = parseText(t);
          let json: unknown;
          let isJson = true;
          try {
            json = JSON.parse(t);
          } catch {
            isJson = false;
          }
          if (isJson) expectSame(parseJson(json), r);
          else expectSame(r, NOT_JSON);
          break;
        }
        case 'bytes':
          r = parseText(new TextDecoder('utf-8').decode(m.bytes));
          break;
        case 'garbage-after':
          r = parseText(text + m.tail);
          expectSame(r, NOT_JSON);
          break;
        case 'whitespace':
          r = parseText(m.before + text + m.after);
          expectSame(r, base);
          break;
        case 'escape-non-ascii':
          // eslint-disable-next-line no-control-regex -- everything outside ASCII, from NUL up
          r = parseText(text.replace(/[^\x00-\x7f]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`));
          expectSame(r, base);
          break;
        case 'html':
          r = parseText(`<!doctype html><html><head><title>Hacked</title></head><body>${text}</body></html>`);
          expectSame(r, NOT_JSON);
          break;
        case 'deep':
          r = parseText(`${'['.repeat(m.depth)}${text}${']'.repeat(m.depth)}`);
          expect(r.ok).toBe(false);
          break;
      }
      tally(r);
      expectResultInvariants(r);
      expectPrototypeIntact();
      if (r.ok) composeAll(r.feed.items, [0, 1], m.k.length);
    });
  });

  it(`refuses a broken envelope as a whole (${RUNS.envelopeMutations} runs)`, () => {
    const breakEnvelope = fc.oneof(
      fc.constantFrom('version', 'title', 'items').map((k) => ({ why: `no ${k}`, f: (f: Raw) => void delete f[k] })),
      fc
        .constantFrom<Json>('https://jsonfeed.org/version/2', 'http://jsonfeed.org/version/1.1', 'jsonfeed 1.1', '', 1.1, null, [
          'https://jsonfeed.org/version/1.1',
        ])
        .map((v) => ({ why: `version ${JSON.stringify(v)}`, f: (f: Raw) => void (f.version = v) })),
      fc
        .constantFrom<Json>('', 5, null, ['T'], { id: 'T' })
        .map((v) => ({ why: `title ${JSON.stringify(v)}`, f: (f: Raw) => void (f.title = v) })),
      fc.integer({ min: 301, max: 5000 }).map((n) => ({ why: `title of ${n}`, f: (f: Raw) => void (f.title = 'T'.repeat(n)) })),
      fc
        .constantFrom<Json>({}, 'items', null, 5, { 0: { id: 'a', title: 't' }, length: 1 })
        .map((v) => ({ why: `items ${JSON.stringify(v)}`, f: (f: Raw) => void (f.items = v) })),
      fc
        .tuple(fc.constantFrom('home_page_url', 'feed_url'), fc.constantFrom(...BAD_URLS))
        .map(([k, u]) => ({ why: `${k} ${u.slice(0, 40)}`, f: (f: Raw) => void (f[k] = u) })),
      fc
        .constantFrom<Json>('x'.repeat(36), 5, null)
        .map((v) => ({ why: `language ${JSON.stringify(v)}`, f: (f: Raw) => void (f.language = v) })),
      fc.constant({
        why: 'fields only under __proto__',
        f: (f: Raw) => {
          const inner = { version: f.version, title: f.title, items: f.items };
          for (const k of ['version', 'title', 'items']) delete f[k];
          Object.defineProperty(f, '__proto__', { value: inner, enumerable: true, configurable: true, writable: true });
        },
      }),
    );
    check(fc.tuple(feedCaseArb({ longTokens: 20 }, 3), breakEnvelope), RUNS.envelopeMutations, ([c, b]) => {
      const feed = { ...c.feed };
      b.f(feed);
      const r = parseJson(feed);
      tally(r);
      must(!r.ok, () => `accepted a feed with ${b.why}`);
      if (!r.ok) expect(r.problem.kind, b.why).toBe('not_json_feed');
      expectSame(parseText(JSON.stringify(feed)), r);
      expectPrototypeIntact();
    });
  });

  it(`keeps the 1,000 newest of a larger feed (${RUNS.overflow} runs)`, () => {
    const arb = fc.tuple(
      envelopeArb,
      fc.integer({ min: 1001, max: 1100 }),
      fc.array(fc.option(timeArb, { freq: 6 }), { minLength: 50, maxLength: 50 }),
    );
    check(arb, RUNS.overflow, ([{ env }, n, times]) => {
      const items = Array.from({ length: n }, (_, i) => {
        const t = times[(i * 7) % times.length];
        return { id: `i${i}`, title: `Judul ${i}`, ...(t ? { date_published: t } : {}) };
      });
      const r = parseText(JSON.stringify({ ...env, items }));
      tally(r);
      expect(r.ok).toBe(true);
      if (!r.ok) return;
      expect(r.feed.items).toHaveLength(LIMITS.items);
      expect(r.feed.overflow).toBe(n - LIMITS.items);
      expect(r.feed.dropped).toBe(0);
      const at = (i: { date_published?: string }) => Date.parse(i.date_published ?? '') || 0;
      const keptIds = new Set(r.feed.items.map((i) => i.id));
      const oldestKept = Math.min(...r.feed.items.map(at));
      const newestLeft = Math.max(...items.filter((i) => !keptIds.has(i.id)).map(at));
      expect(oldestKept).toBeGreaterThanOrEqual(newestLeft);
    });
  });
});

describe('fuzz: text composer', { timeout: 120_000 }, () => {
  it(`fits X, keeps URL and hashtags, is exact elsewhere (${RUNS.xComposer} runs)`, () => {
    const arb = fc.tuple(
      fc.oneof({ weight: 4, arbitrary: xStressItemArb() }, { weight: 1, arbitrary: xStressItemArb({ binary: true }) }),
      fc.array(variantArb, { minLength: 1, maxLength: 3 }),
      envelopeArb,
    );
    check(arb, RUNS.xComposer, ([item, variants, { env }]) => {
      const r = parseText(JSON.stringify({ ...env, items: [item] }));
      tally(r);
      if (!(r.ok && isDeepStrictEqual(r.feed.items, [item])))
        expect(r.ok && r.feed.items, `a valid item was refused: ${JSON.stringify(item).slice(0, 300)}`).toEqual([item]);
      for (const v of variants) expectComposed(item, 'x', v);
      for (const p of PLATFORMS.slice(1)) expectComposed(item, p, variants[0]!);
    });
  });
});

// Known bugs, reported and left to fix (utils/protocol/feed.ts for the first, utils/compose/compose.ts
// for the others). `it.fails` keeps the suite green while a bug is there and turns red once it is
// fixed: then make it a plain `it`.
describe('fuzz: parser and composer, known bugs', { timeout: 120_000 }, () => {
  it(`parser: a caption keyed by the platform name "constructor" does not cost the item (${KNOWN_BUG_RUNS} runs)`, () => {
    checkKnownBug(fc.tuple(validItemArb(), textArb(200, { minLength: 1 })), ([item, caption]) => {
      const withKey = { ...item, _siar: { ...item._siar, captions: { ...item._siar?.captions, constructor: caption } } };
      const r = parseText(JSON.stringify({ version: 'https://jsonfeed.org/version/1.1', title: 'T', items: [withKey] }));
      expect(r.ok && r.feed.items).toEqual([withKey]);
    });
  });

  // A few hashtags too long for X beside the URL, and a short caption: once hashtags are cut,
  // the whole caption fits beside the ones kept.
  const cutTagsArb = fc.record({
    caption: textArb(60, { minLength: 1, maxTokens: 8 }),
    tags: fc.array(fc.stringMatching(/^[A-Za-z0-9_]{90,100}$/), { minLength: 3, maxLength: 5 }),
    url: fc.option(
      urlArb.filter((u) => xWeightedLength(u) <= 30),
      { nil: undefined },
    ),
  });

  it(`X: a caption that fits whole beside the kept hashtags is left as it is (${KNOWN_BUG_RUNS} runs)`, () => {
    checkKnownBug(cutTagsArb, ({ caption, tags, url }) => {
      const item = parsedSingle({ id: 'a', ...(url ? { url } : {}), _siar: { captions: { x: caption }, hashtags: tags } });
      const cap = caption.trim();
      let k = tags.length;
      while (k > 0 && xWeightedLength(joinParts([hashLine(tags.slice(0, k)), url ?? ''])) > X_MAX_WEIGHTED) k--;
      const expected = joinParts([cap, hashLine(tags.slice(0, k)), url ?? '']);
      fc.pre(xWeightedLength(expected) <= X_MAX_WEIGHTED);
      expect(composeFor(item, 'x').text).toBe(expected);
    });
  });

  // One long "word" of multi-code-point graphemes: ZWJ sequences, skin tones, keycaps, flags,
  // letters with combining marks, Devanagari conjuncts.
  const clusterWordArb = fc
    .tuple(
      fc.constantFrom('🧑🏻‍🌾', '👨‍👩‍👧', '👍🏽', '1️⃣', '🏳️‍🌈', 'e\u0301', 'a\u0308\u0323', 'क्षि', '🇮🇩'),
      fc.integer({ min: 150, max: 400 }),
      fc.constantFrom('', 'a', 'ab'),
    )
    .map(([g, n, lead]) => capUnits(lead + g.repeat(n), 2000));

  it(`X: a long word is never cut inside a grapheme (${KNOWN_BUG_RUNS} runs)`, () => {
    checkKnownBug(clusterWordArb, (caption) => {
      const item = parsedSingle({ id: 'a', _siar: { captions: { x: caption } } });
      const r = composeFor(item, 'x');
      fc.pre(r.shortened && r.text.endsWith('…'));
      const kept = r.text.slice(0, -1);
      expect(caption.startsWith(kept)).toBe(true);
      must(graphemeBoundaries(caption).has(kept.length), () => `cut after ${JSON.stringify(kept.slice(-8))}`);
    });
  });
});

afterAll(() => {
  const secs = ((performance.now() - started) / 1000).toFixed(1);
  const cpu = process.cpuUsage(startedCpu);
  const cpuSecs = ((cpu.user + cpu.system) / 1e6).toFixed(1);
  const s = stats;
  console.log(
    `[fuzz] ${s.feeds} feeds (planned ${TOTAL_FEEDS}), seed ${FUZZ_SEED}, ${s.parsed} parses, ${s.okFeeds} accepted, ` +
      `${s.keptItems} items kept, ${s.droppedItems} dropped, ${s.composed} texts composed ` +
      `(X: ${s.xShortened} shortened, ${s.xTagsCut} with hashtags cut, ${s.xUrlOverLimit} with a URL alone over 280), ` +
      `parse ${(s.msParse / 1000).toFixed(1)} s, compose ${(s.msCompose / 1000).toFixed(1)} s, oracle ${(s.msOracle / 1000).toFixed(1)} s; ` +
      `known bugs: ${s.knownBugRuns} runs in their own properties, hits in the runs above: ${deviations.ellipsisOnWholeCaption} ellipsis on a whole caption, ${deviations.splitGrapheme} split graphemes; ${secs} s (${cpuSecs} s CPU)`,
  );
});
