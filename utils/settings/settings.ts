import { storage } from '#imports';
import { isAllowedUrl } from '../protocol/url';

// Settings with one rule of precedence: policy > user > feed > build default. Policy joins with
// agency deployment; the resolver already takes it so callers never change.

export const BUILD_FEED_URL: string = import.meta.env.WXT_SIAR_FEED_URL ?? '';
export const BUILD_TALLY_URL: string = import.meta.env.WXT_SIAR_TALLY_URL ?? '';
export const BUILD_PUBLIC_KEY: string = import.meta.env.WXT_SIAR_FEED_PUBLIC_KEY ?? '';

export interface UserSettings {
  feedUrl?: string;
  tallyUrl?: string;
  /** Ed25519 public key of the agency, base64url (32 bytes). */
  feedPublicKey?: string;
  /** Delete synced history older than this; undefined keeps it forever. */
  retentionDays?: number;
}

const userSettings = storage.defineItem<UserSettings>('local:settings', { fallback: {} });

export interface SettingSources {
  policy?: string;
  user?: string;
  feed?: string;
  build?: string;
}

/** The first allowed URL by precedence, with where it came from. */
export function resolveUrl(s: SettingSources): { value?: string; source?: keyof SettingSources } {
  for (const source of ['policy', 'user', 'feed', 'build'] as const) {
    const v = s[source]?.trim();
    if (v && isAllowedUrl(v)) return { value: v, source };
  }
  return {};
}

export function isPublicKey(v: string): boolean {
  return /^[A-Za-z0-9_-]{43}$/.test(v.trim());
}

export async function loadUserSettings(): Promise<UserSettings> {
  return userSettings.getValue();
}

export async function saveUserSettings(next: UserSettings): Promise<void> {
  await userSettings.setValue(next);
}

export function watchUserSettings(cb: (s: UserSettings) => void): () => void {
  return userSettings.watch((v) => cb(v ?? {}));
}

export async function effectiveFeedUrl(): Promise<string | undefined> {
  const user = await loadUserSettings();
  return resolveUrl({ user: user.feedUrl, build: BUILD_FEED_URL }).value;
}

/** The tally base URL: the user's, else the feed's `_siar.tally_url`, else the build's. */
export async function effectiveTallyUrl(feedTallyUrl: string | undefined): Promise<string | undefined> {
  const user = await loadUserSettings();
  return resolveUrl({ user: user.tallyUrl, feed: feedTallyUrl, build: BUILD_TALLY_URL }).value;
}

/** The agency's feed public key (base64url Ed25519), when one is set: user's, else the build's. */
export async function effectiveFeedPublicKey(): Promise<string | undefined> {
  const user = await loadUserSettings();
  for (const v of [user.feedPublicKey, BUILD_PUBLIC_KEY]) if (v && isPublicKey(v)) return v.trim();
  return undefined;
}
