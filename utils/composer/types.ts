import type { MessageKey } from '../i18n';

/** One composer on the page that has our button. */
export interface Composer {
  editor: HTMLElement;
  root: Element;
  /** The insert waiting for the user to press Post. */
  pending?: { itemId: string };
}

/** A line the panel shows after an insert or a copy. */
export interface Notice {
  key: MessageKey;
  /** The message's placeholders, in order. */
  subs?: (string | number)[];
  tone: 'ok' | 'error';
}
