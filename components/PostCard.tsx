import { t } from '@/utils/i18n';
import { isForPlatform, priorityOf, videoOf, type Item } from '@/utils/protocol/item';
import type { Platform } from '@/utils/protocol/platforms';
import { SITES } from '@/utils/sites/registry';
import { Badges } from './Badges';
import { VariantSwitcher } from './VariantSwitcher';
import { VideoPoster, VideoProgressLine } from './Video';

/** A site to share to, or Copy. */
export type PopupShare = Platform | 'copy';

export interface PostCardProps {
  item: Item;
  shared: boolean;
  variant: number;
  variants: number;
  /** The text as it would be shared (default caption), shown as the preview. */
  preview: string;
  onNextVariant: () => void;
  onShare: (how: PopupShare) => void;
  /** "Unduh video": save the post's video (for WhatsApp on a phone, where nothing is attached for you). */
  onDownloadVideo?: () => void;
  /** Bytes of this post's video so far, while a download runs. */
  videoProgress?: { received: number; total?: number };
  /** A download of some video is running: the buttons wait. */
  downloading?: boolean;
}

// Every feed string goes in as a text child: Preact escapes it, nothing is parsed as HTML.
export function PostCard(p: PostCardProps) {
  const { item } = p;
  const agency = item._siar?.agency?.name;
  const headingId = `post-${item.id}`;
  const sites = SITES.filter((s) => isForPlatform(item, s.id));
  const hintId = (id: Platform) => `${headingId}-${id}-hint`;
  const video = videoOf(item);
  return (
    <article class="post" aria-labelledby={headingId} data-item-id={item.id}>
      {video ? (
        <VideoPoster poster={video._siar?.poster ?? item.image} seconds={video.duration_in_seconds} />
      ) : (
        item.image && <img class="thumb" src={item.image} alt="" loading="lazy" referrerpolicy="no-referrer" />
      )}
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
          {sites.map((s) => (
            <button
              key={s.id}
              type="button"
              class={`share share-site share-${s.id}`}
              aria-describedby={s.share.linkOnly ? hintId(s.id) : undefined}
              onClick={() => p.onShare(s.id)}
            >
              {t(s.share.label)}
            </button>
          ))}
          <button type="button" class="share share-copy" onClick={() => p.onShare('copy')}>
            {t('copy')}
          </button>
          {video && p.onDownloadVideo && (
            <button type="button" class="share share-download" disabled={p.downloading} onClick={p.onDownloadVideo}>
              {t('download_video')}
            </button>
          )}
        </div>
        {p.videoProgress && <VideoProgressLine {...p.videoProgress} />}
        {sites.map(
          (s) =>
            s.share.linkOnly && (
              <p key={s.id} class="share-hint" id={hintId(s.id)}>
                {t(s.share.linkOnly.hint)}
              </p>
            ),
        )}
      </div>
    </article>
  );
}
