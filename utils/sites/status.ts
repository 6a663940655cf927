import { storage } from '#imports';

// Per site: when an insert was last verified working, and the last failure with its reason.
// The options page shows it, so a site's DOM change is noticed, not silent.

/** Why an insert failed: the editor did not take the post, or no composer came to put it in. */
export const FAILURE_REASONS = ['not_verified', 'composer_not_found'] as const;

export interface SiteHealth {
  lastOkAt?: number;
  lastFailAt?: number;
  reason?: (typeof FAILURE_REASONS)[number];
}

const health = storage.defineItem<Record<string, SiteHealth>>('local:siteHealth', { fallback: {}, version: 1 });

export async function reportSiteHealth(platform: string, ok: boolean, reason?: SiteHealth['reason'], now = Date.now()): Promise<void> {
  const all = await health.getValue();
  const prev = all[platform] ?? {};
  all[platform] = ok ? { ...prev, lastOkAt: now } : { ...prev, lastFailAt: now, reason };
  await health.setValue(all);
}

export const getSiteHealth = () => health.getValue();
