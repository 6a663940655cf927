import type { Item } from '../../utils/protocol/feed';
import { platformName as nameOf } from '../../utils/protocol/platforms';
import { escapeHtml as e } from '../news';
import { CHART_DAYS, type Alert, type DashboardStats } from './stats';

// Server-rendered pages of the agency dashboard, in Indonesian. No script anywhere: the CSP
// forbids it, and bars are SVG attributes or <meter>, so no inline style is needed either.
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
  publisher: string;
  /** When the figures were read, e.g. `29 November 2026 09.14 WIB`. */
  asOf: string;
  demo: boolean;
  user: string;
  role: string;
  csrf: string;
}

const number = new Intl.NumberFormat('id-ID');
const n = (value: number) => number.format(value);
const percent = (part: number, whole: number) => (whole > 0 ? Math.round((100 * part) / whole) : 0);
const shortDay = new Intl.DateTimeFormat('id-ID', { day: 'numeric', month: 'short', timeZone: 'UTC' });
const dayLabel = (day: string) => shortDay.format(new Date(`${day}T00:00:00Z`));

const platformName = (id: string) => nameOf(id, 'Lainnya');

export const DEMO_BANNER =
  '<p class="demo" role="note"><strong>DEMO</strong> — server ini berjalan sebagai demo: akun, kode pendaftaran, dan kunci penanda tangan adalah milik demo dan diketahui umum. Jangan dipakai untuk data sungguhan.</p>';

function page(title: string, body: string, header = '', demo = false): string {
  return `<!doctype html>
<html lang="id">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${e(title)}</title>
<link rel="stylesheet" href="dashboard.css">
</head>
<body>
<header><span class="brand">Siar · Dasbor Agensi</span>${header}</header>
${demo ? DEMO_BANNER : ''}
<main>
${body}
</main>
</body>
</html>
`;
}

export function loginPage(error?: string, demo = false): string {
  return page(
    'Masuk — Dasbor Siar',
    `<form class="login" method="post" action="login">
<h1>Masuk</h1>
${error ? `<p class="error" role="alert">${e(error)}</p>` : ''}
<label>Nama pengguna <input name="user" autocomplete="username" required autofocus></label>
<label>Kata sandi <input name="password" type="password" autocomplete="current-password" required></label>
<button type="submit">Masuk</button>
</form>`,
    '',
    demo,
  );
}

const meter = (value: number, max: number) =>
  `<meter min="0" max="${Math.max(max, 1)}" value="${value}">${percent(value, max)}%</meter>`;

/** `part / whole` with a bar; a dash for a unit nobody has enrolled in yet. */
const ratio = (part: number, whole: number, asPercent = false) =>
  whole === 0
    ? '—'
    : `${asPercent ? `${percent(part, whole)}%` : `${n(part)} / ${n(whole)}`} ${meter(part, whole)}`;

function table(head: string[], rows: string[][], numericFrom = 1): string {
  const cell = (tag: string, html: string, i: number) =>
    `<${tag}${i >= numericFrom ? ' class="num"' : ''}>${html}</${tag}>`;
  return `<table>
<thead><tr>${head.map((h, i) => cell('th', e(h), i)).join('')}</tr></thead>
<tbody>
${rows.map((row) => `<tr>${row.map((html, i) => cell('td', html, i)).join('')}</tr>`).join('\n')}
</tbody>
</table>`;
}

function dayChart(days: DashboardStats['days']): string {
  const [width, height, left, right, bottom, top] = [720, 180, 36, 20, 22, 10];
  const max = Math.max(1, ...days.map((d) => d.posted));
  const slot = (width - left - right) / days.length;
  const plot = height - bottom - top;
  const bars = days
    .map((d, i) => {
      const h = Math.round((d.posted / max) * plot);
      const x = (left + i * slot + 2).toFixed(1);
      const label = `${dayLabel(d.day)}: ${n(d.posted)} postingan`;
      return `<rect class="bar" x="${x}" y="${top + plot - h}" width="${(slot - 4).toFixed(1)}" height="${h}"><title>${e(label)}</title></rect>`;
    })
    .join('');
  // A date under every fifth bar, counted from today backwards so today is always labelled.
  const labels = days
    .map((d, i) =>
      (days.length - 1 - i) % 5 === 0
        ? `<text x="${(left + (i + 0.5) * slot).toFixed(1)}" y="${height - 6}" text-anchor="middle">${e(dayLabel(d.day))}</text>`
        : '',
    )
    .join('');
  const total = days.reduce((sum, d) => sum + d.posted, 0);
  return `<svg class="chart" viewBox="0 0 ${width} ${height}" role="img" aria-label="${e(
    `Postingan per hari, ${CHART_DAYS} hari terakhir: ${n(total)} postingan`,
  )}">
<line class="axis" x1="${left}" y1="${top + plot}" x2="${width - right}" y2="${top + plot}"/>
<text x="${left - 6}" y="${top + 8}" text-anchor="end">${n(max)}</text>
<text x="${left - 6}" y="${top + plot}" text-anchor="end">0</text>
${bars}
${labels}
</svg>`;
}

function itemTitle(items: ReadonlyMap<string, Item>, titles: ReadonlyMap<string, string>, id: string): string {
  const item = items.get(id);
  const title = titles.get(id) ?? item?.title ?? item?.summary;
  return title ? `${e(title)}<br><small>${e(id)}</small>` : `<small>${e(id)}</small>`;
}

function coverageSection(view: DashboardView): string {
  if (view.coverage.length === 0) {
    return '<p class="muted">Saat ini tidak ada konten wajib di feed.</p>';
  }
  const head = ['OPD', ...view.coverage.map(({ item }) => item.title ?? item.id)];
  const rows = view.stats.units.map((unit) => [
    e(unit.name),
    ...view.coverage.map(({ byUnit }) => ratio(byUnit.get(unit.id) ?? 0, unit.members)),
  ]);
  return `<p class="muted">Berapa ASN tiap OPD yang sudah membagikan setiap konten wajib yang masih berlaku.</p>
${table(head, rows)}`;
}

export function dashboardPage(view: DashboardView): string {
  const { stats } = view;
  const { totals } = stats;
  const maxUnit = Math.max(0, ...stats.units.map((u) => u.posted));
  const maxPlatform = Math.max(0, ...stats.platforms.map((p) => p.posted));
  const cards = [
    ['Postingan dibagikan', n(totals.posted)],
    ['Terverifikasi di X', n(totals.posted_verified)],
    ['Dilaporkan sendiri', n(totals.posted_self)],
    ['Semua peristiwa', n(totals.events)],
    ['ASN terdaftar', n(totals.members)],
    ['Aktif minggu ini', `${n(totals.active)} <small>(${percent(totals.active, totals.members)}%)</small>`],
    ['OPD', n(totals.units)],
  ];
  const body = `
<nav class="studio-nav"><a href="studio/posts">Postingan</a> · <a href="studio/review">Antrean tinjauan</a> · <a href="studio/feed">Kesehatan feed</a></nav>
<h1>${e(view.publisher)}</h1>
<p class="muted">Data per ${e(view.asOf)}. Minggu ini dihitung sejak Senin, ${e(dayLabel(stats.weekStart))}.</p>

<section class="cards">
${cards.map(([label, html]) => `<div class="card"><span>${e(label!)}</span><strong>${html}</strong></div>`).join('\n')}
</section>

<section>
<h2>Postingan per hari</h2>
<p class="muted">${CHART_DAYS} hari terakhir, menurut tanggal di perangkat ASN.</p>
${dayChart(stats.days)}
</section>

<section>
<h2>Cakupan konten wajib per OPD</h2>
${coverageSection(view)}
</section>

<section>
<h2>Partisipasi per OPD</h2>
${table(
  ['OPD', 'ASN terdaftar', 'Aktif minggu ini', 'Partisipasi', 'Postingan dibagikan'],
  stats.units.map((u) => [
    e(u.name),
    n(u.members),
    n(u.active),
    ratio(u.active, u.members, true),
    `${n(u.posted)} ${meter(u.posted, maxUnit)}`,
  ]),
)}
</section>

<section>
<h2>Postingan per konten</h2>
${
  stats.items.length === 0
    ? '<p class="muted">Belum ada postingan.</p>'
    : table(
        ['Konten', 'Postingan', 'ASN'],
        stats.items.map((i) => [itemTitle(view.items, view.titles, i.item_id), n(i.posted), n(i.members)]),
      )
}
</section>

<section>
<h2>Postingan per platform</h2>
${
  stats.platforms.length === 0
    ? '<p class="muted">Belum ada postingan.</p>'
    : table(
        ['Platform', 'Postingan'],
        stats.platforms.map((p) => [
          e(platformName(p.platform)),
          `${n(p.posted)} ${meter(p.posted, maxPlatform)}`,
        ]),
      )
}
</section>

${
  view.alerts.length === 0
    ? ''
    : `<section class="alerts" role="alert">
<h2>Peringatan keamanan</h2>
<p class="muted">Percobaan yang gagal berulang kali: kode pendaftaran atau kata sandi mungkin sedang ditebak.</p>
${table(['Waktu', 'Sasaran', 'Keterangan'], view.alerts.map((a) => [e(a.at.slice(0, 16).replace('T', ' ')), e(a.subject), e(a.detail)]), 9)}
</section>`
}

<section>
<h2>Ekspor</h2>
<p><a href="export/shares.csv" download>Unduh semua peristiwa (CSV)</a></p>
<p class="muted">"Postingan" dihitung sekali untuk setiap ASN, konten, dan platform, berapa kali pun
tombol Post ditekan; "peristiwa" mencakup setiap sisipan, salinan, dan jendela bagikan.
Postingan di Facebook tidak dapat diverifikasi dari luar: yang dihitung adalah yang dilihat ekstensi.
"Terverifikasi di X" adalah postingan X yang ditemukan di akun X milik ASN; "dilaporkan sendiri" adalah kiriman
WhatsApp atau salinan yang ditandai ASN sendiri sebagai sudah dikirim.</p>
</section>`;
  const logout = `<span>${e(view.user)}</span><form method="post" action="logout"><input type="hidden" name="_csrf" value="${e(view.csrf)}"><button type="submit">Keluar</button></form>`;
  return page(`Dasbor Siar — ${view.publisher}`, body, logout, view.demo);
}

export const DASHBOARD_CSS = `
* { box-sizing: border-box; }
body { font: 15px/1.5 system-ui, sans-serif; margin: 0; color: #1f2937; background: #f8fafc; }
header { display: flex; justify-content: space-between; align-items: center; gap: 16px;
  background: #1e3a8a; color: #fff; padding: 10px 24px; }
header .brand { font-weight: 600; }
header button { background: transparent; color: #fff; border: 1px solid #93c5fd; }
main { max-width: 1100px; margin: 0 auto; padding: 16px 24px 48px; }
h1 { margin: 8px 0 0; font-size: 24px; }
h2 { font-size: 18px; margin: 0 0 8px; }
section { background: #fff; border: 1px solid #e2e8f0; border-radius: 8px; padding: 16px; margin: 16px 0; overflow-x: auto; }
section.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(170px, 1fr)); gap: 12px;
  background: none; border: 0; padding: 0; }
.card { background: #fff; border: 1px solid #e2e8f0; border-radius: 8px; padding: 12px 16px; }
.card span { display: block; color: #64748b; font-size: 13px; }
.card strong { font-size: 26px; }
.muted { color: #64748b; margin: 4px 0 12px; }
small { color: #64748b; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 6px 10px; border-bottom: 1px solid #e2e8f0; vertical-align: top; }
th { font-size: 13px; color: #475569; }
.num { text-align: right; white-space: nowrap; }
meter { width: 80px; vertical-align: middle; }
.chart { width: 100%; height: auto; font-size: 11px; }
.chart .bar { fill: #2563eb; }
.chart .axis { stroke: #94a3b8; }
.chart text { fill: #64748b; }
button { font: inherit; padding: 6px 14px; border-radius: 6px; border: 1px solid #1e3a8a;
  background: #1e3a8a; color: #fff; cursor: pointer; }
form.login { max-width: 360px; margin: 48px auto; background: #fff; padding: 24px;
  border: 1px solid #e2e8f0; border-radius: 8px; display: grid; gap: 12px; }
form.login input { display: block; width: 100%; font: inherit; padding: 6px 8px; margin-top: 4px; }
header form { display: inline; margin-left: 12px; }
.demo { background: #fef3c7; color: #78350f; border-bottom: 2px solid #f59e0b; margin: 0; padding: 8px 24px; }
.studio-nav { margin: 8px 0 0; }
.alerts { border-color: #f87171; }
.error { color: #b91c1c; margin: 0; }
`;
