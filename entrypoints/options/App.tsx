import { useCallback, useEffect, useMemo, useState } from 'preact/hooks';
import { SettingsForm } from '@/components/SettingsForm';
import { SiteHealth } from '@/components/SiteHealth';
import { SyncPanel } from '@/components/SyncPanel';
import { NotifySettings } from '@/components/NotifySettings';
import { feedProblemText } from '@/components/StatusLine';
import { feedErrorWords } from '@/utils/feed/describe';
import { reportKind } from '@/utils/feed/report-kind';
import { reportedKinds } from '@/utils/feed/report';
import type { WorkHours } from '@/utils/notify/hours';
import { WELCOME_PAGE } from '@/utils/welcome';
import { browser } from 'wxt/browser';
import { getSiteHealth, type SiteHealth as Health } from '@/utils/sites/status';
import { loadFeedState } from '@/utils/feed/cache';
import type { FeedState } from '@/utils/feed/types';
import { feedTallyUrl } from '@/utils/feed/select';
import { dateTimeFormatter } from '@/utils/format/time';
import { countBySync } from '@/utils/history/queries';
import { t, tn, uiLocale } from '@/utils/i18n';
import { sendMessage } from '@/utils/messages';
import {
  BUILD_FEED_URL,
  BUILD_TALLY_URL,
  effectiveFeedUrl,
  effectiveWorkHours,
  effectiveTallyUrl,
  loadUserSettings,
  saveUserSettings,
  policyValues,
  settingSources,
  watchPolicy,
  type EffectiveSettings,
  type PolicySettings,
  type UserSettings,
} from '@/utils/settings';
import { SETTING_KEYS } from '@/utils/settings/keys';
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
  const [work, setWork] = useState<{ hours: WorkHours; policy: PolicySettings }>();
  const [reported, setReported] = useState(false);

  const formatTime = useMemo(() => dateTimeFormatter(uiLocale()), []);

  const reload = useCallback(async () => {
    const s = await loadUserSettings();
    const url = await effectiveFeedUrl();
    const f = url ? await loadFeedState(url) : undefined;
    // Read with the feed and set with it: the notice never shows without its last words.
    const kind = f ? reportKind(f) : undefined;
    const told = Boolean(kind && kind !== 'ok' && (await reportedKinds())[kind]);
    setSettings(s);
    setFeed(f);
    setReported(told);
    setTallyUrl(await effectiveTallyUrl(feedTallyUrl(f)));
    setSources(await settingSources(feedTallyUrl(f)));
    setEnrolment(await getEnrolment());
    setSyncStatus(await getSyncStatus());
    setCounts(await countBySync());
    setHealth(await getSiteHealth());
    setWork(await effectiveWorkHours());
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

  const ready = Boolean(settings) && enrolment !== undefined;
  // The popup and the welcome page open this page at a section (#stats, #enrol, …): the page is
  // drawn after its reads, so the browser's own jump to the anchor came too early.
  const goToHash = useCallback(() => {
    const id = location.hash.slice(1);
    const el = id ? document.getElementById(id) : null;
    if (!el) return;
    if (el instanceof HTMLDetailsElement) el.open = true;
    el.scrollIntoView();
    // What is above it may still be growing (the history, the agency's summary): keep the section
    // in view while the page settles, until the person scrolls or types themselves.
    const keep = new ResizeObserver(() => el.scrollIntoView());
    keep.observe(document.body);
    const stop = () => {
      keep.disconnect();
      for (const type of ['wheel', 'touchstart', 'keydown', 'mousedown']) removeEventListener(type, stop, true);
    };
    for (const type of ['wheel', 'touchstart', 'keydown', 'mousedown']) addEventListener(type, stop, { capture: true, passive: true });
    setTimeout(stop, 3000);
  }, []);
  useEffect(() => {
    if (!ready) return;
    goToHash();
    addEventListener('hashchange', goToHash);
    return () => removeEventListener('hashchange', goToHash);
  }, [ready, goToHash]);

  if (!settings || enrolment === undefined) return <main class="options" aria-busy="true" />;

  const policy = policyValues(sources);
  const byPolicy = SETTING_KEYS.filter((k) => policy[k] !== undefined);
  // Every technical setting is the agency's: no form, unless the browser still lacks the
  // permission to read the policy's feed (Save is how the user grants it).
  const showSettingsForm = byPolicy.length < SETTING_KEYS.length || feed?.lastError?.code === 'permission';
  const SETTING_LABEL = { feedUrl: 'feed_url_label', tallyUrl: 'tally_url_label', feedPublicKey: 'public_key_label' } as const;

  return (
    <main class="options">
      <h1>{t('settings_heading')}</h1>

      {feed?.lastError && (
        <p class="notice feed-notice" role="status">
          {feedProblemText(feedErrorWords(feed.lastError), feed.items.length > 0)}
          {reported ? ` ${t('feed_reported')}` : ''}
        </p>
      )}

      <StatsSection
        enrolment={enrolment}
        version={historyVersion}
        formatTime={formatTime}
        campaignNames={campaignNames(feed)}
        onShown={goToHash}
      />

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
            {tn('deleted_count', deleted)}
          </p>
        )}
      </section>

      <section id="enrol" aria-labelledby="s-enrol">
        <h2 id="s-enrol">{t('enrol_section')}</h2>
        <EnrolSection tallyUrl={tallyUrl} enrolment={enrolment} needsEnrol={Boolean(syncStatus.needsEnrol)} onChanged={reload} />
      </section>

      <section id="sync" aria-labelledby="s-sync">
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

      <section id="notifications" aria-labelledby="s-notify">
        <h2 id="s-notify">{t('notify_section')}</h2>
        {work && (
          <NotifySettings
            hours={work.hours}
            policy={work.policy}
            onSaveHours={async (next) => {
              const fresh = await loadUserSettings();
              const merged = {
                ...fresh,
                ...(next.workHours !== undefined ? { workHours: next.workHours } : {}),
                ...(next.timeZone !== undefined ? { timeZone: next.timeZone } : {}),
              };
              await saveUserSettings(merged);
              setSettings(merged);
              setWork(await effectiveWorkHours());
            }}
          />
        )}
      </section>

      <section aria-labelledby="s-help">
        <h2 id="s-help">{t('help_section')}</h2>
        <button type="button" onClick={() => void browser.tabs.create({ url: browser.runtime.getURL(WELCOME_PAGE) })}>
          {t('open_welcome')}
        </button>
      </section>

      {/* Technical settings last, folded: most people never need them. */}
      <details id="advanced" class="advanced" open={location.hash === '#advanced' || undefined}>
        <summary>
          <h2 id="s-advanced">{t('advanced_section')}</h2>
        </summary>
        <p class="help">{t('advanced_help')}</p>
        {byPolicy.length > 0 && (
          <p class="help policy-note" id="advanced-policy">
            {t('advanced_policy', byPolicy.map((k) => t(SETTING_LABEL[k])).join(', '))}
          </p>
        )}
        {showSettingsForm && (
          <SettingsForm
            settings={settings}
            defaults={{ feedUrl: BUILD_FEED_URL, tallyUrl: feedTallyUrl(feed) ?? BUILD_TALLY_URL }}
            policy={policy}
            onSave={async (next) => {
              // The permission prompts must come straight from the click. A URL set by policy is
              // the one in force, so its origin is the one asked for: saving is how a user lets
              // Siar read a policy feed on an origin the build did not include.
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
        )}
        <h3 id="s-sites">{t('site_health_section')}</h3>
        <p class="help">{t('site_health_help')}</p>
        <SiteHealth health={health} formatTime={formatTime} />
      </details>
    </main>
  );
}

/** Campaign ids to the names people know them by (`campaign_name`), from the current feed. */
function campaignNames(feed: FeedState | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const i of feed?.items ?? []) {
    const id = i._siar?.campaign;
    const name = i._siar?.campaign_name;
    if (id && name) out[id] = name;
  }
  return out;
}
