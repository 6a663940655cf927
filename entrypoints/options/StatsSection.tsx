import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { AgencySummary } from '@/components/stats/AgencySummary';
import { Breakdowns } from '@/components/stats/Breakdown';
import { DayChart } from '@/components/stats/DayChart';
import { ExportCsvButton } from '@/components/stats/ExportCsvButton';
import { HistoryTable } from '@/components/stats/HistoryTable';
import { StatCards } from '@/components/stats/StatCards';
import type { ShareEvent } from '@/utils/history/types';
import { allEvents, browseHistory, type HistoryFilter } from '@/utils/history/browse';
import { csvFileName, historyCsv } from '@/utils/history/csv';
import { readStatsInputs, type StatsInputs } from '@/utils/history/queries';
import { statsFromTotals } from '@/utils/history/stats';
import { t } from '@/utils/i18n';
import type { Summary } from '@/utils/protocol/tally';
import { fetchSummary, type Enrolment } from '@/utils/sync/enrolment';

const PAGE_SIZE = 50;

// Started when the page loads, not when the section mounts after the settings are read: the
// stats are what people open this page for.
let firstRead: Promise<StatsInputs> | undefined = readStatsInputs(new Date());

export interface StatsSectionProps {
  enrolment: Enrolment | null;
  /** Bumped when the history changed (sync, deletion), to read it again. */
  version: number;
  formatTime: (ms: number) => string;
  /** Campaign ids to their names (`campaign_name`), so no slug is shown. */
  campaignNames?: Readonly<Record<string, string>>;
  /** The figures are on screen (the page below them has moved). */
  onShown?: () => void;
}

// Local first: every figure here comes from this browser's history; the agency's summary is
// added when enrolled and reachable.
export function StatsSection(p: StatsSectionProps) {
  const [inputs, setInputs] = useState<StatsInputs>();
  const [days, setDays] = useState(30);
  const [filter, setFilter] = useState<HistoryFilter>({});
  const [page, setPage] = useState(0);
  const [rows, setRows] = useState<{ rows: ShareEvent[]; total: number }>({ rows: [], total: 0 });
  const [summary, setSummary] = useState<Summary>();
  const [exporting, setExporting] = useState(false);
  const reading = useRef<AbortController>();

  useEffect(() => {
    const read = firstRead ?? readStatsInputs(new Date());
    firstRead = undefined;
    void read.then(setInputs);
  }, [p.version]);

  const shown = Boolean(inputs);
  useEffect(() => {
    if (shown) p.onShown?.();
  }, [shown]);

  useEffect(() => {
    if (!p.enrolment) return setSummary(undefined);
    void fetchSummary(p.enrolment).then((s) => setSummary('error' in s ? undefined : s));
  }, [p.enrolment, p.version]);

  // Filtered reads scan the history: a new keystroke cancels the read it makes stale.
  useEffect(() => {
    reading.current?.abort();
    const controller = new AbortController();
    reading.current = controller;
    const timer = setTimeout(
      () => {
        void browseHistory(filter, page, PAGE_SIZE, { signal: controller.signal })
          .then((r) => {
            if (!controller.signal.aborted) setRows(r);
          })
          .catch(() => {});
      },
      filter.query ? 250 : 0,
    );
    return () => clearTimeout(timer);
  }, [filter, page, p.version]);

  const stats = useMemo(
    () => (inputs ? statsFromTotals(inputs.totals, inputs.postedDays, new Date(), { days }) : undefined),
    [inputs, days],
  );
  const platforms = useMemo(() => (stats?.byPlatform ?? []).map((r) => r.key).sort(), [stats]);

  return (
    <section id="stats" aria-labelledby="s-stats">
      <h2 id="s-stats">{t('stats_section')}</h2>
      {stats && (
        <>
          <StatCards stats={stats} />
          <AgencySummary summary={summary} />
          <DayChart perDay={stats.perDay} days={days} onDays={setDays} />
          <Breakdowns stats={stats} campaignNames={p.campaignNames} />
        </>
      )}
      <HistoryTable
        rows={rows.rows}
        total={rows.total}
        page={page}
        pageSize={PAGE_SIZE}
        onPage={setPage}
        filter={filter}
        onFilter={(f) => {
          setFilter(f);
          setPage(0);
        }}
        platforms={platforms}
        formatTime={p.formatTime}
      />
      <ExportCsvButton
        busy={exporting}
        disabled={!stats?.events}
        onExport={() => {
          setExporting(true);
          void allEvents()
            .then((all) => {
              const url = URL.createObjectURL(new Blob([historyCsv(all)], { type: 'text/csv;charset=utf-8' }));
              const a = document.createElement('a');
              a.href = url;
              a.download = csvFileName(new Date());
              a.click();
              setTimeout(() => URL.revokeObjectURL(url), 10_000);
            })
            .finally(() => setExporting(false));
        }}
      />
    </section>
  );
}
