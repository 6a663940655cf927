import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIREFOX_BUILD, startAgency, useFeedInFirefox } from './support/extension';
import { launchFirefox, type LaunchedFirefox } from './support/firefox';

// The enrolment form in Firefox against the real tally: the code first and its unit shown, a NIP
// written with dashes. (enrol.chromium.test.ts covers every answer; this checks the same page
// works where permissions and the personal-data consent are Firefox's.)

const NIP = '198503152010012003';
let firefox: LaunchedFirefox;
let agency: Awaited<ReturnType<typeof startAgency>>;

beforeAll(async () => {
  agency = await startAgency();
  // The optional permission requests (the tally's origin, the consent to send personal data) are
  // granted without a prompt, as a person pressing Allow would.
  firefox = await launchFirefox({
    extensionDir: FIREFOX_BUILD,
    lang: 'id',
    extraPrefs: { 'extensions.webextOptionalPermissionPrompts': false },
  });
});

afterAll(async () => {
  await firefox?.close();
  await agency?.agency.close();
});

describe('Firefox enrolment', () => {
  it('shows the unit of the code, then enrols a NIP written with dashes', async () => {
    await useFeedInFirefox(firefox, agency.feedUrl);
    const page = await firefox.openExtensionPage('options.html');
    const text = (s: string) => page.waitForFunction((s: string) => document.body.innerText.includes(s), { timeout: 20_000 }, s);
    await page.waitForSelector('#e-code', { timeout: 20_000 });
    expect(await page.$('#e-unit')).toBeNull();

    await page.type('#e-code', 'KOMINFO-2026');
    await page.click('button::-p-text(Periksa kode)');
    await text('Kode ini untuk unit kerja: Dinas Komunikasi dan Informatika');

    await page.type('#e-nip', '19850315-201001-2-003');
    await page.type('#e-name', 'Contoh Pegawai');
    await page.click('button::-p-text(Daftar)');
    await text(`Terdaftar sebagai Contoh Pegawai, Dinas Komunikasi dan Informatika (NIP ${NIP})`);
    const member = await agency.agency.db.get<{ nip: string; name: string }>('select nip, name from members');
    expect(member).toEqual({ nip: NIP, name: 'Contoh Pegawai' });
  });
});
