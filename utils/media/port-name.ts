// Names the composer content scripts and the video code share; in a file of their own, so a
// content script importing a name does not pull in the video code itself.

/** The runtime port a Firefox composer reads a post's video through (video-port.ts). */
export const VIDEO_PORT = 'siar-video';

/** Where the loaded video code leaves its functions, in the content script's own world (never the page's). */
export const VIDEO_CODE_GLOBAL = '__siarVideoCode';
