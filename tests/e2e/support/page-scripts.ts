// Functions meant to run INSIDE a page (the main world) through `page.evaluate(fn, arg)`, with
// playwright-core and puppeteer-core alike. They are serialized with Function#toString, so each
// must be self-contained: no imports, no helpers from this module, one serializable argument.
// They reproduce what a user's paste, drop or file pick delivers to the editors; the recipe is the
// one the fixture smoke test (fixtures-smoke.test.ts) records, which the fixture smoke test keeps proving.

/** A file handed to the page as base64 (page.evaluate can only pass JSON). */
export interface PageFile {
  name: string;
  type: string;
  base64: string;
}

export interface TargetArg {
  /** CSS selector of the editable element; the last visible match is used. */
  selector: string;
}

/**
 * Focuses the editor, puts the caret at the end, then waits a task and a frame so the editor
 * (Draft's onSelect, Lexical's selectionchange) has picked the selection up.
 */
export async function focusEditorEnd({ selector }: TargetArg): Promise<void> {
  const all = Array.from(document.querySelectorAll<HTMLElement>(selector)).filter((e) => e.getClientRects().length > 0);
  const el = all[all.length - 1];
  if (!el) throw new Error(`focusEditorEnd: nothing visible matches ${selector}`);
  el.focus();
  const sel = window.getSelection();
  if (sel) {
    sel.selectAllChildren(el);
    sel.collapseToEnd();
  }
  await new Promise((r) => setTimeout(r, 0));
  await new Promise((r) => requestAnimationFrame(() => r(null)));
}

/**
 * Dispatches a synthetic `paste` on the editor carrying either text/plain or files (never both:
 * Draft keeps only the files, Lexical only the text). Returns whether the editor cancelled it,
 * i.e. handled it itself.
 */
export async function syntheticPaste(arg: TargetArg & { text?: string; files?: PageFile[] }): Promise<boolean> {
  const all = Array.from(document.querySelectorAll<HTMLElement>(arg.selector)).filter((e) => e.getClientRects().length > 0);
  const el = all[all.length - 1];
  if (!el) throw new Error(`syntheticPaste: nothing visible matches ${arg.selector}`);
  const dt = new DataTransfer();
  if (arg.text !== undefined) dt.setData('text/plain', arg.text);
  for (const f of arg.files ?? []) {
    const bytes = Uint8Array.from(atob(f.base64), (c) => c.charCodeAt(0));
    dt.items.add(new File([bytes], f.name, { type: f.type }));
  }
  const ev = new ClipboardEvent('paste', { bubbles: true, cancelable: true, composed: true });
  // Firefox ignores clipboardData passed to the constructor; an own property works everywhere.
  Object.defineProperty(ev, 'clipboardData', { value: dt });
  el.dispatchEvent(ev);
  await new Promise((r) => setTimeout(r, 0));
  return ev.defaultPrevented;
}

/** Lexical's preferred path: beforeinput insertReplacementText with a text/plain DataTransfer. */
export async function beforeInputText(arg: TargetArg & { text: string }): Promise<boolean> {
  const all = Array.from(document.querySelectorAll<HTMLElement>(arg.selector)).filter((e) => e.getClientRects().length > 0);
  const el = all[all.length - 1];
  if (!el) throw new Error(`beforeInputText: nothing visible matches ${arg.selector}`);
  const dt = new DataTransfer();
  dt.setData('text/plain', arg.text);
  const ev = new InputEvent('beforeinput', {
    inputType: 'insertReplacementText',
    dataTransfer: dt,
    bubbles: true,
    cancelable: true,
    composed: true,
  });
  el.dispatchEvent(ev);
  await new Promise((r) => setTimeout(r, 0));
  return ev.defaultPrevented;
}

/** dragenter + dragover + drop of files at the centre of the element. */
export async function dropFiles(arg: TargetArg & { files: PageFile[] }): Promise<boolean> {
  const all = Array.from(document.querySelectorAll<HTMLElement>(arg.selector)).filter((e) => e.getClientRects().length > 0);
  const el = all[all.length - 1];
  if (!el) throw new Error(`dropFiles: nothing visible matches ${arg.selector}`);
  const dt = new DataTransfer();
  for (const f of arg.files) {
    const bytes = Uint8Array.from(atob(f.base64), (c) => c.charCodeAt(0));
    dt.items.add(new File([bytes], f.name, { type: f.type }));
  }
  const r = el.getBoundingClientRect();
  const init = {
    bubbles: true,
    cancelable: true,
    composed: true,
    dataTransfer: dt,
    clientX: r.left + r.width / 2,
    clientY: r.top + Math.min(r.height / 2, 12),
  };
  el.dispatchEvent(new DragEvent('dragenter', init));
  el.dispatchEvent(new DragEvent('dragover', init));
  const drop = new DragEvent('drop', init);
  el.dispatchEvent(drop);
  await new Promise((res) => setTimeout(res, 0));
  return drop.defaultPrevented;
}

/** Puts files into an <input type=file> the way a file picker does, then fires input + change. */
export async function setInputFiles(arg: TargetArg & { files: PageFile[] }): Promise<void> {
  const input = Array.from(document.querySelectorAll<HTMLInputElement>(arg.selector)).pop();
  if (!input) throw new Error(`setInputFiles: nothing matches ${arg.selector}`);
  const dt = new DataTransfer();
  for (const f of arg.files) {
    const bytes = Uint8Array.from(atob(f.base64), (c) => c.charCodeAt(0));
    dt.items.add(new File([bytes], f.name, { type: f.type }));
  }
  input.files = dt.files;
  input.dispatchEvent(new Event('input', { bubbles: true }));
  input.dispatchEvent(new Event('change', { bubbles: true }));
  await new Promise((r) => setTimeout(r, 0));
}

/**
 * Appends an inline <script> and reports whether it ran and whether the page's CSP reported a
 * violation for it. With `script-src 'self'` it must not run.
 */
export async function tryInlineScript(): Promise<{ ran: boolean; violation: string | null }> {
  const w = window as unknown as { __inlineRan?: boolean };
  delete w.__inlineRan;
  const violation = new Promise<string | null>((resolve) => {
    const t = setTimeout(() => resolve(null), 2000);
    document.addEventListener(
      'securitypolicyviolation',
      (e) => {
        clearTimeout(t);
        resolve(e.violatedDirective);
      },
      { once: true },
    );
  });
  const s = document.createElement('script');
  s.textContent = 'window.__inlineRan = true;';
  document.head.append(s);
  const v = await violation;
  return { ran: w.__inlineRan === true, violation: v };
}
