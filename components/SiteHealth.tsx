import { t } from '@/utils/i18n';
import { platformName } from '@/utils/protocol/platforms';
import { COMPOSER_SITES } from '@/utils/sites/registry';
import type { SiteHealth as Health } from '@/utils/sites/status';

/** Per site: when an insert last verified, and the last failure. A changed site shows here. */
export function SiteHealth(p: { health: Record<string, Health>; formatTime: (ms: number) => string }) {
  return (
    <ul class="site-health">
      {COMPOSER_SITES.map(({ id: key }) => {
        const name = platformName(key, t('stats_other'));
        const h = p.health[key] ?? {};
        const failedLast = h.lastFailAt !== undefined && (h.lastOkAt ?? 0) < h.lastFailAt;
        return (
          <li key={key} class={failedLast ? 'status-error' : undefined}>
            {h.lastOkAt ? t('site_health_ok', name, p.formatTime(h.lastOkAt)) : t('site_health_never', name)}
            {failedLast && h.reason && (
              <>
                {' · '}
                {t('site_health_fail', name, p.formatTime(h.lastFailAt!), t(`reason_${h.reason}`))}
              </>
            )}
          </li>
        );
      })}
    </ul>
  );
}
