import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { buildDemoFeed, PUBLISHER, type JsonFeed } from './demo/feed';
import { demoPictures } from './demo/pictures';
import { feedRoutes, type FeedProvider } from './feed';
import { createRouter, type Route } from './http';
import { mediaRoutes } from './media';
import { newsRoutes } from './news';

// The demo agency: feed, pictures and news pages of Kabupaten Contoh. Each concern is a module
// returning its routes; the tally (v1/enroll, v1/shares, v1/me/summary, dashboard) joins the
// same way.

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
}

export interface AgencyServer {
  server: Server;
  /** Base URL of the running server (no trailing slash); empty before `listen`. */
  readonly base: string;
  listen(port?: number, host?: string): Promise<{ port: number; base: string }>;
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

  const router = createRouter([
    ...(options.routes ?? []),
    ...feedRoutes(options.feed ?? demoFeed, () => base),
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
    close() {
      return new Promise((resolve, reject) => {
        if (!server.listening) return resolve();
        server.close((error) => (error ? reject(error) : resolve()));
        // Keep-alive connections (fetch keeps them) would hold close() open for seconds.
        server.closeAllConnections();
      });
    },
  };
}
