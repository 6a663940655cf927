// @vitest-environment happy-dom
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseFeedJson, SelectorFixesSchema } from '@/utils/protocol/feed';
import { adapter as wa } from '@/utils/sites/whatsapp.site';
import { adapter as x } from '@/utils/sites/x.site';
import { feedWith, item } from './feeds';

describe('selector fixes from the feed', () => {
  it('accept plain selectors only', () => {
    expect(SelectorFixesSchema.safeParse({ editor: ['[data-testid="postComposer_text"]'] }).success).toBe(true);
    for (const bad of ['div{color:red}', 'a; b', '@import x', 'div:has(url(x))', 'x'.repeat(201), '', 'a\\62']) {
      expect(SelectorFixesSchema.safeParse({ editor: [bad] }).success, bad).toBe(false);
    }
    expect(SelectorFixesSchema.safeParse({ editor: Array(6).fill('div') }).success).toBe(false);
  });

  it('a bad selectors block is dropped alone; the rest of the feed block stays', () => {
    const r = parseFeedJson(feedWith([item('a')], { _siar: { tally_url: 'https://t.example/', selectors: { x: { editor: ['a{'] } } } }));
    expect(r.ok && r.feed.meta._siar?.tally_url).toBe('https://t.example/');
    expect(r.ok && r.feed.meta._siar?.selectors).toBeUndefined();
  });

  // Whether a selector parses is the browser's call (usableSelectors asks the real parser;
  // happy-dom's is too lenient to test that here).
  it('find a composer after the site changed its DOM', () => {
    document.body.innerHTML = readFileSync(path.join(__dirname, 'sites', 'x-home-2027-drift.html'), 'utf8');
    const found = () => [...document.querySelectorAll(x.editorSelector)].filter((e) => x.isComposer(e));
    expect(found()).toHaveLength(0);
    x.hotfix({
      editor: ['[data-testid="postComposer_text"]'],
      toolbar: ['[data-testid="composerActions"]'],
      postButton: ['[data-testid="postComposer_submit"]'],
      fileInput: ['input[data-testid="mediaInput"]'],
    });
    const [editor] = found();
    expect(editor?.getAttribute('data-testid')).toBe('postComposer_text');
    const root = x.composerRoot(editor!)!;
    expect(x.postButton(root)?.getAttribute('data-testid')).toBe('postComposer_submit');
    expect(x.fileInput(root)?.getAttribute('data-testid')).toBe('mediaInput');
    // The built-in selectors still work after the fix.
    expect(x.editorSelector).toContain('tweetTextarea_');
  });

  it('find a WhatsApp Web message box after the site changed its DOM, as on X', () => {
    document.body.innerHTML = readFileSync(path.join(__dirname, 'sites', 'whatsapp-2027-drift.html'), 'utf8');
    const found = () => [...document.querySelectorAll(wa.editorSelector)].filter((e) => wa.isComposer(e));
    expect(found()).toHaveLength(0);
    wa.hotfix({
      editor: ['footer [data-testid="conversation-compose-box-input"]'],
      toolbar: ['[data-testid="conversation-footer"]'],
      postButton: ['[data-testid="compose-btn-send"]'],
      fileInput: ['input[data-testid="attach-media"]'],
    });
    const [editor] = found();
    expect(editor?.getAttribute('data-testid')).toBe('conversation-compose-box-input');
    const root = wa.composerRoot(editor!)!;
    expect(root.id).toBe('app');
    // Our button still goes right after the attach button.
    expect(wa.buttonSlot(root, editor!)?.before?.previousSibling).toBe(document.querySelector('[aria-label="Attach"]'));
    expect(wa.postButton(root)?.getAttribute('data-testid')).toBe('compose-btn-send');
    expect(wa.fileInput(root)?.getAttribute('data-testid')).toBe('attach-media');
    // The built-in forms still work after the fix.
    expect(wa.editorSelector).toContain('data-lexical-editor');
  });
});
