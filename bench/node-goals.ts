// Goals measured without a browser: 4 (bundle sizes), 8 (tally ingest), 9 (feed validate + compose).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { build, type Plugin } from 'esbuild';
import { createAgencyServer } from '../server/app';
import { buildDemoFeed } from '../server/demo/feed';
import { DEMO_ENROLL_CODES } from '../server/tally/codes';
import { Enrolment } from '../server/tally/enrol';
import { ShareIngest } from '../server/tally/ingest';
import { bundleSizes } from './bundle-size';
import { bigFeed, wireShares } from './feeds';
import { int, kb, ms, p50, ROOT, type Row } from './lib';

// ---------------------------------------------------------------------------------------------
// 4. bundle sizes

export function goal4(buildDir: string): Row {
  const r = bundleSizes(buildDir);
  const sites = Object.entries(r.contentScripts);
  const bytes = (files: { bytes: number }[]) => files.reduce((s, f) => s + f.bytes, 0);
  const list = (files: { file: string; gzip: number }[]) => files.map((f) => `${f.file} ${kb(f.gzip)}`).join(' + ');
  return {
    goal: 4,
    what: 'JS a content script loads at page start / popup, gzip',
    target: '≤ 20 KB; popup ≤ 60 KB',
    result: `${sites.map(([site, b]) => `${site} ${kb(b.jsGzip)}`).join(', ')}; popup ${kb(r.popup.gzip)}`,
    baseline: `minified, no gzip: ${sites.map(([site, b]) => `${site} ${kb(bytes(b.files))}`).join(', ')}; popup ${kb(bytes(r.popup.files))}`,
    pass: sites.every(([, b]) => b.jsGzip <= b.budget) && r.popup.gzip <= r.popup.budget && r.failures.length === 0,
    notes: [
      ...sites.map(([site, b]) => `${site}, page start at ${b.url}: ${list(b.files)}`),
      `popup: ${list(r.popup.files)}`,
      'gzip at zlib default level, each file alone; content-script figure is every script injected on that site (isolated + MAIN world).',
      ...r.failures,
    ],
  };
}

// ---------------------------------------------------------------------------------------------
// 9. 1,000-item feed validated and composed

/**
 * What Vite does for the extension with `import.meta.glob(pattern, { eager: true, import: name })`
 * (the site registry finds the site files so): static imports of the matching files of the folder.
 */
const eagerGlob: Plugin = {
  name: 'eager-import-meta-glob',
  setup(b) {
    b.onLoad({ filter: /\.tsx?$/ }, (args) => {
      const text = readFileSync(args.path, 'utf8');
      if (!text.includes('import.meta.glob')) return undefined;
      const imports: string[] = [];
      const contents = text.replace(
        /import\.meta\.glob(?:<[^>]*>)?\(\s*'\.\/([^'/]+)'\s*,\s*\{\s*eager:\s*true,\s*import:\s*'(\w+)'\s*\}\s*\)/g,
        (_all, pattern: string, name: string) => {
          const re = new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*')}$`);
          const files = readdirSync(path.dirname(args.path))
            .filter((f) => re.test(f))
            .sort();
          const entries = files.map((f) => {
            const id = `__glob${imports.length}`;
            imports.push(`import { ${name} as ${id} } from './${f}';`);
            return `'./${f}': ${id}`;
          });
          return `{ ${entries.join(', ')} }`;
        },
      );
      return { contents: `${imports.join('\n')}\n${contents}`, loader: args.path.endsWith('x') ? 'tsx' : 'ts' };
    });
  },
};

export async function goal9(): Promise<Row> {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'siar-bench-g9-'));
  try {
    const out = path.join(tmp, 'feed-work.mjs');
    // Bundled like the extension's own code (twitter-text is CommonJS with an ESM build).
    await build({
      entryPoints: [path.join(ROOT, 'bench/feed-work.ts')],
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      outfile: out,
      logLevel: 'silent',
      alias: { '@': ROOT },
      plugins: [eagerGlob],
    });
    const mod = (await import(pathToFileURL(out).href)) as typeof import('./feed-work');
    const RUNS = 15;
    // A different feed for every run (other links, so other texts), made before any timing.
    const bodies = Array.from({ length: RUNS + 1 }, (_, k) =>
      JSON.stringify(bigFeed('https://diskominfo.example.go.id', 1000, Date.now(), `-r${k}`)),
    );
    const body = bodies[0]!;
    const cold0 = performance.now();
    const first = mod.validateAndCompose(body);
    const cold = performance.now() - cold0;
    if (first.items !== 1000) throw new Error(`expected 1000 valid items, got ${first.items}`);
    const runs: number[] = [];
    const parseOnly: number[] = [];
    for (let i = 1; i <= RUNS; i++) {
      const a = performance.now();
      mod.validateAndCompose(bodies[i]!);
      runs.push(performance.now() - a);
      const b = performance.now();
      JSON.parse(bodies[i]!);
      parseOnly.push(performance.now() - b);
    }
    const median = p50(runs);
    return {
      goal: 9,
      what: 'feed of 1,000 items validated and composed (Node)',
      target: '≤ 30 ms',
      result: `p50 ${ms(median)} (cold first run ${ms(cold)})`,
      baseline: `JSON.parse alone p50 ${ms(p50(parseOnly))}`,
      pass: median <= 30,
      notes: [
        `${first.items} items, ${first.texts} texts composed (x, facebook, whatsapp, variant 0); feed ${kb(body.length)}; 15 warm runs after one cold run, each on a feed of its own (other links, so no text repeats across runs).`,
      ],
    };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------
// 8. reference tally ingest on SQLite over loopback

const NIPS = ['198503152010012003', '199001012015031001', '198707072012122002', '199212122019031004'];

function startTallyProcess(dbFile: string): Promise<{ child: ChildProcess; port: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'bench/tally-server.ts'), dbFile], {
      cwd: ROOT,
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error('tally process did not start within 30 s'));
    }, 30_000);
    let out = '';
    child.stdout!.on('data', (b: Buffer) => {
      out += b.toString();
      const m = /READY (\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ child, port: Number(m[1]) });
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`tally process exited (${code}) before it was ready`));
    });
  });
}

async function enrol(base: string, nip: string, i: number): Promise<string> {
  const unit = Object.keys(DEMO_ENROLL_CODES)[i % Object.keys(DEMO_ENROLL_CODES).length]!;
  const res = await fetch(`${base}/v1/enroll`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ nip, name: `Pegawai ${i + 1}`, unit, code: DEMO_ENROLL_CODES[unit]![0] }),
    signal: AbortSignal.timeout(10_000),
  });
  if (res.status !== 201 && res.status !== 200) throw new Error(`enrol: HTTP ${res.status} ${await res.text()}`);
  return ((await res.json()) as { token: string }).token;
}

export async function goal8(opts: { seconds?: number; clients?: number } = {}): Promise<Row> {
  const seconds = opts.seconds ?? 12;
  const clients = opts.clients ?? 4;
  const batch = 500;
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'siar-bench-g8-'));
  const feedUrl = 'https://diskominfo.example.go.id/feed.json';
  const itemIds = buildDemoFeed({ base: 'https://diskominfo.example.go.id' }).items.map((i) => i.id);
  let child: ChildProcess | undefined;
  try {
    // Baseline: the same store and SQLite file settings, no HTTP: the ingest in-process.
    const local = await createAgencyServer({ quiet: true, demo: true, jobs: false, db: path.join(tmp, 'baseline.db') });
    let storeRate = NaN;
    try {
      await local.listen(0);
      const e = await new Enrolment(local.db).enrol({ nip: NIPS[0]!, name: 'Baseline', code: 'DINKES-2026' }, '127.0.0.1');
      if (!e.ok) throw new Error('baseline enrol failed');
      const memberId = (await new Enrolment(local.db).memberOf(e.token))!;
      const ingest = new ShareIngest(local.db, { dailyCap: 1e9, utcOffsetMinutes: 420, feedUrls: () => new Set([feedUrl]) });
      const batches = Array.from({ length: 40 }, () => wireShares(batch, itemIds, feedUrl));
      const t0 = performance.now();
      let stored = 0;
      for (const b of batches) stored += (await ingest.record(memberId, b)).accepted.length;
      storeRate = stored / ((performance.now() - t0) / 1000);
    } finally {
      await local.close();
    }

    const started = await startTallyProcess(path.join(tmp, 'tally.db'));
    child = started.child;
    const base = `http://127.0.0.1:${started.port}`;
    const tokens = await Promise.all(Array.from({ length: clients }, (_, i) => enrol(base, NIPS[i % NIPS.length]!, i)));

    // Bodies are made before the clock starts, so the generator's own work is not measured.
    const maxBatches = 400;
    const bodies = Array.from({ length: maxBatches }, () => JSON.stringify({ shares: wireShares(batch, itemIds, feedUrl) }));
    let next = 0;
    let accepted = 0;
    let requests = 0;
    const errors: string[] = [];
    const latencies: number[] = [];
    const deadline = performance.now() + seconds * 1000;
    const t0 = performance.now();
    const client = async (token: string) => {
      while (performance.now() < deadline && next < bodies.length) {
        const body = bodies[next++]!;
        const a = performance.now();
        const res = await fetch(`${base}/v1/shares`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          body,
          signal: AbortSignal.timeout(30_000),
        });
        const reply = (await res.json()) as { accepted?: string[] };
        latencies.push(performance.now() - a);
        requests++;
        if (res.status !== 200) {
          if (errors.length < 5) errors.push(`HTTP ${res.status}`);
          continue;
        }
        accepted += reply.accepted?.length ?? 0;
      }
    };
    await Promise.all(tokens.map(client));
    const elapsed = (performance.now() - t0) / 1000;
    const rate = accepted / elapsed;
    return {
      goal: 8,
      what: 'reference tally ingest, SQLite file, loopback',
      target: '≥ 5,000 events/s',
      result: `${int(rate)} events/s`,
      baseline: `store alone (no HTTP) ${int(storeRate)} events/s`,
      pass: rate >= 5000 && errors.length === 0,
      notes: [
        `${clients} clients (one member each), ${batch}-share batches, ${requests} requests, ${int(accepted)} events accepted in ${elapsed.toFixed(1)} s (bounded: ${seconds} s or ${maxBatches} batches).`,
        `request latency p50 ${ms(p50(latencies))}; tally in its own Node process (WAL, synchronous=NORMAL), load generator in this one; rate limits raised for the run.`,
        ...errors.map((e) => `error: ${e}`),
      ],
    };
  } finally {
    if (child && child.exitCode === null) {
      child.kill('SIGTERM');
      await new Promise<void>((r) => {
        const t = setTimeout(() => {
          child!.kill('SIGKILL');
          r();
        }, 5000);
        child!.once('exit', () => {
          clearTimeout(t);
          r();
        });
      });
    }
    rmSync(tmp, { recursive: true, force: true });
  }
}
