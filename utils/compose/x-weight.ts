// X's weighted length as twitter-text 3.1.0's parseTweet counts it (config v3), without running
// its URL and emoji regexes over every text: those were most of the time spent composing a feed
// for X. `fastXWeightedLength` answers only where its answer is certainly parseTweet's and says
// `undefined` otherwise, so the caller falls back to parseTweet. tests/unit/x-weight.test.ts
// holds the two to each other.
//
// What parseTweet does, in short: NFC first; every URL its extractor finds counts 23; every emoji
// twemoji-parser finds counts 2 whatever its length; any other code point counts 1 in a few
// ranges and 2 elsewhere. Nothing else (mentions, hashtags, cashtags) changes the count.
import validCCTLD from 'twitter-text/dist/esm/regexp/validCCTLD';
import validGTLD from 'twitter-text/dist/esm/regexp/validGTLD';

// Weights are kept ×100, as twitter-text does (its `scale`), so that sums stay integers.
const SCALE = 100;
const NARROW = 100;
const WIDE = 200;
const URL_WEIGHT = 23 * SCALE;
// twitter-text drops longer URLs and longer labels (isValidUrl), which changes what it matches next.
const MAX_URL_LENGTH = 4096;
const MAX_LABEL_LENGTH = 63;
// Length twitter-text adds for a URL without a scheme when it checks MAX_URL_LENGTH ("https://").
const DEFAULT_SCHEME_LENGTH = 8;

/** A weight or a position this count cannot be sure of: parseTweet decides. */
const UNSURE = -1;
/** No code point there (before the text's start, past its end). Not UNSURE: never one for the other. */
const NONE = -2;

const DOT = 0x2e;
const HYPHEN = 0x2d;
const SLASH = 0x2f;
const COLON = 0x3a;
const QUESTION = 0x3f;
const OPEN_PAREN = 0x28;
const VS16 = 0xfe0f;

// ---------------------------------------------------------------------------------------------
// ASCII classes, from twitter-text's regexps (all used case-insensitively there)

const ALNUM = 1;
const LETTER = 2;
/** validGeneralUrlPathChars */
const PATH = 4;
/** validUrlPathEndingChars: a path ends on one of these */
const PATH_END = 8;
/** validUrlQueryChars */
const QUERY = 16;
/** validUrlQueryEndingChars */
const QUERY_END = 32;
/** Ends a host for certain: neither a domain character nor one the TLD lookahead refuses. */
const AFTER_HOST = 64;
/** May precede a URL without a scheme: not a domain character, nor one of [-_./@$#]. */
const BEFORE_BARE = 128;

const ASCII = asciiClasses();

function asciiClasses(): Uint8Array {
  const table = new Uint8Array(128);
  const mark = (chars: string, bits: number) => {
    for (const ch of chars) table[ch.charCodeAt(0)] = (table[ch.charCodeAt(0)] ?? 0) | bits;
  };
  const letters = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';
  const alnum = `${letters}0123456789`;
  const spaces = '\t\n\v\f\r ';
  mark(letters, LETTER);
  mark(alnum, ALNUM | PATH | PATH_END | QUERY | QUERY_END);
  mark("!*';:=+,.$/%#[]-_~@|&", PATH);
  mark('+-=_#/', PATH_END);
  mark("!?*'@();:&=+$/%#[]-_.,~|", QUERY);
  mark('-_&=#/', QUERY_END);
  mark(`${spaces}!#$%&'()*,/:;<=>?[\\]^{|}~`, AFTER_HOST);
  mark(`${spaces}!%&'()*+,:;<=>?[\\]^{|}~`, BEFORE_BARE);
  return table;
}

function is(c: number, bits: number): boolean {
  return c >= 0 && c < 128 && ((ASCII[c] ?? 0) & bits) !== 0;
}

// ---------------------------------------------------------------------------------------------
// Emoji that join into one (twemoji-parser 11, which parseTweet uses)
//
// Every multi-code-point emoji twemoji-parser knows contains U+FE0F, U+200D, U+20E3, a skin tone,
// a regional indicator or a tag character, and none of its single-code-point emoji weighs 1. So
// text without those is counted by plain weights. Of the joining forms only the common ones are
// listed here (the test checks each against parseTweet); any other falls back.

/** Counted as one emoji together with a following U+FE0F. */
const VS16_BASES = codePoints(
  '©®™‼⁉ℹ↔↕↖↗↘↙↩↪⌚⌛⌨⏱▪▫▶◀◻◼☀☁☂☎☑☔☕☘☝☠☹☺♀♂♥♻⚓⚕⚖⚠⚡⚽⛅⛈⛑⛔⛪⛰⛺✂✈✉✌✍✏✒✔✖✳✴❄❇❗❣❤➡⬅⬆⬇⭐⭕〰〽' +
    '🅿🌡🌤🌥🌦🌧🌩🌪🎖🎗🎙🏔🏖🏗🏘🏙🏛🏞🏟🏳🏷👁📽🕊🕯🖊🖥🖨🖼🗂🗑🗒🗓🗞🗣🗳🗺🛠🛡🛣',
);
/** Counted as one emoji together with a following skin tone. */
const MODIFIER_BASES = codePoints('☝✊✋✌✍👂👃👆👇👈👉👊👋👌👍👎👏👐👦👧👨👩👮👴👵👶👷💁💂💪🙅🙆🙇🙋🙌🙏🚴🚶🤙🤚🤞🤟🤦🤲🤷🧑🧒🧓🧕');
/** Regional-indicator pairs counted as one flag. */
const FLAGS = new Set(
  'ID MY SG BN TH PH VN TL JP KR CN IN PK SA AE QA TR EG PS US GB AU NL DE FR'
    .split(' ')
    .map((pair) => flagKey(pair.charCodeAt(0) - 65, pair.charCodeAt(1) - 65)),
);

function codePoints(s: string): ReadonlySet<number> {
  return new Set(Array.from(s, (ch) => ch.codePointAt(0) ?? NONE));
}

function flagKey(a: number, b: number): number {
  return a * 26 + b;
}

function isRegionalIndicator(cp: number): boolean {
  return cp >= 0x1f1e6 && cp <= 0x1f1ff;
}

function isSkinTone(cp: number): boolean {
  return cp >= 0x1f3fb && cp <= 0x1f3ff;
}

/** ZWJ, keycap and tag characters: the sequences they build are left to parseTweet. */
function isJoiner(cp: number): boolean {
  return cp === 0x200d || cp === 0x20e3 || (cp >= 0xe0020 && cp <= 0xe007f);
}

// ---------------------------------------------------------------------------------------------
// Counting

/** parseTweet(text).weightedLength when that is certain, else undefined. */
export function fastXWeightedLength(text: string): number | undefined {
  const weight = weigh(text.normalize());
  return weight === UNSURE ? undefined : weight / SCALE;
}

/** twitter-text's ranges weighing 1 (×100), by UTF-16 unit: a surrogate pair weighs 2. */
function charWeight(c: number): number {
  const narrow = c <= 0x10ff || (c >= 0x2000 && c <= 0x200d) || (c >= 0x2010 && c <= 0x201f) || (c >= 0x2032 && c <= 0x2037);
  return narrow ? NARROW : WIDE;
}

/** Weighted length ×100 of NFC text, or UNSURE. */
function weigh(t: string): number {
  let total = 0;
  // The last code point counted on its own: a following VS16 or skin tone may join it.
  let prev = NONE;
  let nextDot = dotFrom(t, 0);
  let i = 0;
  while (i < t.length) {
    const c = t.charCodeAt(i);
    if (c < 0x80) {
      if (!is(c, ALNUM)) {
        // A dot before a letter outside any URL read here may be part of a URL twitter-text finds.
        if (c === DOT && mayStartTld(t.charCodeAt(i + 1))) return UNSURE;
        total += NARROW;
        prev = c;
        i++;
        continue;
      }
      const run = hostRunEnd(t, i);
      if (nextDot < i) nextDot = dotFrom(t, i);
      // A URL starts here only with "http" or with a dot in the run (a bare domain).
      const end = nextDot < run || c === 0x68 ? urlAt(t, i, run) : 0;
      if (end === UNSURE) return UNSURE;
      if (end > 0) {
        total += URL_WEIGHT;
        prev = NONE;
        i = end;
        continue;
      }
      // A word: plain ASCII, one each.
      total += NARROW * (run - i);
      prev = t.charCodeAt(run - 1);
      i = run;
      continue;
    }
    const cp = t.codePointAt(i) ?? c;
    if (isJoiner(cp)) return UNSURE;
    if (cp === VS16 || isSkinTone(cp)) {
      // Joins the emoji before it into one that weighs 2 in all.
      if (!(cp === VS16 ? VS16_BASES : MODIFIER_BASES).has(prev)) return UNSURE;
      total += WIDE - charWeight(prev);
      prev = NONE;
      i += cp === VS16 ? 1 : 2;
      continue;
    }
    if (isRegionalIndicator(cp)) {
      // twemoji pairs indicators from the left into the flags it knows; pairs not listed here fall back.
      const next = t.codePointAt(i + 2) ?? NONE;
      if (isRegionalIndicator(next) && !FLAGS.has(flagKey(cp - 0x1f1e6, next - 0x1f1e6))) return UNSURE;
      total += WIDE;
      prev = NONE;
      i += isRegionalIndicator(next) ? 4 : 2;
      continue;
    }
    total += charWeight(cp);
    prev = cp;
    i += cp > 0xffff ? 2 : 1;
  }
  return total;
}

/** Index of the next dot from `i`, the text's length when there is none. */
function dotFrom(t: string, i: number): number {
  const dot = t.indexOf('.', i);
  return dot < 0 ? t.length : dot;
}

/** A TLD starts with a letter: ASCII, or any non-ASCII one (IDN TLDs). */
function mayStartTld(c: number): boolean {
  return is(c, LETTER) || c >= 0x80;
}

// ---------------------------------------------------------------------------------------------
// URLs (twitter-text's extractUrlsWithIndices over its extractUrl regexp)

/**
 * End of the URL twitter-text finds starting at `i` (an ASCII letter or digit; `run` ends its
 * host characters), 0 when it finds none there, UNSURE when this cannot tell.
 */
function urlAt(t: string, i: number, run: number): number {
  const before = i === 0 ? NONE : t.charCodeAt(i - 1);
  const scheme = schemeLength(t, i);
  if (scheme > 0 && (before === NONE || schemeMayFollow(before))) return schemedUrlEnd(t, i, scheme);
  if (!hasDotBeforeTld(t, i, run)) return 0;
  // Only from the start of a token: elsewhere twitter-text may start the domain earlier or skip it.
  if (before !== NONE && !is(before, BEFORE_BARE)) return UNSURE;
  return urlTail(t, i, domainEnd(t, i, run), DEFAULT_SCHEME_LENGTH, false);
}

/** Only lower-case schemes: any other form is left to the dot check (and so to parseTweet). */
function schemeLength(t: string, i: number): number {
  if (t.charCodeAt(i) !== 0x68) return 0;
  if (t.startsWith('https://', i)) return 8;
  return t.startsWith('http://', i) ? 7 : 0;
}

/** validUrlPrecedingChars: anything but these. */
function schemeMayFollow(c: number): boolean {
  const refused =
    is(c, ALNUM) || c === 0x40 || c === 0x24 || c === 0x23 || c === 0xff20 || c === 0xff03 || c === 0xfffe || c === 0xfeff || c === 0xffff;
  return !refused;
}

/** The URL with a scheme at `start`; UNSURE where twitter-text would match another or none. */
function schemedUrlEnd(t: string, start: number, scheme: number): number {
  const host = start + scheme;
  const domain = domainEnd(t, host, hostRunEnd(t, host));
  // t.co links are cut to their slug, and long slugs dropped.
  if (domain === UNSURE || t.slice(host, domain).toLowerCase() === 't.co') return UNSURE;
  return urlTail(t, start, domain, scheme, true);
}

/** Letters, digits, dots and hyphens from `i`: the only host characters read here. */
function hostRunEnd(t: string, i: number): number {
  let j = i;
  while (j < t.length) {
    const c = t.charCodeAt(j);
    if (!is(c, ALNUM) && c !== DOT && c !== HYPHEN) break;
    j++;
  }
  return j;
}

/** A dot followed by what could start a TLD: only there can a domain end. */
function hasDotBeforeTld(t: string, from: number, to: number): boolean {
  for (let j = from; j < to; j++) if (t.charCodeAt(j) === DOT && mayStartTld(t.charCodeAt(j + 1))) return true;
  return false;
}

/**
 * End of the domain twitter-text matches over the host characters [start, run): all of them but
 * trailing dots, when every label is valid and the last is a TLD it knows. A shorter match
 * (some later label not a TLD) or characters it could take into the domain are UNSURE.
 */
function domainEnd(t: string, start: number, run: number): number {
  if (run < t.length && !is(t.charCodeAt(run), AFTER_HOST)) return UNSURE;
  let end = run;
  while (end > start && t.charCodeAt(end - 1) === DOT) end--;
  let label = start;
  let labels = 0;
  for (let j = start; j <= end; j++) {
    if (j < end && t.charCodeAt(j) !== DOT) continue;
    if (!isLabel(t, label, j)) return UNSURE;
    labels++;
    if (j < end) label = j + 1;
  }
  return labels >= 2 && asciiTlds().has(t.slice(label, end).toLowerCase()) ? end : UNSURE;
}

/** validSubdomain / validDomainName for ASCII: starts and ends with a letter or digit. */
function isLabel(t: string, from: number, to: number): boolean {
  const length = to - from;
  return length >= 1 && length <= MAX_LABEL_LENGTH && t.charCodeAt(from) !== HYPHEN && t.charCodeAt(to - 1) !== HYPHEN;
}

/** The port, path and query after a domain; the URL's end or UNSURE. */
function urlTail(t: string, start: number, domain: number, schemeLength: number, schemed: boolean): number {
  if (domain === UNSURE) return UNSURE;
  const next = t.charCodeAt(domain);
  // Ports are rare in captions; what might be one is left to parseTweet.
  if (next === COLON && is(t.charCodeAt(domain + 1), ALNUM)) return UNSURE;
  const path = next === SLASH ? pathEnd(t, domain) : domain;
  if (path === UNSURE) return UNSURE;
  const end = t.charCodeAt(path) === QUESTION ? queryEnd(t, path) : path;
  // Without scheme and path, twitter-text links the domain alone yet skips the query.
  if (!schemed && path === domain && end > path) return UNSURE;
  return schemeLength + (end - start) <= MAX_URL_LENGTH ? end : UNSURE;
}

/**
 * validUrlPath: path characters up to the last one a path may end with ("/a." leaves the dot out).
 * Parentheses and non-ASCII path characters are UNSURE.
 */
function pathEnd(t: string, slash: number): number {
  let end = slash + 1;
  let j = slash + 1;
  for (; j < t.length; j++) {
    const c = t.charCodeAt(j);
    if (!is(c, PATH)) break;
    if (is(c, PATH_END)) end = j + 1;
  }
  return j === t.length || endsPath(t.charCodeAt(j)) ? end : UNSURE;
}

/**
 * Cannot continue a path: ASCII other than path characters and "(" (balanced parentheses), or
 * non-ASCII that no case-insensitive match takes for a Latin or Cyrillic path letter.
 */
function endsPath(c: number): boolean {
  if (c < 0x80) return c !== OPEN_PAREN;
  return c === 0xa0 || (c >= 0x2000 && c <= 0x206f && c !== 0x2013) || (c >= 0x3000 && c <= 0x303f) || (c >= 0xd800 && c <= 0xdfff);
}

/** validUrlQueryChars up to the last validUrlQueryEndingChars; `q` (no query) when there is none. */
function queryEnd(t: string, q: number): number {
  let end = q;
  for (let j = q + 1; j < t.length; j++) {
    const c = t.charCodeAt(j);
    if (!is(c, QUERY)) break;
    if (is(c, QUERY_END)) end = j + 1;
  }
  return end;
}

let tlds: ReadonlySet<string> | undefined;

/** The ASCII TLDs twitter-text knows, read from its own lists so that the two cannot disagree. */
function asciiTlds(): ReadonlySet<string> {
  tlds ??= new Set([validGTLD, validCCTLD].flatMap(alternatives).filter((name) => /^[a-z]+$/.test(name)));
  return tlds;
}

/** The names of a list shaped `(?:(?:name|name|…)(?=…))`; none if its shape changed (all URLs then fall back). */
function alternatives(list: RegExp): string[] {
  return /^\(\?:\(\?:([^()]*)\)\(\?=/.exec(list.source)?.[1]?.split('|') ?? [];
}
