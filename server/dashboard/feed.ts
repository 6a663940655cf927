import { parseFeedJson, parseFeedText, type ParsedFeed } from '../../utils/protocol/feed';
import type { FeedProvider } from '../feed';

/**
 * The feed this server currently serves, parsed, for the dashboard's titles and mandatory items.
 * A broken or unreadable feed gives undefined: the dashboard still shows the figures.
 */
export async function currentFeed(provider: FeedProvider, base: string): Promise<ParsedFeed | undefined> {
  try {
    const body = await provider({ base });
    const result =
      typeof body === 'string'
        ? parseFeedText(body)
        : body instanceof Uint8Array
          ? parseFeedText(Buffer.from(body).toString('utf8'))
          : parseFeedJson(body);
    return result.ok ? result.feed : undefined;
  } catch {
    return undefined;
  }
}
