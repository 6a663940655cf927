import { isInsertRequest, TARGET_ATTR, type InsertResult } from '@/utils/insert/bridge';
import { attachImage, insertTextAtCaret } from '@/utils/insert/editors';

// The page's main world: only here do Draft.js and Lexical see our events as their own input.
// It listens for one kind of message and gets text and picture bytes, never settings or tokens.
export default defineContentScript({
  // No `matches` here: wxt.config.ts gives this script every page a site's content script runs on.
  world: 'MAIN',
  runAt: 'document_idle',
  main() {
    window.addEventListener('message', (e) => {
      if (e.source !== window || !isInsertRequest(e.data)) return;
      const req = e.data;
      const reply = (r: Omit<InsertResult, 'siar' | 'id'>) => window.postMessage({ siar: 'inserted', id: req.id, ...r }, location.origin);
      const editor = document.querySelector<HTMLElement>(`[${TARGET_ATTR}="${CSS.escape(req.target)}"][contenteditable]`);
      if (!editor) return reply({ ok: false, error: 'editor_gone' });
      const fileInput = document.querySelector<HTMLInputElement>(`input[type="file"][${TARGET_ATTR}="${CSS.escape(req.target)}"]`);
      const step = req.image
        ? attachImage(editor, fileInput, new File([req.image.bytes], req.image.name, { type: req.image.type }), req.image.method).then(
            (ok) => ({ ok, imageMethod: req.image!.method }),
          )
        : insertTextAtCaret(editor, req.kind, req.text ?? '').then((textMethod) => ({ ok: true, textMethod }));
      step.then(reply, (err: unknown) => reply({ ok: false, error: String(err) }));
    });
  },
});
