import type { Item } from '../../utils/protocol/feed';
import { platformName as nameOf } from '../../utils/protocol/platforms';
import { ROLES, type Role } from '../../utils/protocol/studio';
import { STUDIO_CSS } from '../studio/web/css';
import { e, table } from '../studio/web/html';
import { dict, type Lang } from '../studio/web/i18n';
import { demoBanner, layout } from '../studio/web/layout';
import { loginView } from '../studio/web/login';
import { CHART_DAYS, type Alert, type DashboardStats } from './stats';

// The agency dashboard at `/`, in the studio's frame (its navigation, its stylesheet, its
// words). No script: bars are SVG attributes or <meter>, so no inline style is needed either.
// Links are relative, so the dashboard also works behind a proxy under a path (`/siar/`).

export interface DashboardView {
  stats: DashboardStats;
  /** Feed items by id, for titles; items no longer in the feed show their id. */
  items: ReadonlyMap<string, Item>;
  /** Titles of the studio's posts by id (also those no longer in the feed). */
  titles: ReadonlyMap<string, string>;
  /** Mandatory items of the current feed, with unit id → members who posted it. */
  coverage: { item: Item; byUnit: ReadonlyMap<number, number> }[];
  alerts: readonly Alert[];
  /** Browsers by what they last saw of the feed in the last half hour (`kind: ok` is a good feed). */
  feedReports?: readonly { kind: string; browsers: number }[];
  publisher: string;
  /** When the figures were read, e.g. `29 November 2026 09.14 WIB`. */
  asOf: string;
  demo: boolean;
  user: string;
  role: string;
  csrf: string;
  /** The page's language (default Indonesian); `langOf(req)` from server/studio/web/lang.ts. */
  lang?: Lang;
}

const percent = (part: number, whole: number) => (whole > 0 ? Math.round((100 * part) / whole) : 0);

/** The demo's banner as every Indonesian page shows it. */
export const DEMO_BANNER = demoBanner(dict('id'));

export function loginPage(error?: string, demo = false, lang: Lang = 'id'): string {
  return loginView(error, demo, lang);
}

/**
 * What browsers see of the feed: quiet when all is well, loud (first thing after the figures) when
 * some get a broken or unsigned one — the agency must hear of it before the ASN do.
 */
function feedHealth(view: DashboardView, d: ReturnType<typeof dict>['dashboard'], n: (v: number) => string): string {
  const reports = view.feedReports ?? [];
  const total = reports.reduce((sum, r) => sum + r.browsers, 0);
  if (total === 0) return '';
  const bad = reports.filter((r) => r.kind !== 'ok');
  const broken = bad.reduce((sum, r) => sum + r.browsers, 0);
  const rows = reports.map((r) => [e(d.feedKinds[r.kind as keyof typeof d.feedKinds] ?? r.kind), n(r.browsers)]);
  return `<section class="${broken > 0 ? 'alerts' : ''}"${broken > 0 ? ' role="alert"' : ''}>
<h2>${e(d.feedHealth)}</h2>
<p class="muted">${e(broken > 0 ? d.feedHealthBad.replace('{n}', n(broken)).replace('{total}', n(total)) : d.feedHealthGood.replace('{total}', n(total)))}</p>
${table(d.feedHealthHead, rows, [1])}
</section>`;
}

export function dashboardPage(view: DashboardView): string {
  const lang = view.lang ?? 'id';
  const t = dict(lang);
  const d = t.dashboard;
  const number = new Intl.NumberFormat(t.locale);
  const n = (value: number) => number.format(value);
  const shortDay = new Intl.DateTimeFormat(t.locale, { day: 'numeric', month: 'short', timeZone: 'UTC' });
  const dayLabel = (day: string) => shortDay.format(new Date(`${day}T00:00:00Z`));
  const meter = (value: number, max: number) => `<meter min="0" max="${Math.max(max, 1)}" value="${value}">${percent(value, max)}%</meter>`;
  /** `part / whole` with a bar; a dash for a unit nobody has enrolled in yet. */
  const ratio = (part: number, whole: number, asPercent = false) =>
    whole === 0 ? '—' : `${asPercent ? `${percent(part, whole)}%` : `${n(part)} / ${n(whole)}`} ${meter(part, whole)}`;
  const itemTitle = (id: string) => {
    const item = view.items.get(id);
    const title = view.titles.get(id) ?? item?.title ?? item?.summary;
    return title ? `${e(title)}<br><small>${e(id)}</small>` : `<small>${e(id)}</small>`;
  };

  const { stats } = view;
  const { totals } = stats;
  const maxUnit = Math.max(0, ...stats.units.map((u) => u.posted));
  const maxPlatform = Math.max(0, ...stats.platforms.map((p) => p.posted));
  const cards: [string, string][] = [
    [d.cards.posted, n(totals.posted)],
    [d.cards.verified, n(totals.posted_verified)],
    [d.cards.self, n(totals.posted_self)],
    [d.cards.events, n(totals.events)],
    [d.cards.members, n(totals.members)],
    [d.cards.active, `${n(totals.active)} <small>(${percent(totals.active, totals.members)}%)</small>`],
    [d.cards.units, n(totals.units)],
  ];

  const chart = () => {
    const days = stats.days;
    const [width, height, left, right, bottom, top] = [720, 180, 36, 20, 22, 10];
    const max = Math.max(1, ...days.map((x) => x.posted));
    const slot = (width - left - right) / days.length;
    const plot = height - bottom - top;
    const bars = days
      .map((x, i) => {
        const h = Math.round((x.posted / max) * plot);
        const bx = (left + i * slot + 2).toFixed(1);
        return `<rect class="bar" x="${bx}" y="${top + plot - h}" width="${(slot - 4).toFixed(1)}" height="${h}"><title>${e(d.barLabel(dayLabel(x.day), n(x.posted)))}</title></rect>`;
      })
      .join('');
    // A date under every fifth bar, counted from today backwards so today is always labelled.
    const labels = days
      .map((x, i) =>
        (days.length - 1 - i) % 5 === 0
          ? `<text x="${(left + (i + 0.5) * slot).toFixed(1)}" y="${height - 6}" text-anchor="middle">${e(dayLabel(x.day))}</text>`
          : '',
      )
      .join('');
    const total = days.reduce((sum, x) => sum + x.posted, 0);
    return `<svg class="chart" viewBox="0 0 ${width} ${height}" role="img" aria-label="${e(d.chartLabel(CHART_DAYS, n(total)))}">
<line class="axis" x1="${left}" y1="${top + plot}" x2="${width - right}" y2="${top + plot}"/>
<text x="${left - 6}" y="${top + 8}" text-anchor="end">${n(max)}</text>
<text x="${left - 6}" y="${top + plot}" text-anchor="end">0</text>
${bars}
${labels}
</svg>`;
  };

  const coverage =
    view.coverage.length === 0
      ? `<p class="muted">${e(d.noMandatory)}</p>`
      : `<p class="muted">${e(d.coverageNote)}</p>
${table(
  ['OPD', ...view.coverage.map(({ item }) => item.title ?? item.id)],
  stats.units.map((unit) => [e(unit.name), ...view.coverage.map(({ byUnit }) => ratio(byUnit.get(unit.id) ?? 0, unit.members))]),
  view.coverage.map((_, i) => i + 1),
)}`;

  const body = `
<h1>${e(view.publisher)}</h1>
<p class="muted">${e(d.asOf(view.asOf, dayLabel(stats.weekStart)))}</p>

<section class="cards">
${cards.map(([label, html]) => `<div class="card"><span>${e(label)}</span><strong>${html}</strong></div>`).join('\n')}
</section>

<section>
<h2>${e(d.perDay)}</h2>
<p class="muted">${e(d.perDayNote(CHART_DAYS))}</p>
${chart()}
</section>

<section>
<h2>${e(d.coverage)}</h2>
${coverage}
</section>

<section>
<h2>${e(d.participation)}</h2>
${table(
  d.participationHead,
  stats.units.map((u) => [
    e(u.name),
    n(u.members),
    n(u.active),
    ratio(u.active, u.members, true),
    `${n(u.posted)} ${meter(u.posted, maxUnit)}`,
  ]),
  [1, 2, 3, 4],
)}
</section>

<section>
<h2>${e(d.perItem)}</h2>
${
  stats.items.length === 0
    ? `<p class="muted">${e(d.nothing)}</p>`
    : table(
        d.perItemHead,
        stats.items.map((i) => [itemTitle(i.item_id), n(i.posted), n(i.members)]),
        [1, 2],
      )
}
</section>

<section>
<h2>${e(d.perPlatform)}</h2>
${
  stats.platforms.length === 0
    ? `<p class="muted">${e(d.nothing)}</p>`
    : table(
        d.perPlatformHead,
        stats.platforms.map((p) => [e(nameOf(p.platform, d.otherPlatform)), `${n(p.posted)} ${meter(p.posted, maxPlatform)}`]),
        [1],
      )
}
</section>

${feedHealth(view, d, n)}

${
  view.alerts.length === 0
    ? ''
    : `<section class="alerts" role="alert">
<h2>${e(d.alerts)}</h2>
<p class="muted">${e(d.alertsNote)}</p>
${table(
  d.alertsHead,
  view.alerts.map((a) => [e(a.at.slice(0, 16).replace('T', ' ')), e(a.subject), e(a.detail)]),
)}
</section>`
}

<section>
<h2>${e(d.export)}</h2>
${view.role === 'admin' ? `<p><a href="export/shares.csv" download>${e(d.exportLink)}</a></p>` : ''}
<p class="muted">${e(d.exportNote)}</p>
</section>`;
  const role: Role = (ROLES as readonly string[]).includes(view.role) ? (view.role as Role) : 'editor';
  return layout({
    lang,
    root: './',
    here: '/',
    title: d.title(view.publisher),
    viewer: { user: view.user, role, csrf: view.csrf },
    current: 'dashboard',
    demo: view.demo,
    body,
  });
}

/** The dashboard's stylesheet (`/dashboard.css`) is the studio's. */
export const DASHBOARD_CSS = STUDIO_CSS;
