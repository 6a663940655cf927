import type { ServerResponse } from 'node:http';
import { csvLine } from '../../../dashboard/csv';
import { HttpError, type Route } from '../../../http';
import { listAccounts } from '../../accounts';
import { auditEntries, auditPage, SYSTEM } from '../../audit';
import { REVIEWERS, type StudioContext } from '../../context';
import { e, options, query } from '../html';
import { auditActions } from '../queries';
import { studioPage } from '../web';
import { trailTable } from './post-view';

// "Log audit": the append-only log, filtered by post, user and action, newest first a page at a
// time (keyset on the entry id), and all of it as CSV — streamed a page at a time, every cell
// through csvLine so nothing in it can run as a spreadsheet formula.

const PAGE = 50;
const EXPORT_PAGE = 1000;
export const AUDIT_CSV_COLUMNS = ['id', 'at', 'user', 'action', 'post', 'subject', 'before', 'after'] as const;

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

const jsonCell = (value: unknown) => (value === null || value === undefined ? '' : JSON.stringify(value));

export function auditRoutes(ctx: StudioContext): Route[] {
  return [
    studioPage(
      ctx,
      'GET',
      '/studio/audit',
      async (p) => {
        const { t, url } = p;
        const post = (url.searchParams.get('post') ?? '').trim().slice(0, 200);
        const user = (url.searchParams.get('user') ?? '').trim().slice(0, 100);
        const action = (url.searchParams.get('action') ?? '').trim().slice(0, 100);
        const before = Math.max(0, Number(url.searchParams.get('before') ?? 0) || 0);
        const entries = await auditEntries(ctx.db, { post, user, action, before, limit: PAGE + 1 });
        const shown = entries.slice(0, PAGE);
        const more = entries.length > PAGE;
        const users = [...(await listAccounts(ctx.db)).map((a) => a.username), SYSTEM.username];
        const actions = await auditActions(ctx.db);
        const filters = { post, user, action };
        const next = more
          ? `<a rel="next" href="${e(`${p.root}studio/audit${query({ ...filters, before: shown.at(-1)!.id })}`)}">${e(t.common.next)}</a>`
          : '';
        const newest = before ? `<a href="${e(`${p.root}studio/audit${query(filters)}`)}">${e(t.audit.newest)}</a>` : '';
        const body = `<h1>${e(t.audit.title)}</h1>
<p class="muted">${e(t.audit.intro)}</p>
<p><a class="button secondary" href="${e(`${p.root}studio/audit.csv`)}" download>${e(t.audit.export)}</a></p>
<section>
<form class="filters" method="get" action="${e(`${p.root}studio/audit`)}" role="search">
<div><label for="post">${e(t.audit.post)}</label><input id="post" name="post" value="${e(post)}"></div>
<div><label for="user">${e(t.audit.user)}</label><select id="user" name="user">${options([['', t.common.all], ...users.map((u) => [u, u] as [string, string])], user)}</select></div>
<div><label for="action">${e(t.audit.action)}</label><select id="action" name="action">${options([['', t.common.all], ...actions.map((a) => [a, a] as [string, string])], action)}</select></div>
<div class="shrink"><button type="submit">${e(t.common.filter)}</button></div>
</form>
${shown.length ? trailTable(t, shown, ctx.utcOffsetMinutes) : `<p class="muted">${e(t.audit.empty)}</p>`}
${next || newest ? `<nav class="pager" aria-label="${e(t.common.pager)}">${newest}${next}</nav>` : ''}
</section>`;
        p.html(200, { title: t.audit.title, current: 'audit', body, wide: true });
      },
      { roles: REVIEWERS },
    ),
    {
      method: 'GET',
      path: '/studio/audit.csv',
      handler: async ({ req, res }) => {
        const actor = await ctx.auth.actor(req);
        if (!actor || actor.kind !== 'cookie') throw new HttpError(401, 'unauthorized', 'log in first');
        if (!REVIEWERS.includes(actor.account.role)) throw new HttpError(403, 'forbidden', 'this needs the role approver or admin');
        const day = new Date(Date.now() + ctx.utcOffsetMinutes * 60_000).toISOString().slice(0, 10);
        res.writeHead(200, {
          'Content-Type': 'text/csv; charset=utf-8',
          'Content-Disposition': `attachment; filename="siar-audit-${day}.csv"`,
          'Cache-Control': 'no-store',
          'X-Content-Type-Options': 'nosniff',
        });
        if (req.method === 'HEAD') return void res.end();
        // The byte order mark makes Excel read UTF-8 rather than the locale's code page.
        res.write(`\uFEFF${csvLine(AUDIT_CSV_COLUMNS)}`);
        let after = 0;
        for (;;) {
          const page = await auditPage(ctx.db, after, EXPORT_PAGE);
          const chunk = page
            .map((a) => csvLine([a.id, a.at, a.user, a.action, a.post, a.subject, jsonCell(a.before), jsonCell(a.after)]))
            .join('');
          if (chunk && !res.write(chunk)) await drained(res);
          if (res.destroyed) return;
          if (page.length < EXPORT_PAGE) break;
          after = page.at(-1)!.id;
        }
        res.end();
      },
    },
  ];
}
