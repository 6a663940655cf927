// Checks run after an insert, from the isolated world: the DOM is shared, so what the user sees
// is what we check. Pure functions of elements, unit-tested on saved HTML.

/** Whitespace-free form: editors render paragraphs as blocks, so line breaks do not survive textContent. */
export function squash(s: string): string {
  return s.replace(/\s+/g, '');
}

export function editorHolds(editor: Element, text: string): boolean {
  const want = squash(text);
  return want.length > 0 && squash(editor.textContent ?? '').includes(want);
}

export function isEnabled(button: HTMLElement | null): boolean {
  if (!button || !button.isConnected) return false;
  return !(button as HTMLButtonElement).disabled && button.getAttribute('aria-disabled') !== 'true';
}

/** Resolves true as soon as `check` holds, false after `ms`. Checks once a frame. */
export function waitFor(check: () => boolean, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const end = performance.now() + ms;
    const tick = () => {
      if (check()) resolve(true);
      else if (performance.now() > end) resolve(false);
      else requestAnimationFrame(tick);
    };
    tick();
  });
}
