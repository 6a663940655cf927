// @vitest-environment happy-dom
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SEEN_ANIMATION, watchComposers } from '@/utils/composer/watch';
import { adapter as x } from '@/utils/sites/x.site';

const home = readFileSync(path.join(__dirname, 'sites', 'x-home-2026-11.html'), 'utf8');
const composerHtml = home.slice(home.indexOf('<div data-testid="tweetTextarea_0_label">'), home.indexOf('<section'));

// happy-dom delivers mutation records from a timer of its own: still real when a test fakes ours.
const realSetTimeout = setTimeout;
/** Lets the mutation observers read what the test just did. */
const delivered = () => new Promise((r) => realSetTimeout(r, 0));

/** Runs scheduled work when the test says so, like frames that the test controls. */
function manualFrames() {
  const queue: (() => void)[] = [];
  return {
    schedule: (cb: () => void) => void queue.push(cb),
    get pending() {
      return queue.length;
    },
    async flush() {
      // Mutation observers deliver in a microtask.
      await new Promise((r) => setTimeout(r, 0));
      while (queue.length) queue.shift()!();
    },
  };
}

/** What the browser's style engine does when an element matching our rule is rendered. */
function seen(el: Element, name = SEEN_ANIMATION) {
  const ev = new Event('animationstart', { bubbles: true });
  Object.defineProperty(ev, 'animationName', { value: name });
  el.dispatchEvent(ev);
}

function track() {
  const attached: Element[] = [];
  const detached: Element[] = [];
  let checks = 0;
  const attach = (editor: Element) => {
    attached.push(editor);
    return { detach: () => void detached.push(editor), check: () => void checks++ };
  };
  return { attached, detached, attach, checks: () => checks };
}

function composerElement(): { composer: HTMLElement; editor: Element } {
  const composer = document.createElement('div');
  composer.innerHTML = composerHtml;
  return { composer, editor: composer.querySelector('[data-testid="tweetTextarea_0"]')! };
}

function post(): HTMLElement {
  const cell = document.createElement('div');
  cell.innerHTML = '<article data-testid="tweet"><div data-testid="tweetText">Berita</div></article>';
  return cell;
}

beforeEach(() => {
  document.head.innerHTML = '';
  document.body.innerHTML = '<main><section id="timeline"></section></main>';
});

afterEach(() => {
  vi.useRealTimers();
});

describe('watchComposers', () => {
  it('puts one rule in the page that gives editors the detection animation, and removes it on stop', () => {
    const stop = watchComposers(document, x, track().attach, { schedule: manualFrames().schedule });
    const css = [...document.querySelectorAll('style')].map((s) => s.textContent).join('');
    expect(css).toContain(`@keyframes ${SEEN_ANIMATION}`);
    expect(css).toContain(`:is(${x.editorSelector}){animation:${SEEN_ANIMATION} 1ms}`);
    stop();
    expect(document.querySelectorAll('style')).toHaveLength(0);
  });

  it('finds composers present at start, once', async () => {
    document.body.innerHTML = home;
    const frames = manualFrames();
    const t = track();
    const stop = watchComposers(document, x, t.attach, { schedule: frames.schedule });
    expect(t.attached).toHaveLength(1);
    seen(t.attached[0]!);
    expect(t.attached).toHaveLength(1);
    stop();
    expect(t.detached).toHaveLength(1);
  });

  it('attaches a composer when the style engine reports it, ignores other animations, detaches when it leaves', async () => {
    const frames = manualFrames();
    const t = track();
    const stop = watchComposers(document, x, t.attach, { schedule: frames.schedule });
    const composer = document.createElement('div');
    composer.innerHTML = composerHtml;
    document.body.append(composer);
    const editor = composer.querySelector('[data-testid="tweetTextarea_0"]')!;
    seen(editor, 'site-own-animation');
    expect(t.attached).toHaveLength(0);
    seen(editor);
    expect(t.attached).toEqual([editor]);

    composer.remove();
    await delivered();
    expect(t.detached).toEqual([editor]);
    expect(frames.pending).toBe(0);
    stop();
  });

  it('costs no work per frame: attached composers are checked with each mutation batch read', async () => {
    document.body.insertAdjacentHTML('afterbegin', composerHtml);
    const frames = manualFrames();
    const t = track();
    const stop = watchComposers(document, x, t.attach, { schedule: frames.schedule });
    expect(t.attached).toHaveLength(1);
    const timeline = document.getElementById('timeline')!;
    for (let i = 0; i < 100; i++) {
      timeline.append(post());
      if (timeline.children.length > 50) timeline.firstElementChild!.remove();
    }
    await delivered();
    expect(frames.pending).toBe(0);
    expect(t.checks()).toBe(1);
    expect(t.detached).toHaveLength(0);
    stop();
  });

  it('past its budget of records a second the observer rests for the rest of the second: the style engine finds composers meanwhile, and what left is detached when it resumes', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
    const { composer: first, editor: firstEditor } = composerElement();
    document.body.append(first);
    const frames = manualFrames();
    const t = track();
    const stop = watchComposers(document, x, t.attach, { schedule: frames.schedule });
    expect(t.attached).toEqual([firstEditor]);

    // A timeline churning thousands of posts in one batch spends the budget.
    const timeline = document.getElementById('timeline')!;
    for (let i = 0; i < 2000; i++) {
      timeline.append(post());
      if (timeline.children.length > 50) timeline.firstElementChild!.remove();
    }
    await delivered();
    expect(t.checks()).toBe(1);

    const { composer: second, editor: secondEditor } = composerElement();
    document.body.append(second);
    first.remove();
    await delivered();
    expect(t.attached).toEqual([firstEditor]);
    expect(t.detached).toHaveLength(0);
    expect(frames.pending).toBe(0);
    seen(secondEditor);
    expect(t.attached).toEqual([firstEditor, secondEditor]);

    await vi.advanceTimersByTimeAsync(1000);
    expect(t.detached).toEqual([firstEditor]);
    const { composer: third, editor: thirdEditor } = composerElement();
    document.body.append(third);
    await delivered();
    expect(t.attached).toEqual([firstEditor, secondEditor, thirdEditor]);
    stop();
  });

  it('a list filling up: only the first elements added under one parent in a batch are looked at', async () => {
    const frames = manualFrames();
    const t = track();
    const stop = watchComposers(document, x, t.attach, { schedule: frames.schedule });
    const timeline = document.getElementById('timeline')!;
    const { composer: inList, editor: inListEditor } = composerElement();
    const { composer: page, editor: pageEditor } = composerElement();
    for (let i = 0; i < 20; i++) timeline.append(i === 12 ? inList : post());
    document.querySelector('main')!.prepend(page);
    await delivered();
    expect(t.attached).toEqual([pageEditor]);
    seen(inListEditor);
    expect(t.attached).toEqual([pageEditor, inListEditor]);
    stop();
  });

  it('a page at rest: a new composer is found from the mutation itself, before any animation', async () => {
    const frames = manualFrames();
    const t = track();
    const stop = watchComposers(document, x, t.attach, { schedule: frames.schedule });
    const composer = document.createElement('div');
    composer.innerHTML = composerHtml;
    document.body.append(composer);
    await new Promise((r) => setTimeout(r, 0));
    expect(t.attached).toEqual([composer.querySelector('[data-testid="tweetTextarea_0"]')]);
    stop();
  });

  it('waits for an editor whose toolbar renders later', async () => {
    const frames = manualFrames();
    const t = track();
    const stop = watchComposers(document, x, t.attach, { schedule: frames.schedule });
    const wrap = document.createElement('div');
    wrap.innerHTML = composerHtml;
    const toolbar = wrap.querySelector('[data-testid="toolBar"]')!;
    toolbar.remove();
    document.body.append(wrap);
    seen(wrap.querySelector('[data-testid="tweetTextarea_0"]')!);
    expect(t.attached).toHaveLength(0);
    wrap.append(toolbar);
    await frames.flush();
    expect(t.attached).toHaveLength(1);
    stop();
  });

  it('a rescan after selector fixes finds editors by the new selector, and the rule and the observer use it from then on', async () => {
    const site = { ...x, editorSelector: '.editor-from-last-year' };
    const { composer: first, editor: firstEditor } = composerElement();
    document.body.append(first);
    const t = track();
    const stop = watchComposers(document, site, t.attach, { schedule: manualFrames().schedule });
    expect(t.attached).toHaveLength(0);

    site.editorSelector = x.editorSelector;
    stop.rescan();
    expect(t.attached).toEqual([firstEditor]);
    expect([...document.querySelectorAll('style')].map((s) => s.textContent).join('')).toContain(`:is(${x.editorSelector})`);
    const { composer: second, editor: secondEditor } = composerElement();
    document.body.append(second);
    await delivered();
    expect(t.attached).toEqual([firstEditor, secondEditor]);
    stop();
  });

  it('puts its rule back when the site replaces the head', async () => {
    const frames = manualFrames();
    const stop = watchComposers(document, x, track().attach, { schedule: frames.schedule });
    document.head.innerHTML = '<title>baru</title>';
    await new Promise((r) => setTimeout(r, 0));
    expect([...document.querySelectorAll('style')].some((s) => s.textContent?.includes(SEEN_ANIMATION))).toBe(true);
    stop();
  });
});
