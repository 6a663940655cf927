// A token bucket per key: `burst` requests at once, then `perMinute` on average.

export interface RateLimit {
  perMinute: number;
  burst: number;
}

interface Bucket {
  tokens: number;
  at: number;
}

/** Past this many keys, buckets that have refilled are forgotten (they equal a fresh one). */
const PRUNE_AT = 10_000;

export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly perMs: number;

  constructor(
    private readonly limit: RateLimit,
    private readonly now: () => number = () => performance.now(),
  ) {
    if (!(limit.perMinute > 0) || !(limit.burst >= 1)) {
      throw new Error(`rate limit needs perMinute > 0 and burst ≥ 1, got ${JSON.stringify(limit)}`);
    }
    this.perMs = limit.perMinute / 60_000;
  }

  /** Takes one request from `key`'s bucket: 0 if allowed, else whole seconds until it would be. */
  take(key: string): number {
    const now = this.now();
    if (this.buckets.size > PRUNE_AT) this.prune(now);
    const bucket = this.buckets.get(key) ?? { tokens: this.limit.burst, at: now };
    bucket.tokens = Math.min(this.limit.burst, bucket.tokens + (now - bucket.at) * this.perMs);
    bucket.at = now;
    this.buckets.set(key, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil((1 - bucket.tokens) / this.perMs / 1000));
  }

  private prune(now: number): void {
    for (const [key, bucket] of this.buckets) {
      if (bucket.tokens + (now - bucket.at) * this.perMs >= this.limit.burst) this.buckets.delete(key);
    }
  }
}
