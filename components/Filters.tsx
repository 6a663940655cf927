import { t } from '@/utils/i18n';
import type { Priority } from '@/utils/protocol/feed';

export interface FiltersProps {
  query: string;
  agencyId: string;
  priority: Priority | '';
  agencies: { id: string; name: string }[];
  onChange: (next: { query?: string; agencyId?: string; priority?: Priority | '' }) => void;
}

const CLEAR = { query: '', agencyId: '', priority: '' } as const;

export function Filters(p: FiltersProps) {
  return (
    <div class="filters">
      <label class="search">
        <span class="visually-hidden">{t('search_label')}</span>
        <input
          type="search"
          placeholder={t('search_label')}
          value={p.query}
          onInput={(e) => p.onChange({ query: e.currentTarget.value })}
        />
      </label>
      <label>
        <span class="visually-hidden">{t('opd_label')}</span>
        <select value={p.agencyId} onChange={(e) => p.onChange({ agencyId: e.currentTarget.value })}>
          <option value="">{t('all_opd')}</option>
          {p.agencies.map((a) => (
            <option key={a.id} value={a.id}>
              {a.name}
            </option>
          ))}
        </select>
      </label>
      <label>
        <span class="visually-hidden">{t('priority_label')}</span>
        <select value={p.priority} onChange={(e) => p.onChange({ priority: e.currentTarget.value as Priority | '' })}>
          <option value="">{t('all_priorities')}</option>
          <option value="mandatory">{t('priority_mandatory')}</option>
          <option value="high">{t('priority_high')}</option>
          <option value="normal">{t('priority_normal')}</option>
        </select>
      </label>
      {(p.query !== '' || p.agencyId !== '' || p.priority !== '') && (
        <button type="button" class="reset-filter" onClick={() => p.onChange(CLEAR)}>
          {t('reset_filter')}
        </button>
      )}
    </div>
  );
}
