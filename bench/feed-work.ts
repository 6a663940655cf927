// Goal 9's work, bundled by esbuild the way the extension is (twitter-text's module interop):
// validate a feed's text and compose every post for X, Facebook and WhatsApp.
import { composeFor } from '../utils/compose';
import { parseFeedText } from '../utils/protocol/feed';

export const PLATFORMS = ['x', 'facebook', 'whatsapp'] as const;

/** Returns the number of texts composed (so the work cannot be optimised away). */
export function validateAndCompose(body: string): { items: number; texts: number; chars: number } {
  const parsed = parseFeedText(body);
  if (!parsed.ok) throw new Error(`feed does not parse: ${JSON.stringify(parsed.problem)}`);
  let texts = 0;
  let chars = 0;
  for (const item of parsed.feed.items) {
    for (const p of PLATFORMS) {
      chars += composeFor(item, p, 0).text.length;
      texts++;
    }
  }
  return { items: parsed.feed.items.length, texts, chars };
}
