import { redirect } from '../../dashboard/routes';
import { readForm, send, type Route } from '../../http';
import { CLEARED_COOKIE, csrfOk, sessionCookie } from '../auth';
import type { StudioContext } from '../context';
import { assetRoutes } from './assets';
import { rootOf } from './html';
import { dict, isLang } from './i18n';
import { langCookie, langOf } from './lang';
import { loginView } from './login';
import { accountRoutes } from './pages/accounts';
import { auditRoutes } from './pages/audit';
import { campaignRoutes } from './pages/campaigns';
import { coverageRoutes } from './pages/coverage';
import { feedPageRoutes } from './pages/feed';
import { memberRoutes } from './pages/members';
import { postListRoutes } from './pages/post-list';
import { postRoutes } from './pages/post-routes';
import { rosterRoutes } from './pages/roster';
import { unitRoutes } from './pages/units';
import { htmlHeaders } from './web';

// The studio's pages (server-rendered HTML, Indonesian first): login and logout, the language
// switch, the posts and their workflow, the review queue, feed health, the audit log, and the
// agency's administration. Every page and form goes through `studioPage` (web.ts).

const LOGIN_FORM_BYTES = 4096;

/** A path on this server to come back to after the language switch; anything else → the dashboard. */
function localPath(value: string | null): string {
  if (!value || !value.startsWith('/') || value.startsWith('//') || value.length > 2000) return '/';
  // No backslash, space or control character: nothing a browser could read as another place.
  if (/[\\\s]/.test(value) || Array.from(value).some((c) => c.charCodeAt(0) < 0x20)) return '/';
  return value;
}

export function studioWebRoutes(ctx: StudioContext): Route[] {
  return [
    {
      method: 'GET',
      path: '/login',
      handler: async ({ req, res }) => {
        const actor = await ctx.auth.actor(req);
        if (actor?.kind === 'cookie') return redirect(res, 302, './');
        send(res, 200, htmlHeaders(), loginView(undefined, ctx.demo, langOf(req)));
      },
    },
    {
      method: 'POST',
      path: '/login',
      handler: async ({ req, res }) => {
        const lang = langOf(req);
        const t = dict(lang);
        const form = await readForm(req, LOGIN_FORM_BYTES);
        const result = await ctx.auth.login(form.get('user') ?? '', form.get('password') ?? '', ctx.auth.address(req), 'cookie');
        if (!result.ok && result.status === 429) {
          const html = loginView(t.login.tooMany(result.retryAfter ?? 60), ctx.demo, lang);
          return send(res, 429, { ...htmlHeaders(), 'Retry-After': String(result.retryAfter) }, html);
        }
        if (!result.ok) return send(res, 401, htmlHeaders(), loginView(t.login.wrong, ctx.demo, lang));
        redirect(res, 303, './', sessionCookie(result.token, ctx.secure()));
      },
    },
    {
      method: 'POST',
      path: '/logout',
      handler: async ({ req, res }) => {
        const actor = await ctx.auth.actor(req);
        const form = await readForm(req, LOGIN_FORM_BYTES);
        if (actor && csrfOk(req, actor, form.get('_csrf') ?? undefined)) await ctx.auth.logout(actor);
        redirect(res, 303, 'login', CLEARED_COOKIE);
      },
    },
    {
      // A link, not a form: a language is no secret, and the login page has no session to guard.
      method: 'GET',
      path: '/studio/lang',
      handler: ({ res, url }) => {
        const to = url.searchParams.get('to');
        const back = localPath(url.searchParams.get('back'));
        const location = `${rootOf(url.pathname)}${back.slice(1)}` || './';
        send(res, 303, {
          Location: location,
          'Cache-Control': 'no-store',
          ...(isLang(to) ? { 'Set-Cookie': langCookie(to, ctx.secure()) } : {}),
        });
      },
    },
    { method: 'GET', path: '/studio', handler: ({ res }) => redirect(res, 302, 'studio/posts') },
    { method: 'GET', path: '/studio/', handler: ({ res }) => redirect(res, 302, 'posts') },
    ...assetRoutes(),
    ...postListRoutes(ctx),
    ...coverageRoutes(ctx),
    ...postRoutes(ctx),
    ...feedPageRoutes(ctx),
    ...auditRoutes(ctx),
    ...unitRoutes(ctx),
    ...memberRoutes(ctx),
    ...rosterRoutes(ctx),
    ...accountRoutes(ctx),
    ...campaignRoutes(ctx),
  ];
}
