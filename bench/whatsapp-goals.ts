// The composer goals on WhatsApp Web's stand-in (real Lexical, tests/fixtures/whatsapp) in
// Chromium: 11 (Siar's script time while a chat churns), 12 (message box → button in its first
// frame), 13 (Insert → text in the message box; a picture → its caption in the media preview).
// Goal 4 (the content script's gzip size) covers WhatsApp through the manifest already.
import type { Page } from 'playwright-core';
import type { LaunchedChromium } from '../tests/e2e/support/chromium';
import type { FixtureApi } from '../tests/fixtures/whatsapp/main';
import { sleep } from './lib';
import { BUTTON_NAME, metrics, summariseProfile, type ChurnResult, type ComposerEntry, type InsertTiming } from './page-goals';

type WaWindow = Window & { __fixture: FixtureApi };

const CHATS = ['Grup Humas Kabupaten Contoh', 'Budi Santoso', 'Pengumuman ASN Dinas Kominfo'];
const MESSAGE_BOX = '#main footer [contenteditable="true"][data-lexical-editor="true"]';

async function openWhatsApp(browser: LaunchedChromium, withExtension: boolean): Promise<Page> {
  const page = await browser.context.newPage();
  await page.goto('https://web.whatsapp.com/');
  // Only the tab in front renders frames (and runs requestAnimationFrame).
  await page.bringToFront();
  await page.waitForFunction(() => Boolean((window as unknown as WaWindow).__fixture), undefined, { timeout: 15_000 });
  await page.evaluate((name) => (window as unknown as WaWindow).__fixture.openChat(name), CHATS[0]!);
  if (withExtension) await page.locator('#main footer').getByRole('button', { name: BUTTON_NAME }).waitFor({ timeout: 15_000 });
  return page;
}

// ---------------------------------------------------------------------------------------------
// 11. script time while the open chat churns

export async function measureWaChurn(browser: LaunchedChromium, opts: { perSecond: number; seconds: number }): Promise<ChurnResult> {
  const page = await openWhatsApp(browser, browser.extensionBase !== undefined);
  try {
    const cdp = await browser.context.newCDPSession(page);
    await cdp.send('Profiler.enable');
    await cdp.send('Profiler.setSamplingInterval', { interval: 100 });
    await cdp.send('Performance.enable', { timeDomain: 'threadTicks' });
    await page.evaluate((n) => void (window as unknown as WaWindow).__fixture.churn(n), opts.perSecond);
    await sleep(1000);
    const m0 = await metrics(cdp);
    const s0 = await page.evaluate(() => (window as unknown as WaWindow).__fixture.churnStats());
    await cdp.send('Profiler.start');
    await sleep(opts.seconds * 1000);
    const { profile } = (await cdp.send('Profiler.stop')) as { profile: Parameters<typeof summariseProfile>[0] };
    const m1 = await metrics(cdp);
    const s1 = await page.evaluate(() => (window as unknown as WaWindow).__fixture.stopChurn());
    await cdp.detach().catch(() => {});
    const summary = summariseProfile(profile, browser.extensionBase ? `${browser.extensionBase}/` : undefined);
    const d = (k: string) => ((m1[k] ?? 0) - (m0[k] ?? 0)) * 1000;
    return {
      ...summary,
      churnRate: (s1.added - s0.added) / summary.seconds,
      scriptDurationMs: d('ScriptDuration'),
      taskDurationMs: d('TaskDuration'),
      layoutMs: d('LayoutDuration'),
      styleMs: d('RecalcStyleDuration'),
    };
  } finally {
    await page.close().catch(() => {});
  }
}

// ---------------------------------------------------------------------------------------------
// 12. message box mounted (a chat opened) → button visible

/** Runs in the page: opens chats one after another; per message box, the frames it went without our button. */
async function chatCycles(arg: { n: number; chats: string[]; box: string }): Promise<ComposerEntry[]> {
  const fx = (window as unknown as WaWindow).__fixture;
  const frame = () => new Promise<number>((r) => requestAnimationFrame(() => setTimeout(() => r(performance.now()), 0)));
  const entries: ComposerEntry[] = [];
  for (let i = 0; i < arg.n; i++) {
    await frame();
    const t0 = performance.now();
    fx.openChat(arg.chats[(i + 1) % arg.chats.length]!);
    const editor = document.querySelector(arg.box);
    const entry: ComposerEntry = { kind: 'chat', t0 };
    for (let late = 0; late < 60; late++) {
      // Checked after the frame is painted: 0 means the button was painted with the message box.
      const end = await frame();
      entry.frameEnd ??= end;
      if (!editor?.isConnected) {
        entry.gone = true;
        break;
      }
      if (editor.closest('footer')?.querySelector('siar-composer')) {
        entry.framesLate = late;
        entry.t1 = performance.now();
        break;
      }
    }
    entries.push(entry);
  }
  return entries;
}

export async function measureWaButton(browser: LaunchedChromium, opts: { opens: number }): Promise<ComposerEntry[]> {
  const page = await openWhatsApp(browser, true);
  try {
    return await page.evaluate(chatCycles, { n: opts.opens, chats: CHATS, box: MESSAGE_BOX });
  } finally {
    await page.close().catch(() => {});
  }
}

// ---------------------------------------------------------------------------------------------
// 13. Insert clicked → the message box (text) or the preview's caption box (picture) holds the text

/**
 * Runs in the page once the panel is open: arms the measurement for the post `title` and returns
 * where its Sisipkan button is. From the trusted click's own timestamp to the first moment the
 * editor's model holds the text, checked on every mutation and every frame.
 */
async function armWaInsert(arg: {
  title: string;
  caption: boolean;
}): Promise<{ x: number; y: number; expected: string } | { error: string }> {
  const fx = (window as unknown as WaWindow).__fixture;
  const frame = () => new Promise<void>((r) => requestAnimationFrame(() => r()));
  const panel = () =>
    Array.from(document.querySelectorAll('siar-composer'))
      .map((h) => h.shadowRoot?.querySelector<HTMLElement>('.panel'))
      .find(Boolean);
  let li: Element | undefined;
  for (let i = 0; i < 300 && !li; i++) {
    li = Array.from(panel()?.querySelectorAll('li.panel-item') ?? []).find((x) => x.querySelector('h3')?.textContent === arg.title);
    if (!li) await frame();
  }
  if (!li) return { error: `no panel item "${arg.title}"` };
  const expected = li.querySelector('p.preview')?.textContent ?? '';
  const button = li.querySelector<HTMLElement>('button.insert')!;
  for (let i = 0; i < 60; i++) {
    await frame();
    const box = panel();
    const b = button.getBoundingClientRect();
    const area = box?.getBoundingClientRect();
    if (!area || (b.height > 0 && b.top >= Math.max(0, area.top) && b.bottom <= Math.min(innerHeight, area.bottom))) break;
    box!.scrollTop += b.top - area.top - area.height / 2;
  }
  await frame();
  const probe: { t0?: number; t1?: number; hit?: boolean } = {};
  (window as unknown as { __benchWa: typeof probe }).__benchWa = probe;
  const holds = () => fx.getParagraphs(arg.caption ? 'caption' : 'composer').join('\n') === expected;
  const mark = () => {
    if (probe.t0 !== undefined && probe.t1 === undefined && holds()) probe.t1 = performance.now();
  };
  const mo = new MutationObserver(mark);
  mo.observe(document.querySelector('.conversation')!, { childList: true, subtree: true, characterData: true });
  window.addEventListener(
    'click',
    (e) => {
      if (!e.isTrusted) return;
      probe.t0 = e.timeStamp;
      probe.hit = e.composedPath().includes(button);
      const poll = () => {
        mark();
        if (probe.t1 === undefined && performance.now() - probe.t0! < 10_000) requestAnimationFrame(poll);
        else mo.disconnect();
      };
      requestAnimationFrame(poll);
    },
    { capture: true, once: true },
  );
  const r = button.getBoundingClientRect();
  return { x: r.left + r.width / 2, y: r.top + r.height / 2, expected };
}

async function waOutcome(): Promise<{ ms: number; attachments: number; error?: string }> {
  const fx = (window as unknown as WaWindow).__fixture;
  const probe = (window as unknown as { __benchWa: { t0?: number; t1?: number; hit?: boolean } }).__benchWa;
  const frame = () => new Promise<void>((r) => requestAnimationFrame(() => r()));
  const panelOpen = () => Array.from(document.querySelectorAll('siar-composer')).some((h) => h.shadowRoot?.querySelector('.panel'));
  const end = performance.now() + 10_000;
  while (probe.hit !== false && probe.t1 === undefined && performance.now() < end) await frame();
  for (let i = 0; i < 360 && panelOpen(); i++) await frame();
  const attachments = fx.previewFiles().length;
  if (probe.t0 === undefined) return { ms: NaN, attachments, error: 'the click never arrived' };
  if (!probe.hit) return { ms: NaN, attachments, error: 'the click missed the Sisipkan button' };
  if (probe.t1 === undefined) return { ms: NaN, attachments, error: 'text never arrived' };
  return { ms: probe.t1 - probe.t0, attachments };
}

/** Inserts each of `titles` in turn with real (trusted) clicks, a fresh chat each time. */
export async function measureWaInsert(
  browser: LaunchedChromium,
  opts: { titles: { title: string; picture: boolean }[]; runs: number },
): Promise<{ timings: InsertTiming[]; errors: string[] }> {
  const page = await openWhatsApp(browser, true);
  const timings: InsertTiming[] = [];
  const errors: string[] = [];
  try {
    for (let i = 0; i < opts.runs; i++) {
      const { title, picture } = opts.titles[i % opts.titles.length]!;
      // Another chat: a fresh message box, and no preview left open.
      await page.evaluate((name) => (window as unknown as WaWindow).__fixture.openChat(name), CHATS[(i + 1) % CHATS.length]!);
      const trigger = page.locator('#main footer').getByRole('button', { name: BUTTON_NAME });
      await trigger.click();
      const armed = await page.evaluate(armWaInsert, { title, caption: picture });
      if ('error' in armed) {
        errors.push(`${title}: ${armed.error}`);
        continue;
      }
      await page.mouse.click(armed.x, armed.y);
      const r = await page.evaluate(waOutcome);
      if (r.error) errors.push(`${title}: ${r.error}`);
      else timings.push({ title, text: armed.expected, ms: r.ms, attachments: r.attachments });
    }
    return { timings, errors };
  } finally {
    await page.close().catch(() => {});
  }
}
