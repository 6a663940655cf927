import type { Role } from '../../../utils/protocol/studio';
import { e, query } from './html';
import { dict, type Dict, type Lang } from './i18n';

// The frame around every studio and dashboard page: who is logged in and as what, the navigation
// their role may use, the language switch, logout (a POST with the CSRF token), and the demo
// banner. Links are relative (see `rootOf`).

export type NavKey = 'dashboard' | 'posts' | 'review' | 'feed' | 'audit' | 'units' | 'members' | 'roster' | 'accounts' | 'campaigns';

export interface Viewer {
  user: string;
  name?: string;
  role: Role;
  csrf: string;
  unit?: string | null;
}

const ALL: readonly Role[] = ['editor', 'approver', 'admin'];
const REVIEW: readonly Role[] = ['approver', 'admin'];
const ADMIN: readonly Role[] = ['admin'];

/** Where each place is and who may go there (the routes check the same lists). */
export const PLACES: readonly { key: NavKey; path: string; roles: readonly Role[] }[] = [
  { key: 'dashboard', path: '', roles: ALL },
  { key: 'posts', path: 'studio/posts', roles: ALL },
  { key: 'review', path: 'studio/review', roles: REVIEW },
  { key: 'feed', path: 'studio/feed', roles: REVIEW },
  { key: 'audit', path: 'studio/audit', roles: REVIEW },
  { key: 'units', path: 'studio/units', roles: ALL },
  { key: 'members', path: 'studio/members', roles: ALL },
  { key: 'roster', path: 'studio/roster', roles: ADMIN },
  { key: 'accounts', path: 'studio/accounts', roles: ADMIN },
  { key: 'campaigns', path: 'studio/campaigns', roles: ADMIN },
];

export function rolesOf(key: NavKey): readonly Role[] {
  return PLACES.find((p) => p.key === key)!.roles;
}

export interface LayoutInput {
  lang: Lang;
  /** `rootOf(url.pathname)`. */
  root: string;
  title: string;
  body: string;
  viewer?: Viewer;
  current?: NavKey;
  demo: boolean;
  /** The page's own path and query, for the language switch to come back to. */
  here: string;
  /** Adds the editor's script (the page's CSP must allow it). */
  script?: string;
  wide?: boolean;
}

function nav(t: Dict, root: string, viewer: Viewer, current?: NavKey): string {
  const items = PLACES.filter((p) => p.roles.includes(viewer.role)).map(
    (p) => `<li><a href="${e(root + p.path || './')}"${p.key === current ? ' aria-current="page"' : ''}>${e(t.nav[p.key])}</a></li>`,
  );
  return `<nav class="main" aria-label="${e(t.nav.label)}"><ul>${items.join('')}</ul></nav>`;
}

export function demoBanner(t: Dict): string {
  return `<p class="demo" role="note"><strong>${e(t.demo.slice(0, 4))}</strong>${e(t.demo.slice(4))}</p>`;
}

export function layout(input: LayoutInput): string {
  const t = dict(input.lang);
  const { root, viewer } = input;
  const other: Lang = input.lang === 'id' ? 'en' : 'id';
  const switcher = `<a href="${e(`${root}studio/lang${query({ to: other, back: input.here })}`)}" lang="${other}" hreflang="${other}" aria-label="${e(t.switchLabel)}">${e(t.switchTo)}</a>`;
  const who = viewer
    ? `<span>${e(t.common.loggedInAs)} <strong>${e(viewer.user)}</strong></span> <span class="role">${e(t.roles[viewer.role])}${viewer.unit && viewer.role === 'editor' ? ` · ${e(viewer.unit)}` : ''}</span>
${switcher}
<form method="post" action="${e(`${root}logout`)}"><input type="hidden" name="_csrf" value="${e(viewer.csrf)}"><button type="submit">${e(t.common.logout)}</button></form>`
    : switcher;
  return `<!doctype html>
<html lang="${t.htmlLang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${e(input.title)} — ${e(t.brand)}</title>
<link rel="stylesheet" href="${e(`${root}studio/assets/studio.css`)}">
${input.script ? `<script src="${e(input.script)}" defer></script>` : ''}
</head>
<body>
<a class="skip" href="#main">${e(t.skip)}</a>
<header class="top"><a class="brand" href="${e(root)}">${e(t.brand)}</a><div class="who">${who}</div></header>
${viewer ? nav(t, root, viewer, input.current) : ''}
${input.demo ? demoBanner(t) : ''}
<main id="main"${input.wide ? ' class="wide"' : ''}>
${input.body}
</main>
</body>
</html>
`;
}
