import { storage } from '#imports';
import { isAllowedUrl } from '../protocol/url';
import { SETTING_KEYS, type SettingKey } from './keys';
import { loadPolicy, type PolicySettings } from './policy';
import { isPublicKey } from './validate';
import { resolveWorkHours, type WorkHours } from '../notify/hours';

// Settings with one rule of precedence: policy > user > feed > build default. Policy is the
// agency's (enterprise policy → managed storage, see policy.ts and docs/policy/); the user's stays
// stored while a policy covers it, unused until the policy goes.

export { isPublicKey } from './validate';
export { loadPolicy, watchPolicy, type PolicySettings } from './policy';

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
  /** When notifications may come ("07:00-17:00"); undefined: the default. */
  workHours?: string;
  /** The zone those hours are read in; undefined: the agency's default (WIB). */
  timeZone?: string;
}

const userSettings = storage.defineItem<UserSettings>('local:settings', { fallback: {}, version: 1 });

/** The candidates for one setting, by where they come from. */
export interface SettingSources {
  policy?: string;
  user?: string;
  feed?: string;
  build?: string;
}

export type SettingSource = keyof SettingSources;
export interface Resolved {
  value?: string;
  source?: SettingSource;
}

const ORDER = ['policy', 'user', 'feed', 'build'] as const;

/** The first valid candidate by precedence, with where it came from. */
export function resolveSetting(s: SettingSources, valid: (v: string) => boolean): Resolved {
  for (const source of ORDER) {
    const v = s[source]?.trim();
    if (v && valid(v)) return { value: v, source };
  }
  return {};
}

/** The first allowed URL by precedence, with where it came from. */
export function resolveUrl(s: SettingSources): Resolved {
  return resolveSetting(s, isAllowedUrl);
}

export async function loadUserSettings(): Promise<UserSettings> {
  return userSettings.getValue();
}

export async function saveUserSettings(next: UserSettings): Promise<void> {
  await userSettings.setValue(next);
}

export type EffectiveSettings = Record<SettingKey, Resolved>;

function resolveAll(policy: PolicySettings, user: UserSettings, feedTallyUrl: string | undefined): EffectiveSettings {
  return {
    feedUrl: resolveUrl({ policy: policy.feedUrl, user: user.feedUrl, build: BUILD_FEED_URL }),
    tallyUrl: resolveUrl({ policy: policy.tallyUrl, user: user.tallyUrl, feed: feedTallyUrl, build: BUILD_TALLY_URL }),
    // A feed never names the key that checks its own signature.
    feedPublicKey: resolveSetting({ policy: policy.feedPublicKey, user: user.feedPublicKey, build: BUILD_PUBLIC_KEY }, isPublicKey),
  };
}

/**
 * Each setting's value in force and where it came from (policy, user, feed, build), for the
 * options page. `feedTallyUrl` is the current feed's `_siar.tally_url`.
 */
export async function settingSources(feedTallyUrl?: string): Promise<EffectiveSettings> {
  const [policy, user] = await Promise.all([loadPolicy(), loadUserSettings()]);
  return resolveAll(policy, user, feedTallyUrl);
}

/** The settings the agency's policy fixes (valid policy values only), e.g. to show them read-only. */
export function policyValues(sources: EffectiveSettings | undefined): Partial<Record<SettingKey, string>> {
  const out: Partial<Record<SettingKey, string>> = {};
  if (!sources) return out;
  for (const name of SETTING_KEYS) {
    const r = sources[name];
    if (r.source === 'policy' && r.value) out[name] = r.value;
  }
  return out;
}

/** The feed URL: the policy's, else the user's, else the build's. */
export async function effectiveFeedUrl(): Promise<string | undefined> {
  return (await settingSources()).feedUrl.value;
}

/** The tally base URL: the policy's, else the user's, else the feed's `_siar.tally_url`, else the build's. */
export async function effectiveTallyUrl(feedTallyUrl: string | undefined): Promise<string | undefined> {
  return (await settingSources(feedTallyUrl)).tallyUrl.value;
}

/** The agency's feed public key (base64url Ed25519), when one is set: policy's, else user's, else the build's. */
export async function effectiveFeedPublicKey(): Promise<string | undefined> {
  return (await settingSources()).feedPublicKey.value;
}

/**
 * The working hours notifications keep to (policy > user > 07:00–17:00 WIB), and which parts the
 * agency's policy fixes, for the options page.
 */
export async function effectiveWorkHours(): Promise<{ hours: WorkHours; policy: PolicySettings; user: UserSettings }> {
  const [policy, user] = await Promise.all([loadPolicy(), loadUserSettings()]);
  return { hours: resolveWorkHours([policy.workHours, user.workHours], [policy.timeZone, user.timeZone]), policy, user };
}
