import { t } from '@/utils/i18n';
import { isForPlatform, priorityOf, type Item } from '@/utils/protocol/item';
import { Badges } from './Badges';
import { VariantSwitcher } from './VariantSwitcher';

export type PopupShare = 'x' | 'facebook' | 'whatsapp' | 'copy';

export interface PostCardProps {
  item: Item;
  shared: boolean;
  variant: number;
  variants: number;
  /** The text as it would be shared (default caption), shown as the preview. */
  preview: string;
  onNextVariant: () => void;
  onShare: (how: PopupShare) => void;
}

// Every feed string goes in as a text child: Preact escapes it, nothing is parsed as HTML.
export function PostCard(p: PostCardProps) {
  const { item } = p;
  const agency = item._siar?.agency?.name;
  const headingId = `post-${item.id}`;
  const buttons: [PopupShare, string][] = [
    ...(isForPlatform(item, 'x') ? [['x', t('share_x')] as [PopupShare, string]] : []),
    ...(isForPlatform(item, 'facebook') ? [['facebook', t('share_facebook')] as [PopupShare, string]] : []),
    ...(isForPlatform(item, 'whatsapp') ? [['whatsapp', t('share_whatsapp')] as [PopupShare, string]] : []),
    ['copy', t('copy')],
  ];
  return (
    <article class="post" aria-labelledby={headingId} data-item-id={item.id}>
      {item.image && <img class="thumb" src={item.image} alt="" loading="lazy" referrerpolicy="no-referrer" />}
      <div class="post-body">
        <h2 id={headingId} class="post-title">
          {item.title ?? item.summary ?? item.id}
        </h2>
        <div class="post-meta">
          {agency && <span class="agency">{agency}</span>}
          <Badges priority={priorityOf(item)} shared={p.shared} />
        </div>
        <p class="preview" aria-label={t('text_to_share')}>
          {p.preview}
        </p>
        <VariantSwitcher index={p.variant} count={p.variants} onNext={p.onNextVariant} />
        <div class="actions">
          {buttons.map(([how, label]) => (
            <button
              key={how}
              type="button"
              class={`share share-${how}`}
              aria-describedby={how === 'facebook' ? `${headingId}-fb` : undefined}
              onClick={() => p.onShare(how)}
            >
              {label}
            </button>
          ))}
        </div>
        {isForPlatform(item, 'facebook') && (
          <p class="fb-hint" id={`${headingId}-fb`}>
            {t('fb_hint')}
          </p>
        )}
      </div>
    </article>
  );
}
