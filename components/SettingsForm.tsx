import { useState } from 'preact/hooks';
import { t, type MessageKey } from '@/utils/i18n';
import { isAllowedUrl } from '@/utils/protocol/url';
import { isPublicKey, type UserSettings } from '@/utils/settings';
import { SETTING_KEYS, type SettingKey } from '@/utils/settings/keys';

export interface SettingsFormProps {
  settings: UserSettings;
  defaults: { feedUrl: string; tallyUrl: string };
  /**
   * Values the agency set by policy: not shown, never saved over. The user's own value for such a
   * field stays stored as it was, unused while the policy is there.
   */
  policy?: Partial<Record<SettingKey, string>>;
  /** Resolves to the word to show: saved, or why not. */
  onSave: (next: UserSettings) => Promise<MessageKey>;
}

function problemOf(field: SettingKey, value: string): MessageKey | undefined {
  if (!value) return undefined;
  if (field === 'feedPublicKey') return isPublicKey(value) ? undefined : 'err_bad_key';
  if (!isAllowedUrl(value)) return field === 'feedUrl' ? 'err_bad_url' : 'err_bad_tally_url';
  return undefined;
}

export function SettingsForm(p: SettingsFormProps) {
  const [values, setValues] = useState<Record<SettingKey, string>>({
    feedUrl: p.settings.feedUrl ?? '',
    tallyUrl: p.settings.tallyUrl ?? '',
    feedPublicKey: p.settings.feedPublicKey ?? '',
  });
  const [problems, setProblems] = useState<Partial<Record<SettingKey, MessageKey>>>({});
  const [result, setResult] = useState<MessageKey>();

  const field = (name: SettingKey, label: MessageKey, help: [MessageKey, ...string[]], type: 'url' | 'text') => {
    // A value set by the agency's policy is not the user's to see or change: not shown at all
    // (the page names it as the agency's), and the user's own stored value stays as it was.
    if (p.policy?.[name] !== undefined) return null;
    const described = `f-${name}-help${problems[name] ? ` f-${name}-err` : ''}`;
    return (
      <div class="field">
        <label for={`f-${name}`}>{t(label)}</label>
        <input
          id={`f-${name}`}
          type={type}
          spellcheck={false}
          autoComplete="off"
          value={values[name]}
          aria-describedby={described}
          aria-invalid={problems[name] !== undefined}
          onInput={(e) => setValues((v) => ({ ...v, [name]: e.currentTarget.value }))}
        />
        <p id={`f-${name}-help`} class="help">
          {t(...help)}
        </p>
        {problems[name] && (
          <p id={`f-${name}-err`} class="field-error">
            {t(problems[name]!)}
          </p>
        )}
      </div>
    );
  };

  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        const trimmed = Object.fromEntries(Object.entries(values).map(([k, v]) => [k, v.trim()])) as Record<SettingKey, string>;
        const found: Partial<Record<SettingKey, MessageKey>> = {};
        for (const f of SETTING_KEYS) {
          // A field set by policy is not the user's to change: not checked, not saved over.
          if (p.policy?.[f] !== undefined) continue;
          const problem = problemOf(f, trimmed[f]);
          if (problem) found[f] = problem;
        }
        setProblems(found);
        setResult(undefined);
        if (Object.keys(found).length > 0) return;
        const next: UserSettings = { ...p.settings };
        for (const f of SETTING_KEYS) if (p.policy?.[f] === undefined) next[f] = trimmed[f] || undefined;
        void p.onSave(next).then(setResult);
      }}
    >
      {field('feedUrl', 'feed_url_label', ['feed_url_help', p.defaults.feedUrl || t('no_default')], 'url')}
      {field('tallyUrl', 'tally_url_label', ['tally_url_help', p.defaults.tallyUrl || t('no_default')], 'url')}
      {field('feedPublicKey', 'public_key_label', ['public_key_help'], 'text')}
      <button type="submit">{t('save')}</button>
      {result && (
        <p role="status" class={result === 'saved' ? 'notice notice-ok' : 'notice notice-error'}>
          {t(result)}
        </p>
      )}
    </form>
  );
}
