import { fileURLToPath } from 'node:url';
import { readdirSync } from 'node:fs';
import { defineConfig } from 'wxt';
import preact from '@preact/preset-vite';
import { matchPatterns } from './utils/sites/match-patterns';
import type { Site } from './utils/sites/types';

// The agency's feed is the only origin the extension talks to out of the box. Its origin comes
// from the build so an agency can ship a build that works with no setup; anything else the user
// configures is asked for at runtime through optional host permissions.
const feedUrl = process.env.WXT_SIAR_FEED_URL ?? '';

function originPattern(url: string): string | undefined {
  try {
    const u = new URL(url);
    if (u.protocol !== 'https:' && u.protocol !== 'http:') return undefined;
    return `${u.protocol}//${u.hostname}/*`;
  } catch {
    return undefined;
  }
}

/**
 * The hosts of the sites whose web app takes a post itself when it is open in a tab (a site with
 * `share.openTab`, WhatsApp Web's chat picker): the popup has to find that tab, which only a host
 * permission for exactly those hosts lets it see. The site files say which.
 */
async function openTabOrigins(): Promise<string[]> {
  const dir = new URL('./utils/sites/', import.meta.url);
  const files = readdirSync(dir).filter((f) => f.endsWith('.site.ts'));
  const sites = await Promise.all(files.map(async (f) => ((await import(new URL(f, dir).href)) as { site: Site }).site));
  return sites.filter((s) => s.share.openTab !== undefined).flatMap((s) => matchPatterns(s.hosts));
}

// What a user may point the feed (and later the tally) at: any https origin, or loopback for a
// demo. Asked for one origin at a time, never all at once.
const OPTIONAL_ORIGINS = ['https://*/*', 'http://localhost/*', 'http://127.0.0.1/*', 'http://[::1]/*'];
// Notifications of new mandatory posts: asked for on the options page, with the reason, only when
// the user wants them; refused, nothing else changes.
const OPTIONAL_APIS = ['notifications'];

export default defineConfig({
  modules: ['@wxt-dev/webextension-polyfill'],
  hooks: {
    // The composer content scripts talk to the browser through its own promise APIs (runtime
    // messages and ports, i18n, getURL: native promises in Chromium MV3 and Firefox alike) rather
    // than webextension-polyfill, which every other entrypoint keeps: the polyfill is 2.6 KB gzip
    // of a 20 KB budget that every X, Facebook and WhatsApp page loads.
    'vite:build:extendConfig'(entrypoints, config) {
      if (!entrypoints.every((e) => e.type === 'content-script')) return;
      const ownBrowser = fileURLToPath(new URL('./node_modules/wxt/dist/browser.mjs', import.meta.url));
      config.plugins = [
        ...(config.plugins ?? []),
        {
          name: 'siar:content-scripts-without-polyfill',
          enforce: 'pre',
          resolveId: (id: string) => (id === '@wxt-dev/webextension-polyfill/browser' || id === 'wxt/browser' ? ownBrowser : undefined),
        },
      ];
    },
    // The main-world inserter runs wherever a site's composer content script runs: its matches
    // are theirs, so a new site's entrypoint is the only place its pages are named.
    'entrypoints:resolved'(_wxt, entrypoints) {
      const scripts = entrypoints.filter((e) => e.type === 'content-script');
      const mainWorld = scripts.filter((e) => e.options.world === 'MAIN');
      const sitePages = [...new Set(scripts.filter((e) => e.options.world !== 'MAIN').flatMap((e) => e.options.matches ?? []))];
      for (const e of mainWorld) e.options.matches = sitePages;
    },
    // The video code (entrypoints/video.ts) is imported by the composer content scripts when a
    // post's video is attached or saved. Firefox lets a content script import its extension's
    // files as they are; Chromium only web-accessible ones: there it is listed for the sites'
    // pages alone, behind a dynamic URL (a per-session id), so no page can fetch it by the
    // extension's id, nor tell from it that Siar is installed.
    'build:manifestGenerated'(_wxt, manifest) {
      if (manifest.manifest_version !== 3) return;
      const sitePages = [...new Set((manifest.content_scripts ?? []).flatMap((c) => c.matches ?? []))];
      manifest.web_accessible_resources = [{ resources: ['video.js'], matches: sitePages, use_dynamic_url: true }];
    },
  },
  vite: () => ({ plugins: [preact()] }),
  zip: {
    // The AMO sources zip: everything needed to rebuild, nothing generated.
    excludeSources: ['.output/**', 'test-results/**', 'server/data/**', 'tmp/**'],
  },
  manifest: async ({ browser, manifestVersion }) => {
    const feedOrigin = originPattern(feedUrl);
    const openTabs = await openTabOrigins();
    const base = {
      name: '__MSG_ext_name__',
      description: '__MSG_ext_description__',
      default_locale: 'id',
      action: { default_title: '__MSG_ext_name__' },
      icons: { 16: 'icon/16.png', 32: 'icon/32.png', 48: 'icon/48.png', 128: 'icon/128.png' },
    };
    if (manifestVersion === 2) {
      return {
        ...base,
        permissions: ['storage', 'alarms', ...(feedOrigin ? [feedOrigin] : []), ...openTabs],
        optional_permissions: [...OPTIONAL_APIS, ...OPTIONAL_ORIGINS],
        browser_specific_settings: {
          gecko: {
            id: 'siar@siar.example',
            strict_min_version: '140.0',
            // Enrolment sends NIP, name and unit once to the agency's tally, and only when the
            // user chooses to enrol: asked for then, never at install.
            data_collection_permissions: { required: ['none'], optional: ['personallyIdentifyingInfo'] },
          },
        },
      };
    }
    return {
      ...base,
      permissions: ['storage', 'alarms'],
      host_permissions: [...(feedOrigin ? [feedOrigin] : []), ...openTabs],
      optional_permissions: OPTIONAL_APIS,
      optional_host_permissions: OPTIONAL_ORIGINS,
      // Agency deployment: the shape of the `3rdparty` policy Chrome puts in storage.managed
      // (docs/policy/). Firefox needs no schema: it reads policies.json `3rdparty` as is.
      ...(browser === 'firefox'
        ? { browser_specific_settings: { gecko: { id: 'siar@siar.example' } } }
        : { storage: { managed_schema: 'managed_schema.json' } }),
    };
  },
});
