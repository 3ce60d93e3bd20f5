// The PostgreSQL AuthStore: API keys, the audit log (appended in one multi-row statement per batch)
// and named settings; one statement per operation, unique violations become StorageConflict.
import { auditEntryFromRow, type AuditRow } from '../auth.rows.ts';
import type pg from 'pg';
import { StorageConflict } from '../../core/errors.ts';
import type { ApiKeyRecord, AuditEntry, AuditQuery, AuthStore } from '../port.auth.ts';
import { q } from './postgres.database.ts';

interface KeyRow {
  id: string; name: string; hash: string; prefix: string; roles: string[]; tenants: string[] | null; types: string[] | null; ops: string[] | null;
  created_at: string; created_by: string | null; expires_at: string | null; revoked_at: string | null;
}

const KCOLS = 'id, name, hash, prefix, roles, tenants, types, ops, created_at, created_by, expires_at, revoked_at';

function toKey(r: KeyRow): ApiKeyRecord {
  const k: ApiKeyRecord = { id: r.id, name: r.name, hash: r.hash, prefix: r.prefix, roles: r.roles, createdAt: r.created_at };
  if (r.tenants) k.tenants = r.tenants;
  if (r.types) k.types = r.types;
  if (r.ops) k.ops = r.ops;
  if (r.created_by) k.createdBy = r.created_by;
  if (r.expires_at) k.expiresAt = r.expires_at;
  if (r.revoked_at) k.revokedAt = r.revoked_at;
  return k;
}
const json = (v: unknown) => (v === undefined ? null : JSON.stringify(v));

export class PgAuthStore implements AuthStore {
  constructor(private readonly pool: pg.Pool) {}

  async createKey(k: ApiKeyRecord): Promise<void> {
    try {
      await q(this.pool, `INSERT INTO api_keys (${KCOLS}) VALUES ($1, $2, $3, $4, $5::jsonb, $6::jsonb, $7::jsonb, $8::jsonb, $9, $10, $11, $12)`,
        [k.id, k.name, k.hash, k.prefix, JSON.stringify(k.roles), json(k.tenants), json(k.types), json(k.ops), k.createdAt, k.createdBy ?? null, k.expiresAt ?? null, k.revokedAt ?? null]);
    } catch (e) {
      if ((e as { code?: string }).code === '23505') throw new StorageConflict(`api key ${k.name} exists`, { cause: e });
      throw e;
    }
  }
  async keyByHash(hash: string): Promise<ApiKeyRecord | undefined> {
    const row = (await q<KeyRow>(this.pool, `SELECT ${KCOLS} FROM api_keys WHERE hash = $1`, [hash]))[0];
    return row && toKey(row);
  }
  async keyById(id: string): Promise<ApiKeyRecord | undefined> {
    const row = (await q<KeyRow>(this.pool, `SELECT ${KCOLS} FROM api_keys WHERE id = $1`, [id]))[0];
    return row && toKey(row);
  }
  async listKeys(): Promise<ApiKeyRecord[]> {
    return (await q<KeyRow>(this.pool, `SELECT ${KCOLS} FROM api_keys ORDER BY created_at DESC, seq DESC`)).map(toKey);
  }
  async revokeKey(id: string, at: string): Promise<boolean> {
    return (await q(this.pool, 'UPDATE api_keys SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL RETURNING id', [at, id])).length > 0;
  }
  async appendAudit(entries: AuditEntry[]): Promise<void> {
    if (entries.length === 0) return;
    // One statement: the batch is atomic, and seq keeps the order of the entries.
    const cols = ['at', 'principal', 'action', 'tenant', 'target', 'status', 'address', 'request_id'];
    const arrays = cols.map(() => [] as unknown[]);
    for (const e of entries) {
      [e.at, e.principal, e.action, e.tenant ?? null, e.target ?? null, e.status, e.address ?? null, e.requestId ?? null].forEach((v, i) => arrays[i].push(v));
    }
    await q(this.pool, `INSERT INTO audit_log (${cols.join(', ')})
      SELECT ${cols.join(', ')} FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::int[], $7::text[], $8::text[])
        WITH ORDINALITY AS u(${cols.join(', ')}, n) ORDER BY n`, arrays);
  }
  async queryAudit(a: AuditQuery): Promise<AuditEntry[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    const p = (v: unknown) => { params.push(v); return `$${params.length}`; };
    if (a.since) where.push(`at >= ${p(a.since)}`);
    if (a.until) where.push(`at < ${p(a.until)}`);
    if (a.principal) where.push(`principal = ${p(a.principal)}`);
    if (a.tenant !== undefined) where.push(`tenant = ${p(a.tenant)}`);
    if (a.action) where.push(`strpos(action, ${p(a.action)}) > 0`);
    const sql = `SELECT at, principal, action, tenant, target, status, address, request_id FROM audit_log ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY seq ${a.oldestFirst ? 'ASC' : 'DESC'} LIMIT ${p(a.limit)} OFFSET ${p(a.offset)}`;
    return (await q<AuditRow>(this.pool, sql, params)).map(auditEntryFromRow);
  }
  async pruneAudit(before: string): Promise<number> {
    return (await q(this.pool, 'DELETE FROM audit_log WHERE at < $1 RETURNING seq', [before])).length;
  }
  async getSetting(name: string): Promise<unknown> {
    const row = (await q<{ value: unknown }>(this.pool, 'SELECT value FROM auth_settings WHERE name = $1', [name]))[0];
    return row ? row.value : undefined;
  }
  async putSetting(name: string, value: unknown): Promise<void> {
    if (value === undefined) await q(this.pool, 'DELETE FROM auth_settings WHERE name = $1', [name]);
    else await q(this.pool, 'INSERT INTO auth_settings (name, value) VALUES ($1, $2::jsonb) ON CONFLICT (name) DO UPDATE SET value = excluded.value', [name, JSON.stringify(value)]);
  }
}
