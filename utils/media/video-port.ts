import { fetchSource, VideoReadError, type VideoProblem, type VideoSource } from './video-read';

export { VIDEO_PORT } from './port-name';

// Firefox: the page's Content-Security-Policy (connect-src) applies to a content script's fetch,
// and x.com and facebook.com do not list an agency's host, so the background fetches the video
// and hands the bytes over a runtime port. Firefox clones port messages (structured clone), so
// the pieces travel as Uint8Array, never as base64 or JSON. Chrome turns port messages into
// JSON: there the content script fetches the video itself (the agency's media answers with CORS).

/** Pieces are sent in about this size: few messages, little held in the background at once. */
const PIECE_BYTES = 1024 * 1024;

export type VideoPortRequest = { itemId: string };
export type VideoPortMessage =
  | { kind: 'head'; total?: number }
  | { kind: 'bytes'; bytes: Uint8Array }
  | { kind: 'end' }
  | { kind: 'fail'; problem: VideoProblem; detail: string };

/** The little of runtime.Port used here (the polyfill's and Chrome's agree on it). */
export interface PortLike {
  postMessage(msg: unknown): void;
  disconnect(): void;
  onMessage: { addListener(cb: (msg: unknown) => void): void };
  onDisconnect: { addListener(cb: () => void): void };
}

/** Content script side: asks for `itemId`'s video over `port` and reads the answer as a VideoSource. */
export function portSource(port: PortLike, itemId: string): Promise<VideoSource> {
  return new Promise((resolveHead, rejectHead) => {
    const queue: Uint8Array[] = [];
    let ended = false;
    let failure: VideoReadError | undefined;
    let wake: (() => void) | undefined;
    let headed = false;
    const poke = () => {
      wake?.();
      wake = undefined;
    };
    const chunks: AsyncIterable<Uint8Array> = {
      async *[Symbol.asyncIterator]() {
        try {
          for (;;) {
            while (queue.length > 0) yield queue.shift()!;
            if (failure) throw failure;
            if (ended) return;
            await new Promise<void>((r) => (wake = r));
          }
        } finally {
          port.disconnect();
        }
      },
    };
    port.onMessage.addListener((raw) => {
      const msg = raw as VideoPortMessage;
      if (msg.kind === 'head' && !headed) {
        headed = true;
        resolveHead({ total: typeof msg.total === 'number' ? msg.total : undefined, chunks });
      } else if (msg.kind === 'bytes' && msg.bytes instanceof Uint8Array) queue.push(msg.bytes);
      else if (msg.kind === 'end') ended = true;
      else if (msg.kind === 'fail') {
        failure = new VideoReadError(msg.problem, msg.detail);
        if (!headed) rejectHead(failure);
      }
      poke();
    });
    port.onDisconnect.addListener(() => {
      if (!ended && !failure) failure = new VideoReadError('network', 'the background closed the port');
      if (!headed) rejectHead(failure);
      poke();
    });
    port.postMessage({ itemId } satisfies VideoPortRequest);
  });
}

/**
 * Background side: answers one port's request. `lookup` gives the video's address for an item of
 * the current feed (never an address the page chose).
 */
export function serveVideoPort(port: PortLike, lookup: (itemId: string) => Promise<string | undefined>, fetchImpl?: typeof fetch): void {
  const abort = new AbortController();
  let closed = false;
  port.onDisconnect.addListener(() => {
    closed = true;
    abort.abort();
  });
  const send = (m: VideoPortMessage) => {
    if (!closed) port.postMessage(m);
  };
  port.onMessage.addListener((raw) => {
    const itemId = (raw as Partial<VideoPortRequest>)?.itemId;
    if (typeof itemId !== 'string') return port.disconnect();
    void (async () => {
      try {
        const url = await lookup(itemId);
        if (!url) throw new VideoReadError('not_found', 'no video for this post in the current feed');
        const source = await fetchSource(url, fetchImpl, abort.signal);
        send({ kind: 'head', total: source.total });
        // The fetch's pieces are views of one reused buffer (video-read.ts): each is copied into
        // a piece of its own before the port clones it.
        let piece = new Uint8Array(PIECE_BYTES);
        let filled = 0;
        for await (const chunk of source.chunks) {
          if (closed) return;
          for (let at = 0; at < chunk.length;) {
            const take = Math.min(PIECE_BYTES - filled, chunk.length - at);
            piece.set(chunk.subarray(at, at + take), filled);
            filled += take;
            at += take;
            if (filled === PIECE_BYTES) {
              send({ kind: 'bytes', bytes: piece });
              piece = new Uint8Array(PIECE_BYTES);
              filled = 0;
            }
          }
        }
        // A view would carry its whole buffer through the clone: the last piece is cut to size.
        if (filled > 0) send({ kind: 'bytes', bytes: piece.slice(0, filled) });
        send({ kind: 'end' });
      } catch (err) {
        const e = err instanceof VideoReadError ? err : new VideoReadError('network', String((err as Error)?.message ?? err));
        console.warn('[siar] video not fetched for a composer:', e.problem, e.message);
        send({ kind: 'fail', problem: e.problem, detail: e.message });
      }
    })();
  });
}
