// Throttles failed MQTT logins of the embedded broker: every password check costs an scrypt (tens of
// ms of CPU by design), so wrong-password connects are limited per client address and per username
// (token buckets; a token is taken before the check and given back when it succeeds).

export class FailureThrottle {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  /** `perMinute` failed attempts per key and minute (also the bucket size); 0 = no throttle. */
  constructor(private readonly perMinute: number, private readonly now: () => number = Date.now) {}

  /** Takes a token for one attempt under `key`; false = throttled (do not check the password). */
  take(key: string): boolean {
    if (this.perMinute <= 0) return true;
    const now = this.now();
    let b = this.buckets.get(key);
    if (!b) {
      if (this.buckets.size >= 100_000) this.prune(now);
      this.buckets.set(key, (b = { tokens: this.perMinute, at: now }));
    }
    b.tokens = Math.min(this.perMinute, b.tokens + ((now - b.at) / 60_000) * this.perMinute);
    b.at = now;
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  }

  /** Gives the token back: the attempt succeeded. */
  refund(key: string): void {
    const b = this.buckets.get(key);
    if (b) b.tokens = Math.min(this.perMinute, b.tokens + 1);
  }

  /** Forgets buckets that are full again (a flood of addresses must not grow memory without end). */
  private prune(now: number): void {
    for (const [k, b] of this.buckets) if (b.tokens + ((now - b.at) / 60_000) * this.perMinute >= this.perMinute) this.buckets.delete(k);
    if (this.buckets.size >= 100_000) this.buckets.clear();
  }
}
