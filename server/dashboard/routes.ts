import type { ServerResponse } from 'node:http';
import { isExpired, priorityOf, type Item, type ParsedFeed } from '../../utils/protocol/feed';
import type { Db } from '../db/database';
import { HttpError, readForm, send, type Route } from '../http';
import { RateLimiter } from '../tally/rate-limit';
import {
  CLEARED_COOKIE,
  credentialsMatch,
  Sessions,
  sessionCookie,
  type AdminCredentials,
} from './auth';
import { csvLine } from './csv';
import { DASHBOARD_CSS, dashboardPage, loginPage } from './pages';
import { Stats } from './stats';

// The agency dashboard at `/`: login, the figures, and the CSV export.

export interface DashboardOptions {
  db: Db;
  admin: AdminCredentials;
  /** The feed as currently served, for titles and mandatory items; undefined if unreadable. */
  feed: () => Promise<ParsedFeed | undefined>;
  /** Whether the public URL is https, so the session cookie may be sent over https only. */
  secure: () => boolean;
  /** The agency's offset from UTC in minutes (WIB: 420), for "today" and "this week". */
  utcOffsetMinutes: number;
}

const HTML_HEADERS = {
  'Content-Type': 'text/html; charset=utf-8',
  // Member names and NIPs: never kept by a browser or proxy cache.
  'Cache-Control': 'no-store',
  'Content-Security-Policy':
    "default-src 'none'; style-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
};

const CSS_HEADERS = { 'Content-Type': 'text/css; charset=utf-8', 'Cache-Control': 'public, max-age=3600' };

const LOGIN_FORM_BYTES = 4096;
/** Guessing the admin password: 10 tries a minute from one address. */
const LOGIN_LIMIT = { perMinute: 10, burst: 10 };
const CSV_PAGE = 1000;

const CSV_COLUMNS = [
  'id', 'nip', 'name', 'unit', 'item_id', 'feed_url', 'platform', 'action', 'at', 'post_url', 'received_at',
] as const;
type CsvRow = Record<(typeof CSV_COLUMNS)[number], string | null> & { seq: number };

function offsetName(minutes: number): string {
  const names: Record<number, string> = { 420: 'WIB', 480: 'WITA', 540: 'WIT' };
  if (names[minutes]) return names[minutes];
  const sign = minutes < 0 ? '-' : '+';
  const abs = Math.abs(minutes);
  return `UTC${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

/** `location` is relative (RFC 9110 allows it), so a proxy may serve the dashboard under a path. */
function redirect(res: ServerResponse, status: 302 | 303, location: string, cookie?: string): void {
  const headers = { Location: location, 'Cache-Control': 'no-store' };
  send(res, status, cookie ? { ...headers, 'Set-Cookie': cookie } : headers);
}

/** Resolves when `res` can take more, or is gone. */
function drained(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

export function dashboardRoutes(options: DashboardOptions): Route[] {
  const { db, admin, utcOffsetMinutes } = options;
  const sessions = new Sessions();
  const logins = new RateLimiter(LOGIN_LIMIT);
  const stats = new Stats(db);
  // Keyset pages, not one long iterate(): better-sqlite3 allows no other query while an iterator
  // is open, and the export waits for a slow client between pages.
  const csvPage = db.prepare(`SELECT shares.rowid AS seq, shares.id, members.nip, members.name,
      units.name AS unit, item_id, feed_url, platform, action, at, post_url, received_at
    FROM shares JOIN members ON members.id = shares.member_id JOIN units ON units.id = members.unit_id
    WHERE shares.rowid > ? ORDER BY shares.rowid LIMIT ${CSV_PAGE}`);

  const asOf = new Intl.DateTimeFormat('id-ID', { dateStyle: 'long', timeStyle: 'short', timeZone: 'UTC' });

  return [
    {
      method: 'GET',
      path: '/dashboard.css',
      handler: ({ res }) => send(res, 200, CSS_HEADERS, DASHBOARD_CSS),
    },
    {
      method: 'GET',
      path: '/',
      handler: async ({ req, res }) => {
        if (!sessions.of(req)) return redirect(res, 302, 'login');
        const now = Date.now();
        const feed = await options.feed();
        const items = new Map<string, Item>((feed?.items ?? []).map((item) => [item.id, item]));
        const mandatory = [...items.values()].filter(
          (item) => priorityOf(item) === 'mandatory' && !isExpired(item, now),
        );
        const html = dashboardPage({
          stats: stats.read(now, utcOffsetMinutes),
          items,
          coverage: mandatory.map((item) => ({ item, byUnit: stats.coverage(item.id) })),
          publisher: feed?.meta._siar?.publisher?.name ?? feed?.meta.title ?? 'Agensi',
          asOf: `${asOf.format(new Date(now + utcOffsetMinutes * 60_000))} ${offsetName(utcOffsetMinutes)}`,
        });
        send(res, 200, HTML_HEADERS, html);
      },
    },
    {
      method: 'GET',
      path: '/login',
      handler: ({ req, res }) => {
        if (sessions.of(req)) return redirect(res, 302, './');
        send(res, 200, HTML_HEADERS, loginPage());
      },
    },
    {
      method: 'POST',
      path: '/login',
      handler: async ({ req, res }) => {
        const wait = logins.take(req.socket.remoteAddress ?? '');
        if (wait > 0) {
          const html = loginPage(`Terlalu banyak percobaan. Coba lagi dalam ${wait} detik.`);
          return send(res, 429, { ...HTML_HEADERS, 'Retry-After': String(wait) }, html);
        }
        const form = await readForm(req, LOGIN_FORM_BYTES);
        const given = { user: form.get('user') ?? '', password: form.get('password') ?? '' };
        if (!credentialsMatch(given, admin)) {
          return send(res, 401, HTML_HEADERS, loginPage('Nama pengguna atau kata sandi salah.'));
        }
        redirect(res, 303, './', sessionCookie(sessions.create(), options.secure()));
      },
    },
    {
      method: 'POST',
      path: '/logout',
      handler: ({ req, res }) => {
        const id = sessions.of(req);
        if (id) sessions.delete(id);
        redirect(res, 303, 'login', CLEARED_COOKIE);
      },
    },
    {
      method: 'GET',
      path: '/export/shares.csv',
      handler: async ({ req, res }) => {
        if (!sessions.of(req)) throw new HttpError(401, 'unauthorized', 'log in to the dashboard first');
        const day = new Date(Date.now() + utcOffsetMinutes * 60_000).toISOString().slice(0, 10);
        res.writeHead(200, {
          'Content-Type': 'text/csv; charset=utf-8',
          'Content-Disposition': `attachment; filename="siar-shares-${day}.csv"`,
          'Cache-Control': 'no-store',
        });
        if (req.method === 'HEAD') return void res.end();
        // The byte order mark makes Excel read the file as UTF-8 rather than the locale's code page.
        res.write(`\uFEFF${csvLine(CSV_COLUMNS)}`);
        for (let last = 0; ; ) {
          const rows = csvPage.all(last) as CsvRow[];
          const chunk = rows.map((row) => csvLine(CSV_COLUMNS.map((column) => row[column]))).join('');
          if (!res.write(chunk)) await drained(res);
          if (res.destroyed) return;
          if (rows.length < CSV_PAGE) break;
          last = rows.at(-1)!.seq;
        }
        res.end();
      },
    },
  ];
}
