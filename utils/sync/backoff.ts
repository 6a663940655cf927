// Retry timing for the outbox. Full jitter (a random wait up to the exponential bound) spreads a
// regency's thousands of browsers so a tally coming back up is not hit by all of them at once.

export const BACKOFF = { baseMs: 5_000, capMs: 15 * 60_000, maxRetryAfterMs: 24 * 3_600_000 } as const;

export function backoffMs(failures: number, random: () => number = Math.random): number {
  const bound = Math.min(BACKOFF.capMs, BACKOFF.baseMs * 2 ** Math.max(0, failures - 1));
  return Math.max(1_000, Math.round(random() * bound));
}

/** Retry-After as seconds or an HTTP date, in ms from now; undefined when absent or unreadable. */
export function retryAfterMs(header: string | null, now: number): number | undefined {
  if (!header) return undefined;
  const v = header.trim();
  const ms = /^\d+$/.test(v) ? Number(v) * 1000 : Date.parse(v) - now;
  if (!Number.isFinite(ms)) return undefined;
  return Math.min(Math.max(ms, 0), BACKOFF.maxRetryAfterMs);
}
