import { browser } from 'wxt/browser';
import { isAllowedUrl } from '../protocol/url';
import { parseHours, isTimeZone } from '../notify/hours';
import { POLICY_KEYS, type PolicyKey } from './keys';
import { isPublicKey } from './validate';

// What an agency's IT presets through enterprise policy: chrome.storage.managed, filled by Chrome's
// `3rdparty` → `extensions` → <id> policy (shape in public/managed_schema.json) or Firefox's
// policies.json `3rdparty` → `Extensions` → siar@siar.example. Read-only for the extension.
// Nothing here trusts the policy more than a feed: every value is checked like a user's, and a bad
// one is left out (with a warning), never fatal.

export type PolicySettings = Partial<Record<PolicyKey, string>>;

const VALID: Record<PolicyKey, (v: string) => boolean> = {
  feedUrl: isAllowedUrl,
  tallyUrl: isAllowedUrl,
  feedPublicKey: isPublicKey,
  workHours: (v) => parseHours(v) !== undefined,
  timeZone: isTimeZone,
};

const WHY: Partial<Record<PolicyKey, string>> = {
  feedPublicKey: 'is not a base64url Ed25519 key (43 characters)',
  workHours: 'is not a range of hours like 07:00-17:00',
  timeZone: 'is not an IANA time zone like Asia/Jakarta',
};

// Policy is read on every lookup: warn once per bad value, not on every popup opening.
const warned = new Set<string>();
function warnOnce(key: string, value: unknown, why: string): void {
  let id: string;
  try {
    id = `${key}\u0000${JSON.stringify(value)}`;
  } catch {
    id = `${key}\u0000${why}`;
  }
  if (warned.has(id)) return;
  warned.add(id);
  console.warn(`[siar] policy value ignored: ${key} ${why}`);
}

/** Keeps the valid, known, non-empty string values of a raw managed-storage object. */
export function parsePolicy(raw: unknown): PolicySettings {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return {};
  const out: PolicySettings = {};
  for (const key of POLICY_KEYS) {
    if (!Object.prototype.hasOwnProperty.call(raw, key)) continue;
    const v: unknown = (raw as Record<string, unknown>)[key];
    if (v === undefined || v === null) continue;
    if (typeof v !== 'string') {
      warnOnce(key, v, `is not a string (${typeof v})`);
      continue;
    }
    const s = v.trim();
    if (!s) continue;
    if (!VALID[key](s)) {
      // The value itself is not logged: it is not ours to spread, and a URL may be long.
      warnOnce(key, v, WHY[key] ?? 'is not an allowed URL (https, or http on loopback)');
      continue;
    }
    out[key] = s;
  }
  return out;
}

/**
 * The agency's policy, validated. No policy, a browser without managed storage, Firefox without a
 * `3rdparty` entry (it rejects), or any other failure: {}.
 */
export async function loadPolicy(): Promise<PolicySettings> {
  try {
    const managed = browser.storage?.managed;
    if (!managed?.get) return {};
    return parsePolicy(await managed.get([...POLICY_KEYS]));
  } catch {
    return {};
  }
}

/**
 * Calls `cb` with the new policy whenever the browser reports a change to managed storage
 * (Chrome does so live; Firefox reads policies only at start). Returns the unsubscribe.
 */
export function watchPolicy(cb: (p: PolicySettings) => void): () => void {
  const onChanged = browser.storage?.onChanged;
  if (!onChanged?.addListener) return () => {};
  const listener = (_changes: unknown, area: string) => {
    if (area === 'managed') void loadPolicy().then(cb);
  };
  try {
    onChanged.addListener(listener);
  } catch {
    return () => {};
  }
  return () => {
    try {
      onChanged.removeListener(listener);
    } catch {
      // Nothing to undo.
    }
  };
}
