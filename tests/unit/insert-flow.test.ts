// @vitest-environment happy-dom
// The insert-and-verify flow (utils/composer/insert-flow.ts) on X's saved composer, with the real
// X adapter. The page's main world is played by a stand-in that does to the DOM what Draft.js
// does, or refuses to; the clipboard and the background are recorded.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { attachVideo, type VideoAttachDeps } from '@/utils/composer/attach-video';
import { insertPost, variantText, type InsertDeps, type PostImage } from '@/utils/composer/insert-flow';
import type { Composer } from '@/utils/composer/types';
import { TARGET_ATTR, type ImageMethod, type InsertRequest, type InsertResult } from '@/utils/insert/bridge';
import type { Message } from '@/utils/messages/messages';
import type { VideoProgress } from '@/utils/media/video-read';
import type { PanelItem, PanelVideo } from '@/utils/messages/replies';
import { adapter as x } from '@/utils/sites/x.site';

const PNG: PostImage = { name: 'apel.png', type: 'image/png', bytes: new Uint8Array([0x89, 0x50, 0x4e, 0x47]).buffer };

function item(over: Partial<PanelItem> = {}): PanelItem {
  return {
    id: 'apel-asn',
    title: 'Apel ASN',
    priority: 'normal',
    shared: false,
    hasImage: false,
    texts: [
      { text: 'Apel pagi ASN\n\n#KabupatenContoh', weighted: 0 },
      { text: 'Varian kedua', weighted: 0 },
    ],
    ...over,
  };
}

interface Page {
  /** Which picture methods the composer takes; empty: none. */
  takesImageBy: ImageMethod[];
  takesText: boolean;
  /** Post stays disabled after the text goes in. */
  postStaysDisabled: boolean;
  requests: Omit<InsertRequest, 'siar' | 'id'>[];
  /** The target attributes on the editor and file input when each request came. */
  marked: [string | null, string | null][];
}

let composer: Composer;
let page: Page;
let told: Message[];
let copied: string[];
let progress: (VideoProgress | undefined)[];

/** The flow's dependencies; the video's reading is `fetchVideo`, the rest of its attaching the real attach-video.ts. */
function deps(over: Partial<InsertDeps> & { fetchVideo?: VideoAttachDeps['fetchVideo'] } = {}): InsertDeps {
  const { fetchVideo = async () => ({ ok: true, blob: new Blob([new Uint8Array(8)], { type: 'video/mp4' }), sha256: 'x' }), ...rest } =
    over;
  const d: InsertDeps = {
    adapter: x,
    async askMainWorld(req): Promise<InsertResult> {
      page.requests.push(req);
      page.marked.push([composer.editor.getAttribute(TARGET_ATTR), x.fileInput(composer.root)?.getAttribute(TARGET_ATTR) ?? null]);
      if (req.image) {
        if (page.takesImageBy.includes(req.image.method))
          composer.root.querySelector('[data-testid="attachments"]')!.append(document.createElement('img'));
        return { siar: 'inserted', id: 'r', ok: true, imageMethod: req.image.method };
      }
      if (page.takesText) {
        composer.editor.textContent = (composer.editor.textContent ?? '') + req.text;
        if (!page.postStaysDisabled) {
          const post = x.postButton(composer.root)!;
          post.removeAttribute('disabled');
          post.setAttribute('aria-disabled', 'false');
        }
      }
      return { siar: 'inserted', id: 'r', ok: true, textMethod: 'paste' };
    },
    fetchImage: async () => PNG,
    attachVideo: (it, root, target) =>
      attachVideo(
        { adapter: d.adapter, askMainWorld: d.askMainWorld, waitFor: d.waitFor, fetchVideo, videoProgress: (p) => void progress.push(p) },
        it,
        root,
        target,
      ),
    // The page has changed by the time the flow looks: no waiting in a unit test.
    waitFor: async (check) => check(),
    async copyText(text) {
      copied.push(text);
      return true;
    },
    tell: (msg) => void told.push(msg),
    newTarget: () => 'target-1',
    ...rest,
  };
  return d;
}

beforeEach(() => {
  document.body.innerHTML = readFileSync(path.join(__dirname, 'sites', 'x-home-2026-11.html'), 'utf8');
  const editor = document.querySelector<HTMLElement>(x.editorSelector)!;
  composer = { editor, root: x.composerRoot(editor)! };
  page = { takesImageBy: ['file-input'], takesText: true, postStaysDisabled: false, requests: [], marked: [] };
  told = [];
  copied = [];
  progress = [];
  vi.spyOn(console, 'info').mockImplementation(() => {});
  vi.spyOn(console, 'warn').mockImplementation(() => {});
});

describe('a verified insert', () => {
  it('puts text in, marks the composer as waiting for Post and records `inserted`', async () => {
    const outcome = await insertPost(deps(), composer, item(), 0);
    expect(outcome).toEqual({ inserted: true, imageOk: true });
    expect(composer.editor.textContent).toContain('Apel pagi ASN');
    expect(composer.pending).toEqual({ itemId: 'apel-asn' });
    expect(told).toEqual([
      { type: 'site/health', platform: 'x', ok: true, reason: undefined },
      { type: 'share/record', itemId: 'apel-asn', platform: 'x', action: 'inserted' },
    ]);
    expect(copied).toEqual([]);
  });

  it('marks the editor and the file input for the main world while it works, and unmarks them after', async () => {
    await insertPost(deps(), composer, item({ hasImage: true }), 0);
    expect(page.marked.every(([editor, input]) => editor === 'target-1' && input === 'target-1')).toBe(true);
    expect(page.requests.every((r) => r.target === 'target-1' && r.kind === 'draft')).toBe(true);
    expect(composer.editor.hasAttribute(TARGET_ATTR)).toBe(false);
    expect(x.fileInput(composer.root)!.hasAttribute(TARGET_ATTR)).toBe(false);
  });

  it('puts the text in first, asks for the picture only then, and puts it in by each method in turn until one shows', async () => {
    let picture: ((image: PostImage) => void) | undefined;
    /** What the editor held when the picture was asked for. */
    let textWhenAsked: string | undefined;
    const flow = insertPost(
      deps({
        fetchImage: () => {
          textWhenAsked = composer.editor.textContent ?? '';
          return new Promise((resolve) => (picture = resolve));
        },
      }),
      composer,
      item({ hasImage: true }),
      0,
    );
    // The text is in the editor before the picture is even asked for (decoding one that
    // arrived meanwhile would hold the text up), and the picture has not come yet.
    await vi.waitFor(() => expect(picture).toBeDefined());
    expect(textWhenAsked).toContain('Apel pagi ASN');
    expect(page.requests.map((r) => r.image?.method ?? 'text')).toEqual(['text']);
    picture!(PNG);
    const outcome = await flow;
    expect(outcome).toEqual({ inserted: true, imageOk: true });
    expect(page.requests.map((r) => r.image?.method ?? 'text')).toEqual(['text', 'paste', 'file-input']);
    // Each attempt gets bytes of its own: the main world takes them over (postMessage transfer).
    const [a, b] = page.requests.filter((r) => r.image).map((r) => r.image!.bytes);
    expect(a).not.toBe(b);
    expect(new Uint8Array(a as ArrayBuffer)).toEqual(new Uint8Array(PNG.bytes as ArrayBuffer));
  });

  it('still inserts the text when no method attaches the picture, and says so', async () => {
    page.takesImageBy = [];
    const outcome = await insertPost(deps(), composer, item({ hasImage: true }), 0);
    expect(outcome).toEqual({ inserted: true, imageOk: false });
    expect(page.requests.map((r) => r.image?.method ?? 'text')).toEqual(['text', ...x.imageMethods]);
  });

  it('still inserts the text when the picture cannot be fetched', async () => {
    const outcome = await insertPost(
      deps({ fetchImage: () => Promise.reject(new Error('offline')) }),
      composer,
      item({ hasImage: true }),
      0,
    );
    expect(outcome).toEqual({ inserted: true, imageOk: false });
    expect(page.requests.map((r) => r.image?.method ?? 'text')).toEqual(['text']);
  });

  it('takes the variant modulo the number of variants', async () => {
    await insertPost(deps(), composer, item(), 3);
    expect(page.requests.at(-1)?.text).toBe('Varian kedua');
    expect(variantText(item(), 4)).toBe('Apel pagi ASN\n\n#KabupatenContoh');
  });
});

describe('an insert that does not verify', () => {
  it('leaves the editor alone and copies the text instead, recording `copied`', async () => {
    page.takesText = false;
    const outcome = await insertPost(deps(), composer, item(), 0);
    expect(outcome).toEqual({ inserted: false, copied: true });
    expect(copied).toEqual(['Apel pagi ASN\n\n#KabupatenContoh']);
    expect(composer.pending).toBeUndefined();
    expect(told).toEqual([
      { type: 'site/health', platform: 'x', ok: false, reason: 'not_verified' },
      { type: 'share/record', itemId: 'apel-asn', platform: 'x', action: 'copied' },
    ]);
  });

  it('is not verified while the site keeps Post disabled', async () => {
    page.postStaysDisabled = true;
    const outcome = await insertPost(deps(), composer, item(), 0);
    expect(outcome).toEqual({ inserted: false, copied: true });
  });

  it('is not verified when the main world says it failed', async () => {
    const outcome = await insertPost(
      deps({ askMainWorld: async () => ({ siar: 'inserted', id: 'r', ok: false, error: 'editor_gone' }) }),
      composer,
      item(),
      0,
    );
    expect(outcome).toEqual({ inserted: false, copied: true });
    expect(told[0]).toEqual({ type: 'site/health', platform: 'x', ok: false, reason: 'not_verified' });
  });

  it('records nothing more when the clipboard refuses too', async () => {
    page.takesText = false;
    const outcome = await insertPost(deps({ copyText: async () => false }), composer, item(), 0);
    expect(outcome).toEqual({ inserted: false, copied: false });
    expect(told.map((m) => m.type)).toEqual(['site/health']);
  });

  it('unmarks the composer even when the main world throws', async () => {
    await expect(insertPost(deps({ askMainWorld: () => Promise.reject(new Error('gone')) }), composer, item(), 0)).rejects.toThrow('gone');
    expect(composer.editor.hasAttribute(TARGET_ATTR)).toBe(false);
  });
});

describe('a post with a video', () => {
  const VIDEO: PanelVideo = {
    url: 'https://agency.example/media/abc.mp4',
    seconds: 30,
    bytes: 8,
    sha256: 'a'.repeat(64),
    hashRequired: true,
  };

  it('puts the text in first, then reads the video and attaches the same Blob by each method in turn until one shows; the picture is not fetched', async () => {
    const blob = new Blob([new Uint8Array(8)], { type: 'video/mp4' });
    let pictures = 0;
    const outcome = await insertPost(
      deps({
        fetchImage: async () => {
          pictures++;
          return PNG;
        },
        fetchVideo: async (_item, onProgress) => {
          onProgress({ received: 8, total: 8 });
          return { ok: true, blob, sha256: 'a'.repeat(64) };
        },
      }),
      composer,
      item({ hasImage: true, video: VIDEO }),
      0,
    );
    expect(outcome).toEqual({ inserted: true, imageOk: true, video: 'attached' });
    expect(pictures).toBe(0);
    expect(page.requests.map((r) => r.image?.method ?? 'text')).toEqual(['text', 'paste', 'file-input']);
    // One Blob for every try: a video is never copied per method.
    expect(page.requests[1]!.image!.bytes).toBe(blob);
    expect(page.requests[2]!.image).toMatchObject({ bytes: blob, type: 'video/mp4', name: 'abc.mp4' });
    // Progress while reading, then cleared.
    expect(progress).toEqual([{ received: 8, total: 8 }, undefined]);
    expect(told.map((m) => m.type)).toEqual(['site/health', 'share/record']);
  });

  it.each([
    ['mismatch', 'mismatch'],
    ['not_vouched', 'mismatch'],
    ['not_found', 'not_found'],
    ['network', 'failed'],
    ['too_large', 'failed'],
  ] as const)('a read that fails (%s): nothing is given to the page but the text, and it says %s', async (problem, said) => {
    const outcome = await insertPost(
      deps({ fetchVideo: async () => ({ ok: false, problem, detail: 'test' }) }),
      composer,
      item({ video: VIDEO }),
      0,
    );
    expect(outcome).toEqual({ inserted: true, imageOk: true, video: said });
    expect(page.requests.every((r) => r.image === undefined)).toBe(true);
    expect(composer.editor.textContent).toContain('Apel pagi ASN');
    expect(console.warn).toHaveBeenCalledWith('[siar] video not attached:', problem, 'test', VIDEO.url);
  });

  it('a read that throws is a failure, not a lost insert', async () => {
    const outcome = await insertPost(
      deps({
        fetchVideo: async () => {
          throw new Error('the video code did not load');
        },
      }),
      composer,
      item({ video: VIDEO }),
      0,
    );
    expect(outcome).toEqual({ inserted: true, imageOk: true, video: 'failed' });
    expect(progress.at(-1)).toBeUndefined();
  });

  it('longer than the site takes (X: 140 s): not even read; text and link go in, and it says why', async () => {
    let reads = 0;
    const outcome = await insertPost(
      deps({
        fetchVideo: async () => {
          reads++;
          return { ok: false, problem: 'network', detail: '' };
        },
      }),
      composer,
      item({ video: { ...VIDEO, seconds: 140.5 } }),
      0,
    );
    expect(x.site.videoMaxSeconds).toBe(140);
    expect(reads).toBe(0);
    expect(outcome).toEqual({ inserted: true, imageOk: true, video: 'too_long' });
    expect(page.requests.map((r) => r.image?.method ?? 'text')).toEqual(['text']);
  });

  it('exactly 140 s still goes in on X', async () => {
    const outcome = await insertPost(deps(), composer, item({ video: { ...VIDEO, seconds: 140 } }), 0);
    expect(outcome).toEqual({ inserted: true, imageOk: true, video: 'attached' });
  });

  it('no composer shows the video: failed, the text still goes in', async () => {
    page.takesImageBy = [];
    const outcome = await insertPost(deps(), composer, item({ video: VIDEO }), 0);
    expect(outcome).toEqual({ inserted: true, imageOk: true, video: 'failed' });
    expect(page.requests.map((r) => r.image?.method ?? 'text')).toEqual(['text', ...x.imageMethods]);
  });
});
