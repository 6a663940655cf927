import { isInsertResult, type InsertRequest, type InsertResult } from '../insert/bridge';

/** Asks the main-world inserter to insert; resolves with its answer or a timeout. */
export function askMainWorld(req: Omit<InsertRequest, 'siar' | 'id'>, timeoutMs = 8000): Promise<InsertResult> {
  const id = crypto.randomUUID();
  return new Promise((resolve) => {
    const done = (r: InsertResult) => {
      clearTimeout(timer);
      window.removeEventListener('message', onMessage);
      resolve(r);
    };
    const onMessage = (e: MessageEvent) => {
      if (e.source === window && isInsertResult(e.data) && e.data.id === id) done(e.data);
    };
    const timer = setTimeout(() => done({ siar: 'inserted', id, ok: false, error: 'no_answer' }), timeoutMs);
    window.addEventListener('message', onMessage);
    const msg: InsertRequest = { siar: 'insert', id, ...req };
    window.postMessage(msg, location.origin, req.image?.bytes instanceof ArrayBuffer ? [req.image.bytes] : []);
  });
}

export function base64ToBuffer(b64: string): ArrayBuffer {
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out.buffer;
}
