// `npm run bench:scale`: the scale bench of issues 11 and 12 — both backends side by side on a
// generated agency of 10 million events, 100,000 members, 50 units, 90 days — and its section in
// bench/results.md. A separate script from `npm run bench` because it needs neither the extension
// build nor Chromium, takes up to an hour rather than five minutes, and keeps gigabytes of data
// under .bench-data/; `npm run bench` keeps this section when it rewrites the file.
//
//   npx tsx bench/scale/run.ts [--events N] [--members N] [--backend sqlite|postgres|both]
//                              [--seconds S] [--quick] [--regen] [--keep] [--no-write] [--generate-only]
//                              [--only ingest,feed,open,export,backup]
//
// --only measures just those load phases (besides the quick latency ones), to work on one goal;
// such a run never rewrites bench/results.md, and skips the other backend's comparison runs.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { ROOT } from '../lib';
import { GENERATE_SETTINGS, initCluster, MEASURE_SETTINGS, ownedDir, startPg, type RunningCluster } from './cluster';
import { buildAgency, FULL, GENERATOR_VERSION, HISTORIC_FEED_URL, wibDay, type Agency, type DataParams } from './dataset';
import { generatePostgres, generateSqlite, type Backend, type GenerationReport } from './generate';
import { Client } from './http';
import { dirBytes, ingestClosed, Load, LOAD_PHASES, measure, type Durations } from './measure';
import { renderSection, withScaleSection, type GenerationInfo, type ScaleResult } from './report';
import { startServer, type ServerUnderTest } from './server';

const argv = process.argv.slice(2);
const arg = (name: string): string | undefined => {
  const i = argv.findIndex((a) => a === `--${name}` || a.startsWith(`--${name}=`));
  if (i < 0) return undefined;
  return argv[i]!.includes('=') ? argv[i]!.split('=')[1] : argv[i + 1];
};
const flag = (name: string) => argv.includes(`--${name}`);
const numArg = (name: string, fallback: number) => {
  const v = arg(name);
  if (v === undefined) return fallback;
  const n = Number(v.replace(/_/g, ''));
  if (!Number.isFinite(n) || n < 0) throw new Error(`--${name} needs a number, got ${v}`);
  return n;
};

const params: DataParams = {
  events: numArg('events', FULL.events),
  members: numArg('members', FULL.members),
  units: numArg('units', FULL.units),
  days: numArg('days', FULL.days),
  posts: numArg('posts', FULL.posts),
  seed: numArg('seed', FULL.seed),
};
const backends: Backend[] = (arg('backend') ?? 'both') === 'both' ? ['sqlite', 'postgres'] : [arg('backend') as Backend];
const quick = flag('quick');
const only = arg('only') === undefined ? undefined : new Set(arg('only')!.split(','));
for (const name of only ?? []) {
  if (!(LOAD_PHASES as readonly string[]).includes(name)) throw new Error(`--only takes ${LOAD_PHASES.join(', ')}; got ${name}`);
}
const noWrite = flag('no-write') || only !== undefined;
const durations: Durations = {
  phase: numArg('seconds', quick ? 8 : 30),
  summaryRequests: quick ? 200 : 500,
  pageRequests: quick ? 15 : 40,
  capSeconds: numArg('cap', 600),
};
const HARD_DEADLINE_MS = numArg('deadline-minutes', 110) * 60_000;
const DATA = path.join(ROOT, '.bench-data');
const log = (s: string) => console.error(`[scale] ${s}`);

const cleanups: (() => Promise<void>)[] = [];
async function cleanup(): Promise<void> {
  while (cleanups.length) await cleanups.pop()!().catch((e: unknown) => log(`cleanup: ${(e as Error).message}`));
}

const keyOf = (p: DataParams) => `e${p.events}-m${p.members}-u${p.units}-d${p.days}-p${p.posts}-s${p.seed}-g${GENERATOR_VERSION}`;

interface Meta {
  generatedAt: string;
  report: GenerationReport;
  bytes: number;
  walBytes?: number;
}

function copyDir(from: string, to: string): void {
  rmSync(to, { recursive: true, force: true });
  // cp -a keeps the cluster user's ownership and modes.
  const r = spawnSync('cp', ['-a', from, to], { stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`cp -a ${from} ${to} failed`);
}

/**
 * The cached data set of `p` for `backend`, generated first if missing. Both backends of one key
 * share one anchor (the moment of the first generation), so they hold the same events.
 */
async function dataset(p: DataParams, backend: Backend): Promise<{ agency: Agency; info: GenerationInfo; path: string }> {
  const dir = path.join(DATA, keyOf(p));
  mkdirSync(dir, { recursive: true, mode: 0o711 });
  const anchorFile = path.join(dir, 'anchor.json');
  if (!existsSync(anchorFile) || flag('regen')) writeFileSync(anchorFile, JSON.stringify({ anchor: Date.now() }));
  const anchor = (JSON.parse(readFileSync(anchorFile, 'utf8')) as { anchor: number }).anchor;
  const agency = buildAgency(p, anchor);
  const metaFile = path.join(dir, `${backend}.json`);
  const target = backend === 'sqlite' ? path.join(dir, 'sqlite', 'siar.db') : path.join(dir, 'pg', 'data');
  const window = `${wibDay(agency.t0)} to ${wibDay(agency.t1 - 1)} (WIB)`;
  if (existsSync(metaFile) && existsSync(target) && !flag('regen')) {
    const meta = JSON.parse(readFileSync(metaFile, 'utf8')) as Meta;
    log(`${backend}: reusing ${path.relative(ROOT, target)} (generated ${meta.generatedAt} in ${meta.report.seconds.toFixed(0)} s)`);
    return {
      agency,
      info: { report: meta.report, generatedAt: meta.generatedAt, bytes: meta.bytes, walBytes: meta.walBytes, reused: true, window },
      path: target,
    };
  }
  rmSync(metaFile, { force: true });
  log(`${backend}: generating ${keyOf(p)} …`);
  let report: GenerationReport;
  if (backend === 'sqlite') {
    rmSync(path.dirname(target), { recursive: true, force: true });
    mkdirSync(path.dirname(target), { recursive: true, mode: 0o700 });
    report = await generateSqlite(target, agency);
  } else {
    rmSync(path.dirname(target), { recursive: true, force: true });
    ownedDir(path.dirname(target));
    const t0 = performance.now();
    await initCluster(target);
    const cluster = await startPg(target, GENERATE_SETTINGS);
    const started = (performance.now() - t0) / 1000;
    cleanups.push(() => cluster.stop());
    try {
      const admin = new pg.Client({ connectionString: cluster.url('postgres') });
      await admin.connect();
      await admin.query('CREATE DATABASE siar');
      await admin.end();
      report = await generatePostgres(cluster.url(), agency);
    } finally {
      await cluster.stop();
    }
    report.stages.unshift({ stage: 'initdb and start the cluster', seconds: started });
    report.stages.push({ stage: 'clean shutdown (checkpoint)', seconds: (performance.now() - t0) / 1000 - started - report.seconds });
    report.seconds = (performance.now() - t0) / 1000;
  }
  const failed = report.checks.filter((c) => !c.ok);
  if (failed.length) log(`${backend}: CHECKS FAILED: ${failed.map((c) => `${c.what}: ${c.detail}`).join('; ')}`);
  const bytes = backend === 'sqlite' ? statSync(target).size : dirBytes(target);
  const walBytes = backend === 'sqlite' ? undefined : dirBytes(path.join(target, 'pg_wal'));
  const meta: Meta = { generatedAt: new Date(anchor).toISOString(), report, bytes, walBytes };
  writeFileSync(metaFile, JSON.stringify(meta, null, 1));
  log(`${backend}: generated in ${report.seconds.toFixed(0)} s, ${(bytes / 1024 ** 3).toFixed(2)} GB`);
  return { agency, info: { report, generatedAt: meta.generatedAt, bytes, walBytes, reused: false, window }, path: target };
}

/**
 * Writes the copy just made to disk before anything is measured: gigabytes of it left to the
 * kernel's writeback would be written during the first phases, and every fsync of the server's
 * (a checkpoint, a commit) would wait behind them: an `--only open` run straight after the copy
 * measured its median two to three times higher.
 */
function settle(): void {
  spawnSync('sync', [], { stdio: 'inherit' });
}

/** A scratch copy of a cached data set, and what the server is started with. */
async function workCopy(
  backend: Backend,
  source: string,
  name: string,
): Promise<{ db: string; dir: string; cluster?: RunningCluster; sqliteFile?: string }> {
  const dir = path.join(DATA, 'work', name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true, mode: 0o711 });
  cleanups.push(async () => {
    if (!flag('keep')) rmSync(dir, { recursive: true, force: true });
  });
  if (backend === 'sqlite') {
    const file = path.join(dir, 'siar.db');
    copyFileSync(source, file);
    settle();
    return { db: file, dir, sqliteFile: file };
  }
  const pgDir = path.join(dir, 'pg');
  ownedDir(pgDir);
  copyDir(source, path.join(pgDir, 'data'));
  settle();
  const cluster = await startPg(path.join(pgDir, 'data'), MEASURE_SETTINGS);
  cleanups.push(() => cluster.stop());
  return { db: cluster.url(), dir, cluster };
}

async function withServer<T>(db: string, workers: number, dir: string, work: (s: ServerUnderTest) => Promise<T>): Promise<T> {
  const server = await startServer({ db, workers, workDir: dir, feedUrls: [HISTORIC_FEED_URL] });
  const stop = () => server.stop();
  cleanups.push(stop);
  try {
    return await work(server);
  } finally {
    await server.stop();
  }
}

function machine(): string {
  return `${os.cpus()[0]?.model ?? 'unknown'}, ${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB RAM, ${os.type()} ${os.release()}, node ${process.version}`;
}

const loadavg = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');

/** Which server code is measured: HEAD, and server files the work tree changes (each server start reads the source then). */
function codeVersion(): string {
  // Not trimmed: a porcelain line starts with its status columns, a space among them.
  const git = (...a: string[]) => spawnSync('git', a, { cwd: ROOT, encoding: 'utf8' }).stdout ?? '';
  const head = git('log', '-1', '--format=%h %cI').trim();
  const dirty = git('status', '--porcelain', '--', 'server', 'utils')
    .split('\n')
    .filter(Boolean)
    .map((l) => l.slice(3));
  return `${head || 'unknown commit'}${dirty.length ? `, with uncommitted changes in ${dirty.join(', ')}` : ''}`;
}

async function main(): Promise<void> {
  const started = performance.now();
  const result: ScaleResult = {
    params,
    startedAt: new Date().toISOString(),
    seconds: 0,
    machine: machine(),
    loadStart: loadavg(),
    loadEnd: '',
    generation: {},
    runs: {},
    emptyIngest: {},
    command: `npm run bench:scale${argv.length ? ` -- ${argv.join(' ')}` : ''}`,
    code: codeVersion(),
    errors: [],
  };
  let written = false;
  const finish = () => {
    if (written) return;
    written = true;
    result.seconds = (performance.now() - started) / 1000;
    result.loadEnd = loadavg();
    const section = renderSection(result);
    mkdirSync(DATA, { recursive: true });
    writeFileSync(path.join(DATA, `result-${keyOf(params)}-${Date.now()}.json`), JSON.stringify(result, null, 1));
    if (!noWrite) {
      const file = path.join(ROOT, 'bench/results.md');
      const text = existsSync(file) ? readFileSync(file, 'utf8') : '# Siar performance bench\n';
      writeFileSync(file, withScaleSection(text, section));
    }
    console.log(section);
  };
  const hard = setTimeout(() => {
    result.errors.push(`stopped at the ${HARD_DEADLINE_MS / 60_000} min deadline; what has no figure was not measured`);
    finish();
    void cleanup().finally(() => process.exit(2));
  }, HARD_DEADLINE_MS);
  hard.unref();
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.on(sig, () => {
      log(`${sig}: cleaning up`);
      void cleanup().finally(() => process.exit(130));
    });
  }

  try {
    const empty = { ...params, events: 0 };
    // All data sets first, so generating one never overlaps measuring another.
    const sets = new Map<Backend, Awaited<ReturnType<typeof dataset>>>();
    for (const backend of backends) {
      try {
        const set = await dataset(params, backend);
        sets.set(backend, set);
        result.generation[backend] = set.info;
        await dataset(empty, backend);
      } catch (error) {
        log(`${backend}: ${(error as Error).stack ?? String(error)}`);
        result.errors.push(`${backend} data set: ${String((error as Error).message ?? error).split('\n')[0]}`);
      }
    }
    // --generate-only: make (or check) the cached data sets now, measure in a later run.
    for (const backend of flag('generate-only') ? [] : backends) {
      const name = backend === 'sqlite' ? 'SQLite' : 'PostgreSQL';
      const set = sets.get(backend);
      if (!set) continue;
      try {
        const { agency, path: source } = set;
        const mandatory =
          agency.posts.find((p) => p.status === 'published' && p.priority === 'mandatory') ??
          agency.posts.find((p) => p.status === 'published')!;
        // The dashboard, the studio's post list, a mandatory post's coverage (all units, then the
        // largest unit's members) and the member list (100,000 names, a page at a time).
        const coverage = `/studio/posts/${encodeURIComponent(mandatory.id)}/coverage`;
        const pages = ['/', '/studio/posts', coverage, `${coverage}?unit=1`, '/studio/members'];
        const work = await workCopy(backend, source, backend);
        const workers = backend === 'postgres' ? 2 : 1;
        log(`${name}: measuring with ${workers} server process(es) …`);
        result.runs[backend] = await withServer(work.db, workers, work.dir, async (server) => {
          const client = new Client(server.base);
          try {
            return await measure(new Load(client, server, agency), {
              backend,
              durations,
              sqliteFile: work.sqliteFile,
              pgPort: work.cluster?.port,
              workDir: work.dir,
              eventsAtStart: params.events,
              pages,
              only,
            });
          } finally {
            client.close();
          }
        });
        if (only) {
          await work.cluster?.stop();
          continue;
        }
        if (backend === 'postgres') {
          log('PostgreSQL: the same ingest with one server process (baseline for two) …');
          result.pgOneWorker = await withServer(work.db, 1, work.dir, async (server) => {
            const client = new Client(server.base);
            try {
              return await ingestClosed(new Load(client, server, agency), durations.phase);
            } finally {
              client.close();
            }
          });
        }
        await work.cluster?.stop();
        if (!flag('keep')) rmSync(work.dir, { recursive: true, force: true });

        log(`${name}: baseline ingest on the same agency with no events …`);
        const e = await dataset(empty, backend);
        const ework = await workCopy(backend, e.path, `${backend}-empty`);
        result.emptyIngest[backend] = await withServer(ework.db, workers, ework.dir, async (server) => {
          const client = new Client(server.base);
          try {
            return await ingestClosed(new Load(client, server, e.agency), durations.phase);
          } finally {
            client.close();
          }
        });
        await ework.cluster?.stop();
        if (!flag('keep')) rmSync(ework.dir, { recursive: true, force: true });
      } catch (error) {
        const message = `${name}: ${(error as Error).stack ?? String(error)}`;
        log(message);
        result.errors.push(message.split('\n').slice(0, 3).join(' '));
      }
    }
  } finally {
    clearTimeout(hard);
    await cleanup();
    finish();
  }
  setTimeout(() => process.exit(0), 1000).unref();
}

void main();
