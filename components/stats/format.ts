import { t, uiLocale } from '@/utils/i18n';
import { platformName } from '@/utils/protocol/platforms';
import type { ShareAction } from '@/utils/protocol/tally';
import type { SyncState } from '@/utils/history/types';

// Words and numbers shared by the stats components.

/** A platform's brand name (the same in every language); `other` and anything unknown in the UI's words. */
export function platformWord(key: string): string {
  return platformName(key, t('stats_other'));
}

const ACTION_KEYS = {
  inserted: 'action_inserted',
  posted: 'action_posted',
  intent_opened: 'action_intent_opened',
  copied: 'action_copied',
} as const satisfies Record<ShareAction, string>;

export function actionWord(action: ShareAction): string {
  return t(ACTION_KEYS[action]);
}

export function syncWord(sync: SyncState, reason?: string): string {
  if (sync === 'rejected') return reason ? t('sync_state_rejected_reason', reason) : t('sync_state_rejected');
  return t(sync === 'synced' ? 'sync_state_synced' : 'sync_state_pending');
}

export type FormatNumber = (n: number) => string;

let numbers: Intl.NumberFormat | undefined;

/** `100.000` in Indonesian, `100,000` in English. */
export const defaultFormatNumber: FormatNumber = (n) => {
  numbers ??= new Intl.NumberFormat(uiLocale());
  return numbers.format(n);
};

/**
 * A campaign known only by its id (no longer in the feed, and named nowhere in the history):
 * said as words, "asn-bersuara" → "Asn bersuara", never as the slug.
 */
export function campaignWord(id: string): string {
  const words = id.replace(/[-_]+/g, ' ').trim();
  return words ? words[0]!.toLocaleUpperCase() + words.slice(1) : id;
}
