import { useEffect, useState } from 'preact/hooks';
import { SettingsForm } from '@/components/SettingsForm';
import { t } from '@/utils/i18n';
import { sendMessage } from '@/utils/messages';
import { BUILD_FEED_URL, loadUserSettings, saveUserSettings, type UserSettings } from '@/utils/settings';
import { requestOrigin } from '@/utils/settings/permissions';

export function App() {
  const [settings, setSettings] = useState<UserSettings>();
  useEffect(() => {
    void loadUserSettings().then(setSettings);
  }, []);
  if (!settings) return <main class="options" aria-busy="true" />;
  return (
    <main class="options">
      <h1>{t('settings_heading')}</h1>
      <SettingsForm
        feedUrl={settings.feedUrl ?? ''}
        buildFeedUrl={BUILD_FEED_URL}
        onSave={async (feedUrl) => {
          // The permission prompt must come straight from the click, before any other await.
          if (feedUrl && !(await requestOrigin(feedUrl))) return 'permission_denied';
          const next = { ...settings, feedUrl: feedUrl || undefined };
          await saveUserSettings(next);
          setSettings(next);
          void sendMessage({ type: 'settings/changed' });
          return 'saved';
        }}
      />
    </main>
  );
}
