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

/** Bytes per piece of a resumable upload: half a minute on a 1 Mbit/s line. */
export const UPLOAD_PIECE = 4 * 1024 * 1024;

const newId = () =>
  randomBytes(12)
    .toString('base64url')
    .replace(/[-_]/g, (c) => (c === '-' ? 'a' : 'b'))
    .toLowerCase();

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
  async addImage(
    bytes: Uint8Array,
    declared: string | undefined,
    uploadedBy: number | null,
    now = Date.now(),
    q: Queryable = this.db,
  ): Promise<MediaRow> {
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
      [
        id,
        'image',
        row.mime,
        sha256,
        row.bytes,
        row.width,
        row.height,
        file,
        cleaned.removed.join(',') || null,
        uploadedBy,
        new Date(now).toISOString(),
      ],
    );
    return row;
  }

  /**
   * Stores a video streamed from `req` (never whole in memory) in one request: written to a
   * temporary file, then checked and moved into place by `finishVideo`.
   */
  async addVideo(req: IncomingMessage, uploadedBy: number | null, now = Date.now()): Promise<MediaRow> {
    await this.ready();
    const declared = Number(req.headers['content-length']);
    if (declared > this.limits.videoBytes) throw new MediaError(413, 'too_large', `video over ${this.limits.videoBytes} bytes`);
    const tmp = join(this.dir, `.${newId()}.part`);
    const out = await open(tmp, 'w', 0o640);
    let size = 0;
    try {
      for await (const chunk of req as AsyncIterable<Buffer>) {
        size += chunk.length;
        if (size > this.limits.videoBytes) throw new MediaError(413, 'too_large', `video over ${this.limits.videoBytes} bytes`);
        await out.write(chunk);
      }
      await out.close();
      return await this.finishVideo(tmp, uploadedBy, now);
    } catch (error) {
      await out.close().catch(() => undefined);
      await rm(tmp, { force: true });
      throw error;
    }
  }

  /**
   * A complete video file at `tmp`: checked by its bytes (ftyp, H.264/AAC, duration read from the
   * file), its recording location removed (the metadata box renamed `free`: same size, nothing
   * else moves), hashed, and moved into place under a new id. `tmp` is gone afterwards either way.
   */
  async finishVideo(tmp: string, uploadedBy: number | null, now = Date.now(), q: Queryable = this.db): Promise<MediaRow> {
    const file = await open(tmp, 'r+');
    try {
      const size = (await file.stat()).size;
      const readAt = async (offset: number, length: number) => {
        const buffer = Buffer.alloc(Math.max(0, Math.min(length, size - offset)));
        const { bytesRead } = await file.read(buffer, 0, buffer.length, offset);
        return buffer.subarray(0, bytesRead);
      };
      const inspected = await inspectMp4(readAt, size, { maxBytes: this.limits.videoBytes });
      if (!inspected.ok) throw new MediaError(problemStatus(inspected.problem), inspected.problem, inspected.message);
      const { info } = inspected;
      for (const box of info.locationBoxes) {
        // The box stays where it is, same size, as `free` full of zeros: the place is gone, not hidden.
        const header = Buffer.from('free', 'latin1');
        await file.write(header, 0, 4, box.start + 4);
        const headerSize = (await readAt(box.start, 4)).readUInt32BE(0) === 1 ? 16 : 8;
        await file.write(Buffer.alloc(box.end - box.start - headerSize), 0, box.end - box.start - headerSize, box.start + headerSize);
      }
      const hash = createHash('sha256');
      for (let at = 0; at < size; at += 4 * 1024 * 1024) hash.update(await readAt(at, 4 * 1024 * 1024));
      await file.close();
      const id = newId();
      const name = `${id}.mp4`;
      await rename(tmp, join(this.dir, name));
      const turned = info.video?.rotation === 90 || info.video?.rotation === 270;
      const row: MediaRow = {
        id,
        kind: 'video',
        mime: 'video/mp4',
        sha256: hash.digest('hex'),
        bytes: size,
        // Phones store portrait video sideways with a rotation: the size as people see it.
        width: (turned ? info.video?.height : info.video?.width) ?? null,
        height: (turned ? info.video?.width : info.video?.height) ?? null,
        duration_ms: Math.round(info.durationSeconds * 1000),
        poster_id: null,
        file: name,
      };
      await q.run(
        `INSERT INTO media (id, kind, mime, sha256, bytes, width, height, duration_ms, poster_id, file, removed, uploaded_by, created_at)
         VALUES ($1, 'video', 'video/mp4', $2, $3, $4, $5, $6, NULL, $7, $8, $9, $10)`,
        [
          id,
          row.sha256,
          size,
          row.width,
          row.height,
          row.duration_ms,
          name,
          info.locationBoxes.length > 0 ? 'location' : null,
          uploadedBy,
          new Date(now).toISOString(),
        ],
      );
      return row;
    } catch (error) {
      await file.close().catch(() => undefined);
      await rm(tmp, { force: true });
      throw error;
    }
  }

  // --- uploads in pieces -------------------------------------------------------------------

  /** A resumable upload of `size` bytes; the pieces arrive with `putPiece`. */
  async startUpload(
    accountId: number,
    mime: string,
    size: number,
    now = Date.now(),
  ): Promise<{ id: string; offset: number; size: number; piece: number }> {
    if (mime !== 'video/mp4') throw new MediaError(415, 'unsupported', 'pieces are for videos (video/mp4); send pictures whole');
    if (!Number.isInteger(size) || size <= 0) throw new HttpError(400, 'bad_request', 'size must be the whole file in bytes');
    if (size > this.limits.videoBytes) throw new MediaError(413, 'too_large', `video over ${this.limits.videoBytes} bytes`);
    await this.ready();
    const id = newId();
    await writeFile(join(this.dir, `.${id}.part`), new Uint8Array(0), { mode: 0o640 });
    const stamp = new Date(now).toISOString();
    await this.db.run(
      'INSERT INTO uploads (id, account_id, mime, size, received, created_at, updated_at) VALUES ($1, $2, $3, $4, 0, $5, $5)',
      [id, accountId, mime, size, stamp],
    );
    return { id, offset: 0, size, piece: UPLOAD_PIECE };
  }

  /** Where an upload stands; once finished, with the video it became (a lost last answer is found here). */
  async upload(id: string, accountId: number): Promise<{ offset: number; size: number; media?: MediaRow }> {
    const row = await this.db.get<{ size: number; received: number; account_id: number; media_id: string | null }>(
      'SELECT size, received, account_id, media_id FROM uploads WHERE id = $1',
      [id],
    );
    // Another account's upload does not exist for this one.
    if (!row || Number(row.account_id) !== accountId) throw new HttpError(404, 'not_found', 'no such upload');
    const media = row.media_id ? await this.byId(this.db, row.media_id) : undefined;
    return { offset: Number(row.received), size: Number(row.size), ...(media ? { media } : {}) };
  }

  /** A cancelled upload: its row and its part file go now rather than at the daily prune. */
  async cancelUpload(id: string, accountId: number): Promise<void> {
    const state = await this.upload(id, accountId);
    if (state.media) throw new HttpError(409, 'finished', 'the upload is finished; remove the video from the post instead');
    await this.db.run('DELETE FROM uploads WHERE id = $1', [id]);
    await rm(join(this.dir, `.${id}.part`), { force: true });
  }

  /**
   * Writes one piece at `start`, which must be where the upload stands (a piece sent twice, or
   * after a lost answer, is answered with the real offset to resume from). The last piece
   * finishes the video.
   */
  async putPiece(
    id: string,
    accountId: number,
    start: number,
    bytes: Uint8Array,
    now = Date.now(),
  ): Promise<{ offset: number; size: number; media?: MediaRow }> {
    const state = await this.upload(id, accountId);
    if (state.media) throw new HttpError(409, 'finished', 'the upload is finished', { 'Upload-Offset': String(state.offset) });
    if (start !== state.offset)
      throw new HttpError(409, 'wrong_offset', `the upload stands at ${state.offset}`, { 'Upload-Offset': String(state.offset) });
    if (start + bytes.length > state.size) throw new HttpError(400, 'bad_request', 'the piece goes past the declared size');
    const tmp = join(this.dir, `.${id}.part`);
    const file = await open(tmp, 'r+');
    try {
      await file.write(bytes, 0, bytes.length, start);
    } finally {
      await file.close();
    }
    const offset = start + bytes.length;
    const { changes } = await this.db.run('UPDATE uploads SET received = $2, updated_at = $3 WHERE id = $1 AND received = $4', [
      id,
      offset,
      new Date(now).toISOString(),
      start,
    ]);
    if (changes !== 1) throw new HttpError(409, 'wrong_offset', 'another piece arrived at the same time');
    if (offset < state.size) return { offset, size: state.size };
    const media = await this.finishVideo(tmp, accountId, now);
    // Kept (for a day) with the video it became: if this answer is lost, GET finds the video.
    await this.db.run('UPDATE uploads SET media_id = $2 WHERE id = $1', [id, media.id]);
    return { offset, size: state.size, media };
  }

  async pruneUploads(now = Date.now()): Promise<number> {
    const rows = await this.db.all<{ id: string }>('SELECT id FROM uploads WHERE updated_at < $1', [
      new Date(now - 86_400_000).toISOString(),
    ]);
    for (const row of rows) {
      await this.db.run('DELETE FROM uploads WHERE id = $1', [row.id]);
      await rm(join(this.dir, `.${row.id}.part`), { force: true });
    }
    return rows.length;
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
      throw new HttpError(404, 'not_found', 'the file of this media is missing', { 'Access-Control-Allow-Origin': '*' });
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
