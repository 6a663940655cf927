// The words the isolated content script and the main-world inserter say to each other over
// window.postMessage. The main world is given text and media (picture or video) bytes, nothing else.

/** The editors the main world knows how to put text into. */
export const EDITOR_KINDS = ['draft', 'lexical'] as const;
export type EditorKind = (typeof EDITOR_KINDS)[number];

export const IMAGE_METHODS = ['paste', 'file-input', 'drop'] as const;
export type ImageMethod = (typeof IMAGE_METHODS)[number];

/**
 * One step: attach a picture by one method, or insert the text. The isolated world checks the
 * page after each step and decides the next, since editors do not all say synchronously whether
 * they took a paste.
 */
export interface InsertRequest {
  siar: 'insert';
  id: string;
  kind: EditorKind;
  /** Value of the data-siar-target attribute put on the editor (and the file input). */
  target: string;
  text?: string;
  /**
   * A picture or video to attach. A picture's bytes travel as a transferred ArrayBuffer; a video
   * as a Blob, which is cloned by reference: its bytes are not copied again on the way.
   */
  image?: { name: string; type: string; bytes: ArrayBuffer | Blob; method: ImageMethod };
}

export interface InsertResult {
  siar: 'inserted';
  id: string;
  ok: boolean;
  /** How the text went in, for diagnostics: paste, beforeinput, execCommand. */
  textMethod?: string;
  imageMethod?: string;
  error?: string;
}

export const TARGET_ATTR = 'data-siar-target';

export function isInsertRequest(d: unknown): d is InsertRequest {
  const r = d as InsertRequest;
  return (
    typeof r === 'object' &&
    r !== null &&
    r.siar === 'insert' &&
    typeof r.id === 'string' &&
    EDITOR_KINDS.includes(r.kind) &&
    typeof r.target === 'string' &&
    (r.text === undefined || typeof r.text === 'string') &&
    (r.image === undefined ||
      (typeof r.image.name === 'string' &&
        typeof r.image.type === 'string' &&
        (r.image.bytes instanceof ArrayBuffer || r.image.bytes instanceof Blob) &&
        IMAGE_METHODS.includes(r.image.method)))
  );
}

export function isInsertResult(d: unknown): d is InsertResult {
  const r = d as InsertResult;
  return typeof r === 'object' && r !== null && r.siar === 'inserted' && typeof r.id === 'string' && typeof r.ok === 'boolean';
}
