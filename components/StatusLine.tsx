import { t, tn, type MessageKey } from '@/utils/i18n';

export interface StatusProps {
  updatedAt?: number;
  refreshing: boolean;
  /** The error in words (i18n key + substitutions), if the last refresh failed. */
  error?: [MessageKey, ...string[]];
  /** Whether older posts are still shown despite the error. */
  keptLastGood: boolean;
  dropped: number;
  formatTime: (ms: number) => string;
  onRefresh: () => void;
}

/** A feed problem as the person reading it can take it: what happened, and that the posts stay. */
export function feedProblemText(error: [MessageKey, ...string[]], keptLastGood: boolean): string {
  // The messages end without a full stop; one is added here, never two.
  const said = t(...error).replace(/[.\s]+$/, '');
  return keptLastGood ? `${said}. ${t('kept_last_good')}` : `${said}.`;
}

export function StatusLine(p: StatusProps) {
  return (
    <div class="status" role="status" aria-live="polite">
      <div class="status-text">
        <span>{p.refreshing ? t('refreshing') : p.updatedAt ? t('status_updated', p.formatTime(p.updatedAt)) : t('status_never')}</span>
        {p.error && <span class="status-problem">{feedProblemText(p.error, p.keptLastGood)}</span>}
        {p.dropped > 0 && <span class="status-warn">{tn('dropped_items', p.dropped)}</span>}
      </div>
      <button type="button" onClick={p.onRefresh} disabled={p.refreshing}>
        {t('refresh')}
      </button>
    </div>
  );
}
