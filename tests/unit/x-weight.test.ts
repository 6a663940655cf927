// X's weighted length: utils/compose/x-weight.ts must give exactly what twitter-text's parseTweet
// gives, for every text it answers at all (it may decline, and then parseTweet counts). Generated
// texts mix what Siar's captions hold with what twitter-text treats specially: URLs with and
// without scheme, TLDs valid and not, trailing punctuation, NFC-sensitive accents, the edges of
// the weight-1 ranges, emoji sequences. Deterministic: FUZZ_SEED, fixed runs.
import fc from 'fast-check';
import parseTweet from 'twitter-text/dist/esm/parseTweet';
import { describe, expect, it } from 'vitest';
import { composeFor, xWeightedLength } from '@/utils/compose';
import { fastXWeightedLength } from '@/utils/compose/x-weight';
import { parseFeedText } from '@/utils/protocol/feed';
import { buildDemoFeed } from '../../server/demo/feed';
import { FUZZ_SEED, runs } from './fuzz/arbitraries';

const expected = (text: string) => parseTweet(text).weightedLength;

/** Checks `text`; true when the fast count answered. */
function agrees(text: string): boolean {
  const fast = fastXWeightedLength(text);
  const want = expected(text);
  if (fast !== undefined) expect(fast, JSON.stringify(text)).toBe(want);
  expect(xWeightedLength(text), JSON.stringify(text)).toBe(want);
  return fast !== undefined;
}

// ---------------------------------------------------------------------------------------------
// Generators

const WORDS = [
  'Bupati',
  'mengajak',
  'ASN',
  'sebarkan',
  'capaian',
  'pembangunan',
  'Kabupaten',
  'Contoh',
  'Yuk,',
  'ikut!',
  'Rp1.500.000',
  '14,2',
  'persen.',
  '08.00',
  'WIB',
  'ke-79',
  'SMA/SMK',
  'RT/RW',
  '2.000',
  'dll.',
  'Jl.',
  'No.1',
  'https',
  'http',
  'www',
  'go',
  'id',
  'co',
  'com',
  'x',
  'a',
  'Dinas',
  'Kominfo',
  'Selamat',
  'pagi',
  '20%',
];
const ACCENTS = [
  'é',
  'e\u0301',
  'Å',
  'A\u030A',
  '\u212B',
  '\u2126',
  'ñ',
  'n\u0303',
  'ü',
  'u\u0308',
  'ệ',
  'e\u0323\u0302',
  '\u0301',
  'Ḁ',
  '\u1100\u1161',
  '가',
  'ﬁ',
  'Besök',
  'Cafe\u0301',
  'ǅ',
  'ſ',
  'ß',
  'Кириллица',
  'ι',
  'µ',
];
const SCRIPTS = ['日本語', '中文字', '한국어', 'ひらがな', 'مرحبا', 'שלום', 'हिन्दी', 'ก้ำ', 'Ελληνικά', '𝕏𝕪𝕫', '𠜎'];
// Both sides of every edge of the weight-1 ranges, and common punctuation around them.
const EDGES = [
  '\u10FF',
  '\u1100',
  '\u1FFF',
  '\u2000',
  '\u200A',
  '\u200B',
  '\u200C',
  '\u200D',
  '\u200E',
  '\u200F',
  '\u2010',
  '\u2013',
  '\u2014',
  '\u2019',
  '\u201C',
  '\u201D',
  '\u201F',
  '\u2020',
  '\u2022',
  '\u2026',
  '\u2031',
  '\u2032',
  '\u2037',
  '\u2038',
  '\u00A0',
  '\u3000',
  '\uFEFF',
  '\uFFFE',
  '\u00A9',
  '\u00AE',
  '\u2122',
  '\uD83D',
  '\uDE00',
];
const EMOJI = [
  '🌾',
  '🎉',
  '💪',
  '👶',
  '💚',
  '😀',
  '🔥',
  '📢',
  '🙏',
  '🤝',
  '🥱',
  '\uE50A',
  '❤\uFE0F',
  '❤',
  '❤\uFE0E',
  '☺\uFE0F',
  '⚠\uFE0F',
  '➡\uFE0F',
  '©\uFE0F',
  '®\uFE0F',
  '™\uFE0F',
  '⏰\uFE0F',
  '😀\uFE0F',
  '🗣\uFE0F',
  '🏛\uFE0F',
  '🖐\uFE0F',
  '⚧\uFE0F',
  '\uFE0F',
  '\uFE0F\uFE0F',
  '👍🏻',
  '🙏🏽',
  '✌🏿',
  '☝🏼',
  '☝\uFE0F🏼',
  '😀🏻',
  '🏻',
  '🤝🏻',
  '👍🏻\uFE0F',
  '🇮🇩',
  '🇲🇾',
  '🇦🇦',
  '🇮',
  '🇩',
  '🇮🇩🇮🇩',
  '🇦🇦🇮🇩🇮',
  '👨‍👩‍👧',
  '🧑🏻‍🌾',
  '🏳️‍🌈',
  '👩‍❤️‍👨',
  '1️⃣',
  '#⃣',
  '*\uFE0F⃣',
  '🏴󠁧󠁢󠁳󠁣󠁴󠁿',
  '\u200D',
];
const TAGS = [
  '#KabupatenContoh',
  '#ASNBerAKHLAK',
  '@diskominfo',
  '@pemkab_contoh',
  '$IDR',
  '#Kab.Bogor',
  'e.mail@pemkab.go.id',
  '#1',
  '＃tagar',
  '＠akun',
];
const SEPARATORS = [
  '',
  ' ',
  ' ',
  ' ',
  '\n',
  '\n\n',
  '\t',
  '(',
  ')',
  '"',
  '“',
  '”',
  "'",
  ',',
  '.',
  '. ',
  '…',
  '—',
  '-',
  '/',
  ':',
  '?',
  '!',
  '#',
  '@',
  '$',
  '_',
  '+',
  '\u00A0',
  '\u2066',
  '\u202E',
];

const schemeArb = fc.constantFrom('https://', 'https://', 'http://', '', '', 'HTTPS://', 'Https://', 'ftp://', 'https:/', 'https:///');
const hostArb = fc.constantFrom(
  'diskominfo.example.go.id',
  'pemkab.go.id',
  'contohkab.go.id',
  'dinkes.kab.co.id',
  'example.com',
  'Example.GO.ID',
  'www.example.com',
  'x.co',
  'a.id',
  'a-b.id',
  'a--b.co.id',
  '-a.id',
  'a-.id',
  'sub_d.example.id',
  'foo.invalidtld',
  'pemkab.example',
  'foo.local',
  't.co',
  'T.CO',
  'xn--abc.id',
  'a.xn--p1ai',
  'localhost',
  '1.2.3.4',
  'a..id',
  '.id',
  'a.b.c.d.e.f.id',
  'kab.jp',
  'x.y',
  'пример.рф',
  'café.com',
  'a.comé',
  `${'a'.repeat(64)}.id`,
  `${'a'.repeat(63)}.id`,
  'example.com.',
  'x.id.co',
  'x.co.zz',
  'x.id_a',
  'x.id"',
);
const portArb = fc.constantFrom('', '', '', ':8080', ':', ':x');
const pathArb = fc.constantFrom(
  '',
  '',
  '/',
  '/berita/slug-1-r1',
  '/berita/apel-medsos',
  '/a.',
  '/a.b',
  '/a,',
  '/a!',
  '/a(b)',
  '/a(b',
  '/a)',
  '/wiki/A_(b)',
  '/@user/',
  '/@user',
  '/é',
  '/a–b',
  '/x,y',
  '/#frag',
  '/a/b/c.html',
  '/a+b=c',
  '/~u',
  '/a.b.',
  '/*',
  '/a;b',
  '/%20',
  '/a\u00A0b',
  '/a…',
  '/a“b',
);
const queryArb = fc.constantFrom('', '', '', '?q=1', '?', '?a=1&b=2.', '?x=(1)', '?a=1?b', '?.', '?utm_source=x#y', '?a=é');
const trailArb = fc.constantFrom('', '', '', '.', ',', ')', '!', '?', '"', '…', '.\n', '.Besok', '-', '_', '@x', '/', ':', '🎉', 'é');
const urlArb = fc.tuple(schemeArb, hostArb, portArb, pathArb, queryArb, trailArb).map((parts) => parts.join(''));

const fragmentArb = fc.oneof(
  { weight: 10, arbitrary: fc.constantFrom(...WORDS) },
  { weight: 3, arbitrary: fc.constantFrom(...ACCENTS) },
  { weight: 2, arbitrary: fc.constantFrom(...SCRIPTS) },
  { weight: 2, arbitrary: fc.constantFrom(...EDGES) },
  { weight: 3, arbitrary: fc.constantFrom(...EMOJI) },
  { weight: 2, arbitrary: fc.constantFrom(...TAGS) },
  { weight: 3, arbitrary: urlArb },
);
const textArb = fc
  .array(fc.tuple(fragmentArb, fc.constantFrom(...SEPARATORS)), { maxLength: 16 })
  .map((parts) => parts.map(([fragment, separator]) => fragment + separator).join(''));

// Single characters and short pieces, glued in any order: finds what the fragments miss.
const PIECES = [
  'a',
  'x',
  'i',
  'd',
  'o',
  'c',
  'h',
  'Z',
  '0',
  '9',
  '.',
  '.',
  '/',
  '-',
  '_',
  ':',
  '?',
  '#',
  '@',
  '$',
  '(',
  ')',
  '=',
  '&',
  ' ',
  '\n',
  'https://',
  'http://',
  '.id',
  '.co',
  '.com',
  'go',
  'é',
  'e\u0301',
  '\u0301',
  '\uFE0F',
  '❤',
  '👍',
  '🏻',
  '🇮',
  '🇩',
  '\u200D',
  '…',
  '—',
  '日',
];
const gluedArb = fc.array(fc.constantFrom(...PIECES), { maxLength: 30 }).map((pieces) => pieces.join(''));

// ---------------------------------------------------------------------------------------------

describe('fast X weighted length agrees with parseTweet', { timeout: 120_000 }, () => {
  it('on generated captions with URLs, tags, accents, scripts and emoji', () => {
    let answered = 0;
    const total = runs(5000);
    fc.assert(
      fc.property(textArb, (text) => {
        if (agrees(text)) answered++;
      }),
      { seed: FUZZ_SEED + 300, numRuns: total },
    );
    // Not a vacuous pass: the fast count answers a good share of even these texts.
    console.log(`[x-weight] fast count answered ${answered} of ${total} generated texts`);
    expect(answered / total).toBeGreaterThan(0.2);
  });

  it('on short pieces glued together', () => {
    fc.assert(
      fc.property(gluedArb, (text) => {
        agrees(text);
      }),
      { seed: FUZZ_SEED + 301, numRuns: runs(5000) },
    );
  });

  it('on every BMP character between two letters', () => {
    for (let c = 0; c <= 0xffff; c++) agrees(`a${String.fromCharCode(c)}b`);
  });

  it('on every emoji-block code point alone, with VS16 and with a skin tone, and every flag pair', () => {
    const tones = ['🏻', '🏼', '🏽', '🏾', '🏿'];
    for (let c = 0x1f000; c <= 0x1faff; c++) {
      const x = String.fromCodePoint(c);
      for (const text of [x, `${x}\uFE0F`, ...tones.map((t) => x + t)]) agrees(`a${text}b`);
    }
    for (let c = 0x2000; c <= 0x2bff; c++) {
      const x = String.fromCharCode(c);
      for (const text of [`${x}\uFE0F`, x + tones[2]!]) agrees(`a${text}b`);
    }
    for (let a = 0; a < 26; a++) for (let b = 0; b < 26; b++) agrees(`a${String.fromCodePoint(0x1f1e6 + a, 0x1f1e6 + b)}b`);
  });

  it('on hand-picked cases, with the values X shows', () => {
    const cases: [string, number][] = [
      ['', 0],
      ['abc', 3],
      ['Bupati ajak ASN.\n\n#KabupatenContoh\n\nhttps://diskominfo.example.go.id/berita/slug-1-r1', 59],
      ['https://x.go.id.', 24],
      ['Lihat diskominfo.go.id/berita.', 30],
      ['Lihat diskominfo.go.id/berita?id=1.', 30],
      ['https://x.id/a.?b=1', 28],
      ['(https://x.id/a)', 25],
      ['https://a.id,https://b.id', 47],
      ['e\u0301', 1],
      ['Cafe\u0301 日本', 9],
      ['\u2026\u2014\u2019\u2032\u2038', 7],
      ['❤️ 👍🏻 🇮🇩 ©️ ☝🏻 ✌🏻 😀', 20],
      ['👶💚', 4],
    ];
    for (const [text, weight] of cases) {
      expect(fastXWeightedLength(text), JSON.stringify(text)).toBe(weight);
      expect(expected(text), JSON.stringify(text)).toBe(weight);
    }
  });

  it('leaves to parseTweet what it cannot be sure of', () => {
    const unsure = [
      'x.id?a=1',
      'Kab.Bogor',
      'https://pemkab.example/berita',
      'https://t.co/abc',
      'https://example.invalidtld',
      'https://a.com/x(1)',
      'HTTPS://x.id',
      'https://x.id:8080/',
      '@pemkab.go.id',
      '👨‍👩‍👧',
      '1️⃣',
      '🏴󠁧󠁢󠁳󠁣󠁴󠁿',
      '🖐\uFE0F',
      'https://x.id/café',
    ];
    for (const text of unsure) {
      expect(fastXWeightedLength(text), JSON.stringify(text)).toBeUndefined();
      expect(xWeightedLength(text)).toBe(expected(text));
    }
  });
});

describe('fast X weighted length covers what Siar composes', () => {
  it('counts every X text of the demo feed (each variant, links as the bench makes them) without parseTweet', () => {
    const feed = buildDemoFeed({ base: 'https://diskominfo.example.go.id', now: Date.UTC(2026, 10, 21) });
    const items = feed.items.map((item, i) => ({ ...item, url: `${item.url}-${i}-r1` }));
    const parsed = parseFeedText(JSON.stringify({ ...feed, items }));
    if (!parsed.ok) throw new Error('demo feed does not parse');
    for (const item of parsed.feed.items) {
      for (let v = 0; v < 3; v++) {
        const { text } = composeFor(item, 'x', v);
        expect(fastXWeightedLength(text), text).toBe(expected(text));
      }
    }
  });
});
