import { t, type MessageKey } from '@/utils/i18n';

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

export function StatusLine(p: StatusProps) {
  return (
    <div class="status" role="status" aria-live="polite">
      <div class="status-text">
        <span>{p.refreshing ? t('refreshing') : p.updatedAt ? t('status_updated', p.formatTime(p.updatedAt)) : t('status_never')}</span>
        {p.error && (
          <span class="status-error">
            {t(...p.error)}
            {p.keptLastGood ? `. ${t('kept_last_good')}` : ''}
          </span>
        )}
        {p.dropped > 0 && <span class="status-warn">{t('dropped_items', p.dropped)}</span>}
      </div>
      <button type="button" onClick={p.onRefresh} disabled={p.refreshing}>
        {t('refresh')}
      </button>
    </div>
  );
}
