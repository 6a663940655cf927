// Bundles the fixture sites (tests/fixtures/<site>/, see fixture-sites.ts) with esbuild into
// tests/fixtures/dist/<site>/: index.html plus static/app.js and static/app.css.
// Skips the work when every output is newer than every input.
import { build } from 'esbuild';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { FIXTURES, FIXTURES_DIR, SITES, type Site } from './fixture-sites';

export const DIST_DIR = path.join(FIXTURES_DIR, 'dist');
const ROOT_DIR = path.resolve(FIXTURES_DIR, '../..');

export function siteDistDir(site: Site): string {
  return path.join(DIST_DIR, site);
}

function newestMtime(paths: string[]): number {
  let newest = 0;
  const visit = (p: string) => {
    if (!existsSync(p)) return;
    const st = statSync(p);
    if (st.isDirectory()) {
      for (const name of readdirSync(p)) visit(path.join(p, name));
    } else {
      newest = Math.max(newest, st.mtimeMs);
    }
  };
  paths.forEach(visit);
  return newest;
}

function outputs(site: Site): string[] {
  const dir = siteDistDir(site);
  return [path.join(dir, 'index.html'), path.join(dir, 'static', 'app.js'), path.join(dir, 'static', 'app.css')];
}

function inputs(site: Site): string[] {
  return [
    path.join(FIXTURES_DIR, site),
    fileURLToPath(import.meta.url),
    // A reinstall of the editor libraries must rebuild too.
    path.join(ROOT_DIR, 'package-lock.json'),
  ];
}

function upToDate(site: Site, mode: string): boolean {
  const modeFile = path.join(siteDistDir(site), '.mode');
  if (!existsSync(modeFile) || readFileSync(modeFile, 'utf8') !== mode) return false;
  const outs = outputs(site);
  if (!outs.every((p) => existsSync(p))) return false;
  const oldestOut = Math.min(...outs.map((p) => statSync(p).mtimeMs));
  return oldestOut > newestMtime(inputs(site));
}

export interface BuildOptions {
  /** Rebuild even when outputs look fresh. */
  force?: boolean;
  /** React/Lexical development builds (readable errors, slower). Default: production, as the sites ship. */
  development?: boolean;
}

async function buildSite(site: Site, opts: BuildOptions): Promise<void> {
  const srcDir = path.join(FIXTURES_DIR, site);
  // Build next to the final folder, then swap, so a concurrent reader never sees half a site.
  const tmp = path.join(DIST_DIR, `.${site}.tmp-${process.pid}-${Date.now()}`);
  mkdirSync(path.join(tmp, 'static'), { recursive: true });
  try {
    const mode = opts.development ? 'development' : 'production';
    await build({
      absWorkingDir: ROOT_DIR,
      entryPoints: [path.join(srcDir, FIXTURES[site]!.entry)],
      bundle: true,
      format: 'iife',
      platform: 'browser',
      target: ['chrome120', 'firefox115'],
      outfile: path.join(tmp, 'static', 'app.js'),
      sourcemap: 'linked',
      minify: false,
      conditions: [mode],
      define: {
        'process.env.NODE_ENV': JSON.stringify(mode),
        // fbjs (under draft-js) reaches for Node's `global`.
        global: 'globalThis',
      },
      jsx: 'automatic',
      jsxImportSource: 'react',
      loader: { '.css': 'css' },
      logLevel: 'silent',
    });
    copyFileSync(path.join(srcDir, 'index.html'), path.join(tmp, 'index.html'));
    writeFileSync(path.join(tmp, '.mode'), mode);
    const dest = siteDistDir(site);
    rmSync(dest, { recursive: true, force: true });
    try {
      renameSync(tmp, dest);
    } catch (err) {
      // Another process finished the same build between our rm and rename: theirs will do.
      if (!upToDate(site, mode)) throw err;
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

let inFlight: Promise<void> | undefined;

/** Builds every fixture site unless already fresh. Safe to call from every test file. */
export function buildFixtures(opts: BuildOptions = {}): Promise<void> {
  inFlight ??= (async () => {
    mkdirSync(DIST_DIR, { recursive: true });
    for (const site of SITES) {
      if (!opts.force && upToDate(site, opts.development ? 'development' : 'production')) continue;
      await buildSite(site, opts);
    }
  })().finally(() => {
    inFlight = undefined;
  });
  return inFlight;
}
