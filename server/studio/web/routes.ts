import { loginPage } from '../../dashboard/pages';
import { HTML_HEADERS, redirect } from '../../dashboard/routes';
import { readForm, send, type Route } from '../../http';
import { CLEARED_COOKIE, csrfOk, sessionCookie } from '../auth';
import type { StudioContext } from '../context';

// The studio's pages: login and logout; the posts, review queue, feed health and the agency's
// administration pages are added here.

const LOGIN_FORM_BYTES = 4096;

export function studioWebRoutes(ctx: StudioContext): Route[] {
  return [
    {
      method: 'GET',
      path: '/login',
      handler: async ({ req, res }) => {
        const actor = await ctx.auth.actor(req);
        if (actor?.kind === 'cookie') return redirect(res, 302, './');
        send(res, 200, HTML_HEADERS, loginPage(undefined, ctx.demo));
      },
    },
    {
      method: 'POST',
      path: '/login',
      handler: async ({ req, res }) => {
        const form = await readForm(req, LOGIN_FORM_BYTES);
        const result = await ctx.auth.login(form.get('user') ?? '', form.get('password') ?? '', ctx.auth.address(req), 'cookie');
        if (!result.ok && result.status === 429) {
          const html = loginPage(`Terlalu banyak percobaan. Coba lagi dalam ${result.retryAfter} detik.`, ctx.demo);
          return send(res, 429, { ...HTML_HEADERS, 'Retry-After': String(result.retryAfter) }, html);
        }
        if (!result.ok) return send(res, 401, HTML_HEADERS, loginPage('Nama pengguna atau kata sandi salah.', ctx.demo));
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
  ];
}
