// The embedded engine's SubscriptionStore: writes go through the adapter's serialised write
// transactions (one writer connection), reads through the reader connection (committed data only).
import type { Statement } from 'better-sqlite3';
import { StorageConflict, StorageNotFound } from '../../core/errors.ts';
import type { DeliveryDelta, StoredSubscription, SubscriptionRecord, SubscriptionStore } from '../port.subscriptions.ts';
import type { Db } from './sqlite.database.ts';

interface Row {
  id: string; created_at: string; modified_at: string; definition: string; context: string; compiled: string;
  times_sent: number; times_failed: number; last_notification: string | null; last_success: string | null;
  last_failure: string | null; last_failure_reason: string | null; owner: string | null;
}

const COLS = 'id, created_at, modified_at, definition, context, compiled, times_sent, times_failed, last_notification, last_success, last_failure, last_failure_reason, owner';

function toStored(r: Row): StoredSubscription {
  const s: StoredSubscription = {
    id: r.id,
    createdAt: r.created_at,
    modifiedAt: r.modified_at,
    definition: JSON.parse(r.definition) as Record<string, unknown>,
    context: JSON.parse(r.context) as unknown,
    compiled: JSON.parse(r.compiled) as unknown,
    stats: { timesSent: r.times_sent, timesFailed: r.times_failed },
  };
  if (r.last_notification) s.stats.lastNotification = r.last_notification;
  if (r.last_success) s.stats.lastSuccess = r.last_success;
  if (r.last_failure) s.stats.lastFailure = r.last_failure;
  if (r.last_failure_reason) s.stats.lastFailureReason = r.last_failure_reason;
  if (r.owner) s.owner = r.owner;
  return s;
}

/** Runs fn inside the adapter's serialised write transaction. */
export type Serialise = <T>(fn: () => Promise<T>) => Promise<T>;

export class SqliteSubscriptionStore implements SubscriptionStore {
  private readonly w: Record<string, Statement> = {};
  private readonly r: Record<string, Statement> = {};

  constructor(private readonly writer: Db, private readonly reader: Db, private readonly serialise: Serialise) {}

  private ws(sql: string): Statement {
    return (this.w[sql] ??= this.writer.prepare(sql));
  }
  private rs(sql: string): Statement {
    return (this.r[sql] ??= this.reader.prepare(sql));
  }

  create(tenant: string, rec: SubscriptionRecord): Promise<void> {
    return this.serialise(async () => {
      try {
        this.ws('INSERT INTO subscriptions (tenant, id, created_at, modified_at, definition, context, compiled, owner) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
          .run(tenant, rec.id, rec.createdAt, rec.modifiedAt, JSON.stringify(rec.definition), JSON.stringify(rec.context ?? null), JSON.stringify(rec.compiled ?? null), rec.owner ?? null);
      } catch (err) {
        if ((err as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE') throw new StorageConflict(`subscription ${rec.id} exists`, { cause: err });
        throw err;
      }
    });
  }

  async get(tenant: string, id: string): Promise<StoredSubscription | undefined> {
    const row = this.rs(`SELECT ${COLS} FROM subscriptions WHERE tenant = ? AND id = ?`).get(tenant, id) as Row | undefined;
    return row ? toStored(row) : undefined;
  }

  async list(tenant: string, page: { limit: number; offset: number }, owner?: string): Promise<{ items: StoredSubscription[]; count: number }> {
    // owner IS NULL for "no filter": one statement shape either way.
    const rows = this.rs(`SELECT ${COLS} FROM subscriptions WHERE tenant = ? AND (? IS NULL OR owner = ?) ORDER BY seq LIMIT ? OFFSET ?`).all(tenant, owner ?? null, owner ?? null, page.limit, page.offset) as Row[];
    const { n } = this.rs('SELECT COUNT(*) AS n FROM subscriptions WHERE tenant = ? AND (? IS NULL OR owner = ?)').get(tenant, owner ?? null, owner ?? null) as { n: number };
    return { items: rows.map(toStored), count: n };
  }

  async all(): Promise<Array<{ tenant: string; sub: StoredSubscription }>> {
    const rows = this.rs(`SELECT tenant, ${COLS} FROM subscriptions ORDER BY seq`).all() as Array<Row & { tenant: string }>;
    return rows.map((r) => ({ tenant: r.tenant, sub: toStored(r) }));
  }

  update(tenant: string, rec: SubscriptionRecord): Promise<void> {
    return this.serialise(async () => {
      const r = this.ws('UPDATE subscriptions SET modified_at = ?, definition = ?, context = ?, compiled = ? WHERE tenant = ? AND id = ?')
        .run(rec.modifiedAt, JSON.stringify(rec.definition), JSON.stringify(rec.context ?? null), JSON.stringify(rec.compiled ?? null), tenant, rec.id);
      if (r.changes === 0) throw new StorageNotFound(`subscription ${rec.id} not found`);
    });
  }

  delete(tenant: string, id: string): Promise<boolean> {
    return this.serialise(async () => this.ws('DELETE FROM subscriptions WHERE tenant = ? AND id = ?').run(tenant, id).changes > 0);
  }

  addDeliveryStats(deltas: DeliveryDelta[]): Promise<void> {
    if (deltas.length === 0) return Promise.resolve();
    return this.serialise(async () => {
      // last_* keep the later timestamp (ISO strings order chronologically); the reason follows last_failure.
      const st = this.ws(`UPDATE subscriptions SET
          times_sent = times_sent + @sent,
          times_failed = times_failed + @failed,
          last_notification = CASE WHEN @ln IS NOT NULL AND (last_notification IS NULL OR @ln > last_notification) THEN @ln ELSE last_notification END,
          last_success = CASE WHEN @ls IS NOT NULL AND (last_success IS NULL OR @ls > last_success) THEN @ls ELSE last_success END,
          last_failure_reason = CASE WHEN @lf IS NOT NULL AND (last_failure IS NULL OR @lf >= last_failure) THEN @lr ELSE last_failure_reason END,
          last_failure = CASE WHEN @lf IS NOT NULL AND (last_failure IS NULL OR @lf > last_failure) THEN @lf ELSE last_failure END
        WHERE tenant = @tenant AND id = @id`);
      for (const d of deltas) {
        st.run({ sent: d.sent, failed: d.failed, ln: d.lastNotification ?? null, ls: d.lastSuccess ?? null, lf: d.lastFailure ?? null, lr: d.lastFailureReason ?? null, tenant: d.tenant, id: d.id });
      }
    });
  }

  async tenantHasSubscriptions(tenant: string): Promise<boolean> {
    return this.rs('SELECT 1 FROM subscriptions WHERE tenant = ? LIMIT 1').get(tenant) !== undefined;
  }
}
