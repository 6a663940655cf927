// The platforms a share event may name (the tally's fixed list) and how people write them.
// `other` has no fixed name: it is said in the reader's language where it is shown.

export const PLATFORMS = ['x', 'facebook', 'whatsapp', 'telegram', 'threads', 'instagram', 'other'] as const;
export type Platform = (typeof PLATFORMS)[number];

/** Platforms a post carries captions for in the studio; `default` is for all the others. */
export const CAPTION_PLATFORMS = ['x', 'facebook', 'whatsapp'] as const satisfies readonly Platform[];

export const PLATFORM_NAMES: Readonly<Record<Exclude<Platform, 'other'>, string>> = {
  x: 'X',
  facebook: 'Facebook',
  whatsapp: 'WhatsApp',
  telegram: 'Telegram',
  threads: 'Threads',
  instagram: 'Instagram',
};

/** Messengers: a post there is sent to people ("Sudah saya kirim"), not posted. */
export const MESSENGERS: readonly Platform[] = ['whatsapp', 'telegram'];

export function isMessenger(id: string): boolean {
  return (MESSENGERS as readonly string[]).includes(id);
}

/** How a platform is written wherever one is named (captions, selector fixes, share events). */
export const PLATFORM_PATTERN = /^[a-z][a-z0-9_-]{0,31}$/;

export function isPlatform(value: string): value is Platform {
  return (PLATFORMS as readonly string[]).includes(value);
}

/** The display name of a platform, or `other` (the caller's word for it) for anything else. */
export function platformName(id: string, other: string): string {
  return Object.hasOwn(PLATFORM_NAMES, id) ? PLATFORM_NAMES[id as keyof typeof PLATFORM_NAMES] : other;
}
