import { t } from '@/utils/i18n';
import type { Enrolment } from '@/utils/sync/enrolment';

// Personal stats: filled in with the stats views (local-first, then the agency summary).
export function StatsSection(_p: { enrolment: Enrolment | null; version: number; formatTime: (ms: number) => string }) {
  return (
    <section aria-labelledby="s-stats">
      <h2 id="s-stats">{t('stats_section')}</h2>
    </section>
  );
}
