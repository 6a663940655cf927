// Launches Debian's Firefox ESR through puppeteer-core over WebDriver BiDi, optionally installing
// an unpacked extension (as a temporary add-on) and sending the fixture hosts' HTTPS through a
// CONNECT proxy (Firefox has nothing like Chromium's host resolver rules).
import path from 'node:path';
import { existsSync } from 'node:fs';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';

export const FIREFOX_PATH = process.env.SIAR_FIREFOX ?? '/usr/bin/firefox-esr';
/** The add-on id in wxt.config.ts (browser_specific_settings.gecko.id). */
export const GECKO_ID = 'siar@siar.example';
/** Pinned so moz-extension:// URLs are known before the add-on is installed. */
export const FIREFOX_EXTENSION_UUID = '5e1a7c0d-51a2-4d6b-9c3e-0b5e2f7a9d41';

export interface LaunchFirefoxOptions {
  /** Unpacked MV2 extension folder, e.g. .output/firefox-mv2. */
  extensionDir?: string;
  /** startConnectProxy() port: https to the fixture hosts goes through it. */
  proxyPort?: number;
  /** UI / content language. Default 'id' (needs the firefox-esr-l10n-id package for Firefox's own UI). */
  lang?: string;
  /** Default true. */
  headless?: boolean;
  extraPrefs?: Record<string, unknown>;
  /** Launch timeout; also bounds every protocol call. Default 60 s. */
  timeoutMs?: number;
  /** More environment for the browser process (e.g. HOME, where Firefox finds managed storage). */
  env?: Record<string, string>;
}

export interface LaunchedFirefox {
  browser: Browser;
  /** The installed add-on's id (GECKO_ID) when an extension was installed. */
  extensionId?: string;
  /** moz-extension://<uuid> (pinned, so valid even before install). */
  extensionBase: string;
  /** New tab with bounded default timeouts (15 s for waits, 30 s for navigations). */
  newPage(): Promise<Page>;
  /** New tab on an extension page (e.g. 'popup.html'), resolved once its document has loaded. */
  openExtensionPage(pagePath: string, timeoutMs?: number): Promise<Page>;
  close(): Promise<void>;
}

export async function launchFirefox(opts: LaunchFirefoxOptions = {}): Promise<LaunchedFirefox> {
  const timeout = opts.timeoutMs ?? 60_000;
  const lang = opts.lang ?? 'id';
  const prefs: Record<string, unknown> = {
    'extensions.webextensions.uuids': JSON.stringify({ [GECKO_ID]: FIREFOX_EXTENSION_UUID }),
    'intl.locale.requested': lang,
    'intl.accept_languages': lang,
    // Temporary add-ons run unsigned anyway; this keeps ESR from second-guessing it.
    'xpinstall.signatures.required': false,
    ...(opts.extraPrefs ?? {}),
  };
  if (opts.proxyPort) {
    Object.assign(prefs, {
      'network.proxy.type': 1,
      'network.proxy.ssl': '127.0.0.1',
      'network.proxy.ssl_port': opts.proxyPort,
      // Only HTTPS is proxied; plain http (a demo feed on localhost) stays direct, and loopback is
      // never sent through the proxy whatever its scheme.
      'network.proxy.share_proxy_settings': false,
      'network.proxy.http': '',
      'network.proxy.http_port': 0,
      'network.proxy.no_proxies_on': 'localhost, 127.0.0.1, [::1]',
      'network.proxy.allow_hijacking_localhost': false,
      // No DNS-over-HTTPS lookups to the outside.
      'network.trr.mode': 5,
    });
  }
  const browser = await puppeteer.launch({
    browser: 'firefox',
    executablePath: FIREFOX_PATH,
    headless: opts.headless ?? true,
    acceptInsecureCerts: true,
    args: ['--remote-allow-system-access'],
    extraPrefsFirefox: prefs,
    env: { ...process.env, LANGUAGE: lang, ...(opts.env ?? {}) },
    timeout,
    protocolTimeout: timeout,
  });

  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    const proc = browser.process();
    await Promise.race([browser.close().catch(() => {}), new Promise((r) => setTimeout(r, 15_000))]);
    // A wedged Firefox must not outlive the test run.
    if (proc && proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
  };

  let extensionId: string | undefined;
  if (opts.extensionDir) {
    const dir = path.resolve(opts.extensionDir);
    try {
      if (!existsSync(path.join(dir, 'manifest.json'))) throw new Error(`No manifest.json in ${dir}: build the extension first`);
      extensionId = await browser.installExtension(dir);
    } catch (err) {
      await close();
      throw err;
    }
  }

  const extensionBase = `moz-extension://${FIREFOX_EXTENSION_UUID}`;
  const newPage = async () => {
    const page = await browser.newPage();
    page.setDefaultTimeout(15_000);
    page.setDefaultNavigationTimeout(30_000);
    return page;
  };

  /** Opens an extension page in a new tab, waiting for its document; another tab if one gets stuck. */
  const openExtensionPage = async (pagePath: string, pageTimeout = 30_000) => {
    const url = `${extensionBase}/${pagePath.replace(/^\//, '')}`;
    const end = Date.now() + pageTimeout;
    for (;;) {
      const page = await newPage();
      // BiDi never reports a moz-extension navigation as complete: start it, then wait for the
      // document itself.
      page.goto(url).catch(() => {});
      // A tab whose polls keep failing (Firefox's BiDi sometimes never recovers from a poll that
      // landed while the old document was torn down) is given up for a new one after 10 s.
      const tabEnd = Math.min(end, Date.now() + 10_000);
      for (;;) {
        try {
          await page.waitForFunction(
            (expected: string) => location.href.startsWith(expected) && document.readyState === 'complete',
            { timeout: Math.max(1, tabEnd - Date.now()), polling: 100 },
            url.split('#')[0]!.split('?')[0]!,
          );
          return page;
        } catch (err) {
          // A poll that lands while the old document is torn down fails with a protocol error,
          // not a timeout: poll the new document.
          const text = `${String(err)} ${String((err as { cause?: unknown }).cause ?? '')}`;
          const transient = (err as Error).name === 'TimeoutError' || /Protocol error/.test(text);
          if (!transient || Date.now() >= end) throw err;
          if (Date.now() >= tabEnd) break;
        }
      }
      await page.close().catch(() => {});
    }
  };

  return { browser, extensionId, extensionBase, newPage, openExtensionPage, close };
}
