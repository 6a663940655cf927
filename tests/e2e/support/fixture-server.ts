// Serves the fixture sites over HTTPS as the real hosts: the Host header picks the site (each
// fixture answers for its site's hosts, fixture-sites.ts). Browsers reach it through Chromium's
// --host-resolver-rules or, for Firefox, through startConnectProxy below.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { connect as netConnect, type AddressInfo, type Socket } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { buildFixtures, siteDistDir } from './build-fixtures';
import { FIXTURES, SITES, type Site } from './fixture-sites';

/** Hosts the fixtures answer for, and the site each one shows. */
export const FIXTURE_HOSTS: Readonly<Record<string, Site>> = Object.fromEntries(
  SITES.flatMap((site) => FIXTURES[site]!.hosts.map((host) => [host, site] as const)),
);

/** Each site's first host, as an origin. */
export const FIXTURE_ORIGINS: Readonly<Record<Site, string>> = Object.fromEntries(
  SITES.map((site) => [site, `https://${FIXTURES[site]!.hosts[0]}`] as const),
);

// Like x.com's and facebook.com's (which add nonces and their CDNs): no inline script runs, only
// same-origin files; and the page connects to its own origin only, which in Firefox binds content
// scripts too (an agency's media must then come through the background).
export const FIXTURE_CSP = "script-src 'self'; connect-src 'self'";

const CERT_SANS = [...Object.keys(FIXTURE_HOSTS).map((host) => `DNS:${host}`), 'DNS:localhost', 'IP:127.0.0.1'];

export interface TlsMaterial {
  key: Buffer;
  cert: Buffer;
  certPath: string;
  keyPath: string;
}

/** A self-signed certificate for the fixture hosts, made once and kept in the OS temp dir. */
export function fixtureCertificate(): TlsMaterial {
  // The SAN list is part of the folder name so a changed list never reuses an old certificate.
  const tag = Buffer.from(CERT_SANS.join(',')).toString('base64url').slice(0, 16);
  const dir = path.join(os.tmpdir(), `siar-e2e-tls-${tag}`);
  const keyPath = path.join(dir, 'key.pem');
  const certPath = path.join(dir, 'cert.pem');
  if (!existsSync(keyPath) || !existsSync(certPath)) {
    mkdirSync(dir, { recursive: true });
    // Written under unique names then renamed, so parallel runs never read half a file.
    const suffix = `.${process.pid}.${Date.now()}`;
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '3650',
        '-subj',
        '/CN=siar-e2e',
        '-addext',
        `subjectAltName=${CERT_SANS.join(',')}`,
        '-keyout',
        keyPath + suffix,
        '-out',
        certPath + suffix,
      ],
      { stdio: 'pipe', timeout: 30_000 },
    );
    renameSync(keyPath + suffix, keyPath);
    renameSync(certPath + suffix, certPath);
  }
  return { key: readFileSync(keyPath), cert: readFileSync(certPath), keyPath, certPath };
}

const MIME: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
};

function siteFor(req: IncomingMessage): Site | undefined {
  const host = (req.headers.host ?? '').toLowerCase().replace(/:\d+$/, '');
  return Object.hasOwn(FIXTURE_HOSTS, host) ? FIXTURE_HOSTS[host] : undefined;
}

async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const site = siteFor(req);
  const common = { 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' };
  if (!site) {
    res.writeHead(421, { ...common, 'content-type': 'text/plain' }).end(`No fixture for host ${req.headers.host ?? ''}\n`);
    return;
  }
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, common).end();
    return;
  }
  const url = new URL(req.url ?? '/', 'https://fixture.invalid');
  // A test sets this cookie to play a user who is not logged in: the sites then show their log-in
  // pages instead of the composer, as each fixture says.
  if (/(?:^|;\s*)fixture_logged_out=1/.test(req.headers.cookie ?? '') && !url.pathname.startsWith('/static/')) {
    const answer = FIXTURES[site]!.loggedOut?.(url);
    if (answer && 'redirect' in answer) {
      res.writeHead(302, { ...common, location: answer.redirect }).end();
      return;
    }
    if (answer) {
      res.writeHead(200, { ...common, 'content-type': 'text/html; charset=utf-8', 'content-security-policy': FIXTURE_CSP });
      res.end(answer.html);
      return;
    }
  }
  const root = siteDistDir(site);
  let file: string;
  if (url.pathname.startsWith('/static/')) {
    file = path.join(root, path.normalize(url.pathname).replace(/^([/\\])+/, ''));
    if (!file.startsWith(path.join(root, 'static') + path.sep)) {
      res.writeHead(403, common).end();
      return;
    }
  } else if (url.pathname === '/favicon.ico') {
    res.writeHead(204, common).end();
    return;
  } else {
    // Single-page apps: every other path is the app shell, which routes on location.pathname.
    file = path.join(root, 'index.html');
  }
  let body: Buffer;
  try {
    body = await readFile(file);
  } catch {
    res.writeHead(404, { ...common, 'content-type': 'text/plain' }).end('Not found\n');
    return;
  }
  res.writeHead(200, {
    ...common,
    'content-type': MIME[path.extname(file)] ?? 'application/octet-stream',
    'content-length': body.length,
    'content-security-policy': FIXTURE_CSP,
  });
  res.end(req.method === 'HEAD' ? undefined : body);
}

export interface FixtureServer {
  /** Port on 127.0.0.1. */
  port: number;
  origins: typeof FIXTURE_ORIGINS;
  close(): Promise<void>;
}

export interface FixtureServerOptions {
  /** Build the fixtures first (cached); default true. */
  build?: boolean;
}

export async function startFixtureServer(opts: FixtureServerOptions = {}): Promise<FixtureServer> {
  if (opts.build !== false) await buildFixtures();
  const { key, cert } = fixtureCertificate();
  const server = createHttpsServer({ key, cert }, (req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(String(err));
    });
  });
  // Browsers keep connections alive; close() must not wait for them.
  const sockets = new Set<Socket>();
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  // A client that drops the TLS handshake (tests ending mid-load) is not an error.
  server.on('tlsClientError', () => {});
  await listen(server);
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    origins: FIXTURE_ORIGINS,
    close: () => closeServer(server, sockets),
  };
}

function listen(server: { listen(port: number, host: string): unknown; once(ev: string, cb: (e?: Error) => void): unknown }) {
  return new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.once('listening', () => resolve());
    server.listen(0, '127.0.0.1');
  });
}

function closeServer(server: { close(cb: (err?: Error) => void): unknown }, sockets: Set<Socket>): Promise<void> {
  return new Promise<void>((resolve) => {
    for (const s of sockets) s.destroy();
    server.close(() => resolve());
  });
}

export interface ConnectProxy {
  port: number;
  /** Host:port pairs that were refused (the first 1000), e.g. Firefox's own background calls. */
  refused: string[];
  close(): Promise<void>;
}

/**
 * An HTTP CONNECT proxy for Firefox (which has no host resolver rules): tunnels the fixture hosts
 * on 443 to the fixture server, refuses everything else.
 */
export async function startConnectProxy(targetPort: number): Promise<ConnectProxy> {
  const refusedLog: string[] = [];
  const refuse = (target: string) => {
    if (refusedLog.length < 1000) refusedLog.push(target);
  };
  const sockets = new Set<Socket>();
  const track = (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  };
  const server = createHttpServer((req, res) => {
    // Plain-HTTP proxying is never needed: the fixtures are HTTPS only.
    refuse(req.url ?? '');
    res.writeHead(403, { 'content-type': 'text/plain' }).end('Only CONNECT to fixture hosts\n');
  });
  server.on('connection', track);
  server.on('connect', (req: IncomingMessage, client: Socket, head: Buffer) => {
    const target = req.url ?? '';
    const m = /^\[?([^\]]+?)\]?:(\d+)$/.exec(target);
    const host = m?.[1]?.toLowerCase();
    if (!m || m[2] !== '443' || !host || !Object.hasOwn(FIXTURE_HOSTS, host)) {
      refuse(target);
      client.end('HTTP/1.1 403 Forbidden\r\n\r\n');
      return;
    }
    const upstream = netConnect(targetPort, '127.0.0.1', () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    track(upstream);
    const drop = () => {
      upstream.destroy();
      client.destroy();
    };
    upstream.on('error', drop);
    client.on('error', drop);
  });
  await listen(server);
  return {
    port: (server.address() as AddressInfo).port,
    refused: refusedLog,
    close: () => closeServer(server, sockets),
  };
}
