import type { EditorKind, ImageMethod } from './bridge';

// Runs in the page's main world: editors keep their state in JavaScript objects that only
// events dispatched there reach. Draft.js and Lexical both process a paste event's
// clipboardData with their own code, which keeps their model, undo stack and the site's
// "Post" button in step. Findings per editor and browser: tests/e2e/fixtures-smoke.test.ts proves each.

function nextFrame(): Promise<void> {
  return new Promise((r) => setTimeout(() => requestAnimationFrame(() => r()), 0));
}

/**
 * Until the editor has read the caret we placed: Draft.js (through React's onSelect) and Lexical
 * take it from the document's `selectionchange`, so the moment that event has passed through
 * their listeners is enough. A caret that did not move fires none: then one frame, as before.
 * Waiting for the frame alone cost a user up to 16 ms on every insert.
 */
function caretSeen(doc: Document): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      doc.removeEventListener('selectionchange', done);
      resolve();
    };
    // Listeners run in the order they were added: the editor's, added when it was made, run first.
    doc.addEventListener('selectionchange', done);
    void nextFrame().then(done);
  });
}

function dataTransfer(fill: (dt: DataTransfer) => void): DataTransfer {
  const dt = new DataTransfer();
  fill(dt);
  return dt;
}

/** A paste event carrying `dt`. Firefox ignores clipboardData given to the constructor. */
function pasteEvent(dt: DataTransfer): ClipboardEvent {
  const ev = new ClipboardEvent('paste', { bubbles: true, cancelable: true, composed: true });
  Object.defineProperty(ev, 'clipboardData', { value: dt });
  return ev;
}

/** Caret at the end, unless the user selected something inside the editor: then that is replaced. */
function placeCaret(editor: HTMLElement): void {
  const sel = editor.ownerDocument.getSelection();
  if (!sel) return;
  const inside = sel.rangeCount > 0 && editor.contains(sel.getRangeAt(0).commonAncestorContainer);
  if (inside && !sel.isCollapsed) return;
  const range = editor.ownerDocument.createRange();
  range.selectNodeContents(editor);
  range.collapse(false);
  sel.removeAllRanges();
  sel.addRange(range);
}

async function insertText(editor: HTMLElement, kind: EditorKind, text: string): Promise<string> {
  const textOnly = () => dataTransfer((dt) => dt.setData('text/plain', text));
  if (kind === 'lexical') {
    const ev = new InputEvent('beforeinput', {
      inputType: 'insertReplacementText',
      dataTransfer: textOnly(),
      bubbles: true,
      cancelable: true,
      composed: true,
    });
    editor.dispatchEvent(ev);
    if (ev.defaultPrevented) return 'beforeinput';
  }
  const paste = pasteEvent(textOnly());
  editor.dispatchEvent(paste);
  if (paste.defaultPrevented) return 'paste';
  // Nobody handled the paste: an editor we do not know. The browser's own insertion is the
  // last resort; verification afterwards says whether it took.
  editor.ownerDocument.execCommand('insertText', false, text);
  return 'execCommand';
}

/** One way of giving the composer a picture; the caller checks whether it took. */
export async function attachImage(
  editor: HTMLElement,
  fileInput: HTMLInputElement | null,
  file: File,
  method: ImageMethod,
): Promise<boolean> {
  const files = () => dataTransfer((dt) => dt.items.add(file));
  editor.focus();
  placeCaret(editor);
  await nextFrame();
  if (method === 'paste') {
    editor.dispatchEvent(pasteEvent(files()));
    return true;
  }
  if (method === 'file-input') {
    if (!fileInput) return false;
    fileInput.files = files().files;
    fileInput.dispatchEvent(new Event('input', { bubbles: true }));
    fileInput.dispatchEvent(new Event('change', { bubbles: true }));
    return true;
  }
  const dt = files();
  for (const type of ['dragenter', 'dragover', 'drop']) {
    editor.dispatchEvent(new DragEvent(type, { bubbles: true, cancelable: true, dataTransfer: dt }));
  }
  return true;
}

/** Puts text into the editor at the caret (or over the user's selection inside it). */
export async function insertTextAtCaret(editor: HTMLElement, kind: EditorKind, text: string): Promise<string> {
  const seen = caretSeen(editor.ownerDocument);
  editor.focus();
  placeCaret(editor);
  // Let the editor read the new selection before anything is pasted.
  await seen;
  return insertText(editor, kind, text);
}
