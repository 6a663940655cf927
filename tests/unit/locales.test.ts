import { describe, expect, it } from 'vitest';
import en from '../../public/_locales/en/messages.json';
import id from '../../public/_locales/id/messages.json';

type Messages = Record<string, { message: string; placeholders?: Record<string, { content: string }> }>;

describe('locales', () => {
  it('Indonesian and English have the same keys and placeholders', () => {
    expect(Object.keys(id).sort()).toEqual(Object.keys(en).sort());
    for (const [key, m] of Object.entries(en as Messages)) {
      expect(Object.keys((id as Messages)[key]!.placeholders ?? {}), key).toEqual(Object.keys(m.placeholders ?? {}));
    }
  });

  it('every $NAME$ in a message has a placeholder', () => {
    for (const messages of [en, id] as Messages[]) {
      for (const [key, m] of Object.entries(messages)) {
        for (const [, name] of m.message.matchAll(/\$([A-Za-z_]+)\$/g)) {
          expect(m.placeholders?.[name!.toLowerCase()], `${key}: ${name}`).toBeDefined();
        }
      }
    }
  });

  // The words people (and the e2e tests, by role and name) look for: a change here is a change for them.
  it('keeps the fixed UI words, in Indonesian and English, exactly', () => {
    const pairs: [keyof typeof en, string, string][] = [
      ['popup_heading', 'Official posts', 'Postingan resmi'],
      ['search_label', 'Search posts', 'Cari postingan'],
      ['share_x', 'Share on X', 'Bagikan ke X'],
      ['share_facebook', 'Share on Facebook', 'Bagikan ke Facebook'],
      ['share_whatsapp', 'Share on WhatsApp', 'Bagikan ke WhatsApp'],
      ['copy', 'Copy', 'Salin'],
      ['badge_mandatory', 'Mandatory', 'Wajib'],
      ['badge_priority', 'Priority', 'Prioritas'],
      ['badge_shared', 'Shared', 'Sudah dibagikan'],
      ['copied_paste', 'Copied — paste it into the post box', 'Tersalin — tempelkan ke kotak postingan'],
      ['feed_url_label', 'Feed URL', 'Alamat feed'],
      ['insert_official_post', 'Insert official post', 'Sisipkan postingan resmi'],
      ['composer_button_label', 'Official content', 'Konten resmi'],
    ];
    for (const [key, english, indonesian] of pairs) {
      expect(en[key].message, key).toBe(english);
      expect(id[key].message, key).toBe(indonesian);
    }
  });
});
