import { t } from '@/utils/i18n';

export interface ExportCsvButtonProps {
  /** The caller builds the file (allEvents → historyCsv) and hands it to the browser. */
  onExport: () => void;
  busy?: boolean;
  disabled?: boolean;
}

export function ExportCsvButton(p: ExportCsvButtonProps) {
  return (
    <button type="button" class="export-csv" onClick={p.onExport} disabled={p.disabled || p.busy} aria-busy={p.busy ? 'true' : undefined}>
      {t('export_csv')}
    </button>
  );
}
