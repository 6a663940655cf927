import { storage } from '#imports';

// Per site: when an insert was last verified working, and the last failure with its reason.
// The options page shows it, so a site's DOM change is noticed, not silent.

export interface SiteHealth {
  lastOkAt?: number;
  lastFailAt?: number;
  reason?: 'not_verified' | 'composer_not_found';
}

const health = storage.defineItem<Record<string, SiteHealth>>('local:siteHealth', { fallback: {} });

export async function reportSiteHealth(platform: string, ok: boolean, reason?: SiteHealth['reason'], now = Date.now()): Promise<void> {
  const all = await health.getValue();
  const prev = all[platform] ?? {};
  all[platform] = ok ? { ...prev, lastOkAt: now } : { ...prev, lastFailAt: now, reason };
  await health.setValue(all);
}

export const getSiteHealth = () => health.getValue();
