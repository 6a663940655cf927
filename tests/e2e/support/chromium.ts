// Launches Debian's Chromium through playwright-core with an optional unpacked extension, the
// fixture hosts mapped onto the local fixture server, and a throwaway profile.
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { FIXTURE_HOSTS } from './fixture-server';

export const CHROMIUM_PATH = process.env.SIAR_CHROMIUM ?? '/usr/bin/chromium';

export interface LaunchChromiumOptions {
  /** Unpacked MV3 extension folder, e.g. .output/chrome-mv3. */
  extensionDir?: string;
  /** Fixture server port: every fixture host (fixture-server.ts) resolves to 127.0.0.1:port. */
  fixturePort?: number;
  /** Browser UI language via LANGUAGE (Chromium on Linux ignores --lang). Default 'id'. */
  lang?: string;
  /** Default true. */
  headless?: boolean;
  args?: string[];
  /** Launch and service-worker wait timeout. Default 30 s. */
  timeoutMs?: number;
  /** Reuse this profile (a browser restart); it is then left on disk for the caller. */
  userDataDir?: string;
}

export interface LaunchedChromium {
  context: BrowserContext;
  /** Set when an extension was loaded. */
  extensionId?: string;
  /** chrome-extension://<id> when an extension was loaded. */
  extensionBase?: string;
  userDataDir: string;
  close(): Promise<void>;
}

/**
 * Chromium's id for an unpacked extension: from the manifest `key` when there is one, else from
 * the folder's absolute path. Hex digits 0–f of the SHA-256's first 16 bytes, written as a–p.
 */
export function chromiumExtensionId(extensionDir: string): string {
  const manifest = JSON.parse(readFileSync(path.join(extensionDir, 'manifest.json'), 'utf8')) as { key?: string };
  const input = manifest.key ? Buffer.from(manifest.key, 'base64') : Buffer.from(realpathSync(extensionDir));
  return createHash('sha256')
    .update(input)
    .digest('hex')
    .slice(0, 32)
    .replace(/[0-9a-f]/g, (c) => String.fromCharCode(97 + parseInt(c, 16)));
}

function hasServiceWorker(extensionDir: string): boolean {
  const manifest = JSON.parse(readFileSync(path.join(extensionDir, 'manifest.json'), 'utf8')) as {
    background?: { service_worker?: string };
  };
  return Boolean(manifest.background?.service_worker);
}

export async function launchChromium(opts: LaunchChromiumOptions = {}): Promise<LaunchedChromium> {
  const timeout = opts.timeoutMs ?? 30_000;
  const ownProfile = !opts.userDataDir;
  const userDataDir = opts.userDataDir ?? mkdtempSync(path.join(os.tmpdir(), 'siar-chromium-'));
  const args = [
    '--no-sandbox',
    '--disable-background-networking',
    '--disable-component-update',
    '--no-first-run',
    '--disable-sync',
    '--ignore-certificate-errors',
    ...(opts.args ?? []),
  ];
  if (opts.fixturePort) {
    const rules = Object.keys(FIXTURE_HOSTS).map((h) => `MAP ${h} 127.0.0.1:${opts.fixturePort}`);
    // Anything else (but loopback, where a demo feed server may run) fails to resolve, so a
    // test can never reach the real sites by accident.
    rules.push('MAP * ~NOTFOUND', 'EXCLUDE localhost', 'EXCLUDE 127.0.0.1');
    args.push(`--host-resolver-rules=${rules.join(', ')}`);
  }
  let extensionDir: string | undefined;
  if (opts.extensionDir) {
    extensionDir = path.resolve(opts.extensionDir);
    if (!existsSync(path.join(extensionDir, 'manifest.json'))) {
      if (ownProfile) rmSync(userDataDir, { recursive: true, force: true });
      throw new Error(`No manifest.json in ${extensionDir}: build the extension first`);
    }
    args.push(`--disable-extensions-except=${extensionDir}`, `--load-extension=${extensionDir}`);
  }

  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM_PATH,
      headless: opts.headless ?? true,
      ignoreHTTPSErrors: true,
      ignoreDefaultArgs: ['--disable-extensions'],
      args,
      env: { ...process.env, LANGUAGE: opts.lang ?? 'id' },
      timeout,
      viewport: { width: 1280, height: 900 },
    });
  } catch (err) {
    if (ownProfile) rmSync(userDataDir, { recursive: true, force: true });
    throw err;
  }

  // Bounded waits everywhere: a missing element fails the test instead of hanging it.
  context.setDefaultTimeout(15_000);
  context.setDefaultNavigationTimeout(30_000);

  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    try {
      await Promise.race([context.close(), new Promise((r) => setTimeout(r, 15_000))]);
    } finally {
      if (ownProfile) rmSync(userDataDir, { recursive: true, force: true, maxRetries: 3 });
    }
  };

  let extensionId: string | undefined;
  if (extensionDir) {
    try {
      extensionId = chromiumExtensionId(extensionDir);
      if (hasServiceWorker(extensionDir)) {
        // The running worker's URL is the authority; the computed id is the fallback for builds
        // without a background.
        const worker =
          context.serviceWorkers().find((w) => w.url().startsWith('chrome-extension://')) ??
          (await context.waitForEvent('serviceworker', { timeout }));
        extensionId = new URL(worker.url()).host;
      }
    } catch (err) {
      await close();
      throw err;
    }
  }

  return {
    context,
    extensionId,
    extensionBase: extensionId ? `chrome-extension://${extensionId}` : undefined,
    userDataDir,
    close,
  };
}

/** Lets pages of `origin` use navigator.clipboard without a prompt. */
export async function grantClipboard(context: BrowserContext, origin: string): Promise<void> {
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin });
}
