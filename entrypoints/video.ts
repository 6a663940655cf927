import { VIDEO_CODE_GLOBAL, videoCode } from '@/utils/media/video-code';

// The video code, loaded by a composer content script only when it inserts a post with a video
// (utils/media/load-video-code.ts).
export default defineUnlistedScript(() => {
  (globalThis as Record<string, unknown>)[VIDEO_CODE_GLOBAL] = videoCode;
});
