import { describe, expect, it } from 'vitest';
import { captionVariants, composeFor, composeText, xWeightedLength } from '@/utils/compose';
import { panelItems } from '@/utils/feed/panel';
import { ItemSchema } from '@/utils/protocol/feed';
import type { Item } from '@/utils/protocol/item';
import { site as xSite } from '@/utils/sites/x.site';
import { protocolExampleFeed } from './feeds';

/** X's limit, as X states it; the X site file must say the same (below). */
const X_MAX_WEIGHTED = 280;

const example = ItemSchema.parse(protocolExampleFeed().items[0]);
const mk = (extra: Record<string, unknown>): Item => ItemSchema.parse({ id: 'x', ...extra });

describe('caption choice', () => {
  it('takes captions[P], else default, else title, else summary', () => {
    expect(captionVariants(example, 'x')).toEqual(['Bupati ajak ASN sebarkan capaian pembangunan daerah.']);
    expect(captionVariants(example, 'facebook')).toHaveLength(2);
    expect(captionVariants(mk({ title: 'Judul', summary: 'Ringkas' }), 'x')).toEqual(['Judul']);
    expect(captionVariants(mk({ summary: 'Ringkas' }), 'x')).toEqual(['Ringkas']);
    expect(captionVariants(mk({ title: '  ', summary: 'Ringkas' }), 'x')).toEqual(['Ringkas']);
  });

  it('skips empty variants and empty platform captions', () => {
    const i = mk({ title: 'T', _siar: { captions: { x: ['', '  '], default: ['', 'Satu'] } } });
    expect(captionVariants(i, 'x')).toEqual(['Satu']);
  });
});

describe('composed text', () => {
  it('joins caption, hashtag line and URL by blank lines', () => {
    expect(composeFor(example, 'facebook', 1).text).toBe(
      'Capaian pembangunan adalah kerja bersama semua OPD. Yuk ikut sebarkan!\n\n#KabupatenContoh\n\nhttps://pemkab.example/berita/apel-medsos',
    );
    expect(composeFor(example, 'x').text).toBe(
      'Bupati ajak ASN sebarkan capaian pembangunan daerah.\n\n#KabupatenContoh\n\nhttps://pemkab.example/berita/apel-medsos',
    );
  });

  it('leaves out empty parts', () => {
    expect(composeFor(mk({ title: 'Hanya judul' }), 'whatsapp').text).toBe('Hanya judul');
    expect(composeFor(mk({ url: 'https://a.example/' }), 'x').text).toBe('https://a.example/');
    expect(composeFor(mk({ title: 'T', _siar: { hashtags: ['A', 'B_2'] } }), 'x').text).toBe('T\n\n#A #B_2');
  });

  it('picks variants modulo their number, negative too', () => {
    expect(composeFor(example, 'facebook', 2).text).toBe(composeFor(example, 'facebook', 0).text);
    expect(composeFor(example, 'facebook', -1).text).toBe(composeFor(example, 'facebook', 1).text);
  });

  it('keeps Indonesian text and emoji intact', () => {
    const cap = 'Panen raya padi di Desa Sukamaju 🌾🎉 — hasil naik 20% berkat irigasi baru!';
    const r = composeFor(mk({ _siar: { captions: { default: cap }, hashtags: ['PanenRaya'] }, url: 'https://pemkab.example/p' }), 'x');
    expect(r.text).toBe(`${cap}\n\n#PanenRaya\n\nhttps://pemkab.example/p`);
    expect(r.shortened).toBe(false);
  });
});

describe('X weighted limit', () => {
  it('is the one the X site file declares', () => {
    expect(xSite.textLimit?.max).toBe(X_MAX_WEIGHTED);
  });

  const longUrl = `https://contohkab.go.id/berita/${'sangat-panjang-'.repeat(20)}akhir`;

  it('counts a URL as 23 and emoji as 2, as X does', () => {
    expect(xWeightedLength(longUrl)).toBe(23);
    expect(xWeightedLength('🎉')).toBe(2);
    expect(xWeightedLength('abc')).toBe(3);
  });

  it('fits a long caption at a word boundary with …, keeping hashtags and URL', () => {
    const words = Array.from({ length: 80 }, (_, n) => `kata${n}`).join(' ');
    const i = mk({ url: longUrl, _siar: { captions: { x: words }, hashtags: ['KabupatenContoh', 'BanggaMelayani'] } });
    const r = composeFor(i, 'x');
    expect(r.shortened).toBe(true);
    expect(r.weighted).toBeLessThanOrEqual(X_MAX_WEIGHTED);
    expect(r.weighted).toBeGreaterThan(X_MAX_WEIGHTED - 12);
    expect(r.text.endsWith(`\n\n#KabupatenContoh #BanggaMelayani\n\n${longUrl}`)).toBe(true);
    const caption = r.text.split('\n\n')[0]!;
    expect(caption.endsWith('…')).toBe(true);
    // Cut between words: what precedes … is a whole word of the original.
    expect(words.split(' ')).toContain(caption.slice(0, -1).split(' ').pop());
  });

  it('does not shorten other platforms', () => {
    const long = 'x '.repeat(400).trim();
    const r = composeFor(mk({ _siar: { captions: { default: long } } }), 'facebook');
    expect(r.text).toBe(long);
    expect(r.shortened).toBe(false);
  });

  it('never splits an emoji or CJK character and counts them double', () => {
    const cap = '🎉'.repeat(200);
    const r = composeFor(mk({ _siar: { captions: { default: cap } }, url: 'https://a.example/b' }), 'x');
    expect(r.weighted).toBeLessThanOrEqual(280);
    expect(r.text).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/);
    const cjk = composeFor(mk({ _siar: { captions: { default: '日本語'.repeat(100) } } }), 'x');
    expect(cjk.weighted).toBeLessThanOrEqual(280);
    expect(cjk.text.endsWith('…')).toBe(true);
  });

  it('drops trailing hashtags only when hashtags and URL alone exceed the limit', () => {
    const tags = Array.from({ length: 30 }, (_, n) => `TagarPanjangSekali${n}`);
    const r = composeFor(mk({ title: 'Judul', url: 'https://a.example/', _siar: { hashtags: tags } }), 'x');
    expect(r.weighted).toBeLessThanOrEqual(280);
    expect(r.text).toContain('#TagarPanjangSekali0');
    expect(r.text.endsWith('https://a.example/')).toBe(true);
  });
});

describe('WhatsApp: its own formatting, no length limit', () => {
  it("writes a caption's *bold* as WhatsApp reads it, and the panel lists it so", () => {
    const cap = '*Penting:* vaksinasi gratis di Puskesmas Sukamaju, Sabtu pukul 08.00. _Bawa KTP._';
    const post = mk({
      title: 'Vaksinasi',
      url: 'https://pemkab.example/v',
      _siar: { captions: { whatsapp: cap, x: 'Vaksinasi gratis' }, hashtags: ['SehatBersama'] },
    });
    const r = composeFor(post, 'whatsapp');
    expect(r.text).toBe(`${cap}\n\n#SehatBersama\n\nhttps://pemkab.example/v`);
    expect(r.text.startsWith('*Penting:*')).toBe(true);
    const [listed] = panelItems([post], new Map(), 'whatsapp', Date.now());
    expect(listed!.texts[0]!.text).toBe(r.text);
  });

  it("does not cut a long text at 280 the way X's is", () => {
    const long = Array.from({ length: 120 }, (_, n) => `kata${n}`).join(' ');
    const post = mk({ url: 'https://pemkab.example/p', _siar: { captions: { default: `*${long}*` }, hashtags: ['A'] } });
    expect(xWeightedLength(long)).toBeGreaterThan(X_MAX_WEIGHTED * 2);
    const wa = composeFor(post, 'whatsapp');
    expect(wa).toEqual({ text: `*${long}*\n\n#A\n\nhttps://pemkab.example/p`, weighted: 0, shortened: false });
    expect(composeFor(post, 'x').shortened).toBe(true);
  });
});

describe('composeText, the part the agency server shares', () => {
  it("fits a text only to the limit it is given; composeFor gives the site registry's", () => {
    const long = { id: 'a', title: 'x', _siar: { captions: { default: 'kata '.repeat(80) } } };
    expect(composeText(long as never, 'x').shortened).toBe(false);
    expect(composeText(long as never, 'x', 0, 280)).toEqual(composeFor(long as never, 'x'));
    expect(composeFor(long as never, 'x').weighted).toBeLessThanOrEqual(280);
  });
});
