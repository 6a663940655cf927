// Small helpers the bench shares: statistics, bounded waits, the build snapshot, the machine.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BrowserContext } from 'playwright-core';

export const ROOT = fileURLToPath(new URL('../', import.meta.url));
/** The Chrome build to measure; SIAR_BENCH_BUILD points elsewhere (e.g. a variant to compare). */
export const BUILD_DIR = process.env.SIAR_BENCH_BUILD ? path.resolve(process.env.SIAR_BENCH_BUILD) : path.join(ROOT, '.output/chrome-mv3');

/** One row of the results table. */
export interface Row {
  goal: number;
  what: string;
  target: string;
  /** The measured figure, as printed. */
  result: string;
  /** The figure measured without Siar (or the floor it is compared with), same run. */
  baseline: string;
  pass: boolean | undefined;
  /** Longer notes for results.md: how it was measured, what it renders, evidence. */
  notes: string[];
}

export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  // Nearest rank: p95 of 20 values is the 19th.
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1]!;
}

export const p50 = (v: readonly number[]) => percentile(v, 50);
export const p95 = (v: readonly number[]) => percentile(v, 95);

export function ms(n: number, digits = 1): string {
  return Number.isFinite(n) ? `${n.toFixed(digits)} ms` : 'n/a';
}

export function kb(bytes: number): string {
  return `${(bytes / 1024).toFixed(1)} KB`;
}

export function int(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

export function sleep(msec: number): Promise<void> {
  return new Promise((r) => setTimeout(r, msec));
}

/** Rejects after `msec` with a clear message; the caller's finally blocks do the cleanup. */
export function within<T>(msec: number, label: string, work: Promise<T>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${label}: no result within ${Math.round(msec / 1000)} s`)), msec);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Copies the built extension to a temp folder, so a rebuild by someone else during the run
 * cannot pull files from under the browser. Throws a plain message when there is no build.
 */
export function snapshotBuild(): { dir: string; builtAt: Date; remove(): void } {
  const manifest = path.join(BUILD_DIR, 'manifest.json');
  if (!existsSync(manifest)) {
    throw new Error(`No Chrome build at ${BUILD_DIR}. Build it first:\n  WXT_SIAR_FEED_URL=http://localhost:8787/feed.json npx wxt build`);
  }
  const builtAt = statSync(manifest).mtime;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'siar-bench-ext-'));
  cpSync(BUILD_DIR, dir, { recursive: true });
  if (!existsSync(path.join(dir, 'manifest.json'))) throw new Error('The build changed while it was being copied: run again');
  return { dir, builtAt, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * tsx compiles with esbuild's keepNames, which wraps functions in `__name(…)`; functions handed
 * to page.evaluate then refer to a helper the page does not have. Every page gets a no-op one.
 */
export async function preparePages(context: BrowserContext): Promise<void> {
  await context.addInitScript('globalThis.__name = globalThis.__name || ((f) => f);');
}

export interface Machine {
  cpu: string;
  cores: number;
  memory: string;
  os: string;
  chromium: string;
  node: string;
  date: string;
  /** 1, 5 and 15 min load averages when the run started. */
  load: string;
}

export function describeMachine(chromiumPath: string): Machine {
  let chromium = 'unknown';
  try {
    const out = execFileSync(chromiumPath, ['--version'], { encoding: 'utf8', timeout: 10_000, stdio: ['ignore', 'pipe', 'ignore'] });
    chromium = out.trim().split('\n').pop() ?? chromium;
  } catch {
    // leave unknown
  }
  return {
    cpu: os.cpus()[0]?.model ?? 'unknown',
    cores: os.cpus().length,
    memory: `${(os.totalmem() / 2 ** 30).toFixed(1)} GiB`,
    os: `${os.type()} ${os.release()}`,
    chromium,
    node: process.version,
    date: new Date().toISOString(),
    load: os
      .loadavg()
      .map((x) => x.toFixed(2))
      .join(' '),
  };
}
