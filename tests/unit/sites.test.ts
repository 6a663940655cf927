// @vitest-environment happy-dom
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { adapter as facebook } from '@/utils/sites/facebook.site';
import type { SiteAdapter } from '@/utils/sites/types';
import { adapter as x } from '@/utils/sites/x.site';

function load(name: string) {
  document.body.innerHTML = readFileSync(path.join(__dirname, 'sites', name), 'utf8');
}

function composers(site: SiteAdapter): Element[] {
  return [...document.querySelectorAll(site.editorSelector)].filter((e) => site.isComposer(e));
}

beforeEach(() => {
  document.body.innerHTML = '';
});

describe('X selectors', () => {
  it('2026-11 home: finds the inline composer and its parts', () => {
    load('x-home-2026-11.html');
    const found = composers(x);
    expect(found).toHaveLength(1);
    const root = x.composerRoot(found[0]!)!;
    expect(x.postButton(root)?.getAttribute('data-testid')).toBe('tweetButtonInline');
    expect(x.fileInput(root)?.getAttribute('data-testid')).toBe('fileInput');
    const slot = x.buttonSlot(root, found[0]!)!;
    expect(slot.parent.getAttribute('role')).toBe('tablist');
    expect(x.attachmentCount(root)).toBe(0);
    expect(x.postedUrl!(document)).toBe('https://x.com/siar_demo/status/1861234567890');
    expect(x.isLoggedOut(document)).toBe(false);
  });

  it('2023-06 modal: the fallbacks still find editor, Post button and file input', () => {
    load('x-modal-2023-06.html');
    const found = composers(x);
    expect(found).toHaveLength(1);
    const root = x.composerRoot(found[0]!)!;
    expect(x.postButton(root)?.getAttribute('data-testid')).toBe('tweetButton');
    expect(x.fileInput(root)?.accept).toBe('image/jpeg,image/png');
    expect(x.postedUrl!(document)).toBeUndefined();
  });

  it('a post is confirmed once the composer is emptied or gone', () => {
    load('x-home-2026-11.html');
    const editor = composers(x)[0]!;
    expect(x.postConfirmed(editor, x.composerRoot(editor)!)).toBe(true);
    editor.textContent = 'Halo';
    expect(x.postConfirmed(editor, x.composerRoot(editor)!)).toBe(false);
    editor.remove();
    expect(x.postConfirmed(editor, document.body)).toBe(true);
  });
});

describe('Facebook selectors', () => {
  it('2026-11: the dialog editor is the composer, the comment box is not', () => {
    load('facebook-2026-11.html');
    const all = document.querySelectorAll(facebook.editorSelector);
    expect(all).toHaveLength(2);
    const found = composers(facebook);
    expect(found).toHaveLength(1);
    expect(found[0]!.getAttribute('aria-label')).toBe("What's on your mind, Nama?");
    const root = facebook.composerRoot(found[0]!)!;
    expect(root.getAttribute('role')).toBe('dialog');
    expect(facebook.postButton(root)?.getAttribute('aria-label')).toBe('Post');
    expect(facebook.fileInput(root)?.accept).toContain('image/*');
    expect(facebook.attachmentCount(root)).toBe(1);
    expect(facebook.buttonSlot(root, found[0]!)).not.toBeNull();
    expect(facebook.isLoggedOut(document)).toBe(false);
  });

  it('2026-11 Indonesian UI: Posting button, and the prompt opens the composer', () => {
    load('facebook-id-2026-11.html');
    const found = composers(facebook);
    expect(found).toHaveLength(1);
    expect(facebook.postButton(facebook.composerRoot(found[0]!)!)?.getAttribute('aria-label')).toBe('Posting');
    let clicked = false;
    document.querySelector('[role="main"] [role="button"]')!.addEventListener('click', () => (clicked = true));
    expect(facebook.openComposer!(document)).toBe(true);
    expect(clicked).toBe(true);
    expect(facebook.isLoggedOut(document)).toBe(true);
  });

  it('a dialog without a Post button is not a composer', () => {
    load('facebook-2026-11.html');
    document.querySelector('[aria-label="Post"]')!.remove();
    expect(composers(facebook)).toHaveLength(0);
  });
});
