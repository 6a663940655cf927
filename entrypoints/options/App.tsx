import { useCallback, useEffect, useMemo, useState } from 'preact/hooks';
import { SettingsForm } from '@/components/SettingsForm';
import { SiteHealth } from '@/components/SiteHealth';
import { SyncPanel } from '@/components/SyncPanel';
import { getSiteHealth, type SiteHealth as Health } from '@/utils/sites/status';
import { loadFeedState } from '@/utils/feed/cache';
import type { FeedState } from '@/utils/feed/types';
import { feedTallyUrl } from '@/utils/feed/select';
import { dateTimeFormatter } from '@/utils/format/time';
import { countBySync } from '@/utils/history/queries';
import { t, uiLocale } from '@/utils/i18n';
import { sendMessage } from '@/utils/messages';
import {
  BUILD_FEED_URL,
  BUILD_TALLY_URL,
  effectiveFeedUrl,
  effectiveTallyUrl,
  loadUserSettings,
  saveUserSettings,
  policyValues,
  settingSources,
  watchPolicy,
  type EffectiveSettings,
  type UserSettings,
} from '@/utils/settings';
import { requestOrigin } from '@/utils/settings/permissions';
import { getEnrolment, watchEnrolment, type Enrolment } from '@/utils/sync/enrolment';
import type { SyncStatus } from '@/utils/sync/drain';
import { getSyncStatus, watchSyncStatus } from '@/utils/sync/service';
import { EnrolSection } from './EnrolSection';
import { StatsSection } from './StatsSection';

export function App() {
  const [settings, setSettings] = useState<UserSettings>();
  const [feed, setFeed] = useState<FeedState>();
  const [tallyUrl, setTallyUrl] = useState<string>();
  const [enrolment, setEnrolment] = useState<Enrolment | null>();
  const [syncStatus, setSyncStatus] = useState<SyncStatus>({ failures: 0 });
  const [counts, setCounts] = useState({ pending: 0, synced: 0, rejected: 0 });
  const [syncing, setSyncing] = useState(false);
  const [historyVersion, setHistoryVersion] = useState(0);
  const [deleted, setDeleted] = useState<number>();
  const [health, setHealth] = useState<Record<string, Health>>({});
  const [sources, setSources] = useState<EffectiveSettings>();

  const formatTime = useMemo(() => dateTimeFormatter(uiLocale()), []);

  const reload = useCallback(async () => {
    const s = await loadUserSettings();
    const url = await effectiveFeedUrl();
    const f = url ? await loadFeedState(url) : undefined;
    setSettings(s);
    setFeed(f);
    setTallyUrl(await effectiveTallyUrl(feedTallyUrl(f)));
    setSources(await settingSources(feedTallyUrl(f)));
    setEnrolment(await getEnrolment());
    setSyncStatus(await getSyncStatus());
    setCounts(await countBySync());
    setHealth(await getSiteHealth());
  }, []);

  useEffect(() => {
    void reload();
    const stops = [
      watchSyncStatus((s) => {
        setSyncStatus(s);
        void countBySync().then(setCounts);
        setHistoryVersion((v) => v + 1);
      }),
      watchEnrolment(setEnrolment),
      // The agency's policy changed (Chrome applies it live): show the new values.
      watchPolicy(() => void reload()),
    ];
    return () => stops.forEach((stop) => stop());
  }, [reload]);

  if (!settings || enrolment === undefined) return <main class="options" aria-busy="true" />;

  return (
    <main class="options">
      <h1>{t('settings_heading')}</h1>

      <section aria-labelledby="s-settings">
        <h2 id="s-settings">{t('settings_section')}</h2>
        <SettingsForm
          settings={settings}
          defaults={{ feedUrl: BUILD_FEED_URL, tallyUrl: feedTallyUrl(feed) ?? BUILD_TALLY_URL }}
          policy={policyValues(sources)}
          onSave={async (next) => {
            // The permission prompts must come straight from the click. A URL set by policy is
            // the one in force, so its origin is the one asked for: saving is how a user lets
            // Siar read a policy feed on an origin the build did not include.
            const policy = policyValues(sources);
            const asks = [policy.feedUrl ?? next.feedUrl, policy.tallyUrl ?? next.tallyUrl]
              .filter((u): u is string => Boolean(u))
              .map(requestOrigin);
            if (!(await Promise.all(asks)).every(Boolean)) return 'permission_denied';
            await saveUserSettings(next);
            setSettings(next);
            await sendMessage({ type: 'settings/changed' });
            await reload();
            return 'saved';
          }}
        />
      </section>

      <section aria-labelledby="s-enrol">
        <h2 id="s-enrol">{t('enrol_section')}</h2>
        <EnrolSection tallyUrl={tallyUrl} enrolment={enrolment} needsEnrol={Boolean(syncStatus.needsEnrol)} onChanged={reload} />
      </section>

      <section aria-labelledby="s-sync">
        <h2 id="s-sync">{t('sync_section')}</h2>
        <SyncPanel
          enrolled={enrolment !== null}
          status={syncStatus}
          counts={counts}
          busy={syncing}
          formatTime={formatTime}
          onSyncNow={() => {
            setSyncing(true);
            void sendMessage({ type: 'sync/now' })
              .then(reload)
              .finally(() => setSyncing(false));
          }}
        />
      </section>

      <section aria-labelledby="s-sites">
        <h2 id="s-sites">{t('site_health_section')}</h2>
        <SiteHealth health={health} formatTime={formatTime} />
      </section>

      <StatsSection enrolment={enrolment} version={historyVersion} formatTime={formatTime} />

      <section aria-labelledby="s-history">
        <h2 id="s-history">{t('history_section')}</h2>
        <div class="field">
          <label for="retention">{t('retention_label')}</label>
          <select
            id="retention"
            value={String(settings.retentionDays ?? '')}
            onChange={(e) => {
              const days = Number(e.currentTarget.value) || undefined;
              const next = { ...settings, retentionDays: days };
              void saveUserSettings(next).then(() => setSettings(next));
            }}
          >
            <option value="">{t('retention_forever')}</option>
            {[30, 90, 365].map((d) => (
              <option key={d} value={String(d)}>
                {t('retention_days', d)}
              </option>
            ))}
          </select>
        </div>
        <button
          type="button"
          class="danger"
          onClick={() => {
            if (!confirm(t('delete_history_confirm'))) return;
            void sendMessage({ type: 'history/delete' }).then((r) => {
              setDeleted(r.deleted ?? 0);
              setHistoryVersion((v) => v + 1);
              void reload();
            });
          }}
        >
          {t('delete_history')}
        </button>
        {deleted !== undefined && (
          <p role="status" class="notice notice-ok">
            {t('deleted_count', deleted)}
          </p>
        )}
      </section>
    </main>
  );
}
