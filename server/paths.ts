import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

// Where the server's own files are, whether it runs from source (tsx: this module is
// server/paths.ts) or from the bundle `npm run serve` runs (server/.bundle/main.mjs, where every
// module shares the bundle's address). Paths are taken from here, never from a module's own URL.

const here = fileURLToPath(new URL('.', import.meta.url));

/** The `server/` directory. */
export const SERVER_DIR = basename(here) === '.bundle' ? dirname(here) : here;

/** A file under `server/`. */
export const serverFile = (...parts: string[]): string => join(SERVER_DIR, ...parts);
