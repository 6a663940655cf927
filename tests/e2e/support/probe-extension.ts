// A throwaway extension that only proves the harness: its content script marks x.com pages with
// the extension's runtime id, and its popup page exists. Written to a temp folder per call.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { GECKO_ID } from './firefox';

export interface ProbeExtension {
  dir: string;
  remove(): void;
}

/** MV3 (Chromium) or MV2 (Firefox, with the Siar gecko id so the pinned UUID applies). */
export function writeProbeExtension(manifestVersion: 2 | 3, opts: { serviceWorker?: boolean } = {}): ProbeExtension {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'siar-probe-ext-'));
  const contentScripts = [{ matches: ['https://x.com/*', 'https://www.facebook.com/*'], js: ['content.js'] }];
  const manifest: Record<string, unknown> =
    manifestVersion === 3
      ? {
          manifest_version: 3,
          name: 'Siar harness probe',
          version: '1.0',
          action: { default_popup: 'popup.html' },
          content_scripts: contentScripts,
        }
      : {
          manifest_version: 2,
          name: 'Siar harness probe',
          version: '1.0',
          browser_action: { default_popup: 'popup.html' },
          content_scripts: contentScripts,
          browser_specific_settings: { gecko: { id: GECKO_ID } },
        };
  if (opts.serviceWorker && manifestVersion === 3) manifest.background = { service_worker: 'background.js' };
  writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify(manifest, null, 2));
  writeFileSync(path.join(dir, 'background.js'), '');
  writeFileSync(
    path.join(dir, 'content.js'),
    'document.documentElement.dataset.siarProbe = (globalThis.browser ?? globalThis.chrome).runtime.id;\n',
  );
  writeFileSync(path.join(dir, 'popup.html'), '<!doctype html><meta charset="utf-8"><title>probe popup</title><p>probe</p>\n');
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
