import type { ElementHandle, Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIREFOX_BUILD, startAgency, useFeedInFirefox } from './support/extension';
import { collapseBlankLines, FB, X, type FacebookWindow, type XWindow } from './support/fixture-api';
import { startConnectProxy, startFixtureServer, type ConnectProxy, type FixtureServer } from './support/fixture-server';
import { launchFirefox, type LaunchedFirefox } from './support/firefox';

let firefox: LaunchedFirefox;
let agency: Awaited<ReturnType<typeof startAgency>>;
let fixtures: FixtureServer;
let proxy: ConnectProxy;

const BUTTON = 'Sisipkan postingan resmi';

beforeAll(async () => {
  fixtures = await startFixtureServer();
  proxy = await startConnectProxy(fixtures.port);
  agency = await startAgency();
  firefox = await launchFirefox({ extensionDir: FIREFOX_BUILD, proxyPort: proxy.port, lang: 'id' });
  await useFeedInFirefox(firefox, agency.feedUrl);
});

afterAll(async () => {
  await firefox?.close();
  await proxy?.close();
  await fixtures?.close();
  await agency?.agency.close();
});

/** Clicks our button (in its open shadow root) inside `scope`, then "Sisipkan" on the first post. */
async function insertFirst(page: Page, scope: string): Promise<string> {
  await page.waitForFunction(
    (sc: string, name: string) =>
      [...document.querySelectorAll(`${sc} siar-composer`)].some((h) => h.shadowRoot?.querySelector(`button[aria-label="${name}"]`)),
    { timeout: 20_000 },
    scope,
    BUTTON,
  );
  // Real (trusted) clicks on elements inside our shadow roots: Siar ignores script clicks.
  const button = await page.evaluateHandle(
    (sc: string, name: string) => {
      const host = [...document.querySelectorAll(`${sc} siar-composer`)].find((h) =>
        h.shadowRoot?.querySelector(`button[aria-label="${name}"]`),
      )!;
      return host.shadowRoot!.querySelector<HTMLButtonElement>(`button[aria-label="${name}"]`)!;
    },
    scope,
    BUTTON,
  );
  await (button.asElement() as ElementHandle<Element>).click();
  const panelItem = () =>
    [...document.querySelectorAll('siar-composer')].map((h) => h.shadowRoot?.querySelector('.panel-item')).find(Boolean) ?? null;
  await page.waitForFunction(panelItem, { timeout: 20_000 });
  const item = await page.evaluateHandle(() =>
    [...document.querySelectorAll('siar-composer')].map((h) => h.shadowRoot?.querySelector('.panel-item')).find(Boolean)!,
  );
  const text = await item.evaluate((el) => el.querySelector('.preview')!.textContent!);
  const insert = await item.evaluateHandle((el) => el.querySelector<HTMLButtonElement>('button.insert')!);
  await (insert.asElement() as ElementHandle<Element>).click();
  return text;
}

describe('Firefox composers', () => {
  it('X inline composer (Draft.js): text and picture go into the model', async () => {
    const page = await firefox.newPage();
    await page.goto('https://x.com/home');
    const text = await insertFirst(page, '[data-testid="primaryColumn"]');
    await page.waitForFunction((t: string) => (window as unknown as XWindow).__fixture.getText(0) === t, { timeout: 20_000 }, text);
    await page.waitForFunction(() => (window as unknown as XWindow).__fixture.attachments(0) === 1, { timeout: 20_000 });
    expect(await page.evaluate(() => (window as unknown as XWindow).__fixture.isPostEnabled(0))).toBe(true);
    await page.click(X.inlinePost);
    await page.waitForSelector(X.toast);
    expect(await page.evaluate(() => (window as unknown as XWindow).__fixture.posts.at(-1)?.text)).toBe(text);
    await page.close();
  });

  it('Facebook dialog (Lexical): picture and text go into the model', async () => {
    const page = await firefox.newPage();
    if (process.env.SIAR_E2E_DEBUG) page.on('console', (m) => console.log('[fb]', m.text()));
    await page.goto('https://www.facebook.com/');
    await page.evaluate(() => (window as unknown as FacebookWindow).__fixture.openComposer());
    const text = await insertFirst(page, FB.dialog);
    await page.waitForFunction(
      (t: string) => (window as unknown as FacebookWindow).__fixture.getParagraphs().join('\n') === t,
      { timeout: 20_000 },
      text,
    );
    expect(collapseBlankLines(await page.evaluate(() => (window as unknown as FacebookWindow).__fixture.getText()))).toBe(text);
    await page.waitForFunction(() => (window as unknown as FacebookWindow).__fixture.attachments() === 1, { timeout: 20_000 });
    expect(await page.evaluate(() => (window as unknown as FacebookWindow).__fixture.isPostEnabled())).toBe(true);
    await page.$eval(FB.post, (el) => (el as HTMLElement).click());
    await page.waitForFunction(() => !(window as unknown as FacebookWindow).__fixture.dialogOpen(), { timeout: 20_000 });
    await page.close();
  });
});
