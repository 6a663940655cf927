// The fixture sites: every folder of tests/fixtures/ with a `fixture.ts`, which says the stand-in's
// hosts (its site file's), its entry module and how it treats a visitor who is not logged in. A new
// site's stand-in is a new folder; nothing here changes.
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const FIXTURES_DIR = fileURLToPath(new URL('../../fixtures/', import.meta.url));

/** What a logged-out visitor gets instead of the page: a redirect, or a page of its own. */
export type LoggedOutAnswer = { redirect: string } | { html: string };

export interface Fixture {
  /** The hosts the stand-in answers for: its site's (utils/sites/<site>.site.ts). */
  hosts: readonly string[];
  /** The app's module in the fixture's folder, bundled into static/app.js. */
  entry: string;
  /** Under the `fixture_logged_out=1` cookie: what the real site shows instead of `url`, if anything. */
  loggedOut?(url: URL): LoggedOutAnswer | undefined;
}

export type Site = string;

export const SITES: readonly Site[] = readdirSync(FIXTURES_DIR)
  .filter((name) => existsSync(path.join(FIXTURES_DIR, name, 'fixture.ts')))
  .sort();

export const FIXTURES: Readonly<Record<Site, Fixture>> = Object.fromEntries(
  await Promise.all(
    SITES.map(async (site) => {
      const mod = (await import(pathToFileURL(path.join(FIXTURES_DIR, site, 'fixture.ts')).href)) as { fixture: Fixture };
      return [site, mod.fixture] as const;
    }),
  ),
);
