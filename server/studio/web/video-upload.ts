import type { Dict, Lang } from './i18n';

// A video from the post editor to the server in pieces (api/v1/uploads): a phone's 100 MB over a
// district office's line takes long enough that a dropped connection is likely, so each failure
// waits, asks the server where the upload stands, and goes on from there rather than from the
// start. Pure and free of the DOM: the browser hands it XMLHttpRequest (for progress within a
// piece), the tests hand it Node's fetch against a real server.

export const VIDEO_MIME = 'video/mp4';

/** Waits between attempts after a failure; past the last one the upload stops and can be resumed by hand. */
export const RETRY_DELAYS_MS: readonly number[] = [1_000, 2_000, 4_000, 8_000, 15_000, 30_000, 30_000, 30_000];

/** The refusals the server names (413, 415, 422): each has its own words on the page. */
const SERVER_CODES = ['too_large', 'not_mp4', 'unsupported_codec', 'corrupt', 'no_video'] as const;

export type VideoProblemCode = (typeof SERVER_CODES)[number] | 'session' | 'gone' | 'media' | 'failed';

export interface Answer {
  status: number;
  body: Record<string, unknown>;
  header(name: string): string | null;
}

export interface UploadTransport {
  /** A JSON call to `path` (relative to the server's root); rejects when the network fails. */
  json(method: 'POST' | 'GET' | 'DELETE', path: string, body?: unknown): Promise<Answer>;
  /** One piece with its Content-Range; `onSent` tells how much of it is on the wire. Rejects on a network failure or abort. */
  put(path: string, range: string, piece: Blob, onSent: (bytes: number) => void, signal: AbortSignal): Promise<Answer>;
}

/** What the server answers for a finished video (api/v1/media's object). */
export interface UploadedVideo {
  id: string;
  url: string;
  sha256: string;
  bytes: number;
  width: number;
  height: number;
  mime_type: string;
  duration_in_seconds: number;
}

export type UploadOutcome = { ok: true; media: UploadedVideo } | { ok: false; code: VideoProblemCode | 'cancelled' | 'stalled' };

export interface UploadHooks {
  progress(sent: number, size: number): void;
  /** A failure; the next attempt follows in `delayMs`. */
  retrying?(delayMs: number, attempt: number): void;
  /** After a failure the server said where the upload stands. */
  resumed?(offset: number): void;
  /** The last byte is out: the server now checks the whole file. */
  checking?(): void;
}

export interface UploadOptions {
  delays?: readonly number[];
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
}

class Cancelled extends Error {}

function wait(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(new Cancelled());
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        reject(new Cancelled());
      },
      { once: true },
    );
  });
}

/** A refusal in the server's words → the page's code for it. */
function refusal(answer: Answer): VideoProblemCode {
  if (answer.status === 401 || answer.status === 403) return 'session';
  if (answer.status === 404) return 'gone';
  const code = answer.body.error;
  return (SERVER_CODES as readonly unknown[]).includes(code) ? (code as VideoProblemCode) : 'failed';
}

/** Retried rather than reported: the line or the server hiccupped, the upload itself is fine. */
const transient = (status: number) => status >= 500 || status === 408 || status === 429;

export class VideoUpload {
  /** The server's id for this upload, once it has one. */
  id: string | undefined;
  /** Bytes the server has confirmed. */
  offset = 0;
  readonly size: number;
  private piece = 4 * 1024 * 1024;
  private readonly controller = new AbortController();
  private readonly delays: readonly number[];
  private readonly sleep: (ms: number, signal: AbortSignal) => Promise<void>;

  constructor(
    private readonly file: Blob,
    private readonly transport: UploadTransport,
    private readonly hooks: UploadHooks,
    options: UploadOptions = {},
  ) {
    this.size = file.size;
    this.delays = options.delays ?? RETRY_DELAYS_MS;
    this.sleep = options.sleep ?? wait;
  }

  /** Stops for good; a running `run` answers `cancelled`, and the server frees the part received. */
  cancel(): void {
    this.controller.abort();
    if (this.id) void this.transport.json('DELETE', `api/v1/uploads/${encodeURIComponent(this.id)}`).catch(() => undefined);
  }

  get cancelled(): boolean {
    return this.controller.signal.aborted;
  }

  /**
   * Sends what the server does not have yet. Answers `stalled` after the retries run out; calling
   * it again then resumes from the server's offset.
   */
  async run(): Promise<UploadOutcome> {
    const signal = this.controller.signal;
    let failures = 0;
    // After a stall (or any failure) the server's word beats ours: a piece may have arrived whose answer was lost.
    let sync = this.id !== undefined;
    const again = async (): Promise<UploadOutcome | undefined> => {
      const delay = this.delays[failures++];
      if (delay === undefined) return { ok: false, code: 'stalled' };
      this.hooks.retrying?.(delay, failures);
      await this.sleep(delay, signal);
      return undefined;
    };
    try {
      for (;;) {
        if (signal.aborted) throw new Cancelled();
        if (this.id === undefined) {
          const answer = await this.transport.json('POST', 'api/v1/uploads', { type: VIDEO_MIME, size: this.size }).catch(() => undefined);
          if (signal.aborted) throw new Cancelled();
          if (!answer || transient(answer.status)) {
            const stop = await again();
            if (stop) return stop;
            continue;
          }
          if (answer.status !== 201 || typeof answer.body.id !== 'string') return { ok: false, code: refusal(answer) };
          this.id = answer.body.id;
          this.offset = Number(answer.body.offset) || 0;
          if (Number(answer.body.piece) > 0) this.piece = Number(answer.body.piece);
          continue;
        }
        const path = `api/v1/uploads/${encodeURIComponent(this.id)}`;
        if (sync) {
          const answer = await this.transport.json('GET', path).catch(() => undefined);
          if (signal.aborted) throw new Cancelled();
          if (!answer || transient(answer.status)) {
            const stop = await again();
            if (stop) return stop;
            continue;
          }
          if (answer.status !== 200) return { ok: false, code: refusal(answer) };
          // The last piece arrived but its answer was lost: the video is already there.
          if (answer.body.media && typeof answer.body.media === 'object') {
            this.offset = this.size;
            this.hooks.progress(this.size, this.size);
            return { ok: true, media: answer.body.media as unknown as UploadedVideo };
          }
          this.offset = Number(answer.body.offset) || 0;
          sync = false;
          this.hooks.resumed?.(this.offset);
          this.hooks.progress(this.offset, this.size);
          continue;
        }
        const start = this.offset;
        const end = Math.min(start + this.piece, this.size);
        const last = end === this.size;
        const answer = await this.transport
          .put(
            path,
            `bytes ${start}-${end - 1}/${this.size}`,
            this.file.slice(start, end),
            (sent) => {
              this.hooks.progress(start + Math.min(sent, end - start), this.size);
              if (last && sent >= end - start) this.hooks.checking?.();
            },
            signal,
          )
          .catch(() => undefined);
        if (signal.aborted) throw new Cancelled();
        if (!answer || transient(answer.status)) {
          sync = true;
          const stop = await again();
          if (stop) return stop;
          continue;
        }
        if (answer.status === 200) {
          const at = Number(answer.body.offset);
          if (!Number.isInteger(at)) {
            sync = true;
            continue;
          }
          this.offset = at;
          failures = 0;
          this.hooks.progress(this.offset, this.size);
          continue;
        }
        if (answer.status === 201) {
          this.offset = this.size;
          this.hooks.progress(this.size, this.size);
          return { ok: true, media: answer.body as unknown as UploadedVideo };
        }
        if (answer.status === 409) {
          // The server has more (or less) than we thought: go on from its offset, sending nothing twice.
          const told = answer.header('Upload-Offset');
          if (told !== null && /^\d+$/.test(told) && Number(told) !== start) {
            this.offset = Number(told);
            this.hooks.resumed?.(this.offset);
            this.hooks.progress(this.offset, this.size);
          } else {
            sync = true;
            const stop = await again();
            if (stop) return stop;
          }
          continue;
        }
        return { ok: false, code: refusal(answer) };
      }
    } catch (error) {
      if (error instanceof Cancelled || signal.aborted) return { ok: false, code: 'cancelled' };
      throw error;
    }
  }
}

/**
 * What the browser can tell before sending a byte: too big, or not an MP4 at all (every MP4 starts
 * with its `ftyp` box, and the server refuses any file that does not). The server checks the rest.
 */
export function localProblem(head: Uint8Array, size: number, maxBytes: number): VideoProblemCode | undefined {
  if (size > maxBytes) return 'too_large';
  if (size < 8 || String.fromCharCode(...head.subarray(4, 8)) !== 'ftyp') return 'not_mp4';
  return undefined;
}

/** The words for a refusal, in the page's language; the limit is named when the file is too big. */
export function videoProblem(t: Dict, code: string, maxBytes: number): string {
  const words = t.problems.video;
  if (code === 'too_large') return words.too_large(t.bytes(maxBytes));
  if (code in words && code !== 'too_large') return words[code as Exclude<VideoProblemCode, 'too_large'>];
  return words.failed;
}

/** `12 / 48` for "Mengunggah video 12 / 48 MB": whole MB, tenths for a small file. */
export function megabytes(sent: number, size: number, lang: Lang): [string, string] {
  const MB = 1024 * 1024;
  const digits = size < 10 * MB ? 1 : 0;
  const show = (n: number) => {
    const text = (n / MB).toFixed(digits);
    return lang === 'id' ? text.replace('.', ',') : text;
  };
  return [show(sent), show(size)];
}
