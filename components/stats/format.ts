import { t, uiLocale, type MessageKey } from '@/utils/i18n';
import { platformName } from '@/utils/protocol/platforms';
import type { RejectReason, ShareAction } from '@/utils/protocol/tally';
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

/**
 * One phrase per reason the tally gives for refusing an event (docs/protocol.md), saying what it
 * means for the person; `too_large` is the outbox's own (a single event over the size limit).
 */
const REJECT_KEYS = {
  malformed: 'reject_malformed',
  unknown_item: 'reject_unknown_item',
  foreign_feed: 'reject_foreign_feed',
  bad_platform: 'reject_bad_platform',
  bad_action: 'reject_bad_action',
  bad_time: 'reject_bad_time',
  over_cap: 'reject_over_cap',
  bad_post_url: 'reject_bad_post_url',
  id_taken: 'reject_id_taken',
  too_large: 'reject_too_large',
} as const satisfies Record<RejectReason | 'too_large', MessageKey>;

/** A refusal's reason in words; a reason newer than this extension is named as the tally gave it. */
export function rejectReasonWords(reason: string | undefined): [MessageKey, ...string[]] {
  if (reason && Object.hasOwn(REJECT_KEYS, reason)) return [REJECT_KEYS[reason as keyof typeof REJECT_KEYS]];
  return reason ? ['reject_other', reason.slice(0, 60)] : ['reject_unknown'];
}

export function syncWord(sync: SyncState, reason?: string): string {
  if (sync === 'rejected') return t('sync_state_rejected_reason', t(...rejectReasonWords(reason)));
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
