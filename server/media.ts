import { etagOf, HttpError, isNotModified, send, type Route } from './http';
import type { MediaStore } from './studio/media-store';

// `GET /media/<file>`: the studio's uploads (random ids, byte ranges, CORS), and for the demo's
// static feed its pictures drawn in code. Only names that exist are served: no path can escape.
export function staticMediaRoutes(store: MediaStore, pictures: ReadonlyMap<string, Uint8Array>): Route[] {
  const fixed = new Map([...pictures].map(([name, bytes]) => [name, { bytes, etag: etagOf(bytes) }]));
  return [
    {
      method: 'GET',
      path: '/media/:name',
      handler: async ({ req, res, params }) => {
        const name = params.name ?? '';
        if (await store.serve(req, res, name)) return;
        const entry = fixed.get(name);
        // With CORS, so that the extension, fetching from a composer's page, can tell "gone" from
        // "network down".
        if (!entry) throw new HttpError(404, 'not_found', `no such media: ${name}`, { 'Access-Control-Allow-Origin': '*' });
        const headers = {
          'Content-Type': 'image/png',
          ETag: entry.etag,
          'Cache-Control': 'public, max-age=604800',
          'Access-Control-Allow-Origin': '*',
          'Cross-Origin-Resource-Policy': 'cross-origin',
        };
        if (isNotModified(req, entry.etag)) send(res, 304, headers);
        else send(res, 200, headers, entry.bytes);
      },
    },
  ];
}
