import { t } from '@/utils/i18n';

/** "Variant 2 of 3 ›": shown only where the feed gives more than one caption. */
export function VariantSwitcher({ index, count, onNext }: { index: number; count: number; onNext: () => void }) {
  if (count < 2) return null;
  return (
    <span class="variant">
      <span>{t('variant_of', (index % count) + 1, count)}</span>{' '}
      <button type="button" class="link-button" onClick={onNext}>
        {t('variant_next')}
      </button>
    </span>
  );
}
