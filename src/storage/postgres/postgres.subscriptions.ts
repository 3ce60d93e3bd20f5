// The PostgreSQL SubscriptionStore: each operation is one statement (atomic on its own); delivery
// counters are added in SQL, so several nodes report notifications without overwriting each other.
import type pg from 'pg';
import { StorageConflict, StorageNotFound } from '../../core/errors.ts';
import type { DeliveryDelta, StoredSubscription, SubscriptionRecord, SubscriptionStore } from '../port.subscriptions.ts';
import { q } from './postgres.database.ts';

interface Row {
  id: string; created_at: string; modified_at: string; definition: Record<string, unknown>; context: unknown; compiled: unknown;
  times_sent: number; times_failed: number; last_notification: string | null; last_success: string | null;
  last_failure: string | null; last_failure_reason: string | null; owner: string | null;
}

const COLS = 'id, created_at, modified_at, definition, context, compiled, times_sent, times_failed, last_notification, last_success, last_failure, last_failure_reason, owner';

function toStored(r: Row): StoredSubscription {
  const s: StoredSubscription = {
    id: r.id, createdAt: r.created_at, modifiedAt: r.modified_at,
    definition: r.definition, context: r.context, compiled: r.compiled,
    stats: { timesSent: r.times_sent, timesFailed: r.times_failed },
  };
  if (r.last_notification) s.stats.lastNotification = r.last_notification;
  if (r.last_success) s.stats.lastSuccess = r.last_success;
  if (r.last_failure) s.stats.lastFailure = r.last_failure;
  if (r.last_failure_reason) s.stats.lastFailureReason = r.last_failure_reason;
  if (r.owner) s.owner = r.owner;
  return s;
}

export class PgSubscriptionStore implements SubscriptionStore {
  constructor(private readonly pool: pg.Pool) {}

  async create(tenant: string, rec: SubscriptionRecord): Promise<void> {
    const rows = await q(this.pool, 'INSERT INTO subscriptions (tenant, id, created_at, modified_at, definition, context, compiled, owner) VALUES ($1, $2, $3, $4, $5::json, $6::json, $7::json, $8) ON CONFLICT (tenant, id) DO NOTHING RETURNING seq',
      [tenant, rec.id, rec.createdAt, rec.modifiedAt, JSON.stringify(rec.definition), JSON.stringify(rec.context ?? null), JSON.stringify(rec.compiled ?? null), rec.owner ?? null]);
    if (rows.length === 0) throw new StorageConflict(`subscription ${rec.id} exists`);
  }

  async get(tenant: string, id: string): Promise<StoredSubscription | undefined> {
    const row = (await q<Row>(this.pool, `SELECT ${COLS} FROM subscriptions WHERE tenant = $1 AND id = $2`, [tenant, id]))[0];
    return row ? toStored(row) : undefined;
  }

  async list(tenant: string, page: { limit: number; offset: number }, owner?: string): Promise<{ items: StoredSubscription[]; count: number }> {
    const rows = await q<Row>(this.pool, `SELECT ${COLS} FROM subscriptions WHERE tenant = $1 AND ($4::text IS NULL OR owner = $4) ORDER BY seq LIMIT $2 OFFSET $3`, [tenant, page.limit, page.offset, owner ?? null]);
    const n = (await q<{ n: number }>(this.pool, 'SELECT count(*) AS n FROM subscriptions WHERE tenant = $1 AND ($2::text IS NULL OR owner = $2)', [tenant, owner ?? null]))[0].n;
    return { items: rows.map(toStored), count: n };
  }

  async all(): Promise<Array<{ tenant: string; sub: StoredSubscription }>> {
    const rows = await q<Row & { tenant: string }>(this.pool, `SELECT tenant, ${COLS} FROM subscriptions ORDER BY seq`);
    return rows.map((r) => ({ tenant: r.tenant, sub: toStored(r) }));
  }

  async update(tenant: string, rec: SubscriptionRecord): Promise<void> {
    const rows = await q(this.pool, 'UPDATE subscriptions SET modified_at = $1, definition = $2::json, context = $3::json, compiled = $4::json WHERE tenant = $5 AND id = $6 RETURNING seq',
      [rec.modifiedAt, JSON.stringify(rec.definition), JSON.stringify(rec.context ?? null), JSON.stringify(rec.compiled ?? null), tenant, rec.id]);
    if (rows.length === 0) throw new StorageNotFound(`subscription ${rec.id} not found`);
  }

  async delete(tenant: string, id: string): Promise<boolean> {
    return (await q(this.pool, 'DELETE FROM subscriptions WHERE tenant = $1 AND id = $2 RETURNING seq', [tenant, id])).length > 0;
  }

  async addDeliveryStats(deltas: DeliveryDelta[]): Promise<void> {
    if (deltas.length === 0) return;
    // One statement for all deltas; last_* keep the later timestamp (ISO strings order chronologically).
    const cols = { tenant: [] as string[], id: [] as string[], sent: [] as number[], failed: [] as number[], ln: [] as Array<string | null>, ls: [] as Array<string | null>, lf: [] as Array<string | null>, lr: [] as Array<string | null> };
    for (const d of deltas) {
      cols.tenant.push(d.tenant); cols.id.push(d.id); cols.sent.push(d.sent); cols.failed.push(d.failed);
      cols.ln.push(d.lastNotification ?? null); cols.ls.push(d.lastSuccess ?? null); cols.lf.push(d.lastFailure ?? null); cols.lr.push(d.lastFailureReason ?? null);
    }
    await q(this.pool, `WITH d AS (
        SELECT tenant, id, sum(sent) AS sent, sum(failed) AS failed, max(ln COLLATE "C") AS ln, max(ls COLLATE "C") AS ls, max(lf COLLATE "C") AS lf,
          (array_agg(lr ORDER BY lf COLLATE "C" DESC NULLS LAST))[1] AS lr
        FROM unnest($1::text[], $2::text[], $3::int[], $4::int[], $5::text[], $6::text[], $7::text[], $8::text[]) AS u(tenant, id, sent, failed, ln, ls, lf, lr)
        GROUP BY tenant, id)
      UPDATE subscriptions s SET
        times_sent = s.times_sent + d.sent,
        times_failed = s.times_failed + d.failed,
        last_notification = CASE WHEN d.ln IS NOT NULL AND (s.last_notification IS NULL OR d.ln > s.last_notification COLLATE "C") THEN d.ln ELSE s.last_notification END,
        last_success = CASE WHEN d.ls IS NOT NULL AND (s.last_success IS NULL OR d.ls > s.last_success COLLATE "C") THEN d.ls ELSE s.last_success END,
        last_failure_reason = CASE WHEN d.lf IS NOT NULL AND (s.last_failure IS NULL OR d.lf >= s.last_failure COLLATE "C") THEN d.lr ELSE s.last_failure_reason END,
        last_failure = CASE WHEN d.lf IS NOT NULL AND (s.last_failure IS NULL OR d.lf > s.last_failure COLLATE "C") THEN d.lf ELSE s.last_failure END
      FROM d WHERE s.tenant = d.tenant AND s.id = d.id`,
    [cols.tenant, cols.id, cols.sent, cols.failed, cols.ln, cols.ls, cols.lf, cols.lr]);
  }

  async tenantHasSubscriptions(tenant: string): Promise<boolean> {
    return (await q(this.pool, 'SELECT 1 FROM subscriptions WHERE tenant = $1 LIMIT 1', [tenant])).length > 0;
  }
}
