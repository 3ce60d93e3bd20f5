// Token buckets per principal and per client address: `rps` tokens per second, up to `burst`.
// In memory per node. With several nodes and the cluster scope, each node enforces its share of
// the configured rate (rate ÷ live nodes), so a load balancer that spreads a client's requests
// over the nodes keeps the client near the configured limit (docs/security.md).

export interface Rate { rps: number; burst: number }

interface Bucket { tokens: number; at: number }

export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private static readonly MAX_KEYS = 100_000;

  /** `nodes`: how many nodes share each configured rate (the live nodes of the cluster); 1 when absent. */
  constructor(private readonly nodes?: () => number) {}

  /** The part of a configured rate this node enforces, and among how many nodes it is shared. */
  share(rate: Rate): { rate: Rate; nodes: number } {
    const n = Math.max(1, this.nodes?.() ?? 1);
    return n === 1 ? { rate, nodes: 1 } : { rate: { rps: rate.rps / n, burst: Math.max(1, Math.floor(rate.burst / n)) }, nodes: n };
  }

  /** 0 when the request may pass; otherwise the whole seconds to wait (Retry-After). */
  take(key: string, rate: Rate, nowMs: number): number {
    let b = this.buckets.get(key);
    if (!b) {
      if (this.buckets.size >= RateLimiter.MAX_KEYS) this.sweep(nowMs, rate);
      b = { tokens: rate.burst, at: nowMs };
      this.buckets.set(key, b);
    } else {
      b.tokens = Math.min(rate.burst, b.tokens + ((nowMs - b.at) / 1000) * rate.rps);
      b.at = nowMs;
    }
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil((1 - b.tokens) / rate.rps));
  }

  /** Drops buckets that have refilled (they hold no information); if none did, the oldest half. */
  private sweep(nowMs: number, rate: Rate): void {
    for (const [k, b] of this.buckets) if (b.tokens + ((nowMs - b.at) / 1000) * rate.rps >= rate.burst) this.buckets.delete(k);
    if (this.buckets.size >= RateLimiter.MAX_KEYS) {
      let n = this.buckets.size >> 1;
      for (const k of this.buckets.keys()) { if (n-- <= 0) break; this.buckets.delete(k); }
    }
  }
}
