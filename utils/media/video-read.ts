import { Sha256 } from './sha256';

// Reading a post's video into a file the composer can take: the bytes arrive in pieces (from a
// fetch in Chromium, over a port from the background in Firefox) and are hashed as they come.
// Each piece is copied into one reused fold buffer, and every few megabytes that buffer becomes a
// Blob (the browser keeps its bytes, out of the page's heap), so about one copy of the video is
// held: never the pieces and the whole file at once, and no heap of spent pieces waiting for the
// garbage collector (the fetch is read into one reused buffer too). The Blobs become one file only
// once all bytes are in and the hash is the one the feed names: nothing reaches a composer before
// that, so a broken download never leaves half a video attached.

/** Why a video did not arrive whole and vouched for. */
export type VideoProblem = 'not_found' | 'http' | 'network' | 'too_large' | 'mismatch' | 'not_vouched';

export class VideoReadError extends Error {
  constructor(
    readonly problem: VideoProblem,
    detail?: string,
  ) {
    super(detail ?? problem);
  }
}

export interface VideoProgress {
  received: number;
  /** From the answer's Content-Length or the feed's size_in_bytes; unknown if neither. */
  total?: number;
}

/** What the feed says of the video. */
export interface VideoExpectation {
  /** SHA-256 the bytes must have. */
  sha256?: string;
  /** A hash is required (a signed feed vouches for its media by hash only). */
  hashRequired: boolean;
  /** size_in_bytes, when the feed gives it. */
  bytes?: number;
}

export type VideoRead = { ok: true; blob: Blob; sha256: string } | { ok: false; problem: VideoProblem; detail: string };

/** Videos beyond this are never read, whatever the feed says (the studio's default cap is 100 MB). */
export const MAX_VIDEO_BYTES = 512 * 1024 * 1024;
/** Progress is reported after this many new bytes, so the panel redraws a few times a second at most. */
const PROGRESS_STEP = 512 * 1024;
/** Pieces are folded into a Blob at this size. */
const FOLD_BYTES = 1024 * 1024;
/** A fetch is read into one buffer of this size, over and over. */
const READ_BYTES = 1024 * 1024;

/**
 * A source of the video's pieces: first the total, if known, then the bytes. A piece may be a
 * view of a buffer the source reuses: it is good only until the next piece is asked for.
 */
export interface VideoSource {
  total?: number;
  chunks: AsyncIterable<Uint8Array>;
}

/** Reads `source` whole, hashing as it goes; a Blob of type video/mp4 only if the hash holds. */
export async function readVideo(
  open: () => Promise<VideoSource>,
  expect: VideoExpectation,
  onProgress: (p: VideoProgress) => void = () => {},
): Promise<VideoRead> {
  if (expect.hashRequired && !expect.sha256) return { ok: false, problem: 'not_vouched', detail: 'the signed feed names no hash for it' };
  const cap = Math.min(expect.bytes ?? MAX_VIDEO_BYTES, MAX_VIDEO_BYTES);
  let fold: Uint8Array<ArrayBuffer> | undefined;
  let filled = 0;
  let folded: Blob[] = [];
  const keep = (chunk: Uint8Array) => {
    for (let at = 0; at < chunk.length;) {
      fold ??= new Uint8Array(FOLD_BYTES);
      const take = Math.min(FOLD_BYTES - filled, chunk.length - at);
      fold.set(chunk.subarray(at, at + take), filled);
      filled += take;
      at += take;
      if (filled === FOLD_BYTES) {
        // The Blob copies the bytes now, so the buffer is free again at once.
        folded.push(new Blob([fold]));
        filled = 0;
      }
    }
  };
  const hash = new Sha256();
  let received = 0;
  let reported = 0;
  try {
    const source = await open();
    const total = source.total ?? expect.bytes;
    if (total !== undefined && total > cap) throw new VideoReadError('too_large', `${total} bytes, more than ${cap}`);
    onProgress({ received: 0, total });
    for await (const chunk of source.chunks) {
      received += chunk.length;
      if (received > cap) throw new VideoReadError('too_large', `more than ${cap} bytes`);
      hash.update(chunk);
      keep(chunk);
      if (received - reported >= PROGRESS_STEP) {
        reported = received;
        onProgress({ received, total });
      }
    }
    if (total !== undefined && received < total) throw new VideoReadError('network', `ended after ${received} of ${total} bytes`);
    onProgress({ received, total });
  } catch (err) {
    fold = undefined;
    folded = [];
    const e = err instanceof VideoReadError ? err : new VideoReadError('network', String((err as Error)?.message ?? err));
    return { ok: false, problem: e.problem, detail: e.message };
  }
  const sha256 = hash.hex();
  if (expect.sha256 && sha256 !== expect.sha256.toLowerCase()) {
    fold = undefined;
    folded = [];
    return { ok: false, problem: 'mismatch', detail: `sha256 ${sha256}, the feed names ${expect.sha256}` };
  }
  if (fold && filled > 0) folded.push(new Blob([fold.subarray(0, filled)]));
  fold = undefined;
  // A Blob of Blobs refers to their bytes: no copy.
  return { ok: true, blob: new Blob(folded, { type: 'video/mp4' }), sha256 };
}

/** The video fetched by whoever calls (a content script in Chromium, the background, the popup). */
export async function fetchSource(url: string, fetchImpl: typeof fetch = fetch, signal?: AbortSignal): Promise<VideoSource> {
  let res: Response;
  try {
    res = await fetchImpl(url, { credentials: 'omit', cache: 'no-store', redirect: 'follow', signal });
  } catch (err) {
    throw new VideoReadError('network', String((err as Error)?.message ?? err));
  }
  if (res.status === 404 || res.status === 410) throw new VideoReadError('not_found', `HTTP ${res.status}`);
  if (!res.ok || !res.body) throw new VideoReadError('http', `HTTP ${res.status}`);
  const length = Number(res.headers.get('content-length'));
  const body = res.body;
  let byob: ReadableStreamBYOBReader | undefined;
  try {
    // A byte stream read into our own buffer leaves no spent piece behind for the collector.
    byob = body.getReader({ mode: 'byob' });
  } catch {
    // Not a byte stream here: pieces as the stream gives them.
  }
  const reader = byob ?? body.getReader();
  return {
    total: Number.isFinite(length) && length > 0 ? length : undefined,
    chunks: {
      async *[Symbol.asyncIterator]() {
        try {
          let buffer = new ArrayBuffer(READ_BYTES);
          for (;;) {
            const { done, value } = byob
              ? await byob.read(new Uint8Array(buffer))
              : await (reader as ReadableStreamDefaultReader<Uint8Array>).read();
            if (done || !value) return;
            yield value;
            // The read took the buffer over (transferred); it comes back as the view's buffer.
            if (byob) buffer = value.buffer as ArrayBuffer;
          }
        } finally {
          reader.releaseLock();
        }
      },
    },
  };
}

/** A file name for the video: the last part of its address, made safe, ending in .mp4. */
export function videoFileName(url: string): string {
  let base = '';
  try {
    base = new URL(url).pathname.split('/').pop() ?? '';
  } catch {
    // Not a URL: the default name.
  }
  base = base
    .replace(/\.[a-z0-9]+$/i, '')
    .replace(/[^\w-]+/g, '_')
    .slice(0, 60);
  return `${base || 'video'}.mp4`;
}

/** "12 / 48": whole megabytes (MB = 10^6 bytes, as people read them on a phone). */
export function megabytes(p: VideoProgress): { received: number; total?: number } {
  const mb = (n: number) => Math.round(n / 1_000_000);
  return { received: mb(p.received), total: p.total === undefined ? undefined : Math.max(1, mb(p.total)) };
}
