// @vitest-environment happy-dom
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { watchComposers } from '@/utils/composer/watch';
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
      await Promise.resolve();
      await new Promise((r) => setTimeout(r, 0));
      while (queue.length) queue.shift()!();
    },
  };
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
  document.body.innerHTML = '<main><section id="timeline"></section></main>';
});

describe('watchComposers', () => {
  it('finds composers present at start, once', async () => {
    document.body.innerHTML = home;
    const frames = manualFrames();
    const t = track();
    const stop = watchComposers(document, x, t.attach, { schedule: frames.schedule });
    expect(t.attached).toHaveLength(1);
    document.body.append(document.createElement('div'));
    await frames.flush();
    expect(t.attached).toHaveLength(1);
    stop();
    expect(t.detached).toHaveLength(1);
  });

  it('under heavy churn: batches to one flush per frame, finds a composer added mid-churn, drops it when removed', async () => {
    const frames = manualFrames();
    const t = track();
    const stop = watchComposers(document, x, t.attach, { schedule: frames.schedule });
    const timeline = document.getElementById('timeline')!;
    const post = () => {
      const cell = document.createElement('div');
      cell.dataset.testid = 'cellInnerDiv';
      cell.innerHTML = '<article data-testid="tweet"><div data-testid="tweetText">Berita</div><div role="group"><button>Balas</button></div></article>';
      return cell;
    };
    // 2,000 posts added and removed between two frames.
    for (let i = 0; i < 2000; i++) {
      timeline.append(post());
      if (timeline.children.length > 50) timeline.firstElementChild!.remove();
    }
    await Promise.resolve();
    await new Promise((r) => setTimeout(r, 0));
    expect(frames.pending).toBe(1);
    await frames.flush();
    expect(t.attached).toHaveLength(0);

    const composer = document.createElement('div');
    composer.innerHTML = composerHtml;
    timeline.before(composer);
    for (let i = 0; i < 500; i++) timeline.append(post());
    await frames.flush();
    expect(t.attached).toHaveLength(1);
    expect(t.attached[0]!.getAttribute('data-testid')).toBe('tweetTextarea_0');

    composer.remove();
    await frames.flush();
    expect(t.detached).toEqual(t.attached);
    stop();
  });

  it('waits for an editor whose toolbar renders later, and ignores our own nodes', async () => {
    const frames = manualFrames();
    const t = track();
    const ours = new Set<Node>();
    const stop = watchComposers(document, x, t.attach, { schedule: frames.schedule, isOurs: (n) => ours.has(n) });
    const wrap = document.createElement('div');
    wrap.innerHTML = composerHtml;
    const toolbar = wrap.querySelector('[data-testid="toolBar"]')!;
    toolbar.remove();
    document.body.append(wrap);
    await frames.flush();
    expect(t.attached).toHaveLength(0);
    wrap.append(toolbar);
    await frames.flush();
    expect(t.attached).toHaveLength(1);

    const mine = document.createElement('div');
    mine.innerHTML = composerHtml;
    ours.add(mine);
    document.body.append(mine);
    await frames.flush();
    expect(t.attached).toHaveLength(1);
    stop();
  });

  it('asks attached composers to check themselves after removals (button re-mount)', async () => {
    document.body.innerHTML = home;
    const frames = manualFrames();
    const t = track();
    const stop = watchComposers(document, x, t.attach, { schedule: frames.schedule });
    document.querySelector('[data-testid="cellInnerDiv"]')!.remove();
    await frames.flush();
    expect(t.checks()).toBe(1);
    stop();
  });
});
