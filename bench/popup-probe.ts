// Where the popup's first list spends its time, and two builds side by side in one run (the
// machine is shared: only ratios from the same run mean much). Each build in its own Chromium with
// the same 1,000-post feed cached; popup.html opened in fresh tabs, alternating between builds,
// one warm-up open each not counted; measured as the held-out check does (ext-goals.ts).
//   npx tsx bench/popup-probe.ts [--opens 12] <extDir> [<otherExtDir>]
import { bigFeed } from './feeds';
import { extensionPage, lastGrowth, popupFrameSampler, refreshUntil } from './ext-goals';
import { launchChromium, type LaunchedChromium } from '../tests/e2e/support/chromium';
import { startAgency, useFeed } from '../tests/e2e/support/extension';
import { p50, p95, sleep } from './lib';

const args = process.argv.slice(2);
const opensAt = args.indexOf('--opens');
const opens = opensAt >= 0 ? Number(args.splice(opensAt, 2)[1]) : 12;
const dirs = args.length ? args : ['.output/chrome-mv3'];

const agency = await startAgency();
agency.feed.body = bigFeed(new URL(agency.feedUrl).origin, 1000);
const browsers: LaunchedChromium[] = [];
try {
  for (const dir of dirs) {
    const browser = await launchChromium({ extensionDir: dir });
    browsers.push(browser);
    const options = await extensionPage(browser, 'options.html');
    await useFeed(options, agency.feedUrl);
    await refreshUntil(options, agency.feedUrl, 1000);
    await options.close();
  }
  const figures = dirs.map(() => [] as number[]);
  const marks = dirs.map(() => new Map<string, number[]>());
  for (let i = -1; i < opens; i++) {
    for (const [b, browser] of browsers.entries()) {
      const page = await browser.context.newPage();
      await page.setViewportSize({ width: 420, height: 600 });
      await page.addInitScript(popupFrameSampler);
      await page.goto(`${browser.extensionBase}/popup.html`);
      await page.bringToFront();
      await page.waitForFunction(() => document.querySelectorAll('article h2').length > 0, undefined, { polling: 20 });
      await sleep(1000);
      const got = await page.evaluate(() => ({
        frames: (window as unknown as { __benchFrames: { frames: { t: number; n: number }[] } }).__benchFrames.frames,
        marks: performance.getEntriesByType('mark').map((m) => [m.name, m.startTime] as const),
        paint: performance.getEntriesByType('paint').find((p) => p.name === 'first-contentful-paint')?.startTime ?? NaN,
      }));
      await page.close();
      if (i < 0) continue;
      figures[b]!.push(lastGrowth(got.frames).ms);
      for (const [name, t] of [...got.marks, ['first-contentful-paint', got.paint] as const]) {
        const list = marks[b]!.get(name) ?? [];
        list.push(t);
        marks[b]!.set(name, list);
      }
    }
  }
  for (const [b, dir] of dirs.entries()) {
    const f = figures[b]!;
    console.log(`${dir}: titles settled p50 ${p50(f).toFixed(1)} ms, p95 ${p95(f).toFixed(1)} ms over ${f.length} opens`);
    for (const [name, ts] of marks[b]!) console.log(`  ${name}: p50 ${p50(ts).toFixed(1)} ms`);
  }
  if (dirs.length === 2) console.log(`ratio (second / first), p50: ${(p50(figures[1]!) / p50(figures[0]!)).toFixed(2)}`);
} finally {
  for (const b of browsers) await b.close();
  await agency.agency.close();
}
setTimeout(() => process.exit(0), 500).unref();
