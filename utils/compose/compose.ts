import parseTweetModule from 'twitter-text/dist/esm/parseTweet';
import type { Item } from '../protocol/feed';
import { hashtagLine, join, pickCaption, plainText } from './caption';
import { fastXWeightedLength } from './x-weight';

// Bundlers hand over the function; Node (the agency server, via tsx) reads this ESM file of a
// CommonJS package as CommonJS and hands over its namespace.
const parseTweet = (parseTweetModule as unknown as { default?: typeof parseTweetModule }).default ?? parseTweetModule;

// docs/protocol.md "How a post becomes the text that is inserted".

const ELLIPSIS = '…';

/** X's weighted length: parseTweet's, which runs only where the fast count is not certain. */
export function xWeightedLength(text: string): number {
  return fastXWeightedLength(text) ?? parseTweet(text).weightedLength;
}

const graphemes = new Intl.Segmenter('id', { granularity: 'grapheme' });

/** Cuts text at a word boundary so that `fits(cut + '…')` holds; '' when nothing fits. */
function shortenToFit(caption: string, fits: (candidate: string) => boolean): string {
  // Approved text is left whole when it fits.
  if (fits(caption)) return caption;
  // Whole graphemes, so an emoji (even a family or a skin tone) is never split.
  const chars = Array.from(graphemes.segment(caption), (g) => g.segment);
  let lo = 0;
  let hi = chars.length;
  // Largest prefix length whose ellipsised form fits (weighted length grows with the prefix).
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (fits(chars.slice(0, mid).join('').trimEnd() + ELLIPSIS)) lo = mid;
    else hi = mid - 1;
  }
  if (lo === 0) return '';
  let prefix = chars.slice(0, lo).join('');
  // Back off to the last word boundary, unless the caption is one long word.
  if (!/\s/.test(chars[lo] ?? ' ')) {
    const lastSpace = prefix.search(/\s\S*$/);
    if (lastSpace > 0) prefix = prefix.slice(0, lastSpace);
  }
  prefix = prefix.trimEnd().replace(/[\s.,;:!?…-]+$/u, '');
  return prefix ? prefix + ELLIPSIS : '';
}

export interface Composed {
  text: string;
  /** X's weighted length, for the panel's counter on a site with a text limit; 0 elsewhere. */
  weighted: number;
  /** The caption had to be shortened to fit the platform's limit. */
  shortened: boolean;
}

/**
 * The text inserted or shared for `item` on `platform`, with caption variant `variant`
 * (taken modulo the number of variants), fitted to `limit` — the site's text limit (the site
 * registry's `textLimit.max`), where it has one. The limit is given, not looked up: the agency
 * server composes with this same code and has no site registry (that is the extension's build).
 */
export function composeText(item: Item, platform: string, variant = 0, limit?: number): Composed {
  if (limit === undefined) return { text: plainText(item, platform, variant), weighted: 0, shortened: false };
  const caption = pickCaption(item, platform, variant);
  const tags = hashtagLine(item);
  const url = item.url ?? '';
  const full = join([caption, tags, url]);

  const fullWeight = xWeightedLength(full);
  if (fullWeight <= limit) return { text: full, weighted: fullWeight, shortened: false };
  const fits = (t: string) => xWeightedLength(t) <= limit;

  let keptTags = item._siar?.hashtags ?? [];
  let tail = join([tags, url]);
  // Hashtags and URL are kept; only when they alone cannot fit are hashtags dropped from the end,
  // because a text the site refuses to post helps nobody.
  while (!fits(tail) && keptTags.length > 0) {
    keptTags = keptTags.slice(0, -1);
    tail = join([keptTags.map((t) => `#${t}`).join(' '), url]);
  }
  const short = shortenToFit(caption, (c) => fits(join([c, tail])));
  const text = join([short, tail]);
  return { text, weighted: xWeightedLength(text), shortened: true };
}
