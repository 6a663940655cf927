// Goals 11 and 12, a post's video on the X fixture in Chromium: click "Sisipkan" → the 50 MB
// video attached in the composer, fetched from a loopback agency (its media store, byte ranges
// and CORS as agencies serve it), hashed and handed over; and the memory the browser takes
// meanwhile, as a multiple of the video's size. Memory is the resident size of every process of
// the browser (renderer, browser, network), sampled every 20 ms from /proc, its peak during the
// attach less the level just before the click: an upper bound on what Siar holds, since the
// composer's own preview of the file counts too (the fixture's "upload", which reads the whole
// file, is off for this).
import { closeSync, openSync, readdirSync, readFileSync, writeSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { launchChromium, type LaunchedChromium } from '../tests/e2e/support/chromium';
import { startAgency, useFeed } from '../tests/e2e/support/extension';
import type { FixtureServer } from '../tests/e2e/support/fixture-server';
import { feedWithVideos, makeVideo, storeVideo } from '../tests/e2e/support/videos';
import { preparePages, sleep } from './lib';

export const VIDEO_BENCH_BYTES = 50_000_000;
const TITLE = 'Video 50 MB untuk bench';

type Fx = { navigate(path: string): void; attachments(which?: number | Element): number };
type FxWindow = Window & { __fixture: Fx };

/** A valid MP4 of `bytes`: a short ffmpeg clip padded with a top-level `free` box (players skip it). */
async function bigVideo(bytes: number): Promise<{ file: string; remove(): Promise<void> }> {
  const clip = await makeVideo(2);
  const pad = bytes - clip.bytes.length;
  const fd = openSync(clip.file, 'a');
  try {
    const header = Buffer.alloc(8);
    header.writeUInt32BE(pad, 0);
    header.write('free', 4, 'latin1');
    writeSync(fd, header);
    const zeros = Buffer.alloc(1 << 20);
    for (let left = pad - 8; left > 0; left -= zeros.length) writeSync(fd, zeros, 0, Math.min(left, zeros.length));
  } finally {
    closeSync(fd);
  }
  return { file: clip.file, remove: clip.remove };
}

/** Resident bytes of the browser whose profile is `userDataDir`, all its processes together. */
function browserRss(userDataDir: string): number {
  const procs = new Map<number, { ppid: number; rss: number; ours: boolean }>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const rss = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${name}/status`, 'utf8'))?.[1] ?? 0) * 1024;
      const ours = readFileSync(`/proc/${name}/cmdline`, 'utf8').includes(`--user-data-dir=${userDataDir}`);
      procs.set(Number(name), { ppid, rss, ours });
    } catch {
      // The process ended meanwhile.
    }
  }
  const inTree = (pid: number): boolean => {
    for (let p = procs.get(pid), hops = 0; p && hops < 10; p = procs.get(p.ppid), hops++) if (p.ours) return true;
    return false;
  };
  let sum = 0;
  for (const [pid, p] of procs) if (inTree(pid)) sum += p.rss;
  return sum;
}

/** Runs in the page: the compose modal's Siar button, clicked; then where "Sisipkan" of `title` is, armed. */
async function armVideo(title: string): Promise<{ x: number; y: number } | { error: string }> {
  const frame = () => new Promise<void>((r) => requestAnimationFrame(() => r()));
  const fx = (window as unknown as FxWindow).__fixture;
  let li: Element | undefined;
  for (let i = 0; i < 300 && !li; i++) {
    li = Array.from(document.querySelectorAll('siar-composer'))
      .flatMap((h) => Array.from(h.shadowRoot?.querySelectorAll('li.panel-item') ?? []))
      .find((x) => x.querySelector('h3')?.textContent === title);
    if (!li) await frame();
  }
  if (!li) return { error: `no panel item "${title}"` };
  const button = li.querySelector<HTMLElement>('button.insert')!;
  button.scrollIntoView({ block: 'center' });
  await frame();
  const editor = document.querySelector('[role="dialog"] [data-testid^="tweetTextarea_"][contenteditable="true"]')!;
  const probe: { t0?: number; t1?: number } = {};
  (window as unknown as { __benchVideo: typeof probe }).__benchVideo = probe;
  window.addEventListener(
    'click',
    (e) => {
      if (!e.isTrusted || !e.composedPath().includes(button)) return;
      probe.t0 = e.timeStamp;
      const poll = () => {
        if (fx.attachments(editor) > 0) probe.t1 = performance.now();
        else if (performance.now() - probe.t0! < 30_000) requestAnimationFrame(poll);
      };
      requestAnimationFrame(poll);
    },
    { capture: true, once: true },
  );
  const r = button.getBoundingClientRect();
  return { x: r.left + r.width / 2, y: r.top + r.height / 2 };
}

async function trigger(page: Page): Promise<void> {
  await page.locator('[role="dialog"]').getByRole('button', { name: 'Sisipkan postingan resmi' }).click();
}

export interface VideoResult {
  bytes: number;
  /** Click → video in the composer, per run. */
  timings: number[];
  /** Peak browser RSS growth over the level before the click, per run, bytes. */
  peaks: number[];
  errors: string[];
}

export async function measureVideoAttach(extDir: string, fixtures: FixtureServer, runs: number): Promise<VideoResult> {
  const agency = await startAgency();
  const video = await bigVideo(VIDEO_BENCH_BYTES);
  let browser: LaunchedChromium | undefined;
  const out: VideoResult = { bytes: VIDEO_BENCH_BYTES, timings: [], peaks: [], errors: [] };
  try {
    const base = new URL(agency.feedUrl).origin;
    const stored = await storeVideo(agency.agency, base, video.file);
    agency.feed.body = feedWithVideos(base, [{ id: 'bench-video', title: TITLE, video: stored }]);
    browser = await launchChromium({ extensionDir: extDir, fixturePort: fixtures.port });
    await preparePages(browser.context);
    const options = await browser.context.newPage();
    await options.goto(`${browser.extensionBase}/options.html`);
    await useFeed(options, agency.feedUrl);
    await options.close();
    const page = await browser.context.newPage();
    await page.bringToFront();
    const cdp = await browser.context.newCDPSession(page);
    for (let i = 0; i < runs; i++) {
      // Each run from a fresh page, with the last run's file let go: its Blob's bytes leave the
      // browser once no page holds them, so the level before the click does not carry them.
      await page.goto('https://x.com/home');
      await page.evaluate(() => document.documentElement.setAttribute('data-fixture-no-upload', ''));
      await cdp.send('HeapProfiler.collectGarbage').catch(() => {});
      await sleep(1000);
      await page.evaluate(() => (window as unknown as FxWindow).__fixture.navigate('/compose/post'));
      await trigger(page);
      const armed = await page.evaluate(armVideo, TITLE);
      if ('error' in armed) {
        out.errors.push(armed.error);
        continue;
      }
      const before: number[] = [];
      for (let k = 0; k < 5; k++) {
        before.push(browserRss(browser.userDataDir));
        await sleep(20);
      }
      const level = before.sort((a, b) => a - b)[2]!;
      let peak = level;
      let sampling = true;
      const sampler = (async () => {
        while (sampling) {
          peak = Math.max(peak, browserRss(browser!.userDataDir));
          await sleep(20);
        }
      })();
      await page.mouse.click(armed.x, armed.y);
      const done = await page
        .waitForFunction(() => (window as unknown as { __benchVideo: { t1?: number } }).__benchVideo.t1 !== undefined, undefined, {
          timeout: 30_000,
        })
        .then(() => true)
        .catch(() => false);
      // The memory the attach leaves behind settles a moment later (the panel closing, the Blob's last copy).
      await sleep(300);
      sampling = false;
      await sampler;
      const probe = await page.evaluate(() => (window as unknown as { __benchVideo: { t0?: number; t1?: number } }).__benchVideo);
      if (!done || probe.t0 === undefined || probe.t1 === undefined) out.errors.push('the video never showed in the composer');
      else {
        out.timings.push(probe.t1 - probe.t0);
        out.peaks.push(peak - level);
      }
    }
    return out;
  } finally {
    await browser?.close().catch(() => {});
    await agency.agency.close().catch(() => {});
    await video.remove().catch(() => {});
  }
}
