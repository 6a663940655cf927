import { parseFeedText } from '../../utils/protocol/feed';
import type { Database } from '../db/sql';
import { etagOf, HttpError, isNotModified, send, type Route } from '../http';
import { renderArticle, ARTICLE_HEADERS } from '../news';
import { signFeed, type SigningKey } from '../signing';
import { itemOf, type FeedContext } from './build';
import type { FeedPublisher } from './versions';

// Serving the feed: `feed.json` and `feed.json.sig` of the version that is live, read together
// from one row, so a signature always matches the bytes; conditional GET so an unchanged feed
// costs a 304. The post pages at `/p/<id>` give posts without a news page of their own a link
// that unfurls into a card on X, Facebook and WhatsApp.

const FEED_HEADERS = {
  'Content-Type': 'application/feed+json; charset=utf-8',
  // Cache, but ask every time: a withdrawn post must disappear at the next poll.
  'Cache-Control': 'no-cache',
  'Access-Control-Allow-Origin': '*',
};

/** Text or bytes are served as given (so a test can serve a broken feed); the rest as JSON. */
export type FeedBody = string | Uint8Array | object;
/** Tests and tools only: a feed to serve instead of the studio's versions. */
export type FeedProvider = (ctx: { base: string }) => FeedBody | Promise<FeedBody>;
/** Tests only: what feed.json.sig answers for the provided feed (undefined: 404, unsigned). */
export type SignatureProvider = (ctx: { base: string; feed: Uint8Array }) => string | undefined | Promise<string | undefined>;

export function toBytes(body: FeedBody): Uint8Array {
  if (typeof body === 'string') return Buffer.from(body, 'utf8');
  if (body instanceof Uint8Array) return body;
  return Buffer.from(JSON.stringify(body, null, 2), 'utf8');
}

export function signatureOf(key: SigningKey): SignatureProvider {
  return ({ feed }) => signFeed(feed, key);
}

interface Served {
  body: Uint8Array;
  etag: string;
  lastModified: number;
  signature: string | undefined;
}

const NOT_SIGNED = { error: 'not_found', message: 'feed is not signed' };

export interface FeedRouteOptions {
  db: Database;
  publisher: FeedPublisher;
  base: () => string;
  /** Serve this instead of the studio's versions (tests); its item ids count as published. */
  provider?: FeedProvider;
  signature?: SignatureProvider;
  /** A demo's pages say that the regency is fictional. */
  demo?: boolean;
}

export function feedRoutes(options: FeedRouteOptions): Route[] {
  const { publisher, provider } = options;
  let provided: { etag: string; lastModified: number } | undefined;
  const registered = new Set<string>();

  /** A provided feed's items become this agency's published items, as a studio version's would. */
  async function register(bytes: Uint8Array): Promise<void> {
    const parsed = parseFeedText(Buffer.from(bytes).toString('utf8'));
    if (!parsed.ok) return;
    const stamp = new Date(
      Date.parse(parsed.feed.items.map((i) => i.date_published ?? '').sort()[0] ?? '') || Date.now() - 86_400_000,
    ).toISOString();
    for (const item of parsed.feed.items) {
      if (registered.has(item.id)) continue;
      const at = item.date_published ? new Date(Date.parse(item.date_published)).toISOString() : stamp;
      await options.db.run('INSERT INTO published_items (item_id, first_published_at) VALUES ($1, $2) ON CONFLICT DO NOTHING', [
        item.id,
        at,
      ]);
      registered.add(item.id);
    }
  }

  async function served(): Promise<Served | undefined> {
    if (provider) {
      const base = options.base();
      const body = toBytes(await provider({ base }));
      const etag = etagOf(body);
      if (provided?.etag !== etag) {
        // A change within the same second still gets a later Last-Modified.
        const second = Math.floor(Date.now() / 1000) * 1000;
        provided = { etag, lastModified: Math.max(second, (provided?.lastModified ?? 0) + 1000) };
        await register(body);
      }
      const signature = options.signature ? await options.signature({ base, feed: body }) : undefined;
      return { body, etag, lastModified: provided.lastModified, signature };
    }
    const current = await publisher.current();
    if (!current) return undefined;
    return { body: current.body, etag: current.etag, lastModified: Date.parse(current.liveAt), signature: current.signature ?? undefined };
  }

  return [
    {
      method: 'GET',
      path: '/feed.json',
      handler: async ({ req, res }) => {
        const feed = await served();
        if (!feed) throw new HttpError(503, 'no_feed', 'no feed version has been published yet', { 'Retry-After': '30' });
        const headers = { ...FEED_HEADERS, ETag: feed.etag, 'Last-Modified': new Date(feed.lastModified).toUTCString() };
        if (isNotModified(req, feed.etag, feed.lastModified)) send(res, 304, headers);
        else send(res, 200, headers, feed.body);
      },
    },
    {
      method: 'GET',
      path: '/feed.json.sig',
      handler: async ({ res }) => {
        const feed = await served();
        if (!feed?.signature) return send(res, 404, { 'Content-Type': 'application/json' }, JSON.stringify(NOT_SIGNED));
        send(
          res,
          200,
          { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-cache', 'Access-Control-Allow-Origin': '*' },
          feed.signature,
        );
      },
    },
    {
      method: 'GET',
      path: '/p/:id',
      handler: async ({ res, params }) => {
        const found = await publisher.pagePost(params.id ?? '');
        if (!found) throw new HttpError(404, 'not_found', 'no such post');
        const ctx: FeedContext = { ...publisher.options, base: options.base() };
        const item = itemOf(found.post, ctx);
        // A withdrawn post's page says so instead of repeating what was withdrawn.
        if (found.status === 'withdrawn') {
          const gone = {
            ...item,
            summary: 'Postingan ini telah ditarik oleh pemerintah daerah.',
            content_text: undefined,
            image: undefined,
          };
          return send(res, 410, ARTICLE_HEADERS, renderArticle(gone, publisher.options.publisher.name, options.demo));
        }
        send(res, 200, ARTICLE_HEADERS, renderArticle(item, publisher.options.publisher.name, options.demo));
      },
    },
  ];
}
