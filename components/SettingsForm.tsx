import { useState } from 'preact/hooks';
import { t } from '@/utils/i18n';
import { isAllowedUrl } from '@/utils/protocol/url';

export interface SettingsFormProps {
  feedUrl: string;
  buildFeedUrl: string;
  /** Resolves to the word to show: saved, or why not. */
  onSave: (feedUrl: string) => Promise<'saved' | 'permission_denied'>;
}

export function SettingsForm(p: SettingsFormProps) {
  const [feedUrl, setFeedUrl] = useState(p.feedUrl);
  const [result, setResult] = useState<'saved' | 'permission_denied' | 'err_bad_url'>();
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        const value = feedUrl.trim();
        if (value && !isAllowedUrl(value)) {
          setResult('err_bad_url');
          return;
        }
        void p.onSave(value).then(setResult);
      }}
    >
      <div class="field">
        <label for="feed-url">{t('feed_url_label')}</label>
        <input
          id="feed-url"
          type="url"
          inputMode="url"
          value={feedUrl}
          placeholder={p.buildFeedUrl}
          aria-describedby="feed-url-help"
          aria-invalid={result === 'err_bad_url'}
          onInput={(e) => setFeedUrl(e.currentTarget.value)}
        />
        <p id="feed-url-help" class="help">
          {t('feed_url_help', p.buildFeedUrl || t('no_default'))}
        </p>
      </div>
      <button type="submit">{t('save')}</button>
      {result && (
        <p role="status" class={result === 'saved' ? 'notice notice-ok' : 'notice notice-error'}>
          {t(result)}
        </p>
      )}
    </form>
  );
}
