import { PLATFORMS } from '../protocol/platforms';
import type { Site } from './types';

// Every site Siar shares to: each `*.site.ts` file in this folder, found when the code is built,
// so a new site is a new file and nothing here changes. Only what a site is (`site`) comes in
// here; its page code (`adapter`) stays with its content script.

const found = import.meta.glob<Site>('./*.site.ts', { eager: true, import: 'site' });

/** In the protocol's platform order: popup buttons and site health follow it. */
export const SITES: readonly Site[] = Object.values(found).sort((a, b) => PLATFORMS.indexOf(a.id) - PLATFORMS.indexOf(b.id));

export function siteById(id: string): Site | undefined {
  return SITES.find((s) => s.id === id);
}

/** Sites with a composer content script. */
export const COMPOSER_SITES: readonly Site[] = SITES.filter((s) => s.hosts.length > 0);

/** Sites a one-click share from the popup opens. */
export const ONE_CLICK_SITES: readonly Site[] = SITES.filter((s) => s.composerUrl !== undefined);
