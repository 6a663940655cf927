// The "Scale (issues 11 and 12)" section of bench/results.md: one row per target with the SQLite
// figure, the PostgreSQL figure, the same-run baseline and whether it was met, judged by the
// numbers alone. The section sits between two markers, so `npm run bench` (which rewrites the
// rest of the file) keeps it and `npm run bench:scale` replaces only it.
import { existsSync, readFileSync } from 'node:fs';
import type { DataParams } from './dataset';
import type { GenerationReport } from './generate';
import type { Stats } from './http';
import type { BackendRun, IngestFigure } from './measure';

export const BEGIN = '<!-- scale:begin -->';
export const END = '<!-- scale:end -->';

/** The scale section of an existing results file ('' if none), to carry over a rewrite. */
export function scaleSection(file: string): string {
  if (!existsSync(file)) return '';
  const text = readFileSync(file, 'utf8');
  const a = text.indexOf(BEGIN);
  const b = text.indexOf(END);
  return a >= 0 && b > a ? text.slice(a, b + END.length) : '';
}

/** `text` with its scale section replaced by `section` (or `section` appended). */
export function withScaleSection(text: string, section: string): string {
  const a = text.indexOf(BEGIN);
  const b = text.indexOf(END);
  if (a >= 0 && b > a) return text.slice(0, a) + section + text.slice(b + END.length);
  return `${text.replace(/\s*$/, '')}\n\n${section}\n`;
}

export interface GenerationInfo {
  report: GenerationReport;
  /** When it was generated (the data set's "now"). */
  generatedAt: string;
  bytes: number;
  /** PostgreSQL: how much of `bytes` is WAL kept for reuse (not data). */
  walBytes?: number;
  reused: boolean;
  window: string;
}

export interface ScaleResult {
  params: DataParams;
  startedAt: string;
  seconds: number;
  machine: string;
  loadStart: string;
  loadEnd: string;
  generation: Partial<Record<'sqlite' | 'postgres', GenerationInfo>>;
  runs: Partial<Record<'sqlite' | 'postgres', BackendRun>>;
  /** The same ingest on the same agency with no events yet (scale's own baseline). */
  emptyIngest: Partial<Record<'sqlite' | 'postgres', IngestFigure>>;
  pgOneWorker?: IngestFigure;
  command: string;
  /** The server code measured: commit, and server files changed in the work tree. */
  code?: string;
  errors: string[];
}

const int = (n: number) => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : 'n/a');
const ms = (n: number) => (Number.isFinite(n) ? `${n < 10 ? n.toFixed(1) : n.toFixed(0)} ms` : 'n/a');
const mb = (b: number) => `${(b / 1024 / 1024).toFixed(0)} MB`;
const gb = (b: number) => `${(b / 1024 ** 3).toFixed(2)} GB`;
const sec = (s: number) => (s >= 120 ? `${(s / 60).toFixed(1)} min` : `${s.toFixed(1)} s`);
const errs = (s: Stats) =>
  s.ok === s.n
    ? ''
    : `, ${int(s.n - s.ok)} of ${int(s.n)} not 200 (${Object.entries(s.statuses)
        .filter(([k]) => k !== '200')
        .map(([k, v]) => `${k === '0' ? 'socket error' : k}×${v}`)
        .join(', ')})`;
const lat = (s: Stats | undefined) => (s ? `p50 ${ms(s.p50)}, p95 ${ms(s.p95)}${errs(s)}` : 'not measured');
const yes = (b: boolean | undefined) => (b === undefined ? '—' : b ? 'met' : '**not met**');

interface Row {
  target: string;
  sqlite: string;
  postgres: string;
  baseline: string;
  met: string;
}

function table(rows: Row[]): string {
  const esc = (s: string) => s.replace(/\|/g, '\\|');
  return [
    '| target | SQLite | PostgreSQL | baseline (same run) | met |',
    '| --- | --- | --- | --- | --- |',
    ...rows.map((r) => `| ${esc(r.target)} | ${esc(r.sqlite)} | ${esc(r.postgres)} | ${esc(r.baseline)} | ${r.met} |`),
  ].join('\n');
}

const short = (p: string) => p.replace(/^\/studio\/posts\/[^/?]+\/coverage/, '/studio/posts/:id/coverage');
const pageOk = (r: BackendRun | undefined, limit: number) =>
  r ? r.pages.every((p) => p.stats.ok === p.stats.n && p.stats.p95 <= limit) : undefined;
const pagesCell = (r: BackendRun | undefined) =>
  r ? r.pages.map((p) => `\`${short(p.path)}\` ${lat(p.stats)}`).join('; ') : 'not measured';
const ok = (s: Stats | undefined, limit: number) => (s ? s.ok === s.n && s.p95 <= limit : undefined);
const both = (a: boolean | undefined, b: boolean | undefined) => `SQLite ${yes(a)} · PostgreSQL ${yes(b)}`;
const ingestCell = (f: IngestFigure | undefined, workers?: number) =>
  f
    ? `${int(f.rate)} events/s (slowest 5 s: ${int(f.slowest)}); request ${lat(f.stats)}${workers ? `; ${workers} process${workers > 1 ? 'es' : ''}` : ''}${Object.keys(f.rejected).length ? `; rejected ${JSON.stringify(f.rejected)}` : ''}`
    : 'not measured';
const ingestOk = (f: IngestFigure | undefined, target: number) =>
  f ? f.rate >= target && f.stats.ok === f.stats.n && Object.keys(f.rejected).length === 0 : undefined;
const rss = (r: BackendRun | undefined) =>
  r
    ? `peak ${r.memory.peak.map(mb).join(' + ')}${r.memory.peak.length > 1 ? ` = ${mb(r.memory.peakTotal)}` : ''} (after start ${r.memory.afterStart.map(mb).join(' + ')})`
    : 'not measured';

export function renderSection(res: ScaleResult): string {
  const s = res.runs.sqlite;
  const p = res.runs.postgres;
  const full = res.params.events >= 10_000_000;
  const generated = Object.values(res.generation).reduce((a, g) => a + (g && !g.reused ? g.report.seconds : 0), 0);
  const scale = `${int(res.params.events)} events, ${int(res.params.members)} members, ${res.params.units} units, ${res.params.days} days, ${int(res.params.posts)} posts`;
  const exportRatio = (r: BackendRun | undefined) => (r?.exportRun ? r.exportRun.during.p95 / r.exportRun.without.p95 : NaN);
  const exportCell = (r: BackendRun | undefined) =>
    r?.exportRun
      ? `ingest p95 ${ms(r.exportRun.during.p95)} during vs ${ms(r.exportRun.without.p95)} without (${exportRatio(r).toFixed(2)}×)${errs(r.exportRun.during)}; export ${r.exportRun.finished ? '' : 'NOT finished, '}${int(r.exportRun.rows)} rows, ${mb(r.exportRun.bytes)} in ${sec(r.exportRun.seconds)} (HTTP ${r.exportRun.status})`
      : 'not measured';
  const exportOk = (r: BackendRun | undefined) =>
    r?.exportRun ? r.exportRun.finished && exportRatio(r) <= 2 && r.exportRun.during.ok === r.exportRun.during.n : undefined;
  const backupCell = (r: BackendRun | undefined) =>
    r?.backup
      ? `${r.backup.underIngest.ok ? 'finished' : 'NOT finished'} in ${sec(r.backup.underIngest.seconds)} (${gb(r.backup.underIngest.bytes)}; ${r.backup.underIngest.detail}); ingest meanwhile ${lat(r.backup.ingestDuring)}`
      : 'not measured';
  const openCell = (r: BackendRun | undefined) =>
    r?.open
      ? `${lat(r.open.single)}, p99 ${ms(r.open.single.p99)}; ${int(r.open.singleRate)} answered/s of ${int(r.open.target)} sent/s${Object.keys(r.open.rejected).length ? `; rejected ${JSON.stringify(r.open.rejected)}` : ''}`
      : 'not measured';
  const openOk = (r: BackendRun | undefined) =>
    r?.open ? r.open.single.ok === r.open.single.n && r.open.single.p95 <= 100 && Object.keys(r.open.rejected).length === 0 : undefined;

  const issue11: Row[] = [
    {
      target: '`GET v1/me/summary` p95 ≤ 20 ms',
      sqlite: lat(s?.summary),
      postgres: lat(p?.summary),
      baseline: `\`GET /healthz\` (HTTP + one query): SQLite ${lat(s?.healthz)}; PostgreSQL ${lat(p?.healthz)}`,
      met: yes(ok(s?.summary, 20)),
    },
    {
      target: 'every dashboard page p95 ≤ 200 ms (admin)',
      sqlite: pagesCell(s),
      postgres: pagesCell(p),
      baseline: `\`GET /healthz\`: SQLite p95 ${ms(s?.healthz.p95 ?? NaN)}; PostgreSQL p95 ${ms(p?.healthz.p95 ?? NaN)}`,
      met: yes(pageOk(s, 200)),
    },
    {
      target: '`GET /feed.json` p95 ≤ 20 ms while 50 members ingest and one floods summaries',
      sqlite: s?.feedUnderLoad
        ? `${lat(s.feedUnderLoad.feed)}; meanwhile ingest ${int(s.feedUnderLoad.ingestRate)} events/s, summaries ${s.feedUnderLoad.floodRate.toFixed(1)}/s (${lat(s.feedUnderLoad.flood)})`
        : 'not measured',
      postgres: p?.feedUnderLoad
        ? `${lat(p.feedUnderLoad.feed)}; meanwhile ingest ${int(p.feedUnderLoad.ingestRate)} events/s, summaries ${p.feedUnderLoad.floodRate.toFixed(1)}/s (${lat(p.feedUnderLoad.flood)})`
        : 'not measured',
      baseline: `feed.json idle: SQLite ${lat(s?.feedIdle)}; PostgreSQL ${lat(p?.feedIdle)}`,
      met: yes(ok(s?.feedUnderLoad?.feed, 20)),
    },
    {
      target: 'ingest ≥ 5,000 events/s sustained',
      sqlite: ingestCell(s?.ingest, s?.workers),
      postgres: ingestCell(p?.ingest, p?.workers),
      baseline: `same load, same agency with no events yet: SQLite ${ingestCell(res.emptyIngest.sqlite)}; PostgreSQL ${ingestCell(res.emptyIngest.postgres)}`,
      met: yes(ingestOk(s?.ingest, 5000)),
    },
    {
      target: "server's memory (RSS) < 300 MB",
      sqlite: rss(s),
      postgres: rss(p),
      baseline: 'RSS right after start (in each cell)',
      met: yes(s ? s.memory.peakTotal < 300 * 1024 * 1024 : undefined),
    },
  ];

  const issue12: Row[] = [
    {
      target: 'dashboard p95 ≤ 100 ms',
      sqlite: pagesCell(s),
      postgres: pagesCell(p),
      baseline: `\`GET /healthz\`: SQLite p95 ${ms(s?.healthz.p95 ?? NaN)}; PostgreSQL p95 ${ms(p?.healthz.p95 ?? NaN)}`,
      met: both(pageOk(s, 100), pageOk(p, 100)),
    },
    {
      target: '`v1/me/summary` p95 ≤ 10 ms',
      sqlite: lat(s?.summary),
      postgres: lat(p?.summary),
      baseline: `\`GET /healthz\`: SQLite ${lat(s?.healthz)}; PostgreSQL ${lat(p?.healthz)}`,
      met: both(ok(s?.summary, 10), ok(p?.summary, 10)),
    },
    {
      target: 'ingest, 50 clients × 500-event batches, two server processes on PostgreSQL ≥ 10,000 events/s sustained',
      sqlite: `${ingestCell(s?.ingest, s?.workers)} (one process: one writer)`,
      postgres: ingestCell(p?.ingest, p?.workers),
      baseline: `PostgreSQL with one process: ${ingestCell(res.pgOneWorker, 1)}; no events yet: ${ingestCell(res.emptyIngest.postgres)}`,
      met: `PostgreSQL ${yes(ingestOk(p?.ingest, 10_000))}`,
    },
    {
      target: 'single-event requests p95 ≤ 100 ms at 1,500 requests/s (open loop)',
      sqlite: openCell(s),
      postgres: openCell(p),
      baseline: `\`GET /healthz\` at 1,500/s, open loop: SQLite ${s?.open ? `${lat(s.open.healthz)}, ${int(s.open.healthzRate)}/s` : 'n/a'}; PostgreSQL ${p?.open ? `${lat(p.open.healthz)}, ${int(p.open.healthzRate)}/s` : 'n/a'}`,
      met: both(openOk(s), openOk(p)),
    },
    {
      target: 'ingest p95 during a full CSV export ≤ 2× without',
      sqlite: exportCell(s),
      postgres: exportCell(p),
      baseline: 'the same steady ingest just before, without an export (in each cell)',
      met: both(exportOk(s), exportOk(p)),
    },
    {
      target: 'an online backup under ingest finishes',
      sqlite: backupCell(s),
      postgres: backupCell(p),
      baseline: `the same backup with no ingest: SQLite ${s?.backup ? `${sec(s.backup.idle.seconds)}${s.backup.idle.ok ? '' : ' (failed)'}` : 'n/a'}; PostgreSQL ${p?.backup ? `${sec(p.backup.idle.seconds)}${p.backup.idle.ok ? '' : ' (failed)'}` : 'n/a'}`,
      met: both(s?.backup?.underIngest.ok, p?.backup?.underIngest.ok),
    },
  ];

  const gen = (['sqlite', 'postgres'] as const).flatMap((b) => {
    const g = res.generation[b];
    if (!g) return [];
    const name = b === 'sqlite' ? 'SQLite' : 'PostgreSQL';
    return [
      `- **${name}**: ${sec(g.report.seconds)} to generate${g.reused ? ' (generated earlier and reused from the cache in this run)' : ''}, ${gb(g.bytes)} on disk${g.walBytes ? ` (of which ${gb(g.walBytes)} WAL segments kept for reuse)` : ''}, generated ${g.generatedAt}, events ${g.window}. Stages: ${g.report.stages.map((st) => `${st.stage} ${sec(st.seconds)}`).join('; ')}.`,
      `  - checks: ${g.report.checks.every((c) => c.ok) ? 'all passed' : '**FAILED**'} — ${g.report.checks.map((c) => `${c.ok ? '✓' : '✗'} ${c.what} (${c.detail})`).join('; ')}`,
    ];
  });
  const fpS = res.generation.sqlite?.report.fingerprint;
  const fpP = res.generation.postgres?.report.fingerprint;
  if (fpS && fpP) {
    const same = Object.keys(fpS).every((k) => fpS[k] === fpP[k]);
    gen.push(
      `- Both backends hold the same data set: ${same ? 'yes' : '**NO**'} (${Object.entries(fpS)
        .map(([k, v]) => `${k} ${int(v)}${fpP[k] === v ? '' : ` vs ${int(fpP[k] ?? NaN)}`}`)
        .join(', ')}).`,
    );
  }

  const loads = (['sqlite', 'postgres'] as const).flatMap((b) =>
    (res.runs[b]?.loads ?? []).map(
      (l) =>
        `| ${b === 'sqlite' ? 'SQLite' : 'PostgreSQL'} | ${l.phase} | ${sec(l.seconds)} | ${l.start} | ${l.end} | ${l.rssPeak ? mb(l.rssPeak) : '—'} |`,
    ),
  );

  const detail = (b: 'sqlite' | 'postgres') => {
    const r = res.runs[b];
    if (!r) return [];
    const name = b === 'sqlite' ? 'SQLite' : 'PostgreSQL';
    return [
      `- ${name}: ${int(r.eventsAtStart)} events when the server started; ${r.workers} server process${r.workers > 1 ? 'es' : ''}; summary p99 ${ms(r.summary.p99)}, max ${ms(r.summary.max)}; ` +
        r.pages.map((pg) => `${short(pg.path)} p99 ${ms(pg.stats.p99)} max ${ms(pg.stats.max)}`).join(', ') +
        (r.open
          ? `; open loop: ${int(r.open.single.n)} single-event requests, sender's own lateness p95 ${ms(r.open.lateStartP95)}, sender's CPU ${r.open.generatorCores === undefined ? 'n/a' : `${r.open.generatorCores.toFixed(2)} cores`}`
          : '') +
        (r.feedUnderLoad ? `; feed under load p99 ${ms(r.feedUnderLoad.feed.p99)}, max ${ms(r.feedUnderLoad.feed.max)}` : '') +
        (r.exportRun?.senderLateP95 !== undefined
          ? `; export downloaded on its own thread, the measuring loop's own delay meanwhile p95 ${ms(r.exportRun.senderLateP95)}`
          : ''),
      ...r.notes.map((n) => `  - ${n}`),
    ];
  };

  return [
    BEGIN,
    '## Scale (issues 11 and 12)',
    '',
    'Made by `npm run bench:scale` (`bench/scale/`); do not edit by hand. Every figure beside a baseline from the same run; "met" is decided by the numbers (and every request answered 200).',
    '',
    `- scale: **${scale}**${full ? '' : ' — **smaller than the 10-million-event target scale**'}`,
    `- machine: ${res.machine}; load average (1/5/15 min) at start ${res.loadStart}, at end ${res.loadEnd} (the machine is shared: other work inflates every timing; per phase below)`,
    `- date: ${res.startedAt}; run took ${sec(res.seconds)}${generated > 0 ? ` (of which generating data sets ${sec(generated)})` : ' (data sets reused from the cache)'}; command: \`${res.command}\``,
    ...(res.code ? [`- server code: ${res.code}`] : []),
    ...(res.errors.length ? ['', ...res.errors.map((e) => `**error: ${e}**`)] : []),
    '',
    `### Issue 11 (judged on SQLite; PostgreSQL beside it)`,
    '',
    table(issue11),
    '',
    '### Issue 12 (both backends side by side)',
    '',
    table(issue12),
    '',
    '### How the data set was made',
    '',
    `Generated straight into the project's schema, never through HTTP, by \`bench/scale/generate.ts\` from a seeded stream (\`bench/scale/dataset.ts\`; the same parameters give the same events on both backends): the server's own migrations (\`openDatabase\`), units, codes and accounts through the server's functions, monthly partitions with \`ensureMonth\`; members, tokens, posts, published items and events bulk-loaded (SQLite: one prepared INSERT, one transaction per day of events, \`synchronous=OFF\` while loading; PostgreSQL: COPY through pg-copy-streams into the partitioned \`shares\`); then posted_firsts, member_items, member_weeks and every rollup filled by INSERT … SELECT aggregates over the events; PostgreSQL VACUUM ANALYZE (what autovacuum does after a load), SQLite not ANALYZEd (the server never does). Cached under \`.bench-data/<parameters>/\` and reused; each run measures a copy, so the cache stays as generated.`,
    '',
    `Shapes: units sized by a power law (largest ≈ 20× smallest); 12% of members never share, the rest lognormal activity; ~11 posts per working day, shared mostly in their first days (half-life 1.2 days; mandatory 6×, high 2×); platforms Facebook 38%, WhatsApp 30%, X 20%, others 12%; sessions of inserted/copied/intent then posted, WhatsApp posts mostly self-reported, 12% of posts repeated on the same platform hours or days later; X posts with a post URL verified when under the member's handle; reception seconds after the event (15%: hours).`,
    '',
    ...gen,
    '',
    "### Load average and the server's memory during each phase",
    '',
    '| backend | phase | took | /proc/loadavg at start | at end | server RSS peak (all processes) |',
    '| --- | --- | --- | --- | --- | --- |',
    ...loads,
    '',
    '### Notes to reproduce',
    '',
    '- `npm run bench:scale` (10 M events, both backends; first run generates the data sets, later runs reuse them); `npm run bench:scale -- --events 200000 --quick` for development; `--backend sqlite|postgres`, `--regen`, `--generate-only` (make the data sets, measure later), `--seconds N`, `--keep`. Generation stays out of `npm test`.',
    "- The server under test is what `npm run serve` runs (the bundle `server/.bundle/main.mjs` with plain Node) in its own process (PostgreSQL: `SIAR_WORKERS=2`, two worker processes sharing the port; SQLite: one process), on a copy of the cached data set; the load generator is the bench process. Rate limits and the daily cap are raised for the run (`SIAR_RATE_PER_MINUTE` and `SIAR_RATE_BURST` = 10⁹, `SIAR_DAILY_CAP` = 10⁹); the connection cap per address stays at its default 100, and members send from 40 different loopback addresses (127.0.0.2–41). `SIAR_X_OEMBED_URL` points at a closed local port, and live events carry no post URL under a member's own handle, so the verifier never calls out.",
    "- Events sent are valid: ids are fresh UUIDs, items are the data set's live (published) posts, `feed_url` is the server's own `SIAR_BASE_URL`/feed.json, `at` within the last two minutes (WIB offset); every answer's `rejected` list is counted (shown when not empty).",
    "- PostgreSQL 15 from Debian, one local cluster on a copy of the cached data directory, settings: `synchronous_commit=off` (like SQLite's `synchronous=NORMAL` in WAL: no fsync wait per commit), `shared_buffers=1GB`, `effective_cache_size=8GB`, `max_wal_size=4GB`, `random_page_cost=1.1`; fsync and full_page_writes on. The server's pool is its default (10 connections per process).",
    '- Latency: sequential single-client requests for summary and pages (no other load), after 20 warm-up requests; open loop counts each latency from when the request was due. The backup phases: SQLite `better-sqlite3` `db.backup()` in a separate process, asking for all remaining pages in one step (with the default 100 pages a step, SQLite restarts the copy whenever the server writes between two steps); PostgreSQL `pg_basebackup -Fp -X stream -c fast` (physical, reads files not rows, so it costs the server little, and it is what a province runs beside WAL archiving), checked with `pg_verifybackup`.',
    "- The export phase: the admin's download runs on a worker thread of the bench (its own event loop, the same two cores), as a browser on another machine would; each ingest latency counts from when its batch was due. Until 2026-12-05 the download was read on the loop that also timed the ingest.",
    ...detail('sqlite'),
    ...detail('postgres'),
    END,
  ].join('\n');
}
