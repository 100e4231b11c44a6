/**
 * A token bucket per key (e.g. a request's signer) in a bounded map: each key may spend `burst`
 * requests at once and earns one back every `refillMs`. When `maxKeys` keys are tracked, the
 * least recently seen one is forgotten first (a forgotten key starts again with a full bucket,
 * so the bound costs at most one burst per eviction, and memory stays bounded whatever the
 * number of senders).
 */

export interface RateLimiterOptions {
  burst: number;
  refillMs: number;
  maxKeys: number;
  /** Milliseconds; for tests. */
  now?: () => number;
}

interface Bucket {
  tokens: number;
  at: number;
}

export class RateLimiter {
  private readonly options: Required<RateLimiterOptions>;
  /** In least recently seen order (a Map keeps insertion order; a hit re-inserts). */
  private readonly buckets = new Map<string, Bucket>();

  constructor(options: RateLimiterOptions) {
    this.options = { now: Date.now, ...options };
  }

  /** Takes one token for `key`: false when it has none left (the request is refused). */
  take(key: string): boolean {
    const now = this.options.now();
    const known = this.buckets.get(key);
    const bucket = known ?? { tokens: this.options.burst, at: now };
    const earned = Math.floor((now - bucket.at) / this.options.refillMs);
    if (earned > 0) {
      bucket.tokens = Math.min(this.options.burst, bucket.tokens + earned);
      bucket.at = bucket.tokens === this.options.burst ? now : bucket.at + earned * this.options.refillMs;
    }
    this.buckets.delete(key);
    this.buckets.set(key, bucket);
    while (this.buckets.size > this.options.maxKeys) {
      const oldest = this.buckets.keys().next().value as string;
      this.buckets.delete(oldest);
    }
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }

  get size(): number {
    return this.buckets.size;
  }
}
