import { storage } from '#imports';
import { isAllowedUrl } from '../protocol/url';

// Settings with one rule of precedence: policy > user > feed > build default. Policy and feed
// sources join in later work; the resolver already takes them so callers never change.

export const BUILD_FEED_URL: string = import.meta.env.WXT_SIAR_FEED_URL ?? '';

export interface UserSettings {
  feedUrl?: string;
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
