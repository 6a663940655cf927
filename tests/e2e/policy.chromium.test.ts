import { accessSync, constants, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { currentItems } from '@/utils/feed/select';
import { parseFeedJson } from '@/utils/protocol/feed';
import { buildDemoFeed } from '../../server/demo/feed';
import { chromiumExtensionId, launchChromium, type LaunchedChromium } from './support/chromium';
import { CHROME_BUILD, startAgency } from './support/extension';

// Agency deployment: a real Chromium reads a machine policy file from /etc/chromium/policies/managed
// (Debian's Chromium; Google Chrome reads /etc/opt/chrome/policies/managed), hands the `3rdparty`
// values to the extension's storage.managed, and Siar uses them with no user setting at all.
//
// The policy is for the id of a private copy of the build, never for .output/chrome-mv3's own id:
// other Chromium tests running at the same moment load that folder, and must not see this policy.

const POLICY_ROOT = '/etc/chromium';
const POLICY_DIR = path.join(POLICY_ROOT, 'policies/managed');
const POLICY_FILE = path.join(POLICY_DIR, 'siar-e2e.json');
const NOTE_ALL = 'Diatur oleh instansi Anda (kebijakan): Alamat feed, Alamat rekap, Kunci publik feed.';

function skipReason(): string | undefined {
  if (process.platform !== 'linux') return 'not Linux: /etc/chromium/policies is where Linux Chromium reads machine policy';
  if (process.getuid?.() !== 0) return 'not root: writing the machine policy in /etc/chromium needs root';
  try {
    accessSync(existsSync(POLICY_DIR) ? POLICY_DIR : existsSync(POLICY_ROOT) ? POLICY_ROOT : '/etc', constants.W_OK);
  } catch {
    return `${POLICY_ROOT} is not writable`;
  }
  return undefined;
}
const SKIP = skipReason();
if (SKIP) console.warn(`[policy.chromium] skipped: ${SKIP}`);

/** Folders this test made under /etc, deepest first, to take away again if left empty. */
const madeDirs: string[] = [];
let wrotePolicy = false;

function writePolicy(policy: object): void {
  for (const dir of [POLICY_ROOT, path.dirname(POLICY_DIR), POLICY_DIR]) {
    if (!existsSync(dir)) {
      mkdirSync(dir, { mode: 0o755 });
      madeDirs.unshift(dir);
    }
  }
  wrotePolicy = true;
  writeFileSync(POLICY_FILE, JSON.stringify(policy, null, 2), { mode: 0o644 });
}

function removePolicy(): void {
  if (!wrotePolicy) return;
  rmSync(POLICY_FILE, { force: true });
  for (const dir of madeDirs) {
    try {
      if (readdirSync(dir).length === 0) rmdirSync(dir);
    } catch {
      // Someone else's file arrived meanwhile: leave the folder.
    }
  }
  madeDirs.length = 0;
  wrotePolicy = false;
}
// Whatever happens to this process (a crash, a timeout), the machine is left without our policy.
process.once('exit', removePolicy);

/** A base64url Ed25519-sized key, for when the demo server does not expose its own. */
const FALLBACK_KEY = 'c2lhci1lMmUtcG9saWN5LWtleS0zMi1ieXRlcy1vayE';

let copyRoot: string;
let extDir: string;
let browser: LaunchedChromium | undefined;
let agency: Awaited<ReturnType<typeof startAgency>>;
let policy: { feedUrl: string; tallyUrl: string; feedPublicKey: string; workHours: string; timeZone: string };

beforeAll(async () => {
  if (SKIP) return;
  try {
    if (!existsSync(path.join(CHROME_BUILD, 'manifest.json'))) throw new Error(`No build in ${CHROME_BUILD}: run wxt build first`);
    copyRoot = mkdtempSync(path.join(os.tmpdir(), 'siar-policy-'));
    extDir = path.join(copyRoot, 'chrome-mv3');
    cpSync(CHROME_BUILD, extDir, { recursive: true });

    agency = await startAgency({ signed: true });
    const origin = new URL(agency.feedUrl).origin;
    // The demo server signs its feed: its own key makes a policy key that checks out.
    const demoKey = (agency.agency as { publicKey?: unknown }).publicKey;
    policy = {
      feedUrl: agency.feedUrl,
      // Not the feed's own `_siar.tally_url` (`${origin}/`): the policy's must win over it.
      tallyUrl: `${origin}/policy-tally/`,
      feedPublicKey: typeof demoKey === 'string' ? demoKey : FALLBACK_KEY,
      workHours: '08:00-16:00',
      timeZone: 'Asia/Makassar',
    };
    const id = chromiumExtensionId(extDir);
    writePolicy({ '3rdparty': { extensions: { [id]: policy } } });

    browser = await launchChromium({ extensionDir: extDir, lang: 'id' });
    expect(browser.extensionId).toBe(id);
  } catch (err) {
    removePolicy();
    throw err;
  }
});

afterAll(async () => {
  try {
    await browser?.close();
    await agency?.agency.close();
  } finally {
    removePolicy();
    if (copyRoot) rmSync(copyRoot, { recursive: true, force: true });
  }
  expect(existsSync(POLICY_FILE)).toBe(false);
});

async function openPage(file: string): Promise<Page> {
  const page = await browser!.context.newPage();
  await page.goto(`${browser!.extensionBase}/${file}`);
  return page;
}

interface ChromeGlobal {
  chrome: {
    storage: {
      managed: { get(keys?: string[] | null): Promise<Record<string, unknown>> };
      local: { get(k: string): Promise<Record<string, unknown>>; set(v: object): Promise<void> };
    };
  };
}

describe.skipIf(Boolean(SKIP))(`agency policy (Chromium, ${POLICY_FILE})`, () => {
  it('storage.managed holds the policy values', async () => {
    const page = await openPage('options.html');
    // Chromium loads an extension's policy a moment after the extension: poll, bounded.
    await expect
      .poll(() => page.evaluate(() => (globalThis as unknown as ChromeGlobal).chrome.storage.managed.get(null)), { timeout: 15_000 })
      .toEqual(policy);
    await page.close();
  });

  it("the popup lists the policy feed's posts with no user setting", async () => {
    const page = await openPage('popup.html');
    await page.getByRole('heading', { name: 'Postingan resmi' }).waitFor();
    expect(await page.evaluate(() => (globalThis as unknown as ChromeGlobal).chrome.storage.local.get('settings'))).toEqual({});

    const parsed = parseFeedJson(buildDemoFeed({ base: new URL(agency.feedUrl).origin, now: Date.now() }));
    if (!parsed.ok) throw new Error('demo feed does not parse');
    const expected = currentItems(parsed.feed.items, Date.now()).map((i) => i.title);
    expect(expected.length).toBeGreaterThan(0);
    await expect.poll(() => page.locator('article h2').allTextContents(), { timeout: 20_000 }).toEqual(expected);
    await page.close();
  });

  it("options: stats first, 'Lanjutan' last and folded, and the settings the agency set are not shown", async () => {
    const page = await openPage('options.html');
    await page.getByRole('heading', { name: 'Statistik saya' }).waitFor();
    const order = await page.locator('main > section > h2, main > details > summary h2').allTextContents();
    expect(order[0]).toBe('Statistik saya');
    expect(order.at(-1)).toBe('Lanjutan');
    expect(await page.locator('details#advanced').evaluate((d) => (d as HTMLDetailsElement).open)).toBe(false);
    await page.getByText('Lanjutan', { exact: true }).click();
    const note = page.locator('#advanced-policy');
    await expect.poll(() => note.textContent(), { timeout: 15_000 }).toBe(NOTE_ALL);
    // Hidden: no field, no value, no Save for what the agency set.
    for (const name of ['feedUrl', 'tallyUrl', 'feedPublicKey']) expect(await page.locator(`#f-${name}`).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Simpan', exact: true }).count()).toBe(0);
    expect(await page.locator('main').textContent()).not.toContain(policy.feedPublicKey);
    // The working hours are the agency's too: said, not offered.
    await page.getByText('Diatur oleh instansi Anda (kebijakan): 08:00–16:00, WITA (Waktu Indonesia Tengah).').waitFor();
    expect(await page.getByRole('button', { name: 'Simpan jam kerja' }).count()).toBe(0);
    await page.close();
  });

  it('a user value stays stored but unused while the policy is there', async () => {
    const mine = { feedUrl: 'http://localhost:9/mine.json', tallyUrl: 'http://localhost:9/', retentionDays: 30 };
    const setup = await openPage('options.html');
    await setup.evaluate((s) => (globalThis as unknown as ChromeGlobal).chrome.storage.local.set({ settings: s }), mine);
    await setup.close();

    const page = await openPage('options.html');
    await page.getByText('Lanjutan', { exact: true }).click();
    await expect.poll(() => page.locator('#advanced-policy').textContent()).toBe(NOTE_ALL);
    expect(await page.locator('#f-feedUrl').count()).toBe(0);
    const stored = await page.evaluate(() => (globalThis as unknown as ChromeGlobal).chrome.storage.local.get('settings'));
    expect(stored).toEqual({ settings: mine });
    await page.close();

    // And the extension still reads the policy's feed.
    const popup = await openPage('popup.html');
    await popup.getByRole('button', { name: 'Muat ulang' }).click();
    await expect.poll(() => popup.getByRole('article').count(), { timeout: 20_000 }).toBeGreaterThan(0);
    await popup.close();
  });

  it("a policy change reaches an open options page live; without a policy the user's values are back", async () => {
    const page = await openPage('options.html#advanced');
    await expect.poll(() => page.locator('#advanced-policy').textContent()).toBe(NOTE_ALL);

    // Chromium watches the policy folder and reloads a few seconds after a change; storage.onChanged
    // ('managed') then reaches watchPolicy, and the page follows without a reload. The agency stops
    // setting the tally: that field is the user's again, holding what they had stored.
    const { tallyUrl: _dropped, ...next } = policy;
    writePolicy({ '3rdparty': { extensions: { [browser!.extensionId!]: next } } });
    await expect.poll(() => page.locator('#f-tallyUrl').count(), { timeout: 45_000, interval: 500 }).toBe(1);
    expect(await page.locator('#f-tallyUrl').inputValue()).toBe('http://localhost:9/');
    expect(await page.locator('#advanced-policy').textContent()).toBe(
      'Diatur oleh instansi Anda (kebijakan): Alamat feed, Kunci publik feed.',
    );
    expect(await page.locator('#f-feedUrl').count()).toBe(0);

    // The agency lifts the policy: every field is the user's again, holding what they had stored.
    writePolicy({ '3rdparty': { extensions: {} } });
    await expect.poll(() => page.locator('#f-feedUrl').count(), { timeout: 45_000, interval: 500 }).toBe(1);
    expect(await page.locator('#f-feedUrl').inputValue()).toBe('http://localhost:9/mine.json');
    expect(await page.locator('#f-feedUrl').isEditable()).toBe(true);
    expect(await page.locator('#f-feedPublicKey').isEditable()).toBe(true);
    expect(await page.locator('#advanced-policy').count()).toBe(0);
    await page.getByRole('button', { name: 'Simpan jam kerja' }).waitFor();
    expect(await page.evaluate(() => (globalThis as unknown as ChromeGlobal).chrome.storage.managed.get(null))).toEqual({});
    await page.close();
  });
});
