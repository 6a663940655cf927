// @vitest-environment happy-dom
import { afterEach, describe, expect, it, vi } from 'vitest';
import { copyText } from '@/utils/clipboard';
import { editorHolds, isEnabled } from '@/utils/composer/verify';

afterEach(() => vi.restoreAllMocks());

describe('insert verification', () => {
  it('finds the composed text in an editor whatever its paragraph markup', () => {
    const editor = document.createElement('div');
    editor.innerHTML = '<p>Halo ASN 👋</p><p><br></p><p>#KabupatenContoh</p><p><br></p><p>https://x.example/a</p>';
    expect(editorHolds(editor, 'Halo ASN 👋\n\n#KabupatenContoh\n\nhttps://x.example/a')).toBe(true);
    expect(editorHolds(editor, 'Halo ASN 👋\n\n#Lain')).toBe(false);
    // Nothing to insert is never "inserted".
    expect(editorHolds(editor, '')).toBe(false);
  });

  it('reads a Post button as enabled only when neither disabled nor aria-disabled', () => {
    const b = document.createElement('button');
    document.body.append(b);
    expect(isEnabled(b)).toBe(true);
    b.disabled = true;
    expect(isEnabled(b)).toBe(false);
    const d = document.createElement('div');
    d.setAttribute('aria-disabled', 'true');
    document.body.append(d);
    expect(isEnabled(d)).toBe(false);
    d.setAttribute('aria-disabled', 'false');
    expect(isEnabled(d)).toBe(true);
    d.remove();
    expect(isEnabled(d)).toBe(false);
    expect(isEnabled(null)).toBe(false);
  });
});

describe('clipboard fallback', () => {
  it('uses the async clipboard when allowed', async () => {
    const write = vi.fn().mockResolvedValue(undefined);
    vi.stubGlobal('navigator', { clipboard: { writeText: write } });
    expect(await copyText('teks')).toBe(true);
    expect(write).toHaveBeenCalledWith('teks');
    vi.unstubAllGlobals();
  });

  it('falls back to a selected textarea and execCommand when the async clipboard refuses', async () => {
    vi.stubGlobal('navigator', { clipboard: { writeText: vi.fn().mockRejectedValue(new Error('NotAllowedError')) } });
    let copied: string | undefined;
    const exec = vi.fn((cmd: string) => {
      copied = (document.activeElement as HTMLTextAreaElement | null)?.value ?? document.querySelector('textarea')?.value;
      return cmd === 'copy';
    });
    (document as unknown as { execCommand: typeof exec }).execCommand = exec;
    expect(await copyText('Tersalin\n\n#Tag')).toBe(true);
    expect(exec).toHaveBeenCalledWith('copy');
    expect(copied).toBe('Tersalin\n\n#Tag');
    // The helper textarea does not stay in the page.
    expect(document.querySelector('textarea')).toBeNull();
    vi.unstubAllGlobals();
  });

  it('says so when both ways fail', async () => {
    vi.stubGlobal('navigator', { clipboard: { writeText: vi.fn().mockRejectedValue(new Error('no')) } });
    (document as unknown as { execCommand: () => boolean }).execCommand = () => false;
    expect(await copyText('x')).toBe(false);
    vi.unstubAllGlobals();
  });
});
