import { t, tn, type MessageKey } from '@/utils/i18n';
import type { SyncStatus } from '@/utils/sync/drain';

export interface SyncPanelProps {
  enrolled: boolean;
  status: SyncStatus;
  counts: { pending: number; synced: number; rejected: number };
  busy: boolean;
  formatTime: (ms: number) => string;
  onSyncNow: () => void;
}

export function syncErrorWords(e: NonNullable<SyncStatus['lastError']>): [MessageKey, ...string[]] {
  if (e.code === 'http') return ['sync_err_http', String(e.status)];
  return [`sync_err_${e.code}`];
}

export function SyncPanel(p: SyncPanelProps) {
  if (!p.enrolled) return <p class="help">{t('sync_not_enrolled')}</p>;
  const { status } = p;
  return (
    <div class="sync" role="status" aria-live="polite">
      <ul class="sync-lines">
        <li>{tn('sync_pending', p.counts.pending)}</li>
        {p.counts.rejected > 0 && <li class="status-warn">{tn('sync_rejected', p.counts.rejected)}</li>}
        <li>{status.lastSuccessAt ? t('sync_last_success', p.formatTime(status.lastSuccessAt)) : t('sync_never')}</li>
        {status.lastError && <li class="status-error">{t(...syncErrorWords(status.lastError))}</li>}
        {status.nextAttemptAt && status.lastError && !status.needsEnrol && <li>{t('sync_next', p.formatTime(status.nextAttemptAt))}</li>}
      </ul>
      <button type="button" onClick={p.onSyncNow} disabled={p.busy}>
        {t('sync_now')}
      </button>
    </div>
  );
}
