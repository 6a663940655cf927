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

  /** A chat getting messages a frame at a time: `batches` mutation batches of 4 added and 4 removed rows. */
  async function chatChurn(batches: number) {
    const list = document.getElementById('timeline')!;
    for (let b = 0; b < batches; b++) {
      for (let i = 0; i < 4; i++) {
        list.append(post());
        if (list.children.length > 20) list.firstElementChild!.remove();
      }
      await delivered();
    }
  }

  it('many small batches that hold no composer (a chat churning a frame at a time) spend the budget too: the observer rests, and the style engine finds composers meanwhile', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
    const frames = manualFrames();
    const t = track();
    const stop = watchComposers(document, x, t.attach, { schedule: frames.schedule });
    await chatChurn(40);
    const checksWhenResting = t.checks();
    await chatChurn(5);
    // Resting: the churn's batches are not read, not even to sweep.
    expect(t.checks()).toBe(checksWhenResting);
    const { composer, editor } = composerElement();
    document.body.append(composer);
    await delivered();
    expect(t.attached).toHaveLength(0);
    seen(editor);
    expect(t.attached).toEqual([editor]);
    stop();
  });

  it('reading that finds composers is not charged: composers coming one after another in many small batches are all found from the mutation', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
    const frames = manualFrames();
    const t = track();
    const stop = watchComposers(document, x, t.attach, { schedule: frames.schedule });
    const main = document.querySelector('main')!;
    let last: HTMLElement | undefined;
    const editors: Element[] = [];
    for (let i = 0; i < 60; i++) {
      // A chat opened: its pane, with the message box, replaces the last one, beside other changes.
      const { composer, editor } = composerElement();
      last?.remove();
      main.append(composer, post(), post());
      last = composer;
      editors.push(editor);
      await delivered();
    }
    expect(t.attached).toEqual(editors);
    expect(t.detached).toEqual(editors.slice(0, -1));
    stop();
  });

  it('a rest grows while the churn goes on, sweeping once a second meanwhile; a calm page is read again at once', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
    const { composer: first, editor: firstEditor } = composerElement();
    document.body.append(first);
    const frames = manualFrames();
    const t = track();
    const stop = watchComposers(document, x, t.attach, { schedule: frames.schedule });
    await chatChurn(40);
    // The first rest: a second.
    await vi.advanceTimersByTimeAsync(1000);
    // Still churning: a few batches read, and a rest of two seconds.
    await chatChurn(10);
    first.remove();
    const { composer: second } = composerElement();
    document.body.append(second);
    await delivered();
    expect(t.attached).toEqual([firstEditor]);
    await vi.advanceTimersByTimeAsync(1000);
    // Swept while resting: the composer that left is detached; the new one is still unread.
    expect(t.detached).toEqual([firstEditor]);
    const { composer: third } = composerElement();
    document.body.append(third);
    await delivered();
    expect(t.attached).toEqual([firstEditor]);
    await vi.advanceTimersByTimeAsync(1000);
    // Read again: the churn stopped, a composer comes and is found from the mutation itself.
    const { composer: fourth, editor: fourthEditor } = composerElement();
    document.body.append(fourth);
    await delivered();
    expect(t.attached).toEqual([firstEditor, fourthEditor]);
    // The probe ended calm: a full second's budget again, more than a probe's.
    await vi.advanceTimersByTimeAsync(1000);
    await chatChurn(12);
    const { composer: fifth, editor: fifthEditor } = composerElement();
    document.body.append(fifth);
    await delivered();
    expect(t.attached).toEqual([firstEditor, fourthEditor, fifthEditor]);
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
