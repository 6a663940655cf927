import { createHash } from 'node:crypto';
import { send, type Route } from '../../http';
import { serverFile } from '../../paths';
import { STUDIO_CSS } from './css';

// The studio's stylesheet and the post editor's script. The script is the browser half of the
// live preview: `client/editor.ts` imports server/studio/preview.ts (and through it the
// extension's utils/compose), bundled by esbuild at the first request and kept in memory. Where
// esbuild is missing (a production install without devDependencies) pages carry no script and
// the preview is the server's, rendered on every load and every "Pratinjau".

export interface Bundle {
  code: Buffer;
  hash: string;
}

let editor: Promise<Bundle | undefined> | undefined;

async function buildEditor(): Promise<Bundle | undefined> {
  try {
    const esbuild = await import('esbuild');
    const result = await esbuild.build({
      entryPoints: [serverFile('studio', 'web', 'client', 'editor.ts')],
      bundle: true,
      write: false,
      format: 'iife',
      platform: 'browser',
      target: 'es2020',
      minify: true,
      legalComments: 'none',
      logLevel: 'silent',
    });
    const code = Buffer.from(result.outputFiles[0]!.contents);
    return { code, hash: createHash('sha256').update(code).digest('hex').slice(0, 16) };
  } catch (error) {
    console.error(
      'siar-server: the studio editor script could not be built; pages fall back to the server preview:',
      (error as Error).message,
    );
    return undefined;
  }
}

/** The editor's bundle, built once per process; undefined when it cannot be built. */
export function editorBundle(): Promise<Bundle | undefined> {
  editor ??= buildEditor();
  return editor;
}

/** The script's address for a page at `root`, versioned so browsers may keep it. */
export async function editorScriptSrc(root: string): Promise<string | undefined> {
  const bundle = await editorBundle();
  return bundle ? `${root}studio/assets/editor.js?v=${bundle.hash}` : undefined;
}

const CSS = Buffer.from(STUDIO_CSS);

export function assetRoutes(): Route[] {
  return [
    {
      method: 'GET',
      path: '/studio/assets/studio.css',
      handler: ({ res }) => send(res, 200, { 'Content-Type': 'text/css; charset=utf-8', 'Cache-Control': 'public, max-age=3600' }, CSS),
    },
    {
      method: 'GET',
      path: '/studio/assets/editor.js',
      handler: async ({ res, url }) => {
        const bundle = await editorBundle();
        if (!bundle) return send(res, 404, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' }, 'not available');
        const pinned = url.searchParams.get('v') === bundle.hash;
        send(
          res,
          200,
          {
            'Content-Type': 'text/javascript; charset=utf-8',
            'Cache-Control': pinned ? 'public, max-age=31536000, immutable' : 'no-cache',
          },
          bundle.code,
        );
      },
    },
  ];
}
