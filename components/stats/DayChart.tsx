import { useId } from 'preact/hooks';
import { t, uiLocale } from '@/utils/i18n';
import type { DayRow } from '@/utils/history/stats';
import { defaultFormatNumber, type FormatNumber } from './format';

// Why plain SVG and no chart library: the chart is one series of at most 90 bars with two date
// labels, about 60 lines here. uPlot, the smallest kept library that would do, is ~45 kB
// minified — more than the rest of the options page — and draws on a canvas that a screen
// reader cannot read. SVG scales with the page, follows the CSS colours (dark mode included),
// and sits next to a real table of the same numbers for assistive technology.

export interface DayChartProps {
  /** Oldest → newest, one entry per day (computeStats' perDay). */
  perDay: readonly DayRow[];
  /** The range shown, and the ranges offered as buttons. */
  days: number;
  choices?: readonly number[];
  onDays: (days: number) => void;
  /** `YYYY-MM-DD` → a short local date. */
  formatDay?: (day: string) => string;
  formatNumber?: FormatNumber;
}

let dayFormat: Intl.DateTimeFormat | undefined;
const defaultFormatDay = (day: string) => {
  // The day is already local: format it as a UTC date so no zone moves it.
  dayFormat ??= new Intl.DateTimeFormat(uiLocale(), { day: 'numeric', month: 'short', timeZone: 'UTC' });
  return dayFormat.format(Date.parse(`${day}T00:00:00Z`));
};

const H = 100;
const STEP = 10;
const BAR = 8;

export function DayChart(p: DayChartProps) {
  const n = p.formatNumber ?? defaultFormatNumber;
  const fd = p.formatDay ?? defaultFormatDay;
  const rows = p.perDay;
  const max = rows.reduce((m, r) => Math.max(m, r.posted), 0);
  const total = rows.reduce((s, r) => s + r.posted, 0);
  const width = Math.max(1, rows.length) * STEP;
  const summary = t('chart_summary', n(p.days), n(total), n(max));
  const titleId = useId();
  return (
    <figure class="day-chart" aria-labelledby={titleId}>
      <div class="day-chart-head">
        <span id={titleId} class="day-chart-title">
          {t('chart_title')}
        </span>
        <span role="group" aria-label={t('chart_range')} class="button-group">
          {(p.choices ?? [30, 90]).map((d) => (
            <button type="button" key={d} aria-pressed={d === p.days} onClick={() => p.onDays(d)}>
              {t('chart_days', n(d))}
            </button>
          ))}
        </span>
      </div>
      <div class="day-chart-plot">
        <span class="day-chart-max" aria-hidden="true">
          {n(max)}
        </span>
        <svg role="img" aria-label={summary} viewBox={`0 0 ${width} ${H}`} preserveAspectRatio="none">
          {rows.map((r, i) => {
            const h = max ? Math.max(1.5, (r.posted / max) * (H - 4)) : 0;
            return r.posted > 0 ? (
              <rect key={r.day} class="bar" x={i * STEP + (STEP - BAR) / 2} y={H - h} width={BAR} height={h}>
                <title>{`${fd(r.day)}: ${n(r.posted)}`}</title>
              </rect>
            ) : null;
          })}
          <line class="baseline" x1={0} x2={width} y1={H - 0.5} y2={H - 0.5} vector-effect="non-scaling-stroke" />
        </svg>
        {rows.length > 0 && (
          <div class="day-chart-axis" aria-hidden="true">
            <span>{fd(rows[0]!.day)}</span>
            <span>{fd(rows[rows.length - 1]!.day)}</span>
          </div>
        )}
      </div>
      <table class="visually-hidden">
        <caption>{summary}</caption>
        <thead>
          <tr>
            <th scope="col">{t('chart_date')}</th>
            <th scope="col">{t('stats_posted')}</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.day}>
              <th scope="row">{fd(r.day)}</th>
              <td>{n(r.posted)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </figure>
  );
}
