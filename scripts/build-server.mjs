// `npm run build:server`: the agency server as one ES module, server/.bundle/main.mjs, which
// `npm run serve` runs with plain Node. Running from source through tsx costs each server process
// about 60 MB more (tsx's loader thread and its esbuild service), a fifth of the memory a regency's
// server is allowed (docs/operations.md). Plain JavaScript (no tsx needed to build it); takes a
// fraction of a second, so `npm run serve` builds every time and never runs a stale bundle.
import { build } from 'esbuild';
import { fileURLToPath, URL } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

await build({
  entryPoints: [`${root}server/main.ts`],
  outfile: `${root}server/.bundle/main.mjs`,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  // Native (better-sqlite3) or with optional native parts (pg), and esbuild itself (the studio's
  // editor script is built at run time): loaded from node_modules as usual.
  external: ['better-sqlite3', 'pg', 'pg-copy-streams', 'esbuild'],
  // Bundled CommonJS calls `require`, which an ES module does not have.
  banner: { js: "import { createRequire as siarCreateRequire } from 'node:module'; const require = siarCreateRequire(import.meta.url);" },
  sourcemap: 'linked',
  logLevel: 'warning',
});
