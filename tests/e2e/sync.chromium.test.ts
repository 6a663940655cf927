import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAgencyServer, type AgencyServer } from '../../server/app';
import { buildDemoFeed } from '../../server/demo/feed';
import type { ShareFault } from '../../server/tally/faults';
import { memberSummary } from '../../server/tally/summary';
import { DEMO_ACCOUNTS } from '../../server/demo/seed';
import { launchChromium, type LaunchedChromium } from './support/chromium';
import { CHROME_BUILD, readHistory, useFeed } from './support/extension';
import { X, type XWindow } from './support/fixture-api';
import { startFixtureServer, type FixtureServer } from './support/fixture-server';

// The outbox against the real tally on a real SQLite file, through faults: refused, rate-limited,
// dropped after storing, a tally restart, and the browser closed in the middle of a sync.

const NIP = '198503152010012003';
let dir: string;
let profile: string;
let agency: AgencyServer;
let port: number;
let browser: LaunchedChromium;
let options: Page;
let fixtures: FixtureServer;
const startedAt = Date.now();

/** The test's script of faults, one per POST v1/shares, then normal service. */
const script: ShareFault[] = [];
const wire = { requests: 0, ids: 0, alreadyStored: 0 };
let onRequest: (() => void) | undefined;

async function startTally(p = 0) {
  agency = await createAgencyServer({
    quiet: true,
    demo: true,
    db: path.join(dir, 'tally.db'),
    now: startedAt,
    feed: ({ base }) => buildDemoFeed({ base, now: startedAt }),
    rateLimit: { perMinute: 10_000, burst: 10_000 },
    // Thousands of events from one member in a few minutes: far past any real day's cap.
    dailyCap: 100_000,
    faults: async ({ shares }) => {
      wire.requests++;
      wire.ids += shares.length;
      // Ids that reach the tally again after it stored them: what exactly-once must absorb.
      const ids = JSON.stringify(shares.map((s) => (s as { id?: unknown }).id));
      wire.alreadyStored += (await agency.db.get<{ n: number }>(
        'select count(*) n from shares where id in (select value from json_each($1))',
        [ids],
      ))!.n;
      onRequest?.();
      return script.shift() ?? 'ok';
    },
  });
  port = (await agency.listen(p)).port;
}

/** A small seeded generator, so a failing fault sequence can be replayed (SIAR_FAULT_SEED). */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

async function tallyCount(sql: string): Promise<number> {
  return Number((await agency.db.get<{ n: number }>(sql))!.n);
}

async function launch() {
  browser = await launchChromium({ extensionDir: CHROME_BUILD, lang: 'id', userDataDir: profile, fixturePort: fixtures.port });
  options = await browser.context.newPage();
  await options.goto(`${browser.extensionBase}/options.html`);
}

/** Share events made so far (the popup and X composer test makes 3). */
let made = 3;

/** Share events made the way the popup makes them (a message to the background). */
async function share(n: number, itemIds: string[]) {
  made += n;
  await options.evaluate(
    async ({ n, itemIds }) => {
      const ext = (globalThis as unknown as { chrome: { runtime: { sendMessage(m: object): Promise<{ ok: boolean }> } } }).chrome;
      const actions = ['copied', 'intent_opened', 'inserted', 'posted'];
      for (let i = 0; i < n; i++) {
        const r = await ext.runtime.sendMessage({
          type: 'share/record',
          itemId: itemIds[i % itemIds.length],
          platform: i % 3 ? 'x' : 'facebook',
          action: actions[i % actions.length],
        });
        if (!r.ok) throw new Error('share not recorded');
      }
    },
    { n, itemIds },
  );
}

async function syncNow() {
  await options.getByRole('button', { name: 'Sinkronkan sekarang' }).click();
  await expect.poll(() => options.getByRole('button', { name: 'Sinkronkan sekarang' }).isEnabled(), { timeout: 45_000 }).toBe(true);
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'siar-sync-'));
  profile = path.join(dir, 'profile');
  fixtures = await startFixtureServer();
  await startTally();
  await launch();
  await useFeed(options, `http://localhost:${port}/feed.json`);
});

afterAll(async () => {
  await browser?.close();
  await agency?.close();
  await fixtures?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('sync to the tally (Chromium, real server, SQLite file)', () => {
  it('enrols from the options page, telling first what is sent and to whom', async () => {
    await options.reload();
    // The code first: the tally says which unit it belongs to (enrol.chromium.test.ts tells more).
    await options.getByLabel('Kode pendaftaran').fill('SALAH');
    await options.getByRole('button', { name: 'Periksa kode' }).click();
    await options.getByText('Kode pendaftaran salah', { exact: false }).waitFor();
    await options.getByLabel('Kode pendaftaran').fill('KOMINFO-2026');
    await options.getByRole('button', { name: 'Periksa kode' }).click();
    await options.getByText('Kode ini untuk unit kerja: Dinas Komunikasi dan Informatika').waitFor();
    await options.getByText(`dikirim sekali ke localhost:${port}`, { exact: false }).waitFor();
    await options.getByLabel('NIP').fill('19850315201001200');
    await options.getByRole('button', { name: 'Daftar' }).click();
    await options.getByText('NIP harus 18 angka (sekarang 17).').waitFor();
    await options.getByLabel('NIP').fill(NIP);
    await options.getByLabel('Nama lengkap').fill('Contoh Pegawai');
    await options.getByRole('button', { name: 'Daftar' }).click();
    await options.getByText('Terdaftar sebagai Contoh Pegawai', { exact: false }).waitFor();
    expect(await tallyCount('select count(*) n from members')).toBe(1);
  });

  it('shares from the popup and from the X composer reach the tally by themselves', async () => {
    const popup = await browser.context.newPage();
    await popup.goto(`${browser.extensionBase}/popup.html`);
    await popup.getByRole('article').first().getByRole('button', { name: 'Salin' }).click();
    await popup.getByText('Tersalin — tempelkan ke kotak postingan').waitFor();
    await popup.close();

    const x = await browser.context.newPage();
    await x.goto('https://x.com/home');
    const inline = x.locator('[data-testid="primaryColumn"]');
    await inline.getByRole('button', { name: 'Sisipkan postingan resmi' }).click();
    await x.getByRole('dialog', { name: 'Postingan resmi' }).getByRole('button', { name: 'Sisipkan' }).first().click();
    await expect.poll(() => x.evaluate(() => (window as unknown as XWindow).__fixture.isPostEnabled(0))).toBe(true);
    await x.locator(X.inlinePost).click();
    await x.locator(X.toast).waitFor();
    // No Sync now: the background sends new events a few seconds after they happen.
    await expect.poll(async () => tallyCount('select count(*) n from shares'), { timeout: 30_000 }).toBe(3);
    const actions = (await agency.db.all<{ action: string }>('select action from shares order by action')).map((r) => r.action);
    expect(actions).toEqual(['copied', 'inserted', 'posted']);
    const posted = (await agency.db.get<{ post_url: string }>("select post_url from shares where action = 'posted'"))!;
    expect(posted.post_url).toMatch(/^https:\/\/x\.com\/[^/]+\/status\/\d+$/);
    await x.close();
  });

  it('delivers every event exactly once through random faults, a timeout, a tally restart and a browser restart', async () => {
    const feed = buildDemoFeed({ base: `http://localhost:${port}`, now: startedAt });
    const ids = feed.items.map((i) => i.id);
    // Random faults, reproducible from the seed: refusals, rate limits, connections dropped before
    // and after the tally stored the batch. One request hangs past the client's 30 s timeout.
    const seed = Number(process.env.SIAR_FAULT_SEED ?? 20261129);
    const random = mulberry32(seed);
    const pick = (): ShareFault => {
      const r = random();
      if (r < 0.2) return { status: 503, retryAfter: 1 };
      if (r < 0.35) return { status: 429, retryAfter: 1 };
      if (r < 0.5) return 'drop-after-store';
      if (r < 0.65) return 'drop-before-store';
      if (r < 0.75) return { status: 500 };
      return 'ok';
    };
    for (let i = 0; i < 12; i++) script.push(pick());
    script.splice(4, 0, { delayMs: 31_000 });
    const planned = script.map((f) => (typeof f === 'string' ? f : 'status' in f ? String(f.status) : 'timeout')).join(' ');

    await share(1000, ids);
    // Sync now until the faults are used up (automatic retries would wait minutes); new events
    // keep coming meanwhile, as they do.
    for (let i = 0; i < 40 && script.length > 0; i++) {
      await syncNow();
      await share(20, ids);
    }
    expect(script).toHaveLength(0);

    // The tally restarts on the same port and file.
    await agency.close();
    await startTally(port);
    await share(300, ids);
    await syncNow();

    // The browser closes while a batch is on its way; the tally stores it after the client left.
    await share(400, ids);
    script.push({ delayMs: 1500 });
    const reached = new Promise<void>((r) => (onRequest = r));
    void options.getByRole('button', { name: 'Sinkronkan sekarang' }).click();
    await reached;
    onRequest = undefined;
    await browser.close();
    await new Promise((r) => setTimeout(r, 2000));
    await launch();
    // The background drains what is left at start; Sync now as well, to not wait.
    await syncNow();
    await expect.poll(async () => (await readHistory(options)).filter((e) => e.sync !== 'synced').length, { timeout: 30_000 }).toBe(0);

    const local = await readHistory(options);
    const distinct = await tallyCount('select count(*) n from shares');
    const duplicates = wire.alreadyStored;
    console.log(
      `[fault run] seed ${seed}; faults: ${planned}, a tally restart, a browser restart mid-sync. ` +
        `Events in local history: ${local.length}; distinct at the tally: ${distinct}; lost: ${local.length - distinct}; ` +
        `requests: ${wire.requests}; ids on the wire: ${wire.ids}; ids that reached the tally again after being stored (duplicates on the wire): ${duplicates}; counted twice: 0`,
    );
    expect(local).toHaveLength(made);
    expect(made).toBeGreaterThan(1700);
    expect(distinct).toBe(local.length);
    const tallyIds = new Set((await agency.db.all<{ id: string }>('select id from shares')).map((r) => r.id));
    expect(local.every((e) => tallyIds.has(e.id))).toBe(true);
    expect(duplicates).toBeGreaterThan(0);
  });

  it("the options page's figures equal the tally's", async () => {
    const member = (await agency.db.get<{ id: number }>('select id from members where nip = $1', [NIP]))!;
    const tally = await memberSummary(agency.db, member.id);
    expect(tally.events).toBe(made);
    await options.reload();
    const figure = async (label: string) =>
      Number(
        (await options
          .locator('.stat-card')
          .filter({ has: options.getByText(label, { exact: true }) })
          .locator('dd')
          .textContent())!.replace(/\D/g, ''),
      );
    await options.locator('.stat-card').first().waitFor();
    expect(await figure('Diposting')).toBe(tally.posted);
    await options.getByText(`Semua catatan: ${tally.events.toLocaleString('id')}`).waitFor();
    // The agency's own summary, shown beside the local figures, says the same.
    await options
      .getByText(`Tercatat di rekap: ${tally.posted.toLocaleString('id')} diposting dari ${tally.events.toLocaleString('id')} catatan`)
      .waitFor();
    await options.getByText('Unit Anda: peringkat 1 dari', { exact: false }).waitFor();

    // And the agency's dashboard shows the same totals.
    const dash = await browser.context.newPage();
    await dash.goto(`http://localhost:${port}/`);
    await dash.getByLabel('Nama pengguna').fill('admin');
    await dash.getByLabel('Kata sandi').fill(DEMO_ACCOUNTS[0]!.password);
    await dash.getByRole('button', { name: /Masuk/ }).click();
    const card = (label: string) => dash.locator('.card').filter({ hasText: label }).locator('strong');
    await expect.poll(async () => Number((await card('Postingan dibagikan').textContent())!.replace(/\D/g, ''))).toBe(tally.posted);
    expect(Number((await card('Semua peristiwa').textContent())!.replace(/\D/g, ''))).toBe(tally.events);
    await dash.close();
  });
});
