import { browser } from 'wxt/browser';
import { VIDEO_CODE_GLOBAL } from './port-name';
import type { VideoCode } from './video-code';

// Content scripts are single files (no code splitting), so the video code is a file of its own,
// imported by its extension URL the first time a video is needed. Both browsers run a module a
// content script imports in the content script's world; the file leaves its functions there.

let loading: Promise<VideoCode> | undefined;

export function loadVideoCode(): Promise<VideoCode> {
  loading ??= import(/* @vite-ignore */ browser.runtime.getURL('/video.js')).then(() => {
    const code = (globalThis as Record<string, unknown>)[VIDEO_CODE_GLOBAL] as VideoCode | undefined;
    if (!code) throw new Error('the video code did not load');
    return code;
  });
  loading.catch(() => (loading = undefined));
  return loading;
}
