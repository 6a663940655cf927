import type { InsertRequest, InsertResult } from '../insert/bridge';
import type { SiteAdapter } from '../sites/types';

// Giving a composer one file (a picture or a video), whatever the site: each of the site's
// methods (its adapter's `imageMethods`: paste, file input, drop) in turn, until the composer
// shows one more attachment. The editor and file input must already carry the target attribute.

export interface MediaFile {
  name: string;
  type: string;
  /** A picture's bytes (transferred to the main world, so copied per try) or a video's Blob (shared, never copied). */
  bytes: ArrayBuffer | Blob;
}

export interface AttachDeps {
  adapter: SiteAdapter;
  askMainWorld(req: Omit<InsertRequest, 'siar' | 'id'>): Promise<InsertResult>;
  waitFor(check: () => boolean, ms: number): Promise<boolean>;
}

/** The method that attached `file`, or undefined when none did within `waitMs` each. */
export async function attachFile(
  deps: AttachDeps,
  root: Element,
  target: string,
  file: MediaFile,
  waitMs: number,
): Promise<string | undefined> {
  const { adapter } = deps;
  const before = adapter.attachmentCount(root);
  for (const method of adapter.imageMethods) {
    const bytes = file.bytes instanceof ArrayBuffer ? file.bytes.slice(0) : file.bytes;
    const r = await deps.askMainWorld({ kind: adapter.editorKind, target, image: { name: file.name, type: file.type, bytes, method } });
    if (r.ok && (await deps.waitFor(() => adapter.attachmentCount(root) > before, waitMs))) return method;
  }
  return undefined;
}
