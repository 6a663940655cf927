import { useEffect, useState } from 'preact/hooks';
import { browser } from 'wxt/browser';
import { t, type MessageKey } from '@/utils/i18n';
import { DEFAULT_TIME_ZONE, formatTime, INDONESIAN_ZONES, parseHours, type WorkHours } from '@/utils/notify/hours';
import { NOTIFICATIONS_PERMISSION, notificationsAllowed } from '@/utils/notify/notifier';
import type { PolicySettings, UserSettings } from '@/utils/settings';

export interface NotifySettingsProps {
  hours: WorkHours;
  /** What the agency's policy fixes: those parts are not offered. */
  policy: PolicySettings;
  onSaveHours: (next: Pick<UserSettings, 'workHours' | 'timeZone'>) => Promise<void>;
}

function zoneWord(zone: string): string {
  return (INDONESIAN_ZONES as readonly string[]).includes(zone) ? t(`zone_${zone.replace('/', '_')}` as MessageKey) : zone;
}

/** The permission, asked for with the reason, and the working hours notifications keep to. */
export function NotifySettings(p: NotifySettingsProps) {
  const [allowed, setAllowed] = useState<boolean>();
  const [said, setSaid] = useState<MessageKey>();
  const [start, setStart] = useState(formatTime(p.hours.start));
  const [end, setEnd] = useState(formatTime(p.hours.end));
  const [zone, setZone] = useState(p.hours.timeZone);

  useEffect(() => void notificationsAllowed().then(setAllowed), []);
  useEffect(() => {
    setStart(formatTime(p.hours.start));
    setEnd(formatTime(p.hours.end));
    setZone(p.hours.timeZone);
  }, [p.hours.start, p.hours.end, p.hours.timeZone]);

  const hoursByPolicy = p.policy.workHours !== undefined;
  const zoneByPolicy = p.policy.timeZone !== undefined;
  const zones = [...new Set([...INDONESIAN_ZONES, zone || DEFAULT_TIME_ZONE])];

  return (
    <div class="notify-settings">
      <p id="notify-why">{t('notify_why')}</p>
      <p role="status">{said ? t(said) : allowed === undefined ? '' : t(allowed ? 'notify_on' : 'notify_off')}</p>
      {allowed ? (
        <button
          type="button"
          onClick={() => {
            void browser.permissions.remove(NOTIFICATIONS_PERMISSION).then((removed) => {
              if (removed) setAllowed(false);
              setSaid(undefined);
            });
          }}
        >
          {t('notify_disable')}
        </button>
      ) : (
        <button
          type="button"
          aria-describedby="notify-why"
          onClick={() => {
            // Straight from the click, before any await: Firefox shows the prompt only then.
            void browser.permissions
              .request(NOTIFICATIONS_PERMISSION)
              .catch(() => false)
              .then((granted) => {
                setAllowed(granted);
                setSaid(granted ? undefined : 'notify_denied');
              });
          }}
        >
          {t('notify_enable')}
        </button>
      )}

      <fieldset class="work-hours">
        <legend>{t('work_hours_label')}</legend>
        {(hoursByPolicy || zoneByPolicy) && (
          <p class="help policy-note">
            {t('work_hours_policy', formatTime(p.hours.start), formatTime(p.hours.end), zoneWord(p.hours.timeZone))}
          </p>
        )}
        {!(hoursByPolicy && zoneByPolicy) && (
          <form
            class="work-hours-form"
            onSubmit={(e) => {
              e.preventDefault();
              const range = `${start}-${end}`;
              if (!hoursByPolicy && !parseHours(range)) return setSaid('work_hours_bad');
              void p
                .onSaveHours({ workHours: hoursByPolicy ? undefined : range, timeZone: zoneByPolicy ? undefined : zone })
                .then(() => setSaid('hours_saved'));
            }}
          >
            {!hoursByPolicy && (
              <>
                <label>
                  {t('work_start_label')} <input type="time" value={start} required onInput={(e) => setStart(e.currentTarget.value)} />
                </label>
                <label>
                  {t('work_end_label')} <input type="time" value={end} required onInput={(e) => setEnd(e.currentTarget.value)} />
                </label>
              </>
            )}
            {!zoneByPolicy && (
              <label>
                {t('time_zone_label')}{' '}
                <select value={zone} onChange={(e) => setZone(e.currentTarget.value)}>
                  {zones.map((z) => (
                    <option key={z} value={z}>
                      {zoneWord(z)}
                    </option>
                  ))}
                </select>
              </label>
            )}
            <button type="submit">{t('save_hours')}</button>
          </form>
        )}
      </fieldset>
    </div>
  );
}
