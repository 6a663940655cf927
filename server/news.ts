import type { Item } from '../utils/protocol/feed';
import { HttpError, send, type Route } from './http';

// The news pages the demo posts link to. Shared links unfurl into cards on X, Facebook and
// WhatsApp from these Open Graph tags, so the demo looks like the real thing when posted.

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};
export const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);

const dateFormat = new Intl.DateTimeFormat('id-ID', {
  dateStyle: 'long',
  timeStyle: 'short',
  timeZone: 'Asia/Jakarta',
});

export function renderArticle(item: Item, siteName: string, demo = true): string {
  const e = escapeHtml;
  const title = item.title ?? item.id;
  const description = item.summary ?? '';
  const byline = [item._siar?.agency?.name, item.date_published && `${dateFormat.format(new Date(item.date_published))} WIB`].filter(
    Boolean,
  );
  const paragraphs = (item.content_text ?? description).split(/\n{2,}/).filter((p) => p.trim());
  const meta = [
    ['og:type', 'article'],
    ['og:site_name', siteName],
    ['og:title', title],
    ['og:description', description],
    ['og:url', item.url],
    ['og:image', item.image],
    ['og:locale', 'id_ID'],
  ]
    .filter((pair): pair is [string, string] => Boolean(pair[1]))
    .map(([property, content]) => `<meta property="${property}" content="${e(content)}">`);
  if (item.image) meta.push('<meta name="twitter:card" content="summary_large_image">');
  return `<!doctype html>
<html lang="id">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${e(title)} — ${e(siteName)}</title>
<meta name="description" content="${e(description)}">
${meta.join('\n')}
<style>
body { font: 17px/1.6 system-ui, sans-serif; margin: 0; color: #1f2937; background: #f8fafc; }
header { background: #1e3a8a; color: #fff; padding: 12px 24px; font-weight: 600; }
main { max-width: 760px; margin: 0 auto; padding: 24px; }
h1 { line-height: 1.25; margin: 0 0 8px; }
.byline { color: #64748b; margin: 0 0 20px; }
img { width: 100%; height: auto; border-radius: 8px; }
footer { max-width: 760px; margin: 0 auto; padding: 24px; color: #64748b; font-size: 14px; }
</style>
</head>
<body>
<header>${e(siteName)}</header>
<main>
<h1>${e(title)}</h1>
<p class="byline">${byline.map((part) => e(String(part))).join(' · ')}</p>
${item.image ? `<img src="${e(item.image)}" alt="" width="1200" height="630">` : ''}
${paragraphs.map((p) => `<p>${e(p)}</p>`).join('\n')}
</main>
${
  demo
    ? `<footer>Berita demo Siar; Kabupaten Contoh adalah daerah fiktif.<br>
Siar demo news; Kabupaten Contoh is a fictional regency.</footer>`
    : `<footer>${e(siteName)}</footer>`
}
</body>
</html>
`;
}

export const ARTICLE_HEADERS = {
  'Content-Type': 'text/html; charset=utf-8',
  'Cache-Control': 'no-cache',
  // Text only: nothing on the page may run script, even if a feed carried markup.
  'Content-Security-Policy': "default-src 'none'; img-src * data:; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'",
  'Referrer-Policy': 'no-referrer',
};

/** `GET /berita/<slug>`: `find` maps a slug to the post whose page it is. */
export function newsRoutes(find: (slug: string) => Item | undefined, siteName: string): Route[] {
  return [
    {
      method: 'GET',
      path: '/berita/:slug',
      handler: ({ res, params }) => {
        const item = find(params.slug ?? '');
        if (!item) throw new HttpError(404, 'not_found', `no such article: ${params.slug}`);
        send(res, 200, ARTICLE_HEADERS, renderArticle(item, siteName));
      },
    },
  ];
}
