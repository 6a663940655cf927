import { FeedEnvelopeSchema, ItemSchema, type FeedParseResult, type Item } from './feed-schema';
import { LIMITS } from './limits';

// Parsing the feed contract of docs/protocol.md (the feed). The schemas and the helpers on parsed items are
// exported from here too, so one import serves the server and the tests.
export * from './feed-schema';
export * from './item';

function newestFirst(a: Item, b: Item): number {
  const ta = Date.parse(a.date_published ?? a.date_modified ?? '') || 0;
  const tb = Date.parse(b.date_published ?? b.date_modified ?? '') || 0;
  return tb - ta;
}

/** Parses feed JSON text. Never throws: a broken feed is a result, not an exception. */
export function parseFeedText(body: string): FeedParseResult {
  let json: unknown;
  try {
    // A byte-order mark is not JSON, but editors on Windows add one.
    json = JSON.parse(body.replace(/^\uFEFF/, ''));
  } catch {
    return { ok: false, problem: { kind: 'not_json' } };
  }
  return parseFeedJson(json);
}

export function parseFeedJson(json: unknown): FeedParseResult {
  const envelope = FeedEnvelopeSchema.safeParse(json);
  if (!envelope.success) {
    const issue = envelope.error.issues[0];
    const detail = issue ? `${issue.path.join('.') || '(root)'}: ${issue.message}` : 'invalid';
    return { ok: false, problem: { kind: 'not_json_feed', detail } };
  }
  const { items: rawItems, ...meta } = envelope.data;
  const items: Item[] = [];
  const seen = new Set<string>();
  let dropped = 0;
  for (const raw of rawItems) {
    const parsed = ItemSchema.safeParse(raw);
    // A repeated id is a different post claiming to be the same one: keep the first.
    if (!parsed.success || seen.has(parsed.data.id)) {
      dropped++;
      continue;
    }
    seen.add(parsed.data.id);
    items.push(parsed.data);
  }
  // No item at all is a feed with nothing to share now (the last post withdrawn); items that all
  // broke the schema are a broken feed, and the last good copy stays.
  if (items.length === 0 && dropped > 0) return { ok: false, problem: { kind: 'no_valid_items', dropped } };
  let overflow = 0;
  if (items.length > LIMITS.items) {
    items.sort(newestFirst);
    overflow = items.length - LIMITS.items;
    items.length = LIMITS.items;
  }
  return { ok: true, feed: { meta, items, dropped, overflow } };
}
