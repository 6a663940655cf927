import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DEMO_ADMIN, type AdminCredentials } from './dashboard/auth';
import { currentFeed } from './dashboard/feed';
import { dashboardRoutes } from './dashboard/routes';
import { openDatabase } from './db/database';
import { buildDemoFeed, PUBLISHER, type JsonFeed } from './demo/feed';
import { demoPictures } from './demo/pictures';
import { feedRoutes, signatureOf, type FeedProvider, type SignatureProvider } from './feed';
import { generateSigningKey, type SigningKey } from './signing';
import { createRouter, type Route } from './http';
import { mediaRoutes } from './media';
import { newsRoutes } from './news';
import { DEMO_ENROLL_CODES, type EnrollCodes } from './tally/codes';
import type { ShareFaults } from './tally/faults';
import type { RateLimit } from './tally/rate-limit';
import { tallyRoutes } from './tally/routes';
import { TallyStore } from './tally/store';

// The demo agency: feed, pictures and news pages of Kabupaten Contoh, the tally (v1/enroll,
// v1/shares, v1/me/summary, so the tally URL is the server's root) and the dashboard at `/`.
// Each concern is a module returning its routes.

export const DEFAULT_RATE_LIMIT: RateLimit = { perMinute: 120, burst: 60 };
export const DEFAULT_ENROLL_RATE_LIMIT: RateLimit = { perMinute: 60, burst: 60 };
export const WIB_MINUTES = 7 * 60;

export interface AgencyServerOptions {
  /** Public base URL of the feed's links (e.g. a tunnel); default `http://localhost:<port>`. */
  baseUrl?: string;
  /** Gives the feed body for each request; default the demo feed. Tests swap it at runtime. */
  feed?: FeedProvider;
  /** More routes, matched before the built-in ones. */
  routes?: Route[];
  /** No request log on stdout. */
  quiet?: boolean;
  /** The moment the demo feed's relative dates count from; default the server's creation. */
  now?: number;
  /** The tally's SQLite file; default `:memory:` (gone when the server closes). */
  db?: string;
  /** Unit name → enrolment codes; default DEMO_ENROLL_CODES. Replaces the stored codes. */
  enrollCodes?: EnrollCodes;
  /** Per token on v1/shares and v1/me/summary; default DEFAULT_RATE_LIMIT. */
  rateLimit?: RateLimit;
  /** Per client address on v1/enroll; default DEFAULT_ENROLL_RATE_LIMIT. */
  enrollRateLimit?: RateLimit;
  /** The dashboard's login; default DEMO_ADMIN. */
  admin?: AdminCredentials;
  /** The agency's offset from UTC for the dashboard's days and weeks; default WIB (420). */
  utcOffsetMinutes?: number;
  /** The agency's Ed25519 key; feed.json.sig is made with it. Default: a fresh key per server. */
  signingKey?: SigningKey;
  /** Tests only: serve this as feed.json.sig instead (undefined → 404, a feed left unsigned). */
  signature?: SignatureProvider;
  /** Tests only: decides a fault for each `POST v1/shares` (see server/tally/faults.ts). */
  faults?: ShareFaults;
}

export interface AgencyServer {
  server: Server;
  /** Base URL of the running server (no trailing slash); empty before `listen`. */
  readonly base: string;
  /** The tally's data, for tests and tools (e.g. revoking a member's tokens). */
  tally: TallyStore;
  /** base64url Ed25519 public key the feed is signed with. */
  publicKey: string;
  listen(port?: number, host?: string): Promise<{ port: number; base: string }>;
  /** Stops the server and closes the database. */
  close(): Promise<void>;
}

export function createAgencyServer(options: AgencyServerOptions = {}): AgencyServer {
  const startedAt = options.now ?? Date.now();
  let base = options.baseUrl?.replace(/\/+$/, '') ?? '';

  let demo: JsonFeed | undefined;
  // Built once per base so the bytes, and with them the ETag, stay the same for the whole run.
  const demoFeed = () => {
    if (demo?.feed_url !== `${base}/feed.json`) demo = buildDemoFeed({ base, now: startedAt });
    return demo;
  };

  const db = openDatabase(options.db ?? ':memory:');
  const tally = new TallyStore(db);
  tally.setEnrollCodes(options.enrollCodes ?? DEMO_ENROLL_CODES);
  const feed = options.feed ?? demoFeed;
  const signingKey = options.signingKey ?? generateSigningKey();

  const router = createRouter([
    ...(options.routes ?? []),
    ...tallyRoutes({
      store: tally,
      rateLimit: options.rateLimit ?? DEFAULT_RATE_LIMIT,
      enrollRateLimit: options.enrollRateLimit ?? DEFAULT_ENROLL_RATE_LIMIT,
      faults: options.faults,
    }),
    ...dashboardRoutes({
      db,
      admin: options.admin ?? DEMO_ADMIN,
      feed: () => currentFeed(feed, base),
      secure: () => base.startsWith('https:'),
      utcOffsetMinutes: options.utcOffsetMinutes ?? WIB_MINUTES,
    }),
    ...feedRoutes(feed, () => base, options.signature ?? signatureOf(signingKey)),
    ...mediaRoutes(demoPictures()),
    ...newsRoutes(
      (slug) => demoFeed().items.find((item) => item.url === `${base}/berita/${slug}`),
      PUBLISHER.name,
    ),
  ]);

  const server = createServer((req, res) => {
    if (!options.quiet) {
      const started = performance.now();
      res.on('finish', () => {
        const ms = (performance.now() - started).toFixed(1);
        const { method, url } = req;
        console.log(`${new Date().toISOString()} ${method} ${url} ${res.statusCode} ${ms}ms`);
      });
    }
    void router(req, res);
  });

  return {
    server,
    tally,
    publicKey: signingKey.publicKey,
    get base() {
      return base;
    },
    listen(port = 0, host = '127.0.0.1') {
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          const actual = (server.address() as AddressInfo).port;
          // `localhost`, not the bound address: it is what the extension's build grants and what
          // the protocol accepts as plain-http loopback.
          base ||= `http://localhost:${actual}`;
          resolve({ port: actual, base });
        });
      });
    },
    async close() {
      if (server.listening) {
        await new Promise<void>((resolve, reject) => {
          server.close((error) => (error ? reject(error) : resolve()));
          // Keep-alive connections (fetch keeps them) would hold close() open for seconds.
          server.closeAllConnections();
        });
      }
      if (db.open) db.close();
    },
  };
}
