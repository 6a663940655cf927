import { t } from '@/utils/i18n';
import type { Priority } from '@/utils/protocol/feed';

/** `shared`: posted (where the caller says); `tried`: only tried there (inserted, copied…). */
export function Badges({ priority, shared, tried = false }: { priority: Priority; shared: boolean; tried?: boolean }) {
  return (
    <span class="badges">
      {priority === 'mandatory' && <span class="badge badge-mandatory">{t('badge_mandatory')}</span>}
      {priority === 'high' && <span class="badge badge-priority">{t('badge_priority')}</span>}
      {shared && <span class="badge badge-shared">{t('badge_shared')}</span>}
      {!shared && tried && <span class="badge badge-tried">{t('badge_tried')}</span>}
    </span>
  );
}
