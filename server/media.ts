import { etagOf, HttpError, isNotModified, send, type Route } from './http';

/** Serves `/media/<name>.png` from memory; only names in the map exist, so no path can escape. */
export function mediaRoutes(pictures: ReadonlyMap<string, Uint8Array>): Route[] {
  const entries = new Map(
    [...pictures].map(([name, bytes]) => [name, { bytes, etag: etagOf(bytes) }]),
  );
  return [
    {
      method: 'GET',
      path: '/media/:name',
      handler: ({ req, res, params }) => {
        const entry = entries.get(params.name ?? '');
        if (!entry) throw new HttpError(404, 'not_found', `no such picture: ${params.name}`);
        const headers = {
          'Content-Type': 'image/png',
          ETag: entry.etag,
          // Drawn from code, so a picture only changes with a new server version; a week is plenty.
          'Cache-Control': 'public, max-age=604800',
          'Access-Control-Allow-Origin': '*',
          // So a page with Cross-Origin-Embedder-Policy may still load it while the user shares.
          'Cross-Origin-Resource-Policy': 'cross-origin',
        };
        if (isNotModified(req, entry.etag)) send(res, 304, headers);
        else send(res, 200, headers, entry.bytes);
      },
    },
  ];
}
