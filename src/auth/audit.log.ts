// The audit log: who did what, when, from where. Entries are queued in memory and written in one
// storage transaction per flush (not one per request), flushed on shutdown, pruned after retention.
import type { Clock } from '../core/clock.ts';
import type { AuditEntry, AuthStore } from '../storage/port.auth.ts';

export interface AuditOptions {
  flushMs: number;
  retentionDays: number;
  /** How often old entries are pruned. */
  pruneIntervalMs: number;
  /** Flush early when this many entries are queued. */
  maxQueued?: number;
  onError?: (err: unknown) => void;
}

export class AuditLog {
  private queue: AuditEntry[] = [];
  private flushTimer?: NodeJS.Timeout;
  private pruneTimer?: NodeJS.Timeout;
  private flushing: Promise<void> = Promise.resolve();
  /** Entries written so far (metrics). */
  written = 0;

  constructor(private readonly store: AuthStore, private readonly clock: Clock, private readonly o: AuditOptions) {}

  start(): void {
    this.flushTimer = setInterval(() => { void this.flush(); }, this.o.flushMs);
    this.flushTimer.unref();
    this.pruneTimer = setInterval(() => { void this.prune().catch((e) => this.o.onError?.(e)); }, this.o.pruneIntervalMs);
    this.pruneTimer.unref();
  }

  record(e: Omit<AuditEntry, 'at'> & { at?: string }): void {
    this.queue.push({ ...e, at: e.at ?? this.clock.now().toISOString() });
    if (this.queue.length >= (this.o.maxQueued ?? 1000)) void this.flush();
  }

  get queued(): number { return this.queue.length; }

  /** Writes every queued entry in one transaction; entries that fail to write are retried next time. */
  flush(): Promise<void> {
    this.flushing = this.flushing.then(async () => {
      if (this.queue.length === 0) return;
      const batch = this.queue;
      this.queue = [];
      try {
        await this.store.appendAudit(batch);
        this.written += batch.length;
      } catch (e) {
        this.queue = batch.concat(this.queue).slice(-100_000);
        this.o.onError?.(e);
      }
    });
    return this.flushing;
  }

  /** Deletes entries older than the retention period. */
  async prune(): Promise<number> {
    const before = new Date(this.clock.now().getTime() - this.o.retentionDays * 86_400_000).toISOString();
    return this.store.pruneAudit(before);
  }

  async stop(): Promise<void> {
    clearInterval(this.flushTimer);
    clearInterval(this.pruneTimer);
    await this.flush();
  }
}
