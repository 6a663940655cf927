import { previewItem, previewPost } from '../../preview';
import type { EditorContext } from '../editor-context';
import { dict } from '../i18n';
import { draftFromForm, fieldsFromDraft } from '../post-form';
import { feedSeconds, formatDuration, PLATFORM_NAMES, previewNodes, warningsByField } from '../preview-view';
import { toDom } from '../view-node';
import { localProblem, megabytes, videoProblem, VideoUpload, type Answer, type UploadTransport } from '../video-upload';

// The post editor in the browser: the preview follows every keystroke (composed by the same
// server/studio/preview.ts and utils/compose the server and the extension use, rendered by the
// same preview-view), variants are added and removed in place, and a picture is uploaded the
// moment it is chosen (raw bytes to api/v1/media with the session's CSRF token), so it shows in
// the preview before anything is saved, and a video goes up in resumable pieces while the form
// stays usable. Everything but the video also works without this script.

const form = document.getElementById('post-form') as HTMLFormElement | null;
if (form) start(form);

function start(form: HTMLFormElement): void {
  const context = JSON.parse(form.dataset.context ?? '{}') as EditorContext;
  const t = dict(context.lang);
  const body = document.getElementById('preview-body');
  const mode = document.getElementById('preview-mode');
  if (mode) mode.textContent = t.preview.live;
  let picture = context.picture;
  let video = context.video;
  let uploading = false;

  const update = () => {
    if (!body) return;
    const { fields } = fieldsFromDraft(draftFromForm(new FormData(form)), context.offsetMinutes);
    const image = picture && fields.media.includes(picture.id) ? picture : null;
    const clip = video && fields.media.includes(video.id) ? video : null;
    const item = previewItem(fields, context.feed, {
      id: context.id,
      unitSlug: context.units[fields.unit.toLowerCase()],
      campaignName: fields.campaign ? context.campaigns[fields.campaign] : undefined,
      image: image?.ref ?? null,
      video: clip ? { ...clip.ref, poster: image ? { url: image.ref.url, sha256: image.ref.sha256 } : null } : null,
    });
    const preview = previewPost(fields, item);
    const nodes = previewNodes({ preview, t, lang: context.lang, imageSrc: image?.src });
    body.replaceChildren(...nodes.map((n) => toDom(document, n)!));
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
      const answer = (await res.json().catch(() => ({}))) as {
        id?: string;
        url?: string;
        sha256?: string;
        bytes?: number;
        mime_type?: string;
        width?: number;
        height?: number;
        error?: string;
      };
      if (res.status !== 201 || !answer.id || !answer.url) {
        const code = answer.error ?? '';
        problem(
          code === 'too_large'
            ? words.too_large(t.bytes(context.maxImageBytes))
            : code in words && code !== 'media'
              ? (words[code as 'not_image'] as string)
              : words.failed,
        );
        if (status) status.textContent = '';
        return;
      }
      // The page may load media from its own origin only (CSP): the file's name, under this root.
      const name = new URL(answer.url).pathname.split('/').pop() ?? '';
      picture = {
        id: answer.id,
        ref: {
          url: answer.url,
          sha256: answer.sha256 ?? '',
          mime: answer.mime_type ?? chosen.type,
          bytes: answer.bytes ?? chosen.size,
          width: answer.width,
          height: answer.height,
        },
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

  startVideo();
  update();

  // --- the video -----------------------------------------------------------------------------
  function startVideo(): void {
    const input = document.getElementById('f-video') as HTMLInputElement | null;
    const hiddenId = form.querySelector<HTMLInputElement>('input[name="video"]');
    if (!input || !hiddenId) return;
    const current = document.getElementById('video-current');
    const info = document.getElementById('video-info');
    const removeVideo = form.querySelector<HTMLInputElement>('input[name="remove_video"]');
    const box = document.getElementById('video-upload');
    const bar = document.getElementById('f-video-progress') as HTMLProgressElement | null;
    const barLabel = document.getElementById('video-progress-label');
    const cancel = document.getElementById('video-cancel') as HTMLButtonElement | null;
    const resume = document.getElementById('video-resume') as HTMLButtonElement | null;
    const said = document.getElementById('video-status');
    const blocked = document.getElementById('form-blocked');
    const max = context.maxVideoBytes;
    const hints = 'video-hint video-warning';

    // The script is here: the field works, and the explanation for pages without it goes.
    document.getElementById('video-noscript')?.setAttribute('hidden', '');
    input.disabled = false;
    input.setAttribute('aria-describedby', input.hasAttribute('aria-invalid') ? `video-hint video-error video-warning` : hints);

    const say = (text: string) => {
      if (said) said.textContent = text;
    };
    const problem = (message: string) => {
      let line = document.getElementById('video-error');
      if (!line) {
        line = document.createElement('p');
        line.id = 'video-error';
        line.className = 'field-error';
        line.setAttribute('role', 'alert');
        input.insertAdjacentElement('afterend', line);
      }
      line.textContent = message;
      input.setAttribute('aria-invalid', 'true');
      input.setAttribute('aria-describedby', 'video-hint video-error video-warning');
    };
    const clearProblem = () => {
      document.getElementById('video-error')?.remove();
      input.removeAttribute('aria-invalid');
      input.setAttribute('aria-describedby', hints);
    };
    const show = (sent: number, size: number) => {
      if (bar) {
        bar.max = size;
        bar.value = sent;
      }
      const [done, total] = megabytes(sent, size, context.lang);
      if (barLabel) barLabel.textContent = t.form.videoProgress(done, total);
    };

    const transport: UploadTransport = {
      async json(method, path, payload) {
        const res = await fetch(`${context.root}${path}`, {
          method,
          credentials: 'same-origin',
          headers: { 'X-CSRF-Token': csrf, ...(payload === undefined ? {} : { 'Content-Type': 'application/json' }) },
          body: payload === undefined ? undefined : JSON.stringify(payload),
        });
        const data = (await res.json().catch(() => ({}))) as Record<string, unknown>;
        return { status: res.status, body: data, header: (name) => res.headers.get(name) };
      },
      // XMLHttpRequest rather than fetch: only it reports progress within a piece, which is what
      // a slow line needs to see (4 MiB can take half a minute).
      put(path, range, piece, onSent, signal) {
        return new Promise<Answer>((resolve, reject) => {
          const xhr = new XMLHttpRequest();
          let timer = 0;
          // A connection that neither moves nor fails is treated as failed, and resumed.
          const watch = (ms: number) => {
            window.clearTimeout(timer);
            timer = window.setTimeout(() => xhr.abort(), ms);
          };
          const done = () => {
            window.clearTimeout(timer);
            signal.removeEventListener('abort', stop);
          };
          const stop = () => xhr.abort();
          xhr.open('PUT', `${context.root}${path}`);
          xhr.setRequestHeader('Content-Range', range);
          xhr.setRequestHeader('Content-Type', 'application/octet-stream');
          xhr.setRequestHeader('X-CSRF-Token', csrf);
          xhr.upload.onprogress = (event) => {
            onSent(event.loaded);
            watch(60_000);
          };
          // The last piece's answer waits for the server to check and hash the whole file.
          xhr.upload.onload = () => {
            onSent(piece.size);
            watch(300_000);
          };
          xhr.onload = () => {
            done();
            let data: Record<string, unknown> = {};
            try {
              data = JSON.parse(xhr.responseText) as Record<string, unknown>;
            } catch {
              // An error page from a proxy: the status says enough.
            }
            resolve({ status: xhr.status, body: data, header: (name) => xhr.getResponseHeader(name) });
          };
          xhr.onerror =
            xhr.onabort =
            xhr.ontimeout =
              () => {
                done();
                reject(new Error('the piece did not arrive'));
              };
          signal.addEventListener('abort', stop);
          watch(60_000);
          xhr.send(piece);
        });
      },
    };

    let running: VideoUpload | null = null;
    const idle = () => {
      running = null;
      if (box) box.hidden = true;
      if (blocked) {
        blocked.hidden = true;
        blocked.textContent = '';
      }
    };

    const drive = async (upload: VideoUpload) => {
      if (resume) resume.hidden = true;
      const outcome = await upload.run();
      // Replaced by another file, or cancelled: that path has said what happened.
      if (running !== upload) return;
      if (outcome.ok) {
        const media = outcome.media;
        video = {
          id: media.id,
          ref: {
            url: media.url,
            sha256: media.sha256,
            mime: media.mime_type,
            bytes: media.bytes,
            width: media.width,
            height: media.height,
            duration_ms: Math.round(media.duration_in_seconds * 1000),
          },
        };
        hiddenId.value = media.id;
        if (removeVideo) removeVideo.checked = false;
        if (info) info.textContent = t.form.videoInfo(formatDuration(feedSeconds(video.ref.duration_ms ?? 0)), t.bytes(media.bytes));
        if (current) current.hidden = false;
        // Sent already: nothing of it must ride along with the form.
        input.value = '';
        idle();
        say(t.form.videoUploaded);
        update();
      } else if (outcome.code === 'stalled') {
        say(t.form.videoStalled);
        if (resume) resume.hidden = false;
      } else if (outcome.code !== 'cancelled') {
        idle();
        say('');
        input.value = '';
        problem(videoProblem(t, outcome.code, max));
      }
    };

    input.addEventListener('change', async () => {
      const chosen = input.files?.[0];
      if (!chosen) return;
      // A new choice replaces an upload still under way.
      running?.cancel();
      idle();
      clearProblem();
      say('');
      const head = new Uint8Array(await chosen.slice(0, 12).arrayBuffer());
      const local = localProblem(head, chosen.size, max);
      if (local) {
        problem(videoProblem(t, local, max));
        input.value = '';
        return;
      }
      const upload = new VideoUpload(chosen, transport, {
        progress: show,
        retrying: (ms) => say(t.form.videoRetrying(Math.round(ms / 1000))),
        resumed: (offset) => say(t.form.videoResumed(megabytes(offset, chosen.size, context.lang)[0])),
        checking: () => say(t.form.videoChecking),
      });
      running = upload;
      show(0, chosen.size);
      if (box) box.hidden = false;
      await drive(upload);
    });

    cancel?.addEventListener('click', () => {
      if (!running) return;
      running.cancel();
      idle();
      input.value = '';
      say(t.form.videoCancelled);
      // The button is gone with its box: keyboard focus goes back to the field.
      input.focus();
    });
    resume?.addEventListener('click', () => {
      if (!running) return;
      say('');
      void drive(running);
      cancel?.focus();
    });

    // Saving now would leave the page and lose the upload: say so instead.
    form.addEventListener('submit', (event) => {
      if (!running) return;
      event.preventDefault();
      if (blocked) {
        blocked.textContent = t.form.videoWait;
        blocked.hidden = false;
      }
    });
    window.addEventListener('beforeunload', (event) => {
      if (running) event.preventDefault();
    });
  }
}
