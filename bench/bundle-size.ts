// Goal 4, deterministic: the gzip size of what the built Chrome extension loads
// - on each composer site at page start: every content script whose matches cover the site (the
//   site's isolated-world script, e.g. x.js, and the MAIN-world composer-main.js), JS and CSS. The
//   sites are the manifest's isolated-world content scripts, one per site of utils/sites/, each
//   judged on the first page its matches name;
// - for the toolbar popup: the scripts, module preloads and stylesheets of its HTML, plus every
//   chunk those scripts import statically.
// Sizes are gzip at zlib's default level (what `gzip FILE` gives). No browser, no timing: safe
// for `npm test` after a build, e.g.
//   const r = bundleSizes(); expect(r.failures).toEqual([]);
// Run alone: `npx tsx bench/bundle-size.ts [.output/chrome-mv3]` prints the figures and exits 1
// over budget.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

export const BUDGETS = {
  /** Per site: all JavaScript its content scripts load at page start. */
  contentScriptGzip: 20 * 1024,
  /** The popup's JavaScript and CSS. */
  popupGzip: 60 * 1024,
} as const;

export interface FileSize {
  /** Path inside the build, e.g. `content-scripts/x.js`. */
  file: string;
  bytes: number;
  gzip: number;
}

export interface Bundle {
  files: FileSize[];
  /** Sum of the files' gzip sizes (each file compressed alone, as a browser loads them). */
  jsGzip: number;
  cssGzip: number;
  gzip: number;
  budget: number;
}

export interface BundleReport {
  dir: string;
  /** Keyed by the site's content script (`x` for content-scripts/x.js). */
  contentScripts: Record<string, SiteBundle>;
  popup: Bundle;
  /** Human-readable budget overruns; empty when every budget holds. */
  failures: string[];
}

export interface SiteBundle extends Bundle {
  /** The page judged: the first page the site's content script matches. */
  url: string;
}

interface Manifest {
  action?: { default_popup?: string };
  browser_action?: { default_popup?: string };
  content_scripts?: { matches?: string[]; js?: string[]; css?: string[]; world?: string }[];
}

/** A page a match pattern covers: `https://x.com/*` → `https://x.com/`. */
function pageOf(pattern: string): string {
  return pattern.replace(/\*$/, '');
}

const DEFAULT_DIR = fileURLToPath(new URL('../.output/chrome-mv3/', import.meta.url));

function sizeOf(dir: string, file: string): FileSize {
  const bytes = readFileSync(path.join(dir, file));
  return { file, bytes: bytes.length, gzip: gzipSync(bytes).length };
}

/** A match pattern (`https://x.com/*`, `*://*.facebook.com/*`) against a URL. */
export function matchesPattern(pattern: string, url: string): boolean {
  if (pattern === '<all_urls>') return true;
  const m = /^(\*|https?|wss?|file|ftp):\/\/(\*|\*\.[^/*]+|[^/*]*)(\/.*)$/.exec(pattern);
  if (!m) return false;
  const [, scheme, host, pathPattern] = m as unknown as [string, string, string, string];
  const u = new URL(url);
  const proto = u.protocol.slice(0, -1);
  if (scheme === '*' ? proto !== 'http' && proto !== 'https' : scheme !== proto) return false;
  if (host !== '*') {
    if (host.startsWith('*.')) {
      const base = host.slice(2);
      if (u.hostname !== base && !u.hostname.endsWith(`.${base}`)) return false;
    } else if (u.hostname !== host) return false;
  }
  const re = new RegExp(
    `^${pathPattern
      .split('*')
      .map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
  );
  return re.test(u.pathname + u.search);
}

function bundle(dir: string, files: string[], budget: number): Bundle {
  const sizes = [...new Set(files)].map((f) => sizeOf(dir, f));
  const jsGzip = sizes.filter((f) => f.file.endsWith('.js')).reduce((s, f) => s + f.gzip, 0);
  const cssGzip = sizes.filter((f) => f.file.endsWith('.css')).reduce((s, f) => s + f.gzip, 0);
  return { files: sizes, jsGzip, cssGzip, gzip: jsGzip + cssGzip, budget };
}

/** Build-relative path of a URL found in an HTML page or a chunk. */
function resolveRef(fromFile: string, ref: string): string {
  const clean = ref.split(/[?#]/)[0]!;
  return clean.startsWith('/') ? clean.slice(1) : path.posix.normalize(path.posix.join(path.posix.dirname(fromFile), clean));
}

/** The page's scripts, preloads and stylesheets, then every chunk reachable by static import. */
function pageFiles(dir: string, htmlFile: string): string[] {
  const html = readFileSync(path.join(dir, htmlFile), 'utf8');
  const refs: string[] = [];
  for (const m of html.matchAll(/<script\b[^>]*\bsrc="([^"]+)"/g)) refs.push(m[1]!);
  for (const m of html.matchAll(/<link\b[^>]*\brel="(?:modulepreload|stylesheet)"[^>]*\bhref="([^"]+)"/g)) refs.push(m[1]!);
  for (const m of html.matchAll(/<link\b[^>]*\bhref="([^"]+)"[^>]*\brel="(?:modulepreload|stylesheet)"/g)) refs.push(m[1]!);
  const out = new Set<string>();
  const queue = refs.filter((r) => !/^[a-z]+:/i.test(r)).map((r) => resolveRef(htmlFile, r));
  while (queue.length > 0) {
    const file = queue.shift()!;
    if (out.has(file)) continue;
    if (!existsSync(path.join(dir, file))) throw new Error(`${htmlFile} refers to ${file}, which is not in the build`);
    out.add(file);
    if (!file.endsWith('.js')) continue;
    const code = readFileSync(path.join(dir, file), 'utf8');
    // Static imports only (`import … from"./x.js"`, `import"./x.js"`): dynamic ones load later.
    for (const m of code.matchAll(/(?:\bfrom|\bimport)\s*["']([^"']+\.(?:js|css))["']/g)) queue.push(resolveRef(file, m[1]!));
  }
  return [...out];
}

export function bundleSizes(dir: string = DEFAULT_DIR): BundleReport {
  const manifestPath = path.join(dir, 'manifest.json');
  if (!existsSync(manifestPath)) throw new Error(`No manifest.json in ${dir}: build the extension first`);
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as Manifest;

  const scripts = manifest.content_scripts ?? [];
  const contentScripts: Record<string, SiteBundle> = {};
  const failures: string[] = [];
  for (const cs of scripts.filter((s) => s.world !== 'MAIN')) {
    const site = /^content-scripts\/([^/]+)\.js$/.exec(cs.js?.[0] ?? '')?.[1];
    const first = cs.matches?.[0];
    if (!site || !first) continue;
    const url = pageOf(first);
    const here = scripts.filter((s) => (s.matches ?? []).some((p) => matchesPattern(p, url)));
    contentScripts[site] = {
      ...bundle(
        dir,
        here.flatMap((s) => [...(s.js ?? []), ...(s.css ?? [])]),
        BUDGETS.contentScriptGzip,
      ),
      url,
    };
    // The inserter in the page's main world must run wherever a site's content script does.
    if (!here.some((s) => s.world === 'MAIN')) failures.push(`${site}: no main-world content script runs on ${url}`);
  }

  const popupHtml = manifest.action?.default_popup ?? manifest.browser_action?.default_popup;
  if (!popupHtml) throw new Error('The manifest names no popup');
  const popup = bundle(dir, pageFiles(dir, popupHtml), BUDGETS.popupGzip);

  if (Object.keys(contentScripts).length === 0) failures.push('no site content script in the manifest');
  for (const [site, b] of Object.entries(contentScripts)) {
    if (b.jsGzip > b.budget) failures.push(`${site}: content scripts at page start are ${b.jsGzip} B gzip JS, over ${b.budget} B`);
  }
  if (popup.gzip > popup.budget) failures.push(`popup: ${popup.gzip} B gzip, over ${popup.budget} B`);
  return { dir, contentScripts, popup, failures };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const r = bundleSizes(process.argv[2] ? path.resolve(process.argv[2]) : undefined);
  const line = (name: string, b: Bundle) =>
    `${name.padEnd(22)} ${(b.gzip / 1024).toFixed(1).padStart(6)} KB gzip (budget ${(b.budget / 1024).toFixed(0)} KB): ` +
    b.files.map((f) => `${f.file} ${(f.gzip / 1024).toFixed(1)}`).join(', ');
  for (const [site, b] of Object.entries(r.contentScripts)) console.log(line(`content scripts (${site})`, b));
  console.log(line('popup', r.popup));
  if (r.failures.length) {
    console.error(r.failures.join('\n'));
    process.exitCode = 1;
  }
}
