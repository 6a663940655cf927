import { useLayoutEffect, useRef, useState } from 'preact/hooks';
import { t } from '@/utils/i18n';

/**
 * The composer toolbar button: an icon and the short visible label "Konten resmi", with the
 * accessible name "Sisipkan postingan resmi". Where the site's toolbar has no room for the label (a narrow
 * window, a crowded reply box), the icon stays alone rather than push the site's own buttons.
 */
export function InsertButton({ onClick }: { onClick: () => void }) {
  const label = t('insert_official_post');
  const button = useRef<HTMLButtonElement>(null);
  const [compact, setCompact] = useState(false);
  useLayoutEffect(() => {
    // The row our shadow host sits in: the site's toolbar.
    const row = (button.current?.getRootNode() as ShadowRoot | undefined)?.host?.parentElement;
    if (!row || typeof ResizeObserver === 'undefined') return;
    const fit = () => setCompact((was) => (was ? row.scrollWidth > row.clientWidth + 60 : row.scrollWidth > row.clientWidth));
    fit();
    const obs = new ResizeObserver(fit);
    obs.observe(row);
    return () => obs.disconnect();
  }, []);
  return (
    <button
      ref={button}
      type="button"
      class={compact ? 'trigger' : 'trigger trigger-labelled'}
      aria-label={label}
      title={label}
      aria-haspopup="dialog"
      onClick={onClick}
    >
      <svg viewBox="0 0 24 24" aria-hidden="true" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round">
        <path d="M4 10v4h3l6 4V6L7 10H4z" fill="currentColor" stroke="none" />
        <path d="M16 9a4 4 0 0 1 0 6M18.5 6.5a7.5 7.5 0 0 1 0 11" />
      </svg>
      {!compact && (
        <span class="trigger-label" aria-hidden="true">
          {t('composer_button_label')}
        </span>
      )}
    </button>
  );
}
