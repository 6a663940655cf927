import { browser } from 'wxt/browser';
import { attachVideo, type VideoAttachDeps } from '../composer/attach-video';
import type { PanelItem } from '../messages/replies';
import { VIDEO_PORT } from './port-name';

export { VIDEO_CODE_GLOBAL } from './port-name';
import { saveBlob } from './save';
import { portSource } from './video-port';
import { readVideo, fetchSource, videoFileName, type VideoProgress, type VideoRead } from './video-read';

// The video code a composer content script loads when a post's video is attached or saved, not
// at page start: the content scripts have a size budget (bench/bundle-size.ts) and most posts
// carry none. Built as its own file (entrypoints/video.ts), imported by URL (load-video-code.ts).

/**
 * The post's video, read whole and checked. Chromium: fetched here (the agency's media answers
 * with CORS). Firefox: the page's CSP (connect-src) blocks that fetch, so the background reads it
 * and hands the pieces over a port (video-port.ts).
 */
function readPostVideo(item: PanelItem, onProgress: (p: VideoProgress) => void): Promise<VideoRead> {
  const v = item.video!;
  const open = import.meta.env.FIREFOX
    ? () => portSource(browser.runtime.connect({ name: VIDEO_PORT }), item.id)
    : () => fetchSource(v.url);
  return readVideo(open, { sha256: v.sha256, hashRequired: v.hashRequired, bytes: v.bytes }, onProgress);
}

export const videoCode = {
  /** The post's video into the composer (attach-video.ts). */
  attachVideo: (deps: Omit<VideoAttachDeps, 'fetchVideo'>, item: PanelItem, root: Element, target: string) =>
    attachVideo({ ...deps, fetchVideo: readPostVideo }, item, root, target),
  /** "Unduh video": the checked file to the person's downloads (save.ts); the read says how it went. */
  async downloadVideo(item: PanelItem, onProgress: (p: VideoProgress) => void): Promise<VideoRead> {
    const read = await readPostVideo(item, onProgress);
    if (read.ok) saveBlob(read.blob, videoFileName(item.video!.url));
    return read;
  },
};
export type VideoCode = typeof videoCode;
