import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { Role } from '../../../utils/protocol/studio';
import { HTML_HEADERS } from '../../dashboard/routes';
import { HttpError, readForm, send, type Method, type Route } from '../../http';
import { csrfOk, type Actor } from '../auth';
import type { StudioContext } from '../context';
import { e, rootOf } from './html';
import { dict, type Dict, type Lang } from './i18n';
import { langOf } from './lang';
import { layout, type NavKey, type Viewer } from './layout';
import { boundaryOf, readMultipart, type MultipartLimits, type UploadedFile } from './multipart';

// What every studio page shares: the cookie session (no session → the login page), the role
// check (403), the form body read with a bound and its CSRF token checked before any handler
// runs, the security headers, and refusals rendered as pages rather than JSON.

/** The dashboard's policy: no script at all. */
const CSP_BASE = HTML_HEADERS['Content-Security-Policy'];
/** Only the post editor runs a script: its own bundle, and its uploads go to this server. */
const CSP_SCRIPT =
  "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

export function htmlHeaders(script = false): OutgoingHttpHeaders {
  return {
    'Content-Type': 'text/html; charset=utf-8',
    'Cache-Control': 'no-store',
    'Content-Security-Policy': script ? CSP_SCRIPT : CSP_BASE,
    'X-Frame-Options': 'DENY',
    'Referrer-Policy': 'no-referrer',
  };
}

/** Most forms are a few fields; the post form and uploads say their own bounds. */
export const SMALL_FORM_BYTES = 16 * 1024;

export type BodySpec = { max: number; multipart?: MultipartLimits };

export interface WebForm {
  fields: URLSearchParams;
  files: Map<string, UploadedFile>;
  get(name: string): string;
}

export interface Page {
  ctx: StudioContext;
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  params: Record<string, string>;
  lang: Lang;
  t: Dict;
  /** The relative way to the server's root from this page. */
  root: string;
  actor: Actor;
  viewer: Viewer;
  form: WebForm;
  /** Sends a whole page in the studio's frame. */
  html(status: number, page: { title: string; body: string; current?: NavKey; script?: string; wide?: boolean }): void;
  /** 303 to `path`, relative to the server's root (`studio/posts/x?done=saved`). */
  redirect(path: string, cookie?: string): void;
}

export interface PageOptions {
  roles?: readonly Role[];
  body?: BodySpec;
}

const ANYONE: readonly Role[] = ['editor', 'approver', 'admin'];

function emptyForm(): WebForm {
  const fields = new URLSearchParams();
  return { fields, files: new Map(), get: (name) => fields.get(name) ?? '' };
}

async function readWebForm(req: IncomingMessage, spec: BodySpec): Promise<WebForm> {
  const boundary = spec.multipart ? boundaryOf(req.headers['content-type']) : undefined;
  if (spec.multipart && boundary) {
    const { fields, files } = await readMultipart(req, boundary, spec.multipart);
    return { fields, files, get: (name) => fields.get(name) ?? '' };
  }
  const fields = await readForm(req, spec.max);
  return { fields, files: new Map(), get: (name) => fields.get(name) ?? '' };
}

export function errorMessage(t: Dict, error: HttpError): string {
  if (error.code === 'csrf') return t.errors.csrf;
  if (error.code === 'four_eyes') return t.errors.fourEyes;
  switch (error.status) {
    case 404:
      return t.errors.notFound;
    case 403:
      return t.errors.forbidden;
    case 409:
      return t.errors.conflict;
    case 413:
      return t.errors.tooLarge;
    case 400:
      return t.errors.badRequest;
    default:
      return t.errors.generic;
  }
}

export function studioPage(
  ctx: StudioContext,
  method: Method,
  path: string,
  handler: (p: Page) => Promise<void>,
  options: PageOptions = {},
): Route {
  const roles = options.roles ?? ANYONE;
  return {
    method,
    path,
    handler: async ({ req, res, url, params }) => {
      const lang = langOf(req);
      const t = dict(lang);
      const root = rootOf(url.pathname);
      const here = `${url.pathname}${url.search}`;
      const actor = await ctx.auth.actor(req);
      // Pages use the cookie session only; an API token belongs to scripts, not to a browser.
      if (!actor || actor.kind !== 'cookie') {
        send(res, method === 'GET' ? 302 : 303, { Location: `${root}login`, 'Cache-Control': 'no-store' });
        return;
      }
      const viewer: Viewer = {
        user: actor.account.username,
        name: actor.account.name,
        role: actor.account.role,
        csrf: actor.csrf,
        unit: actor.account.unit,
      };
      const html: Page['html'] = (status, pg) => {
        send(res, status, htmlHeaders(Boolean(pg.script)), layout({ lang, root, here, viewer, demo: ctx.demo, ...pg }));
      };
      const fail = (status: number, message: string, detail?: string) =>
        html(status, {
          title: t.errors.title,
          body: `<h1>${e(t.errors.title)}</h1><p class="alert" role="alert">${e(message)}</p>${detail ? `<p class="muted"><small>${e(detail)}</small></p>` : ''}<p><a href="${e(`${root}studio/posts`)}">${e(t.common.back)}</a></p>`,
        });
      try {
        if (!roles.includes(actor.account.role)) throw new HttpError(403, 'forbidden', `this page needs the role ${roles.join(' or ')}`);
        let form = emptyForm();
        if (method !== 'GET') {
          form = await readWebForm(req, options.body ?? { max: SMALL_FORM_BYTES });
          if (!csrfOk(req, actor, form.fields.get('_csrf') ?? '')) throw new HttpError(403, 'csrf', 'missing or wrong CSRF token');
        }
        await handler({
          ctx,
          req,
          res,
          url,
          params,
          lang,
          t,
          root,
          actor,
          viewer,
          form,
          html,
          redirect: (to, cookie) => {
            const headers: OutgoingHttpHeaders = { Location: `${root}${to}`, 'Cache-Control': 'no-store' };
            send(res, 303, cookie ? { ...headers, 'Set-Cookie': cookie } : headers);
          },
        });
      } catch (error) {
        if (!(error instanceof HttpError) || res.headersSent) throw error;
        // The body may be unread (a refusal before reading it): the browser still gets the page.
        fail(error.status, errorMessage(t, error), error.status === 400 ? error.message : undefined);
      }
    },
  };
}
