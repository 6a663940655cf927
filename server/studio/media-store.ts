import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, rename, rm, stat, writeFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import type { Database, Queryable } from '../db/sql';
import { HttpError, isNotModified, send } from '../http';
import { cleanImage, type ImageLimits } from './media/image';
import { inspectMp4 } from './media/mp4';

// Pictures and videos uploaded through the studio. The bytes decide what a file is (never its
// name or the declared type), pictures lose their metadata (GPS above all) before anyone can fetch
// them, and every file is stored once under a random id in the media directory. Served with byte
// ranges and CORS, so the extension can fetch them from a composer page.

export interface MediaLimits {
  image: ImageLimits;
  /** Largest video accepted, in bytes (default 100 MB). */
  videoBytes: number;
}

export const DEFAULT_MEDIA_LIMITS: MediaLimits = {
  image: { maxBytes: 10 * 1024 * 1024, maxPixels: 40_000_000, maxSide: 12_000 },
  videoBytes: 100 * 1024 * 1024,
};

export interface MediaRow {
  id: string;
  kind: 'image' | 'video';
  mime: string;
  sha256: string;
  bytes: number;
  width: number | null;
  height: number | null;
  duration_ms: number | null;
  poster_id: string | null;
  file: string;
}

const EXTENSIONS: Record<string, string> = { 'image/jpeg': 'jpg', 'image/png': 'png', 'image/webp': 'webp', 'video/mp4': 'mp4' };

const newId = () => randomBytes(12).toString('base64url').replace(/[-_]/g, (c) => (c === '-' ? 'a' : 'b')).toLowerCase();

/** A refusal the studio and the API put in words: 413 too big, 415 not what it claims, 422 broken. */
export class MediaError extends HttpError {}

function problemStatus(problem: string): 413 | 415 | 422 {
  if (problem === 'too_large' || problem === 'too_many_pixels') return 413;
  if (problem === 'corrupt' || problem === 'no_video') return 422;
  return 415;
}

export function mediaUrl(base: string, row: Pick<MediaRow, 'file'>): string {
  return `${base}/media/${row.file}`;
}

export class MediaStore {
  constructor(
    private readonly db: Database,
    readonly dir: string,
    readonly limits: MediaLimits = DEFAULT_MEDIA_LIMITS,
  ) {}

  async ready(): Promise<void> {
    await mkdir(this.dir, { recursive: true, mode: 0o750 });
  }

  async byId(q: Queryable, id: string): Promise<MediaRow | undefined> {
    const row = await q.get<MediaRow>(
      'SELECT id, kind, mime, sha256, bytes, width, height, duration_ms, poster_id, file FROM media WHERE id = $1',
      [id],
    );
    return row && { ...row, bytes: Number(row.bytes) };
  }

  async byFile(file: string): Promise<MediaRow | undefined> {
    const row = await this.db.get<MediaRow>(
      'SELECT id, kind, mime, sha256, bytes, width, height, duration_ms, poster_id, file FROM media WHERE file = $1',
      [file],
    );
    return row && { ...row, bytes: Number(row.bytes) };
  }

  /** Stores a picture from its bytes; `declared` is the Content-Type the uploader sent. */
  async addImage(bytes: Uint8Array, declared: string | undefined, uploadedBy: number | null, now = Date.now(), q: Queryable = this.db): Promise<MediaRow> {
    const cleaned = cleanImage(bytes, this.limits.image, declared);
    if (!cleaned.ok) throw new MediaError(problemStatus(cleaned.problem), cleaned.problem, cleaned.message);
    const id = newId();
    const file = `${id}.${EXTENSIONS[cleaned.type]}`;
    const sha256 = createHash('sha256').update(cleaned.bytes).digest('hex');
    await this.ready();
    // Written under a temporary name and renamed: a crash never leaves half a picture to serve.
    const tmp = join(this.dir, `.${file}.tmp`);
    await writeFile(tmp, cleaned.bytes, { mode: 0o640 });
    await rename(tmp, join(this.dir, file));
    const row: MediaRow = {
      id,
      kind: 'image',
      mime: cleaned.type,
      sha256,
      bytes: cleaned.bytes.byteLength,
      width: cleaned.width,
      height: cleaned.height,
      duration_ms: null,
      poster_id: null,
      file,
    };
    await q.run(
      `INSERT INTO media (id, kind, mime, sha256, bytes, width, height, duration_ms, poster_id, file, removed, uploaded_by, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, NULL, NULL, $8, $9, $10, $11)`,
      [id, 'image', row.mime, sha256, row.bytes, row.width, row.height, file, cleaned.removed.join(',') || null, uploadedBy, new Date(now).toISOString()],
    );
    return row;
  }

  /**
   * Stores a video streamed from `req` (never whole in memory): hashed while it is written to a
   * temporary file, checked from the file (ftyp, codecs, duration), then renamed into place.
   */
  async addVideo(req: IncomingMessage, uploadedBy: number | null, now = Date.now()): Promise<MediaRow> {
    await this.ready();
    const declared = Number(req.headers['content-length']);
    if (declared > this.limits.videoBytes) throw new MediaError(413, 'too_large', `video over ${this.limits.videoBytes} bytes`);
    const id = newId();
    const file = `${id}.mp4`;
    const tmp = join(this.dir, `.${file}.tmp`);
    const hash = createHash('sha256');
    const out = await open(tmp, 'w+', 0o640);
    let size = 0;
    try {
      for await (const chunk of req as AsyncIterable<Buffer>) {
        size += chunk.length;
        if (size > this.limits.videoBytes) throw new MediaError(413, 'too_large', `video over ${this.limits.videoBytes} bytes`);
        hash.update(chunk);
        await out.write(chunk);
      }
      const readAt = async (offset: number, length: number) => {
        const buffer = Buffer.alloc(Math.max(0, Math.min(length, size - offset)));
        const { bytesRead } = await out.read(buffer, 0, buffer.length, offset);
        return buffer.subarray(0, bytesRead);
      };
      const inspected = await inspectMp4(readAt, size, { maxBytes: this.limits.videoBytes });
      if (!inspected.ok) throw new MediaError(problemStatus(inspected.problem), inspected.problem, inspected.message);
      await out.close();
      await rename(tmp, join(this.dir, file));
      const { info } = inspected;
      const row: MediaRow = {
        id,
        kind: 'video',
        mime: 'video/mp4',
        sha256: hash.digest('hex'),
        bytes: size,
        // Phones store portrait video sideways with a rotation: the size as people see it.
        width: (info.video?.rotation === 90 || info.video?.rotation === 270 ? info.video?.height : info.video?.width) ?? null,
        height: (info.video?.rotation === 90 || info.video?.rotation === 270 ? info.video?.width : info.video?.height) ?? null,
        duration_ms: Math.round(info.durationSeconds * 1000),
        poster_id: null,
        file,
      };
      await this.db.run(
        `INSERT INTO media (id, kind, mime, sha256, bytes, width, height, duration_ms, poster_id, file, removed, uploaded_by, created_at)
         VALUES ($1, 'video', 'video/mp4', $2, $3, $4, $5, $6, NULL, $7, NULL, $8, $9)`,
        [id, row.sha256, size, row.width, row.height, row.duration_ms, file, uploadedBy, new Date(now).toISOString()],
      );
      return row;
    } catch (error) {
      await out.close().catch(() => undefined);
      await rm(tmp, { force: true });
      throw error;
    }
  }

  /**
   * Uploads no post refers to, older than a day (a picture chosen, then the post never saved):
   * their rows and files go. A post's `media` is a JSON list of ids, so the check is textual.
   */
  async pruneUnused(now = Date.now()): Promise<number> {
    const old = new Date(now - 86_400_000).toISOString();
    const rows = await this.db.all<{ id: string; file: string }>(
      `SELECT media.id, media.file FROM media WHERE media.created_at < $1 AND media.uploaded_by IS NOT NULL
       AND NOT EXISTS (SELECT 1 FROM posts WHERE posts.media LIKE '%"' || media.id || '"%')
       AND NOT EXISTS (SELECT 1 FROM media AS v WHERE v.poster_id = media.id)`,
      [old],
    );
    for (const row of rows) {
      await this.db.run('DELETE FROM media WHERE id = $1', [row.id]);
      await rm(join(this.dir, row.file), { force: true });
    }
    return rows.length;
  }

  async setPoster(videoId: string, posterId: string | null): Promise<void> {
    await this.db.run("UPDATE media SET poster_id = $2 WHERE id = $1 AND kind = 'video'", [videoId, posterId]);
  }

  /** `GET /media/<file>`: the bytes, whole or a byte range, cacheable for good (ids never change). */
  async serve(req: IncomingMessage, res: ServerResponse, file: string): Promise<boolean> {
    if (!/^[a-z0-9]{16}\.(jpg|png|webp|mp4)$/.test(file)) return false;
    const row = await this.byFile(file);
    if (!row) return false;
    const path = join(this.dir, row.file);
    let size: number;
    try {
      size = (await stat(path)).size;
    } catch {
      throw new HttpError(404, 'not_found', 'the file of this media is missing');
    }
    const etag = `"${row.sha256.slice(0, 32)}"`;
    const headers: Record<string, string> = {
      'Content-Type': row.mime,
      ETag: etag,
      'Accept-Ranges': 'bytes',
      'Cache-Control': 'public, max-age=31536000, immutable',
      // The extension fetches pictures and videos from the composer's page (x.com, facebook.com).
      'Access-Control-Allow-Origin': '*',
      'Access-Control-Expose-Headers': 'Content-Length, Content-Range, Accept-Ranges, ETag',
      'Cross-Origin-Resource-Policy': 'cross-origin',
    };
    if (isNotModified(req, etag)) {
      send(res, 304, headers);
      return true;
    }
    const range = /^bytes=(\d*)-(\d*)$/.exec(String(req.headers.range ?? ''));
    let start = 0;
    let end = size - 1;
    let status = 200;
    if (range && (range[1] || range[2])) {
      if (range[1]) {
        start = Number(range[1]);
        end = range[2] ? Math.min(Number(range[2]), size - 1) : size - 1;
      } else {
        start = Math.max(0, size - Number(range[2]));
      }
      if (start > end || start >= size) {
        send(res, 416, { ...headers, 'Content-Range': `bytes */${size}` });
        return true;
      }
      status = 206;
      headers['Content-Range'] = `bytes ${start}-${end}/${size}`;
    }
    res.writeHead(status, { ...headers, 'Content-Length': String(end - start + 1) });
    if (req.method === 'HEAD') {
      res.end();
      return true;
    }
    await new Promise<void>((resolve) => {
      const stream = createReadStream(path, { start, end });
      stream.on('error', () => {
        res.destroy();
        resolve();
      });
      res.on('close', () => {
        stream.destroy();
        resolve();
      });
      stream.pipe(res);
    });
    return true;
  }
}
