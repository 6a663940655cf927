import type { Stats } from '@/utils/history/stats';
import { campaignWord, defaultFormatNumber, platformWord, type FormatNumber } from './format';
import { t } from '@/utils/i18n';

export type BreakdownKind = 'platform' | 'agency' | 'campaign';

export interface BreakdownRow {
  key: string;
  /** The OPD's name (agency rows); others are named from the key. */
  name?: string;
  posted: number;
  attempts: number;
}

export interface BreakdownProps {
  by: BreakdownKind;
  rows: readonly BreakdownRow[];
  formatNumber?: FormatNumber;
  /** Campaign ids to the names people know them by. */
  campaignNames?: Readonly<Record<string, string>>;
}

const CAPTION = { platform: 'breakdown_by_platform', agency: 'breakdown_by_opd', campaign: 'breakdown_by_campaign' } as const;
const COLUMN = { platform: 'breakdown_platform', agency: 'breakdown_opd', campaign: 'breakdown_campaign' } as const;

function label(by: BreakdownKind, r: BreakdownRow, campaignNames: Readonly<Record<string, string>> = {}): string {
  if (by === 'platform') return platformWord(r.key);
  if (by === 'agency') return r.key ? r.name || r.key : t('stats_other');
  if (!r.key) return t('stats_no_campaign');
  return (Object.hasOwn(campaignNames, r.key) ? campaignNames[r.key] : undefined) ?? r.name ?? campaignWord(r.key);
}

/** One small table: posted and attempts per platform, per OPD of the content, or per campaign. */
export function Breakdown(p: BreakdownProps) {
  const n = p.formatNumber ?? defaultFormatNumber;
  return (
    <table class="breakdown">
      <caption>{t(CAPTION[p.by])}</caption>
      <thead>
        <tr>
          <th scope="col">{t(COLUMN[p.by])}</th>
          <th scope="col" class="num">
            {t('stats_posted')}
          </th>
          <th scope="col" class="num">
            {t('stats_attempts')}
          </th>
        </tr>
      </thead>
      <tbody>
        {p.rows.length === 0 ? (
          <tr>
            <td colSpan={3} class="empty">
              {t('stats_none_yet')}
            </td>
          </tr>
        ) : (
          p.rows.map((r) => (
            <tr key={r.key}>
              <th scope="row">{label(p.by, r, p.campaignNames)}</th>
              <td class="num">{n(r.posted)}</td>
              <td class="num">{n(r.attempts)}</td>
            </tr>
          ))
        )}
      </tbody>
    </table>
  );
}

/** The three breakdowns side by side. */
export function Breakdowns(p: {
  stats: Pick<Stats, 'byPlatform' | 'byAgency' | 'byCampaign'>;
  formatNumber?: FormatNumber;
  campaignNames?: Readonly<Record<string, string>>;
}) {
  return (
    <div class="breakdowns">
      <Breakdown by="platform" rows={p.stats.byPlatform} formatNumber={p.formatNumber} />
      <Breakdown by="agency" rows={p.stats.byAgency} formatNumber={p.formatNumber} />
      <Breakdown by="campaign" rows={p.stats.byCampaign} formatNumber={p.formatNumber} campaignNames={p.campaignNames} />
    </div>
  );
}
