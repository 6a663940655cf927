import type { ShareEvent } from '@/utils/history/types';
import type { HistoryFilter } from '@/utils/history/browse';
import { t } from '@/utils/i18n';
import { SHARE_ACTIONS, type ShareAction } from '@/utils/protocol/tally';
import { actionWord, defaultFormatNumber, platformWord, syncWord, type FormatNumber } from './format';

/** The filters this table offers (browseHistory takes these and more). */
export type HistoryTableFilter = Pick<HistoryFilter, 'platform' | 'action' | 'query'>;

export interface HistoryTableProps {
  /** The page's rows, newest first (browseHistory). */
  rows: readonly ShareEvent[];
  /** How many events pass the filter. */
  total: number;
  /** From 0. */
  page: number;
  pageSize: number;
  onPage: (page: number) => void;
  filter: HistoryTableFilter;
  /** A changed filter; the caller reads page 0 again (and may debounce the search words). */
  onFilter: (next: HistoryTableFilter) => void;
  /** Platforms to offer in the filter (e.g. the keys of stats.byPlatform). */
  platforms: readonly string[];
  /** Epoch ms → local date and time. */
  formatTime: (ms: number) => string;
  formatNumber?: FormatNumber;
  /** True while a page is being read. */
  busy?: boolean;
}

/** Only a https post link is shown, and it opens in a new tab that cannot reach this page. */
function safePostUrl(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    const u = new URL(url);
    return u.protocol === 'https:' && !u.username && !u.password ? u.href : undefined;
  } catch {
    return undefined;
  }
}

export function HistoryTable(p: HistoryTableProps) {
  const n = p.formatNumber ?? defaultFormatNumber;
  const pages = Math.max(1, Math.ceil(p.total / p.pageSize));
  const first = p.total === 0 ? 0 : p.page * p.pageSize + 1;
  const last = Math.min(p.total, (p.page + 1) * p.pageSize);
  const filtered = Boolean(p.filter.platform || p.filter.action || p.filter.query);
  const set = (change: Partial<HistoryTableFilter>) => p.onFilter({ ...p.filter, ...change });

  return (
    <div class="history" aria-busy={p.busy ? 'true' : undefined}>
      <div class="history-filters">
        <label class="search">
          <span class="visually-hidden">{t('history_search')}</span>
          <input
            type="search"
            placeholder={t('history_search')}
            value={p.filter.query ?? ''}
            onInput={(e) => set({ query: e.currentTarget.value || undefined })}
          />
        </label>
        <label>
          <span class="visually-hidden">{t('breakdown_platform')}</span>
          <select value={p.filter.platform ?? ''} onChange={(e) => set({ platform: e.currentTarget.value || undefined })}>
            <option value="">{t('history_all_platforms')}</option>
            {p.platforms.map((k) => (
              <option key={k} value={k}>
                {platformWord(k)}
              </option>
            ))}
          </select>
        </label>
        <label>
          <span class="visually-hidden">{t('history_action')}</span>
          <select
            value={p.filter.action ?? ''}
            onChange={(e) => set({ action: (e.currentTarget.value || undefined) as ShareAction | undefined })}
          >
            <option value="">{t('history_all_actions')}</option>
            {SHARE_ACTIONS.map((a) => (
              <option key={a} value={a}>
                {actionWord(a)}
              </option>
            ))}
          </select>
        </label>
      </div>

      <div class="history-scroll">
        <table class="history-table">
          <caption class="visually-hidden">{t('history_caption')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('history_time')}</th>
              <th scope="col">{t('history_title')}</th>
              <th scope="col">{t('breakdown_opd')}</th>
              <th scope="col">{t('breakdown_platform')}</th>
              <th scope="col">{t('history_action')}</th>
              <th scope="col">{t('history_sync')}</th>
              <th scope="col">{t('history_link')}</th>
            </tr>
          </thead>
          <tbody>
            {p.rows.length === 0 && (
              <tr>
                <td colSpan={7} class="empty">
                  {t(filtered ? 'history_no_match' : 'history_empty')}
                </td>
              </tr>
            )}
            {p.rows.map((e) => {
              const link = safePostUrl(e.post_url);
              const title = e.item?.title || e.item_id;
              return (
                <tr key={e.id} class={e.sync === 'rejected' ? 'rejected' : undefined}>
                  <td class="nowrap">
                    <time dateTime={e.at}>{p.formatTime(e.atMs)}</time>
                  </td>
                  <td>{title}</td>
                  <td>{e.item?.agencyName || e.item?.agencyId || t('stats_other')}</td>
                  <td class="nowrap">{platformWord(e.platform)}</td>
                  <td>{actionWord(e.action)}</td>
                  <td class={`sync sync-${e.sync}`}>{syncWord(e.sync, e.rejectReason)}</td>
                  <td>
                    {link && (
                      <a href={link} target="_blank" rel="noopener noreferrer" title={link}>
                        {t('open_link')}
                        <span class="visually-hidden"> — {title}</span>
                      </a>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>

      <nav class="pager" aria-label={t('history_pages')}>
        <button type="button" disabled={p.page <= 0} onClick={() => p.onPage(p.page - 1)}>
          {t('history_prev')}
        </button>
        <span role="status" aria-live="polite">
          {t('history_range', n(first), n(last), n(p.total))}
        </span>
        <button type="button" disabled={p.page >= pages - 1} onClick={() => p.onPage(p.page + 1)}>
          {t('history_next')}
        </button>
      </nav>
    </div>
  );
}
