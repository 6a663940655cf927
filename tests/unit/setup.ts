import { beforeEach, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';

// WXT's fake browser lacks i18n.getMessage: answer with the key, so tests can assert on keys.
beforeEach(() => {
  fakeBrowser.reset();
  vi.spyOn(fakeBrowser.i18n, 'getMessage').mockImplementation(((key: string, subs?: string | string[]) =>
    [key, ...([] as string[]).concat(subs ?? [])].join('|')) as typeof fakeBrowser.i18n.getMessage);
});
