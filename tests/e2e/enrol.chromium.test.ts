import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAgencyServer, type AgencyServer } from '../../server/app';
import { buildDemoFeed } from '../../server/demo/feed';
import { DEMO_ACCOUNTS } from '../../server/demo/seed';
import { launchChromium, type LaunchedChromium } from './support/chromium';
import { CHROME_BUILD, readHistory, useFeed } from './support/extension';

// Enrolment bound to the person, in real Chromium against the real tally on a real SQLite file:
// the code first and its unit shown, a NIP written as on an ID card, the optional X handle, a
// second enrolment of the same NIP only with a personal code from the studio; and an event the
// tally refuses kept in the history with its reason in words, counted apart, never sent again.

const NIP = '198503152010012003';

let dir: string;
let agency: AgencyServer;
let port: number;
let browser: LaunchedChromium;
let options: Page;
/** Every event id that reached `POST v1/shares`, in order. */
const sent: string[] = [];
const startedAt = Date.now();

async function tally<T>(sql: string): Promise<T | undefined> {
  return agency.db.get<T>(sql);
}

async function studioToken(): Promise<string> {
  const admin = DEMO_ACCOUNTS.find((a) => a.role === 'admin')!;
  const res = await fetch(`http://127.0.0.1:${port}/api/v1/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ user: admin.user, password: admin.password }),
  });
  expect(res.status).toBe(201);
  return ((await res.json()) as { token: string }).token;
}

async function syncNow() {
  await options.getByRole('button', { name: 'Sinkronkan sekarang' }).click();
  await expect.poll(() => options.getByRole('button', { name: 'Sinkronkan sekarang' }).isEnabled(), { timeout: 45_000 }).toBe(true);
}

const enrolForm = () => options.getByRole('form', { name: 'Pendaftaran ke rekap instansi' });

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'siar-enrol-'));
  agency = await createAgencyServer({
    quiet: true,
    demo: true,
    db: path.join(dir, 'tally.db'),
    now: startedAt,
    feed: ({ base }) => buildDemoFeed({ base, now: startedAt }),
    // One event a day per member: the second is refused (`over_cap`), as a flood would be.
    dailyCap: 1,
    faults: async ({ shares }) => {
      for (const s of shares) sent.push(String((s as { id?: unknown }).id));
      return 'ok' as const;
    },
  });
  port = (await agency.listen(0)).port;
  browser = await launchChromium({ extensionDir: CHROME_BUILD, lang: 'id', userDataDir: path.join(dir, 'profile') });
  options = await browser.context.newPage();
  await options.goto(`${browser.extensionBase}/options.html`);
  await useFeed(options, `http://localhost:${port}/feed.json`);
});

afterAll(async () => {
  await browser?.close();
  await agency?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('enrolment and refused events (Chromium, real tally, SQLite file)', () => {
  it('asks for the code first, shows its unit, and enrols a NIP written with dashes', async () => {
    await options.reload();
    const form = enrolForm();
    // No unit to type: the code decides it.
    await form.getByLabel('Kode pendaftaran').waitFor();
    expect(await options.getByLabel('Unit kerja (OPD)').count()).toBe(0);
    expect(await form.getByLabel('NIP').count()).toBe(0);

    await form.getByLabel('Kode pendaftaran').fill('SALAH-2026');
    await form.getByRole('button', { name: 'Periksa kode' }).click();
    await form.getByRole('alert').getByText('Kode pendaftaran salah: tidak ada unit kerja dengan kode ini.', { exact: false }).waitFor();

    await form.getByLabel('Kode pendaftaran').fill('dinkes-2026');
    await form.getByRole('button', { name: 'Periksa kode' }).click();
    await form.getByText('Kode ini untuk unit kerja: Dinas Kesehatan').waitFor();
    // What is sent, and to whom, is said before anything personal is typed.
    await form.getByText(`dikirim sekali ke localhost:${port}`, { exact: false }).waitFor();

    await form.getByLabel('NIP').fill('19850315-201001-2-00');
    await form.getByLabel('Nama lengkap').fill('Contoh Pegawai');
    await form.getByLabel('Akun X (tidak wajib)').fill('@budi s');
    await form.getByRole('button', { name: 'Daftar' }).click();
    await form.getByText('NIP harus 18 angka (sekarang 17).').waitFor();
    await form.getByText('Akun X berisi 1 sampai 15 huruf', { exact: false }).waitFor();
    expect(await tally<{ n: number }>('select count(*) n from members')).toEqual({ n: 0 });

    await form.getByLabel('NIP').fill('19850315-201001-2-003');
    await form.getByLabel('Akun X (tidak wajib)').fill('@budi_s');
    await form.getByRole('button', { name: 'Daftar' }).click();
    await options.getByText(`Terdaftar sebagai Contoh Pegawai, Dinas Kesehatan (NIP ${NIP})`, { exact: false }).waitFor();
    await options.getByText('Akun X: @budi_s', { exact: false }).waitFor();
    const member = await tally<{ nip: string; name: string; unit: string; x_handle: string }>(
      'select m.nip, m.name, u.name unit, m.x_handle from members m join units u on u.id = m.unit_id',
    );
    expect(member).toEqual({ nip: NIP, name: 'Contoh Pegawai', unit: 'Dinas Kesehatan', x_handle: 'budi_s' });
  });

  it('keeps an event the tally refused in the history, with its reason in words, counted apart and never sent again', async () => {
    const [first, second] = buildDemoFeed({ base: `http://localhost:${port}`, now: startedAt }).items;
    const record = (itemId: string) =>
      options.evaluate(async (itemId) => {
        const ext = (
          globalThis as unknown as { chrome: { runtime: { sendMessage(m: object): Promise<{ ok: boolean; eventId?: string }> } } }
        ).chrome;
        const r = await ext.runtime.sendMessage({ type: 'share/record', itemId, platform: 'facebook', action: 'posted' });
        if (!r.ok || !r.eventId) throw new Error('share not recorded');
        return r.eventId;
      }, itemId);
    const counted = await record(first!.id);
    await syncNow();
    // The agency's daily cap is one event: the next one today is refused (`over_cap`).
    const refused = await record(second!.id);
    await syncNow();
    await expect
      .poll(async () => Object.fromEntries((await readHistory(options)).map((e) => [e.id, e.sync])))
      .toEqual({ [counted]: 'synced', [refused]: 'rejected' });
    expect(await tally<{ n: number }>('select count(*) n from shares')).toEqual({ n: 1 });

    await options.reload();
    const row = options.getByRole('row').filter({ hasText: second!.title! });
    await row.getByText('Ditolak: melewati batas catatan harian per orang; tidak dihitung').waitFor();
    // The stats count the accepted post only, and name the refused one apart.
    await options.getByText('Ditolak rekap: 1 (tampil di riwayat beserta alasannya', { exact: false }).waitFor();
    const posted = options.locator('.stat-card').filter({ hasText: 'Diposting' }).locator('dd');
    expect(await posted.textContent()).toBe('1');

    expect(sent.filter((id) => id === refused)).toHaveLength(1);
    await syncNow();
    expect(sent.filter((id) => id === refused)).toHaveLength(1);
  });

  it('enrols the same NIP again only with a one-time personal code from the studio', async () => {
    await options.getByRole('button', { name: 'Keluar dan lupakan saya' }).click();
    const form = enrolForm();
    await form.getByLabel('Kode pendaftaran').fill('DINKES-2026');
    await form.getByRole('button', { name: 'Periksa kode' }).click();
    await form.getByText('Kode ini untuk unit kerja: Dinas Kesehatan').waitFor();
    // Written with spaces this time, as some ID cards print it.
    await form.getByLabel('NIP').fill('19850315 201001 2 003');
    await form.getByLabel('Nama lengkap').fill('Contoh Pegawai');
    await form.getByRole('button', { name: 'Daftar' }).click();
    await form.getByRole('alert').getByText('NIP ini sudah terdaftar dan masih aktif', { exact: false }).waitFor();
    // Who issues the code is said where it is asked for.
    await form.getByText('Editor unit kerja Anda atau admin Siar membuatnya di studio Siar', { exact: false }).waitFor();
    const personal = form.getByLabel('Kode pribadi');
    expect(await personal.evaluate((el) => el === document.activeElement)).toBe(true);

    await form.getByRole('button', { name: 'Daftar' }).click();
    await form.getByText('Wajib diisi.').waitFor();
    await personal.fill('BUKAN-KODE-ASLI');
    await form.getByRole('button', { name: 'Daftar' }).click();
    await form.getByRole('alert').getByText('Kode pribadi salah, sudah dipakai, atau sudah kedaluwarsa.', { exact: false }).waitFor();

    const res = await fetch(`http://127.0.0.1:${port}/api/v1/personal-codes`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${await studioToken()}` },
      body: JSON.stringify({ nip: NIP }),
    });
    expect(res.status).toBe(201);
    const { code } = (await res.json()) as { code: string };
    await personal.fill(code);
    await form.getByRole('button', { name: 'Daftar' }).click();
    await options.getByText(`Terdaftar sebagai Contoh Pegawai, Dinas Kesehatan (NIP ${NIP})`, { exact: false }).waitFor();
    expect(await tally<{ n: number }>('select count(*) n from members')).toEqual({ n: 1 });
    expect(await tally<{ n: number }>('select count(*) n from tokens where revoked_at is null')).toEqual({ n: 2 });
  });

  it('tells a NIP that is not on the roster so, naming the unit', async () => {
    const csv = `NIP,Nama,Unit\n${NIP},Contoh Pegawai,Dinas Kesehatan\n`;
    const res = await fetch(`http://127.0.0.1:${port}/api/v1/roster`, {
      method: 'POST',
      headers: { 'content-type': 'text/csv', authorization: `Bearer ${await studioToken()}` },
      body: csv,
    });
    expect(res.status).toBe(200);
    await options.getByRole('button', { name: 'Keluar dan lupakan saya' }).click();
    const form = enrolForm();
    await form.getByLabel('Kode pendaftaran').fill('DINKES-2026');
    await form.getByRole('button', { name: 'Periksa kode' }).click();
    await form.getByText('Instansi Anda memakai daftar pegawai', { exact: false }).waitFor();
    await form.getByLabel('NIP').fill('19900101.201501.1.001');
    await form.getByLabel('Nama lengkap').fill('Bukan Pegawai Dinkes');
    await form.getByRole('button', { name: 'Daftar' }).click();
    await form
      .getByRole('alert')
      .getByText('NIP ini tidak ada dalam daftar pegawai instansi untuk Dinas Kesehatan.', { exact: false })
      .waitFor();
    expect(await tally<{ n: number }>('select count(*) n from members')).toEqual({ n: 1 });
  });
});
