import { browser } from 'wxt/browser';
import type en from '../../public/_locales/en/messages.json';

// Every word a user sees comes from public/_locales (id first, en second). Keys are typed
// from the English file; a unit test keeps both files' keys equal.
export type MessageKey = keyof typeof en;

export function t(key: MessageKey, ...subs: (string | number)[]): string {
  const text = browser.i18n.getMessage(key, subs.map(String));
  return text || key;
}

/** The UI language, for dates and numbers. */
export function uiLocale(): string {
  return browser.i18n.getUILanguage?.() || 'id';
}
