import { useState } from 'preact/hooks';
import type { PlatformLine } from '@/utils/history/share-state';
import { t } from '@/utils/i18n';
import { isForPlatform, priorityOf, videoOf, type Item } from '@/utils/protocol/item';
import { isMessenger, platformName, type Platform } from '@/utils/protocol/platforms';
import { SITES } from '@/utils/sites/registry';
import { Badges } from './Badges';
import { VariantSwitcher } from './VariantSwitcher';
import { VideoPoster, VideoProgressLine } from './Video';

/** A site to share to, or Copy. */
export type PopupShare = Platform | 'copy';

export interface PostCardProps {
  item: Item;
  /** Posted on at least one platform (seen, or said by the user). */
  shared: boolean;
  /** Where something was done with the post, platform by platform. */
  lines: readonly PlatformLine[];
  variant: number;
  variants: number;
  /** The text as it would be shared (default caption), shown as the preview. */
  preview: string;
  /** Per link-only site, the id of the one hint above the list that its button refers to. */
  hintIdOf: (site: Platform) => string;
  onNextVariant: () => void;
  onShare: (how: PopupShare) => void;
  /** "I sent it": the user says the post went out on `platform`. */
  onSelfReport: (platform: string) => void;
  /** "Unduh video": save the post's video (for WhatsApp on a phone, where nothing is attached for you). */
  onDownloadVideo?: () => void;
  /** Bytes of this post's video so far, while a download runs. */
  videoProgress?: { received: number; total?: number };
  /** A download of some video is running: the buttons wait. */
  downloading?: boolean;
}

/** A preview this long or with more lines is cut, with "Selengkapnya" to read it all. */
const SHORT_CHARS = 160;
const SHORT_LINES = 3;

function isLong(text: string): boolean {
  return text.length > SHORT_CHARS || text.split('\n').length > SHORT_LINES;
}

// Every feed string goes in as a text child: Preact escapes it, nothing is parsed as HTML.
export function PostCard(p: PostCardProps) {
  const { item } = p;
  const [open, setOpen] = useState(false);
  const agency = item._siar?.agency?.name;
  const headingId = `post-${item.id}`;
  const previewId = `${headingId}-text`;
  const sites = SITES.filter((s) => isForPlatform(item, s.id));
  const long = isLong(p.preview);
  const video = videoOf(item);
  return (
    <article class="post" aria-labelledby={headingId} data-item-id={item.id}>
      {video ? (
        <VideoPoster poster={video._siar?.poster ?? item.image} seconds={video.duration_in_seconds} />
      ) : (
        item.image && <img class="thumb" src={item.image} alt="" loading="lazy" decoding="async" referrerpolicy="no-referrer" />
      )}
      <div class="post-body">
        <h2 id={headingId} class="post-title">
          {item.title ?? item.summary ?? item.id}
        </h2>
        <div class="post-meta">
          {agency && <span class="agency">{agency}</span>}
          <Badges priority={priorityOf(item)} shared={p.shared} />
        </div>
        <p id={previewId} class={long && !open ? 'preview preview-short' : 'preview'} aria-label={t('text_to_share')}>
          {p.preview}
        </p>
        {(long || p.variants > 1) && (
          <div class="text-tools">
            {long && (
              <button
                type="button"
                class="link-button more-text"
                aria-expanded={open}
                aria-controls={previewId}
                onClick={() => setOpen(!open)}
              >
                {open ? t('show_less') : t('show_full')}
              </button>
            )}
            <VariantSwitcher index={p.variant} count={p.variants} onNext={p.onNextVariant} />
          </div>
        )}
        <div class="actions">
          {sites.map((s) => (
            <button
              key={s.id}
              type="button"
              class={`share share-site share-${s.id}`}
              aria-describedby={s.share.linkOnly ? p.hintIdOf(s.id) : undefined}
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
        {p.lines.length > 0 && (
          <ul class="share-states" aria-label={t('share_states_label')}>
            {p.lines.map((line) => {
              const id = `${headingId}-on-${line.platform}`;
              return (
                <li key={line.platform} class={`share-state share-state-${line.state}`} data-platform={line.platform}>
                  <span id={id}>{lineWords(line)}</span>
                  {line.canSelfReport && (
                    <button type="button" class="self-report" aria-describedby={id} onClick={() => p.onSelfReport(line.platform)}>
                      {isMessenger(line.platform) ? t('self_report_sent') : t('self_report_posted')}
                    </button>
                  )}
                </li>
              );
            })}
          </ul>
        )}
      </div>
    </article>
  );
}

const ACTION_WORDS = {
  inserted: 'action_inserted',
  intent_opened: 'action_intent_opened',
  copied: 'action_copied',
} as const;

/** "X: posted", "WhatsApp: you said it was sent", "Facebook: inserted — not posted yet". */
function lineWords(line: PlatformLine): string {
  const where = platformName(line.platform, t('platform_elsewhere'));
  if (line.state === 'posted') return t('state_posted', where);
  if (line.state === 'self_reported') return t(isMessenger(line.platform) ? 'state_self_sent' : 'state_self_posted', where);
  const what = line.attempts.map((a) => t(ACTION_WORDS[a]).toLocaleLowerCase()).join(', ');
  return t('state_attempted', where, what);
}
