import { videoFileName, type VideoProgress, type VideoRead } from '../media/video-read';
import type { PanelItem } from '../messages/replies';
import { attachFile, type AttachDeps } from './attach';

// A post's video into a composer: read whole, checked against the feed's hash, and only then
// given to the page, by the site's methods
// (attach.ts). Part of the video code the content script loads when a video is to go in
// (utils/media/video-code.ts), so it is not in the content script itself.

/** What became of a post's video: attached, or why not (`too_long`: insert-flow.ts, by the site's limit). */
export type VideoOutcome = 'attached' | 'too_long' | 'not_found' | 'mismatch' | 'failed';

/** How long a video may take to show in the composer, per method (sites read it before the preview). */
export const VIDEO_WAIT_MS = 5000;

export interface VideoAttachDeps extends AttachDeps {
  /** The post's video, read whole and checked against the feed's hash (utils/media/). */
  fetchVideo(item: PanelItem, onProgress: (p: VideoProgress) => void): Promise<VideoRead>;
  /** Bytes of the video arrived; undefined once reading ended. */
  videoProgress(p: VideoProgress | undefined): void;
}

/** Reads the post's video, checks it, and attaches it; never half: the page gets the whole checked file or nothing. */
export async function attachVideo(deps: VideoAttachDeps, item: PanelItem, root: Element, target: string): Promise<VideoOutcome> {
  const v = item.video!;
  let read: VideoRead;
  try {
    read = await deps.fetchVideo(item, (p) => deps.videoProgress(p));
  } catch (err) {
    read = { ok: false, problem: 'network', detail: String((err as Error)?.message ?? err) };
  } finally {
    deps.videoProgress(undefined);
  }
  if (!read.ok) {
    console.warn('[siar] video not attached:', read.problem, read.detail, v.url);
    if (read.problem === 'mismatch' || read.problem === 'not_vouched') return 'mismatch';
    return read.problem === 'not_found' ? 'not_found' : 'failed';
  }
  const method = await attachFile(deps, root, target, { name: videoFileName(v.url), type: 'video/mp4', bytes: read.blob }, VIDEO_WAIT_MS);
  if (!method) {
    console.warn('[siar] video not attached: the composer showed no video after any method');
    return 'failed';
  }
  console.info('[siar] video attached by', method);
  return 'attached';
}
