import type { IncomingMessage } from 'node:http';
import { cookieValue } from '../auth';
import { isLang, type Lang } from './i18n';

// Which language a page is in: the `lang` cookie set by the switch on every page, else the
// browser's Accept-Language, else Indonesian.

export const LANG_COOKIE = 'lang';

export function langOf(req: IncomingMessage): Lang {
  const chosen = cookieValue(req, LANG_COOKIE);
  if (isLang(chosen)) return chosen;
  return fromAcceptLanguage(String(req.headers['accept-language'] ?? ''));
}

/** The best of `id` and `en` by the header's weights; Indonesian when it names neither. */
export function fromAcceptLanguage(header: string): Lang {
  let best: { lang: Lang; q: number } | undefined;
  for (const part of header.split(',').slice(0, 30)) {
    const [tag = '', ...params] = part.trim().split(';');
    const primary = tag.trim().toLowerCase().split('-')[0];
    // `in` is the old code for Indonesian, still sent by some Android browsers.
    const lang: Lang | undefined = primary === 'id' || primary === 'in' ? 'id' : primary === 'en' ? 'en' : undefined;
    if (!lang) continue;
    const qParam = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    const q = qParam ? Number(qParam.slice(2)) : 1;
    if (!Number.isFinite(q) || q <= 0) continue;
    if (!best || q > best.q) best = { lang, q };
  }
  return best?.lang ?? 'id';
}

export function langCookie(lang: Lang, secure: boolean): string {
  return [`${LANG_COOKIE}=${lang}`, 'Path=/', 'HttpOnly', 'SameSite=Strict', `Max-Age=${365 * 86_400}`, ...(secure ? ['Secure'] : [])].join(
    '; ',
  );
}
