import type { ServerResponse } from 'node:http';
import { isExpired, parseFeedJson, parseFeedText, priorityOf, type Item, type ParsedFeed } from '../../utils/protocol/feed';
import { HttpError, send, type Route } from '../http';
import type { FeedProvider } from '../publish/routes';
import type { StudioContext } from '../studio/context';
import { coverageByUnit } from './coverage';
import { exportsBusy, streamSharesCsv } from './export';
import { DASHBOARD_CSS, dashboardPage } from './pages';
import { feedHealthReports, itemTitles, readStats, recentAlerts } from './stats';
import { langOf } from '../studio/web/lang';

// The agency dashboard at `/`: the figures (from rollups), coverage of mandatory posts, alerts,
// and the CSV export of every event (admins only: it holds NIPs and names).

export const HTML_HEADERS = {
  'Content-Type': 'text/html; charset=utf-8',
  // Member names and NIPs: never kept by a browser or proxy cache.
  'Cache-Control': 'no-store',
  // No script at all on these pages; the studio's editor adds its own, from this server only.
  'Content-Security-Policy':
    "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
};

const CSS_HEADERS = { 'Content-Type': 'text/css; charset=utf-8', 'Cache-Control': 'public, max-age=3600' };

export function offsetName(minutes: number): string {
  const names: Record<number, string> = { 420: 'WIB', 480: 'WITA', 540: 'WIT' };
  if (names[minutes]) return names[minutes];
  const sign = minutes < 0 ? '-' : '+';
  const abs = Math.abs(minutes);
  return `UTC${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

/** `location` is relative (RFC 9110 allows it), so a proxy may serve the dashboard under a path. */
export function redirect(res: ServerResponse, status: 302 | 303, location: string, cookie?: string): void {
  const headers = { Location: location, 'Cache-Control': 'no-store' };
  send(res, status, cookie ? { ...headers, 'Set-Cookie': cookie } : headers);
}

async function servedFeed(ctx: StudioContext, provider?: FeedProvider): Promise<ParsedFeed | undefined> {
  try {
    if (provider) {
      const body = await provider({ base: ctx.base() });
      const r =
        typeof body === 'string'
          ? parseFeedText(body)
          : body instanceof Uint8Array
            ? parseFeedText(Buffer.from(body).toString('utf8'))
            : parseFeedJson(body);
      return r.ok ? r.feed : undefined;
    }
    const current = await ctx.publisher.current();
    if (!current) return undefined;
    const r = parseFeedText(current.body.toString('utf8'));
    return r.ok ? r.feed : undefined;
  } catch {
    return undefined;
  }
}

export function dashboardRoutes(ctx: StudioContext, options: { feed?: FeedProvider } = {}): Route[] {
  const { db, utcOffsetMinutes } = ctx;
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
        const actor = await ctx.auth.actor(req);
        if (!actor || actor.kind !== 'cookie') return redirect(res, 302, 'login');
        const now = Date.now();
        const feed = await servedFeed(ctx, options.feed);
        const items = new Map<string, Item>((feed?.items ?? []).map((item) => [item.id, item]));
        const stats = await readStats(db, now, utcOffsetMinutes);
        const titles = await itemTitles(
          db,
          stats.items.map((i) => i.item_id),
        );
        const mandatory = [...items.values()].filter((item) => priorityOf(item) === 'mandatory' && !isExpired(item, now));
        const coverage = [];
        for (const item of mandatory) {
          const units = await coverageByUnit(db, item.id);
          coverage.push({ item, byUnit: new Map(units.map((u) => [u.unit_id, u.posted])) });
        }
        const html = dashboardPage({
          stats,
          items,
          titles,
          coverage,
          alerts: await recentAlerts(db, now),
          publisher: feed?.meta._siar?.publisher?.name ?? ctx.publisher.options.publisher.name,
          asOf: `${asOf.format(new Date(now + utcOffsetMinutes * 60_000))} ${offsetName(utcOffsetMinutes)}`,
          demo: ctx.demo,
          lang: langOf(req),
          feedReports: await feedHealthReports(db, now),
          user: actor.account.username,
          role: actor.account.role,
          csrf: actor.csrf,
        });
        send(res, 200, HTML_HEADERS, html);
      },
    },
    {
      method: 'GET',
      path: '/export/shares.csv',
      handler: async ({ req, res }) => {
        const actor = await ctx.auth.actor(req);
        if (!actor) throw new HttpError(401, 'unauthorized', 'log in to the dashboard first');
        if (actor.account.role !== 'admin') throw new HttpError(403, 'forbidden', 'only an admin exports personal data');
        if (exportsBusy()) throw new HttpError(503, 'busy', 'another export is running; try again in a minute', { 'Retry-After': '60' });
        const day = new Date(Date.now() + utcOffsetMinutes * 60_000).toISOString().slice(0, 10);
        res.writeHead(200, {
          'Content-Type': 'text/csv; charset=utf-8',
          'Content-Disposition': `attachment; filename="siar-shares-${day}.csv"`,
          'Cache-Control': 'no-store',
        });
        if (req.method === 'HEAD') return void res.end();
        await streamSharesCsv(db, res);
      },
    },
  ];
}
