import { t } from '@/utils/i18n';

/** The composer toolbar button: an icon with the accessible name from UI-WORDS. */
export function InsertButton({ onClick }: { onClick: () => void }) {
  const label = t('insert_official_post');
  return (
    <button type="button" class="trigger" aria-label={label} title={label} aria-haspopup="dialog" onClick={onClick}>
      <svg viewBox="0 0 24 24" aria-hidden="true" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round">
        <path d="M4 10v4h3l6 4V6L7 10H4z" fill="currentColor" stroke="none" />
        <path d="M16 9a4 4 0 0 1 0 6M18.5 6.5a7.5 7.5 0 0 1 0 11" />
      </svg>
    </button>
  );
}
