import type { Summary } from '@/utils/protocol/tally';
import { defaultFormatNumber, type FormatNumber } from './format';
import { t } from '@/utils/i18n';

export interface AgencySummaryProps {
  /** `GET v1/me/summary`, or undefined when not enrolled or not (yet) fetched: nothing is shown. */
  summary?: Summary;
  formatNumber?: FormatNumber;
}

/** What the agency's tally says: the unit's place ("Unit Anda: peringkat 3 dari 42") and yours. */
export function AgencySummary(p: AgencySummaryProps) {
  const s = p.summary;
  if (!s) return null;
  const n = p.formatNumber ?? defaultFormatNumber;
  return (
    <section class="agency-summary" aria-label={t('agency_heading')}>
      {/* A place in a ranking before anything was posted says nothing ("1 of 7" with 0 posts). */}
      {s.unit && s.posted > 0 && s.unit.posted > 0 && (
        <>
          <p class="agency-rank">{t('agency_rank', n(s.unit.rank), n(s.unit.units))}</p>
          <p>{t('agency_unit_posted', s.unit.name, n(s.unit.posted))}</p>
        </>
      )}
      {s.unit && s.posted === 0 && <p class="help">{t('agency_rank_after_first')}</p>}
      <p class="help">{t('agency_me', n(s.posted), n(s.events))}</p>
      {/* Kept apart from the posts the extension saw, as the tally keeps them. */}
      {(s.self_reported ?? 0) > 0 && <p class="help agency-self">{t('agency_me_self', n(s.self_reported!))}</p>}
      {(s.verified ?? 0) > 0 && <p class="help agency-verified">{t('agency_me_verified', n(s.verified!))}</p>}
    </section>
  );
}
