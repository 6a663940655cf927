// Goals 14 and 15, a post's video on the X fixture in Chromium: click "Sisipkan" → the 50 MB
// video attached in the composer, fetched from a loopback agency (its media store, byte ranges
// and CORS as agencies serve it), hashed and handed over; and the memory taken meanwhile, as a
// multiple of the video's size. Memory is resident size from /proc, sampled every 20 ms: its peak
// during the attach less the level just before the click. Two kinds of run alternate:
// - "Siar's": the fixture composer only takes the file (its preview and its "upload", which reads
//   the whole file, are off). What grows is then what Siar holds (the content script's heap and
//   buffers, the Blob's bytes in the browser process, what passes on the way) plus the page's
//   File, which shares the Blob's bytes. This is the goal's figure.
// - "with the site's": the preview on, as x.com shows one; the media pipeline decoding the file
//   counts too. Printed beside it as an upper bound, and the goal 14 timings come from these.
// Beside the sums, from the same samples: the tab isolate's JS heap and ArrayBuffer bytes (CDP
// Runtime.getHeapUsage; the page's world shares the isolate with Siar's, and the fixture's own
// script is small) and the browser process, where Blob bytes are kept.
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

/** Resident bytes of the browser whose profile is `userDataDir`, per process kind (browser, renderer, gpu-process, utility, …). */
function browserRss(userDataDir: string): Map<string, number> {
  const procs = new Map<number, { ppid: number; rss: number; ours: boolean; kind: string }>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const rss = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${name}/status`, 'utf8'))?.[1] ?? 0) * 1024;
      const cmdline = readFileSync(`/proc/${name}/cmdline`, 'utf8');
      const ours = cmdline.includes(`--user-data-dir=${userDataDir}`);
      const kind = /--type=([\w-]+)/.exec(cmdline)?.[1] ?? 'browser';
      procs.set(Number(name), { ppid, rss, ours, kind });
    } catch {
      // The process ended meanwhile.
    }
  }
  const inTree = (pid: number): boolean => {
    for (let p = procs.get(pid), hops = 0; p && hops < 10; p = procs.get(p.ppid), hops++) if (p.ours) return true;
    return false;
  };
  const out = new Map<string, number>();
  for (const [pid, p] of procs) if (inTree(pid)) out.set(p.kind, (out.get(p.kind) ?? 0) + p.rss);
  return out;
}

const total = (m: Map<string, number>) => [...m.values()].reduce((a, b) => a + b, 0);

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

/** Growth over the level before the click, at its peak during one attach, bytes. */
export interface MemoryPeak {
  /** Every process of the browser together. */
  all: number;
  /** The browser process alone (where Blob bytes live). */
  browserProcess: number;
  /** The tab's V8 isolate: JS heap used plus ArrayBuffer backing stores. */
  tabHeap: number;
}

export interface VideoResult {
  bytes: number;
  /** Click → video in the composer, per run with the site's preview on. */
  timings: number[];
  /** Runs where the composer only takes the file: what Siar holds (and the page's File sharing it). */
  siar: MemoryPeak[];
  /** Runs with the composer's preview on: an upper bound. */
  withSite: MemoryPeak[];
  errors: string[];
}

export async function measureVideoAttach(extDir: string, fixtures: FixtureServer, runs: number): Promise<VideoResult> {
  const agency = await startAgency();
  const video = await bigVideo(VIDEO_BENCH_BYTES);
  let browser: LaunchedChromium | undefined;
  const out: VideoResult = { bytes: VIDEO_BENCH_BYTES, timings: [], siar: [], withSite: [], errors: [] };
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
    const heap = async () => {
      const h = await cdp.send('Runtime.getHeapUsage');
      return h.usedSize + h.backingStorageSize;
    };
    // `runs` of each kind, alternating, so both see the same state of a shared machine.
    for (let i = 0; i < 2 * runs; i++) {
      const withSite = i % 2 === 0;
      // Each run from a fresh page, with the last run's file let go: its Blob's bytes leave the
      // browser once no page holds them, so the level before the click does not carry them.
      await page.goto('https://x.com/home');
      await page.evaluate((preview) => {
        document.documentElement.setAttribute('data-fixture-no-upload', '');
        if (!preview) document.documentElement.setAttribute('data-fixture-no-preview', '');
      }, withSite);
      await cdp.send('HeapProfiler.collectGarbage').catch(() => {});
      await sleep(1000);
      await page.evaluate(() => (window as unknown as FxWindow).__fixture.navigate('/compose/post'));
      await trigger(page);
      const armed = await page.evaluate(armVideo, TITLE);
      if ('error' in armed) {
        out.errors.push(armed.error);
        continue;
      }
      const before: { all: number; browserProcess: number; tabHeap: number }[] = [];
      for (let k = 0; k < 5; k++) {
        const m = browserRss(browser.userDataDir);
        before.push({ all: total(m), browserProcess: m.get('browser') ?? 0, tabHeap: await heap() });
        await sleep(20);
      }
      const median = (key: keyof MemoryPeak) => before.map((b) => b[key]).sort((a, b) => a - b)[2]!;
      const level: MemoryPeak = { all: median('all'), browserProcess: median('browserProcess'), tabHeap: median('tabHeap') };
      const peak: MemoryPeak = { ...level };
      let sampling = true;
      const sampler = (async () => {
        while (sampling) {
          const m = browserRss(browser!.userDataDir);
          peak.all = Math.max(peak.all, total(m));
          peak.browserProcess = Math.max(peak.browserProcess, m.get('browser') ?? 0);
          // Not in timed runs: the question is answered on the renderer's main thread, between Siar's own tasks.
          if (!withSite) peak.tabHeap = Math.max(peak.tabHeap, await heap().catch(() => 0));
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
      if (!done || probe.t0 === undefined || probe.t1 === undefined) {
        out.errors.push('the video never showed in the composer');
        continue;
      }
      const grown: MemoryPeak = {
        all: peak.all - level.all,
        browserProcess: peak.browserProcess - level.browserProcess,
        tabHeap: peak.tabHeap - level.tabHeap,
      };
      if (withSite) {
        out.timings.push(probe.t1 - probe.t0);
        out.withSite.push(grown);
      } else out.siar.push(grown);
    }
    return out;
  } finally {
    await browser?.close().catch(() => {});
    await agency.agency.close().catch(() => {});
    await video.remove().catch(() => {});
  }
}
