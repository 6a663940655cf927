import { t, type MessageKey } from '@/utils/i18n';

/** Said when the site's post box cannot be found: never a silent failure, and Copy instead. */
export function DriftNotice(p: { done?: MessageKey; onCopy: () => void; onClose: () => void }) {
  return (
    <div class="drift" role="alert">
      <p>{t(p.done ?? 'composer_not_found')}</p>
      <div class="panel-row">
        {!p.done && (
          <button type="button" class="insert" onClick={(e) => e.isTrusted && p.onCopy()}>
            {t('copy_post_text')}
          </button>
        )}
        <button type="button" onClick={p.onClose}>
          {t('close')}
        </button>
      </div>
    </div>
  );
}
