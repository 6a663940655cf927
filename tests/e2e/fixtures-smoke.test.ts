// Proves the fixture sites and the browser harness, with no extension loaded: the real editors
// take a main-world synthetic paste / beforeinput / drop / file pick the way the composer code
// says, their Post buttons follow the editor model, posting behaves like the sites, and the CSP
// blocks inline scripts. Extension e2e tests build on exactly these pieces.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import type { Page as PuppeteerPage } from 'puppeteer-core';
import { chromiumExtensionId, launchChromium, type LaunchedChromium } from './support/chromium';
import { FIREFOX_EXTENSION_UUID, GECKO_ID, launchFirefox, type LaunchedFirefox } from './support/firefox';
import { startConnectProxy, startFixtureServer, type ConnectProxy, type FixtureServer } from './support/fixture-server';
import { FB, X, collapseBlankLines, type FacebookWindow, type XWindow } from './support/fixture-api';
import { pngPageFile } from './support/images';
import { writeProbeExtension } from './support/probe-extension';
import { beforeInputText, dropFiles, focusEditorEnd, setInputFiles, syntheticPaste, tryInlineScript } from './support/page-scripts';

const TEXT = 'Halo ASN 👋\n\n#KabupatenContoh\n\nhttps://x.example/a';
const WAIT = { timeout: 10_000 };

let server: FixtureServer;

beforeAll(async () => {
  server = await startFixtureServer();
}, 60_000);

afterAll(async () => {
  await server?.close();
});

describe('Chromium, no extension', () => {
  let chromium: LaunchedChromium;
  let context: BrowserContext;

  beforeAll(async () => {
    chromium = await launchChromium({ fixturePort: server.port });
    context = chromium.context;
  }, 60_000);

  afterAll(async () => {
    await chromium?.close();
  });

  async function openPage(url: string): Promise<Page> {
    const page = await context.newPage();
    await page.goto(url);
    return page;
  }

  const xText = (page: Page, which?: number) =>
    page.evaluate((w) => (window as unknown as XWindow).__fixture.getText(w ?? undefined), which ?? null);

  it('X home: a synthetic paste fills the Draft.js model and enables Post; a picture paste attaches; Post shows the toast', async () => {
    const page = await openPage('https://x.com/home');
    try {
      await page.waitForSelector(X.editor);
      const post = page.locator(X.inlinePost);
      await expect(post.getAttribute('aria-disabled')).resolves.toBe('true');
      expect(await post.isDisabled()).toBe(true);

      await page.evaluate(focusEditorEnd, { selector: X.editor });
      expect(await page.evaluate(syntheticPaste, { selector: X.editor, text: TEXT })).toBe(true);
      expect(await xText(page)).toBe(TEXT);
      await page.waitForFunction(() => (window as unknown as XWindow).__fixture.isPostEnabled(), null, WAIT);
      expect(await post.isDisabled()).toBe(false);
      expect(await post.getAttribute('aria-disabled')).toBeNull();

      await page.evaluate(syntheticPaste, { selector: X.editor, files: [pngPageFile('siar.png')] });
      expect(await page.evaluate(() => (window as unknown as XWindow).__fixture.attachments())).toBe(1);
      await page.waitForSelector(`${X.attachmentsImg}[src^="blob:"]`, WAIT);
      // The picture paste must not have touched the text.
      expect(await xText(page)).toBe(TEXT);

      await post.click();
      const toast = page.locator(X.toast);
      await toast.waitFor(WAIT);
      expect(await toast.getAttribute('role')).toBe('alert');
      expect(await toast.innerText()).toContain('Your post was sent.');
      const href = await toast.locator('a', { hasText: 'View' }).evaluate((a) => (a as HTMLAnchorElement).href);
      expect(href).toMatch(/^https:\/\/x\.com\/siar_demo\/status\/\d+$/);

      const posts = await page.evaluate(() => (window as unknown as XWindow).__fixture.posts);
      expect(posts).toHaveLength(1);
      expect(posts[0]).toMatchObject({ kind: 'inline', text: TEXT, attachments: 1, url: href });
      // Cleared after posting, and Post is disabled again.
      expect(await xText(page)).toBe('');
      expect(await post.isDisabled()).toBe(true);
      expect(await page.evaluate(() => (window as unknown as XWindow).__fixture.errors)).toEqual([]);
    } finally {
      await page.close();
    }
  }, 60_000);

  it('X: the side-nav Post link opens the modal client-side; its composer posts and the modal closes', async () => {
    const page = await openPage('https://x.com/home');
    try {
      await page.waitForSelector(X.editor);
      // Marks the document: a full page load would lose it.
      await page.evaluate(() => ((window as unknown as { __samePage: boolean }).__samePage = true));
      await page.click(X.sideNavPost);
      await page.waitForSelector(X.dialogEditor, WAIT);
      expect(page.url()).toBe('https://x.com/compose/post');
      expect(await page.evaluate(() => (window as unknown as { __samePage?: boolean }).__samePage)).toBe(true);
      expect(await page.locator('[role="dialog"]').getAttribute('aria-modal')).toBe('true');
      // The home composer stays mounted behind the modal, as on x.com.
      expect(await page.evaluate(() => (window as unknown as XWindow).__fixture.composerKinds())).toEqual(['inline', 'modal']);

      const modalPost = page.locator(X.modalPost);
      expect(await modalPost.isDisabled()).toBe(true);
      await page.evaluate(focusEditorEnd, { selector: X.dialogEditor });
      await page.evaluate(syntheticPaste, { selector: X.dialogEditor, text: TEXT });
      expect(await xText(page, 1)).toBe(TEXT);
      expect(await xText(page, 0)).toBe('');
      await page.waitForFunction(() => (window as unknown as XWindow).__fixture.isPostEnabled(1), null, WAIT);
      expect(await modalPost.isDisabled()).toBe(false);

      await modalPost.click();
      await page.waitForSelector('[role="dialog"]', { state: 'detached', ...WAIT });
      await page.waitForSelector(X.toast, WAIT);
      expect(page.url()).toBe('https://x.com/home');
      const posts = await page.evaluate(() => (window as unknown as XWindow).__fixture.posts);
      expect(posts.map((p) => [p.kind, p.text])).toEqual([['modal', TEXT]]);
    } finally {
      await page.close();
    }
  }, 60_000);

  it('X: a direct load of /compose/post and the reply composer on /status/123 work too', async () => {
    const page = await openPage('https://x.com/compose/post');
    try {
      await page.waitForSelector(X.dialogEditor);
      await page.keyboard.press('Escape');
      await page.waitForSelector('[role="dialog"]', { state: 'detached', ...WAIT });
      expect(page.url()).toBe('https://x.com/home');

      await page.goto('https://x.com/status/123');
      const replyEditor = page.locator(X.editor);
      await replyEditor.waitFor();
      expect(await page.locator('.public-DraftEditorPlaceholder-inner').innerText()).toBe('Post your reply');
      await page.evaluate(focusEditorEnd, { selector: X.editor });
      await page.evaluate(syntheticPaste, { selector: X.editor, text: 'Terima kasih 🙏' });
      expect(await xText(page)).toBe('Terima kasih 🙏');
      await page.locator(X.inlinePost).click();
      await page.waitForSelector(X.toast, WAIT);
      const posts = await page.evaluate(() => (window as unknown as XWindow).__fixture.posts);
      expect(posts.map((p) => [p.kind, p.text])).toEqual([['reply', 'Terima kasih 🙏']]);
    } finally {
      await page.close();
    }
  }, 60_000);

  it('X: pictures also attach by a drop on the editor and through the file input; twitter.com serves X too', async () => {
    const page = await openPage('https://twitter.com/home');
    try {
      await page.waitForSelector(X.editor);
      const accept = await page.locator(X.fileInput).getAttribute('accept');
      expect(accept).toBe('image/jpeg,image/png,image/webp,image/gif,video/mp4,video/quicktime');
      expect(await page.evaluate(dropFiles, { selector: X.editor, files: [pngPageFile('drop.png')] })).toBe(true);
      expect(await page.evaluate(() => (window as unknown as XWindow).__fixture.attachments())).toBe(1);
      await page.evaluate(setInputFiles, { selector: X.fileInput, files: [pngPageFile('picked.png')] });
      expect(await page.evaluate(() => (window as unknown as XWindow).__fixture.attachmentFiles().map((f) => f.name))).toEqual([
        'drop.png',
        'picked.png',
      ]);
      // Pictures alone are enough to post.
      expect(await xText(page)).toBe('');
      expect(await page.locator(X.inlinePost).isDisabled()).toBe(false);
    } finally {
      await page.close();
    }
  }, 60_000);

  it('X: a DOM-only edit does not reach the model, so Post stays disabled', async () => {
    const page = await openPage('https://x.com/home');
    try {
      await page.waitForSelector(X.editor);
      await page.evaluate((sel) => {
        const span = document.querySelector(`${sel} [data-text="true"]`)!;
        span.replaceWith(document.createTextNode('typed behind Draft’s back'));
      }, X.editor);
      expect(await xText(page)).toBe('');
      expect(await page.locator(X.inlinePost).isDisabled()).toBe(true);
    } finally {
      await page.close();
    }
  }, 60_000);

  it('X: the CSP blocks inline scripts; the same-origin bundle runs', async () => {
    const page = await openPage('https://x.com/home');
    try {
      await page.waitForSelector(X.editor);
      const result = await page.evaluate(tryInlineScript);
      expect(result.ran).toBe(false);
      expect(result.violation).toMatch(/^script-src/);
      expect(await page.evaluate(() => typeof (window as unknown as XWindow).__fixture.getText)).toBe('function');
    } finally {
      await page.close();
    }
  }, 60_000);

  it('X: churn adds and removes timeline articles until stopped', async () => {
    const page = await openPage('https://x.com/home');
    try {
      await page.waitForSelector('article[data-testid="tweet"]');
      await page.evaluate(() => (window as unknown as XWindow).__fixture.churn(200));
      await page.waitForFunction(() => (window as unknown as XWindow).__fixture.churnStats().removed > 50, null, WAIT);
      const stopped = await page.evaluate(() => (window as unknown as XWindow).__fixture.stopChurn());
      expect(stopped.running).toBe(false);
      expect(stopped.added).toBeGreaterThan(50);
      const count = await page.locator('article[data-testid="tweet"]').count();
      expect(count).toBeGreaterThan(0);
      expect(count).toBeLessThanOrEqual(40);
      // The composer survives the churn untouched.
      expect(await page.locator(X.editor).count()).toBe(1);
    } finally {
      await page.close();
    }
  }, 60_000);

  it('Facebook feed: beforeinput insertReplacementText fills the dialog’s Lexical editor; Post closes the dialog and records the post', async () => {
    const page = await openPage('https://www.facebook.com/');
    try {
      await page.getByRole('button', { name: "What's on your mind, Nama?" }).click();
      await page.waitForSelector(FB.editor, WAIT);
      const editor = page.locator(FB.editor);
      expect(await editor.getAttribute('aria-label')).toBe("What's on your mind, Nama?");
      expect(await editor.getAttribute('aria-placeholder')).toBe("What's on your mind, Nama?");
      const post = page.locator(FB.post);
      expect(await post.getAttribute('aria-disabled')).toBe('true');
      // Two more Lexical editors live outside the dialog.
      expect(await page.locator('[data-lexical-editor="true"]').count()).toBe(3);

      await page.evaluate(focusEditorEnd, { selector: FB.editor });
      expect(await page.evaluate(beforeInputText, { selector: FB.editor, text: TEXT })).toBe(true);
      const [text, paragraphs] = await page.evaluate(() => {
        const f = (window as unknown as FacebookWindow).__fixture;
        return [f.getText(), f.getParagraphs()] as const;
      });
      expect(collapseBlankLines(text)).toBe(TEXT);
      expect(paragraphs.join('\n')).toBe(TEXT);
      expect(await page.evaluate(() => (window as unknown as FacebookWindow).__fixture.getText('comment'))).toBe('');
      expect(await page.evaluate(() => (window as unknown as FacebookWindow).__fixture.getText('messenger'))).toBe('');
      await page.waitForFunction(() => (window as unknown as FacebookWindow).__fixture.isPostEnabled(), null, WAIT);
      expect(await post.getAttribute('aria-disabled')).toBeNull();

      expect(await page.locator(FB.fileInput).getAttribute('accept')).toMatch(/^image\/\*,image\/heif,image\/heic,video\/\*/);
      await page.evaluate(syntheticPaste, { selector: FB.editor, files: [pngPageFile('foto.png')] });
      expect(await page.evaluate(() => (window as unknown as FacebookWindow).__fixture.attachments())).toBe(1);
      await page.waitForSelector(`${FB.dialog} img[src^="blob:"]`, WAIT);

      await post.click();
      await page.waitForSelector(FB.dialog, { state: 'detached', ...WAIT });
      const f = await page.evaluate(() => {
        const api = (window as unknown as FacebookWindow).__fixture;
        return { open: api.dialogOpen(), posts: api.posts, errors: api.errors };
      });
      expect(f.open).toBe(false);
      expect(f.posts).toHaveLength(1);
      expect(f.posts[0]).toMatchObject({ context: 'feed', attachments: 1, paragraphs: TEXT.split('\n') });
      expect(f.errors).toEqual([]);
    } finally {
      await page.close();
    }
  }, 60_000);

  it('Facebook group and Page: the same dialog, a paste also works, and pictures attach through the file input and a drop', async () => {
    const page = await openPage('https://www.facebook.com/groups/123');
    try {
      expect(await page.locator('h1').innerText()).toBe('Grup Humas Kabupaten Contoh');
      const prompt = await page.evaluate(() => (window as unknown as FacebookWindow).__fixture.promptText());
      await page.getByRole('button', { name: prompt }).click();
      await page.waitForSelector(FB.editor, WAIT);
      await page.evaluate(focusEditorEnd, { selector: FB.editor });
      expect(await page.evaluate(syntheticPaste, { selector: FB.editor, text: 'Rapat koordinasi besok.' })).toBe(true);
      expect(await page.evaluate(() => (window as unknown as FacebookWindow).__fixture.getText())).toBe('Rapat koordinasi besok.');
      await page.evaluate(setInputFiles, { selector: FB.fileInput, files: [pngPageFile('a.png')] });
      await page.evaluate(dropFiles, { selector: FB.editor, files: [pngPageFile('b.png')] });
      expect(await page.evaluate(() => (window as unknown as FacebookWindow).__fixture.attachmentFiles().map((x) => x.name))).toEqual([
        'a.png',
        'b.png',
      ]);
      await page.locator(FB.post).click();
      await page.waitForSelector(FB.dialog, { state: 'detached', ...WAIT });

      // Client-side navigation to a Page keeps the document.
      await page.evaluate(() => (window as unknown as FacebookWindow).__fixture.navigate('/SomePage'));
      expect(await page.locator('h1').innerText()).toBe('SomePage');
      await page.getByRole('button', { name: "What's on your mind, Nama?" }).click();
      await page.waitForSelector(FB.editor, WAIT);
      await page.evaluate(focusEditorEnd, { selector: FB.editor });
      await page.evaluate(beforeInputText, { selector: FB.editor, text: 'Info layanan' });
      await page.locator(FB.post).click();
      await page.waitForSelector(FB.dialog, { state: 'detached', ...WAIT });
      const posts = await page.evaluate(() => (window as unknown as FacebookWindow).__fixture.posts);
      expect(posts.map((p) => [p.context, p.text, p.attachments])).toEqual([
        ['group', 'Rapat koordinasi besok.', 2],
        ['page', 'Info layanan', 0],
      ]);
    } finally {
      await page.close();
    }
  }, 60_000);
});

describe('Firefox, no extension (through the CONNECT proxy)', () => {
  let proxy: ConnectProxy;
  let firefox: LaunchedFirefox;

  beforeAll(async () => {
    proxy = await startConnectProxy(server.port);
    firefox = await launchFirefox({ proxyPort: proxy.port });
  }, 90_000);

  afterAll(async () => {
    await firefox?.close();
    await proxy?.close();
  });

  async function openPage(url: string): Promise<PuppeteerPage> {
    const page = await firefox.newPage();
    await page.goto(url);
    return page;
  }

  it('X home: a synthetic paste fills the Draft.js model; a picture paste attaches; Post shows the toast', async () => {
    const page = await openPage('https://x.com/home');
    try {
      await page.waitForSelector(X.editor);
      await page.evaluate(focusEditorEnd, { selector: X.editor });
      expect(await page.evaluate(syntheticPaste, { selector: X.editor, text: TEXT })).toBe(true);
      expect(await page.evaluate(() => (window as unknown as XWindow).__fixture.getText())).toBe(TEXT);
      await page.waitForFunction(() => (window as unknown as XWindow).__fixture.isPostEnabled(), WAIT);
      await page.evaluate(syntheticPaste, { selector: X.editor, files: [pngPageFile()] });
      expect(await page.evaluate(() => (window as unknown as XWindow).__fixture.attachments())).toBe(1);
      await page.click(X.inlinePost);
      await page.waitForSelector(X.toast, WAIT);
      const href = await page.$eval(`${X.toast} a`, (a) => (a as HTMLAnchorElement).href);
      expect(href).toMatch(/^https:\/\/x\.com\/siar_demo\/status\/\d+$/);
      const posts = await page.evaluate(() => (window as unknown as XWindow).__fixture.posts);
      expect(posts).toMatchObject([{ kind: 'inline', text: TEXT, attachments: 1, url: href }]);
    } finally {
      await page.close();
    }
  }, 60_000);

  it('Facebook feed: beforeinput fills the dialog’s Lexical editor; Post closes the dialog', async () => {
    const page = await openPage('https://www.facebook.com/');
    try {
      await page.waitForSelector(FB.prompt);
      await page.click(FB.prompt);
      await page.waitForSelector(FB.editor, WAIT);
      await page.evaluate(focusEditorEnd, { selector: FB.editor });
      await page.evaluate(beforeInputText, { selector: FB.editor, text: TEXT });
      const paragraphs = await page.evaluate(() => (window as unknown as FacebookWindow).__fixture.getParagraphs());
      expect(paragraphs.join('\n')).toBe(TEXT);
      await page.waitForFunction(() => (window as unknown as FacebookWindow).__fixture.isPostEnabled(), WAIT);
      await page.evaluate(syntheticPaste, { selector: FB.editor, files: [pngPageFile()] });
      expect(await page.evaluate(() => (window as unknown as FacebookWindow).__fixture.attachments())).toBe(1);
      expect(await page.$eval(FB.post, (b) => b.getAttribute('aria-disabled'))).toBeNull();
      await page.click(FB.post);
      await page.waitForFunction(() => !document.querySelector('[role="dialog"]'), WAIT);
      const posts = await page.evaluate(() => (window as unknown as FacebookWindow).__fixture.posts);
      expect(posts).toMatchObject([{ context: 'feed', attachments: 1, paragraphs: TEXT.split('\n') }]);
    } finally {
      await page.close();
    }
  }, 60_000);

  it('the proxy refuses any other host, so nothing reaches the real network', async () => {
    const page = await firefox.newPage();
    try {
      await expect(page.goto('https://example.com/')).rejects.toThrow();
      expect(proxy.refused).toContain('example.com:443');
    } finally {
      await page.close();
    }
  }, 60_000);
});

describe('harness: loading an extension', () => {
  it('Chromium: the id comes from the service worker and matches the path-derived one; content scripts run on the mapped x.com', async () => {
    const probe = writeProbeExtension(3, { serviceWorker: true });
    const launched = await launchChromium({ fixturePort: server.port, extensionDir: probe.dir });
    try {
      expect(launched.extensionId).toMatch(/^[a-p]{32}$/);
      expect(launched.extensionId).toBe(chromiumExtensionId(probe.dir));
      const page = await launched.context.newPage();
      await page.goto('https://x.com/home');
      await page.waitForFunction((id) => document.documentElement.dataset.siarProbe === id, launched.extensionId, WAIT);
      await page.goto(`${launched.extensionBase}/popup.html`);
      expect(await page.title()).toBe('probe popup');
      // LANGUAGE=id (the default) reaches the extension's UI language.
      expect(
        await page.evaluate(() => (globalThis as unknown as { chrome: { i18n: { getUILanguage(): string } } }).chrome.i18n.getUILanguage()),
      ).toBe('id');
    } finally {
      await launched.close();
      probe.remove();
    }
  }, 60_000);

  it('Firefox: installs the add-on under the pinned moz-extension UUID and opens its pages', async () => {
    const probe = writeProbeExtension(2);
    const proxy = await startConnectProxy(server.port);
    const launched = await launchFirefox({ proxyPort: proxy.port, extensionDir: probe.dir });
    try {
      expect(launched.extensionId).toBe(GECKO_ID);
      expect(launched.extensionBase).toBe(`moz-extension://${FIREFOX_EXTENSION_UUID}`);
      const popup = await launched.openExtensionPage('popup.html');
      expect(await popup.title()).toBe('probe popup');
      expect(await popup.evaluate(() => location.origin)).toBe(launched.extensionBase);
      expect(
        await popup.evaluate(() =>
          (globalThis as unknown as { browser: { i18n: { getUILanguage(): string } } }).browser.i18n.getUILanguage(),
        ),
      ).toBe('id');
      const page = await launched.newPage();
      await page.goto('https://x.com/home');
      await page.waitForFunction(() => document.documentElement.dataset.siarProbe === 'siar@siar.example', WAIT);
    } finally {
      await launched.close();
      await proxy.close();
      probe.remove();
    }
  }, 90_000);
});
