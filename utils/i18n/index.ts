import { browser } from 'wxt/browser';
import type en from '../../public/_locales/en/messages.json';

// Every word a user sees comes from public/_locales (id first, en second). Keys are typed
// from the English file; a unit test keeps both files' keys equal.
export type MessageKey = keyof typeof en;

/** A message said by count: the locales hold `<base>_one` and `<base>_other` (Intl.PluralRules' names). */
export type PluralBase = {
  [K in MessageKey]: K extends `${infer B}_other` ? (`${B}_one` extends MessageKey ? B : never) : never;
}[MessageKey];

export function t(key: MessageKey, ...subs: (string | number)[]): string {
  const text = browser.i18n.getMessage(key, subs.map(String));
  return text || key;
}

/** The UI language, for dates and numbers. */
export function uiLocale(): string {
  return browser.i18n.getUILanguage?.() || 'id';
}

const rules = new Map<string, Intl.PluralRules>();

/**
 * The plural form Intl.PluralRules gives `count` in `locale`, narrowed to the two forms the
 * locales hold: Indonesian has only `other`; English `one` and `other`.
 */
export function pluralForm(locale: string, count: number): 'one' | 'other' {
  let r = rules.get(locale);
  if (!r) {
    try {
      r = new Intl.PluralRules(locale);
    } catch {
      r = new Intl.PluralRules('id');
    }
    rules.set(locale, r);
  }
  return r.select(count) === 'one' ? 'one' : 'other';
}

/** `tn('deleted_count', 1)` → "1 record deleted."; the count is the first substitution. */
export function tn(base: PluralBase, count: number, ...subs: (string | number)[]): string {
  return t(`${base}_${pluralForm(uiLocale(), count)}` as MessageKey, count, ...subs);
}
