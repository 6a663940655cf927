import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { AccessLog } from './access-log';
import { dashboardRoutes } from './dashboard/routes';
import { openDatabase, isPostgresUrl } from './db/database';
import { ensurePartitions, lockFor } from './db/partitions';
import type { Database } from './db/sql';
import { SqliteDatabase } from './db/sqlite';
import { buildDemoFeed, PUBLISHER } from './demo/feed';
import { demoPictures } from './demo/pictures';
import { seedDemo } from './demo/seed';
import { pruneFailures } from './guard/failures';
import { pruneBuckets, type RateLimit } from './guard/rate';
import { createRouter, HttpError, sendJson, type Route } from './http';
import { JobRunner, type Job } from './jobs/runner';
import { staticMediaRoutes } from './media';
import { newsRoutes } from './news';
import { feedRoutes, type FeedProvider, type SignatureProvider } from './publish/routes';
import { FeedPublisher, type Signing } from './publish/versions';
import { generateSigningKey, type SigningKey } from './signing';
import { accountCount, createAccount } from './studio/accounts';
import { studioApiRoutes } from './studio/api';
import { audit, SYSTEM } from './studio/audit';
import { StudioAuth } from './studio/auth';
import type { StudioContext } from './studio/context';
import { DEFAULT_MEDIA_LIMITS, MediaStore, type MediaLimits } from './studio/media-store';
import { Posts } from './studio/posts';
import { studioWebRoutes } from './studio/web/routes';
import type { EnrollCodes } from './tally/codes';
import { Enrolment } from './tally/enrol';
import type { ShareFaults } from './tally/faults';
import { DEFAULT_DAILY_CAP, ShareIngest } from './tally/ingest';
import { seedCodes } from './tally/members';
import { tallyRoutes } from './tally/routes';
import { feedKey } from './tally/validate';
import { DEFAULT_OEMBED_URL, runVerifications } from './tally/verifier';

// The agency server: the studio (accounts, posts, workflow, media, audit) and its JSON API, the
// published feed (signed versions), the tally (enrolment, validated events, rollups) and the
// dashboard, on SQLite or PostgreSQL. Each room is a module returning its routes; state shared
// by server processes lives in the database, so any number of them can serve one agency.

export const DEFAULT_RATE_LIMIT: RateLimit = { perMinute: 120, burst: 60 };
export const DEFAULT_ENROLL_RATE_LIMIT: RateLimit = { perMinute: 60, burst: 60 };
export const WIB_MINUTES = 7 * 60;
/** The idle time a keep-alive socket is promised (the `Keep-Alive` header), and how much longer the server really waits. */
export const KEEP_ALIVE_ADVERTISED_S = 5;
const KEEP_ALIVE_BUFFER_S = 3;

export interface AgencyServerOptions {
  /** Public base URL (behind a proxy, or a tunnel); default `http://localhost:<port>`. */
  baseUrl?: string;
  /** The database: a SQLite file, `:memory:` (default) or a `postgres://` URL. */
  db?: string;
  /** Where uploaded media are kept; default `media/` beside the SQLite file, else a temporary directory. */
  mediaDir?: string;
  mediaLimits?: MediaLimits;
  /** Seed the demo agency on an empty database (units, codes, accounts, posts) and say so on every page. */
  demo?: boolean;
  /** Units and codes for an empty database (SIAR_ENROLL_CODES). */
  enrollCodes?: EnrollCodes;
  /** The first admin on a database without accounts (SIAR_ADMIN_USER / SIAR_ADMIN_PASSWORD). */
  admin?: { user: string; password: string };
  publisher?: { id: string; name: string };
  feedTitle?: string;
  refreshMinutes?: number;
  /** Online signing with this key (default: a fresh key per server), or offline with only the public key. */
  signingKey?: SigningKey;
  offlinePublicKey?: string;
  /** Per member on v1/shares and v1/me/summary. */
  rateLimit?: RateLimit;
  /** Per client address on v1/enroll. */
  enrollRateLimit?: RateLimit;
  dailyCap?: number;
  /** Feed addresses besides `<base>/feed.json` that share events may name (a CDN copy). */
  feedUrls?: readonly string[];
  /** Reverse proxies in front that write X-Forwarded-For. */
  trustProxy?: number;
  /** X's oEmbed endpoint for the post verifier. */
  oembedUrl?: string;
  utcOffsetMinutes?: number;
  /** Connections at once, and per client address (unless behind a proxy). */
  maxConnections?: number;
  maxConnectionsPerAddress?: number;
  /**
   * Slow-client limits in milliseconds: headers (default 10 s), the whole request (default 2 min),
   * and how often node checks them (default 30 s). Code only, never the environment: tests shorten
   * them to watch a slow client being cut off.
   */
  timeouts?: { headersMs?: number; requestMs?: number; checkEveryMs?: number };
  /** PostgreSQL connections in this process's pool (SIAR_DB_POOL); default 10. */
  dbPool?: number;
  /** `POST v1/shares` being handled at once before more are answered 503 (SIAR_SHARES_IN_FLIGHT). */
  sharesInFlight?: number;
  /** Of those, small bodies' own cap (default 8 × sharesInFlight). */
  smallSharesInFlight?: number;
  /** Bytes of `POST v1/shares` bodies read and parsed at once (default SHARES_PARSE_BYTES; tests). */
  sharesParseBytes?: number;
  /** Periodic jobs (publisher clock, verifier, pruning); tests may drive them by hand. */
  jobs?: boolean;
  quiet?: boolean;
  /** More routes, matched before the built-in ones. */
  routes?: Route[];
  /** Tests only: serve this feed instead of the studio's versions. */
  feed?: FeedProvider;
  /** Tests only: feed.json.sig for the provided feed (undefined → 404). */
  signature?: SignatureProvider;
  /** Tests only: decides a fault for each `POST v1/shares` (see server/tally/faults.ts). */
  faults?: ShareFaults;
  /** The moment the demo counts from; default now. */
  now?: number;
}

export interface AgencyServer {
  server: Server;
  db: Database;
  readonly base: string;
  publicKey: string;
  publisher: FeedPublisher;
  media: MediaStore;
  jobs: JobRunner;
  /** Runs the publisher's clock now: scheduled posts appear, expired ones leave. */
  tick(): Promise<void>;
  /** Runs the X verifier's due jobs now. */
  verify(): Promise<void>;
  listen(port?: number, host?: string): Promise<{ port: number; base: string }>;
  close(): Promise<void>;
}

function defaultMediaDir(db: string): { dir: string; temporary: boolean } {
  if (db !== ':memory:' && !isPostgresUrl(db)) return { dir: join(dirname(db), 'media'), temporary: false };
  return { dir: mkdtempSync(join(tmpdir(), 'siar-media-')), temporary: true };
}

export async function createAgencyServer(options: AgencyServerOptions = {}): Promise<AgencyServer> {
  const startedAt = options.now ?? Date.now();
  let base = options.baseUrl?.replace(/\/+$/, '') ?? '';
  const location = options.db ?? ':memory:';
  const db = await openDatabase(location, { max: options.dbPool });
  const mediaDir = options.mediaDir ? { dir: options.mediaDir, temporary: false } : defaultMediaDir(location);
  const utcOffsetMinutes = options.utcOffsetMinutes ?? WIB_MINUTES;
  const signingKey = options.signingKey ?? generateSigningKey();
  const signing: Signing = options.offlinePublicKey
    ? { mode: 'offline', publicKey: options.offlinePublicKey }
    : { mode: 'online', key: signingKey };
  const demo = options.demo ?? false;
  const publisher = new FeedPublisher(db, {
    base: () => base,
    signing,
    publisher: options.publisher ?? PUBLISHER,
    title: options.feedTitle ?? (demo ? 'Konten Resmi Pemkab Contoh' : `Konten Resmi ${(options.publisher ?? PUBLISHER).name}`),
    refreshMinutes: options.refreshMinutes ?? 15,
    utcOffsetMinutes,
  });
  const media = new MediaStore(db, mediaDir.dir, options.mediaLimits ?? DEFAULT_MEDIA_LIMITS);
  try {
    await media.ready();
    await prepare();
  } catch (error) {
    // A refused start leaves nothing open behind it.
    await db.close();
    if (mediaDir.temporary) rmSync(mediaDir.dir, { recursive: true, force: true });
    throw error;
  }

  async function prepare(): Promise<void> {
    await ensurePartitions(db, startedAt);
    // An empty database gets its first admin and its units, or the demo — once, even when several
    // server processes start together.
    if (demo) {
      await seedDemo(db, media, startedAt);
    } else if ((await accountCount(db)) === 0) {
      if (!options.admin)
        throw new Error(
          'the database has no accounts: give the first admin (SIAR_ADMIN_USER / SIAR_ADMIN_PASSWORD), or run the demo (SIAR_DEMO=1)',
        );
      if (!options.enrollCodes)
        throw new Error(
          'the database has no units: give them with their enrolment codes (SIAR_ENROLL_CODES), or run the demo (SIAR_DEMO=1)',
        );
      await db.tx(async (q) => {
        await lockFor(q, 'siar-first-start');
        if ((await accountCount(q)) > 0) return;
        const admin = await createAccount(q, {
          user: options.admin!.user,
          password: options.admin!.password,
          role: 'admin',
          name: 'Administrator',
        });
        await seedCodes(q, options.enrollCodes!);
        await audit(q, SYSTEM, { action: 'account_create', subject: `account:${admin.username}`, after: { role: 'admin', first: true } });
      });
    }
  }

  const feedUrls = (): ReadonlySet<string> => new Set([`${base}/feed.json`, ...(options.feedUrls ?? [])].map(feedKey));
  const enrolment = new Enrolment(db);
  const ingest = new ShareIngest(db, { dailyCap: options.dailyCap ?? DEFAULT_DAILY_CAP, utcOffsetMinutes, feedUrls });
  const trustProxy = options.trustProxy ?? 0;
  const auth = new StudioAuth(db, trustProxy);
  const posts = new Posts(db, publisher, { base: () => base, utcOffsetMinutes });
  const studio: StudioContext = {
    db,
    auth,
    posts,
    publisher,
    media,
    base: () => base,
    secure: () => base.startsWith('https:'),
    utcOffsetMinutes,
    demo,
  };

  const oembedUrl = options.oembedUrl ?? DEFAULT_OEMBED_URL;
  const log = (m: string) => {
    if (!options.quiet) console.error(m);
  };
  const clock: Job = {
    name: 'publisher',
    everyMs: 5_000,
    run: async () => (options.feed ? undefined : (await publisher.tick()).next),
  };
  const verifier: Job = { name: 'verifier', everyMs: 10_000, run: async () => void (await runVerifications(db, { oembedUrl })) };
  const pruning: Job = {
    name: 'pruning',
    everyMs: 3_600_000,
    run: async () => {
      await pruneBuckets(db);
      await pruneFailures(db);
      await db.run('DELETE FROM sessions WHERE expires_at < $1', [new Date().toISOString()]);
      await db.run('DELETE FROM feed_reports WHERE at < $1', [new Date(Date.now() - 2 * 86_400_000).toISOString()]);
      await ensurePartitions(db);
      await media.pruneUnused();
      await media.pruneUploads();
    },
  };
  // SQLite: the WAL copied into the file every second, off the event loop, so no writer ever
  // pays for a checkpoint on the request path (server/db/sqlite.ts).
  const checkpoint: Job | undefined =
    db instanceof SqliteDatabase ? { name: 'checkpoint', everyMs: 1_000, run: async () => void (await db.checkpoint()) } : undefined;
  const jobs = new JobRunner(db, [clock, verifier, pruning, ...(checkpoint ? [checkpoint] : [])], log);

  const legacy = options.feed !== undefined || demo;
  const demoFeed = (b: string) => buildDemoFeed({ base: b, now: startedAt });
  const router = createRouter([
    ...(options.routes ?? []),
    {
      method: 'GET',
      path: '/healthz',
      handler: async ({ res }) => {
        await db.get('SELECT 1 AS ok');
        const stopped = db instanceof SqliteDatabase ? db.writerStopped() : undefined;
        if (stopped) throw new HttpError(503, 'unavailable', 'the database writer has stopped');
        sendJson(res, 200, { ok: true });
      },
    },
    ...feedRoutes({
      db,
      publisher,
      base: () => base,
      provider: options.feed,
      signature: options.feed ? options.signature : undefined,
      demo,
    }),
    ...tallyRoutes({
      db,
      enrolment,
      ingest,
      rateLimit: options.rateLimit ?? DEFAULT_RATE_LIMIT,
      enrollRateLimit: options.enrollRateLimit ?? DEFAULT_ENROLL_RATE_LIMIT,
      trustProxy,
      faults: options.faults,
      sharesInFlight: options.sharesInFlight,
      smallSharesInFlight: options.smallSharesInFlight,
      sharesParseBytes: options.sharesParseBytes,
    }),
    ...studioApiRoutes(studio),
    ...studioWebRoutes(studio),
    ...dashboardRoutes(studio, { feed: options.feed }),
    ...staticMediaRoutes(media, legacy ? demoPictures() : new Map()),
    ...(legacy ? newsRoutes((slug) => demoFeed(base).items.find((item) => item.url === `${base}/berita/${slug}`), PUBLISHER.name) : []),
  ]);

  const requestTimeout = options.timeouts?.requestMs ?? 120_000;
  const accessLog = options.quiet ? undefined : new AccessLog();
  const server = createServer(
    {
      // node refuses a header limit longer than the request's.
      headersTimeout: Math.min(options.timeouts?.headersMs ?? 10_000, requestTimeout),
      requestTimeout,
      ...(options.timeouts?.checkEveryMs ? { connectionsCheckingInterval: options.timeouts.checkEveryMs } : {}),
    },
    (req, res) => {
      // Clients are told a shorter idle time than the server waits (see keepAliveTimeout below).
      res.setHeader('Keep-Alive', `timeout=${KEEP_ALIVE_ADVERTISED_S}`);
      if (accessLog) {
        const started = performance.now();
        res.on('finish', () => {
          const ms = (performance.now() - started).toFixed(1);
          accessLog.line(`${new Date().toISOString()} ${req.method} ${req.url} ${res.statusCode} ${ms}ms`);
        });
      }
      void router(req, res);
    },
  );
  // Slow clients cannot hold the server: headers within 10 s, a whole request within 2 minutes
  // (set above), idle keep-alive sockets closed after 8 s, and connections capped overall and per
  // address. Clients are told 5 s: a client that reuses a socket just as the server closes it gets
  // a reset instead of an answer, and undici's idle timers fire up to a second late (undici#3141).
  // Node 24 has keepAliveTimeoutBuffer for this; on Node 20 the header says less than the timer.
  server.keepAliveTimeout = (KEEP_ALIVE_ADVERTISED_S + KEEP_ALIVE_BUFFER_S) * 1000;
  server.maxConnections = options.maxConnections ?? 1000;
  const perAddress = options.maxConnectionsPerAddress ?? (trustProxy > 0 ? Infinity : 100);
  const open = new Map<string, number>();
  server.on('connection', (socket: Socket) => {
    const address = socket.remoteAddress ?? '';
    const count = (open.get(address) ?? 0) + 1;
    if (count > perAddress) {
      socket.destroy();
      return;
    }
    open.set(address, count);
    socket.once('close', () => {
      const left = (open.get(address) ?? 1) - 1;
      if (left <= 0) open.delete(address);
      else open.set(address, left);
    });
  });

  const agency: AgencyServer = {
    server,
    db,
    publisher,
    media,
    jobs,
    publicKey: publisher.publicKey,
    get base() {
      return base;
    },
    tick: () => jobs.fire(clock),
    verify: () => jobs.fire(verifier),
    listen(port = 0, host = '127.0.0.1') {
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          const actual = (server.address() as AddressInfo).port;
          // `localhost`, not the bound address: it is what the extension's build grants and what
          // the protocol accepts as plain-http loopback.
          base ||= `http://localhost:${actual}`;
          // The first version (or one for a changed address) before anyone can ask for the feed.
          const first = options.feed ? Promise.resolve() : publisher.tick().then(() => undefined);
          first.then(
            () => {
              if (options.jobs !== false) jobs.start();
              resolve({ port: actual, base });
            },
            (error: unknown) => reject(error),
          );
        });
      });
    },
    async close() {
      await jobs.stop();
      if (server.listening) {
        await new Promise<void>((resolve, reject) => {
          server.close((error) => (error ? reject(error) : resolve()));
          // Keep-alive connections (fetch keeps them) would hold close() open for seconds.
          server.closeAllConnections();
        });
      }
      await db.close();
      if (mediaDir.temporary) rmSync(mediaDir.dir, { recursive: true, force: true });
    },
  };
  return agency;
}
