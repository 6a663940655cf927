// @vitest-environment happy-dom
// WhatsApp Web's site file on its saved page shape: the message box is the composer (the chat
// search and the caption box are not), our button goes after the attach button, a picture's text
// goes into the media preview's caption, Send is the preview's while it is open, Enter sends.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { insertPost, type InsertDeps } from '@/utils/composer/insert-flow';
import { isSendKey } from '@/utils/composer/post-watch';
import type { Composer } from '@/utils/composer/types';
import { TARGET_ATTR, type InsertResult } from '@/utils/insert/bridge';
import type { Message } from '@/utils/messages/messages';
import { adapter as x } from '@/utils/sites/x.site';
import { adapter as wa } from '@/utils/sites/whatsapp.site';

const MESSAGE_BOX = '#main footer [contenteditable="true"]';
const CAPTION = '[aria-label="Add a caption"]';

function load(withPreview: boolean) {
  document.body.innerHTML = readFileSync(path.join(__dirname, 'sites', 'whatsapp-2026-11.html'), 'utf8');
  if (!withPreview) document.querySelector('.media-drawer')!.remove();
}

beforeEach(() => {
  document.body.innerHTML = '';
});

describe('WhatsApp Web selectors', () => {
  it('the message box of the open chat is the composer; the search and caption boxes are not', () => {
    load(true);
    const found = [...document.querySelectorAll(wa.editorSelector)].filter((e) => wa.isComposer(e));
    expect(found).toEqual([document.querySelector(MESSAGE_BOX)]);
    const root = wa.composerRoot(found[0]!)!;
    expect(root.id).toBe('app');
    const slot = wa.buttonSlot(root, found[0]!)!;
    expect(slot.before?.previousSibling).toBe(document.querySelector('[aria-label="Attach"]'));
    expect(wa.fileInput(root)?.accept).toContain('image/*');
  });

  it('with the media preview open: its caption box, its picture, its Send', () => {
    load(true);
    const root = wa.composerRoot(document.querySelector(MESSAGE_BOX)!)!;
    expect(wa.captionEditor!(root)).toBe(document.querySelector(CAPTION));
    expect(wa.attachmentCount(root)).toBe(1);
    expect(wa.postButton(root)?.closest('.media-drawer')).not.toBeNull();
  });

  it('a video in the preview counts as attached, as a picture does', () => {
    load(true);
    const root = wa.composerRoot(document.querySelector(MESSAGE_BOX)!)!;
    const stage = document.querySelector('.stage')!;
    stage.innerHTML = '<video src="blob:https://web.whatsapp.com/0b1c" controls></video>';
    expect(wa.attachmentCount(root)).toBe(1);
    expect(wa.captionEditor!(root)).toBe(document.querySelector(CAPTION));
  });

  it('without the preview: no caption box, no attachment, Send only once the message box holds text', () => {
    load(false);
    const editor = document.querySelector(MESSAGE_BOX)!;
    const root = wa.composerRoot(editor)!;
    expect(wa.captionEditor!(root)).toBeNull();
    expect(wa.attachmentCount(root)).toBe(0);
    expect(wa.postButton(root)).toBeNull();
    document.querySelector('.send-slot')!.innerHTML =
      '<button type="button" aria-label="Send"><span data-icon="wds-ic-send-filled"></span></button>';
    expect(wa.postButton(root)?.getAttribute('aria-label')).toBe('Send');
    // The icon alone (an older build) still finds its button.
    document.querySelector('.send-slot button')!.removeAttribute('aria-label');
    expect(wa.postButton(root)?.tagName).toBe('BUTTON');
  });

  it('sent: the preview closed and the message box empty', () => {
    load(true);
    const editor = document.querySelector(MESSAGE_BOX)!;
    const root = wa.composerRoot(editor)!;
    expect(wa.postConfirmed(editor, root)).toBe(false);
    document.querySelector('.media-drawer')!.remove();
    expect(wa.postConfirmed(editor, root)).toBe(true);
    editor.textContent = 'Halo';
    expect(wa.postConfirmed(editor, root)).toBe(false);
  });

  it('logged out: the QR code and no chat list', () => {
    document.body.innerHTML =
      '<div id="app"><div data-ref="2@x"><canvas aria-label="Scan this QR code to link a device!"></canvas></div></div>';
    expect(wa.isLoggedOut(document)).toBe(true);
    load(false);
    expect(wa.isLoggedOut(document)).toBe(false);
  });

  it('feed-shipped selector fixes come first for the message box', () => {
    load(false);
    const box = document.querySelector(MESSAGE_BOX)!;
    box.removeAttribute('data-lexical-editor');
    box.removeAttribute('data-tab');
    box.setAttribute('data-testid', 'conversation-compose-box-input');
    expect(document.querySelector(wa.editorSelector)).not.toBe(box);
    wa.hotfix({ editor: ['#main footer [data-testid="conversation-compose-box-input"]', '::not-a-selector('] });
    expect(document.querySelector(wa.editorSelector)).toBe(box);
  });
});

describe('sending keys', () => {
  const key = (init: KeyboardEventInit) => new KeyboardEvent('keydown', { key: 'Enter', ...init });
  it('Enter alone sends on WhatsApp, Shift+Enter is a new line; elsewhere Ctrl/Cmd+Enter', () => {
    expect(isSendKey(wa, key({}))).toBe(true);
    expect(isSendKey(wa, key({ shiftKey: true }))).toBe(false);
    expect(isSendKey(x, key({}))).toBe(false);
    expect(isSendKey(x, key({ ctrlKey: true }))).toBe(true);
    expect(isSendKey(wa, new KeyboardEvent('keydown', { key: 'a' }))).toBe(false);
  });
});

describe('a picture on WhatsApp', () => {
  it('is attached to the message box, and the text goes into the preview caption that opens', async () => {
    load(false);
    const editor = document.querySelector<HTMLElement>(MESSAGE_BOX)!;
    const composer: Composer = { editor, root: wa.composerRoot(editor)! };
    const saved = document.createElement('template');
    saved.innerHTML = readFileSync(path.join(__dirname, 'sites', 'whatsapp-2026-11.html'), 'utf8');
    const drawer = saved.content.querySelector('.media-drawer')!.outerHTML;
    const asked: { target: string; text?: string; image?: boolean; markedCaption: string | null }[] = [];
    const told: Message[] = [];
    let n = 0;
    const deps: InsertDeps = {
      adapter: wa,
      async askMainWorld(req): Promise<InsertResult> {
        asked.push({
          target: req.target,
          text: req.text,
          image: req.image !== undefined,
          markedCaption: document.querySelector(CAPTION)?.getAttribute(TARGET_ATTR) ?? null,
        });
        // What WhatsApp does: a pasted picture opens the preview; text goes where it is put.
        if (req.image) document.querySelector('.conversation')!.insertAdjacentHTML('beforeend', drawer);
        else document.querySelector(`[${TARGET_ATTR}="${req.target}"]`)!.textContent = req.text!;
        return { siar: 'inserted', id: 'r', ok: true };
      },
      fetchImage: async () => ({ name: 'apel.png', type: 'image/png', bytes: new ArrayBuffer(4) }),
      attachVideo: () => Promise.reject(new Error('no video in this test')),
      waitFor: async (check) => check(),
      copyText: async () => true,
      tell: (msg) => void told.push(msg),
      newTarget: () => `t${++n}`,
    };
    const item = {
      id: 'apel',
      title: 'Apel',
      priority: 'normal' as const,
      shared: false,
      hasImage: true,
      texts: [{ text: 'Apel pagi ASN', weighted: 0 }],
    };
    const outcome = await insertPost(deps, composer, item, 0);
    expect(outcome).toEqual({ inserted: true, imageOk: true });
    expect(asked.map((a) => [a.target, a.image, a.text])).toEqual([
      ['t1', true, undefined],
      ['t2', false, 'Apel pagi ASN'],
    ]);
    expect(asked[1]!.markedCaption).toBe('t2');
    expect(document.querySelector(CAPTION)!.textContent).toBe('Apel pagi ASN');
    expect(editor.textContent).toBe('');
    // No mark is left behind.
    expect(document.querySelectorAll(`[${TARGET_ATTR}]`)).toHaveLength(0);
    expect(told).toContainEqual({ type: 'share/record', itemId: 'apel', platform: 'whatsapp', action: 'inserted' });
  });
});
