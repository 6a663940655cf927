import { previewItem, previewPost } from '../../preview';
import type { EditorContext } from '../editor-context';
import { dict } from '../i18n';
import { draftFromForm, fieldsFromDraft } from '../post-form';
import { PLATFORM_NAMES, renderPreview, warningsByField } from '../preview-view';

// The post editor in the browser: the preview follows every keystroke (composed by the same
// server/studio/preview.ts and utils/compose the server and the extension use, rendered by the
// same preview-view), variants are added and removed in place, and a picture is uploaded the
// moment it is chosen (raw bytes to api/v1/media with the session's CSRF token), so it shows in
// the preview before anything is saved. Everything also works without this script.

const form = document.getElementById('post-form') as HTMLFormElement | null;
if (form) start(form);

function start(form: HTMLFormElement): void {
  const context = JSON.parse(form.dataset.context ?? '{}') as EditorContext;
  const t = dict(context.lang);
  const body = document.getElementById('preview-body');
  const mode = document.getElementById('preview-mode');
  if (mode) mode.textContent = t.preview.live;
  let picture = context.picture;
  let uploading = false;

  const update = () => {
    if (!body) return;
    const { fields } = fieldsFromDraft(draftFromForm(new FormData(form)), context.offsetMinutes);
    const image = picture && fields.media.includes(picture.id) ? picture : null;
    const item = previewItem(fields, context.feed, {
      id: context.id,
      unitSlug: context.units[fields.unit.toLowerCase()],
      campaignName: fields.campaign ? context.campaigns[fields.campaign] : undefined,
      image: image?.ref ?? null,
    });
    const preview = previewPost(fields, item);
    body.innerHTML = renderPreview({ preview, t, lang: context.lang, imageSrc: image?.src });
    const byField = warningsByField(preview, context.lang);
    for (const box of form.querySelectorAll<HTMLElement>('[data-warning-for]')) {
      box.textContent = (byField[box.dataset.warningFor as keyof typeof byField] ?? []).join(' ');
    }
  };

  let pending = 0;
  const soon = () => {
    window.clearTimeout(pending);
    pending = window.setTimeout(update, 80);
  };
  form.addEventListener('input', soon);
  form.addEventListener('change', soon);

  // --- caption variants --------------------------------------------------------------------
  const renumber = (list: Element) => {
    const platform = (list as HTMLElement).dataset.platform ?? '';
    const blocks = [...list.querySelectorAll<HTMLElement>('[data-variant]')];
    blocks.forEach((block, i) => {
      const id = `f-caption_${platform}-${i + 1}`;
      const label = block.querySelector('label');
      const area = block.querySelector('textarea');
      if (label) {
        label.textContent = t.form.variant(i + 1);
        label.htmlFor = id;
      }
      if (area) area.id = id;
      let remove = block.querySelector<HTMLButtonElement>('[data-remove-variant]');
      if (blocks.length > 1 && !remove) {
        remove = document.createElement('button');
        remove.type = 'submit';
        remove.className = 'secondary small';
        remove.name = 'intent';
        remove.formNoValidate = true;
        remove.dataset.removeVariant = '';
        remove.textContent = t.form.removeVariant;
        block.querySelector('.variant-head')?.append(remove);
      }
      if (remove) {
        if (blocks.length === 1) remove.remove();
        else {
          remove.value = `remove:${platform}:${i}`;
          remove.setAttribute('aria-label', `${t.form.removeVariant} ${i + 1} ${PLATFORM_NAMES[platform as 'x'] ?? platform}`);
        }
      }
    });
  };

  form.addEventListener('click', (event) => {
    const button = (event.target as Element).closest('button');
    if (!button) return;
    if (button.dataset.addVariant) {
      event.preventDefault();
      const list = form.querySelector(`.variant-list[data-platform="${button.dataset.addVariant}"]`);
      const first = list?.querySelector('[data-variant]');
      if (!list || !first || list.querySelectorAll('[data-variant]').length >= 20) return;
      const copy = first.cloneNode(true) as HTMLElement;
      const area = copy.querySelector('textarea');
      if (area) {
        area.value = '';
        area.textContent = '';
        area.removeAttribute('aria-invalid');
      }
      list.append(copy);
      renumber(list);
      area?.focus();
      update();
    } else if (button.dataset.removeVariant !== undefined) {
      event.preventDefault();
      const block = button.closest('[data-variant]');
      const list = block?.parentElement;
      if (!block || !list) return;
      const next = (block.nextElementSibling ?? block.previousElementSibling)?.querySelector('textarea');
      block.remove();
      renumber(list);
      next?.focus();
      update();
    }
  });

  // --- the picture ---------------------------------------------------------------------------
  const file = form.querySelector<HTMLInputElement>('input[name="picture_file"]');
  const hidden = form.querySelector<HTMLInputElement>('input[name="picture"]');
  const status = document.getElementById('picture-status');
  const current = document.getElementById('picture-current');
  const img = document.getElementById('picture-img') as HTMLImageElement | null;
  const remove = form.querySelector<HTMLInputElement>('input[name="remove_picture"]');
  const csrf = form.querySelector<HTMLInputElement>('input[name="_csrf"]')?.value ?? '';
  const words = t.problems.picture;

  const problem = (message: string) => {
    let box = document.getElementById('picture-error');
    if (!box) {
      box = document.createElement('p');
      box.id = 'picture-error';
      box.className = 'field-error';
      box.setAttribute('role', 'alert');
      file?.insertAdjacentElement('afterend', box);
    }
    box.textContent = message;
    file?.setAttribute('aria-invalid', 'true');
    file?.setAttribute('aria-describedby', 'picture-hint picture-error');
  };
  const clearProblem = () => {
    document.getElementById('picture-error')?.remove();
    file?.removeAttribute('aria-invalid');
    file?.setAttribute('aria-describedby', 'picture-hint');
  };

  const buttons = () => [...form.querySelectorAll<HTMLButtonElement>('button[type="submit"]')];
  form.addEventListener('submit', (event) => {
    if (uploading) event.preventDefault();
  });

  file?.addEventListener('change', async () => {
    const chosen = file.files?.[0];
    if (!chosen || !hidden) return;
    clearProblem();
    if (chosen.size > context.maxImageBytes) {
      problem(words.too_large(t.bytes(context.maxImageBytes)));
      file.value = '';
      return;
    }
    uploading = true;
    buttons().forEach((b) => (b.disabled = true));
    if (status) status.textContent = t.form.uploading;
    try {
      const res = await fetch(`${context.root}api/v1/media`, {
        method: 'POST',
        credentials: 'same-origin',
        headers: { 'Content-Type': chosen.type || 'application/octet-stream', 'X-CSRF-Token': csrf },
        body: chosen,
      });
      const answer = (await res.json().catch(() => ({}))) as { id?: string; url?: string; sha256?: string; bytes?: number; mime_type?: string; width?: number; height?: number; error?: string };
      if (res.status !== 201 || !answer.id || !answer.url) {
        const code = answer.error ?? '';
        problem(code === 'too_large' ? words.too_large(t.bytes(context.maxImageBytes)) : code in words && code !== 'media' ? (words[code as 'not_image'] as string) : words.failed);
        if (status) status.textContent = '';
        return;
      }
      // The page may load media from its own origin only (CSP): the file's name, under this root.
      const name = new URL(answer.url).pathname.split('/').pop() ?? '';
      picture = {
        id: answer.id,
        ref: { url: answer.url, sha256: answer.sha256 ?? '', mime: answer.mime_type ?? chosen.type, bytes: answer.bytes ?? chosen.size, width: answer.width, height: answer.height },
        src: `${context.root}media/${encodeURIComponent(name)}`,
      };
      hidden.value = answer.id;
      if (img) img.src = picture.src;
      if (current) current.hidden = false;
      if (remove) remove.checked = false;
      // Sent already: the save must not send the bytes a second time.
      file.value = '';
      if (status) status.textContent = t.form.uploaded;
      update();
    } catch {
      problem(words.failed);
      if (status) status.textContent = '';
    } finally {
      uploading = false;
      buttons().forEach((b) => (b.disabled = false));
    }
  });

  update();
}
