import type { EditorKind } from './bridge';

// Runs in the page's main world: editors keep their state in JavaScript objects that only
// events dispatched there reach. Draft.js and Lexical both process a paste event's
// clipboardData with their own code, which keeps their model, undo stack and the site's
// "Post" button in step. Findings per editor and browser: shared/notes/browsers.md.

function nextFrame(): Promise<void> {
  return new Promise((r) => setTimeout(() => requestAnimationFrame(() => r()), 0));
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

async function attachImage(editor: HTMLElement, fileInput: HTMLInputElement | null, file: File): Promise<string> {
  const paste = pasteEvent(dataTransfer((dt) => dt.items.add(file)));
  editor.dispatchEvent(paste);
  if (paste.defaultPrevented) return 'paste';
  if (fileInput) {
    fileInput.files = dataTransfer((dt) => dt.items.add(file)).files;
    fileInput.dispatchEvent(new Event('input', { bubbles: true }));
    fileInput.dispatchEvent(new Event('change', { bubbles: true }));
    return 'file-input';
  }
  const drop = new DragEvent('drop', { bubbles: true, cancelable: true, dataTransfer: dataTransfer((dt) => dt.items.add(file)) });
  editor.dispatchEvent(drop);
  return 'drop';
}

export async function insertIntoEditor(
  editor: HTMLElement,
  kind: EditorKind,
  text: string,
  image?: { file: File; fileInput: HTMLInputElement | null },
): Promise<{ textMethod: string; imageMethod?: string }> {
  editor.focus();
  placeCaret(editor);
  // Let the editor read the new selection before anything is pasted.
  await nextFrame();
  let imageMethod: string | undefined;
  // The picture first: Facebook's composer drops typed text when a picture changes its layout.
  if (image) {
    imageMethod = await attachImage(editor, image.fileInput, image.file);
    await nextFrame();
    editor.focus();
    placeCaret(editor);
    await nextFrame();
  }
  const textMethod = await insertText(editor, kind, text);
  return { textMethod, imageMethod };
}
