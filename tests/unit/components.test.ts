// @vitest-environment happy-dom
// Small views, rendered with preact in happy-dom, in Indonesian (the UI's first language): the
// words come from public/_locales/id, so a test fails when a word or the element it sits in goes.
import { h, render, type ComponentChild } from 'preact';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { InsertButton } from '@/components/InsertButton';
import { Panel } from '@/components/Panel';
import { Welcome } from '@/components/Welcome';
import type { PanelItem } from '@/utils/messages/replies';
import id from '../../public/_locales/id/messages.json';

type Messages = Record<string, { message: string }>;

let root: HTMLElement;
const mount = (vnode: ComponentChild) => {
  root = document.createElement('div');
  document.body.append(root);
  render(vnode, root);
  return root;
};

beforeEach(() => {
  // Indonesian, as the browser's getMessage would answer (none of these words take substitutions).
  vi.spyOn(fakeBrowser.i18n, 'getMessage').mockImplementation(((key: string) => (id as Messages)[key]?.message ?? '') as never);
});
afterEach(() => {
  render(null, root);
  root.remove();
});

describe('the welcome page', () => {
  beforeEach(() => {
    vi.spyOn(fakeBrowser.runtime, 'getManifest').mockReturnValue({ manifest_version: 3, name: 'Siar', version: '0.1.0' });
  });

  it('says that nothing about a WhatsApp Web chat is recorded, not even on this computer', () => {
    const el = mount(h(Welcome, {}));
    const data = el.querySelector('section[aria-labelledby="w-data"]')!;
    expect(data.querySelector('h2')!.textContent).toBe('Apa yang keluar dari peramban Anda, dan kapan');
    const chat = [...data.querySelectorAll('p')].find((p) => p.textContent!.startsWith('Di WhatsApp Web'));
    expect(chat?.textContent).toContain('tidak ada apa pun tentang obrolan Anda yang dicatat atau dikirim');
    expect(chat?.textContent).toContain('bukan namanya, bukan anggotanya, bukan apakah itu grup');
    expect(chat?.textContent).toContain('bahkan tidak di komputer ini');
  });

  it('names the WhatsApp Web message box among the places of the button, and why the X account is asked', () => {
    const el = mount(h(Welcome, {}));
    expect(el.querySelector('section[aria-labelledby="w-what"] p')!.textContent).toContain('kotak pesan WhatsApp Web');
    const enrol = [...el.querySelectorAll('section[aria-labelledby="w-data"] li')].find((li) => li.textContent!.includes('NIP'));
    expect(enrol?.textContent).toContain('Akun X tidak wajib');
    expect(enrol?.textContent).toContain('postingan X Anda benar-benar ada');
  });
});

describe("the composer's button", () => {
  it('shows the short label "Konten resmi" beside its icon, and is named "Sisipkan postingan resmi"', () => {
    const onClick = vi.fn();
    const el = mount(h(InsertButton, { onClick }));
    const button = el.querySelector('button')!;
    expect(button.getAttribute('aria-label')).toBe('Sisipkan postingan resmi');
    const label = button.querySelector('.trigger-label')!;
    expect(label.textContent).toBe('Konten resmi');
    // The accessible name says it already: the visible label is not read twice.
    expect(label.getAttribute('aria-hidden')).toBe('true');
    button.click();
    expect(onClick).toHaveBeenCalledOnce();
  });
});

describe('the composer panel', () => {
  const item = (o: Partial<PanelItem>): PanelItem => ({
    id: 'a',
    title: 'Judul',
    priority: 'normal',
    shared: false,
    hasImage: false,
    texts: [{ text: 'Teks', weighted: 4 }],
    ...o,
  });

  it("shows a post's thumbnail once it has one, keeps its place until then, and none for a post without a picture", () => {
    const items = [item({ id: 'pic', title: 'Bergambar', hasImage: true }), item({ id: 'late', hasImage: true }), item({ id: 'text' })];
    const el = mount(h(Panel, { id: 'p', items, thumbs: { pic: 'blob:https://x.com/1' }, onInsert: () => {}, onClose: () => {} }));
    const [pic, late, text] = [...el.querySelectorAll('li')];
    const img = pic!.querySelector('img.thumb')!;
    expect(img.getAttribute('src')).toBe('blob:https://x.com/1');
    // Decorative: the post's title beside it says what it is.
    expect(img.getAttribute('alt')).toBe('');
    expect(late!.querySelector('img')).toBeNull();
    expect(late!.querySelector('.thumb-pending')).not.toBeNull();
    expect(text!.querySelector('.thumb')).toBeNull();
  });
});
