import { browser } from 'wxt/browser';
import { t } from '@/utils/i18n';
import { optionsSection } from '@/utils/options-link';

// The page a new user sees once, on install: what Siar is, how to find it, how to enrol, and
// exactly what leaves the browser. Every word from the locales (Indonesian first).
export function Welcome() {
  return (
    <main class="welcome">
      <h1>{t('welcome_title')}</h1>

      <section aria-labelledby="w-what">
        <h2 id="w-what">{t('welcome_what_h')}</h2>
        <p>{t('welcome_what')}</p>
      </section>

      <section aria-labelledby="w-pin">
        <h2 id="w-pin">{t('welcome_pin_h')}</h2>
        <p>{import.meta.env.FIREFOX ? t('welcome_pin_firefox') : t('welcome_pin_chrome')}</p>
      </section>

      <section aria-labelledby="w-enrol">
        <h2 id="w-enrol">{t('welcome_enrol_h')}</h2>
        <p>{t('welcome_enrol')}</p>
        <div class="actions">
          <button type="button" class="primary" onClick={() => void optionsSection('enrol')}>
            {t('welcome_enrol_button')}
          </button>
          <button type="button" onClick={() => void optionsSection('stats')}>
            {t('welcome_stats_button')}
          </button>
        </div>
      </section>

      <section aria-labelledby="w-data">
        <h2 id="w-data">{t('welcome_data_h')}</h2>
        <ul>
          <li>{t('welcome_data_feed')}</li>
          <li>{t('welcome_data_report')}</li>
          <li>{t('welcome_data_enrol')}</li>
          <li>{t('welcome_data_shares')}</li>
        </ul>
        {/* Said where people read what Siar keeps: on WhatsApp Web, the chat stays theirs. */}
        <p class="welcome-whatsapp">{t('welcome_data_whatsapp')}</p>
        <p>{t('welcome_data_never')}</p>
      </section>
      <p class="help">Siar {browser.runtime.getManifest().version}</p>
    </main>
  );
}
