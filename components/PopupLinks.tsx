import { t } from '@/utils/i18n';
import { optionsSection, optionsUrl, type OptionsSection } from '@/utils/options-link';

/** The popup's two ways into the options page: the person's stats, and enrolment. */
export function PopupLinks() {
  const link = (section: OptionsSection, label: string) => (
    <a
      href={optionsUrl(section)}
      onClick={(e) => {
        e.preventDefault();
        void optionsSection(section).then(() => window.close());
      }}
    >
      {label}
    </a>
  );
  return (
    <nav class="popup-links" aria-label={t('ext_name')}>
      {link('stats', t('popup_link_stats'))}
      {link('enrol', t('popup_link_enrol'))}
    </nav>
  );
}
