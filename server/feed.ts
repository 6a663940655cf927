import { etagOf, isNotModified, send, type Route } from './http';
import { signFeed, type SigningKey } from './signing';

// Feed hosting (PROTOCOL.md §1, "Fetching"): the extension polls with If-None-Match /
// If-Modified-Since, so an unchanged feed must cost one 304 and no body.

/** Text or bytes are served as given (so a test can serve a broken feed); the rest as JSON. */
export type FeedBody = string | Uint8Array | object;
export type FeedProvider = (ctx: { base: string }) => FeedBody | Promise<FeedBody>;

function toBytes(body: FeedBody): Uint8Array {
  if (typeof body === 'string') return Buffer.from(body, 'utf8');
  if (body instanceof Uint8Array) return body;
  return Buffer.from(JSON.stringify(body, null, 2), 'utf8');
}

/**
 * How feed.json.sig is made: signed with the agency's key (default), or — for tests that play a
 * hijacked server — a fixed body, or none (404).
 */
export type SignatureProvider = (ctx: { base: string; feed: Uint8Array }) => string | undefined | Promise<string | undefined>;

export function signatureOf(key: SigningKey): SignatureProvider {
  return ({ feed }) => signFeed(feed, key);
}

export function feedRoutes(provider: FeedProvider, base: () => string, signature?: SignatureProvider): Route[] {
  let current: { etag: string; lastModified: number } | undefined;
  return [
    {
      method: 'GET',
      path: '/feed.json.sig',
      handler: async ({ res }) => {
        const sig = signature ? await signature({ base: base(), feed: toBytes(await provider({ base: base() })) }) : undefined;
        if (sig === undefined) return send(res, 404, { 'Content-Type': 'application/json' }, Buffer.from('{"error":"not_found","message":"feed is not signed"}'));
        send(res, 200, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-cache', 'Access-Control-Allow-Origin': '*' }, Buffer.from(sig));
      },
    },
    {
      method: 'GET',
      path: '/feed.json',
      handler: async ({ req, res }) => {
        const bytes = toBytes(await provider({ base: base() }));
        const etag = etagOf(bytes);
        if (current?.etag !== etag) {
          // A change within the same second as the last one still gets a later Last-Modified:
          // a client sending only If-Modified-Since would otherwise be told nothing changed.
          const second = Math.floor(Date.now() / 1000) * 1000;
          current = { etag, lastModified: Math.max(second, (current?.lastModified ?? 0) + 1000) };
        }
        const headers = {
          'Content-Type': 'application/feed+json; charset=utf-8',
          ETag: etag,
          'Last-Modified': new Date(current.lastModified).toUTCString(),
          // Cache, but ask every time: a withdrawn post must disappear at the next poll.
          'Cache-Control': 'no-cache',
          'Access-Control-Allow-Origin': '*',
        };
        if (isNotModified(req, etag, current.lastModified)) send(res, 304, headers);
        else send(res, 200, headers, bytes);
      },
    },
  ];
}
