// Retention of history: removes instances older than the configured duration (globally, or per
// entity type) in the background, in short transactions with a yield in between, so that writes
// wait at most one small batch and reads (WAL snapshots) never wait. Where the engine keeps history
// in time partitions (PostgreSQL), partitions older than every rule's cutoff are dropped whole first.
import type { Clock } from '../../core/clock.ts';
import type { StoragePort } from '../../storage/port.ts';
import { addDuration, parseDuration, type Duration } from './temporal.duration.ts';

export interface RetentionPolicy {
  /** Default retention (ISO 8601 duration); undefined = keep forever. */
  retention?: string;
  /** Per entity type: a full type IRI, or a short name matching the IRI's last segment. */
  byType: Record<string, string>;
}

const ENTITIES_PER_TX = 200;

export class RetentionJob {
  private readonly global?: Duration;
  private readonly rules: Array<{ type: string; d: Duration }>;
  private timer?: NodeJS.Timeout;
  private running?: Promise<number>;
  private stopped = false;

  constructor(private readonly storage: StoragePort, private readonly clock: Clock, policy: RetentionPolicy, private readonly log?: (level: 'info' | 'error', msg: string, data: Record<string, unknown>) => void) {
    this.global = policy.retention ? parseDuration(policy.retention, 'DREHSCHEIBE_TEMPORAL_RETENTION') : undefined;
    this.rules = Object.entries(policy.byType).map(([type, d]) => ({ type, d: parseDuration(d, 'DREHSCHEIBE_TEMPORAL_RETENTION_TYPES') }));
  }

  get active(): boolean {
    return this.global !== undefined || this.rules.length > 0;
  }

  private matches(rule: string, iri: string): boolean {
    return iri === rule || iri.endsWith('/' + rule) || iri.endsWith('#' + rule);
  }

  /** The oldest time kept for an entity of these types: the longest retention that applies wins. */
  cutoff(types: string[], now: number): number | undefined {
    const applying = this.rules.filter((r) => types.some((t) => this.matches(r.type, t))).map((r) => r.d);
    const list = applying.length ? applying : this.global ? [this.global] : [];
    if (list.length === 0) return undefined;
    return Math.min(...list.map((d) => addDuration(now, d, -1)));
  }

  /**
   * The oldest time any entity keeps: with a global retention, the earliest cutoff of it and every
   * per-type rule (a type whose rule keeps longer holds the partitions back). Without a global
   * retention, entities of types without a rule keep everything: undefined.
   */
  floor(now: number): number | undefined {
    if (!this.global) return undefined;
    return Math.min(addDuration(now, this.global, -1), ...this.rules.map((r) => addDuration(now, r.d, -1)));
  }

  /** One pass over all entities with history; returns the number of instances removed. */
  runOnce(): Promise<number> {
    this.running ??= this.pass().finally(() => { this.running = undefined; });
    return this.running;
  }

  private async pass(): Promise<number> {
    const now = this.clock.now().getTime();
    let after = 0;
    let removed = 0;
    const floor = this.floor(now);
    if (floor !== undefined && this.storage.temporal.dropPartitionsBefore && !this.stopped) {
      removed += await this.storage.temporal.dropPartitionsBefore(floor);
    }
    for (;;) {
      if (this.stopped) break;
      const n = await this.storage.withTransaction(async (tx) => {
        const list = await tx.history.listEntities(after, ENTITIES_PER_TX);
        let del = 0;
        for (const e of list) {
          const cut = this.cutoff(e.types, now);
          if (cut !== undefined) del += await tx.history.deleteBefore(e.key, cut);
        }
        if (list.length) after = list[list.length - 1].key;
        return { seen: list.length, del };
      });
      removed += n.del;
      if (n.seen < ENTITIES_PER_TX) break;
      await new Promise((r) => setImmediate(r));
    }
    if (removed) this.log?.('info', 'retention removed expired history', { instances: removed });
    return removed;
  }

  start(intervalMs: number): void {
    if (!this.active || this.timer) return;
    this.timer = setInterval(() => { void this.runOnce().catch((e) => this.log?.('error', 'retention failed; history past its retention stays until the next run', { err: e })); }, intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.running?.catch(() => undefined);
  }
}
