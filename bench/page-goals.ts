// Goals measured on the X fixture (real React 18 + Draft.js) in Chromium: 1 (script time under
// churn), 2 (composer → button), 3 (Insert → editor model), 10 (memory after 1,000 composers).
// Each takes the browser to measure; the baselines run the same code in a browser without Siar.
import type { CDPSession, Page } from 'playwright-core';
import type { LaunchedChromium } from '../tests/e2e/support/chromium';
import { sleep } from './lib';

type Fixture = {
  churn(n: number): { added: number };
  stopChurn(): { added: number; removed: number };
  churnStats(): { added: number; removed: number };
  navigate(path: string): void;
  getText(which?: number | Element): string;
  attachments(which?: number | Element): number;
};
type FxWindow = Window & { __fixture: Fixture };

export const BUTTON_NAME = 'Sisipkan postingan resmi';

async function openX(browser: LaunchedChromium, path: string, withExtension: boolean): Promise<Page> {
  const page = await browser.context.newPage();
  await page.goto(`https://x.com${path}`);
  // Only the tab in front renders frames (and runs requestAnimationFrame).
  await page.bringToFront();
  await page.waitForFunction(() => Boolean((window as unknown as FxWindow).__fixture), undefined, { timeout: 15_000 });
  if (withExtension) await page.getByRole('button', { name: BUTTON_NAME }).first().waitFor({ timeout: 15_000 });
  return page;
}

// ---------------------------------------------------------------------------------------------
// 1. script time while the timeline churns

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples?: number[];
  timeDeltas?: number[];
}

export interface ProfileSummary {
  /** Profile length, s. */
  seconds: number;
  /** Non-idle, non-"(program)" time: JavaScript and GC, every world of the page, ms. */
  jsMs: number;
  /** Self time in frames whose script is the extension's, ms. */
  extSelfMs: number;
  /** Time with an extension frame anywhere on the stack (includes DOM calls it makes), ms. */
  extInclusiveMs: number;
  /** The extension's hottest functions by inclusive time. */
  extTop: { fn: string; selfMs: number; inclusiveMs: number }[];
  samples: number;
  /** Samples followed by a gap longer than MAX_SAMPLE_US (the sampler was late), charged MAX_SAMPLE_US. */
  gapped: number;
}

/** The profiles are sampled every 100 µs. */
const MAX_SAMPLE_US = 1000;

export function summariseProfile(profile: CpuProfile, extPrefix: string | undefined): ProfileSummary {
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const isExt = (n: ProfileNode) => extPrefix !== undefined && n.callFrame.url.startsWith(extPrefix);
  const label = (n: ProfileNode) =>
    `${n.callFrame.functionName || '(anonymous)'} ${n.callFrame.url.replace(extPrefix ?? '', '')}:${n.callFrame.lineNumber + 1}:${n.callFrame.columnNumber + 1}`;
  // Extension frames on each node's stack (deduplicated by label, so recursion counts once).
  const stackExt = new Map<number, string[]>();
  const extOnStack = (id: number): string[] => {
    const known = stackExt.get(id);
    if (known) return known;
    const n = nodes.get(id)!;
    const up = parent.has(id) ? extOnStack(parent.get(id)!) : [];
    const mine = isExt(n) && !up.includes(label(n)) ? [...up, label(n)] : up;
    stackExt.set(id, mine);
    return mine;
  };
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  let idle = 0;
  let program = 0;
  let total = 0;
  let extSelf = 0;
  let extIncl = 0;
  let gapped = 0;
  const self = new Map<string, number>();
  const incl = new Map<string, number>();
  for (let i = 0; i < samples.length; i++) {
    // A sample lasts until the next one (DevTools' rule); the last one until the profile ends.
    let dt = i + 1 < deltas.length ? deltas[i + 1]! : 0;
    if (dt < 0) dt = 0;
    // …but no longer than ten sampling intervals: a longer gap means the sampler itself was not
    // scheduled (a busy machine), and charging the whole gap to the one frame it then caught would
    // turn a 1 µs call into milliseconds. Work that really runs long is caught by many samples.
    if (dt > MAX_SAMPLE_US) {
      gapped++;
      dt = MAX_SAMPLE_US;
    }
    const n = nodes.get(samples[i]!);
    if (!n) continue;
    total += dt;
    const name = n.callFrame.functionName;
    if (name === '(idle)') idle += dt;
    else if (name === '(program)') program += dt;
    if (isExt(n)) {
      extSelf += dt;
      self.set(label(n), (self.get(label(n)) ?? 0) + dt);
    }
    const stack = extOnStack(n.id);
    if (stack.length > 0) extIncl += dt;
    for (const l of stack) incl.set(l, (incl.get(l) ?? 0) + dt);
  }
  const extTop = [...incl.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 8)
    .map(([fn, us]) => ({ fn, selfMs: (self.get(fn) ?? 0) / 1000, inclusiveMs: us / 1000 }));
  return {
    seconds: (profile.endTime - profile.startTime) / 1e6,
    jsMs: (total - idle - program) / 1000,
    extSelfMs: extSelf / 1000,
    extInclusiveMs: extIncl / 1000,
    extTop,
    samples: samples.length,
    gapped,
  };
}

export async function metrics(cdp: CDPSession): Promise<Record<string, number>> {
  const { metrics: list } = (await cdp.send('Performance.getMetrics')) as { metrics: { name: string; value: number }[] };
  return Object.fromEntries(list.map((m) => [m.name, m.value]));
}

export interface ChurnResult extends ProfileSummary {
  /** Posts added per second while profiled (the fixture's own count). */
  churnRate: number;
  /** Performance.getMetrics deltas over the profile, ms: the renderer main thread. */
  scriptDurationMs: number;
  taskDurationMs: number;
  layoutMs: number;
  styleMs: number;
}

/** X home timeline churning `perSecond` posts a second; CPU profile over `seconds`. */
export async function measureChurn(
  browser: LaunchedChromium,
  opts: { perSecond: number; seconds: number; warmupMs?: number },
): Promise<ChurnResult> {
  const withExtension = browser.extensionBase !== undefined;
  const page = await openX(browser, '/home', withExtension);
  try {
    const cdp = await browser.context.newCDPSession(page);
    await cdp.send('Profiler.enable');
    await cdp.send('Profiler.setSamplingInterval', { interval: 100 });
    await cdp.send('Performance.enable', { timeDomain: 'threadTicks' });
    await page.evaluate((n) => void (window as unknown as FxWindow).__fixture.churn(n), opts.perSecond);
    await sleep(opts.warmupMs ?? 1000);
    const m0 = await metrics(cdp);
    const s0 = await page.evaluate(() => (window as unknown as FxWindow).__fixture.churnStats());
    await cdp.send('Profiler.start');
    await sleep(opts.seconds * 1000);
    const { profile } = (await cdp.send('Profiler.stop')) as { profile: CpuProfile };
    const m1 = await metrics(cdp);
    const s1 = await page.evaluate(() => (window as unknown as FxWindow).__fixture.stopChurn());
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
// 2. composer attached → button visible

export interface ComposerEntry {
  kind: string;
  t0: number;
  /** When the `siar-composer` host with its button was seen in the composer. */
  t1?: number;
  /** End of the first frame rendered after the composer was inserted. */
  frameEnd?: number;
  /** Frames rendered without the button after the composer's first one (0 = same frame). */
  framesLate?: number;
  gone?: boolean;
}

/**
 * Init script for the X page's MAIN world, from document start: records when each editor is
 * inserted, when the Siar button appears in its composer, and after how many rendered frames.
 * A check posted from a requestAnimationFrame callback runs after that frame's style, layout and
 * paint, so "button there at the first check" means it was painted with the composer.
 */
export function composerRecorder(): void {
  const EDITOR = '[data-testid^="tweetTextarea_"][contenteditable="true"]';
  const rec = { kind: 'load', entries: [] as ComposerEntry[] };
  (window as unknown as { __benchComposers: typeof rec }).__benchComposers = rec;
  const live = new Map<Element, ComposerEntry>();
  const rootOf = (ed: Element): Element | null => {
    let n = ed.parentElement;
    for (let i = 0; n && i < 30; i++, n = n.parentElement) if (n.querySelector('[data-testid="toolBar"]')) return n;
    return null;
  };
  const hasButton = (ed: Element) => {
    const host = rootOf(ed)?.querySelector('siar-composer');
    return Boolean(host?.shadowRoot?.querySelector('button'));
  };
  const watchFrames = (ed: Element, e: ComposerEntry) => {
    let frames = 0;
    const tick = () =>
      requestAnimationFrame(() =>
        setTimeout(() => {
          frames++;
          if (e.frameEnd === undefined) e.frameEnd = performance.now();
          if (hasButton(ed)) {
            e.framesLate = frames - 1;
            if (e.t1 === undefined) e.t1 = performance.now();
          } else if (!ed.isConnected) e.gone = true;
          else if (frames < 600) tick();
        }, 0),
      );
    tick();
  };
  const added = (el: Element) => {
    const editors = el.matches(EDITOR) ? [el] : Array.from(el.querySelectorAll(EDITOR));
    for (const ed of editors) {
      if (live.has(ed)) continue;
      const e: ComposerEntry = { kind: rec.kind, t0: performance.now() };
      live.set(ed, e);
      rec.entries.push(e);
      watchFrames(ed, e);
    }
    if (el.localName === 'siar-composer' || el.querySelector('siar-composer')) {
      for (const [ed, e] of live) if (e.t1 === undefined && hasButton(ed)) e.t1 = performance.now();
    }
  };
  new MutationObserver((records) => {
    for (const r of records) for (const n of Array.from(r.addedNodes)) if (n.nodeType === 1) added(n as Element);
  }).observe(document, { childList: true, subtree: true });
}

/**
 * Runs in the page: `n` client-side composer arrivals, alternating the compose modal (opened and
 * closed; its editor takes focus) and a route change to a post page and back (the reply composer
 * and then the home composer mount unfocused, as after any SPA navigation).
 */
export async function spaComposerCycles(n: number): Promise<void> {
  const rec = (window as unknown as { __benchComposers: { kind: string; entries: ComposerEntry[] } }).__benchComposers;
  const fx = (window as unknown as FxWindow).__fixture;
  const frame = () => new Promise<void>((r) => requestAnimationFrame(() => r()));
  const until = async (cond: () => boolean, maxFrames = 120) => {
    for (let i = 0; i < maxFrames && !cond(); i++) await frame();
    return cond();
  };
  const settled = (from: number) => () =>
    rec.entries.length > from && rec.entries.slice(from).every((e) => e.framesLate !== undefined || e.gone);
  for (let i = 0; i < n; i++) {
    let before = rec.entries.length;
    if (i % 2 === 0) {
      rec.kind = 'modal';
      fx.navigate('/compose/post');
      await until(settled(before));
      history.back();
      await until(() => !document.querySelector('[role="dialog"]'));
    } else {
      rec.kind = 'route';
      fx.navigate(`/siar_demo/status/${1000 + i}`);
      await until(settled(before));
      before = rec.entries.length;
      history.back();
      await until(settled(before));
    }
    await frame();
    await frame();
  }
}

export async function measureComposerButton(
  browser: LaunchedChromium,
  opts: { loads: number; spaOpens: number },
): Promise<ComposerEntry[]> {
  const page = await browser.context.newPage();
  try {
    await page.addInitScript(composerRecorder);
    await page.bringToFront();
    const all: ComposerEntry[] = [];
    const settled = () =>
      page.waitForFunction(
        () => {
          const r = (window as unknown as { __benchComposers?: { entries: ComposerEntry[] } }).__benchComposers;
          return Boolean(r && r.entries.length > 0 && r.entries.every((e) => e.framesLate !== undefined || e.gone));
        },
        undefined,
        { timeout: 15_000, polling: 50 },
      );
    const take = async () => {
      const entries = await page.evaluate(
        () => (window as unknown as { __benchComposers: { entries: ComposerEntry[] } }).__benchComposers.entries,
      );
      all.push(...entries);
    };
    // Composers present at page load: the inline one on /home; inline + modal on /compose/post.
    for (let i = 0; i < opts.loads; i++) {
      await page.goto(i % 3 === 2 ? 'https://x.com/compose/post' : 'https://x.com/home');
      await settled();
      await take();
    }
    // Composers that come later, client-side: X's compose modal, and route changes.
    await page.goto('https://x.com/home');
    await settled();
    await page.evaluate(() => {
      (window as unknown as { __benchComposers: { entries: ComposerEntry[] } }).__benchComposers.entries.length = 0;
    });
    await page.evaluate(spaComposerCycles, opts.spaOpens);
    await take();
    return all;
  } finally {
    await page.close().catch(() => {});
  }
}

// ---------------------------------------------------------------------------------------------
// 3. Insert clicked → the editor's model holds the text

export interface InsertTiming {
  title: string;
  /** The text Siar inserted (the panel's preview of it). */
  text: string;
  ms: number;
  attachments: number;
}

type Rect = { x: number; y: number };
interface InsertProbe {
  t0?: number;
  t1?: number;
  expected: string;
  /** The click landed on the armed Sisipkan button. */
  hit?: boolean;
  missed?: string;
}

/** Runs in the page, compose modal open: where the Siar button of the dialog's composer is. */
async function triggerPoint(): Promise<Rect | { error: string }> {
  const frame = () => new Promise<void>((r) => requestAnimationFrame(() => r()));
  for (let i = 0; i < 180; i++) {
    const b = document.querySelector('[role="dialog"] siar-composer')?.shadowRoot?.querySelector<HTMLElement>('button.trigger');
    const r = b?.getBoundingClientRect();
    if (r && r.width > 0) return { x: r.left + r.width / 2, y: r.top + r.height / 2 };
    await frame();
  }
  return { error: 'no Siar button in the dialog' };
}

/**
 * Runs in the page once the panel is open: finds the post `title`, returns where its Sisipkan
 * button is, and arms the measurement: the (trusted) click event's own timestamp, then the first
 * moment the editor's model holds the text, checked on every editor mutation and every frame.
 */
async function armInsert(arg: { title: string; site: InsertSite }): Promise<(Rect & { expected: string }) | { error: string }> {
  const fx = (window as unknown as FxWindow).__fixture;
  const frame = () => new Promise<void>((r) => requestAnimationFrame(() => r()));
  const panel = () =>
    Array.from(document.querySelectorAll('siar-composer'))
      .map((h) => h.shadowRoot?.querySelector('.panel'))
      .find(Boolean);
  let li: Element | undefined;
  for (let i = 0; i < 300 && !li; i++) {
    li = Array.from(panel()?.querySelectorAll('li.panel-item') ?? []).find((x) => x.querySelector('h3')?.textContent === arg.title);
    if (!li) await frame();
  }
  if (!li) return { error: `no panel item "${arg.title}"` };
  const expected = li.querySelector('p.preview')?.textContent ?? '';
  const button = li.querySelector<HTMLElement>('button.insert')!;
  // The panel places itself after rendering: let it settle, then scroll the post into its middle,
  // as a user would before clicking.
  let inView = false;
  for (let i = 0; i < 60 && !inView; i++) {
    await frame();
    const box = panel() as HTMLElement | undefined;
    if (!box || !button.isConnected) break;
    const b = button.getBoundingClientRect();
    const area = box.getBoundingClientRect();
    inView = b.height > 0 && b.top >= Math.max(0, area.top) && b.bottom <= Math.min(innerHeight, area.bottom);
    if (!inView) box.scrollTop += b.top - area.top - area.height / 2;
  }
  if (!inView) return { error: `could not bring "${arg.title}" into view in the panel` };
  await frame();
  const editor = document.querySelector(
    arg.site === 'x'
      ? '[role="dialog"] [data-testid^="tweetTextarea_"][contenteditable="true"]'
      : '[role="dialog"] [role="textbox"][contenteditable="true"][data-lexical-editor="true"]',
  );
  if (!editor) return { error: 'no dialog editor' };
  const probe: InsertProbe = { expected };
  (window as unknown as { __benchInsert: InsertProbe }).__benchInsert = probe;
  // Each fixture's own model: Draft's plain text; Lexical's paragraphs, one per line as pasted.
  const fb = fx as unknown as { getParagraphs(): string[] };
  const holds = () => {
    try {
      return arg.site === 'x' ? fx.getText(editor) === expected : fb.getParagraphs().join('\n') === expected;
    } catch {
      return false;
    }
  };
  const mark = () => {
    if (probe.t0 !== undefined && probe.t1 === undefined && holds()) probe.t1 = performance.now();
  };
  // Draft re-renders the editor when its model changes: each mutation is a chance to look, and
  // every frame is another.
  const mo = new MutationObserver(mark);
  mo.observe(editor, { childList: true, subtree: true, characterData: true });
  window.addEventListener(
    'click',
    (e) => {
      if (!e.isTrusted) return;
      probe.t0 = e.timeStamp;
      probe.hit = e.composedPath().includes(button);
      if (!probe.hit) {
        const el = e.composedPath()[0] as Element;
        const r = button.getBoundingClientRect();
        probe.missed = `hit <${el.localName} class="${el.className}">${(el.textContent ?? '').slice(0, 40)}; button now at ${Math.round(r.left)},${Math.round(r.top)} ${Math.round(r.width)}×${Math.round(r.height)}, click at ${e.clientX},${e.clientY}, viewport ${innerWidth}×${innerHeight}`;
      }
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

/** Runs in the page after the click: the measurement, once Siar is done (its panel closed). */
async function insertOutcome(site: InsertSite): Promise<{ ms: number; attachments: number; error?: string }> {
  const fx = (window as unknown as FxWindow).__fixture;
  const probe = (window as unknown as { __benchInsert: InsertProbe }).__benchInsert;
  const frame = () => new Promise<void>((r) => requestAnimationFrame(() => r()));
  const panelOpen = () => Array.from(document.querySelectorAll('siar-composer')).some((h) => h.shadowRoot?.querySelector('.panel'));
  const end = performance.now() + 10_000;
  while (probe.hit !== false && probe.t1 === undefined && performance.now() < end) await frame();
  // Let Siar finish (verification, history record, the panel closing) before the next one.
  for (let i = 0; i < 360 && panelOpen(); i++) await frame();
  const editor = document.querySelector('[role="dialog"] [data-testid^="tweetTextarea_"][contenteditable="true"]');
  const attachments = site === 'facebook' ? fx.attachments() : editor ? fx.attachments(editor) : 0;
  if (probe.t0 === undefined) return { ms: NaN, attachments, error: 'the click never arrived' };
  if (!probe.hit) return { ms: NaN, attachments, error: `the click missed the Sisipkan button: ${probe.missed ?? ''}` };
  if (probe.t1 === undefined) return { ms: NaN, attachments, error: 'text never arrived' };
  return { ms: probe.t1 - probe.t0, attachments };
}

/** Opens the Siar panel of the compose modal and inserts `title` with real (trusted) clicks. */
async function insertFromPanel(
  page: Page,
  title: string,
  site: InsertSite = 'x',
): Promise<{ ms: number; attachments: number; text?: string; error?: string }> {
  const trigger = await page.evaluate(triggerPoint);
  if ('error' in trigger) return { ms: NaN, attachments: 0, error: trigger.error };
  await page.mouse.click(trigger.x, trigger.y);
  const armed = await page.evaluate(armInsert, { title, site });
  if ('error' in armed) return { ms: NaN, attachments: 0, error: armed.error };
  await page.mouse.click(armed.x, armed.y);
  const r = await page.evaluate(insertOutcome, site);
  return { ...r, text: armed.expected };
}

/** Runs in the page without Siar: what Draft itself takes for the same paste (the floor). */
async function directPaste(arg: { text: string; picture?: string }): Promise<{ ms: number; attachments: number; error?: string }> {
  const fx = (window as unknown as FxWindow).__fixture;
  const frame = () => new Promise<void>((r) => requestAnimationFrame(() => r()));
  const until = async <T>(get: () => T | undefined | null | false, maxMs: number): Promise<T | undefined> => {
    const end = performance.now() + maxMs;
    for (;;) {
      const v = get();
      if (v) return v;
      if (performance.now() > end) return undefined;
      await frame();
    }
  };
  const editor = await until(
    () => document.querySelector<HTMLElement>('[role="dialog"] [data-testid^="tweetTextarea_"][contenteditable="true"]'),
    3000,
  );
  if (!editor) return { ms: NaN, attachments: 0, error: 'no dialog editor' };
  const paste = (fill: (dt: DataTransfer) => void) => {
    const dt = new DataTransfer();
    fill(dt);
    const ev = new ClipboardEvent('paste', { bubbles: true, cancelable: true, composed: true });
    Object.defineProperty(ev, 'clipboardData', { value: dt });
    editor.dispatchEvent(ev);
  };
  const caret = async () => {
    const seen = new Promise<void>((resolve) => {
      document.addEventListener('selectionchange', () => resolve(), { once: true });
      setTimeout(() => requestAnimationFrame(() => resolve()), 0);
    });
    editor.focus();
    const sel = getSelection()!;
    sel.selectAllChildren(editor);
    sel.collapseToEnd();
    await seen;
  };
  const holds = () => fx.getText(editor) === arg.text;
  let t1: number | undefined;
  const mo = new MutationObserver(() => {
    if (t1 === undefined && holds()) t1 = performance.now();
  });
  mo.observe(editor, { childList: true, subtree: true, characterData: true });
  const t0 = performance.now();
  if (arg.picture) {
    const bytes = Uint8Array.from(atob(arg.picture), (c) => c.charCodeAt(0));
    await caret();
    paste((dt) => dt.items.add(new File([bytes], 'gambar.png', { type: 'image/png' })));
    await until(() => fx.attachments(editor) > 0, 3000);
  }
  await caret();
  paste((dt) => dt.setData('text/plain', arg.text));
  await until(() => t1 !== undefined || (holds() && (t1 = performance.now()) !== undefined), 5000);
  mo.disconnect();
  return t1 === undefined
    ? { ms: NaN, attachments: fx.attachments(editor), error: 'text never arrived' }
    : { ms: t1 - t0, attachments: fx.attachments(editor) };
}

async function closeModal(page: Page): Promise<void> {
  await page.evaluate(async () => {
    history.back();
    for (let i = 0; i < 120 && document.querySelector('[role="dialog"]'); i++) await new Promise((r) => requestAnimationFrame(r));
  });
}

/** The composers goal 3 inserts into: X's compose modal (Draft.js), Facebook's post dialog (Lexical). */
export type InsertSite = 'x' | 'facebook';

async function openFacebook(browser: LaunchedChromium): Promise<Page> {
  const page = await browser.context.newPage();
  await page.goto('https://www.facebook.com/');
  await page.bringToFront();
  await page.waitForFunction(() => Boolean((window as unknown as FxWindow).__fixture), undefined, { timeout: 15_000 });
  return page;
}

export async function measureInsert(
  browser: LaunchedChromium,
  opts: { titles: string[]; runs: number; site?: InsertSite },
): Promise<{ timings: InsertTiming[]; errors: string[] }> {
  const site = opts.site ?? 'x';
  const page = site === 'x' ? await openX(browser, '/home', true) : await openFacebook(browser);
  const timings: InsertTiming[] = [];
  const errors: string[] = [];
  try {
    for (let i = 0; i < opts.runs; i++) {
      const title = opts.titles[i % opts.titles.length]!;
      if (site === 'x') await page.evaluate(() => (window as unknown as FxWindow).__fixture.navigate('/compose/post'));
      else await page.evaluate(() => (window as unknown as { __fixture: { openComposer(): void } }).__fixture.openComposer());
      const r = await insertFromPanel(page, title, site);
      if (r.error) errors.push(`${site} ${title}: ${r.error}`);
      else timings.push({ title, text: r.text ?? '', ms: r.ms, attachments: r.attachments });
      if (site === 'x') await closeModal(page);
      else
        await page.evaluate(async () => {
          document.querySelector<HTMLElement>('[role="dialog"] [aria-label="Close"]')?.click();
          for (let k = 0; k < 120 && document.querySelector('[role="dialog"]'); k++) await new Promise((r) => requestAnimationFrame(r));
        });
    }
    return { timings, errors };
  } finally {
    await page.close().catch(() => {});
  }
}

export async function measureDirectPaste(
  browser: LaunchedChromium,
  opts: { texts: string[]; picture?: string; runs: number },
): Promise<{ timings: number[]; errors: string[] }> {
  const page = await openX(browser, '/home', false);
  const timings: number[] = [];
  const errors: string[] = [];
  try {
    for (let i = 0; i < opts.runs; i++) {
      await page.evaluate(() => (window as unknown as FxWindow).__fixture.navigate('/compose/post'));
      const r = await page.evaluate(directPaste, { text: opts.texts[i % opts.texts.length]!, picture: opts.picture });
      if (r.error) errors.push(r.error);
      else timings.push(r.ms);
      await closeModal(page);
    }
    return { timings, errors };
  } finally {
    await page.close().catch(() => {});
  }
}

// ---------------------------------------------------------------------------------------------
// 10. memory after 1,000 composer open/close cycles

/** Runs in the page: `n` compose-modal open/close cycles, one frame each way at least. */
async function modalCycles(arg: { n: number; waitForButton: boolean }): Promise<{ done: number; missed: number }> {
  const fx = (window as unknown as FxWindow).__fixture;
  const frame = () => new Promise<void>((r) => requestAnimationFrame(() => r()));
  let missed = 0;
  for (let i = 0; i < arg.n; i++) {
    fx.navigate('/compose/post');
    let ok = false;
    for (let f = 0; f < 60; f++) {
      await frame();
      const dialog = document.querySelector('[role="dialog"]');
      ok = Boolean(dialog && (!arg.waitForButton || dialog.querySelector('siar-composer')));
      if (ok) break;
    }
    if (!ok) missed++;
    history.back();
    for (let f = 0; f < 60 && document.querySelector('[role="dialog"]'); f++) await new Promise((r) => setTimeout(r, 0));
  }
  await frame();
  await frame();
  return { done: arg.n, missed };
}

export interface MemorySample {
  /** Isolate-wide JS heap after forced GC (content scripts share the page's isolate), bytes. */
  heapUsed: number;
  /** Renderer counters from Performance.getMetrics. */
  nodes: number;
  listeners: number;
  /** In the extension's isolated world: HTMLElement wrappers it holds, how many detached, how many hosts. */
  isolated?: { elements: number; detached: number; hosts: number; abortListeners: number };
}

async function gc(cdp: CDPSession): Promise<void> {
  for (let i = 0; i < 3; i++) {
    await cdp.send('HeapProfiler.collectGarbage');
    await sleep(100);
  }
}

async function sampleMemory(cdp: CDPSession, isolatedContextId: number | undefined): Promise<MemorySample> {
  await gc(cdp);
  const usage = (await cdp.send('Runtime.getHeapUsage')) as { usedSize: number };
  const m = await metrics(cdp);
  const out: MemorySample = { heapUsed: usage.usedSize, nodes: m.Nodes ?? NaN, listeners: m.JSEventListeners ?? NaN };
  if (isolatedContextId !== undefined) {
    const group = 'siar-bench';
    const query = async (expr: string) => {
      const proto = (await cdp.send('Runtime.evaluate', { expression: expr, contextId: isolatedContextId, objectGroup: group })) as {
        result: { objectId?: string };
      };
      const found = (await cdp.send('Runtime.queryObjects', { prototypeObjectId: proto.result.objectId!, objectGroup: group })) as {
        objects: { objectId?: string };
      };
      return found.objects.objectId!;
    };
    const elements = await query('HTMLElement.prototype');
    const counted = (await cdp.send('Runtime.callFunctionOn', {
      objectId: elements,
      functionDeclaration:
        'function () { let n = 0, d = 0, h = 0; for (const e of this) { try { if (!e.isConnected) d++; if (e.localName === "siar-composer") h++; n++; } catch { /* a prototype object */ } } return { n, d, h }; }',
      returnByValue: true,
    })) as { result: { value?: { n: number; d: number; h: number } }; exceptionDetails?: unknown };
    if (!counted.result.value) throw new Error(`counting the isolated world's elements failed: ${JSON.stringify(counted).slice(0, 500)}`);
    // The content script's invalidation signal: every UI made with createShadowRootUi adds an
    // "abort" listener to it.
    const signals = await query('AbortSignal.prototype');
    let abortListeners = 0;
    const arr = (await cdp.send('Runtime.getProperties', { objectId: signals, ownProperties: true })) as {
      result: { name: string; value?: { objectId?: string } }[];
    };
    for (const p of arr.result) {
      if (!/^\d+$/.test(p.name) || !p.value?.objectId) continue;
      const l = (await cdp.send('DOMDebugger.getEventListeners', { objectId: p.value.objectId })) as { listeners: { type: string }[] };
      abortListeners += l.listeners.filter((x) => x.type === 'abort').length;
    }
    await cdp.send('Runtime.releaseObjectGroup', { objectGroup: group });
    out.isolated = { elements: counted.result.value.n, detached: counted.result.value.d, hosts: counted.result.value.h, abortListeners };
  }
  return out;
}

export interface MemoryResult {
  before: MemorySample;
  after: MemorySample;
  cycles: number;
  missed: number;
  seconds: number;
}

export async function measureMemory(browser: LaunchedChromium, opts: { cycles: number; warmup: number }): Promise<MemoryResult> {
  const withExtension = browser.extensionBase !== undefined;
  const page = await browser.context.newPage();
  const cdp = await browser.context.newCDPSession(page);
  try {
    const contexts: { id: number; origin: string; name: string; auxData?: { type?: string } }[] = [];
    cdp.on('Runtime.executionContextCreated', (e: { context: (typeof contexts)[number] }) => contexts.push(e.context));
    await cdp.send('Runtime.enable');
    await cdp.send('Performance.enable');
    await page.goto('https://x.com/home');
    await page.bringToFront();
    await page.waitForFunction(() => Boolean((window as unknown as FxWindow).__fixture), undefined, { timeout: 15_000 });
    if (withExtension) await page.getByRole('button', { name: BUTTON_NAME }).first().waitFor({ timeout: 15_000 });
    const isolated = withExtension
      ? contexts.filter((c) => c.origin === browser.extensionBase && c.auxData?.type === 'isolated').pop()?.id
      : undefined;
    if (withExtension && isolated === undefined) throw new Error("could not find the content script's isolated world");
    await page.evaluate(modalCycles, { n: opts.warmup, waitForButton: withExtension });
    const before = await sampleMemory(cdp, isolated);
    const t0 = performance.now();
    const r = await page.evaluate(modalCycles, { n: opts.cycles, waitForButton: withExtension });
    const seconds = (performance.now() - t0) / 1000;
    const after = await sampleMemory(cdp, isolated);
    return { before, after, cycles: r.done, missed: r.missed, seconds };
  } finally {
    await cdp.detach().catch(() => {});
    await page.close().catch(() => {});
  }
}
