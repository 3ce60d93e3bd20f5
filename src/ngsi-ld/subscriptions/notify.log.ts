// Rate-limited log lines for failed and dropped notifications (docs/security.md#limits): the first
// trouble of an endpoint is logged at once, then one summary line per endpoint and interval, so a
// dead endpoint with thousands of subscriptions writes a line a minute, not one per notification.

interface Log { warn(obj: object, msg: string): void }

interface Window { failed: number; dropped: number; reason?: string; subscription: string }

/** An endpoint as logs show it: no user info, query or fragment (they may hold credentials). */
export function endpointForLog(uri: string): string {
  try {
    const u = new URL(uri);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return '(invalid URI)';
  }
}

export class NotificationLog {
  private windows = new Map<string, Window>();
  /** Endpoints that had a line in the current interval: further trouble goes into the summary. */
  private logged = new Set<string>();
  private timer?: NodeJS.Timeout;
  private static readonly MAX = 10_000;

  constructor(private readonly log: Log | undefined, private readonly intervalMs: number) {}

  start(): void {
    this.timer ??= setInterval(() => this.flush(), this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.flush();
  }

  /** `failed` attempts (drops included) and `dropped` notifications of one subscription's endpoint. */
  note(uri: string, subscription: string, failed: number, dropped: number, reason: string | undefined): void {
    if (failed === 0 && dropped === 0) return;
    const endpoint = endpointForLog(uri);
    if (!this.logged.has(endpoint) && this.logged.size < NotificationLog.MAX) {
      this.logged.add(endpoint);
      this.log?.warn({ subscription, endpoint, reason, failed: failed - dropped, dropped }, dropped && failed === dropped ? 'notification dropped: the queue of its endpoint is full' : 'notification failed');
      return;
    }
    const key = this.windows.size < NotificationLog.MAX || this.windows.has(endpoint) ? endpoint : '(other endpoints)';
    let w = this.windows.get(key);
    if (!w) this.windows.set(key, (w = { failed: 0, dropped: 0, subscription }));
    w.failed += failed - dropped;
    w.dropped += dropped;
    if (reason) w.reason = reason;
    w.subscription = subscription;
  }

  /** One line per endpoint for what the interval held back. */
  flush(): void {
    const s = Math.round(this.intervalMs / 1000);
    for (const [endpoint, w] of this.windows) {
      const parts = [];
      if (w.failed) parts.push(`${w.failed} failed`);
      if (w.dropped) parts.push(`dropped ${w.dropped} (queue full)`);
      this.log?.warn({ endpoint, failed: w.failed, dropped: w.dropped, reason: w.reason, lastSubscription: w.subscription, intervalS: s },
        `notifications to ${endpoint} in the last ${s} s: ${parts.join(', ')}`);
    }
    // Endpoints still in trouble stay summarised; one quiet for a whole interval gets a line at once again.
    this.logged = new Set(this.windows.keys());
    this.windows = new Map();
  }
}
