import { t } from '@/utils/i18n';
import type { Priority } from '@/utils/protocol/feed';

export function Badges({ priority, shared }: { priority: Priority; shared: boolean }) {
  return (
    <span class="badges">
      {priority === 'mandatory' && <span class="badge badge-mandatory">{t('badge_mandatory')}</span>}
      {priority === 'high' && <span class="badge badge-priority">{t('badge_priority')}</span>}
      {shared && <span class="badge badge-shared">{t('badge_shared')}</span>}
    </span>
  );
}
