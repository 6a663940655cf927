import { clockTime, minutesAndSeconds } from '@/utils/format/duration';
import { t } from '@/utils/i18n';

/** The video's length in words, for its accessible name. */
function lengthWords(seconds: number): string {
  const { minutes, seconds: s } = minutesAndSeconds(seconds);
  return minutes > 0 ? t('duration_minutes_seconds', minutes, s) : t('duration_seconds', s);
}

/**
 * A post's video as a still: its poster with a play mark and the length. One image to assistive
 * technology, named "Video, 1 minute 5 seconds"; it plays nothing (the composer gets the file).
 */
export function VideoPoster({ poster, seconds }: { poster?: string; seconds?: number }) {
  const label = seconds === undefined ? t('video_label') : t('video_label_length', lengthWords(seconds));
  return (
    <div class="video-poster" role="img" aria-label={label}>
      {poster && <img src={poster} alt="" loading="lazy" referrerpolicy="no-referrer" />}
      <span class="video-play" aria-hidden="true">
        ▶
      </span>
      {seconds !== undefined && (
        <span class="video-duration" aria-hidden="true">
          {clockTime(seconds)}
        </span>
      )}
    </div>
  );
}

/** "Mengunduh video 12 / 48 MB" while a video's bytes arrive (MB: 10^6 bytes). */
export function VideoProgressLine({ received, total }: { received: number; total?: number }) {
  const mb = (n: number) => Math.round(n / 1e6);
  return (
    <p class="video-progress" role="status">
      {t('video_downloading', mb(received), total ? Math.max(1, mb(total)) : '?')}
      <progress max={total} value={total && received} aria-hidden="true" />
    </p>
  );
}
