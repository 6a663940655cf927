// @vitest-environment happy-dom
// The composer panel's view (utils/composer/panel-view.tsx) and Post watching
// (utils/composer/post-watch.ts), without a browser.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { createPanelView, panelPlacement } from '@/utils/composer/panel-view';
import { confirmPosted, watchPostPress } from '@/utils/composer/post-watch';
import { HOST_TAG } from '@/utils/composer/shadow';
import type { Composer } from '@/utils/composer/types';
import type { Message } from '@/utils/messages/messages';
import type { PanelItem } from '@/utils/messages/replies';
import { adapter as x } from '@/utils/sites/x.site';

const items: PanelItem[] = [
  { id: 'a', title: 'Apel', priority: 'normal', shared: false, hasImage: false, texts: [{ text: 'Apel pagi', weighted: 9 }] },
  { id: 'b', title: 'Banjir', priority: 'mandatory', shared: true, hasImage: true, texts: [{ text: 'Siaga banjir', weighted: 290 }] },
];

let composer: Composer;
beforeEach(() => {
  document.body.innerHTML = readFileSync(path.join(__dirname, 'sites', 'x-home-2026-11.html'), 'utf8');
  const editor = document.querySelector<HTMLElement>(x.editorSelector)!;
  composer = { editor, root: x.composerRoot(editor)! };
});

describe('panelPlacement', () => {
  const viewport = { width: 1000, height: 800 };
  const box = { width: 360, height: 400 };

  it('puts the panel 8 px under its anchor where it fits', () => {
    expect(panelPlacement({ top: 100, bottom: 140, left: 200 }, box, viewport)).toEqual({ top: 148, left: 200 });
  });

  it('puts it above the anchor where it would run off the bottom, never above the top edge', () => {
    expect(panelPlacement({ top: 600, bottom: 640, left: 200 }, box, viewport)).toEqual({ top: 192, left: 200 });
    expect(panelPlacement({ top: 300, bottom: 500, left: 200 }, box, viewport)).toEqual({ top: 8, left: 200 });
  });

  it('keeps it 8 px inside the left and right edges', () => {
    expect(panelPlacement({ top: 0, bottom: 10, left: -50 }, box, viewport).left).toBe(8);
    expect(panelPlacement({ top: 0, bottom: 10, left: 900 }, box, viewport).left).toBe(1000 - 360 - 8);
  });
});

describe('the panel view', () => {
  const shadowPanel = () => document.querySelector(HOST_TAG)?.shadowRoot?.querySelector<HTMLElement>('.panel');

  it('opens beside its composer, shows what it is given, and closes', () => {
    const inserts: [Composer, string, number][] = [];
    const view = createPanelView({ css: '', limit: x.site.textLimit, onInsert: (c, item, v) => inserts.push([c, item.id, v]) });
    expect(view.composer).toBeUndefined();
    view.open(composer, { items: undefined, offline: false });
    expect(view.composer).toBe(composer);
    expect(shadowPanel()?.textContent).toContain('refreshing');
    expect(shadowPanel()?.style.position).toBe('fixed');

    view.update({ items, offline: false, busyId: 'a', notice: { key: 'copied_paste', tone: 'ok' } });
    const panel = shadowPanel()!;
    expect([...panel.querySelectorAll('li h3')].map((h) => h.textContent)).toEqual(['Apel', 'Banjir']);
    // X counts toward 280: the second post is over.
    expect([...panel.querySelectorAll('.counter')].map((c) => c.className)).toEqual(['counter', 'counter over']);
    expect(panel.querySelector('[role="alert"]')?.textContent).toBe('copied_paste');
    expect(panel.querySelector<HTMLButtonElement>('button.insert')?.disabled).toBe(true);

    view.close(false);
    expect(view.composer).toBeUndefined();
    expect(document.querySelector(HOST_TAG)).toBeNull();
    expect(inserts).toEqual([]);
  });

  it('says the feed is offline when it never loaded, and shows no counter for a site without a limit', () => {
    const view = createPanelView({ css: '', onInsert: () => {} });
    view.open(composer, { items: [], offline: true });
    expect(shadowPanel()?.textContent).toContain('panel_offline');
    view.update({ items, offline: false });
    expect(shadowPanel()?.querySelector('.counter')).toBeNull();
    view.close(false);
  });

  it('opening on another composer closes the first; closing with refocus gives the editor focus back', () => {
    const view = createPanelView({ css: '', onInsert: () => {} });
    const other: Composer = { editor: document.createElement('div'), root: document.body };
    view.open(other, { items, offline: false });
    view.open(composer, { items, offline: false });
    expect(document.querySelectorAll(HOST_TAG)).toHaveLength(1);
    expect(view.composer).toBe(composer);
    composer.editor.tabIndex = 0;
    view.close(true);
    expect(document.activeElement).toBe(composer.editor);
  });
});
describe('a post with a video in the panel', () => {
  const shadowPanel = () => document.querySelector(HOST_TAG)?.shadowRoot?.querySelector<HTMLElement>('.panel');
  const video: PanelItem = {
    ...items[0]!,
    id: 'v',
    title: 'Peresmian',
    video: { url: 'https://a.example/media/v.mp4', poster: 'https://a.example/media/p.jpg', seconds: 65, bytes: 48e6, hashRequired: true },
  };

  it('shows the poster as one image named with its length, a play mark and the clock, and "Unduh video"', () => {
    const downloads: string[] = [];
    const view = createPanelView({ css: '', onInsert: () => {}, onDownload: (item) => downloads.push(item.id) });
    view.open(composer, { items: [items[0]!, video], offline: false });
    const panel = shadowPanel()!;
    const posters = panel.querySelectorAll('[role="img"]');
    expect(posters).toHaveLength(1);
    expect(posters[0]!.getAttribute('aria-label')).toBe('video_label_length|duration_minutes_seconds|1|5');
    expect(posters[0]!.querySelector('img')?.getAttribute('src')).toBe(video.video!.poster);
    expect(posters[0]!.querySelector('.video-play')?.getAttribute('aria-hidden')).toBe('true');
    expect(posters[0]!.querySelector('.video-duration')?.textContent).toBe('1:05');
    // Only the post with a video has the download button; a script click does nothing.
    const buttons = panel.querySelectorAll<HTMLButtonElement>('button.download-video');
    expect(buttons).toHaveLength(1);
    expect(buttons[0]!.textContent).toBe('download_video');
    buttons[0]!.click();
    expect(downloads).toEqual([]);
    view.close(false);
  });

  it('shows "Mengunduh video 12 / 48 MB" under the busy post while bytes arrive, and disables the buttons', () => {
    const view = createPanelView({ css: '', onInsert: () => {}, onDownload: () => {} });
    view.open(composer, { items: [items[0]!, video], offline: false, busyId: 'v', progress: { received: 12.4e6, total: 48e6 } });
    const panel = shadowPanel()!;
    const status = panel.querySelectorAll('.video-progress[role="status"]');
    expect(status).toHaveLength(1);
    expect(status[0]!.closest('li')?.querySelector('h3')?.textContent).toBe('Peresmian');
    expect(status[0]!.textContent).toBe('video_downloading|12|48');
    expect(
      [...panel.querySelectorAll<HTMLButtonElement>('button')]
        .filter((b) => b.matches('.insert, .download-video'))
        .every((b) => b.disabled),
    ).toBe(true);
    view.close(false);
  });
});

describe('Post watching', () => {
  it('ignores a Post press a script makes: only the person pressing Post counts', () => {
    const pressed: string[] = [];
    composer.pending = { itemId: 'a' };
    const post = x.postButton(composer.root)!;
    post.removeAttribute('disabled');
    post.setAttribute('aria-disabled', 'false');
    const stop = watchPostPress(x, composer, (id) => pressed.push(id));
    post.click();
    composer.editor.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', ctrlKey: true, bubbles: true }));
    expect(pressed).toEqual([]);
    expect(composer.pending).toEqual({ itemId: 'a' });
    stop();
  });

  it('records `posted` once the site shows the post went out, then the post link the site shows', async () => {
    const told: Message[] = [];
    const recorded: Message[] = [];
    composer.editor.textContent = '';
    await confirmPosted(
      {
        adapter: x,
        doc: document,
        waitFor: async (check) => check(),
        record: async (msg) => (recorded.push(msg), { ok: true, eventId: '6f1c2b9e-4a7d-4d0e-9b53-0c8e2f7a1d44' }),
        tell: (msg) => void told.push(msg),
      },
      composer,
      'a',
    );
    expect(recorded).toEqual([{ type: 'share/record', itemId: 'a', platform: 'x', action: 'posted' }]);
    expect(told).toEqual([
      { type: 'share/post-url', eventId: '6f1c2b9e-4a7d-4d0e-9b53-0c8e2f7a1d44', postUrl: 'https://x.com/siar_demo/status/1861234567890' },
    ]);
  });

  it('records nothing while the composer still holds the post', async () => {
    const recorded: Message[] = [];
    composer.editor.textContent = 'Apel pagi';
    await confirmPosted(
      {
        adapter: x,
        doc: document,
        waitFor: async (check) => check(),
        record: async (m) => (recorded.push(m), { ok: true }),
        tell: () => {},
      },
      composer,
      'a',
    );
    expect(recorded).toEqual([]);
  });
});
