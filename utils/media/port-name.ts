/** The runtime port a Firefox composer reads a post's video through (video-port.ts). */
export const VIDEO_PORT = 'siar-video';
