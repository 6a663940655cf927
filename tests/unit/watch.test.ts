// @vitest-environment happy-dom
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { SEEN_ANIMATION, watchComposers } from '@/utils/composer/watch';
import { x } from '@/utils/sites/x';

const home = readFileSync(path.join(__dirname, 'sites', 'x-home-2026-11.html'), 'utf8');
const composerHtml = home.slice(home.indexOf('<div data-testid="tweetTextarea_0_label">'), home.indexOf('<section'));

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

beforeEach(() => {
  document.head.innerHTML = '';
  document.body.innerHTML = '<main><section id="timeline"></section></main>';
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
    await frames.flush();
    expect(t.detached).toEqual([editor]);
    stop();
  });

  it('heavy churn costs one flag per mutation batch while composers are attached, nothing otherwise', async () => {
    const frames = manualFrames();
    const t = track();
    const stop = watchComposers(document, x, t.attach, { schedule: frames.schedule });
    const timeline = document.getElementById('timeline')!;
    const post = () => {
      const cell = document.createElement('div');
      cell.innerHTML = '<article data-testid="tweet"><div data-testid="tweetText">Berita</div></article>';
      return cell;
    };
    for (let i = 0; i < 2000; i++) {
      timeline.append(post());
      if (timeline.children.length > 50) timeline.firstElementChild!.remove();
    }
    await new Promise((r) => setTimeout(r, 0));
    expect(frames.pending).toBe(0);

    const composer = document.createElement('div');
    composer.innerHTML = composerHtml;
    timeline.before(composer);
    seen(composer.querySelector('[data-testid="tweetTextarea_0"]')!);
    for (let i = 0; i < 500; i++) timeline.append(post());
    await new Promise((r) => setTimeout(r, 0));
    expect(frames.pending).toBe(1);
    await frames.flush();
    expect(t.checks()).toBe(1);
    expect(t.detached).toHaveLength(0);
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

  it('puts its rule back when the site replaces the head', async () => {
    const frames = manualFrames();
    const stop = watchComposers(document, x, track().attach, { schedule: frames.schedule });
    document.head.innerHTML = '<title>baru</title>';
    await new Promise((r) => setTimeout(r, 0));
    expect([...document.querySelectorAll('style')].some((s) => s.textContent?.includes(SEEN_ANIMATION))).toBe(true);
    stop();
  });
});
