import { describe, expect, it, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import en from '../../public/_locales/en/messages.json';
import id from '../../public/_locales/id/messages.json';
import { pluralForm, tn } from '@/utils/i18n';
import { feedProblemText } from '@/components/StatusLine';
import { campaignWord, platformWord } from '@/components/stats/format';

type Messages = Record<string, { message: string }>;

/** The fake browser speaking one of the real locales, $1-style substitutions filled in. */
function speak(messages: Messages, lang: string) {
  vi.spyOn(fakeBrowser.i18n, 'getUILanguage').mockReturnValue(lang);
  vi.spyOn(fakeBrowser.i18n, 'getMessage').mockImplementation(((key: string, subs?: string | string[]) => {
    const m = messages[key]?.message ?? '';
    const list = ([] as string[]).concat(subs ?? []);
    return m.replace(/\$([A-Z_]+)\$/g, (_all, name: string) => {
      const order = (en as unknown as Record<string, { placeholders?: Record<string, { content: string }> }>)[key]?.placeholders?.[
        name.toLowerCase()
      ]?.content;
      return list[Number(order?.slice(1)) - 1] ?? '';
    });
  }) as typeof fakeBrowser.i18n.getMessage);
}

describe('plural words (Intl.PluralRules)', () => {
  it('English has one and other; Indonesian only other', () => {
    expect(pluralForm('en', 1)).toBe('one');
    expect(pluralForm('en', 0)).toBe('other');
    expect(pluralForm('en', 2)).toBe('other');
    expect(pluralForm('id', 1)).toBe('other');
    expect(pluralForm('not a locale!', 1)).toBe('other');
  });

  it('"1 record deleted." and "2 records deleted." in English; one form in Indonesian', () => {
    speak(en as unknown as Messages, 'en-US');
    expect(tn('deleted_count', 1)).toBe('1 record deleted.');
    expect(tn('deleted_count', 2)).toBe('2 records deleted.');
    expect(tn('sync_pending', 1)).toBe('1 record waiting to be sent');
    expect(tn('dropped_items', 3)).toBe('3 invalid posts skipped');
    speak(id as unknown as Messages, 'id');
    expect(tn('deleted_count', 1)).toBe('1 catatan dihapus.');
    expect(tn('deleted_count', 5)).toBe('5 catatan dihapus.');
  });

  it('every plural message has both forms in both locales', () => {
    for (const messages of [en, id] as unknown as Messages[]) {
      const bases = Object.keys(messages)
        .filter((k) => k.endsWith('_one'))
        .map((k) => k.slice(0, -4));
      expect(bases.length).toBeGreaterThan(3);
      for (const b of bases) expect(messages[`${b}_other`], b).toBeDefined();
    }
  });
});

describe('words people see', () => {
  it('a feed problem ends in one full stop, and says the posts stay', () => {
    speak(id as unknown as Messages, 'id');
    for (const key of Object.keys(id).filter((k) => k.startsWith('err_'))) {
      const text = feedProblemText([key as 'err_network'], true);
      expect(text, key).not.toMatch(/\.\./);
      expect(text, key).toMatch(/Postingan terakhir tetap ada di sini/);
    }
    expect(feedProblemText(['err_network'], false)).toBe('Feed tidak dapat dihubungi.');
  });

  it('no word about hacking to the ASN', () => {
    for (const messages of [en, id] as unknown as Messages[]) {
      for (const [key, m] of Object.entries(messages)) expect(m.message, key).not.toMatch(/dibobol|hack/i);
    }
  });

  it('platforms by name, never `other`; campaigns by words, never a slug', () => {
    speak(id as unknown as Messages, 'id');
    expect(platformWord('whatsapp')).toBe('WhatsApp');
    expect(platformWord('other')).toBe('Lainnya');
    expect(campaignWord('asn-bersuara')).toBe('Asn bersuara');
  });
});
