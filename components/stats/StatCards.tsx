import type { Stats } from '@/utils/history/stats';
import { defaultFormatNumber, type FormatNumber } from './format';
import { t } from '@/utils/i18n';

export interface StatCardsProps {
  stats: Pick<Stats, 'posted' | 'attempts' | 'thisWeek' | 'streakDays' | 'events'> & Partial<Pick<Stats, 'rejected' | 'selfReported'>>;
  formatNumber?: FormatNumber;
}

/** The four figures, each a term (its fixed UI word) and its number. */
export function StatCards(p: StatCardsProps) {
  const n = p.formatNumber ?? defaultFormatNumber;
  const cards: [string, number][] = [
    [t('stats_posted'), p.stats.posted],
    [t('stats_attempts'), p.stats.attempts],
    [t('stats_this_week'), p.stats.thisWeek],
    [t('stats_streak'), p.stats.streakDays],
  ];
  return (
    <div class="stat-cards">
      <dl>
        {cards.map(([label, value]) => (
          <div class="stat-card" key={label}>
            <dt>{label}</dt>
            <dd>{n(value)}</dd>
          </div>
        ))}
      </dl>
      {(p.stats.selfReported ?? 0) > 0 && <p class="help stats-self">{t('stats_self_reported', n(p.stats.selfReported!))}</p>}
      <p class="help">{t('stats_attempts_help')}</p>
      <p class="help">{t('stats_events', n(p.stats.events))}</p>
      {/* Kept apart: the figures above are the ones the agency counts. */}
      {(p.stats.rejected ?? 0) > 0 && <p class="help stats-rejected">{t('stats_rejected', n(p.stats.rejected!))}</p>}
    </div>
  );
}
